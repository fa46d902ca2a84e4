"""The theme's TrueType files, read once with the reader that embeds them in the PDF.

A font that this reader cannot take would otherwise fail the build half-way,
after the charts were drawn; reading it while checking the theme turns that
into a problem reported with the theme. The same reading tells which
characters a font can draw.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

READER = "reportlab-ttfonts-1"  # names this check in the theme's cache of fonts found intact
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


@lru_cache(maxsize=32)
def _face(path: Path, size: int, modified_ns: int) -> Any:
    """The parsed face, or the FontDamage it raised (cached by path, size and time)."""
    try:
        return _read(path)
    except FontDamage as exc:
        return exc


def _current_face(path: Path) -> Any:
    info = path.stat()
    return _face(path, info.st_size, info.st_mtime_ns)


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
