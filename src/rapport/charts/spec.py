"""Chart specifications as plain data: what gets drawn, hashed and described.

Nothing here imports matplotlib, so a build whose charts are all cached
never loads it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rapport.content.formatting import format_number, format_quantity
from rapport.content.model import Chart, Series

KIND_NAMES = {
    "bar": "Staafdiagram",
    "hbar": "Liggend staafdiagram",
    "grouped": "Gegroepeerd staafdiagram",
    "stacked": "Gestapeld staafdiagram",
    "line": "Lijndiagram",
    "donut": "Ringdiagram",
}
STATUS_WORDS = {"estimated": "schatting", "derived": "afgeleid"}


def chart_spec(chart: Chart, language: str) -> dict[str, Any]:
    """Everything that decides the chart's pixels, as JSON-ready data."""
    if chart.unfilled:  # a draft's chart with facts to fill in is a placeholder, never drawn
        raise ValueError(f"chart '{chart.title}' has facts to fill in: {', '.join(chart.unfilled)}")
    return {
        "kind": chart.kind,
        "title": chart.title,
        "categories": list(chart.categories),
        "series": [
            {"name": s.name, "values": [str(v) for v in numbers(s)], "statuses": list(s.statuses)}
            for s in chart.series
        ],
        "unit": chart.unit,
        "highlight": list(chart.highlight),
        "per_category_scale": chart.per_category_scale,
        "language": language,
    }


def chart_height(
    kind: str, categories: int, series: int, per_category_scale: bool, width: float
) -> float:
    """The height in points of a chart `width` points wide; a placeholder takes the same."""
    if kind == "hbar":
        return 40 + 24 * categories * max(1, series)
    if kind == "donut":
        return width * 0.38
    return width * (0.36 if per_category_scale else 0.42)


def numbers(series: Series) -> tuple[Decimal, ...]:
    """The values of a series whose facts are all filled in (only such a chart is drawn)."""
    values = tuple(v for v in series.values if v is not None)
    if len(values) != len(series.values):
        raise ValueError(f"series '{series.name}' has values still to fill in")
    return values


def series_label(name: str, statuses: tuple[str, ...] | list[str]) -> str:
    """A legend label; a series wholly estimated or derived says so, unless its name does."""
    kinds = set(statuses)
    if len(kinds) == 1 and (kind := next(iter(kinds))) in STATUS_WORDS:
        word = STATUS_WORDS[kind]
        return name if word in re.findall(r"\w+", name.lower()) else f"{name} ({word})"
    return name


def alt_text(chart: Chart, language: str) -> str:
    """A description for readers who cannot see the chart, generated from its data."""
    if chart.alt:
        return chart.alt
    parts = [f"{KIND_NAMES[chart.kind]}: {_lower_first(chart.title)}, {_span(chart.categories)}"]
    if len(chart.series) > 1:
        parts.append(
            "reeksen: " + ", ".join(series_label(s.name, s.statuses) for s in chart.series)
        )
    if chart.kind == "donut":
        series = chart.series[0]
        total = sum(numbers(series), Decimal(0))
        share, category = max(zip(numbers(series), chart.categories, strict=True))
        percent = (share / total * 100).quantize(Decimal(1)) if total else Decimal(0)
        parts.append(f"totaal {format_quantity(total, chart.unit, language)}")
        parts.append(f"grootste deel {category} {format_number(share, language)} ({percent}%)")
    else:
        value, category, series_name = max(
            (v, c, s.name)
            for s in chart.series
            for v, c in zip(numbers(s), chart.categories, strict=True)
        )
        where = f"{category}, {series_name}" if len(chart.series) > 1 else category
        parts.append(f"hoogste {format_quantity(value, chart.unit, language)} ({where})")
    marked = {STATUS_WORDS[st] for s in chart.series for st in s.statuses if st in STATUS_WORDS}
    if marked:
        parts.append("gemarkeerde waarden zijn " + " of ".join(sorted(marked)))
    return "; ".join(parts)


def _span(categories: tuple[str, ...]) -> str:
    if len(categories) > 2 and all(c.isdigit() for c in categories):
        return f"{categories[0]}–{categories[-1]}"
    return ", ".join(categories)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
