"""Recording the report's logical structure while reportlab draws it.

reportlab knows nothing of tagged PDF. The layout stage builds a tree of
`StructNode`s (Document → Sect → H1, P, L, Table, Figure …) beside the
flowables, and ties each flowable that draws real content to its node. While
a page is drawn, `TaggedCanvas` wraps that content in marked-content
sequences with an MCID (`/P <</MCID 3>> BDC … EMC`) and everything else —
running headers and footers, rules, tile backgrounds — in `/Artifact`. The
layout stage freezes the record (rapport.layout.recorder) and the finishing step
(rapport.pdf.tags) turns it into the PDF's structure tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from reportlab.pdfgen.canvas import Canvas

from rapport.libs import rl

# Roles whose content is drawn directly; the others only group children.
CONTAINER_ROLES = {"Document", "Sect", "Div", "L", "LI", "Table", "TR", "TOC", "TOCI", "BlockQuote"}


@dataclass(eq=False)
class StructNode:
    """One element of the structure tree: its role, alt text and children in reading order."""

    role: str
    alt: str = ""
    text: str = ""  # plain text of the element, for link descriptions
    children: list[StructNode] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)

    def add(self, role: str, alt: str = "", text: str = "", **attributes: str) -> StructNode:
        child = StructNode(role, alt, text, attributes=dict(attributes))
        self.children.append(child)
        return child

    def walk(self) -> Iterator[StructNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Marked:
    """One marked-content sequence: which node, on which page, with which MCID and where."""

    node: StructNode
    page: int  # 0-based
    mcid: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in page space


class Tagger:
    """The marked content of one drawing of the document."""

    def __init__(self) -> None:
        self.sequences: list[Marked] = []
        self._next_mcid: dict[int, int] = {}
        self._depth = 0

    @contextmanager
    def marked(
        self,
        canvas: Any,
        node: StructNode,
        x: float = 0,
        y: float = 0,
        width: float = 0,
        height: float = 0,
    ) -> Iterator[None]:
        """Wrap what is drawn inside in a marked-content sequence of `node`.

        Content drawn inside another sequence belongs to that one: marked
        content never nests, so the outer element keeps it.
        """
        if self._depth:
            yield
            return
        page = canvas.getPageNumber() - 1
        mcid = self._next_mcid.get(page, 0)
        self._next_mcid[page] = mcid + 1
        x0, y0 = canvas.absolutePosition(x, y)
        x1, y1 = canvas.absolutePosition(x + width, y + height)
        self.sequences.append(
            Marked(node, page, mcid, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        )
        canvas.addLiteral(f"EMC /{node.role} <</MCID {mcid}>> BDC")
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            canvas.addLiteral("EMC /Artifact BMC")


class TaggedCanvas(Canvas):  # type: ignore[misc]
    """A canvas whose pages are artifacts except for the marked sequences drawn in them."""

    def __init__(self, *args: Any, tagger: Tagger | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tagger = (
            tagger if tagger is not None else Tagger()
        )  # the layout stage's, when it passes one in

    def showPage(self) -> None:
        # Everything on the page outside a marked sequence is an artifact.
        rl.prepend_to_page(self, "/Artifact BMC")
        self.addLiteral("EMC")
        super().showPage()


def tag(flowable: Any, node: StructNode) -> Any:
    """Tie a flowable to the node its drawing belongs to; its split parts stay tied to it."""
    flowable.struct_node = node
    draw_on = flowable.drawOn
    split = flowable.split

    def tagged_draw_on(canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        tagger: Tagger | None = getattr(canvas, "tagger", None)
        if tagger is None:
            draw_on(canvas, x, y, _sW)
            return
        width, height = getattr(flowable, "width", 0), getattr(flowable, "height", 0)
        with tagger.marked(canvas, node, x, y, width, height):
            draw_on(canvas, x, y, _sW)

    def tagged_split(avail_width: float, avail_height: float) -> list[Any]:
        parts: list[Any] = split(avail_width, avail_height)
        for part in parts:
            if getattr(part, "struct_node", None) is not node:
                tag(part, node)
        return parts

    flowable.drawOn = tagged_draw_on
    flowable.split = tagged_split
    return flowable


@contextmanager
def marked(
    canvas: Any,
    node: StructNode | None,
    x: float = 0,
    y: float = 0,
    width: float = 0,
    height: float = 0,
) -> Iterator[None]:
    """Mark what is drawn inside as content of `node`, when the canvas records tags."""
    tagger: Tagger | None = getattr(canvas, "tagger", None)
    if tagger is None or node is None:
        yield
        return
    with tagger.marked(canvas, node, x, y, width, height):
        yield
