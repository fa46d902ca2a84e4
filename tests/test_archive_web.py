"""The web edition in the archive: publish stores it beside the PDF, verify rebuilds both.

The tests publish a small project (tests/helpers.py make_project) in a
separate process, as a user would, and read the bag back. Bags published
before the web edition was archived (build record format 1, a PDF only) must
still verify; one is made here from a fresh bag the way the old code wrote it.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import bagit
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import CHAPTER_YAML, make_project, run_rapport
from rapport.archive.record import READABLE_FORMATS, RECORD_FORMAT
from rapport.archive.verify import describe_html_difference, read_build_record

PDF = "data/voortgangsrapport-2023.pdf"
HTML = "data/voortgangsrapport-2023.html"
SECOND_CHAPTER = CHAPTER_YAML.replace("Hoofdstuk", "Tweede hoofdstuk").replace(
    "Een gewone alinea.", "De e-boeken groeiden."
)


def rapport(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_rapport(*args, cwd=cwd, timeout=180)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_published(published: Path, destination: Path) -> Path:
    """A copy of a project with its archive, files writable again (so they can be changed)."""
    shutil.copytree(published, destination, symlinks=True)
    for folder, folders, files in os.walk(destination):
        for name in [*folders, *files]:
            os.chmod(os.path.join(folder, name), 0o755 if name in folders else 0o644)
    return destination


def rewrite_record(bag: Path, change: dict[str, object], remove: tuple[str, ...] = ()) -> None:
    path = bag / "data" / "build-record.json"
    record = json.loads(path.read_text("utf-8"))
    record.update(change)
    for key in remove:
        del record[key]
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("web") / "project"
    make_project(project, chapters={"02-tweede.yaml": SECOND_CHAPTER})
    result = rapport("publish", "2023", "--yes", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "archive/2023\n"
    return project


# --------------------------------------------------------------------------- publish


@pytest.mark.e2e
@pytest.mark.slow
def test_publish_stores_the_web_edition_beside_the_pdf(published: Path) -> None:
    bag = published / "archive" / "2023"
    opened = bagit.Bag(str(bag))
    opened.validate(processes=1)
    assert {PDF, HTML} <= set(opened.payload_entries())
    manifest = (bag / "manifest-sha256.txt").read_text("utf-8").splitlines()
    assert f"{sha256(bag / HTML)}  {HTML}" in manifest
    assert f"{sha256(bag / PDF)}  {PDF}" in manifest
    record = json.loads((bag / "data" / "build-record.json").read_text("utf-8"))
    assert record["format"] == RECORD_FORMAT == "rapport build record 2"
    assert record["html"] == {
        "file": "voortgangsrapport-2023.html",
        "sha256": sha256(bag / HTML),
        "bytes": (bag / HTML).stat().st_size,
    }
    assert record["pdf"]["file"] == "voortgangsrapport-2023.pdf"
    assert opened.info["Rapport-HTML"] == HTML
    assert opened.info["Rapport-HTML-SHA256"] == sha256(bag / HTML)
    page = (bag / HTML).read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'lang="nl-BE"' in page
    assert "De e-boeken groeiden." in page and "Gecorrigeerde" not in page


@pytest.mark.e2e
@pytest.mark.slow
def test_the_archived_web_edition_equals_a_regular_build(published: Path, tmp_path: Path) -> None:
    project = copy_published(published, tmp_path / "project")
    shutil.rmtree(project / "archive")
    result = rapport("build", "2023", "--to", "html", cwd=project)
    assert result.returncode == 0, result.stderr
    built = project / "build" / "voortgangsrapport-2023.html"
    assert built.read_bytes() == (published / "archive" / "2023" / HTML).read_bytes()


@pytest.mark.e2e
@pytest.mark.slow
def test_list_says_the_bag_has_a_web_edition(published: Path) -> None:
    result = rapport("list", cwd=published)
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split()[:7] == ["YEAR", "REV", "PUBLISHED", "ARCHIVED", "PAGES", "WEB", "SHA256"]
    assert row.split()[5] == "yes"


# --------------------------------------------------------------------------- verify


@pytest.mark.e2e
@pytest.mark.slow
def test_verify_rebuilds_both_editions_byte_identical(published: Path) -> None:
    result = rapport("verify", "2023", cwd=published)
    assert result.returncode == 0, result.stderr
    bag = published / "archive" / "2023"
    pattern = (
        rf"archive/2023: ok \(fixity of \d+ files; rebuilt byte-identical, "
        rf"PDF sha256 {sha256(bag / PDF)}, web edition sha256 {sha256(bag / HTML)}; [\d.]+ s\)"
    )
    assert re.fullmatch(pattern, result.stdout.strip()), result.stdout
    assert "note:" not in result.stderr


@pytest.mark.e2e
@pytest.mark.slow
def test_one_flipped_byte_in_the_web_edition_is_found(published: Path, tmp_path: Path) -> None:
    project = copy_published(published, tmp_path / "project")
    path = project / "archive" / "2023" / HTML
    data = bytearray(path.read_bytes())
    data[random.Random(HTML).randrange(len(data))] ^= 0x01
    path.write_bytes(bytes(data))
    result = rapport("verify", "2023", cwd=project)
    assert result.returncode == 1, result.stderr
    assert f"archive/2023/{HTML}: error: checksum mismatch" in result.stderr
    assert "hint: restore the bag from a backup copy; never edit a published bag" in result.stderr
    assert "not rebuilt: the bag's fixity check failed" in result.stderr


@pytest.mark.e2e
@pytest.mark.slow
def test_a_web_edition_its_sources_do_not_make_is_found(published: Path, tmp_path: Path) -> None:
    """Fixity holds (record and manifests redone), but the sources do not make this page."""
    project = copy_published(published, tmp_path / "project")
    bag = project / "archive" / "2023"
    page = bag / HTML
    page.write_text(page.read_text("utf-8").replace("groeiden.", "groeiden niet."), "utf-8")
    record = json.loads((bag / "data" / "build-record.json").read_text("utf-8"))
    rewrite_record(bag, {"html": {**record["html"], "sha256": sha256(page)}})
    opened = bagit.Bag(str(bag))
    opened.info["Rapport-HTML-SHA256"] = sha256(page)
    opened.save(manifests=True)
    result = rapport("verify", "2023", cwd=project)
    assert result.returncode == 1, result.stderr
    assert f"archive/2023/{HTML}: error: the rebuilt web edition differs from the archived one" in (
        result.stderr
    )
    assert re.search(
        r"first difference on line \d+, column \d+: archived '[^']*groeiden niet", (result.stderr)
    ), result.stderr
    assert "\n  hint: " in result.stderr  # how the environment differs, as for the PDF
    assert f"{PDF}: error" not in result.stderr, "the PDF is still what its sources make"


@pytest.mark.e2e
@pytest.mark.slow
def test_a_bag_published_before_the_web_edition_still_verifies(
    published: Path, tmp_path: Path
) -> None:
    """The bag as the earlier code wrote it: a PDF, record format 1, no web edition."""
    project = copy_published(published, tmp_path / "project")
    bag = project / "archive" / "2023"
    (bag / HTML).unlink()
    rewrite_record(bag, {"format": READABLE_FORMATS[0]}, remove=("html",))
    opened = bagit.Bag(str(bag))
    for key in ("Rapport-HTML", "Rapport-HTML-SHA256"):
        del opened.info[key]
    opened.save(manifests=True)
    assert HTML not in (bag / "manifest-sha256.txt").read_text("utf-8")

    result = rapport("verify", "2023", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (
        "archive/2023: note: this bag has no web edition (it was published before rapport "
        "archived one); the PDF is checked"
    ) in result.stderr
    pattern = rf"archive/2023: ok \(fixity of \d+ files; rebuilt byte-identical, PDF sha256 {sha256(bag / PDF)}; [\d.]+ s\)"
    assert re.fullmatch(pattern, result.stdout.strip()), result.stdout
    listing = rapport("list", cwd=project)
    assert listing.stdout.splitlines()[1].split()[5] == "no"


# --------------------------------------------------------------------------- the build record


def _bag_with_record(folder: Path, record: dict[str, object]) -> Path:
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "build-record.json").write_text(json.dumps(record), "utf-8")
    return folder


RECORD = {
    "edition": {"year": 2023, "folder": "content/2023"},
    "build": {"source_date_epoch": 1710892800},
    "inputs": [],
    "correction": None,
    "pdf": {"file": "voortgangsrapport-2023.pdf", "sha256": "0" * 64},
}


def test_both_record_formats_are_read(tmp_path: Path) -> None:
    old = read_build_record(
        _bag_with_record(tmp_path / "old", {**RECORD, "format": READABLE_FORMATS[0]})
    )
    assert old.html is None and old.html_sha256 == ""
    web = {"file": "voortgangsrapport-2023.html", "sha256": "1" * 64, "bytes": 9}
    new = read_build_record(
        _bag_with_record(tmp_path / "new", {**RECORD, "format": RECORD_FORMAT, "html": web})
    )
    assert new.html == tmp_path / "new" / HTML and new.html_sha256 == "1" * 64


def test_a_record_of_an_unknown_format_or_without_its_web_edition_is_refused(
    tmp_path: Path,
) -> None:
    with pytest.raises(ValueError, match="unknown format 'rapport build record 9'"):
        read_build_record(
            _bag_with_record(tmp_path / "a", {**RECORD, "format": "rapport build record 9"})
        )
    with pytest.raises(ValueError, match="names a web edition, and 'html' is missing"):
        read_build_record(_bag_with_record(tmp_path / "b", {**RECORD, "format": RECORD_FORMAT}))


# --------------------------------------------------------------------------- the difference


lines = st.lists(st.text(alphabet="<>/a bé=\"'", max_size=200), min_size=1, max_size=8)


@given(lines, st.data())
def test_the_html_difference_names_the_first_differing_line(
    before: list[str], data: st.DataObject
) -> None:
    number = data.draw(st.integers(0, len(before) - 1))
    column = data.draw(st.integers(0, len(before[number])))
    after = list(before)
    after[number] = before[number][:column] + "Ω" + before[number][column:]
    message = describe_html_difference("\n".join(before).encode(), "\n".join(after).encode())
    assert message.startswith("the rebuilt web edition differs from the archived one: ")
    assert f"first difference on line {number + 1}, column " in message
    assert "Ω" in message
    assert len(message) < 400, "a differing line is shortened, however long it is"


def test_a_longer_rebuilt_page_is_described() -> None:
    message = describe_html_difference(b"<p>a</p>", b"<p>a</p>\n<p>b</p>")
    assert message == (
        "the rebuilt web edition differs from the archived one: 17 bytes rebuilt, 8 archived;"
        " the rebuilt one has more lines, from line 2 on"
    )
