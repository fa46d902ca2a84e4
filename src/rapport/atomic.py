"""Writing a file so that it appears whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to a unique temporary file beside `path`, then rename it over `path`.

    Concurrent writers (a `watch` and a `make` at once) never see or leave a
    half-written file: each renames its own complete copy into place.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
