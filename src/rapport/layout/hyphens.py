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
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyphen

from rapport.cache import HYPHENATION, Cache, json_text
from rapport.libs import rl

BREAK_MARK = "\u2010"
SOFT_HYPHEN = "\u00ad"
EDGE = 3  # letters a break leaves at least on each side
_installed = False


def install() -> None:
    """Teach reportlab the break mark; idempotent."""
    global _installed
    if _installed:
        return
    _draw_breaks_with_the_mark()

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

    rl.wrap_word_breaking(with_mark)
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
        self.inputs = {"language": language, "left": EDGE, "right": EDGE}
        self.known: dict[str, list[list[str]]] = {}
        if self.cache is not None:
            self.known = self.cache.read(HYPHENATION, self.inputs, _break_points) or {}
        self.added = False
        self._dictionary: pyphen.Pyphen | None = None

    def __call__(self, word: str) -> Iterator[tuple[str, str]]:
        pairs = self.known.get(word)
        if pairs is None:
            pairs = [[head, tail] for head, tail in self._pyphen().iterate(word)]
            self.known[word] = pairs
            self.added = True
        yield from ((head, tail) for head, tail in pairs)

    def _pyphen(self) -> pyphen.Pyphen:
        if self._dictionary is None:
            self._dictionary = pyphen.Pyphen(
                lang=self.language.replace("-", "_"),
                left=EDGE,
                right=EDGE,
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


_hyphenators: dict[tuple[str, Path | None], Hyphenator] = {}


def has_dictionary(language: str) -> bool:
    return pyphen.language_fallback(language.replace("-", "_")) is not None


def hyphenator(language: str, store: Path | None = None) -> Hyphenator:
    """The hyphenator of a language, shared by every build in this process."""
    install()
    key = (language, store)
    if key not in _hyphenators:
        _hyphenators[key] = Hyphenator(language, store)
    return _hyphenators[key]


def save_all() -> None:
    for each in _hyphenators.values():
        each.save()
