"""A matplotlib renderer that records a figure as `VectorArt` instead of painting it.

matplotlib lays the chart out (ticks, label positions, text measured with
the project's font files) and hands every shape and text to this renderer,
which keeps them as plain vector data in points. Text stays text: labels are
anchored where matplotlib anchored them, so a centred label is centred with
the PDF font's own widths.
"""

from __future__ import annotations

import math
from typing import Any, Literal, cast

from matplotlib import font_manager
from matplotlib.backend_bases import FigureCanvasBase, GraphicsContextBase, RendererBase
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.path import Path as PlotPath
from matplotlib.transforms import Transform

from rapport.charts.art import Anchor, Clip, Face, Label, Segments, Shape, VectorArt
from rapport.charts.art import coordinate as _r

_CAPS = {"butt": 0, "round": 1, "projecting": 2}
_JOINS = {"miter": 0, "round": 1, "bevel": 2}
_ANCHORS: dict[str, Anchor] = {"left": "start", "center": "middle", "right": "end"}


def _segments(path: Any, transform: Transform | None, *, filled: bool = False) -> Segments:
    """The path in page points; `filled` keeps every vertex of a shape (as matplotlib's
    own vector backends do), where a long line may be simplified."""
    result: list[str | float] = []
    last = start = (0.0, 0.0)
    segments = path.iter_segments(
        transform, remove_nans=True, curves=True, simplify=False if filled else None
    )
    for points, code in segments:
        if code == PlotPath.MOVETO:
            result += ["M", _r(points[0]), _r(points[1])]
            start = (float(points[0]), float(points[1]))
        elif code == PlotPath.LINETO:
            result += ["L", _r(points[0]), _r(points[1])]
        elif code == PlotPath.CURVE3:  # a quadratic curve, raised to the cubic PDF knows
            (x0, y0), (qx, qy), (x, y) = last, points[:2], points[2:]
            result += ["C", _r(x0 + 2 / 3 * (qx - x0)), _r(y0 + 2 / 3 * (qy - y0))]
            result += [_r(x + 2 / 3 * (qx - x)), _r(y + 2 / 3 * (qy - y)), _r(x), _r(y)]
        elif code == PlotPath.CURVE4:
            result += ["C", *map(_r, points)]
        elif code == PlotPath.CLOSEPOLY:
            result.append("Z")
            last = start  # a curve right after a close starts where the subpath began
            continue
        last = (float(points[-2]), float(points[-1]))
    return tuple(result)


def _colour(rgba: Any) -> str:
    return to_hex(rgba[:3])


def _clip(gc: GraphicsContextBase) -> Clip | None:
    box = gc.get_clip_rectangle()
    rect = None if box is None else (_r(box.x0), _r(box.y0), _r(box.width), _r(box.height))
    path, affine = gc.get_clip_path()
    segments = None if path is None else _segments(path, affine)
    return None if rect is None and segments is None else Clip(rect, segments)


def _face(prop: font_manager.FontProperties) -> Face:
    weight = prop.get_weight()
    bold = (weight if isinstance(weight, int) else font_manager.weight_dict.get(weight, 400)) >= 600
    italic = prop.get_style() in ("italic", "oblique")
    return (
        "bold_italic" if bold and italic else "bold" if bold else "italic" if italic else "regular"
    )


def _fill_alpha(gc: GraphicsContextBase, rgba: Any) -> float:
    return _r(gc.get_alpha() if gc.get_forced_alpha() or len(rgba) < 4 else rgba[3])


def _stroke_style(gc: GraphicsContextBase) -> dict[str, Any]:
    rgba = gc.get_rgb()
    offset, dashes = gc.get_dashes()
    dash = [float(d) for d in cast(Any, dashes) or ()]  # the stubs type it as any array
    return {
        "stroke": _colour(rgba),
        "stroke_alpha": _r(gc.get_alpha() if gc.get_forced_alpha() else rgba[3]),
        "line_width": _r(gc.get_linewidth()),
        "dash": tuple(map(_r, dash)) or None,
        "dash_offset": _r(offset or 0.0),
        "cap": _CAPS[gc.get_capstyle()],
        "join": _JOINS[gc.get_joinstyle()],
    }


