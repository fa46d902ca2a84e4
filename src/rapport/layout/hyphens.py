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
from reportlab.pdfbase import ttfonts
from reportlab.platypus import paragraph

from rapport.atomic import write_atomically

BREAK_MARK = "\u2010"
SOFT_HYPHEN = "\u00ad"
_installed = False


def install() -> None:
    """Teach reportlab the break mark; idempotent."""
    global _installed
    if _installed:
        return
    _draw_breaks_with_the_mark()
    original: Callable[[str, Any], str] = ttfonts.makeToUnicodeCMap

    def to_unicode_cmap(fontname: str, subset: Any) -> str:
        return original(
            fontname, [ord(SOFT_HYPHEN) if code == ord(BREAK_MARK) else code for code in subset]
        )

    ttfonts.makeToUnicodeCMap = to_unicode_cmap
    _installed = True


def _draw_breaks_with_the_mark() -> None:
    """reportlab ends the head of a word it breaks with '-'; make that the break mark.

    The head stays a hyphenated head to reportlab in every other way, so a
    paragraph split over two pages rejoins the word before breaking it again.
    """
    generate_pair = paragraph._hyGenPair
    unsplit = paragraph._shyUnsplit

    def with_mark(*args: Any, **kwargs: Any) -> Any:
        result = generate_pair(*args, **kwargs)
        if result and result[0] == "-":
            return (BREAK_MARK, *result[1:])
        return result

    def rejoin(head: Any, tail: Any = None) -> Any:
        if type(head) is str and head.endswith(BREAK_MARK):
            head = head[:-1] + "-"  # what reportlab strips when it rejoins a word
        return unsplit(head, tail)

    paragraph._hyGenPair = with_mark
    paragraph._shyUnsplit = rejoin


class Hyphenator:
    """Break points for reportlab (longest head first), at least three letters on each side.

    Loading the hyphenation dictionary costs more than laying out a page, so the
    break points of every word met are kept in a small JSON file: a rebuild
    whose words are all known never loads the dictionary.
    """

    def __init__(self, language: str, store: Path | None) -> None:
        self.language = language
        self.store = store
        self.known: dict[str, list[list[str]]] = _read_store(store)
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
            self._dictionary = pyphen.Pyphen(lang=self.language.replace("-", "_"), left=3, right=3)
        return self._dictionary

    def save(self) -> None:
        if not (self.added and self.store):
            return
        write_atomically(
            self.store, json.dumps(self.known, ensure_ascii=False, sort_keys=True).encode()
        )
        self.added = False


def _read_store(store: Path | None) -> dict[str, list[list[str]]]:
    if store is None or not store.is_file():
        return {}
    try:
        data = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a damaged cache is rebuilt, never trusted
    valid = isinstance(data, dict) and all(
        isinstance(pairs, list)
        and all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p)
            for p in pairs
        )
        for pairs in data.values()
    )
    return data if valid else {}


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
