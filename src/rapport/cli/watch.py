"""`rapport watch`: rebuild whenever a file the build read changes, or the edition folder does.

The files watched are those the last good build read — the edition's files,
the previous edition's facts.yaml (for the changes against last year), the
images and icons, the theme and its fonts — plus every file of the edition
folder, so that a chapter that appears, disappears or is renamed is seen.
After a failed build, when it is not known what a good one would read, the
whole images/ and fonts/ folders are watched as well.

The libraries stay loaded between builds, so a text-only edit rebuilds in a
fraction of a second. The PDF/A check (about a third of such a rebuild) runs
after the PDF is written, beside the watcher, and says so if the PDF fails it;
`rapport build` and `publish` still refuse such a PDF before they succeed. A broken save prints its problems and the watcher waits
for the next save; the last good PDF stays in place (builds are atomic), and
the first good build after it says that the problems are fixed.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rapport.content.chapter_names import iter_watched_names
from rapport.content.load import edition_head
from rapport.content.load_facts import FACTS_FILE
from rapport.diagnostics import ContentError, RapportError, display_path, plural

if TYPE_CHECKING:
    from rapport.content.model import Edition
from rapport.paths import THEME_FILE

if TYPE_CHECKING:
    from rapport.pipeline import BuildReport, Checked

log = logging.getLogger("rapport")

ASSET_SUFFIXES = {".png", ".jpg", ".jpeg", ".ttf"}
ASSET_FOLDERS = ("images", "fonts")
Stamp = tuple[float, int] | None  # modification time and size; None while the file is absent
Snapshot = dict[Path, Stamp]


class Builder(Protocol):
    """What makes the outputs from an edition folder: `pipeline.build`, or the preview's."""

    def __call__(self, edition_dir: Path, output: Path | None) -> BuildReport: ...


class Listener(Protocol):
    """Told of every build's outcome: its report, or the error that stopped it."""

    def __call__(self, outcome: BuildReport | RapportError) -> None: ...


def project_root(edition_dir: Path) -> Path:
    return edition_dir.resolve().parent.parent


def previous_facts(edition_dir: Path) -> Path | None:
    """The previous edition's facts.yaml, which the build reads to compute changes against it."""
    earlier = edition_head(edition_dir).previous_directory
    return earlier / FACTS_FILE if earlier is not None else None


def always_watched(edition_dir: Path, previous: Path | None) -> set[Path]:
    """What every build may read, whether it exists yet or not, and the edition folder's files."""
    edition_dir = edition_dir.resolve()  # one spelling of each path, as read_by gives them
    root = edition_dir.parent.parent
    paths = set(iter_watched_names(edition_dir))
    paths |= {edition_dir / FACTS_FILE, edition_dir / "edition.yaml", root / THEME_FILE}
    if previous is not None:
        paths.add(previous.resolve())
    return paths


def asset_files(edition_dir: Path) -> Iterator[Path]:
    """Every image and font of the project: watched while a good build has not said which."""
    root = project_root(edition_dir)
    for folder in ASSET_FOLDERS:
        if (root / folder).is_dir():
            yield from (p for p in (root / folder).rglob("*") if p.suffix.lower() in ASSET_SUFFIXES)


def stamp(path: Path) -> Stamp:
    try:
        info = path.stat()
    except OSError:
        return None  # not there, or being replaced by an editor: looked at again next time
    return (info.st_mtime, info.st_size)


def snapshot(paths: Iterable[Path]) -> Snapshot:
    """Modification time and size of every watched file (None for one that is absent)."""
    return {path: stamp(path) for path in paths}


