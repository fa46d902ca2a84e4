"""What the last build learnt about an edition's pages: its contents and its page total.

reportlab lays a report out twice: the first pass finds on which page each
heading falls and how many pages there are, the second prints them in the
contents and the footers. Starting from what the previous build found, the
first pass is usually already right and the second is skipped; when the
content moved things, reportlab simply lays out again. The PDF is the same.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from ..atomic import write_atomically
from ..paths import CACHE_DIR

Entry = tuple[int, str, int, str | None]


def memory_file(root: Path, year: int) -> Path:
    return root / CACHE_DIR / f"layout-{year}.json"


def recall(path: Path) -> tuple[list[Entry], int]:
    """The contents entries and page total of the last build, or nothing."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        entries = [
            (int(e[0]), str(e[1]), int(e[2]), None if e[3] is None else str(e[3]))
            for e in data["entries"]
        ]
        return entries, int(data["pages"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return [], 0  # nothing remembered, or damaged: lay out twice


def remember(path: Path, entries: list[Entry], pages: int) -> None:
    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        write_atomically(
            path, json.dumps({"entries": entries, "pages": pages}, ensure_ascii=False).encode()
        )
