"""A PDF made before from the very same inputs, reused instead of laid out again.

A build is a pure function of its inputs: the files an edition is made from
(rapport.inputs: content, the previous facts, images, icons, theme, fonts),
the build's options (draft, correction, the PDF's date) and the code
(rapport's own files, the libraries that make a PDF, Python and zlib). So
`make` run again with nothing changed would write the same bytes; they are
taken from the cache (kind `pdf`) instead, which spares the layout, reportlab
and pikepdf.
Only a PDF that passed the PDF/A check is stored, so a reused one has passed
it too. Nothing here imports reportlab or pikepdf.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapport.atomic import publish_file
from rapport.cache import PDF, Cache, file_digest, json_text
from rapport.content.model import Edition
from rapport.correction import Correction
from rapport.inputs import collect_inputs
from rapport.theme import Theme

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredPdf:
    data: bytes
    pages: int


def reuse_inputs(
    edition: Edition,
    theme: Theme,
    moment: dt.datetime,
    *,
    draft: bool,
    correction: Correction | None,
    unchanged_since: int | None = None,
) -> dict[str, Any] | None:
    """What the PDF is made from, as a cache key's inputs; None when that cannot be told
    (a file outside the project or unreadable) or when a file changed at or after
    `unchanged_since` (time.time_ns()): a build may have read it before or after."""
    root = theme.root
    files = {}
    try:
        for item in collect_inputs(edition, theme, root):
            path = root / item.path
            if unchanged_since is not None and path.stat().st_mtime_ns >= unchanged_since:
                return None
            files[item.path] = file_digest(path)
    except (ValueError, OSError):
        return None
    return {
        "files": files,
        "moment": moment.isoformat(),
        "draft": draft,
        "correction": repr(correction),
        # the PDF's compressed streams depend on zlib, as the archive's build record says
        "runtime": [sys.version, zlib.ZLIB_RUNTIME_VERSION],
    }


def stored_pdf(cache: Cache, inputs: dict[str, Any]) -> StoredPdf | None:
    """The PDF made before from `inputs`, if the cache holds it whole."""
    return cache.read(PDF, inputs, _decode)


def store_pdf(cache: Cache, inputs: dict[str, Any], pdf: Path, pages: int) -> None:
    """Keep the PDF just written (and checked) for the next build from the same inputs."""
    try:
        data = pdf.read_bytes()
        value = {"pages": pages, "pdf": base64.b64encode(data).decode("ascii")}
        cache.write(PDF, inputs, json_text(value))
    except OSError as exc:  # a cache that cannot be written only makes the next build slower
        log.debug("failed to keep the PDF for reuse (%s)", exc)


def place_pdf(stored: StoredPdf, target: Path) -> None:
    """Write the stored PDF to `target`, whole or not at all; OSError if it cannot be."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    temporary = Path(name)
    try:
        with open(handle, "wb") as stream:
            stream.write(stored.data)
        publish_file(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _decode(value: bytes) -> StoredPdf:
    entry = json.loads(value)
    pages, data = entry["pages"], base64.b64decode(entry["pdf"], validate=True)
    if not isinstance(pages, int) or pages < 1 or not data.startswith(b"%PDF-"):
        raise ValueError("not a stored PDF")
    return StoredPdf(data, pages)
