"""Files read before in this process, not read again while their bytes stay the same.

`rapport watch` and the preview load the edition again after every save, though
usually one file changed. A chapter or facts file is therefore remembered by
its path, its bytes and what else its reading depends on (the facts a chapter
refers to, the draft setting, the year); the problems found in it are kept
with it and reported again, and its source text is registered again for the
lines problems show. Only regular files inside the project, of the size
read_yaml reads, are looked at beforehand: a pipe would block, a link may
lead outside; read_yaml reads or refuses those with its reason.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from rapport.content import sources
from rapport.content.yamlsource import MAX_FILE_BYTES
from rapport.diagnostics import Diagnostic, Problems

T = TypeVar("T")
KEPT = 200  # files remembered; all are forgotten when there are more
_read: dict[tuple[Hashable, ...], Read[Any]] = {}


@dataclass(frozen=True)
class Read(Generic[T]):
    """What reading a file gave, and the problems found in it."""

    value: T
    problems: tuple[Diagnostic, ...]


def read_once(
    path: Path,
    project: Path,
    context: tuple[Hashable, ...],
    read: Callable[[Problems], T],
    keep: Callable[[T, Problems], bool],
) -> Read[T]:
    """`read(problems)` of the file at `path`, or what it gave before for the same bytes
    and `context`; what it gives is remembered when `keep(value, problems)` says so and
    the file did not change while it was read."""
    before = _plain_bytes(path, project)
    where = (os.path.abspath(path), os.path.abspath(project))  # the same names elsewhere differ
    key = (read.__qualname__, path, *where, before, *context)
    if before is not None and (known := _read.get(key)) is not None:
        sources.remember(path, before.decode("utf-8-sig"))  # for the lines problems show
        return known
    found = Problems()
    result = Read(read(found), tuple(found.items))
    if before is not None and keep(result.value, found) and _plain_bytes(path, project) == before:
        if len(_read) >= KEPT:
            _read.clear()
        _read[key] = result
    return result


def _plain_bytes(path: Path, project: Path) -> bytes | None:
    try:
        if not path.resolve().is_relative_to(project.resolve()):
            return None
        status = path.stat()
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_FILE_BYTES:
            return None
        return path.read_bytes()
    except (OSError, RuntimeError):  # RuntimeError: a link loop
        return None
