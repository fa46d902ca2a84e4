"""`rapport facts export` and `rapport facts import`: the year's figures by spreadsheet.

Staff collect the numbers from colleagues in a spreadsheet: export writes one
row per fact (last year's value beside an empty or filled column for this
year), import reads that column back into facts.yaml, changing only the value
lines. Only the column "waarde <year>" is read; the others are there to help.

Numbers are read as staff type them in Flanders: 1.852.354, 1852354,
1 852 354, 6,5, 6.5, -2,5, 37% (for a percentage). A number with one
separator followed by exactly three digits (1.234) is a thousands separator in
a ';' CSV (Excel in Belgium) and in a text cell of an .xlsx; in a ',' CSV it
follows the other numbers of the file (1.852.354 or 6,5 elsewhere: Flemish;
1,852,354 or 1,234.5: English), and is an error when nothing decides.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import enum
import fcntl
import io
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapport.atomic import write_atomically
from rapport.content.factsfile import FactsFileError, format_fact_value, set_fact_values
from rapport.content.load import edition_head, edition_year
from rapport.content.load_facts import FACTS_FILE, load_facts
from rapport.content.model import Fact, FactSet
from rapport.diagnostics import (
    ContentError,
    Diagnostic,
    Location,
    Problems,
    UsageError,
    did_you_mean,
    display_path,
    plural,
)
from rapport.paths import OUTPUT_DIR, project_of

log = logging.getLogger("rapport")

NAME_HEADER = "naam"
STATUS_WORDS = {"measured": "gemeten", "estimated": "geschat", "derived": "afgeleid"}
MAX_MAGNITUDE = Decimal(10) ** 15
_GROUP_SPACES = " \u00a0\u202f\u2009"  # space, no-break, narrow no-break, thin
_PERCENT_UNITS = ("%", "procent")


def value_header(year: int) -> str:
    return f"waarde {year}"


def headers(year: int, previous_year: int | None = None) -> tuple[str, ...]:
    return (
        NAME_HEADER,
        "omschrijving",
        "eenheid",
        value_header(previous_year or year - 1),
        value_header(year),
        "status",
        "bron",
        "opmerking",
    )


# -- numbers ---------------------------------------------------------------


class Style(enum.Enum):
    """How a file writes numbers, for a separator followed by exactly three digits."""

    FLEMISH = "flemish"  # 1.234 is a thousand two hundred and thirty-four
    ENGLISH = "english"  # 1,234 is
    UNKNOWN = "unknown"  # neither can be told: 1.234 and 1,234 are ambiguous


class NumberError(ValueError):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


_NUMBER = re.compile(r"^([-+−]?)\s*(\d[\d.,  \u00a0\u202f\u2009]*?)\s*(%?)$")
NOT_A_NUMBER_HINT = "write only the number, e.g. 1852354 or 6,5"


def parse_number(text: str, style: Style = Style.FLEMISH) -> tuple[Decimal, bool]:
    """A number as staff type it, and whether it ended in '%'; NumberError when it is none."""
    match = _NUMBER.match(text.strip())
    if not match:
        raise NumberError("is not a number", NOT_A_NUMBER_HINT)
    sign, body, percent = match.groups()
    body = re.sub(f"[{_GROUP_SPACES}]", " ", body)
    whole, decimals = _split(body, style)
    digits = _ungroup(whole)
    if not decimals.isdigit() and decimals:
        raise NumberError("is not a number", NOT_A_NUMBER_HINT)
    number = Decimal(
        f"{'-' if sign in '-−' and sign else ''}{digits}{'.' + decimals if decimals else ''}"
    )
    return number, bool(percent)


def _split(body: str, style: Style) -> tuple[str, str]:
    """The whole part (still grouped) and the decimals of a number's digits."""
    dots, commas = body.count("."), body.count(",")
    if dots and commas:  # the last one is the decimal separator: 1.852.354,5 · 1,852,354.5
        decimal_mark = "," if body.rfind(",") > body.rfind(".") else "."
        whole, _, decimals = body.rpartition(decimal_mark)
        if decimal_mark in whole:
            raise NumberError("is not a number", NOT_A_NUMBER_HINT)
        return whole, decimals
    mark = "." if dots else "," if commas else ""
    if not mark:
        return body, ""
    if body.count(mark) > 1:  # only a thousands separator repeats: 1.852.354
        return body, ""
    whole, _, decimals = body.partition(mark)
    if len(decimals) != 3 or " " in whole or not re.fullmatch(r"[1-9]\d{0,2}", whole):
        return whole, decimals  # 6,5 · 0,125 · 1234.567 · 1 234,567: a decimal separator
    if style is Style.UNKNOWN:
        raise NumberError(
            "is ambiguous (a thousands separator or a decimal separator?)",
            f"write {whole}{decimals} without a separator, or save the sheet as CSV with ';'"
            " between the columns (as Excel does in Belgium), or as .xlsx",
        )
    thousands = "." if style is Style.FLEMISH else ","
    return (body, "") if mark == thousands else (whole, decimals)


