"""A drawn chart as plain vector data: shapes and text in points, nothing else.

The charts stage records what matplotlib draws into this form and the layout
stage paints it onto the PDF page, so neither needs the other's library. It
is also the chart cache's file format: JSON that is read back strictly, so a
damaged or foreign cache file is drawn again instead of being trusted.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Literal

# A path is a flat list of operators and their points: M x y, L x y, C x1 y1 x2 y2 x3 y3, Z.
Segments = tuple[str | float, ...]
Face = Literal["regular", "bold", "italic", "bold_italic"]
Anchor = Literal["start", "middle", "end"]

FACES: tuple[Face, ...] = ("regular", "bold", "italic", "bold_italic")
ANCHORS: tuple[Anchor, ...] = ("start", "middle", "end")
_POINTS = {"M": 2, "L": 2, "C": 6, "Z": 0}
_OPERATORS = tuple(_POINTS)
_COLOUR = re.compile(r"#[0-9a-f]{6}")
FORMAT = 1  # raise when the file format changes


def coordinate(value: float) -> float:
    """Coordinates to a thousandth of a point: plenty for print, and stable bytes."""
    return round(float(value), 3) + 0.0  # + 0.0 turns -0.0 into 0.0


@dataclass(frozen=True)
class Clip:
    """The area a shape or text is cut to: a rectangle, a path, or both."""

    rect: tuple[float, float, float, float] | None = None  # x, y, width, height
    path: Segments | None = None


@dataclass(frozen=True)
class Shape:
    segments: Segments
    fill: str | None  # "#rrggbb"
    stroke: str | None
    line_width: float = 1.0
    fill_alpha: float = 1.0
    stroke_alpha: float = 1.0
    dash: tuple[float, ...] | None = None
    dash_offset: float = 0.0
    cap: int = 0  # PDF line cap: 0 butt, 1 round, 2 projecting
    join: int = 0  # PDF line join: 0 miter, 1 round, 2 bevel
    clip: Clip | None = None


@dataclass(frozen=True)
class Label:
    x: float
    y: float  # of the baseline
    text: str
    face: Face
    size: float
    colour: str
    alpha: float = 1.0
    angle: float = 0.0  # degrees, counter-clockwise
    anchor: Anchor = "start"
    clip: Clip | None = None


@dataclass(frozen=True)
class VectorArt:
    width: float
    height: float
    items: tuple[Shape | Label, ...]

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "width": self.width,
                "height": self.height,
                "items": [_item_data(item) for item in self.items],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> VectorArt:
        """Read what `to_json` wrote; anything else raises ValueError."""
        try:
            root = json.loads(data)
            _expect(isinstance(root, dict) and root.get("format") == FORMAT, "unknown format")
            items = root["items"]
            _expect(isinstance(items, list), "items is not a list")
            return cls(
                _positive(root["width"]), _positive(root["height"]), tuple(map(_read_item, items))
            )
        except (KeyError, TypeError, UnicodeDecodeError, RecursionError) as exc:
            raise ValueError(f"not a chart drawing ({exc})") from None


def _item_data(item: Shape | Label) -> dict[str, Any]:
    data = {k: v for k, v in item.__dict__.items() if v != _DEFAULTS[type(item)].get(k, object())}
    if item.clip is not None:
        data["clip"] = {k: v for k, v in item.clip.__dict__.items() if v is not None}
    data["type"] = "shape" if isinstance(item, Shape) else "label"
    return data


_DEFAULTS: dict[type, dict[str, Any]] = {
    Shape: {"line_width": 1.0, "fill_alpha": 1.0, "stroke_alpha": 1.0, "dash": None,
            "dash_offset": 0.0, "cap": 0, "join": 0, "clip": None},
    Label: {"alpha": 1.0, "angle": 0.0, "anchor": "start", "clip": None},
}  # fmt: skip


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(f"not a chart drawing ({what})")


# The reader's checks run for every number of every cached chart: each takes the
# common case first and spells its message only when the check fails.


def _number(value: Any) -> float:
    kind = type(value)
    if (kind is float or kind is int) and math.isfinite(value):  # json gives exactly these
        return float(value)
    _expect(
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value),
        f"{value!r} is not a number",
    )
    return float(value)


def _positive(value: Any) -> float:
    number = _number(value)
    _expect(number > 0, f"{number} is not above zero")
    return number


def _not_negative(value: Any) -> float:
    number = _number(value)
    _expect(number >= 0, f"{number} is below zero")
    return number


def _dash(value: Any) -> tuple[float, ...] | None:
    """A dash pattern: lengths that are not negative and not all zero (PDF forbids that)."""
    if value is None:
        return None
    _expect(isinstance(value, list) and bool(value), "dash is not a list of lengths")
    lengths = tuple(map(_not_negative, value))
    _expect(any(lengths), "a dash pattern of zeros")
    return lengths


def _colour(value: Any) -> str:
    _expect(isinstance(value, str) and _COLOUR.fullmatch(value) is not None, "bad colour")
    return str(value)


def _optional_colour(value: Any) -> str | None:
    return None if value is None else _colour(value)


def _alpha(value: Any) -> float:
    alpha = _number(value)
    _expect(0 <= alpha <= 1, "alpha out of range")
    return alpha


def _choice(value: Any, choices: tuple[Any, ...]) -> Any:
    if not any(type(value) is type(c) and value == c for c in choices):
        _expect(False, f"{value!r} is not one of {choices}")
    return value


def _segments(value: Any) -> Segments:
    _expect(isinstance(value, list), "path is not a list")
    result: list[str | float] = []
    position, end = 0, len(value)
    while position < end:
        operator = value[position]
        count = _POINTS.get(operator) if type(operator) is str else None
        if count is None:
            _choice(operator, _OPERATORS)  # raises, naming the operators
            raise AssertionError  # pragma: no cover - _choice raised
        points = value[position + 1 : position + 1 + count]
        _expect(len(points) == count, "path ends early")
        result.append(operator)
        result += map(_number, points)
        position += 1 + count
    _expect(not result or result[0] == "M", "path does not start with M")
    return tuple(result)


def _read_clip(value: Any) -> Clip | None:
    if value is None:
        return None
    _expect(isinstance(value, dict), "clip is not a mapping")
    rect = value.get("rect")
    if rect is not None:
        _expect(isinstance(rect, list) and len(rect) == 4, "clip rectangle")
        rect = tuple(map(_number, rect))
    path = value.get("path")
    return Clip(rect, None if path is None else _segments(path))


def _read_item(data: Any) -> Shape | Label:
    _expect(isinstance(data, dict), "item is not a mapping")
    kind = data.get("type")
    if kind == "shape":
        return Shape(
            segments=_segments(data["segments"]),
            fill=_optional_colour(data["fill"]),
            stroke=_optional_colour(data["stroke"]),
            line_width=_not_negative(data.get("line_width", 1.0)),
            fill_alpha=_alpha(data.get("fill_alpha", 1.0)),
            stroke_alpha=_alpha(data.get("stroke_alpha", 1.0)),
            dash=_dash(data.get("dash")),
            dash_offset=_number(data.get("dash_offset", 0.0)),
            cap=_choice(data.get("cap", 0), (0, 1, 2)),
            join=_choice(data.get("join", 0), (0, 1, 2)),
            clip=_read_clip(data.get("clip")),
        )
    _expect(kind == "label", f"unknown item type {kind!r}")
    text = data["text"]
    _expect(isinstance(text, str), "text is not a string")
    return Label(
        x=_number(data["x"]),
        y=_number(data["y"]),
        text=text,
        face=_choice(data["face"], FACES),
        size=_not_negative(data["size"]),
        colour=_colour(data["colour"]),
        alpha=_alpha(data.get("alpha", 1.0)),
        angle=_number(data.get("angle", 0.0)),
        anchor=_choice(data.get("anchor", "start"), ANCHORS),
        clip=_read_clip(data.get("clip")),
    )
