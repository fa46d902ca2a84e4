"""The `rapport` command: build, check and schema, with documented exit statuses.

0 ok · 1 content errors · 2 usage · 3 file system · 4 archive conflict · 70 internal error.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, NoReturn

from rapport import __version__
from rapport.archive.commands import (
    ARCHIVE_COMMANDS,
    add_archive_commands,
    run_archive_command,
    year_argument,
)
from rapport.diagnostics import (
    ContentError,
    Diagnostic,
    ExitCode,
    RapportError,
    UsageError,
    display_path,
    plural,
    todo_summary,
)

ISSUES_URL = "the rapport maintainers (README.md, 'Reporting a bug')"
# `rapport build --to …`: the formats each choice writes
TARGETS: dict[str, tuple[Literal["pdf", "html"], ...]] = {
    "pdf": ("pdf",),
    "html": ("html",),
    "all": ("pdf", "html"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"rapport: error: {message}", file=sys.stderr)
        raise SystemExit(ExitCode.USAGE)


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print only problems"
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print details of every stage",
    )
    parser = _Parser(
        prog="rapport",
        description="Typeset a yearly progress report from content files.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"rapport {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    build = commands.add_parser("build", parents=[common], help="build the PDF of an edition")
    build.add_argument(
        "edition", nargs="?", type=Path, help="edition folder (default: the newest under content/)"
    )
    build.add_argument(
        "-o", "--output", type=Path, help="PDF to write (default: build/voortgangsrapport-YEAR.pdf)"
    )
    build.add_argument(
        "--draft",
        action="store_true",
        help="build even with facts still to fill in or sections to review; marks every page",
    )
    build.add_argument(
        "--to",
        choices=tuple(TARGETS),
        default="pdf",
        help="what to write: the PDF (default), the web edition (one HTML file), or both",
    )
    build.add_argument(
        "--html-output",
        type=Path,
        metavar="HTML",
        help="web edition to write (default: the PDF's path with .html,"
        " build/voortgangsrapport-YEAR.html)",
    )
    check = commands.add_parser(
        "check", parents=[common], help="validate an edition without rendering; list every problem"
    )
    check.add_argument(
        "edition", nargs="?", type=Path, help="edition folder (default: the newest under content/)"
    )
    check.add_argument(
        "--all",
        action="store_true",
        dest="every_todo",
        help="list every fact still to fill in and every part to review, not only their count",
    )
    watch = commands.add_parser(
        "watch",
        aliases=["preview"],  # `rapport preview` is `rapport watch --serve`
        parents=[common],
        help="rebuild the PDF whenever a content, image or theme file is saved",
    )
    watch.add_argument(
        "edition", nargs="?", type=Path, help="edition folder (default: the newest under content/)"
    )
    watch.add_argument("-o", "--output", type=Path, help="PDF to write")
    watch.add_argument(
        "--serve",
        action="store_true",
        help="also build the HTML edition and show it at http://127.0.0.1:PORT/, reloading on save",
    )
    watch.add_argument(
        "--port", type=port_argument, help="the preview's port (default 8023; 0: any free one)"
    )
    new = commands.add_parser(
        "new", parents=[common], help="start next year's edition from the newest one"
    )
    new.add_argument("year", type=year_argument, help="the year of the new edition, e.g. 2024")
    new.add_argument(
        "--from",
        dest="source",
        type=Path,
        metavar="EDITION_DIR",
        help="start from this edition (default: the year before) and compare numbers with it",
    )
    inspect = commands.add_parser(
        "inspect", parents=[common], help="show a built PDF's structure tree and check its tagging"
    )
    inspect.add_argument("pdf", type=Path, help="the PDF to inspect")
    inspect.add_argument(
        "--tags", action="store_true", help="print the structure tree as an outline"
    )
    inspect.add_argument(
        "--typography",
        action="store_true",
        help="measure the typesetting instead: word-space stretch, hyphens, kerning, quotes",
    )
    commands.add_parser("schema", help="print the JSON Schema of content files")
    _add_facts_commands(commands, common)
    add_archive_commands(commands, common)
    return parser


def _setup_logging(quiet: bool, verbose: bool) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("rapport: %(message)s"))
    root = logging.getLogger("rapport")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def print_diagnostics(diagnostics: Sequence[Diagnostic], *, every_todo: bool = False) -> None:
    """Mistakes one by one; what a new edition still has to be given, as one summary line.

    A new edition has dozens of facts to fill in and sections to review: listed
    one by one they would bury the one real mistake, so they are counted
    instead (`rapport check --all` lists them).
    """
    for diagnostic in diagnostics:
        if every_todo or not diagnostic.todo:
            print(diagnostic.render(excerpt=True), file=sys.stderr)
    summary = todo_summary(diagnostics)
    if summary and not every_todo:
        print(
            f"rapport: still to do: {summary} ('rapport check --all' lists them)",
            file=sys.stderr,
        )


def _edition_dir(argument: Path | None, command: str = "build") -> Path:
    from rapport.pipeline import choose_edition

    return choose_edition(argument, command)


def _new(year: int, source: Path | None) -> int:
    from rapport.content.scaffold import new_edition

    made = new_edition(Path("content"), year, source)
    folder = display_path(made.directory)
    print(folder)
    print(
        f"rapport: started {folder} from {display_path(made.source)}:"
        f" {plural(made.facts_to_fill, 'fact')} to fill in in {folder}/facts.yaml"
        f" ({made.facts_kept} about earlier years kept), {plural(made.reviews, 'part')} marked"
        f" 'review: true'. 'rapport check {folder}' counts what is left;"
        f" 'rapport facts export {folder}' makes a spreadsheet to collect the numbers",
        file=sys.stderr,
    )
    return ExitCode.OK


def _inspect(pdf: Path, show_tags: bool, typography: bool = False) -> int:
    from rapport.pdf.inspection import check_tags, outline

    if not pdf.is_file():
        raise UsageError(f"'{pdf}' is not a file")
    if typography:
        from rapport.pdf.typography import describe, measure

        print(describe(measure(pdf)))
        if not show_tags:
            return ExitCode.OK
    if show_tags:
        print(outline(pdf))
    report = check_tags(pdf)
    for problem in report.problems:
        print(f"{display_path(pdf)}: error: {problem}", file=sys.stderr)
    print(
        f"rapport: {report.elements} structure elements, {report.marked} marked sequences,"
        f" {report.artifacts} artifacts; {plural(len(report.problems), 'problem')}",
        file=sys.stderr,
    )
    return ExitCode.CONTENT if report.problems else ExitCode.OK


def _add_facts_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    facts = commands.add_parser(
        "facts", parents=[common], help="collect the year's numbers in a spreadsheet"
    )
    actions = facts.add_subparsers(
        dest="facts_command", required=True, metavar="ACTION", parser_class=_Parser
    )
    export = actions.add_parser(
        "export", parents=[common], help="write the facts as a spreadsheet to fill in"
    )
    export.add_argument(
        "edition", nargs="?", type=Path, help="edition folder (default: the newest under content/)"
    )
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        help="the .xlsx or .csv to write (default: build/cijfers-YEAR.xlsx)",
    )
    load = actions.add_parser(
        "import", parents=[common], help="read this year's values from a filled-in spreadsheet"
    )
    load.add_argument(
        "edition", nargs="?", type=Path, help="edition folder (default: the newest under content/)"
    )
    load.add_argument("file", type=Path, help="the filled-in .xlsx or .csv")


def _facts(args: argparse.Namespace) -> int:
    from rapport.content.exchange import export_facts, import_facts

    args.command = args.facts_command  # "failed to import: …" when the sheet has problems
    edition_dir = _edition_dir(args.edition, f"facts {args.facts_command}")
    if args.facts_command == "export":
        _check_output(args.output, edition_dir, (".xlsx", ".csv"), "cijfers-{}.xlsx")
        print(display_path(export_facts(edition_dir, args.output)))
        return ExitCode.OK
    result = import_facts(edition_dir, args.file)
    print(f"{display_path(result.facts_path)}: {result.summary()}")
    return ExitCode.OK


def _check_output(
    output: Path | None, edition_dir: Path, suffixes: tuple[str, ...], default_name: str
) -> None:
    """Refuse, before any work is done, an output that would replace a source or an
    archived file; the default in build/ too, as build/ may be a link."""
    from rapport.paths import OUTPUT_DIR, check_output, project_of

    root = project_of(edition_dir)
    example = root / OUTPUT_DIR / default_name.format(edition_dir.name)
    check_output(output or example, root, suffixes, example)


# The commands that work on the project's folders (content/, archive/, build/).
PROJECT_COMMANDS = frozenset(
    {"build", "check", "watch", "preview", "new", "facts", "publish", "verify", "list"}
)
PROJECT_MARKER = "content"  # the project folder is the one holding content/


def enclosing_project(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds content/, as git finds its repository."""
    return next((p for p in (start, *start.parents) if (p / PROJECT_MARKER).is_dir()), None)