class Recorder(RendererBase):
    """Keeps what a figure draws, in points (the figure's dpi must be 72)."""

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self.width, self.height = width, height
        self.items: list[Shape | Label] = []

    def flipy(self) -> bool:
        return False  # y grows upwards, as in PDF

    def get_canvas_width_height(self) -> tuple[float, float]:
        return self.width, self.height

    def points_to_pixels(self, points: Any) -> Any:
        return points

    def draw_path(
        self,
        gc: GraphicsContextBase,
        path: PlotPath,
        transform: Transform,
        rgbFace: Any = None,  # matplotlib's own name
    ) -> None:
        fill = rgbFace is not None and (len(rgbFace) < 4 or rgbFace[3] > 0)
        stroke = gc.get_linewidth() > 0 and gc.get_alpha() > 0 and gc.get_rgb()[3] > 0
        if not (fill or stroke):
            return
        self.items.append(
            Shape(
                segments=_segments(path, transform, filled=fill),
                fill=_colour(rgbFace) if fill else None,
                fill_alpha=_fill_alpha(gc, rgbFace) if fill else 1.0,
                clip=_clip(gc),
                **(_stroke_style(gc) if stroke else {"stroke": None}),
            )
        )

    def draw_text(
        self,
        gc: GraphicsContextBase,
        x: float,
        y: float,
        s: str,
        prop: font_manager.FontProperties,
        angle: float,
        ismath: bool | Literal["TeX"] = False,
        mtext: Any = None,
    ) -> None:
        if not s.strip():
            return
        anchor: Anchor = "start"
        if mtext is not None and (angle == 0 or mtext.get_rotation_mode() == "anchor"):
            # Keep matplotlib's anchor along the baseline, so that the PDF font's own
            # widths centre or right-align the text; take the baseline from (x, y).
            ax, ay = mtext.get_transform().transform(mtext.get_unitless_position())
            normal = (-math.sin(math.radians(angle)), math.cos(math.radians(angle)))
            offset = normal[0] * (x - ax) + normal[1] * (y - ay)
            x, y = ax + offset * normal[0], ay + offset * normal[1]
            anchor = _ANCHORS[mtext.get_horizontalalignment()]
        rgba = gc.get_rgb()
        self.items.append(
            Label(
                x=_r(x),
                y=_r(y),
                text=s,
                face=_face(prop),
                size=_r(prop.get_size_in_points()),
                colour=_colour(rgba),
                alpha=_r(gc.get_alpha() if gc.get_forced_alpha() else rgba[3]),
                angle=_r(angle),
                anchor=anchor,
                clip=_clip(gc),
            )
        )


class _RecordingCanvas(FigureCanvasBase):
    """Lets matplotlib's layout measure text with the recorder, not with a raster backend."""

    def __init__(self, figure: Figure, recorder: Recorder) -> None:
        super().__init__(figure)
        self.recorder = recorder

    def get_renderer(self) -> Recorder:
        return self.recorder


def recording_figure(width: float, height: float) -> Figure:
    """A figure of `width` × `height` points whose drawing `record` turns into vector art."""
    figure = Figure(figsize=(width / 72, height / 72), dpi=72)
    _RecordingCanvas(figure, Recorder(width, height))
    return figure


def record(figure: Figure) -> VectorArt:
    """Draw the figure into vector art, with a transparent background."""
    canvas = figure.canvas
    assert isinstance(canvas, _RecordingCanvas), "draw on a figure from recording_figure()"
    recorder = canvas.recorder
    figure.patch.set_visible(False)
    for axes in figure.axes:
        axes.patch.set_visible(False)
    figure.draw(recorder)
    return VectorArt(_r(recorder.width), _r(recorder.height), tuple(recorder.items))
