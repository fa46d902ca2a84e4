"""The few words the report prints itself, per language."""

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
    },
}


def labels(language: str) -> dict[str, str]:
    return _LABELS.get(language.split("-")[0], _LABELS["nl"])
