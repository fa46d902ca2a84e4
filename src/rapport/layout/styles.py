"""Paragraph styles and fonts derived from the theme: the one place text looks are set."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics

from rapport.layout import breaking
from rapport.layout.hyphens import has_dictionary, hyphenator
from rapport.layout.kerning import kerned_font
from rapport.libs import rl
from rapport.theme import Theme

BODY_FONT = "RapportRegular"
# Words this long or longer may hyphenate: Dutch typesetting breaks six-letter words
# ("wer-den"), never shorter ones, and keeps three letters on each side (layout/hyphens.py).
HYPHENATE_FROM = 6
FACES = {
    "regular": BODY_FONT,
    "italic": "RapportItalic",
    "bold": "RapportBold",
    "bold_italic": "RapportBoldItalic",
    "display": "RapportDisplay",
}


_registered: dict[str, tuple[Path, float]] = {}


def register_fonts(theme: Theme) -> None:
    """Register the theme's TrueType faces (embedded and subset by reportlab).

    Reading a font file is a good part of a build's time, so a face already
    registered from the same unchanged file is kept (rebuilds in `watch`).
    Every face is kerned (layout/kerning.py).
    """
    for face, name in FACES.items():
        path = theme.font_path(face)
        stamp = (path, path.stat().st_mtime)
        if _registered.get(name) != stamp:
            pdfmetrics.registerFont(kerned_font(name, path, theme.root))
            _registered[name] = stamp
    pdfmetrics.registerFontFamily(
        BODY_FONT,
        normal=BODY_FONT,
        bold=FACES["bold"],
        italic=FACES["italic"],
        boldItalic=FACES["bold_italic"],
    )
    pdfmetrics.registerFontFamily(FACES["display"], normal=FACES["display"], bold=FACES["display"])


def aligned(style: ParagraphStyle, alignment: str) -> ParagraphStyle:
    """A copy of `style` with left, center or right alignment."""
    code = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}[alignment]
    return (
        style
        if style.alignment == code
        else ParagraphStyle(f"{style.name}_{alignment}", style, alignment=code)
    )


def colour(value: str) -> colors.Color:
    return colors.HexColor(value)


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    lead: ParagraphStyle
    small: ParagraphStyle
    caption: ParagraphStyle
    heading1: ParagraphStyle
    heading2: ParagraphStyle
    heading3: ParagraphStyle
    eyebrow: ParagraphStyle
    subtitle: ParagraphStyle
    bullet: ParagraphStyle
    tile_number: ParagraphStyle
    tile_label: ParagraphStyle
    rank_title: ParagraphStyle
    ranking_title: ParagraphStyle
    boxed: ParagraphStyle
    quote: ParagraphStyle
    chart_title: ParagraphStyle
    table_cell: ParagraphStyle
    table_head: ParagraphStyle
    toc: tuple[ParagraphStyle, ...]
    cover_title: ParagraphStyle
    cover_year: ParagraphStyle
    cover_text: ParagraphStyle


def make_styles(theme: Theme, language: str, hyphenation_store: Path | None = None) -> Styles:
    s, c = theme.sizes, theme.colours
    breaking.install()  # words wider than a line break instead of running off the page
    rl.draw_scaled_lines()  # the glyph expansion of justified lines (layout/justify.py)
    hyphenate = (
        hyphenator(language, hyphenation_store, theme.hyphenation)
        if theme.text.hyphenate and has_dictionary(language)
        else None
    )
    body = ParagraphStyle(
        "body",
        fontName=BODY_FONT,
        fontSize=s.body,
        leading=s.leading,
        textColor=colour(c.text),
        alignment=TA_JUSTIFY if theme.text.align == "justify" else TA_LEFT,
        spaceAfter=s.leading * 0.45,
        allowWidows=0,
        allowOrphans=0,
        splitLongWords=1,
        hyphenationLang=hyphenate,
        embeddedHyphenation=0,
        uriWasteReduce=0.3,
        hyphenationMinWordLength=HYPHENATE_FROM,
        expansion=theme.text.expansion / 100,  # read by layout/justify.py
    )
    ragged = ParagraphStyle("ragged", body, alignment=TA_LEFT, hyphenationLang=None, spaceAfter=0)
    heading = ParagraphStyle(
        "heading", ragged, fontName=FACES["bold"], textColor=colour(c.primary_dark), keepWithNext=1
    )
    return Styles(
        body=body,
        lead=ParagraphStyle(
            "lead",
            body,
            fontSize=s.body * 1.2,
            leading=s.leading * 1.2,
            textColor=colour(c.text),
            alignment=TA_LEFT,
            hyphenationLang=None,
        ),
        small=ParagraphStyle(
            "small", ragged, fontSize=s.small, leading=s.small * 1.35, textColor=colour(c.muted)
        ),
        caption=ParagraphStyle(
            "caption",
            ragged,
            fontName=FACES["italic"],
            fontSize=s.small,
            leading=s.small * 1.35,
            textColor=colour(c.muted),
            spaceBefore=3,
            spaceAfter=s.leading * 0.6,
        ),
        heading1=ParagraphStyle(
            "heading1",
            heading,
            fontName=FACES["display"],
            fontSize=s.heading1,
            leading=s.heading1 * 1.12,
            textColor=colour(c.primary_dark),
        ),
        heading2=ParagraphStyle(
            "heading2",
            heading,
            fontSize=s.heading2,
            leading=s.heading2 * 1.25,
            spaceBefore=s.leading * 0.9,
            spaceAfter=s.leading * 0.3,
            textColor=colour(c.primary),
        ),
        heading3=ParagraphStyle(
            "heading3",
            heading,
            fontSize=s.heading3,
            leading=s.heading3 * 1.3,
            spaceBefore=s.leading * 0.4,
            spaceAfter=3,
        ),
        eyebrow=ParagraphStyle(
            "eyebrow",
            heading,
            fontSize=s.small,
            leading=s.small * 1.4,
            textColor=colour(c.primary),
            spaceAfter=4,
        ),
        subtitle=ParagraphStyle(
            "subtitle",
            ragged,
            fontSize=s.heading3,
            leading=s.heading3 * 1.35,
            textColor=colour(c.muted),
            spaceBefore=4,
            spaceAfter=s.leading * 0.8,
        ),
        bullet=ParagraphStyle("bullet", body, spaceAfter=2),
        tile_number=ParagraphStyle(
            "tile_number",
            ragged,
            fontName=FACES["display"],
            fontSize=s.figure,
            leading=s.figure * 1.1,
            textColor=colour(c.primary),
        ),
        tile_label=ParagraphStyle(
            "tile_label",
            ragged,
            fontSize=s.body * 0.9,
            leading=s.body * 1.2,
            textColor=colour(c.text),
        ),
        rank_title=ParagraphStyle("rank_title", ragged, spaceAfter=0),
        ranking_title=ParagraphStyle(
            "ranking_title", ragged, fontName=FACES["bold"], textColor=colour(c.primary)
        ),
        boxed=ParagraphStyle("boxed", body, spaceAfter=0),
        chart_title=ParagraphStyle(
            "chart_title",
            heading,
            fontSize=s.body,
            leading=s.body * 1.3,
            textColor=colour(c.text),
            spaceBefore=4,
            spaceAfter=2,
        ),
        quote=ParagraphStyle(
            "quote",
            body,
            fontName=FACES["italic"],
            fontSize=s.body * 1.15,
            leading=s.leading * 1.15,
            textColor=colour(c.primary_dark),
            alignment=TA_LEFT,
            hyphenationLang=None,
            spaceAfter=2,
        ),
        table_cell=ParagraphStyle(
            "table_cell", ragged, fontSize=s.body * 0.92, leading=s.leading * 0.9
        ),
        table_head=ParagraphStyle(
            "table_head",
            ragged,
            fontName=FACES["bold"],
            fontSize=s.body * 0.92,
            leading=s.leading * 0.9,
            textColor=colour(c.primary_dark),
        ),
        toc=(
            ParagraphStyle(
                "toc1",
                ragged,
                fontName=FACES["bold"],
                fontSize=s.body * 1.1,
                leading=s.leading * 1.15,
                spaceBefore=8,
                textColor=colour(c.primary_dark),
            ),
            ParagraphStyle(
                "toc2",
                ragged,
                leftIndent=18,
                fontSize=s.body,
                leading=s.leading * 1.05,
                textColor=colour(c.text),
            ),
        ),
        cover_title=ParagraphStyle(
            "cover_title",
            ragged,
            fontName=FACES["display"],
            fontSize=34,
            leading=39,
            textColor=colour(c.cover_text),
        ),
        cover_year=ParagraphStyle(
            "cover_year",
            ragged,
            fontName=FACES["display"],
            fontSize=96,
            leading=100,
            textColor=colour(c.cover_text),
        ),
        cover_text=ParagraphStyle(
            "cover_text", ragged, fontSize=13, leading=18, textColor=colour(c.cover_text)
        ),
    )
