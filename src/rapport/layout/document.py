"""Page templates: the cover, and body pages with running header and footer."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import IO, Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import ActionFlowable, BaseDocTemplate, Frame, PageBreak, PageTemplate

from rapport import __version__
from rapport.content.model import Edition
from rapport.correction import Correction
from rapport.labels import labels
from rapport.layout.floats import (
    TIGHT_STEPS,
    FloatQueue,
    FlushFloats,
    Parts,
    Tightening,
    keep_with_next,
    tighten,
)
from rapport.layout.images import SharedImage, draw_shared
from rapport.layout.recorder import LayoutRecorder
from rapport.layout.styles import FACES, colour
from rapport.layout.tagging import TaggedCanvas
from rapport.libs import rl
from rapport.theme import Theme

COVER, BODY = "cover", "body"


def frame_width(theme: Theme) -> float:
    """The width of the text column in points."""
    return float(A4[0] - (theme.page.margin_inner + theme.page.margin_outer) * mm)


def frame_height(theme: Theme) -> float:
    """The height of the text column in points: no flowable taller than this fits a page."""
    return float(A4[1] - (theme.page.margin_top + theme.page.margin_bottom) * mm)


def _subject(edition: Edition, correction: Correction | None) -> str:
    """The PDF's subject (dc:description); a correction's says what it corrects."""
    subject = edition.subtitle or edition.title
    return f"{subject}. {correction.line(edition.language)}" if correction else subject


class PortableCanvas(Canvas):  # type: ignore[misc]
    """A canvas whose PDF does not depend on where the project folder lies.

    reportlab names an image drawn from a file after its path, so the same
    project in another folder gave other bytes (and `rapport verify`, which
    rebuilds an archived edition in a temporary folder, a mismatch). Read
    through an ImageReader, an image is named after its pixels; JPEG data
    is still copied into the PDF as it is. Every image is prepared for the
    PDF (upright, sRGB, scaled) and embedded once however often it is drawn
    (layout/images.py).
    """

    def drawImage(
        self,
        image: Any,
        x: float,
        y: float,
        width: float,
        height: float,
        mask: Any = None,
    ) -> None:
        if isinstance(image, str | Path):  # icon artwork: prepared like any image, per size
            icons: dict[tuple[str, float, float], SharedImage] = self.__dict__.setdefault(
                "_icons", {}
            )
            key = (str(image), width, height)
            if key not in icons:
                icons[key] = SharedImage(Path(image), Path(image).name)
                icons[key].shown_at(width, height)
            image = icons[key]
        if isinstance(image, SharedImage):
            draw_shared(self, image, (x, y, width, height))
        else:
            self.draw_new_image(image, x, y, width, height, mask=mask)

    def draw_new_image(self, image: Any, *args: Any, **kwargs: Any) -> Any:
        """reportlab's own drawImage: decodes the image to name it, and embeds it once."""
        return super().drawImage(image, *args, **kwargs)


class ReportCanvas(PortableCanvas, TaggedCanvas):
    """The report's canvas: portable image names, and marked content for the tagged PDF."""


