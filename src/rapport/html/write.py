"""The web edition: the checked model and the charts' art become one self-contained HTML page.

The page holds everything it shows (stylesheet, font subsets, images as data:
URIs, charts as inline SVG) and asks for nothing else: its Content-Security-
Policy forbids scripts and every request to another address. The order is the
PDF's: cover, introduction, contents, correction, chapters with their sections.
Every text from the content is escaped here, once; the words rapport adds come
from `labels.py`, numbers and dates from `content/formatting.py`, as in the PDF.
The same input gives the same bytes: nothing depends on the time or on a set's order.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rapport.assets import icon_path, resolve_image, web_image
from rapport.cache import Cache
from rapport.charts import ChartArt, ChartSet
from rapport.content import model
from rapport.content.cellnotes import NotedCell, TableNotes
from rapport.content.formatting import format_date, format_quantity
from rapport.correction import Correction
from rapport.html import style
from rapport.html.fonts import woff2_subset
from rapport.html.svg import chart_data_table, chart_svg
from rapport.labels import labels
from rapport.paths import project_root
from rapport.theme import Theme

COLUMN_PIXELS = 736  # the column's 46rem, in CSS pixels
IMAGE_PIXELS = 2 * COLUMN_PIXELS  # sharp on a high-density screen
ICON_PIXELS = 96
LINK_SCHEMES = ("http", "https", "mailto")
_TAGS = re.compile(r"<[^>]*>")


def escape(text: str) -> str:
    """Text as HTML that shows it literally, fit for an attribute value too."""
    return html.escape(text, quote=True)


def html_language(language: str) -> str:
    """The page's `lang`: nl-BE for a Dutch edition (rapport writes Flemish), else as given."""
    return "nl-BE" if language.split("-")[0] == "nl" else language


def slug(title: str) -> str:
    """An anchor from a title: 'Digitale collecties & e-boeken' → 'digitale-collecties-e-boeken'."""
    folded = unicodedata.normalize("NFKD", title)
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-") or "deel"


@dataclass
class _Anchors:
    """Unique ids, given in document order: the same content gives the same ids."""

    taken: set[str] = field(default_factory=set)

    def new(self, title: str) -> str:
        base = slug(title)
        anchor, number = base, 1
        while anchor in self.taken:
            number += 1
            anchor = f"{base}-{number}"
        self.taken.add(anchor)
        return anchor


@dataclass
class _Page:
    edition: model.Edition
    theme: Theme
    charts: ChartSet
    root: Path
    words: dict[str, str]
    anchors: _Anchors = field(default_factory=_Anchors)
    display_text: list[str] = field(default_factory=list)  # set in the display face
    figure_count: int = 0
    table_count: int = 0
    section_title: str = ""
    region_names: set[str] = field(default_factory=set)  # the names of the page's regions

    def region_name(self, name: str) -> str:
        """`name` for a region landmark, numbered when another region has it already:
        a screen reader lists the regions by name, and two alike are two the same."""
        unique, number = name, 1
        while unique in self.region_names:
            number += 1
            unique = f"{name} ({number})"
        self.region_names.add(unique)
        return unique

    @property
    def language(self) -> str:
        return self.edition.language


@dataclass(frozen=True)
class HtmlPage:
    data: bytes
    characters: int  # distinct characters the fonts were cut down to


