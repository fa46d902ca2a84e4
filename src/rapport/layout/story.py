"""Stage 4, layout: the content model and the theme become a list of flowables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from rapport.assets import icon_path, image_size, resolve_image
from rapport.charts import ChartSet
from rapport.content import model
from rapport.content.cellnotes import TableNotes
from rapport.content.formatting import format_quantity
from rapport.correction import Correction
from rapport.labels import labels
from rapport.layout import markup
from rapport.layout.breaking import column_widths
from rapport.layout.chartflow import chart_flowable
from rapport.layout.colophon import correction_note
from rapport.layout.document import BODY, frame_height, frame_width
from rapport.layout.floats import Float
from rapport.layout.flowables import (
    ContentsEntry,
    Heading,
    IconHeading,
    KeyFigureRow,
    RankBadge,
    TaggedContents,
    Tile,
)
from rapport.layout.hyphens import keep_together, keep_together_rich
from rapport.layout.images import ImageStore, PlacedImage
from rapport.layout.justify import Paragraph  # justified text broken as a whole
from rapport.layout.recorder import LayoutRecorder
from rapport.layout.styles import BODY_FONT, Styles, aligned, colour, make_styles
from rapport.layout.tagging import StructNode, tag
from rapport.paths import CACHE_DIR, project_root
from rapport.theme import Theme

F = TypeVar("F", bound=Flowable)


@dataclass
class _Context:
    edition: model.Edition
    theme: Theme
    styles: Styles
    root: Path
    labels: dict[str, str]
    recorder: LayoutRecorder  # what the drawing records, for the finisher
    charts: ChartSet = field(default_factory=ChartSet)
    figure_count: int = 0
    table_count: int = 0
    section_title: str = ""
    keys: dict[str, int] = field(default_factory=dict)
    contents_entries: list[ContentsEntry] = field(default_factory=list)
    parent: StructNode = field(default_factory=lambda: StructNode("Document"))
    images: ImageStore = field(default_factory=ImageStore)  # each image decoded once

    def leaf(
        self,
        flowable: F,
        role: str,
        alt: str = "",
        parent: StructNode | None = None,
        **attributes: str,
    ) -> F:
        """A flowable whose drawing is one element of the structure tree."""
        text = flowable.getPlainText() if isinstance(flowable, Paragraph) else ""
        tagged: F = tag(flowable, (parent or self.parent).add(role, alt, text, **attributes))
        return tagged

    @contextmanager
    def group(self, role: str) -> Iterator[StructNode]:
        """An element that holds the elements made inside the `with` block."""
        outer = self.parent
        self.parent = outer.add(role)
        try:
            yield self.parent
        finally:
            self.parent = outer

    @property
    def link_colour(self) -> str:
        return self.theme.colours.primary

    def rich(self, text: model.RichText) -> str:
        kept = keep_together_rich(text, self.theme.hyphenation)  # names, dates, units unbroken
        return markup.rich(kept, self.link_colour)

    @property
    def frame_width(self) -> float:
        return frame_width(self.theme)

    def heading(
        self, style: Any, node: model.Chapter | model.Section, *, level: int, prefix: str
    ) -> Heading:
        """A chapter or section heading, listed in the contents."""
        key = self.key(prefix)
        self.contents_entries.append(ContentsEntry(level - 1, node.title, key, node.location))
        chapter = node.title if isinstance(node, model.Chapter) else ""
        heading = Heading(
            markup.plain(node.title),
            style,
            level=level,
            key=key,
            title=node.title,
            recorder=self.recorder,
            chapter=chapter,
        )
        heading.source_location = node.location  # where a layout failure is reported
        return heading

    def key(self, prefix: str) -> str:
        self.keys[prefix] = self.keys.get(prefix, 0) + 1
        return f"{prefix}-{self.keys[prefix]}"


def build_story(
    edition: model.Edition,
    theme: Theme,
    charts: ChartSet,
    recorder: LayoutRecorder,
    images: ImageStore,
    correction: Correction | None = None,
) -> list[Flowable]:
    """The report as flowables; their structure tree grows under `recorder.structure`."""
    store = project_root(edition) / CACHE_DIR  # where the hyphenation cache lies
    ctx = _Context(
        edition,
        theme,
        make_styles(theme, edition.language, store),
        project_root(edition),
        labels(edition.language),
        recorder,
        charts,
        parent=recorder.structure,  # the Document element, for the tagged PDF
        images=images,
    )
    story: list[Flowable] = _cover(ctx)
    story += [NextPageTemplate(BODY), PageBreak()]
    story += _contents(ctx)
    if correction is not None:  # a later revision says so, under the contents
        story.append(
            correction_note(
                correction,
                edition.language,
                ctx.styles.small,
                colour(theme.colours.rule),
                ctx.parent,
            )
        )
    for number, chapter in enumerate(edition.chapters, 1):
        story += [PageBreak()]
        with ctx.group("Sect"):
            story += _chapter(ctx, number, chapter)
    return story


def _cover(ctx: _Context) -> list[Flowable]:
    s, e = ctx.styles, ctx.edition
    flow: list[Flowable] = [Spacer(1, 30 * mm)]
    flow.append(ctx.leaf(Paragraph(markup.plain(str(e.year)), s.cover_year), "P"))
    flow.append(Spacer(1, 8 * mm))
    flow.append(ctx.leaf(Paragraph(markup.plain(e.title), s.cover_title), "P"))
    if e.subtitle:
        flow += [
            Spacer(1, 6 * mm),
            ctx.leaf(Paragraph(markup.plain(e.subtitle), s.cover_text), "P"),
        ]
    if e.logo is not None:
        width = 45 * mm
        flow += [
            Spacer(1, 20 * mm),
            ctx.leaf(_placed(ctx, e.logo, width, "LEFT"), "Figure", alt=e.organisation),
        ]
    icons = [(icon_path(ctx.root, c.icon), c.icon) for c in e.chapters if c.icon]
    if icons:
        flow += [Spacer(1, 22 * mm), _icon_row(icons)]
    return flow


def _icon_row(icons: list[tuple[Path, str]]) -> Flowable:
    from rapport.layout.flowables import draw_icon

    class IconRow(Flowable):  # type: ignore[misc]
        def wrap(self, w: float, h: float) -> tuple[float, float]:
            return w, 16 * mm

        def draw(self) -> None:
            for index, (path, text) in enumerate(icons):
                draw_icon(self.canv, path, index * 22 * mm, 0, 14 * mm, text)

    return IconRow()  # decoration: each icon is shown again, tagged, on its chapter's first page


def _contents(ctx: _Context) -> list[Flowable]:
    s = ctx.styles
    flow: list[Flowable] = []
    if ctx.edition.introduction is not None:
        with ctx.group("Sect"):
            flow.append(
                ctx.leaf(Paragraph(markup.plain(ctx.labels["introduction"]), s.eyebrow), "H1")
            )
            flow.append(ctx.leaf(Paragraph(ctx.rich(ctx.edition.introduction), s.lead), "P"))
        flow.append(Spacer(1, 10 * mm))
    with ctx.group("Sect"):
        flow.append(ctx.leaf(Paragraph(markup.plain(ctx.labels["contents"]), s.heading2), "H1"))
        flow.append(_table_of_contents(ctx))
    return flow


def _table_of_contents(ctx: _Context) -> Flowable:
    s = ctx.styles
    toc_style = _table_style(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    return TaggedContents(
        ctx.parent.add("TOC"),
        ctx.contents_entries,  # filled as the chapters are laid out, before the layout runs
        ctx.recorder,
        frame_height(ctx.theme),
        levelStyles=list(s.toc),
        dotsMinLevel=0,
        rightColumnWidth=40,
        tableStyle=toc_style,
    )


def _chapter(ctx: _Context, number: int, chapter: model.Chapter) -> list[Flowable]:
    s = ctx.styles
    eyebrow = f"{ctx.labels['chapter']} {number}".upper()
    heading = ctx.heading(s.heading1, chapter, level=1, prefix="hoofdstuk")
    icon = icon_path(ctx.root, chapter.icon) if chapter.icon else None

    flow: list[Flowable] = [
        Paragraph(markup.plain(eyebrow), s.eyebrow),  # "HOOFDSTUK 1": page decoration
        IconHeading(
            ctx.leaf(heading, "H1"), icon, chapter.icon, s.heading1.fontSize * 1.25
        ),  # the icon is decoration beside the title, an artifact (as in the web edition)
    ]
    if chapter.subtitle:
        flow.append(ctx.leaf(Paragraph(markup.plain(chapter.subtitle), s.subtitle), "P"))
    if chapter.intro is not None:
        flow.append(ctx.leaf(Paragraph(ctx.rich(chapter.intro), s.lead), "P"))
        flow.append(Spacer(1, 4))
    for flowable in flow:
        flowable.source_location = chapter.location  # where a layout failure is reported
    for section in chapter.sections:
        with ctx.group("Sect"):
            flow += _section(ctx, section)
    return flow


def _section(ctx: _Context, section: model.Section) -> list[Flowable]:
    heading = ctx.heading(ctx.styles.heading2, section, level=2, prefix="sectie")
    ctx.section_title = section.title
    # kept with the first lines of what follows it (layout/floats.py: KeptWithNext)
    flow: list[Flowable] = [ctx.leaf(heading, "H2")]
    for block in section.blocks:
        flow += _block(ctx, block)
    return flow


def _block(ctx: _Context, block: model.Block) -> list[Flowable]:
    builders: dict[type, Callable[[_Context, Any], list[Flowable]]] = {
        model.Paragraph: _paragraph,
        model.Bullets: _bullets,
        model.KeyFigures: _figures,
        model.Ranking: _ranking,
        model.Table: _table,
        model.Image: _image,
        model.Callout: _callout,
        model.Quote: _quote,
        model.Chart: _chart,
    }
    flowables = builders[type(block)](ctx, block)
    for flowable in flowables:
        flowable.source_location = block.location  # where a layout failure is reported
    return flowables


def _paragraph(ctx: _Context, block: model.Paragraph) -> list[Flowable]:
    return [ctx.leaf(Paragraph(ctx.rich(block.text), ctx.styles.body), "P")]


def _bullets(ctx: _Context, block: model.Bullets) -> list[Flowable]:
    flowable = _bullet_list(ctx, block.items, depth=0)
    return [flowable, Spacer(1, ctx.styles.body.spaceAfter)]


def _bullet_list(ctx: _Context, items: tuple[model.BulletItem, ...], depth: int) -> Flowable:
    """L > LI > LBody (a nested L inside the LBody); the bullet glyphs are page decoration."""
    s, c = ctx.styles, ctx.theme.colours
    entries = []
    with ctx.group("L"):
        for item in items:
            text = ctx.rich(item.text)
            if item.term is not None:
                text = f"<b>{ctx.rich(item.term)}</b>: {text}"
            with ctx.group("LI") as entry:
                body = ctx.leaf(Paragraph(text, s.bullet), "LBody")
                parts: list[Flowable] = [body]
                if item.children:  # a nested list belongs to the item's body
                    ctx.parent = body.struct_node
                    parts.append(_bullet_list(ctx, item.children, depth + 1))
                    ctx.parent = entry
            entries.append(ListItem(parts if len(parts) > 1 else parts[0]))
    symbol = ("•", "–", "·")[min(depth, 2)]
    return ListFlowable(
        entries,
        bulletType="bullet",
        start=symbol,
        leftIndent=14,
        bulletFontName=s.body.fontName,
        bulletFontSize=s.body.fontSize,
        bulletColor=colour(c.primary),
        bulletOffsetY=0,
        spaceBefore=0,
    )


def _figures(ctx: _Context, block: model.KeyFigures) -> list[Flowable]:
    language = ctx.edition.language
    caption = ctx.labels["figures"]
    tiles = [
        Tile(
            number=format_quantity(t.value, t.unit, language) if t.value is not None else "…",
            label=markup.plain(keep_together(t.label, ctx.theme.hyphenation.keep_whole)),
            qualifier=markup.plain(t.qualifier),
            change=markup.plain(t.change),
        )
        if not t.placeholder
        else Tile(  # no number, no change: the fact is still to fill in
            number="…", label=markup.plain(t.label), placeholder=ctx.labels["unfilled"]
        )
        for t in block.tiles
    ]
    row = KeyFigureRow(
        ctx.parent.add("Table"),
        tiles,
        ctx.styles.tile_number,
        ctx.styles.tile_label,
        colour(ctx.theme.colours.tile),
        colour(ctx.theme.colours.primary_dark),
    )
    after = ctx.styles.body.leading * 0.8
    if ctx.section_title.casefold() == caption.casefold():
        return [Float([row], 4, after)]  # may wait for the next page while the text goes on
    label = Paragraph(markup.plain(caption.upper()), ctx.styles.eyebrow)  # decoration
    return [Float([label, row], 4, after)]


def _ranking(ctx: _Context, block: model.Ranking) -> list[Flowable]:
    s, c = ctx.styles, ctx.theme.colours
    rows = []
    with ctx.group("L"):
        title = ctx.leaf(Paragraph(markup.plain(block.title), s.ranking_title), "Caption")
        for item in block.items:
            # a spaced en dash between work and maker, as in a bibliography
            text = f"<b>{markup.plain(item.title)}</b> <font color='{c.muted}'>\u2013 {markup.plain(item.creator)}</font>"
            if item.note is not None:
                text += f"<br/><font size='{s.small.fontSize}'>{ctx.rich(item.note)}</font>"
            with ctx.group("LI"):
                badge = ctx.leaf(RankBadge(item.rank, 15, colour(c.primary), colors.white), "Lbl")
                rows.append([badge, ctx.leaf(Paragraph(text, s.rank_title), "LBody")])
    table = Table([[title, ""], *rows], colWidths=[33, None], hAlign="LEFT")
    table.setStyle(
        _table_style(
            [
                ("SPAN", (0, 0), (1, 0)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (0, 0), (0, -1), 12),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 5),
                ("LINEBEFORE", (0, 0), (0, -1), 2, colour(c.primary)),
            ]
        )
    )
    return [
        Spacer(1, 2),
        KeepTogether([table]),
        Spacer(1, ctx.styles.body.leading * 0.7),
    ]


def _table(ctx: _Context, block: model.Table) -> list[Flowable]:
    s, c = ctx.styles, ctx.theme.colours
    head_styles = [aligned(s.table_head, a) for a in block.align]
    cell_styles = [aligned(s.table_cell, a) for a in block.align]
    with ctx.group("Table"):
        caption = _table_caption(ctx, block.caption)
        with ctx.group("TR"):
            header = [
                ctx.leaf(Paragraph(markup.plain(col), st), "TH", Scope="Column")
                for col, st in zip(block.columns, head_styles, strict=True)
            ]
        body = []
        notes = _CellNotes()
        for r, row in enumerate(block.rows, start=1):  # row 0 is the header
            with ctx.group("TR"):
                body.append(
                    [
                        ctx.leaf(Paragraph(notes.cell(ctx, cell, a, (c, r)), st), "TD")
                        for c, (cell, st, a) in enumerate(
                            zip(row, cell_styles, block.align, strict=True)
                        )
                    ]
                )
    hang = notes.hang(s.table_cell, len(block.columns))
    columns = zip(header, *body, strict=True)  # 12: a cell's left and right padding
    widths = column_widths(
        [max(c.minWidth() for c in col) + 12 + h for col, h in zip(columns, hang, strict=True)],
        ctx.frame_width,
    )
    table = Table([header, *body], repeatRows=1, hAlign="LEFT", colWidths=widths)
    commands: list[tuple[Any, ...]] = [
        ("LINEBELOW", (0, 0), (-1, 0), 1, colour(c.primary)),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colour(c.rule)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for stripe in range(2, len(block.rows) + 1, 2):
        commands.append(("BACKGROUND", (0, stripe), (-1, stripe), colour(c.tile)))
    commands += notes.paddings(s.table_cell, len(block.rows))
    table.setStyle(_table_style(commands))
    flow: list[Flowable] = [caption, table] if caption else [table]
    return [*flow, *notes.lines(ctx), Spacer(1, s.body.leading * 0.6)]


_CELL_PADDING = 6  # reportlab's own left and right padding of a cell


@dataclass
class _CellNotes:
    """A table's notes (content/cellnotes.py) as the PDF sets them: the asterisk hangs in
    the cell's right margin, so the last digit stays in line with the other rows."""

    notes: TableNotes = field(default_factory=TableNotes)
    placed: dict[tuple[int, int], str] = field(default_factory=dict)  # (column, row) → marker

    def cell(self, ctx: _Context, cell: model.RichText, align: str, place: tuple[int, int]) -> str:
        """The markup of a cell: a note after its number becomes a hanging marker."""
        noted = self.notes.split(cell, align)
        if noted is None:
            return ctx.rich(cell)
        self.placed[place] = noted.marker
        return ctx.rich(noted.number) + markup.plain(noted.marker)

    def _width(self, style: ParagraphStyle, marker: str) -> float:
        return float(stringWidth(marker, style.fontName, style.fontSize))

    def hang(self, style: ParagraphStyle, columns: int) -> list[float]:
        """Per column, the width of its widest marker: the room it hangs in."""
        widest = [0.0] * columns
        for (column, _row), marker in self.placed.items():
            widest[column] = max(widest[column], self._width(style, marker))
        return widest

    def paddings(self, style: ParagraphStyle, rows: int) -> list[tuple[Any, ...]]:
        """Wider right padding where no (or a shorter) marker hangs, header included."""
        commands: list[tuple[Any, ...]] = []
        columns = 1 + max((column for column, _ in self.placed), default=-1)
        for column, widest in enumerate(self.hang(style, columns)):
            if not widest:
                continue
            for row in range(rows + 1):
                own = self.placed.get((column, row))
                extra = widest - (self._width(style, own) if own else 0.0)
                if extra:
                    commands.append(
                        ("RIGHTPADDING", (column, row), (column, row), _CELL_PADDING + extra)
                    )
        return commands

    def lines(self, ctx: _Context) -> list[Flowable]:
        """The notes under the table, one line per marker: "* afgeleid"."""
        return [
            ctx.leaf(Paragraph(f"{markup.plain(marker)} {ctx.rich(note)}", ctx.styles.small), "P")
            for marker, note in self.notes.lines()
        ]


