"""The report's own flowables: headings that register themselves, chapter titles
with icons, key-figure tiles, rank badges and the table of contents.

Every flowable carries a `semantic_role` (and alt text where it applies): the
role it will have in the PDF's structure tree once the report is tagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table
from reportlab.platypus.tableofcontents import TableOfContents

from rapport.charts import placeholder
from rapport.diagnostics import Location
from rapport.layout.escaping import escape
from rapport.layout.recorder import LayoutRecorder
from rapport.layout.styles import FACES
from rapport.layout.tagging import StructNode, marked, tag
from rapport.libs import rl


class Heading(Paragraph):  # type: ignore[misc]
    """A heading that is a link target, an outline entry and a TOC entry."""

    def __init__(
        self,
        markup: str,
        style: Any,
        *,
        level: int,
        key: str,
        title: str,
        recorder: LayoutRecorder,
        chapter: str = "",
    ) -> None:
        super().__init__(markup, style)
        self.level = level
        self.key = key
        self.title = title
        self.recorder = recorder
        self.chapter = chapter

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        # A heading moves to the next page whole; one taller than a page is a layout
        # problem reported at its section. (Paragraph.split would call __init__ with
        # arguments a Heading does not take.)
        return []

    def draw(self) -> None:
        canvas = self.canv
        canvas.bookmarkHorizontal(self.key, 0, self.height + 4)
        canvas.addOutlineEntry(self.title, self.key, self.level - 1, closed=False)
        self.recorder.heading_drawn(self.key, canvas.getPageNumber(), self.chapter)
        super().draw()


def draw_icon(canvas: Any, path: Path, x: float, y: float, size: float, text: str) -> None:
    """Draw icon artwork whose extracted text is the emoji it shows."""
    canvas.saveState()
    utf16 = text.encode("utf-16-be").hex().upper()
    canvas.addLiteral(f"/Span <</ActualText <FEFF{utf16}>>> BDC")
    canvas.drawImage(str(path), x, y, size, size, mask="auto")
    label = canvas.beginText(x, y + size * 0.3)
    # An invisible soft hyphen carries the ActualText: extractors skip a span
    # with no text, or with only white space, and a soft hyphen reads as nothing.
    label.setTextRenderMode(3)
    label.setFont(FACES["regular"], size * 0.5)
    label.textOut("\u00ad")
    canvas.drawText(label)
    canvas.addLiteral("EMC")
    canvas.restoreState()


class IconHeading(Flowable):  # type: ignore[misc]
    """A chapter title with its colour icon to the left; the icon is an artifact."""

    def __init__(
        self,
        heading: Heading,
        icon: Path | None,
        icon_text: str,
        size: float,
    ) -> None:
        super().__init__()
        self.heading = heading
        self.icon = icon
        self.icon_text = icon_text
        self.size = size if icon else 0.0
        self.gap = size * 0.3 if icon else 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        _, height = self.heading.wrap(avail_width - self.size - self.gap, avail_height)
        self.width = avail_width
        self.height = max(height, self.size)
        return self.width, self.height

    def draw(self) -> None:
        first_line = self.heading.style.leading
        if self.icon:
            top = self.height - (first_line - self.size) / 2 - self.size * 0.95
            draw_icon(self.canv, self.icon, 0, top, self.size, self.icon_text)
        self.heading.drawOn(self.canv, self.size + self.gap, self.height - self.heading.height)


@dataclass(frozen=True)
class Tile:
    number: str
    label: str  # paragraph markup
    qualifier: str = ""  # "ruim", "bijna": shown small above the number
    change: str = ""  # "+15% t.o.v. 2022": shown under the label
    placeholder: str = ""  # "nog in te vullen": the fact is still to fill in (a draft)


class KeyFigureRow(Flowable):  # type: ignore[misc]
    """Two to four tiles with a big number and a label; never split over pages."""

    padding = 10.0
    gap = 8.0

    def __init__(
        self,
        node: StructNode,
        tiles: list[Tile],
        number_style: Any,
        label_style: Any,
        fill: Color,
        accent: Color,
    ) -> None:
        super().__init__()
        self.tiles = tiles
        # Read by a screen reader as a table, one row per tile: "305, Wise-bibliotheken …".
        # Every row has as many columns: a label without a change line spans two.
        rows = [node.add("TR") for _ in tiles]
        notes = any(tile.change or tile.placeholder for tile in tiles)
        self.cells = [
            (
                row.add("TH", Scope="Row"),
                row.add("TD", ColSpan="2") if notes and not has_note else row.add("TD"),
                row.add("TD") if has_note else None,
            )
            for row, tile in zip(rows, tiles, strict=True)
            for has_note in [bool(tile.change or tile.placeholder)]
        ]
        self.number_style = number_style
        self.label_style = label_style
        self.fill = fill
        self.accent = accent
        self.labels: list[Paragraph] = []
        self.small = label_style.fontSize * 0.9

    def _number_size(self, inner: float) -> float:
        widest = max(stringWidth(t.number, FACES["display"], 1.0) for t in self.tiles)
        return float(min(self.number_style.fontSize, inner / widest))

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        count = len(self.tiles)
        self.tile_width = (avail_width - self.gap * (count - 1)) / count
        inner = self.tile_width - 2 * self.padding
        self.font_size = self._number_size(inner)
        self.labels = [
            tag(Paragraph(tile.label, self.label_style), cells[1])
            for tile, cells in zip(self.tiles, self.cells, strict=True)
        ]
        label_height = max(p.wrap(inner, avail_height)[1] for p in self.labels)
        self.qualifier_height = self.small * 1.3 if any(t.qualifier for t in self.tiles) else 0.0
        notes = any(t.change or t.placeholder for t in self.tiles)
        self.change_height = self.small * 1.6 if notes else 0.0
        self.width = avail_width
        self.height = (
            2 * self.padding
            + self.qualifier_height
            + self.font_size * 1.15
            + 4
            + label_height
            + self.change_height
        )
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []  # a row of tiles moves to the next page whole

    def draw(self) -> None:
        canvas = self.canv
        for index, (tile, label, cells) in enumerate(
            zip(self.tiles, self.labels, self.cells, strict=True)
        ):
            number_cell, _, change_cell = cells
            x = index * (self.tile_width + self.gap)
            canvas.setFillColor(self.fill)
            canvas.roundRect(x, 0, self.tile_width, self.height, 4, stroke=0, fill=1)
            if tile.placeholder:
                _mark_placeholder(canvas, x, self.tile_width, self.height)
            top = self.height - self.padding
            baseline = top - self.qualifier_height - self.font_size * 0.9
            with marked(canvas, number_cell, x, baseline, self.tile_width, top - baseline):
                if tile.qualifier:
                    canvas.setFillColor(self.label_style.textColor)
                    canvas.setFont(FACES["regular"], self.small)
                    canvas.drawString(x + self.padding, top - self.small, tile.qualifier + " ")
                ink = HexColor(placeholder.INK) if tile.placeholder else self.number_style.textColor
                canvas.setFillColor(ink)
                canvas.setFont(FACES["display"], self.font_size)
                canvas.drawString(x + self.padding, baseline, tile.number)
            label.drawOn(canvas, x + self.padding, baseline - 6 - label.height)
            note = tile.placeholder or tile.change
            if note and change_cell is not None:
                with marked(canvas, change_cell, x, self.padding, self.tile_width, self.small):
                    canvas.setFillColor(
                        HexColor(placeholder.INK) if tile.placeholder else self.accent
                    )
                    canvas.setFont(FACES["bold"], self.small)
                    canvas.drawString(x + self.padding, self.padding, note)


def _mark_placeholder(canvas: Any, x: float, width: float, height: float) -> None:
    """A tile still to fill in: highlighter yellow with a dashed edge, as in the text."""
    canvas.saveState()
    canvas.setFillColor(HexColor(placeholder.FILL))
    canvas.setStrokeColor(HexColor(placeholder.EDGE))
    canvas.setLineWidth(1.2)
    canvas.setDash([5, 3])
    canvas.roundRect(x + 0.6, 0.6, width - 1.2, height - 1.2, 4, stroke=1, fill=1)
    canvas.restoreState()


class RankBadge(Flowable):  # type: ignore[misc]
    """A filled circle with a rank number in it."""

    def __init__(self, rank: int, diameter: float, fill: Color, ink: Color) -> None:
        super().__init__()
        self.rank = rank
        self.width = self.height = diameter
        self.fill = fill
        self.ink = ink

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        radius = self.width / 2
        self.canv.setFillColor(self.fill)
        self.canv.circle(radius, radius, radius, stroke=0, fill=1)
        self.canv.setFillColor(self.ink)
        self.canv.setFont(FACES["bold"], radius * 1.15)
        self.canv.drawCentredString(radius, radius * 0.6, str(self.rank))


@dataclass(frozen=True)
class ContentsEntry:
    level: int  # from 0
    title: str
    key: str  # of the heading it links to
    location: Location  # of the chapter or section, for a layout failure


class _ContentsLine(Paragraph):  # type: ignore[misc]
    """A contents entry: its linked title, then the dot leader and page number.

    The leader is drawn after the title, so that the entry also reads in that
    order: reportlab calls the end-of-text hook before it writes the text.
    """

    def __init__(
        self, entry: ContentsEntry, style: Any, width: float, recorder: LayoutRecorder
    ) -> None:
        super().__init__(
            f'<a href="#{entry.key}">{escape(entry.title)}</a>'
            f'<onDraw name="contents_entry_end" label="{entry.key}"/>',
            style,
        )
        self.entry, self.line_width = entry, width
        self.recorder = recorder
        self.source_location = entry.location
        self.end: tuple[float, float] | None = None  # where the title's last line ends

    def draw(self) -> None:
        self.end = None
        super().draw()
        if self.end is not None:
            x, y = self.end
            self.recorder.late.leader(
                self.canv, self.entry.key, x, y, self.line_width - x, self.style
            )


class TaggedContents(TableOfContents):  # type: ignore[misc]
    """The table of contents, tagged TOC > TOCI > Reference (with the entry's link).

    Its entries are known before the layout (every chapter and section heading);
    their page numbers are filled in after it (see `late`).
    """

    def __init__(
        self,
        node: StructNode,
        entries: list[ContentsEntry],
        recorder: LayoutRecorder,
        page_height: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.node = node
        self.entries = entries
        self.recorder = recorder
        self.page_height = page_height  # of the text column: an entry taller fits no page

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        lines: dict[str, _ContentsLine] = {}

        def entry_end(canvas: Any, kind: str, key: str) -> None:
            lines[key].end = rl.text_end(canvas)

        self.canv.setNamedCB("contents_entry_end", entry_end)
        rows: list[list[Flowable]] = []
        self.node.children.clear()  # the entries are made anew on every wrap
        for entry in self.entries:
            style = self.getLevelStyle(entry.level)
            # A long title wraps before the page-number column, so its number keeps room.
            wrapped = ParagraphStyle(
                f"{style.name}-wrapped", style, rightIndent=self.rightColumnWidth
            )
            line = lines[entry.key] = _ContentsLine(entry, wrapped, avail_width, self.recorder)
            tag(line, self.node.add("TOCI").add("Reference", text=entry.title))
            if style.spaceBefore:
                rows.append([Spacer(1, style.spaceBefore)])
            rows.append([line])
        table = Table(rows, colWidths=(avail_width,), style=self.tableStyle)
        rl.use_contents_table(self, table)
        self.width, self.height = table.wrapOn(self.canv, avail_width, avail_height)
        self._blame_a_title_taller_than_a_page(rows, table)
        return self.width, self.height

    def _blame_a_title_taller_than_a_page(self, rows: list[list[Flowable]], table: Table) -> None:
        """A contents entry that cannot fit on any page fails the layout at the contents;
        the title is the chapter's or section's, so that is where the failure is reported."""
        for (flowable,), height in zip(rows, rl.row_heights(table), strict=True):
            if height > self.page_height and hasattr(flowable, "source_location"):
                self.recorder.reached(flowable.source_location)
                return
