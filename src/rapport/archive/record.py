"""The build record: what made an archived PDF, so that it can be made again.

It names every input with its sha256 (content files, images, theme, fonts),
the pinned build date, the rapport version, the exact version of every
dependency, the Python and zlib versions (the PDF's compressed streams depend
on zlib), and the lock file with its sha256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import sys
import zlib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from rapport import __version__
from rapport.archive.bag import sha256_file
from rapport.paths import REQUIREMENTS_LOCK

RECORD_FORMAT = "rapport build record 2"  # 2: the web edition is archived beside the PDF
# Every format verify can read. A format-1 record (and its bag) has no web edition.
READABLE_FORMATS = ("rapport build record 1", RECORD_FORMAT)
RECORD_NAME = "build-record.json"


def edition_files(year: int) -> tuple[str, str]:
    """The archived editions' file names under data/: the PDF and the web edition."""
    stem = f"voortgangsrapport-{year}"
    return f"{stem}.pdf", f"{stem}.html"


def dependency_versions(name: str = "rapport") -> dict[str, str]:
    """The installed version of every package `name` needs to run, transitively."""
    versions: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    pending: list[tuple[str, frozenset[str]]] = [(name, frozenset())]
    environment = {k: str(v) for k, v in default_environment().items()}
    while pending:
        current, extras = pending.pop()
        try:
            dist = distribution(current)
        except PackageNotFoundError:
            versions.setdefault(canonicalize_name(current), "not installed")
            continue
        key = canonicalize_name(dist.metadata["Name"])
        if key != canonicalize_name(name):
            versions[key] = dist.version
        for extra in {"", *extras}:
            if (key, extra) in seen:
                continue
            seen.add((key, extra))
            for text in dist.requires or []:
                requirement = Requirement(text)
                marker = requirement.marker
                if marker is not None and not marker.evaluate({**environment, "extra": extra}):
                    continue
                if marker is None and extra:
                    continue  # already taken with the empty extra
                pending.append((requirement.name, frozenset(requirement.extras)))
    return dict(sorted(versions.items()))


def read_lock(path: Path) -> dict[str, str]:
    """The pins of a lock file (`name==version` lines; hashes and comments skipped)."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip().rstrip("\\").strip()
        if not text or text.startswith("-"):
            continue
        requirement, _, version = text.partition("==")
        if version:
            name = canonicalize_name(requirement.split("[", 1)[0].strip())
            pins[name] = version.split(";", 1)[0].split()[0]
    return pins


def lock_differences(pins: dict[str, str], installed: dict[str, str]) -> list[str]:
    """How the installed dependencies differ from the lock file's pins."""
    differences = []
    for name, version in installed.items():
        locked = pins.get(name)
        if locked is None:
            differences.append(f"{name} {version} is installed but not in the lock file")
        elif locked != version:
            differences.append(f"{name}: locked {locked}, installed {version}")
    return differences


def lock_entry(root: Path, installed: dict[str, str]) -> dict[str, Any] | None:
    path = root / REQUIREMENTS_LOCK
    if not path.is_file():
        return None
    differences = lock_differences(read_lock(path), installed)
    return {
        "file": REQUIREMENTS_LOCK.as_posix(),
        "sha256": sha256_file(path),
        "installed_as_locked": not differences,
        "differences": differences,
    }


def runtime() -> dict[str, str]:
    """What besides the Python packages decides the bytes of the PDF."""
    import pikepdf

    return {
        "rapport": __version__,
        "rapport_code": code_digest(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "zlib": zlib.ZLIB_RUNTIME_VERSION,
        "qpdf": str(pikepdf.__libqpdf_version__),
        "platform": f"{sys.platform} {platform.machine()}",
    }


def code_digest() -> str:
    """sha256 over rapport's own files (code and data), to tell code changes within a version."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def iso_moment(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.UTC).isoformat()


def epoch_of(moment: dt.datetime) -> int:
    return int(moment.replace(tzinfo=dt.UTC).timestamp())


def environment_differences(record: dict[str, Any]) -> list[str]:
    """How this environment differs from the one that made the archived PDF."""
    differences = []
    then = record.get("runtime", {})
    for key, value in runtime().items():
        if key != "platform" and then.get(key) not in (None, value):
            differences.append(f"{key}: archived with {then[key]}, now {value}")
    before: dict[str, str] = record.get("dependencies", {})
    now = dependency_versions()
    for name in sorted(set(before) | set(now)):
        if before.get(name) != now.get(name):
            was, is_ = before.get(name, "absent"), now.get(name, "absent")
            differences.append(f"{name}: archived with {was}, now {is_}")
    return differences
