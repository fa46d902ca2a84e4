"""Content text to reportlab paragraph markup. Every piece of text is escaped here, once."""

from __future__ import annotations

from rapport.charts import placeholder
from rapport.content.model import RichText, Span
from rapport.layout.escaping import escape, quote_attribute


def plain(text: str) -> str:
    """Escape text so that reportlab's mini-markup shows it literally."""
    return escape(text)


def rich(text: RichText, link_colour: str) -> str:
    return "".join(_span(span, link_colour) for span in text.spans)


def _span(span: Span, link_colour: str) -> str:
    markup = escape(span.text)
    if span.placeholder:
        markup = (
            f'<font backColor="{placeholder.HIGHLIGHT}" color="{placeholder.INK}">{markup}</font>'
        )
    if span.emphasis:
        markup = f"<i>{markup}</i>"
    if span.strong:
        markup = f"<b>{markup}</b>"
    if span.href:
        markup = f"<a href={quote_attribute(span.href)} color={quote_attribute(link_colour)}>{markup}</a>"
    return markup
