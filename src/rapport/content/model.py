"""The typed, frozen content model: what a report says, with where each part was written.

The model knows nothing of YAML or of reportlab. Every node carries the
`Location` of the text it came from, so that later stages can report
problems against the content file and line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

# The enumerations are declared in the vocabulary, with the keys that take them.
from rapport.content.vocabulary import STATUSES
from rapport.content.vocabulary import Alignment as Alignment
from rapport.content.vocabulary import ChartKind as ChartKind
from rapport.content.vocabulary import Status as Status
from rapport.diagnostics import Location


@dataclass(frozen=True, kw_only=True)
class Span:
    """A run of text with one style: plain, emphasis, strong, or a link.

    A span that shows a fact names it (`fact`) and how it is shown (`form`),
    so that checks can compare the text around it with the numbers.
    """

    text: str
    emphasis: bool = False
    strong: bool = False
    href: str | None = None
    fact: str | None = None
    form: str = ""
    placeholder: bool = False  # the fact is still to fill in (a draft): `text` says so


@dataclass(frozen=True, kw_only=True)
class RichText:
    spans: tuple[Span, ...]
    location: Location

    @property
    def plain(self) -> str:
        return "".join(span.text for span in self.spans)


@dataclass(frozen=True, kw_only=True)
class Paragraph:
    text: RichText
    location: Location


@dataclass(frozen=True, kw_only=True)
class BulletItem:
    text: RichText
    term: RichText | None = None
    children: tuple[BulletItem, ...] = ()
    location: Location


@dataclass(frozen=True, kw_only=True)
class Bullets:
    items: tuple[BulletItem, ...]
    location: Location


@dataclass(frozen=True, kw_only=True)
class KeyFigure:
    value: Decimal | None  # None only for an unfilled fact in a draft
    label: str
    unit: str = ""
    fact: str | None = None
    qualifier: str = ""  # "ruim", "bijna": the fact is approximate
    change: str = ""  # "+15% t.o.v. 2022", computed from the previous edition
    location: Location

    @property
    def placeholder(self) -> bool:
        """The tile waits for its fact to be filled in (a draft)."""
        return self.value is None


@dataclass(frozen=True, kw_only=True)
class KeyFigures:
    tiles: tuple[KeyFigure, ...]
    location: Location


@dataclass(frozen=True, kw_only=True)
class RankItem:
    rank: int
    title: str
    creator: str
    note: RichText | None = None
    location: Location


@dataclass(frozen=True, kw_only=True)
class Ranking:
    title: str
    items: tuple[RankItem, ...]
    location: Location


@dataclass(frozen=True, kw_only=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[RichText, ...], ...]
    align: tuple[Alignment, ...]
    location: Location


@dataclass(frozen=True, kw_only=True)
class Image:
    path: Path
    alt: str
    caption: RichText | None = None
    width: float = 1.0
    location: Location
    file_location: Location | None = None  # the `file:` line: where an image problem is shown


@dataclass(frozen=True, kw_only=True)
class Callout:
    title: str
    text: RichText
    location: Location


@dataclass(frozen=True, kw_only=True)
class Quote:
    text: RichText
    source: str
    location: Location


def as_status(value: str | None) -> Status:
    """A status word as the Status type; anything unknown counts as measured."""
    return next((status for status in STATUSES if status == value), "measured")


@dataclass(frozen=True, kw_only=True)
class Series:
    """One named row of numbers; each point may be measured, estimated or derived."""

    name: str
    values: tuple[Decimal | None, ...]  # None: a fact still to fill in (a draft only)
    statuses: tuple[Status, ...]
    facts: tuple[str | None, ...] = ()  # the fact behind each value, where it came from one
    location: Location


@dataclass(frozen=True, kw_only=True)
class Fact:
    """A number stated once in an edition's facts.yaml and shown wherever it is referred to."""

    name: str
    value: Decimal | None  # None: declared but not filled in yet (a scaffolded edition)
    unit: str = ""
    source: str = ""
    qualifier: str = ""  # "ruim", "bijna", "ca.", "meer dan": the value is approximate
    status: Status = "measured"
    derivation: str = ""  # how a derived or estimated value was obtained
    parts: tuple[str, ...] = ()  # facts that make up this total
    parts_complete: bool = True  # False: the parts are a subset ("waarvan")
    year: int | None = None  # the year the value is about, when not the edition's own
    location: Location

    def belongs_before(self, year: int) -> bool:
        """True when the value is about a year before `year`: it stays true next year."""
        return self.year is not None and self.year < year


@dataclass(frozen=True, kw_only=True)
class FactSet:
    """The facts of one edition."""

    year: int
    facts: tuple[Fact, ...]
    location: Location
    readable: bool = True  # False: facts.yaml is there but could not be read (reported)

    def get(self, name: str) -> Fact | None:
        return next((f for f in self.facts if f.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.facts)


@dataclass(frozen=True, kw_only=True)
class Chart:
    kind: ChartKind
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    highlight: tuple[str, ...] = ()
    per_category_scale: bool = False
    source: str = ""
    note: str = ""
    caption: RichText | None = None
    alt: str = ""
    location: Location

    @property
    def unfilled(self) -> tuple[str, ...]:
        """The facts still to fill in; a chart with any is drawn as a placeholder."""
        missing: dict[str, None] = {}  # in order, each once
        for series in self.series:
            facts = series.facts or (None,) * len(series.values)
            for value, fact in zip(series.values, facts, strict=False):
                if value is None:
                    missing[fact or series.name] = None
        return tuple(missing)


Block = Paragraph | Bullets | KeyFigures | Ranking | Table | Image | Callout | Quote | Chart


@dataclass(frozen=True, kw_only=True)
class Section:
    title: str
    blocks: tuple[Block, ...]
    review: bool = False  # marked by `rapport new`: the text still speaks of last year
    location: Location


@dataclass(frozen=True, kw_only=True)
class Chapter:
    title: str
    icon: str
    subtitle: str
    intro: RichText | None
    sections: tuple[Section, ...]
    location: Location


def previous_edition_year(year: int, named: int | None) -> int:
    """The year of the edition `year` is compared with: the one edition.yaml names, or the year before."""
    return named or year - 1


@dataclass(frozen=True, kw_only=True)
class Edition:
    """One yearly report: its metadata and its chapters in order."""

    directory: Path
    title: str
    subtitle: str
    year: int
    organisation: str
    language: str
    published: dt.date | None  # None: not known yet (a draft of a new edition)
    keywords: tuple[str, ...]
    logo: Path | None
    introduction: RichText | None
    chapters: tuple[Chapter, ...]
    facts: FactSet | None = None
    previous: FactSet | None = None  # the facts of the edition before this one
    location: Location
    logo_location: Location | None = None  # the `logo:` line

    @property
    def source_files(self) -> tuple[Path, ...]:
        return (self.location.path, *(chapter.location.path for chapter in self.chapters))