def _table_caption(ctx: _Context, caption: str) -> Flowable | None:
    if not caption:
        return None
    ctx.table_count += 1
    label = f"<b>{markup.plain(ctx.labels['table'])} {ctx.table_count}</b>"
    style = ParagraphStyle("table_caption", ctx.styles.caption, keepWithNext=1)
    return ctx.leaf(Paragraph(f"{label}: {markup.plain(caption)}", style), "Caption")


def _table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A table style whose cells use the report's font (reportlab defaults to Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), BODY_FONT), *commands])


def _image(ctx: _Context, block: model.Image) -> list[Flowable]:
    width = ctx.frame_width * block.width
    with ctx.group("Div"):
        image = ctx.leaf(_placed(ctx, block.path, width, "CENTER"), "Figure", alt=block.alt)
        caption = _caption(ctx, block.caption)
    return [Float([image, *caption])]  # may wait for the next page while the text goes on


def _placed(ctx: _Context, written: Path, width: float, align: str) -> PlacedImage:
    """One use of an image, `width` points wide; its height follows from the upright image."""
    info = image_size(resolve_image(ctx.root, written), written)
    height = width * info.height / info.width
    return PlacedImage(ctx.images.use(info.path, str(written), width, height), width, height, align)


def _caption(ctx: _Context, caption: model.RichText | None, extra: str = "") -> list[Flowable]:
    ctx.figure_count += 1
    label = f"<b>{markup.plain(ctx.labels['figure'])} {ctx.figure_count}</b>"
    parts = [ctx.rich(caption)] if caption is not None else []
    if extra:
        parts.append(extra)
    text = f"{label}: {' '.join(parts)}" if parts else label
    return [ctx.leaf(Paragraph(text, ctx.styles.caption), "Caption")]


