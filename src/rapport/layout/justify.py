"""Justified paragraphs broken as a whole (layout/linebreak.py) instead of line by line.

reportlab's breaker fills each line greedily and then stretches its spaces,
so a long word that just misses a line leaves gaps twice as wide as a space.
`Paragraph` replaces that for justified, hyphenated text: it turns
reportlab's own words (with the widths reportlab computed) into boxes, glues
and hyphenation penalties, lets the total-fit search choose the breaks, and
then has reportlab's breaker lay out exactly those lines by giving it, line by
line, the natural width of the chosen line as its width. Everything reportlab
builds into a line (inline markup, `<onDraw>` callbacks, soft hyphens, the
hyphen mark of layout/hyphens.py, the data a split paragraph needs) is so
built by reportlab itself; only each line's extra space is then set back to
what the real width leaves. Should reportlab's lines not come out as planned,
its own greedy breaking is used unchanged.

A style's `expansion` (the theme's text.expansion) lets the glyphs of a line
widen by up to that share, as pdfTeX's font expansion does: every word is a box
that may stretch that much, so the search counts it, and a line stretched by
ratio r has its glyphs widened by r times the expansion and its spaces by r
times theirs (drawn with the PDF's horizontal scaling, libs/rl.py). Lines with
links, underlines or inline objects keep their glyphs: reportlab places those
by the unscaled widths.
"""

from __future__ import annotations

import copy
import logging
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib.enums import TA_JUSTIFY
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph as ReportlabParagraph

from rapport.layout import plans
from rapport.layout.linebreak import (
    INFINITY,
    Box,
    Demerits,
    Glue,
    Item,
    Penalty,
    line_width,
    natural_widths,
    optimal_breaks,
)
from rapport.layout.plans import Plan
from rapport.libs import rl

log = logging.getLogger(__name__)

STRETCH = 0.5  # of a space: a line using all of it has spaces 1.5 times as wide
SHRINK = 1 / 3  # of a space, as TeX and Typst: spaces never narrower than two thirds
HYPHEN_COST = 50.0  # TeX's \hyphenpenalty
TOLERANCES = (1.0, 1.6, 3.0, INFINITY)  # the passes of the search, strictest first
WEIGHTS = Demerits()
SLACK = 0.01  # points a planned line's width exceeds its natural width, for rounding
_FILL = 1e6  # the stretch of the last line: it is not justified
# Where each word may hyphenate, for the whole process: asking reportlab costs more
# than the rest of the breaking. Keyed by what the break points depend on (the
# hyphenator's rules, the word's fonts, sizes and text); cleared when full.
_ENDS_KEPT = 50_000
_ends_of_words: dict[tuple[Any, ...], list[tuple[float, float, bool]]] = {}
# The same for a hyphenator that cannot say what its rules are: as long as it lives.
_ends_by_hyphenator: weakref.WeakKeyDictionary[
    Any, dict[tuple[Any, ...], list[tuple[float, float, bool]]]
] = weakref.WeakKeyDictionary()


# The lines of paragraphs broken before in this process (`rapport watch` builds again and
# again), by all they depend on (`_memo_key`); a copy is handed out each time, as
# reportlab changes a split paragraph's lines. Cleared when full.
_BROKEN_KEPT = 5_000
_broken: dict[tuple[Any, ...], tuple[Any, Any, Plan | None]] = {}
_style_keys: weakref.WeakKeyDictionary[Any, tuple[Any, ...] | None] = weakref.WeakKeyDictionary()


