"""Where a project keeps what the build reads and makes, relative to the project folder.

Two rules keep a build to its own project: everything it reads lies inside the
project folder once links are followed (`link_outside`), and what it writes
never lands on something it reads (`check_output`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rapport.diagnostics import FileSystemError, UsageError, display_path

if TYPE_CHECKING:  # for the annotation only: paths stays free of the model at run time
    from rapport.content.model import Edition

SRGB_PROFILE = Path(__file__).resolve().parent / "data" / "sRGB.icc"  # shipped with rapport
CACHE_DIR = Path(
    ".cache"
)  # rapport.cache: charts, hyphenation, font checks; safe to delete at any time
OUTPUT_DIR = Path("build")
THEME_FILE = Path("theme") / "theme.yaml"
ARCHIVE_DIR = Path("archive")  # published editions, write-once: never delete or edit
REQUIREMENTS_LOCK = Path("requirements.lock")  # exact versions and hashes of every dependency

# The folders a build reads from, or that must never change: no output goes there.
INPUT_FOLDERS = {
    "content": "the editions' text and facts",
    "images": "the report's images",
    "fonts": "the report's fonts",
    "theme": "the report's theme",
    "archive": "the published editions, never to be changed",
}


def project_of(edition_dir: Path) -> Path:
    """The project folder of an edition folder content/<year>, two levels up.

    Found from the path as written, not from where a linked edition folder
    leads: a link must not move the project (and what it may read) elsewhere.
    """
    return Path(os.path.abspath(edition_dir)).parent.parent.resolve()


def project_root(edition: Edition) -> Path:
    """The folder holding content/, images/, fonts/ and theme/ of a loaded edition."""
    return edition.directory.resolve().parent.parent


def link_outside(path: Path, root: Path) -> Path | None:
    """Where `path` really is when a link leads it out of `root`; None when it stays inside.

    A path that cannot be resolved (a link loop) is None too: reading it fails
    and is reported in the reader's own words.
    """
    try:
        real = path.resolve()
        inside = real.is_relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        return None
    return None if inside else real


def check_output(target: Path, root: Path, suffixes: tuple[str, ...], example: Path) -> None:
    """Refuse, before any work, an output that is a folder, would replace a file of the
    project's sources or archive, or has another extension than `suffixes`.

    `example` is a good output to name in the message, such as the default one.
    """
    shown = display_path(target)
    advice = f"e.g. {display_path(example)}"
    if _is_folder(target):
        raise UsageError(
            f"failed to write '{shown}' (it is a folder; name the file to write, {advice})"
        )
    for folder, holds in INPUT_FOLDERS.items():
        if _lands_in(target, root / folder):
            raise UsageError(
                f"failed to write '{shown}' (it is inside {folder}/, which holds {holds};"
                f" write it elsewhere, {advice})"
            )
    same = _same_file_in_inputs(target, root)
    if same is not None:
        raise UsageError(
            f"failed to write '{shown}' (it is the same file as {display_path(same)},"
            f" which must not change; write it elsewhere, {advice})"
        )
    if target.suffix.lower() not in suffixes:
        endings = " or ".join(suffixes)
        raise UsageError(
            f"failed to write '{shown}' (the file's name must end in {endings}, {advice})"
        )


def _is_folder(target: Path) -> bool:
    try:
        return target.is_dir()
    except (OSError, ValueError):
        return False


def _lands_in(target: Path, folder: Path) -> bool:
    """Whether writing `target` would change something under `folder`: the name itself
    (a link is replaced, not followed) or, for a link, what it leads to."""
    try:
        real_folder = folder.resolve()
        if folder.parent.resolve().is_relative_to(real_folder):
            return False  # a link to the project or above it: refused when reading
        named = target.absolute().parent.resolve() / target.name
        followed = target.resolve()
    except (OSError, ValueError, RuntimeError):  # a link loop: reported when writing
        return False
    return named.is_relative_to(real_folder) or followed.is_relative_to(real_folder)


def _same_file_in_inputs(target: Path, root: Path) -> Path | None:
    """The input that `target` is a second name of (a hard link), if any."""
    try:
        info = target.stat()
    except (OSError, ValueError, RuntimeError):
        return None  # no such file yet: nothing to overwrite
    if not stat.S_ISREG(info.st_mode) or info.st_nlink < 2:
        return None  # a file with one name is no other file
    for path in _input_files(root):
        try:
            other = path.stat()
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino):
            return path
    return None


def _input_files(root: Path) -> Iterator[Path]:
    for folder in INPUT_FOLDERS:
        for parent, _folders, files in os.walk(root / folder):
            for name in files:
                yield Path(parent) / name


def check_cache(root: Path) -> None:
    """The cache is read and written by every build: it must not lead out of the project."""
    elsewhere = link_outside(root / CACHE_DIR, root)
    if elsewhere is not None:
        raise FileSystemError(
            f"failed to use {CACHE_DIR}/ (a link leads it to {elsewhere}, outside the project"
            f" folder); delete the link: {CACHE_DIR}/ is made again"
        )
