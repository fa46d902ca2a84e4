"""Facts by spreadsheet: editing facts.yaml in place, `rapport facts export` and `import`."""

from __future__ import annotations

import csv
import difflib
import io
import textwrap
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import REPO, make_project, project_with_facts, run_rapport
from rapport.content.exchange import (
    Style,
    column_letter,
    decimal_of_float,
    export_facts,
    import_facts,
    parse_number,
)
from rapport.content.factsfile import (
    FactsFileError,
    format_fact_value,
    set_fact_comments,
    set_fact_values,
)
from rapport.content.formatting import format_number
from rapport.content.load_facts import load_facts
from rapport.diagnostics import ContentError, Problems

FACTS_2023 = REPO / "content" / "2023" / "facts.yaml"

# -- editing facts.yaml in place ----------------------------------------------


def _load_text(tmp: Path, text: str) -> dict[str, object]:
    path = tmp / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    facts = load_facts(path, 2023, problems, draft=True)
    # random values need not add up to their totals; every other problem is a failure
    errors = [d for d in problems.errors if not d.message.startswith("the parts of")]
    assert not errors, [d.render() for d in errors]
    assert facts is not None
    return {f.name: f for f in facts.facts}


def _without_value(fact: object) -> dict[str, object]:
    fields = dict(vars(fact))
    for key in ("value", "location"):
        fields.pop(key)
    return fields


values_or_none = st.one_of(
    st.none(),
    st.decimals(
        min_value=Decimal("-999999999999"),
        max_value=Decimal("999999999999"),
        allow_nan=False,
        allow_infinity=False,
        places=None,
    ).filter(
        lambda d: d.as_tuple().exponent >= -6 if isinstance(d.as_tuple().exponent, int) else False
    ),
)


def _representable(value: Decimal | None) -> bool:
    if value is None:
        return True
    try:
        format_fact_value(value)
    except FactsFileError:
        return False
    return True


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_set_values_loads_back_exactly_and_leaves_every_other_line(
    tmp_path: Path, data: st.DataObject
) -> None:
    original = FACTS_2023.read_text(encoding="utf-8")
    before = _load_text(tmp_path, original)
    names = data.draw(st.lists(st.sampled_from(sorted(before)), unique=True, max_size=12))
    values = {name: data.draw(values_or_none) for name in names}
    assume(all(_representable(v) for v in values.values()))
    edited = set_fact_values(original, values, path=FACTS_2023)
    after = _load_text(tmp_path, edited)
    assert list(after) == list(before)  # same facts, same order
    for name, fact in after.items():
        expected = values[name] if name in values else before[name].value  # type: ignore[attr-defined]
        assert fact.value == expected  # type: ignore[attr-defined]
        assert _without_value(fact) == _without_value(before[name])
    # Only lines of changed facts differ.
    changed_lines = [
        line
        for line in difflib.ndiff(original.splitlines(), edited.splitlines())
        if line.startswith(("- ", "+ "))
    ]
    for line in changed_lines:
        text = line[2:]
        assert any(text.startswith(f"{n}:") for n in values) or text.startswith("  "), line


@settings(max_examples=20, deadline=None)
@given(
    st.lists(st.sampled_from(["wise.abonnementen", "ebooks.aandeel", "vlacc.overige"]), unique=True)
)
def test_setting_the_original_values_gives_back_the_original_text(names: list[str]) -> None:
    original = FACTS_2023.read_text(encoding="utf-8")
    problems = Problems()
    facts = load_facts(FACTS_2023, 2023, problems)
    assert facts is not None
    values = {name: facts.get(name).value for name in names}  # type: ignore[union-attr]
    assert set_fact_values(original, values, path=FACTS_2023) == original


NEW_FACTS = """\
# Feiten van 2024
wise.abonnementen:
  value:  # 2023: 1.852.354
  unit: actieve abonnementen
ebooks.titels: {value: 15000, qualifier: ruim, unit: titels}  # uit cloudLibrary
wise.migraties.2024: 4
leeg:
"""


def test_filling_a_block_value_keeps_its_comment() -> None:
    edited = set_fact_values(NEW_FACTS, {"wise.abonnementen": Decimal(1900000)}, path=Path("f"))
    assert "  value: 1900000  # 2023: 1.852.354\n" in edited
    assert set_fact_values(edited, {"wise.abonnementen": None}, path=Path("f")) == NEW_FACTS


