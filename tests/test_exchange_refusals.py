"""What `rapport facts import` refuses, each kind of file with its exact message.

Every case builds the file a colleague (or an attacker) could hand in, imports it,
and checks the message and that facts.yaml did not change. None may end in a
traceback (exit 70).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from helpers import project_with_facts
from rapport.content.exchange import (
    FORMULA_STARTS,
    _csv_cell,
    _csv_text,
    _shown_float,
    export_facts,
    import_facts,
    read_sheet,
)
from rapport.diagnostics import ContentError
from test_exchange import FACTS_2022, FACTS_2024, HEADER, _sheet_csv, _values


@pytest.fixture
def edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return project_with_facts(tmp_path, FACTS_2024, FACTS_2022)


def _refused(edition: Path, sheet: Path) -> list[str]:
    before = (edition / "facts.yaml").read_bytes()
    with pytest.raises(ContentError) as caught:
        import_facts(edition, sheet)
    assert (edition / "facts.yaml").read_bytes() == before  # nothing changed
    return [d.render() for d in caught.value.diagnostics]


def _exported(edition: Path) -> Path:
    return export_facts(edition)


def _with_member(source: Path, target: Path, name: str, data: bytes | None) -> Path:
    """A copy of the workbook `source` with member `name` replaced (None: removed) or added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            if member.filename != name:
                new.writestr(member, old.read(member.filename))
        if data is not None:
            new.writestr(name, data)
    return target


SHEET = "xl/worksheets/sheet1.xml"


def _sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(SHEET)


def damaged_xml(edition: Path) -> Path:
    source = _exported(edition)
    return _with_member(source, Path("kapot.xlsx"), SHEET, _sheet_xml(source)[:-200])


