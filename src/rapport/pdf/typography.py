"""`rapport inspect --typography PDF`: typographic measures read from the finished file.

The content streams are interpreted (text state, text and graphics matrices,
`TJ` adjustments, `Tc` and `Tw`) to place every glyph, with its advance taken
from the font's own widths. So a justified line's word gap is exactly the
natural space of its font plus the `Tw` reportlab set, and a kern is exactly
a `TJ` adjustment (or a repositioned glyph): nothing is read off a raster.
The definitions follow the shared `typo.py` measures, so figures compare:

- full lines: body-size lines starting at the page's main left edge and ending
  at its right edge (the 90th percentile of line ends), with at least 4 word
  gaps; their stretch is the mean word gap over the natural one;
- a line with a gap (after the first, which may follow a bullet) over three
  times its median gap is set with a tab or a leader (a contents entry whose
  dots are drawn, not typed), not justified: it is left out (typo.py counts
  it, with its leader as one huge word gap);
- the natural word gap is the space width of the line's font, or, for a font
  without a space glyph (some engines position words instead), the median gap
  of lines that stop well short of the edge (paragraph ends);
- kerned: a strongly kerned pair whose second glyph starts more than 2% of the
  size before the first glyph's natural advance ends;
- underfilled: a page after the cover whose body text ends less than 45% down
  the text block (the page minus 60 pt top and bottom).
"""

from __future__ import annotations

import logging
import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pikepdf

from rapport.diagnostics import UsageError, display_path

logger = logging.getLogger(__name__)

KERN_PAIRS = frozenset(
    {"Vo", "Va", "Ve", "Te", "Ta", "To", "Tr", "Yo", "Wa", "AV", "LT", "Ty", "Tw", "P.", "F."}
)
STRETCH_LIMITS = (1.2, 1.5, 1.8)
HYPHENS = frozenset("-\u00ad\u2010")
STRAIGHT_QUOTES = frozenset("'\"")
CURLY_QUOTES = frozenset("\u2018\u2019\u201a\u201c\u201d\u201e")
PAGE_MARGIN = 60.0  # typo.py's text block: the page less 60 pt at top and bottom
UNDERFILLED = 0.45
TAB_GAP = 3.0  # a gap this many times the line's median one is a tab or leader, not a space
MAX_FORM_DEPTH = 8  # forms drawing forms: deep enough for any real file, bounded for a hostile one

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m × n in PDF's row-vector convention: m applied first."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )


@dataclass(frozen=True)
class Glyph:
    """One glyph as placed on the page (user space, y up)."""

    page: int
    text: str
    x0: float
    x1: float  # x0 plus the glyph's natural advance, without Tc, Tw or kerning
    baseline: float
    size: float
    space: float  # the natural space width of the glyph's font at its size; 0 when unknown
    descent: float


class _Font:
    """What placing glyphs needs from a font dictionary: codes, widths, Unicode."""

    def __init__(self, font: pikepdf.Dictionary) -> None:
        self.two_byte = font.get("/Subtype") == pikepdf.Name.Type0
        self.widths: dict[int, float] = {}
        self.default_width = 0.0
        descriptor = font.get("/FontDescriptor")
        if self.two_byte:
            descendant = font.DescendantFonts[0]
            descriptor = descendant.get("/FontDescriptor")
            self.default_width = float(descendant.get("/DW", 1000))
            self._read_cid_widths(descendant.get("/W"))
        else:
            first = int(font.get("/FirstChar", 0))
            for offset, width in enumerate(font.get("/Widths", [])):
                self.widths[first + offset] = float(width)
        self.descent = float(descriptor.get("/Descent", -200)) if descriptor else -200.0
        self.unicode = to_unicode(font)
        self.base_name = str(font.get("/BaseFont", "")).lstrip("/")
        self.space_code = next((code for code, text in self.unicode.items() if text == " "), None)
        if self.space_code is None and not self.two_byte:
            self.space_code = 32

    def _read_cid_widths(self, array: pikepdf.Object | None) -> None:
        items = list(array) if array is not None else []
        index = 0
        while index + 1 < len(items):
            first, second = items[index], items[index + 1]
            if isinstance(second, pikepdf.Array):
                for offset, width in enumerate(second):
                    self.widths[int(first) + offset] = float(width)
                index += 2
            elif index + 2 < len(items):
                for code in range(int(first), int(second) + 1):
                    self.widths[code] = float(items[index + 2])
                index += 3
            else:
                break

    def codes(self, data: bytes) -> Iterator[int]:
        if self.two_byte:
            for index in range(0, len(data) - 1, 2):
                yield data[index] << 8 | data[index + 1]
        else:
            yield from data

    def width(self, code: int) -> float:
        """The advance in thousandths of the size."""
        return self.widths.get(code, self.default_width)

    def text(self, code: int) -> str:
        return self.unicode.get(code) or ("" if self.two_byte else chr(code))

    @property
    def space_width(self) -> float:
        return self.width(self.space_code) if self.space_code is not None else 0.0


