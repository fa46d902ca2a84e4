"""pyphen's internals that rapport relies on, for pyphen 0.18: its dictionary, read lazily.

pyphen parses every pattern of a hyphenation dictionary when it loads one:
the Dutch one holds 16 000, a seventh of a second, to hyphenate the few
hundred words of an edition that the project's hyphenation cache does not
know yet. `lazy_pyphen` gives a `pyphen.Pyphen` whose dictionary keeps each
pattern as its line of text and parses it, as pyphen would, when a word
first looks it up. The break points are pyphen's own (tests/test_hyphenation.py
compares them word for word). A dictionary with nonstandard patterns
(`/` alternatives, `^^` escapes) is loaded by pyphen itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyphen

from rapport.libs import require

require("pyphen", pyphen.__version__)

_DIGITS = re.compile(r"\d")
Parsed = tuple[int, tuple[int, ...]] | None  # where the values start, and the values


def lazy_pyphen(language: str, left: int, right: int) -> pyphen.Pyphen:
    """pyphen's hyphenator for `language` ('nl_NL'), its patterns parsed when used."""
    path = pyphen.LANGUAGES[pyphen.language_fallback(language)]
    if path not in pyphen.hdcache:  # pyphen's own memory of loaded dictionaries
        pyphen.hdcache[path] = _dictionary(path)
    return pyphen.Pyphen(filename=path, left=left, right=right)


def _dictionary(path: Path) -> pyphen.HyphDict:
    with path.open("rb") as file:
        encoding = file.readline().decode().strip()
    if encoding.lower() == "microsoft-cp1251":  # as pyphen reads it
        encoding = "cp1251"
    text = path.read_text(encoding)
    if "/" in text or "^^" in text:
        return pyphen.HyphDict(path)
    dictionary = pyphen.HyphDict.__new__(pyphen.HyphDict)
    dictionary.patterns = LazyPatterns(text.split("\n")[1:])
    dictionary.cache = {}
    dictionary.maxlen = dictionary.patterns.maxlen
    return dictionary


class LazyPatterns:
    """pyphen's `HyphDict.patterns` (the letters of a pattern → where its values start,
    and the values), each pattern parsed on first lookup."""

    def __init__(self, lines: list[str]) -> None:
        self.lines: dict[str, str] = {}
        for line in lines:
            pattern = line.strip()
            if not pattern or pattern.startswith(pyphen.ignored):
                continue
            letters = _DIGITS.sub("", pattern)
            known = self.lines.get(letters)
            self.lines[letters] = pattern if known is None else f"{known}\n{pattern}"
        self.parsed: dict[str, Parsed] = {}
        self.maxlen = max(map(len, self.lines), default=0)

    def get(self, letters: str) -> Parsed:
        try:
            return self.parsed[letters]
        except KeyError:
            lines = self.lines.get(letters)
            # the last line of the same letters that has values wins, as pyphen stores them
            found = (
                next((p for p in map(_parsed, reversed(lines.split("\n"))) if p), None)
                if lines
                else None
            )
            self.parsed[letters] = found
            return found


def _parsed(pattern: str) -> Parsed:
    """One pattern line as pyphen parses it (HyphDict.__init__)."""
    values = [int(digit or "0") for digit, _ in pyphen.parse(pattern)]
    if max(values) == 0:
        return None
    start, end = 0, len(values)
    while not values[start]:
        start += 1
    while not values[end - 1]:
        end -= 1
    return start, tuple(values[start:end])
