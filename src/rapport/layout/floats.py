"""Floats: charts, images and key-figure rows that wait for the next page.

A block kept whole (a chart with its title and caption, an image with its
caption, a row of tiles) that does not fit the rest of a page used to push
everything after it to the next page, leaving the bottom of the page empty.
As a float it waits in a queue instead, the text after it fills the page,
and it is drawn at the top of the next page, before the text goes on there.

Rules a reader relies on:
- a float only ever moves later, never before the text that precedes it, and
  floats keep their order among themselves;
- a float never leaves its chapter: a page break (each chapter starts on a
  new page) or the end of the story draws the waiting floats first;
- the structure tree keeps the float where it stands in the content (the
  tree is built from the story, not from the drawing), so the reading order
  of the tagged PDF does not change when a float moves.

Page economy, beside the floats: a heading is kept with the first lines of
what follows it rather than all of it (`KeptWithNext`), and a chapter whose
last page holds only a little is laid out again with its vertical spacing
tightened, by the mildest of `TIGHT_STEPS` that could save the page (`tighten`,
`Parts.loose`; layout/pages.py keeps the tighter pages only when the chapter
loses a page by them, and caches that decision per chapter).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, FrameBreak, PageBreak, Paragraph, Spacer, Table

from rapport.libs import rl


class Float(Flowable):  # type: ignore[misc]
    """Flowables drawn as one unsplittable block, which may move to a later page."""

    def __init__(
        self, content: Sequence[Flowable], space_before: float = 0, space_after: float = 0
    ) -> None:
        super().__init__()
        self.content = list(content)
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.sizes: list[tuple[float, float]] = []

    def getSpaceBefore(self) -> float:  # (reportlab's name)
        """The float's own space, or its first part's if that asks for more."""
        return max(float(self.spaceBefore), float(self.content[0].getSpaceBefore()))

    def getSpaceAfter(self) -> float:  # (reportlab's name)
        return max(float(self.spaceAfter), float(self.content[-1].getSpaceAfter()))

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.sizes = [item.wrap(avail_width, avail_height) for item in self.content]
        self.width = avail_width
        self.height = sum(h for _, h in self.sizes) + sum(self._gaps())
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []  # whole or not at all: it waits for a page it fits

    def draw(self) -> None:
        top = self.height
        gaps = [0.0, *self._gaps()]
        for item, (width, height), gap in zip(self.content, self.sizes, gaps, strict=True):
            top -= gap + height
            item.drawOn(self.canv, _x(item, self.width, width), top)

    def _gaps(self) -> list[float]:
        """The space between consecutive items, overlapped as reportlab's frame does."""
        pairs = zip(self.content, self.content[1:], strict=False)
        return [max(a.getSpaceAfter(), b.getSpaceBefore()) for a, b in pairs]


def _x(item: Flowable, room: float, width: float) -> float:
    align = str(getattr(item, "hAlign", "LEFT")).upper()
    if align in ("CENTER", "CENTRE"):
        return (room - width) / 2
    return room - width if align == "RIGHT" else 0.0


class FlushFloats(Flowable):  # type: ignore[misc]
    """The end of the story: floats still waiting are drawn before it."""

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


class FloatQueue:
    """The floats waiting for the next page, and the decision whether one waits."""

    def __init__(self) -> None:
        self.waiting: list[Float] = []
        self.placing: set[int] = set()  # ids of floats put back to be drawn now

    def page_began(self, flowables: list[Any]) -> None:
        """A new page (frame) began: the waiting floats go first on it, in order.

        Each is weighed again as it comes: one that does not fit after those
        before it waits for the next page while the text goes on."""
        flowables[0:0] = self.waiting
        self.waiting = []

    def take(self, flowables: list[Any], frame: Any) -> bool:
        """Queue the float at the front of `flowables` (or after a heading kept with it) if it
        must wait; flush the queue before a page break. True when the front was consumed."""
        first = flowables[0]
        if isinstance(first, PageBreak | FlushFloats):
            if self.waiting:  # the chapter (or story) ends: no float leaves it
                self._draw_waiting_now(flowables)
                return False
            if isinstance(first, FlushFloats):
                del flowables[0]
                return True
            return False
        chain = _kept_with_next(flowables)
        if chain >= len(flowables) or not isinstance(flowables[chain], Float):
            return False
        candidate: Float = flowables[chain]
        if chain and not _text_follows(flowables, chain + 1):
            # the heading would be left with nothing of its own: both move on together,
            # after the floats already waiting
            self._draw_waiting_now(flowables)
            return False
        if id(candidate) in self.placing:
            self.placing.discard(id(candidate))
            return False
        if self.waiting or not _fits(flowables[: chain + 1], frame):
            at_top = rl.frame_room(frame)[1]
            if not self.waiting and at_top and chain == 0:
                return False  # taller than an empty page: the layout reports it
            del flowables[chain]
            self.waiting.append(candidate)
            return chain == 0
        return False

    def _draw_waiting_now(self, flowables: list[Any]) -> None:
        """Put the waiting floats back at the front, to be drawn as they come, in order."""
        self.placing.update(id(f) for f in self.waiting)
        flowables[0:0] = self.waiting
        self.waiting = []


