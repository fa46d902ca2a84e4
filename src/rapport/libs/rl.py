"""reportlab's internals that rapport relies on, for reportlab 5.1.

reportlab has no public hook for these; each function says what it changes
and why rapport needs it. The tests that catch a change in behaviour:
tests/test_build.py (hyphens and long words), tests/test_tagged.py (marked
content, the contents) and the byte-identical rebuilds of the archive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reportlab
from reportlab.pdfbase import ttfonts
from reportlab.platypus import paragraph

from rapport.libs import require

require("reportlab", reportlab.Version)

Wrapper = Callable[[Callable[..., Any]], Callable[..., Any]]


def wrap_word_breaking(wrap: Wrapper) -> None:
    """Replace the function reportlab asks for a break in a word that does not fit its line.

    `wrap` receives reportlab's current function (`paragraph._hyGenPair`) and returns
    its replacement; every paragraph laid out afterwards uses it.
    """
    paragraph._hyGenPair = wrap(paragraph._hyGenPair)


def wrap_word_rejoining(wrap: Wrapper) -> None:
    """Replace the function that rejoins a broken word when its paragraph is split again
    (`paragraph._shyUnsplit`), as `wrap_word_breaking` does."""
    paragraph._shyUnsplit = wrap(paragraph._shyUnsplit)


def wrap_to_unicode_cmap(wrap: Wrapper) -> None:
    """Replace the function that writes an embedded font's ToUnicode table (which text a
    glyph is, when the PDF is copied from or read aloud)."""
    ttfonts.makeToUnicodeCMap = wrap(ttfonts.makeToUnicodeCMap)


def build_without_saving(doc: Any, story: list[Any], canvasmaker: Callable[..., Any]) -> Any:
    """Lay `story` out on a canvas of `canvasmaker` and return it, not yet saved.

    reportlab saves the PDF as soon as the last page is drawn; rapport still has
    to draw the numbers only the last page knows (layout/late.py) before it saves.
    """
    doc._doSave = 0
    doc.build(story, canvasmaker=canvasmaker)
    return doc.canv


def text_end(canvas: Any) -> tuple[float, float]:
    """Where the text drawn so far ends, inside an `<onDraw>` callback of a paragraph."""
    info = canvas._curr_tx_info
    return info["cur_x"], info["cur_y"]


def prepend_to_page(canvas: Any, operators: str) -> None:
    """Put PDF operators before everything drawn on the current page so far.

    (`canvas.addLiteral` appends; nothing public inserts at the start.)
    """
    canvas._code.insert(0, operators)


def use_contents_table(contents: Any, table: Any) -> None:
    """Make `table` the one a TableOfContents draws and splits (its `wrap` makes it)."""
    contents._table = table


def row_heights(table: Any) -> list[float]:
    """The height of each row of a Table, known once it is wrapped."""
    return list(table._rowHeights)
