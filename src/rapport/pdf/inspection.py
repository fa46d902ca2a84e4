"""`rapport inspect --tags PDF`: a tagged PDF's structure tree, and the checks it must pass.

The checks read the finished file, not the layout's record, so they also hold
for a file after the archive has copied it:

- every marked-content sequence with an MCID belongs to exactly one structure
  element, through the page's `/StructParents` entry of the parent tree;
- nothing is painted outside a marked sequence or an artifact;
- every Figure has alternative text; headings do not skip a level;
- the reading order of the tree follows the pages (and MCIDs within a page);
- every link annotation is in the tree, with `/StructParent` and `/Contents`;
- the catalog says `/MarkInfo /Marked true`, `/Lang`, `/DisplayDocTitle`, and
  the XMP declares PDF/UA-1 and PDF/A-2a.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pikepdf

PAINTING = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do", "BI"}
HEADINGS = {f"/H{level}": level for level in range(1, 7)}


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    elements: int = 0
    marked: int = 0
    artifacts: int = 0

    def add(self, problem: str) -> None:
        self.problems.append(problem)


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_element(item: object) -> bool:
    return (
        isinstance(item, pikepdf.Dictionary)
        and item.get("/Type") in (None, pikepdf.Name.StructElem)
        and "/S" in item
    )


def walk(element: pikepdf.Object, depth: int = 0) -> Iterator[tuple[int, pikepdf.Object]]:
    """Every structure element below `element`, depth first, in reading order."""
    yield depth, element
    for kid in _kids(element):
        if _is_element(kid):
            yield from walk(kid, depth + 1)


def _content_items(
    element: pikepdf.Object, pages: dict[tuple[int, int], int]
) -> Iterator[tuple[int, int]]:
    """(page index, MCID) of the element's own marked content."""
    default_page = element.get("/Pg")
    for kid in _kids(element):
        if isinstance(kid, int):
            if default_page is not None:
                yield pages[default_page.objgen], int(kid)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR:
            yield pages[kid.Pg.objgen], int(kid.MCID)


def outline(path: Path) -> str:
    """The structure tree, one element a line, indented by depth."""
    with pikepdf.open(path) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return "(not a tagged PDF)"
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        lines = []
        for top in _kids(root):
            for depth, element in walk(top):
                role = str(element.S).lstrip("/")
                items = list(_content_items(element, pages))
                where = f"  p.{sorted({p + 1 for p, _ in items})}" if items else ""
                alt = f'  alt="{element.Alt}"' if "/Alt" in element else ""
                lines.append(f"{'  ' * depth}{role}{alt}{where}")
        return "\n".join(lines)


def check_tags(path: Path) -> Report:
    """Every check of the module docstring; an empty `problems` list means the file passes."""
    report = Report()
    with pikepdf.open(path) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            report.add("the PDF has no structure tree")
            return report
        _check_catalog(pdf, report)
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        drawn = _check_content(pdf, report)
        tree_items: Counter[tuple[int, int]] = Counter()
        order: list[tuple[int, int]] = []
        # A float (a chart or image in its Div, a row of key figures in its Table) may be
        # drawn on a later page than the text after it: its reading order is checked on
        # its own, and the text's without it.
        floats: list[list[tuple[int, int]]] = []
        float_depth: int | None = None
        previous_level = 0
        for top in _kids(root):
            for depth, element in walk(top):
                report.elements += 1
                if float_depth is not None and depth <= float_depth:
                    float_depth = None
                if float_depth is None and element.S in ("/Div", "/Table"):
                    float_depth = depth
                    floats.append([])
                items = list(_content_items(element, pages))
                tree_items.update(items)
                (order if float_depth is None else floats[-1]).extend(items)
                previous_level = _check_element(element, previous_level, report)
        for item, count in tree_items.items():
            if count > 1:
                report.add(f"page {item[0] + 1}, MCID {item[1]} belongs to {count} elements")
        for item in sorted(set(drawn) - set(tree_items)):
            report.add(
                f"page {item[0] + 1}, MCID {item[1]} is marked on the page but in no element"
            )
        for item in sorted(set(tree_items) - set(drawn)):
            report.add(f"page {item[0] + 1}, MCID {item[1]} is in the tree but not on the page")
        for sequence in (order, *floats):
            if sequence != sorted(sequence):
                first = next(i for i, (a, b) in enumerate(pairwise(sequence)) if b < a)
                report.add(
                    f"the reading order goes back from {sequence[first]} to"
                    f" {sequence[first + 1]} (page, MCID)"
                )
        _check_parent_tree(pdf, root, report)
        _check_links(pdf, report)
    return report


