"""Reading an edition's facts.yaml: every number of the report, stated once.

    ebooks.uitleningen:
      value: 580000
      unit: uitleningen
      source: cloudLibrary
    ebooks.gebruikers: {value: 60000, qualifier: bijna}
    wise.migraties.2023: 4          # a bare number is a fact with only a value
    vlacc.beschrijvingen:
      value: 25511
      parts: [vlacc.boeken, vlacc.strips, vlacc.dvd]
      breakdown: subset             # the parts are a "waarvan": they need not add up

An empty value (`value:`) is a fact still to fill in, as `rapport new` leaves them.
"""

from __future__ import annotations

import os
from pathlib import Path

from rapport.content import vocabulary
from rapport.content.facts import NAME, PREVIOUS_YEAR, THIS_YEAR
from rapport.content.formatting import format_number
from rapport.content.model import Fact, FactSet, as_status
from rapport.content.reader import Reader
from rapport.content.yamlsource import NULL_TAG, MappingNode, Node, ScalarNode, read_yaml
from rapport.diagnostics import TODO_FACT, Location, Problems
from rapport.paths import project_of

FACTS_FILE = "facts.yaml"


def load_facts(path: Path, year: int, problems: Problems, *, draft: bool = False) -> FactSet | None:
    """The facts of one edition, or None when it has no facts file.

    A name that is there but no regular file (a pipe, a folder) is a problem that
    read_yaml reports without opening it, never a missing file."""
    if not os.path.lexists(path):
        return None
    source = read_yaml(path, problems, root=project_of(path.parent))
    if source is None or source.root is None:
        return None
    reader = Reader(source, problems, draft=draft)
    if not isinstance(source.root, MappingNode):
        reader.error(source.root, "facts must be a set of 'name: value' lines")
        return None
    facts: list[Fact] = []
    for name, key_node, value_node in reader.entries(source.root, "fact '{}'"):
        if not NAME.match(name):
            reader.error(
                key_node,
                f"fact name '{name}' is not valid",
                "use lowercase letters, digits, '-' and '_', in parts joined by dots: ebooks.uitleningen",
            )
            continue
        errors_before = len(problems.errors)
        if name in THIS_YEAR + PREVIOUS_YEAR:
            reader.error(
                key_node,
                f"fact name '{name}' is taken: {{{name}}} shows the edition's year",
                "choose another name, e.g. one with a dot: aantal.jaren",
            )
            continue
        fact = _read_fact(reader, name, value_node, year)
        if len(problems.errors) > errors_before:
            # Reported at its own line; the fact stays declared, so that the text
            # referring to it shows a placeholder instead of failing a second time.
            facts.append(Fact(name=name, value=None, location=reader.at(value_node)))
        elif fact is not None:
            facts.append(fact)
            if fact.value is None:
                reader.unfilled(
                    value_node,
                    f"fact '{name}' has no value yet",
                    "fill in this year's number",
                    todo=TODO_FACT,
                )
    found = FactSet(year=year, facts=tuple(facts), location=Location(path, 1, 1))
    _check_parts(reader, source.root, found)
    return found


def _read_fact(reader: Reader, name: str, node: Node, edition_year: int) -> Fact | None:
    where = reader.at(node)
    if isinstance(node, ScalarNode):
        if node.tag == NULL_TAG and not node.value.strip():
            return Fact(name=name, value=None, location=where)
        value = reader.number(node, f"fact '{name}'")
        return None if value is None else Fact(name=name, value=value, location=where)
    fields = reader.fields(node, vocabulary.FACT, f"fact '{name}'")
    if fields is None:
        return None
    value_node = fields.get("value")
    empty = value_node is None or (
        isinstance(value_node, ScalarNode)
        and value_node.tag == NULL_TAG
        and not value_node.value.strip()
    )
    value = None if empty or value_node is None else reader.number(value_node, f"fact '{name}'")
    if not empty and value is None:
        return None
    status = (
        reader.optional(
            fields, "status", lambda n, w: reader.choice(n, w, vocabulary.STATUSES), "status"
        )
        or "measured"
    )
    breakdown = reader.optional(
        fields, "breakdown", lambda n, w: reader.choice(n, w, vocabulary.BREAKDOWNS), "breakdown"
    )
    derivation = reader.optional(fields, "derivation", reader.text, "derivation") or ""
    if status != "measured" and not derivation and value is not None:
        reader.error(
            node,
            f"fact '{name}' is {status} but does not say how",
            "add 'derivation: …', e.g. 580.000 / 1,35 (groei +35%)",
        )
    years = vocabulary.YEAR
    about = reader.optional(
        fields, "year", lambda n, w: reader.integer(n, w, years.low, years.high), "year"
    )
    if about is not None and edition_year and about > edition_year:
        reader.error(
            fields["year"],
            f"fact '{name}' is about {about}, after the edition's year {edition_year}",
            "'year' names the earlier year a value is about; leave it out for this year's values",
        )
        return None
    return Fact(
        name=name,
        value=value,
        year=about,
        unit=reader.optional(fields, "unit", reader.text, "unit") or "",
        source=reader.optional(fields, "source", reader.text, "source") or "",
        qualifier=reader.optional(
            fields,
            "qualifier",
            lambda n, w: reader.choice(n, w, vocabulary.QUALIFIERS),
            "qualifier",
        )
        or "",
        status=as_status(status),
        derivation=derivation,
        parts=reader.labels(fields.get("parts"), "parts"),
        parts_complete=breakdown != "subset",
        location=where,
    )


def _check_parts(reader: Reader, root: MappingNode, facts: FactSet) -> None:
    """A total and its parts: the parts must exist, and add up (or stay below, for a subset)."""
    for fact in facts.facts:
        if not fact.parts:
            continue
        parts = [facts.get(name) for name in fact.parts]
        missing = [name for name, part in zip(fact.parts, parts, strict=True) if part is None]
        if missing:
            reader.problems.error(
                fact.location,
                f"fact '{fact.name}' names parts that are not defined: {', '.join(missing)}",
            )
            continue
        values = [part.value for part in parts if part is not None]
        if fact.value is None or any(v is None for v in values):
            continue  # unfilled: nothing to compare yet
        total = sum((v for v in values if v is not None), start=type(fact.value)(0))
        if fact.parts_complete and total != fact.value:
            reader.problems.error(
                fact.location,
                f"the parts of '{fact.name}' add up to {format_number(total)}, not to its value {format_number(fact.value)}",
                "correct a value, or write 'breakdown: subset' when the parts are only a 'waarvan'",
            )
        elif not fact.parts_complete and total > fact.value:
            reader.problems.error(
                fact.location,
                f"the parts of '{fact.name}' add up to {format_number(total)}, more than its value {format_number(fact.value)}",
                "a subset cannot exceed its total: correct a value",
            )