def render_page(
    edition: model.Edition,
    theme: Theme,
    charts: ChartSet,
    *,
    draft: bool = False,
    correction: Correction | None = None,
) -> HtmlPage:
    """The whole page as UTF-8 bytes."""
    root = project_root(edition)
    page = _Page(edition, theme, charts, root, labels(edition.language))
    headings = _Headings.of(edition, page.anchors, page.words)
    page.region_names.update(chapter.title for chapter in edition.chapters)
    if edition.introduction is not None:
        page.region_names.add(page.words["introduction"])
    body = "".join(
        [
            _cover(page, draft),
            '<main class="page">',
            _introduction(page, headings),
            _contents(page, headings),
            _correction(page, correction),
            *(_chapter(page, headings, n, c) for n, c in enumerate(edition.chapters, 1)),
            "</main>",
            _footer(page),
        ]
    )
    text = html.unescape(_TAGS.sub("", body))
    sheet = style.stylesheet(theme, _font_faces(page, text))
    digest = base64.b64encode(hashlib.sha256(sheet.encode()).digest()).decode("ascii")
    head = (
        '<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';'
        " style-src 'sha256-{digest}'; img-src data:; font-src data:;"
        " base-uri 'none'; form-action 'none'\">"
        "<title>{title}</title>"
        '<meta name="author" content="{organisation}">'
        '<meta name="description" content="{description}">'
        "<style>{sheet}</style></head>"
    ).format(
        lang=html_language(edition.language),
        digest=digest,
        title=escape(f"{edition.title} {edition.year}"),
        organisation=escape(edition.organisation),
        description=escape(edition.subtitle or edition.title),
        sheet=sheet,
    )
    document = f"{head}<body>{body}</body></html>\n"
    return HtmlPage(document.encode("utf-8"), len(set(text)))


def _font_faces(page: _Page, text: str) -> list[str]:
    """An @font-face per face, each cut down to the characters it may have to draw."""
    cache = Cache.of_project(page.root)
    display = "".join(page.display_text) + "0123456789"
    faces = []
    for face in style.FACES:
        characters = display if face == "display" else text
        data = woff2_subset(page.theme.font_path(face), characters, cache)
        uri = "data:font/woff2;base64," + base64.b64encode(data).decode("ascii")
        faces.append(style.font_face(face, uri))
    return faces


@dataclass(frozen=True)
class _Headings:
    """The anchors of the introduction, the contents and each chapter and section."""

    introduction: str
    contents: str
    chapters: tuple[tuple[str, tuple[str, ...]], ...]  # (chapter, its sections)

    @classmethod
    def of(cls, edition: model.Edition, anchors: _Anchors, words: dict[str, str]) -> _Headings:
        introduction = anchors.new(words["introduction"])
        contents = anchors.new(words["contents"])
        chapters = tuple(
            (anchors.new(c.title), tuple(anchors.new(s.title) for s in c.sections))
            for c in edition.chapters
        )
        return cls(introduction, contents, chapters)


