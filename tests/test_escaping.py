"""rapport's escaping reads back exactly as the standard library's XML escaping does."""

from __future__ import annotations

from html.parser import HTMLParser
from xml.sax.saxutils import escape as standard_escape
from xml.sax.saxutils import quoteattr

from hypothesis import given
from hypothesis import strategies as st

from rapport.layout.escaping import escape, quote_attribute


class _Attribute(HTMLParser):
    value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.value = dict(attrs)["x"]


def _read_back(quoted: str) -> str | None:
    parser = _Attribute(convert_charrefs=True)
    parser.feed(f"<a x={quoted}>")
    parser.close()
    return parser.value


@given(st.text())
def test_text_is_escaped_as_the_standard_library_does(text):
    assert escape(text) == standard_escape(text)


@given(st.text())
def test_an_attribute_reads_back_as_the_standard_librarys(value):
    assert _read_back(quote_attribute(value)) == _read_back(quoteattr(value))