def test_emptying_a_flow_fact_rewrites_it_as_a_block() -> None:
    edited = set_fact_values(NEW_FACTS, {"ebooks.titels": None}, path=Path("f"))
    assert (
        "ebooks.titels:  # uit cloudLibrary\n  value:\n  qualifier: ruim\n  unit: titels\n"
        in edited
    )
    assert (
        set_fact_values(edited, {"ebooks.titels": Decimal(15000)}, path=Path("f")).count(
            "  value: 15000  "
        )
        == 0
    )  # filled again as a block, not back to braces
    assert "  value: 15000\n" in set_fact_values(
        edited, {"ebooks.titels": Decimal(15000)}, path=Path("f")
    )


def test_bare_values_are_filled_and_emptied() -> None:
    edited = set_fact_values(
        NEW_FACTS, {"wise.migraties.2024": None, "leeg": Decimal("6.50")}, path=Path("f")
    )
    assert "wise.migraties.2024:\n" in edited
    assert "leeg: 6.50\n" in edited


def test_windows_line_endings_and_a_bom_stay() -> None:
    text = "\ufeff" + NEW_FACTS.replace("\n", "\r\n")
    edited = set_fact_values(text, {"ebooks.titels": None, "leeg": Decimal(1)}, path=Path("f"))
    assert edited.startswith("\ufeff")
    assert "\n" not in edited.replace("\r\n", "")
    assert "ebooks.titels:  # uit cloudLibrary\r\n  value:\r\n" in edited


def test_comments_are_set_on_the_value_line() -> None:
    edited = set_fact_comments(
        NEW_FACTS,
        {"wise.abonnementen": "2023: 1.900.000", "ebooks.titels": "nieuw", "leeg": "2023: leeg"},
        path=Path("f"),
    )
    assert "  value:  # 2023: 1.900.000\n" in edited
    assert "ebooks.titels: {value: 15000, qualifier: ruim, unit: titels}  # nieuw\n" in edited
    assert "leeg:  # 2023: leeg\n" in edited


def test_an_unknown_fact_is_refused() -> None:
    with pytest.raises(FactsFileError) as caught:
        set_fact_values(
            NEW_FACTS, {"ebooks.titel": Decimal(1)}, path=Path("content/2024/facts.yaml")
        )
    assert caught.value.message == "fact 'ebooks.titel' is not in content/2024/facts.yaml"
    assert caught.value.hint == "did you mean 'ebooks.titels'?"


def test_a_value_facts_yaml_would_read_as_grouped_is_refused() -> None:
    with pytest.raises(FactsFileError, match="three decimals"):
        set_fact_values(NEW_FACTS, {"leeg": Decimal("1.234")}, path=Path("f"))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal(1852354), "1852354"),
        (Decimal("6.50"), "6.50"),
        (Decimal("-2.5"), "-2.5"),
        (Decimal("1.8E+6"), "1800000"),
        (Decimal("-0"), "0"),
        (Decimal("0.0001"), "0.0001"),
    ],
)
def test_values_are_written_plainly(value: Decimal, written: str) -> None:
    assert format_fact_value(value) == written


# -- reading numbers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "style", "number", "percent"),
    [
        ("1.852.354", Style.FLEMISH, "1852354", False),
        ("1852354", Style.UNKNOWN, "1852354", False),
        ("1 852 354", Style.UNKNOWN, "1852354", False),
        ("1\u202f852\u202f354", Style.UNKNOWN, "1852354", False),
        ("1\u00a0852\u00a0354,5", Style.UNKNOWN, "1852354.5", False),
        ("6,5", Style.UNKNOWN, "6.5", False),
        ("6.5", Style.FLEMISH, "6.5", False),
        ("-2,5", Style.FLEMISH, "-2.5", False),
        ("−2,5", Style.FLEMISH, "-2.5", False),
        ("37%", Style.FLEMISH, "37", True),
        ("37 %", Style.FLEMISH, "37", True),
        ("1.234", Style.FLEMISH, "1234", False),
        ("1,234", Style.FLEMISH, "1.234", False),
        ("1,234", Style.ENGLISH, "1234", False),
        ("1.234", Style.ENGLISH, "1.234", False),
        ("1,852,354", Style.UNKNOWN, "1852354", False),
        ("1.852.354,25", Style.UNKNOWN, "1852354.25", False),
        ("1,852,354.25", Style.UNKNOWN, "1852354.25", False),
        ("0,125", Style.UNKNOWN, "0.125", False),
        ("1234.567", Style.UNKNOWN, "1234.567", False),
    ],
)
def test_numbers_as_staff_type_them(text: str, style: Style, number: str, percent: bool) -> None:
    assert parse_number(text, style) == (Decimal(number), percent)


