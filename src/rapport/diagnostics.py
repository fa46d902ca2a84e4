"""Problems found in content, as data with a position, reported all at once.

Wording follows one rule: a lowercase message saying what failed and why,
optionally followed by a hint saying what to do about it.
"""

from __future__ import annotations

import contextlib
import difflib
import enum
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rapport.content import sources

PLAIN_VARIABLE = "RAPPORT_PLAIN"  # set (to anything but '' or 0): one line a problem, for tools


class ExitCode(enum.IntEnum):
    """The documented exit statuses of the `rapport` command."""

    OK = 0
    CONTENT = 1
    USAGE = 2
    FILESYSTEM = 3
    ARCHIVE_CONFLICT = 4
    INTERNAL = 70


# What a new edition still has to be given: reported as a summary unless asked for.
TODO_FACT = "fact"
TODO_REVIEW = "review"
TODO_DATE = "date"
_TODO_WORDS = {
    TODO_FACT: ("fact to fill in", "facts to fill in"),
    TODO_REVIEW: ("part to review", "parts to review"),
    TODO_DATE: ("publication date to fill in", "publication dates to fill in"),
}


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """Where a piece of content comes from: file, 1-based line and column.

    `end_column`, when known, is the column just past the offending text on the
    same line, so that it can be underlined; 0 marks only the column.
    """

    path: Path
    line: int = 0
    column: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        text = display_path(self.path)
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        return text


def display_path(path: Path) -> str:
    """A path as the user typed it: relative to the working folder when below it."""
    with contextlib.suppress(ValueError):  # a link keeps its own name, not its target's
        return str(Path(os.path.abspath(path)).relative_to(os.getcwd()))
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # outside the working folder, or a link loop
        return str(path)


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    todo: str = ""  # TODO_FACT, …: still to do in a new edition, rather than a mistake

    def render(self, *, excerpt: bool = False) -> str:
        """`file:line:col: error: message`, then the hint on a line of its own.

        With `excerpt` (for people; not when RAPPORT_PLAIN is set), the source line
        follows, with carets under the column. The hint stays right under the message,
        so that what is wrong and what to do read together, and the lines before the
        excerpt are the same in both forms, for tools that read them.
        """
        lines = [f"{self.location}: {self.severity.value}: {self.message}"]
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        if excerpt and not plain_output():
            lines += source_excerpt(self.location)
        return "\n".join(lines)


def plain_output() -> bool:
    """Whether problems are wanted one line each, without the source line under them."""
    return os.environ.get(PLAIN_VARIABLE, "").strip() not in ("", "0")


def source_excerpt(location: Location) -> list[str]:
    """The source line of a location, with carets under its column; [] when there is no
    line to show (no line number, a spreadsheet cell, a file not read as text)."""
    if type(location) is not Location or not location.line:
        return []  # a subclass (a spreadsheet cell) counts its columns otherwise
    source = sources.source_of(location.path)
    if source is None:
        return []
    return sources.excerpt(source, location.line, location.column, location.end_column)


@dataclass
class Problems:
    """Collects every problem of a stage so that they are reported together."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(location, message, hint))

    def warning(self, location: Location, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(location, message, hint, Severity.WARNING))

    def todo(self, location: Location, message: str, hint: str, kind: str, *, draft: bool) -> None:
        """Something a new edition has still to be given: an error, or a warning in a draft."""
        severity = Severity.WARNING if draft else Severity.ERROR
        self.items.append(Diagnostic(location, message, hint, severity, kind))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(sorted(self.items, key=reading_order))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ContentError(list(self))


_FIRST_FILES = {"edition.yaml": 0, "facts.yaml": 1}


def reading_order(diagnostic: Diagnostic) -> tuple[int, Location, str]:
    """Edition and facts first: a wrong value is reported before the text that shows it."""
    rank = _FIRST_FILES.get(diagnostic.location.path.name, 2)
    return rank, diagnostic.location, diagnostic.message


def todo_summary(diagnostics: Iterable[Diagnostic]) -> str:
    """'58 facts to fill in, 12 parts to review', or '' when nothing is left to do."""
    counts: dict[str, int] = {}
    for diagnostic in diagnostics:
        if diagnostic.todo:
            counts[diagnostic.todo] = counts.get(diagnostic.todo, 0) + 1
    return ", ".join(
        f"{counts[kind]} {_TODO_WORDS[kind][counts[kind] != 1]}"
        for kind in _TODO_WORDS
        if kind in counts
    )


class RapportError(Exception):
    """An error the user can act on; carries its exit status."""

    exit_code = ExitCode.INTERNAL


class ContentError(RapportError):
    """One or more problems in the content files."""

    exit_code = ExitCode.CONTENT

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = sum(d.severity is Severity.ERROR for d in diagnostics)
        super().__init__(f"{errors} problem(s) in the content")


class UsageError(RapportError):
    exit_code = ExitCode.USAGE


class FileSystemError(RapportError):
    exit_code = ExitCode.FILESYSTEM


def plural(count: int, word: str, words: str = "") -> str:
    """'1 tile', '2 tiles'; `words` for irregular plurals."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest known word, or nothing when none is close.

    A word that differs only in capitals ('Jaar' for 'jaar') is the closest of all.
    """
    choices = list(choices)
    matches = [c for c in choices if c.casefold() == word.casefold()]
    matches = matches or difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else ""
