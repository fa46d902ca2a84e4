"""Facts: numbers stated once and shown wherever they are referred to.

A reference in text is `{name}` or `{name:form}`:

- `{ebooks.uitleningen}` → "580.000" ("bijna 60.000" when the fact is approximate);
- `{name:number}` → the number alone, without "ruim" or "bijna";
- `{name:change}` → the change against the previous edition in percent, "+35%";
- `{name:percent}` → the size of that change, "35%" (for "35% meer");
- `{name:delta}` → the change as a signed count, "+21";
- `{name:difference}` → the size of the change, "21";
- `{name:previous}` → the value in the previous edition, "429.630".

Rounding rule for `change`: from 10% on, a whole percent; below 10%, one
decimal with a trailing ",0" dropped (6,5% · 5%); halves round away from zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from rapport.content.formatting import format_number
from rapport.content.model import Fact, FactSet, previous_edition_year
from rapport.content.vocabulary import FACT_NAME_PATTERN, REFERENCE_FORM, REFERENCE_NAME
from rapport.diagnostics import did_you_mean
from rapport.labels import labels

FORMS = ("value", "number", "change", "percent", "delta", "difference", "previous")
# The edition's own year and the previous edition's, so that text stays true next year.
THIS_YEAR = ("jaar", "year")
PREVIOUS_YEAR = ("vorig_jaar", "previous_year")
YEAR_REFERENCE = re.compile(r"\{(" + "|".join(THIS_YEAR + PREVIOUS_YEAR) + r")\}")
REFERENCE = re.compile(rf"\{{({REFERENCE_NAME})(?::({REFERENCE_FORM}))?\}}")
NAME = re.compile(FACT_NAME_PATTERN)


class FactError(ValueError):
    def __init__(self, message: str, hint: str = "", *, unfilled: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.unfilled = unfilled


def percent_change(current: Decimal, previous: Decimal) -> Decimal:
    """The change from `previous` to `current` in percent, rounded by the documented rule."""
    if previous == 0:
        raise FactError("the change in percent is undefined: the previous value is 0")
    exact = (current - previous) / previous * 100
    places = Decimal(1) if abs(exact) >= Decimal("9.95") else Decimal("0.1")
    rounded = exact.quantize(places, rounding=ROUND_HALF_UP)
    return rounded.normalize() if rounded == rounded.to_integral() else rounded


def format_change(change: Decimal, language: str) -> str:
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return f"{sign}{format_number(abs(change).normalize() if change == change.to_integral() else abs(change), language)}%"


def format_delta(delta: Decimal, language: str) -> str:
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    return f"{sign}{format_number(abs(delta), language)}"


@dataclass(frozen=True)
class FactTable:
    """The facts of an edition and of the one before it, for resolving references."""

    current: FactSet | None
    previous: FactSet | None
    language: str
    year: int | None = None
    previous_year: int | None = None  # the edition changes are computed against

    def with_years(self, text: str) -> str:
        """`text` with {jaar} and {vorig_jaar} (or {year}, {previous_year}) replaced."""
        if self.year is None or "{" not in text:
            return text
        previous = previous_edition_year(self.year, self.previous_year)
        return YEAR_REFERENCE.sub(
            lambda m: str(self.year if m.group(1) in THIS_YEAR else previous), text
        )

    def fact(self, name: str) -> Fact:
        if self.current is not None and not self.current.readable:
            # facts.yaml itself is reported; its references do not fail a second time
            raise FactError(f"fact '{name}' is in a facts.yaml that cannot be read", unfilled=True)
        if name in THIS_YEAR + PREVIOUS_YEAR:
            raise FactError(
                f"{{{name}}} shows a year in text; it is not a fact",
                "write the number here, or refer to a fact in facts.yaml",
            )
        fact = self.current.get(name) if self.current else None
        if fact is None and name.casefold() in THIS_YEAR + PREVIOUS_YEAR:
            whose = "this edition's" if name.casefold() in THIS_YEAR else "the previous edition's"
            raise FactError(
                f"fact '{name}' is not defined",
                f"did you mean {{{name.casefold()}}}? it shows {whose} year; capitals matter",
            )
        if fact is None:
            known = self.current.names if self.current else ()
            hint = did_you_mean(name, known) or (
                "declare it in facts.yaml" if self.current else "this edition has no facts.yaml"
            )
            raise FactError(f"fact '{name}' is not defined", hint)
        return fact

    def value(self, name: str) -> Decimal:
        fact = self.fact(name)
        if fact.value is None:
            raise FactError(
                f"fact '{name}' has no value yet", "fill it in in facts.yaml", unfilled=True
            )
        return fact.value

    def previous_value(self, name: str) -> Decimal:
        self.fact(name)
        earlier = self.previous.get(name) if self.previous else None
        if self.previous is None:
            raise FactError(
                f"fact '{name}' has no previous value: there is no previous edition",
                "add the previous year's edition with its facts.yaml under content/,"
                " or name an earlier one with 'previous_edition: YEAR' in edition.yaml",
            )
        if earlier is None or earlier.value is None:
            raise FactError(
                f"fact '{name}' has no value in the {self.previous.year} edition",
                f"add '{name}' to content/{self.previous.year}/facts.yaml, or do not compare it",
            )
        return earlier.value

    def render(self, name: str, form: str = "value") -> str:
        """The text a reference shows; raises FactError with a hint when it cannot."""
        if form not in FORMS:
            raise FactError(
                f"'{form}' is not a way to show a fact",
                did_you_mean(form, FORMS) or f"use one of: {', '.join(FORMS)}",
            )
        try:
            return self._render(self.fact(name), form)
        except FactError as exc:
            if exc.unfilled:  # reported once, in facts.yaml; here a visible placeholder
                return self.placeholder(name)
            raise

    def placeholder(self, name: str) -> str:
        """What a draft shows for a fact still to fill in: '[nog in te vullen: ebooks.titels]'."""
        return f"[{labels(self.language)['unfilled']}: {name}]"

    def waits_for_value(self, name: str, form: str = "value") -> bool:
        """True when the reference shows a placeholder: its fact is still to fill in."""
        try:
            self._render(self.fact(name), form)
        except FactError as exc:
            return exc.unfilled
        return False

    def _render(self, fact: Fact, form: str) -> str:
        if form in ("value", "number"):
            number = format_number(self.value(fact.name), self.language)
            return f"{fact.qualifier} {number}" if fact.qualifier and form == "value" else number
        if form == "previous":
            return format_number(self.previous_value(fact.name), self.language)
        delta = self.value(fact.name) - self.previous_value(fact.name)
        if form == "delta":
            return format_delta(delta, self.language)
        if form == "difference":
            return format_number(abs(delta), self.language)
        change = percent_change(self.value(fact.name), self.previous_value(fact.name))
        if form == "percent":
            return format_change(abs(change), self.language).lstrip("+±")
        return format_change(change, self.language)

    def change_label(self, name: str, previous_word: str) -> str:
        """'+15% t.o.v. 2022' under a key figure."""
        change = self.render(name, "change")  # raises when there is no previous edition
        year = self.previous.year if self.previous else self.previous_year
        return f"{change} {previous_word} {year}"
