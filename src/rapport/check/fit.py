"""Check, part of stage 2: every block fits the text block the theme leaves.

The layout refuses what does not fit a page, but only while building, and then it
can only point at the last block it placed. These limits are the layout's own,
computed from the theme, so that an edition `check` accepts also builds.
Text that is too long for a page (a huge table cell) is still found by the layout.
"""

from __future__ import annotations

from pathlib import Path

from rapport.assets import AssetError, image_size, resolve_image
from rapport.content.model import Chart, Image, Table
from rapport.diagnostics import Problems, plural
from rapport.theme import POINTS_PER_MM, Theme, text_height, text_width

# A table column narrower than this has no room left for text after the cell padding
# (reportlab fails below 12 pt); 10 mm holds a number of four or five digits.
MIN_COLUMN_MM = 10.0

# Room kept for what goes with a chart or an image on its page: a title of two
# lines above it and a caption of three lines under it, at the theme's sizes.
_TITLE_LINES = 2
_CAPTION_LINES = 3


def check_fit(nodes: tuple[object, ...], theme: Theme, root: Path, problems: Problems) -> None:
    """Report each table, chart and image of `nodes` that cannot fit the text block."""
    for node in nodes:
        if isinstance(node, Table):
            _check_table(node, theme, problems)
        elif isinstance(node, Chart):
            _check_chart(node, theme, problems)
        elif isinstance(node, Image):
            _check_image(node, theme, root, problems)


def max_columns(theme: Theme) -> int:
    """How many table columns the text block holds."""
    return int(text_width(theme) / (MIN_COLUMN_MM * POINTS_PER_MM))


def _mm(points: float) -> str:
    return f"{points / POINTS_PER_MM:.0f} mm"


def _check_table(table: Table, theme: Theme, problems: Problems) -> None:
    limit = max_columns(theme)
    if len(table.columns) > limit:
        problems.error(
            table.location,
            f"a table of {plural(len(table.columns), 'column')} does not fit the page"
            f" (at most {limit} columns of {MIN_COLUMN_MM:g} mm fit the"
            f" {_mm(text_width(theme))} text width)",
            "split it into tables of fewer columns, or swap its rows and columns",
        )


def _room(theme: Theme, title: bool) -> float:
    """The height left for a chart or an image once its title and caption are placed."""
    sizes = theme.sizes
    title_height = _TITLE_LINES * sizes.body * 1.3 + 6 if title else 0.0
    caption_height = _CAPTION_LINES * sizes.small * 1.35 + 3 + sizes.leading * 0.6
    return text_height(theme) - title_height - caption_height


def _check_chart(chart: Chart, theme: Theme, problems: Problems) -> None:
    from rapport.charts.spec import chart_height  # the chart package, but not matplotlib

    height = chart_height(
        chart.kind,
        len(chart.categories),
        len(chart.series),
        chart.per_category_scale,
        text_width(theme),
    )
    room = _room(theme, title=True)
    if height > room:
        bars = len(chart.categories) * max(1, len(chart.series))
        problems.error(
            chart.location,
            f"a chart of {plural(bars, 'bar')} (kind: {chart.kind}) is taller than a page"
            f" ({_mm(height)}; a page has room for {_mm(room)})",
            "use fewer categories or series, split the chart in two, or draw it as kind: grouped",
        )


def _check_image(image: Image, theme: Theme, root: Path, problems: Problems) -> None:
    try:
        info = image_size(resolve_image(root, image.path))
    except (AssetError, OSError):  # reported by the image checks
        return
    if info.width <= 0:
        return
    height = text_width(theme) * image.width * info.height / info.width
    room = _room(theme, title=False)
    if height > room:
        widest = int(100 * image.width * room / height)
        problems.error(
            image.location,
            f"image '{image.path}' is taller than a page at width {image.width:.0%}"
            f" ({_mm(height)}; a page has room for {_mm(room)})",
            f"make it narrower, at most width: {widest}%, or crop the image"
            if widest >= 10
            else "crop the image: it is too narrow and tall to fit a page",
        )
