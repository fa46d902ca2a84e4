"""The layout stage's record of what is drawn, kept while reportlab lays the story out.

Flowables are given this recorder when the story is made, and tell it what
only the drawing learns: the page a heading lands on, the chapter a page
belongs to, the last content reached (for a layout failure), and, through
the canvas's `Tagger`, the marked content of the structure tree. When the
layout is done, `laid_out` turns the record into the plain value the PDF
finisher takes (rapport.layout.laid_out).
"""

from __future__ import annotations

from types import MappingProxyType

from rapport.diagnostics import Location
from rapport.layout.laid_out import Element, LaidOut, MarkedContent, PageNumbers
from rapport.layout.late import LateNumbers
from rapport.layout.tagging import StructNode, Tagger


class LayoutRecorder:
    """What the drawing of one report records."""

    def __init__(self) -> None:
        self.structure = StructNode("Document")  # filled by the story
        self.tagger = Tagger()  # the marked content, given to the canvas
        self.late = LateNumbers()  # page numbers drawn before they are known
        self.current_chapter = ""  # for the running header
        self.last_location: Location | None = None  # where a layout failure is reported

    def heading_drawn(self, key: str, page: int, chapter: str = "") -> None:
        """A heading (link target) was drawn on `page`; a chapter title starts a chapter."""
        self.late.found(key, page)
        if chapter:
            self.current_chapter = chapter

    def reached(self, location: Location | None) -> None:
        """The layout reached content written at `location`."""
        if location is not None:
            self.last_location = location

    def laid_out(self, pdf: bytes, pages: int, images: tuple[str, ...] = ()) -> LaidOut:
        """The record as the frozen value the finisher takes."""
        numbers: dict[int, int] = {}
        structure = _freeze(self.structure, numbers)
        marked = tuple(
            MarkedContent(numbers.get(id(m.node)), m.page, m.mcid, m.box)
            for m in self.tagger.sequences
        )
        page_numbers = PageNumbers(self.late.total, MappingProxyType(dict(self.late.pages)))
        return LaidOut(pdf, pages, structure, marked, page_numbers, images)


def _freeze(node: StructNode, numbers: dict[int, int]) -> Element:
    """`node` and its subtree as frozen elements, numbered in document order."""
    number = numbers[id(node)] = len(numbers)
    children = tuple(_freeze(child, numbers) for child in node.children)
    attributes = tuple(node.attributes.items())
    return Element(number, node.role, node.alt, node.text, attributes, children)