@pytest.mark.parametrize(
    ("text", "style", "message", "hint"),
    [
        ("1.234", Style.UNKNOWN, "is ambiguous (a thousands separator or a decimal separator?)",
         "write 1234 without a separator, or save the sheet as CSV with ';' between the columns (as Excel does in Belgium), or as .xlsx"),
        ("12 uitleningen", Style.FLEMISH, "is not a number", "write only the number, e.g. 1852354 or 6,5"),
        ("1.85.354", Style.FLEMISH, "is not a number", "write the thousands in groups of three, e.g. 1.852.354"),
        ("1.852,354,5", Style.FLEMISH, "is not a number", "write only the number, e.g. 1852354 or 6,5"),
        ("", Style.FLEMISH, "is not a number", "write only the number, e.g. 1852354 or 6,5"),
    ],
)  # fmt: skip
def test_what_is_not_a_number(text: str, style: Style, message: str, hint: str) -> None:
    from rapport.content.exchange import NumberError

    with pytest.raises(NumberError) as caught:
        parse_number(text, style)
    assert (caught.value.message, caught.value.hint) == (message, hint)


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(
        min_value=Decimal("-999999999999.99"),
        max_value=Decimal("999999999999.99"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    ),
    st.sampled_from([0, 1, 2, 3]),
)
def test_flemish_formatting_parses_back(value: Decimal, places: int) -> None:
    number = value.quantize(Decimal(1).scaleb(-places))
    written = format_number(number, "nl-BE")
    assert parse_number(written, Style.FLEMISH)[0] == number
    assert parse_number(written.replace(".", "\u202f"), Style.FLEMISH)[0] == number


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_floats_become_the_decimal_they_show(number: float) -> None:
    value = decimal_of_float(number)
    assert float(value) == number
    assert "E" not in str(value) or abs(number) < 1e-4


def test_column_letters() -> None:
    assert [column_letter(n) for n in (1, 5, 26, 27, 53)] == ["A", "E", "Z", "AA", "BA"]


# -- export and import ----------------------------------------------------------

FACTS_2022 = """\
ebooks.titels: {value: 13000, unit: titels}
ebooks.aandeel: {value: 70, unit: "% van de bibliotheken"}
wise.abonnementen: 1800000
vlacc.totaal: 100
"""

FACTS_2024 = """\
# De cijfers van 2023, nog in te vullen.
ebooks.titels:
  value:  # 2022: 13.000
  qualifier: ruim
  unit: titels
  source: cloudLibrary
ebooks.aandeel: {value: 71, unit: "% van de bibliotheken"}
wise.abonnementen:  # abonnementen in Wise
vlacc.totaal:
  value:
  parts: [vlacc.boeken, vlacc.overige]
vlacc.boeken:
vlacc.overige:
  value:
  status: derived
  derivation: totaal min boeken
"""


@pytest.fixture
def edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return project_with_facts(tmp_path, FACTS_2024, FACTS_2022)


def _values(edition_dir: Path) -> dict[str, Decimal | None]:
    problems = Problems()
    facts = load_facts(edition_dir / "facts.yaml", 2023, problems, draft=True)
    assert facts is not None and not problems.errors
    return {f.name: f.value for f in facts.facts}


def _changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))
    ]


