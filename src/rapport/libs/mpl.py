"""matplotlib's internals that rapport relies on, for matplotlib 3.11.

Imported only where a chart is drawn, so that a build whose charts all come
from the cache never imports matplotlib.
"""

from __future__ import annotations

import matplotlib
from matplotlib import font_manager

from rapport.libs import require

require("matplotlib", matplotlib.__version__)


def forget_font_choices() -> None:
    """Make the font manager choose again after its font list (`ttflist`) was changed.

    It keeps the font it found for each request; with the list changed, a kept
    choice could name a file that is no longer in it.
    """
    font_manager.fontManager._findfont_cached.cache_clear()  # type: ignore[attr-defined]
