"""Stage 3, charts: every chart block becomes vector art, drawn once per content.

Charts are cached by content (rapport.cache): the key holds the chart's data,
the theme, the fonts, and the versions of the drawing libraries and of
rapport's own code. A build whose charts are all cached does not import
matplotlib at all.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapport.cache import CHARTS, Cache, file_digest
from rapport.charts.art import VectorArt, coordinate
from rapport.charts.placeholder import placeholder_alt, placeholder_art
from rapport.charts.spec import alt_text, chart_spec, spec_height
from rapport.content.model import Chart, Edition
from rapport.content.walk import edition_nodes
from rapport.diagnostics import Location
from rapport.theme import Theme

log = logging.getLogger(__name__)


# The web edition's chart for a phone, in points: drawn for the screen rather than shrunk.
# A 360 px phone's column is 328 px, so the house style's smallest chart text (0.95 of
# the theme's 8.5 pt small size) shows at 8.1 × 328 / 288 ≈ 9.2 px there, where the
# PDF's 425 pt art would give 6.2 px.
NARROW_WIDTH = 288.0


@dataclass(frozen=True)
class ChartArt:
    art: VectorArt
    alt: str
    seconds: float = 0.0
    cached: bool = True
    placeholder: bool = False  # facts still to fill in: a marked box, not the chart
    narrow: VectorArt | None = None  # the same chart at NARROW_WIDTH, when the web asks for it
    pending: bool = False  # still to draw: blank art of the chart's size (prepare_charts)


@dataclass
class ChartSet:
    art: dict[Location, ChartArt] = field(default_factory=dict)

    @property
    def rendered(self) -> int:
        return sum(not (a.cached or a.placeholder) for a in self.art.values())

    @property
    def pending(self) -> int:
        """How many charts are still to draw (their art is blank, of the right size)."""
        return sum(a.pending for a in self.art.values())


def charts_of(edition: Edition) -> list[Chart]:
    return [node for node in edition_nodes(edition) if isinstance(node, Chart)]


def prepare_charts(
    edition: Edition,
    theme: Theme,
    cache_root: Path,
    width_pt: float,
    *,
    narrow_pt: float | None = None,
    draw: bool = True,
) -> ChartSet:
    """Every chart's vector art: from the cache, or drawn and then cached.

    With `narrow_pt` (the web edition), each chart is also drawn that wide, for a phone;
    the PDF alone never pays for it. The cache keeps each width apart (the width is in its key).
    Without `draw`, a chart the cache lacks is `pending`: blank art of the size it will have,
    enough to decide the pages while it is drawn elsewhere (rapport.helper).
    """
    charts = ChartSet()
    cache = Cache.of_project(cache_root)
    for chart in charts_of(edition):
        if chart.unfilled:  # never drawn nor cached: the chart comes once its facts are in
            charts.art[chart.location] = _placeholder(chart, theme, width_pt, narrow_pt, edition)
            continue
        spec = chart_spec(chart, edition.language)
        alt = alt_text(chart, edition.language)
        wide, wide_seconds = _art(spec, theme, width_pt, cache, draw)
        narrow, narrow_seconds = None, None
        if narrow_pt is not None:
            narrow, narrow_seconds = _art(spec, theme, narrow_pt, cache, draw)
        if wide is None or (narrow_pt is not None and narrow is None):
            charts.art[chart.location] = ChartArt(_blank(spec, width_pt), alt, pending=True)
            continue
        drawn = [t for t in (wide_seconds, narrow_seconds) if t is not None]
        if drawn:
            log.debug("drew chart '%s' in %.3f s", chart.title, sum(drawn))
        charts.art[chart.location] = ChartArt(
            wide, alt, sum(drawn), cached=not drawn, narrow=narrow
        )
    return charts


def _blank(spec: dict[str, Any], width_pt: float) -> VectorArt:
    """Nothing drawn, in the size `render_art` gives the chart (as record.py rounds it)."""
    return VectorArt(coordinate(width_pt), coordinate(spec_height(spec, width_pt)), ())


def _placeholder(
    chart: Chart, theme: Theme, width_pt: float, narrow_pt: float | None, edition: Edition
) -> ChartArt:
    narrow = None
    if narrow_pt is not None:
        narrow = placeholder_art(chart, theme, narrow_pt, edition.language)
    return ChartArt(
        placeholder_art(chart, theme, width_pt, edition.language),
        placeholder_alt(chart, edition.language),
        placeholder=True,
        narrow=narrow,
    )


def _art(
    spec: dict[str, Any], theme: Theme, width_pt: float, cache: Cache, draw: bool = True
) -> tuple[VectorArt | None, float | None]:
    """A chart's art at one width, and the seconds it took to draw (None: from the cache).
    Without `draw`, art the cache lacks is None."""
    inputs = {"chart": spec, **_environment(theme, width_pt)}
    stored = cache.read(CHARTS, inputs, VectorArt.from_json)
    if stored is not None or not draw:
        return stored, None
    render_art = _drawing_function()
    started = time.perf_counter()
    art = render_art(spec, theme, width_pt)
    cache.write(CHARTS, inputs, art.to_json())
    return art, time.perf_counter() - started


def load_matplotlib() -> None:
    """Import what draws charts ahead of the first chart (a helper process does, rapport.helper)."""
    _drawing_function()


def _drawing_function() -> Any:
    """The chart drawing function; matplotlib is imported only here, on a cache miss."""
    started = time.perf_counter()
    from rapport.charts.draw import render_art

    if (seconds := time.perf_counter() - started) > 0.001:
        log.debug("loaded matplotlib in %.3f s", seconds)
    return render_art


def _environment(theme: Theme, width_pt: float) -> dict[str, object]:
    """What besides its data decides how a chart looks."""
    return {
        "colours": theme.colours.__dict__,
        "sizes": theme.sizes.__dict__,
        "fonts": {
            face: file_digest(theme.font_path(face)) for face in ("regular", "bold", "italic")
        },
        "width": round(width_pt, 3),
    }