def truncated_zip(edition: Path) -> Path:
    data = _exported(edition).read_bytes()
    Path("half.xlsx").write_bytes(data[: len(data) // 2])
    return Path("half.xlsx")


def billion_laughs(edition: Path) -> Path:
    entities = '<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    xml = _sheet_xml(_exported(edition)).decode("utf-8")
    xml = f"<!DOCTYPE worksheet [{entities}]>" + xml
    xml = xml.replace("<t>naam</t>", "<t>&j;</t>", 1)
    return _with_member(_exported(edition), Path("lol.xlsx"), SHEET, xml.encode("utf-8"))


def external_entity(edition: Path) -> Path:
    xml = _sheet_xml(_exported(edition)).decode("utf-8")
    xml = '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + xml
    xml = xml.replace("<t>naam</t>", "<t>&x;</t>", 1)
    return _with_member(_exported(edition), Path("xxe.xlsx"), SHEET, xml.encode("utf-8"))


def no_sheets(edition: Path) -> Path:
    source = _exported(edition)
    with zipfile.ZipFile(source) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
    start, end = workbook.index("<sheets>"), workbook.index("</sheets>") + len("</sheets>")
    empty = workbook[:start] + "<sheets/>" + workbook[end:]
    return _with_member(source, Path("leeg.xlsx"), "xl/workbook.xml", empty.encode("utf-8"))


def far_cell(edition: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active["XFD1048576"] = 1
    workbook.save("ver.xlsx")
    return Path("ver.xlsx")


def far_cell_without_dimension(edition: Path) -> Path:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org'
        '/spreadsheetml/2006/main"><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    return _with_member(far_cell(edition), Path("ver2.xlsx"), SHEET, xml.encode("utf-8"))


def zip_bomb(edition: Path) -> Path:
    return _with_member(
        _exported(edition), Path("bom.xlsx"), "xl/media/image1.png", bytes(80 * 2**20)
    )


def small_bomb(edition: Path) -> Path:
    return _with_member(
        _exported(edition), Path("bom2.xlsx"), "xl/media/image1.png", bytes(8 * 2**20)
    )


def hidden_active_sheet(edition: Path) -> Path:
    workbook = openpyxl.load_workbook(_exported(edition))
    hidden = workbook.copy_worksheet(workbook.active)
    hidden.title = "oud"
    hidden["E3"] = 99
    hidden.sheet_state = "hidden"
    workbook.active = 1
    workbook.active["E3"] = 99
    workbook.worksheets[0]["E3"] = 74
    workbook.save("verborgen.xlsx")
    return Path("verborgen.xlsx")


def _xlsx(edition: Path, change: Callable[[openpyxl.worksheet.worksheet.Worksheet], None]) -> Path:
    workbook = openpyxl.load_workbook(_exported(edition))
    change(workbook.active)
    workbook.save("cijfers.xlsx")
    return Path("cijfers.xlsx")


def twice_the_value_column(edition: Path) -> Path:
    def change(sheet: openpyxl.worksheet.worksheet.Worksheet) -> None:
        sheet["I1"] = "waarde 2023"
        sheet["I3"] = 75

    return _xlsx(edition, change)


def unknown_column(edition: Path) -> Path:
    return _xlsx(edition, lambda sheet: sheet.cell(row=1, column=9, value="nieuw"))


def fraction_for_a_percentage(edition: Path) -> Path:
    def change(sheet: openpyxl.worksheet.worksheet.Worksheet) -> None:
        sheet["E3"] = 0.76
        sheet["E3"].number_format = "#,##0"

    return _xlsx(edition, change)


def share_over_100(edition: Path) -> Path:
    return _xlsx(edition, lambda sheet: sheet.cell(row=3, column=5, value=140))


def _csv(rows: list[list[str]], delimiter: str = ";") -> Path:
    Path("cijfers.csv").write_text(_sheet_csv(rows, delimiter), encoding="utf-8")
    return Path("cijfers.csv")


def rounded_in_csv(edition: Path) -> Path:
    Path("content/2022/facts.yaml").write_text(
        FACTS_2022 + "vlacc.boeken: 60.5\n", encoding="utf-8"
    )
    return _csv([HEADER, ["vlacc.boeken", "", "", "60,5", "61", "", "", ""]])


def percent_text_for_a_count(edition: Path) -> Path:
    return _csv([HEADER, ["ebooks.titels", "", "", "13.000", "6,5%", "", "", ""]])


def unquoted_decimal_comma(edition: Path) -> Path:
    Path("cijfers.csv").write_text(
        ",".join(HEADER) + "\r\nvlacc.boeken,,,,12,5,,,\r\n", encoding="utf-8"
    )
    return Path("cijfers.csv")


def unbalanced_quote(edition: Path) -> Path:
    Path("cijfers.csv").write_text(
        ";".join(HEADER) + '\r\nvlacc.boeken;"boeken;;;12;;;\r\nvlacc.overige;;;;3;;;\r\n',
        encoding="utf-8",
    )
    return Path("cijfers.csv")


def huge_csv_cell(edition: Path) -> Path:
    return _csv([HEADER, ["vlacc.boeken", "x" * (129 * 1024), "", "", "12", "", "", ""]])


CASES: dict[str, tuple[Callable[[Path], Path], list[str]]] = {
    "damaged sheet XML": (
        damaged_xml,
        [
            "kapot.xlsx: error: failed to read the spreadsheet: its XML is damaged (unclosed token: line 1, column 3441)\n  hint: open it in Excel or LibreOffice Calc and save it again as .xlsx"
        ],
    ),
    "truncated zip": (
        truncated_zip,
        [
            "half.xlsx: error: failed to read the spreadsheet: it is damaged or cut short (not a complete .xlsx)\n  hint: open it in Excel or LibreOffice Calc and save it again as .xlsx"
        ],
    ),
    "billion laughs": (
        billion_laughs,
        [
            "lol.xlsx: error: failed to read the spreadsheet: it declares XML entities or a DTD, which a spreadsheet never needs (refused for safety)\n  hint: open it in Excel or LibreOffice Calc and save it again as .xlsx"
        ],
    ),
    "external entity": (
        external_entity,
        [
            "xxe.xlsx: error: failed to read the spreadsheet: it declares XML entities or a DTD, which a spreadsheet never needs (refused for safety)\n  hint: open it in Excel or LibreOffice Calc and save it again as .xlsx"
        ],
    ),
    "no sheets": (
        no_sheets,
        [
            "leeg.xlsx: error: failed to read the spreadsheet: it has no sheets\n  hint: import the sheet 'rapport facts export' made"
        ],
    ),
    "cell at XFD1048576": (
        far_cell,
        [
            "ver.xlsx: error: failed to read the spreadsheet: the sheet reaches cell XFD1048576, beyond the 64 columns and 5000 rows a sheet of facts can have\n  hint: delete the rows below the facts and the columns after 'opmerking', and save it again"
        ],
    ),
    "cell at XFD1048576, no dimension": (
        far_cell_without_dimension,
        [
            "ver2.xlsx: error: failed to read the spreadsheet: the sheet reaches cell XFD1048576, beyond the 64 columns and 5000 rows a sheet of facts can have\n  hint: delete the rows below the facts and the columns after 'opmerking', and save it again"
        ],
    ),
    "zip bomb": (
        zip_bomb,
        [
            "bom.xlsx: error: failed to read the spreadsheet: it unpacks to 80 MiB in 10 parts, far more than a sheet of facts\n  hint: open it in Excel or LibreOffice Calc and save it again as .xlsx"
        ],
    ),
    "packed member": (
        small_bomb,
        [
            "bom2.xlsx: error: failed to read the spreadsheet: its part xl/media/image1.png unpacks to 8 MiB from 8157 bytes (a zip bomb?)\n  hint: open it in Excel or LibreOffice Calc and save it again as .xlsx"
        ],
    ),
    "value column twice": (
        twice_the_value_column,
        [
            "cijfers.xlsx:1:I: error: column 'waarde 2023' is there twice, in E and I\n  hint: delete or rename one of the two columns: import cannot tell which one holds the values"
        ],
    ),
    "unknown column": (
        unknown_column,
        [
            "cijfers.xlsx:1:I: error: column 'nieuw' is not one of the sheet's columns\n  hint: delete the column (or its name), or import the sheet 'rapport facts export' made; the columns are: naam, omschrijving, eenheid, waarde 2022, waarde 2023, status, bron, opmerking"
        ],
    ),
    "fraction for a percentage": (
        fraction_for_a_percentage,
        [
            "cijfers.xlsx:3:E: error: value '0.76' for fact 'ebooks.aandeel' is a fraction, but the fact is a percentage (% van de bibliotheken) and last year's value was 70\n  hint: type the percentage itself: 76 (or 76%)"
        ],
    ),
    "share over 100": (
        share_over_100,
        [
            "cijfers.xlsx:3:E: error: value '140' for fact 'ebooks.aandeel' is outside 0 to 100, the range of a share (% van de bibliotheken)\n  hint: type the percentage, between 0 and 100"
        ],
    ),
    "rounded in a CSV": (
        rounded_in_csv,
        [
            "cijfers.csv:2:E: error: value '61' for fact 'vlacc.boeken' has no decimals, but last year's value had (60,5): a CSV holds what a cell shows, so a cell formatted without decimals loses them\n  hint: show the decimals in the cell (Format Cells, Number, decimals) and save the CSV again, or import the .xlsx; when the value is whole, type it as 12,0"
        ],
    ),
    "percentage for a count": (
        percent_text_for_a_count,
        [
            "cijfers.csv:2:E: error: value '6,5%' for fact 'ebooks.titels' is a percentage, but the fact counts titels\n  hint: write the number without '%'"
        ],
    ),
    "unquoted decimal comma": (
        unquoted_decimal_comma,
        [
            "cijfers.csv:2: error: row has 9 cells, the first row has 8\n  hint: a number with a decimal comma must be between quotes (\"12,5\") in a CSV with ',' between the columns; save the sheet as CSV with ';' between the columns, or as .xlsx"
        ],
    ),
    "unbalanced quote": (
        unbalanced_quote,
        [
            'cijfers.csv:2: error: failed to read the spreadsheet: a quote (") on row 2 is not closed, or text follows a closing quote (unexpected end of data)\n  hint: close the quote, or remove it: a cell with ; or " inside is written "like ""this"""'
        ],
    ),
    "CSV cell over 128 KiB": (
        huge_csv_cell,
        [
            "cijfers.csv:2: error: failed to read the spreadsheet: a cell on row 2 is longer than 128 KiB\n  hint: a fact's cell holds a number: remove the long text and save it again"
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_refused_with_its_message(edition: Path, case: str) -> None:
    build, expected = CASES[case]
    assert _refused(edition, build(edition)) == expected


def test_the_visible_sheet_is_read_never_a_hidden_one(edition: Path) -> None:
    result = import_facts(edition, hidden_active_sheet(edition))
    assert (
        result.summary()
        == "0 values filled in, 1 changed, 5 still empty (from sheet 'Cijfers 2023')"
    )
    assert _values(edition)["ebooks.aandeel"] == 74


@pytest.mark.parametrize(
    "text", ["=1+1", "+32 2 555 01 01", "-", "@bron", "\tnota", "'=1+1", "'citaat'"]
)
def test_every_csv_text_comes_back_exactly(text: str) -> None:
    assert _csv_cell(_csv_text(text)) == text
    assert not _csv_text(text).startswith(FORMULA_STARTS)


def test_a_csv_text_neutralised_on_export_comes_back_exactly(edition: Path) -> None:
    facts = edition / "facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("source: cloudLibrary", "source: '=1+1'"),
        encoding="utf-8",
    )
    path = export_facts(edition, Path("build/cijfers.csv"))
    text = path.read_text(encoding="utf-8-sig")
    assert ";'=1+1;" in text
    sheet = read_sheet(path)
    assert [cell.value for cell in sheet.rows[1]][6] == "=1+1"


def test_export_honours_the_umask_and_import_keeps_the_mode(edition: Path) -> None:
    old = os.umask(0o027)
    try:
        path = export_facts(edition)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    facts = edition / "facts.yaml"
    facts.chmod(0o664)
    import_facts(edition, _csv([HEADER, ["vlacc.boeken", "", "", "", "12", "", "", ""]]))
    assert _values(edition)["vlacc.boeken"] == 12
    assert stat.S_IMODE(facts.stat().st_mode) == 0o664


def test_a_linked_facts_file_is_written_through_inside_the_project(edition: Path) -> None:
    shared = Path("gedeeld")
    shared.mkdir()
    facts = edition / "facts.yaml"
    facts.rename(shared / "facts.yaml")
    facts.symlink_to(Path("../../gedeeld/facts.yaml"))
    import_facts(edition, _csv([HEADER, ["vlacc.boeken", "", "", "", "12", "", "", ""]]))
    assert facts.is_symlink()
    assert "vlacc.boeken: 12" in (shared / "facts.yaml").read_text(encoding="utf-8")


def test_a_facts_file_linked_outside_the_project_is_refused(
    edition: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elders") / "facts.yaml"
    facts = edition / "facts.yaml"
    outside.write_bytes(facts.read_bytes())
    facts.unlink()
    facts.symlink_to(outside)
    sheet = _csv([HEADER, ["vlacc.boeken", "", "", "", "12", "", "", ""]])
    assert _refused(edition, sheet) == [
        "content/2023/facts.yaml: error: file lies outside the project folder"
        f" (a link leads it to {outside.resolve()})\n"
        "  hint: copy the file into the project instead of linking to it"
    ]
    assert "vlacc.boeken: 12" not in outside.read_text(encoding="utf-8")


HOLD_THE_LOCK = """\
import sys
from decimal import Decimal
from pathlib import Path
from rapport.content.exchange import _import_lock
with _import_lock(Path("content/2023")):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.mark.e2e
def test_imports_into_one_edition_wait_for_each_other(edition: Path) -> None:
    sheet = _csv([HEADER, ["vlacc.boeken", "", "", "", "12", "", "", ""]])
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline() == "held\n"
        with subprocess.Popen(
            [sys.executable, "-m", "rapport", "facts", "import", "content/2023", str(sheet)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as waiting:
            assert waiting.stderr is not None
            first = waiting.stderr.readline()  # written while the other holds the lock
            assert "another import into content/2023 is running; waiting for it to finish" in first
            assert _values(edition)["vlacc.boeken"] is None  # it waits: nothing written yet
            holder.stdin.write("\n")
            holder.stdin.close()
            assert holder.wait(timeout=60) == 0
            assert waiting.wait(timeout=120) == 0, waiting.stderr.read()
    assert _values(edition)["vlacc.boeken"] == 12


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (0.1 * 579, "General", "57.9"),
        (0.1 * 579, "#,##0.0", "57.9"),
        (57.94999, "0.00", "57.95"),
        (0.065000000000000002, "0.0%", "0.065"),
        (12.3, "#,##0", "12.3"),  # a whole-number format hides typed decimals: they are kept
    ],
)
def test_a_float_is_read_as_precise_as_its_cell_shows_it(
    value: float, number_format: str, shown: str
) -> None:
    assert _shown_float(value, number_format) == Decimal(shown)
