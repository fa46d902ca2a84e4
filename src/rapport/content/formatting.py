"""Locale formatting of numbers and dates, Flemish by default: 1.852.354 · 6,5% · 15 februari 2023."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal

DEFAULT_LANGUAGE = "nl-BE"
_UNITS_WITHOUT_SPACE = {"%", "‰", "°"}


@lru_cache(maxsize=8)
def babel_locale(language: str) -> Locale:
    """The babel locale of a BCP 47 tag such as 'nl-BE'."""
    return Locale.parse(language.replace("-", "_"))


def format_number(value: Decimal | int | float, language: str = DEFAULT_LANGUAGE) -> str:
    """A number as readers of `language` write it, keeping every written decimal."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if number.is_zero():  # '-0' or '-0,0' as typed is nought, never "−0"
        number = number.copy_abs()
    exponent = number.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    pattern = "#,##0" + ("." + "0" * places if places else "")
    with decimal.localcontext(prec=max(28, len(number.as_tuple().digits) + 4)):
        written = format_decimal(number, format=pattern, locale=babel_locale(language))
    return "\u2212" + written[1:] if written.startswith("-") else written  # a true minus, −5


def format_quantity(
    value: Decimal | int | float, unit: str = "", language: str = DEFAULT_LANGUAGE
) -> str:
    """A number with its unit: '6,5%' but '12 km'."""
    number = format_number(value, language)
    if not unit:
        return number
    return number + unit if unit in _UNITS_WITHOUT_SPACE else f"{number}\u00a0{unit}"


def format_date(value: dt.date, language: str = DEFAULT_LANGUAGE) -> str:
    return _babel_date(value, format="d MMMM y", locale=babel_locale(language))
