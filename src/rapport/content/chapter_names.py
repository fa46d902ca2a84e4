"""Which files of an edition folder are chapters, and what to do about names that are almost right.

A chapter file is named `NN-name.yaml` (or `.yml`). Staff save files with
Notepad, copy them in Windows Explorer or the Finder and type names with
spaces: a file that looks like a chapter but is not named like one would
silently be left out of the report, so it is an error whose hint gives the
right name. Hidden files, editor backups and the operating system's own files
are never content and are passed over without a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapport.diagnostics import Location, Problems, display_path

CHAPTER_FILE = re.compile(r"^(?P<number>\d{2})-[\w-]+\.ya?ml$")
EDITION_FILES = ("edition.yaml", "facts.yaml")  # read by name elsewhere; never a chapter

_SYSTEM_FILES = {"thumbs.db", "desktop.ini", "ehthumbs.db", "icon\r"}
_BACKUP_SUFFIXES = (".bak", ".orig", ".old", ".swp", ".swo", ".tmp", ".crdownload", ".part")
_YAML_NAME = re.compile(r"^(?P<stem>.*)\.(?P<extension>ya?ml)(?P<extra>(?:\.[^.]*)*)$", re.I)
_TEXT_SUFFIXES = {"", ".txt", ".text"}
_NUMBERED = re.compile(r"^(?P<number>\d+)(?P<separator>[\s_.-]*)(?P<title>.*)$", re.S)
_COPY_SUFFIXES = (
    re.compile(r"\s*-\s*(kopie|copy)(\s*\(\d+\))?$", re.I),  # Explorer: '05-x - kopie (2)'
    re.compile(r"\s*\(\d+\)$"),  # Explorer and browsers: '05-x (1)'
    re.compile(r"\s+(kopie|copy)(\s+\d+)?$", re.I),  # Finder: '05-x kopie 2'
)
_COPY_PREFIX = re.compile(r"^(kopie van|copy of)\s+", re.I)  # older Windows: 'Kopie van 05-x'
_NOT_IN_NAME = re.compile(r"[^\w-]+")


def is_ignored(name: str) -> bool:
    """Hidden files, editor backups and the operating system's files: never content."""
    lower = name.lower()
    return (
        name.startswith((".", "~"))  # .DS_Store, .#05-x.yaml (Emacs), ~$x (Office)
        or name.endswith("~")  # gedit, Emacs and vim backups
        or (name.startswith("#") and name.endswith("#"))  # Emacs auto-save
        or lower in _SYSTEM_FILES
        or lower.endswith(_BACKUP_SUFFIXES)
    )


def looks_like_chapter(name: str) -> bool:
    """A YAML file of any spelling, or a text file whose name starts with a number."""
    if re.search(r"\.ya?ml", name, re.I):
        return True
    return bool(re.match(r"^\d+[\s_-]", name)) and Path(name).suffix.lower() in _TEXT_SUFFIXES


def chapter_files(directory: Path, problems: Problems) -> list[Path]:
    """The chapter files of an edition folder, in order, each chapter once.

    A file named almost like a chapter, a chapter saved twice (`.yaml` and
    `.yml`) and two chapters with one number are errors; another file is a
    warning.
    """
    chapters: list[Path] = []
    misnamed: list[Path] = []
    for path in sorted(directory.iterdir()):
        name = path.name
        if name in EDITION_FILES or is_ignored(name):
            continue
        if CHAPTER_FILE.match(name):
            chapters.append(path)  # even a folder or a pipe: reading it reports what it is
        elif path.is_dir():
            continue  # a folder of old versions or pictures is no concern of the build
        elif looks_like_chapter(name):
            misnamed.append(path)
        else:
            problems.warning(
                Location(path),
                "file is not a chapter and is ignored",
                f"chapter files are named NN-name.yaml; keep other files outside"
                f" {display_path(directory)}",
            )
    numbers = _FreeNumbers(chapters, misnamed)
    chapters = _without_second_spellings(chapters, problems)
    _report_shared_numbers(chapters, numbers, problems)
    names = {path.name for path in chapters} | {path.name for path in misnamed}
    for path in misnamed:
        message, hint = misnamed_problem(path.name, names, numbers, display_path(directory))
        problems.error(Location(path), message, hint)
    return chapters


