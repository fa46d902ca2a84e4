"""`rapport publish`: build an edition from a copy of its sources and store it write-once.

Everything happens in a hidden folder inside archive/ (archive/.2023.partial-…):
the sources are copied into the bag, the PDF and the web edition are built
from a copy of exactly those sources, the PDF checked for PDF/A-2b, both
described in a build record, wrapped in a
BagIt bag and checked with the `bagit` package. Only then is the bag renamed
to archive/2023 in one step, so an interrupted publish leaves no half bag.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapport.archive.bag import check_fixity, sha256_file, write_bag
from rapport.archive.drift import archived_sources, staged_sources
from rapport.archive.record import (
    RECORD_FORMAT,
    RECORD_NAME,
    dependency_versions,
    edition_files,
    epoch_of,
    iso_moment,
    lock_entry,
    runtime,
)
from rapport.archive.store import (
    FONT_HASHES,
    PARTIAL,
    SOURCES,
    ArchiveConflict,
    bag_name,
    fsync_folder,
    locked,
    make_read_only,
    remove_partials,
    remove_tree,
)
from rapport.content.model import Edition
from rapport.correction import Correction
from rapport.diagnostics import (
    ContentError,
    Diagnostic,
    ExitCode,
    FileSystemError,
    RapportError,
    UsageError,
)
from rapport.inputs import Input, collect_inputs
from rapport.paths import ARCHIVE_DIR
from rapport.pipeline import Checked, build_moment, load_and_check

log = logging.getLogger(__name__)

Confirm = Callable[["Summary"], bool]


class PublishError(RapportError):
    """The edition was built but is not fit for the archive (exit 1)."""

    exit_code = ExitCode.CONTENT


@dataclass(frozen=True)
class Summary:
    """What a publish is about to archive, shown before it asks for confirmation."""

    year: int
    revision: int
    title: str
    bag: str  # the folder it goes to: '2023', '2023-r2'
    pages: int
    chapters: tuple[str, ...]
    pdf_bytes: int
    html_bytes: int  # the web edition
    files: int
    size: int  # bytes in the whole bag
    warnings: tuple[Diagnostic, ...]
    date: dt.date  # of the PDF: the publication date, or the day of a correction
    corrects: str | None = None  # the folder of the revision a correction replaces
    reason: str = ""

    def lines(self) -> list[str]:
        """The summary as aligned lines, e.g. '  pages      14'."""
        rows = [("edition", f"{self.year}, revision {self.revision}: {self.title}")]
        if self.corrects is not None:
            rows += [("corrects", f"{ARCHIVE_DIR}/{self.corrects}"), ("reason", self.reason)]
        rows += [("date", self.date.isoformat()), ("pages", str(self.pages))]
        rows += [
            ("chapters" if number == 1 else "", f"{number}. {title}")
            for number, title in enumerate(self.chapters, 1)
        ]
        rows.append(
            (
                "size",
                f"PDF {_kilobytes(self.pdf_bytes)}, web edition {_kilobytes(self.html_bytes)}; "
                f"bag of {self.files} files, "
                f"{_kilobytes(self.size)}",
            )
        )
        rows.append(("warnings", str(len(self.warnings)) if self.warnings else "none"))
        text = [f"  {label:<10} {value}" for label, value in rows]
        for warning in self.warnings:
            text += ["    " + line for line in warning.render(excerpt=True).splitlines()]
        return text


def _kilobytes(size: int) -> str:
    return f"{size / 1000:.0f} kB"


@dataclass(frozen=True)
class PublishReport:
    summary: Summary
    bag: Path | None  # None: nothing was archived (a dry run, or not confirmed)
    pdf_sha256: str
    seconds: float

    @property
    def published(self) -> bool:
        return self.bag is not None


def publish(
    root: Path,
    year: int,
    revision: int = 1,
    reason: str = "",
    *,
    confirm: Confirm | None = None,
    dry_run: bool = False,
) -> PublishReport:
    """Publish content/YEAR of the project at `root` as revision `revision`.

    Everything is built, checked and sealed first; then `confirm` sees the
    summary and decides (None: publish). A dry run stops before that and
    archives nothing.
    """
    started = time.perf_counter()
    reason = _checked_arguments(year, revision, reason)
    edition_dir = root / "content" / str(year)
    if not edition_dir.is_dir():
        raise UsageError(
            f"failed to publish {year}: there is no edition folder content/{year}\n"
            "  hint: publish is run in the project folder; the year names a folder under content/"
        )
    archive = root / ARCHIVE_DIR
    job = _Job(root, archive, year, revision, reason, started)
    if dry_run and not archive.is_dir():
        # nothing is archived yet: a dry run stages elsewhere, so as not to create archive/
        with tempfile.TemporaryDirectory(prefix="rapport-dry-run-") as elsewhere:
            return job.run(Path(elsewhere), None, dry_run=True)
    with locked(archive):
        _refuse_conflicts(archive, year, revision)
        for leftover in remove_partials(archive):
            log.info("removed %s/%s, left by an interrupted publish", ARCHIVE_DIR, leftover)
        return job.run(archive, confirm, dry_run=dry_run)


def _is_control(character: str) -> bool:
    """A control character other than a tab or a line break, which a shell may pass."""
    return unicodedata.category(character) == "Cc" and character not in "\t\n\r"


def _checked_arguments(year: int, revision: int, reason: str) -> str:
    """The reason on one line; refuses a revision without a reason and a reason without one,
    and control characters in it (the PDF/A text and the bag's record could not hold them)."""
    control = next((c for c in reason if _is_control(c)), None)
    if control is not None:
        raise UsageError(
            f"--reason contains the control character U+{ord(control):04X}\n"
            "  hint: type the reason again as plain text, on one line"
        )
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
    return reason


@dataclass(frozen=True)
class _Job:
    root: Path
    archive: Path
    year: int
    revision: int
    reason: str
    started: float

    @property
    def name(self) -> str:
        return bag_name(self.year, self.revision)

    def run(self, staging_parent: Path, confirm: Confirm | None, *, dry_run: bool) -> PublishReport:
        if dry_run:
            _refuse_conflicts(self.archive, self.year, self.revision)
        log.info(
            "publishing %s revision %d into %s/%s", self.year, self.revision, ARCHIVE_DIR, self.name
        )
        checked = load_and_check(self.root / "content" / str(self.year), draft=False)
        edition = checked.edition
        if edition.year != self.year:
            raise UsageError(
                f"failed to publish {self.year}: content/{self.year}/edition.yaml says year {edition.year}\n"
                "  hint: correct the year in edition.yaml or the folder name"
            )
        _refuse_unfinished(checked)
        inputs = collect_inputs(edition, checked.theme, self.root)
        moment = _moment(edition, self.revision)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{self.name}{PARTIAL}", dir=staging_parent))
        except OSError as exc:
            raise FileSystemError(
                f"failed to publish {self.year}: cannot write in {ARCHIVE_DIR}/ ({exc.strerror or exc})"
            ) from None
        try:
            return self._in(staging, checked, inputs, moment, confirm, dry_run=dry_run)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise FileSystemError(
                f"failed to publish {self.year} ({where}{exc.strerror or exc})\n"
                f"  hint: nothing was archived; {ARCHIVE_DIR}/{self.name} does not exist"
            ) from None
        finally:
            try:
                remove_tree(staging)
            except OSError as exc:
                log.warning("failed to remove %s (%s)", staging, exc.strerror or exc)

    def _in(
        self,
        staging: Path,
        checked: Checked,
        inputs: list[Input],
        moment: dt.datetime,
        confirm: Confirm | None,
        *,
        dry_run: bool,
    ) -> PublishReport:
        """Stage, build and seal the bag in `staging`; rename it into place when confirmed."""
        bag = staging / "bag"
        _copy_sources(self.root, staging, bag, inputs)
        if self.revision > 1:
            _refuse_unchanged(self.archive, bag, self.year, self.revision)
        correction = (
            Correction(self.revision, moment.date(), self.reason) if self.revision > 1 else None
        )
        record = _build_and_record(
            self.root, staging, bag, inputs, checked.edition, moment, correction
        )
        files, size = _seal(bag, record, self.reason, self.year, self.revision)
        summary = Summary(
            year=self.year,
            revision=self.revision,
            title=checked.edition.title,
            bag=self.name,
            pages=record["pdf"]["pages"],
            chapters=tuple(chapter.title for chapter in checked.edition.chapters),
            pdf_bytes=record["pdf"]["bytes"],
            html_bytes=record["html"]["bytes"],
            files=files,
            size=size,
            warnings=tuple(checked.warnings),
            date=moment.date(),
            corrects=record["corrects"],
            reason=self.reason,
        )
        sha = record["pdf"]["sha256"]
        if dry_run or (confirm is not None and not confirm(summary)):
            return PublishReport(summary, None, sha, time.perf_counter() - self.started)
        make_read_only(bag)
        target = self.archive / self.name
        try:
            os.rename(bag, target)
        except OSError:
            if target.exists():
                raise ArchiveConflict(
                    f"failed to publish {self.year}: {ARCHIVE_DIR}/{self.name} appeared while publishing"
                ) from None
            raise
        fsync_folder(self.archive)
        return PublishReport(summary, target, sha, time.perf_counter() - self.started)


def _moment(edition: Edition, revision: int) -> dt.datetime:
    """The PDF's date: the publication date for revision 1, the day of a correction after.

    SOURCE_DATE_EPOCH, when set, pins either. The build record keeps it, so
    that verify rebuilds with the very same date.
    """
    if revision == 1 or os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return build_moment(edition)
    return dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time())


