"""Stage 5, write: lay the story out into a PDF, atomically.

The PDF is built in a temporary file beside the target and renamed over it
only when complete, so a failed or interrupted build leaves the previous PDF.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from reportlab.platypus.doctemplate import LayoutError

from rapport.charts import ChartSet
from rapport.content.model import Edition
from rapport.correction import Correction
from rapport.diagnostics import ContentError, Diagnostic, FileSystemError, Location, display_path
from rapport.layout import hyphens
from rapport.layout.document import ReportDocument
from rapport.layout.images import require_pdfa
from rapport.layout.story import build_story
from rapport.layout.styles import register_fonts
from rapport.pdf.pdfa import finish_pdf
from rapport.theme import Theme

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriteResult:
    path: Path
    pages: int
    size: int


def write_pdf(
    edition: Edition,
    theme: Theme,
    charts: ChartSet,
    target: Path,
    moment: dt.datetime,
    *,
    draft: bool = False,
    correction: Correction | None = None,
) -> WriteResult:
    """Render `edition` to `target`; the file appears whole or not at all."""
    register_fonts(theme)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        os.close(handle)
    except OSError as exc:
        raise FileSystemError(f"failed to write {target} ({exc.strerror or exc})") from None
    temporary = Path(temporary_name)
    try:
        doc = ReportDocument(temporary, edition, theme, moment, draft=draft, correction=correction)
        story = build_story(doc, edition, theme, charts)
        try:
            doc.lay_out(story)
        except LayoutError as exc:
            raise _layout_problem(doc, exc) from None
        finish_pdf(
            temporary,
            edition,
            moment,
            structure=_structure_of(doc, edition.language),
            version=str(correction.revision) if correction else "",
        )
        require_pdfa(temporary, doc.images, edition.location)  # the check `publish` runs
        _publish(temporary, target)
    except OSError as exc:
        raise FileSystemError(
            f"failed to write {_culprit(exc, target)} ({exc.strerror or exc})"
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    try:  # the PDF is published: a cache that cannot be saved does not fail the build
        hyphens.save_all()
    except OSError as exc:
        log.warning("could not save the hyphenation cache (%s)", exc.strerror or exc)
    return WriteResult(target, doc.page, target.stat().st_size)


def _culprit(exc: OSError, target: Path) -> Path:
    """The file that could not be written: the PDF, or a cache file the error names."""
    if not isinstance(exc.filename, str):
        return target
    named = Path(exc.filename)
    beside = os.path.abspath(named.parent) == os.path.abspath(target.parent)
    return target if beside else Path(display_path(named))


def _publish(temporary: Path, target: Path) -> None:
    with temporary.open("rb") as stream:
        os.fsync(stream.fileno())
    temporary.chmod(0o644)
    os.replace(temporary, target)
    with contextlib.suppress(OSError):
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _layout_problem(doc: ReportDocument, exc: LayoutError) -> ContentError:
    where = getattr(doc, "last_location", None) or Location(doc.edition.location.path)
    log.debug("layout failed: %s", exc)
    return ContentError(
        [
            Diagnostic(
                where,
                "failed to lay out the content after this point (a block is taller than a page)",
                "split a very long table, list or text into smaller blocks",
            )
        ]
    )


def _structure_of(doc: ReportDocument, language: str) -> Callable[[pikepdf.Pdf], None]:
    """What the layout recorded while drawing, as a step of the finishing."""
    from rapport.pdf.tags import apply_structure

    def write_structure(pdf: pikepdf.Pdf) -> None:
        apply_structure(pdf, doc.structure, doc.tagger.sequences, language)

    return write_structure
