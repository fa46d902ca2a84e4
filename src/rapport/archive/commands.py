"""The archive's subcommands of `rapport`: publish, verify and list.

Kept here so that cli.py only registers them and hands them over.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapport.diagnostics import ExitCode, UsageError, display_path
from rapport.paths import ARCHIVE_DIR

if TYPE_CHECKING:
    from rapport.archive.publish import Summary
    from rapport.archive.store import ArchiveEntry

ARCHIVE_COMMANDS = ("publish", "verify", "list")

log = logging.getLogger("rapport")


def year_argument(text: str) -> int:
    """A year on the command line (`rapport new 2024`, `rapport publish 2023`)."""
    from rapport.content.vocabulary import YEAR

    if not (len(text) == 4 and text.isdigit() and YEAR.low <= int(text) <= YEAR.high):
        raise argparse.ArgumentTypeError(f"'{text}' is not a year such as 2024")
    return int(text)


def _revision(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a revision number (1, 2, 3, …)")
    return int(text)


def add_archive_commands(
    commands: argparse._SubParsersAction[Any],
    common: argparse.ArgumentParser,
) -> None:
    """Register `publish`, `verify` and `list` on the `rapport` command."""
    publish = commands.add_parser(
        "publish",
        parents=[common],
        help="build both editions and store them write-once in archive/YEAR (a BagIt bag)",
    )
    publish.add_argument(
        "year",
        type=year_argument,
        metavar="YEAR",
        help="the edition's year: content/YEAR is published",
    )
    publish.add_argument(
        "--revision",
        type=_revision,
        default=1,
        metavar="N",
        help="publish a correction as revision N (2, 3, …), stored beside the earlier ones",
    )
    publish.add_argument(
        "--reason", default="", help="what the correction changes (required with --revision)"
    )
    publish.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="publish without asking for confirmation (for scripts)",
    )
    publish.add_argument(
        "--dry-run",
        action="store_true",
        help="build and check everything and show what would be archived; archive nothing",
    )
    verify = commands.add_parser(
        "verify",
        parents=[common],
        help="check the fixity of archived editions and rebuild them byte for byte",
    )
    verify.add_argument(
        "which",
        nargs="?",
        metavar="YEAR",
        help="a year (all its revisions) or one revision such as 2023-r2 (default: all)",
    )
    verify.add_argument("--all", action="store_true", help="verify every archived edition")
    commands.add_parser(
        "list",
        parents=[common],
        help="print the archive: year, revision, dates, pages, web edition, sha256, title",
    )


def run_archive_command(args: argparse.Namespace) -> int:
    root = Path(".")  # the project folder; paths in messages stay short
    if args.command == "publish":
        return _publish(root, args)
    if args.command == "verify":
        return _verify(root, args)
    return _list(root)


def _publish(root: Path, args: argparse.Namespace) -> int:
    from rapport.archive.publish import publish

    if not (args.yes or args.dry_run or _interactive()):
        raise UsageError(
            f"failed to publish {args.year}: publishing asks for confirmation, and there is "
            "no terminal to ask on\n"
            f"  hint: to publish from a script, pass --yes: {_command(args)} --yes "
            "(--dry-run shows what would be archived)"
        )
    quiet = getattr(args, "quiet", False)

    def confirm(summary: Summary) -> bool:
        if not (quiet and args.yes):  # a question always comes with what it is about
            _show(summary, f"about to publish content/{args.year} as")
        return bool(args.yes) or _ask(summary)

    report = publish(
        root, args.year, args.revision, args.reason, confirm=confirm, dry_run=args.dry_run
    )
    summary = report.summary
    if args.dry_run:
        _show(summary, f"dry run: publishing content/{args.year} would make")
        print(
            f"rapport: dry run: nothing was written to {ARCHIVE_DIR}/; publish with "
            f"`{_command(args)}`",
            file=sys.stderr,
        )
        return ExitCode.OK
    if report.bag is None:
        print(f"rapport: not published; {ARCHIVE_DIR}/ is unchanged", file=sys.stderr)
        return ExitCode.OK
    log.info(
        "published %d revision %d: %d pages, PDF sha256 %s; bag of %d files, %.0f kB, %.2f s",
        summary.year,
        summary.revision,
        summary.pages,
        report.pdf_sha256,
        summary.files,
        summary.size / 1000,
        report.seconds,
    )
    print(display_path(report.bag))
    return ExitCode.OK


def _interactive() -> bool:
    """Whether there is a person at a terminal to answer the question."""
    return sys.stdin is not None and sys.stdin.isatty()


def _command(args: argparse.Namespace) -> str:
    """The publish command as typed, without --yes and --dry-run, to repeat in a hint."""
    text = f"rapport publish {args.year}"
    if args.revision > 1:
        reason = " ".join(args.reason.split()).replace('"', "'")
        text += f' --revision {args.revision} --reason "{reason}"'
    return text


def _show(summary: Summary, heading: str) -> None:
    """The summary on the error output: standard output keeps only the bag's path."""
    print(f"rapport: {heading} {ARCHIVE_DIR}/{summary.bag}:", file=sys.stderr)
    for line in summary.lines():
        print(line, file=sys.stderr)