def _ungroup(whole: str) -> str:
    """1.852.354 → 1852354, checking the groups of three."""
    groups = re.split(r"[., ]", whole)
    if len(groups) > 1 and (
        not re.fullmatch(r"\d{1,3}", groups[0])
        or groups[0].startswith("0")
        or any(len(g) != 3 for g in groups[1:])
        or len({c for c in whole if c in "., "}) > 1
    ):
        raise NumberError(
            "is not a number", "write the thousands in groups of three, e.g. 1.852.354"
        )
    if not all(g.isdigit() for g in groups):
        raise NumberError("is not a number", NOT_A_NUMBER_HINT)
    return "".join(groups)


def number_style_evidence(text: str) -> Style:
    """What one written number says about the file's style: UNKNOWN when nothing.

    Only grouping proves a style: 1.852.354 or 1.234,5 (Flemish), 1,852,354 or
    1,234.5 (English), or a decimal comma that cannot be a thousands separator
    (6,5). A single 6.5 proves nothing: Flemish staff type plain numbers too.
    """
    body = text.strip().rstrip("%").strip().lstrip("-+−")
    if re.fullmatch(
        r"\d{1,3}(\.\d{3}){2,}(,\d+)?|\d{1,3}(\.\d{3})+,\d+|\d+,(\d{1,2}|\d{4,})", body
    ):
        return Style.FLEMISH
    if re.fullmatch(r"\d{1,3}(,\d{3}){2,}(\.\d+)?|\d{1,3}(,\d{3})+\.\d+", body):
        return Style.ENGLISH
    return Style.UNKNOWN


def decimal_of_float(number: float) -> Decimal:
    """A spreadsheet's float as the number it shows: 6.5, not 6.5000000000000001…"""
    if number.is_integer():
        return Decimal(int(number))
    return Decimal(repr(number))


def is_percentage(fact: Fact) -> bool:
    return fact.unit.strip().lower().startswith(_PERCENT_UNITS)


# -- the edition -----------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    year: int
    previous_year: int  # the edition the build compares with: its column is last year's
    path: Path
    current: FactSet
    previous: FactSet | None


def _load(edition_dir: Path) -> _Facts:
    year = edition_year(edition_dir)
    previous_year = edition_head(edition_dir).previous_year or year - 1  # the build's own rule
    path = edition_dir / FACTS_FILE
    problems = Problems()
    current = load_facts(path, year, problems, draft=True)
    previous_path = edition_dir.parent / str(previous_year) / FACTS_FILE
    previous = load_facts(previous_path, previous_year, problems, draft=True)
    if problems.errors:
        raise ContentError(list(problems))
    if current is None:
        raise UsageError(f"{display_path(path)} does not exist: this edition has no facts")
    return _Facts(year, previous_year, path, current, previous)


# -- export ----------------------------------------------------------------


def default_export(year: int) -> Path:
    return OUTPUT_DIR / f"cijfers-{year}.xlsx"


def export_facts(edition_dir: Path, output: Path | None = None) -> Path:
    """Write the edition's facts as a spreadsheet (.xlsx or .csv); return its path."""
    facts = _load(edition_dir)
    target = output or default_export(facts.year)
    suffix = target.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"failed to export to '{target}' (choose a file ending in .xlsx or .csv)")
    rows = [_row(fact, facts) for fact in facts.current.facts]
    columns = headers(facts.year, facts.previous_year)
    data = _xlsx(facts.year, columns, rows) if suffix == ".xlsx" else _csv(columns, rows)
    write_atomically(target, data)
    return target


Cell = str | Decimal | None


def _row(fact: Fact, facts: _Facts) -> tuple[Cell, ...]:
    earlier = facts.previous.get(fact.name) if facts.previous else None
    return (
        fact.name,
        _description(fact, facts.year),
        fact.unit,
        earlier.value if earlier else None,
        fact.value,
        STATUS_WORDS.get(fact.status, fact.status),
        fact.source,
        _note(fact),
    )


def _description(fact: Fact, year: int) -> str:
    """What the number counts, as the report shows it: 'ruim … titels', '…% van de …'."""
    unit = fact.unit.strip()
    shown = "…" + ("" if not unit else unit if unit.startswith("%") else f" {unit}")
    text = f"{fact.qualifier} {shown}" if fact.qualifier else shown
    about = getattr(fact, "year", None)
    if isinstance(about, int) and about < year:
        text += f" (cijfer over {about})"
    return text


