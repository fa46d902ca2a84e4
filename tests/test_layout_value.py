"""Layout returns a value; the PDF finisher takes it and knows nothing of layout's objects.

The layout stage (rapport.layout.pages.lay_out) gives back a `LaidOut`: reportlab's
PDF bytes, the structure tree, the marked content and the late page numbers as
frozen data. The finisher (rapport.pdf.write.write_pdf) makes the tagged PDF/A
file from it, the same bytes `rapport build` writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest

from helpers import REPO, chapter_with_blocks, make_project
from rapport.charts import ChartSet, prepare_charts
from rapport.content.model import Chapter, Edition
from rapport.content.walk import edition_nodes, iter_nodes
from rapport.diagnostics import ContentError, Location
from rapport.layout.document import frame_width
from rapport.layout.laid_out import Element, LaidOut
from rapport.layout.pages import lay_out
from rapport.layout.recorder import LayoutRecorder
from rapport.layout.tagging import TaggedCanvas
from rapport.paths import project_root
from rapport.pdf.inspection import walk
from rapport.pdf.write import write_pdf
from rapport.pipeline import Checked, build, load_and_check

MOMENT = dt.datetime(2024, 3, 20)


@pytest.fixture(scope="module")
def checked() -> Checked:
    return load_and_check(REPO / "content" / "2023")


@pytest.fixture(scope="module")
def laid_out(checked: Checked) -> LaidOut:
    edition, theme = checked.edition, checked.theme
    charts = prepare_charts(edition, theme, project_root(edition), frame_width(theme))
    return lay_out(edition, theme, charts, MOMENT)


@pytest.fixture(scope="module")
def finished(checked: Checked, laid_out: LaidOut, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("finished") / "rapport.pdf"
    write_pdf(laid_out, checked.edition, target, MOMENT)
    return target


# --------------------------------------------------------------------------- the value


@pytest.mark.slow
def test_the_layout_value_is_frozen_plain_data(laid_out: LaidOut) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        laid_out.pages = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        laid_out.structure.role = "P"  # type: ignore[misc]
    with pytest.raises(TypeError):
        laid_out.page_numbers.of_heading["hoofdstuk-1"] = 99  # type: ignore[index]
    assert isinstance(laid_out.structure, Element) and laid_out.structure.role == "Document"
    assert isinstance(laid_out.marked, tuple) and isinstance(laid_out.images, tuple)


@pytest.mark.slow
def test_the_pdf_bytes_are_reportlabs_untagged_pages(laid_out: LaidOut) -> None:
    """The finisher adds the structure tree and PDF/A: the layout's PDF has neither."""
    assert laid_out.pdf.startswith(b"%PDF-")
    with pikepdf.open(io.BytesIO(laid_out.pdf)) as pdf:
        assert len(pdf.pages) == laid_out.pages == laid_out.page_numbers.total
        assert "/StructTreeRoot" not in pdf.Root
        assert "/OutputIntents" not in pdf.Root


@pytest.mark.slow
def test_elements_are_numbered_in_document_order(laid_out: LaidOut) -> None:
    numbers = [element.number for element in laid_out.structure.walk()]
    assert numbers == list(range(len(numbers)))
    assert {m.element for m in laid_out.marked} <= {*numbers, None}
    assert any(m.element is not None for m in laid_out.marked)


@pytest.mark.slow
def test_marked_content_is_numbered_from_zero_on_every_page(laid_out: LaidOut) -> None:
    by_page: dict[int, list[int]] = defaultdict(list)
    for mark in laid_out.marked:
        by_page[mark.page].append(mark.mcid)
    assert set(by_page) <= set(range(laid_out.pages))
    for mcids in by_page.values():
        assert mcids == list(range(len(mcids)))


@pytest.mark.slow
def test_late_page_numbers_are_the_pages_the_headings_landed_on(
    laid_out: LaidOut, finished: Path
) -> None:
    """Every heading is an outline entry, drawn with it: on the page the value says."""
    reader = pypdf.PdfReader(finished)

    def flat(items: list[Any]) -> list[pypdf.generic.Destination]:
        return [e for item in items for e in (flat(item) if isinstance(item, list) else [item])]

    pages = [(reader.get_destination_page_number(item) or 0) + 1 for item in flat(reader.outline)]
    of_heading = laid_out.page_numbers.of_heading
    assert list(of_heading.values()) == pages
    assert any(key.startswith("hoofdstuk-") for key in of_heading)
    assert any(key.startswith("sectie-") for key in of_heading)


