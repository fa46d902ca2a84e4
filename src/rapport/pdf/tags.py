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
- a `Link` element for the link annotations of each text, inside the element whose text
  carries the link, with an object reference to each annotation; where the links
  cover the whole text (a contents entry) that text's marked content is inside the
  Link too. The link's description is both the annotations' `/Contents` and the
  element's `/Alt`.
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
    """A Link element for the link annotations of each piece of text, placed in the element
    whose text they cover.

    Where the annotations of one marked sequence cover all of it (a contents entry: its
    title and its leader with the page number), that text is the link's own: its marked
    content moves into the Link element, which holds every annotation of it, so that a
    screen reader reads the link's words as the link.
    """
    keys: dict[int, pikepdf.Object] = {}
    by_page: dict[int, list[MarkedContent]] = defaultdict(list)
    for sequence in sequences:
        by_page[sequence.page].append(sequence)
    for page_index, page in enumerate(pdf.pages):
        groups: dict[int, tuple[MarkedContent, list[pikepdf.Object]]] = {}
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            if annotation.get("/Subtype") != pikepdf.Name.Link:
                continue
            owner = _owner(annotation, by_page[page_index])
            if owner is None or owner.element is None or owner.element not in written.elements:
                continue  # not inside content that was written as an element
            groups.setdefault(owner.mcid, (owner, []))[1].append(annotation)
        for owner, links in groups.values():
            assert owner.element is not None
            indented = str(written.elements[owner.element].S) == "/Reference"  # contents
            if _covered(owner, links, indented):
                _add_link(pdf, page.obj, owner, links, written, words, keys)
            else:
                for annotation in links:
                    _add_link(pdf, page.obj, None, [annotation], written, words, keys, owner)
    return keys


def _add_link(
    pdf: pikepdf.Pdf,
    page: pikepdf.Object,
    text: MarkedContent | None,
    annotations: list[pikepdf.Object],
    written: _Written,
    words: dict[str, str],
    keys: dict[int, pikepdf.Object],
    owner: MarkedContent | None = None,
) -> None:
    """One Link element for `annotations`, holding the marked content `text` if given."""
    carrier = text or owner
    assert carrier is not None and carrier.element is not None
    parent = written.elements[carrier.element]
    link = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Link, P=parent, Pg=page)
    )
    kids = parent.K if isinstance(parent.K, pikepdf.Array) else pikepdf.Array([parent.K])
    contents = pikepdf.Array()
    if text is not None and _take_mcid(kids, text.mcid, page):
        contents.append(text.mcid)
        written.by_page[text.page][text.mcid] = link
    description = _describe(annotations[0], written.texts[carrier.element], words)
    for annotation in annotations:
        contents.append(pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annotation, Pg=page))
        key = len(pdf.pages) + len(keys)
        annotation.StructParent = key
        annotation.Contents = pikepdf.String(description)
        keys[key] = link
    link.K = contents[0] if len(contents) == 1 else contents
    link.Alt = pikepdf.String(description)  # what the link says, read aloud
    kids.append(link)
    parent.K = kids


def _covered(sequence: MarkedContent, annotations: list[pikepdf.Object], indented: bool) -> bool:
    """Whether the annotations together span the whole sequence, left to right, and all lead
    to the same place: its text is then theirs alone. An `indented` sequence (a contents
    entry, whose box starts at the margin) need only be spanned from its text on."""
    spans = sorted((float(a.Rect[0]), float(a.Rect[2])) for a in annotations)
    left, _, right, _ = sequence.box
    reach = spans[0][0]
    if reach > left + 1 and not indented:
        return False
    for start, end in spans:
        if start > reach + 1:
            return False
        reach = max(reach, end)
    targets = {repr(a.get("/Dest")) + repr(a.get("/A")) for a in annotations}
    return reach >= right - 1 and len(targets) == 1


def _take_mcid(kids: pikepdf.Array, mcid: int, page: pikepdf.Object) -> bool:
    """Remove the marked content `mcid` of `page` from `kids`; whether it was there."""
    for index, kid in enumerate(kids):
        bare = isinstance(kid, int) and int(kid) == mcid
        referenced = (
            isinstance(kid, pikepdf.Dictionary)
            and kid.get("/Type") == pikepdf.Name.MCR
            and int(kid.MCID) == mcid
            and kid.Pg.objgen == page.objgen
        )
        if bare or referenced:
            del kids[index]
            return True
    return False


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
