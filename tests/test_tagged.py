"""The tagged PDF (PDF/UA-1, PDF/A-2a): the structure tree of the real 2023 edition,
checked by rapport's own checks, by an outside checker, and against broken files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from helpers import REPO
from rapport.pdf.inspection import check_tags, outline, walk
from rapport.pipeline import build

CHAPTERS_2023 = sorted((REPO / "content" / "2023").glob("[0-9]*.yaml"))

pytestmark = pytest.mark.slow  # builds the real 2023 edition


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(REPO / "content" / "2023", tmp_path_factory.mktemp("tagged") / "2023.pdf").pdf


@pytest.fixture(scope="module")
def tree(tagged: Path) -> Iterator[list[tuple[int, str, pikepdf.Object]]]:
    """(depth, role, element) of every structure element, with the file kept open."""
    with pikepdf.open(tagged) as pdf:
        yield [
            (depth, str(element.S), element) for depth, element in walk(pdf.Root.StructTreeRoot.K)
        ]


def test_the_edition_passes_every_tag_check(tagged):
    report = check_tags(tagged)
    assert report.problems == []
    assert report.elements > 300 and report.marked > 150 and report.artifacts > 100


def test_the_outside_checker_finds_nothing(tagged):
    pdfua = pytest.importorskip("pdfua")
    result = pdfua.validate(str(tagged))
    findings = [f"{f.rule_id}: {f.message}" for f in result.findings]
    skipped = [f"{o.rule_id}: {o.skipped_reason}" for o in result.outcomes if o.skipped_reason]
    assert findings == [] and skipped == []
    assert len(result.outcomes) >= 10


def test_chapters_are_h1_and_sections_h2_in_document_order(tagged):
    with pikepdf.open(tagged) as pdf:
        headings = []
        for _, element in walk(pdf.Root.StructTreeRoot.K):
            if str(element.S) in ("/H1", "/H2"):
                headings.append(str(element.S))
    assert headings.count("/H1") == 4 + 2  # the chapters, the introduction and the contents
    assert headings.count("/H2") >= 14


def test_every_figure_speaks(tree):
    figures = [element for _, role, element in tree if role == "/Figure"]
    alts = [str(element.Alt) for element in figures]
    charts = sum(text.count("\n      - chart:") for text in map(Path.read_text, CHAPTERS_2023))
    assert charts >= 5
    assert len(figures) == charts  # the chapter icons are decoration, artifacts
    assert not {"⚙️", "🤳", "✨", "💡"} & set(alts)
    assert any(alt.startswith("Staafdiagram: migraties naar Wise per jaar") for alt in alts)


def test_key_figures_read_as_value_then_label(tree):
    rows = [element for _, role, element in tree if role == "/TR"]
    tile_rows = [row for row in rows if [str(k.S) for k in row.K][:2] == ["/TH", "/TD"]]
    assert len(tile_rows) >= 14  # every tile of every key-figure row
    assert all(str(row.K[0].A.Scope) == "/Row" for row in tile_rows)


def test_rankings_are_lists_with_labels(tree):
    items = [element for _, role, element in tree if role == "/LI"]
    ranked = [item for item in items if [str(k.S) for k in item.K] == ["/Lbl", "/LBody"]]
    assert len(ranked) == 9  # three top 3s


def test_links_are_in_the_tree(tagged, tree):
    links = [element for _, role, element in tree if role == "/Link"]
    with pikepdf.open(tagged) as pdf:
        annotations = [
            a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.Subtype == "/Link"
        ]
        referenced = [
            kid.Obj.objgen
            for link in links
            for kid in (link.K if isinstance(link.K, pikepdf.Array) else [link.K])
            if isinstance(kid, pikepdf.Dictionary)
        ]
        assert sorted(referenced) == sorted(a.objgen for a in annotations)  # each once
        assert len(links) > 0
        assert all(str(a.Contents) for a in annotations)


def test_the_catalog_and_metadata_declare_ua_and_a(tagged):
    with pikepdf.open(tagged) as pdf:
        assert str(pdf.Root.Lang) == "nl-BE"
        assert bool(pdf.Root.MarkInfo.Marked)
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        metadata = pdf.open_metadata()
        assert metadata["pdfuaid:part"] == "1"
        assert (metadata["pdfaid:part"], metadata["pdfaid:conformance"]) == ("2", "A")


def test_a_paragraph_over_two_pages_stays_one_element(tmp_path):
    from helpers import chapter_with_blocks, make_project

    long = " ".join(f"Zin {n} van een heel lange alinea over bibliotheken." for n in range(400))
    edition_dir = make_project(tmp_path, chapter_with_blocks(f"- paragraph: {long}\n"))
    pdf = build(edition_dir, tmp_path / "long.pdf").pdf
    assert check_tags(pdf).problems == []
    with pikepdf.open(pdf) as document:
        pages = {page.obj.objgen: index for index, page in enumerate(document.pages)}
        paragraphs = [
            e for _, e in walk(document.Root.StructTreeRoot.K) if str(e.S) == "/P" and "/K" in e
        ]
        spread = [
            p
            for p in paragraphs
            if isinstance(p.K, pikepdf.Array)
            and len({pages[k.Pg.objgen] for k in p.K if isinstance(k, pikepdf.Dictionary)}) > 1
        ]
    assert len(spread) == 1


def test_extracted_text_keeps_words_whole_and_numbers_as_written(tagged):
    text = "".join(page.extract_text() for page in PdfReader(tagged).pages)
    joined = re.sub(r"\xad\n", "", text)
    assert "\xad" in text  # words broken at a line end carry a soft hyphen, not "-"
    for written in ("1.852.354", "32.320.053", "ruim 15.000"):
        assert written in joined


def test_the_outline_prints_the_tree(tagged):
    printed = outline(tagged).splitlines()
    assert printed[0] == "Document"
    assert any(line.strip().startswith('Figure  alt="Staafdiagram: ') for line in printed)
    assert any(line.strip().startswith('Link  alt="Ga naar ') for line in printed)


# -- the checks can fail ---------------------------------------------------------------


def _broken(tagged: Path, tmp_path: Path, change) -> Path:
    target = tmp_path / "broken.pdf"
    with pikepdf.open(tagged) as pdf:
        change(pdf)
        pdf.save(target)
    return target


def test_a_figure_without_alt_is_found(tagged, tmp_path):
    def remove_alt(pdf: pikepdf.Pdf) -> None:
        figure = next(e for _, e in walk(pdf.Root.StructTreeRoot.K) if str(e.S) == "/Figure")
        del figure["/Alt"]

    assert (
        "a Figure has no alternative text (/Alt)"
        in check_tags(_broken(tagged, tmp_path, remove_alt)).problems
    )


def test_untagged_painting_is_found(tagged, tmp_path):
    def paint_outside(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[2]
        page.contents_add(pikepdf.Stream(pdf, b"0 0 10 10 re f"), prepend=False)

    problems = check_tags(_broken(tagged, tmp_path, paint_outside)).problems
    assert "page 3: 1 painting operation(s) are neither content nor artifact" in problems


def test_a_skipped_heading_level_is_found(tagged, tmp_path):
    def skip(pdf: pikepdf.Pdf) -> None:
        heading = next(e for _, e in walk(pdf.Root.StructTreeRoot.K) if str(e.S) == "/H2")
        heading.S = pikepdf.Name("/H4")

    assert any(
        "heading level skipped: /H4 after H1" in p
        for p in check_tags(_broken(tagged, tmp_path, skip)).problems
    )


def test_an_mcid_missing_from_the_tree_is_found(tagged, tmp_path):
    def orphan(pdf: pikepdf.Pdf) -> None:
        paragraph = next(
            e
            for _, e in walk(pdf.Root.StructTreeRoot.K)
            if str(e.S) == "/P" and isinstance(e.get("/K"), int)
        )
        paragraph.K = pikepdf.Array()

    problems = check_tags(_broken(tagged, tmp_path, orphan)).problems
    assert any("is marked on the page but in no element" in p for p in problems)
