"""Hyphens that copy back cleanly.

A word broken at a line end is drawn with the font's hyphen glyph, but the
character behind it must read as a soft hyphen (U+00AD), so that text copied
or extracted from the PDF has the word whole. reportlab draws whatever
character ends the head of a split word, and strips U+00AD from words, so the
break is marked with U+2010 HYPHEN (same glyph) and two small adjustments to
reportlab make it (1) accept that mark as the hyphen of the break and (2) map
it to U+00AD in the font's ToUnicode table. Content never contains U+2010:
the loader turns it into an ordinary hyphen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import pyphen
from reportlab.pdfbase import ttfonts
from reportlab.platypus import paragraph

BREAK_MARK = "\u2010"
SOFT_HYPHEN = "\u00ad"
_installed = False


def install() -> None:
    """Teach reportlab the break mark; idempotent."""
    global _installed
    if _installed:
        return
    # A head ending in one of these characters gets no extra '-' appended.
    paragraph._hy_shy_pat = re.compile("([-\u00ad\u2010])")
    original: Callable[[str, Any], str] = ttfonts.makeToUnicodeCMap

    def to_unicode_cmap(fontname: str, subset: Any) -> str:
        return original(
            fontname, [ord(SOFT_HYPHEN) if code == ord(BREAK_MARK) else code for code in subset]
        )

    ttfonts.makeToUnicodeCMap = to_unicode_cmap
    _installed = True


@lru_cache(maxsize=4)
def hyphenator(language: str) -> Callable[[str], Iterator[tuple[str, str]]]:
    """Break points for reportlab (longest head first), at least three letters on each side."""
    install()
    dictionary = pyphen.Pyphen(lang=language.replace("-", "_"), left=3, right=3)

    def pairs(word: str) -> Iterator[tuple[str, str]]:
        for head, tail in dictionary.iterate(word):
            yield head + BREAK_MARK, tail

    return pairs