_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be", errors="replace")


def to_unicode(font: pikepdf.Dictionary) -> dict[int, str]:
    """The font's ToUnicode CMap: its bfchar and bfrange entries."""
    stream = font.get("/ToUnicode")
    if not isinstance(stream, pikepdf.Stream):
        return {}
    cmap = stream.read_bytes()
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        values = _HEX.findall(block)
        for source, target in zip(values[::2], values[1::2], strict=False):
            mapping[int(source, 16)] = _utf16(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for line in re.findall(
            rb"<[0-9A-Fa-f]+>\s*<[0-9A-Fa-f]+>\s*(?:<[0-9A-Fa-f]+>|\[[^\]]*\])", block
        ):
            low, high, *targets = _HEX.findall(line)
            start, end = int(low, 16), int(high, 16)
            if b"[" in line:
                for code, target in zip(range(start, end + 1), targets, strict=False):
                    mapping[code] = _utf16(target)
            elif targets and end - start < 65536:
                first = _utf16(targets[0])
                for offset in range(end - start + 1):
                    mapping[start + offset] = first[:-1] + chr(ord(first[-1]) + offset)
    return mapping


@dataclass
class _TextState:
    font: _Font | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scaling: float = 1.0
    leading: float = 0.0
    rise: float = 0.0
    matrix: Matrix = IDENTITY
    line: Matrix = IDENTITY


class _PageReader:
    """Places every glyph of one page by interpreting its content stream."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.glyphs: list[Glyph] = []
        self.fonts: dict[tuple[int, int], _Font] = {}

    def read(
        self, content: pikepdf.Object, resources: pikepdf.Object | None, ctm: Matrix, depth: int = 0
    ) -> None:
        stack: list[tuple[Matrix, _TextState]] = []
        state = _TextState()
        for instruction in pikepdf.parse_content_stream(content):
            if not isinstance(instruction, pikepdf.ContentStreamInstruction):
                continue  # an inline image: no text
            operands, op = list(instruction.operands), str(instruction.operator)
            try:
                ctm = self._operator(op, operands, state, stack, resources, ctm, depth)
            except (ValueError, TypeError, IndexError, AttributeError) as error:
                # a malformed operator is skipped, as a viewer would: the measures are about the rest
                logger.debug(
                    "page %d: skipped '%s' with operands %s (%s)", self.number, op, operands, error
                )

    def _operator(
        self,
        op: str,
        operands: list[pikepdf.Object],
        state: _TextState,
        stack: list[tuple[Matrix, _TextState]],
        resources: pikepdf.Object | None,
        ctm: Matrix,
        depth: int,
    ) -> Matrix:
        """Carry out one operator; the graphics matrix after it."""
        if op == "q":
            stack.append((ctm, _copy(state)))
        elif op == "Q" and stack:
            ctm, saved = stack.pop()
            vars(state).update(vars(saved))
        elif op == "cm":
            ctm = _multiply(_matrix(operands), ctm)
        elif op == "Do" and depth < MAX_FORM_DEPTH:
            self._form(resources, operands[0], ctm, depth)
        else:
            self._text_operator(op, operands, state, resources, ctm)
        return ctm

    def _form(
        self, resources: pikepdf.Object | None, name: pikepdf.Object, ctm: Matrix, depth: int
    ) -> None:
        xobject = _resource(resources, "/XObject", name)
        if not isinstance(xobject, pikepdf.Stream) or xobject.get("/Subtype") != pikepdf.Name.Form:
            return
        matrix = _matrix(xobject.get("/Matrix", list(IDENTITY)))
        self.read(xobject, xobject.get("/Resources", resources), _multiply(matrix, ctm), depth + 1)

    def _text_operator(
        self,
        op: str,
        operands: list[pikepdf.Object],
        state: _TextState,
        resources: pikepdf.Object | None,
        ctm: Matrix,
    ) -> None:
        if op == "BT":
            state.matrix = state.line = IDENTITY
        elif op == "Tf":
            state.font = self._font(resources, operands[0])
            state.size = float(operands[1])
        elif op in ("Tc", "Tw", "Tz", "TL", "Ts"):
            _set_parameter(state, op, float(operands[0]))
        elif op in ("Td", "TD"):
            if op == "TD":
                state.leading = -float(operands[1])
            _next_line(state, float(operands[0]), float(operands[1]))
        elif op == "Tm":
            state.matrix = state.line = _matrix(operands)
        elif op == "T*":
            _next_line(state, 0.0, -state.leading)
        elif op in ("Tj", "'", '"'):
            if op != "Tj":
                if op == '"':
                    state.word_spacing, state.char_spacing = float(operands[0]), float(operands[1])
                _next_line(state, 0.0, -state.leading)
            self._show(bytes(operands[-1]), state, ctm)
        elif op == "TJ":
            for item in operands[0]:
                if isinstance(item, pikepdf.String):
                    self._show(bytes(item), state, ctm)
                else:
                    _advance(state, -float(item) / 1000 * state.size * state.scaling)

    def _font(self, resources: pikepdf.Object | None, name: pikepdf.Object) -> _Font | None:
        font = _resource(resources, "/Font", name)
        if not isinstance(font, pikepdf.Dictionary):
            return None
        key = font.objgen
        if key not in self.fonts or key == (0, 0):
            self.fonts[key] = _Font(font)
        return self.fonts[key]

    def _show(self, data: bytes, state: _TextState, ctm: Matrix) -> None:
        font = state.font
        if font is None:
            return
        for code in font.codes(data):
            placed = _multiply(state.matrix, ctm)
            scale_x = (placed[0] ** 2 + placed[1] ** 2) ** 0.5
            scale_y = (placed[2] ** 2 + placed[3] ** 2) ** 0.5
            natural = font.width(code) / 1000 * state.size * state.scaling
            text = font.text(code)
            upright = (
                abs(placed[1]) < 1e-6 and abs(placed[2]) < 1e-6 and placed[0] > 0 and placed[3] > 0
            )
            if upright and text:
                x0 = placed[4] + placed[2] * state.rise
                baseline = placed[5] + placed[3] * state.rise
                self.glyphs.append(
                    Glyph(
                        page=self.number,
                        text=text,
                        x0=x0,
                        x1=x0 + natural * scale_x,
                        baseline=baseline,
                        size=round(state.size * scale_y, 2),
                        # the font's own space: a line whose glyphs are widened (Tz) has
                        # its word gaps measured against the unwidened space, as typo.py does
                        space=font.space_width / 1000 * state.size * scale_x,
                        descent=font.descent / 1000 * state.size * scale_y,
                    )
                )
            spacing = state.char_spacing
            if code == 32 and not font.two_byte:
                spacing += state.word_spacing  # PDF applies Tw to the single-byte code 32 only
            _advance(state, natural + spacing * state.scaling)


def _resource(
    resources: pikepdf.Object | None, category: str, name: pikepdf.Object
) -> pikepdf.Object | None:
    """The named font or XObject of a resource dictionary; None when it is missing."""
    group = resources.get(category) if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(group, pikepdf.Dictionary) or not isinstance(name, pikepdf.Name):
        return None
    return group.get(name)


def _copy(state: _TextState) -> _TextState:
    return _TextState(**vars(state))


def _matrix(operands: object) -> Matrix:
    a, b, c, d, e, f = (float(value) for value in operands)  # type: ignore[attr-defined]
    return (a, b, c, d, e, f)


def _set_parameter(state: _TextState, op: str, value: float) -> None:
    if op == "Tc":
        state.char_spacing = value
    elif op == "Tw":
        state.word_spacing = value
    elif op == "Tz":
        state.scaling = value / 100
    elif op == "TL":
        state.leading = value
    else:
        state.rise = value


def _next_line(state: _TextState, dx: float, dy: float) -> None:
    state.line = state.matrix = _multiply((1.0, 0.0, 0.0, 1.0, dx, dy), state.line)


def _advance(state: _TextState, distance: float) -> None:
    state.matrix = _multiply((1.0, 0.0, 0.0, 1.0, distance, 0.0), state.matrix)


@dataclass
class Measures:
    """The typographic measures of one PDF; `None` where a figure could not be measured."""

    pages: int = 0
    body_size: float | None = None
    natural_gap: float | None = None
    natural_from_font: bool = True
    full_lines: int = 0
    stretched: dict[float, int] = field(default_factory=dict)
    max_stretch: float | None = None
    hyphenated: list[str] = field(default_factory=list)
    kern_pairs: int = 0
    kerned: int = 0
    straight_quotes: int = 0
    curly_quotes: int = 0
    underfilled: list[int] = field(default_factory=list)


@dataclass
class _Line:
    glyphs: list[Glyph]
    words: list[list[Glyph]]

    @property
    def start(self) -> float:
        return self.words[0][0].x0

    @property
    def end(self) -> float:
        return self.words[-1][-1].x1

    @property
    def gaps(self) -> list[float]:
        return [b[0].x0 - a[-1].x1 for a, b in pairwise(self.words)]


def read_glyphs(path: Path) -> tuple[list[float], list[Glyph]]:
    """The height of every page and every upright glyph of the PDF at `path`."""
    try:
        with pikepdf.open(path) as pdf:
            glyphs: list[Glyph] = []
            heights = [float(page.mediabox[3]) - float(page.mediabox[1]) for page in pdf.pages]
            for number, page in enumerate(pdf.pages, 1):
                reader = _PageReader(number)
                reader.read(page.obj, page.obj.get("/Resources"), IDENTITY)
                glyphs.extend(reader.glyphs)
            return heights, glyphs
    except pikepdf.PdfError as error:
        raise UsageError(
            f"failed to inspect '{display_path(path)}': it is not a readable PDF ({error});"
            " give a PDF such as the one 'rapport build' writes"
        ) from error


def measure(path: Path) -> Measures:
    """Every measure of the module docstring for the PDF at `path`."""
    heights, glyphs = read_glyphs(path)
    pages = len(heights)
    result = Measures(pages=pages)
    if not glyphs:
        return result
    sizes = Counter(round(glyph.size, 1) for glyph in glyphs)
    body = sizes.most_common(1)[0][0]
    result.body_size = body
    _count_kerning(glyphs, result)
    body_glyphs = [glyph for glyph in glyphs if abs(glyph.size - body) < 0.3]
    result.straight_quotes = sum(glyph.text in STRAIGHT_QUOTES for glyph in body_glyphs)
    result.curly_quotes = sum(glyph.text in CURLY_QUOTES for glyph in body_glyphs)
    full: list[_Line] = []
    short_gaps: list[float] = []
    for number in range(1, pages + 1):
        lines = _lines([g for g in body_glyphs if g.page == number], body)
        if not lines:
            continue
        _page_lines(lines, full, short_gaps)
        _hyphenated(lines, result.hyphenated)
        lowest = min(
            line.glyphs[0].baseline + min(g.descent for g in line.glyphs) for line in lines
        )
        height = heights[number - 1]
        if (
            number > 1
            and (height - lowest - PAGE_MARGIN) / (height - 2 * PAGE_MARGIN) < UNDERFILLED
        ):
            result.underfilled.append(number)
    _stretch(full, short_gaps, result)
    return result


def _count_kerning(glyphs: list[Glyph], result: Measures) -> None:
    for first, second in pairwise(glyphs):
        if first.text + second.text in KERN_PAIRS and abs(first.baseline - second.baseline) < 0.5:
            result.kern_pairs += 1
            if second.x0 < first.x1 - 0.02 * first.size:
                result.kerned += 1


def _lines(glyphs: list[Glyph], body: float) -> list[_Line]:
    """Body glyphs grouped by baseline, split into words at spaces and at gaps."""
    rows: dict[int, list[Glyph]] = {}
    for glyph in glyphs:
        rows.setdefault(round(glyph.baseline), []).append(glyph)
    lines = []
    for baseline in sorted(rows, reverse=True):
        row = sorted(rows[baseline], key=lambda glyph: glyph.x0)
        words: list[list[Glyph]] = []
        previous: Glyph | None = None
        for glyph in row:
            if glyph.text.isspace():
                previous = None
                continue
            if previous is None or glyph.x0 - previous.x1 > 0.15 * body:
                words.append([])
            words[-1].append(glyph)
            previous = glyph
        if words:
            lines.append(_Line(row, words))
    return lines


def _page_lines(lines: list[_Line], full: list[_Line], short_gaps: list[float]) -> None:
    """Sort the page's main-column lines into full ones and short ones (paragraph ends)."""
    ends = sorted(line.end for line in lines)
    edge = ends[int(0.9 * (len(ends) - 1))]
    left = Counter(round(line.start) for line in lines).most_common(1)[0][0]
    for line in lines:
        gaps = line.gaps
        if len(gaps) < 4 or min(gaps) <= 0 or abs(line.start - left) > 2:
            continue  # not running text of the main column: tiles, tables, indented captions
        if max(gaps[1:]) > TAB_GAP * statistics.median(gaps):
            continue  # a tab or a dot leader (a contents entry), not a justified line; the
            # first gap may be a list item's, after its bullet
        if line.end >= edge - 1.0:
            full.append(line)
        elif line.end < edge - 0.15 * (edge - left):
            short_gaps.extend(gaps)


def _hyphenated(lines: list[_Line], found: list[str]) -> None:
    for line, following in pairwise(lines):
        last = line.words[-1]
        if len(last) > 1 and last[-1].text in HYPHENS and last[-2].text.isalpha():
            head = "".join(glyph.text for glyph in last[:-1])
            tail = "".join(glyph.text for glyph in following.words[0]).rstrip(".,;:!?)")
            found.append(f"{head}-{tail}")


def _stretch(full: list[_Line], short_gaps: list[float], result: Measures) -> None:
    """Each full line's mean word gap over its font's natural space (or the median short gap)."""
    fallback = statistics.median(short_gaps) if short_gaps else None
    ratios = []
    spaces = []
    for line in full:
        space = Counter(glyph.space for glyph in line.glyphs).most_common(1)[0][0]
        natural = space or fallback
        if space:
            spaces.append(space)
        else:
            result.natural_from_font = False
        if natural:
            ratios.append(statistics.mean(line.gaps) / natural)
    if spaces:
        result.natural_gap = statistics.median(spaces)
    elif fallback:
        result.natural_gap = fallback
        result.natural_from_font = False
    result.full_lines = len(ratios)
    result.stretched = {limit: sum(ratio > limit for ratio in ratios) for limit in STRETCH_LIMITS}
    result.max_stretch = max(ratios) if ratios else None


def describe(measures: Measures) -> str:
    """The measures as `rapport inspect --typography` prints them."""
    lines = [f"pages: {measures.pages}"]
    if measures.body_size is None:
        return "\n".join([*lines, "no text found: nothing else to measure"])
    natural = (
        "unknown"
        if measures.natural_gap is None
        else f"{measures.natural_gap:.2f} pt"
        + (" (the font's space)" if measures.natural_from_font else " (median gap of short lines)")
    )
    lines.append(f"body text: {measures.body_size:g} pt; natural word space {natural}")
    if measures.full_lines:
        over = ", ".join(f"over {limit:g}×: {count}" for limit, count in measures.stretched.items())
        lines.append(
            f"justified lines: {measures.full_lines} full lines; word spaces stretched {over};"
            f" max {measures.max_stretch:.2f}×"
        )
    else:
        lines.append("justified lines: none found")
    words = f" ({', '.join(measures.hyphenated)})" if measures.hyphenated else ""
    lines.append(f"hyphenated line ends: {len(measures.hyphenated)}{words}")
    lines.append(
        f"kerning: {measures.kerned} of {measures.kern_pairs} strongly kerned pairs set kerned"
    )
    lines.append(
        f"quotes in body text: {measures.straight_quotes} straight,"
        f" {measures.curly_quotes} typographic"
    )
    pages = ", ".join(map(str, measures.underfilled)) or "none"
    lines.append(f"underfilled pages (body text ends above 45% of the text block): {pages}")
    return "\n".join(lines)
