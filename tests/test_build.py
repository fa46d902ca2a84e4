"""End to end: build the real 2023 edition and read the PDF back.

Every expectation is derived from the content files (loaded through
rapport.content.load and walked here); a few facts of the 2023 report are also written
out as seeds, to catch a derivation that silently went wrong on both sides.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import Destination

from rapport.cli import main
from rapport.content import model
from rapport.content.formatting import format_quantity
from rapport.content.load import load_edition
from rapport.diagnostics import Problems
from rapport.labels import labels
from rapport.pipeline import BuildReport, build
from rapport.theme import load_theme

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
EDITION_DIR = REPO / "content" / "2023"
PROJECT_FOLDERS = ("content", "fonts", "images", "theme")
SOFT_HYPHEN = "\u00ad"
BASE_14 = {
    "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique",
    "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique",
    "Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic",
    "Symbol", "ZapfDingbats",
}  # fmt: skip


# --------------------------------------------------------------------------- helpers


def readable(text: str) -> str:
    """Extracted text as a reader sees it: broken words rejoined, white space collapsed.

    A soft hyphen followed by a line break marks a word broken at a line end;
    a lone soft hyphen is the invisible carrier of an icon's ActualText.
    """
    text = re.sub(SOFT_HYPHEN + r"[ \t]*\r?\n", "", text)
    return " ".join(text.replace(SOFT_HYPHEN, "").split())


def words_pattern(text: str) -> str:
    """A regex for `text` whose words may be separated by any white space (line breaks)."""
    return r"\s+".join(re.escape(word) for word in text.split())


def content_strings(node: object) -> Iterator[str]:
    """Every piece of text written in the content model, rich text as plain text."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, model.RichText):
        yield node.plain
    elif isinstance(node, tuple):
        for item in node:
            yield from content_strings(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            if field.name not in ("location", "directory"):
                yield from content_strings(getattr(node, field.name))


def blocks_of(
    edition: model.Edition, kind: type[Any]
) -> Iterator[tuple[model.Chapter, model.Section, Any]]:
    for chapter in edition.chapters:
        for section in chapter.sections:
            for block in section.blocks:
                if isinstance(block, kind):
                    yield chapter, section, block


def flatten_outline(outline: list[Any]) -> list[tuple[Destination, list[Destination]]]:
    """pypdf's outline ([entry, [children], entry, ...]) as (entry, children) pairs."""
    pairs: list[tuple[Destination, list[Destination]]] = []
    for item in outline:
        if isinstance(item, list):
            assert pairs, "the outline starts with nested entries that have no parent"
            assert all(not isinstance(child, list) for child in item), (
                "the outline is nested deeper than two levels"
            )
            pairs[-1][1].extend(item)
        else:
            pairs.append((item, []))
    return pairs


def text_by_size(reader: PdfReader, size: float) -> list[str]:
    """Per page, the readable text drawn at font size `size` (how headings are told apart)."""
    pages = []
    for page in reader.pages:
        runs: list[str] = []

        def visit(text: str, cm: list[float], tm: list[float], font: Any, font_size: float) -> None:
            scale = abs(tm[3] * cm[3]) or 1.0
            if abs(font_size * scale - size) < 0.05:
                runs.append(text)  # noqa: B023 - called synchronously for this page

        page.extract_text(visitor_text=visit)
        pages.append(readable(" ".join(runs)))
    return pages


def run_cli(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.chdir(cwd)
    return main(["-q", *args])


def copy_project(destination: Path) -> Path:
    """A copy of the repository's project (content, fonts, images, theme); returns its edition."""
    for folder in PROJECT_FOLDERS:
        shutil.copytree(REPO / folder, destination / folder)
    return destination / "content" / "2023"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def edition() -> model.Edition:
    problems = Problems()
    loaded = load_edition(EDITION_DIR, problems)
    assert loaded is not None and not problems.errors, [d.render() for d in problems.errors]
    return loaded


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    """The 2023 edition, built once for the whole module."""
    output = tmp_path_factory.mktemp("build") / "voortgangsrapport-2023.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        return build(EDITION_DIR, output)


@pytest.fixture(scope="module")
def pdf_bytes(report: BuildReport) -> bytes:
    return report.pdf.read_bytes()


@pytest.fixture(scope="module")
def reader(pdf_bytes: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf_bytes))


@pytest.fixture(scope="module")
def page_texts(reader: PdfReader) -> list[str]:
    """pypdf's text of every page, as extracted (soft hyphens and line breaks kept)."""
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def pdfium_texts(pdf_bytes: bytes) -> list[str]:
    return texts_by_position(pdf_bytes)


def contents_entries(page_text: str, heading: str = "Inhoud") -> list[tuple[str, int]]:
    """The (title, page) entries of a contents page's text: each title, on one line or
    wrapped over several, then its page number on a line of its own (the dot leader
    between them is drawn, not text)."""
    lines = page_text.splitlines()
    entries: list[tuple[str, int]] = []
    pending = ""
    for line in lines[lines.index(heading) + 1 :]:
        if line.startswith("Pagina "):
            break
        if line.strip().isdigit() and pending:
            entries.append((" ".join(pending.split()), int(line)))
            pending = ""
        else:
            pending = f"{pending} {line}".strip()
    return entries


def texts_by_position(pdf_bytes: bytes) -> list[str]:
    """pdfium's text of every page, in reading position (not content-stream) order."""
    document = pdfium.PdfDocument(pdf_bytes)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range().replace("\r\n", "\n"))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


