"""Words longer than their line: broken, never drawn past the frame.

reportlab breaks lines at spaces only; a web address or a long word wider
than the line (a narrow table cell, a key-figure tile) would run off the page.
reportlab asks its hyphenation hook for a break in every word that does not
fit; this module extends that hook: a word wider than a whole line is broken
after '/', '.', '-' and similar marks of an address, or, when no such mark
leaves a head that fits, after any character. No hyphen is added, so a
broken address copies back whole. Words that fit a line are left to the
ordinary hyphenation, so pages without such words do not change.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, islice
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth

from rapport.libs import rl

# Marks after which an address breaks well: path, host, query and word parts.
ADDRESS_BREAKS = frozenset("/.-?&=_#:~+")
_installed = False


def install() -> None:
    """Teach reportlab to break words wider than a line; idempotent."""
    global _installed
    if _installed:
        return
    rl.wrap_word_breaking(_breaking_long_words)
    _installed = True


def _breaking_long_words(original: Callable[..., Any]) -> Callable[..., Any]:
    """reportlab's break finder, extended to words wider than a whole line."""

    def with_long_words(
        hyphenator: Any,
        word: Any,
        word_width: float,
        new_width: float,
        max_width: float,
        font_name: str,
        font_size: float,
        *rest: Any,
    ) -> Any:
        result = original(
            hyphenator, word, word_width, new_width, max_width, font_name, font_size, *rest
        )
        if result or word_width <= max_width:
            return result
        text = word.decode("utf8") if isinstance(word, bytes) else str(word)
        used = new_width - word_width  # what the line holds before this word
        head = longest_fitting_head(
            text, max_width - used, lambda part: stringWidth(part, font_name, font_size)
        )
        if head is None:
            return None
        head_width = stringWidth(head, font_name, font_size)
        return "", 0, head_width, word_width - head_width, head, text[len(head) :]

    return with_long_words


def longest_fitting_head(word: str, room: float, width: Callable[[str], float]) -> str | None:
    """The longest head of `word` that fits `room`, or None when not even one character does.

    A head ending after an address mark is preferred to a longer one cut inside
    a part of the word, as long as it fills at least half the room.
    """
    ends = list(_widths_up_to(islice(word, len(word) - 1), room, width))  # width of word[:i + 1]
    fitting = bisect_right(ends, room)  # heads word[:1] … word[:fitting] fit
    if fitting == 0:
        return None
    for position in range(fitting, 0, -1):
        if ends[position - 1] < room / 2:
            break
        if word[position - 1] in ADDRESS_BREAKS:
            return word[:position]
    return word[:fitting]


def _widths_up_to(
    word: Iterable[str], room: float, width: Callable[[str], float]
) -> Iterator[float]:
    """The widths of word[:1], word[:2] … up to the first wider than `room`: each line of
    a long word measures what that line can hold, not the whole rest of the word, so a
    word of n characters is broken in time linear in n."""
    for end in accumulate(width(char) for char in word):
        yield end
        if end > room:
            return


def column_widths(needs: list[float], available: float) -> list[float] | None:
    """Widths for table columns that need `needs` points at least (their longest word).

    None — reportlab's own sizing — when they fit; otherwise a column needing no
    more than its fair share keeps its need and the rest share what is left
    equally, their long words broken to fit (reportlab's own sizing would make
    the other columns narrower than nothing).
    """
    if sum(needs) <= available:
        return None
    widths: list[float | None] = [None] * len(needs)
    while True:
        open_columns = [i for i, width in enumerate(widths) if width is None]
        left = available - sum(width for width in widths if width is not None)
        share = left / len(open_columns)
        settled = [i for i in open_columns if needs[i] <= share]
        if not settled:
            return [share if width is None else width for width in widths]
        for i in settled:
            widths[i] = needs[i]
