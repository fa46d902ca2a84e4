"""A draft always builds: every fact still to fill in shows as a visible placeholder —
in text, tables, key-figure tiles, charts and the cover's date — never as a zero."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from helpers import REPO, make_project, run_rapport
from rapport.charts import charts_of
from rapport.charts.placeholder import MAX_FACT_LINES, missing_lines, placeholder_alt
from rapport.content.facts import FactTable
from rapport.content.load import load_edition
from rapport.content.model import Chart, Fact, FactSet, Paragraph, RichText, Series, Span
from rapport.diagnostics import Location, Problems
from rapport.labels import labels
from rapport.layout.markup import rich
from rapport.pdf.inspection import walk
from rapport.pipeline import build_moment

EDITION = """\
title: Testrapport
year: 2023
organisation: Testorganisatie
published:
"""

FACTS = """\
migraties.2019: 93
migraties.2020:
  value:
migraties.2021:
  value:
boeken.titels:
  value:
boeken.exemplaren:
  value:
soorten.boeken:
  value:
soorten.strips:
  value:
"""

CHAPTER = """\
title: Hoofdstuk
sections:
  - title: Sectie
    blocks:
      - paragraph: "De collectie telt {boeken.titels} titels en {boeken.exemplaren} exemplaren."
      - figures:
          - value: {boeken.titels}
            label: titels
            change: true
          - value: {boeken.exemplaren}
            label: exemplaren
      - table:
          caption: Boeken
          columns: [Soort, Aantal]
          rows:
            - [Titels, "{boeken.titels}"]
      - chart:
          kind: bar
          title: Migraties per jaar
          categories: [2019, 2020, 2021]
          series:
            - name: Migraties
              values: [{migraties.2019}, {migraties.2020}, {migraties.2021}]
      - chart:
          kind: donut
          title: Soorten beschrijvingen
          categories: [Boeken, Strips]
          series:
            - name: Beschrijvingen
              values: [{soorten.boeken}, {soorten.strips}]