def _note(fact: Fact) -> str:
    notes = [fact.derivation] if fact.derivation else []
    if fact.parts:
        word = "som van" if fact.parts_complete else "waarvan"
        notes.append(f"{word}: {', '.join(fact.parts)}")
    return "; ".join(notes)


def _csv(columns: tuple[str, ...], rows: list[tuple[Cell, ...]]) -> bytes:
    """A ';' CSV with decimal commas, as Excel in Belgium reads and writes it."""
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_text(cell) for cell in row])
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


# A text starting with one of these is a formula to Excel and Calc: in a CSV it gets a
# leading ' (as OWASP advises against CSV injection), which import takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A text that itself starts with ' gets one too, so that import gives back exactly what was written.
NEUTRALISED_STARTS = (*FORMULA_STARTS, "'")


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return format_fact_value(cell).replace(".", ",")
    return "'" + cell if cell.startswith(NEUTRALISED_STARTS) else cell


def _csv_cell(text: str) -> str:
    """A CSV cell as it was before export neutralised it: '=x back to =x."""
    return text[1:] if text.startswith("'") and text[1:].startswith(NEUTRALISED_STARTS) else text


_WIDTHS = (30, 34, 22, 14, 14, 10, 26, 50)
_VALUE_COLUMN = 5  # "waarde <year>", the one to fill in
_FILL_COLOUR = "FFF2CC"  # a light yellow: fill in here
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _xlsx(year: int, columns: tuple[str, ...], rows: list[tuple[Cell, ...]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Cijfers {year}"
    for number, row in enumerate([columns, *rows], 1):
        for column, value in enumerate(row, 1):
            _put(sheet.cell(row=number, column=column), value)
        if number > 1:
            sheet.cell(row=number, column=4).number_format = _number_format(row[3])
            sheet.cell(row=number, column=5).number_format = INPUT_FORMAT
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    fill = PatternFill(fill_type="solid", start_color=_FILL_COLOUR, end_color=_FILL_COLOUR)
    for (cell,) in sheet.iter_rows(min_col=_VALUE_COLUMN, max_col=_VALUE_COLUMN):
        cell.fill = fill
    for index, width in enumerate(_WIDTHS, 1):
        sheet.column_dimensions[chr(64 + index)].width = width
    sheet.freeze_panes = "B2"
    moment = dt.datetime(year, 1, 1)  # fixed: the same facts give the same file
    workbook.properties.creator = "rapport"
    workbook.properties.created = workbook.properties.modified = moment
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _fixed_zip_times(buffer.getvalue())


# The cell to fill in shows what is typed, as typed: 12,3 stays 12,3 (a format
# with fewer decimals would show, and a CSV saved by Calc would hold, 12), and
# 76% or 6,5% becomes a percentage cell, which import reads as 76 and 6.5.
INPUT_FORMAT = "General"


def _put(cell: Any, value: Cell) -> None:
    """A value into a cell: a number as a number, a text always as text, never a formula."""
    if value is None:
        return
    if isinstance(value, Decimal):
        cell.value = _xlsx_number(value)
        return
    cell.value = value
    cell.data_type = "s"  # '=1+1' is the text =1+1: openpyxl would write a formula


def _xlsx_number(value: Decimal) -> int | Decimal:
    exponent = value.as_tuple().exponent
    whole = isinstance(exponent, int) and exponent >= 0
    return int(value) if whole else value


def _number_format(value: Cell) -> str:
    """Last year's value: thousands grouped as the reader's Excel does (1.852.354 in Belgium), its decimals kept."""
    places = _places(value) if isinstance(value, Decimal) else 0
    return "#,##0" + ("." + "0" * places if places else "")


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _fixed_zip_times(data: bytes) -> bytes:
    """The same workbook with every member dated alike: the file is byte-reproducible."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(member.filename))
    return output.getvalue()


# -- import ----------------------------------------------------------------


def column_letter(column: int) -> str:
    """1 → A, 27 → AA: the column as the spreadsheet shows it."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class CellLocation(Location):
    """A cell of a spreadsheet: cijfers.xlsx:12:E, row number and column letter."""

    def __str__(self) -> str:
        text = display_path(self.path)
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{column_letter(self.column)}"
        return text


@dataclass(frozen=True)
class SheetCell:
    value: object  # str, int, float, datetime, bool or None
    number_format: str = "General"
    formula: bool = False  # a formula whose result the file does not hold


@dataclass(frozen=True)
class Sheet:
    path: Path
    rows: list[list[SheetCell]]
    style: Style  # how text cells write numbers
    name: str = ""  # the sheet of a workbook that was read
    shown: bool = False  # the cells hold what the sheet showed (a CSV), not what was typed


@dataclass
class ImportResult:
    facts_path: Path
    filled: list[str] = field(default_factory=list)
    changed: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)
    still_empty: int = 0
    sheet_name: str = ""  # the sheet of a workbook that was read

    def summary(self) -> str:
        filled = plural(len(self.filled), "value") + " filled in"
        text = f"{filled}, {len(self.changed)} changed, {self.still_empty} still empty"
        return text + (f" (from sheet '{self.sheet_name}')" if self.sheet_name else "")


def import_facts(edition_dir: Path, sheet_path: Path) -> ImportResult:
    """Read the 'waarde <year>' column into facts.yaml; nothing changes when a row is wrong.

    One import at a time per edition: a second one waits until the first has
    written facts.yaml, then reads it anew, so that no value is lost.
    """
    sheet = read_sheet(sheet_path)
    with _import_lock(edition_dir):
        return _import(edition_dir, sheet)


def _import(edition_dir: Path, sheet: Sheet) -> ImportResult:
    facts = _load(edition_dir)
    target = _facts_target(facts.path, edition_dir)
    values, diagnostics = _values(sheet, facts)
    if diagnostics:
        raise ContentError(_ordered(diagnostics))
    result = ImportResult(facts.path, sheet_name=sheet.name)
    changes: dict[str, Decimal] = {}
    for name, (value, _row) in values.items():
        before = facts.current.get(name)
        assert before is not None  # _values keeps only known names
        if before.value is None:
            result.filled.append(name)
        elif before.value != value:
            result.changed.append((name, before.value, value))
        else:
            continue
        changes[name] = value
    result.still_empty = sum(
        1 for fact in facts.current.facts if fact.value is None and fact.name not in changes
    )
    if not changes:
        return result
    old = facts.path.read_bytes().decode("utf-8")
    rows = {name: row for name, (_value, row) in values.items()}
    new = _edited(old, changes, facts, sheet, rows)
    write_atomically(target, new.encode("utf-8"))
    for name, before_value, after in result.changed:
        log.info("%s: %s → %s", name, format_fact_value(before_value), format_fact_value(after))
    return result


@contextlib.contextmanager
def _import_lock(edition_dir: Path) -> Iterator[None]:
    """Hold the edition folder's lock (flock on the folder itself: no lock file is left)."""
    handle = os.open(edition_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning(
                "another import into %s is running; waiting for it to finish",
                display_path(edition_dir),
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _facts_target(path: Path, edition_dir: Path) -> Path:
    """The file to rewrite: facts.yaml, or the file it links to when that is inside the project."""
    if not path.is_symlink():
        return path
    target = path.resolve()
    root = project_of(edition_dir).resolve()
    if not target.is_relative_to(root):
        raise UsageError(
            f"failed to import: {display_path(path)} is a link to {target}, outside the project"
            " (replace the link by the file itself, or link to a file inside the project)"
        )
    return target


def _edited(
    old: str, changes: dict[str, Decimal], facts: _Facts, sheet: Sheet, rows: dict[str, int]
) -> str:
    """facts.yaml with the changes, checked as a whole (parts that must add up, …)."""
    try:
        new = set_fact_values(old, changes, path=facts.path)
    except FactsFileError as exc:  # pragma: no cover - every value is checked before
        raise ContentError([Diagnostic(Location(facts.path), exc.message, exc.hint)]) from exc
    problems = Problems()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / FACTS_FILE
        copy.write_bytes(new.encode("utf-8"))
        load_facts(copy, facts.year, problems, draft=True)
    if problems.errors:
        raise ContentError(_ordered([_at_row(d, facts, sheet, rows) for d in problems.errors]))
    return new


def _at_row(
    diagnostic: Diagnostic, facts: _Facts, sheet: Sheet, rows: dict[str, int]
) -> Diagnostic:
    """A problem of the new facts.yaml, shown at the row of its fact when the sheet has one."""
    line = diagnostic.location.line
    fact = max(
        (f for f in facts.current.facts if f.location.line <= line),
        key=lambda f: f.location.line,
        default=None,
    )
    if fact is not None and fact.name in rows:
        where: Location = CellLocation(
            sheet.path, rows[fact.name], _value_column(sheet, facts.year)
        )
    else:
        where = Location(facts.path, line, diagnostic.location.column)
    return Diagnostic(where, diagnostic.message, diagnostic.hint)


def _ordered(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(
        diagnostics,
        key=lambda d: (str(d.location.path), d.location.line, d.location.column, d.message),
    )


def _value_column(sheet: Sheet, year: int) -> int:
    header = [_header_text(cell) for cell in (sheet.rows[0] if sheet.rows else [])]
    return header.index(value_header(year)) + 1 if value_header(year) in header else 0


def _header_text(cell: SheetCell) -> str:
    return " ".join(str(cell.value).split()).lower() if cell.value is not None else ""


def _header_problems(sheet: Sheet, header: list[str], year: int) -> list[Diagnostic]:
    """A column name twice, or one the export never writes: which column is meant is unclear."""
    known = set(headers(year)) | {value_header(year - 1)}
    problems: list[Diagnostic] = []
    first: dict[str, int] = {}
    for column, name in enumerate(header, 1):
        if not name:
            continue
        where = CellLocation(sheet.path, 1, column)
        if name in first:
            problems.append(
                Diagnostic(
                    where,
                    f"column '{name}' is there twice, in {column_letter(first[name])} and {column_letter(column)}",
                    "delete or rename one of the two columns: import cannot tell which one holds the values",
                )
            )
        elif name not in known:
            problems.append(
                Diagnostic(
                    where,
                    f"column '{name}' is not one of the sheet's columns",
                    "delete the column (or its name), or import the sheet 'rapport facts export' made;"
                    f" the columns are: {', '.join(headers(year))}",
                )
            )
        first.setdefault(name, column)
    return problems


def _values(sheet: Sheet, facts: _Facts) -> tuple[dict[str, tuple[Decimal, int]], list[Diagnostic]]:
    """The filled-in values by fact name (with their row), and every problem of the sheet."""
    diagnostics: list[Diagnostic] = []
    header = [_header_text(cell) for cell in (sheet.rows[0] if sheet.rows else [])]
    wanted = value_header(facts.year)
    later = [h for h in header if re.fullmatch(r"waarde \d{4}", h) and int(h[-4:]) > facts.year]
    if later:  # its "waarde <year>" is last year's column there: never read it as this year's
        return {}, [
            Diagnostic(
                CellLocation(sheet.path, 1),
                f"the sheet has a column '{later[0]}': it is for a later edition than {display_path(facts.path.parent)}",
                f"import it into that edition: rapport facts import content/{later[0][-4:]} {display_path(sheet.path)}",
            )
        ]
    header_problems = _header_problems(sheet, header, facts.year)
    if header_problems:
        return {}, header_problems
    if NAME_HEADER not in header or wanted not in header:
        missing = NAME_HEADER if NAME_HEADER not in header else wanted
        hint = "import the sheet 'rapport facts export' made, with its first row of column names"
        return {}, [Diagnostic(CellLocation(sheet.path, 1), f"column '{missing}' is missing", hint)]
    name_column, value_column = header.index(NAME_HEADER), header.index(wanted)
    values: dict[str, tuple[Decimal, int]] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(sheet.rows[1:], 2):
        name_cell = row[name_column] if name_column < len(row) else SheetCell(None)
        value_cell = row[value_column] if value_column < len(row) else SheetCell(None)
        name = "" if name_cell.value is None else str(name_cell.value).strip()
        name_at = CellLocation(sheet.path, number, name_column + 1)
        value_at = CellLocation(sheet.path, number, value_column + 1)
        empty = _is_blank(value_cell)
        if not name:
            if not empty:
                diagnostics.append(
                    Diagnostic(
                        name_at,
                        "row has a value but no fact name",
                        f"write the fact's name in column {column_letter(name_column + 1)} ({NAME_HEADER}), as in the exported sheet",
                    )
                )
            continue
        fact = facts.current.get(name)
        if fact is None:
            diagnostics.append(
                Diagnostic(
                    name_at,
                    f"fact '{name}' is not in {display_path(facts.path)}",
                    did_you_mean(name, facts.current.names)
                    or "correct the name, or add the fact to facts.yaml first",
                )
            )
            continue
        if name in seen:
            diagnostics.append(
                Diagnostic(
                    name_at,
                    f"fact '{name}' is already on row {seen[name]}",
                    "keep one of the two rows",
                )
            )
            continue
        seen[name] = number
        if empty:
            continue  # an empty cell leaves the value as it is
        try:
            earlier = facts.previous.get(name) if facts.previous else None
            number_read = _cell_value(value_cell, fact, sheet.style)
            _check_scale(number_read, value_cell, fact, earlier, sheet.shown)
            values[name] = (number_read, number)
        except NumberError as exc:
            diagnostics.append(
                Diagnostic(
                    value_at,
                    f"value {_shown(value_cell)} for fact '{name}' {exc.message}",
                    exc.hint,
                )
            )
    return values, diagnostics


def _is_blank(cell: SheetCell) -> bool:
    return not cell.formula and (
        cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())
    )


def _shown(cell: SheetCell) -> str:
    if isinstance(cell.value, dt.datetime | dt.date):
        return f"'{cell.value:%Y-%m-%d}'"
    return f"'{cell.value}'" if cell.value is not None else "''"


def _cell_value(cell: SheetCell, fact: Fact, style: Style) -> Decimal:
    """One cell's number for `fact`; NumberError saying what is wrong with it."""
    value = cell.value
    if cell.formula:
        raise NumberError(
            "is a formula whose result the file does not hold",
            "open the file in Excel and save it again, or type the number itself",
        )
    if isinstance(value, bool):
        raise NumberError("is not a number", NOT_A_NUMBER_HINT)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        raise NumberError(
            "is a date, not a number",
            "Excel turned the number into a date: format the column as a number and type the value again",
        )
    percent = "%" in cell.number_format
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = _shown_float(value, cell.number_format)
        if percent:  # a cell shown as 37% holds 0.37
            number = number.scaleb(2)
            number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number
    else:
        number, percent = parse_number(str(value), style)
    if percent and not is_percentage(fact):
        raise NumberError(
            f"is a percentage, but the fact counts {fact.unit or 'a number'}",
            "write the number without '%'",
        )
    if abs(number) >= MAX_MAGNITUDE:
        raise NumberError("is too large", "numbers in a report stay below a million billion")
    try:
        format_fact_value(number)
    except FactsFileError as exc:
        raise NumberError(
            "has three decimals, which facts.yaml cannot tell from a thousands separator",
            exc.hint,
        ) from exc
    return number


def _shown_float(value: float, number_format: str) -> Decimal:
    """A cell's float as precise as the cell shows it: a formula's 57.900000000000006 is 57.9.

    A format with decimals (0.00, #,##0.0, 0.0%) rounds to those; General and a
    format without decimals round to the 10 significant digits the spreadsheet shows
    at most (a whole-number format hides decimals that were typed: they are kept).
    """
    number = decimal_of_float(value)
    places = _format_places(number_format)
    if places:
        if "%" in number_format:
            places += 2
        number = number.quantize(Decimal(1).scaleb(-places))
    elif number != 0:
        number = Decimal(f"{value:.10g}")
    if number == number.to_integral_value():
        return Decimal(int(number))
    return number.normalize()


def _format_places(number_format: str) -> int:
    """How many decimals a number format shows: 2 for 0.00 or #,##0.00%, 0 for General."""
    first = number_format.split(";", 1)[0]
    match = re.search(r"\.([0#?]+)", re.sub(r'"[^"]*"|\\.', "", first))
    return len(match.group(1)) if match else 0


def _check_scale(
    number: Decimal, cell: SheetCell, fact: Fact, earlier: Fact | None, shown: bool
) -> None:
    """Refuse a value whose scale or precision does not fit the fact (NumberError)."""
    last = earlier.value if earlier is not None else None
    percent_cell = "%" in cell.number_format or (isinstance(cell.value, str) and "%" in cell.value)
    if (
        is_percentage(fact)
        and not percent_cell
        and 0 < abs(number) < 1
        and (last is None or abs(last) >= 1)
    ):
        whole = format_fact_value(number.scaleb(2).normalize()).replace(".", ",")
        raise NumberError(
            f"is a fraction, but the fact is a percentage ({fact.unit})"
            + (
                f" and last year's value was {format_fact_value(last).replace('.', ',')}"
                if last is not None
                else ""
            ),
            f"type the percentage itself: {whole} (or {whole}%)",
        )
    if is_share(fact) and not 0 <= number <= 100:
        raise NumberError(
            f"is outside 0 to 100, the range of a share ({fact.unit})",
            "type the percentage, between 0 and 100",
        )
    if shown and last is not None and _places_of(last) and not _places_of(number):
        raise NumberError(
            f"has no decimals, but last year's value had ({format_fact_value(last).replace('.', ',')}):"
            " a CSV holds what a cell shows, so a cell formatted without decimals loses them",
            "show the decimals in the cell (Format Cells, Number, decimals) and save the CSV again,"
            " or import the .xlsx; when the value is whole, type it as 12,0",
        )


def is_share(fact: Fact) -> bool:
    """A percentage of a whole ('% van de bibliotheken'): between 0 and 100."""
    return fact.unit.strip().lower().startswith(("% van", "procent van"))


def _places_of(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# -- reading a spreadsheet ---------------------------------------------------

# Bounds of what import reads: an exported sheet has a row per fact and 8 columns.
MAX_ROWS = 5000
MAX_COLUMNS = 64
MAX_FILE_BYTES = 16 * 2**20
MAX_UNPACKED_BYTES = 64 * 2**20  # all members of an .xlsx together, unpacked
MAX_PACKING_RATIO = 100  # a member that unpacks to more than 100 times its size is a bomb
MAX_CSV_CELL = 128 * 1024
REFUSE_HINT = "open it in Excel or LibreOffice Calc and save it again as .xlsx"


def read_sheet(path: Path) -> Sheet:
    """The rows of an .xlsx (its active sheet) or a .csv file."""
    if not path.is_file():
        raise UsageError(f"'{path}' is not a file")
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".txt"):
        hint = " (save it as .xlsx in Excel)" if suffix in (".xls", ".ods", ".numbers") else ""
        raise UsageError(f"failed to import '{path}': choose an .xlsx or .csv file{hint}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _unreadable(
            path,
            f"it is {size // 2**20} MiB; a sheet of facts is far smaller (at most {MAX_FILE_BYTES // 2**20} MiB)",
            "import the sheet 'rapport facts export' made, with only the facts in it",
        )
    return _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path)


def _unreadable(path: Path, why: str, hint: str = REFUSE_HINT, line: int = 0) -> ContentError:
    where = CellLocation(path, line) if line else Location(path)
    return ContentError([Diagnostic(where, f"failed to read the spreadsheet: {why}", hint)])


def _read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    _check_zip(path)
    with path.open("rb") as value_stream, path.open("rb") as formula_stream:
        try:
            values = load_workbook(value_stream, read_only=True, data_only=True)
            formulas = load_workbook(formula_stream, read_only=True)
        except Exception as exc:  # an untrusted file: any failure of the reader is the file's
            raise _unreadable(path, _reason(exc)) from None
        try:
            index = _sheet_index(path, values)
            sheet, raw = values.worksheets[index], formulas.worksheets[index]
            _check_dimension(path, sheet)
            rows = _xlsx_rows(path, sheet, raw)
        except ContentError:
            raise
        except Exception as exc:
            raise _unreadable(path, _reason(exc)) from None
        finally:
            values.close()
            formulas.close()
    return Sheet(path, rows, Style.FLEMISH, name=str(sheet.title))


def _reason(exc: Exception) -> str:
    """Why a file could not be read, in words, from what the reader raised."""
    cause: BaseException | None = exc
    while cause is not None:  # openpyxl wraps what its XML parser raised
        if type(cause).__name__ in (
            "EntitiesForbidden",
            "DTDForbidden",
            "ExternalReferenceForbidden",
        ):
            exc = cause  # type: ignore[assignment]
            break
        cause = cause.__cause__ or cause.__context__
    name = type(exc).__name__
    if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"):
        return "it declares XML entities or a DTD, which a spreadsheet never needs (refused for safety)"
    if isinstance(exc, zipfile.BadZipFile | EOFError) or name == "error":
        return "it is damaged or cut short (not a complete .xlsx)"
    if isinstance(exc, SyntaxError):  # xml.etree's ParseError
        return f"its XML is damaged ({exc})"
    if isinstance(exc, KeyError):
        return f"a part of the workbook is missing ({exc})"
    return f"{name}: {exc}"


def _check_zip(path: Path) -> None:
    """Refuse, before unpacking anything, an .xlsx that is no zip or unpacks to far too much."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _unreadable(path, "it is damaged or cut short (not a complete .xlsx)") from None
    total = sum(member.file_size for member in members)
    if len(members) > 1000 or total > MAX_UNPACKED_BYTES:
        raise _unreadable(
            path,
            f"it unpacks to {total // 2**20} MiB in {len(members)} parts, far more than a sheet of facts",
        )
    for member in members:
        if member.file_size > 2**20 and member.file_size > MAX_PACKING_RATIO * max(
            member.compress_size, 1
        ):
            raise _unreadable(
                path,
                f"its part {member.filename} unpacks to {member.file_size // 2**20} MiB"
                f" from {member.compress_size} bytes (a zip bomb?)",
            )
    with zipfile.ZipFile(path) as archive:
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                rows, columns = _furthest_cell(archive, member)
                if rows > MAX_ROWS or columns > MAX_COLUMNS:
                    raise _too_far(path, rows, columns)


_CELL_REFERENCE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')


def _furthest_cell(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, int]:
    """The last row and column a sheet's cells reach, read from its XML in pieces (no <dimension> trusted)."""
    rows = columns = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(2**20):
            text = tail + chunk
            for letters, number in _CELL_REFERENCE.findall(text):
                rows = max(rows, int(number))
                columns = max(columns, column_number(letters.decode("ascii")))
            tail = text[-200:]
    return rows, columns


def column_number(letters: str) -> int:
    """The number of a column: 1 for A, 16384 for XFD."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _sheet_index(path: Path, workbook: Any) -> int:
    """The sheet the colleague sees: the active one, or else the first that is not hidden."""
    sheets = workbook.worksheets
    visible = [i for i, s in enumerate(sheets) if getattr(s, "sheet_state", "visible") == "visible"]
    if not visible:
        raise _unreadable(
            path,
            "it has no visible sheet" if sheets else "it has no sheets",
            "import the sheet 'rapport facts export' made",
        )
    active = getattr(workbook, "_active_sheet_index", 0)
    return active if active in visible else visible[0]


def _check_dimension(path: Path, sheet: Any) -> None:
    """Refuse a sheet that says it reaches far beyond the facts, before reading its cells."""
    try:
        rows, columns = sheet.max_row or 0, sheet.max_column or 0
    except Exception:  # no or a wrong <dimension>: the bounded reading below still holds
        return
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        raise _too_far(path, rows, columns)


def _too_far(path: Path, rows: int, columns: int) -> ContentError:
    return _unreadable(
        path,
        f"the sheet reaches cell {column_letter(columns)}{rows}, beyond the"
        f" {MAX_COLUMNS} columns and {MAX_ROWS} rows a sheet of facts can have",
        "delete the rows below the facts and the columns after 'opmerking', and save it again",
    )


def _xlsx_rows(path: Path, sheet: Any, raw: Any) -> list[list[SheetCell]]:
    bounds = {"max_row": MAX_ROWS + 1, "max_col": MAX_COLUMNS + 1}
    rows: list[list[SheetCell]] = []
    for number, (value_row, formula_row) in enumerate(
        zip(sheet.iter_rows(**bounds), raw.iter_rows(**bounds), strict=True), 1
    ):
        cells = [
            _xlsx_cell(cell, formula) for cell, formula in zip(value_row, formula_row, strict=True)
        ]
        used = [i for i, cell in enumerate(cells, 1) if not _is_blank(cell) or cell.formula]
        if used and (number > MAX_ROWS or used[-1] > MAX_COLUMNS):
            raise _too_far(path, number, used[-1])
        rows.append(cells[: used[-1]] if used else [])
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _xlsx_cell(cell: Any, formula: Any) -> SheetCell:
    text = formula.value
    is_formula = isinstance(text, str) and text.startswith("=") and formula.data_type == "f"
    value = cell.value
    number_format = str(cell.number_format or "General")
    return SheetCell(value, number_format, formula=is_formula and value is None)  # no result saved


def _read_csv(path: Path) -> Sheet:
    text = _decode(path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    records = _csv_records(path, text, delimiter)
    _check_fields(path, records, delimiter)
    rows = [[SheetCell(_csv_cell(cell)) for cell in row] for row, _lines in records]
    style = Style.FLEMISH if delimiter == ";" else _style_of(rows)
    return Sheet(path, rows, style, shown=True)


def _csv_records(path: Path, text: str, delimiter: str) -> list[tuple[list[str], int]]:
    """The rows of a CSV and how many lines each takes; a broken quote or a huge cell refused."""
    csv.field_size_limit(MAX_CSV_CELL)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[list[str], int]] = []
    line = 0
    try:
        for row in reader:
            records.append((row, reader.line_num - line))
            line = reader.line_num
    except csv.Error as exc:
        row_number = len(records) + 1
        if "field limit" in str(exc):
            raise _unreadable(
                path,
                f"a cell on row {row_number} is longer than {MAX_CSV_CELL // 1024} KiB",
                "a fact's cell holds a number: remove the long text and save it again",
                row_number,
            ) from None
        raise _unreadable(
            path,
            f'a quote (") on row {row_number} is not closed, or text follows a closing quote ({exc})',
            'close the quote, or remove it: a cell with ; or " inside is written "like ""this"""',
            row_number,
        ) from None
    return records


def _check_fields(path: Path, records: list[tuple[list[str], int]], delimiter: str) -> None:
    """Every row has as many cells as the first, and a row is one line unless a note spans more."""
    if not records:
        return
    expected = len(records[0][0])
    problems = []
    for number, (row, lines) in enumerate(records, 1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != expected:
            problems.append(
                Diagnostic(
                    CellLocation(path, number),
                    f"row has {len(row)} cells, the first row has {expected}",
                    _fields_hint(delimiter),
                )
            )
        elif lines > 1 and any("\n" in cell or "\r" in cell for cell in row[:_VALUE_COLUMN]):
            problems.append(
                Diagnostic(
                    CellLocation(path, number),
                    f'row runs over {lines} lines: a quote (") on it is not closed where it should be',
                    'close the quote, or remove it: a cell with a quote inside is written "like ""this"""',
                )
            )
    if problems:
        raise ContentError(problems)


def _fields_hint(delimiter: str) -> str:
    if delimiter == ",":
        return (
            "a number with a decimal comma must be between quotes (\"12,5\") in a CSV with ','"
            " between the columns; save the sheet as CSV with ';' between the columns, or as .xlsx"
        )
    return f"remove the extra '{delimiter}', or put the cell that holds it between quotes"


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else Windows' cp1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _style_of(rows: list[list[SheetCell]]) -> Style:
    """How the numbers of a ',' CSV are written, from the ones that say it unambiguously."""
    found = {
        number_style_evidence(str(cell.value))
        for row in rows[1:]
        for cell in row
        if isinstance(cell.value, str)
    } - {Style.UNKNOWN}
    return found.pop() if len(found) == 1 else Style.UNKNOWN