@pytest.fixture(scope="module")
def words(edition: model.Edition) -> dict[str, str]:
    return labels(edition.language)


@pytest.fixture(scope="module")
def chapter_pages(
    page_texts: list[str], edition: model.Edition, words: dict[str, str]
) -> list[int]:
    """The 1-based page of each chapter's opener, found by its eyebrow 'HOOFDSTUK N'."""
    pages = []
    for number in range(1, len(edition.chapters) + 1):
        eyebrow = f"{words['chapter']} {number}".upper()
        found = [
            i + 1
            for i, text in enumerate(page_texts)
            if eyebrow in (line.strip() for line in text.splitlines())
        ]
        assert len(found) == 1, f"the eyebrow {eyebrow!r} is on pages {found}, expected exactly one"
        pages.append(found[0])
    return pages


@pytest.fixture(scope="module")
def heading_pages(
    reader: PdfReader, edition: model.Edition, chapter_pages: list[int]
) -> dict[str, list[int]]:
    """Where each heading is drawn: 'chapters' and 'sections' (document order) → 1-based pages.

    A heading is found on the first page, from the previous heading on, whose
    text in that heading level's font size contains the title.
    """
    sizes = load_theme(REPO / "theme" / "theme.yaml", REPO, Problems()).sizes
    large = text_by_size(reader, sizes.heading1)
    medium = text_by_size(reader, sizes.heading2)
    chapters, sections = [], []
    cursor = 0
    for chapter, opener in zip(edition.chapters, chapter_pages, strict=True):
        assert chapter.title in large[opener - 1], (
            f"chapter title {chapter.title!r} is not drawn large on page {opener}"
        )
        chapters.append(opener)
        cursor = opener - 1
        for section in chapter.sections:
            found = next(
                (i for i in range(cursor, len(medium)) if section.title in medium[i]), None
            )
            assert found is not None, (
                f"section heading {section.title!r} is not drawn after page {cursor + 1}"
            )
            sections.append(found + 1)
            cursor = found
    return {"chapters": chapters, "sections": sections}


# --------------------------------------------------------------------------- text


def test_every_chapter_and_section_title_is_in_the_text(
    edition: model.Edition, page_texts: list[str]
) -> None:
    text = readable("\n".join(page_texts))
    titles = [c.title for c in edition.chapters] + [
        s.title for c in edition.chapters for s in c.sections
    ]
    assert len(titles) >= 8
    missing = [title for title in titles if " ".join(title.split()) not in text]
    assert not missing, f"titles missing from the PDF text: {missing}"
    for seed in (
        "Basisinfrastructuur Digitale Bibliotheek",
        "Interactieve kinderboeken (Fundels)",
        "[Jouw stad] Leest",
    ):
        assert seed in text


def test_seed_facts_are_written_flemish_style(page_texts: list[str]) -> None:
    text = readable("\n".join(page_texts))
    for fact in (
        "1.852.354",
        "32.320.053",
        "6,5%",
        "15 & 16 februari",
        "Uitgegeven op 20 maart 2024",
    ):
        assert fact in text, fact


