"""The one-way pipeline: load → check → charts → layout → finish, each stage a package.

Steps are numbered in the log, so that progress and failures read in order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from rapport.atomic import write_atomically
from rapport.cache import Cache
from rapport.check.content import check_edition
from rapport.check.facts import check_facts
from rapport.content.load import load_edition
from rapport.content.model import Edition
from rapport.correction import Correction
from rapport.diagnostics import (
    ContentError,
    Diagnostic,
    FileSystemError,
    Problems,
    UsageError,
    display_path,
    plural,
)
from rapport.lock import output_lock
from rapport.paths import (
    CACHE_DIR,
    OUTPUT_DIR,
    THEME_FILE,
    check_cache,
    project_of,
    project_root,
)
from rapport.theme import Theme, load_theme

if TYPE_CHECKING:
    from rapport.charts import ChartSet
    from rapport.helper import Helper
    from rapport.pdf.pdfa_check import Conformance
    from rapport.pdf.reuse import StoredPdf

log = logging.getLogger("rapport")
REUSE_MARGIN_NS = 1_000_000_000


@dataclass(frozen=True)
class Checked:
    edition: Edition
    theme: Theme
    warnings: list[Diagnostic]
    draft: bool = False


Format = Literal["pdf", "html"]
FORMATS: tuple[Format, ...] = ("pdf", "html")


@dataclass(frozen=True)
class BuildReport:
    pdf: Path  # the PDF's path; written only when "pdf" is in `formats`
    pages: int
    size: int
    seconds: float
    warnings: list[Diagnostic]
    checked: Checked | None = None  # what was read: `rapport watch` watches those files
    html: Path | None = None  # the web edition, when "html" is in `formats`
    html_size: int = 0
    formats: tuple[Format, ...] = ("pdf",)

    @property
    def written(self) -> tuple[Path, ...]:
        """The files this build wrote, PDF first."""
        pdf = (self.pdf,) if "pdf" in self.formats else ()
        return pdf + ((self.html,) if self.html is not None else ())


# The stages' progress lines ("[2/5] checking content"), on a logger of their own so that
# `watch` and the preview can keep to one line a rebuild.
STEPS_LOGGER = "rapport.steps"
_steps_log = logging.getLogger(STEPS_LOGGER)


def _step(number: int, total: int, text: str) -> None:
    _steps_log.info("[%d/%d] %s", number, total, text)


def load_and_check(edition_dir: Path, steps: int = 2, *, draft: bool = False) -> Checked:
    """Stages 1 and 2: every problem of content and theme, reported at once.

    A draft lets what is still to fill in (empty facts, sections to review) pass as warnings.
    """
    problems = Problems()
    check_cache(project_of(edition_dir))  # read and written from here on
    _step(1, steps, f"loading {edition_dir}")
    edition = load_edition(edition_dir, problems, draft=draft)
    root = project_of(edition_dir)  # as written: a linked edition cannot move it
    theme = load_theme(root / THEME_FILE, root, problems)  # the defaults without one
    _step(2, steps, "checking content")
    if edition is not None and not problems.errors:
        check_edition(edition, theme, problems)
        check_facts(edition, problems)
    problems.raise_if_errors()
    assert edition is not None
    return Checked(edition, theme, problems.warnings, draft)


def default_output(edition: Edition) -> Path:
    return project_root(edition) / OUTPUT_DIR / f"voortgangsrapport-{edition.year}.pdf"


def html_output(pdf: Path) -> Path:
    """The web edition's file: the PDF's path with .html (build/voortgangsrapport-2023.html)."""
    return pdf.with_suffix(".html")


# The latest moment a PDF date (D:YYYYMMDDHHmmSS) and Python can both write: 9999-12-31 23:59:59.
MAX_SOURCE_DATE_EPOCH = 253_402_300_799


def build_moment(edition: Edition) -> dt.datetime:
    """The date written into the PDF: SOURCE_DATE_EPOCH if set, else the publication date.

    A draft whose publication date is not known yet takes January 1 of its year:
    the same every build, so that a draft, too, is byte for byte reproducible.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return _epoch_moment(epoch)
    day = edition.published or dt.date(edition.year, 1, 1)
    return dt.datetime.combine(day, dt.time())


