"""Charts for the web edition: inline SVG from the recorded chart art, and its numbers as a table.

The SVG is drawn from the same `VectorArt` the PDF paints (one chart code path,
two writers), so the web chart is the PDF chart: shapes become `<path>`s, text
stays `<text>`. Art is in points with y going up, as in PDF; SVG's y goes down,
so every y is flipped against the art's height. The SVG scales to its container
through its `viewBox`, holds no script, no link to anything outside it and no
`<foreignObject>`, and uses presentation attributes only (no `style`), so a
Content-Security-Policy without 'unsafe-inline' styles still draws it.

Output is deterministic: the same art gives the same string, byte for byte.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Iterator
from decimal import Decimal
from itertools import groupby

from rapport.charts import ChartArt
from rapport.charts.art import Clip, Label, Segments, Shape, VectorArt
from rapport.charts.spec import series_label
from rapport.content.formatting import format_number
from rapport.content.model import Chart, Series
from rapport.labels import labels, status_word

_CAPS = ("butt", "round", "square")  # PDF line caps 0, 1, 2
_JOINS = ("miter", "round", "bevel")  # PDF line joins 0, 1, 2
_PDF_MITER_LIMIT = 10  # PDF's default; SVG's own default (4) would blunt sharp line-chart corners
_MARKERS = ("*", "**", "***")  # as the PDF marks noted numbers in its tables
# Characters XML 1.0 cannot hold at all, not even escaped: left out of the text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def chart_svg(
    art: ChartArt | VectorArt, *, alt: str, font_family: str, id_prefix: str | None = None
) -> str:
    """The chart as one inline `<svg>` element, as wide as its container.

    Ids (of the clip paths) start with `id_prefix`; without one, with a hash of the
    art and alt text, so that two different charts on one page never share an id.
    A page that shows the very same chart twice must pass a prefix of its own.
    """
    vector = art.art if isinstance(art, ChartArt) else art
    prefix = id_prefix if id_prefix is not None else _stable_prefix(vector, alt)
    clips = _ClipIds(prefix, vector.height)
    body = "".join(_items(vector, clips))
    text = _escape(alt)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{text}"'
        f' viewBox="0 0 {number(vector.width)} {number(vector.height)}" width="100%"'
        f' preserveAspectRatio="xMidYMid meet" class="chart">'
        f"<title>{text}</title>"
        f"{clips.definitions()}"
        f'<g font-family="{_escape(font_family)}" stroke-miterlimit="{_PDF_MITER_LIMIT}">'
        f"{body}</g></svg>"
    )


def number(value: float) -> str:
    """A coordinate written short and always the same way: 2 decimals at most, never '-0'."""
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a coordinate")
    written = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if written == "-0" else written


def _stable_prefix(art: VectorArt, alt: str) -> str:
    digest = hashlib.sha256(art.to_json() + alt.encode()).hexdigest()
    return f"chart-{digest[:10]}"


def _escape(text: str) -> str:
    """Text for XML content or a quoted attribute: markup characters and quotes escaped."""
    return html.escape(_NOT_XML.sub("", text), quote=True)


class _ClipIds:
    """One `<clipPath>` per distinct clip rectangle or path, numbered in order of first use."""

    def __init__(self, prefix: str, height: float) -> None:
        self.prefix, self.height = prefix, height
        self.ids: dict[str, str] = {}  # the clip's drawing → its id

    def of(self, drawing: str) -> str:
        if drawing not in self.ids:
            self.ids[drawing] = f"{self.prefix}-clip{len(self.ids) + 1}"
        return self.ids[drawing]

    def rect(self, rect: tuple[float, float, float, float]) -> str:
        x, y, width, height = rect
        top = self.height - y - height  # the rectangle's top edge, in SVG's y-down space
        return self.of(
            f'<rect x="{number(x)}" y="{number(top)}"'
            f' width="{number(width)}" height="{number(height)}"/>'
        )

    def path(self, segments: Segments) -> str:
        return self.of(f'<path d="{path_data(segments, self.height)}"/>')

    def definitions(self) -> str:
        if not self.ids:
            return ""
        paths = "".join(
            f'<clipPath id="{clip_id}">{drawing}</clipPath>'
            for drawing, clip_id in self.ids.items()
        )
        return f"<defs>{paths}</defs>"


def _items(art: VectorArt, clips: _ClipIds) -> Iterator[str]:
    """Every shape and label in drawing order; neighbours cut by the same clip share a group."""
    for clip, run in groupby(art.items, key=lambda item: item.clip):
        drawn = "".join(
            _shape(item, art.height) if isinstance(item, Shape) else _label(item, art.height)
            for item in run
        )
        yield drawn if clip is None else _clipped(drawn, clip, clips)


def _clipped(drawn: str, clip: Clip, clips: _ClipIds) -> str:
    """Groups rather than attributes on the items: a clip is then never turned with a rotated
    label, and a clip of both a rectangle and a path is the two nested (their intersection)."""
    if clip.path is not None:
        drawn = f'<g clip-path="url(#{clips.path(clip.path)})">{drawn}</g>'
    if clip.rect is not None:
        drawn = f'<g clip-path="url(#{clips.rect(clip.rect)})">{drawn}</g>'
    return drawn


def path_data(segments: Segments, height: float) -> str:
    """The `d` of a path: the art's M/L/C/Z operators with every y flipped."""
    parts: list[str] = []
    position = 0
    while position < len(segments):
        operator = str(segments[position])
        count = {"M": 2, "L": 2, "C": 6, "Z": 0}[operator]
        points = [float(p) for p in segments[position + 1 : position + 1 + count]]
        flipped = [p if i % 2 == 0 else height - p for i, p in enumerate(points)]
        parts.append(operator + " ".join(map(number, flipped)))
        position += 1 + count
    return "".join(parts)


