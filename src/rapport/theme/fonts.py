"""The theme's TrueType files, read once with the reader that embeds them in the PDF.

A font that this reader cannot take would otherwise fail the build half-way,
after the charts were drawn; reading it while checking the theme turns that
into a problem reported with the theme. The same reading tells which
characters a font can draw. Both are kept in the project's cache (`font_facts`),
so that a rebuild does not decode the fonts again.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapport.cache import FONTS, Cache, file_digest, json_text

# The tables reportlab reads to measure text and to embed a subset of the font.
REQUIRED_TABLES = ("head", "hhea", "maxp", "OS/2", "name", "post", "cmap", "hmtx", "loca", "glyf")
_DAMAGED = "the file ends early or is damaged"


class FontDamage(Exception):
    """Why a font file cannot be used, in words for the reader."""


def _read(path: Path) -> Any:
    from reportlab.pdfbase.ttfonts import TTFError, TTFontFace

    try:
        face = TTFontFace(str(path))
    except TTFError as exc:
        reason = str(exc).replace(f'"{path}" ', "").replace(f"{path}: ", "")
        lowered = reason.lower()
        if "not a recognized" in lowered or "not a ttf file" in lowered:
            reason = "it is not a TrueType font"
        raise FontDamage(_DAMAGED if "corrupt" in lowered else reason) from None
    except Exception:  # reportlab raises many kinds on damaged tables
        raise FontDamage(_DAMAGED) from None
    missing = [tag for tag in REQUIRED_TABLES if tag not in face.table]
    if missing:
        raise FontDamage(f"it has no '{missing[0]}' table")
    size = path.stat().st_size
    if any(entry["offset"] + entry["length"] > size for entry in face.table.values()):
        raise FontDamage(_DAMAGED)
    return face


_FACES: dict[str, Any] = {}  # sha256 of a font file: its parsed face, or its FontDamage
_MAX_FACES = 32


def _current_face(path: Path) -> Any:
    """The parsed face, or the FontDamage it raised, decoded once per process per content:
    the same Lato in another project (a copy) is not decoded again."""
    digest = file_digest(path)
    if digest not in _FACES:
        if len(_FACES) >= _MAX_FACES:
            _FACES.clear()
        try:
            _FACES[digest] = _read(path)
        except FontDamage as exc:
            _FACES[digest] = exc
    return _FACES[digest]


def parsed_face(path: Path) -> Any | None:
    """The font at `path` as reportlab parsed it (a `TTFontFace`), None when it cannot be."""
    face = _current_face(path)
    return None if isinstance(face, FontDamage) else face


def font_damage(path: Path) -> str:
    """Why the TrueType file at `path` cannot be used, or ''."""
    face = _current_face(path)
    return str(face) if isinstance(face, FontDamage) else ""


def font_characters(path: Path) -> frozenset[int]:
    """The code points the font can draw (none when it cannot be read)."""
    face = _current_face(path)
    return frozenset() if isinstance(face, FontDamage) else frozenset(face.charToGlyph)


def font_widths(path: Path) -> tuple[dict[int, float], float]:
    """The advance width of each code point in thousandths of the font size, and the width
    of a character the font lacks (none when the font cannot be read)."""
    face = _current_face(path)
    if isinstance(face, FontDamage):
        return {}, 500.0
    return dict(face.charWidths), float(face.defaultWidth)


@dataclass(frozen=True)
class FontFacts:
    """What a build needs to know of a font file before it embeds it."""

    damage: str  # why the font cannot be used, or ''
    characters: frozenset[int]  # the code points it can draw


def font_facts(path: Path, root: Path) -> FontFacts:
    """The facts of the font at `path`, from the cache in project `root` or read from the font.

    Decoding the five faces costs more than laying out a page; a font is
    decoded again only when its file (size and time) or the code changes.
    """
    info = path.stat()
    return _font_facts(path, root, info.st_size, info.st_mtime_ns)


@lru_cache(maxsize=32)
def _font_facts(path: Path, root: Path, size: int, modified_ns: int) -> FontFacts:
    cache = Cache.of_project(root)
    inputs = {"font": path.name, "size": size, "modified_ns": modified_ns}
    stored = cache.read(FONTS, inputs, _facts_of)
    if stored is not None:
        return stored
    facts = FontFacts(font_damage(path), font_characters(path))
    value = {"damage": facts.damage, "characters": sorted(facts.characters)}
    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        cache.write(FONTS, inputs, json_text(value))
    return facts


def _facts_of(text: bytes) -> FontFacts:
    """Cached font facts read back strictly (ValueError for anything else)."""
    value = json.loads(text)
    if not (isinstance(value, dict) and value.keys() == {"damage", "characters"}):
        raise ValueError("not the facts of a font")
    damage, characters = value["damage"], value["characters"]
    if not isinstance(damage, str) or not isinstance(characters, list):
        raise ValueError("not the facts of a font")
    if not all(type(code) is int and 0 <= code <= 0x10FFFF for code in characters):
        raise ValueError("a character is not a code point")
    return FontFacts(damage, frozenset(characters))
