"""`rapport new YEAR`: next year's edition, scaffolded from the newest one.

Same chapters, sections and blocks; every fact kept but emptied (last year's
value stays beside it as a comment); every section marked `review: true`.
`rapport check` then lists exactly what is still to fill in or review, and a
build refuses until it is done, unless `--draft` is given.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import yaml

from .diagnostics import ContentError, Problems, UsageError
from .formatting import format_number
from .load import EDITION_FILE, chapter_files
from .load_facts import FACTS_FILE, load_facts
from .model import Fact
from .yamlsource import MappingNode, ScalarNode, SequenceNode, read_yaml


def new_edition(content: Path, year: int) -> Path:
    """Write content/YEAR from the newest edition before it; return the new folder."""
    editions = sorted(int(p.name) for p in content.glob("[0-9][0-9][0-9][0-9]") if p.is_dir())
    earlier = [y for y in editions if y < year]
    target = content / str(year)
    if target.exists():
        raise UsageError(f"{target} already exists; edit it, or remove it first to start again")
    if not earlier:
        raise UsageError(f"there is no edition before {year} under {content}/ to start from")
    source = content / str(earlier[-1])
    staging = Path(tempfile.mkdtemp(prefix=f".{year}.", dir=content))
    try:
        _write_edition(source, staging, year)
        _write_facts(source, staging, year)
        for chapter in chapter_files(source, Problems()):
            (staging / chapter.name).write_text(_mark_sections(chapter), encoding="utf-8")
        os.rename(staging, target)  # the edition appears whole or not at all
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _read(path: Path) -> tuple[str, MappingNode]:
    problems = Problems()
    source = read_yaml(path, problems)
    if source is None or not isinstance(source.root, MappingNode):
        raise ContentError(problems.errors or [])
    return path.read_text(encoding="utf-8"), source.root


def _replace_value(text: str, root: MappingNode, key: str, value: str) -> str:
    for key_node, value_node in root.value:
        if key_node.value == key:
            start, end = value_node.start_mark.index, value_node.end_mark.index
            return text[:start] + value + text[end:]
    return text


def _write_edition(source: Path, staging: Path, year: int) -> None:
    text, root = _read(source / EDITION_FILE)
    # Later keys first, so that earlier offsets stay valid.
    nodes = {key.value: key for key, _ in root.value}
    for key in sorted(
        ("published", "year"), key=lambda k: -nodes[k].start_mark.index if k in nodes else 0
    ):
        text = _replace_value(text, root, key, str(year) if key == "year" else "")
    (staging / EDITION_FILE).write_text(text, encoding="utf-8")


def _write_facts(source: Path, staging: Path, year: int) -> None:
    problems = Problems()
    facts = load_facts(source / FACTS_FILE, year - 1, problems)
    if facts is None:
        return
    lines = [
        f"# Feiten van {year}: vul elke waarde in. Het commentaar toont de waarde van {year - 1}.",
        "# Een waarde die nog leeg is, houdt de bouw van het rapport tegen (behalve met --draft).",
        "",
    ]
    for fact in facts.facts:
        lines += _fact_lines(fact, year - 1)
    (staging / FACTS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fact_lines(fact: Fact, previous_year: int) -> list[str]:
    before = (
        "leeg"
        if fact.value is None
        else " ".join(filter(None, (fact.qualifier, format_number(fact.value))))
    )
    lines = [f"{fact.name}:", f"  value:  # {previous_year}: {before}"]
    if fact.unit:
        lines.append(f"  unit: {_scalar(fact.unit)}")
    if fact.source:
        lines.append(f"  source: {_scalar(fact.source)}")
    if fact.parts:
        lines.append(f"  parts: [{', '.join(fact.parts)}]")
        if not fact.parts_complete:
            lines.append("  breakdown: subset")
    return lines


def _scalar(text: str) -> str:
    dumped: str = yaml.safe_dump(text, allow_unicode=True, default_flow_style=True, width=1000)
    return dumped.strip().removesuffix("...").strip()


def _mark_sections(chapter: Path) -> str:
    """The chapter's text with `review: true` under every section's title."""
    text, root = _read(chapter)
    sections = next((value for key, value in root.value if key.value == "sections"), None)
    if not isinstance(sections, SequenceNode):
        return text
    lines = text.split("\n")
    inserts: list[tuple[int, str]] = []
    for section in sections.value:
        if not isinstance(section, MappingNode):
            continue
        for key, value in section.value:
            if key.value == "title" and isinstance(value, ScalarNode):
                end = value.end_mark
                after = end.line + 1 if end.column > 0 else end.line
                inserts.append((after, " " * key.start_mark.column + "review: true"))
    for index, line in sorted(inserts, reverse=True):
        lines.insert(index, line)
    return "\n".join(lines)
