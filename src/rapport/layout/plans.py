"""The line plans of justified paragraphs, kept between builds in the project's cache.

Choosing where a justified paragraph breaks (layout/justify.py) is most of the
cost of laying out its text: the words' hyphenation points, then the total-fit
search. A text edit changes one paragraph, yet a build lays out every page
again; so each plan is kept, keyed by everything it depends on (the
paragraph's markup and bullet, its style, the line widths and the fonts'
names), in one cache entry per edition. That entry is keyed in turn by what
gives the names their meaning: the theme and the font files (`inputs`); and,
as every cache entry, by the versions of reportlab, pyphen and rapport.

A build uses the plans of the book open while it lays out (`open_book`); the
book written back holds the plans of the pages laid out, so it follows the
edition and does not grow. A plan from the book is the plan the search would make
(its floats go through JSON exactly), so the PDF is the same byte for byte.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapport.cache import LINES, Cache, json_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Plan:
    """How a paragraph's lines are laid out: the width to give reportlab's breaker for each
    line (so that it breaks where the total fit does), the real widths of the lines, and
    how much each line's glyphs widen (1.0: not at all)."""

    planned: list[float]
    real: list[float]
    scales: list[float]


@dataclass
class PlanBook:
    """The plans read from the cache (`known`) and those the pages use (`used`), by the
    digest of what each depends on; None: the paragraph is left to reportlab's breaker.

    `used` holds the plans of the last whole layout, which is the one whose pages are
    kept (layout/pages.py): a trial laying out a few chapters to decide their spacing
    records none. So a build from an empty cache and a rebuild keep the same plans.
    """

    known: dict[str, Plan | None] = field(default_factory=dict)
    used: dict[str, Plan | None] = field(default_factory=dict)
    recording: bool = True
    found: int = 0  # plans found in the book
    made: int = 0  # plans not found in the book, made by the search

    def start(self, *, whole: bool) -> None:
        """A layout begins: of the whole story (its plans recorded) or a trial (not)."""
        self.recording = whole
        if whole:
            self.used = {}

    def get(self, key: str) -> tuple[bool, Plan | None]:
        """(found, plan) for `key`, recorded as used when found."""
        if key not in self.known:
            return False, None
        self.found += 1
        self.note(key, self.known[key])
        return True, self.known[key]

    def add(self, key: str, plan: Plan | None) -> None:
        """A plan the search made."""
        self.made += 1
        self.note(key, plan)

    def note(self, key: str, plan: Plan | None) -> None:
        """A plan used (found, made, or made before in this process)."""
        if self.recording:
            self.used[key] = plan


_open: PlanBook | None = None  # the book of the layout under way, if any


def current() -> PlanBook | None:
    return _open


@contextlib.contextmanager
def open_book(cache: Cache | None, inputs: Mapping[str, Any] | None) -> Iterator[PlanBook]:
    """The plans kept in `cache` for `inputs`, open while the pages are laid out; the plans
    used are written back once the layout succeeded and used any plan not kept yet."""
    global _open
    book = PlanBook()
    if cache is not None and inputs is not None:
        book.known = cache.read(LINES, inputs, _decode_plans) or {}
    before, _open = _open, book
    try:
        yield book
    finally:
        _open = before
    log.debug("line plans: %d from the cache, %d made", book.found, book.made)
    if cache is not None and inputs is not None and book.used != book.known:
        try:  # the pages are laid out: plans that cannot be saved are made again
            cache.write(LINES, inputs, _encode_plans(book.used))
        except OSError as exc:
            log.warning("could not save the line plans (%s)", exc.strerror or exc)


def plan_key(spelled: Sequence[Any]) -> str:
    """The digest of what a plan depends on, spelled as a tuple of plain values."""
    return hashlib.sha256(repr(tuple(spelled)).encode()).hexdigest()


def _encode_plans(plans: Mapping[str, Plan | None]) -> bytes:
    return json_text(
        {
            key: None
            if plan is None
            else [_floats(plan.planned), _floats(plan.real), _floats(plan.scales)]
            for key, plan in sorted(plans.items())
            if plan is None or all(map(math.isfinite, (*plan.planned, *plan.real, *plan.scales)))
        }
    )


def _floats(numbers: Sequence[float]) -> list[float]:
    return [float(n) for n in numbers]


def _decode_plans(data: bytes) -> dict[str, Plan | None]:
    """Plans read back strictly: three lists of numbers each, or null."""
    value = json.loads(data)
    if not isinstance(value, dict):
        raise ValueError("not a dictionary of plans")
    plans: dict[str, Plan | None] = {}
    for key, lists in value.items():
        if lists is None:
            plans[key] = None
            continue
        if not (
            isinstance(lists, list)
            and len(lists) == 3
            and all(isinstance(numbers, list) and numbers for numbers in lists)
            and all(type(n) is float for numbers in lists for n in numbers)
            and len(lists[0]) == len(lists[2])
        ):
            raise ValueError(f"the plan {key!r} is not three lists of numbers")
        plans[key] = Plan(*lists)
    return plans
