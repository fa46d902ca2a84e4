"""Hyphens that copy back cleanly.

A word broken at a line end is drawn with the font's hyphen glyph, but the
character behind it must read as a soft hyphen (U+00AD), so that text copied
or extracted from the PDF has the word whole. reportlab ends the head of a
broken word with '-' and strips U+00AD from words, so two small adjustments
to reportlab make it (1) end the head with U+2010 HYPHEN instead, which has the
same glyph, and strip that mark again when it rejoins a word, and (2) map
U+2010 to U+00AD in the font's ToUnicode table. Content never contains
U+2010: the loader turns it into an ordinary hyphen. tests/test_build.py
checks both on every run, so a reportlab upgrade that changes them fails there.

The theme's `hyphenation` group corrects the dictionary: an exception names a
word's only allowed breaks (`kranten-kiosk`), a name in `keep_whole` is never
broken (`Bibster`), and the words of a multi-word name are joined by no-break
spaces, as are a day and its month and a number and its unit (`keep_together`).
Both are applied outside the cached break points, so the cache holds only what
the dictionary says and a changed theme never needs it cleared.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyphen

from rapport.cache import HYPHENATION, Cache, json_text
from rapport.content.model import RichText
from rapport.libs import rl
from rapport.libs.hyph import lazy_pyphen
from rapport.theme import HyphenationTheme

BREAK_MARK = "\u2010"
NO_BREAK_SPACE = "\u00a0"
SOFT_HYPHEN = "\u00ad"
EDGE = 3  # letters a break leaves at least on each side of it, within a part of a compound
# A word longer than this is not looked up for syllables (the longest Dutch words have
# some 40 letters); a longer one is an address or a run of letters that breaking.py breaks.
LONGEST_HYPHENATED = 64
COMPOUND_HEAD = 2  # letters before a compound's own hyphen for a break after it ("tv-|gids")
DICTIONARY_EDGE = 2  # what the dictionary is asked for: the finer rules above are applied after
_JOINS = (
    "-" + NO_BREAK_SPACE
)  # what divides a word into parts: a compound's hyphen, a no-break space
_installed = False


def install() -> None:
    """Teach reportlab the break mark; idempotent."""
    global _installed
    if _installed:
        return
    _draw_breaks_with_the_mark()
    rl.hyphenate_words_with_no_break_spaces()

    def read_mark_as_soft_hyphen(original: Callable[..., str]) -> Callable[..., str]:
        def to_unicode_cmap(fontname: str, subset: Any) -> str:
            marked = [ord(SOFT_HYPHEN) if code == ord(BREAK_MARK) else code for code in subset]
            return original(fontname, marked)

        return to_unicode_cmap

    rl.wrap_to_unicode_cmap(read_mark_as_soft_hyphen)
    _installed = True


def _draw_breaks_with_the_mark() -> None:
    """reportlab ends the head of a word it breaks with '-'; make that the break mark.

    The head stays a hyphenated head to reportlab in every other way, so a
    paragraph split over two pages rejoins the word before breaking it again.
    """

    def with_mark(generate_pair: Callable[..., Any]) -> Callable[..., Any]:
        def generate_with_mark(*args: Any, **kwargs: Any) -> Any:
            result = generate_pair(*args, **kwargs)
            if result and result[0] == "-":
                return (BREAK_MARK, *result[1:])
            return result

        return generate_with_mark

    def rejoining_the_mark(unsplit: Callable[..., Any]) -> Callable[..., Any]:
        def rejoin(head: Any, tail: Any = None) -> Any:
            if type(head) is str and head.endswith(BREAK_MARK):
                head = head[:-1] + "-"  # what reportlab strips when it rejoins a word
            return unsplit(head, tail)

        return rejoin

    def frags_with_mark(generate_pair: Callable[..., Any]) -> Callable[..., Any]:
        def generate_with_mark(*args: Any, **kwargs: Any) -> Any:
            result = generate_pair(*args, **kwargs)
            if result and result[0] == "-":  # a word of several styles: "<b>pagina</b>weergaven"
                _, head, tail = result
                style, text = head[-1]
                head[-1] = (style, text[:-1] + BREAK_MARK)
                return (BREAK_MARK, head, tail)
            return result

        return generate_with_mark

    rl.wrap_word_breaking(with_mark)
    rl.wrap_frag_word_breaking(frags_with_mark)
    rl.wrap_word_rejoining(rejoining_the_mark)


class Hyphenator:
    """Break points for reportlab (longest head first), at least three letters on each side.

    Loading the hyphenation dictionary costs more than laying out a page, so the
    break points of every word met are kept in the project's cache (`store`, its
    `.cache/` folder), keyed by the language and the versions of pyphen and
    rapport: a rebuild whose words are all known never loads the dictionary.
    """

    def __init__(self, language: str, store: Path | None) -> None:
        self.language = language
        self.cache = Cache(store) if store is not None else None
        self.inputs = {"language": language, "left": DICTIONARY_EDGE, "right": DICTIONARY_EDGE}
        self.known: dict[str, list[list[str]]] = {}
        if self.cache is not None:
            self.known = self.cache.read(HYPHENATION, self.inputs, _break_points) or {}
        self.added = False
        self._dictionary: pyphen.Pyphen | None = None

    def __call__(self, word: str) -> Iterator[tuple[str, str]]:
        if len(word) > LONGEST_HYPHENATED:  # an address or a run of letters, not a word:
            return  # breaking.py breaks it; finding its syllables would cost n² each line
        pairs = self.known.get(word)
        if pairs is None:
            pairs = [[head, tail] for head, tail in self._pyphen().iterate(word)]
            self.known[word] = pairs
            self.added = True
        yield from ((head, tail) for head, tail in pairs)

    def _pyphen(self) -> pyphen.Pyphen:
        if self._dictionary is None:
            self._dictionary = lazy_pyphen(
                self.language.replace("-", "_"), DICTIONARY_EDGE, DICTIONARY_EDGE
            )
        return self._dictionary

    def save(self) -> None:
        if not (self.added and self.cache):
            return
        self.cache.write(HYPHENATION, self.inputs, json_text(self.known))
        self.added = False


def _break_points(text: bytes) -> dict[str, list[list[str]]]:
    """Cached break points read back strictly: a list of (head, tail) pairs for each word."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not a dictionary of words")
    for word, pairs in value.items():
        if not isinstance(pairs, list) or not all(
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(part, str) for part in pair)
            for pair in pairs
        ):
            raise ValueError(f"the break points of {word!r} are not pairs of text")
    return value