def test_export_writes_a_friendly_workbook(edition: Path) -> None:
    path = export_facts(edition)
    assert path == Path("build/cijfers-2023.xlsx")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "naam", "omschrijving", "eenheid", "waarde 2022", "waarde 2023", "status", "bron", "opmerking",
    ]  # fmt: skip
    assert rows[1] == [
        "ebooks.titels",
        "ruim … titels",
        "titels",
        13000,
        None,
        "gemeten",
        "cloudLibrary",
        None,
    ]
    assert rows[2][1:5] == ["…% van de bibliotheken", "% van de bibliotheken", 70, 71]
    assert rows[4][7] == "som van: vlacc.boeken, vlacc.overige"
    assert rows[6][5:8] == ["afgeleid", None, "totaal min boeken"]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "B2"
    assert sheet["E2"].fill.start_color.rgb.endswith("FFF2CC")
    assert sheet["D2"].number_format == "#,##0"
    first = path.read_bytes()
    export_facts(edition)
    assert path.read_bytes() == first  # byte-reproducible


def test_round_trip_through_xlsx_changes_only_value_lines(edition: Path) -> None:
    before = (edition / "facts.yaml").read_text(encoding="utf-8")
    path = export_facts(edition)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    sheet["E2"] = 15500  # ebooks.titels
    sheet["E3"] = 0.74  # ebooks.aandeel, typed as 74% in a percentage cell
    sheet["E3"].number_format = "0%"
    sheet["E4"] = "1.900.000"  # wise.abonnementen, as text
    sheet["E6"] = 60.5  # vlacc.boeken
    workbook.save(path)
    result = import_facts(edition, path)
    assert (
        result.summary()
        == "3 values filled in, 1 changed, 2 still empty (from sheet 'Cijfers 2023')"
    )
    assert _values(edition) == {
        "ebooks.titels": Decimal(15500),
        "ebooks.aandeel": Decimal(74),
        "wise.abonnementen": Decimal(1900000),
        "vlacc.totaal": None,
        "vlacc.boeken": Decimal("60.5"),
        "vlacc.overige": None,
    }
    after = (edition / "facts.yaml").read_text(encoding="utf-8")
    assert sorted(_changed_lines(before, after)) == sorted(
        [
            "-  value:  # 2022: 13.000",
            "+  value: 15500  # 2022: 13.000",
            '-ebooks.aandeel: {value: 71, unit: "% van de bibliotheken"}',
            '+ebooks.aandeel: {value: 74, unit: "% van de bibliotheken"}',
            "-wise.abonnementen:  # abonnementen in Wise",
            "+wise.abonnementen: 1900000  # abonnementen in Wise",
            "-vlacc.boeken:",
            "+vlacc.boeken: 60.5",
        ]
    )
    again = import_facts(edition, path)  # importing twice is a no-op
    assert (
        again.summary()
        == "0 values filled in, 0 changed, 2 still empty (from sheet 'Cijfers 2023')"
    )
    assert (edition / "facts.yaml").read_text(encoding="utf-8") == after


def _sheet_csv(rows: list[list[str]], delimiter: str) -> str:
    """A CSV as Excel and Calc write it: every row has as many cells as the first."""
    stream = io.StringIO()
    width = len(rows[0])
    padded = [row + [""] * (width - len(row)) for row in rows]
    csv.writer(stream, delimiter=delimiter, lineterminator="\r\n").writerows(padded)
    return stream.getvalue()


HEADER = [
    "naam",
    "omschrijving",
    "eenheid",
    "waarde 2022",
    "waarde 2023",
    "status",
    "bron",
    "opmerking",
]


def test_a_semicolon_csv_from_excel_in_cp1252(edition: Path) -> None:
    rows = [
        HEADER,
        ["ebooks.titels", "ruim … titels", "titels", "13.000", "15.500", "gemeten", "", ""],
        ["vlacc.totaal", "", "", "100", "1.234", "", "", "som van: één"],
        ["vlacc.boeken", "", "", "", "1.000", "", "", ""],
        ["vlacc.overige", "", "", "", "234", "", "", ""],
        ["ebooks.aandeel", "", "", "70", "72,5 %", "", "", ""],
    ]
    path = Path("cijfers.csv")
    path.write_bytes(_sheet_csv(rows, ";").replace("…", "...").encode("cp1252"))
    result = import_facts(edition, path)
    assert result.summary() == "4 values filled in, 1 changed, 1 still empty"
    values = _values(edition)
    assert values["vlacc.totaal"] == Decimal(1234)
    assert values["ebooks.aandeel"] == Decimal("72.5")
    assert values["wise.abonnementen"] is None  # not in the sheet: left as it is


