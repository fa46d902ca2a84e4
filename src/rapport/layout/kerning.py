"""Pair kerning, read from the font and applied by rapport itself: the same for the same text.

reportlab draws text with the advance widths of its glyphs only, so pairs such
as "Vo", "Te" and "Wa" stand visibly apart. Shaping through HarfBuzz kerns
them, but it maps glyphs back to characters (an italic "." extracted as ";",
ligatures as private-use code points) and a hyphenated head came out kerned
or not depending on what the hyphenation cache held. Kerning here is a pure
function of (font, text): one glyph per character, the characters kept as they
are (so copying and the ToUnicode table stay exact), each character's advance
its width plus the font's kerning with the next character.

The pairs are read from the font's GPOS `kern` feature (PairPos formats 1 and
2, as a shaper applies them) once per font file and kept in the project's
cache (`fonts`). Widths used for line breaking and justification include the
kerning (the font's `stringWidth`), and everything drawn in the font is kerned
the same way: paragraphs, headers and footers, the cover, tiles, chart labels.

Never kerned: pairs with a digit (Lato's figures are tabular, and numbers in
tiles and tables must stay aligned), with a space (a line is measured word by
word), or with a hyphen or a break mark (a broken word's head is measured
apart from the hyphen that ends it). So the width of a line is the sum of
the widths of its pieces, however reportlab cuts it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import struct
import unicodedata
from collections.abc import Iterable, Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any

from rapport.cache import FONTS, Cache, json_text
from rapport.diagnostics import display_path
from rapport.libs import rl
from rapport.theme.fonts import parsed_face

log = logging.getLogger(__name__)

Pairs = dict[str, dict[str, float]]  # first character → next character → thousandths of the size
_MEMO_LIMIT = 200_000  # distinct strings whose kerning a font remembers before forgetting all
_NEVER_KERNED = frozenset("-\u00ad\u2010\u2011\u2012\u2013\u2014\u2212")
# The characters kerned: Latin-1 and the few letters and marks of Dutch, English and French
# text beyond it. Lato kerns by classes that hold its many accented letters; expanding all
# of them would make a table of a quarter million pairs for characters no report uses.
KERNED_CHARACTERS = frozenset(
    [chr(code) for code in range(0x21, 0x7F)]
    + [chr(code) for code in range(0xA1, 0x100)]
    + list(
        "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2018\u2019\u201a\u201c\u201d\u201e\u2026\u20ac"
    )
)
_NO_PAIRS: Mapping[str, float] = {}
_installed = False


def kernable(character: str) -> bool:
    """Whether `character` may take part in a kerned pair (see the module's note)."""
    if character not in KERNED_CHARACTERS or character in _NEVER_KERNED or character.isdigit():
        return False
    return not unicodedata.category(character).startswith(("C", "Z", "N"))


class PairTable:
    """A font's kerning pairs, and the kerning of strings set in it."""

    def __init__(self, pairs: Mapping[str, Mapping[str, float]]) -> None:
        self.pairs: Mapping[str, Mapping[str, float]] = pairs
        self.memo: dict[str, float] = {}

    def adjustment(self, first: str, second: str) -> float:
        """The change of `first`'s advance when `second` follows, in thousandths of the size."""
        row = self.pairs.get(first)
        return row.get(second, 0.0) if row else 0.0

    def after_each(self, text: str) -> list[float] | None:
        """The adjustment after each character of `text`, or None when there is none."""
        pairs = self.pairs
        adjustments = [(pairs.get(a) or _NO_PAIRS).get(b, 0.0) for a, b in pairwise(text)]
        if not any(adjustments):
            return None
        return [*adjustments, 0.0]

    def total(self, text: str) -> float:
        """The sum of `text`'s adjustments; remembered, as a paragraph measures its words often."""
        found = self.memo.get(text)
        if found is None:
            pairs = self.pairs
            found = 0.0
            for a, b in pairwise(text):
                row = pairs.get(a)
                if row:
                    found += row.get(b, 0.0)
            if len(self.memo) >= _MEMO_LIMIT:
                self.memo.clear()
            self.memo[text] = found
        return found


# ----------------------------------------------------------------------------- reading the font


def read_pairs(font: bytes, glyph_of: Mapping[int, int]) -> Pairs:
    """The kerning pairs of the TrueType `font` (its bytes), from its GPOS `kern` feature.

    `glyph_of` maps code points to glyph ids (the font's cmap). Within one
    lookup the first subtable that covers a pair decides it (a format 2
    subtable covers every pair of its first glyphs); the lookups of the
    feature add up, as a shaper applies them. Pairs that are never kerned
    (`kernable`) are left out. A small reader of its own: decoding the table
    with fontTools takes a third of a second per face, longer than a build.
    """
    tables = _tables(font)
    if "GPOS" not in tables or "head" not in tables:
        return {}
    units_per_em = _u16(tables["head"], 18)
    if not 16 <= units_per_em <= 16384:
        raise ValueError("units per em out of range")
    characters: dict[int, list[str]] = {}
    for character in sorted(KERNED_CHARACTERS):
        glyph = glyph_of.get(ord(character))
        if glyph is not None and kernable(character):
            characters.setdefault(glyph, []).append(character)
    gpos = tables["GPOS"]  # every offset below is inside it: a read outside raises
    by_glyphs: dict[tuple[int, int], float] = {}
    lookups = _u16(gpos, 8)
    for index in _kern_lookups(gpos):
        lookup = lookups + _u16(gpos, lookups + 2 + 2 * index)
        for pair, value in _lookup_pairs(gpos, lookup, characters).items():
            by_glyphs[pair] = by_glyphs.get(pair, 0.0) + value
    scale = 1000 / units_per_em
    rows: dict[int, dict[int, float]] = {}  # first glyph → second glyph → its kerning
    for (first, second), value in by_glyphs.items():
        if value:
            rows.setdefault(first, {})[second] = value * scale
    pairs: Pairs = {}
    for first, row in rows.items():
        kerned = {b: value for second, value in row.items() for b in characters[second]}
        for a in characters[first]:  # a character is one glyph: no pair is set twice
            pairs[a] = kerned if len(characters[first]) == 1 else dict(kerned)
    return pairs


def _u16(data: bytes, offset: int) -> int:
    return int(struct.unpack_from(">H", data, offset)[0])


def _i16(data: bytes, offset: int) -> int:
    return int(struct.unpack_from(">h", data, offset)[0])


def _u32(data: bytes, offset: int) -> int:
    return int(struct.unpack_from(">L", data, offset)[0])


def _u16s(data: bytes, offset: int, count: int) -> list[int]:
    return list(struct.unpack_from(f">{count}H", data, offset))


def _tables(font: bytes) -> dict[str, bytes]:
    """The font's tables by tag, each its own bytes."""
    found = {}
    for record in range(12, 12 + 16 * _u16(font, 4), 16):
        tag = font[record : record + 4].decode("latin-1")
        offset, length = _u32(font, record + 8), _u32(font, record + 12)
        if offset + length > len(font):
            raise ValueError(f"the {tag} table ends after the file")
        found[tag] = font[offset : offset + length]
    return found


def _kern_lookups(font: bytes) -> list[int]:
    """The lookups of the `kern` feature for Latin text (or the default script)."""
    scripts_at = _u16(font, 4)
    scripts = {}
    for record in range(scripts_at + 2, scripts_at + 2 + 6 * _u16(font, scripts_at), 6):
        scripts[font[record : record + 4]] = scripts_at + _u16(font, record + 4)
    script = scripts.get(b"latn") or scripts.get(b"DFLT")
    if script is None or not _u16(font, script):
        return []
    language = script + _u16(font, script)  # the default language system
    features_at = _u16(font, 6)
    found: set[int] = set()
    for index in _u16s(font, language + 6, _u16(font, language + 4)):
        record = features_at + 2 + 6 * index
        if font[record : record + 4] == b"kern":
            feature = features_at + _u16(font, record + 4)
            found.update(_u16s(font, feature + 4, _u16(font, feature + 2)))
    return sorted(found)


def _subtables(font: bytes, lookup: int) -> list[int]:
    """Where the PairPos subtables of a lookup start (extension subtables unwrapped)."""
    kind = _u16(font, lookup)
    offsets = [lookup + at for at in _u16s(font, lookup + 6, _u16(font, lookup + 4))]
    if kind == 9:
        return [at + _u32(font, at + 4) for at in offsets if _u16(font, at + 2) == 2]
    return offsets if kind == 2 else []


def _lookup_pairs(
    font: bytes, lookup: int, characters: Mapping[int, list[str]]
) -> dict[tuple[int, int], float]:
    """The x-advance adjustments one lookup makes, by pair of glyphs that are characters."""
    decided: dict[tuple[int, int], float] = {}
    firsts_done: set[int] = set()  # a format 2 subtable decides all pairs of its first glyphs
    for table in _subtables(font, lookup):
        covered = _coverage(font, table + _u16(font, table + 2))
        firsts = [
            (index, glyph)
            for index, glyph in enumerate(covered)
            if glyph in characters and glyph not in firsts_done
        ]
        if _u16(font, table) == 1:
            _format1_pairs(font, table, firsts, characters, decided)
        elif _u16(font, table) == 2:
            _format2_pairs(font, table, firsts, characters, decided)
            firsts_done.update(glyph for _, glyph in firsts)
    return decided


def _coverage(font: bytes, at: int) -> list[int]:
    """The glyphs of a coverage table, in coverage index order."""
    count = _u16(font, at + 2)
    if _u16(font, at) == 1:
        return _u16s(font, at + 4, count)
    glyphs: list[int] = []
    for record in range(at + 4, at + 4 + 6 * count, 6):
        glyphs.extend(range(_u16(font, record), _u16(font, record + 2) + 1))
    return glyphs


def _class_of(font: bytes, at: int) -> dict[int, int]:
    """The class of each glyph a class definition lists (the others are of class 0)."""
    classes: dict[int, int] = {}
    if _u16(font, at) == 1:
        start, count = _u16(font, at + 2), _u16(font, at + 4)
        classes.update(zip(range(start, start + count), _u16s(font, at + 6, count), strict=True))
    else:
        ranges = _u16s(font, at + 4, 3 * _u16(font, at + 2))
        for first, last, value in zip(ranges[::3], ranges[1::3], ranges[2::3], strict=True):
            classes.update(dict.fromkeys(range(first, last + 1), value))
    return classes


def _value_layout(value_format: int) -> tuple[int, int | None]:
    """A value record's size and where its XAdvance is in it (None: it has none)."""
    size = 2 * bin(value_format & 0xFF).count("1")
    advance = 2 * bin(value_format & 0x3).count("1") if value_format & 0x4 else None
    return size, advance


def _format1_pairs(
    font: bytes,
    table: int,
    firsts: Iterable[tuple[int, int]],
    characters: Mapping[int, list[str]],
    decided: dict[tuple[int, int], float],
) -> None:
    size1, advance = _value_layout(_u16(font, table + 4))
    size2, _ = _value_layout(_u16(font, table + 6))
    for index, first in firsts:
        pair_set = table + _u16(font, table + 10 + 2 * index)
        step = 2 + size1 + size2
        for record in range(pair_set + 2, pair_set + 2 + step * _u16(font, pair_set), step):
            second = _u16(font, record)
            if second in characters and (first, second) not in decided:
                value = _i16(font, record + 2 + advance) if advance is not None else 0
                decided[(first, second)] = float(value)


def _format2_pairs(
    font: bytes,
    table: int,
    firsts: Iterable[tuple[int, int]],
    characters: Mapping[int, list[str]],
    decided: dict[tuple[int, int], float],
) -> None:
    size1, advance = _value_layout(_u16(font, table + 4))
    size2, _ = _value_layout(_u16(font, table + 6))
    if advance is None:
        return
    first_class = _class_of(font, table + _u16(font, table + 8))
    second_class = _class_of(font, table + _u16(font, table + 10))
    class2_count = _u16(font, table + 14)
    members: dict[int, list[int]] = {}
    for glyph in characters:  # class 0 holds every glyph the class definition does not list
        members.setdefault(second_class.get(glyph, 0), []).append(glyph)
    step = size1 + size2
    wanted = [(class2, seconds) for class2, seconds in members.items() if class2 < class2_count]
    row_format = f">{class2_count * step // 2}h"
    for _, first in firsts:
        row = struct.unpack_from(
            row_format, font, table + 16 + first_class.get(first, 0) * class2_count * step
        )
        for class2, seconds in wanted:
            value = row[(class2 * step + advance) // 2]
            if value:  # no later subtable sees this first glyph: zero needs no deciding
                for second in seconds:
                    decided.setdefault((first, second), float(value))


# ----------------------------------------------------------------------------- cached per font file


_TABLES: dict[tuple[Path, Path, int, int], PairTable] = {}  # read once per process


def pair_table(path: Path, root: Path, glyph_of: Mapping[int, int]) -> PairTable:
    """The kerning of the font at `path` (cmap `glyph_of`), from the cache of project `root`
    or read from the font."""
    info = path.stat()
    stamp = (path, root, info.st_size, info.st_mtime_ns)
    if stamp not in _TABLES:
        cache = Cache.of_project(root)
        inputs = {"font": path.name, "size": info.st_size, "modified_ns": info.st_mtime_ns}
        inputs["table"] = "kerning"
        stored = cache.read(FONTS, inputs, _pairs_of)
        if stored is None:
            stored = _read_or_warn(path, glyph_of)
            if stored is not None:
                with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
                    cache.write(FONTS, inputs, json_text(stored))
        if len(_TABLES) >= 32:
            _TABLES.clear()
        _TABLES[stamp] = PairTable(stored or {})
    return _TABLES[stamp]


def _read_or_warn(path: Path, glyph_of: Mapping[int, int]) -> Pairs | None:
    """The pairs of the font at `path`, or None (after a warning) when its GPOS table is
    damaged: reportlab draws such a font well, so its text is set, only without kerning."""
    try:
        return read_pairs(path.read_bytes(), glyph_of)
    except (struct.error, IndexError, ValueError, ZeroDivisionError) as exc:
        log.warning(
            "failed to read the kerning of %s (its GPOS table is damaged: %s);"
            " its text is set without kerning. Replace the font file to have it kerned",
            display_path(path),
            type(exc).__name__,
        )
        return None


def _pairs_of(text: bytes) -> Pairs:
    """Cached pairs read back strictly (ValueError for anything else)."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not the kerning of a font")
    for first, row in value.items():
        if len(first) != 1 or not isinstance(row, dict):
            raise ValueError("not the kerning of a font")
        for second, amount in row.items():
            if len(second) != 1 or type(amount) not in (int, float):
                raise ValueError("a kerning pair is not a number")
    return {
        first: {second: float(amount) for second, amount in row.items()}
        for first, row in value.items()
    }


def kerned_font(name: str, path: Path, root: Path) -> Any:
    """A reportlab font named `name` from the TrueType file at `path`, measured and drawn
    kerned; its pairs come from the cache of project `root`."""
    install()
    font = rl.KernedTTFont(name, str(path), PairTable({}), parsed_face(path))
    font.kerning = pair_table(path, root, font.face.charToGlyph)
    return font


def install() -> None:
    """Make reportlab draw the text of kerned fonts with its kerning; idempotent."""
    global _installed
    if not _installed:
        rl.draw_kerned_text()
        _installed = True
