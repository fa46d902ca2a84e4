"""BagIt (RFC 8493): the tag files written around a payload, and their fixity check.

rapport writes the tag files itself, in a fixed order, so that it controls
exactly what a bag holds; the fixity check is done with the `bagit` package
(the Library of Congress implementation), so a bag is judged by a BagIt tool
that did not write it.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from rapport.diagnostics import Diagnostic, Location

log = logging.getLogger(__name__)

BAGIT_VERSION = "1.0"
ALGORITHM = "sha256"
TAG_FILES = ("bagit.txt", "bag-info.txt", f"manifest-{ALGORITHM}.txt")
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def encode_path(path: str) -> str:
    """A manifest file path: '%', CR and LF percent-encoded (RFC 8493, 2.1.3)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def one_line(value: str) -> str:
    """A bag-info value on one line: runs of white space become one space."""
    return " ".join(value.split())


def payload_files(bag: Path) -> list[str]:
    """Every file under data/, as a POSIX path relative to the bag, sorted."""
    files = []
    for folder, _, names in os.walk(bag / "data"):
        for name in names:
            files.append((Path(folder) / name).relative_to(bag).as_posix())
    return sorted(files)


def write_bag(bag: Path, info: Iterable[tuple[str, str]]) -> int:
    """Write the tag files of the bag whose payload is already under bag/data.

    Returns the number of payload bytes. Files are flushed to disk.
    """
    payload = payload_files(bag)
    manifest = []
    total = 0
    for name in payload:
        path = bag / name
        total += path.stat().st_size
        manifest.append(f"{sha256_file(path)}  {encode_path(name)}\n")
    fields = [*info, ("Payload-Oxum", f"{total}.{len(payload)}")]
    texts = {
        "bagit.txt": f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": "".join(f"{key}: {one_line(value)}\n" for key, value in fields),
        f"manifest-{ALGORITHM}.txt": "".join(manifest),
    }
    tag_manifest = []
    for name in TAG_FILES:
        data = texts[name].encode("utf-8")
        _write(bag / name, data)
        tag_manifest.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
    _write(bag / f"tagmanifest-{ALGORITHM}.txt", "".join(tag_manifest).encode("utf-8"))
    for name in payload:
        _fsync(bag / name)
    return total


def _write(path: Path, data: bytes) -> None:
    with path.open("wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _fsync(path: Path) -> None:
    with path.open("rb") as stream:
        os.fsync(stream.fileno())


def decode_path(path: str) -> str:
    """A file path as written in a manifest, decoded (the reverse of `encode_path`)."""
    return path.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def read_manifest(bag: Path) -> dict[str, str]:
    """The payload manifest: path relative to the bag (e.g. 'data/x.pdf') to its sha256."""
    digests: dict[str, str] = {}
    text = (bag / f"manifest-{ALGORITHM}.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        digest, _, path = line.partition(" ")
        path = path.lstrip(" \t")  # the separator: one or more blanks
        if path:
            digests[decode_path(path)] = digest.lower()
    return digests


def read_bag_info(bag: Path) -> dict[str, str]:
    """The fields of bag-info.txt (a folded line continues with white space)."""
    fields: dict[str, str] = {}
    try:
        text = (bag / "bag-info.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("failed to read %s (%s)", bag / "bag-info.txt", exc)
        return fields
    key = ""
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and key:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            fields[key] = value.strip()
    return fields


def check_fixity(bag: Path) -> tuple[int, list[Diagnostic]]:
    """Validate the bag with the `bagit` package: structure, every checksum, Payload-Oxum.

    Returns the number of files checked and the problems found.
    """
    import bagit

    logging.getLogger("bagit").setLevel(logging.ERROR)  # its findings are reported below
    try:
        opened = bagit.Bag(str(bag))
        opened.validate(processes=1)
    except bagit.BagValidationError as exc:
        problems = [_fixity_problem(bag, detail) for detail in exc.details]
        if not problems:  # bagit stops at a wrong Payload-Oxum without naming any file
            problems = _payload_differences(bag)
        if not problems:
            problems = [Diagnostic(Location(bag), f"the bag is not valid ({exc.message})")]
        return 0, problems
    except bagit.BagError as exc:
        return 0, [
            Diagnostic(
                Location(bag),
                f"failed to read the bag ({exc})",
                "a bag needs bagit.txt, bag-info.txt and a manifest; was a file removed?",
            )
        ]
    files = len(opened.payload_entries()) + len(list(opened.tagfile_entries()))
    return files, []


def _payload_differences(bag: Path) -> list[Diagnostic]:
    """Each payload file missing, added or changed, compared with the manifest."""
    import bagit

    try:
        listed = {p: d for p, d in read_manifest(bag).items() if p.startswith("data/")}
    except (OSError, UnicodeDecodeError):
        return []
    found = set(payload_files(bag))
    details: list[object] = [bagit.FileMissing(p) for p in sorted(set(listed) - found)]
    details += [bagit.UnexpectedFile(p) for p in sorted(found - set(listed))]
    for path in sorted(found & set(listed)):
        actual = sha256_file(bag / path)
        if actual != listed[path]:
            details.append(bagit.ChecksumMismatch(path, ALGORITHM, listed[path], actual))
    return [_fixity_problem(bag, detail) for detail in details]


def _fixity_problem(bag: Path, detail: object) -> Diagnostic:
    import bagit

    path = getattr(detail, "path", "")
    where = Location(bag / path) if path else Location(bag)
    if isinstance(detail, bagit.ChecksumMismatch):
        return Diagnostic(
            where,
            f"checksum mismatch: the file changed since it was published "
            f"(expected {detail.algorithm} {detail.expected}, found {detail.found})",
            "restore the bag from a backup copy; never edit a published bag",
        )
    if isinstance(detail, bagit.FileMissing):
        return Diagnostic(where, "file listed in the manifest is missing", "restore the bag")
    if isinstance(detail, bagit.UnexpectedFile):
        return Diagnostic(
            where,
            "file is not listed in the manifest (it was added after publishing)",
            "remove it; a correction is published as a new revision",
        )
    return Diagnostic(where, f"the bag is not valid ({detail})")
