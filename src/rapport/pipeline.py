"""The one-way pipeline: load → check → layout → write, each stage a module.

Steps are numbered in the log, so that progress and failures read in order.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .check import check_edition, project_root
from .check_facts import check_facts
from .diagnostics import (
    ContentError,
    Diagnostic,
    FileSystemError,
    Problems,
    UsageError,
    display_path,
    plural,
)
from .load import load_edition
from .lock import output_lock
from .model import Edition
from .paths import CACHE_DIR, OUTPUT_DIR, THEME_FILE
from .theme import Theme, load_theme

log = logging.getLogger("rapport")


@dataclass(frozen=True)
class Checked:
    edition: Edition
    theme: Theme
    warnings: list[Diagnostic]
    draft: bool = False


@dataclass(frozen=True)
class BuildReport:
    pdf: Path
    pages: int
    size: int
    seconds: float
    warnings: list[Diagnostic]


def _step(number: int, total: int, text: str) -> None:
    log.info("[%d/%d] %s", number, total, text)


def load_and_check(edition_dir: Path, steps: int = 2, *, draft: bool = False) -> Checked:
    """Stages 1 and 2: every problem of content and theme, reported at once.

    A draft lets what is still to fill in (empty facts, sections to review) pass as warnings.
    """
    problems = Problems()
    _step(1, steps, f"loading {edition_dir}")
    edition = load_edition(edition_dir, problems, draft=draft)
    root = edition_dir.resolve().parent.parent
    theme = (
        load_theme(root / THEME_FILE, root, problems)
        if (root / THEME_FILE).is_file()
        else Theme(root=root)
    )
    _step(2, steps, "checking content")
    if edition is not None and not problems.errors:
        check_edition(edition, theme, problems)
        check_facts(edition, problems)
    problems.raise_if_errors()
    assert edition is not None
    return Checked(edition, theme, problems.warnings, draft)


def default_output(edition: Edition) -> Path:
    return project_root(edition) / OUTPUT_DIR / f"voortgangsrapport-{edition.year}.pdf"


def build_moment(edition: Edition) -> dt.datetime:
    """The date written into the PDF: SOURCE_DATE_EPOCH if set, else the publication date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise UsageError(f"SOURCE_DATE_EPOCH must be a number of seconds, not '{epoch}'")
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    return dt.datetime.combine(edition.published, dt.time())


def build(edition_dir: Path, output: Path | None = None, *, draft: bool = False) -> BuildReport:
    """Stages 1 to 5; a draft build marks every page as a draft."""
    started = time.perf_counter()
    checked = load_and_check(edition_dir, steps=5, draft=draft)
    from .charts import prepare_charts
    from .layout.document import frame_width
    from .write import write_pdf  # reportlab is imported only when a PDF is made

    target = output or default_output(checked.edition)
    moment = build_moment(checked.edition)
    root = project_root(checked.edition)
    with output_lock(target):  # one build of this PDF at a time; a second one waits
        _step(3, 5, "drawing charts")
        try:
            charts = prepare_charts(
                checked.edition, checked.theme, root, frame_width(checked.theme)
            )
        except OSError as exc:  # e.g. .cache is a file: the cache is safe to delete
            where = display_path(Path(exc.filename or root / CACHE_DIR))
            raise FileSystemError(
                f"failed to write {where} ({exc.strerror or exc}); {CACHE_DIR}/ is safe to delete"
            ) from None
        log.debug(
            "%d charts, %d drawn, %d from the cache",
            len(charts.art),
            charts.rendered,
            len(charts.art) - charts.rendered,
        )
        _step(4, 5, "laying out pages")
        result = write_pdf(checked.edition, checked.theme, charts, target, moment, draft=draft)
    _step(5, 5, f"wrote {plural(result.pages, 'page')}")
    return BuildReport(
        result.path, result.pages, result.size, time.perf_counter() - started, checked.warnings
    )


def newest_edition(content: Path) -> Path:
    editions = sorted(p for p in content.glob("[0-9][0-9][0-9][0-9]") if p.is_dir())
    if not editions:
        raise UsageError(
            f"no edition found under {content}/ (folders named after a year, e.g. {content}/2023)"
        )
    return editions[-1]


def ensure_edition_dir(path: Path) -> Path:
    if not path.is_dir():
        raise UsageError(f"edition folder '{path}' does not exist")
    return path


__all__ = ["BuildReport", "Checked", "ContentError", "build", "load_and_check", "newest_edition"]
