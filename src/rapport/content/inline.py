"""The small inline syntax of content text: *emphasis*, **strong**, [links](https://…)
and references to facts, {name} or {name:form}.

A backslash makes the next character literal (`\\*`). An asterisk next to a
space on the side it would open or close is an ordinary character, so that
"5 * 3" needs no escaping.

A brace that starts no reference ({a b}, {{x}}, an unclosed {x, {x:}, {})
prints as typed, which is rarely what was meant: it is returned as a `Slip`,
for a warning with the fix, rather than refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from rapport.content.model import Span
from rapport.content.vocabulary import REFERENCE_FORM, REFERENCE_NAME

ALLOWED_SCHEMES = ("http", "https", "mailto")
_REFERENCE = re.compile(rf"\{{({REFERENCE_NAME})(?::({REFERENCE_FORM}))?\}}")  # {name:form}
_LINK = re.compile(
    r"\[([^\[\]]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)"
)  # one level of (…) in the address


class InlineSyntaxError(ValueError):
    """A problem in inline markup; `hint` says how to fix it, `span` which characters of the
    text ([start, end) offsets) are wrong, when known."""

    def __init__(self, message: str, hint: str = "", span: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.span = span


@dataclass(frozen=True)
class Slip:
    """Markup that prints as typed though it looks meant as markup: a warning, not an error."""

    message: str
    hint: str
    start: int = 0  # where in the text it is: [start, end)
    end: int = 0


_ESCAPE_HINT = "or write \\{ for a brace that is meant as text"
_SHOWN_LENGTH = 30  # of a malformed reference, in a message


@dataclass
class _State:
    emphasis: bool = False
    strong: bool = False
    emphasis_at: int = 0  # where the open '*' and '**' are: an unclosed one is reported there
    strong_at: int = 0


def parse_inline(text: str, slips: list[Slip] | None = None) -> tuple[Span, ...]:
    """Split text into styled spans; raise InlineSyntaxError on unbalanced markup.

    Braces that start no reference are added to `slips` (when given) and print as typed.
    """
    spans: list[Span] = []
    state = _State()
    buffer: list[str] = []
    found: list[Slip] = []
    open_slips = 0  # braces that start no reference: their '}' is named with them

    def flush() -> None:
        if buffer:
            _append(spans, Span(text="".join(buffer), emphasis=state.emphasis, strong=state.strong))
            buffer.clear()

    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and not text[i + 1].isalnum():
            buffer.append(text[i + 1])
            i += 2
            continue
        if char == "{":
            reference = _REFERENCE.match(text, i)
            if reference:
                flush()
                # Unresolved: the loader replaces the text with the fact's value.
                spans.append(
                    Span(
                        text=reference.group(0),
                        emphasis=state.emphasis,
                        strong=state.strong,
                        fact=reference.group(1),
                        form=reference.group(2) or "value",
                    )
                )
                i = reference.end()
                continue
            second_of_two = i > 0 and text[i - 1] == "{" and open_slips > 0  # '{{ x }}'
            if not second_of_two:
                _note(found, replace(brace_slip(text, i), start=i, end=i + 1))
            open_slips += 1
        if char == "}":
            if open_slips:
                open_slips -= 1
            else:
                _note(found, replace(_STRAY_CLOSING_BRACE, start=i, end=i + 1))
        if char == "[":
            match = _LINK.match(text, i)
            if match:
                flush()
                label, href = match.group(1), match.group(2)
                _check_link(match)
                _append(
                    spans, Span(text=label, emphasis=state.emphasis, strong=state.strong, href=href)
                )
                i = match.end()
                continue
        if char == "*":
            width = 2 if text.startswith("**", i) else 1
            if _is_delimiter(
                text, i, width, closing=state.strong if width == 2 else state.emphasis
            ):
                flush()
                if width == 2:
                    state.strong, state.strong_at = not state.strong, i
                else:
                    state.emphasis, state.emphasis_at = not state.emphasis, i
                i += width
                continue
        buffer.append(char)
        i += 1
    if state.strong or state.emphasis:
        marker = "**" if state.strong else "*"
        opened = state.strong_at if state.strong else state.emphasis_at
        raise InlineSyntaxError(
            f"unclosed '{marker}' in text",
            f"close it with a second '{marker}', or write '\\*' for a literal asterisk",
            (opened, opened + len(marker)),
        )
    flush()
    if slips is not None:
        slips.extend(found)
    return tuple(spans)


_STRAY_CLOSING_BRACE = Slip(
    "'}' closes no '{' and prints as typed",
    "remove it, or write \\} for a brace that is meant as text",
)


def _note(found: list[Slip], slip: Slip) -> None:
    if all(slip.message != told.message for told in found):  # told once per text
        found.append(slip)


def brace_slip(text: str, start: int) -> Slip:
    """What is wrong with the '{' at `start`, which starts no reference to a fact."""
    double = re.match(r"\{\{([^{}]*)\}\}", text[start:])
    if double:
        shown = _shorten(double.group())
        single = "{" + double.group(1) + "}"
        meant = single if _REFERENCE.fullmatch(single) else _tidied(double.group(1))
        return Slip(
            f"'{shown}' has two braces on each side and prints braces around what it shows",
            f"write {meant}" if meant else f"write one brace on each side, {_ESCAPE_HINT}",
        )
    close = text.find("}", start + 1)
    reopen = text.find("{", start + 1)
    if close < 0 or 0 <= reopen < close:
        shown = _shorten(re.match(r"\{[^\s{}]*", text[start:]).group())  # type: ignore[union-attr]
        fix = (
            f"write {shown}}}"
            if shown != "{"
            else "write a fact's name and '}', e.g. {ebooks.titels}"
        )
        return Slip(
            f"'{shown}' is not closed with '}}' and prints as typed", f"{fix}, {_ESCAPE_HINT}"
        )
    inner_text = text[start + 1 : close]
    shown = _shorten("{" + inner_text + "}")
    name, colon, form = inner_text.partition(":")
    if not inner_text.strip():
        return Slip(
            f"'{shown}' names no fact and prints as typed",
            f"write the fact's name between the braces, e.g. {{ebooks.titels}}, {_ESCAPE_HINT}",
        )
    if colon and not form.strip() and _REFERENCE.fullmatch("{" + name.strip() + "}"):
        return Slip(
            f"'{shown}' has nothing after ':' and prints as typed",
            f"write {{{name.strip()}}}, or a form after the colon, e.g. {{{name.strip()}:change}}",
        )
    meant = _tidied(inner_text)
    if meant:
        return Slip(
            f"'{shown}' has spaces in it and prints as typed",
            f"write {meant}, without spaces, {_ESCAPE_HINT}",
        )
    if re.search(r"[A-Za-z0-9_.-]\s+[A-Za-z0-9_.-]", name):
        return Slip(
            f"'{shown}' has a space in the fact's name and prints as typed",
            f"a fact's name has no spaces: write it as in facts.yaml, e.g. {{ebooks.titels}},"
            f" {_ESCAPE_HINT}",
        )
    return Slip(
        f"'{shown}' is not a reference to a fact and prints as typed",
        "a reference is {name} or {name:form}; a name has letters, digits, '.', '_' and '-'"
        f" and no spaces, {_ESCAPE_HINT}",
    )


def reference_as_typed(text: str) -> Slip | None:
    """A reference in text that shows no facts (a title, a label): it prints as typed."""
    reference = _REFERENCE.search(text)
    if reference is None:
        return None
    return Slip(
        f"'{_shorten(reference.group())}' prints as typed: this text cannot show a fact",
        "write the value itself; a {name} reference works in running text, such as"
        " paragraphs, bullets, table cells, callouts, quotes, image and chart captions"
        " and the intro",
        reference.start(),
        reference.end(),
    )


def _tidied(inner: str) -> str:
    """'{x}' when `inner` is a reference but for spaces at its ends or around ':'; else ''."""
    name, colon, form = (part.strip() for part in inner.partition(":"))
    tidy = "{" + name + (colon + form if form else "") + "}"
    return tidy if _REFERENCE.fullmatch(tidy) and tidy != "{" + inner + "}" else ""


def _shorten(text: str) -> str:
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def _is_delimiter(text: str, i: int, width: int, *, closing: bool) -> bool:
    if closing:
        return i > 0 and not text[i - 1].isspace()
    after = text[i + width] if i + width < len(text) else " "
    return not after.isspace()


def _append(spans: list[Span], span: Span) -> None:
    if not span.text:
        return
    last = spans[-1] if spans else None
    if (
        last
        and last.fact is None
        and (last.emphasis, last.strong, last.href) == (span.emphasis, span.strong, span.href)
    ):
        spans[-1] = Span(
            text=last.text + span.text, emphasis=span.emphasis, strong=span.strong, href=span.href
        )
    else:
        spans.append(span)


def _check_link(link: re.Match[str]) -> None:
    """Refuse a link without text or to an address that is not a web or mail address."""
    label, href = link.group(1), link.group(2)
    if not label.strip():
        raise InlineSyntaxError(
            f"link to '{href}' has no text", "write [text](address)", link.span()
        )
    address = link.span(2) if href else link.span()
    try:
        parts = urlsplit(href)
    except ValueError:
        raise InlineSyntaxError(
            f"link '{href}' is not a valid address",
            "write the full address, e.g. https://example.org/page",
            address,
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise InlineSyntaxError(
            f"link '{href}' is not allowed (only http, https and mailto links are)",
            "write the full address, starting with https://",
            address,
        )
    if scheme in ("http", "https") and not parts.netloc:
        raise InlineSyntaxError(
            f"link '{href}' has no host name", "write it as https://host/path", address
        )
