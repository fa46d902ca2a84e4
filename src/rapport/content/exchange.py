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

import csv
import datetime as dt
import enum
import io
import logging
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rapport.atomic import write_atomically
from rapport.content.factsfile import FactsFileError, format_fact_value, set_fact_values
from rapport.content.load_facts import FACTS_FILE, load_facts
from rapport.content.model import Fact, FactSet
from rapport.content.yamlsource import MappingNode, ScalarNode, read_yaml
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


def headers(year: int) -> tuple[str, ...]:
    return (
        NAME_HEADER,
        "omschrijving",
        "eenheid",
        value_header(year - 1),
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
    path: Path
    current: FactSet
    previous: FactSet | None


def _edition_year(edition_dir: Path) -> int:
    source = read_yaml(edition_dir / "edition.yaml", Problems(), root=project_of(edition_dir))
    if source is not None and isinstance(source.root, MappingNode):
        for key, value in source.root.value:
            if key.value == "year" and isinstance(value, ScalarNode) and value.value.isdigit():
                return int(value.value)
    if edition_dir.name.isdigit():
        return int(edition_dir.name)
    raise UsageError(
        f"failed to tell the year of {display_path(edition_dir)} (edition.yaml has no year)"
    )


def _load(edition_dir: Path) -> _Facts:
    year = _edition_year(edition_dir)
    path = edition_dir / FACTS_FILE
    problems = Problems()
    current = load_facts(path, year, problems, draft=True)
    previous_path = edition_dir.parent / str(year - 1) / FACTS_FILE
    previous = load_facts(previous_path, year - 1, problems, draft=True)
    if problems.errors:
        raise ContentError(list(problems))
    if current is None:
        raise UsageError(f"{display_path(path)} does not exist: this edition has no facts")
    return _Facts(year, path, current, previous)


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
    data = _xlsx(facts.year, rows) if suffix == ".xlsx" else _csv(facts.year, rows)
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


def _csv(year: int, rows: list[tuple[Cell, ...]]) -> bytes:
    """A ';' CSV with decimal commas, as Excel in Belgium reads and writes it."""
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers(year))
    for row in rows:
        writer.writerow(
            [
                ""
                if cell is None
                else format_fact_value(cell).replace(".", ",")
                if isinstance(cell, Decimal)
                else cell
                for cell in row
            ]
        )
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


_WIDTHS = (30, 34, 22, 14, 14, 10, 26, 50)
_VALUE_COLUMN = 5  # "waarde <year>", the one to fill in
_FILL_COLOUR = "FFF2CC"  # a light yellow: fill in here
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _xlsx(year: int, rows: list[tuple[Cell, ...]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Cijfers {year}"
    sheet.append(headers(year))
    for row in rows:
        sheet.append([_xlsx_number(cell) if isinstance(cell, Decimal) else cell for cell in row])
        for column in (4, 5):
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.number_format = _number_format(row[column - 1])
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


def _xlsx_number(value: Decimal) -> int | Decimal:
    exponent = value.as_tuple().exponent
    whole = isinstance(exponent, int) and exponent >= 0
    return int(value) if whole else value


def _number_format(value: Cell) -> str:
    """Thousands grouped as the reader's Excel does (1.852.354 in Belgium), decimals kept."""
    exponent = value.as_tuple().exponent if isinstance(value, Decimal) else 0
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" + ("." + "0" * places if places else "")


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


@dataclass
class ImportResult:
    facts_path: Path
    filled: list[str] = field(default_factory=list)
    changed: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)
    still_empty: int = 0

    def summary(self) -> str:
        filled = plural(len(self.filled), "value") + " filled in"
        return f"{filled}, {len(self.changed)} changed, {self.still_empty} still empty"


def import_facts(edition_dir: Path, sheet_path: Path) -> ImportResult:
    """Read the 'waarde <year>' column into facts.yaml; nothing changes when a row is wrong."""
    facts = _load(edition_dir)
    sheet = read_sheet(sheet_path)
    values, diagnostics = _values(sheet, facts)
    if diagnostics:
        raise ContentError(_ordered(diagnostics))
    result = ImportResult(facts.path)
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
    write_atomically(facts.path, new.encode("utf-8"))
    for name, before_value, after in result.changed:
        log.info("%s: %s → %s", name, format_fact_value(before_value), format_fact_value(after))
    return result


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
            values[name] = (_cell_value(value_cell, fact, sheet.style), number)
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
        number = decimal_of_float(value)
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


# -- reading a spreadsheet ---------------------------------------------------


def read_sheet(path: Path) -> Sheet:
    """The rows of an .xlsx (its first sheet) or a .csv file."""
    if not path.is_file():
        raise UsageError(f"'{path}' is not a file")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    hint = " (save it as .xlsx in Excel)" if suffix in (".xls", ".ods", ".numbers") else ""
    raise UsageError(f"failed to import '{path}': choose an .xlsx or .csv file{hint}")


def _read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    try:
        values = load_workbook(path, data_only=True).worksheets[0]
        formulas = load_workbook(path).worksheets[0]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ContentError(
            [
                Diagnostic(
                    Location(path),
                    f"failed to read the spreadsheet ({type(exc).__name__}: {exc})",
                    "open it in Excel and save it again as .xlsx",
                )
            ]
        ) from exc
    rows = []
    for value_row, formula_row in zip(values.iter_rows(), formulas.iter_rows(), strict=True):
        rows.append(
            [
                SheetCell(
                    cell.value,
                    cell.number_format or "General",
                    cell.value is None and isinstance(raw.value, str) and raw.value.startswith("="),
                )
                for cell, raw in zip(value_row, formula_row, strict=True)
            ]
        )
    return Sheet(path, rows, Style.FLEMISH)


def _read_csv(path: Path) -> Sheet:
    text = _decode(path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    rows = [
        [SheetCell(cell) for cell in row]
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    ]
    style = Style.FLEMISH if delimiter == ";" else _style_of(rows)
    return Sheet(path, rows, style)


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
