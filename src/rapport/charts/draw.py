"""Drawing charts with matplotlib's object API, in the report's house style.

The house style (fonts, colours, sizes, what an estimate looks like) is set
here and only here. A chart is recorded as vector art with text kept as text,
so labels stay searchable in the PDF and sharp at any zoom.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, cast

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as PlotPath
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import IdentityTransform

from rapport.charts.art import VectorArt
from rapport.charts.labels import Measure, fit_label, measure_with
from rapport.charts.record import record, recording_figure
from rapport.charts.spec import (
    marked_label,
    panel_grid,
    panel_growth,
    series_label,
    spec_height,
)
from rapport.content.formatting import format_number
from rapport.labels import status_word
from rapport.libs import mpl
from rapport.theme import Theme

FONT_FAMILY = "Lato"


@dataclass(frozen=True)
class HouseStyle:
    colours: tuple[str, ...]
    highlight: str
    ink: str
    muted: str
    grid: str
    language: str
    regular: Path  # the fonts that measure labels as matplotlib will set them
    bold: Path
    marked: list[tuple[Axes, Any, str]] = field(
        default_factory=list
    )  # patches to hatch once laid out

    def tint(self, colour: str, amount: float = 0.55) -> tuple[float, float, float]:
        """The colour mixed with white: the fill of estimated and derived values."""
        r, g, b = to_rgb(colour)
        return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def house_style(theme: Theme, language: str) -> HouseStyle:
    c = theme.colours
    return HouseStyle(
        colours=(c.primary, c.accent, c.primary_dark, c.muted, "#8FB8BE", "#B5651D"),
        highlight=c.accent,
        ink=c.text,
        muted=c.muted,
        grid=c.rule,
        language=language,
        regular=theme.font_path("regular"),
        bold=theme.font_path("bold"),
    )


_registered: set[Path] = set()


def _register_fonts(theme: Theme) -> None:
    """Charts measure their text with the project's own font files, never a system copy.

    A machine with another version of the family installed would otherwise
    place chart labels differently, and an archived edition would not rebuild
    to the same bytes there.
    """
    paths = {theme.font_path(face) for face in ("regular", "bold", "italic")}
    if paths <= _registered:
        return
    for path in sorted(paths - _registered):
        font_manager.fontManager.addfont(str(path))
        _registered.add(path)
    ours = {str(path) for path in paths}
    manager = font_manager.fontManager
    manager.ttflist = [
        entry for entry in manager.ttflist if entry.name != FONT_FAMILY or entry.fname in ours
    ]
    mpl.forget_font_choices()


@contextmanager
def _rc(theme: Theme) -> Iterator[None]:
    _register_fonts(theme)
    size = theme.sizes.small
    with matplotlib.rc_context(
        {
            "text.parse_math": False,
            "font.family": FONT_FAMILY,
            "font.size": size,
            "axes.titlesize": size * 1.05,
            "axes.titleweight": "bold",
            "axes.labelsize": size,
            "xtick.labelsize": size,
            "ytick.labelsize": size,
            "legend.fontsize": size,
            "axes.edgecolor": theme.colours.rule,
            "axes.labelcolor": theme.colours.text,
            "text.color": theme.colours.text,
            "xtick.color": theme.colours.muted,
            "ytick.color": theme.colours.muted,
            "hatch.linewidth": 0.8,
        }
    ):
        yield


def render_art(spec: dict[str, Any], theme: Theme, width_pt: float) -> VectorArt:
    """Draw one chart spec as vector art of the given width in points."""
    style = house_style(theme, spec["language"])
    with _rc(theme):
        figure = recording_figure(width_pt, spec_height(spec, width_pt))
        DRAWERS[spec["kind"]](figure, spec, style)
        _hatch(style)
        return record(figure)


# -- pieces ---------------------------------------------------------------------

# Wrapped category labels take at most this many lines; beyond, they end in '…'.
LABEL_LINES = {"below": 3, "beside": 2}
LABEL_GAP = 6.0  # points between the labels of neighbouring categories

# Bars take a share of their category's slot, as a designer would set them: a lone bar
# 0.6 of it; the bars of a group together a little more, with a small gap between them.
SINGLE_BAR = 0.6
GROUP = 0.72
GROUP_GAP = 0.1  # of each bar's share of its group

# The hatch of estimated and derived values, in points: lines far enough apart and thick
# enough to read as a hatch on a screen at 100% (1 pt = 1 pixel), not as a grey moiré.
HATCH_SPACING = 4.5  # between neighbouring lines, measured across them
HATCH_LINE = 0.9


def bar_geometry(count: int) -> tuple[float, list[float]]:
    """The width of each of `count` bars in a category's slot of width 1, and their
    centres' offsets from the slot's middle."""
    if count <= 1:
        return SINGLE_BAR, [0.0]
    share = GROUP / count
    return share * (1 - GROUP_GAP), [(i - (count - 1) / 2) * share for i in range(count)]


def _measure(style: HouseStyle, *, bold: bool = False, scale: float = 1.0) -> Measure:
    size = matplotlib.rcParams["font.size"] * scale
    return measure_with(style.bold if bold else style.regular, size)


def _fit_below(figure: Figure, categories: list[str], style: HouseStyle) -> list[str]:
    """Labels under a row of categories: each within its share of the chart's width."""
    room = figure.get_figwidth() * 72 * 0.8 / max(len(categories), 1) - LABEL_GAP
    width = _measure(style)
    return [fit_label(c, room, LABEL_LINES["below"], width) for c in categories]


