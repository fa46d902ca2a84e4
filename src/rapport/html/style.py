"""The web edition's stylesheet, from the theme's colours and fonts.

One column that is as wide as a line of reading text allows, from a 360 px
phone to a desktop; wide things (tables) scroll inside their own box, so that
the page itself never scrolls sideways. The print stylesheet drops the
backgrounds that waste ink and keeps figures whole on a page.
"""

from __future__ import annotations

from collections.abc import Mapping

from rapport.charts import placeholder
from rapport.theme import Theme

FAMILY = "Rapport"  # the name the embedded faces go by in the stylesheet
DISPLAY_FAMILY = "Rapport Display"
FALLBACK = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

# Below this width the page shows each chart's narrow art (drawn for a phone) instead of
# the PDF's: from here the wide art's small text (8.5 pt in 425 pt) would fall under
# 9 px, as the column is the screen less 2rem. Print keeps the wide art.
NARROW_SCREEN = "31.99rem"  # up to 511 px: the wide art shows from a 480 px column up

# The faces embedded, as (family, weight, style) per theme face.
FACES: Mapping[str, tuple[str, int, str]] = {
    "regular": (FAMILY, 400, "normal"),
    "bold": (FAMILY, 700, "normal"),
    "italic": (FAMILY, 400, "italic"),
    "bold_italic": (FAMILY, 700, "italic"),
    "display": (DISPLAY_FAMILY, 900, "normal"),
}


def font_face(face: str, woff2_uri: str) -> str:
    family, weight, style = FACES[face]
    return (
        f"@font-face{{font-family:'{family}';font-weight:{weight};font-style:{style};"
        f"font-display:swap;src:url({woff2_uri}) format('woff2')}}"
    )