def test_key_figures_appear_formatted_in_order(
    edition: model.Edition, page_texts: list[str]
) -> None:
    """Each tile's number stands on a line of its own, followed by its label, in content order."""
    text = "\n".join(
        line.strip() for line in re.sub(SOFT_HYPHEN + r"\n", "", "\n".join(page_texts)).splitlines()
    )
    tiles = [tile for _, _, block in blocks_of(edition, model.KeyFigures) for tile in block.tiles]
    assert len(tiles) >= 10
    formatted = [format_quantity(tile.value, tile.unit, edition.language) for tile in tiles]
    assert "1.852.354" in formatted and "435.499" in formatted  # seeds: Flemish thousands separator
    position = 0
    for tile, number in zip(tiles, formatted, strict=True):
        pattern = re.compile(
            r"^" + re.escape(number) + r"\n" + words_pattern(tile.label), re.MULTILINE
        )
        match = pattern.search(text, position)
        assert match is not None, (
            f"key figure {number!r} ({tile.label!r}) not found after offset {position}"
        )
        position = match.end()


def test_ranking_entries_appear_in_order(edition: model.Edition, page_texts: list[str]) -> None:
    text = readable("\n".join(page_texts))
    rankings = [block for _, _, block in blocks_of(edition, model.Ranking)]
    assert len(rankings) >= 3
    position = 0
    for ranking in rankings:
        position = text.find(ranking.title, position)
        assert position >= 0, f"ranking title {ranking.title!r} not found in order"
        for item in ranking.items:
            entry = f"{' '.join(item.title.split())} – {' '.join(item.creator.split())}"
            found = text.find(entry, position)
            assert found >= 0, f"ranking entry {entry!r} of {ranking.title!r} not found in order"
            position = found + len(entry)
    assert "De Volksjury – Silke Vandenbroeck & Laura Scheerlinck" in text  # seed


# --------------------------------------------------------------------------- navigation


def test_outline_mirrors_chapters_and_sections(
    edition: model.Edition, reader: PdfReader, heading_pages: dict[str, list[int]]
) -> None:
    pairs = flatten_outline(reader.outline)
    assert [entry.title for entry, _ in pairs] == [chapter.title for chapter in edition.chapters]
    for (_, children), chapter in zip(pairs, edition.chapters, strict=True):
        assert [child.title for child in children] == [
            section.title for section in chapter.sections
        ], chapter.title
    chapter_dests = [reader.get_destination_page_number(entry) + 1 for entry, _ in pairs]
    section_dests = [
        reader.get_destination_page_number(child) + 1 for _, children in pairs for child in children
    ]
    assert chapter_dests == heading_pages["chapters"]
    assert section_dests == heading_pages["sections"]


def test_contents_lists_every_chapter_with_its_page(
    edition: model.Edition,
    pdfium_texts: list[str],
    chapter_pages: list[int],
    heading_pages: dict[str, list[int]],
    words: dict[str, str],
) -> None:
    contents_pages = [
        i for i, text in enumerate(pdfium_texts) if words["contents"] in text.splitlines()
    ]
    assert contents_pages == [1], "the table of contents should be on page 2, after the cover"
    entries: list[tuple[str, int]] = []
    for number, text in enumerate(pdfium_texts[1 : chapter_pages[0] - 1], 2):
        lines = text.splitlines()
        if number == 2:
            lines = lines[lines.index(words["contents"]) + 1 :]
        pending = ""  # an entry whose title wrapped over several lines
        for line in lines:
            # the page number follows its title (the dots between are drawn, not text)
            if line.strip().isdigit() and pending:
                entries.append((" ".join(pending.split()), int(line)))
                pending = ""
            else:
                pending = f"{pending} {line}".strip()
    expected = []
    section_pages = iter(heading_pages["sections"])
    for chapter, page in zip(edition.chapters, chapter_pages, strict=True):
        expected.append((chapter.title, page))
        expected += [(section.title, next(section_pages)) for section in chapter.sections]
    assert entries == expected
    assert entries[0] == (
        "Basisinfrastructuur Digitale Bibliotheek",
        3,
    )  # seed: first chapter opens on page 3


# --------------------------------------------------------------------------- fonts and metadata