def _chart(ctx: _Context, block: model.Chart) -> list[Flowable]:
    art = ctx.charts.art[block.location]
    notes = " ".join(
        markup.plain(text) for text in (block.note, _source(ctx, block.source)) if text
    )
    with ctx.group("Div"):
        title = ctx.leaf(Paragraph(markup.plain(block.title), ctx.styles.chart_title), "P")
        drawing = ctx.leaf(chart_flowable(art.art, ctx.frame_width), "Figure", alt=art.alt)
        caption = _caption(ctx, block.caption, notes)
    return [Float([title, drawing, *caption], 4)]  # may wait for the next page, text goes on


def _source(ctx: _Context, source: str) -> str:
    return f"{ctx.labels['source']}: {source}." if source else ""


def _callout(ctx: _Context, block: model.Callout) -> list[Flowable]:
    s, c = ctx.styles, ctx.theme.colours
    parts: list[Flowable] = []
    with ctx.group("Div"):
        if block.title:
            parts.append(ctx.leaf(Paragraph(markup.plain(block.title), s.heading3), "H3"))
        parts.append(ctx.leaf(Paragraph(ctx.rich(block.text), s.boxed), "P"))
    return [_boxed(parts, colour(c.callout), colour(c.accent)), Spacer(1, s.body.leading * 0.6)]


