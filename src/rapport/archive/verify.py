"""`rapport verify`: prove that an archived edition is what its archived sources make.

For each bag: its fixity (every checksum, with the `bagit` package), then a
rebuild from the bag's own sources in a temporary project — fonts from the
project's fonts/, refused unless their sha256 equals the recorded one — in a
separate process, with the recorded build date, and a byte comparison of the
new PDF and web edition with the archived ones. A bag archived before the web
edition was (build record format 1) holds only the PDF; that is checked, with
a note. Nothing in the archive is written.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapport.archive.bag import check_fixity, sha256_file
from rapport.archive.record import (
    READABLE_FORMATS,
    RECORD_NAME,
    edition_files,
    environment_differences,
)
from rapport.archive.store import FONT_HASHES, SOURCES, ArchiveEntry, copy_files, misfiled
from rapport.diagnostics import Diagnostic, Location

log = logging.getLogger(__name__)

REBUILD_TIMEOUT = 600  # seconds


@dataclass
class VerifyReport:
    entry: ArchiveEntry
    files: int = 0
    rebuilt: bool = False
    pdf_sha256: str = ""
    html_sha256: str = ""  # empty: the bag holds no web edition
    seconds: float = 0.0
    problems: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth saying, not wrong

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(entry: ArchiveEntry, root: Path) -> VerifyReport:
    """Check the fixity of one bag, then rebuild its PDF and compare the bytes."""
    started = time.perf_counter()
    report = VerifyReport(entry)
    report.files, report.problems = check_fixity(entry.path)
    if report.problems:
        report.problems.append(
            Diagnostic(
                Location(entry.path),
                "not rebuilt: the bag's fixity check failed, so its sources cannot be trusted",
            )
        )
    else:
        try:
            _rebuild_and_compare(entry.path, root, report)
        except OSError as exc:
            where = Path(exc.filename) if exc.filename else entry.path
            _problem(report, where, f"failed to rebuild the edition ({exc.strerror or exc})")
    if wrong := misfiled(entry) or published_as(entry):
        _problem(
            report,
            entry.path,
            wrong,
            "put the bag back under its own name; never rename or copy a published bag",
        )
    report.seconds = time.perf_counter() - started
    return report


def published_as(entry: ArchiveEntry) -> str:
    """How the edition in the bag (its PDF's name and metadata, its build record) differs
    from its folder's name, or '' when they agree: bag-info.txt alone can be edited to fit."""
    import pikepdf

    pdf_name, _ = edition_files(entry.year)
    pdf = entry.path / "data" / pdf_name
    if not pdf.is_file():
        held = sorted(p.name for p in (entry.path / "data").glob("voortgangsrapport-*.pdf"))
        shown = ", ".join(held) or "no PDF"
        return f"the bag holds {shown}, not {pdf_name}, though its folder is named {entry.name}"
    try:
        with pikepdf.open(pdf) as document:
            version = str(document.open_metadata().get("xmpMM:VersionID", "") or "")
        recorded = read_build_record(entry.path).year
    except (pikepdf.PdfError, OSError, ValueError, KeyError, TypeError):
        return ""  # a damaged PDF or record is reported by the fixity check and the rebuild
    if version != (str(entry.revision) if entry.revision > 1 else ""):
        return f"its PDF is revision {version or 1}, though its folder is named {entry.name}"
    if recorded != entry.year:
        return f"its build record is of {recorded}, though its folder is named {entry.name}"
    return ""


def _problem(report: VerifyReport, where: Path, message: str, hint: str = "") -> None:
    report.problems.append(Diagnostic(Location(where), message, hint))


@dataclass(frozen=True)
class RecordedBuild:
    """What the build record says the rebuild must reproduce."""

    year: int
    folder: str
    epoch: int
    inputs: list[dict[str, Any]]
    correction: list[str]
    pdf: Path
    pdf_sha256: str
    html: Path | None  # None: archived before the web edition was (format 1)
    html_sha256: str
    record: dict[str, Any]  # the whole record, for the environment it names


def read_build_record(bag: Path) -> RecordedBuild:
    """The build record; raises OSError, ValueError, KeyError or TypeError when unreadable."""
    record: dict[str, Any] = json.loads((bag / "data" / RECORD_NAME).read_text(encoding="utf-8"))
    if record.get("format") not in READABLE_FORMATS:
        raise ValueError(f"unknown format '{record.get('format')}'")
    web = record.get("html")  # format 2 always names it; format 1 never
    if web is None and record["format"] != READABLE_FORMATS[0]:
        raise ValueError(f"'{record['format']}' names a web edition, and 'html' is missing")
    return RecordedBuild(
        year=int(record["edition"]["year"]),
        folder=str(record["edition"]["folder"]),
        epoch=int(record["build"]["source_date_epoch"]),
        inputs=list(record["inputs"]),
        correction=_correction_arguments(record),
        pdf=bag / "data" / str(record["pdf"]["file"]),
        pdf_sha256=str(record["pdf"]["sha256"]),
        html=bag / "data" / str(web["file"]) if web is not None else None,
        html_sha256=str(web["sha256"]) if web is not None else "",
        record=record,
    )


def _rebuild_and_compare(bag: Path, root: Path, report: VerifyReport) -> None:
    record_path = bag / "data" / RECORD_NAME
    try:
        recorded = read_build_record(bag)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        _problem(report, record_path, f"failed to read the build record ({exc})")
        return
    if not _archived_match_record(recorded, report):
        return
    if recorded.html is None:
        report.notes.append(
            "this bag has no web edition (it was published before rapport archived one); "
            "the PDF is checked"
        )
    with tempfile.TemporaryDirectory(prefix=f"rapport-verify-{recorded.year}-") as temporary:
        project = Path(temporary)
        if not _prepare_project(bag, root, project, recorded, report):
            return
        rebuilt = _rebuild(bag, project, recorded, report)
        if rebuilt is None:
            return
        report.rebuilt = True
        pdf, html = rebuilt
        hint = _environment_hint(recorded.record)
        old, new = recorded.pdf.read_bytes(), pdf.read_bytes()
        if old != new:
            _problem(report, recorded.pdf, _describe_difference(old, new), hint)
        if recorded.html is not None and html is not None:
            old, new = recorded.html.read_bytes(), html.read_bytes()
            if old != new:
                _problem(report, recorded.html, describe_html_difference(old, new), hint)


def _archived_match_record(recorded: RecordedBuild, report: VerifyReport) -> bool:
    """The archived editions are the files the build record names (by sha256)."""
    report.pdf_sha256 = sha256_file(recorded.pdf)
    if report.pdf_sha256 != recorded.pdf_sha256:
        _problem(report, recorded.pdf, "the PDF's sha256 differs from the one in the build record")
        return False
    if recorded.html is None:
        return True
    if not recorded.html.is_file():
        _problem(
            report,
            recorded.html,
            "the web edition named in the build record is missing",
            "restore the bag from a backup copy; never edit a published bag",
        )
        return False
    report.html_sha256 = sha256_file(recorded.html)
    if report.html_sha256 != recorded.html_sha256:
        _problem(
            report,
            recorded.html,
            "the web edition's sha256 differs from the one in the build record",
        )
        return False
    return True


def _prepare_project(
    bag: Path, root: Path, project: Path, recorded: RecordedBuild, report: VerifyReport
) -> bool:
    """Copy the bag's sources and the recorded fonts into a temporary project."""
    sources = bag / "data" / SOURCES
    copy_files(sources, project)  # the bag is read-only; the copy must not be
    (project / FONT_HASHES).unlink(missing_ok=True)
    for item in recorded.inputs:
        if not item.get("archived", True) and not _copy_font(item, root, project, report):
            return False
    for item in recorded.inputs:
        if item.get("archived", True):
            copied = project / item["path"]
            if not copied.is_file() or sha256_file(copied) != item["sha256"]:
                _problem(
                    report,
                    sources / item["path"],
                    "the archived source is missing or differs from the build record",
                )
                return False
    return True


def _rebuild(
    bag: Path,
    project: Path,
    recorded: RecordedBuild,
    report: VerifyReport,
) -> tuple[Path, Path | None] | None:
    """Build the editions the bag holds, in a process of its own; None when that failed."""
    pdf = project / "rebuilt.pdf"
    html = project / "rebuilt.html" if recorded.html is not None else None
    web = ["--html", str(html)] if html is not None else []
    environment = {**os.environ, "SOURCE_DATE_EPOCH": str(recorded.epoch)}
    log.info("rebuilding %s from its archived sources", bag.name)
    command = [sys.executable, "-m", f"{__package__}.rebuild", recorded.folder, str(pdf)]
    try:
        result = subprocess.run(
            [*command, *web, *recorded.correction],
            cwd=project,
            env=environment,
            capture_output=True,
            text=True,
            timeout=REBUILD_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        _problem(report, bag, f"failed to rebuild: the build took over {REBUILD_TIMEOUT} s")
        return None
    missing = not pdf.is_file() or (html is not None and not html.is_file())
    if result.returncode != 0 or missing:
        tail = " | ".join(result.stderr.strip().splitlines()[-6:])
        _problem(
            report,
            bag,
            f"failed to rebuild the edition from its archived sources (exit {result.returncode}: {tail})",
            _environment_hint(recorded.record),
        )
        return None
    return pdf, html


def _correction_arguments(record: dict[str, Any]) -> list[str]:
    """The archived correction, passed to the rebuild: its PDF says that it is one.

    Bags made before corrections were printed in the PDF have none, and are
    rebuilt without.
    """
    correction = record.get("correction")
    if not isinstance(correction, dict):
        return []
    return [
        f"--revision={int(correction['revision'])}",
        f"--date={correction['date']}",
        f"--reason={correction['reason']}",
    ]


def _copy_font(item: dict[str, Any], root: Path, project: Path, report: VerifyReport) -> bool:
    """Copy a recorded font from the project's fonts/; it must be the very same file."""
    source = root / item["path"]
    if not source.is_file():
        _problem(
            report,
            source,
            "failed to rebuild: the font the edition was made with is missing",
            f"restore {item['path']} (sha256 {item['sha256']}) into the project",
        )
        return False
    found = sha256_file(source)
    if found != item["sha256"]:
        _problem(
            report,
            source,
            f"failed to rebuild: the font differs from the one the edition was made with "
            f"(recorded sha256 {item['sha256']}, found {found})",
            f"restore the recorded version of {item['path']}; see {FONT_HASHES} in the bag",
        )
        return False
    destination = project / item["path"]
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
    return True


def _describe_difference(archived: bytes, rebuilt: bytes) -> str:
    """Where the rebuilt PDF departs from the archived one, as precisely as can be told."""
    offset = next(
        (i for i, (a, b) in enumerate(zip(archived, rebuilt, strict=False)) if a != b),
        min(len(archived), len(rebuilt)),
    )
    text = (
        f"the rebuilt PDF differs from the archived one: {len(rebuilt)} bytes rebuilt, "
        f"{len(archived)} archived, first difference at byte {offset}"
    )
    details = _structural_difference(archived, rebuilt)
    return f"{text} ({details})" if details else text


_SHOWN = 60  # characters of a differing line shown, around the first difference


def describe_html_difference(archived: bytes, rebuilt: bytes) -> str:
    """Where the rebuilt web edition departs from the archived one: the first differing
    line, both versions of it shortened to the part around the difference."""
    old = archived.decode("utf-8", errors="replace").split("\n")
    new = rebuilt.decode("utf-8", errors="replace").split("\n")
    text = (
        f"the rebuilt web edition differs from the archived one: {len(rebuilt)} bytes rebuilt, "
        f"{len(archived)} archived"
    )
    number = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
        min(len(old), len(new)),
    )
    if number >= min(len(old), len(new)):  # the same lines as far as the shorter goes
        longer = "rebuilt" if len(new) > len(old) else "archived"
        return f"{text}; the {longer} one has more lines, from line {number + 1} on"
    line_old, line_new = old[number], new[number]
    column = next(
        (i for i, (a, b) in enumerate(zip(line_old, line_new, strict=False)) if a != b),
        min(len(line_old), len(line_new)),
    )
    return (
        f"{text}; first difference on line {number + 1}, column {column + 1}: "
        f"archived {_excerpt(line_old, column)}, rebuilt {_excerpt(line_new, column)}"
    )


def _excerpt(line: str, column: int) -> str:
    """The part of a line around `column`, quoted, with … where it was shortened."""
    start = max(0, column - _SHOWN // 3)
    end = start + _SHOWN
    shown = line[start:end]
    return repr(("…" if start else "") + shown + ("…" if end < len(line) else ""))


def _structural_difference(archived: bytes, rebuilt: bytes) -> str:
    import io

    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(archived)) as old, pikepdf.open(io.BytesIO(rebuilt)) as new:
            parts = []
            if len(old.pages) != len(new.pages):
                parts.append(f"{len(new.pages)} pages rebuilt, {len(old.pages)} archived")
            pages = [
                str(number)
                for number, (a, b) in enumerate(zip(old.pages, new.pages, strict=False), 1)
                if _page_content(a) != _page_content(b)
            ]
            if pages:
                parts.append("page content differs on page " + ", ".join(pages[:10]))
            keys = sorted(set(old.docinfo.keys()) | set(new.docinfo.keys()))
            changed = [k for k in keys if str(old.docinfo.get(k)) != str(new.docinfo.get(k))]
            if changed:
                parts.append("document information differs: " + ", ".join(changed))
            old_xmp = old.Root.Metadata.read_bytes() if "/Metadata" in old.Root else b""
            new_xmp = new.Root.Metadata.read_bytes() if "/Metadata" in new.Root else b""
            if old_xmp != new_xmp:
                parts.append("XMP metadata differs")
            if not parts:
                parts.append("same pages and metadata; fonts, images or file structure differ")
            return "; ".join(parts)
    except Exception as exc:  # a damaged PDF is described, not a crash
        return f"one of the PDFs cannot be read: {exc}"


def _page_content(page: Any) -> bytes:
    import pikepdf

    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    streams = [contents] if isinstance(contents, pikepdf.Stream) else list(contents)
    return b"".join(stream.read_bytes() for stream in streams)


def _environment_hint(record: dict[str, Any]) -> str:
    differences = environment_differences(record)
    if not differences:
        return (
            "the libraries are the recorded versions; a difference in rapport's own code "
            "or a system library may explain it"
        )
    shown = "; ".join(differences[:8])
    more = f" and {len(differences) - 8} more" if len(differences) > 8 else ""
    return (
        f"this environment differs from the one that published the edition ({shown}{more}); "
        "install the locked versions with `make` (requirements.lock) and verify again"
    )
