"""Stage 1, load: an edition folder of YAML files becomes a frozen `Edition`.

Every problem of every file is collected; the stage fails once, at the end.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from . import schema
from .diagnostics import Location, Problems, did_you_mean, plural
from .inline import InlineSyntaxError, parse_inline
from .model import (
    Alignment,
    Block,
    BulletItem,
    Bullets,
    Callout,
    Chapter,
    Chart,
    Edition,
    Image,
    KeyFigure,
    KeyFigures,
    Paragraph,
    Quote,
    Ranking,
    RankItem,
    RichText,
    Section,
    Series,
    Status,
    Table,
)
from .yamlsource import NULL_TAG, MappingNode, Node, ScalarNode, SequenceNode, YamlFile, read_yaml

log = logging.getLogger(__name__)

EDITION_FILE = "edition.yaml"
CHAPTER_FILE = re.compile(r"^\d{2}-[\w-]+\.ya?ml$")
_PLAIN_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")
_GROUPED_NUMBER = re.compile(r"^-?[1-9]\d{0,2}([.,]\d{3})+$")
MAX_MAGNITUDE = Decimal(10) ** 15

T = TypeVar("T")
Fields = dict[str, Node]


class _Reader:
    """Turns the nodes of one file into model values, recording problems."""

    def __init__(self, source: YamlFile, problems: Problems) -> None:
        self.source = source
        self.problems = problems

    def at(self, node: Node) -> Location:
        return self.source.location(node)

    def error(self, node: Node, message: str, hint: str = "") -> None:
        self.problems.error(self.at(node), message, hint)

    # -- structure -------------------------------------------------------

    def fields(self, node: Node, definition: dict[str, Any], what: str) -> Fields | None:
        """The keys of a mapping, checked against a schema definition."""
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} must be a set of 'key: value' lines, not {_describe(node)}")
            return None
        known, required = schema.keys_of(definition)
        found: Fields = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else "?"
            if key in first_line:
                self.error(
                    key_node,
                    f"duplicate key '{key}' in {what}",
                    f"the first '{key}' is at line {first_line[key]}; keep one of them",
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            if key not in known:
                hint = did_you_mean(key, known) or f"known keys: {', '.join(known)}"
                self.error(key_node, f"unknown key '{key}' in {what}", hint)
                continue
            found[key] = value_node
        for key in required:
            if key not in found:
                self.error(node, f"{what} lacks the required key '{key}'", f"add '{key}: …'")
        return found

    def items(self, node: Node, what: str) -> list[Node]:
        if isinstance(node, SequenceNode):
            if not node.value:
                self.error(
                    node, f"{what} is empty", "add at least one item, each starting with '- '"
                )
            return list(node.value)
        self.error(node, f"{what} must be a list (lines starting with '- '), not {_describe(node)}")
        return []

    # -- scalars ---------------------------------------------------------

    def text(self, node: Node, what: str) -> str | None:
        if not isinstance(node, ScalarNode):
            self.error(node, f"{what} must be text, not {_describe(node)}", _quote_hint(node))
            return None
        if node.tag == NULL_TAG and node.style is None:
            self.error(node, f"{what} is empty", "write a value after the colon")
            return None
        raw = unicodedata.normalize("NFC", node.value).replace("\u2010", "-")
        value = " ".join(raw.split()) if node.style in (None, "'", '"', ">") else raw.strip()
        if not value:
            self.error(node, f"{what} is empty", "write a value after the colon")
            return None
        return value

    def rich(self, node: Node, what: str) -> RichText | None:
        value = self.text(node, what)
        if value is None:
            return None
        try:
            spans = parse_inline(value)
        except InlineSyntaxError as exc:
            self.error(node, f"failed to read {what} ({exc.message})", exc.hint)
            return None
        return RichText(spans=spans, location=self.at(node))

    def number(self, node: Node, what: str) -> Decimal | None:
        raw = self.text(node, what)
        if raw is None:
            return None
        compact = raw.replace("_", "")
        if _GROUPED_NUMBER.match(compact):
            self.error(
                node,
                f"{what} '{raw}' is ambiguous (a thousands separator or a decimal point?)",
                f"write the number without separators, e.g. {re.sub(r'[.,]', '', compact)}",
            )
            return None
        if not _PLAIN_NUMBER.match(compact):
            self.error(
                node, f"{what} '{raw}' is not a number", "write digits only, e.g. 1852354 or 6.5"
            )
            return None
        try:
            value = Decimal(compact.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            self.error(node, f"{what} '{raw}' is not a number")
            return None
        if abs(value) >= MAX_MAGNITUDE:
            self.error(
                node,
                f"{what} '{raw}' is too large",
                "numbers in a report stay below a million billion",
            )
            return None
        return value

    def integer(self, node: Node, what: str, low: int, high: int) -> int | None:
        raw = self.text(node, what)
        if raw is None:
            return None
        if not re.fullmatch(r"\d+", raw) or not low <= int(raw) <= high:
            self.error(node, f"{what} '{raw}' must be a whole number from {low} to {high}")
            return None
        return int(raw)

    def date(self, node: Node, what: str) -> dt.date | None:
        raw = self.text(node, what)
        if raw is None:
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
        self.error(node, f"{what} '{raw}' is not a date", "write it as YYYY-MM-DD, e.g. 2024-03-20")
        return None

    def optional(
        self, fields: Fields, key: str, read: Callable[[Node, str], T | None], what: str
    ) -> T | None:
        node = fields.get(key)
        return None if node is None else read(node, what)


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a set of keys"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the value '{node.value}'"


def _quote_hint(node: Node) -> str:
    if isinstance(node, MappingNode) and len(node.value) == 1:
        return "a text containing ': ' must be put between quotes"
    return ""


# -- blocks ------------------------------------------------------------------


def _read_block(reader: _Reader, node: Node) -> Block | None:
    if not isinstance(node, MappingNode) or len(node.value) != 1:
        reader.error(
            node,
            "a block must have exactly one kind",
            f"start it with one of: {', '.join(schema.BLOCK_KINDS)}",
        )
        return None
    key_node, body = node.value[0]
    kind = key_node.value
    readers: dict[str, Callable[[_Reader, Node, Location], Block | None]] = {
        "paragraph": _read_paragraph,
        "bullets": _read_bullets,
        "figures": _read_figures,
        "ranking": _read_ranking,
        "table": _read_table,
        "image": _read_image,
        "callout": _read_callout,
        "quote": _read_quote,
        "chart": _read_chart,
    }
    read = readers.get(kind)
    if read is None:
        hint = did_you_mean(kind, readers) or f"block kinds: {', '.join(readers)}"
        reader.error(key_node, f"unknown block kind '{kind}'", hint)
        return None
    return read(reader, body, reader.at(key_node))


def _read_paragraph(reader: _Reader, node: Node, where: Location) -> Block | None:
    text = reader.rich(node, "paragraph")
    return Paragraph(text=text, location=where) if text else None


def _read_bullets(reader: _Reader, node: Node, where: Location) -> Block | None:
    items = [_read_bullet_item(reader, item, 1) for item in reader.items(node, "bullet list")]
    if not items or None in items:
        return None
    return Bullets(items=tuple(i for i in items if i), location=where)


MAX_BULLET_DEPTH = 3


def _read_bullet_item(reader: _Reader, node: Node, depth: int) -> BulletItem | None:
    if depth > MAX_BULLET_DEPTH:
        reader.error(
            node, f"bullets nest more than {MAX_BULLET_DEPTH} levels deep", "flatten the list"
        )
        return None
    if isinstance(node, ScalarNode):
        text = reader.rich(node, "bullet item")
        return BulletItem(text=text, location=reader.at(node)) if text else None
    if (
        isinstance(node, MappingNode)
        and len(node.value) == 1
        and node.value[0][0].value
        not in (
            "text",
            "term",
            "items",
        )
    ):
        return _read_shorthand_item(reader, node, depth)
    fields = reader.fields(node, schema.definition("bulletItem")["anyOf"][1], "bullet item")
    if fields is None:
        return None
    text = reader.optional(fields, "text", reader.rich, "bullet text")
    term = reader.optional(fields, "term", reader.rich, "bullet term")
    children = _read_children(reader, fields.get("items"), depth)
    if text is None or children is None or ("term" in fields and term is None):
        return None
    return BulletItem(text=text, term=term, children=children, location=reader.at(node))


def _read_shorthand_item(reader: _Reader, node: MappingNode, depth: int) -> BulletItem | None:
    """`- 1 maart: Hoegaarden` is a term item; `- Text:` with a nested list is a parent item."""
    key_node, value_node = node.value[0]
    head = reader.rich(key_node, "bullet item")
    if isinstance(value_node, SequenceNode):
        children = _read_children(reader, value_node, depth)
        if head is None or children is None:
            return None
        return BulletItem(text=head, children=children, location=reader.at(node))
    text = reader.rich(value_node, "bullet text")
    if head is None or text is None:
        return None
    return BulletItem(text=text, term=head, location=reader.at(node))


def _read_children(reader: _Reader, node: Node | None, depth: int) -> tuple[BulletItem, ...] | None:
    if node is None:
        return ()
    children = [
        _read_bullet_item(reader, child, depth + 1) for child in reader.items(node, "nested list")
    ]
    if None in children:
        return None
    return tuple(c for c in children if c)


def _read_figures(reader: _Reader, node: Node, where: Location) -> Block | None:
    body = schema.block_body("figures")
    nodes = reader.items(node, "key figures")
    if nodes and not body["minItems"] <= len(nodes) <= body["maxItems"]:
        reader.error(
            node,
            f"a key-figure row has {plural(len(nodes), 'tile')}; it takes {body['minItems']} to {body['maxItems']}",
            "split the figures over two rows, or add one",
        )
    tiles = [_read_tile(reader, tile, body["items"]) for tile in nodes]
    if not tiles or None in tiles:
        return None
    return KeyFigures(tiles=tuple(t for t in tiles if t), location=where)


def _read_tile(reader: _Reader, node: Node, definition: dict[str, Any]) -> KeyFigure | None:
    fields = reader.fields(node, definition, "key figure")
    if fields is None:
        return None
    value = reader.optional(fields, "value", reader.number, "key-figure value")
    label = reader.optional(fields, "label", reader.text, "key-figure label")
    unit = reader.optional(fields, "unit", reader.text, "key-figure unit") or ""
    if value is None or label is None:
        return None
    return KeyFigure(value=value, label=label, unit=unit, location=reader.at(node))


def _read_ranking(reader: _Reader, node: Node, where: Location) -> Block | None:
    body = schema.block_body("ranking")
    fields = reader.fields(node, body, "ranking")
    if fields is None:
        return None
    title = reader.optional(fields, "title", reader.text, "ranking title")
    nodes = reader.items(fields["items"], "ranking items") if "items" in fields else []
    entries = [
        _read_rank_item(reader, item, n, body["properties"]["items"]["items"])
        for n, item in enumerate(nodes, 1)
    ]
    if title is None or not entries or None in entries:
        return None
    return Ranking(title=title, items=tuple(e for e in entries if e), location=where)


def _read_rank_item(
    reader: _Reader, node: Node, position: int, definition: dict[str, Any]
) -> RankItem | None:
    fields = reader.fields(node, definition, "ranking item")
    if fields is None:
        return None
    rank = reader.optional(fields, "rank", lambda n, w: reader.integer(n, w, 1, 999), "rank")
    title = reader.optional(fields, "title", reader.text, "ranking title")
    creator = reader.optional(fields, "creator", reader.text, "creator")
    note = reader.optional(fields, "note", reader.rich, "ranking note")
    if title is None or creator is None or ("rank" in fields and rank is None):
        return None
    return RankItem(
        rank=rank or position, title=title, creator=creator, note=note, location=reader.at(node)
    )


def _read_table(reader: _Reader, node: Node, where: Location) -> Block | None:
    fields = reader.fields(node, schema.block_body("table"), "table")
    if fields is None:
        return None
    errors_before = len(reader.problems.errors)
    caption = reader.optional(fields, "caption", reader.text, "table caption") or ""
    columns = (
        [reader.text(c, "column title") for c in reader.items(fields["columns"], "columns")]
        if "columns" in fields
        else []
    )
    rows: list[tuple[RichText, ...]] = []
    for row_node in reader.items(fields["rows"], "rows") if "rows" in fields else []:
        cells = [reader.rich(cell, "table cell") for cell in reader.items(row_node, "table row")]
        if isinstance(row_node, SequenceNode) and len(cells) != len(columns):
            reader.error(
                row_node,
                f"table row has {plural(len(cells), 'cell')} but the table has {plural(len(columns), 'column')}",
            )
        rows.append(tuple(c for c in cells if c))
    align = _read_alignment(reader, fields.get("align"), len(columns))
    if len(reader.problems.errors) > errors_before or not columns or not rows or align is None:
        return None
    return Table(
        caption=caption,
        columns=tuple(c for c in columns if c),
        rows=tuple(rows),
        align=align,
        location=where,
    )


def _read_alignment(reader: _Reader, node: Node | None, count: int) -> tuple[Alignment, ...] | None:
    if node is None:
        left: tuple[Alignment, ...] = ("left",)
        right: tuple[Alignment, ...] = ("right",)
        return left + right * (count - 1) if count else ()
    values = [reader.text(n, "alignment") for n in reader.items(node, "align")]
    choices: tuple[Alignment, ...] = ("left", "center", "right")
    result: list[Alignment] = []
    for value_node, value in zip(node.value, values, strict=False):
        match = next((c for c in choices if c == value), None)
        if match is None:
            reader.error(
                value_node, f"alignment '{value}' is unknown", "write left, center or right"
            )
            return None
        result.append(match)
    if len(result) != count:
        reader.error(node, f"align names {len(result)} columns but the table has {count}")
        return None
    return tuple(result)


def _read_image(reader: _Reader, node: Node, where: Location) -> Block | None:
    fields = reader.fields(node, schema.block_body("image"), "image")
    if fields is None:
        return None
    file = reader.optional(fields, "file", reader.text, "image file")
    alt = reader.optional(fields, "alt", reader.text, "alt text")
    caption = reader.optional(fields, "caption", reader.rich, "image caption")
    width_text = reader.optional(fields, "width", reader.text, "image width") or "100%"
    width = _percentage(reader, fields.get("width"), width_text)
    if file is None or alt is None or width is None:
        return None
    return Image(path=Path(file), alt=alt, caption=caption, width=width, location=where)


def _percentage(reader: _Reader, node: Node | None, text: str) -> float | None:
    match = re.fullmatch(r"(\d{1,3})%", text)
    if not match or not 10 <= int(match.group(1)) <= 100:
        if node is not None:
            reader.error(node, f"image width '{text}' must be a percentage from 10% to 100%")
        return None
    return int(match.group(1)) / 100


def _read_callout(reader: _Reader, node: Node, where: Location) -> Block | None:
    fields = reader.fields(node, schema.block_body("callout"), "callout")
    if fields is None:
        return None
    title = reader.optional(fields, "title", reader.text, "callout title") or ""
    text = reader.optional(fields, "text", reader.rich, "callout text")
    return Callout(title=title, text=text, location=where) if text else None


def _read_quote(reader: _Reader, node: Node, where: Location) -> Block | None:
    fields = reader.fields(node, schema.block_body("quote"), "quote")
    if fields is None:
        return None
    text = reader.optional(fields, "text", reader.rich, "quote")
    source = reader.optional(fields, "source", reader.text, "quote source") or ""
    return Quote(text=text, source=source, location=where) if text else None


MAX_CATEGORIES = {"bar": 16, "hbar": 20, "grouped": 12, "stacked": 16, "line": 24, "donut": 8}
MAX_SERIES = 6
MAX_PANELS = 6


def _read_chart(reader: _Reader, node: Node, where: Location) -> Block | None:
    body = schema.block_body("chart")
    fields = reader.fields(node, body, "chart")
    if fields is None:
        return None
    errors_before = len(reader.problems.errors)
    kind = reader.optional(
        fields, "kind", lambda n, w: _choice(reader, n, w, schema.CHART_KINDS), "chart kind"
    )
    categories = _labels(reader, fields.get("categories"), "categories")
    series = [
        _read_series(reader, n, body["properties"]["series"]["items"])
        for n in _list(reader, fields, "series")
    ]
    scale = reader.optional(
        fields, "scale", lambda n, w: _choice(reader, n, w, ("shared", "per-category")), "scale"
    )
    highlight = (
        _labels(reader, fields.get("highlight"), "highlight") if "highlight" in fields else ()
    )
    if (
        len(reader.problems.errors) > errors_before
        or kind is None
        or not categories
        or None in series
    ):
        return None
    chart = Chart(
        kind=kind,  # type: ignore[arg-type]
        title=reader.optional(fields, "title", reader.text, "chart title") or "",
        categories=categories,
        series=tuple(s for s in series if s),
        unit=reader.optional(fields, "unit", reader.text, "unit") or "",
        highlight=highlight,
        per_category_scale=scale == "per-category",
        source=reader.optional(fields, "source", reader.text, "source") or "",
        note=reader.optional(fields, "note", reader.text, "note") or "",
        caption=reader.optional(fields, "caption", reader.rich, "caption"),
        alt=reader.optional(fields, "alt", reader.text, "alt text") or "",
        location=where,
    )
    return chart if _chart_data_ok(reader, node, chart) else None


def _list(reader: _Reader, fields: Fields, key: str) -> list[Node]:
    return reader.items(fields[key], key) if key in fields else []


def _choice(reader: _Reader, node: Node, what: str, choices: tuple[str, ...]) -> str | None:
    value = reader.text(node, what)
    if value is not None and value not in choices:
        hint = did_you_mean(value, choices) or f"choose one of: {', '.join(choices)}"
        reader.error(node, f"{what} '{value}' is unknown", hint)
        return None
    return value


def _labels(reader: _Reader, node: Node | None, what: str) -> tuple[str, ...]:
    if node is None:
        return ()
    labels = [reader.text(n, f"{what} entry") for n in reader.items(node, what)]
    return tuple(label for label in labels if label)


def _read_series(reader: _Reader, node: Node, definition: dict[str, Any]) -> Series | None:
    fields = reader.fields(node, definition, "series")
    if fields is None:
        return None
    name = reader.optional(fields, "name", reader.text, "series name")
    default = reader.optional(
        fields, "status", lambda n, w: _choice(reader, n, w, schema.STATUSES), "status"
    )
    values: list[Decimal] = []
    statuses: list[Status] = []
    for point in _list(reader, fields, "values"):
        value, status = _read_point(reader, point, default or "measured", name or "?")
        if value is not None:
            values.append(value)
            statuses.append(status)
    if name is None or len(values) != len(_list(reader, fields, "values")):
        return None
    return Series(
        name=name, values=tuple(values), statuses=tuple(statuses), location=reader.at(node)
    )


def _read_point(
    reader: _Reader, node: Node, default: str, series: str
) -> tuple[Decimal | None, Status]:
    what = f"value in series '{series}'"
    if not isinstance(node, MappingNode):
        return reader.number(node, what), default  # type: ignore[return-value]
    fields = reader.fields(node, schema.CHART_POINT, "chart value")
    if fields is None:
        return None, "measured"
    status = reader.optional(
        fields, "status", lambda n, w: _choice(reader, n, w, schema.STATUSES), "status"
    )
    return reader.optional(fields, "value", reader.number, what), (status or default)  # type: ignore[return-value]


def _chart_data_ok(reader: _Reader, node: Node, chart: Chart) -> bool:
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
    for series in chart.series:
        where = series.location
        if len(series.values) != count:
            reader.problems.error(
                where,
                f"series '{series.name}' has {plural(len(series.values), 'value')} but the chart has {plural(count, 'category', 'categories')}",
                "give one value per category",
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


def _donut_ok(reader: _Reader, chart: Chart) -> None:
    if len(chart.series) != 1:
        reader.problems.error(
            chart.location, f"a donut chart has exactly one series, not {len(chart.series)}"
        )
    for series in chart.series:
        negative = [c for c, v in zip(chart.categories, series.values, strict=False) if v < 0]
        if negative:
            reader.problems.error(
                series.location,
                f"a donut cannot show negative values (series '{series.name}', {', '.join(negative)})",
            )
        elif not any(series.values):
            reader.problems.error(
                series.location,
                f"a donut cannot show values that are all zero (series '{series.name}')",
            )


# -- files -------------------------------------------------------------------


def _read_section(reader: _Reader, node: Node) -> Section | None:
    fields = reader.fields(node, schema.definition("section"), "section")
    if fields is None:
        return None
    title = reader.optional(fields, "title", reader.text, "section title")
    blocks = (
        [_read_block(reader, b) for b in reader.items(fields["blocks"], "blocks")]
        if "blocks" in fields
        else []
    )
    if title is None or not blocks or None in blocks:
        return None
    return Section(title=title, blocks=tuple(b for b in blocks if b), location=reader.at(node))


def _read_chapter(source: YamlFile, problems: Problems) -> Chapter | None:
    reader = _Reader(source, problems)
    assert source.root is not None
    fields = reader.fields(source.root, schema.definition("chapter"), "chapter")
    if fields is None:
        return None
    title = reader.optional(fields, "title", reader.text, "chapter title")
    icon = reader.optional(fields, "icon", reader.text, "chapter icon") or ""
    subtitle = reader.optional(fields, "subtitle", reader.text, "chapter subtitle") or ""
    intro = reader.optional(fields, "intro", reader.rich, "chapter intro")
    nodes = reader.items(fields["sections"], "sections") if "sections" in fields else []
    sections = [_read_section(reader, s) for s in nodes]
    if title is None or not sections or None in sections:
        return None
    return Chapter(
        title=title,
        icon=icon,
        subtitle=subtitle,
        intro=intro,
        sections=tuple(s for s in sections if s),
        location=Location(source.path, 1, 1),
    )


def _read_edition(
    source: YamlFile, chapters: tuple[Chapter, ...], problems: Problems
) -> Edition | None:
    reader = _Reader(source, problems)
    assert source.root is not None
    fields = reader.fields(source.root, schema.definition("edition"), "edition")
    if fields is None:
        return None
    title = reader.optional(fields, "title", reader.text, "title")
    year = reader.optional(fields, "year", lambda n, w: reader.integer(n, w, 1900, 2999), "year")
    organisation = reader.optional(fields, "organisation", reader.text, "organisation")
    published = reader.optional(fields, "published", reader.date, "publication date")
    language = reader.optional(fields, "language", reader.text, "language") or "nl-BE"
    keywords = (
        [reader.text(k, "keyword") for k in reader.items(fields["keywords"], "keywords")]
        if "keywords" in fields
        else []
    )
    logo = reader.optional(fields, "logo", reader.text, "logo")
    if (
        title is None
        or year is None
        or organisation is None
        or published is None
        or None in keywords
    ):
        return None
    return Edition(
        directory=source.path.parent,
        title=title,
        subtitle=reader.optional(fields, "subtitle", reader.text, "subtitle") or "",
        year=year,
        organisation=organisation,
        language=language,
        published=published,
        keywords=tuple(k for k in keywords if k),
        logo=Path(logo) if logo else None,
        introduction=reader.optional(fields, "introduction", reader.rich, "introduction"),
        chapters=chapters,
        location=Location(source.path, 1, 1),
    )


def chapter_files(directory: Path, problems: Problems) -> list[Path]:
    files: list[Path] = []
    for path in sorted(directory.iterdir()):
        if path.name == EDITION_FILE or path.name.startswith("."):
            continue
        if CHAPTER_FILE.match(path.name):
            files.append(path)
        elif path.suffix in (".yaml", ".yml"):
            problems.warning(
                Location(path),
                "file is not a chapter and is ignored",
                "name chapter files NN-name.yaml, e.g. 05-nieuwe-diensten.yaml",
            )
    return files


def load_edition(directory: Path, problems: Problems) -> Edition | None:
    """Read an edition folder; every problem found goes to `problems`."""
    edition_path = directory / EDITION_FILE
    if not edition_path.is_file():
        problems.error(
            Location(edition_path),
            "edition file is missing",
            f"create {EDITION_FILE} with title, year, …",
        )
        return None
    files = chapter_files(directory, problems)
    if not files:
        problems.error(
            Location(directory),
            "edition has no chapter files",
            "add a file such as 01-inleiding.yaml",
        )
    chapters = []
    for path in files:
        source = read_yaml(path, problems)
        if source is not None:
            chapters.append(_read_chapter(source, problems))
    edition_source = read_yaml(edition_path, problems)
    edition = None
    if edition_source is not None and None not in chapters:
        edition = _read_edition(edition_source, tuple(c for c in chapters if c), problems)
    elif edition_source is not None:
        _read_edition(edition_source, (), problems)  # still report its own problems
    if edition is not None:
        log.debug("loaded %d chapters from %s", len(edition.chapters), directory)
    return edition
