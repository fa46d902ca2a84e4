"""The total-fit line breaker (layout/linebreak.py) on abstract paragraphs: known
paragraphs against first fit, the hyphen rules, the stretch bounds, the last line,
and properties over random paragraphs."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.layout.linebreak import (
    INFINITY,
    Box,
    Demerits,
    Glue,
    Item,
    Penalty,
    greedy_breaks,
    natural_widths,
    optimal_breaks,
    total_fit,
)

# The opening of "The Frog King", the paragraph Knuth and Plass break in their paper.
FROG_KING = (
    "In olden times when wishing still helped one, there lived a king whose daughters were "
    "all beautiful; and the youngest was so beautiful that the sun itself, which has seen so "
    "much, was astonished whenever it shone in her face. Close by the king's castle lay a great "
    "dark forest, and under an old lime-tree in the forest was a well, and when the day was "
    "very warm, the king's child went out into the forest and sat down by the side of the cool "
    "fountain; and when she was bored she took a golden ball, and threw it up on high and "
    "caught it; and this ball was her favorite plaything."
)
SPACE = Glue(1.0, 0.5, 0.2)  # a space of one letter that may grow by half and shrink by a fifth
END: list[Item] = [Glue(0, 1e6, 0), Penalty(0, -INFINITY)]


def paragraph(words: Sequence[str], hyphen_every: int = 0) -> list[Item]:
    """Items for `words`, one unit per letter; with `hyphen_every`, a hyphenation point
    every that many letters inside a word (at least two letters on each side)."""
    items: list[Item] = []
    for word in words:
        if items:
            items.append(SPACE)
        if hyphen_every and len(word) >= 2 * hyphen_every:
            parts = [word[i : i + hyphen_every] for i in range(0, len(word), hyphen_every)]
            if len(parts[-1]) < 2:
                parts[-2:] = [parts[-2] + parts[-1]]
            for part in parts[:-1]:
                items += [Box(float(len(part))), Penalty(1.0, 50, flagged=True)]
            items.append(Box(float(len(parts[-1]))))
        else:
            items.append(Box(float(len(word))))
    return [*items, *END]


def line_fits(items: Sequence[Item], positions: Sequence[int], widths: Sequence[float]) -> bool:
    """Every line but the last is no wider than its width with all its spaces shrunk."""
    naturals = natural_widths(items, positions)
    start = 0
    for number, (position, natural) in enumerate(zip(positions, naturals, strict=True)):
        shrink = sum(item.shrink for item in items[start:position] if isinstance(item, Glue))
        width = widths[min(number, len(widths) - 1)]
        if natural - shrink > width + 1e-6:
            return False
        start = position + 1
    return True


def hyphen_runs(items: Sequence[Item], positions: Sequence[int]) -> int:
    longest = run = 0
    for position in positions:
        item = items[position]
        run = run + 1 if isinstance(item, Penalty) and item.flagged else 0
        longest = max(longest, run)
    return longest


# ------------------------------------------------------------------------ known paragraphs


@pytest.mark.parametrize("width", [40.0, 50.0, 60.0])
def test_the_frog_king_breaks_far_better_than_first_fit(width: float) -> None:
    items = paragraph(FROG_KING.split())
    greedy = greedy_breaks(items, [width])
    best = optimal_breaks(items, [width])
    assert best.demerits < greedy.demerits / 5
    assert max(abs(ratio) for ratio in best.ratios) < max(greedy.ratios)
    assert max(best.ratios[:-1]) <= 1.6  # no line's spaces stretched past 1.8 times
    assert line_fits(items, best.positions, [width])


def test_first_fit_of_the_frog_king_has_a_line_a_total_fit_avoids() -> None:
    items = paragraph(FROG_KING.split())
    assert max(greedy_breaks(items, [40.0]).ratios) > 3  # a line of gaps
    assert max(optimal_breaks(items, [40.0]).ratios) < 1.2


def test_a_narrower_first_line_is_honoured() -> None:
    items = paragraph(FROG_KING.split())
    best = optimal_breaks(items, [30.0, 60.0])
    assert natural_widths(items, best.positions)[0] <= 30.0 + 0.2 * 6
    assert line_fits(items, best.positions, [30.0, 60.0])


def test_a_single_line_paragraph_is_one_line() -> None:
    items = paragraph(["kort", "en", "goed"])
    best = optimal_breaks(items, [60.0])
    assert best.positions == (len(items) - 1,)


def test_items_must_end_with_a_forced_break() -> None:
    with pytest.raises(ValueError, match="must end with a forced break"):
        total_fit([Box(3.0)], [10.0], 1.0)


# --------------------------------------------------------------------------------- hyphens


def test_never_three_hyphenated_lines_in_a_row() -> None:
    # With hyphens in a row costing nothing extra, the frog king at 39 units ends
    # five lines in a row with a hyphen; the limit still keeps it to two.
    items = paragraph(FROG_KING.split(), hyphen_every=2)
    free = Demerits(consecutive_hyphens=0)
    unlimited = total_fit(items, [39.0], 1.0, Demerits(consecutive_hyphens=0, max_hyphen_run=99))
    limited = total_fit(items, [39.0], 1.0, free)
    assert unlimited is not None and limited is not None
    assert hyphen_runs(items, unlimited.positions) > 2
    assert hyphen_runs(items, limited.positions) <= 2


def test_a_hyphen_on_the_last_full_line_is_avoided_when_a_space_will_do() -> None:
    # Line one ends either in a hyphen at its natural width, or at the space before
    # that word with its 8 spaces stretched to 0.8 (loose, yet better than the hyphen
    # on the paragraph's last full line).
    items: list[Item] = []
    for _ in range(9):
        items += [Box(1.0), SPACE]
    items += [Box(1.8), Penalty(0.4, 50, flagged=True), Box(3.0), SPACE, Box(1.0), *END]
    without = optimal_breaks(items, [20.2], weights=Demerits(final_hyphen=0))
    with_rule = optimal_breaks(items, [20.2])
    assert isinstance(items[without.positions[0]], Penalty)
    assert isinstance(items[with_rule.positions[0]], Glue)


# ---------------------------------------------------------------------------- stretch bounds


def test_lines_stay_within_the_tolerance_that_allows_a_solution() -> None:
    items = paragraph(FROG_KING.split())
    strict = total_fit(items, [60.0], 1.0)
    assert strict is not None
    assert all(-1 <= ratio <= 1.0 for ratio in strict.ratios)


def test_no_solution_within_a_tolerance_is_none_and_a_looser_one_is_tried() -> None:
    items = paragraph(["aaaaaaaa", "bbbbbbbb", "c"])  # lines of 8 in 10: 2 over 0 stretch
    assert total_fit(items, [10.0], 1.0) is None
    assert optimal_breaks(items, [10.0]).positions[-1] == len(items) - 1


def test_a_word_wider_than_the_line_still_gives_breaks_and_overflows_only_itself() -> None:
    items = paragraph(["a", "b" * 30, "c", "d"])
    best = optimal_breaks(items, [10.0])
    naturals = natural_widths(items, best.positions)
    assert 30.0 in naturals  # the long word alone on its line
    assert all(natural <= 10.0 or natural == 30.0 for natural in naturals)


# ------------------------------------------------------------------------------ properties

words = st.lists(st.text("abcdefghij", min_size=1, max_size=14), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(words, st.integers(20, 70), st.sampled_from([0, 3, 4]))
def test_every_line_fits_its_width(text: list[str], width: int, hyphen_every: int) -> None:
    items = paragraph(text, hyphen_every)
    best = optimal_breaks(items, [float(width)])
    if max(len(word) for word in text) <= width:
        assert line_fits(items, best.positions, [float(width)])
    assert best.positions[-1] == len(items) - 1
    assert list(best.positions) == sorted(set(best.positions))


@settings(max_examples=150, deadline=None)
@given(words, st.integers(20, 70), st.sampled_from([0, 3, 4]))
def test_total_demerits_never_worse_than_first_fit(
    text: list[str], width: int, hyphen_every: int
) -> None:
    items = paragraph(text, hyphen_every)
    greedy = greedy_breaks(items, [float(width)])
    if max(len(word) for word in text) > width or hyphen_runs(items, greedy.positions) > 2:
        return  # first fit is outside what the search may choose
    tolerance = max(1.0, *greedy.ratios) + 1e-9
    best = total_fit(items, [float(width)], tolerance)
    assert best is not None
    assert best.demerits <= greedy.demerits + 1e-6


@settings(max_examples=50, deadline=None)
@given(words, st.integers(20, 70), st.sampled_from([0, 3]))
def test_breaking_is_deterministic(text: list[str], width: int, hyphen_every: int) -> None:
    items = paragraph(text, hyphen_every)
    assert optimal_breaks(items, [float(width)]) == optimal_breaks(list(items), [float(width)])


@settings(max_examples=100, deadline=None)
@given(words, st.integers(20, 70))
def test_never_three_hyphens_in_a_row_on_random_paragraphs(text: list[str], width: int) -> None:
    items = paragraph(text, 3)
    assert hyphen_runs(items, optimal_breaks(items, [float(width)]).positions) <= 2 or (
        max(len(word) for word in text) > width
    )


# ------------------------------------------------------------------------ font expansion


def widening(items: Sequence[Item], share: float) -> list[Item]:
    """`items` with every box allowed to widen by `share` of its width."""
    return [
        Box(item.width, item.width * share) if isinstance(item, Box) else item for item in items
    ]


def test_a_box_that_may_widen_adds_its_stretch_to_the_line() -> None:
    space = Glue(1.0, 0.5, 0.2)
    items: list[Item] = [Box(4.0, 0.4), space, Box(4.0, 0.4), space, Box(9.0, 0.9), *END]
    found = total_fit(items, [10.0], 1.0)
    assert found is not None and found.positions[0] == 3  # "4 4", then "9"
    assert found.ratios[0] == pytest.approx((10.0 - 9.0) / (0.4 + 0.5 + 0.4))


@pytest.mark.parametrize("width", [40.0, 50.0, 60.0])
def test_widening_glyphs_leaves_spaces_less_to_stretch(width: float) -> None:
    items = paragraph(FROG_KING.split())
    fixed = optimal_breaks(items, [width])
    widened = optimal_breaks(widening(items, 0.02), [width])
    assert widened.demerits < fixed.demerits
    assert max(widened.ratios[:-1]) < max(fixed.ratios[:-1])
    assert line_fits(items, widened.positions, [width])  # widening never makes a line overfull