def _enter_project(args: argparse.Namespace) -> None:
    """Run from anywhere inside the project: the paths given are taken where they were typed,
    then rapport works from the project folder, as `make` does."""
    here = Path.cwd()
    root = enclosing_project(here)
    if root is None or root == here:
        return
    for name, value in vars(args).items():
        bare_year = name == "edition" and re.fullmatch(r"\d{4}", str(value))
        if isinstance(value, Path) and not value.is_absolute() and not bare_year:
            typed = Path(os.path.abspath(value))  # not resolved: a link keeps its name
            inside = typed.is_relative_to(root)
            setattr(args, name, typed.relative_to(root) if inside and typed != root else typed)
    os.chdir(root)
    logging.getLogger("rapport").info("working in the project folder %s", root)


def _run(args: argparse.Namespace) -> int:
    if args.command in PROJECT_COMMANDS:
        _enter_project(args)
    if args.command == "schema":
        from rapport.content.schema import schema_json

        print(schema_json())
        return ExitCode.OK
    if args.command == "new":
        return _new(args.year, args.source)
    if args.command == "inspect":
        return _inspect(args.pdf, args.tags, args.typography)
    if args.command == "facts":
        return _facts(args)
    if args.command in ARCHIVE_COMMANDS:
        return run_archive_command(args)
    from rapport.pipeline import load_and_check

    edition_dir = _edition_dir(args.edition, args.command)
    if args.command in ("build", "watch", "preview"):
        _check_output(args.output, edition_dir, (".pdf",), "voortgangsrapport-{}.pdf")
    if args.command == "build":
        _check_html_output(args, edition_dir)
    if args.command == "check":
        checked = load_and_check(edition_dir)
        print_diagnostics(checked.warnings, every_todo=args.every_todo)
        chapters = len(checked.edition.chapters)
        print(
            f"{display_path(edition_dir)}: no problems found"
            f" ({plural(chapters, 'chapter')}, {plural(len(checked.warnings), 'warning')})"
        )
        return ExitCode.OK
    if args.command in ("watch", "preview"):
        return _watch(args, edition_dir)
    return _build(args, edition_dir)