@pytest.mark.slow
def test_the_contents_print_the_late_page_numbers(laid_out: LaidOut, finished: Path) -> None:
    reader = pypdf.PdfReader(finished)
    footer = reader.pages[1].extract_text()
    assert f"Pagina 2 van {laid_out.page_numbers.total}" in footer
    contents = " ".join(page.extract_text() for page in reader.pages[:3])
    assert all(str(page) in contents for page in laid_out.page_numbers.of_heading.values())


# --------------------------------------------------------------------------- the finisher


@pytest.mark.slow
def test_the_finisher_writes_the_pdf_build_writes(
    checked: Checked, laid_out: LaidOut, finished: Path, tmp_path: Path
) -> None:
    report = build(REPO / "content" / "2023", tmp_path / "gebouwd.pdf", moment=MOMENT)
    assert report.pdf.read_bytes() == finished.read_bytes()
    assert report.pages == laid_out.pages


@pytest.mark.slow
def test_finishing_the_same_value_twice_gives_the_same_bytes(
    checked: Checked, laid_out: LaidOut, finished: Path, tmp_path: Path
) -> None:
    """The finisher does not consume or change the value."""
    again = write_pdf(laid_out, checked.edition, tmp_path / "nogmaals.pdf", MOMENT)
    assert again.path.read_bytes() == finished.read_bytes()
    assert again.pages == laid_out.pages and again.size == finished.stat().st_size


@pytest.mark.slow
def test_the_structure_tree_is_the_layouts_drawn_elements(
    laid_out: LaidOut, finished: Path
) -> None:
    """The finisher writes each element that has content on a page, in the same order;
    links are its own addition (one Link element per link annotation)."""
    drawn = {m.element for m in laid_out.marked}

    def written(element: Element) -> list[str]:
        below = [role for child in element.children for role in written(child)]
        if element.number in drawn or below or element.role == "Document":
            return [element.role, *below]
        return []

    with pikepdf.open(finished) as pdf:
        roles = [str(e.S)[1:] for _, e in walk(pdf.Root.StructTreeRoot.K)]
    assert [role for role in roles if role != "Link"] == written(laid_out.structure)
    assert "Link" in roles


# --------------------------------------------------------------------------- refusals


def test_a_block_taller_than_a_page_is_a_content_error_at_the_block(tmp_path: Path) -> None:
    cell = " ".join(["woord"] * 4000)
    blocks = (
        f'- table:\n    caption: Te lang\n    columns: [Tekst]\n    rows:\n      - ["{cell}"]\n'
    )
    edition_dir = make_project(tmp_path, chapter_with_blocks(blocks))
    checked = load_and_check(edition_dir)
    with pytest.raises(ContentError) as refused:
        lay_out(checked.edition, checked.theme, ChartSet(), MOMENT)
    (problem,) = refused.value.diagnostics
    assert problem.message == (
        "failed to lay out the content after this point (a block is taller than a page)"
    )
    assert problem.hint == "split a very long table, list or text into smaller blocks"
    assert problem.location.path.name == "01-test.yaml"
    assert problem.location.line == 5  # the table, the block reached last


def test_a_contents_entry_taller_than_a_page_is_blamed_on_its_chapter(tmp_path: Path) -> None:
    """The contents list every title: one that fits no page fails at the contents,
    and the failure is reported where the title is written."""
    title = " ".join(["Hoofdstuktitel"] * 900)
    chapter = (
        f"title: {title}\nsections:\n  - title: Sectie\n    blocks:\n      - paragraph: Tekst.\n"
    )
    edition_dir = make_project(tmp_path, chapter)
    checked = load_and_check(edition_dir)
    with pytest.raises(ContentError) as refused:
        lay_out(checked.edition, checked.theme, ChartSet(), MOMENT)
    (problem,) = refused.value.diagnostics
    assert problem.message.startswith("failed to lay out the content after this point")
    assert problem.location.path.name == "01-test.yaml"
    assert problem.location.line == 1


# --------------------------------------------------------------------------- the recorder


