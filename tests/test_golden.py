"""Goldens of the real editions, built afresh: page images and texts.

- Page images: the cover, the contents page and the first chapter opener of the
  2023 edition, rendered with pypdfium2 at 50 dpi in grayscale and compared with
  tests/golden/page-N.png, allowing for small differences in anti-aliasing.
- Texts: for each edition (2022 and 2023), the text of every page (as pypdf
  extracts it) and the structure tree (as `rapport inspect --tags` prints it),
  in tests/golden/<year>.txt, compared exactly, so that a change of wording,
  hyphenation, page breaks or tagging reads as a diff in review.

After an intended change, regenerate both with `make golden`
(RAPPORT_REGENERATE_GOLDEN=1), then look at the images and read the diff of the
texts (`git diff tests/golden/`) before committing.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from rapport.pdf.inspection import outline
from rapport.pipeline import build

REPO = Path(__file__).resolve().parent.parent
EDITIONS = ("2022", "2023")
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
DPI = 50
PAGES = {1: "cover", 2: "contents", 3: "first chapter opener"}
MEAN_TOLERANCE = 1.5  # mean absolute difference, on 0–255
OUTLIER_LEVEL = 64  # a pixel differing by more than this is an outlier …
OUTLIER_FRACTION = 0.005  # … and at most 0.5% of the pixels may be outliers
REGENERATE = os.environ.get("RAPPORT_REGENERATE_GOLDEN") == "1"
MAX_DIFF_LINES = 120  # of a text golden's diff in a failure; the rest is counted


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The PDF of an edition (a year of content/), built once per test run, on first use."""
    pdfs: dict[str, Path] = {}

    def pdf_of(year: str) -> Path:
        if year not in pdfs:
            output = tmp_path_factory.mktemp(f"golden-{year}") / f"voortgangsrapport-{year}.pdf"
            with pytest.MonkeyPatch.context() as patch:
                patch.delenv("SOURCE_DATE_EPOCH", raising=False)
                build(REPO / "content" / year, output)
            pdfs[year] = output
        return pdfs[year]

    return pdf_of


@pytest.fixture(scope="module")
def rendered(built: Callable[[str], Path]) -> dict[int, Image.Image]:
    """Pages 1–3 of a fresh build of the 2023 edition, as grayscale images."""
    output = built("2023")
    document = pdfium.PdfDocument(output)
    try:
        images = {}
        for number in PAGES:
            page = document[number - 1]
            bitmap = page.render(scale=DPI / 72, grayscale=True)
            images[number] = bitmap.to_pil().convert("L")
            bitmap.close()
            page.close()
        return images
    finally:
        document.close()


