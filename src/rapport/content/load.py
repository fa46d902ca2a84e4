"""Stage 1, load: an edition folder of YAML files becomes a frozen `Edition`.

Every problem of every file is collected; the stage fails once, at the end.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from rapport.content import reread, vocabulary
from rapport.content.chapter_names import chapter_files as find_chapter_files
from rapport.content.facts import FactError, FactTable
from rapport.content.load_chart import read_chart
from rapport.content.load_facts import FACTS_FILE, load_facts
from rapport.content.model import (
    Alignment,
    Block,
    BulletItem,
    Bullets,
    Callout,
    Chapter,
    Edition,
    FactSet,
    Image,
    KeyFigure,
    KeyFigures,
    Paragraph,
    Quote,
    Ranking,
    RankItem,
    RichText,
    Section,
    Table,
    previous_edition_year,
)
from rapport.content.reader import Reader
from rapport.content.vocabulary import DEFAULT_LANGUAGE
from rapport.content.yamlsource import (
    NULL_TAG,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    YamlFile,
    read_yaml,
)
from rapport.diagnostics import (
    TODO_DATE,
    TODO_REVIEW,
    Location,
    Problems,
    UsageError,
    did_you_mean,
    display_path,
    plural,
)
from rapport.labels import labels
from rapport.paths import link_outside, project_of

log = logging.getLogger(__name__)

EDITION_FILE = "edition.yaml"
# -- blocks ------------------------------------------------------------------


def _read_block(reader: Reader, node: Node) -> Block | None:
    if not isinstance(node, MappingNode) or len(node.value) != 1:
        reader.error(
            node,
            "a block must have exactly one kind",
            f"start it with one of: {', '.join(vocabulary.BLOCK_KINDS)}",
        )
        return None
    key_node, body = node.value[0]
    kind = key_node.value if isinstance(key_node, ScalarNode) else "?"
    read = _BLOCK_READERS.get(kind)
    if read is None:
        kinds = vocabulary.BLOCK_KINDS
        hint = did_you_mean(kind, kinds) or f"block kinds: {', '.join(kinds)}"
        reader.error(key_node, f"unknown block kind '{kind}'", hint)
        return None
    return read(reader, body, reader.at(key_node))


def _read_paragraph(reader: Reader, node: Node, where: Location) -> Block | None:
    text = reader.rich(node, "paragraph")
    return Paragraph(text=text, location=where) if text else None


def _read_bullets(reader: Reader, node: Node, where: Location) -> Block | None:
    items = [_read_bullet_item(reader, item, 1) for item in reader.items(node, "bullet list")]
    if not items or None in items:
        return None
    return Bullets(items=tuple(i for i in items if i), location=where)


MAX_BULLET_DEPTH = 3


def _read_bullet_item(reader: Reader, node: Node, depth: int) -> BulletItem | None:
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
        and node.value[0][0].value not in vocabulary.BULLET_ITEM.known
    ):
        return _read_shorthand_item(reader, node, depth)
    fields = reader.fields(node, vocabulary.BULLET_ITEM, "bullet item")
    if fields is None:
        return None
    text = reader.optional(fields, "text", reader.rich, "bullet text")
    term = reader.optional(fields, "term", reader.rich, "bullet term")
    children = _read_children(reader, fields.get("items"), depth)
    if text is None or children is None or ("term" in fields and term is None):
        return None
    return BulletItem(text=text, term=term, children=children, location=reader.at(node))


def _read_shorthand_item(reader: Reader, node: MappingNode, depth: int) -> BulletItem | None:
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


def _read_children(reader: Reader, node: Node | None, depth: int) -> tuple[BulletItem, ...] | None:
    if node is None:
        return ()
    children = [
        _read_bullet_item(reader, child, depth + 1) for child in reader.items(node, "nested list")
    ]
    if None in children:
        return None
    return tuple(c for c in children if c)


def _read_figures(reader: Reader, node: Node, where: Location) -> Block | None:
    nodes = reader.items(node, "key figures")
    low, high = vocabulary.MIN_TILES, vocabulary.MAX_TILES
    if nodes and not low <= len(nodes) <= high:
        reader.error(
            node,
            f"a key-figure row has {plural(len(nodes), 'tile')}; it takes {low} to {high}",
            "split the figures over two rows, or add one",
        )
    tiles = [_read_tile(reader, tile) for tile in nodes]
    if not tiles or None in tiles:
        return None
    return KeyFigures(tiles=tuple(t for t in tiles if t), location=where)


def _read_tile(reader: Reader, node: Node) -> KeyFigure | None:
    fields = reader.fields(node, vocabulary.TILE, "key figure")
    if fields is None:
        return None
    value, fact = (
        reader.quantity(fields["value"], "key-figure value") if "value" in fields else (None, None)
    )
    label = reader.optional(fields, "label", reader.prose, "key-figure label")
    unit = reader.optional(fields, "unit", reader.text, "key-figure unit") or ""
    show_change = reader.optional(fields, "change", reader.boolean, "change") or False
    if label is None or (value is None and fact is None):
        return None
    # An unfilled fact has no change yet: its tile shows a placeholder, and no "+x%".
    change = (
        _tile_change(reader, fields["change"], fact) if show_change and value is not None else ""
    )
    return KeyFigure(
        value=value,
        label=label,
        unit=unit,
        fact=fact.name if fact else None,
        qualifier=fact.qualifier if fact else "",
        change=change,
        location=reader.at(node),
    )


def _tile_change(reader: Reader, node: Node, fact: object) -> str:
    """'+15% t.o.v. 2022': only for a tile that shows a fact."""
    from rapport.content.model import Fact

    if not isinstance(fact, Fact) or reader.facts is None:
        reader.error(
            node,
            "a key figure shows its change only when its value is a fact",
            "write value: {name} with a fact from facts.yaml",
        )
        return ""
    try:
        return reader.facts.change_label(fact.name, labels(reader.facts.language)["against"])
    except FactError as exc:
        reader.error(node, f"failed to show the change of '{fact.name}' ({exc.message})", exc.hint)
        return ""


def _read_ranking(reader: Reader, node: Node, where: Location) -> Block | None:
    fields = reader.fields(node, vocabulary.RANKING, "ranking")
    if fields is None:
        return None
    title = reader.optional(fields, "title", reader.text, "ranking title")
    nodes = reader.items(fields["items"], "ranking items") if "items" in fields else []
    entries = [_read_rank_item(reader, item, n) for n, item in enumerate(nodes, 1)]
    if title is None or not entries or None in entries:
        return None
    return Ranking(title=title, items=tuple(e for e in entries if e), location=where)


def _read_rank_item(reader: Reader, node: Node, position: int) -> RankItem | None:
    fields = reader.fields(node, vocabulary.RANK_ITEM, "ranking item")
    if fields is None:
        return None
    ranks = vocabulary.RANK
    rank = reader.optional(
        fields, "rank", lambda n, w: reader.integer(n, w, ranks.low, ranks.high), "rank"
    )
    title = reader.optional(fields, "title", reader.text, "ranking title")
    creator = reader.optional(fields, "creator", reader.text, "creator")
    note = reader.optional(fields, "note", reader.rich, "ranking note")
    if title is None or creator is None or ("rank" in fields and rank is None):
        return None
    return RankItem(
        rank=rank or position, title=title, creator=creator, note=note, location=reader.at(node)
    )


MAX_TABLE_ROWS = 1_000  # laying out a table costs time quadratic in its rows


def _read_table(reader: Reader, node: Node, where: Location) -> Block | None:
    fields = reader.fields(node, vocabulary.TABLE, "table")
    if fields is None:
        return None
    errors_before = len(reader.problems.errors)
    caption = reader.optional(fields, "caption", reader.prose, "table caption") or ""
    columns = (
        [reader.text(c, "column title") for c in reader.items(fields["columns"], "columns")]
        if "columns" in fields
        else []
    )
    rows: list[tuple[RichText, ...]] = []
    row_nodes = reader.items(fields["rows"], "rows") if "rows" in fields else []
    if len(row_nodes) > MAX_TABLE_ROWS:
        reader.error(
            fields["rows"],
            f"a table has at most {MAX_TABLE_ROWS:,} rows, not {len(row_nodes):,}",
            "split the table into smaller tables",
        )
        return None
    for row_node in row_nodes:
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


def _read_alignment(reader: Reader, node: Node | None, count: int) -> tuple[Alignment, ...] | None:
    if node is None:
        left: tuple[Alignment, ...] = ("left",)
        right: tuple[Alignment, ...] = ("right",)
        return left + right * (count - 1) if count else ()
    values = [reader.setting(n, "alignment") for n in reader.items(node, "align")]
    result: list[Alignment] = []
    for value_node, value in zip(node.value, values, strict=False):
        match = next((c for c in vocabulary.ALIGNMENTS if c == value), None)
        if value is None:  # already reported
            return None
        if match is None:
            reader.error(
                value_node,
                f"alignment '{value}' is unknown",
                f"write {_either(vocabulary.ALIGNMENTS)}",
            )
            return None
        result.append(match)
    if len(result) != count:
        reader.error(node, f"align names {len(result)} columns but the table has {count}")
        return None
    return tuple(result)


def _read_image(reader: Reader, node: Node, where: Location) -> Block | None:
    fields = reader.fields(node, vocabulary.IMAGE, "image")
    if fields is None:
        return None
    file = reader.optional(fields, "file", reader.setting, "image file")
    alt = reader.optional(fields, "alt", reader.prose, "alt text")
    caption = reader.optional(fields, "caption", reader.rich, "image caption")
    width_text = reader.optional(fields, "width", reader.setting, "image width") or "100%"
    width = _percentage(reader, fields.get("width"), width_text)
    if file is not None and re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", file):
        reader.error(
            fields["file"],
            f"image '{file}' must be a file in the project's images/ folder, not an address",
            "download the image into images/ and write e.g. images/foto.png",
        )
        return None
    if file is None or alt is None or width is None:
        return None
    return Image(
        path=Path(file),
        alt=alt,
        caption=caption,
        width=width,
        location=where,
        file_location=reader.at(fields["file"]),
    )


def _percentage(reader: Reader, node: Node | None, text: str) -> float | None:
    width = vocabulary.IMAGE_WIDTH
    match = re.fullmatch(r"(\d{1,3})%", text)
    if not match or not width.low <= int(match.group(1)) <= width.high:
        if node is not None:
            reader.error(
                node,
                f"image width '{text}' must be a percentage from {width.low}% to {width.high}%",
            )
        return None
    return int(match.group(1)) / 100


def _read_callout(reader: Reader, node: Node, where: Location) -> Block | None:
    fields = reader.fields(node, vocabulary.CALLOUT, "callout")
    if fields is None:
        return None
    title = reader.optional(fields, "title", reader.prose, "callout title") or ""
    text = reader.optional(fields, "text", reader.rich, "callout text")
    return Callout(title=title, text=text, location=where) if text else None


def _read_quote(reader: Reader, node: Node, where: Location) -> Block | None:
    fields = reader.fields(node, vocabulary.QUOTE, "quote")
    if fields is None:
        return None
    text = reader.optional(fields, "text", reader.rich, "quote")
    source = reader.optional(fields, "source", reader.text, "quote source") or ""
    if text is not None:
        text = _without_own_quotation_marks(reader, fields["text"], text)
    return Quote(text=text, source=source, location=where) if text else None


# The pairs of quotation marks a quote may be typed between: the quote block adds its own.
_QUOTATION_MARKS = {'"': '"', "'": "'", "“": "”", "„": "”“", "‘": "’", "‚": "’‘", "«": "»"}


def _without_own_quotation_marks(reader: Reader, node: Node, text: RichText) -> RichText:
    """A quote typed between quotation marks would print them twice: „“…”” .

    One enclosing pair is left out, with a warning to remove it. When more marks
    of the kind stand inside (two quoted parts, "a" en "b"), it is unclear which
    mark closes which: the text stays as typed, and the warning asks to remove them.
    An apostrophe between letters (zo’n) is no quotation mark.
    """
    spans = text.spans
    first, last = spans[0].text, spans[-1].text
    opener = first[:1]
    if opener not in _QUOTATION_MARKS or not last or last[-1] not in _QUOTATION_MARKS[opener]:
        return text
    if spans[0].fact is not None or spans[-1].fact is not None:
        return text
    inner = text.plain[1:-1]
    marks = opener + _QUOTATION_MARKS[opener]
    inner_marks = [
        i
        for i, char in enumerate(inner)
        if char in marks and not (inner[i - 1 : i].isalpha() and inner[i + 1 : i + 2].isalpha())
    ]
    if not inner.strip() or inner_marks:
        reader.problems.warning(
            reader.at(node),
            "quote starts and ends with a quotation mark, and prints it twice: the quote block"
            " adds “…” itself",
            "remove the quotation marks around the quote",
        )
        return text
    reader.problems.warning(
        reader.at(node),
        "quote is typed between quotation marks, which are left out: the quote block adds"
        " “…” itself",
        "remove the quotation marks around the quote",
    )
    trimmed = [*spans]
    trimmed[0] = replace(trimmed[0], text=trimmed[0].text[1:])
    trimmed[-1] = replace(trimmed[-1], text=trimmed[-1].text[:-1])
    return replace(text, spans=tuple(s for s in trimmed if s.text))


# One reader for each block kind of the vocabulary (tests/test_vocabulary.py checks both agree).
_BLOCK_READERS: dict[str, Callable[[Reader, Node, Location], Block | None]] = {
    "paragraph": _read_paragraph,
    "bullets": _read_bullets,
    "figures": _read_figures,
    "ranking": _read_ranking,
    "table": _read_table,
    "image": _read_image,
    "callout": _read_callout,
    "quote": _read_quote,
    "chart": read_chart,
}


def _either(choices: tuple[str, ...]) -> str:
    """'left, center or right'."""
    return ", ".join(choices[:-1]) + " or " + choices[-1]


# -- files -------------------------------------------------------------------


def _read_section(reader: Reader, node: Node) -> Section | None:
    fields = reader.fields(node, vocabulary.SECTION, "section")
    if fields is None:
        return None
    title = reader.optional(fields, "title", reader.prose, "section title")
    blocks = (
        [_read_block(reader, b) for b in reader.items(fields["blocks"], "blocks")]
        if "blocks" in fields
        else []
    )
    if title is None or not blocks or None in blocks:
        return None
    review = _review(reader, fields, f"section '{title}'", "its text")
    return Section(
        title=title, blocks=tuple(b for b in blocks if b), review=review, location=reader.at(node)
    )


def _read_chapter(
    source: YamlFile, problems: Problems, facts: FactTable | None, draft: bool
) -> Chapter | None:
    reader = Reader(source, problems, facts, draft=draft)
    assert source.root is not None
    fields = reader.fields(source.root, vocabulary.CHAPTER, "chapter")
    if fields is None:
        return None
    title = reader.optional(fields, "title", reader.prose, "chapter title")
    icon = reader.optional(fields, "icon", reader.setting, "chapter icon") or ""
    subtitle = reader.optional(fields, "subtitle", reader.prose, "chapter subtitle") or ""
    intro = reader.optional(fields, "intro", reader.rich, "chapter intro")
    nodes = reader.items(fields["sections"], "sections") if "sections" in fields else []
    sections = [_read_section(reader, s) for s in nodes]
    if title is None or not sections or None in sections:
        return None
    _review(reader, fields, f"chapter '{title}'", "its title, subtitle and intro")
    return Chapter(
        title=title,
        icon=icon,
        subtitle=subtitle,
        intro=intro,
        sections=tuple(s for s in sections if s),
        location=Location(source.path, 1, 1),
    )


def _review(reader: Reader, fields: dict[str, Node], what: str, parts: str) -> bool:
    """`review: true`, set by `rapport new` where text may still speak of last year."""
    review = reader.optional(fields, "review", reader.boolean, "review") or False
    if review:
        reader.unfilled(
            fields["review"],
            f"{what} is marked for review",
            f"update {parts} for this year, then remove 'review: true'",
            todo=TODO_REVIEW,
        )
    return review


@dataclass(frozen=True)
class _Head:
    """What edition.yaml says, read before the chapters (their facts need year and language)."""

    fields: dict[str, Node]
    reader: Reader
    year: int | None
    language: str
    previous_year: int | None  # the edition that changes are computed against


def _read_head(source: YamlFile, problems: Problems, draft: bool) -> _Head | None:
    reader = Reader(source, problems, draft=draft)
    assert source.root is not None
    fields = reader.fields(source.root, vocabulary.EDITION, "edition")
    if fields is None:
        return None
    years = vocabulary.YEAR
    year = reader.optional(
        fields, "year", lambda n, w: reader.integer(n, w, years.low, years.high), "year"
    )
    language = reader.optional(fields, "language", reader.setting, "language") or DEFAULT_LANGUAGE
    if not _known_language(language):  # facts in the chapters are formatted in it
        reader.error(
            fields["language"],
            f"language '{language}' is unknown",
            "write a language tag such as nl-BE, nl-NL or en-GB",
        )
        language = DEFAULT_LANGUAGE
    previous = reader.optional(
        fields,
        "previous_edition",
        lambda n, w: reader.integer(n, w, years.low, (year or years.high + 1) - 1),
        "previous edition",
    )
    return _Head(fields, reader, year, language, previous)


def _known_language(language: str) -> bool:
    from babel import UnknownLocaleError

    from rapport.content.formatting import babel_locale

    try:
        babel_locale(language)
    except (UnknownLocaleError, ValueError):
        return False
    return True


PUBLISHED_WITHIN = 2  # years after its own that an edition may appear: a date beyond is a typo


def _published(reader: Reader, node: Node | None, year: int | None) -> tuple[bool, dt.date | None]:
    """(read, date): the publication date; empty in a new edition, which a draft may
    build without (True, None): the draft then says it is not known yet."""
    if node is None:
        return False, None
    if isinstance(node, ScalarNode) and node.tag == NULL_TAG and not node.value.strip():
        reader.unfilled(
            node,
            "the publication date is not filled in yet",
            "write it as YYYY-MM-DD, e.g. 2025-03-20",
            todo=TODO_DATE,
        )
        return reader.draft, None
    date = reader.date(node, "publication date")
    if date is not None and year is not None and not year <= date.year <= year + PUBLISHED_WITHIN:
        reader.error(
            node,
            f"publication date '{date}' is outside {year} to {year + PUBLISHED_WITHIN}"
            f" (an edition of {year} appears in {year} or at most {PUBLISHED_WITHIN} years later)",
            f"write the day the report appears as YYYY-MM-DD, e.g. {year + 1}-03-20",
        )
        return False, None
    return date is not None, date


def _read_edition(head: _Head, chapters: tuple[Chapter, ...], facts: FactTable) -> Edition | None:
    fields, reader = head.fields, head.reader
    reader.facts = facts
    title = reader.optional(fields, "title", reader.prose, "title")
    _review(reader, fields, "the edition", "its title, subtitle and introduction")
    organisation = reader.optional(fields, "organisation", reader.text, "organisation")
    known, published = _published(reader, fields.get("published"), head.year)
    keywords = [reader.text(k, "keyword") for k in reader.list_of(fields, "keywords")]
    logo = reader.optional(fields, "logo", reader.setting, "logo")
    introduction = reader.optional(fields, "introduction", reader.rich, "introduction")
    if title is None or head.year is None or organisation is None or not known or None in keywords:
        return None
    return Edition(
        directory=reader.source.path.parent,
        title=title,
        subtitle=reader.optional(fields, "subtitle", reader.prose, "subtitle") or "",
        year=head.year,
        organisation=organisation,
        language=head.language,
        published=published,
        keywords=tuple(k for k in keywords if k),
        logo=Path(logo) if logo else None,
        introduction=introduction,
        chapters=chapters,
        facts=facts.current,
        previous=facts.previous,
        location=Location(reader.source.path, 1, 1),
        logo_location=reader.at(fields["logo"]) if "logo" in fields else None,
    )


def chapter_files(directory: Path, problems: Problems) -> list[Path]:
    """The chapter files of an edition folder in order; a file named almost like one is an error."""
    return find_chapter_files(directory, problems)


@dataclass(frozen=True)
class EditionHead:
    """Where an edition stands in the series: its year and the edition it is compared with.

    Every command that needs last year's edition (build, watch, facts export, new) asks
    this, so that `previous_edition:` in edition.yaml is honoured by all of them alike.
    """

    directory: Path
    year: int | None
    previous_year: int | None

    @property
    def previous_directory(self) -> Path | None:
        if self.previous_year is None:
            return None
        return self.directory.parent / str(self.previous_year)


def edition_head(directory: Path) -> EditionHead:
    """The year and previous edition of the edition in `directory`, read from its edition.yaml.

    Problems in the file are left to `load_edition`, which reports them; here a year that
    cannot be read falls back to the folder's name.
    """
    problems = Problems()
    path = directory / EDITION_FILE
    source = read_yaml(path, problems, root=project_of(directory)) if path.is_file() else None
    head = None
    if source is not None and isinstance(source.root, MappingNode):
        head = _read_head(source, problems, draft=True)
    year = _edition_year(directory, head)
    named = head.previous_year if head else None
    return EditionHead(directory, year, previous_edition_year(year, named) if year else None)


def edition_year(directory: Path) -> int:
    """The year of the edition in `directory` (edition.yaml, else the folder's name), or a usage error."""
    year = edition_head(directory).year
    if year is None:
        raise UsageError(
            f"failed to tell the year of {display_path(directory)} (edition.yaml has no year)"
        )
    return year


def _edition_year(directory: Path, head: _Head | None) -> int | None:
    if head is not None and head.year is not None:
        return head.year
    return int(directory.name) if directory.name.isdigit() else None


def _facts_of(
    directory: Path, year: int | None, head: _Head | None, problems: Problems, draft: bool
) -> tuple[FactSet | None, FactSet | None]:
    """This edition's facts and those of the previous edition, where there is one.

    The previous edition is the year before, or the one `previous_edition` names.
    """
    path = directory / FACTS_FILE
    current = _facts_file(path, year or 0, problems, draft=draft)
    if current is None and path.exists():  # reported; an empty, unreadable set stops cascades
        current = FactSet(year=year or 0, facts=(), location=Location(path), readable=False)
    if year is None:
        return current, None
    named = head.previous_year if head else None
    earlier_year = previous_edition_year(year, named)
    earlier = directory.parent / str(earlier_year)
    if named and head and not (earlier / EDITION_FILE).is_file():
        head.reader.error(
            head.fields["previous_edition"],
            f"previous edition {display_path(earlier)} does not exist",
            "name the year of an edition under content/, or remove 'previous_edition'",
        )
        return current, None
    return current, _facts_file(earlier / FACTS_FILE, earlier_year, problems)


def _facts_file(
    path: Path, year: int, problems: Problems, *, draft: bool = False
) -> FactSet | None:
    """`load_facts`, or what it gave before for the same file (rapport.content.reread)."""

    def read_facts(found: Problems) -> FactSet | None:
        return load_facts(path, year, found, draft=draft)

    read = reread.read_once(
        path,
        project_of(path.parent),
        (year, draft),
        read_facts,
        lambda facts, found: facts is not None and not found.errors,
    )
    problems.extend(read.problems)
    return read.value


def _chapter_of_file(
    path: Path, project: Path, facts: FactTable, draft: bool
) -> reread.Read[tuple[bool, Chapter | None]]:
    """One chapter file read (or read before, unchanged): whether its YAML could be read,
    its chapter, and the problems found in it."""

    def read_chapter(found: Problems) -> tuple[bool, Chapter | None]:
        source = read_yaml(path, found, root=project)
        if source is None:
            return False, None
        return True, _read_chapter(source, found, facts, draft)

    return reread.read_once(
        path, project, (repr(facts), draft), read_chapter, lambda read, _: read[1] is not None
    )


def load_edition(directory: Path, problems: Problems, *, draft: bool = False) -> Edition | None:
    """Read an edition folder; every problem found goes to `problems`.

    In a draft, what a new edition has still to fill in (empty facts, a missing
    publication date, sections marked for review) is a warning, not an error.
    """
    edition_path = directory / EDITION_FILE
    project = project_of(directory)  # as written: a linked edition folder cannot move it
    if (elsewhere := link_outside(directory, project)) is not None:
        problems.error(
            Location(directory),
            f"edition folder lies outside the project folder (a link leads it to {elsewhere})",
            "copy the edition into content/ instead of linking to it",
        )
        return None
    if not edition_path.is_file():
        problems.error(
            Location(edition_path),
            "edition file is missing",
            f"create {EDITION_FILE} with title, year, …",
        )
        return None
    edition_source = read_yaml(edition_path, problems, root=project)
    head = _read_head(edition_source, problems, draft) if edition_source is not None else None
    year = _edition_year(directory, head)
    current, previous = _facts_of(directory, year, head, problems, draft)
    facts = FactTable(
        current,
        previous,
        head.language if head else DEFAULT_LANGUAGE,
        year=year,
        previous_year=previous_edition_year(year, head.previous_year if head else None)
        if year
        else None,
    )
    files = chapter_files(directory, problems)
    if not files:
        problems.error(
            Location(directory),
            "edition has no chapter files",
            "add a file such as 01-inleiding.yaml",
        )
    chapters = []
    for path in files:
        read = _chapter_of_file(path, project, facts, draft)
        problems.extend(read.problems)
        composed, chapter = read.value
        if composed:  # its YAML read: its chapter, or None for problems in it
            chapters.append(chapter)
    edition = None
    if head is not None:
        edition = _read_edition(head, tuple(c for c in chapters if c), facts)
    if edition is None or None in chapters:
        return None
    log.debug("loaded %d chapters from %s", len(edition.chapters), directory)
    return edition
