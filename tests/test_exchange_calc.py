"""The facts sheet through LibreOffice Calc itself: the files a colleague in Belgium saves.

Calc (soffice headless, in a profile set to the nl-BE locale) opens the exported
workbook and writes it as flat ODF; the cells a colleague fills in are set there
as Calc stores what is typed (see `_typed`); Calc then saves the .xlsx and the
.csv that `rapport facts import` reads.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import project_with_facts
from rapport.content.exchange import export_facts, import_facts
from test_exchange import FACTS_2022, FACTS_2024, _values

pytestmark = pytest.mark.e2e  # each test runs LibreOffice in a separate process

NL_BE_PROFILE = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">\
<value>nl-BE</value></prop></item>
</oor:items>
"""


@pytest.fixture(scope="module")
def soffice(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    program = shutil.which("soffice")
    if program is None:
        missing = "LibreOffice Calc (soffice) is not installed: make spreadsheet-deps"
        if os.environ.get("RAPPORT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the spreadsheet tests cannot run: {missing}")
        pytest.skip(missing)
    profile = tmp_path_factory.mktemp("calc-profile")
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(NL_BE_PROFILE, encoding="utf-8")
    return [program, "--headless", f"-env:UserInstallation={profile.as_uri()}"]


CSV_FILTER = "Text - txt - csv (StarCalc):59,34,76,1"  # ';' between cells, '"' around, UTF-8


@pytest.fixture
def edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The edition of 2023 with last year's facts beside it (as in test_exchange)."""
    monkeypatch.chdir(tmp_path)
    return project_with_facts(tmp_path, FACTS_2024, FACTS_2022)


def _convert(soffice: list[str], source: Path, target: str, outdir: Path) -> Path:
    outdir.mkdir(exist_ok=True)
    reading = ["--infilter=" + CSV_FILTER] if source.suffix == ".csv" else []
    subprocess.run(
        [*soffice, *reading, "--convert-to", target, "--outdir", str(outdir), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    written = outdir / (source.stem + "." + target.split(":")[0])
    assert written.is_file()
    return written


CELL = re.compile(r"<table:table-cell\b[^>]*?(?:/>|>.*?</table:table-cell>)", re.DOTALL)
ROW = re.compile(r"(<table:table-row\b[^>]*>)(.*?)(</table:table-row>)", re.DOTALL)
REPEATED = re.compile(r'\s*table:number-columns-repeated="(\d+)"')
STYLE = re.compile(r'table:style-name="([^"]*)"')

PERCENT_STYLES = """\
<number:percentage-style style:name="typedpct{places}"><number:number number:decimal-places="{places}" \
number:min-decimal-places="{places}" number:min-integer-digits="1"/><number:text>%</number:text>\
</number:percentage-style><style:style style:name="typedpercent{places}" style:family="table-cell" \
style:parent-style-name="Default" style:data-style-name="typedpct{places}"/>"""


def _typed(cell: str, text: str, number_format_is_general: bool) -> str:
    """The cell as Calc stores it once `text` is typed into it in the nl-BE locale.

    Calc reads 12,3 as the number 12.3 and 6,5% as 0.065; a typed % makes a cell of
    the General format a percentage cell (one decimal shown per decimal typed), while
    a cell with a number format of its own (#,##0) keeps it and shows 0,065 as 0.
    """
    style = STYLE.search(cell)
    percent = text.endswith("%")
    number = Decimal(text.rstrip("%").strip().replace(".", "").replace(",", "."))
    if percent:
        number = number.scaleb(-2)
        places = max(0, -int(Decimal(text.rstrip("%").replace(",", ".")).as_tuple().exponent))
        if number_format_is_general:
            style_name = f"typedpercent{places}"
        else:
            style_name = style.group(1) if style else "Default"
        kind = "percentage"
    else:
        style_name = style.group(1) if style else "Default"
        kind = "float"
    return (
        f'<table:table-cell table:style-name="{style_name}" office:value-type="{kind}" '
        f'office:value="{number}" calcext:value-type="{kind}"><text:p>{text}</text:p>'
        "</table:table-cell>"
    )


def _calc_types(flat: Path, typed: dict[tuple[int, int], str]) -> None:
    """Type `typed[(row, column)]` (1-based) into the flat ODF sheet `flat`."""
    text = flat.read_text(encoding="utf-8")
    general = _general_styles(text)
    rows = list(ROW.finditer(text))
    pieces, last = [], 0
    for number, match in enumerate(rows, 1):
        wanted = {column: value for (row, column), value in typed.items() if row == number}
        if not wanted:
            continue
        cells: list[str] = []
        for cell in CELL.findall(match.group(2)):
            repeat = REPEATED.search(cell)
            count = int(repeat.group(1)) if repeat else 1
            if count > 64:
                cells.append(cell)
                continue
            cells.extend([REPEATED.sub("", cell)] * count)
        for column, value in wanted.items():
            style = STYLE.search(cells[column - 1])
            is_general = style is None or style.group(1) in general
            cells[column - 1] = _typed(cells[column - 1], value, is_general)
        pieces += [text[last : match.start()], match.group(1), "".join(cells), match.group(3)]
        last = match.end()
    pieces.append(text[last:])
    new = "".join(pieces)
    styles = "".join(PERCENT_STYLES.format(places=places) for places in range(4))
    new = new.replace("</office:automatic-styles>", styles + "</office:automatic-styles>", 1)
    flat.write_text(new, encoding="utf-8")


def _general_styles(text: str) -> set[str]:
    """The cell styles without a number format of their own (General)."""
    found = set()
    for match in re.finditer(
        r'<style:style style:name="([^"]+)" style:family="table-cell"[^>]*>', text
    ):
        if "style:data-style-name" not in match.group(0):
            found.add(match.group(1))
    return found


def _round_trip(
    soffice: list[str], workbook: Path, typed: dict[tuple[int, int], str], work: Path
) -> tuple[Path, Path]:
    flat = _convert(soffice, workbook, "fods", work / "flat")
    _calc_types(flat, typed)
    xlsx = _convert(soffice, flat, "xlsx", work / "xlsx")
    csv = _convert(soffice, flat, "csv:" + CSV_FILTER, work / "csv")
    return xlsx, csv


# Row 3 is ebooks.aandeel (a percentage, 71 last year) and row 6 vlacc.boeken
# (no value last year); column 5 is "waarde 2023", the one to fill in.
@pytest.mark.parametrize(("typed", "percent"), [("76%", Decimal(76)), ("6,5%", Decimal("6.5"))])
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_numbers_typed_in_calc_arrive_exactly(
    edition: Path, soffice: list[str], tmp_path: Path, typed: str, percent: Decimal, kind: str
) -> None:
    workbook = export_facts(edition)
    xlsx, csv = _round_trip(soffice, workbook, {(3, 5): typed, (6, 5): "12,3"}, tmp_path)
    import_facts(edition, xlsx if kind == "xlsx" else csv)
    values = _values(edition)
    assert values["ebooks.aandeel"] == percent
    assert values["vlacc.boeken"] == Decimal("12.3")


def test_an_exported_text_that_looks_like_a_formula_stays_text_in_calc(
    edition: Path, soffice: list[str], tmp_path: Path
) -> None:
    facts = edition / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    text = text.replace("source: cloudLibrary", 'source: \'=HYPERLINK("http://x";"klik")\'')
    text = text.replace("derivation: totaal min boeken", 'derivation: "+1+1"')
    facts.write_text(text, encoding="utf-8")
    workbook = export_facts(edition)
    flat = _convert(soffice, workbook, "fods", tmp_path / "flat").read_text(encoding="utf-8")
    assert "table:formula" not in flat
    texts = re.findall(r'office:value-type="string"[^>]*>\s*<text:p>([=+][^<]*)</text:p>', flat)
    assert [html.unescape(text) for text in texts] == [
        '=HYPERLINK(“http://x";"klik")',
        "+1+1",
    ]
    csv_path = export_facts(edition, tmp_path / "cijfers.csv")
    csv_flat = _convert(soffice, csv_path, "fods", tmp_path / "csvflat").read_text(encoding="utf-8")
    assert "table:formula" not in csv_flat
    texts = re.findall(r'office:value-type="string"[^>]*>\s*<text:p>([^<]*)</text:p>', csv_flat)
    shown = [html.unescape(text) for text in texts]
    assert "'+1+1" in shown  # neutralised: Calc shows it as text, the quote in front
    assert '\'=HYPERLINK(“http://x";"klik")' in shown


def test_a_formula_result_arrives_as_the_cell_shows_it(
    edition: Path, soffice: list[str], tmp_path: Path
) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(export_facts(edition))
    workbook.active["E6"] = "=0.1*579"  # 57.900000000000006 in binary floating point
    workbook.save(tmp_path / "formule.xlsx")
    saved = _convert(
        soffice, tmp_path / "formule.xlsx", "xlsx", tmp_path / "calc"
    )  # Calc computes it
    result = import_facts(edition, saved)
    assert (
        result.summary()
        == "1 value filled in, 0 changed, 4 still empty (from sheet 'Cijfers 2023')"
    )
    assert _values(edition)["vlacc.boeken"] == Decimal("57.9")
    assert "vlacc.boeken: 57.9\n" in (edition / "facts.yaml").read_text(encoding="utf-8")