class _FreeNumbers:
    """Chapter numbers not in use yet, handed out in turn for the hints."""

    def __init__(self, chapters: Sequence[Path], misnamed: Sequence[Path]) -> None:
        used = [int(p.name[:2]) for p in chapters]
        used += [n for n in map(_leading_number, misnamed) if n is not None and n < 100]
        self._next = max(used, default=0) + 1

    def take(self) -> int:
        number, self._next = self._next, self._next + 1
        return number


def _leading_number(path: Path) -> int | None:
    match = re.match(r"\d+", _strip_copy(path.name)[0])
    return int(match.group()) if match else None


def _without_second_spellings(chapters: list[Path], problems: Problems) -> list[Path]:
    """`05-x.yaml` beside `05-x.yml` would be one chapter read twice: keep `.yaml`, report the other."""
    by_stem: dict[str, list[Path]] = {}
    for path in chapters:
        by_stem.setdefault(path.stem, []).append(path)
    kept = []
    for path in chapters:
        twins = by_stem[path.stem]
        if len(twins) > 1 and path.suffix == ".yml":
            other = next(p for p in twins if p is not path)
            problems.error(
                Location(path),
                f"the same chapter is in two files, '{other.name}' and '{path.name}';"
                f" only '{other.name}' is read",
                "keep one of the two files and remove the other",
            )
            continue
        kept.append(path)
    return kept


def _report_shared_numbers(chapters: list[Path], numbers: _FreeNumbers, problems: Problems) -> None:
    by_number: dict[str, list[Path]] = {}
    for path in chapters:
        by_number.setdefault(path.name[:2], []).append(path)
    for number, paths in by_number.items():
        if len(paths) < 2:
            continue
        renames = [f"'{p.name}' to '{numbers.take():02d}{p.name[2:]}'" for p in paths[1:]]
        problems.error(
            Location(paths[1]),
            f"{len(paths)} chapters have the number {number}: {_and(quoted(paths))}",
            f"give each chapter its own number: rename {_and(renames)}",
        )


def quoted(paths: Sequence[Path]) -> list[str]:
    return [f"'{p.name}'" for p in paths]


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


@dataclass
class _Parts:
    """A file name taken apart into what a chapter name is made of, noting each slip."""

    stem: str
    extension: str  # 'yaml' or 'yml' as written, or '' when there is none
    reasons: list[str]


def misnamed_problem(
    name: str, names: set[str], numbers: _FreeNumbers, folder: str
) -> tuple[str, str]:
    """The message and hint for a file that looks like a chapter but is not named like one."""
    stem, copied = _strip_copy(name)
    if copied:
        return _copy_problem(name, stem, names, numbers)
    parts = _parts(name)
    if parts.stem.lower() in ("edition", "facts"):
        return _edition_file_problem(name, parts, names)
    numbered = _NUMBERED.match(parts.stem)
    title = _NOT_IN_NAME.sub("-", numbered.group("title") if numbered else parts.stem).strip("-")
    if numbered is None:
        parts.reasons.append("does not start with a chapter number")
        example = f"{numbers.take():02d}-{title or 'hoofdstuk'}.yaml"
        return _message(parts), (
            f"rename it to 'NN-{title or 'naam'}.yaml' with its chapter number, e.g. '{example}',"
            f" or move it out of {folder} if it is not a chapter"
        )
    _note_number_slips(numbered, parts.reasons)
    number = int(numbered.group("number"))
    if not title:
        return _message(parts), "name chapter files NN-name.yaml, e.g. 05-nieuwe-diensten.yaml"
    if number > 99:
        number = numbers.take()  # chapter numbers run from 01 to 99
    fixed = f"{number:02d}-{title}.{(parts.extension or 'yaml').lower()}"
    return _message(parts), _rename(name, fixed, names)