class ReportDocument(BaseDocTemplate):  # type: ignore[misc]
    """The page templates of the report; what the drawing learns goes to `recorder`."""

    def __init__(
        self,
        output: IO[bytes],
        edition: Edition,
        theme: Theme,
        moment: dt.datetime,
        recorder: LayoutRecorder,
        *,
        draft: bool = False,
        correction: Correction | None = None,
        tight: Tightening | None = None,
    ) -> None:
        self.edition = edition
        self.draft = draft
        self.theme = theme
        self.labels = labels(edition.language)
        self.recorder = recorder
        self.moment = moment
        self.floats = FloatQueue()  # charts, images and tiles waiting for the next page
        self.frame_fresh = False  # a frame began and nothing of the story was handled in it
        # The story's parts between page breaks (0 the cover, 1 the contents, then one per
        # chapter): those in `tight` are tightened by their step; each one's end is recorded.
        self.tight = tight or {}
        self.parts = Parts()
        page = theme.page
        super().__init__(
            output,
            pagesize=A4,
            leftMargin=page.margin_inner * mm,
            rightMargin=page.margin_outer * mm,
            topMargin=page.margin_top * mm,
            bottomMargin=page.margin_bottom * mm,
            title=edition.title if not edition.subtitle else f"{edition.title} {edition.year}",
            author=edition.organisation,
            subject=_subject(edition, correction),
            keywords=", ".join(edition.keywords),
            creator=f"rapport {__version__}",
            producer=f"rapport {__version__}",
            lang=edition.language,
            invariant=1,
            initialFontName=FACES["regular"],
            displayDocTitle=1,
        )
        body = Frame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        cover_frame = Frame(
            22 * mm,
            40 * mm,
            A4[0] - 44 * mm,
            A4[1] - 80 * mm,
            id="cover",
            leftPadding=0,
            rightPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate(COVER, [cover_frame], onPage=self._draw_cover),
                PageTemplate(BODY, [body], onPageEnd=self._draw_chrome),
            ]
        )

    def lay_out(self, story: list[Any], *, finish: bool = True) -> None:
        """Lay the story out once, fill in the numbers only the end knows, and save;
        without `finish`, only lay it out (a trial whose pages are counted)."""
        canvasmaker = partial(ReportCanvas, tagger=self.recorder.tagger)
        canvas = rl.build_without_saving(self, [*story, FlushFloats()], canvasmaker)
        if finish:
            self.recorder.late.fill_in(canvas, self.page)
            canvas.save()

    def handle_flowable(self, flowables: list[Any]) -> None:
        if flowables and not isinstance(flowables[0], ActionFlowable):  # the story, not
            if self.frame_fresh:  # reportlab's own page actions
                self.frame_fresh = False
                self.floats.page_began(flowables)
            story_ends = isinstance(flowables[0], FlushFloats)
            if self.floats.take(flowables, self.frame):
                if story_ends:  # (and no float waits)
                    self._part_ended()
                return
            if isinstance(flowables[0], PageBreak):  # (and no float waits)
                self._part_ended()
                step = self.tight.get(len(self.parts.ends), 0)
                if step:
                    tighten(flowables[1:], TIGHT_STEPS[step - 1])
            self.parts.handled(self.page, flowables[0])
        if flowables:
            self.recorder.reached(getattr(flowables[0], "source_location", None))
        super().handle_flowable(flowables)

    def _part_ended(self) -> None:
        self.parts.ended(self.page, self.frame.height - rl.frame_room(self.frame)[0])

    def handle_frameEnd(self, *args: Any, **kwargs: Any) -> None:
        self.parts.page_ended(self.page, rl.frame_room(self.frame)[0])
        super().handle_frameEnd(*args, **kwargs)

    def handle_keepWithNext(self, flowables: list[Any]) -> None:
        # a heading is kept with the first lines of what follows, not all of it
        keep_with_next(flowables, lambda: rl.frame_room(self.frame))

    def handle_frameBegin(self, *args: Any, **kwargs: Any) -> None:
        super().handle_frameBegin(*args, **kwargs)
        self.frame_fresh = True

    def _draw_cover(self, canvas: Any, doc: Any) -> None:
        c = self.theme.colours
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(colour(c.cover))
        canvas.rect(0, 0, width, height, stroke=0, fill=1)
        canvas.setFillColor(colour(c.primary_dark))
        canvas.rect(0, 0, width, 30 * mm, stroke=0, fill=1)
        canvas.setFillColor(colour(c.accent))
        canvas.rect(22 * mm, height - 34 * mm, 28 * mm, 2.2 * mm, stroke=0, fill=1)
        canvas.setFillColor(colour(c.cover_text))
        canvas.setFont(FACES["bold"], 11)
        canvas.drawString(22 * mm, 13 * mm, self.edition.organisation)
        canvas.setFont(FACES["regular"], 9)
        canvas.drawRightString(width - 22 * mm, 13 * mm, self._published_line())
        canvas.restoreState()
        self._draw_draft_mark(canvas)

    def _published_line(self) -> str:
        from rapport.content.formatting import format_date

        if self.edition.published is None:  # a draft of a new edition: no invented date
            return self.labels["unpublished"]
        return self.labels["published"].format(
            date=format_date(self.edition.published, self.edition.language)
        )

    def _draw_chrome(self, canvas: Any, doc: Any) -> None:
        """Running header (report title, current chapter) and footer (page X of Y)."""
        c, s = self.theme.colours, self.theme.sizes
        left, right = self.leftMargin, self.leftMargin + self.width
        top = self.pagesize[1] - self.topMargin + 9 * mm
        bottom = self.bottomMargin - 11 * mm
        canvas.saveState()
        canvas.setFont(FACES["regular"], s.small)
        canvas.setFillColor(colour(c.muted))
        canvas.drawString(left, top, f"{self.edition.title} {self.edition.year}")
        if self.recorder.current_chapter:
            canvas.drawRightString(right, top, self.recorder.current_chapter)
        canvas.setStrokeColor(colour(c.rule))
        canvas.setLineWidth(0.5)
        canvas.line(left, top - 4, right, top - 4)
        canvas.line(left, bottom + 10, right, bottom + 10)
        canvas.drawString(left, bottom, self.edition.organisation)
        canvas.restoreState()
        self.recorder.late.folio(
            canvas,
            doc.page,
            right,
            bottom,
            lambda page, total: self.labels["page"].format(page=page, total=total),
            FACES["regular"],
            s.small,
            colour(c.muted),
        )
        self._draw_draft_mark(canvas)

    def _draw_draft_mark(self, canvas: Any) -> None:
        """A large outlined 'CONCEPT' across the page: this PDF is not the edition."""
        if not self.draft:
            return
        width, height = self.pagesize
        canvas.saveState()
        canvas.translate(width / 2, height / 2)
        canvas.rotate(52)
        canvas.setStrokeColor(colour("#D0342C"))
        canvas.setLineWidth(1.2)
        text = canvas.beginText()
        text.setTextRenderMode(1)  # outline only: the page stays readable underneath
        text.setFont(FACES["display"], 110)
        word = self.labels["draft"]
        text.setTextOrigin(-canvas.stringWidth(word, FACES["display"], 110) / 2, -40)
        text.textOut(word)
        canvas.drawText(text)
        canvas.restoreState()
