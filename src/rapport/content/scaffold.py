"""`rapport new YEAR`: next year's edition, started from the one before it.

Same chapters, sections and blocks, and the same facts.yaml with every comment,
its order and every fact's metadata: only the values of this year are emptied,
each with last year's value beside it as a comment that can be pasted as it
is. Values that are about an earlier year (`year:` in the fact) stay. The
edition, every chapter and every section are marked `review: true`, because
their text may still speak of last year; `rapport check` then counts what is
still to do, and a build refuses until it is done, unless `--draft` is given.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rapport.content.factsfile import set_fact_comments, set_fact_values
from rapport.content.load import EDITION_FILE, chapter_files, edition_year
from rapport.content.load_facts import FACTS_FILE, load_facts
from rapport.content.yamlsource import MappingNode, Node, ScalarNode, SequenceNode, read_yaml
from rapport.diagnostics import ContentError, Problems, UsageError, display_path
from rapport.paths import project_of


@dataclass(frozen=True)
class NewEdition:
    """What `rapport new` made, for its closing message."""

    directory: Path
    source: Path
    facts_to_fill: int
    facts_kept: int
    reviews: int


def new_edition(content: Path, year: int, source: Path | None = None) -> NewEdition:
    """Write content/YEAR from the edition before it (or `source`); it appears whole or not at all."""
    target = content / str(year)
    if target.exists():
        raise UsageError(
            f"{display_path(target)} already exists; edit it, or remove it first to start again"
        )
    source = _source_edition(content, year, source)
    source_year = edition_year(source)
    staging = Path(tempfile.mkdtemp(prefix=f".{year}.", dir=content))
    try:
        os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; an edition is not
        reviews = _write_edition(source, staging, year, source_year)
        filled, kept = _write_facts(source, staging, year, source_year)
        for chapter in chapter_files(source, Problems()):
            text, marks = _mark_for_review(_read(chapter))
            (staging / chapter.name).write_text(text, encoding="utf-8")
            reviews += marks
        os.rename(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return NewEdition(target, source, filled, kept, reviews)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _editions(content: Path) -> list[int]:
    return sorted(
        int(p.name)
        for p in content.glob("[0-9][0-9][0-9][0-9]")
        if p.is_dir() and (p / EDITION_FILE).is_file()
    )


def _source_edition(content: Path, year: int, chosen: Path | None) -> Path:
    """The edition to start from: the year before, or the one named with --from."""
    if chosen is not None:
        if not (chosen / EDITION_FILE).is_file():
            raise UsageError(f"'{chosen}' is not an edition folder (it has no {EDITION_FILE})")
        if edition_year(chosen) >= year:
            raise UsageError(
                f"--from must name an edition before {year}, not {display_path(chosen)}"
            )
        return chosen
    earlier = [y for y in _editions(content) if y < year]
    if not earlier:
        raise UsageError(f"there is no edition before {year} under {content}/ to start from")
    if earlier[-1] != year - 1:
        newest = content / str(earlier[-1])
        raise UsageError(
            f"there is no {year - 1} edition to start {year} from (the newest before it is"
            f" {earlier[-1]}); to start from that one, run 'rapport new {year} --from"
            f" {display_path(newest)}': the {year} edition then compares its numbers with"
            f" {earlier[-1]}"
        )
    return content / str(earlier[-1])


@dataclass(frozen=True)
class _Source:
    text: str
    root: MappingNode


def _read(path: Path) -> _Source:
    problems = Problems()
    source = read_yaml(path, problems, root=project_of(path.parent))  # never elsewhere
    if source is None or not isinstance(source.root, MappingNode):
        raise ContentError(problems.errors or [])
    return _Source(path.read_text(encoding="utf-8"), source.root)


# -- edition.yaml ------------------------------------------------------------


def _write_edition(source: Path, staging: Path, year: int, source_year: int) -> int:
    """edition.yaml with the new year, no publication date, and marked for review."""
    edition = _read(source / EDITION_FILE)
    edits = [_Edit.replace(edition, "year", str(year)), _Edit.replace(edition, "published", "")]
    compared = "" if source_year == year - 1 else str(source_year)
    if _value(edition.root, "previous_edition") is not None:
        edits.append(_Edit.replace(edition, "previous_edition", compared))
    elif compared:
        edits.append(_Edit.after_key(edition, "year", f"previous_edition: {compared}"))
    text, marks = _mark_for_review(edition, apply=edits)
    (staging / EDITION_FILE).write_text(text, encoding="utf-8")
    return marks


def _value(root: MappingNode, key: str) -> Node | None:
    return next((v for k, v in root.value if k.value == key), None)


@dataclass(frozen=True)
class _Edit:
    """A change of the text at one place: `length` characters at `start` become `text`."""

    start: int
    length: int
    text: str

    @staticmethod
    def replace(source: _Source, key: str, value: str) -> _Edit:
        node = _value(source.root, key)
        if node is None or (isinstance(node, ScalarNode) and not node.value and not value):
            return _Edit(0, 0, "")  # nothing to change
        start, end = node.start_mark.index, node.end_mark.index
        if not value and source.text[start - 1 : start] == " ":
            start -= 1  # "published:", without a space after it
        return _Edit(start, end - start, value)

    @staticmethod
    def after_key(source: _Source, key: str, line: str) -> _Edit:
        """A new line below the line of `key`'s value (or at the top when there is none)."""
        node = _value(source.root, key)
        if node is None:
            return _Edit(0, 0, line + "\n")
        end = source.text.find("\n", node.end_mark.index)
        at = len(source.text) if end < 0 else end + 1
        indent = " " * _key_column(source.root, key)
        return _Edit(at, 0, f"{indent}{line}\n")


