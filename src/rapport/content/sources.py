"""The text of the files read in this run, so that a problem can show the line it is on.

Only text the YAML reader has already read is kept: showing a line never opens
a file, so a problem cannot make rapport read anything the build did not. A
file read again (by `rapport watch`, or an edited facts.yaml about to be
written) replaces what was kept of it.

Lines are split where YAML splits them, so that line N here is the line N of
a YAML position. Drawing a line for a terminal expands tabs, shows control and
direction-changing characters as visible marks, counts wide characters twice
and shortens a very long line around the column, keeping the caret under it.
"""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

MAX_FILES = 128  # a run reads a few dozen files; watch and the tests read many over time
EXCERPT_WIDTH = 100  # terminal columns of source text shown; a longer line is shortened
CONTEXT_BEFORE = 40  # columns kept before the caret when a long line is shortened
TAB_STOP = 4
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # the line breaks of YAML 1.1
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class SourceText:
    """One file's text as lines, with the offset where each line starts in `joined`."""

    lines: tuple[str, ...]
    starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> SourceText:
        lines = tuple(_LINE_BREAK.split(text))
        starts, offset = [], 0
        for line in lines:
            starts.append(offset)
            offset += len(line) + 1
        return cls(lines, tuple(starts))

    @cached_property
    def joined(self) -> str:
        """The text with every line break written as one '\\n', so that offsets count one a
        break; made only when a position inside a text is looked up."""
        return "\n".join(self.lines)

    def offset(self, line: int, column: int) -> int:
        """The offset in `joined` of a 0-based line and column (clamped to the text)."""
        line = min(max(line, 0), len(self.lines) - 1)
        return self.starts[line] + min(max(column, 0), len(self.lines[line]))

    def position(self, offset: int) -> tuple[int, int]:
        """The 0-based (line, column) of an offset in `joined`."""
        line = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        return line, offset - self.starts[line]


_kept: OrderedDict[Path, SourceText] = OrderedDict()


def _key(path: Path) -> Path:
    return Path(os.path.abspath(path))


def remember(path: Path, text: str) -> None:
    """Keep the text just read from `path` for showing its lines in problems."""
    key = _key(path)
    _kept.pop(key, None)
    _kept[key] = SourceText.of(text)
    while len(_kept) > MAX_FILES:
        _kept.popitem(last=False)


def source_of(path: Path) -> SourceText | None:
    """The text read from `path` in this run, or None when it was not read as YAML."""
    return _kept.get(_key(path))


def forget_all() -> None:
    _kept.clear()


# -- drawing one line --------------------------------------------------------------------


def _shown(char: str, at: int) -> tuple[str, int]:
    """How a character is drawn at terminal column `at`: (text, width in columns)."""
    if char == "\t":
        width = TAB_STOP - at % TAB_STOP
        return " " * width, width
    category = unicodedata.category(char)
    if category == "Cc":  # a control character would move the cursor or colour the terminal
        code = ord(char)
        return (chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else REPLACEMENT), 1
    if category in ("Cs", "Cn") or char in _BIDI:  # unprintable, or reorders the line around it
        return REPLACEMENT, 1
    if category in ("Mn", "Me", "Cf"):  # combining accents, zero-width joiners: no column
        return char, 0
    return char, 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def excerpt(source: SourceText, line: int, column: int, end_column: int = 0) -> list[str]:
    """The lines drawn under a problem at a 1-based line and column: the source line in a
    numbered gutter and, when the column is known, carets under the offending text.

    `end_column` is the 1-based column just past the offending text on the same line; 0 or a
    column not past `column` marks one character. Nothing is drawn for a line the text does
    not have, or a blank one.
    """
    if not 1 <= line <= len(source.lines):
        return []
    text = source.lines[line - 1]
    if not text.strip():
        return []
    cells, at = [], 0
    for char in text:
        shown, width = _shown(char, at)
        cells.append((shown, width))
        at += width
    first = min(max(column, 1), len(cells) + 1) - 1 if column else -1
    last = min(max(end_column - 1, first + 1), len(cells) + 1) if column else -1
    window_start, window_end = _window(cells, first)
    drawn = "".join(shown for shown, _ in cells[window_start:window_end]).rstrip()
    lead = "\u2026" if window_start else ""
    tail = "\u2026" if window_end < len(cells) else ""
    number = str(line)
    gutter = " " * (len(number) + 1) + "|"
    lines = [gutter, f"{number} | {lead}{drawn}{tail}"]
    if column:
        before = len(lead) + sum(width for _, width in cells[window_start:first])
        under = sum(width for _, width in cells[first : min(last, window_end)])
        lines.append(f"{gutter} {' ' * before}{'^' * max(under, 1)}")
    return lines


