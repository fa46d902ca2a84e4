"""The project's one cache: what a build can compute again, kept in `.cache/` to be faster.

Every entry is keyed by its inputs and by the versions of the code that makes
it: the libraries of its kind and a digest of rapport's own files, so that an
upgrade or a change of the code never reuses what older code made (there is no
version to raise by hand). An entry is one JSON file, `.cache/<kind>/<key>.json`,
written whole or not at all:

    {"key":"…","kind":"charts","sha256":"…","versions":{…},"value":…}

It names its kind and key, and the sha256 of its value's text, which comes
last so that checking it needs no second spelling of the value. An entry that
does not read back exactly so (damaged, cut short, changed, copied from
elsewhere, of the wrong shape) is made again, never trusted. Deleting
`.cache/` at any time costs only time.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rapport.atomic import write_atomically
from rapport.diagnostics import display_path
from rapport.paths import CACHE_DIR

log = logging.getLogger(__name__)

T = TypeVar("T")
KEY_LENGTH = 32  # hex digits of sha256: a short file name, collisions still out of reach
_VALUE = b',"value":'  # what parts an entry's header from its value
_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Kind:
    """One kind of cached thing: its folder under `.cache/` and the libraries that make it."""

    name: str
    libraries: tuple[str, ...]


CHARTS = Kind("charts", ("matplotlib", "numpy", "babel"))  # babel: the numbers on the axes
HYPHENATION = Kind("hyphenation", ("pyphen",))  # pyphen ships the dictionaries
FONTS = Kind("fonts", ("reportlab",))  # reportlab reads the fonts it embeds
PDFA = Kind("pdfa", ("page-validation", "pikepdf"))  # the validator judges the finished PDF
WEBFONTS = Kind("webfonts", ("fontTools", "brotli"))  # the web edition's font subsets
# how far each chapter's spacing is tightened to save its last page (layout/pages.py):
# reportlab measures the text, pyphen breaks its words
LAYOUT = Kind("layout", ("reportlab", "pyphen"))
# where each justified paragraph breaks (layout/plans.py): the same libraries
LINES = Kind("lines", ("reportlab", "pyphen"))
# the finished PDF, reused by a build from the very same files (pdf/reuse.py): everything
# that draws or finishes it
PDF = Kind("pdf", ("reportlab", "pyphen", "matplotlib", "numpy", "babel", "pillow", "pikepdf"))
KINDS = (
    CHARTS,
    HYPHENATION,
    FONTS,
    PDFA,
    LAYOUT,
    LINES,
    PDF,
)  # what a PDF build makes (test_cache.py)
# images and icons as checked and as the web edition embeds them (Pillow is not imported
# for one already known); made only for an edition that shows images or icons
IMAGES = Kind("images", ("pillow",))


class Damaged(ValueError):
    """Why an entry on disk is not to be trusted."""


@dataclass(frozen=True)
class Cache:
    """The cache folder of one project."""

    folder: Path

    @classmethod
    def of_project(cls, root: Path) -> Cache:
        return cls(root / CACHE_DIR)

    def path(self, kind: Kind, inputs: Mapping[str, Any]) -> Path:
        return self.folder / kind.name / f"{entry_key(kind, inputs)}.json"

    def read(self, kind: Kind, inputs: Mapping[str, Any], decode: Callable[[bytes], T]) -> T | None:
        """The cached value made from `inputs`, or None when there is none to trust.

        `decode` turns the value's JSON text back into the thing, raising
        ValueError or TypeError for anything that is not what was written.
        """
        key = entry_key(kind, inputs)
        path = self.folder / kind.name / f"{key}.json"
        try:
            data = path.read_bytes()
        except OSError:  # not made yet, or unreadable: making it again replaces it
            return None
        try:
            return decode(_value_of(data, kind, key))
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, Damaged) else f"not what was written: {exc}"
            log.warning(
                "making %s again: the cached copy is damaged (%s)", display_path(path), reason
            )
            return None

    def write(self, kind: Kind, inputs: Mapping[str, Any], value: bytes) -> None:
        """Store `value`, JSON text, as made from `inputs`; OSError if it cannot be."""
        key = entry_key(kind, inputs)
        header = {"kind": kind.name, "key": key, "versions": versions(kind)}
        header["sha256"] = _digest(value)
        entry = json_text(header)[:-1] + _VALUE + value + b"}"
        write_atomically(self.folder / kind.name / f"{key}.json", entry)


def entry_key(kind: Kind, inputs: Mapping[str, Any]) -> str:
    """The key of what `inputs` make with today's code: a change of either is a new key."""
    keyed = {"kind": kind.name, "inputs": inputs, "versions": versions(kind)}
    return _digest(json_text(keyed))[:KEY_LENGTH]


