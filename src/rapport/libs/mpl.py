"""matplotlib's internals that rapport relies on, for matplotlib 3.11.

Imported only where a chart is drawn, so that a build whose charts all come
from the cache never imports matplotlib.
"""

from __future__ import annotations

import matplotlib
from matplotlib import artist, font_manager

from rapport.libs import require

require("matplotlib", matplotlib.__version__)


def forget_font_choices() -> None:
    """Make the font manager choose again after its font list (`ttflist`) was changed.

    It keeps the font it found for each request; with the list changed, a kept
    choice could name a file that is no longer in it.
    """
    font_manager.fontManager._findfont_cached.cache_clear()  # type: ignore[attr-defined]


def make_no_help_texts() -> None:
    """matplotlib documents the set() method of each Artist class as it defines the class:
    a signature and a table of every property (kwdoc), a third of its import. rapport
    never shows help texts; set() works the same without them (a subclass then calls
    Artist.set through the set() of the class it derives from)."""
    artist.kwdoc = _no_help_text  # type: ignore[assignment]
    artist.Artist._update_set_signature_and_docstring = classmethod(_no_signature)  # type: ignore[attr-defined]


def _no_help_text(of: object) -> str:
    return ""


def _no_signature(cls: type) -> None:
    return None
