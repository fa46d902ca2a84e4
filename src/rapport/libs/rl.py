"""reportlab's internals that rapport relies on, for reportlab 5.1.

reportlab has no public hook for these; each function says what it changes
and why rapport needs it. The tests that catch a change in behaviour:
tests/test_build.py (hyphens and long words), tests/test_tagged.py (marked
content, the contents) and the byte-identical rebuilds of the archive.
"""

from __future__ import annotations

import copy
import fnmatch
import re
import weakref
from collections.abc import Callable
from typing import Any, Protocol

import reportlab
from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str, instanceStringWidthTTF
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfgen import textobject
from reportlab.platypus import ListFlowable, ListItem, Table, paragraph

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


# Code points a ToUnicode entry must never map to (PDF/A-2, 6.2.11.7.2; PDF/UA-1, 7.21.7):
# reportlab maps every unused slot of a subset to U+0000.
_NOT_TEXT = {0x0000, 0xFEFF, 0xFFFE}


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """The ToUnicode CMap of a subset, as reportlab's `makeToUnicodeCMap` writes it but
    without the entries of unused codes (which it maps to U+0000)."""
    entries = [f"<{code:02X}> <{value:04X}>" for code, value in enumerate(subset)]
    kept = [e for e, value in zip(entries, subset, strict=True) if value not in _NOT_TEXT]
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(kept)} beginbfchar",
        *kept,
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


# Every subset rapport embeds gets this table; `wrap_to_unicode_cmap` wraps it.
ttfonts.makeToUnicodeCMap = to_unicode_cmap


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


def frame_room(frame: Any) -> tuple[float, bool]:
    """The height left in a reportlab Frame, and whether nothing is drawn in it yet.

    A float (layout/floats.py) is weighed against this before the frame tries it:
    reportlab's own `Frame.add` draws what fits, and has no question-only form.
    """
    return float(frame._y - frame._y1p), bool(frame._atTop)


def nested_flowables(flowable: Any) -> list[Any]:
    """The flowables a list, list item or table holds, to restyle before they are wrapped
    (a tightened chapter, layout/floats.py); reportlab keeps them in private fields."""
    if isinstance(flowable, ListFlowable | ListItem):
        # a list once wrapped has turned its items into its content and forgotten them
        held = getattr(flowable, "_flowables", None)
        return list(held if held is not None else flowable._list_content or ())
    if isinstance(flowable, Table):
        cells = [cell for row in flowable._cellvalues for cell in row]
        return [
            item for cell in cells for item in (cell if isinstance(cell, list | tuple) else [cell])
        ]
    return []


def _init_with_face(font: ttfonts.TTFont, name: str, face: Any) -> None:
    """What reportlab's TTFont.__init__ does, with the face given instead of parsed
    (tests/test_kerning.py checks the two fonts alike)."""
    font.fontName = name
    font.face = face
    font.encoding = ttfonts.TTEncoding()
    font.state = weakref.WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch.fnmatch(name, glob) for glob in rl_config.unShapedFontGlob)


# ----------------------------------------------------------------------------- kerning
# (layout/kerning.py) reportlab draws TrueType text as `(…) Tj`, each glyph at its
# advance width. A KernedTTFont's text is written as `[(…) n (…)] TJ` instead, n
# the pair kerning, with the characters unchanged (no HarfBuzz, no glyph mapped
# back to a character, so copying and ToUnicode stay exact); its widths include
# the kerning, so line breaking and justification see what is drawn.
# tests/test_kerning.py reads the TJ arrays and the text back from a built PDF.


class PairKerning(Protocol):
    def total(self, text: str) -> float: ...

    def after_each(self, text: str) -> list[float] | None: ...


class KernedTTFont(ttfonts.TTFont):  # type: ignore[misc]
    """A TrueType font whose widths include the pair kerning of `kerning`
    (thousandths of the size), and whose text is drawn with it."""

    def __init__(
        self, name: str, filename: str, kerning: PairKerning, face: Any | None = None
    ) -> None:
        if face is None:
            super().__init__(name, filename)
        else:  # the face already parsed from `filename` (theme/fonts.py): not parsed again
            _init_with_face(self, name, face)
        self.kerning = kerning
        self.measured: dict[tuple[Any, float], float] = {}  # (text, size) → its kerned width
        self.kerns: dict[str, list[float] | None] = {}  # text → the kern after each character

    def stringWidth(self, text: Any, size: float, encoding: str = "utf8") -> float:
        # called some 40 000 times a build, mostly for words already measured
        key = (text, size)
        width = self.measured.get(key)
        if width is None:
            width = instanceStringWidthTTF(self, text, size, encoding)
            # reportlab passes str subclasses too (a word split at a line end)
            plain = text.decode(encoding) if isinstance(text, bytes) else str(text)
            width += self.kerning.total(plain) * size / 1000
            if len(self.measured) >= 100_000:
                self.measured.clear()
            self.measured[key] = width
        return width

    def kerns_of(self, text: str) -> list[float] | None:
        """The kern after each character of `text` (None: it has none), remembered: a
        build draws its pages twice."""
        if text not in self.kerns:
            if len(self.kerns) >= 20_000:
                self.kerns.clear()
            self.kerns[text] = self.kerning.after_each(text)
        return self.kerns[text]