class Paragraph(ReportlabParagraph):  # type: ignore[misc]
    """A reportlab Paragraph whose justified text is broken with the total-fit search."""

    # The plan of the last breaking, and for the first part of a split paragraph the plan
    # its lines must keep.
    line_plan: Plan | None = None
    kept_plan: Plan | None = None
    _plans: dict[tuple[float, ...], Plan | None] | None = None

    def breakLines(self, width: float | Sequence[float]) -> Any:
        key = _memo_key(self, width)
        if key is not None and (known := _broken.get(key)) is not None:
            frags, lines, plan = known
            paragraph: Any = self
            paragraph.frags, self.line_plan = frags, plan
            book = plans.current()
            if book is not None and self._planned_here():
                stored = _stored_key(self, _widths(width))
                if stored is not None:
                    book.note(stored, plan)
            return rl.copied_lines(lines)
        lines = self._break_lines(width)
        if key is not None:
            if len(_broken) >= _BROKEN_KEPT:
                _broken.clear()
            _broken[key] = (self.frags, rl.copied_lines(lines), self.line_plan)
        return lines

    def _break_lines(self, width: float | Sequence[float]) -> Any:
        self.line_plan = None
        if not self._planned_here():
            return super().breakLines(width)
        widths = _widths(width)
        # As reportlab's words, so that its breaker takes the path that builds FragLines
        # (a paragraph of one plain run would otherwise get lines of plain strings).
        paragraph: Any = self
        paragraph.frags = rl.frag_words(paragraph.frags, widths[0])
        plan = self._kept_plan(widths) or self._planned(widths)
        if plan is None:
            return super().breakLines(width)
        lines = self._break_as_planned(plan.planned)
        if not _as_planned(lines, len(plan.planned)):
            log.debug("planned breaks not reproduced; greedy breaking used")
            return super().breakLines(width)
        for number, line in enumerate(lines.lines):
            plain = rl.line_is_plain(line)
            natural = rl.line_text_width(line) if plain else line.maxWidth - line.extraSpace
            real = line_width(plan.real, number)
            scale = plan.scales[number] if plain else 1.0
            if scale != 1.0:
                rl.set_line_scale(line, scale)
            line.extraSpace = real / scale - natural
            line.maxWidth = real
        self.line_plan = plan
        return lines

    def _planned_here(self) -> bool:
        """Whether the lines are planned here (justified text) or left to reportlab."""
        return bool(self.style.alignment == TA_JUSTIFY and self.frags)

    def _planned(self, widths: list[float]) -> Plan | None:
        """`planned_widths`, once per width: floats, frame splits and a second layout attempt
        wrap the same paragraph again and again at the same width."""
        key = tuple(widths)
        if self._plans is None:
            self._plans = {}
        if key not in self._plans:
            self._plans[key] = self._remembered(widths)
        return self._plans[key]

    def _remembered(self, widths: list[float]) -> Plan | None:
        """`planned_widths`, or its plan from an earlier build (layout/plans.py)."""
        book = plans.current()
        stored = _stored_key(self, widths) if book is not None else None
        if book is None or stored is None:
            return planned_widths(self, widths)
        found, plan = book.get(stored)
        if not found:
            plan = planned_widths(self, widths)
            book.add(stored, plan)
        return plan

    def _kept_plan(self, widths: list[float]) -> Plan | None:
        """The lines a first part of a split must keep: broken again on their own, its words
        would be broken as a paragraph of their own (a short last line, other breaks)
        and might no longer fit the height the split measured."""
        if self.kept_plan is None:
            return None
        if rl.bullet_narrowed_widths(self.bulletText, self.style, widths) != self.kept_plan.real:
            return None  # laid out at another width after all: plan anew
        return self.kept_plan

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        parts: list[Any] = super().split(availWidth, availHeight)
        if len(parts) == 2 and self.line_plan is not None:
            first = parts[0]
            plan = self.line_plan
            count = len(first.blPara.lines)
            # Its last line now ends the part; it keeps its width and so its words.
            first.kept_plan = Plan(plan.planned[:count], plan.real, plan.scales[:count])
        return parts

    def _break_as_planned(self, planned: list[float]) -> Any:
        """reportlab's lines for the planned widths, with nothing it would change on its own:
        no shrinking of spaces and no splitting of web addresses to fill a line."""
        paragraph: Any = self  # reportlab's Paragraph is untyped
        style = paragraph.style
        relaxed = copy.copy(style)
        relaxed.spaceShrinkage = 0
        relaxed.uriWasteReduce = 0
        paragraph.style = relaxed
        try:
            return super().breakLines(planned)
        finally:
            paragraph.style = style


def _memo_key(paragraph: Any, width: float | Sequence[float]) -> tuple[Any, ...] | None:
    """What a paragraph's lines depend on: its markup, its style, its bullet, the widths
    and the fonts registered now; None for one that is not to be remembered."""
    spelled = _spelled(paragraph)
    if spelled is None:
        return None
    widths = tuple(width) if isinstance(width, Sequence) else (width,)
    return (type(paragraph), *spelled, widths, rl.registered_fonts())


def _widths(width: float | Sequence[float]) -> list[float]:
    return [float(w) for w in width] if isinstance(width, Sequence) else [float(width)]


def _stored_key(paragraph: Any, widths: list[float]) -> str | None:
    """What a paragraph's plan depends on, as a digest that means the same in another
    process (layout/plans.py): `_memo_key` with the fonts by name, for the book is kept
    for the font files; None for a paragraph whose plan is not to be kept."""
    spelled = _spelled(paragraph)
    if spelled is None:
        return None
    fonts = tuple(name for name, _ in rl.registered_fonts())
    return plans.plan_key((type(paragraph).__name__, *spelled, tuple(widths), fonts))


def _spelled(paragraph: Any) -> tuple[str, str | None, tuple[Any, ...]] | None:
    """A paragraph's markup, bullet and style settings; None for one whose lines are not
    to be remembered: a part of a split paragraph (no markup of its own, or lines it must
    keep), or a style with a setting of no stable spelling."""
    text, bullet = paragraph.text, paragraph.bulletText
    if not isinstance(text, str) or not text or not isinstance(bullet, str | None):
        return None
    if paragraph.kept_plan is not None:
        return None
    style = _style_key(paragraph.style)
    return None if style is None else (text, bullet, style)