def _epoch_moment(epoch: str) -> dt.datetime:
    """SOURCE_DATE_EPOCH as a moment; a value no PDF date can hold is a usage error."""
    shown = epoch if len(epoch) <= 40 else epoch[:40] + "…"
    # ASCII digits only: str.isdigit() also accepts '²' and other scripts' digits.
    if not re.fullmatch(r"[0-9]+", epoch):
        raise UsageError(f"SOURCE_DATE_EPOCH must be a number of seconds, not '{shown}'")
    # Compared by length first: int() refuses a number of more than 4300 digits.
    too_long = len(epoch.lstrip("0")) > len(str(MAX_SOURCE_DATE_EPOCH))
    if too_long or int(epoch) > MAX_SOURCE_DATE_EPOCH:
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be at most {MAX_SOURCE_DATE_EPOCH} seconds"
            f" (9999-12-31 23:59:59, the last date a PDF can hold), not '{shown}'"
        )
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)


def build(
    edition_dir: Path,
    output: Path | None = None,
    *,
    draft: bool = False,
    correction: Correction | None = None,
    moment: dt.datetime | None = None,
    formats: Sequence[Format] = ("pdf",),
    html_target: Path | None = None,
    check_pdfa: bool = True,
    helper: bool = False,
) -> BuildReport:
    """Load, check and draw the charts once, then write each of `formats`.

    The PDF takes stages 4 and 5 (layout, finishing); the web edition one more
    step. A draft build marks every page as a draft. `correction` (from
    `rapport publish --revision`, never from content) makes the editions say
    that they correct an earlier revision; `moment` pins the PDF's date
    instead of `build_moment`. `html_target` is the web edition's file
    (default: the PDF's path with .html). Without `check_pdfa` the PDF is
    written without its PDF/A check: only `rapport watch` asks for that, and
    runs the check itself once the PDF is there. With `helper` (the command
    line), a helper process loads matplotlib and the PDF/A validator as the
    build starts, draws the charts the cache lacks while the pages are laid
    out, and checks the PDF (rapport.helper).
    """
    chosen = tuple(f for f in FORMATS if f in formats)
    if not chosen:
        raise UsageError(f"nothing to build: choose one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    # a file changed after this may not be what was read; a second's margin, as the file
    # system's clock may lag the system's by a few milliseconds
    started_ns = time.time_ns() - REUSE_MARGIN_NS
    steps = 3 + 2 * ("pdf" in chosen) + ("html" in chosen)
    with _side_helper(helper and "pdf" in chosen) as side:
        checked = load_and_check(edition_dir, steps=steps, draft=draft)
        target = output or default_output(checked.edition)
        moment = moment or build_moment(checked.edition)
        reuse = _reusable(checked, moment, correction) if "pdf" in chosen else None
        web = "html" in chosen
        if "pdf" in chosen and reuse is None:
            # the PDF's libraries are checked (rapport.libs) before anything is written
            import rapport.layout.pages  # noqa: F401
        charts = None
        if reuse is None or web:
            charts = _charts(checked, target, steps, web=web, draw=reuse is not None or not side)
        else:
            _step(3, steps, "drawing charts: none needed, the PDF is made already")
        pages = size = html_size = 0
        step = 4
        if reuse is not None:
            pages, size = _place_reused(reuse, target, (step, steps))
            step += 2
        elif "pdf" in chosen:
            assert charts is not None
            pages, size, charts = _write_pdf(
                checked,
                charts,
                target,
                moment,
                correction,
                (step, steps),
                check_pdfa=check_pdfa,
                started_ns=started_ns,
                side=_Side(side, checked, web),
            )
            step += 2
    written_html = None
    if "html" in chosen:
        assert charts is not None
        written_html = html_target or html_output(target)
        _step(step, steps, "writing the web edition")
        html_size = _write_html(checked, charts, written_html, correction)
    return BuildReport(
        target,
        pages,
        size,
        time.perf_counter() - started,
        checked.warnings,
        checked,
        written_html,
        html_size,
        chosen,
    )


def _reusable(
    checked: Checked, moment: dt.datetime, correction: Correction | None
) -> StoredPdf | None:
    """The PDF an earlier build made from the very same inputs, if the cache holds it."""
    from rapport.pdf.reuse import reuse_inputs, stored_pdf

    inputs = reuse_inputs(
        checked.edition, checked.theme, moment, draft=checked.draft, correction=correction
    )
    if inputs is None:
        return None
    return stored_pdf(Cache.of_project(project_root(checked.edition)), inputs)


def _place_reused(stored: StoredPdf, target: Path, numbered: tuple[int, int]) -> tuple[int, int]:
    """Stages 4 and 5 done before: the stored PDF is written to `target`, atomically."""
    from rapport.pdf.reuse import place_pdf

    step, steps = numbered
    _step(step, steps, "laying out pages: nothing changed, the PDF made from these files is reused")
    with output_lock(target):
        try:
            place_pdf(stored, target)
        except OSError as exc:
            raise FileSystemError(
                f"failed to write {display_path(target)} ({exc.strerror or exc});"
                " check that its folder exists and is writable"
            ) from None
    _step(step + 1, steps, f"finishing the PDF ({plural(stored.pages, 'page')}): done before")
    return stored.pages, len(stored.data)


def _charts(
    checked: Checked, target: Path, steps: int, *, web: bool = False, draw: bool = True
) -> ChartSet:
    """Stage 3: the charts' art, from the cache or drawn (matplotlib only on a miss);
    for the web edition (`web`) also at a phone's width. Without `draw`, the charts
    the cache lacks are left `pending`, to be drawn beside the layout."""
    _step(3, steps, "drawing charts")
    with output_lock(target):  # one build of these files at a time; a second one waits
        return _prepared_charts(checked, web=web, draw=draw)


def _prepared_charts(checked: Checked, *, web: bool, draw: bool = True) -> ChartSet:
    from rapport.charts import NARROW_WIDTH, prepare_charts

    root = project_root(checked.edition)
    try:
        charts = prepare_charts(
            checked.edition,
            checked.theme,
            root,
            frame_width(checked.theme),
            narrow_pt=NARROW_WIDTH if web else None,
            draw=draw,
        )
    except OSError as exc:  # e.g. .cache is a file: the cache is safe to delete
        where = display_path(Path(exc.filename or root / CACHE_DIR))
        raise FileSystemError(
            f"failed to write {where} ({exc.strerror or exc}); {CACHE_DIR}/ is safe to delete"
        ) from None
    log.debug(
        "%d charts: %d drawn, %d to draw beside the layout, %d from the cache",
        len(charts.art),
        charts.rendered,
        charts.pending,
        len(charts.art) - charts.rendered - charts.pending,
    )
    return charts


@contextlib.contextmanager
def _side_helper(wanted: bool) -> Iterator[Helper | None]:
    """A helper process for the body (rapport.helper), when `wanted` and possible: it
    loads matplotlib and the PDF/A validator meanwhile, and draws charts and checks the
    PDF on request (`_Side`)."""
    if not wanted:
        yield None
        return
    from rapport.charts import load_matplotlib
    from rapport.helper import Errands, helping
    from rapport.pdf.pdfa_check import check_pdfa, load_validator

    tasks: dict[str, Callable[..., object]] = {"charts": _draw_charts, "check": check_pdfa}
    with helping(Errands(tasks, (load_matplotlib, load_validator))) as helper:
        yield helper


def _draw_charts(checked: Checked, web: bool) -> int:
    """The helper's task: draw the charts the cache lacks, into the cache; how many."""
    return _prepared_charts(checked, web=web).rendered


class _Side:
    """What the PDF's stages ask of the helper process, if any (rapport.helper): the
    charts still to draw, and the PDF/A check. Whatever it does not answer is done here,
    the same way: the PDF does not depend on the helper."""

    def __init__(self, helper: Helper | None, checked: Checked, web: bool) -> None:
        self.helper, self.checked, self.web = helper, checked, web
        self.drawn: ChartSet | None = None

    def draw_charts(self) -> None:
        """Ask the helper to draw the charts the cache lacks."""
        if self.helper is not None:
            self.helper.request("charts", self.checked, self.web)

    def charts(self) -> ChartSet:
        """The charts asked for in `draw_charts`, once drawn: read from the cache, and
        what the helper did not leave there drawn here."""
        if self.drawn is None:
            self._answer("drawing the charts")
            self.drawn = _prepared_charts(self.checked, web=self.web)
        return self.drawn

    def check(self, pdf: Path) -> Conformance:
        """The PDF/A check of `pdf`, by the helper or here."""
        from rapport.pdf.pdfa_check import Conformance, check_pdfa

        if self.helper is not None:
            self.helper.request("check", pdf)
            answer = self._answer("checking the PDF")
            if isinstance(answer, Conformance):
                return answer
        return check_pdfa(pdf)

    def _answer(self, task: str) -> object:
        from rapport.helper import HelperFailed

        assert self.helper is not None
        try:
            return self.helper.answer()
        except HelperFailed as exc:
            log.debug("the helper gave no answer for %s (%s): done here", task, exc)
            return None


def frame_width(theme: Theme) -> float:
    """The text column's width in points, as layout.document has it, without reportlab:
    the charts are drawn (and cached) for this width whichever edition asks first."""
    millimetre = 72 / 2.54 * 0.1  # reportlab.lib.units.mm
    a4_width = 210 * millimetre  # reportlab.lib.pagesizes.A4[0]
    return float(a4_width - (theme.page.margin_inner + theme.page.margin_outer) * millimetre)


def _write_pdf(
    checked: Checked,
    charts: ChartSet,
    target: Path,
    moment: dt.datetime,
    correction: Correction | None,
    numbered: tuple[int, int],
    *,
    check_pdfa: bool = True,
    started_ns: int | None = None,
    side: _Side | None = None,
) -> tuple[int, int, ChartSet]:
    """Stages 4 and 5: lay out the pages and finish the PDF; its pages, bytes and charts.

    Charts still `pending` are drawn by the helper process (`side`) while the pages are
    decided with blank art of their size, and are ready when returned; the helper checks
    the PDF, too. A PDF that passed its check is kept for reuse when none of its inputs
    changed since the build started (`started_ns`, time.time_ns()): then it is what they make.
    """
    step, steps = numbered
    # reportlab and pikepdf are imported only when a PDF is made
    from rapport.layout.pages import lay_out
    from rapport.pdf.write import write_failure, write_pdf

    cache = Cache.of_project(project_root(checked.edition))
    helped = side is not None and side.helper is not None
    with output_lock(target):  # one build of this PDF at a time; a second one waits
        _step(step, steps, "laying out pages")
        if side is not None and charts.pending:
            side.draw_charts()
        try:
            laid_out = lay_out(
                checked.edition,
                checked.theme,
                charts,
                moment,
                draft=checked.draft,
                correction=correction,
                cache=cache,
                drawn=side.charts if side is not None and charts.pending else None,
            )
        except OSError as exc:  # a cache file of the layout (fonts, images) could not be written
            raise write_failure(exc, target) from None
        if side is not None and charts.pending:
            charts = side.charts()
        _step(step + 1, steps, f"finishing the PDF ({plural(laid_out.pages, 'page')})")
        result = write_pdf(
            laid_out,
            checked.edition,
            target,
            moment,
            correction=correction,
            check_pdfa=check_pdfa,
            keep=_keeper(checked, moment, correction, cache, started_ns) if check_pdfa else None,
            checker=side.check if side is not None and helped else None,
        )
    return result.pages, result.size, charts


def _keeper(
    checked: Checked,
    moment: dt.datetime,
    correction: Correction | None,
    cache: Cache,
    started_ns: int | None,
) -> Callable[[Path, int], None] | None:
    """What keeps a finished, checked PDF for reuse: only when none of its inputs changed
    since the build started (`started_ns`), for then it is what they make."""
    if started_ns is None:
        return None

    def keep(pdf: Path, pages: int) -> None:
        from rapport.pdf.reuse import reuse_inputs, store_pdf

        inputs = reuse_inputs(
            checked.edition,
            checked.theme,
            moment,
            draft=checked.draft,
            correction=correction,
            unchanged_since=started_ns,
        )
        if inputs is not None:
            store_pdf(cache, inputs, pdf, pages)

    return keep


def _write_html(
    checked: Checked, charts: ChartSet, target: Path, correction: Correction | None
) -> int:
    """The web edition, written whole or not at all; its size in bytes."""
    from rapport.html import render_page

    with output_lock(target):
        try:
            page = render_page(
                checked.edition,
                checked.theme,
                charts,
                draft=checked.draft,
                correction=correction,
            )
            write_atomically(target, page.data)
            target.chmod(0o644)  # a page to publish: readable by all, as the PDF is
        except OSError as exc:
            where = display_path(Path(exc.filename or target))
            raise FileSystemError(
                f"failed to write {where} ({exc.strerror or exc});"
                f" check that its folder exists and is writable"
            ) from None
    log.debug("web edition: %d bytes, fonts cut to %d characters", len(page.data), page.characters)
    return len(page.data)


EDITION_MARKER = "edition.yaml"  # a year folder without it holds no edition (only facts)


def editions(content: Path) -> list[Path]:
    """The edition folders under `content`, oldest first: year folders with an edition.yaml."""
    if not content.is_dir():
        return []
    years = (p for p in content.iterdir() if re.fullmatch(r"\d{4}", p.name) and p.is_dir())
    return sorted(p for p in years if (p / EDITION_MARKER).is_file())


def newest_edition(content: Path) -> Path:
    """The edition of the highest year; a year folder holding only facts does not count."""
    found = editions(content)
    if not found:
        raise UsageError(
            f"no edition found under {content}/ (folders named after a year holding an"
            f" {EDITION_MARKER}, e.g. {content}/2023/{EDITION_MARKER}); run rapport in the"
            f" project folder, the one that holds {content}/"
        )
    return found[-1]


def edition_argument(argument: Path, content: Path = Path("content")) -> Path:
    """A bare year such as `2024` means content/2024, as in `make EDITION=2024`."""
    if re.fullmatch(r"\d{4}", str(argument)) and not (argument / EDITION_MARKER).is_file():
        return content / str(argument)
    return argument


def ensure_edition_dir(path: Path, content: Path = Path("content")) -> Path:
    if not path.is_dir():
        folder = path.parent if path.parent.is_dir() and path.parent != Path(".") else content
        years = ", ".join(p.name for p in editions(folder)) or "none yet"
        raise UsageError(f"edition folder '{path}' does not exist; editions: {years}")
    return path


_DOING = {"build": "building", "check": "checking", "watch": "watching"}


def choose_edition(
    argument: Path | None, command: str = "build", content: Path = Path("content")
) -> Path:
    """The edition folder a command works on: the one given, or else the newest, said in one line."""
    if argument is not None:
        return ensure_edition_dir(edition_argument(argument, content), content)
    newest = newest_edition(content)
    older = editions(content)[:-1]
    example = older[-1] if older else newest
    log.info(
        "%s %s (the newest edition; choose another with EDITION=%s or `rapport %s %s`)",
        _DOING.get(command, "using"),
        display_path(newest),
        example.name,
        command,
        display_path(example),
    )
    return newest


__all__ = [
    "BuildReport",
    "Checked",
    "ContentError",
    "build",
    "choose_edition",
    "html_output",
    "load_and_check",
    "newest_edition",
]