def _fonts(reader: PdfReader) -> Iterator[tuple[str, Any]]:
    """Every font dictionary reachable from the pages (form XObjects and descendants included)."""
    seen: set[int] = set()

    def from_resources(resources: Any, where: str) -> Iterator[tuple[str, Any]]:
        if resources is None:
            return
        resources = resources.get_object()
        for name, ref in (resources.get("/Font") or {}).items():
            font = ref.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            yield f"{where} {name}", font
            for descendant in font.get("/DescendantFonts") or []:
                yield f"{where} {name} (descendant)", descendant.get_object()
        for name, ref in (resources.get("/XObject") or {}).items():
            xobject = ref.get_object()
            if "/Resources" in xobject:
                yield from from_resources(xobject["/Resources"], f"{where} {name}")

    for number, page in enumerate(reader.pages, 1):
        yield from from_resources(page.get("/Resources"), f"page {number}")


def test_every_font_is_embedded_and_subset(reader: PdfReader, pdf_bytes: bytes) -> None:
    fonts = list(_fonts(reader))
    assert fonts, "no fonts found"
    problems = []
    for where, font in fonts:
        base = str(font.get("/BaseFont", ""))
        if not re.fullmatch(r"/[A-Z]{6}\+[^/]+", base):
            problems.append(f"{where}: {base} is not a subset (no ABCDEF+ prefix)")
        if base.lstrip("/").split("+")[-1] in BASE_14:
            problems.append(f"{where}: {base} is a base-14 font")
        if font.get("/Subtype") == "/Type0":
            continue  # checked through its descendant fonts
        descriptor = font.get("/FontDescriptor")
        if descriptor is None or "/FontFile2" not in descriptor.get_object():
            problems.append(f"{where}: {base} is not embedded (no FontFile2)")
    assert not problems, "\n".join(problems)
    assert {str(font["/BaseFont"]).split("+")[-1] for _, font in fonts} >= {
        "Lato-Regular",
        "Lato-Bold",
        "Lato-Black",
    }
    names = b"|".join(re.escape(name.encode()) for name in BASE_14)
    assert re.search(rb"/BaseFont\s*/(" + names + rb")\b", pdf_bytes) is None, (
        "a base-14 font is referenced"
    )


def test_metadata(reader: PdfReader, edition: model.Edition) -> None:
    info = reader.metadata
    assert info is not None
    assert info.get("/Title", "").startswith(edition.title)
    assert info["/Title"] == "Voortgangsrapport digitale bibliotheekdiensten 2023"  # seed
    assert info["/Author"] == edition.organisation == "Cultuurconnect"
    assert info["/Subject"] == (edition.subtitle or edition.title)
    assert [k.strip() for k in info["/Keywords"].split(",")] == list(edition.keywords)
    assert reader.trailer["/Root"]["/Lang"] == edition.language == "nl-BE"
    published = edition.published.strftime("%Y%m%d")
    assert info["/CreationDate"].startswith(f"D:{published}000000")
    assert info["/CreationDate"].startswith("D:20240320")  # seed
    assert info.get("/ModDate", info["/CreationDate"]) == info["/CreationDate"]


# --------------------------------------------------------------------------- pages


def test_page_count_and_footers(
    report: BuildReport, reader: PdfReader, page_texts: list[str], words: dict[str, str]
) -> None:
    total = len(reader.pages)
    assert total == report.pages
    assert 8 <= total <= 40
    assert report.size == report.pdf.stat().st_size
    assert "Pagina" not in page_texts[0], "the cover has no page footer"
    pattern = re.compile(words["page"].format(page=r"(\d+)", total=r"(\d+)"))
    for number, text in enumerate(page_texts[1:], 2):
        footers = [tuple(map(int, m.groups())) for m in pattern.finditer(text)]
        assert footers == [(number, total)], (
            f"page {number}: footers {footers}, expected [({number}, {total})]"
        )
    assert f"Pagina 2 van {total}" in page_texts[1]  # seed wording


# --------------------------------------------------------------------------- hyphenation and icons


