"""Flemish formatting of numbers, quantities and dates: 1.852.354 · 6,5% · 15 februari 2023."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rapport.content.formatting import format_date, format_number, format_quantity


def parse_flemish(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", ".").replace("\u2212", "-"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1852354"), "1.852.354"),
        (Decimal("999"), "999"),
        (Decimal("1000"), "1.000"),
        (Decimal("0"), "0"),
        (Decimal("6.5"), "6,5"),
        (Decimal("1.50"), "1,50"),
        (Decimal("1234.567"), "1.234,567"),
        (Decimal("-1234"), "\u22121.234"),  # a true minus
        (Decimal("-1852354.5"), "\u22121.852.354,5"),
        (305, "305"),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_format_quantity_percent_has_no_space():
    assert format_quantity(Decimal("6.5"), "%") == "6,5%"


def test_format_quantity_negative_percent():
    assert format_quantity(Decimal("-2.5"), "%") == "\u22122,5%"


def test_format_quantity_other_unit_is_joined_by_a_no_break_space():
    assert format_quantity(Decimal("12"), "km") == "12\u00a0km"


def test_format_quantity_without_unit_is_the_number():
    assert format_quantity(Decimal("1852354")) == "1.852.354"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2023, 2, 15), "15 februari 2023"),
        (date(2024, 3, 1), "1 maart 2024"),
        (date(2023, 12, 31), "31 december 2023"),
    ],
)
def test_format_date(value, expected):
    assert format_date(value) == expected


# -- properties ------------------------------------------------------------------------------


@given(st.integers())
@example(10**28)
@example(-(10**30))
def test_integer_without_its_dots_is_the_integer(n):
    assert format_number(Decimal(n)).replace(".", "").replace("\u2212", "-") == str(n)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=0, max_value=3))
@example(-1852354, 1)
@example(150, 2)
def test_decimal_with_up_to_three_places_reads_back_as_written(digits, places):
    value = Decimal(digits).scaleb(-places)
    text = format_number(value)
    parsed = parse_flemish(text)
    assert parsed == value
    assert parsed.as_tuple().exponent == value.as_tuple().exponent  # every decimal is kept


@given(st.integers(min_value=1, max_value=10**15), st.integers(min_value=0, max_value=3))
def test_negative_number_is_the_positive_one_with_a_minus(digits, places):
    value = Decimal(digits).scaleb(-places)
    assert format_number(-value) == "\u2212" + format_number(value)  # a true minus


@pytest.mark.parametrize(
    ("typed", "shown"), [("-0", "0"), ("-0.0", "0,0"), ("-0.00", "0,00"), ("-0.5", "\u22120,5")]
)
def test_a_negative_zero_prints_without_a_minus(typed: str, shown: str) -> None:
    assert format_number(Decimal(typed), "nl") == shown
    assert format_quantity(Decimal(typed), "%", "nl") == shown + "%"
