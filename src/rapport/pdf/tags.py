"""The tagged PDF: the structure tree written from what the layout recorded.

The layout stage ties every piece of real content to an element of the
structure tree and wraps it in a marked-content sequence with an MCID
(rapport.layout.tagging); its value holds both as plain data
(rapport.layout.laid_out: `Element`, `MarkedContent`). This module writes the
PDF side (ISO 32000-1, 14.7–14.8; PDF/UA-1):

- `/StructTreeRoot` with the elements in reading order, each with `/K` (its
  MCIDs, marked-content references or child elements), `/P` and `/Pg`;
- `/ParentTree`, from each page's `/StructParents` and each link
  annotation's `/StructParent` back to the elements;
- `/MarkInfo << /Marked true >>`, and `/Tabs /S` on every page;
- a `Link` element for every link annotation, inside the element whose text
  carries the link, with an object reference to the annotation; the link's
  description is both the annotation's `/Contents` and the element's `/Alt`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pikepdf

from rapport.labels import labels
from rapport.layout.laid_out import Element, MarkedContent

_INTERNAL_ROLES = {"Document"}


@dataclass
class _Written:
    """The PDF dictionaries made for the nodes, and what the parent tree needs."""

    elements: dict[int, pikepdf.Dictionary] = field(default_factory=dict)  # by Element.number
    texts: dict[int, str] = field(default_factory=dict)  # each element's text, for its links
    by_page: dict[int, dict[int, pikepdf.Object]] = field(default_factory=lambda: defaultdict(dict))


def apply_structure(
    pdf: pikepdf.Pdf, root: Element, sequences: Sequence[MarkedContent], language: str
) -> None:
    """Write the structure tree of `root` into `pdf`, whose pages hold `sequences`."""
    marked_by_node: dict[int | None, list[MarkedContent]] = defaultdict(list)
    for sequence in sequences:
        marked_by_node[sequence.element].append(sequence)
    tree_root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    written = _Written()
    document = _element(pdf, root, tree_root, marked_by_node, written)
    if document is None:  # pragma: no cover - a report always has content
        return
    tree_root.K = document
    next_key = _link_annotations(pdf, sequences, written, labels(language))
    nums = pikepdf.Array()
    for page_index in range(len(pdf.pages)):
        mcids = written.by_page.get(page_index, {})
        nums.append(page_index)
        nums.append(pdf.make_indirect(pikepdf.Array([mcids[m] for m in range(len(mcids))])))
    for key, element in next_key.items():
        nums.append(key)
        nums.append(element)
    tree_root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
    tree_root.ParentTreeNextKey = len(pdf.pages) + len(next_key)
    for index, page in enumerate(pdf.pages):
        page.obj.StructParents = index
        page.obj.Tabs = pikepdf.Name.S
    pdf.Root.StructTreeRoot = tree_root
    pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    pdf.Root.Lang = pikepdf.String(language)


def _element(
    pdf: pikepdf.Pdf,
    node: Element,
    parent: pikepdf.Object,
    marked_by_node: dict[int | None, list[MarkedContent]],
    written: _Written,
) -> pikepdf.Object | None:
    """The element of `node` with its subtree; None when nothing of it was drawn."""
    element = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + node.role), P=parent)
    )
    kids = pikepdf.Array()
    marks = sorted(marked_by_node.get(node.number, []), key=lambda m: (m.page, m.mcid))
    pages = {m.page for m in marks}
    for mark in marks:
        page = pdf.pages[mark.page].obj
        if len(pages) == 1:
            kids.append(mark.mcid)
        else:
            kids.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=mark.mcid))
        written.by_page[mark.page][mark.mcid] = element
    if len(pages) == 1:
        element.Pg = pdf.pages[marks[0].page].obj
    for child in node.children:
        kid = _element(pdf, child, element, marked_by_node, written)
        if kid is not None:
            kids.append(kid)
    if len(kids) == 0 and node.role not in _INTERNAL_ROLES:
        return None
    # A lone MCID is written bare, as most writers do (and some checkers expect).
    element.K = kids[0] if len(kids) == 1 and isinstance(kids[0], int) else kids
    if node.alt:
        element.Alt = pikepdf.String(node.alt)
    if node.attributes:
        attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
        for key, value in node.attributes:
            # a span is a number (/ColSpan 2), the others are names (/Scope /Row)
            attributes[pikepdf.Name("/" + key)] = (
                int(value) if value.isdigit() else pikepdf.Name("/" + value)
            )
        element.A = attributes
    written.elements[node.number] = element
    written.texts[node.number] = node.text
    return element


def _link_annotations(
    pdf: pikepdf.Pdf,
    sequences: Sequence[MarkedContent],
    written: _Written,
    words: dict[str, str],
) -> dict[int, pikepdf.Object]:
    """A Link element for every link annotation, placed in the element whose text it covers."""
    keys: dict[int, pikepdf.Object] = {}
    next_key = len(pdf.pages)
    by_page: dict[int, list[MarkedContent]] = defaultdict(list)
    for sequence in sequences:
        by_page[sequence.page].append(sequence)
    for page_index, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            if annotation.get("/Subtype") != pikepdf.Name.Link:
                continue
            owner = _owner(annotation, by_page[page_index])
            number = owner.element if owner is not None else None
            if number is None or number not in written.elements:
                continue  # not inside content that was written as an element
            parent = written.elements[number]
            link = pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.StructElem, S=pikepdf.Name.Link, P=parent, Pg=page.obj
                )
            )
            link.K = pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annotation, Pg=page.obj)
            kids = parent.K if isinstance(parent.K, pikepdf.Array) else pikepdf.Array([parent.K])
            kids.append(link)
            parent.K = kids
            annotation.StructParent = next_key
            description = _describe(annotation, written.texts[number], words)
            annotation.Contents = pikepdf.String(description)
            link.Alt = pikepdf.String(description)  # what the link says, read aloud
            keys[next_key] = link
            next_key += 1
    return keys


def _owner(annotation: pikepdf.Object, candidates: list[MarkedContent]) -> MarkedContent | None:
    """The marked sequence whose box holds the middle of the annotation."""
    x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
    middle = ((x0 + x1) / 2, (y0 + y1) / 2)
    inside = [
        m
        for m in candidates
        if m.box[0] - 1 <= middle[0] <= m.box[2] + 1 and m.box[1] - 1 <= middle[1] <= m.box[3] + 1
    ]
    return min(inside, key=lambda m: (m.box[2] - m.box[0]) * (m.box[3] - m.box[1]), default=None)


def _describe(annotation: pikepdf.Object, owner_text: str, words: dict[str, str]) -> str:
    """The link's /Contents: where it leads, or the text of the element that carries it."""
    action = annotation.get("/A")
    if action is not None and action.get("/URI") is not None:
        return words["link_to"].format(address=action.URI)
    text = owner_text.strip()
    return words["go_to"].format(text=text) if text else words["internal_link"]
