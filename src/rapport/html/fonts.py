"""The web edition's fonts: each face cut down to the characters the page shows, as WOFF2.

A subset of Lato holding the few hundred characters of a report is a few
kilobytes, small enough to travel inside the page as a data: URI. Subsetting
is cached (rapport.cache, kind `webfonts`), keyed by the font file's digest
and the characters, so that a warm build never imports fontTools' subsetter.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from pathlib import Path

from rapport.cache import WEBFONTS, Cache, file_digest

log = logging.getLogger(__name__)


def woff2_subset(font: Path, characters: str, cache: Cache) -> bytes:
    """The font at `font` as WOFF2 holding only `characters` (and what shaping them needs)."""
    wanted = "".join(sorted(set(characters)))
    inputs = {"font": file_digest(font), "characters": wanted}
    stored = cache.read(WEBFONTS, inputs, _decode)
    if stored is not None:
        return stored
    data = _subset(font, wanted)
    cache.write(WEBFONTS, inputs, _encode(data))
    return data


def _subset(font: Path, characters: str) -> bytes:
    """fontTools' subsetter, imported only here: on a cache miss."""
    from fontTools import subset  # type: ignore[import-untyped,unused-ignore]

    # fontTools logs a warning about Lato's odd creation date on every save: not the writer's concern
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "liga", "lnum", "tnum"]
    options.name_IDs = ["*"]  # the licence and the font's name stay with it (OFL)
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    loaded = subset.load_font(str(font), options)
    try:
        subsetter.populate(text=characters)
        subsetter.subset(loaded)
        stream = io.BytesIO()
        subset.save_font(loaded, stream, options)
    finally:
        loaded.close()  # fontTools reads the file lazily and keeps it open until then
    log.debug("subset %s to %d characters: %d bytes", font.name, len(characters), stream.tell())
    return stream.getvalue()


def _encode(data: bytes) -> bytes:
    return json.dumps({"woff2": base64.b64encode(data).decode("ascii")}).encode()


def _decode(value: bytes) -> bytes:
    """The WOFF2 bytes of an entry; ValueError for anything this module did not write."""
    loaded = json.loads(value)
    if not isinstance(loaded, dict) or set(loaded) != {"woff2"}:
        raise ValueError("not a web font entry")
    data = base64.b64decode(loaded["woff2"], validate=True)
    if not data.startswith(b"wOF2"):
        raise ValueError("not WOFF2 data")
    return data
