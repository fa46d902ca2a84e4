"""`rapport publish`: build an edition from a copy of its sources and store it write-once.

Everything happens in a hidden folder inside archive/ (archive/.2023.partial-…):
the sources are copied into the bag, the PDF is built from a copy of exactly
those sources, checked for PDF/A-2b, described in a build record, wrapped in a
BagIt bag and checked with the `bagit` package. Only then is the bag renamed
to archive/2023 in one step, so an interrupted publish leaves no half bag.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, ExitCode, FileSystemError, RapportError, UsageError
from ..model import Edition
from ..paths import ARCHIVE_DIR
from ..pipeline import build_moment, load_and_check
from .bag import check_fixity, read_bag_info, sha256_file, write_bag
from .record import (
    FONT_HASHES,
    RECORD_FORMAT,
    RECORD_NAME,
    SOURCES,
    Input,
    collect_inputs,
    dependency_versions,
    epoch_of,
    iso_moment,
    lock_entry,
    runtime,
)
from .store import (
    PARTIAL,
    ArchiveConflict,
    bag_name,
    fsync_folder,
    locked,
    make_read_only,
    remove_partials,
    remove_tree,
)

log = logging.getLogger(__name__)


class PublishError(RapportError):
    """The edition was built but is not fit for the archive (exit 1)."""

    exit_code = ExitCode.CONTENT


@dataclass(frozen=True)
class PublishReport:
    bag: Path
    year: int
    revision: int
    pdf_sha256: str
    pages: int
    files: int
    size: int  # bytes in the whole bag
    seconds: float
    warnings: list[Diagnostic]


def publish(root: Path, year: int, revision: int = 1, reason: str = "") -> PublishReport:
    """Publish content/YEAR of the project at `root` as revision `revision`."""
    started = time.perf_counter()
    reason = " ".join(reason.split())
    if revision < 1:
        raise UsageError(f"--revision must be 1 or more, not {revision}")
    if revision > 1 and not reason:
        raise UsageError(
            f"failed to publish revision {revision} of {year}: a correction needs a reason\n"
            f'  hint: rapport publish {year} --revision {revision} --reason "what was corrected"'
        )
    if revision == 1 and reason:
        raise UsageError(
            "--reason belongs to a correction (a new revision)\n"
            f'  hint: rapport publish {year} --revision 2 --reason "{reason}"'
        )
    edition_dir = root / "content" / str(year)
    if not edition_dir.is_dir():
        raise UsageError(
            f"failed to publish {year}: there is no edition folder content/{year}\n"
            "  hint: publish is run in the project folder; the year names a folder under content/"
        )
    archive = root / ARCHIVE_DIR
    name = bag_name(year, revision)
    with locked(archive):
        _refuse_conflicts(archive, year, revision)
        for leftover in remove_partials(archive):
            log.info("removed %s/%s, left by an interrupted publish", ARCHIVE_DIR, leftover)
        log.info("publishing %s revision %d into %s/%s", year, revision, ARCHIVE_DIR, name)
        checked = load_and_check(edition_dir)
        if checked.edition.year != year:
            raise UsageError(
                f"failed to publish {year}: content/{year}/edition.yaml says year {checked.edition.year}\n"
                "  hint: correct the year in edition.yaml or the folder name"
            )
        inputs = collect_inputs(checked.edition, checked.theme, root)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{name}{PARTIAL}", dir=archive))
        except OSError as exc:
            raise FileSystemError(
                f"failed to publish {year}: cannot write in {ARCHIVE_DIR}/ ({exc.strerror or exc})"
            ) from None
        try:
            bag = staging / "bag"
            record = _stage(root, staging, bag, inputs, checked.edition, revision, reason)
            files, size = _seal(bag, record, reason, year, revision)
            _compare_with_previous(archive, record, year, revision)
            make_read_only(bag)
            target = archive / name
            try:
                os.rename(bag, target)
            except OSError:
                if target.exists():
                    raise ArchiveConflict(
                        f"failed to publish {year}: {ARCHIVE_DIR}/{name} appeared while publishing"
                    ) from None
                raise
            fsync_folder(archive)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise FileSystemError(
                f"failed to publish {year} ({where}{exc.strerror or exc})\n"
                f"  hint: nothing was archived; {ARCHIVE_DIR}/{name} does not exist"
            ) from None
        finally:
            try:
                remove_tree(staging)
            except OSError as exc:
                log.warning("failed to remove %s (%s)", staging, exc.strerror or exc)
    return PublishReport(
        target,
        year,
        revision,
        record["pdf"]["sha256"],
        record["pdf"]["pages"],
        files,
        size,
        time.perf_counter() - started,
        checked.warnings,
    )


def _compare_with_previous(archive: Path, record: dict[str, Any], year: int, revision: int) -> None:
    if revision == 1:
        return
    earlier = bag_name(year, revision - 1)
    if read_bag_info(archive / earlier).get("Rapport-PDF-SHA256") == record["pdf"]["sha256"]:
        log.warning(
            "revision %d has the same PDF as %s/%s: the correction changes no byte of the report",
            revision,
            ARCHIVE_DIR,
            earlier,
        )


def _refuse_conflicts(archive: Path, year: int, revision: int) -> None:
    name = bag_name(year, revision)
    if (archive / name).exists():
        later = revision + 1
        while (archive / bag_name(year, later)).exists():
            later += 1
        raise ArchiveConflict(
            f"failed to publish {year}: revision {revision} is already published in "
            f"{ARCHIVE_DIR}/{name}, and a published edition is never replaced\n"
            f"  hint: publish a correction as a new revision: rapport publish {year} "
            f'--revision {later} --reason "what was corrected"'
        )
    if revision > 1 and not (archive / bag_name(year, revision - 1)).exists():
        raise UsageError(
            f"failed to publish revision {revision} of {year}: revision {revision - 1} "
            f"is not published (no {ARCHIVE_DIR}/{bag_name(year, revision - 1)})\n"
            "  hint: revisions are numbered without gaps; `rapport list` shows the archive"
        )


def _stage(
    root: Path,
    staging: Path,
    bag: Path,
    inputs: list[Input],
    edition: Edition,
    revision: int,
    reason: str,
) -> dict[str, Any]:
    """Copy the sources into the bag, build the PDF from a copy of them, write the record."""
    from ..pipeline import build

    year = edition.year
    sources = bag / "data" / SOURCES
    work = staging / "work"
    for item in inputs:
        destination = (sources if item.archived else work) / item.path
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / item.path, destination)
    font_hashes = {item.path: sha256_file(work / item.path) for item in inputs if not item.archived}
    (sources / FONT_HASHES).write_text(
        "".join(f"{digest}  {path}\n" for path, digest in font_hashes.items()), encoding="utf-8"
    )
    for item in inputs:
        if item.archived:
            destination = work / item.path
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sources / item.path, destination)

    log.info("building the PDF from the copied sources")
    moment = build_moment(edition)
    report = build(work / "content" / str(year), work / "out.pdf")
    pdf_name = f"voortgangsrapport-{year}.pdf"
    pdf = bag / "data" / pdf_name
    shutil.copyfile(report.pdf, pdf)
    pdfa = _check_pdfa(pdf)

    dependencies = dependency_versions()
    record: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "edition": {
            "year": year,
            "revision": revision,
            "title": edition.title,
            "subtitle": edition.subtitle,
            "organisation": edition.organisation,
            "language": edition.language,
            "published": edition.published.isoformat(),
            "folder": f"content/{year}",
        },
        "reason": reason or None,
        "corrects": bag_name(year, revision - 1) if revision > 1 else None,
        "pdf": {
            "file": pdf_name,
            "sha256": sha256_file(pdf),
            "bytes": pdf.stat().st_size,
            "pages": report.pages,
            "pdfa": pdfa,
        },
        "build": {
            "date": iso_moment(moment),
            "source_date_epoch": epoch_of(moment),
            "command": f"rapport build content/{year} (SOURCE_DATE_EPOCH={epoch_of(moment)})",
        },
        "runtime": runtime(),
        "dependencies": dependencies,
        "lock": lock_entry(root, dependencies),
        "inputs": [
            {
                "path": item.path,
                "role": item.role,
                "sha256": sha256_file(work / item.path),
                "bytes": (work / item.path).stat().st_size,
                "archived": item.archived,
            }
            for item in inputs
        ],
    }
    if record["lock"] is None:
        log.warning(
            "no %s in the project: the build record cannot name locked versions "
            "(hint: run `make lock`)",
            "requirements.lock",
        )
    elif record["lock"]["differences"]:
        log.warning(
            "the installed libraries differ from requirements.lock (%s); "
            "hint: run `make` to install the locked versions",
            "; ".join(record["lock"]["differences"]),
        )
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    (bag / "data" / RECORD_NAME).write_text(text, encoding="utf-8")
    return record


def _check_pdfa(pdf: Path) -> dict[str, Any]:
    """Validate the PDF with pikepdf's PDF/A checker; refuse to archive a failure."""
    from ..pdfa_check import check_pdfa

    result = check_pdfa(pdf)
    if not result.passed:
        raise PublishError(
            f"failed to publish: the PDF does not conform to {result.checked} "
            f"({len(result.findings)} finding(s): " + "; ".join(result.findings[:5]) + ")\n"
            "  hint: this is most often an image in an unusual colour space (CMYK); "
            "save images as sRGB PNG or JPEG"
        )
    return {
        "declared": result.declared,
        "checked": result.checked,
        "checked_with": result.validator,
        "verdict": "pass",
        "findings": result.findings,
    }