def _text_follows(flowables: list[Any], index: int) -> bool:
    """Whether a block that can go under a heading (not a float, heading or break) is next."""
    if index >= len(flowables):
        return False
    following = flowables[index]
    floating = isinstance(following, Float | PageBreak | FlushFloats)
    return not floating and not following.getKeepWithNext()


def _kept_with_next(flowables: list[Any]) -> int:
    """How many flowables at the front are kept with the one after them (headings)."""
    count = 0
    while count < len(flowables) and flowables[count].getKeepWithNext():
        count += 1
    return count


def _fits(flowables: list[Any], frame: Any) -> bool:
    """Whether `flowables`, stacked, fit the room left in `frame`."""
    room, at_top = rl.frame_room(frame)
    width = frame.width - frame.leftPadding - frame.rightPadding
    needed = 0.0 if at_top else flowables[0].getSpaceBefore()
    previous_after = 0.0
    for index, flowable in enumerate(flowables):
        if index:  # the frame moves down by the space after, then by what space before exceeds it
            needed += previous_after + max(flowable.getSpaceBefore() - previous_after, 0)
        needed += flowable.wrap(width, room)[1]
        previous_after = flowable.getSpaceAfter()
    return needed <= room + 1e-6


def keep_with_next(flowables: list[Any], room: Callable[[], tuple[float, bool]]) -> None:
    """Group the flowables kept with the next one (headings) with it, at the front.

    (reportlab's BaseDocTemplate.handle_keepWithNext, with KeptWithNext for its
    KeepTogether.) The kept flowables lose their keepWithNext once grouped, as in
    reportlab, so that the group's parts are not grouped again.
    """
    count = _kept_with_next(flowables)
    if not count:
        return
    group = flowables[: count + 1]
    for flowable in group[:-1]:
        flowable.keepWithNext = 0
    flowables[: count + 1] = [KeptWithNext(group, room)]


class KeptWithNext(Flowable):  # type: ignore[misc]
    """A heading kept with the start of what follows it, not with all of it.

    reportlab's own KeepTogether moves a heading and the whole paragraph or
    table after it to the next page when the whole does not fit, which left
    pages ending with room unused. Here the heading stays when the first lines
    of what follows fit under it (a paragraph splits as its orphan rule allows);
    otherwise both start the next page, so a heading never ends a page alone.
    """

    def __init__(self, content: Sequence[Flowable], room: Callable[[], tuple[float, bool]]) -> None:
        super().__init__()
        self.content = list(content)
        self.room = room

    def getSpaceBefore(self) -> float:  # (reportlab's name)
        return float(self.content[0].getSpaceBefore())

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return avail_width, 0xFFFFFF  # never drawn itself: split into its parts

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        for flowable in self.content:  # some measure text on the canvas (the contents)
            flowable.canv = self.canv
        at_top = self.room()[1]
        if at_top or self._start_fits(avail_width, avail_height):
            return list(self.content)
        return [FrameBreak(), *self.content]

    def _start_fits(self, width: float, height: float) -> bool:
        *kept, last = self.content
        needed = 0.0
        previous_after = 0.0
        for index, flowable in enumerate(kept):
            if index:
                needed += max(previous_after, flowable.getSpaceBefore())
            needed += flowable.wrap(width, height)[1]
            previous_after = flowable.getSpaceAfter()
        if kept:
            needed += max(previous_after, last.getSpaceBefore())
        left = height - needed
        if left <= 0:
            return False
        if last.wrap(width, left)[1] <= left:
            return True
        return not isinstance(last, Float) and len(last.split(width, left)) >= 2


@dataclass(frozen=True)
class Tightness:
    """How much a tightened chapter gives up: a step a designer would still sign."""

    spacing: float  # the part of its vertical spacing (between blocks, around headings) kept
    leading: float = 0.0  # points taken from the leading of its text
    padding: float = 0.0  # points taken from the inner padding of its boxes (callouts, quotes)


# The steps a loose chapter is tightened by, mildest first: spacing to 60% (paragraphs and
# sections still read apart), then spacing to 50% with the leading half a point closer
# (15 → 14.5 pt at the house sizes, not seen as denser type) and boxes 2 pt slimmer.
# Each chapter gets the mildest step that saves its last page, or none. (Spacing at 40%
# was tried: paragraphs and the chapter opener then ran together.)
TIGHT_STEPS = (Tightness(0.6), Tightness(0.5, leading=0.5, padding=2.0))
TIGHT_SPACING = TIGHT_STEPS[0].spacing  # (the first step's spacing, as tests name it)

# A chapter's last page holding less than this part of the text block is loose: the
# layout is tried again with the chapter's spacing tightened, and kept if it saves a page.
LOOSE_PAGE = 0.3