def test_the_recorder_keeps_the_first_page_of_a_heading_and_the_current_chapter() -> None:
    recorder = LayoutRecorder()
    recorder.heading_drawn("hoofdstuk-1", 3, "Eerste")
    recorder.heading_drawn("sectie-1", 4)
    recorder.heading_drawn("hoofdstuk-1", 5, "")
    assert recorder.current_chapter == "Eerste"
    assert dict(recorder.laid_out(b"", 5).page_numbers.of_heading) == {
        "hoofdstuk-1": 3,
        "sectie-1": 4,
    }


def test_the_recorder_remembers_the_last_location_reached() -> None:
    recorder = LayoutRecorder()
    first = Location(Path("content/2023/01-a.yaml"), 4, 7)
    recorder.reached(first)
    recorder.reached(None)  # a flowable that was not written anywhere: a spacer, a break
    assert recorder.last_location == first


def test_content_marked_for_an_element_no_longer_in_the_tree_refers_to_none() -> None:
    """The contents remake their entries on every wrap; content drawn for an entry
    since dropped has no element, and the finisher leaves it out of the tree."""
    recorder = LayoutRecorder()
    kept = recorder.structure.add("P", text="blijft")
    dropped = recorder.structure.add("P", text="weg")
    recorder.structure.children.remove(dropped)

    canvas = TaggedCanvas(io.BytesIO(), tagger=recorder.tagger)
    for node in (dropped, kept):
        with recorder.tagger.marked(canvas, node, 0, 0, 10, 10):
            canvas.drawString(0, 0, node.text)
    value = recorder.laid_out(b"%PDF-", 1)
    assert [(m.element, m.mcid) for m in value.marked] == [(None, 0), (1, 1)]
    assert [e.text for e in value.structure.walk()] == ["", "blijft"]


# --------------------------------------------------------------------------- seams


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(result.stdout.split())


def test_the_finisher_imports_nothing_of_layout_but_its_value() -> None:
    loaded = _loaded_after(
        "import rapport.pdf.write, rapport.pdf.tags, rapport.pdf.pdfa, rapport.pdf.pdfa_check"
    )
    assert not {m for m in loaded if m == "reportlab" or m.startswith("reportlab.")}
    layout = {m for m in loaded if m.startswith("rapport.layout.")}
    assert layout <= {"rapport.layout.laid_out", "rapport.layout.escaping"}, layout


def test_layout_imports_nothing_of_pikepdf_or_the_finisher() -> None:
    loaded = _loaded_after("import rapport.layout.pages")
    assert not {m for m in loaded if m == "pikepdf" or m.startswith("pikepdf.")}
    assert not {m for m in loaded if m.startswith("rapport.pdf")}


def test_no_flowable_finds_the_document_through_the_canvas() -> None:
    """Flowables are given the recorder; none reaches reportlab's `canvas._doctemplate`."""
    sources = sorted((REPO / "src" / "rapport").rglob("*.py"))
    assert sources
    assert [p.name for p in sources if "_doctemplate" in p.read_text(encoding="utf-8")] == []


@pytest.mark.e2e
def test_build_logs_layout_and_finishing_as_two_steps(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    edition_dir = make_project(tmp_path)
    with caplog.at_level(logging.INFO, logger="rapport"):
        report = build(edition_dir, tmp_path / "uit.pdf", moment=MOMENT)
    steps = [r.getMessage() for r in caplog.records if r.getMessage().startswith("[")]
    assert steps[-2:] == [
        "[4/5] laying out pages",
        f"[5/5] finishing the PDF ({report.pages} pages)",
    ]


# --------------------------------------------------------------------------- the model's walk


def test_the_walk_visits_chapters_in_document_order(checked: Checked) -> None:
    nodes = edition_nodes(checked.edition)
    chapters = [node for node in nodes if isinstance(node, Chapter)]
    assert chapters == list(checked.edition.chapters)
    assert nodes[0] is checked.edition
    assert edition_nodes(checked.edition) is nodes  # walked once per edition object


def test_the_walk_of_another_edition_object_is_its_own(checked: Checked, tmp_path: Path) -> None:
    other = load_and_check(make_project(tmp_path)).edition
    assert isinstance(other, Edition)
    assert edition_nodes(other) == tuple(iter_nodes(other))
    assert edition_nodes(other) != edition_nodes(checked.edition)


def test_project_root_is_the_folder_above_content(checked: Checked, tmp_path: Path) -> None:
    assert project_root(checked.edition) == REPO
    other = load_and_check(make_project(tmp_path / "project")).edition
    assert project_root(other) == (tmp_path / "project").resolve()
