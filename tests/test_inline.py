"""The inline parser: *emphasis*, **strong**, [links](https://…) and backslash escapes."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rapport.content.inline import InlineSyntaxError, parse_inline
from rapport.content.model import Span

SPECIAL = "*[]()\\{}"  # markup, links and references to facts


def plain(text: str) -> Span:
    return Span(text=text)


def test_empty_text_has_no_spans():
    assert parse_inline("") == ()


def test_plain_text_is_one_span():
    assert parse_inline("Gewone tekst.") == (plain("Gewone tekst."),)


def test_emphasis():
    assert parse_inline("een *schuin* woord") == (
        plain("een "),
        Span(text="schuin", emphasis=True),
        plain(" woord"),
    )


def test_strong():
    assert parse_inline("in totaal **305 bibliotheken** gemigreerd") == (
        plain("in totaal "),
        Span(text="305 bibliotheken", strong=True),
        plain(" gemigreerd"),
    )


def test_emphasis_inside_strong():
    assert parse_inline("**vet *en schuin***") == (
        Span(text="vet ", strong=True),
        Span(text="en schuin", strong=True, emphasis=True),
    )


@pytest.mark.parametrize(
    "href",
    ["https://www.cultuurconnect.be/", "http://example.org/a?b=c", "mailto:info@example.org"],
)
def test_link(href):
    assert parse_inline(f"zie [de site]({href}) nu") == (
        plain("zie "),
        Span(text="de site", href=href),
        plain(" nu"),
    )


def test_link_inside_strong_keeps_the_style():
    assert parse_inline("**[hier](https://a.be)**") == (
        Span(text="hier", strong=True, href="https://a.be"),
    )


@pytest.mark.parametrize("href", ["javascript:alert%281%29", "ftp://a.be/x", "/relatief", "a.be"])
def test_link_with_a_disallowed_scheme_is_refused(href):
    with pytest.raises(InlineSyntaxError) as info:
        parse_inline(f"[klik]({href})")
    assert info.value.message == (
        f"link '{href}' is not allowed (only http, https and mailto links are)"
    )
    assert info.value.hint == "write the full address, starting with https://"


def test_link_without_text_is_refused():
    with pytest.raises(InlineSyntaxError) as info:
        parse_inline("[ ](https://a.be)")
    assert info.value.message == "link to 'https://a.be' has no text"


def test_link_without_host_is_refused():
    with pytest.raises(InlineSyntaxError) as info:
        parse_inline("[klik](https:/pad)")
    assert info.value.message == "link 'https:/pad' has no host name"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\\*niet schuin\\*", "*niet schuin*"),
        ("\\[geen link](https://a.be)", "[geen link](https://a.be)"),
        ("een \\\\ backslash", "een \\ backslash"),
        ("\\**", "**"),
    ],
)
def test_backslash_makes_the_next_character_literal(text, expected):
    assert parse_inline(text) == (plain(expected),)


def test_backslash_before_a_letter_stays():
    assert parse_inline("C:\\data") == (plain("C:\\data"),)


@pytest.mark.parametrize("text", ["5 * 3 = 15", "a * b * c", "prijs: 10 *", "* eerste"])
def test_lone_asterisks_are_literal(text):
    assert parse_inline(text) == (plain(text),)


@pytest.mark.parametrize(("text", "marker"), [("Dit is **vet.", "**"), ("een *schuin woord", "*")])
def test_unclosed_marker_is_refused(text, marker):
    with pytest.raises(InlineSyntaxError) as info:
        parse_inline(text)
    assert info.value.message == f"unclosed '{marker}' in text"
    assert info.value.hint == (
        f"close it with a second '{marker}', or write '\\*' for a literal asterisk"
    )


# -- properties ------------------------------------------------------------------------------


@given(st.text().filter(lambda t: not any(c in t for c in SPECIAL)))
def test_text_without_markup_characters_is_one_plain_span(text):
    assert parse_inline(text) == ((plain(text),) if text else ())


def escape(text: str) -> str:
    return "".join("\\" + c if c in SPECIAL else c for c in text)


@given(st.text(alphabet=st.sampled_from(SPECIAL) | st.characters()))
@example("**vet** en *schuin* [link](https://a.be) \\ ")
def test_escaped_text_parses_back_to_itself_as_plain_text(text):
    spans = parse_inline(escape(text))
    assert "".join(span.text for span in spans) == text
    assert all(span == plain(span.text) for span in spans)
    assert len(spans) <= 1


MARKUP_ALPHABET = st.sampled_from([*"*[]()\\ :/ah.", "https://", "mailto:", "**", "\n"])


@given(st.lists(MARKUP_ALPHABET | st.characters(), max_size=40).map("".join))
@example("[x](https://[oeps)")
@example("[)](https://**][)")
def test_parser_raises_nothing_but_inline_syntax_error(text):
    try:
        spans = parse_inline(text)
    except InlineSyntaxError:
        return
    assert all(isinstance(span, Span) and span.text for span in spans)