# part of the story → its step (1 = TIGHT_STEPS[0]); parts not named keep their spacing
Tightening = dict[int, int]


def tighten(flowables: list[Any], step: Tightness = TIGHT_STEPS[0]) -> None:
    """Shrink the vertical space around the flowables up to the next page break."""
    for flowable in flowables:
        if isinstance(flowable, PageBreak | FlushFloats):
            return
        _tighten(flowable, step)


def _tighten(flowable: Any, step: Tightness) -> None:
    if isinstance(flowable, Paragraph):
        style = flowable.style
        flowable.style = ParagraphStyle(
            f"{style.name}-tight",
            parent=style,
            spaceBefore=style.spaceBefore * step.spacing,
            spaceAfter=style.spaceAfter * step.spacing,
            leading=style.leading - step.leading,
        )
    elif isinstance(flowable, Float):
        flowable.spaceBefore *= step.spacing
        flowable.spaceAfter *= step.spacing
        for item in flowable.content:
            _tighten(item, step)
    elif type(flowable) is Spacer:  # a gap between blocks (not a conditional page break)
        flowable.height *= step.spacing
    elif step.leading or step.padding:  # lists, list items, tables and boxes: what they hold
        if step.padding and getattr(flowable, "boxed", False):
            _slim_box(flowable, step.padding)
        for item in rl.nested_flowables(flowable):
            _tighten(item, step)


def _slim_box(box: Table, cut: float) -> None:
    """A callout's or quote's padding (layout/story.py `_boxed`) `cut` points slimmer."""
    top, bottom = box.boxed
    box.setStyle(
        [
            ("TOPPADDING", (0, 0), (-1, -1), top - cut),
            ("BOTTOMPADDING", (0, 0), (-1, -1), bottom - cut),
        ]
    )


@dataclass
class Parts:
    """What the layout learns of each part of the story (0 the cover, 1 the contents,
    then one per chapter: each starts on a new page) to judge the chapters' last pages."""

    ends: list[tuple[int, float]] = field(default_factory=list)  # (last page, height used)
    rooms: dict[int, float] = field(default_factory=dict)  # page → room left at its end
    spacing: dict[int, float] = field(default_factory=dict)  # page → space between blocks
    boxes: dict[int, int] = field(default_factory=dict)  # page → callouts and quotes begun

    def ended(self, page: int, used: float) -> None:
        self.ends.append((page, used))

    def page_ended(self, page: int, room: float) -> None:
        self.rooms[page] = room

    def handled(self, page: int, flowable: Any) -> None:
        """`flowable` is about to be laid out on `page`: count the space it brings."""
        self.spacing[page] = self.spacing.get(page, 0.0) + _spacing(flowable)
        self.boxes[page] = self.boxes.get(page, 0) + _boxes(flowable)

    def pages(self) -> tuple[int, ...]:
        """How many pages each part took."""
        ends = [0, *(page for page, _ in self.ends)]
        return tuple(end - start for start, end in pairwise(ends))

    def loose(
        self, height: float, step: Tightness = TIGHT_STEPS[0], leading: float = 0.0
    ) -> frozenset[int]:
        """The chapters whose last page holds less than LOOSE_PAGE of `height`, and whose
        pages have enough room and shrinkable space to take that back at `step` (an
        estimate: the layout tries it). `leading` is the body text's, for a step that
        takes some of it."""
        loose = set()
        for part, ((before, _), (last, used)) in enumerate(pairwise(self.ends), start=1):
            if part < 2 or last < before + 2 or used >= LOOSE_PAGE * height:
                continue
            pages = range(before + 1, last + 1)
            spacing = sum(self.spacing.get(page, 0.0) for page in pages)
            shrink = spacing * (1 - step.spacing)
            if step.leading and leading > 0:  # each line of text gives up step.leading
                filled = sum(height - self.rooms.get(page, 0.0) for page in pages[:-1]) + used
                shrink += max(filled - spacing, 0.0) / leading * step.leading
            shrink += sum(self.boxes.get(page, 0) for page in pages) * 2 * step.padding
            if self.rooms.get(last - 1, 0.0) + shrink >= used:
                loose.add(part)
        return frozenset(loose)


def _spacing(flowable: Any) -> float:
    if isinstance(flowable, Paragraph | Float):
        return float(flowable.getSpaceBefore() + flowable.getSpaceAfter())
    if type(flowable) is Spacer:
        return float(flowable.height)
    return sum(_spacing(item) for item in rl.nested_flowables(flowable))  # a list's items


def _boxes(flowable: Any) -> int:
    """How many boxes (callouts, quotes) `flowable` is or holds: each can be slimmed."""
    inner = flowable.content if isinstance(flowable, Float) else rl.nested_flowables(flowable)
    return int(bool(getattr(flowable, "boxed", False))) + sum(_boxes(item) for item in inner)
