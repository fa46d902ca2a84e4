"""Stage 4, layout: the content model and the theme become a list of flowables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Image as ImageFlowable
from reportlab.platypus.tableofcontents import TableOfContents

from .. import model
from ..assets import icon_path, inspect_image, resolve_image
from ..charts import ChartSet
from ..check import project_root
from ..formatting import format_quantity
from ..labels import labels
from ..paths import CACHE_DIR
from ..theme import Theme
from . import markup
from .chartflow import chart_drawing
from .document import BODY, ReportDocument, frame_width
from .flowables import Heading, IconHeading, KeyFigureRow, PageCounter, RankBadge, Tile, with_role
from .styles import BODY_FONT, Styles, aligned, colour, make_styles


@dataclass
class _Context:
    edition: model.Edition
    theme: Theme
    styles: Styles
    root: Path
    labels: dict[str, str]
    charts: ChartSet = field(default_factory=ChartSet)
    figure_count: int = 0
    table_count: int = 0
    section_title: str = ""
    keys: dict[str, int] = field(default_factory=dict)

    @property
    def link_colour(self) -> str:
        return self.theme.colours.primary

    def rich(self, text: model.RichText) -> str:
        return markup.rich(text, self.link_colour)

    @property
    def frame_width(self) -> float:
        return frame_width(self.theme)

    def key(self, prefix: str) -> str:
        self.keys[prefix] = self.keys.get(prefix, 0) + 1
        return f"{prefix}-{self.keys[prefix]}"


def build_story(
    doc: ReportDocument, edition: model.Edition, theme: Theme, charts: ChartSet
) -> list[Flowable]:
    store = project_root(edition) / CACHE_DIR / f"hyphenation-{edition.language}.json"
    ctx = _Context(
        edition,
        theme,
        make_styles(theme, edition.language, store),
        project_root(edition),
        labels(edition.language),
        charts,
    )
    story: list[Flowable] = [PageCounter(doc)]
    story += _cover(ctx)
    story += [NextPageTemplate(BODY), PageBreak()]
    story += _contents(ctx)
    for number, chapter in enumerate(edition.chapters, 1):
        story += [PageBreak()]
        story += _chapter(ctx, number, chapter)
    return story


def _cover(ctx: _Context) -> list[Flowable]:
    s, e = ctx.styles, ctx.edition
    flow: list[Flowable] = [Spacer(1, 30 * mm)]
    flow.append(with_role(Paragraph(markup.plain(str(e.year)), s.cover_year), "P"))
    flow.append(Spacer(1, 8 * mm))
    flow.append(with_role(Paragraph(markup.plain(e.title), s.cover_title), "Title"))
    if e.subtitle:
        flow += [
            Spacer(1, 6 * mm),
            with_role(Paragraph(markup.plain(e.subtitle), s.cover_text), "P"),
        ]
    if e.logo is not None:
        info = inspect_image(resolve_image(ctx.root, e.logo))
        width = 45 * mm
        flow += [
            Spacer(1, 20 * mm),
            with_role(
                ImageFlowable(
                    str(info.path), width, width * info.height / info.width, hAlign="LEFT"
                ),
                "Figure",
                alt=e.organisation,
            ),
        ]
    icons = [(icon_path(ctx.root, c.icon), c.icon) for c in e.chapters if c.icon]
    if icons:
        flow += [Spacer(1, 22 * mm), _icon_row(icons)]
    return flow


def _icon_row(icons: list[tuple[Path, str]]) -> Flowable:
    from .flowables import draw_icon

    class IconRow(Flowable):  # type: ignore[misc]
        def wrap(self, w: float, h: float) -> tuple[float, float]:
            return w, 16 * mm

        def draw(self) -> None:
            for index, (path, text) in enumerate(icons):
                draw_icon(self.canv, path, index * 22 * mm, 0, 14 * mm, text)

    return with_role(IconRow(), "Artifact")


def _contents(ctx: _Context) -> list[Flowable]:
    s = ctx.styles
    flow: list[Flowable] = []
    if ctx.edition.introduction is not None:
        flow.append(with_role(Paragraph(markup.plain(ctx.labels["introduction"]), s.eyebrow), "P"))
        flow.append(with_role(Paragraph(ctx.rich(ctx.edition.introduction), s.lead), "P"))
        flow.append(Spacer(1, 10 * mm))
    flow.append(with_role(Paragraph(markup.plain(ctx.labels["contents"]), s.heading2), "H1"))
    toc_style = _table_style(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    toc = TableOfContents(
        levelStyles=list(s.toc), dotsMinLevel=0, rightColumnWidth=40, tableStyle=toc_style
    )
    flow.append(with_role(toc, "TOC"))
    return flow


def _chapter(ctx: _Context, number: int, chapter: model.Chapter) -> list[Flowable]:
    s = ctx.styles
    eyebrow = f"{ctx.labels['chapter']} {number}".upper()
    key = ctx.key("hoofdstuk")
    heading = Heading(
        markup.plain(chapter.title),
        s.heading1,
        level=1,
        key=key,
        title=chapter.title,
        chapter=chapter.title,
    )
    icon = icon_path(ctx.root, chapter.icon) if chapter.icon else None
    flow: list[Flowable] = [
        with_role(Paragraph(markup.plain(eyebrow), s.eyebrow), "Artifact"),
        IconHeading(heading, icon, chapter.icon, s.heading1.fontSize * 1.25),
    ]
    if chapter.subtitle:
        flow.append(with_role(Paragraph(markup.plain(chapter.subtitle), s.subtitle), "P"))
    if chapter.intro is not None:
        flow.append(with_role(Paragraph(ctx.rich(chapter.intro), s.lead), "P"))
        flow.append(Spacer(1, 4))
    for flowable in flow:
        flowable.source_location = chapter.location  # where a layout failure is reported
    for section in chapter.sections:
        flow += _section(ctx, section)
    return flow


def _section(ctx: _Context, section: model.Section) -> list[Flowable]:
    heading = Heading(
        markup.plain(section.title),
        ctx.styles.heading2,
        level=2,
        key=ctx.key("sectie"),
        title=section.title,
    )
    ctx.section_title = section.title
    heading.source_location = section.location  # where a layout failure is reported
    flow: list[Flowable] = [CondPageBreak(45 * mm), heading]
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
    return [with_role(Paragraph(ctx.rich(block.text), ctx.styles.body), "P")]


def _bullets(ctx: _Context, block: model.Bullets) -> list[Flowable]:
    flowable = _bullet_list(ctx, block.items, depth=0)
    return [flowable, Spacer(1, ctx.styles.body.spaceAfter)]


def _bullet_list(ctx: _Context, items: tuple[model.BulletItem, ...], depth: int) -> Flowable:
    s, c = ctx.styles, ctx.theme.colours
    entries = []
    for item in items:
        text = ctx.rich(item.text)
        if item.term is not None:
            text = f"<b>{ctx.rich(item.term)}</b>: {text}"
        parts: list[Flowable] = [with_role(Paragraph(text, s.bullet), "LBody")]
        if item.children:
            parts.append(_bullet_list(ctx, item.children, depth + 1))
        entries.append(ListItem(parts if len(parts) > 1 else parts[0]))
    symbol = ("•", "–", "·")[min(depth, 2)]
    return with_role(
        ListFlowable(
            entries,
            bulletType="bullet",
            start=symbol,
            leftIndent=14,
            bulletFontName=s.body.fontName,
            bulletFontSize=s.body.fontSize,
            bulletColor=colour(c.primary),
            bulletOffsetY=0,
            spaceBefore=0,
        ),
        "L",
    )


def _figures(ctx: _Context, block: model.KeyFigures) -> list[Flowable]:
    language = ctx.edition.language
    caption = ctx.labels["figures"]
    tiles = [
        Tile(
            number=format_quantity(t.value, t.unit, language) if t.value is not None else "…",
            label=markup.plain(t.label),
            qualifier=markup.plain(t.qualifier),
            change=markup.plain(t.change),
        )
        for t in block.tiles
    ]
    row = KeyFigureRow(
        tiles,
        ctx.styles.tile_number,
        ctx.styles.tile_label,
        colour(ctx.theme.colours.tile),
        colour(ctx.theme.colours.primary_dark),
    )
    if ctx.section_title.casefold() == caption.casefold():
        return [Spacer(1, 4), row, Spacer(1, ctx.styles.body.leading * 0.8)]
    label = with_role(Paragraph(markup.plain(caption.upper()), ctx.styles.eyebrow), "Artifact")
    return [Spacer(1, 4), KeepTogether([label, row]), Spacer(1, ctx.styles.body.leading * 0.8)]


def _ranking(ctx: _Context, block: model.Ranking) -> list[Flowable]:
    s, c = ctx.styles, ctx.theme.colours
    rows = []
    for item in block.items:
        text = f"<b>{markup.plain(item.title)}</b> <font color='{c.muted}'>— {markup.plain(item.creator)}</font>"
        if item.note is not None:
            text += f"<br/><font size='{s.small.fontSize}'>{ctx.rich(item.note)}</font>"
        badge = RankBadge(item.rank, 15, colour(c.primary), colors.white)
        rows.append([badge, with_role(Paragraph(text, s.rank_title), "LBody")])
    title = with_role(Paragraph(markup.plain(block.title), s.ranking_title), "Caption")
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
        KeepTogether([with_role(table, "L")]),
        Spacer(1, ctx.styles.body.leading * 0.7),
    ]


def _table(ctx: _Context, block: model.Table) -> list[Flowable]:
    s, c = ctx.styles, ctx.theme.colours
    head_styles = [aligned(s.table_head, a) for a in block.align]
    cell_styles = [aligned(s.table_cell, a) for a in block.align]
    header = [
        with_role(Paragraph(markup.plain(col), st), "TH")
        for col, st in zip(block.columns, head_styles, strict=True)
    ]
    body = [
        [
            with_role(Paragraph(ctx.rich(cell), st), "TD")
            for cell, st in zip(row, cell_styles, strict=True)
        ]
        for row in block.rows
    ]
    table = with_role(Table([header, *body], repeatRows=1, hAlign="LEFT", colWidths=None), "Table")
    commands: list[tuple[Any, ...]] = [
        ("LINEBELOW", (0, 0), (-1, 0), 1, colour(c.primary)),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, colour(c.rule)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for row in range(2, len(block.rows) + 1, 2):
        commands.append(("BACKGROUND", (0, row), (-1, row), colour(c.tile)))
    table.setStyle(_table_style(commands))
    flow: list[Flowable] = [table]
    if block.caption:
        ctx.table_count += 1
        label = f"<b>{markup.plain(ctx.labels['table'])} {ctx.table_count}</b>"
        flow.insert(
            0, with_role(Paragraph(f"{label}: {markup.plain(block.caption)}", s.caption), "Caption")
        )
    return [*flow, Spacer(1, s.body.leading * 0.6)]


def _table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """A table style whose cells use the report's font (reportlab defaults to Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), BODY_FONT), *commands])


