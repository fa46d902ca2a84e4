"""Charts in the page flow: vector art painted straight onto the page, text kept as text."""

from __future__ import annotations

from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import FILL_NON_ZERO, Canvas
from reportlab.pdfgen.pathobject import PDFPathObject
from reportlab.platypus import Flowable

from rapport.charts.art import Clip, Label, Segments, Shape, VectorArt
from rapport.layout.styles import FACES


def chart_flowable(art: VectorArt, width: float) -> Flowable:
    """The chart scaled to `width` points; the layout never splits or shrinks it."""
    return _Chart(art, width)


class _Chart(Flowable):  # type: ignore[misc]
    def __init__(self, art: VectorArt, width: float) -> None:
        super().__init__()
        self.art = art
        self.scale = width / art.width
        self.width, self.height = width, art.height * self.scale
        self.hAlign = "CENTER"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas: Canvas = self.canv
        canvas.saveState()
        canvas.scale(self.scale, self.scale)
        for item in self.art.items:
            canvas.saveState()
            if item.clip is not None:
                _clip(canvas, item.clip)
            if isinstance(item, Shape):
                _paint_shape(canvas, item)
            else:
                _paint_label(canvas, item)
            canvas.restoreState()
        canvas.restoreState()


def _path(canvas: Canvas, segments: Segments) -> PDFPathObject:
    path = canvas.beginPath()
    position = 0
    while position < len(segments):
        operator = segments[position]
        if operator == "Z":
            path.close()
            position += 1
            continue
        count = 6 if operator == "C" else 2
        points = segments[position + 1 : position + 1 + count]
        {"M": path.moveTo, "L": path.lineTo, "C": path.curveTo}[str(operator)](*points)
        position += 1 + count
    return path


def _clip(canvas: Canvas, clip: Clip) -> None:
    if clip.rect is not None:
        x, y, width, height = clip.rect
        box = canvas.beginPath()
        box.rect(x, y, width, height)
        canvas.clipPath(box, stroke=0, fill=0)
    if clip.path is not None:
        canvas.clipPath(_path(canvas, clip.path), stroke=0, fill=0, fillMode=FILL_NON_ZERO)


def _paint_shape(canvas: Canvas, shape: Shape) -> None:
    if shape.fill is not None:
        canvas.setFillColor(HexColor(shape.fill), alpha=_alpha(shape.fill_alpha))
    if shape.stroke is not None:
        canvas.setStrokeColor(HexColor(shape.stroke), alpha=_alpha(shape.stroke_alpha))
        canvas.setLineWidth(shape.line_width)
        canvas.setLineCap(shape.cap)
        canvas.setLineJoin(shape.join)
        if shape.dash:
            canvas.setDash(list(shape.dash), shape.dash_offset)
    canvas.drawPath(
        _path(canvas, shape.segments),
        stroke=int(shape.stroke is not None),
        fill=int(shape.fill is not None),
        fillMode=FILL_NON_ZERO,
    )


def _paint_label(canvas: Canvas, label: Label) -> None:
    canvas.setFont(FACES[label.face], label.size)
    canvas.setFillColor(HexColor(label.colour), alpha=_alpha(label.alpha))
    canvas.translate(label.x, label.y)
    if label.angle:
        canvas.rotate(label.angle)
    draw = {
        "start": canvas.drawString,
        "middle": canvas.drawCentredString,
        "end": canvas.drawRightString,
    }[label.anchor]
    draw(0, 0, label.text)


def _alpha(value: float) -> float | None:
    """None leaves an opaque colour without a transparency setting in the PDF."""
    return None if value >= 1 else value