def _check_html_output(args: argparse.Namespace, edition_dir: Path) -> None:
    """--html-output: only with a web edition to write, and never over a source file."""
    if args.html_output is None:
        return
    if "html" not in TARGETS[args.to]:
        raise UsageError(
            f"--html-output names the web edition, which --to {args.to} does not write;"
            " add --to html or --to all"
        )
    _check_output(args.html_output, edition_dir, (".html",), "voortgangsrapport-{}.html")


def _build(args: argparse.Namespace, edition_dir: Path) -> int:
    """`rapport build`: the formats chosen with --to, each file's path on its own line."""
    from rapport.pipeline import build

    report = build(
        edition_dir,
        args.output,
        draft=args.draft,
        formats=TARGETS[args.to],
        html_target=args.html_output,
        helper=True,  # one command, one build: charts may be drawn beside the layout
    )
    print_diagnostics(report.warnings)
    from rapport.archive.drift import warn_if_drifted

    warn_if_drifted(edition_dir)  # a published year whose content changed since
    log = logging.getLogger("rapport")
    if "pdf" in report.formats:
        log.info("%d pages, %.0f kB, %.2f s", report.pages, report.size / 1000, report.seconds)
    if report.html is not None:
        log.info("web edition %.0f kB, %.2f s", report.html_size / 1000, report.seconds)
    for written in report.written:
        print(display_path(written))
    return ExitCode.OK