def _edition_file_problem(name: str, parts: _Parts, names: set[str]) -> tuple[str, str]:
    """'Facts.yaml', 'edition.yml', 'facts.yaml.txt': rapport reads only the exact name."""
    if parts.stem != parts.stem.lower():
        parts.reasons.append("has capitals")
    if parts.extension.lower() == "yml":
        parts.reasons.append("ends in '.yml' instead of '.yaml'")
    fixed = f"{parts.stem.lower()}.yaml"
    return f"file is not read: its name {_and(parts.reasons)}", _rename(name, fixed, names)


def _message(parts: _Parts) -> str:
    return f"chapter file is not loaded: its name {_and(parts.reasons or ['is not NN-name.yaml'])}"


def _strip_copy(name: str) -> tuple[str, bool]:
    """The name without the mark of a copy ('05-x - kopie.yaml' → '05-x.yaml'), and whether it had one."""
    match = _YAML_NAME.match(name)
    stem, tail = (match.group("stem"), name[len(match.group("stem")) :]) if match else (name, "")
    original = _COPY_PREFIX.sub("", stem)
    for suffix in _COPY_SUFFIXES:
        original = suffix.sub("", original)
    return original + tail, original != stem


def _copy_problem(
    name: str, original: str, names: set[str], numbers: _FreeNumbers
) -> tuple[str, str]:
    of = f"'{original}'" if original in names else "a chapter"
    if _parts(original).stem.lower() in ("edition", "facts"):
        return f"file looks like a copy of '{original}' and is not read", "remove it"
    numbered = _NUMBERED.match(_parts(original).stem)
    title = _NOT_IN_NAME.sub("-", numbered.group("title") if numbered else "").strip("-")
    own = f": rename it to '{numbers.take():02d}-{title or 'naam'}.yaml'"
    return (
        f"file looks like a copy of {of} and is not loaded",
        f"remove it, or give it its own number{own}",
    )


def _parts(name: str) -> _Parts:
    reasons: list[str] = []
    match = _YAML_NAME.match(name)
    if match:
        stem, extension, extra = match.group("stem", "extension", "extra")
        if extra:
            reasons.append(f"ends in '{extra}' after '.{extension}'")
        if extension != extension.lower():
            reasons.append(f"ends in '.{extension}' in capitals")
        return _Parts(stem, extension, reasons)
    suffix = Path(name).suffix
    if suffix:
        reasons.append(f"ends in '{suffix}' instead of '.yaml'")
    else:
        reasons.append("has no '.yaml' at the end")
    return _Parts(name[: len(name) - len(suffix)], "", reasons)


def _note_number_slips(numbered: re.Match[str], reasons: list[str]) -> None:
    number, separator, title = numbered.group("number", "separator", "title")
    if len(number) != 2:
        such_as = f" such as '{int(number):02d}'" if int(number) < 100 else ""
        reasons.append(f"starts with '{number}' instead of a two-digit number{such_as}")
    if any(c.isspace() for c in separator + title):
        reasons.append("has a space")
    elif separator != "-":
        between = f"'{separator}'" if separator else "nothing"
        reasons.append(f"has {between} instead of '-' after the number")
    odd = sorted({c for c in title if not (c.isalnum() or c in "_-" or c.isspace())})
    if odd:
        characters = _and([f"'{c}'" for c in odd])
        reasons.append(f"has {characters}, which a chapter name cannot have")


def _rename(name: str, fixed: str, names: set[str]) -> str:
    if fixed in names:
        return f"'{fixed}' exists too: keep one of the two files and remove the other"
    hint = f"rename '{name}' to '{fixed}'"
    if name.lower().endswith(".txt"):
        hint += "; Notepad adds '.txt' unless you save with 'All files (*.*)' as the type"
    return hint


def iter_watched_names(directory: Path) -> Iterator[Path]:
    """Every file of an edition folder that could matter to a build (for `rapport watch`)."""
    try:
        entries = list(directory.iterdir())
    except OSError:
        return
    yield from (p for p in entries if not is_ignored(p.name))