"""

FILLED = {
    "migraties.2020": 76,
    "migraties.2021": 99,
    "boeken.titels": 15417,
    "boeken.exemplaren": 52913,
    "soorten.boeken": 700,
    "soorten.strips": 300,
}
CHART_TITLES = ("Migraties per jaar", "Soorten beschrijvingen")
LONE_ZERO = re.compile(r"(?<![\d.,])0(?![\d.,])")


def draft_project(root: Path, facts: str = FACTS, chapter: str = CHAPTER) -> Path:
    edition_dir = make_project(root, chapter, edition=EDITION)
    (edition_dir / "facts.yaml").write_text(facts, encoding="utf-8")
    previous = edition_dir.parent / "2022"  # for the change a filled-in tile shows
    previous.mkdir()
    (previous / "facts.yaml").write_text("boeken.titels: 13043\n", encoding="utf-8")
    return edition_dir


def fill_in(facts: str, values: dict[str, int]) -> str:
    for name, value in values.items():
        facts = facts.replace(f"{name}:\n  value:\n", f"{name}: {value}\n")
    return facts


def pdf_text(pdf: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    return re.sub("\xad\n", "", text)  # words hyphenated at a line's end, made whole


def figure_alts(pdf: Path) -> list[str]:
    with pikepdf.open(pdf) as document:
        return [
            str(element.Alt)
            for _, element in walk(document.Root.StructTreeRoot.K)
            if str(element.S) == "/Figure" and "/Alt" in element
        ]


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("draft")
    draft_project(root)
    result = run_rapport("build", "--draft", "content/2023", "-o", "draft.pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "draft.pdf"


# -- a fresh `rapport new`, built as a draft without any edit ----------------------------


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fresh")
    for folder in ("content", "images", "fonts", "theme"):
        shutil.copytree(REPO / folder, root / folder)
    made = run_rapport("new", "2024", cwd=root)
    assert made.returncode == 0, made.stderr
    return root


@pytest.mark.e2e
def test_a_fresh_new_edition_builds_as_a_draft(fresh):
    result = run_rapport("build", "--draft", "content/2024", "-o", "draft.pdf", cwd=fresh)
    assert result.returncode == 0, result.stderr
    pdf = fresh / "draft.pdf"
    text = pdf_text(pdf)
    assert "Publicatiedatum nog niet bekend" in PdfReader(pdf).pages[0].extract_text()
    assert "Grafiek nog in te vullen" in text
    assert "[nog in te vullen: ebooks.titels]" in text  # a fact of the new year, in the text
    edition = load_edition(fresh / "content" / "2024", Problems(), draft=True)
    assert edition is not None
    unfilled = [chart for chart in charts_of(edition) if chart.unfilled]
    placeholders = [a for a in figure_alts(pdf) if a.startswith("Grafiek nog in te vullen: ")]
    assert unfilled and placeholders == [placeholder_alt(c, edition.language) for c in unfilled]
    inspected = run_rapport("inspect", "draft.pdf", cwd=fresh)
    assert inspected.returncode == 0, inspected.stdout + inspected.stderr
    assert "0 problems" in inspected.stderr


@pytest.mark.e2e
def test_a_fresh_new_edition_is_refused_without_draft(fresh):
    result = run_rapport("build", "content/2024", "-o", "final.pdf", cwd=fresh)
    assert result.returncode == 1
    assert "fill in" in result.stderr and "nothing was written" in result.stderr
    assert not (fresh / "final.pdf").exists()


# -- placeholders in the PDF ---------------------------------------------------------------


@pytest.mark.e2e
def test_text_and_table_cells_show_the_placeholder(draft):
    text = pdf_text(draft)
    assert "De collectie telt [nog in te vullen: boeken.titels] titels" in text
    assert re.search(r"Titels\s+\[nog in te vullen: boeken\.titels\]", text)


@pytest.mark.e2e
def test_charts_with_facts_to_fill_in_are_placeholders_of_their_title(draft):
    text = pdf_text(draft)
    assert text.count("Grafiek nog in te vullen") == 2
    for title in CHART_TITLES:
        assert text.count(title) == 2  # above the chart and in its placeholder
    assert "In te vullen in facts.yaml: migraties.2020, migraties.2021" in text
    assert "In te vullen in facts.yaml: soorten.boeken, soorten.strips" in text


@pytest.mark.e2e
def test_a_partly_filled_chart_is_still_a_placeholder(draft):
    assert "93" not in pdf_text(draft)  # migraties.2019 is filled in, but not drawn alone


@pytest.mark.e2e
def test_tiles_show_the_placeholder_and_no_change(draft):
    text = pdf_text(draft)
    assert text.count("…\ntitels") == 1 and text.count("…\nexemplaren") == 1
    assert text.count("nog in te vullen\n") >= 2  # under each tile's label
    assert "t.o.v." not in text


@pytest.mark.e2e
def test_no_unfilled_value_shows_as_zero(draft):
    assert LONE_ZERO.findall(pdf_text(draft)) == []


@pytest.mark.e2e
def test_the_cover_says_the_date_is_not_known_and_the_pdf_date_is_pinned(draft):
    assert "Publicatiedatum nog niet bekend" in PdfReader(draft).pages[0].extract_text()
    assert str(PdfReader(draft).metadata["/CreationDate"]).startswith("D:20230101000000")


@pytest.mark.e2e
def test_placeholder_figures_are_tagged_with_alt_text(draft):
    assert figure_alts(draft) == [
        "Grafiek nog in te vullen: Migraties per jaar; "
        "in te vullen in facts.yaml: migraties.2020, migraties.2021",
        "Grafiek nog in te vullen: Soorten beschrijvingen; "
        "in te vullen in facts.yaml: soorten.boeken, soorten.strips",
    ]
    inspected = run_rapport("inspect", str(draft))
    assert inspected.returncode == 0, inspected.stdout + inspected.stderr
    assert "0 problems" in inspected.stderr


@pytest.mark.e2e
def test_placeholders_are_not_cached_and_filled_charts_are_drawn(tmp_path):
    edition_dir = draft_project(tmp_path)
    result = run_rapport("build", "--draft", "content/2023", "-o", "draft.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / ".cache").glob("charts/*.json")) == []
    (edition_dir / "facts.yaml").write_text(fill_in(FACTS, FILLED), encoding="utf-8")
    result = run_rapport("build", "--draft", "content/2023", "-o", "draft.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = pdf_text(tmp_path / "draft.pdf")
    assert "nog in te vullen" not in text
    assert "93" in text and "76" in text and "15.417" in text and "+18% t.o.v. 2022" in text
    assert len(list((tmp_path / ".cache").glob("charts/*.json"))) == 2


# -- refusals that stay ----------------------------------------------------------------


@pytest.mark.e2e
def test_a_build_without_draft_refuses_unfilled_facts(tmp_path):
    draft_project(tmp_path)
    result = run_rapport("build", "content/2023", "-o", "final.pdf", cwd=tmp_path)
    assert result.returncode == 1
    assert "fill in" in result.stderr and "nothing was written" in result.stderr
    assert not (tmp_path / "final.pdf").exists()


@pytest.mark.e2e
def test_a_real_all_zero_donut_is_still_an_error_in_a_draft(tmp_path):
    facts = fill_in(FACTS, {"soorten.boeken": 0, "soorten.strips": 0})
    draft_project(tmp_path, facts=facts)
    result = run_rapport("build", "--draft", "content/2023", "-o", "draft.pdf", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "error: a donut cannot show values that are all zero (series 'Beschrijvingen')"
        in result.stderr
    )


@pytest.mark.e2e
def test_a_donut_with_a_zero_and_a_fact_to_fill_in_builds_as_a_draft(tmp_path):
    draft_project(tmp_path, facts=fill_in(FACTS, {"soorten.boeken": 0}))
    result = run_rapport("build", "--draft", "content/2023", "-o", "draft.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "In te vullen in facts.yaml: soorten.strips" in pdf_text(tmp_path / "draft.pdf")


# -- the model and its pieces ------------------------------------------------------------


def test_the_loader_marks_placeholder_spans(tmp_path):
    edition_dir = draft_project(tmp_path, facts=fill_in(FACTS, {"boeken.exemplaren": 52913}))
    edition = load_edition(edition_dir, Problems(), draft=True)
    assert edition is not None and edition.published is None
    paragraph = edition.chapters[0].sections[0].blocks[0]
    assert isinstance(paragraph, Paragraph)
    facts = [(s.text, s.placeholder) for s in paragraph.text.spans if s.fact]
    assert facts == [("[nog in te vullen: boeken.titels]", True), ("52.913", False)]


def test_a_draft_without_a_date_is_dated_january_first_or_source_date_epoch(tmp_path, monkeypatch):
    edition = load_edition(draft_project(tmp_path), Problems(), draft=True)
    assert edition is not None
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_moment(edition) == dt.datetime(2023, 1, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1710892800")
    assert build_moment(edition) == dt.datetime(2024, 3, 20)


def test_the_placeholder_of_a_fact_is_dutch_and_names_it():
    where = Location(Path("facts.yaml"), 1, 1)
    current = FactSet(
        year=2024,
        facts=(Fact(name="ebooks.titels", value=None, location=where),),
        location=where,
    )
    table = FactTable(current, None, "nl-BE")
    assert table.render("ebooks.titels") == "[nog in te vullen: ebooks.titels]"
    assert table.waits_for_value("ebooks.titels")
    assert table.waits_for_value("ebooks.titels", "number")


def test_a_placeholder_span_is_highlighted():
    where = Location(Path("x.yaml"), 1, 1)
    span = Span(text="[nog in te vullen: a.b]", fact="a.b", placeholder=True)
    markup = rich(RichText(spans=(span,), location=where), "#000000")
    assert markup == '<font backColor="#ffe28a" color="#5c3b00">[nog in te vullen: a.b]</font>'


def test_the_placeholder_alt_text_names_title_and_facts():
    where = Location(Path("x.yaml"), 1, 1)
    chart = Chart(
        kind="bar",
        title="Uitleningen",
        categories=("2022", "2023"),
        series=(
            Series(
                name="Uitleningen",
                values=(Decimal(5), None),
                statuses=("measured", "measured"),
                facts=("u.2022", "u.2023"),
                location=where,
            ),
        ),
        location=where,
    )
    assert chart.unfilled == ("u.2023",)
    assert placeholder_alt(chart, "nl-BE") == (
        "Grafiek nog in te vullen: Uitleningen; in te vullen in facts.yaml: u.2023"
    )


NAMES = st.from_regex(r"[a-z]{1,12}(\.[a-z0-9-]{1,12}){0,3}", fullmatch=True)


@given(st.lists(NAMES, min_size=1, max_size=40, unique=True), st.floats(120, 600))
def test_the_missing_facts_fit_in_a_few_lines_and_none_is_lost(names, width):
    words = labels("nl-BE")
    lines = missing_lines(tuple(names), words, width, 8.0)
    assert 1 <= len(lines) <= MAX_FACT_LINES
    text = " ".join(lines)
    assert text.startswith("In te vullen in facts.yaml:")
    shown = [n for n in names if re.search(rf"[ ,]{re.escape(n)}(,|$| …)", text)]
    more = re.search(r"… en nog (\d+)$", text)
    assert len(shown) + (int(more.group(1)) if more else 0) == len(names)
    assert shown == names[: len(shown)]


def test_missing_facts_wrap_then_count_the_rest():
    words = labels("nl-BE")
    names = tuple(f"feit.nummer-{n}" for n in range(30))
    lines = missing_lines(names, words, 200, 8.0)
    assert len(lines) == MAX_FACT_LINES
    assert lines[0].startswith("In te vullen in facts.yaml: feit.nummer-0,")
    assert re.search(r"… en nog \d+$", lines[-1])