def test_a_comma_csv_takes_its_style_from_its_other_numbers(edition: Path) -> None:
    rows = [
        HEADER,
        ["ebooks.titels", "", "", "13,000", "1,234"],
        ["wise.abonnementen", "", "", "", "1,852,354"],
    ]
    path = Path("cijfers.csv")
    path.write_text("\ufeff" + _sheet_csv(rows, ","), encoding="utf-8")
    import_facts(edition, path)
    assert _values(edition)["ebooks.titels"] == Decimal(1234)
    assert _values(edition)["wise.abonnementen"] == Decimal(1852354)


def _problems(edition: Path, sheet: Path) -> list[str]:
    before = (edition / "facts.yaml").read_bytes()
    with pytest.raises(ContentError) as caught:
        import_facts(edition, sheet)
    assert (edition / "facts.yaml").read_bytes() == before  # nothing changed
    return [d.render() for d in caught.value.diagnostics]


def test_every_wrong_row_is_reported_and_nothing_changes(edition: Path) -> None:
    rows = [
        HEADER,
        ["ebooks.titels", "", "", "", "15.500"],
        ["ebooks.titel", "", "", "", "1"],
        ["", "", "", "", "12"],
        ["wise.abonnementen", "", "", "", "1.852.35"],
        ["vlacc.boeken", "", "", "", "37%"],
        ["ebooks.titels", "", "", "", "2"],
        ["vlacc.overige", "", "", "", "1,234,5"],
    ]
    path = Path("cijfers.csv")
    path.write_text(_sheet_csv(rows, ";"), encoding="utf-8")
    assert _problems(edition, path) == [
        "cijfers.csv:3:A: error: fact 'ebooks.titel' is not in content/2023/facts.yaml\n"
        "  hint: did you mean 'ebooks.titels'?",
        "cijfers.csv:4:A: error: row has a value but no fact name\n"
        "  hint: write the fact's name in column A (naam), as in the exported sheet",
        "cijfers.csv:5:E: error: value '1.852.35' for fact 'wise.abonnementen' is not a number\n"
        "  hint: write the thousands in groups of three, e.g. 1.852.354",
        "cijfers.csv:6:E: error: value '37%' for fact 'vlacc.boeken' is a percentage, but the fact counts a number\n"
        "  hint: write the number without '%'",
        "cijfers.csv:7:A: error: fact 'ebooks.titels' is already on row 2\n"
        "  hint: keep one of the two rows",
        "cijfers.csv:8:E: error: value '1,234,5' for fact 'vlacc.overige' is not a number\n"
        "  hint: write the thousands in groups of three, e.g. 1.852.354",
    ]


def test_an_ambiguous_number_in_a_comma_csv(edition: Path) -> None:
    path = Path("cijfers.csv")
    path.write_text(
        _sheet_csv([HEADER, ["ebooks.titels", "", "", "", "1.234"]], ","), encoding="utf-8"
    )
    assert _problems(edition, path) == [
        "cijfers.csv:2:E: error: value '1.234' for fact 'ebooks.titels' is ambiguous"
        " (a thousands separator or a decimal separator?)\n"
        "  hint: write 1234 without a separator, or save the sheet as CSV with ';' between the"
        " columns (as Excel does in Belgium), or as .xlsx"
    ]


def test_a_sheet_of_another_year(edition: Path) -> None:
    path = Path("cijfers.csv")
    header = [h.replace("2023", "2024").replace("2022", "2023") for h in HEADER]
    path.write_text(_sheet_csv([header, ["ebooks.titels", "", "", "", "1"]], ";"), encoding="utf-8")
    assert _problems(edition, path) == [
        "cijfers.csv:1: error: the sheet has a column 'waarde 2024': it is for a later edition than content/2023\n"
        "  hint: import it into that edition: rapport facts import content/2024 cijfers.csv"
    ]
    path.write_text(_sheet_csv([HEADER[:4], ["ebooks.titels", "", "", "1"]], ";"), encoding="utf-8")
    assert _problems(edition, path) == [
        "cijfers.csv:1: error: column 'waarde 2023' is missing\n"
        "  hint: import the sheet 'rapport facts export' made, with its first row of column names"
    ]


