"""`rapport watch`: rebuild whenever a content, image, theme or font file is saved.

The libraries stay loaded between builds, so a text-only edit rebuilds in a
fraction of a second. A broken save prints its problems and the watcher waits
for the next save; the last good PDF stays in place (builds are atomic).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import ContentError, RapportError
from .paths import THEME_FILE

log = logging.getLogger("rapport")

WATCHED_SUFFIXES = {".yaml", ".yml", ".png", ".jpg", ".jpeg", ".ttf"}
Snapshot = dict[Path, tuple[float, int]]


def watched_files(edition_dir: Path) -> Iterator[Path]:
    root = edition_dir.resolve().parent.parent
    yield from edition_dir.glob("*.y*ml")
    for folder in (root / "images", root / "fonts"):
        if folder.is_dir():
            yield from (p for p in folder.rglob("*") if p.suffix.lower() in WATCHED_SUFFIXES)
    if (root / THEME_FILE).is_file():
        yield root / THEME_FILE


def snapshot(edition_dir: Path) -> Snapshot:
    """Modification time and size of every watched file."""
    state: Snapshot = {}
    for path in watched_files(edition_dir):
        try:
            info = path.stat()
        except OSError:
            continue  # saved by replacing: it is back on the next look
        state[path] = (info.st_mtime, info.st_size)
    return state


@dataclass
class Rebuilder:
    """Builds an edition again and again in one process; never raises for content problems."""

    edition_dir: Path
    output: Path | None = None
    report: Callable[[str], None] = print

    def build(self) -> bool:
        from .cli import print_diagnostics
        from .diagnostics import display_path
        from .pipeline import build

        try:
            result = build(self.edition_dir, self.output)
        except ContentError as exc:
            print_diagnostics(exc.diagnostics)
            self.report(
                "rapport: problems found; the previous PDF is kept. Waiting for the next save…"
            )
            return False
        except RapportError as exc:
            self.report(f"rapport: error: {exc}; waiting for the next save…")
            return False
        print_diagnostics(result.warnings)
        self.report(
            f"rapport: rebuilt {display_path(result.pdf)} ({result.pages} pages) in {result.seconds:.2f} s"
        )
        return True


def watch(
    edition_dir: Path, output: Path | None, interval: float = 0.25, rounds: int | None = None
) -> None:
    """Build, then rebuild after every change until interrupted (or after `rounds` looks)."""
    rebuilder = Rebuilder(edition_dir, output)
    rebuilder.build()
    seen = snapshot(edition_dir)
    log.info("watching %s for changes (Ctrl+C to stop)", edition_dir)
    looks = 0
    while rounds is None or looks < rounds:
        time.sleep(interval)
        looks += 1
        current = snapshot(edition_dir)
        if current != seen:
            time.sleep(0.05)  # let an editor finish writing
            seen = snapshot(edition_dir)
            rebuilder.build()