def _shape(shape: Shape, height: float) -> str:
    attributes = [f'd="{path_data(shape.segments, height)}"', f'fill="{shape.fill or "none"}"']
    if shape.fill is not None and shape.fill_alpha < 1:
        attributes.append(f'fill-opacity="{number(shape.fill_alpha)}"')
    if shape.stroke is not None:
        attributes.append(f'stroke="{shape.stroke}"')
        attributes += _stroke_attributes(shape)
    return f"<path {' '.join(attributes)}/>"


def _stroke_attributes(shape: Shape) -> list[str]:
    """The pen, leaving out what equals SVG's default (SVG's defaults match PDF's for these)."""
    attributes = []
    if shape.stroke_alpha < 1:
        attributes.append(f'stroke-opacity="{number(shape.stroke_alpha)}"')
    if shape.line_width != 1:
        attributes.append(f'stroke-width="{number(shape.line_width)}"')
    if shape.cap:
        attributes.append(f'stroke-linecap="{_CAPS[shape.cap]}"')
    if shape.join:
        attributes.append(f'stroke-linejoin="{_JOINS[shape.join]}"')
    if shape.dash:
        attributes.append(f'stroke-dasharray="{" ".join(map(number, shape.dash))}"')
        if shape.dash_offset:
            attributes.append(f'stroke-dashoffset="{number(shape.dash_offset)}"')
    return attributes


def _label(label: Label, height: float) -> str:
    x, y = number(label.x), number(height - label.y)
    attributes = [f'x="{x}"', f'y="{y}"', f'font-size="{number(label.size)}"']
    if label.face in ("bold", "bold_italic"):
        attributes.append('font-weight="bold"')
    if label.face in ("italic", "bold_italic"):
        attributes.append('font-style="italic"')
    attributes.append(f'fill="{label.colour}"')
    if label.alpha < 1:
        attributes.append(f'fill-opacity="{number(label.alpha)}"')
    if label.anchor != "start":
        attributes.append(f'text-anchor="{label.anchor}"')
    if number(label.angle) != "0":  # the art turns counter-clockwise with y up: SVG's minus
        attributes.append(f'transform="rotate({number(-label.angle)} {x} {y})"')
    return f"<text {' '.join(attributes)}>{_escape(label.text)}</text>"


# --------------------------------------------------------------------------- the data table


def chart_data_table(chart: Chart, language: str) -> str:
    """The chart's numbers as a table in a closed `<details>`: the data a PDF cannot offer.

    Categories are the rows and series the columns, numbers written as the PDF writes
    them. A series wholly estimated or derived says so in its header, as the chart's
    legend does; single such values get an asterisk and a note under the table, as the
    PDF's tables do. A draft's unfilled value shows what is still to fill in.
    """
    words = labels(language)
    notes = _Notes(language)
    header = "".join(
        f'<th scope="col">{_escape(_series_header(series, language))}</th>'
        for series in chart.series
    )
    rows = "".join(
        f'<tr><th scope="row">{_escape(category)}</th>'
        + "".join(_cell(series, index, language, notes) for series in chart.series)
        + "</tr>"
        for index, category in enumerate(chart.categories)
    )
    caption = chart.title
    if chart.unit:
        caption = words["chart_data_caption"].format(title=chart.title, unit=chart.unit)
    return (
        f'<details class="chart-data"><summary>{_escape(words["chart_data"])}</summary>'
        f"<table><caption>{_escape(caption)}</caption>"
        f"<thead><tr><td></td>{header}</tr></thead><tbody>{rows}</tbody></table>"
        f"{notes.lines()}</details>"
    )


def _wholly_marked(series: Series) -> bool:
    """True when every value of the series is estimated, or every one derived."""
    kinds = set(series.statuses)
    return len(kinds) == 1 and "measured" not in kinds


def _series_header(series: Series, language: str) -> str:
    return series_label(series.name, series.statuses, language)


def _cell(series: Series, index: int, language: str, notes: _Notes) -> str:
    value: Decimal | None = series.values[index] if index < len(series.values) else None
    if value is None:
        facts = series.facts[index : index + 1]
        fact = facts[0] if facts and facts[0] else series.name  # the fact to fill in, by name
        return (
            f'<td class="unfilled">[{_escape(labels(language)["unfilled"])}: {_escape(fact)}]</td>'
        )
    status = series.statuses[index] if index < len(series.statuses) else "measured"
    marker = "" if _wholly_marked(series) else notes.marker(status)
    return f"<td>{_escape(format_number(value, language))}{marker}</td>"


class _Notes:
    """The markers of single estimated or derived values and the lines that explain them."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.markers: dict[str, str] = {}  # status word → marker

    def marker(self, status: str) -> str:
        word = status_word(status, self.language)
        if not word:
            return ""
        if word not in self.markers:
            self.markers[word] = _MARKERS[len(self.markers)]  # two statuses at most
        return self.markers[word]

    def lines(self) -> str:
        return "".join(
            f'<p class="chart-data-note">{marker} {_escape(word)}</p>'
            for word, marker in self.markers.items()
        )