def stylesheet(theme: Theme, font_faces: list[str]) -> str:
    """The whole stylesheet: the embedded faces, then the rules."""
    c = theme.colours
    s = theme.sizes
    # The PDF's sizes are in points on A4; on screen the body is 1.0625rem (17 px)
    # and the rest keeps its ratio to the body.
    ratio = 1.0625 / s.body
    body = f"font-family:'{FAMILY}',{FALLBACK}"
    display = f"font-family:'{DISPLAY_FAMILY}','{FAMILY}',{FALLBACK}"
    rules = f"""
:root{{color-scheme:light}}
*,*::before,*::after{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%;text-size-adjust:100%}}
body{{margin:0;{body};font-size:1.0625rem;line-height:{s.leading / s.body:.3f};color:{c.text};
background:#fff;overflow-wrap:break-word;hyphens:auto;font-kerning:normal}}
.page{{max-width:46rem;margin:0 auto;padding:0 1rem 3rem}}
a{{color:{c.primary};text-underline-offset:.15em}}
a:focus-visible,.table-wrap:focus-visible,summary:focus-visible{{outline:3px solid {c.accent};outline-offset:2px}}
.cover{{background:{c.cover};color:{c.cover_text};padding:2.5rem 0 2rem}}
.cover>div{{max-width:46rem;margin:0 auto;padding:0 1rem}}
.cover .year{{{display};font-size:clamp(2rem,10vw,3rem);line-height:1;margin:0 0 .75rem}}
.cover h1{{{display};font-size:clamp(1.6rem,7vw,{s.heading1 * ratio:.3f}rem);line-height:1.15;margin:0 0 .75rem}}
.cover p{{margin:.25rem 0}}
.cover .logo{{background:#fff;display:inline-block;padding:.5rem;margin-top:1rem}}
.cover .logo img{{display:block;max-width:12rem;height:auto}}
.draft{{display:inline-block;border:2px solid currentColor;padding:.1rem .5rem;font-weight:700;letter-spacing:.1em}}
h2,h3,h4{{color:{c.primary_dark};line-height:1.25;hyphens:manual}}
h2{{{display};font-size:clamp(1.45rem,6vw,{s.heading1 * ratio * 0.75:.3f}rem);margin:2.5rem 0 .75rem}}
h3{{font-size:{s.heading2 * ratio:.3f}rem;margin:2rem 0 .5rem}}
h4{{font-size:{s.heading3 * ratio:.3f}rem;margin:0 0 .25rem}}
.eyebrow{{font-weight:700;letter-spacing:.08em;text-transform:uppercase;color:{c.muted};
font-size:.8rem;margin:2.5rem 0 -.5rem}}
.chapter-icon{{width:2.5rem;height:2.5rem;vertical-align:-.4rem;margin-right:.5rem}}
.subtitle{{color:{c.muted};font-size:1.1rem;margin-top:0}}
.lead{{font-size:1.15rem}}
nav ol{{padding-left:1.25rem}}nav li{{margin:.2rem 0}}
ul ul,ul ol{{margin:.25rem 0}}
.figures{{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.75rem;
list-style:none;padding:0;margin:1rem 0 1.5rem}}
.tile{{background:{c.tile};padding:.75rem;margin:0;overflow-wrap:normal}}
.tile p{{margin:0}}
.tile .number{{display:block;{display};font-size:{s.figure * ratio * 0.8:.3f}rem;line-height:1.15;white-space:nowrap;color:{c.primary_dark}}}
.tile .qualifier{{display:block;font-size:.85rem}}
.tile .change{{font-size:.85rem;color:{c.primary_dark};margin-top:.25rem}}
.ranking{{border-left:3px solid {c.primary};padding-left:.75rem;margin:1rem 0 1.5rem}}
.ranking figcaption{{font-weight:700;margin-bottom:.25rem}}
.ranking ol{{margin:0;padding-left:1.75rem}}
.ranking li{{margin:.2rem 0}}
.ranking li::marker{{font-weight:700;color:{c.primary_dark}}}
.ranking .creator{{color:{c.muted}}}
.ranking .note{{display:block;font-size:.9rem}}
.table-wrap{{overflow-x:auto;margin:1rem 0 1.5rem;max-width:100%}}
table{{border-collapse:collapse;min-width:100%;font-size:.95rem}}
caption{{text-align:left;font-size:.9rem;color:{c.text};padding-bottom:.35rem}}
th,td{{padding:.3rem .5rem;vertical-align:top;text-align:left}}
thead th{{border-bottom:2px solid {c.primary}}}
tbody tr:nth-child(even){{background:{c.tile}}}
tbody tr:last-child>*{{border-bottom:1px solid {c.rule}}}
tbody th{{font-weight:400}}
.right{{text-align:right;font-variant-numeric:tabular-nums}}
th.right,td.right{{padding-right:1.1rem}}
.note-mark{{display:inline-block;width:0;white-space:nowrap}}
.table-note{{font-size:.85rem;margin:-1rem 0 1.5rem}}.center{{text-align:center}}
figure{{margin:1.5rem 0}}
figure img{{max-width:100%;height:auto;display:block}}
figcaption{{font-size:.9rem;margin-top:.4rem}}
.chart-title{{font-weight:700;margin:0 0 .5rem}}
figure svg{{max-width:100%;height:auto;display:block}}
.chart-narrow{{display:none}}
@media screen and (max-width:{NARROW_SCREEN}){{.chart-wide{{display:none}}.chart-narrow{{display:block}}}}
.chart-data{{margin:-1rem 0 1.5rem;font-size:.9rem;overflow-x:auto}}
summary{{cursor:pointer;color:{c.primary}}}
.callout{{background:{c.callout};border-left:4px solid {c.accent};padding:.75rem 1rem;margin:1.5rem 0}}
.callout p{{margin:0}}
.quote{{border-left:3px solid {c.primary};padding:.25rem 1rem;margin:1.5rem 0}}
.quote blockquote{{margin:0;font-size:1.1rem}}
.quote figcaption{{color:{c.muted}}}
.placeholder{{background:{placeholder.HIGHLIGHT};color:{placeholder.INK}}}
.correction{{border-top:1px solid {c.rule};padding-top:.5rem;font-size:.9rem}}
footer{{border-top:1px solid {c.rule};color:{c.muted};font-size:.9rem;margin-top:3rem;padding-top:.75rem}}
@media (min-width:48rem){{.cover{{padding:4rem 0 3rem}}.cover>div{{padding:0 1.5rem}}.page{{padding:0 1.5rem 4rem}}}}
@media print{{
body{{font-size:10.5pt}}
.cover{{background:none;color:{c.text};padding:0}}
.cover .logo{{padding:0}}
a{{color:inherit}}
.page{{max-width:none;padding:0}}
h2,h3,h4{{break-after:avoid}}
figure,.tile,.callout,.quote,tr{{break-inside:avoid}}
.chart-data{{break-before:avoid}}
.table-wrap{{overflow:visible}}
section.chapter{{break-before:page}}
}}
"""
    return "".join(font_faces) + rules.replace("\n", "")
