"""Numbers that only the last page knows: the contents' page numbers and the page total.

The contents come before the chapters they list, and every footer names the
page total. Rather than laying the report out twice to learn them, each such
number is drawn as a PDF form (a small named drawing) that is referenced where
it belongs and filled in once the last page is done. One layout pass, and the
text still reads "Pagina 3 van 14" in place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth

log = logging.getLogger(__name__)

Fill = Callable[[Any, "LateNumbers"], None]  # draws a form's content onto the canvas


@dataclass
class LateNumbers:
    pages: dict[str, int] = field(default_factory=dict)  # heading key -> page number
    total: int = 0
    _forms: dict[str, tuple[tuple[float, float, float, float], Fill]] = field(default_factory=dict)

    def found(self, key: str, page: int) -> None:
        """A heading (link target) was drawn on `page`."""
        self.pages.setdefault(key, page)

    def page_of(self, key: str) -> str:
        if key not in self.pages:  # cannot happen: every listed heading is laid out
            log.warning("the contents list a heading that was not laid out (%s)", key)
            return "?"
        return str(self.pages[key])

    def place(
        self,
        canvas: Any,
        name: str,
        x: float,
        y: float,
        box: tuple[float, float, float, float],
        fill: Fill,
    ) -> None:
        """Reference form `name` at (x, y); `fill` draws it within `box` once the numbers are known."""
        canvas.saveState()
        canvas.translate(x, y)
        canvas.doForm(name)
        canvas.restoreState()
        self._forms[name] = (box, fill)

    def fill_in(self, canvas: Any, total: int) -> None:
        """Define every referenced form, now that the last page is drawn."""
        self.total = total
        for name, (box, fill) in self._forms.items():
            canvas.beginForm(name, *box)
            fill(canvas, self)
            canvas.endForm()

    def leader(self, canvas: Any, key: str, x: float, y: float, width: float, style: Any) -> None:
        """Dot leader and page number of a contents entry, ending `width` points to the right."""
        size = style.fontSize
        box = (0.0, -size, width, style.leading)

        def fill(canvas: Any, late: LateNumbers) -> None:
            number = late.page_of(key)
            canvas.setFont(style.fontName, size)
            canvas.setFillColor(style.textColor)
            canvas.drawRightString(width, 0, number)
            _dot_leader(canvas, width, size, stringWidth("00", style.fontName, size), style)

        self.place(canvas, f"contents-{key}", x, y, box, fill)
        canvas.linkRect("", key, (x, y, x + width, y + style.leading), relative=1)

    def folio(
        self, canvas: Any, page: int, right: float, y: float, text: Callable[[int, int], str],
        font: str, size: float, colour: Any,
    ) -> None:  # fmt: skip
        """The footer's page line, right-aligned at `right`, e.g. "Pagina 3 van 14"."""

        def fill(canvas: Any, late: LateNumbers) -> None:
            canvas.setFont(font, size)
            canvas.setFillColor(colour)
            canvas.drawRightString(0, 0, text(page, late.total))

        self.place(canvas, f"folio-{page}", right, y, (-right, -size, 0.0, size * 2), fill)


def _dot_leader(canvas: Any, width: float, size: float, numbers: float, style: Any) -> None:
    """Dots drawn as a line of round dots, not typed as text: a reader copying or hearing
    the contents gets the title and the page only, and the dots of every entry end at the
    same place, so that they stand in columns."""
    pitch = size * 0.5
    dot = size * 0.12
    end = width - numbers - pitch  # the same for every entry of this size
    start = pitch  # a space after the title
    if end - start < pitch:
        return
    canvas.saveState()
    canvas.setStrokeColor(style.textColor)
    canvas.setLineWidth(dot)
    canvas.setLineCap(1)
    canvas.setDash([0, pitch])
    # drawn from the right, so that the dash pattern starts on the common end
    canvas.line(end, dot / 2, end - pitch * int((end - start) / pitch), dot / 2)
    canvas.restoreState()
