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
from rapport.layout.document import ReportDocument, frame_height
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
    """Lay `edition` out into pages; a block that fits no page is a content error.

    A chapter whose last page holds only a little (a row of tiles, a callout) is laid
    out again with its spacing tightened; the tighter pages are kept if they are fewer.
    """
    register_fonts(theme)

    def attempt(tight: frozenset[int]) -> tuple[LaidOut, ReportDocument]:
        return _lay_out_once(edition, theme, charts, moment, draft, correction, tight)

    laid, doc = attempt(frozenset())
    loose = doc.parts.loose(frame_height(theme))
    if loose:
        tighter, tight_doc = attempt(loose)
        # only the chapters that lost a page keep their tighter spacing
        gained = frozenset(
            part
            for part in loose
            if part < len(tight_doc.parts.pages())
            and tight_doc.parts.pages()[part] < doc.parts.pages()[part]
        )
        log.debug("tightened parts %s, %s saved a page", sorted(loose), sorted(gained))
        if gained and gained != loose:
            tighter, _ = attempt(gained)
        if gained and tighter.pages < laid.pages:
            laid = tighter
    _save_hyphenation()
    return laid


def _lay_out_once(
    edition: Edition,
    theme: Theme,
    charts: ChartSet,
    moment: dt.datetime,
    draft: bool,
    correction: Correction | None,
    tight: frozenset[int],
) -> tuple[LaidOut, ReportDocument]:
    """The pages, with the spacing of the story's parts `tight` tightened, and the
    document that laid them out (which knows the pages of each part)."""
    recorder = LayoutRecorder()
    images = ImageStore()  # every image drawn, each decoded once
    output = io.BytesIO()
    doc = ReportDocument(
        output, edition, theme, moment, recorder, draft=draft, correction=correction, tight=tight
    )
    story = build_story(edition, theme, charts, recorder, images, correction)
    try:
        doc.lay_out(story)
    except LayoutError as exc:
        raise _layout_problem(recorder.last_location, edition, exc) from None
    names = tuple(image.name for image in images)
    return recorder.laid_out(output.getvalue(), doc.page, names), doc


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