def _check_catalog(pdf: pikepdf.Pdf, report: Report) -> None:
    mark_info = pdf.Root.get("/MarkInfo")
    if mark_info is None or not bool(mark_info.get("/Marked", False)):
        report.add("the catalog lacks /MarkInfo << /Marked true >>")
    if not str(pdf.Root.get("/Lang", "")):
        report.add("the catalog has no /Lang")
    preferences = pdf.Root.get("/ViewerPreferences")
    if preferences is None or not bool(preferences.get("/DisplayDocTitle", False)):
        report.add("the viewer does not show the document title (/DisplayDocTitle)")
    for index, page in enumerate(pdf.pages):
        if page.obj.get("/Tabs") != pikepdf.Name.S:
            report.add(f"page {index + 1} lacks /Tabs /S")
    metadata = pdf.open_metadata()
    if metadata.get("pdfuaid:part") != "1":
        report.add("the XMP does not declare PDF/UA-1 (pdfuaid:part)")
    if metadata.get("pdfaid:part") != "2" or metadata.get("pdfaid:conformance") != "A":
        report.add("the XMP does not declare PDF/A-2a")


def _check_content(pdf: pikepdf.Pdf, report: Report) -> list[tuple[int, int]]:
    """The (page, MCID) pairs marked in the content; painting outside any sequence is a problem."""
    drawn: list[tuple[int, int]] = []
    for index, page in enumerate(pdf.pages):
        stack: list[str] = []
        loose = 0
        for instruction in pikepdf.parse_content_stream(page):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                operands, name = [], "BI"
            else:
                operands, name = list(instruction.operands), str(instruction.operator)
            if name in ("BDC", "BMC"):
                tag = str(operands[0])
                properties = operands[1] if name == "BDC" and len(operands) > 1 else None
                if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                    drawn.append((index, int(properties.MCID)))
                    report.marked += 1
                elif tag == "/Artifact":
                    report.artifacts += 1
                stack.append(tag)
            elif name == "EMC":
                if not stack:
                    report.add(f"page {index + 1}: EMC without a sequence to close")
                else:
                    stack.pop()
            elif name in PAINTING and not stack:
                loose += 1
        if stack:
            report.add(f"page {index + 1}: {len(stack)} marked sequence(s) left open")
        if loose:
            report.add(
                f"page {index + 1}: {loose} painting operation(s) are neither content nor artifact"
            )
    return drawn


def _check_element(element: pikepdf.Object, previous_level: int, report: Report) -> int:
    role = str(element.S)
    if role == "/Figure" and not str(element.get("/Alt", "")).strip():
        report.add("a Figure has no alternative text (/Alt)")
    level = HEADINGS.get(role)
    if level is None:
        return previous_level
    if level > previous_level + 1:
        report.add(f"heading level skipped: {role} after H{previous_level}")
    return level


def _check_parent_tree(pdf: pikepdf.Pdf, root: pikepdf.Object, report: Report) -> None:
    nums = list(root.ParentTree.get("/Nums", pikepdf.Array()))
    entries = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for index, page in enumerate(pdf.pages):
        key = page.obj.get("/StructParents")
        if key is None or int(key) not in entries:
            report.add(f"page {index + 1} has no entry in the parent tree")


def _check_links(pdf: pikepdf.Pdf, report: Report) -> None:
    for index, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            if annotation.get("/Subtype") != pikepdf.Name.Link:
                continue
            if "/StructParent" not in annotation:
                report.add(f"page {index + 1}: a link annotation is not in the structure tree")
            if not str(annotation.get("/Contents", "")).strip():
                report.add(f"page {index + 1}: a link annotation has no /Contents")