def _key_column(root: MappingNode, key: str) -> int:
    column: int = next(k.start_mark.column for k, _ in root.value if k.value == key)
    return column


def _apply(text: str, edits: list[_Edit]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):  # later first: offsets hold
        text = text[: edit.start] + edit.text + text[edit.start + edit.length :]
    return text


# -- review marks ------------------------------------------------------------


def _mark_for_review(source: _Source, apply: list[_Edit] | None = None) -> tuple[str, int]:
    """The file's text with `review: true` on the file's top level and in every section."""
    edits = list(apply or [])
    marked = list(_reviewables(source.root))
    for mapping in marked:
        review = _value(mapping, "review")
        if review is not None:
            start, end = review.start_mark.index, review.end_mark.index
            edits.append(_Edit(start, end - start, "true"))
        else:
            edits.append(_below_title(source.text, mapping))
    return _apply(source.text, edits), len(marked)


def _reviewables(root: MappingNode) -> Iterator[MappingNode]:
    yield root
    sections = _value(root, "sections")
    if isinstance(sections, SequenceNode):
        yield from (s for s in sections.value if isinstance(s, MappingNode))


def _below_title(text: str, mapping: MappingNode) -> _Edit:
    """`review: true` as a line of its own below the mapping's title (or first key)."""
    title = _value(mapping, "title") or mapping.value[0][1]
    column = mapping.value[0][0].start_mark.column
    end = title.end_mark
    if end.column == 0:  # a block scalar ends at the start of the line after it
        at = end.index
    else:
        newline = text.find("\n", end.index)
        at = len(text) if newline < 0 else newline + 1
    prefix = "" if at == 0 or text[at - 1] == "\n" else "\n"
    return _Edit(at, 0, f"{prefix}{' ' * column}review: true\n")


# -- facts.yaml --------------------------------------------------------------


def _write_facts(source: Path, staging: Path, year: int, source_year: int) -> tuple[int, int]:
    """facts.yaml with this year's values emptied; (facts to fill in, values kept)."""
    path = source / FACTS_FILE
    if not path.is_file():
        return 0, 0
    problems = Problems()
    facts = load_facts(path, source_year, problems)
    if problems.errors or facts is None:
        raise ContentError(list(problems))
    emptied = [f for f in facts.facts if not f.belongs_before(year)]
    text = path.read_text(encoding="utf-8")
    text = set_fact_values(text, {f.name: None for f in emptied}, path=path)
    text = set_fact_comments(
        text,
        {f.name: f"{source_year}: {plain(f.value)}" for f in emptied if f.value is not None},
        path=path,
    )
    header = (
        f"# Feiten van {year}, begonnen uit {display_path(path)}: vul elke lege 'value' in.\n"
        f"# Het commentaar erachter is de waarde van {source_year}; een waarde met 'year'"
        f" gaat over een vorig jaar en blijft staan.\n\n"
    )
    (staging / FACTS_FILE).write_text(header + text, encoding="utf-8")
    return len(emptied), len(facts.facts) - len(emptied)


def plain(value: Decimal) -> str:
    """A number as a facts.yaml value: digits, a point for decimals, nothing else (1852354)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