class RuledHyphenator:
    """The dictionary's break points corrected by the theme and by the rules of a compound.

    Inside a word the exceptions and names are found wherever they occur, case
    aside, so `Krantenkiosken` breaks only as `kranten-kiosk` allows and
    `Bibsterklassen` never inside `Bibster`. A word with a hyphen of its own
    (`AVG-wetgeving`) may break right after that hyphen, which then ends the
    line with no hyphen added; each part of such a word, and of a name joined
    by no-break spaces, keeps `EDGE` letters on each side of a dictionary break.
    """

    def __init__(
        self, dictionary: Callable[[str], Iterable[tuple[str, str]]], words: HyphenationTheme
    ) -> None:
        self.dictionary = dictionary
        self.exceptions = {
            entry.replace("-", "").lower(): _break_positions(entry) for entry in words.exceptions
        }
        # A name of several words is one word once `keep_together` has joined it with
        # no-break spaces: protected the same way.
        self.names = {name.replace(" ", NO_BREAK_SPACE).lower() for name in words.keep_whole}
        # What the break points depend on, for caches that outlive this object.
        self.key = (
            getattr(dictionary, "language", None),
            tuple(sorted(self.exceptions)),
            tuple(sorted(self.names)),
            EDGE,
            COMPOUND_HEAD,
        )
        self.known: dict[str, list[tuple[str, str]]] = {}

    def __call__(self, word: str) -> Iterator[tuple[str, str]]:
        if len(word) > LONGEST_HYPHENATED:  # an address or a run of letters, not a word:
            return  # breaking.py breaks it; finding its syllables would cost n² each line
        pairs = self.known.get(word)
        if pairs is None:
            pairs = self.known[word] = self._pairs(word)
        yield from pairs

    def _pairs(self, word: str) -> list[tuple[str, str]]:
        lowered = word.lower()
        closed: list[tuple[int, int]] = []  # spans of the word no break may fall in
        added: set[int] = set()
        for entry, allowed in self.exceptions.items():
            for start in _occurrences(lowered, entry):
                closed.append((start, start + len(entry)))
                added.update(start + position for position in allowed)
        for name in self.names:
            closed.extend((start, start + len(name)) for start in _occurrences(lowered, name))
        found = {len(head) for head, _ in self.dictionary(word) if _inside_a_part(word, len(head))}
        found.update(_compound_breaks(word))
        # The exceptions' own breaks are added after the closed spans have ruled out the rest.
        breaks = {p for p in found if not any(start < p < end for start, end in closed)}
        breaks.update(p for p in added if EDGE <= p <= len(word) - EDGE)
        return [(word[:p], word[p:]) for p in sorted(breaks, reverse=True)]