def test_words_broken_at_line_ends_use_soft_hyphens(
    edition: model.Edition, page_texts: list[str]
) -> None:
    corpus = " ".join(" ".join(content_strings(edition)).split())
    text = "\n".join(page_texts)
    breaks = re.findall(r"(\w+)" + SOFT_HYPHEN + r"\n(\w+)", text)
    assert len(breaks) >= 3, f"expected some hyphenated line ends, found {breaks}"
    not_words = [f"{head}|{tail}" for head, tail in breaks if head + tail not in corpus]
    assert not not_words, f"soft-hyphen breaks that do not rejoin into content words: {not_words}"

    hard = []
    for page, page_text in enumerate(page_texts, 1):
        lines = [line.strip() for line in page_text.splitlines()]
        for line, following in itertools.pairwise(lines):
            if re.search(r"[^\W\d_]-$", line) and following[:1].islower():
                # A break at a hyphen the author wrote ("Bibliotheek-profielen") is fine.
                compound = line.split()[-1] + following.split()[0]
                if compound.rstrip(".,;:!?)") not in corpus:
                    hard.append(f"page {page}: {line[-30:]!r} / {following[:30]!r}")
    assert not hard, "words hyphenated with a hard '-':\n" + "\n".join(hard)


def test_chapter_icons_are_in_the_text(
    edition: model.Edition, pdfium_texts: list[str], chapter_pages: list[int]
) -> None:
    found = set()
    for chapter, page in zip(edition.chapters, chapter_pages, strict=True):
        base = chapter.icon[:1]
        if base and ord(base) <= 0xFFFF:  # pdfium drops ActualText outside the BMP (known)
            assert base in pdfium_texts[page - 1], (
                f"icon {chapter.icon!r} of {chapter.title!r} not on page {page}"
            )
            found.add(base)
    assert {"⚙", "✨"} <= found  # seed


def test_every_character_has_a_glyph(page_texts: list[str]) -> None:
    font = TTFont(REPO / "fonts" / "Lato-Regular.ttf", lazy=True)
    try:
        cmap = font.getBestCmap()
    finally:
        font.close()
    text = "".join(page_texts)
    missing = sorted(
        {c for c in text if not c.isspace() and c != SOFT_HYPHEN and ord(c) not in cmap}
    )
    assert not missing, (
        f"characters without a glyph in Lato: {[f'U+{ord(c):04X} {c}' for c in missing]}"
    )
    assert {"é", "’", "–", "−"} <= set(text)  # seed: non-ASCII text does reach the PDF


# --------------------------------------------------------------------------- reproducibility