@pytest.mark.slow
@pytest.mark.parametrize("number", list(PAGES), ids=[f"page-{n}" for n in PAGES])
def test_page_matches_golden_image(
    number: int,
    rendered: dict[int, Image.Image],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    actual = rendered[number]
    golden_path = GOLDEN_DIR / f"page-{number}.png"
    if REGENERATE:
        GOLDEN_DIR.mkdir(exist_ok=True)
        actual.save(golden_path, optimize=True)
        with capsys.disabled():
            print(f"\nregenerated {golden_path} ({PAGES[number]}, {actual.width}×{actual.height})")
        return

    assert golden_path.is_file(), (
        f"no golden image {golden_path}; create it with `make golden` and look at it"
    )
    with Image.open(golden_path) as stored:
        golden = stored.convert("L")
    actual_path = tmp_path / f"page-{number}-actual.png"
    if golden.size != actual.size:
        actual.save(actual_path)
        pytest.fail(
            f"page {number} ({PAGES[number]}) is {actual.size} pixels, the golden image "
            f"{golden.size}; actual image: {actual_path}"
        )

    difference = np.abs(np.asarray(actual, dtype=np.int16) - np.asarray(golden, dtype=np.int16))
    mean = float(difference.mean())
    outliers = float((difference > OUTLIER_LEVEL).mean())
    if mean >= MEAN_TOLERANCE or outliers >= OUTLIER_FRACTION:
        diff_path = tmp_path / f"page-{number}-diff.png"
        actual.save(actual_path)
        # Differences shown dark on white, amplified so that small shifts are visible.
        Image.fromarray((255 - np.clip(difference * 4, 0, 255)).astype(np.uint8)).save(diff_path)
        pytest.fail(
            f"page {number} ({PAGES[number]}) differs from {golden_path}: mean difference "
            f"{mean:.2f} (tolerance {MEAN_TOLERANCE}), {outliers:.2%} of pixels differ by more "
            f"than {OUTLIER_LEVEL} (tolerance {OUTLIER_FRACTION:.1%}).\n"
            f"  actual: {actual_path}\n  diff:   {diff_path}\n"
            "If the change is intended, run `make golden` and look at the new images."
        )


# -- texts ---------------------------------------------------------------------------------

LEADER = re.compile(r"(?:\s*\.){4,}\s*")  # the dots between a contents entry and its page
SOFT_HYPHEN = "\u00ad"  # where a word was broken at the end of a line


def readable(text: str) -> str:
    """Extracted text as a reviewer reads it in a diff: a dot leader as ' … ', a soft hyphen
    as '¬', any other invisible or control character as <U+XXXX>, no spaces at line ends."""
    text = LEADER.sub(" … ", text).replace(SOFT_HYPHEN, "¬")
    shown = "".join(
        char
        if char == "\n" or unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp")
        else f"<U+{ord(char):04X}>"
        for char in text
    )
    return "\n".join(line.rstrip() for line in shown.split("\n"))


def golden_text(pdf: Path, year: str) -> str:
    """The text golden of an edition: each page's text, then the structure tree."""
    pages = PdfReader(pdf).pages
    parts = [
        f"# The text of every page of content/{year} and its structure tree (rapport inspect",
        "# --tags). Made by `make golden`; tests/test_golden.py compares a fresh build with it.",
        "# A soft hyphen shows as ¬, a dot leader as …, an invisible character as <U+XXXX>.",
    ]
    for number, page in enumerate(pages, start=1):
        parts += ["", f"== page {number} of {len(pages)} ==", readable(page.extract_text())]
    parts += ["", "== structure tree ==", readable(outline(pdf))]
    return "\n".join(parts).rstrip("\n") + "\n"


def text_difference(golden: str, actual: str, name: str) -> str:
    """The unified diff from the golden text to this build's, cut to MAX_DIFF_LINES lines."""
    lines = list(
        difflib.unified_diff(
            golden.splitlines(keepends=True), actual.splitlines(keepends=True), name, "this build"
        )
    )
    shown = "".join(lines[:MAX_DIFF_LINES])
    if len(lines) > MAX_DIFF_LINES:
        shown += f"… and {len(lines) - MAX_DIFF_LINES} more lines of difference\n"
    return shown


@pytest.mark.slow
@pytest.mark.parametrize("year", EDITIONS)
def test_text_and_tags_match_the_golden_text(
    year: str, built: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    actual = golden_text(built(year), year)
    golden_path = GOLDEN_DIR / f"{year}.txt"
    if REGENERATE:
        GOLDEN_DIR.mkdir(exist_ok=True)
        golden_path.write_text(actual, encoding="utf-8", newline="\n")
        with capsys.disabled():
            print(f"\nregenerated {golden_path} ({actual.count(chr(10))} lines)")
        return

    assert golden_path.is_file(), f"no golden text {golden_path}; create it with `make golden`"
    golden = golden_path.read_text(encoding="utf-8")
    if actual != golden:
        name = f"tests/golden/{year}.txt"
        pytest.fail(
            f"the text or the structure tree of content/{year} differs from {name}:\n"
            f"{text_difference(golden, actual, name)}"
            "If the change is intended, run `make golden` and read `git diff tests/golden/`."
        )


def test_readable_shows_leaders_soft_hyphens_and_invisible_characters() -> None:
    text = "Inhoud\nKerncijfers 2022\n .  .  .  .  . 3\nbenade\u00ad\nring  \n\u200bx\u0007"
    assert readable(text) == "Inhoud\nKerncijfers 2022 … 3\nbenade¬\nring\n<U+200B>x<U+0007>"


@given(st.text())
def test_readable_text_has_nothing_invisible_and_no_spaces_at_line_ends(text: str) -> None:
    shown = readable(text)
    assert all(c == "\n" or unicodedata.category(c) not in ("Cc", "Cf") for c in shown)
    assert all(line == line.rstrip() for line in shown.split("\n"))


def test_a_changed_line_shows_as_a_diff_of_that_line() -> None:
    golden = "== page 1 of 1 ==\nDe kerncijfers van 2022\nPagina 1 van 1\n"
    actual = golden.replace("kerncijfers", "cijfers")
    assert text_difference(golden, actual, "tests/golden/2022.txt") == (
        "--- tests/golden/2022.txt\n"
        "+++ this build\n"
        "@@ -1,3 +1,3 @@\n"
        " == page 1 of 1 ==\n"
        "-De kerncijfers van 2022\n"
        "+De cijfers van 2022\n"
        " Pagina 1 van 1\n"
    )


def test_a_long_diff_is_cut_and_says_how_much_is_left_out() -> None:
    golden = "".join(f"regel {n}\n" for n in range(200))
    shown = text_difference(golden, golden.upper(), "tests/golden/2023.txt")
    assert shown.count("\n") == MAX_DIFF_LINES + 1
    assert shown.endswith(f"… and {3 + 400 - MAX_DIFF_LINES} more lines of difference\n")
