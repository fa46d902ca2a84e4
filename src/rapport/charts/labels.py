"""Category labels that fit their place in a chart: wrapped, and shortened when still too long.

matplotlib sets a tick label on one line however long it is, so long
category names overlap their neighbours or run off the chart. Each label is
wrapped to the width of its place (at spaces, then after '-' or '/', a word
too long for a line at any character) and shortened with '…' beyond a
number of lines. The chart's alt text keeps every name whole.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rapport.theme.fonts import font_widths

ELLIPSIS = "…"
Measure = Callable[[str], float]


def measure_with(font: Path, size: float) -> Measure:
    """The width in points of a text set in the TrueType font at `size` points."""
    widths, fallback = font_widths(font)

    def width(text: str) -> float:
        return sum(widths.get(ord(char), fallback) for char in text) * size / 1000

    return width


def fit_label(label: str, room: float, lines: int, width: Measure) -> str:
    """`label` wrapped to lines no wider than `room`, at most `lines` of them."""
    if width(label) <= room:
        return label  # the common case: unchanged, so that such charts stay as they were
    wrapped: list[str] = []
    rest = label.strip()
    while rest and len(wrapped) < lines:
        line, rest = _first_line(rest, room, width)
        wrapped.append(line)
    if rest:
        wrapped[-1] = _shorten(f"{wrapped[-1]} {rest}", room, width)
    return "\n".join(wrapped)


def _first_line(text: str, room: float, width: Measure) -> tuple[str, str]:
    """The longest head of `text` that fits `room`, broken at a space if possible."""
    fitting = 1
    while fitting < len(text) and width(text[: fitting + 1]) <= room:
        fitting += 1
    if fitting >= len(text):
        return text, ""
    head = text[:fitting]
    for marks in (" ", "-/"):
        cut = max(head.rfind(mark) for mark in marks)
        if cut > 0:
            keep = cut if text[cut] == " " else cut + 1
            return text[:keep].rstrip(), text[keep:].lstrip()
    return head, text[fitting:]


def _shorten(text: str, room: float, width: Measure) -> str:
    """`text` cut so that it and an ellipsis fit `room`."""
    while text and width(text.rstrip() + ELLIPSIS) > room:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS
