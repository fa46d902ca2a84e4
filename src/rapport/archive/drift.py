"""Does an edition's content still match what the archive holds of it?

`rapport build` of a published year tells when its sources no longer match
the newest archived revision: that PDF is then not the published edition. The
comparison is cheap — the sha256 of each source file against the bag's
manifest, and of each font against the bag's fonts.sha256 — and nothing is
rebuilt. Publishing a correction uses the same comparison the other way round:
a correction whose sources equal the previous revision's changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from rapport.archive.bag import read_manifest, sha256_file
from rapport.archive.record import edition_files
from rapport.archive.store import FONT_HASHES, SOURCES, entries
from rapport.content.chapter_names import CHAPTER_FILE, EDITION_FILES
from rapport.paths import ARCHIVE_DIR

log = logging.getLogger(__name__)

_SOURCES = f"data/{SOURCES}/"


def archived_sources(bag: Path) -> dict[str, str]:
    """The sources a bag holds, by project path ('content/2023/01-x.yaml'), with their sha256.

    Read from the bag's manifest and its fonts.sha256: no archived file is hashed.
    """
    digests = {
        path.removeprefix(_SOURCES): digest
        for path, digest in read_manifest(bag).items()
        if path.startswith(_SOURCES)
    }
    digests.pop(FONT_HASHES, None)
    digests.update(read_font_hashes(bag / "data" / SOURCES / FONT_HASHES))
    return digests


def staged_sources(sources: Path) -> dict[str, str]:
    """The same for the sources folder of a bag being made, by hashing its files."""
    digests = {
        path.relative_to(sources).as_posix(): sha256_file(path)
        for path in sorted(sources.rglob("*"))
        if path.is_file()
    }
    digests.pop(FONT_HASHES, None)
    digests.update(read_font_hashes(sources / FONT_HASHES))
    return digests


def read_font_hashes(path: Path) -> dict[str, str]:
    """fonts.sha256 (`sha256sum` lines: digest, two spaces, path)."""
    digests = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, font = line.partition(" ")
        font = font.lstrip(" *")
        if font:
            digests[font] = digest.lower()
    return digests


@dataclass(frozen=True)
class Drift:
    """How an edition's sources differ from its newest archived revision."""

    year: int
    bag: str  # the folder name of that revision: '2023', '2023-r2'
    changed: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]

    def describe(self) -> str:
        """'changed: 02-digitale-collecties.yaml; added: 05-nieuw.yaml'."""
        parts = [
            f"{what}: {', '.join(self._short(path) for path in paths)}"
            for what, paths in (
                ("changed", self.changed),
                ("added", self.added),
                ("removed", self.removed),
            )
            if paths
        ]
        return "; ".join(parts)

    def message(self) -> str:
        return (
            f"content/{self.year} differs from {ARCHIVE_DIR}/{self.bag}: this PDF is not "
            f"the published edition ({self.describe()})\n"
            f"  hint: to replace the published edition, publish a correction: "
            f'rapport publish {self.year} --revision {self.next_revision} --reason "what was corrected"'
        )

    @property
    def next_revision(self) -> int:
        _, _, revision = self.bag.partition("-r")
        return int(revision or 1) + 1

    def _short(self, path: str) -> str:
        """A file of the edition by its name, any other by its path in the project."""
        return path.removeprefix(f"content/{self.year}/")


def compare_sources(
    year: int, bag: str, archived: dict[str, str], current: dict[str, str | None]
) -> Drift | None:
    """The drift between two {path: sha256} maps; a None digest: the file is missing now."""
    changed = tuple(
        sorted(p for p, d in archived.items() if current.get(p) is not None and current[p] != d)
    )
    removed = tuple(sorted(p for p in archived if current.get(p) is None))
    added = tuple(sorted(p for p, d in current.items() if p not in archived and d is not None))
    if not (changed or added or removed):
        return None
    return Drift(year, bag, changed, added, removed)


def find_drift(root: Path, year: int) -> Drift | None:
    """How content/YEAR of the project at `root` differs from its newest archived revision.

    None when the year is not published or nothing differs.
    """
    published = [entry for entry in entries(root / ARCHIVE_DIR) if entry.year == year]
    if not published:
        return None
    newest = published[-1]
    archived = archived_sources(newest.path)
    current: dict[str, str | None] = {
        path: _digest(root / path) for path in archived
    }  # the archived files, as they are in the project now
    edition_dir = root / "content" / str(year)
    for path in sorted(edition_dir.iterdir()) if edition_dir.is_dir() else []:
        if _is_edition_file(path.name):
            current.setdefault(path.relative_to(root).as_posix(), _digest(path))
    return compare_sources(year, newest.name, archived, current)


def _is_edition_file(name: str) -> bool:
    """A file the build reads: edition.yaml, facts.yaml or a chapter (others are ignored)."""
    return name in EDITION_FILES or CHAPTER_FILE.match(name) is not None


def _digest(path: Path) -> str | None:
    return sha256_file(path) if path.is_file() else None


def warn_if_drifted(edition_dir: Path) -> None:
    """Log a warning when a published edition's content no longer matches the archive.

    Never fails a build: an archive that cannot be read is only mentioned in
    the detailed log.
    """
    root = edition_dir.resolve().parent.parent
    if not edition_dir.name.isdigit() or not (root / ARCHIVE_DIR).is_dir():
        return
    try:
        drift = find_drift(root, int(edition_dir.name))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.debug("failed to compare %s with the archive (%s)", edition_dir, exc)
        return
    if drift is not None:
        logging.getLogger("rapport").warning("%s", drift.message())
        return
    if (correction := newest_correction(root, int(edition_dir.name))) is not None:
        logging.getLogger("rapport").warning("%s", correction)


def newest_correction(root: Path, year: int) -> str | None:
    """What to say when YEAR's newest published revision is a correction.

    Its sources are today's, but its PDF also carries the correction notice, revision and
    date of that publication: a plain build in build/ is then a third PDF that matches
    neither published revision, and must not be handed out as the edition.
    """
    published = [entry for entry in entries(root / ARCHIVE_DIR) if entry.year == year]
    if not published or published[-1].revision < 2:
        return None
    newest = published[-1]
    pdf_name, _ = edition_files(year)
    return (
        f"content/{year} is published as {ARCHIVE_DIR}/{newest.name}, a correction: the PDF in"
        f" build/ lacks its correction notice and is not the published edition\n"
        f"  hint: hand out {ARCHIVE_DIR}/{newest.name}/data/{pdf_name}, the published one"
    )
