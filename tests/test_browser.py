"""The web edition in a real browser: headless chromium, driven by selenium (tests/browser.py).

What a reader of the website gets: every fact of the PDF in the page's visible
text; at a phone's 360 px and a desktop's 1280 px no horizontal scrolling and
every chart and image drawn; no console error and no request for anything
outside the file; and no WCAG 2.1 A or AA violation that axe-core finds, on
the 2023 edition and on a chapter with every block kind. Two screenshots are
kept as golden images (tests/golden/web-*.png, `make golden` regenerates them).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader
from selenium.common.exceptions import WebDriverException

from browser import Browser, browser_missing, chromium, describe
from helpers import CHAPTER_YAML, REPO, make_project
from rapport.pipeline import build
from test_preview import BROKEN_CHAPTER, NEW_CHAPTER, Running, save, wait_for_page

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WIDTHS = {"phone": 360, "desktop": 1280}
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
REGENERATE = os.environ.get("RAPPORT_REGENERATE_GOLDEN") == "1"
MEAN_TOLERANCE = 3.0  # mean absolute difference on 0–255, grayscale, at half size
EVERY_BLOCK_KIND = REPO / "tests" / "catalogue" / "000-every-block-kind.yaml"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    missing = browser_missing()
    if missing:
        if os.environ.get("RAPPORT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the browser tests cannot run: {missing}")
        pytest.skip(missing)
    with chromium() as started:
        yield started


def build_both(edition_dir: Path, output: Path) -> tuple[Path, Path]:
    """The PDF and HTML editions of `edition_dir`, as `rapport build --to all` writes them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        report = build(edition_dir, output, formats=("pdf", "html"))
    assert report.html is not None
    return report.pdf, report.html