def test_two_builds_are_byte_identical(
    pdf_bytes: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    again = build(EDITION_DIR, tmp_path / "again.pdf")
    assert again.pdf.read_bytes() == pdf_bytes


def test_build_is_independent_of_time_zone_and_locale(pdf_bytes: bytes, tmp_path: Path) -> None:
    output = tmp_path / "auckland.pdf"
    env = {**os.environ, "TZ": "Pacific/Auckland", "LC_ALL": "C.UTF-8"}
    env.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run(
        [sys.executable, "-m", "rapport", "-q", "build", "content/2023", "-o", str(output)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == pdf_bytes


# --------------------------------------------------------------------------- failures


def _break_yaml(edition_dir: Path) -> None:
    (edition_dir / "01-basisinfrastructuur.yaml").write_text(
        "title: [niet afgesloten\nsections: {\n", encoding="utf-8"
    )


def _break_layout(edition_dir: Path) -> None:
    """A table cell taller than a page: passes the checks, fails while laying out."""
    chapter = sorted(edition_dir.glob("[0-9][0-9]-*.yaml"))[-1]
    cell = " ".join(["woord"] * 4000)
    text = chapter.read_text(encoding="utf-8").rstrip("\n") + "\n"
    text += (
        "  - title: Te lang\n    blocks:\n      - table:\n          caption: Te lang\n"
        f'          columns: [Tekst]\n          rows:\n            - ["{cell}"]\n'
    )
    chapter.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("breakage", "message"),
    [(_break_yaml, "failed to read YAML"), (_break_layout, "failed to lay out")],
    ids=["load-error", "layout-error"],
)
def test_failed_build_keeps_the_previous_pdf(
    breakage: Any,
    message: str,
    pdf_bytes: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    edition_dir = copy_project(tmp_path / "project")
    out = tmp_path / "out" / "rapport.pdf"
    out.parent.mkdir()
    out.write_bytes(pdf_bytes)  # the previous, good build
    breakage(edition_dir)

    status = run_cli(["build", "content/2023", "-o", str(out)], tmp_path / "project", monkeypatch)

    err = capsys.readouterr().err
    assert status == 1, err
    assert f"error: {message}" in err and "nothing was written" in err
    assert out.read_bytes() == pdf_bytes, "the previous PDF was changed by a failed build"
    assert sorted(p.name for p in out.parent.iterdir()) == ["rapport.pdf"], (
        "temporary files were left behind"
    )
    assert not list(out.parent.glob(".*.part"))


def test_build_into_read_only_folder_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: a read-only folder is still writable")
        status = run_cli(
            ["build", str(EDITION_DIR), "-o", str(folder / "rapport.pdf")], REPO, monkeypatch
        )
        err = capsys.readouterr().err
        assert status == 3, err
        assert "rapport: error: failed to write" in err and "rapport.pdf" in err
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_build_below_a_file_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like a read-only folder, but effective when running as root too."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("keep me", encoding="utf-8")
    status = run_cli(
        ["build", str(EDITION_DIR), "-o", str(blocker / "rapport.pdf")], REPO, monkeypatch
    )
    err = capsys.readouterr().err
    assert status == 3, err
    assert "rapport: error: failed to write" in err
    assert blocker.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


@pytest.mark.parametrize("length", [0, 11, 300, 200_000, 600_000, -1])
def test_a_font_file_cut_off_anywhere_is_reported_not_read(tmp_path, length):
    from rapport.theme.fonts import font_damage

    intact = (REPO / "fonts" / "Lato-Bold.ttf").read_bytes()
    cut = tmp_path / f"cut-{length}.ttf"
    cut.write_bytes(intact[:length])
    assert font_damage(cut) in ("it is not a TrueType font", "the file ends early or is damaged")
    whole = tmp_path / "whole.ttf"
    whole.write_bytes(intact)
    assert font_damage(whole) == ""


def _sections_chapter(paragraphs: int) -> str:
    text = "Een zin die de regel vult en de pagina langzaam naar beneden duwt. " * 12
    sections = "".join(
        f"  - title: Sectie {n}\n    blocks:\n"
        + f"      - paragraph: {text}\n" * (paragraphs if n == 1 else 2)
        for n in range(1, 5)
    )
    return f"title: Hoofdstuk\nsections:\n{sections}"


@pytest.mark.parametrize("paragraphs", [1, 12, 30])
def test_contents_and_footers_are_right_after_a_single_layout(tmp_path, paragraphs):
    """Page numbers only the end knows are filled in after the one layout pass,
    however far an edit pushed the headings."""
    from helpers import make_project

    report = build(make_project(tmp_path, _sections_chapter(paragraphs)), tmp_path / "r.pdf")
    reader = PdfReader(report.pdf)
    total = len(reader.pages)
    outline = flatten_outline(reader.outline)
    headings = [entry for entry, _ in outline] + [child for _, kids in outline for child in kids]
    targets = {h.title: reader.get_destination_page_number(h) + 1 for h in headings}
    by_position = contents_entries(texts_by_position(report.pdf.read_bytes())[1])
    assert dict(by_position) == targets
    in_stream_order = contents_entries(reader.pages[1].extract_text())
    assert dict(in_stream_order) == targets  # each title, then its page
    assert targets["Sectie 2"] - targets["Sectie 1"] >= paragraphs // 6  # the edit pushed it on
    for number, page in enumerate(reader.pages[1:], 2):
        assert f"Pagina {number} van {total}" in page.extract_text()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20_000), st.integers(0, 255)), min_size=1, max_size=6))
def test_a_font_damaged_anywhere_is_reported_never_a_crash(changes):
    """Bytes changed in the font's directory and first tables (head, name, cmap ...)."""
    import tempfile

    from rapport.theme.fonts import font_damage

    data = bytearray((REPO / "fonts" / "Lato-Bold.ttf").read_bytes())
    for position, value in changes:
        data[position] = value
    with tempfile.TemporaryDirectory() as folder:
        damaged = Path(folder) / "damaged.ttf"
        damaged.write_bytes(bytes(data))
        assert isinstance(font_damage(damaged), str)
