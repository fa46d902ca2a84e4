"""The placeholder of a chart whose facts are still to fill in (a draft of a new edition).

It takes the chart's own size, so that the draft's pages break as the finished
edition's will, and says plainly that the chart is still to come and which
facts it waits for. It never shows a number: an unfilled fact is not a zero.
It is made without matplotlib and never cached: it is cheap, and the chart it
stands for is drawn (and cached) once its facts are filled in.
"""

from __future__ import annotations

from rapport.charts.art import Face, Label, Shape, VectorArt
from rapport.charts.spec import chart_height
from rapport.content.model import Chart
from rapport.labels import labels
from rapport.theme import Theme

# The look of everything a draft still waits for: text, key-figure tiles and charts.
HIGHLIGHT = "#ffe28a"  # behind a placeholder in running text: a highlighter yellow
FILL = "#fff6d6"  # a paler yellow for a whole tile or chart
EDGE = "#c8961e"  # the dashed edge of a tile or chart
INK = "#5c3b00"
MAX_FACT_LINES = 3
AVERAGE_WIDTH = 0.56  # of a Lato character, in ems: enough to wrap a list of fact names

_Line = tuple[str, Face, float, str]  # text, face, size, colour


def placeholder_art(chart: Chart, theme: Theme, width: float, language: str) -> VectorArt:
    """A dashed, pale box of the chart's size: what is missing, never a number."""
    words = labels(language)
    height = chart_height(
        chart.kind, len(chart.categories), len(chart.series), chart.per_category_scale, width
    )
    body = theme.sizes.body
    lines: list[_Line] = [
        (words["chart_unfilled"], "bold", body * 1.5, INK),
    ]
    if chart.title:
        lines.append((chart.title, "regular", body, theme.colours.text.lower()))
    small = theme.sizes.small
    for line in missing_lines(chart.unfilled, words, width - 24, small):
        lines.append((line, "italic", small, theme.colours.muted.lower()))
    return VectorArt(width, height, (_box(width, height), *_centred(lines, width, height)))


def placeholder_alt(chart: Chart, language: str) -> str:
    """'Grafiek nog in te vullen: <title>; in te vullen in facts.yaml: a, b'."""
    words = labels(language)
    title = f"{words['chart_unfilled']}: {chart.title}" if chart.title else words["chart_unfilled"]
    return f"{title}; {words['unfilled_facts'].lower()}: {', '.join(chart.unfilled)}"


def missing_lines(
    facts: tuple[str, ...], words: dict[str, str], width: float, size: float
) -> list[str]:
    """'In te vullen in facts.yaml: a, b, …' wrapped to `width`, at most MAX_FACT_LINES lines."""
    room = max(20, int(width / (size * AVERAGE_WIDTH)))
    lines = [f"{words['unfilled_facts']}:"]
    for index, name in enumerate(facts):
        rest = len(facts) - index
        piece = f"{name}," if rest > 1 else name
        if len(lines[-1]) + 1 + len(piece) <= room:
            lines[-1] += f" {piece}"
        elif len(lines) < MAX_FACT_LINES:
            lines.append(piece)
        else:
            lines[-1] += " " + words["more"].format(count=rest)
            break
    return lines


def _box(width: float, height: float) -> Shape:
    inset = 0.75  # the dashed edge stays inside the chart's area
    right, top = width - inset, height - inset
    return Shape(
        segments=("M", inset, inset, "L", right, inset, "L", right, top, "L", inset, top, "Z"),
        fill=FILL,
        stroke=EDGE,
        line_width=1.5,
        dash=(6.0, 4.0),
    )


def _centred(lines: list[_Line], width: float, height: float) -> list[Label]:
    """The lines centred in the box, each 1.4 times its size below the one before."""
    total = sum(size * 1.4 for _, _, size, _ in lines)
    y = (height + total) / 2
    labels_: list[Label] = []
    for text, face, size, colour in lines:
        y -= size * 1.4
        labels_.append(
            Label(
                x=round(width / 2, 3),
                y=round(y + size * 0.35, 3),
                text=text,
                face=face,
                size=round(size, 3),
                colour=colour,
                anchor="middle",
            )
        )
    return labels_