def _boxed(parts: list[Flowable], fill: colors.Color, rule: colors.Color) -> Flowable:
    box = Table([[parts]], hAlign="LEFT")
    box.setStyle(
        _table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("LINEBEFORE", (0, 0), (0, -1), 3, rule),
                ("LEFTPADDING", (0, 0), (-1, -1), 12),
                ("RIGHTPADDING", (0, 0), (-1, -1), 12),
                ("TOPPADDING", (0, 0), (-1, -1), _BOX_PADDING[0]),
                ("BOTTOMPADDING", (0, 0), (-1, -1), _BOX_PADDING[1]),
            ]
        )
    )
    box.boxed = _BOX_PADDING  # a tightened chapter slims it (layout/floats.py)
    return box


_BOX_PADDING = (8, 9)  # a callout's or quote's space above and below its text


def _quote(ctx: _Context, block: model.Quote) -> list[Flowable]:
    s, c = ctx.styles, ctx.theme.colours
    with ctx.group("BlockQuote"):
        parts: list[Flowable] = [ctx.leaf(Paragraph(f"“{ctx.rich(block.text)}”", s.quote), "P")]
        if block.source:
            parts.append(ctx.leaf(Paragraph(f"— {markup.plain(block.source)}", s.small), "P"))
    return [_boxed(parts, colors.white, colour(c.primary)), Spacer(1, s.body.leading * 0.6)]