def changes(before: Snapshot, after: Snapshot) -> list[Path]:
    """The files that changed, appeared or disappeared between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


@dataclass
class Rebuilder:
    """Builds an edition again and again in one process; never raises for content problems."""

    edition_dir: Path
    output: Path | None = None
    report: Callable[[str], None] = print
    failing: bool = False
    inputs: set[Path] = field(default_factory=set)  # what the last good build read
    previous: Path | None = None  # the previous edition's facts.yaml, read once per build
    builder: Builder | None = None  # None: pipeline.build, the PDF only
    listener: Listener | None = None  # the preview server, which shows each outcome
    checking: threading.Thread | None = None  # the PDF/A check of the last PDF written

    def watched(self) -> set[Path]:
        paths = always_watched(self.edition_dir, self.previous) | self.inputs
        if self.failing or not self.inputs:
            paths |= set(asset_files(self.edition_dir))
        return paths

    def build(self) -> bool:
        from rapport.cli import print_diagnostics
        from rapport.pipeline import build

        self.finish()  # the last PDF's verdict belongs before this build's lines
        self.previous = previous_facts(self.edition_dir)  # edition.yaml may name another
        try:
            if self.builder is not None:
                result = self.builder(self.edition_dir, self.output)
            else:
                result = build(self.edition_dir, self.output, check_pdfa=False)
        except RapportError as exc:
            self.tell(exc)
            return self.failed(exc)
        self.tell(result)
        print_diagnostics(result.warnings)
        if result.checked is not None:
            self.inputs = read_by(result.checked)
        fixed = "problems fixed; " if self.failing else ""
        self.failing = False
        self.report(
            f"rapport: {fixed}rebuilt {' and '.join(display_path(p) for p in result.written)}"
            f" ({plural(result.pages, 'page')}) in {result.seconds:.2f} s"
        )
        if "pdf" in result.formats and result.checked is not None:
            # started only now, so that its verdict always follows the "rebuilt" line
            self.check_pdfa(result.pdf, result.checked.edition)
        return True

    def check_pdfa(self, pdf: Path, edition: Edition) -> None:
        """Run the PDF/A check of the PDF just written beside the watcher (see `finish`)."""
        try:
            data = pdf.read_bytes()  # as written now: the next build may replace the file
        except OSError as exc:
            log.warning("failed to read %s for its PDF/A check (%s)", display_path(pdf), exc)
            return
        self.checking = threading.Thread(
            target=self._pdfa_verdict, args=(data, edition), name="pdfa-check", daemon=True
        )
        self.checking.start()

    def finish(self) -> None:
        """Wait until the PDF/A check of the last PDF, if one runs, has said its verdict."""
        if self.checking is not None:
            self.checking.join()
            self.checking = None

    def _pdfa_verdict(self, data: bytes, edition: Edition) -> None:
        from rapport.cache import Cache
        from rapport.cli import print_diagnostics
        from rapport.pdf.write import require_pdfa

        root = project_root(self.edition_dir)
        try:
            with tempfile.TemporaryDirectory(prefix="rapport-pdfa-") as folder:
                copy = Path(folder) / "checked.pdf"
                copy.write_bytes(data)
                require_pdfa(copy, image_names(edition), edition.location, Cache.of_project(root))
        except ContentError as exc:
            print_diagnostics(exc.diagnostics)
            self.report(
                "rapport: the PDF just written fails the PDF/A check;"
                " `rapport build` and `rapport publish` refuse it"
            )
        except OSError as exc:
            log.warning("failed to run the PDF/A check (%s)", exc.strerror or exc)

    def tell(self, outcome: BuildReport | RapportError) -> None:
        if self.listener is not None:
            self.listener(outcome)

    def failed(self, exc: RapportError) -> bool:
        """Say why the build failed and wait for the next save; always False."""
        from rapport.cli import print_diagnostics

        self.failing = True
        if isinstance(exc, ContentError):
            print_diagnostics(exc.diagnostics)
            self.report(
                "rapport: problems found; the previous PDF is kept. Waiting for the next save…"
            )
            return False
        self.report(f"rapport: error: {exc}; waiting for the next save…")
        return False

    def build_and_snapshot(self) -> Snapshot:
        """Build; return the state of the watched files as it was when the build began.

        A file saved while the build runs then differs at the next look, so
        that save is built too.
        """
        before = snapshot(self.watched())
        self.build()
        return {path: before[path] if path in before else stamp(path) for path in self.watched()}


def image_names(edition: Edition) -> tuple[str, ...]:
    """The images an edition shows, as its content names them: for the PDF/A message."""
    from rapport.content.model import Image
    from rapport.content.walk import edition_nodes

    return tuple(sorted({str(n.path) for n in edition_nodes(edition) if isinstance(n, Image)}))


def read_by(checked: Checked) -> set[Path]:
    """The files a good build read: content, previous facts, images, icons, theme and fonts."""
    from rapport.inputs import collect_inputs

    root = checked.theme.root
    try:
        inputs = collect_inputs(checked.edition, checked.theme, root)
    except (ValueError, OSError):  # a file outside the project: watch everything instead
        return set()
    return {root / item.path for item in inputs}


def watch(
    edition_dir: Path,
    output: Path | None,
    interval: float = 0.25,
    rounds: int | None = None,
    report: Callable[[str], None] = print,
    rebuilder: Rebuilder | None = None,
) -> None:
    """Build, then rebuild after every change until interrupted (or after `rounds` looks).

    `rebuilder`, when given, builds instead of a plain one (the preview's also
    builds the HTML edition and tells the server).
    """
    rebuilder = rebuilder or Rebuilder(edition_dir, output, report)
    try:
        _watch_changes(rebuilder, interval, rounds)
    finally:
        rebuilder.finish()  # a check cut off would leave no verdict and perhaps a stray file


def _watch_changes(rebuilder: Rebuilder, interval: float, rounds: int | None) -> None:
    seen = rebuilder.build_and_snapshot()
    log.info("watching %s for changes (Ctrl+C to stop)", rebuilder.edition_dir)
    looks = 0
    while rounds is None or looks < rounds:
        time.sleep(interval)
        looks += 1
        current = snapshot(rebuilder.watched())
        changed = changes(seen, current)
        if changed:
            time.sleep(0.05)  # let an editor finish writing
            shown = ", ".join(display_path(p) for p in changed[:3])
            more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
            log.info("%s changed; building again", shown + more)
            seen = rebuilder.build_and_snapshot()