def _window(cells: list[tuple[str, int]], first: int) -> tuple[int, int]:
    """The cells shown of a line: all of it, or a stretch of EXCERPT_WIDTH columns that keeps
    CONTEXT_BEFORE columns before the caret."""
    total = sum(width for _, width in cells)
    if total <= EXCERPT_WIDTH:
        return 0, len(cells)
    start = max(first, 0)
    used = 0
    while start > 0 and used + cells[start - 1][1] <= CONTEXT_BEFORE:
        start -= 1
        used += cells[start][1]
    end, used = start, 0
    while end < len(cells) and used + cells[end][1] <= EXCERPT_WIDTH:
        used += cells[end][1]
        end += 1
    while start > 0 and used + cells[start - 1][1] <= EXCERPT_WIDTH:  # near the end: fill up
        start -= 1
        used += cells[start][1]
    return start, end


# -- positions inside a scalar -----------------------------------------------------------

_PROBE = 4  # characters looked for together to find the thread again after a change
_REACH = 32  # how far ahead: the longest change is an escape or '{vorig_jaar}' for a year


def align(derived: str, original: str) -> list[int]:
    """For each character of `derived`, the index of `original` it most likely comes from.

    `derived` is `original` with runs of whitespace collapsed, escapes decoded,
    indentation taken off or a short word such as '{jaar}' replaced: both are
    walked together, and after a change the next few characters are looked
    for a little further on. A character that comes from nowhere (the digits of
    a replaced year) maps to where its replacement started. Indexes never go
    backwards and always lie within `original`.
    """
    found: list[int] = []
    last = max(len(original) - 1, 0)
    j = 0
    for i, char in enumerate(derived):
        if j < len(original) and (
            original[j] == char or (char.isspace() and original[j].isspace())
        ):
            found.append(j)
            j += 1
        else:
            ahead = _found_ahead(derived, i, original, j)
            if ahead < 0:
                found.append(min(j, last))
                continue
            found.append(ahead)
            j = ahead + 1
        if char.isspace() and not derived[i + 1 : i + 2].isspace():
            while j < len(original) and original[j].isspace():
                j += 1  # a folded line break and the next line's indentation became one space
    return found


def written_value(
    source: SourceText, start: tuple[int, int], end: tuple[int, int], style: str | None
) -> tuple[int, str]:
    """Where a scalar's value is written between its 0-based start and end positions: the
    offset in `joined` and the text, without the '>-' line of a block or the opening quote."""
    begin = source.offset(*start)
    if style in ("|", ">"):  # the text starts on the line after its header
        begin = source.starts[min(start[0] + 1, len(source.lines) - 1)]
    elif style in ("'", '"'):
        begin += 1
    stop = max(source.offset(*end), begin)
    return begin, source.joined[begin:stop]


def _found_ahead(derived: str, i: int, original: str, j: int) -> int:
    """Where `original` picks up the thread of `derived` at i again, from j on; -1 if not near.

    A space is found as any whitespace (a folded line break); other characters as the
    few that follow up to the next space, which a folded line may have moved.
    """
    limit = min(len(original), j + _REACH + _PROBE)
    if derived[i].isspace():
        return next((k for k in range(j, limit) if original[k].isspace()), -1)
    probe = derived[i : i + _PROBE].split(None, 1)[0]
    return original.find(probe, j, limit)
