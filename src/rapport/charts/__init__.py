"""Stage 3, charts: every chart block becomes vector art, drawn once per content.

Charts are cached by content: the key hashes the chart's data, the theme,
the fonts and the versions of the drawing libraries. A build whose charts
are all cached does not import matplotlib at all.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapport import __version__
from rapport.atomic import write_atomically
from rapport.charts.art import VectorArt
from rapport.charts.placeholder import placeholder_alt, placeholder_art
from rapport.charts.spec import alt_text, chart_spec
from rapport.check.content import edition_nodes
from rapport.content.model import Chart, Edition
from rapport.diagnostics import Location
from rapport.paths import CACHE_DIR
from rapport.theme import Theme

log = logging.getLogger(__name__)

CHART_DIR = CACHE_DIR / "charts"
STYLE_VERSION = "5"  # raise when the drawing code changes what charts look like


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
    folder = cache_root / CHART_DIR
    environment = _environment(theme, width_pt)
    for chart in charts_of(edition):
        if chart.unfilled:  # never drawn nor cached: the chart comes once its facts are in
            art = placeholder_art(chart, theme, width_pt, edition.language)
            alt = placeholder_alt(chart, edition.language)
            charts.art[chart.location] = ChartArt(art, alt, placeholder=True)
            continue
        spec = chart_spec(chart, edition.language)
        key = hashlib.sha256(json.dumps([spec, environment], sort_keys=True).encode()).hexdigest()[
            :32
        ]
        path = folder / f"{key}.json"
        alt = alt_text(chart, edition.language)
        stored = _stored_art(path)
        if stored is not None:
            charts.art[chart.location] = ChartArt(stored, alt)
            continue
        render_art = _drawing_function()
        started = time.perf_counter()
        art = render_art(spec, theme, width_pt)
        write_atomically(path, art.to_json())
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


def _stored_art(path: Path) -> VectorArt | None:
    """The cached drawing, or None when there is none or it does not read back whole."""
    try:
        return VectorArt.from_json(path.read_bytes())
    except (FileNotFoundError, NotADirectoryError):  # not drawn yet; writing reports the rest
        return None
    except ValueError as exc:
        log.warning("drawing chart %s again: the cached copy is damaged (%s)", path.name, exc)
        return None


def _environment(theme: Theme, width_pt: float) -> dict[str, object]:
    """What besides its data decides how a chart looks."""
    return {
        "style": STYLE_VERSION,
        "rapport": __version__,
        "matplotlib": installed_version("matplotlib"),
        "colours": theme.colours.__dict__,
        "sizes": theme.sizes.__dict__,
        "fonts": {
            face: _file_digest(theme.font_path(face)) for face in ("regular", "bold", "italic")
        },
        "width": round(width_pt, 3),
    }


def installed_version(package: str) -> str:
    """The installed version of `package`, read from its dist-info folder's name.

    Neither imports the package nor importlib.metadata (whose import alone
    costs a build more than drawing a chart from the cache).
    """
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.origin is not None:
        site = Path(spec.origin).parent.parent
        found = sorted(site.glob(f"{package}-*.dist-info"))
        if len(found) == 1:
            return found[0].name.removeprefix(f"{package}-").removesuffix(".dist-info")
    from importlib.metadata import version  # an unusual installation: ask the slow way

    return version(package)


_digests: dict[tuple[Path, float], str] = {}


def _file_digest(path: Path) -> str:
    stamp = (path, path.stat().st_mtime)
    if stamp not in _digests:
        _digests[stamp] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _digests[stamp]
