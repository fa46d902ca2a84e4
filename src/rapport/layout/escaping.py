"""Escaping text for XML and for reportlab's paragraph markup.

The same rules as `xml.sax.saxutils`, whose import (it pulls in urllib)
costs more than a page of layout.
"""

from __future__ import annotations

_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)


def escape(text: str) -> str:
    """Text that reads literally between XML tags."""
    return text.translate(_TEXT)


def quote_attribute(value: str) -> str:
    """A double-quoted XML attribute value that reads back as `value`."""
    return f'"{value.translate(_ATTRIBUTE)}"'