def _style_key(style: Any) -> tuple[Any, ...] | None:
    """Every setting of a style, once per style object; None when one has no stable
    spelling (a hyphenator that cannot say what its rules are)."""
    if style not in _style_keys:
        settings: list[tuple[str, Any]] = []
        for name, value in sorted(vars(style).items()):
            if name in ("name", "parent"):
                continue
            if callable(value):
                value = getattr(value, "key", None)
                if value is None:
                    _style_keys[style] = None
                    return None
            settings.append((name, repr(value)))
        _style_keys[style] = tuple(settings)
    return _style_keys[style]


def _as_planned(lines: Any, count: int) -> bool:
    if getattr(lines, "kind", 0) != 1 or len(lines.lines) != count:
        return False
    return all(
        getattr(line, "lineBreak", False) or -1e-6 <= line.extraSpace <= 2 * SLACK
        for line in lines.lines[:-1]
    )


def planned_widths(paragraph: Any, widths: list[float]) -> Plan | None:
    """The plan of the paragraph's lines; None to leave the paragraph to reportlab."""
    style = paragraph.style
    real = rl.bullet_narrowed_widths(paragraph.bulletText, style, widths)
    words = rl.frag_words(paragraph.frags, real[0])
    if not words or max(word[0] for word in words) > min(real):
        return None  # a word wider than a line: reportlab cuts it (layout/breaking.py)
    hyphenator = style.hyphenationLang if callable(style.hyphenationLang) else None
    min_length = getattr(style, "hyphenationMinWordLength", 6)
    expansion = float(getattr(style, "expansion", 0.0))
    items = paragraph_items(words, hyphenator, min_length, expansion)
    breaks = optimal_breaks(items, real, TOLERANCES, WEIGHTS)
    naturals = natural_widths(items, breaks.positions)
    planned, scales = [], []
    for number, (position, natural) in enumerate(zip(breaks.positions, naturals, strict=True)):
        item = items[position]
        forced = isinstance(item, Penalty) and item.cost <= -INFINITY
        planned.append(line_width(real, number) if forced else natural + SLACK)
        ratio = 0.0 if forced else min(max(breaks.ratios[number], 0.0), 1.0)
        scales.append(round(1.0 + expansion * ratio, 4))
    # reportlab narrows the first line for a bullet again; give it room to.
    planned[0] += widths[0] - real[0]
    return Plan(planned, real, scales)


def paragraph_items(
    words: list[Any],
    hyphenator: Callable[[str], Any] | None,
    min_length: int,
    expansion: float = 0.0,
) -> list[Item]:
    """Boxes, glues and penalties for reportlab's words of a paragraph.

    A space is counted before a word the way reportlab's breaker counts it: the
    space after the word before (in that word's font), only before a word that
    has width. Each word's box may stretch by `expansion` of its width.
    """
    items: list[Item] = []
    space = 0.0
    for word in words:
        if rl.word_is_line_break(word):
            items += [Glue(0, _FILL, 0), Penalty(0, -INFINITY)]
            space = 0.0
            continue
        if word[0] > 0:
            if space and items:
                items.append(Glue(space, space * STRETCH, space * SHRINK))
            items += _word_items(word, hyphenator, min_length, expansion)
        else:
            items.append(Box(0.0))  # a callback: drawn where it stands, no break before it
        last = word[-1][0]
        space = stringWidth(" ", last.fontName, last.fontSize) if rl.word_is_spaced(word) else 0.0
    return [*items, Glue(0, _FILL, 0), Penalty(0, -INFINITY)]


def _word_items(
    word: Any, hyphenator: Callable[[str], Any] | None, min_length: int, expansion: float
) -> list[Item]:
    ends = _hyphenated_ends(word, hyphenator, min_length)
    items: list[Item] = []
    done = 0.0
    for head_width, hyphen_width, flagged in reversed(ends):  # shortest head first
        part = head_width - done
        items += [Box(part, part * expansion), Penalty(hyphen_width, HYPHEN_COST, flagged)]
        done = head_width
    rest = word[0] - done
    return [*items, Box(rest, rest * expansion)]


def _hyphenated_ends(
    word: Any, hyphenator: Callable[[str], Any] | None, min_length: int
) -> list[tuple[float, float, bool]]:
    first = word[1][0]
    if (
        hyphenator is None
        or rl.word_is_soft_hyphenated(word)
        or getattr(first, "nobr", False)
        or any(hasattr(frag, "cbDefn") for frag, _ in word[1:])
    ):
        return []
    rules = getattr(hyphenator, "key", None)
    if rules is None:
        known = _ends_by_hyphenator.setdefault(hyphenator, {})
    else:
        known = _ends_of_words
        if len(known) >= _ENDS_KEPT:
            known.clear()
    key = (
        rules,
        min_length,
        word[0],
        *((frag.fontName, frag.fontSize, text) for frag, text in word[1:]),
    )
    ends = known.get(key)
    if ends is None:
        ends = known[key] = rl.word_hyphenated_ends(word, hyphenator, min_length)
    return ends