def _cover(page: _Page, draft: bool) -> str:
    e = page.edition
    page.display_text += [str(e.year), e.title]
    parts = [f'<p class="year">{e.year}</p>', f"<h1>{escape(e.title)}</h1>"]
    if e.subtitle:
        parts.append(f'<p class="subtitle-cover">{escape(e.subtitle)}</p>')
    parts.append(f'<p class="organisation">{escape(e.organisation)}</p>')
    parts.append(f"<p>{escape(_published(page))}</p>")
    if draft:
        parts.append(f'<p class="draft">{escape(page.words["draft"])}</p>')
    if e.logo is not None:
        logo = _prepared(page, resolve_image(page.root, e.logo), e.logo, IMAGE_PIXELS // 4)
        parts.append(
            f'<p class="logo"><img src="{logo.uri}" alt="{escape(e.organisation)}"'
            f' width="{logo.width // 2}" height="{logo.height // 2}"></p>'
        )
    return f'<header class="cover"><div>{"".join(parts)}</div></header>'


def _published(page: _Page) -> str:
    e = page.edition
    if e.published is None:  # a draft of a new edition: no invented date
        return page.words["unpublished"]
    return page.words["published"].format(date=format_date(e.published, e.language))


def _introduction(page: _Page, headings: _Headings) -> str:
    if page.edition.introduction is None:
        return ""
    anchor = headings.introduction
    return (
        f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">'
        f"{escape(page.words['introduction'])}</h2>"
        f'<p class="lead">{_rich(page.edition.introduction)}</p></section>'
    )


def _contents(page: _Page, headings: _Headings) -> str:
    anchor = headings.contents
    entries = []
    for chapter, (chapter_id, section_ids) in zip(
        page.edition.chapters, headings.chapters, strict=True
    ):
        sections = "".join(
            f'<li><a href="#{section_id}">{escape(section.title)}</a></li>'
            for section, section_id in zip(chapter.sections, section_ids, strict=True)
        )
        nested = f"<ol>{sections}</ol>" if sections else ""
        entries.append(f'<li><a href="#{chapter_id}">{escape(chapter.title)}</a>{nested}</li>')
    return (
        f'<nav aria-labelledby="{anchor}"><h2 id="{anchor}">{escape(page.words["contents"])}</h2>'
        f"<ol>{''.join(entries)}</ol></nav>"
    )


def _correction(page: _Page, correction: Correction | None) -> str:
    if correction is None:
        return ""
    return f'<p class="correction">{escape(correction.line(page.language))}</p>'


def _chapter(page: _Page, headings: _Headings, number: int, chapter: model.Chapter) -> str:
    chapter_id, section_ids = headings.chapters[number - 1]
    page.display_text.append(chapter.title)
    eyebrow = f"{page.words['chapter']} {number}"
    parts = [
        f'<section class="chapter" aria-labelledby="{chapter_id}">',
        f'<p class="eyebrow">{escape(eyebrow)}</p>',
        f'<h2 id="{chapter_id}">{_icon(page, chapter.icon)}{escape(chapter.title)}</h2>',
    ]
    if chapter.subtitle:
        parts.append(f'<p class="subtitle">{escape(chapter.subtitle)}</p>')
    if chapter.intro is not None:
        parts.append(f'<p class="lead">{_rich(chapter.intro)}</p>')
    for section, section_id in zip(chapter.sections, section_ids, strict=True):
        parts.append(_section(page, section, section_id, _region_of(page, chapter, section)))
    parts.append("</section>")
    return "".join(parts)


def _icon(page: _Page, icon: str) -> str:
    """The chapter's icon, decoration beside its title (alt="": the title says it all)."""
    if not icon:
        return ""
    path = icon_path(page.root, icon)
    return f'<img class="chapter-icon" src="{_prepared(page, path, icon, ICON_PIXELS).uri}" alt="">'


def _region_of(page: _Page, chapter: model.Chapter, section: model.Section) -> str | None:
    """The section's region name when its title alone does not tell it from another
    section's ("Cijfers" in two chapters: "Cijfers (E-boeken)"), else None."""
    titles = [s.title for c in page.edition.chapters for s in c.sections]
    if titles.count(section.title) == 1 and section.title not in page.region_names:
        page.region_names.add(section.title)
        return None
    return page.region_name(f"{section.title} ({chapter.title})")


def _section(page: _Page, section: model.Section, anchor: str, region: str | None) -> str:
    page.section_title = section.title
    blocks = "".join(_block(page, block) for block in section.blocks)
    name = f'aria-label="{escape(region)}"' if region else f'aria-labelledby="{anchor}"'
    return f'<section {name}><h3 id="{anchor}">{escape(section.title)}</h3>{blocks}</section>'


def _block(page: _Page, block: model.Block) -> str:
    writers: dict[type, Callable[[_Page, Any], str]] = {
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
    return writers[type(block)](page, block)


def _rich(text: model.RichText) -> str:
    return "".join(_span(span) for span in text.spans)


def _span(span: model.Span) -> str:
    markup = escape(span.text)
    if span.placeholder:
        markup = f'<mark class="placeholder">{markup}</mark>'
    if span.emphasis:
        markup = f"<em>{markup}</em>"
    if span.strong:
        markup = f"<strong>{markup}</strong>"
    if span.href and is_safe_link(span.href):
        markup = f'<a href="{escape(span.href)}" rel="noopener">{markup}</a>'
    return markup


def is_safe_link(href: str) -> bool:
    """Only web and mail addresses become links; anything else stays plain text."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in LINK_SCHEMES and not any(ord(ch) < 32 for ch in href)


def _paragraph(page: _Page, block: model.Paragraph) -> str:
    return f"<p>{_rich(block.text)}</p>"


def _bullets(page: _Page, block: model.Bullets) -> str:
    return _bullet_list(block.items)


def _bullet_list(items: tuple[model.BulletItem, ...]) -> str:
    entries = []
    for item in items:
        text = _rich(item.text)
        if item.term is not None:
            text = f"<strong>{_rich(item.term)}</strong>: {text}"
        nested = _bullet_list(item.children) if item.children else ""
        entries.append(f"<li>{text}{nested}</li>")
    return f"<ul>{''.join(entries)}</ul>"


def _figures(page: _Page, block: model.KeyFigures) -> str:
    """Tiles as a list: each number and its label in one paragraph, read together."""
    caption = page.words["figures"]
    tiles = "".join(_tile(page, tile) for tile in block.tiles)
    return f'<ul class="figures" aria-label="{escape(caption)}">{tiles}</ul>'


def _tile(page: _Page, tile: model.KeyFigure) -> str:
    if tile.placeholder:  # no number, no change: the fact is still to fill in
        return (
            f'<li class="tile"><p><span class="number">…</span> {escape(tile.label)}</p>'
            f'<p class="change"><mark class="placeholder">{escape(page.words["unfilled"])}'
            "</mark></p></li>"
        )
    assert tile.value is not None
    number = format_quantity(tile.value, tile.unit, page.language)
    page.display_text.append(number)
    qualifier = (
        f'<span class="qualifier">{escape(tile.qualifier)}</span> ' if tile.qualifier else ""
    )
    change = f'<p class="change">{escape(tile.change)}</p>' if tile.change else ""
    return (
        f'<li class="tile"><p>{qualifier}<span class="number">{escape(number)}</span> '
        f'<span class="label">{escape(tile.label)}</span></p>{change}</li>'
    )


def _ranking(page: _Page, block: model.Ranking) -> str:
    items = []
    for item in block.items:
        # a spaced en dash between work and maker, as in the PDF
        text = (
            f"<strong>{escape(item.title)}</strong>"
            f' <span class="creator">\u2013 {escape(item.creator)}</span>'
        )
        if item.note is not None:
            text += f' <span class="note">{_rich(item.note)}</span>'
        items.append(f'<li value="{item.rank}">{text}</li>')
    return (
        f'<figure class="ranking"><figcaption>{escape(block.title)}</figcaption>'
        f"<ol>{''.join(items)}</ol></figure>"
    )


def _table(page: _Page, block: model.Table) -> str:
    if block.caption:
        page.table_count += 1
        label = f"{page.words['table']} {page.table_count}"
        caption = f"<strong>{escape(label)}</strong>: {escape(block.caption)}"
        region = escape(page.region_name(f"{label}: {block.caption}"))
    else:
        caption = ""
        region = escape(page.region_name(f"{page.words['table']}: {page.section_title}"))
    classes = [f' class="{a}"' if a != "left" else "" for a in block.align]
    head = "".join(
        f'<th scope="col"{cls}>{escape(column)}</th>'
        for column, cls in zip(block.columns, classes, strict=True)
    )
    notes = TableNotes()
    # where the table stands in the content: unique on the page, the same at every build
    note_id = f"noot-{slug(block.location.path.stem)}-{block.location.line}"
    rows = "".join(
        "<tr>"
        + "".join(
            _cell(cell, cls, index == 0 and len(row) > 1, notes.split(cell, align), note_id)
            for index, (cell, cls, align) in enumerate(zip(row, classes, block.align, strict=True))
        )
        + "</tr>"
        for row in block.rows
    )
    caption_element = f"<caption>{caption}</caption>" if caption else ""
    # a note such as "(afgeleid)" goes under the table, as in the PDF, so digits stay aligned
    lines = "".join(
        f'<p class="table-note" id="{note_id}-{len(marker)}">{escape(marker)} {_rich(note)}</p>'
        for marker, note in notes.lines()
    )
    return (
        f'<section class="table-wrap" tabindex="0" aria-label="{region}">'
        f"<table>{caption_element}<thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table></section>{lines}"
    )


def _cell(
    cell: model.RichText, cls: str, header: bool, noted: NotedCell | None, note_id: str
) -> str:
    if header:
        return f'<th scope="row"{cls}>{_rich(cell)}</th>'
    if noted is None:
        return f"<td{cls}>{_rich(cell)}</td>"
    mark = f'<span class="note-mark">{escape(noted.marker)}</span>'
    described = f' aria-describedby="{note_id}-{len(noted.marker)}"'
    return f"<td{cls}{described}>{_rich(noted.number)}{mark}</td>"


def _figure_caption(page: _Page, caption: model.RichText | None, extra: str = "") -> str:
    page.figure_count += 1
    label = f"<strong>{escape(page.words['figure'])} {page.figure_count}</strong>"
    parts = [_rich(caption)] if caption is not None else []
    if extra:
        parts.append(escape(extra))
    text = f"{label}: {' '.join(parts)}" if parts else label
    return f"<figcaption>{text}</figcaption>"


def _image(page: _Page, block: model.Image) -> str:
    path = resolve_image(page.root, block.path)
    image = _prepared(page, path, block.path, round(IMAGE_PIXELS * block.width))
    # shown at the share of the column the PDF gives it; CSS shrinks it on a narrow screen
    width = round(COLUMN_PIXELS * block.width)
    height = round(width * image.height / image.width)
    caption = _figure_caption(page, block.caption)
    return (
        f'<figure class="image"><img src="{image.uri}" alt="{escape(block.alt)}"'
        f' width="{width}" height="{height}">{caption}</figure>'
    )


@dataclass(frozen=True)
class _Embedded:
    uri: str
    width: int
    height: int


def _prepared(page: _Page, path: Path, written: str | Path, pixels: int) -> _Embedded:
    """An image as a data: URI, upright, sRGB, no larger than `pixels` on either side
    (from the cache when this file was embedded at this size before)."""
    image = web_image(path, pixels, name=written, cache=Cache.of_project(page.root))
    uri = f"data:image/{image.kind};base64," + base64.b64encode(image.data).decode("ascii")
    return _Embedded(uri, image.width, image.height)


def _chart(page: _Page, block: model.Chart) -> str:
    art = page.charts.art[block.location]
    source = f"{page.words['source']}: {block.source}." if block.source else ""
    notes = " ".join(text for text in (block.note, source) if text)
    drawing = _drawings(art)
    data = "" if art.placeholder else chart_data_table(block, page.language)
    caption = _figure_caption(page, block.caption, notes)
    # the numbers follow the figure: a figure holds its caption first or last, nothing after it
    return (
        f'<figure class="chart"><p class="chart-title">{escape(block.title)}</p>'
        f"{drawing}{caption}</figure>{data}"
    )


def _drawings(art: ChartArt) -> str:
    """The chart for a wide screen and, when drawn, for a phone: one of the two is shown.

    The stylesheet hides the other with display:none, which also keeps it out of
    the accessibility tree, so a screen reader meets the chart once.
    """
    family = f"{style.FAMILY}, sans-serif"
    wide = chart_svg(art.art, alt=art.alt, font_family=family)
    if art.narrow is None:
        return wide
    narrow = chart_svg(art.narrow, alt=art.alt, font_family=family)
    return f'<div class="chart-wide">{wide}</div><div class="chart-narrow">{narrow}</div>'


def _callout(page: _Page, block: model.Callout) -> str:
    """A note beside the text (role note): not a landmark, which a page of many callouts
    would fill with same-named regions; its title is a heading, found as headings are."""
    title = f"<h4>{escape(block.title)}</h4>" if block.title else ""
    return f'<aside class="callout" role="note">{title}<p>{_rich(block.text)}</p></aside>'


def _quote(page: _Page, block: model.Quote) -> str:
    source = f"<figcaption>\u2014 {escape(block.source)}</figcaption>" if block.source else ""
    return (
        f'<figure class="quote"><blockquote><p>\u201c{_rich(block.text)}\u201d</p></blockquote>'
        f"{source}</figure>"
    )


def _footer(page: _Page) -> str:
    return (
        f'<footer class="page"><p>{escape(page.edition.organisation)} · '
        f"{escape(_published(page))}</p></footer>"
    )
