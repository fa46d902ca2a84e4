"""The rebuild `rapport verify` runs, in a process of its own, for one archived revision.

`python -m rapport.archive.rebuild FOLDER OUTPUT [--html HTML] [--revision N --date YYYY-MM-DD --reason TEXT]`
builds the edition FOLDER like `rapport build` (with --html also the web
edition, into HTML, in the same build), and for a correction passes the
archived correction (rapport.correction) again, which does not come from the
content files. The date of the PDF comes from SOURCE_DATE_EPOCH, as in any build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from rapport.correction import Correction
from rapport.diagnostics import ContentError, ExitCode, RapportError


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m rapport.archive.rebuild")
    parser.add_argument("folder", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--html", type=Path, help="also write the web edition to this file")
    parser.add_argument("--revision", type=int, default=1)
    parser.add_argument("--date", type=dt.date.fromisoformat)
    parser.add_argument("--reason", default="")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from rapport.pipeline import build

    args = _arguments(argv)
    correction = None
    if args.revision > 1 and args.date is not None:
        correction = Correction(args.revision, args.date, args.reason)
    try:
        build(
            args.folder,
            args.output,
            correction=correction,
            formats=("pdf", "html") if args.html else ("pdf",),
            html_target=args.html,
        )
    except ContentError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic.render(), file=sys.stderr)
        return exc.exit_code
    except RapportError as exc:
        print(f"rapport: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