def draw_kerned_text() -> None:
    """Make every text object (paragraphs, drawString and its kin) write the text of a
    KernedTTFont with its kerning (`PDFTextObject._formatText` makes the operators)."""
    original = textobject.PDFTextObject._formatText

    def format_text(self: Any, text: Any) -> Any:
        font = pdfmetrics.getFont(self._fontname)
        if isinstance(font, KernedTTFont) and type(text) is str:
            kerns = font.kerns_of(text)
            if kerns is not None:
                return _kerned_operators(self, font, text, kerns)
        return original(self, text)

    textobject.PDFTextObject._formatText = format_text


def _kerned_operators(text_object: Any, font: KernedTTFont, text: str, kerns: list[float]) -> str:
    """What `_formatText` writes for a TrueType font, with a TJ array that holds the kerns."""
    canvas = text_object._canvas
    operators = []
    done = 0  # characters written so far
    for subset, codes in font.splitString(text, canvas._doc):
        if subset != text_object._curSubset:
            name = font.getSubsetInternalName(subset, canvas._doc)
            size, leading = fp_str(text_object._fontsize), fp_str(text_object._leading)
            operators.append(f"{name} {size} Tf {leading} TL")
            text_object._curSubset = subset
        array, start = [], 0
        for index in range(len(codes)):
            kern = kerns[done + index]
            if kern:
                array.append(f"({canvas._escape(codes[start : index + 1])}) {fp_str(-kern)}")
                start = index + 1
        if start < len(codes):
            array.append(f"({canvas._escape(codes[start:])})")
        done += len(codes)
        operators.append(f"[{' '.join(array)}] TJ")
    return " ".join(operators)


# --- Total-fit line breaking (layout/justify.py) -----------------------------
# reportlab's paragraph words ("frag words") are lists [width, (frag, text), …]
# whose class says what follows them; layout/justify.py reads them through
# these functions and hands its breaks back to reportlab's own breaker.


def frag_words(frags: list[Any], max_width: float) -> list[Any]:
    """A paragraph's words as reportlab breaks them (`paragraph._getFragWords`), each with
    its width as reportlab computes it in `word[0]`."""
    return list(paragraph._getFragWords(frags, max_width))


def word_is_spaced(word: Any) -> bool:
    """Whether a space follows the word (reportlab adds one between it and the next)."""
    return isinstance(word, paragraph._HSFrag)


def word_is_line_break(word: Any) -> bool:
    """Whether the word is a `<br/>`."""
    return bool(word[1][0]._fkind == paragraph._FK_BREAK)


def word_is_soft_hyphenated(word: Any) -> bool:
    """Whether the word holds soft hyphens (reportlab breaks those itself)."""
    return isinstance(word, paragraph._SHYWord)


def word_hyphenated_ends(
    word: Any, hyphenator: Any, min_length: int
) -> list[tuple[float, float, bool]]:
    """Where reportlab would hyphenate `word`, longest head first: (head width, width
    the line end adds — the hyphen's, or nothing after a compound's own hyphen —, and
    True: the line ends in a hyphen either way, which counts for hyphens in a row).

    reportlab's own splitter (`_hyphenateFragWord`) is asked for the longest head
    below a shrinking limit, so the widths are exactly those its breaker will use.
    A head it returns without a hyphen that does not end in one is a long word cut
    anywhere (layout/breaking.py), not a hyphenation point: the search stops there.
    """
    ends: list[tuple[float, float, bool]] = []
    limit = float(word[0])
    while True:
        pair = paragraph._hyphenateFragWord(
            hyphenator, word, word[0], limit - 1e-6, 0, 0, min_length
        )
        if not pair:
            return ends
        head, tail = pair
        hyphen = isinstance(head, paragraph._SplitFragHY)
        if not hyphen and not str(head[-1][1]).endswith("-"):
            return ends
        head_width = word[0] - tail[0]
        ends.append((head_width, head[0] - head_width, True))
        limit = head[0]