def test_parts_that_do_not_add_up_are_shown_at_the_total_row(edition: Path) -> None:
    rows = [
        HEADER,
        ["vlacc.totaal", "", "", "", "100"],
        ["vlacc.boeken", "", "", "", "60"],
        ["vlacc.overige", "", "", "", "30"],
    ]
    path = Path("cijfers.csv")
    path.write_text(_sheet_csv(rows, ";"), encoding="utf-8")
    assert _problems(edition, path) == [
        "cijfers.csv:2:E: error: the parts of 'vlacc.totaal' add up to 90, not to its value 100\n"
        "  hint: correct a value, or write 'breakdown: subset' when the parts are only a 'waarvan'"
    ]


def test_a_date_excel_made_of_a_number(edition: Path) -> None:
    import datetime as dt

    path = export_facts(edition)
    workbook = openpyxl.load_workbook(path)
    workbook.worksheets[0]["E2"] = dt.datetime(2024, 5, 6)
    workbook.save(path)
    assert _problems(edition, path) == [
        "build/cijfers-2023.xlsx:2:E: error: value '2024-05-06' for fact 'ebooks.titels' is a date, not a number\n"
        "  hint: Excel turned the number into a date: format the column as a number and type the value again"
    ]


@pytest.mark.e2e
def test_the_commands_end_to_end(tmp_path: Path) -> None:
    edition_dir = make_project(tmp_path)
    (edition_dir / "facts.yaml").write_text(FACTS_2024, encoding="utf-8")
    exported = run_rapport("facts", "export", "content/2023", "-o", "build/c.csv", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == "build/c.csv\n"
    text = (tmp_path / "build" / "c.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("naam;omschrijving;eenheid;waarde 2022;waarde 2023;")
    filled = text.replace(
        "ebooks.titels;ruim … titels;titels;;;", "ebooks.titels;ruim … titels;titels;;15.500;"
    )
    (tmp_path / "build" / "c.csv").write_text(filled, encoding="utf-8-sig")
    imported = run_rapport("facts", "import", "content/2023", "build/c.csv", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert (
        imported.stdout == "content/2023/facts.yaml: 1 value filled in, 0 changed, 4 still empty\n"
    )
    bad = filled.replace(";15.500;", ";15,5,0;")
    (tmp_path / "build" / "c.csv").write_text(bad, encoding="utf-8-sig")
    refused = run_rapport("facts", "import", "content/2023", "build/c.csv", cwd=tmp_path)
    assert refused.returncode == 1
    assert (
        "build/c.csv:2:E: error: value '15,5,0' for fact 'ebooks.titels' is not a number"
        in refused.stderr
    )
    assert "Traceback" not in refused.stderr
    missing = run_rapport("facts", "import", "content/2023", "nergens.xlsx", cwd=tmp_path)
    assert missing.returncode == 2
    assert "rapport: error: 'nergens.xlsx' is not a file" in missing.stderr


def test_facts_file_text_fixture_is_valid(tmp_path: Path) -> None:
    assert _load_text(tmp_path, textwrap.dedent(NEW_FACTS))["leeg"].value is None  # type: ignore[attr-defined]


def test_export_compares_with_the_edition_that_edition_yaml_names(
    edition: Path, tmp_path: Path
) -> None:
    """`previous_edition: 2021` is the build's last year, so it is the sheet's too."""
    (edition / "edition.yaml").write_text(
        (edition / "edition.yaml").read_text(encoding="utf-8") + "previous_edition: 2021\n",
        encoding="utf-8",
    )
    earlier = tmp_path / "content" / "2021"
    earlier.mkdir()
    (earlier / "edition.yaml").write_text("title: Vroeger\nyear: 2021\n", encoding="utf-8")
    (earlier / "facts.yaml").write_text(
        FACTS_2022.replace("13000", "12500").replace("1800000", "1700000"), encoding="utf-8"
    )
    sheet = openpyxl.load_workbook(export_facts(edition)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert "waarde 2021" in header and "waarde 2022" not in header
    column = header.index("waarde 2021")
    last_year = {row[0].value: row[column].value for row in sheet.iter_rows(min_row=2)}
    assert last_year["ebooks.titels"] == 12500
    assert last_year["wise.abonnementen"] == 1700000