def _inside_a_part(word: str, position: int) -> bool:
    """Whether a break at `position` leaves `EDGE` letters on each side within its part of
    the word (no `Noor|d-Zuid`, no break next to a compound's hyphen or a no-break space)."""
    start = max(word.rfind(join, 0, position) for join in _JOINS) + 1
    ends = [end for end in (word.find(join, position) for join in _JOINS) if end != -1]
    end = min(ends, default=len(word))
    return position - start >= EDGE and end - position >= EDGE


def _compound_breaks(word: str) -> Iterator[int]:
    """Breaks right after a compound's own hyphen (`Bibliotheek-|profielen`), between letters
    only: never in a number range or after a minus, and never after a lone letter (`e-boek`)."""
    for index, character in enumerate(word):
        if character != "-":
            continue
        start = max(word.rfind(join, 0, index) for join in _JOINS) + 1
        head, tail = word[start:index], word[index + 1 : index + 1 + EDGE]
        if len(head) >= COMPOUND_HEAD and head.isalpha() and len(tail) == EDGE and tail.isalpha():
            yield index + 1


def _break_positions(exception: str) -> tuple[int, ...]:
    """Where `kranten-kiosk` may break, counted in letters of `krantenkiosk`: (7,)."""
    parts = exception.split("-")
    return tuple(sum(len(part) for part in parts[:i]) for i in range(1, len(parts)))


def _occurrences(word: str, part: str) -> Iterator[int]:
    start = word.find(part)
    while start != -1:
        yield start
        start = word.find(part, start + 1)


# A day and its month stay on one line ("20 maart"), Dutch and English names.
_MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
    " January February March April May June July August September October November December"
    " jan feb mrt apr jun jul aug sep sept okt oct nov dec"
)
_DAY_MONTH = re.compile(rf"\b([1-9]|[12][0-9]|3[01]) +(?=(?:{'|'.join(_MONTHS.split())})\b\.?)")
# A number and its unit stay on one line ("15 %", "3,5 MB", "12 euro"), and so do
# a currency sign and its amount ("€ 15"). Units of one letter are left out: "5 u"
# could as well be a number followed by the pronoun.
_UNITS = "% ‰ °C kB MB GB TB km km² m² cm mm kg uur min euro EUR"
_NUMBER_UNIT = re.compile(
    rf"(?<![\w.,])(\d[\d.,]*) +(?=(?:{'|'.join(re.escape(u) for u in _UNITS.split())})(?![\w%‰²]))"
)
_CURRENCY_NUMBER = re.compile(r"([€$£]) +(?=\d)")


def keep_together(text: str, names: Iterable[str]) -> str:
    """`text` with no-break spaces where a line must not break: inside the names of
    several words (exactly as written, capitals included), between a day and its
    month and between a number and its unit."""
    pattern = _names_pattern(tuple(names))
    if pattern is not None:
        text = pattern.sub(lambda found: NO_BREAK_SPACE.join(found[0].split()), text)
    text = _DAY_MONTH.sub(rf"\1{NO_BREAK_SPACE}", text)
    text = _NUMBER_UNIT.sub(rf"\1{NO_BREAK_SPACE}", text)
    return _CURRENCY_NUMBER.sub(rf"\1{NO_BREAK_SPACE}", text)


@functools.lru_cache(maxsize=16)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for every name of several words, the longest first (compiled once,
    not once for each name and text)."""
    several = sorted((name for name in names if " " in name), key=len, reverse=True)
    if not several:
        return None
    spelled = "|".join(r"\s+".join(map(re.escape, name.split())) for name in several)
    return re.compile(rf"(?<!\w)(?:{spelled})(?!\w)")


def keep_together_rich(text: RichText, words: HyphenationTheme) -> RichText:
    """`keep_together` on each span of a rich text (a name split over two styles is left alone)."""
    spans = tuple(
        replace(span, text=keep_together(span.text, words.keep_whole)) for span in text.spans
    )
    return replace(text, spans=spans)


_hyphenators: dict[tuple[str, Path | None], Hyphenator] = {}


def has_dictionary(language: str) -> bool:
    return pyphen.language_fallback(language.replace("-", "_")) is not None


def hyphenator(
    language: str, store: Path | None = None, words: HyphenationTheme | None = None
) -> RuledHyphenator:
    """The hyphenator of a language corrected by the theme's `words`.

    The dictionary and its cached break points are shared by every build in
    this process; the corrections are the theme's and so belong to one build.
    """
    install()
    key = (language, store)
    if key not in _hyphenators:
        _hyphenators[key] = Hyphenator(language, store)
    return RuledHyphenator(_hyphenators[key], words or HyphenationTheme((), ()))


def save_all() -> None:
    for each in _hyphenators.values():
        each.save()