def wrap_frag_word_breaking(wrap: Wrapper) -> None:
    """Replace the function reportlab asks for a break in a word of several styles
    (`paragraph._hyGenFragsPair`, which returns (hyphen, head, tail) with the hyphen
    already typed at the end of the head's last text), as `wrap_word_breaking` does."""
    paragraph._hyGenFragsPair = wrap(paragraph._hyGenFragsPair)


def hyphenate_words_with_no_break_spaces() -> None:
    """Let reportlab ask the hyphenator about a word that holds a no-break space.

    reportlab hyphenates only words of letters (and hyphens), so a name joined by
    no-break spaces never breaks, nor does the compound it starts: "Mijn
    Bibliotheek-profielen" could not break after its hyphen. Counting the no-break
    space as a letter hands such words to the hyphenator, which keeps the name
    whole and never breaks next to the space (layout/hyphens.py). Idempotent.
    """
    letters = paragraph._hy_letters
    if "\xa0" in letters:
        return
    letters += "\xa0"
    paragraph._hy_letters = letters
    paragraph._hy_letters_pat = re.compile(f"^[{letters}]+$")
    paragraph._hy_shy_letters_pat = re.compile(f"^[{paragraph._hy_shy}{letters}]+$")


def bullet_narrowed_widths(bullet_text: Any, style: Any, widths: list[float]) -> list[float]:
    """`widths` with the first line narrowed for a bullet, as reportlab's breaker does."""
    narrowed = list(widths)
    paragraph._handleBulletWidth(bullet_text, style, narrowed)
    return narrowed


def line_is_plain(line: Any) -> bool:
    """Whether a laid-out line (a FragLine) holds only text: no link, underline, strike,
    background or inline object, which reportlab places by the unscaled widths."""
    return not any(
        hasattr(frag, "cbDefn")
        or getattr(frag, "link", None)
        or getattr(frag, "underline", False)
        or getattr(frag, "strike", False)
        or getattr(frag, "backColor", None)
        for frag in getattr(line, "words", ())
    )


def line_text_width(line: Any) -> float:
    """The width of a plain laid-out line's text as it is drawn: each run measured whole.

    reportlab counts the tail of a hyphenated word as the word less its head, so a
    kerned pair the break separates ("wetge-|ving": e, v) would still be counted."""
    return float(
        sum(pdfmetrics.stringWidth(frag.text, frag.fontName, frag.fontSize) for frag in line.words)
    )


_LINE_SCALE = "_rapport_scale"


def set_line_scale(line: Any, scale: float) -> None:
    """Draw the glyphs of a laid-out justified line `scale` times their width (`Tz`); its
    extra space must already be what is left of the width at that scale."""
    setattr(line, _LINE_SCALE, scale)


def draw_scaled_lines() -> None:
    """Make reportlab draw a justified line that has a scale (`set_line_scale`) with that
    horizontal scaling, and reset it after the line: `Tz` outlives the text object.
    Replaces `paragraph._justifyDrawParaLineX`, which reportlab looks up at each
    paragraph it draws. Idempotent."""
    original = paragraph._justifyDrawParaLineX
    if getattr(original, "scales_lines", False):
        return

    def draw(tx: Any, offset: float, line: Any, last: int = 0) -> Any:
        scale = getattr(line, _LINE_SCALE, None)
        if scale is None or last:
            return original(tx, offset, line, last)
        tx.setHorizScale(scale * 100)
        try:
            return original(tx, offset, line, last)
        finally:
            tx.setHorizScale(100)

    draw.scales_lines = True  # type: ignore[attr-defined]
    paragraph._justifyDrawParaLineX = draw


def copied_lines(lines: Any) -> Any:
    """A copy of a paragraph's laid-out lines (`breakLines`' value) that shares nothing
    reportlab changes: splitting a paragraph adds a space to a line's last word."""
    copied = copy.copy(lines)
    if getattr(lines, "kind", 0) == 1:
        copied.lines = [_copied_line(line) for line in lines.lines]
    else:
        copied.lines = list(lines.lines)  # (extra space, [words]) of plain strings
    return copied


def _copied_line(line: Any) -> Any:
    copied = copy.copy(line)
    copied.words = [copy.copy(word) for word in line.words]
    return copied


def registered_fonts() -> tuple[Any, ...]:
    """The fonts registered now, by name: a font registered again is another object."""
    return tuple(sorted(pdfmetrics._fonts.items(), key=lambda item: item[0]))


# --- end of total-fit line breaking -------------------------------------------