def _refuse_unfinished(checked: Checked) -> None:
    """Nothing left out and nothing waiting: files that were ignored, sections to review.

    Both are errors of the content already (a published edition is never a
    draft); this is the last guard before the archive, which is for ever.
    """
    if checked.draft:
        raise PublishError("failed to publish: a draft is never published")
    problems = [
        Diagnostic(
            warning.location,
            "failed to publish: this file is ignored, so the archived edition would lack it",
            "name a chapter file NN-name.yaml (e.g. 05-nieuwe-diensten.yaml), or move "
            "the file out of the edition's folder",
        )
        for warning in checked.warnings
        if _IGNORED in warning.message
    ]
    problems += [
        Diagnostic(
            section.location,
            f"failed to publish: section '{section.title}' is still marked for review",
            "update its text for this year, then remove 'review: true'",
        )
        for chapter in checked.edition.chapters
        for section in chapter.sections
        if section.review
    ]
    if problems:
        raise ContentError(problems)


_IGNORED = "is ignored"  # the wording of load.chapter_files' warning about other .yaml files


def _refuse_unchanged(archive: Path, bag: Path, year: int, revision: int) -> None:
    """A correction whose sources equal the previous revision's would change nothing."""
    earlier = bag_name(year, revision - 1)
    before = archived_sources(archive / earlier)
    now = staged_sources(bag / "data" / SOURCES)
    if before == now:
        raise ArchiveConflict(
            f"failed to publish revision {revision} of {year}: nothing changed since "
            f"{ARCHIVE_DIR}/{earlier}: the sources are identical\n"
            "  hint: edit the content, then publish the correction"
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


def _copy_sources(root: Path, staging: Path, bag: Path, inputs: list[Input]) -> None:
    """Copy the sources into the bag, and from there into a work folder to build from."""
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


def _build_and_record(
    root: Path,
    staging: Path,
    bag: Path,
    inputs: list[Input],
    edition: Edition,
    moment: dt.datetime,
    correction: Correction | None,
) -> dict[str, Any]:
    """Build both editions from the work copy of the sources, check the PDF, write the record."""
    from rapport.pipeline import build

    year = edition.year
    revision = correction.revision if correction else 1
    work = staging / "work"
    # taken before the build: rapport's code digest names the code the build runs
    environment, dependencies = runtime(), dependency_versions()
    log.info("building the PDF and the web edition from the copied sources")
    report = build(
        work / "content" / str(year),
        work / "out.pdf",
        correction=correction,
        moment=moment,
        formats=("pdf", "html"),
        html_target=work / "out.html",
    )
    pdf_name, html_name = edition_files(year)
    pdf = bag / "data" / pdf_name
    shutil.copyfile(report.pdf, pdf)
    pdfa = _check_pdfa(pdf)
    html = bag / "data" / html_name
    if report.html is None:  # build() writes it when asked; a guard, not a user's mistake
        raise RapportError("failed to publish: the build wrote no web edition")
    shutil.copyfile(report.html, html)

    record: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "edition": {
            "year": year,
            "revision": revision,
            "title": edition.title,
            "subtitle": edition.subtitle,
            "organisation": edition.organisation,
            "language": edition.language,
            "published": edition.published.isoformat() if edition.published else None,
            "folder": f"content/{year}",
        },
        "reason": correction.reason if correction else None,
        "corrects": bag_name(year, revision - 1) if correction else None,
        "correction": (
            {
                "revision": correction.revision,
                "date": correction.date.isoformat(),
                "reason": correction.reason,
                "line": correction.line(edition.language),
            }
            if correction
            else None
        ),
        "pdf": {
            "file": pdf_name,
            "sha256": sha256_file(pdf),
            "bytes": pdf.stat().st_size,
            "pages": report.pages,
            "pdfa": pdfa,
        },
        "html": {"file": html_name, "sha256": sha256_file(html), "bytes": html.stat().st_size},
        "build": {
            "date": iso_moment(moment),
            "source_date_epoch": epoch_of(moment),
            "command": f"rapport build content/{year} (SOURCE_DATE_EPOCH={epoch_of(moment)})",
        },
        "runtime": environment,
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
    from rapport.pdf.pdfa_check import check_pdfa

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
    from rapport import __version__

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
        ("Rapport-HTML", f"data/{record['html']['file']}"),
        ("Rapport-HTML-SHA256", record["html"]["sha256"]),
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
