"""The words the report prints itself, per language: in the PDF, its tags and its alt texts.

Every Dutch or English word rapport adds to a report is here, keyed by
language, so that a translation or a change of wording is made in one place.
Messages to the writer (diagnostics) are not: they are English throughout.
"""

from __future__ import annotations

_LABELS = {
    "nl": {
        "contents": "Inhoud",
        "chapter": "Hoofdstuk",
        "figures": "Cijfers",
        "figure": "Figuur",
        "table": "Tabel",
        "source": "Bron",
        "against": "t.o.v.",
        "draft": "CONCEPT",
        "page": "Pagina {page} van {total}",
        "introduction": "Inleiding",
        "published": "Uitgegeven op {date}",
        "unpublished": "Publicatiedatum nog niet bekend",
        "unfilled": "nog in te vullen",
        "chart_unfilled": "Grafiek nog in te vullen",
        "unfilled_facts": "In te vullen in facts.yaml",
        "more": "… en nog {count}",
        "corrected": "Gecorrigeerde uitgave, revisie {revision} van {date}: {reason}",
        # what a chart of each kind is called in its generated alt text
        "chart_bar": "Staafdiagram",
        "chart_hbar": "Liggend staafdiagram",
        "chart_grouped": "Gegroepeerd staafdiagram",
        "chart_stacked": "Gestapeld staafdiagram",
        "chart_line": "Lijndiagram",
        "chart_donut": "Ringdiagram",
        # a value that is not measured, in a legend and in alt text
        "status_estimated": "schatting",
        "status_derived": "afgeleid",
        # the parts of a chart's generated alt text
        "alt_series": "reeksen: {names}",
        "alt_total": "totaal {total}",
        "alt_largest": "grootste deel {category} {value} ({percent}%)",
        "alt_highest": "hoogste {value} ({where})",
        "alt_marked": "gemarkeerde waarden zijn {statuses}",
        "alt_or": " of ",
        # what a link annotation says it does (its /Contents)
        "link_to": "Link naar {address}",
        "go_to": "Ga naar {text}",
        "internal_link": "Interne link",
        # the web edition: the table of a chart's numbers below it
        "chart_data": "Cijfers van deze grafiek",
        "chart_data_caption": "{title}, in {unit}",
    },
    "en": {
        "contents": "Contents",
        "chapter": "Chapter",
        "figures": "Key figures",
        "figure": "Figure",
        "table": "Table",
        "source": "Source",
        "against": "vs.",
        "draft": "DRAFT",
        "page": "Page {page} of {total}",
        "introduction": "Introduction",
        "published": "Published {date}",
        "unpublished": "Publication date not known yet",
        "unfilled": "to be filled in",
        "chart_unfilled": "Chart to be filled in",
        "unfilled_facts": "To fill in in facts.yaml",
        "more": "… and {count} more",
        "corrected": "Corrected edition, revision {revision} of {date}: {reason}",
        "chart_bar": "Bar chart",
        "chart_hbar": "Horizontal bar chart",
        "chart_grouped": "Grouped bar chart",
        "chart_stacked": "Stacked bar chart",
        "chart_line": "Line chart",
        "chart_donut": "Donut chart",
        "status_estimated": "estimate",
        "status_derived": "derived",
        "alt_series": "series: {names}",
        "alt_total": "total {total}",
        "alt_largest": "largest part {category} {value} ({percent}%)",
        "alt_highest": "highest {value} ({where})",
        "alt_marked": "marked values are {statuses}",
        "alt_or": " or ",
        "link_to": "Link to {address}",
        "go_to": "Go to {text}",
        "internal_link": "Internal link",
        "chart_data": "Numbers in this chart",
        "chart_data_caption": "{title}, in {unit}",
    },
}


def labels(language: str) -> dict[str, str]:
    """The words for `language` (nl-BE, en-GB, …); Dutch for a language rapport has no words in."""
    return _LABELS.get(language.split("-")[0], _LABELS["nl"])


def status_word(status: str, language: str) -> str:
    """'schatting' for an estimated value, 'afgeleid' for a derived one; '' for a measured one."""
    return labels(language).get(f"status_{status}", "")


def chart_name(kind: str, language: str) -> str:
    """'Staafdiagram': what a chart of `kind` is called."""
    return labels(language)[f"chart_{kind}"]
