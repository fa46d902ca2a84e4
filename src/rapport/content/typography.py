"""Typographic punctuation for text as typed on a keyboard: curly quotes, apostrophes,
a true minus and en dashes.

- "…" becomes “…”, '…' becomes ‘…’, the apostrophe in zo'n, auto's and the
  leading one in 's avonds, 't is or '90 becomes ’ (Dutch and English alike);
- a hyphen directly before a digit, after a space, the start or an opening
  bracket or quote, is a minus: -27% becomes −27%;
- a hyphen between two numbers is an en dash: 2019-2023 becomes 2019–2023,
  9-12 jaar becomes 9–12 jaar. A chain such as 2024-03-20 (a date, a phone
  number) is left alone.

Fact references ({name}), link addresses, bare web and mail addresses, `code`
and backslash escapes are never changed. Every change replaces one character by
one character, so an offset into the result is the same offset into the text as
typed (messages point at the right column). Applying it twice changes nothing.
"""

from __future__ import annotations

import re

# Spans never changed: a backslash escape, a reference to a fact, the address of a
# [link](…), a bare web or mail address, and `code`.
_PROTECTED = re.compile(
    r"\\[^\w\s]"
    r"|\{[^{}\s]*\}"
    r"|(?<=\])\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)"
    r"|(?:https?://|mailto:|www\.)[^\s\])]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|`[^`]*`"
)
_OPENERS = "([{“‘\"'–—−-/"  # after these a quote opens
_MINUS = re.compile(r"(?<![^\s(\[“‘\"'])-(?=\d)")  # at the start, or after a space or opener
_NUMBER = r"\d+(?:[.,]\d+)*"
_RANGE = re.compile(rf"(?<![\w.,\-–−])({_NUMBER})-({_NUMBER})(?![\w\-–−]|[.,]\d)")
# Words whose first letters are left out, written with a leading apostrophe.
_ELISIONS = {
    "nl": ("s", "t", "n", "k", "m", "r", "ns"),
    "en": ("tis", "twas", "em", "n", "cause", "til", "round"),
}


def typeset(text: str, language: str = "nl-BE") -> str:
    """`text` with keyboard quotes, apostrophes and hyphens set as the typesetter would."""
    if not any(char in text for char in "\"'-"):
        return text
    protected = _protected_positions(text)
    chars = list(text)
    for match in _MINUS.finditer(text):
        _replace(chars, protected, match.start(), "−")
    for match in _RANGE.finditer(text):
        _replace(chars, protected, match.end(1), "–")
    elisions = _ELISIONS["en" if language.lower().startswith("en") else "nl"]
    for index, char in enumerate(text):
        if index in protected:
            continue
        if char == '"':
            chars[index] = "“" if _opens(text, index) else "”"
        elif char == "'":
            chars[index] = _single_quote(text, index, elisions)
    return "".join(chars)


def _protected_positions(text: str) -> set[int]:
    return {i for match in _PROTECTED.finditer(text) for i in range(*match.span())}


def _replace(chars: list[str], protected: set[int], index: int, char: str) -> None:
    if index not in protected:
        chars[index] = char


def _opens(text: str, index: int) -> bool:
    """A quote opens at the start, or after a space or an opening bracket, before a non-space."""
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return (before.isspace() or before in _OPENERS) and not after.isspace()


def _single_quote(text: str, index: int, elisions: tuple[str, ...]) -> str:
    before = text[index - 1] if index else " "
    if before.isalnum() or not _opens(text, index):
        return "’"  # zo'n, auto's, Jacques', or a closing quote
    if _is_elision(text[index + 1 :], elisions):
        return "’"  # 's avonds, 't is, '90
    return "‘"


def _is_elision(rest: str, elisions: tuple[str, ...]) -> bool:
    """Whether the text after a word-initial apostrophe is a shortened word: s, t, 90."""
    word = re.match(r"[^\W_]+", rest)
    if word is None:
        return False
    shortened = word.group().lower()
    if re.fullmatch(r"\d\d", shortened):
        return True  # '90, de jaren '80
    quoted = rest[len(shortened) : len(shortened) + 1] == "'"  # 's' is a quoted letter
    return shortened in elisions and (not quoted or shortened == "n")  # rock 'n' roll
