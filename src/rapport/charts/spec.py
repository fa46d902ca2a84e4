"""Chart specifications as plain data: what gets drawn, hashed and described.

Nothing here imports matplotlib, so a build whose charts are all cached
never loads it.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from rapport.content.facts import FactError, format_change, percent_change
from rapport.content.formatting import format_number, format_quantity
from rapport.content.model import Chart, Series
from rapport.labels import chart_name, labels, status_word


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


# A chart narrower than this is drawn for a phone (the web edition's narrow art): its
# panels then wrap into rows of panels at least MIN_PANEL wide, as a designer would set
# them on a small screen. The PDF's charts are wider, so one row of panels, as always.
PHONE_WIDTH = 360.0
MIN_PANEL = 120.0


def panel_grid(categories: int, width: float) -> tuple[int, int]:
    """The rows and columns of the panels of a chart with a scale per category."""
    columns = max(categories, 1)
    if width < PHONE_WIDTH:
        columns = max(1, min(columns, int(width // MIN_PANEL)))
    return math.ceil(max(categories, 1) / columns), columns


def chart_height(
    kind: str, categories: int, series: int, per_category_scale: bool, width: float
) -> float:
    """The height in points of a chart `width` points wide; a placeholder takes the same."""
    if kind == "hbar":
        return 40 + 24 * categories * max(1, series)
    if kind == "donut":
        return width * 0.38
    if per_category_scale:
        rows, _ = panel_grid(categories, width)
        return width * 0.36 * rows
    return width * 0.42


def spec_height(spec: dict[str, Any], width: float) -> float:
    """The height in points of the chart of `spec` (chart_spec) drawn `width` points wide."""
    return chart_height(
        spec["kind"],
        len(spec["categories"]),
        len(spec["series"]),
        spec["per_category_scale"],
        width,
    )


def numbers(series: Series) -> tuple[Decimal, ...]:
    """The values of a series whose facts are all filled in (only such a chart is drawn)."""
    values = tuple(v for v in series.values if v is not None)
    if len(values) != len(series.values):
        raise ValueError(f"series '{series.name}' has values still to fill in")
    return values


def series_label(name: str, statuses: tuple[str, ...] | list[str], language: str = "nl-BE") -> str:
    """A legend label; a series wholly estimated or derived says so, unless its name does."""
    kinds = set(statuses)
    if len(kinds) == 1 and (word := status_word(next(iter(kinds)), language)):
        return name if word in re.findall(r"\w+", name.lower()) else f"{name} ({word})"
    return name


def marked_label(name: str, status: str, language: str = "nl-BE") -> str:
    """A category or bar label that says its one value is estimated or derived."""
    return series_label(name, [status], language)


def is_year_comparison(spec: dict[str, Any]) -> bool:
    """Whether the chart's series are years in ascending order, such as 2022 and 2023:
    only then is the change from the first series to the last a growth."""
    names = [s["name"].strip() for s in spec["series"]]
    if len(names) < 2 or not all(re.fullmatch(r"\d{4}", n) for n in names):
        return False
    years = [int(n) for n in names]
    return years == sorted(set(years))


def panel_growth(spec: dict[str, Any]) -> list[str]:
    """Per category, the change in percent from the first series to the last ('+15%',
    '−2,5%'), worked out and rounded as a fact's `:change`; '' where there is none to give:
    the series are no years, or the first value is not above zero."""
    if not is_year_comparison(spec):
        return [""] * len(spec["categories"])
    first, last = spec["series"][0]["values"], spec["series"][-1]["values"]
    return [
        _growth(Decimal(a), Decimal(b), spec["language"]) for a, b in zip(first, last, strict=True)
    ]


def _growth(previous: Decimal, current: Decimal, language: str) -> str:
    if previous <= 0:  # a change from nothing or from below zero is no growth to print
        return ""
    try:
        return format_change(percent_change(current, previous), language)
    except FactError:
        return ""


def alt_text(chart: Chart, language: str) -> str:
    """A description for readers who cannot see the chart, generated from its data."""
    if chart.alt:
        return chart.alt
    words = labels(language)
    kind = chart_name(chart.kind, language)
    parts = [f"{kind}: {_lower_first(chart.title)}, {_span(chart.categories)}"]
    if len(chart.series) > 1:
        names = ", ".join(series_label(s.name, s.statuses, language) for s in chart.series)
        parts.append(words["alt_series"].format(names=names))
    if chart.kind == "donut":
        series = chart.series[0]
        total = sum(numbers(series), Decimal(0))
        share, category = max(zip(numbers(series), chart.categories, strict=True))
        percent = (share / total * 100).quantize(Decimal(1)) if total else Decimal(0)
        parts.append(words["alt_total"].format(total=format_quantity(total, chart.unit, language)))
        largest = format_number(share, language)
        parts.append(words["alt_largest"].format(category=category, value=largest, percent=percent))
    else:
        value, category, series_name = max(
            (v, c, s.name)
            for s in chart.series
            for v, c in zip(numbers(s), chart.categories, strict=True)
        )
        where = f"{category}, {series_name}" if len(chart.series) > 1 else category
        highest = format_quantity(value, chart.unit, language)
        parts.append(words["alt_highest"].format(value=highest, where=where))
    marked = {status_word(st, language) for s in chart.series for st in s.statuses} - {""}
    if marked:
        parts.append(words["alt_marked"].format(statuses=words["alt_or"].join(sorted(marked))))
    return "; ".join(parts)


def _span(categories: tuple[str, ...]) -> str:
    if len(categories) > 2 and all(c.isdigit() for c in categories):
        return f"{categories[0]}–{categories[-1]}"
    return ", ".join(categories)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