def _value_of(data: bytes, kind: Kind, key: str) -> bytes:
    """The text of the value an entry holds, once it proves to be whole and this very entry."""
    split = data.find(_VALUE)
    try:
        header = json.loads(data[:split] + b"}") if split > 0 else None
    except (ValueError, RecursionError):
        header = None
    if not isinstance(header, dict) or not {"kind", "key", "sha256"} <= header.keys():
        raise Damaged("not a cache entry")
    if header["kind"] != kind.name or header["key"] != key:
        raise Damaged("it belongs to another entry")
    value = data[split + len(_VALUE) : -1]
    if not data.endswith(b"}") or header["sha256"] != _digest(value):
        raise Damaged("it was changed or cut short")
    return value


def json_text(value: Any) -> bytes:
    """One spelling of a JSON value, so that equal values have equal digests."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def versions(kind: Kind) -> dict[str, str]:
    """The versions of the code that makes an entry of `kind`."""
    found = {library: installed_version(library) for library in kind.libraries}
    return found | {"rapport": source_digest()}


@functools.cache
def source_digest(package: Path = _PACKAGE) -> str:
    """sha256 over rapport's own files, code and data: any change of the code is a new key.

    Read once per process: the package is under a megabyte, and reading it all
    costs a few milliseconds, no more than comparing times and sizes would.
    """
    digest = hashlib.sha256()
    for path in _package_files(package):
        digest.update(path.encode() + b"\0")
        with open(package / path, "rb") as stream:
            digest.update(hashlib.sha256(stream.read()).digest())
    return digest.hexdigest()


def _package_files(package: Path) -> list[str]:
    """The package's files relative to it, in a fixed order, without compiled code."""
    found = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        relative = Path(folder).relative_to(package)
        found += [(relative / name).as_posix() for name in files if not name.endswith(".pyc")]
    return sorted(found)


_IMPORTED_AS = {"pillow": "PIL", "page-validation": "page"}  # imported under another name


@functools.cache
def installed_version(package: str) -> str:
    """The installed version of `package`, read from its dist-info folder's name.

    Neither imports the package nor importlib.metadata (whose import alone
    costs a build more than drawing a chart from the cache).
    """
    spec = importlib.util.find_spec(_IMPORTED_AS.get(package, package))
    if spec is not None and spec.origin is not None:
        site = os.path.dirname(spec.origin)  # a one-file module (brotli.py) lies in site-packages
        if spec.submodule_search_locations is not None:  # a package: its folder does
            site = os.path.dirname(site)
        # fontTools is installed as fonttools-4.68.0.dist-info, page-validation as page_validation-…
        prefix = f"{package.lower().replace('-', '_')}-"
        found = [
            name
            for name in _folder_names(site)
            if name.lower().startswith(prefix) and name.endswith(".dist-info")
        ]
        if len(found) == 1:
            return found[0][len(prefix) :].removesuffix(".dist-info")
    from importlib.metadata import version  # an unusual installation: ask the slow way

    return version(package)


@functools.cache
def _folder_names(folder: str) -> tuple[str, ...]:
    """What site-packages holds, listed once for every library looked up in it."""
    return tuple(os.listdir(folder))


_file_digests: dict[tuple[Path, int, int], str] = {}


def file_digest(path: Path) -> str:
    """sha256 of a file's content, read once per process while its size and time stay."""
    info = path.stat()
    stamp = (path, info.st_size, info.st_mtime_ns)
    if stamp not in _file_digests:
        _file_digests[stamp] = _digest(path.read_bytes())
    return _file_digests[stamp]
