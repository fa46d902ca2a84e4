"""The small inline syntax of content text: *emphasis*, **strong**, [links](https://…)
and references to facts, {name} or {name:form}.

A backslash makes the next character literal (`\\*`). An asterisk next to a
space on the side it would open or close is an ordinary character, so that
"5 * 3" needs no escaping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .model import Span

ALLOWED_SCHEMES = ("http", "https", "mailto")
_REFERENCE = re.compile(r"\{([A-Za-z0-9_.-]+)(?::([a-z]+))?\}")  # a fact: {name} or {name:form}
_LINK = re.compile(
    r"\[([^\[\]]*)\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)"
)  # one level of (…) in the address


class InlineSyntaxError(ValueError):
    """A problem in inline markup; `hint` says how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class _State:
    emphasis: bool = False
    strong: bool = False


def parse_inline(text: str) -> tuple[Span, ...]:
    """Split text into styled spans; raise InlineSyntaxError on unbalanced markup."""
    spans: list[Span] = []
    state = _State()
    buffer: list[str] = []

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
        if char == "[":
            match = _LINK.match(text, i)
            if match:
                flush()
                label, href = match.group(1), match.group(2)
                _check_link(label, href)
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
                    state.strong = not state.strong
                else:
                    state.emphasis = not state.emphasis
                i += width
                continue
        buffer.append(char)
        i += 1
    if state.strong or state.emphasis:
        marker = "**" if state.strong else "*"
        raise InlineSyntaxError(
            f"unclosed '{marker}' in text",
            f"close it with a second '{marker}', or write '\\*' for a literal asterisk",
        )
    flush()
    return tuple(spans)


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


def _check_link(label: str, href: str) -> None:
    if not label.strip():
        raise InlineSyntaxError(f"link to '{href}' has no text", "write [text](address)")
    try:
        parts = urlsplit(href)
    except ValueError:
        raise InlineSyntaxError(
            f"link '{href}' is not a valid address",
            "write the full address, e.g. https://example.org/page",
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise InlineSyntaxError(
            f"link '{href}' is not allowed (only http, https and mailto links are)",
            "write the full address, starting with https://",
        )
    if scheme in ("http", "https") and not parts.netloc:
        raise InlineSyntaxError(f"link '{href}' has no host name", "write it as https://host/path")