def _end_margin(figure: Figure, ticks: list[str], style: HouseStyle) -> float:
    """The line chart's side margin: the usual one when the first and last labels, centred
    under their points, fit in it; else each point in the middle of an equal slot, as the
    bars of a bar chart, so that every label has its slot's width."""
    width = _measure(style)
    half = max(width(line) for tick in (ticks[0], ticks[-1]) for line in tick.split("\n")) / 2
    if half + LABEL_GAP <= 0.06 / 1.12 * figure.get_figwidth() * 72 * 0.8:
        return 0.06
    return 0.5 / max(len(ticks) - 1, 1)


def _fit_beside(figure: Figure, categories: list[str], style: HouseStyle) -> list[str]:
    """Labels left of horizontal bars: at most two fifths of the chart's width."""
    room = figure.get_figwidth() * 72 * 0.4
    width = _measure(style)
    return [fit_label(c, room, LABEL_LINES["beside"], width) for c in categories]


def _values(series: dict[str, Any]) -> list[float]:
    return [float(Decimal(v)) for v in series["values"]]


def _label(value: float, style: HouseStyle) -> str:
    return format_number(
        Decimal(str(value)).normalize() if value % 1 else int(value), style.language
    )


def _axis_formatter(style: HouseStyle) -> FuncFormatter:
    return FuncFormatter(lambda value, _pos: _label(round(value, 2), style))


def _clean(
    axes: Axes, style: HouseStyle, *, value_axis: Literal["x", "y"] = "y", grid: bool = False
) -> None:
    for side in ("top", "right", "left" if value_axis == "y" else "bottom"):
        axes.spines[side].set_visible(False)
    axes.tick_params(length=0)
    if grid:
        axes.grid(axis=value_axis, color=style.grid, linewidth=0.6)
        axes.set_axisbelow(True)
    else:
        (axes.set_yticks if value_axis == "y" else axes.set_xticks)([])


def _series_colour(spec: dict[str, Any], index: int, style: HouseStyle) -> str:
    """A series wholly estimated or derived takes the colour of the measured series it
    stands beside, so that the pair reads as one quantity in two states."""
    measured = [i for i, s in enumerate(spec["series"]) if "measured" in s["statuses"]]
    position = measured.index(index) if index in measured else (0 if measured else index)
    return style.colours[position % len(style.colours)]


def _bar_colours(spec: dict[str, Any], series_index: int, style: HouseStyle) -> list[str]:
    base = _series_colour(spec, series_index, style)
    if len(spec["series"]) == 1 and spec["highlight"]:
        return [style.highlight if c in spec["highlight"] else base for c in spec["categories"]]
    return [base] * len(spec["categories"])


