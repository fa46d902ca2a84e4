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
                os.fchmod(stream.fileno(), kept)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _mode_of(path: Path) -> int | None:
    """The permissions `path` has now; None when there is no such file yet."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return None


_NAME_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"


def _create_beside(path: Path) -> tuple[int, Path]:
    """A new, uniquely named `.NAME.XXXXXXXX.part` beside `path`, made with mode 0666 less the umask."""
    for _ in range(100):
        name = "".join(secrets.choice(_NAME_LETTERS) for _ in range(8))  # as mkstemp names them
        temporary = path.parent / f".{path.name}.{name}.part"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no unused temporary name beside {path}")


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