def _ask(summary: Summary) -> bool:
    """Ask on the terminal; only 'y' or 'yes' (or 'j', 'ja') publishes."""
    if not _interactive():
        return False
    question = (
        f"Publish {summary.year} revision {summary.revision} to {ARCHIVE_DIR}/{summary.bag}? "
        "This cannot be undone. [y/N] "
    )
    print(question, end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if not answer:  # end of input: no answer is no
        print(file=sys.stderr)
    return answer.strip().lower() in ("y", "yes", "j", "ja")


def _verify(root: Path, args: argparse.Namespace) -> int:
    from rapport.archive.store import select
    from rapport.archive.verify import verify

    if args.which is not None and args.all:
        raise UsageError("give a YEAR or --all, not both")
    archive = root / ARCHIVE_DIR
    if not archive.is_dir():
        raise UsageError(
            f"there is no {ARCHIVE_DIR}/ folder here ({display_path(root)})\n"
            "  hint: run verify in the project folder; `rapport publish YEAR` creates the archive"
        )
    chosen = select(archive, args.which)
    if not chosen:
        log.info("the archive is empty: nothing to verify")
        return ExitCode.OK
    failed = 0
    for entry in chosen:
        report = verify(entry, root)
        for note in report.notes:
            print(f"{display_path(entry.path)}: note: {note}", file=sys.stderr)
        if report.ok:
            web = f", web edition sha256 {report.html_sha256}" if report.html_sha256 else ""
            print(
                f"{display_path(entry.path)}: ok (fixity of {report.files} files; rebuilt "
                f"byte-identical, PDF sha256 {report.pdf_sha256}{web}; {report.seconds:.1f} s)"
            )
            continue
        failed += 1
        for problem in report.problems:
            print(problem.render(), file=sys.stderr)
    if failed:
        print(
            f"rapport: failed to verify {failed} of {len(chosen)} archived edition(s)",
            file=sys.stderr,
        )
        return ExitCode.CONTENT
    return ExitCode.OK


def _list(root: Path) -> int:
    from rapport.archive.store import entries, misfiled

    found = entries(root / ARCHIVE_DIR)
    if not found:
        log.info("the archive is empty (publish an edition with `rapport publish YEAR`)")
        return ExitCode.OK
    print(
        f"{'YEAR':<4}  {'REV':>3}  {'PUBLISHED':<10}  {'ARCHIVED':<10}  {'PAGES':>5}  "
        f"{'WEB':<3}  {'SHA256':<64}  TITLE"
    )
    for entry in found:
        print(
            f"{entry.year:<4}  {entry.revision:>3}  {entry.field('Rapport-Published'):<10}  "
            f"{entry.field('Bagging-Date'):<10}  {entry.field('Rapport-Pages'):>5}  "
            f"{_has_web_edition(entry):<3}  "
            f"{entry.field('Rapport-PDF-SHA256'):<64}  {entry.field('Rapport-Title')}"
        )
        if "Rapport-Reason" in entry.info:
            print(f"{'':11}correction: {entry.info['Rapport-Reason']}")
        if wrong := misfiled(entry):
            print(f"{'':11}misfiled: {wrong}")
            print(f"{ARCHIVE_DIR}/{entry.name}: warning: {wrong}", file=sys.stderr)
    return ExitCode.OK


def _has_web_edition(entry: ArchiveEntry) -> str:
    """'yes' when the bag holds the web edition (bags published before it was archived do not)."""
    return "yes" if "Rapport-HTML" in entry.info else "no"
