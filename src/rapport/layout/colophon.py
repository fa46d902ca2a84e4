"""The colophon line of a correction, at the foot of the contents page.

A revision published by `rapport publish --revision N` says on its contents
page that it is a corrected edition, with its revision, date and reason
(rapport.correction). The line sits at the bottom of the page, under a thin
rule, like a printer's colophon; it is tagged as a paragraph, so a screen
reader reads it after the table of contents.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from rapport.correction import Correction
from rapport.layout import markup
from rapport.layout.tagging import StructNode, tag

_GAP = 2.5 * mm  # between the rule and the line


class AtFoot(Flowable):  # type: ignore[misc]
    """A paragraph drawn at the bottom of the space left in the frame, under a rule.

    It takes all the space that is left, so that nothing follows it on the
    page; when the paragraph does not fit, it asks for its own height and so
    moves to the next page.
    """

    def __init__(self, paragraph: Paragraph, rule_colour: Any) -> None:
        super().__init__()
        self.paragraph = paragraph
        self.rule_colour = rule_colour
        self.needed = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        _, text_height = self.paragraph.wrap(avail_width, avail_height)
        self.needed = text_height + _GAP
        self.width = avail_width
        self.height = max(avail_height, self.needed)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []  # never split: the whole line goes to the next page

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(self.rule_colour)  # the rule is decoration: an artifact
        canvas.setLineWidth(0.5)
        canvas.line(0, self.needed, self.width, self.needed)
        canvas.restoreState()
        self.paragraph.drawOn(canvas, 0, 0)


def correction_note(
    correction: Correction,
    language: str,
    style: ParagraphStyle,
    rule_colour: Any,
    parent: StructNode,
) -> Flowable:
    """The line 'Gecorrigeerde uitgave, revisie 2 van 12 april 2024: …' at the page's foot."""
    text = correction.line(language)
    paragraph = tag(Paragraph(markup.plain(text), style), parent.add("P", text=text))
    return AtFoot(paragraph, rule_colour)