def _image(ctx: _Context, block: model.Image) -> list[Flowable]:
    info = inspect_image(resolve_image(ctx.root, block.path))
    width = ctx.frame_width * block.width
    height = width * info.height / info.width
    image = with_role(
        ImageFlowable(str(info.path), width, height, hAlign="CENTER"), "Figure", alt=block.alt
    )
    return [KeepTogether([image, *_caption(ctx, block.caption)])]


def _caption(ctx: _Context, caption: model.RichText | None, extra: str = "") -> list[Flowable]:
    ctx.figure_count += 1
    label = f"<b>{markup.plain(ctx.labels['figure'])} {ctx.figure_count}</b>"
    parts = [ctx.rich(caption)] if caption is not None else []
    if extra:
        parts.append(extra)
    text = f"{label}: {' '.join(parts)}" if parts else label
    return [with_role(Paragraph(text, ctx.styles.caption), "Caption")]


def _chart(ctx: _Context, block: model.Chart) -> list[Flowable]:
    art = ctx.charts.art[block.location]
    title = with_role(Paragraph(markup.plain(block.title), ctx.styles.chart_title), "Caption")
    drawing = chart_drawing(art.svg, ctx.frame_width, art.alt)
    notes = " ".join(
        markup.plain(text) for text in (block.note, _source(ctx, block.source)) if text
    )
    return [Spacer(1, 4), KeepTogether([title, drawing, *_caption(ctx, block.caption, notes)])]


def _source(ctx: _Context, source: str) -> str:
    return f"{ctx.labels['source']}: {source}." if source else ""


def _callout(ctx: _Context, block: model.Callout) -> list[Flowable]:
    s, c = ctx.styles, ctx.theme.colours
    parts: list[Flowable] = []
    if block.title:
        parts.append(with_role(Paragraph(markup.plain(block.title), s.heading3), "H3"))
    parts.append(with_role(Paragraph(ctx.rich(block.text), s.boxed), "P"))
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
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
            ]
        )
    )
    return with_role(box, "Div")


def _quote(ctx: _Context, block: model.Quote) -> list[Flowable]:
    s, c = ctx.styles, ctx.theme.colours
    parts: list[Flowable] = [
        with_role(Paragraph(f"“{ctx.rich(block.text)}”", s.quote), "BlockQuote")
    ]
    if block.source:
        parts.append(with_role(Paragraph(f"— {markup.plain(block.source)}", s.small), "P"))
    return [_boxed(parts, colors.white, colour(c.primary)), Spacer(1, s.body.leading * 0.6)]
