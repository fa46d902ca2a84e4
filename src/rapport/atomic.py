"""Writing a file so that it appears whole or not at all."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a unique temporary file beside `path`, then rename it over `path`.

    Concurrent writers (a `watch` and a `make` at once) never see or leave a
    half-written file: each renames its own complete copy into place. The file
    keeps the mode it had; a new one gets the mode the umask gives (0644 under
    the usual umask 022), as a file made by `open` would, not mkstemp's 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = _mode_of(path)
    handle, temporary = _create_beside(path)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        if kept is not None:
            os.chmod(temporary, kept)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _mode_of(path: Path) -> int | None:
    """The mode `path` has now; None for a file that does not exist yet."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return None


_CREATE = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
)


def _create_beside(path: Path) -> tuple[int, Path]:
    """A new, empty file of a unique name beside `path`, made as `open` makes one.

    Mode 0666 is asked for, so the operating system applies the user's umask (or,
    on Windows, its own rules) to it, as to any file the user saves.
    """
    for _ in range(100):
        temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.part"
        try:
            return os.open(temporary, _CREATE, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def publish_file(temporary: Path, target: Path) -> None:
    """Rename a complete `temporary` file over `target`, durably: its bytes and then the
    rename reach the disk, so that a crash leaves the old file or the new one. Readable
    by all (0644), as a file to publish is."""
    with temporary.open("rb") as stream:
        os.fsync(stream.fileno())
    temporary.chmod(0o644)
    os.replace(temporary, target)
    with contextlib.suppress(OSError):
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
