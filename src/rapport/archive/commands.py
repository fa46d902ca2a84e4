"""The archive's subcommands of `rapport`: publish, verify and list.

Kept here so that cli.py only registers them and hands them over.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from ..diagnostics import ExitCode, UsageError, display_path
from ..paths import ARCHIVE_DIR

ARCHIVE_COMMANDS = ("publish", "verify", "list")

log = logging.getLogger("rapport")


def _year(text: str) -> int:
    if len(text) != 4 or not text.isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a year such as 2023")
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
        help="build an edition and store it write-once in archive/YEAR (a BagIt bag)",
    )
    publish.add_argument(
        "year", type=_year, metavar="YEAR", help="the edition's year: content/YEAR is published"
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
        help="print the archive: year, revision, title, pages, sha256, publication date",
    )


def run_archive_command(args: argparse.Namespace) -> int:
    root = Path(".")  # the project folder; paths in messages stay short
    if args.command == "publish":
        return _publish(root, args)
    if args.command == "verify":
        return _verify(root, args)
    return _list(root)


def _publish(root: Path, args: argparse.Namespace) -> int:
    from .publish import publish

    report = publish(root, args.year, args.revision, args.reason)
    for warning in report.warnings:
        print(warning.render(), file=sys.stderr)
    log.info(
        "published %d revision %d: %d pages, PDF sha256 %s; bag of %d files, %.0f kB, %.2f s",
        report.year,
        report.revision,
        report.pages,
        report.pdf_sha256,
        report.files,
        report.size / 1000,
        report.seconds,
    )
    print(display_path(report.bag))
    return ExitCode.OK


def _verify(root: Path, args: argparse.Namespace) -> int:
    from .store import select
    from .verify import verify

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
        if report.ok:
            print(
                f"{display_path(entry.path)}: ok (fixity of {report.files} files; rebuilt "
                f"byte-identical, sha256 {report.pdf_sha256}; {report.seconds:.1f} s)"
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
    from .store import entries

    found = entries(root / ARCHIVE_DIR)
    if not found:
        log.info("the archive is empty (publish an edition with `rapport publish YEAR`)")
        return ExitCode.OK
    print(
        f"{'YEAR':<4}  {'REV':>3}  {'PUBLISHED':<10}  {'ARCHIVED':<10}  {'PAGES':>5}  "
        f"{'SHA256':<64}  TITLE"
    )
    for entry in found:
        print(
            f"{entry.year:<4}  {entry.revision:>3}  {entry.field('Rapport-Published'):<10}  "
            f"{entry.field('Bagging-Date'):<10}  {entry.field('Rapport-Pages'):>5}  "
            f"{entry.field('Rapport-PDF-SHA256'):<64}  {entry.field('Rapport-Title')}"
        )
        if "Rapport-Reason" in entry.info:
            print(f"{'':11}correction: {entry.info['Rapport-Reason']}")
    return ExitCode.OK