def port_argument(text: str) -> int:
    """A TCP port number, 0 to 65535 (0: any free one)."""
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535)")
    return int(text)


def _watch(args: argparse.Namespace, edition_dir: Path) -> int:
    """`rapport watch`, and with --serve (or as `rapport preview`) the live HTML preview.

    Each rebuild says one line ("rebuilt … in 0.31 s"), not every stage of it; --verbose
    shows the stages too.
    """
    from rapport.pipeline import STEPS_LOGGER

    steps = logging.getLogger(STEPS_LOGGER)
    if not getattr(args, "verbose", False):
        steps.setLevel(logging.WARNING)
    try:
        if args.serve or args.port is not None or args.command == "preview":
            from rapport.cli.preview import DEFAULT_PORT, preview

            port = DEFAULT_PORT if args.port is None else args.port
            preview(edition_dir, args.output, port)
        else:
            from rapport.cli.watch import watch

            watch(edition_dir, args.output)
    except KeyboardInterrupt:
        print("rapport: stopped watching", file=sys.stderr)
    finally:
        steps.setLevel(logging.NOTSET)
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _setup_logging(getattr(args, "quiet", False), getattr(args, "verbose", False))
    try:
        return _run(args)
    except ContentError as exc:
        print_diagnostics(exc.diagnostics, every_todo=getattr(args, "every_todo", False))
        print(_failure_line(args.command, exc.diagnostics), file=sys.stderr)
        return exc.exit_code
    except RapportError as exc:
        print(f"rapport: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rapport: interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    except Exception:
        print(
            "rapport: internal error: this is a bug in rapport, not in your content.",
            file=sys.stderr,
        )
        print(f"rapport: please report it to {ISSUES_URL} with the text below.", file=sys.stderr)
        traceback.print_exc(file=sys.stderr)
        return ExitCode.INTERNAL


def _failure_line(command: str, diagnostics: Sequence[Diagnostic]) -> str:
    """The last line after the problems: how many, and for a build what to do next."""
    errors = [d for d in diagnostics if d.severity.value == "error"]
    mistakes = sum(not d.todo for d in errors)
    parts = [f"{plural(mistakes, 'problem')} in the content"] if mistakes else []
    if len(errors) > mistakes:
        parts.append("the edition is not finished yet")
    found = "; ".join(parts)
    if command == "check":
        return f"rapport: found {found}" if mistakes else f"rapport: {found}"
    draft = "; 'rapport build --draft' builds a draft anyway" if not mistakes else ""
    return f"rapport: failed to {command}: {found}; nothing was written{draft}"


def collect_garbage_less_often() -> None:
    """A build allocates millions of short-lived objects (matplotlib's import alone
    makes a good part of them) and little cyclic garbage: collecting cycles after
    every 700 allocations, Python's default, costs a tenth of a build."""
    gc.set_threshold(100_000, 50, 100)


def entry() -> NoReturn:
    """The `rapport` command: `main` with fewer garbage collections, then an exit that
    skips the interpreter's teardown.

    Everything is written, closed and flushed by then; freeing the charts' and
    the layout's objects one by one would only add a sixth of a second to
    every build.
    """
    collect_garbage_less_often()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = _reader_went_away()
    logging.shutdown()
    os._exit(code)


def _reader_went_away() -> int:
    """`rapport … | head`: the reader stopped reading, which is no error of rapport's.

    What is left to print goes nowhere, so that Python does not complain at exit.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return ExitCode.OK
