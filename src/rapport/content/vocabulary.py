"""The content vocabulary: every key, block kind, choice and range of a content file, once.

A content file is a tree of mappings (edition, chapter, section, fact, tile,
chart, series, …) whose keys hold values of a few kinds (text, rich text, a
number, a choice, a list, …). This module declares that tree as data and
nothing else: `rapport.content.schema` turns it into the JSON Schema that
editors complete against, the loader takes its known and required keys,
choices and ranges from it, and the model takes its enumerations from it. A
new key or block kind is declared here, once; the loader then reads it.

Wording here is for editors (hover texts in the schema) and stays English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

# -- enumerations ------------------------------------------------------------------------------

ChartKind = Literal["bar", "hbar", "grouped", "stacked", "line", "donut"]
Status = Literal["measured", "estimated", "derived"]
Alignment = Literal["left", "center", "right"]
Breakdown = Literal["complete", "subset"]  # subset: the parts of a fact are a "waarvan"
Scale = Literal["shared", "per-category"]

CHART_KINDS: tuple[ChartKind, ...] = get_args(ChartKind)
STATUSES: tuple[Status, ...] = get_args(Status)
ALIGNMENTS: tuple[Alignment, ...] = get_args(Alignment)
BREAKDOWNS: tuple[Breakdown, ...] = get_args(Breakdown)
SCALES: tuple[Scale, ...] = get_args(Scale)
# Printed before an approximate number; both apostrophes, as either is typed.
QUALIFIERS = ("ruim", "bijna", "ca.", "zo'n", "zo’n", "meer dan", "minder dan", "ongeveer")

# The most categories a chart of each kind shows readably (a per-category chart: MAX_PANELS).
MAX_CATEGORIES: dict[ChartKind, int] = {
    "bar": 16,
    "hbar": 20,
    "grouped": 12,
    "stacked": 16,
    "line": 24,
    "donut": 8,
}
MAX_SERIES = 6
MAX_PANELS = 6
MIN_TILES, MAX_TILES = 2, 4  # key figures in one row

# -- patterns ----------------------------------------------------------------------------------

FACT_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*$"  # ebooks.uitleningen
REFERENCE_NAME = r"[A-Za-z0-9_.-]+"  # what a reference may name; the fact's name is checked later
REFERENCE_FORM = r"[a-z]+"  # {name:change}
NUMBER_PATTERN = r"^-?\d+([.,]\d+)?$"  # 1852354 or 6.5 (or 6,5): no thousands separators
LANGUAGE_PATTERN = r"^[a-z]{2}(-[A-Z]{2})?$"
DEFAULT_LANGUAGE = "nl-BE"

# -- kinds of value ----------------------------------------------------------------------------


class Value:
    """The kind of value a key holds."""


@dataclass(frozen=True)
class Text(Value):
    """Text of at least one character."""


@dataclass(frozen=True)
class Rich(Value):
    """Text with inline markup and references to facts."""

    description: str = "Text with *emphasis*, **strong** and [links](https://…)."


@dataclass(frozen=True)
class String(Value):
    """Text that may be empty (a unit)."""


@dataclass(frozen=True)
class Number(Value):
    description: str = "A number without thousands separators: 1852354 or 6.5."


@dataclass(frozen=True)
class Reference(Value):
    """A fact from facts.yaml, written {name} (a one-key YAML mapping) or "{name:form}"."""

    description: str = "A fact from facts.yaml: {ebooks.titels} or {ebooks.titels:previous}."


@dataclass(frozen=True)
class Empty(Value):
    """No value at all: something still to fill in."""


@dataclass(frozen=True)
class Label(Value):
    """A chart category: text or a number (a year)."""


@dataclass(frozen=True)
class Integer(Value):
    low: int
    high: int


@dataclass(frozen=True)
class Percentage(Value):
    """A whole percentage from `low` to `high`; `pattern` says the same for editors."""

    low: int
    high: int
    pattern: str


@dataclass(frozen=True)
class Choice(Value):
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Boolean(Value):
    pass


@dataclass(frozen=True)
class Pattern(Value):
    pattern: str
    default: str | None = None


@dataclass(frozen=True)
class Date(Value):
    """YYYY-MM-DD; `blank`: may be left empty while still to fill in."""

    blank: bool = False


@dataclass(frozen=True)
class ListOf(Value):
    item: Value
    min_items: int = 0
    max_items: int | None = None


@dataclass(frozen=True)
class Ref(Value):
    """Another definition of DEFINITIONS, by name (for what nests in itself)."""

    name: str


@dataclass(frozen=True)
class AnyOf(Value):
    options: tuple[Value, ...]


@dataclass(frozen=True)
class OneKey(Value):
    """A mapping of exactly one key, e.g. the shorthand bullet 'term: text'."""

    description: str = ""


@dataclass(frozen=True)
class Key:
    name: str
    value: Value
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Mapping(Value):
    """A set of 'key: value' lines with these keys and no others."""

    keys: tuple[Key, ...]
    description: str = ""

    @property
    def known(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys if key.required)

    def key(self, name: str) -> Key:
        return next(key for key in self.keys if key.name == name)


@dataclass(frozen=True)
class Dictionary(Value):
    """A mapping whose keys are names the writer chooses (facts.yaml), each with a value."""

    key_pattern: str
    value: Value
    description: str = ""


@dataclass(frozen=True)
class Block:
    """A block kind: a one-key mapping, `kind: body`."""

    kind: str
    body: Value
    description: str


# -- the vocabulary ----------------------------------------------------------------------------

TEXT = Text()
RICH = Rich()
NUMBER = Number()
REFERENCE = Reference()
QUANTITY = AnyOf((NUMBER, REFERENCE))
BOOLEAN = Boolean()
YEAR = Integer(1900, 2999)
RANK = Integer(1, 999)
IMAGE_WIDTH = Percentage(10, 100, r"^(100|[1-9]\d)%$")
IMAGE_FILE = "A PNG or JPEG file under images/."
REVIEW = Key(
    "review",
    BOOLEAN,
    description="Set by `rapport new`: the text still speaks of last year."
    " Remove it once the text is updated.",
)

EDITION = Mapping(
    (
        Key("title", TEXT, required=True),
        Key("subtitle", TEXT),
        Key("year", YEAR, required=True),
        Key("organisation", TEXT, required=True),
        Key("language", Pattern(LANGUAGE_PATTERN, default=DEFAULT_LANGUAGE)),
        Key(
            "published",
            Date(blank=True),
            required=True,
            description="YYYY-MM-DD; empty while still to fill in.",
        ),
        Key("keywords", ListOf(TEXT)),
        Key("logo", TEXT, description=IMAGE_FILE),
        Key("introduction", RICH),
        Key(
            "previous_edition",
            YEAR,
            description="The year of the edition that changes are computed against,"
            " when it is not the year before (set by `rapport new --from`).",
        ),
        REVIEW,
    ),
    "The edition's metadata: content/<year>/edition.yaml.",
)

CHAPTER = Mapping(
    (
        Key("title", TEXT, required=True),
        Key("icon", TEXT, description="An emoji, e.g. ⚙️ 🤳 ✨ 💡."),
        Key("subtitle", TEXT),
        Key("intro", RICH),
        REVIEW,
        Key("sections", ListOf(Ref("section"), min_items=1), required=True),
    ),
    "A chapter file: content/<year>/NN-name.yaml.",
)

SECTION = Mapping(
    (
        Key("title", TEXT, required=True),
        REVIEW,
        Key("blocks", ListOf(Ref("block"), min_items=1), required=True),
    )
)

BULLET_ITEM = Mapping(
    (
        Key("text", RICH, required=True),
        Key("term", TEXT, description="A date or term shown before the text."),
        Key("items", ListOf(Ref("bulletItem"), min_items=1)),
    ),
    'An item with a term ("1 maart: …") or with nested items.',
)
BULLET = AnyOf((RICH, BULLET_ITEM, OneKey("Shorthand 'term: text', or 'text: [nested items]'.")))

TILE = Mapping(
    (
        Key("value", QUANTITY, required=True),
        Key("label", TEXT, required=True),
        Key("unit", String()),
        Key("change", BOOLEAN, description="Show the change against the previous edition."),
    ),
    "A key-figure tile: a big number and its label.",
)

RANK_ITEM = Mapping(
    (
        Key("rank", RANK),
        Key("title", TEXT, required=True),
        Key("creator", TEXT, required=True),
        Key("note", RICH),
    )
)
RANKING = Mapping(
    (
        Key("title", TEXT, required=True),
        Key("items", ListOf(RANK_ITEM, min_items=1), required=True),
    )
)

TABLE = Mapping(
    (
        Key("caption", TEXT),
        Key("columns", ListOf(TEXT, min_items=1), required=True),
        Key("rows", ListOf(ListOf(RICH), min_items=1), required=True),
        Key("align", ListOf(Choice(ALIGNMENTS))),
    )
)

IMAGE = Mapping(
    (
        Key("file", TEXT, required=True, description=IMAGE_FILE),
        Key(
            "alt",
            TEXT,
            required=True,
            description="What the image shows, for readers who cannot see it.",
        ),
        Key("caption", RICH),
        Key("width", IMAGE_WIDTH),
    )
)

CALLOUT = Mapping((Key("title", TEXT), Key("text", RICH, required=True)))
QUOTE = Mapping((Key("text", RICH, required=True), Key("source", TEXT)))

CHART_POINT = Mapping(
    (Key("value", QUANTITY, required=True), Key("status", Choice(STATUSES))),
    "A value with its own status, e.g. {value: 14188, status: derived}.",
)
SERIES = Mapping(
    (
        Key("name", TEXT, required=True),
        Key(
            "values",
            ListOf(AnyOf((NUMBER, REFERENCE, CHART_POINT)), min_items=1),
            required=True,
        ),
        Key(
            "status",
            Choice(STATUSES),
            description="measured (default), estimated (a schatting) or derived (afgeleid).",
        ),
    )
)
CHART = Mapping(
    (
        Key(
            "kind",
            Choice(CHART_KINDS),
            required=True,
            description="bar, hbar (horizontal), grouped, stacked, line or donut.",
        ),
        Key("title", TEXT, required=True),
        Key("categories", ListOf(Label(), min_items=1), required=True),
        Key("series", ListOf(SERIES, min_items=1), required=True),
        Key("unit", String(), description="What the numbers count, e.g. bibliotheken or %."),
        Key("highlight", ListOf(Label())),
        Key(
            "scale",
            Choice(SCALES),
            description="per-category draws one small panel per category, each with its own scale.",
        ),
        Key("source", TEXT, description="Where the numbers come from."),
        Key("note", TEXT, description="How estimated or derived values were obtained."),
        Key("caption", RICH),
        Key(
            "alt",
            TEXT,
            description="What the chart shows, for readers who cannot see it;"
            " generated when absent.",
        ),
    )
)

FIGURES = ListOf(TILE, min_items=MIN_TILES, max_items=MAX_TILES)

BLOCKS: tuple[Block, ...] = (
    Block("paragraph", RICH, "A paragraph of running text."),
    Block("bullets", ListOf(Ref("bulletItem"), min_items=1), "A bulleted list; items may nest."),
    Block("figures", FIGURES, "A row of 2 to 4 key-figure tiles."),
    Block("ranking", RANKING, "A ranked list (a top 3): rank, title, creator, optional note."),
    Block("table", TABLE, "A table with a header row."),
    Block("image", IMAGE, "An image from the images/ folder."),
    Block("callout", CALLOUT, "A highlighted box."),
    Block("quote", QUOTE, "A quotation with its source."),
    Block("chart", CHART, "A chart drawn from the numbers written here."),
)
BLOCK_KINDS: tuple[str, ...] = tuple(block.kind for block in BLOCKS)

FACT = Mapping(
    (
        Key("value", AnyOf((NUMBER, Empty())), description="Empty while still to fill in."),
        Key("unit", TEXT),
        Key("source", TEXT),
        Key("qualifier", Choice(QUALIFIERS)),
        Key("status", Choice(STATUSES)),
        Key("derivation", TEXT, description="How an estimated or derived value was obtained."),
        Key("parts", ListOf(TEXT)),
        Key("breakdown", Choice(BREAKDOWNS)),
        Key(
            "year",
            YEAR,
            description="The year the value is about, when it is an earlier year"
            " (e.g. wise.migraties.2019): `rapport new` keeps such values.",
        ),
    ),
    "A named number of the edition, in facts.yaml.",
)
FACTS = Dictionary(
    FACT_NAME_PATTERN,
    AnyOf((NUMBER, Empty(), Ref("fact"))),
    "An edition's facts.yaml: fact names and their values.",
)

# The named definitions a Ref points to; the three files are edition, chapter and facts.
DEFINITIONS: dict[str, Value] = {
    "edition": EDITION,
    "chapter": CHAPTER,
    "section": SECTION,
    "fact": FACT,
    "facts": FACTS,
    "bulletItem": BULLET,
}
FILES = ("edition", "chapter", "facts")


def block(kind: str) -> Block:
    """The declaration of a block kind; KeyError for a kind that is not one."""
    found = next((b for b in BLOCKS if b.kind == kind), None)
    if found is None:
        raise KeyError(kind)
    return found
