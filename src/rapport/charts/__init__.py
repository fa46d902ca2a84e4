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
from rapport.charts.art import VectorArt
from rapport.charts.placeholder import placeholder_alt, placeholder_art
from rapport.charts.spec import alt_text, chart_spec
from rapport.content.model import Chart, Edition
from rapport.content.walk import edition_nodes
from rapport.diagnostics import Location
from rapport.theme import Theme

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChartArt:
    art: VectorArt
    alt: str
    seconds: float = 0.0
    cached: bool = True
    placeholder: bool = False  # facts still to fill in: a marked box, not the chart


@dataclass
class ChartSet:
    art: dict[Location, ChartArt] = field(default_factory=dict)

    @property
    def rendered(self) -> int:
        return sum(not (a.cached or a.placeholder) for a in self.art.values())


def charts_of(edition: Edition) -> list[Chart]:
    return [node for node in edition_nodes(edition) if isinstance(node, Chart)]


def prepare_charts(edition: Edition, theme: Theme, cache_root: Path, width_pt: float) -> ChartSet:
    """Every chart's vector art: from the cache, or drawn and then cached."""
    charts = ChartSet()
    cache = Cache.of_project(cache_root)
    environment = _environment(theme, width_pt)
    for chart in charts_of(edition):
        if chart.unfilled:  # never drawn nor cached: the chart comes once its facts are in
            art = placeholder_art(chart, theme, width_pt, edition.language)
            alt = placeholder_alt(chart, edition.language)
            charts.art[chart.location] = ChartArt(art, alt, placeholder=True)
            continue
        spec = chart_spec(chart, edition.language)
        inputs = {"chart": spec, **environment}
        alt = alt_text(chart, edition.language)
        stored = cache.read(CHARTS, inputs, VectorArt.from_json)
        if stored is not None:
            charts.art[chart.location] = ChartArt(stored, alt)
            continue
        render_art = _drawing_function()
        started = time.perf_counter()
        art = render_art(spec, theme, width_pt)
        cache.write(CHARTS, inputs, art.to_json())
        seconds = time.perf_counter() - started
        log.debug("drew chart '%s' in %.3f s", chart.title, seconds)
        charts.art[chart.location] = ChartArt(art, alt, seconds, cached=False)
    return charts


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
