"""The yearly cycle as staff live it, on a copy of the real project, in one scripted run:

new → the draft builds → facts export → colleagues fill in the spreadsheet (XLSX and
CSV) → facts import → check lists only reviews → reviews cleared → build → publish →
verify → an edit → the build warns → a correction: identical refused, changed
accepted and marked → list.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pikepdf
import pytest
from pypdf import PdfReader

from helpers import REPO, run_rapport

pytestmark = pytest.mark.slow

PUBLISHED = "1742428800"  # 2025-03-20, the 2024 edition's publication date
CORRECTED = "1744452000"  # 2025-04-12 10:00 UTC, the day of the correction


def rapport(*args: str, cwd: Path, epoch: str = "") -> subprocess.CompletedProcess[str]:
    """`rapport ARGS` as staff run it, dated `epoch` (SOURCE_DATE_EPOCH) when given."""
    return run_rapport(*args, cwd=cwd, env={"SOURCE_DATE_EPOCH": epoch} if epoch else None)


def publish_correction(project: Path, reason: str) -> subprocess.CompletedProcess[str]:
    return rapport(
        "publish",
        "2024",
        "--revision",
        "2",
        "--reason",
        reason,
        "--yes",
        cwd=project,
        epoch=CORRECTED,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def pdf_text(path: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text.replace("\xad", ""))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("content", "fonts", "images", "theme"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(REPO / "requirements.lock", tmp_path / "requirements.lock")
    return tmp_path


def fill_xlsx(path: Path, values: dict[str, Decimal]) -> None:
    """A colleague fills in this year's column; numbers as Excel stores them."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    name_column, value_column = header.index("naam"), header.index("waarde 2024")
    for row in sheet.iter_rows(min_row=2):
        name = row[name_column].value
        if name in values:
            value = values[name]
            row[value_column].value = int(value) if value == value.to_integral() else float(value)
    workbook.save(path)


def flemish(value: Decimal) -> str:
    """A number as Excel writes it in a Belgian CSV: 1.852.354 · -2,5."""
    whole, _, decimals = format(value, "f").partition(".")
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    grouped = f"{int(digits):,}".replace(",", ".")
    return sign + grouped + ("," + decimals if decimals else "")


def write_belgian_csv(path: Path, values: dict[str, Decimal]) -> None:
    with path.open("w", encoding="cp1252", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(["naam", "waarde 2024"])
        for name, value in values.items():
            writer.writerow([name, flemish(value)])


def last_years_values(project: Path) -> dict[str, Decimal]:
    """This year's numbers for the test: last year's, with the e-books grown."""
    text = (project / "content/2024/facts.yaml").read_text(encoding="utf-8")
    names = re.findall(r"^([a-z0-9_.-]+):\n  value:  # 2023: (\S+)$", text, re.MULTILINE)
    values = {name: Decimal(value) for name, value in names}
    values["ebooks.uitleningen"] = Decimal(638000)  # +10%
    return values


def test_the_yearly_cycle(project: Path) -> None:
    # Spring: start 2024 from 2023; the draft builds without any edit.
    made = ok(rapport("new", "2024", cwd=project))
    assert made.stdout.strip() == "content/2024"
    draft = ok(rapport("build", "--draft", "content/2024", "-o", "draft.pdf", cwd=project))
    assert "still to do: 55 facts to fill in, 19 parts to review" in draft.stderr
    text = pdf_text(project / "draft.pdf")
    assert "CONCEPT" in text and "nog in te vullen" in text
    assert "Publicatiedatum nog niet bekend" in text

    # The numbers go round by mail: half in an XLSX, the other half in a Belgian CSV.
    ok(rapport("facts", "export", "content/2024", cwd=project))
    sheet = project / "build/cijfers-2024.xlsx"
    assert sheet.is_file()
    values = last_years_values(project)
    names = sorted(values)
    xlsx_half = {n: values[n] for n in names[::2]}
    csv_half = {n: values[n] for n in names[1::2]}
    fill_xlsx(sheet, xlsx_half)
    write_belgian_csv(project / "cijfers-2024.csv", csv_half)
    before = (project / "content/2024/facts.yaml").read_text(encoding="utf-8")
    ok(rapport("facts", "import", "content/2024", str(sheet), cwd=project))
    imported = ok(rapport("facts", "import", "content/2024", "cijfers-2024.csv", cwd=project))
    assert "0 still empty" in imported.stdout + imported.stderr
    after = (project / "content/2024/facts.yaml").read_text(encoding="utf-8")
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert len(changed) == len(values)  # the diff shows only the values
    assert all(old.startswith("  value:") and new.startswith("  value: ") for old, new in changed)

    # What is left is reviewing the text and the publication date.
    check = rapport("check", "--all", "content/2024", cwd=project)
    assert check.returncode == 1
    errors = [line for line in check.stderr.splitlines() if ": error: " in line]
    assert errors and all(
        "is marked for review" in line or "publication date is not filled in" in line
        for line in errors
    ), errors
    for path in (project / "content/2024").glob("*.yaml"):
        text = path.read_text(encoding="utf-8").replace("published:\n", "published: 2025-03-20\n")
        path.write_text(re.sub(r"^ *review: true\n", "", text, flags=re.MULTILINE), "utf-8")
    ok(rapport("check", "content/2024", cwd=project))

    # Build, publish, verify.
    built = ok(rapport("build", cwd=project))
    assert "building content/2024 (the newest edition" in built.stderr
    final = project / "build/voortgangsrapport-2024.pdf"
    text = pdf_text(final)
    assert "CONCEPT" not in text and "nog in te vullen" not in text
    assert "638.000 uitleningen (+10%)" in text
    assert "De digitale bibliotheekdiensten in 2024" in text
    ok(rapport("publish", "2024", "--yes", cwd=project, epoch=PUBLISHED))
    assert (project / "archive/2024/data/voortgangsrapport-2024.pdf").is_file()
    ok(rapport("verify", "2024", cwd=project))

    # A correction that changes nothing is refused; the archive stays as it was.
    reason = "Uitleningen e-boeken verbeterd"
    same = publish_correction(project, reason)
    assert same.returncode == 4
    assert "nothing changed since archive/2024: the sources are identical" in same.stderr
    assert not (project / "archive/2024-r2").exists()

    # A real correction: the build warns that it is no longer the published edition.
    facts = project / "content/2024/facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace("value: 638000", "value: 640000", 1), "utf-8"
    )
    warned = ok(rapport("build", cwd=project))
    assert (
        "content/2024 differs from archive/2024: this PDF is not the published edition"
        " (changed: facts.yaml)"
    ) in warned.stderr
    ok(publish_correction(project, reason))
    corrected = project / "archive/2024-r2/data/voortgangsrapport-2024.pdf"
    line = f"Gecorrigeerde uitgave, revisie 2 van 12 april 2025: {reason}."
    assert line in pdf_text(corrected)
    with pikepdf.open(corrected) as pdf:
        assert line in str(pdf.docinfo["/Subject"])
        assert pdf.open_metadata()["xmpMM:VersionID"] == "2"
    ok(rapport("verify", "--all", cwd=project))
    listed = ok(rapport("list", cwd=project))
    assert f"correction: {reason}" in listed.stdout

    # build/ then holds a PDF without the correction notice: the build says so.
    plain = ok(rapport("build", cwd=project))
    assert (
        "content/2024 is published as archive/2024-r2, a correction: the PDF in build/ lacks"
        " its correction notice and is not the published edition"
    ) in plain.stderr
    assert "hint: hand out archive/2024-r2/data/voortgangsrapport-2024.pdf" in plain.stderr
