"""What the layout stage hands to the PDF finisher: laid-out pages and what they hold.

Plain frozen data, free of reportlab and pikepdf: the finisher (rapport.pdf)
reads it and knows nothing of how the pages were laid out, and layout knows
nothing of how the PDF is finished.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Element:
    """One element of the structure tree (Document, Sect, H1, P, Table, Figure …)."""

    number: int  # its place in document order, which marked content refers to
    role: str
    alt: str = ""
    text: str = ""  # plain text, to describe a link it carries
    attributes: tuple[tuple[str, str], ...] = ()  # table attributes such as Scope=Row
    children: tuple[Element, ...] = ()

    def walk(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class MarkedContent:
    """One marked-content sequence drawn on a page: `/P <</MCID 3>> BDC … EMC`."""

    element: int | None  # the Element.number it belongs to; None: an element since dropped
    page: int  # 0-based
    mcid: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in page space


@dataclass(frozen=True)
class PageNumbers:
    """The numbers only the last page knows, as they were filled in."""

    total: int = 0
    # heading key (the link target, e.g. "hoofdstuk-2") -> the page it is on
    of_heading: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class LaidOut:
    """The laid-out report: reportlab's PDF and what the finisher adds to it."""

    pdf: bytes  # the pages as reportlab wrote them: untagged, not yet PDF/A
    pages: int
    structure: Element  # the Document element, in reading order
    marked: tuple[MarkedContent, ...]  # in drawing order
    page_numbers: PageNumbers
    images: tuple[str, ...] = ()  # the image files drawn, as the content names them
