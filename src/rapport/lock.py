"""One build of a PDF at a time: an advisory lock beside the output.

Two builds writing the same PDF at once (a `make` while a `watch` runs, two
terminals) would each publish a complete file, but the second would silently
replace the first, and each would work on temporary files the other sees.
The lock file `.NAME.pdf.lock` next to the PDF serialises them: a second build
waits up to `RAPPORT_LOCK_WAIT` seconds (default 60) for the first to finish,
then gives up with exit status 3 without touching the first one's output.

The lock is `flock` on the lock file, released by the kernel when the holder
ends, however it ends (even killed). The holder removes the lock file while it
still holds the lock; a waiter that then locks the removed file notices that
the path now names another file (or none) and tries again, so two builds can
never both hold "the" lock.

While it holds the lock a build also removes the temporary files that killed
builds of the same PDF left behind (`.NAME.pdf.XXXXXXXX.part`): no build of
that PDF is running, so they are nobody's work in progress.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from rapport.diagnostics import FileSystemError, display_path

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system: builds are not serialised
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

DEFAULT_WAIT_SECONDS = 60.0
_POLL_SECONDS = 0.1


def lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


def wait_seconds() -> float:
    """How long a build waits for another build of the same PDF: RAPPORT_LOCK_WAIT, or 60 s."""
    try:
        return max(0.0, float(os.environ.get("RAPPORT_LOCK_WAIT", DEFAULT_WAIT_SECONDS)))
    except ValueError:
        return DEFAULT_WAIT_SECONDS


@contextlib.contextmanager
def output_lock(target: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the lock of `target` for the body; FileSystemError when it cannot be had."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    _refuse_special(target)
    wait = wait_seconds() if wait is None else wait
    path = lock_path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileSystemError(
            f"failed to write {display_path(target)} ({exc.strerror or exc})"
        ) from None
    handle = _acquire(path, target, time.monotonic() + wait, wait)
    try:
        _remove_stale_temporaries(target)
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # still locked: a waiter that locks the removed file tries again
        if handle is not None:
            os.close(handle)


def _refuse_special(target: Path) -> None:
    """A PDF never replaces a device, a pipe or a socket (as root, `-o /dev/null` would)."""
    try:
        mode = target.lstat().st_mode  # a link is replaced itself, never followed
    except OSError:
        return  # no such file yet, or a folder that is not one: reported when writing
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISDIR(mode)):
        raise FileSystemError(
            f"failed to write {display_path(target)} (it is a device, a pipe or a socket, "
            "not a file)"
        )


def _acquire(path: Path, target: Path, deadline: float, wait: float) -> int | None:
    announced = False
    while True:
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise FileSystemError(
                f"failed to write {display_path(target)} ({exc.strerror or exc})"
            ) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            if time.monotonic() >= deadline:
                raise FileSystemError(
                    f"failed to write {display_path(target)} (another build of it is still running after "
                    f"{wait:g} s; try again when it has finished)"
                ) from None
            if not announced:
                log.info("waiting for another build of %s to finish", display_path(target))
                announced = True
            time.sleep(_POLL_SECONDS)
            continue
        except OSError as exc:  # a file system without locks (some network shares)
            os.close(handle)
            log.warning("cannot lock %s (%s); building without a lock", path, exc.strerror)
            return None
        if _still_named(handle, path):
            return handle
        os.close(handle)  # the previous holder removed the file after we opened it


def _still_named(handle: int, path: Path) -> bool:
    try:
        named = path.stat()
    except OSError:
        return False
    held = os.fstat(handle)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _remove_stale_temporaries(target: Path) -> None:
    pattern = re.compile(re.escape(f".{target.name}.") + r"[A-Za-z0-9_]{8}\.part")
    with contextlib.suppress(OSError):
        for entry in target.parent.iterdir():
            if pattern.fullmatch(entry.name):
                log.debug("removing %s, left by an interrupted build", entry)
                with contextlib.suppress(OSError):
                    entry.unlink()
