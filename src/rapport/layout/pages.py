"""Stage 4, layout: the edition, its theme and its charts become laid-out pages.

`lay_out` draws the story once with reportlab into memory and returns a
`LaidOut` value (rapport.layout.laid_out): the PDF bytes, the structure tree,
the marked content and the late page numbers. Finishing that PDF is the next
stage's work (rapport.pdf.write); nothing here knows of it.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from reportlab.platypus.doctemplate import LayoutError

from rapport.charts import ChartSet
from rapport.content.model import Edition
from rapport.correction import Correction
from rapport.diagnostics import ContentError, Diagnostic, Location
from rapport.layout import hyphens
from rapport.layout.document import ReportDocument
from rapport.layout.images import ImageStore
from rapport.layout.laid_out import LaidOut
from rapport.layout.recorder import LayoutRecorder
from rapport.layout.story import build_story
from rapport.layout.styles import register_fonts
from rapport.theme import Theme

log = logging.getLogger(__name__)


def lay_out(
    edition: Edition,
    theme: Theme,
    charts: ChartSet,
    moment: dt.datetime,
    *,
    draft: bool = False,
    correction: Correction | None = None,
) -> LaidOut:
    """Lay `edition` out into pages; a block that fits no page is a content error."""
    register_fonts(theme)
    recorder = LayoutRecorder()
    images = ImageStore()  # every image drawn, each decoded once
    output = io.BytesIO()
    doc = ReportDocument(
        output, edition, theme, moment, recorder, draft=draft, correction=correction
    )
    story = build_story(edition, theme, charts, recorder, images, correction)
    try:
        doc.lay_out(story)
    except LayoutError as exc:
        raise _layout_problem(recorder.last_location, edition, exc) from None
    _save_hyphenation()
    names = tuple(image.name for image in images)
    return recorder.laid_out(output.getvalue(), doc.page, names)


def _save_hyphenation() -> None:
    try:  # the pages are laid out: a cache that cannot be saved does not fail the build
        hyphens.save_all()
    except OSError as exc:
        log.warning("could not save the hyphenation cache (%s)", exc.strerror or exc)


def _layout_problem(where: Location | None, edition: Edition, exc: LayoutError) -> ContentError:
    log.debug("layout failed: %s", exc)
    return ContentError(
        [
            Diagnostic(
                where or Location(edition.location.path),
                "failed to lay out the content after this point (a block is taller than a page)",
                "split a very long table, list or text into smaller blocks",
            )
        ]
    )