@pytest.fixture(scope="module")
def edition_2023(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The 2023 edition, PDF and HTML, built once for this module from a copy of the project."""
    root = tmp_path_factory.mktemp("web-2023")
    for part in ("content", "theme", "fonts", "images"):
        if (REPO / part).exists():
            shutil.copytree(REPO / part, root / part)
    return build_both(root / "content" / "2023", root / "build" / "voortgangsrapport-2023.pdf")


@pytest.fixture(scope="module")
def every_block_kind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue's chapter with every block kind, as a web page."""
    root = tmp_path_factory.mktemp("web-every-block")
    chapter = EVERY_BLOCK_KIND.read_text(encoding="utf-8")
    make_project(root, chapter)
    photo = Image.linear_gradient("L").resize((40, 30)).convert("RGB")  # the case's fixture
    (root / "images").mkdir(exist_ok=True)
    photo.save(root / "images" / "foto.png")
    return build_both(root / "content" / "2023", root / "build" / "every.pdf")[1]


# -- the same text as the PDF ---------------------------------------------------------------

WORD = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*%?", re.UNICODE)


def words(text: str) -> set[str]:
    """The words and numbers of a text, as a reader compares them: case and hyphens aside."""
    text = unicodedata.normalize("NFC", text)
    # a word broken at a line end in the PDF ("biblio-\ntheek") is one word
    # (a soft hyphen: the break's own; a hyphen: the word's, as in "Bieblo-uil", kept)
    text = re.sub(r"(\w)[\u2010\u00ad]\s*\n\s*(\w)", r"\1\2", text).replace("\u00ad", "")
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1-\2", text)
    return {match.group().casefold() for match in WORD.finditer(text)}


# What only a printed page has: its running foot's page line, and the page numbers of
# the contents, each on a line of its own after its title (the dots are drawn, not text).
FOLIO = re.compile(r"^Pa(?:gina|ge) \d+ (?:van|of) \d+$", re.M)
CONTENTS = ("Inhoud", "Contents")


def pdf_words(pdf: Path) -> set[str]:
    found: set[str] = set()
    for page in PdfReader(pdf).pages:
        lines = FOLIO.sub("", page.extract_text()).splitlines()
        start = next((i for i, line in enumerate(lines) if line.strip() in CONTENTS), None)
        if start is not None:
            lines = lines[:start] + [line for line in lines[start:] if not line.strip().isdigit()]
        found |= words("\n".join(lines))
    return found


def page_words(browser: Browser) -> set[str]:
    """The visible text of the page, the text of its charts included."""
    visible = browser.script("return document.body.innerText")
    charts = browser.script(
        "return Array.from(document.querySelectorAll('svg text')).map(t => t.textContent)"
        ".join('\\n')"
    )
    return words(f"{visible}\n{charts}")


def test_every_word_and_number_of_the_pdf_is_in_the_web_page(
    browser: Browser, edition_2023: tuple[Path, Path]
) -> None:
    pdf, html = edition_2023
    browser.open(html.as_uri(), WIDTHS["desktop"])
    missing = pdf_words(pdf) - page_words(browser)
    # a number is a fact: none may be missing; a word very rarely (a hyphen join guessed wrong)
    numbers = sorted(word for word in missing if any(char.isdigit() for char in word))
    assert not numbers, f"numbers of the PDF missing from the web page: {numbers}"
    assert not missing, f"words of the PDF missing from the web page: {sorted(missing)}"


# -- at a phone's and a desktop's width -----------------------------------------------------


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_page_fits_its_width_draws_every_chart_and_asks_for_nothing_else(
    browser: Browser, edition_2023: tuple[Path, Path], device: str, tmp_path: Path
) -> None:
    html = edition_2023[1]
    width = WIDTHS[device]
    browser.open(html.as_uri(), width)
    assert browser.console_errors() == []
    outside = [url for url in browser.requests() if url != html.as_uri()]
    assert [url for url in outside if not url.startswith("data:")] == []

    scroll_width = browser.script("return document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{scroll_width} px wide at {width} px: it scrolls sideways"
    too_wide = browser.script(
        "return Array.from(document.querySelectorAll('body *'))"
        ".filter(e => e.getBoundingClientRect().right > arguments[0] + 0.5"
        " && !e.closest('.table-wrap') && !e.closest('svg'))"
        ".map(e => e.tagName + ' ' + e.getAttribute('class')).slice(0, 5)",
        width,
    )
    assert too_wide == []

    shot = browser.screenshot()
    boxes = browser.script(
        "return Array.from(document.querySelectorAll('svg[role=img], img'))"
        ".filter(e => e.getClientRects().length)"  # the chart art for the other width is hidden
        ".map(e => {"
        " const r = e.getBoundingClientRect();"
        " return [r.left + scrollX, r.top + scrollY, r.width, r.height, e.tagName]; })"
    )
    assert boxes, "the page has no charts or images"
    for left, top, box_width, box_height, tag in boxes:
        assert box_width >= 16 and box_height >= 16, f"a {tag} drawn {box_width}×{box_height}"
        region = np.asarray(
            shot.crop((int(left), int(top), int(left + box_width), int(top + box_height)))
        )
        ink = float((region.min(axis=2) < 200).mean())
        assert ink > 0.01, f"a {tag} at {left:.0f},{top:.0f} is blank ({ink:.2%} ink)"

    check_golden(shot, f"web-{device}", tmp_path)


def check_golden(shot: Image.Image, name: str, tmp_path: Path) -> None:
    """The top of the page (one screen) compared with tests/golden/NAME.png, with a tolerance."""
    top = shot.crop((0, 0, shot.width, min(shot.height, 1600))).convert("L")
    small = top.resize((top.width // 2, top.height // 2), Image.Resampling.BOX)
    golden_path = GOLDEN_DIR / f"{name}.png"
    if REGENERATE:
        small.save(golden_path, optimize=True)
        return
    assert golden_path.is_file(), f"no golden image {golden_path}; `make golden` makes it"
    with Image.open(golden_path) as stored:
        golden = stored.convert("L")
    actual_path = tmp_path / f"{name}-actual.png"
    small.save(actual_path)
    assert golden.size == small.size, f"{name}: {small.size} px, golden {golden.size}"
    difference = np.abs(np.asarray(small, np.int16) - np.asarray(golden, np.int16))
    assert float(difference.mean()) < MEAN_TOLERANCE, (
        f"{name} differs from {golden_path} (mean {difference.mean():.2f}); actual: "
        f"{actual_path}. If intended, run `make golden` and look at the new image."
    )


# -- accessibility --------------------------------------------------------------------------


@pytest.mark.parametrize("device", list(WIDTHS))
def test_axe_core_finds_no_wcag_a_or_aa_violation_in_the_2023_edition(
    browser: Browser, edition_2023: tuple[Path, Path], device: str
) -> None:
    browser.open(edition_2023[1].as_uri(), WIDTHS[device])
    violations = browser.axe_violations()
    assert violations == [], describe(violations)


def test_axe_core_finds_no_wcag_a_or_aa_violation_in_every_block_kind(
    browser: Browser, every_block_kind: Path
) -> None:
    browser.open(every_block_kind.as_uri(), WIDTHS["desktop"])
    violations = browser.axe_violations()
    assert violations == [], describe(violations)


def test_the_chart_data_opens_and_shows_every_number(
    browser: Browser, edition_2023: tuple[Path, Path]
) -> None:
    browser.open(edition_2023[1].as_uri(), WIDTHS["phone"])
    opened: Callable[[], int] = lambda: browser.script(  # noqa: E731
        "const d = document.querySelectorAll('details');"
        "d.forEach(e => e.open = true);"
        "return Array.from(d).filter(e => e.querySelector('table').offsetHeight > 0).length"
    )
    count = browser.script("return document.querySelectorAll('figure.chart').length")
    assert count > 0
    assert opened() == count


# -- charts drawn for the screen --------------------------------------------------------------

# Each chart figure: how many of its drawings are shown, and its smallest text in CSS pixels.
CHART_TEXT = """
return Array.from(document.querySelectorAll('figure.chart')).map(f => {
  const shown = Array.from(f.querySelectorAll('svg[role=img]')).filter(s => s.getClientRects().length);
  const sizes = shown.flatMap(s => Array.from(s.querySelectorAll('text')))
    .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
  return [shown.length, Math.min(...sizes)];
});
"""
SMALLEST_CHART_TEXT = 9.0  # CSS pixels


@pytest.mark.parametrize("width", [360, 400, 511, 512, 1280])
def test_each_chart_shows_once_with_text_at_least_9_px(
    browser: Browser, edition_2023: tuple[Path, Path], width: int
) -> None:
    """On a phone the chart drawn for its width, from 512 px the PDF's: never both, and
    never text too small to read (the PDF's art shrunk to 328 px had 6 px labels)."""
    browser.open(edition_2023[1].as_uri(), width)
    charts = browser.script(CHART_TEXT)
    assert len(charts) == 7
    assert all(shown == 1 for shown, _ in charts), charts
    smallest = min(size for _, size in charts)
    assert smallest >= SMALLEST_CHART_TEXT, f"chart text {smallest:.2f} px at {width} px"


# -- the live preview -------------------------------------------------------------------------

RELOAD_SECONDS = 5.0  # from a save to the new text on screen, build included


def shown_text(browser: Browser) -> str:
    """The page's visible text; '' while the browser is between two pages (a reload)."""
    try:
        text = browser.script("return document.body ? document.body.innerText : ''")
    except WebDriverException:
        return ""
    return str(text)


def wait_for_text(browser: Browser, text: str, seconds: float = RELOAD_SECONDS) -> str:
    """The visible text once it holds `text`, polled in the page itself."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        shown = shown_text(browser)
        if text in shown:
            return shown
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not shown after {seconds} s: {shown_text(browser)[:1000]}")


def test_the_preview_reloads_on_a_save_shows_a_broken_one_and_comes_back(
    browser: Browser, tmp_path: Path
) -> None:
    edition = make_project(tmp_path)
    chapter = edition / "01-test.yaml"
    with tempfile.TemporaryFile() as errors:
        running = Running(tmp_path, errors, "preview", "content/2023", "--port", "0")
        try:
            wait_for_page(running, "Een gewone alinea.", 60)  # the first build
            browser.open(running.url, WIDTHS["desktop"])
            wait_for_text(browser, "Een gewone alinea.")

            save(chapter, NEW_CHAPTER)
            shown = wait_for_text(browser, "Een nieuwe alinea na het bewaren.")
            assert "Een gewone alinea." not in shown

            save(chapter, BROKEN_CHAPTER)
            broken = wait_for_text(browser, "content/2023/01-test.yaml:")
            assert re.search(r"content/2023/01-test\.yaml:\d+:\d+: error: ", broken), broken
            assert "hint: " in broken and "Een nieuwe alinea" not in broken

            save(chapter, CHAPTER_YAML)
            back = wait_for_text(browser, "Een gewone alinea.")
            assert "error:" not in back
            assert browser.console_errors() == []
        finally:
            browser.driver.get("about:blank")  # its event stream closed before the server stops
            code, err = running.stop()
    assert code == 0, err


def test_axe_core_finds_no_wcag_a_or_aa_violation_on_the_preview_error_page(
    browser: Browser, tmp_path: Path
) -> None:
    edition = make_project(tmp_path)
    save(edition / "01-test.yaml", BROKEN_CHAPTER)
    with tempfile.TemporaryFile() as errors:
        running = Running(tmp_path, errors, "preview", "content/2023", "--port", "0")
        try:
            wait_for_page(running, "content/2023/01-test.yaml:", 60)
            browser.open(running.url, WIDTHS["phone"])
            wait_for_text(browser, "content/2023/01-test.yaml:")
            violations = browser.axe_violations()
            assert violations == [], describe(violations)
            assert browser.console_errors() == []
        finally:
            browser.driver.get("about:blank")
            running.stop()
