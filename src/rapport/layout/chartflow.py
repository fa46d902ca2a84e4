"""Charts in the page flow: SVG drawn as vector graphics, text kept as text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Flowable

from .flowables import with_role
from .styles import FACES


class _ThemeFontMap:
    """Maps every font named in a chart's SVG to the report's own registered faces."""

    def find_font(
        self, name: str, weight: str = "normal", style: str = "normal"
    ) -> tuple[str, bool]:
        bold = weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600)
        italic = style in ("italic", "oblique")
        face = (
            "bold_italic"
            if bold and italic
            else "bold"
            if bold
            else "italic"
            if italic
            else "regular"
        )
        return FACES[face], True


def chart_drawing(svg: Path, width: float, alt: str) -> Flowable:
    """The chart as a reportlab Drawing scaled to `width` points."""
    from svglib.svglib import svg2rlg

    drawing: Drawing | None = svg2rlg(
        str(svg), font_map=_ThemeFontMap(), external_reference_root=str(svg.parent)
    )
    if drawing is None:  # pragma: no cover - our own SVG always parses
        raise ValueError(f"failed to read chart {svg}")
    scale = width / drawing.width
    drawing.scale(scale, scale)
    drawing.width, drawing.height = width, drawing.height * scale
    drawing.hAlign = "CENTER"
    return with_role(_NoSplit(drawing), "Figure", alt=alt)


class _NoSplit(Flowable):  # type: ignore[misc]
    """Wraps a Drawing so that the layout never splits or shrinks it."""

    def __init__(self, drawing: Any) -> None:
        super().__init__()
        self.drawing = drawing
        self.width, self.height = drawing.width, drawing.height

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.drawing.drawOn(self.canv, 0, 0)
