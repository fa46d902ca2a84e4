"""Checks that keep a report's numbers consistent with its facts.

- a fact that nothing shows (a warning: it may be stale);
- a number typed in text that equals a fact (a warning: refer to the fact instead);
- a percentage or count typed next to a fact that contradicts the change
  computed from the previous edition (an error naming both values).

A total and its parts are checked where the facts are read (load_facts.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from rapport.content.facts import percent_change
from rapport.content.formatting import format_number
from rapport.content.model import Edition, Fact, FactSet, KeyFigure, RichText, Series, Span
from rapport.content.walk import edition_nodes
from rapport.diagnostics import Location, Problems

# A Flemish number in running text: 1.852.354 · 6,5 · 305
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(?![\w]|[.,]\d)")
# A typed change: "+15%", "(-2,5%)", "32%"
_PERCENT = re.compile(r"([+\-−]?)\s?(\d+(?:,\d+)?)\s?%")
# A typed count of change: "21 meer", "11 bijkomende", "4 minder"
_COUNT = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+|\d+)\s+(meer|bijkomende|extra|minder)\b")
_SENTENCE_END = re.compile(r"[.!?;](\s|$)")
SMALLEST_FLAGGED = Decimal(100)  # small numbers coincide with facts too often to mean them


def check_facts(edition: Edition, problems: Problems) -> None:
    if edition.facts is None:
        return
    used = set(_used_facts(edition))
    for fact in edition.facts.facts:
        if fact.name not in used and not _is_part_of_used_total(fact, edition.facts, used):
            problems.warning(
                fact.location,
                f"fact '{fact.name}' is never shown",
                "refer to it as {" + fact.name + "}, or remove it",
            )
    for text in (node for node in edition_nodes(edition) if isinstance(node, RichText)):
        _check_literal_numbers(text, edition.facts, problems)
        if edition.previous is not None:
            _check_typed_changes(text, edition, problems)


def _used_facts(edition: Edition) -> Iterator[str]:
    for node in edition_nodes(edition):
        if isinstance(node, Span | KeyFigure) and node.fact:
            yield node.fact
        elif isinstance(node, Series):
            yield from (name for name in node.facts if name)


def _is_part_of_used_total(fact: Fact, facts: FactSet, used: set[str]) -> bool:
    return any(fact.name in total.parts and total.name in used for total in facts.facts)


def _parse(whole: str, decimals: str | None) -> Decimal | None:
    try:
        return Decimal(whole.replace(".", "") + ("." + decimals if decimals else ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None


def _check_literal_numbers(text: RichText, facts: FactSet, problems: Problems) -> None:
    by_value: dict[Decimal, list[str]] = {}
    for fact in facts.facts:
        if fact.value is not None and abs(fact.value) >= SMALLEST_FLAGGED:
            by_value.setdefault(fact.value, []).append(fact.name)
    for span in text.spans:
        if span.fact is not None:
            continue
        for match in _NUMBER.finditer(span.text):
            value = _parse(match.group(1), match.group(2))
            if value is None or _is_year(match.group(0)) or value not in by_value:
                continue
            names = by_value[value]
            problems.warning(
                text.location,
                f"the number {match.group(0)} is typed, but it is the fact '{names[0]}'",
                "write {" + names[0] + "} so that the text follows the facts",
            )


def _is_year(token: str) -> bool:
    return token.isdigit() and 1900 <= int(token) <= 2100


def _check_typed_changes(text: RichText, edition: Edition, problems: Problems) -> None:
    """A percentage or a count typed after a fact, in the same sentence, must match the facts."""
    spans = text.spans
    for index, span in enumerate(spans):
        if span.fact is None or span.form not in ("value", "number"):
            continue
        following = _rest_of_sentence(spans[index + 1 :])
        percent = _PERCENT.search(following)
        if percent:
            _compare_percentage(span.fact, percent, text.location, edition, problems)
        count = _COUNT.search(following)
        if count:
            _compare_count(span.fact, count, text.location, edition, problems)


def _rest_of_sentence(spans: tuple[Span, ...]) -> str:
    """Plain text after a fact, up to the end of its sentence or the next fact."""
    collected = []
    for span in spans:
        if span.fact is not None:
            break
        end = _SENTENCE_END.search(span.text)
        collected.append(span.text[: end.start()] if end else span.text)
        if end:
            break
    return "".join(collected)


def _values(name: str, edition: Edition) -> tuple[Fact, Decimal, Decimal] | None:
    assert edition.facts is not None and edition.previous is not None
    fact, earlier = edition.facts.get(name), edition.previous.get(name)
    if fact is None or earlier is None or fact.value is None or earlier.value is None:
        return None
    return fact, fact.value, earlier.value


def _compare_percentage(
    name: str, match: re.Match[str], where: Location, edition: Edition, problems: Problems
) -> None:
    values = _values(name, edition)
    if values is None or values[2] == 0:
        return
    fact, current, previous = values
    digits = match.group(2)
    typed = Decimal(digits.replace(",", "."))
    if match.group(1) in "-−" and match.group(1):
        typed = -typed
    exact = (current - previous) / previous * 100
    decimals = len(digits.split(",")[1]) if "," in digits else 0
    tolerance = Decimal(5) / Decimal(10) ** (decimals + 1)
    compared = exact if match.group(1) else abs(exact)
    if abs(compared - typed) > tolerance + Decimal("1e-9"):
        computed = percent_change(current, previous)
        problems.error(
            where,
            f"the text says {match.group(0).strip()} but the facts give {_signed(computed)}% for '{name}'"
            f" ({format_number(current)} in {edition.year}, {format_number(previous)} in {edition.previous.year if edition.previous else '?'})",
            "write {" + name + ":change} instead of typing the percentage, or correct the fact",
        )
    del fact


def _compare_count(
    name: str, match: re.Match[str], where: Location, edition: Edition, problems: Problems
) -> None:
    values = _values(name, edition)
    if values is None:
        return
    _, current, previous = values
    typed = _parse(match.group(1), None)
    delta = current - previous
    expected = -delta if match.group(2) == "minder" else delta
    if typed is not None and typed != expected:
        problems.error(
            where,
            f"the text says '{match.group(0)}' but the facts give {format_number(expected)} for '{name}'"
            f" ({format_number(current)} against {format_number(previous)})",
            "write {" + name + ":difference} instead of typing the count, or correct the fact",
        )


def _signed(value: Decimal) -> str:
    text = format_number(value.normalize() if value == value.to_integral() else value)
    return f"+{text}" if value > 0 else text
