"""Total-fit line breaking (Knuth and Plass) over abstract boxes, glues and penalties.

reportlab breaks a paragraph greedily: each line takes as many words as fit,
so a long word that just misses leaves a line with wide gaps. This module
chooses all the breaks of a paragraph together, minimising the sum of each
line's demerits, the way TeX does. It knows nothing of fonts or reportlab:
layout/justify.py turns a paragraph's words into items and the breaks back
into lines.

A paragraph is a sequence of items:
- `Box`: a word or part of a word, of fixed width, or one that may stretch a
  little when its glyphs may be widened (font expansion, as pdfTeX's);
- `Glue`: a space that may stretch or shrink; a line may break at a glue
  that follows a box;
- `Penalty`: a possible break that costs `cost` (a hyphenation point, with
  the hyphen's `width` and `flagged`), or forbids (`INFINITY`) or forces
  (`-INFINITY`) a break.
The last item must be a forced break.

The search keeps, for every feasible break found so far, the best way to
reach it in each fitness class and with each number of hyphenated lines
just before it; a break is dropped as soon as a line from it cannot fit
(active-node pruning), so the work grows with the number of items times the
number of breaks a line can span.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

INFINITY = 10_000.0  # a penalty this high forbids a break, its negative forces one


@dataclass(frozen=True)
class Box:
    width: float
    stretch: float = 0.0  # a word whose glyphs may widen a little (font expansion)


@dataclass(frozen=True)
class Glue:
    width: float
    stretch: float
    shrink: float


@dataclass(frozen=True)
class Penalty:
    width: float
    cost: float
    flagged: bool = False


Item = Box | Glue | Penalty


@dataclass(frozen=True)
class Demerits:
    """The weights of the search, as in TeX (\\linepenalty, \\adjdemerits …)."""

    line: float = 10.0  # every line costs this, so fewer lines are preferred
    consecutive_hyphens: float = 3000.0  # two hyphenated lines in a row
    final_hyphen: float = 5000.0  # a hyphen on the last full line
    fitness_jump: float = 3000.0  # a very loose line next to a tight one
    max_hyphen_run: int = 2  # never more hyphenated lines in a row than this


@dataclass(frozen=True)
class Breaks:
    """The chosen breaks: the index of the item each line ends at, and each line's ratio.

    A ratio of 0 is a line at its natural width, 1 a line using all of its
    stretch, -1 all of its shrink.
    """

    positions: tuple[int, ...]
    ratios: tuple[float, ...]
    demerits: float


@dataclass
class _Node:
    position: int
    line: int
    fitness: int
    hyphen_run: int
    total_width: float
    total_stretch: float
    total_shrink: float
    demerits: float
    ratio: float
    previous: _Node | None


def line_width(widths: Sequence[float], line: int) -> float:
    """The width of line `line` (0-based); the last width repeats."""
    return widths[min(line, len(widths) - 1)]


def optimal_breaks(
    items: Sequence[Item],
    widths: Sequence[float],
    tolerances: Sequence[float] = (1.0, 1.6, 3.0, INFINITY),
    weights: Demerits = Demerits(),
) -> Breaks:
    """The best breaks within the first tolerance that allows any; never a line that overflows
    unless one box alone is wider than its line.

    The last tolerance admits any loose line, so that one line nothing can fill
    does not cost the rest of the paragraph its even spacing. When even that
    gives no solution (a word wider than its line), the greedy breaks are
    returned: the best available.
    """
    for tolerance in tolerances:
        found = total_fit(items, widths, tolerance, weights)
        if found is not None:
            return found
    return greedy_breaks(items, widths, weights)


def total_fit(
    items: Sequence[Item],
    widths: Sequence[float],
    tolerance: float,
    weights: Demerits = Demerits(),
) -> Breaks | None:
    """The breaks with the least total demerits among those whose every line has a ratio in
    [-1, tolerance]; None when there are none."""
    _check(items)
    sum_width = sum_stretch = sum_shrink = 0.0
    active: dict[tuple[int, int, int, int], _Node] = {
        (0, 0, 1, 0): _Node(0, 0, 1, 0, 0.0, 0.0, 0.0, 0.0, 0.0, None)
    }
    for index, item in enumerate(items):
        if isinstance(item, Box):
            sum_width += item.width
            sum_stretch += item.stretch
            continue
        if isinstance(item, Glue):
            if index > 0 and isinstance(items[index - 1], Box):
                active = _try_break(
                    items, widths, index, active, (sum_width, sum_stretch, sum_shrink),
                    tolerance, weights,
                )  # fmt: skip
            sum_width += item.width
            sum_stretch += item.stretch
            sum_shrink += item.shrink
            continue
        if item.cost < INFINITY:
            active = _try_break(
                items, widths, index, active, (sum_width, sum_stretch, sum_shrink),
                tolerance, weights,
            )  # fmt: skip
        if not active:
            return None
    last = len(items) - 1
    finals = [node for node in active.values() if node.position == last and node.previous]
    if not finals:
        return None
    return _breaks(min(finals, key=lambda node: node.demerits))


def _try_break(
    items: Sequence[Item],
    widths: Sequence[float],
    index: int,
    active: dict[tuple[int, int, int, int], _Node],
    sums: tuple[float, float, float],
    tolerance: float,
    weights: Demerits,
) -> dict[tuple[int, int, int, int], _Node]:
    """Active nodes after considering a break at item `index`."""
    item = items[index]
    penalty = item if isinstance(item, Penalty) else None
    flagged = bool(penalty and penalty.flagged)
    extra_width = penalty.width if penalty else 0.0
    forced = bool(penalty and penalty.cost <= -INFINITY)
    after = _after_break(items, index, sums)
    kept: dict[tuple[int, int, int, int], _Node] = {}
    new: dict[tuple[int, int, int, int], _Node] = {}
    for key, node in active.items():
        ratio = _ratio(node, sums, extra_width, line_width(widths, node.line))
        if ratio < -1 or forced:
            pass  # no later break can be reached from this node: drop it
        else:
            kept[key] = node
        if not -1 <= ratio <= tolerance:
            continue
        run = node.hyphen_run + 1 if flagged else 0
        if run > weights.max_hyphen_run:
            continue
        fitness = _fitness(ratio)
        demerits = node.demerits + _line_demerits(
            ratio, penalty, node, fitness, flagged, forced, weights
        )
        # Lines from here on depend only on the line's width class, so one node per class
        # is enough: the best.
        new_key = (index, min(node.line + 1, len(widths) - 1), fitness, run)
        best = new.get(new_key)
        if best is None or demerits < best.demerits:
            new[new_key] = _Node(index, node.line + 1, fitness, run, *after, demerits, ratio, node)
    kept.update(new)
    return kept


def _ratio(
    node: _Node, sums: tuple[float, float, float], extra_width: float, width: float
) -> float:
    natural = sums[0] - node.total_width + extra_width
    if natural < width:
        stretch = sums[1] - node.total_stretch
        return (width - natural) / stretch if stretch > 0 else INFINITY
    if natural > width:
        shrink = sums[2] - node.total_shrink
        return (width - natural) / shrink if shrink > 0 else -INFINITY
    return 0.0


def _line_demerits(
    ratio: float,
    penalty: Penalty | None,
    node: _Node,
    fitness: int,
    flagged: bool,
    forced: bool,
    weights: Demerits,
) -> float:
    badness = 100 * abs(ratio) ** 3
    demerits = (weights.line + badness) ** 2
    if penalty is not None:
        if penalty.cost >= 0:
            demerits += penalty.cost**2
        elif not forced:
            demerits -= penalty.cost**2
    if flagged and node.hyphen_run > 0:
        demerits += weights.consecutive_hyphens
    if forced and node.hyphen_run > 0:
        demerits += weights.final_hyphen
    if node.previous is not None and abs(fitness - node.fitness) > 1:
        demerits += weights.fitness_jump
    return demerits


def _fitness(ratio: float) -> int:
    """0 tight, 1 decent, 2 loose, 3 very loose."""
    if ratio < -0.5:
        return 0
    if ratio <= 0.5:
        return 1
    if ratio <= 1:
        return 2
    return 3


def _after_break(
    items: Sequence[Item], index: int, sums: tuple[float, float, float]
) -> tuple[float, float, float]:
    """The running sums where the next line starts: glue and penalties after a break vanish."""
    width, stretch, shrink = sums
    for item in items[index:]:
        if isinstance(item, Box):
            break
        if isinstance(item, Glue):
            width += item.width
            stretch += item.stretch
            shrink += item.shrink
        elif item.cost <= -INFINITY and item is not items[index]:
            break
    return width, stretch, shrink


def _breaks(node: _Node) -> Breaks:
    positions: list[int] = []
    ratios: list[float] = []
    demerits = node.demerits
    current: _Node | None = node
    while current is not None and current.previous is not None:
        positions.append(current.position)
        ratios.append(current.ratio)
        current = current.previous
    return Breaks(tuple(reversed(positions)), tuple(reversed(ratios)), demerits)


def _check(items: Sequence[Item]) -> None:
    last = items[-1] if items else None
    if not (isinstance(last, Penalty) and last.cost <= -INFINITY):
        raise ValueError("a paragraph's items must end with a forced break")


def greedy_breaks(
    items: Sequence[Item], widths: Sequence[float], weights: Demerits = Demerits()
) -> Breaks:
    """First fit, as reportlab breaks: each line takes what fits at its natural width.

    Used as the last resort and, in the tests, as the standard the total fit must beat.
    """
    _check(items)
    prefix = _prefix_sums(items)
    legal = [i for i, item in enumerate(items) if _breakable(items, i)]
    last = len(items) - 1
    node = _Node(0, 0, 1, 0, 0.0, 0.0, 0.0, 0.0, 0.0, None)
    while node.position != last:
        width = line_width(widths, node.line)
        chosen: int | None = None
        for index in legal:
            if index <= node.position:
                continue
            item = items[index]
            extra = item.width if isinstance(item, Penalty) else 0.0
            if prefix[index][0] - node.total_width + extra > width + 1e-9:
                break
            chosen = index
            if isinstance(item, Penalty) and item.cost <= -INFINITY:
                break
        if chosen is None:  # the first word alone overflows: break after it all the same
            chosen = next(i for i in legal if i > node.position)
        node = _advance(items, prefix, chosen, node, widths, weights)
    return _breaks(node)


def _breakable(items: Sequence[Item], index: int) -> bool:
    item = items[index]
    if isinstance(item, Glue):
        return index > 0 and isinstance(items[index - 1], Box)
    return isinstance(item, Penalty) and item.cost < INFINITY


def _prefix_sums(items: Sequence[Item]) -> list[tuple[float, float, float]]:
    """The running sums (width, stretch, shrink) before each item."""
    sums = []
    width = stretch = shrink = 0.0
    for item in items:
        sums.append((width, stretch, shrink))
        if isinstance(item, Box):
            width += item.width
            stretch += item.stretch
        elif isinstance(item, Glue):
            width += item.width
            stretch += item.stretch
            shrink += item.shrink
    return sums


def _advance(
    items: Sequence[Item],
    prefix: Sequence[tuple[float, float, float]],
    index: int,
    node: _Node,
    widths: Sequence[float],
    weights: Demerits,
) -> _Node:
    """The node after breaking at `index` from `node` in the greedy search."""
    sums = prefix[index]
    item = items[index]
    penalty = item if isinstance(item, Penalty) else None
    flagged = bool(penalty and penalty.flagged)
    forced = bool(penalty and penalty.cost <= -INFINITY)
    ratio = _ratio(node, sums, penalty.width if penalty else 0.0, line_width(widths, node.line))
    ratio = max(-INFINITY, min(INFINITY, ratio))
    fitness = _fitness(ratio)
    demerits = node.demerits + _line_demerits(
        ratio, penalty, node, fitness, flagged, forced, weights
    )
    after = _after_break(items, index, sums)
    run = node.hyphen_run + 1 if flagged else 0
    return _Node(index, node.line + 1, fitness, run, *after, demerits, ratio, node)


def natural_widths(items: Sequence[Item], positions: Sequence[int]) -> list[float]:
    """The natural width of each line ending at `positions`: its boxes and glues, and the
    width of the penalty it ends at (a hyphen)."""
    prefix = _prefix_sums(items)
    widths: list[float] = []
    start = 0.0
    for position in positions:
        item = items[position]
        extra = item.width if isinstance(item, Penalty) else 0.0
        widths.append(prefix[position][0] - start + extra)
        start = _after_break(items, position, prefix[position])[0]
    return widths