def _seal(
    bag: Path, record: dict[str, Any], reason: str, year: int, revision: int
) -> tuple[int, int]:
    """Write the BagIt tag files and check the bag; returns (files, bytes of the bag)."""
    from .. import __version__

    edition = record["edition"]
    info = [
        ("Source-Organization", edition["organisation"]),
        ("External-Description", f"{edition['title']} {year}"),
        ("External-Identifier", f"voortgangsrapport-{bag_name(year, revision)}"),
        ("Bag-Group-Identifier", f"voortgangsrapport-{year}"),
        ("Bagging-Date", time.strftime("%Y-%m-%d", time.gmtime())),
        ("Bag-Software-Agent", f"rapport {__version__}"),
        ("Rapport-Year", str(year)),
        ("Rapport-Revision", str(revision)),
        ("Rapport-Title", edition["title"]),
        ("Rapport-Published", edition["published"]),
        ("Rapport-Pages", str(record["pdf"]["pages"])),
        ("Rapport-PDF", f"data/{record['pdf']['file']}"),
        ("Rapport-PDF-SHA256", record["pdf"]["sha256"]),
        ("Rapport-Build-Date", record["build"]["date"]),
    ]
    if reason:
        info += [("Rapport-Corrects", str(record["corrects"])), ("Rapport-Reason", reason)]
    write_bag(bag, info)
    files, problems = check_fixity(bag)
    if problems:
        raise RapportError(
            "failed to publish: the new bag does not validate ("
            + "; ".join(p.render() for p in problems)
            + ")"
        )
    size = sum(path.stat().st_size for path in bag.rglob("*") if path.is_file())
    fsync_folder(bag)
    return files, size
