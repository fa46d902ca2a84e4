"""Charts in the page flow: SVG drawn as vector graphics, text kept as text."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

import reportlab
from reportlab import rl_config
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Flowable

from ..atomic import write_atomically
from .styles import FACES

log = logging.getLogger(__name__)


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


@contextmanager
def _trusted_shapes() -> Iterator[None]:
    """Skip reportlab's per-attribute checks while building shapes from our own SVG:
    they cost more than the conversion itself."""
    previous = rl_config.shapeChecking
    rl_config.shapeChecking = 0
    try:
        yield
    finally:
        rl_config.shapeChecking = previous


# The only classes a stored drawing may contain: a pickle naming anything else is refused.
_SHAPES = (
    "Drawing",
    "Group",
    "Path",
    "String",
    "Rect",
    "Line",
    "PolyLine",
    "Polygon",
    "Circle",
    "Ellipse",
)
_VALIDATORS = (
    "NoneOr", "OneOf", "SequenceOf", "_isAnything", "_isBoolean", "_isListOfShapes", "_isNumber",
    "_isNumberOrNone", "_isString", "_isTransform", "_isValidChildOrNone",
)  # fmt: skip
_DRAWING_CLASSES = (
    {("reportlab.graphics.shapes", name) for name in _SHAPES}
    | {("reportlab.lib.validators", name) for name in _VALIDATORS}
    | {
        ("reportlab.lib.colors", "Color"),
        ("reportlab.lib.attrmap", "AttrMap"),
        ("reportlab.lib.attrmap", "AttrMapValue"),
        ("svglib.svglib", "ClippingPath"),
        ("svglib.svglib", "NoStrokePath"),
    }
)


class _DrawingUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _DRAWING_CLASSES:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a chart drawing")
        return super().find_class(module, name)


def _cached_drawing(svg: Path) -> Drawing:
    """The SVG converted to a reportlab Drawing, kept beside it for the next build.

    The conversion costs more than the rest of a chart's layout; the stored
    drawing loads in a millisecond and may contain only drawing classes.
    """
    stored = svg.with_suffix(f".rl{reportlab.Version}-svglib{version('svglib')}.pickle")
    if stored.is_file():
        try:
            with stored.open("rb") as stream:
                drawing: Drawing = _DrawingUnpickler(stream).load()
            return drawing
        except (pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
            log.warning("ignoring a damaged chart cache file %s", stored)
    from svglib.svglib import svg2rlg

    with _trusted_shapes():
        converted = svg2rlg(
            str(svg), font_map=_ThemeFontMap(), external_reference_root=str(svg.parent)
        )
    if converted is None:  # pragma: no cover - our own SVG always parses
        raise ValueError(f"failed to read chart {svg}")
    write_atomically(stored, pickle.dumps(converted, protocol=pickle.HIGHEST_PROTOCOL))
    return converted


def chart_drawing(svg: Path, width: float) -> Flowable:
    """The chart as a reportlab Drawing scaled to `width` points."""
    drawing = _cached_drawing(svg)
    scale = width / drawing.width
    drawing.scale(scale, scale)
    drawing.width, drawing.height = width, drawing.height * scale
    drawing.hAlign = "CENTER"
    return _NoSplit(drawing)


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
