"""The archive folder: one BagIt bag per published revision, never changed.

    archive/2023/        revision 1 of the 2023 edition
    archive/2023-r2/     revision 2 (a correction), beside the first
    archive/.lock        held while publishing, so that two publishes never race
    archive/.2023.partial-XXXX/   a publish in progress; renamed into place when whole

Names starting with a dot are never part of the archive: `list` and `verify`
skip them, and the next publish removes partial folders left by an
interrupted one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rapport.archive.bag import read_bag_info
from rapport.diagnostics import ExitCode, FileSystemError, RapportError, UsageError

_NAME = re.compile(r"^(?P<year>\d{4})(?:-r(?P<revision>[1-9]\d*))?$")
PARTIAL = ".partial-"
SOURCES = "sources"  # payload folder holding the project files, laid out as in the project
FONT_HASHES = "fonts.sha256"


def bag_name(year: int, revision: int) -> str:
    """The folder of a revision: '2023' for the first, '2023-r2' for the second."""
    return f"{year}" if revision == 1 else f"{year}-r{revision}"


def parse_name(name: str) -> tuple[int, int] | None:
    """(year, revision) of an archive folder name, or None if it is not one."""
    match = _NAME.match(name)
    if match is None:
        return None
    revision = int(match["revision"] or 1)
    if match["revision"] is not None and revision < 2:
        return None  # '2023-r1' is spelt '2023'
    return int(match["year"]), revision


@dataclass(frozen=True)
class ArchiveEntry:
    """One published revision, as its bag-info.txt describes it."""

    path: Path
    year: int
    revision: int
    info: dict[str, str]

    @property
    def name(self) -> str:
        return self.path.name

    def field(self, key: str) -> str:
        return self.info.get(key, "?")


def misfiled(entry: ArchiveEntry) -> str:
    """How the bag's own year and revision (bag-info.txt) differ from its folder's name,
    or '' when they agree: a bag moved or copied under another name is not that edition."""
    year = entry.info.get("Rapport-Year", "?")
    revision = entry.info.get("Rapport-Revision", "?")
    if year == str(entry.year) and revision == str(entry.revision):
        return ""
    held = f"year {year}, revision {revision}"
    return f"the bag holds {held} (bag-info.txt), but its folder is named {entry.name}"


def entries(archive: Path) -> list[ArchiveEntry]:
    """Every published revision under `archive`, by year and revision."""
    found = []
    if not archive.is_dir():
        return []
    for path in archive.iterdir():
        parsed = parse_name(path.name)
        if parsed is None or not path.is_dir():
            continue
        found.append(ArchiveEntry(path, parsed[0], parsed[1], read_bag_info(path)))
    return sorted(found, key=lambda entry: (entry.year, entry.revision))


def select(archive: Path, which: str | None) -> list[ArchiveEntry]:
    """The bags named by `which`: a year (all its revisions), a folder name, or all."""
    every = entries(archive)
    if which is None:
        return every
    parsed = parse_name(which)
    if parsed is None:
        raise UsageError(
            f"'{which}' is not a year or an archive folder name\n"
            "  hint: write a year such as 2023, a revision such as 2023-r2, or --all"
        )
    year, revision = parsed
    whole_year = which.isdigit()
    chosen = [e for e in every if e.year == year and (whole_year or e.revision == revision)]
    if not chosen:
        raise UsageError(
            f"edition {which} is not published (there is no {archive.name}/{bag_name(year, revision)})\n"
            "  hint: `rapport list` shows what is in the archive"
        )
    return chosen


@contextlib.contextmanager
def locked(archive: Path) -> Iterator[None]:
    """Hold the archive's lock: one publish at a time. The kernel frees it if we die."""
    lock = archive / ".lock"
    try:
        archive.mkdir(parents=True, exist_ok=True)
        _refuse_link(lock, "the archive's lock file")
        handle = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except FileSystemError:
        raise
    except OSError as exc:
        raise FileSystemError(
            f"failed to open the archive {archive} ({exc.strerror or exc})"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def remove_partials(archive: Path) -> list[str]:
    """Remove what interrupted publishes left; call only while holding the lock."""
    removed = []
    for path in sorted(archive.glob(f".*{PARTIAL}*")):
        _refuse_link(path, "a folder left by an interrupted publish")
        remove_tree(path)
        removed.append(path.name)
    return removed


def _refuse_link(path: Path, what: str) -> None:
    """A link where the archive keeps `what` is never followed: not opened, not removed,
    its target never changed (lstat, not stat)."""
    try:
        is_link = stat.S_ISLNK(os.lstat(path).st_mode)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise FileSystemError(f"failed to read {path} ({exc.strerror or exc})") from None
    if is_link:
        raise FileSystemError(
            f"{path} is a link, where the archive keeps {what}; rapport does not follow it\n"
            f"  hint: remove the link ({path}) and publish again"
        )


def remove_tree(path: Path) -> None:
    """Remove a folder, also when its files and folders were made read-only."""
    if not path.exists() and not path.is_symlink():
        return
    _refuse_link(path, "a folder")
    for folder, _, _ in os.walk(path):
        with contextlib.suppress(OSError):
            os.chmod(folder, os.stat(folder).st_mode | stat.S_IWUSR | stat.S_IXUSR)
    shutil.rmtree(path)


def copy_files(source: Path, destination: Path) -> None:
    """Copy the files below `source` into `destination`, writable whatever their mode was."""
    for path in sorted(source.rglob("*")):
        if path.is_file():
            target = destination / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def make_read_only(path: Path) -> None:
    """Files r--r--r--, folders r-xr-xr-x: a published bag is not to be edited."""
    for folder, _, files in os.walk(path, topdown=False):
        for name in files:
            os.chmod(os.path.join(folder, name), 0o444)
        os.chmod(folder, 0o555)


def fsync_folder(path: Path) -> None:
    with contextlib.suppress(OSError):
        handle = os.open(path, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


class ArchiveConflict(RapportError):
    """Publishing would change what is already published (exit 4)."""

    exit_code = ExitCode.ARCHIVE_CONFLICT
