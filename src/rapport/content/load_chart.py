"""Reading chart blocks: categories, series and their values, checked for a drawable shape."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rapport.content import vocabulary
from rapport.content.model import Block, Chart, ChartKind, Series, Status, as_status
from rapport.content.reader import Reader
from rapport.content.vocabulary import MAX_CATEGORIES, MAX_PANELS, MAX_SERIES
from rapport.content.yamlsource import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    split_by_comma_hint,
)
from rapport.diagnostics import Location, did_you_mean, plural

# A category label over this many characters does not show whole under or beside its
# bars (at most three lines there): the chart shortens it with '…'.
MAX_CATEGORY_CHARACTERS = 80


def _warn_long_categories(reader: Reader, node: Node | None) -> None:
    if not isinstance(node, SequenceNode):
        return
    for item in node.value:
        if isinstance(item, ScalarNode) and len(item.value) > MAX_CATEGORY_CHARACTERS:
            reader.problems.warning(
                reader.at(item),
                f"chart category of {len(item.value)} characters is too long to show whole"
                f" (over {MAX_CATEGORY_CHARACTERS}); the chart shortens it with '…'",
                "shorten the category; say more in the chart's note or caption",
            )


def read_chart(reader: Reader, node: Node, where: Location) -> Block | None:
    fields = reader.fields(node, vocabulary.CHART, "chart")
    if fields is None:
        return None
    errors_before = len(reader.problems.errors)
    kind: ChartKind | None = reader.optional(
        fields, "kind", lambda n, w: reader.choice(n, w, vocabulary.CHART_KINDS), "chart kind"
    )
    categories = reader.labels(fields.get("categories"), "categories")
    _warn_long_categories(reader, fields.get("categories"))
    series = [_read_series(reader, n) for n in reader.list_of(fields, "series")]
    scale = reader.optional(
        fields, "scale", lambda n, w: reader.choice(n, w, vocabulary.SCALES), "scale"
    )
    highlight = reader.labels(fields.get("highlight"), "highlight") if "highlight" in fields else ()
    if (
        len(reader.problems.errors) > errors_before
        or kind is None
        or not categories
        or None in series
    ):
        return None
    chart = Chart(
        kind=kind,
        title=reader.optional(fields, "title", reader.prose, "chart title") or "",
        categories=categories,
        series=tuple(s for s in series if s),
        unit=reader.optional(fields, "unit", reader.text, "unit") or "",
        highlight=highlight,
        per_category_scale=scale == "per-category",
        source=reader.optional(fields, "source", reader.text, "source") or "",
        note=reader.optional(fields, "note", reader.text, "note") or "",
        caption=reader.optional(fields, "caption", reader.rich, "caption"),
        alt=reader.optional(fields, "alt", reader.prose, "alt text") or "",
        location=where,
    )
    return chart if _chart_data_ok(reader, node, chart) else None


def _read_series(reader: Reader, node: Node) -> Series | None:
    fields = reader.fields(node, vocabulary.SERIES, "series")
    if fields is None:
        return None
    name = reader.optional(fields, "name", reader.text, "series name")
    default = reader.optional(
        fields, "status", lambda n, w: reader.choice(n, w, vocabulary.STATUSES), "status"
    )
    points = [
        _read_point(reader, point, default, name or "?")
        for point in reader.list_of(fields, "values")
    ]
    if name is None or any(p is None for p in points):
        return None
    values = [p.value for p in points if p]
    return Series(
        name=name,
        values=tuple(values),
        statuses=tuple(p.status for p in points if p),
        facts=tuple(p.fact for p in points if p),
        location=reader.at(node),
    )


@dataclass(frozen=True)
class _Point:
    value: Decimal | None  # None: the fact is still to fill in
    status: Status
    fact: str | None


def _read_point(reader: Reader, node: Node, default: str | None, series: str) -> _Point | None:
    """A value: a number, a fact ({name}), or either with its own status."""
    what = f"value in series '{series}'"
    status = default
    if isinstance(node, MappingNode) and reader.reference(node) is None:
        fields = reader.fields(node, vocabulary.CHART_POINT, "chart value")
        if fields is None or "value" not in fields:
            return None
        status = (
            reader.optional(
                fields, "status", lambda n, w: reader.choice(n, w, vocabulary.STATUSES), "status"
            )
            or default
        )
        node = fields["value"]
    value, fact = reader.quantity(node, what)
    if value is None and fact is None:
        return None
    # A value taken from a fact carries the fact's status unless the chart says otherwise.
    chosen = status or (fact.status if fact else "measured")
    # No value with a fact: still to fill in (reported once, in facts.yaml); a draft draws
    # the chart as a placeholder, never with a zero in its place.
    return _Point(value, as_status(chosen), fact.name if fact else None)


def _chart_data_ok(reader: Reader, node: Node, chart: Chart) -> bool:
    """Shape of the data: what would draw a wrong or unreadable chart."""
    errors_before = len(reader.problems.errors)
    count = len(chart.categories)
    limit = MAX_PANELS if chart.per_category_scale else MAX_CATEGORIES[chart.kind]
    if count > limit:
        reader.error(
            node,
            f"a {chart.kind} chart shows at most {limit} categories, not {count}",
            "split the data over two charts",
        )
    if len(chart.series) > MAX_SERIES:
        reader.error(node, f"a chart shows at most {MAX_SERIES} series, not {len(chart.series)}")
    if len(set(chart.categories)) != count:
        reader.error(node, "chart categories repeat", "give every category its own name")
    for series, values in zip(chart.series, _values_nodes(node), strict=False):
        where = series.location
        if len(series.values) != count:
            split = reader.source.decimal_comma(values) if values is not None else ""
            reader.problems.error(
                where,
                f"series '{series.name}' has {plural(len(series.values), 'value')} but the chart has {plural(count, 'category', 'categories')}",
                (len(series.values) > count and split_by_comma_hint(split))
                or "give one value per category",
            )
        elif values is not None and (split := reader.source.lone_decimal_comma(values)):
            reader.problems.warning(
                reader.at(values),
                f"values of series '{series.name}' are separated by ', ' but '{split}' has no space:"
                " it is read as two values",
                split_by_comma_hint(split) + "; or add the space if they are two values",
            )
    if chart.kind == "donut":
        _donut_ok(reader, chart)
    for name in chart.highlight:
        if name not in chart.categories:
            reader.error(
                node,
                f"highlight '{name}' is not one of the categories",
                did_you_mean(name, chart.categories),
            )
    return len(reader.problems.errors) == errors_before


def _values_nodes(chart: Node) -> list[Node | None]:
    """The `values` list of each series as written, for what YAML did to it."""
    found: list[Node | None] = []
    series = _value_of(chart, "series")
    for item in series.value if series is not None and isinstance(series.value, list) else []:
        found.append(_value_of(item, "values"))
    return found


def _value_of(node: Node, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    return next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == key), None)


def _donut_ok(reader: Reader, chart: Chart) -> None:
    if len(chart.series) != 1:
        reader.problems.error(
            chart.location, f"a donut chart has exactly one series, not {len(chart.series)}"
        )
    for series in chart.series:
        negative = [
            c
            for c, v in zip(chart.categories, series.values, strict=False)
            if v is not None and v < 0
        ]
        if negative:
            reader.problems.error(
                series.location,
                f"a donut cannot show negative values (series '{series.name}', {', '.join(negative)})",
            )
        elif None not in series.values and not any(series.values):  # unfilled: not yet zero
            reader.problems.error(
                series.location,
                f"a donut cannot show values that are all zero (series '{series.name}')",
            )