def _mark_bars(bars: Any, statuses: list[str], colours: list[str], style: HouseStyle) -> None:
    """Estimated and derived values: a pale, hatched shape with the series' colour as outline."""
    for bar, status, colour in zip(bars, statuses, colours, strict=True):
        if status != "measured":
            bar.set_facecolor(style.tint(colour, 0.7))
            bar.set_edgecolor(colour)
            bar.set_linewidth(0.8)
            style.marked.append((bar.axes, bar, colour))


def _hatch(style: HouseStyle, spacing: float = HATCH_SPACING) -> None:
    """Diagonal lines clipped to each marked shape.

    Drawn as lines rather than a hatch pattern: plain strokes look the same in
    every PDF viewer and printer, at any zoom.
    """
    step = spacing * math.sqrt(2)  # along the shape's edge, for lines `spacing` apart at 45°
    for axes, patch, colour in style.marked:
        box = patch.get_window_extent()
        vertices: list[tuple[float, float]] = []
        x = box.x0 - box.height
        while x < box.x1:
            vertices += [(x, box.y0), (x + box.height, box.y1)]
            x += step
        codes = [PlotPath.MOVETO, PlotPath.LINETO] * (len(vertices) // 2)
        lines = PathPatch(
            PlotPath(vertices, codes),
            transform=IdentityTransform(),
            fill=False,
            edgecolor=colour,
            linewidth=HATCH_LINE,
        )
        axes.add_artist(lines)
        lines.set_clip_path(patch)  # after add_artist, which would clip to the axes instead


def _legend(
    figure: Figure, spec: dict[str, Any], handles: list[Any], named: Collection[str] = ()
) -> bool:
    """A legend under the chart when it has several series, naming only those its axes do
    not name already (`named`: the axis labels). Whether one was drawn."""
    if len(spec["series"]) <= 1:
        return False
    language = spec["language"]
    entries = [
        (handle, series_label(s["name"], s["statuses"], language))
        for handle, s in zip(handles, spec["series"], strict=True)
        if s["name"].strip().casefold() not in {n.strip().casefold() for n in named}
    ]
    if not entries:
        return False
    figure.legend(
        [handle for handle, _ in entries],
        [label for _, label in entries],
        loc="lower center",
        ncols=len(entries),
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    return True


def _category_labels(spec: dict[str, Any], categories: list[str], indices: list[int]) -> list[str]:
    """A single series' category labels; a value estimated or derived says so in its label,
    as there is no legend to say it."""
    if len(spec["series"]) != 1:
        return categories
    statuses = spec["series"][0]["statuses"]
    return [
        marked_label(c, statuses[i], spec["language"]) if c else c
        for c, i in zip(categories, indices, strict=True)
    ]


def _bars(
    axes: Axes,
    spec: dict[str, Any],
    style: HouseStyle,
    categories: list[str],
    indices: list[int],
    *,
    horizontal: bool = False,
) -> list[Any]:
    """Bars for each series side by side (grouped when there are several)."""
    width, offsets = bar_geometry(len(spec["series"]))
    handles = []
    for index, series in enumerate(spec["series"]):
        values = [_values(series)[i] for i in indices]
        statuses = [series["statuses"][i] for i in indices]
        colours = [_bar_colours(spec, index, style)[i] for i in indices]
        positions = [p + offsets[index] for p in range(len(indices))]
        draw = axes.barh if horizontal else axes.bar
        bars = draw(positions, values, width, color=colours)
        _mark_bars(bars, statuses, colours, style)
        suffix = "%" if spec["unit"] == "%" else ""  # other units are named in the title
        labels = [_label(v, style) + suffix for v in values]
        axes.bar_label(
            bars,
            labels=labels,
            padding=2,
            fontsize=matplotlib.rcParams["font.size"] * 0.95,
            color=style.ink,
        )
        handles.append(bars)
    ticks = list(range(len(indices)))
    categories = _category_labels(spec, categories, indices)
    if horizontal:
        axes.set_yticks(ticks, _fit_beside(cast(Figure, axes.figure), categories, style))
        axes.invert_yaxis()
        axes.margins(x=0.14)
    else:
        axes.set_xticks(ticks, _fit_below(cast(Figure, axes.figure), categories, style))
        axes.margins(y=0.16)
    return handles


# -- kinds ----------------------------------------------------------------------


def _draw_bar(figure: Figure, spec: dict[str, Any], style: HouseStyle) -> None:
    if spec["per_category_scale"]:
        _draw_panels(figure, spec, style)
        return
    horizontal = spec["kind"] == "hbar"
    axes = figure.add_subplot()
    indices = list(range(len(spec["categories"])))
    handles = _bars(axes, spec, style, spec["categories"], indices, horizontal=horizontal)
    _clean(axes, style, value_axis="x" if horizontal else "y")
    legend = _legend(figure, spec, handles)
    figure.tight_layout(rect=(0, 0.08 if legend else 0, 1, 1))


def _draw_panels(figure: Figure, spec: dict[str, Any], style: HouseStyle) -> None:
    """One small panel per category, each with its own scale, series side by side.

    Each bar is named under it, so the panels need no legend; when the series are
    years, each panel's title gives the growth from the first year to the last."""
    categories = spec["categories"]
    rows, columns = panel_grid(len(categories), figure.get_figwidth() * 72)
    grid = list(figure.subplots(rows, columns, squeeze=False).flat)
    axes_row = grid[: len(categories)]
    for spare in grid[len(categories) :]:  # a last row not full: no empty frames
        spare.remove()
    handles: list[Any] = []
    _, offsets = bar_geometry(len(spec["series"]))
    panel = figure.get_figwidth() * 72 / columns
    growth = panel_growth(spec)
    for index, (axes, category) in enumerate(zip(axes_row, categories, strict=True)):
        handles = _bars(axes, spec, style, [""], [index])
        room = panel * GROUP / len(offsets) - LABEL_GAP / 2
        ticks = [fit_label(s["name"], room, 2, _measure(style)) for s in spec["series"]]
        axes.set_xticks(offsets, ticks)
        axes.set_xlim(-0.5, 0.5)  # the group takes its share of the panel, as in a bar chart
        heading = f"{category} {growth[index]}".strip()
        title = fit_label(heading, panel - LABEL_GAP, 2, _measure(style, bold=True, scale=1.05))
        axes.set_title(title, color=style.ink)
        _clean(axes, style)
    legend = _status_key(figure, spec, handles)
    figure.tight_layout(rect=(0, 0.1 if legend else 0, 1, 1), w_pad=1.5)


def _status_key(figure: Figure, spec: dict[str, Any], handles: list[Any]) -> bool:
    """Under panels whose bars name their series: a key to the look of estimated and
    derived values only ('afgeleid'), so that no entry repeats a bar's label."""
    entries: dict[str, Any] = {}
    for handle, series in zip(handles, spec["series"], strict=True):
        # the handles are the last panel's bars: each shows the look of its last value
        word = status_word(series["statuses"][-1], spec["language"])
        if word and word not in entries:
            entries[word] = handle
    if not entries:
        return False
    figure.legend(
        list(entries.values()),
        list(entries),
        loc="lower center",
        ncols=len(entries),
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    return True


def _draw_stacked(figure: Figure, spec: dict[str, Any], style: HouseStyle) -> None:
    axes = figure.add_subplot()
    bottoms = [0.0] * len(spec["categories"])
    handles = []
    for index, series in enumerate(spec["series"]):
        values = _values(series)
        colour = _series_colour(spec, index, style)
        bars = axes.bar(spec["categories"], values, 0.6, bottom=bottoms, color=colour)
        _mark_bars(bars, series["statuses"], [colour] * len(values), style)
        axes.bar_label(
            bars,
            labels=[_label(v, style) if v else "" for v in values],
            label_type="center",
            color="white",
            fontsize=matplotlib.rcParams["font.size"] * 0.9,
        )
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        handles.append(bars)
    totals = axes.bar(spec["categories"], [0] * len(bottoms), bottom=bottoms, color="none")
    axes.bar_label(
        totals,
        labels=[_label(t, style) for t in bottoms],
        padding=3,
        fontweight="bold",
        color=style.ink,
    )
    axes.set_xticks(range(len(bottoms)), _fit_below(figure, spec["categories"], style))
    axes.margins(y=0.12)
    _clean(axes, style)
    legend = _legend(figure, spec, handles)
    figure.tight_layout(rect=(0, 0.08 if legend else 0, 1, 1))


def _draw_line(figure: Figure, spec: dict[str, Any], style: HouseStyle) -> None:
    axes = figure.add_subplot()
    handles = []
    positions = list(range(len(spec["categories"])))
    for index, series in enumerate(spec["series"]):
        values = _values(series)
        colour = _series_colour(spec, index, style)
        estimated = all(st != "measured" for st in series["statuses"])
        (line,) = axes.plot(
            positions,
            values,
            color=colour,
            linewidth=2,
            linestyle="--" if estimated else "-",
            marker="o",
            markersize=4,
        )
        for x, y, status in zip(positions, values, series["statuses"], strict=True):
            if status != "measured":
                axes.plot(
                    [x],
                    [y],
                    marker="o",
                    markersize=6,
                    markerfacecolor="white",
                    markeredgecolor=colour,
                )
        axes.annotate(
            _label(values[-1], style),
            (positions[-1], values[-1]),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            color=colour,
            fontweight="bold",
        )
        handles.append(line)
    ticks = _fit_below(figure, spec["categories"], style)
    axes.set_xticks(positions, ticks)
    axes.yaxis.set_major_formatter(_axis_formatter(style))
    axes.set_ylim(bottom=0)
    axes.margins(x=_end_margin(figure, ticks, style))
    _clean(axes, style, grid=True)
    if spec["unit"]:
        axes.set_ylabel(spec["unit"], color=style.muted)
    legend = _legend(figure, spec, handles, named={spec["unit"]})
    figure.tight_layout(rect=(0, 0.08 if legend else 0, 1, 1))


def _draw_donut(figure: Figure, spec: dict[str, Any], style: HouseStyle) -> None:
    series = spec["series"][0]
    values = _values(series)
    axes = figure.add_subplot()
    colours = [style.colours[i % len(style.colours)] for i in range(len(values))]
    wedges, _ = axes.pie(
        values,
        colors=colours,
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.36, "edgecolor": "white", "linewidth": 1.5},
    )
    _mark_bars(wedges, series["statuses"], colours, style)
    total = sum(values)
    axes.text(
        0,
        0.06,
        _label(total, style),
        ha="center",
        va="center",
        fontsize=matplotlib.rcParams["font.size"] * 1.9,
        fontweight="bold",
        color=style.ink,
    )
    if spec["unit"]:
        axes.text(0, -0.16, spec["unit"], ha="center", va="center", color=style.muted)
    room = figure.get_figwidth() * 72 * 0.44
    lines = 2 if len(values) <= 4 else 1
    labels = [
        f"{fit_label(category, room * 0.6, lines, _measure(style))}: {_label(value, style)} ({format_number(Decimal(round(value / total * 100)), style.language)}%)"
        + (
            " – " + series_label("", [status], style.language).strip(" ()")
            if status != "measured"
            else ""
        )
        for category, value, status in zip(
            spec["categories"], values, series["statuses"], strict=True
        )
    ]
    axes.legend(wedges, labels, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    axes.set_aspect("equal")
    figure.subplots_adjust(left=0.02, right=0.5, top=0.96, bottom=0.04)


DRAWERS: dict[str, Callable[[Figure, dict[str, Any], HouseStyle], None]] = {
    "bar": _draw_bar,
    "hbar": _draw_bar,
    "grouped": _draw_bar,
    "stacked": _draw_stacked,
    "line": _draw_line,
    "donut": _draw_donut,
}
