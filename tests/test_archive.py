"""The archive: publish write-once as a BagIt bag, verify by rebuilding, list.

Every test works in a temporary copy of the project (content, images, fonts,
theme, lock file) and runs `rapport` as a separate process in it, as a user
would. One published archive is shared by the module; tests that change an
archive work on their own copy of that project.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

import bagit
import pikepdf
import pytest
from PIL import Image

from helpers import REPO, chapter_with_blocks, make_project, run_rapport
from rapport import __version__
from rapport.archive.record import dependency_versions
from rapport.archive.store import remove_tree
from rapport.inputs import collect_inputs
from rapport.pdf.pdfa_check import check_pdfa
from rapport.pipeline import build, load_and_check

pytestmark = pytest.mark.slow

PROJECT_PARTS = ("content", "images", "fonts", "theme", "requirements.lock")
PUBLISH_ENV = {"TZ": "America/St_Johns", "LC_ALL": "POSIX"}
PDF = "data/voortgangsrapport-2023.pdf"
HTML = "data/voortgangsrapport-2023.html"


rapport = run_rapport


def copy_project(destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, destination / part)
        elif source.is_file():
            shutil.copyfile(source, destination / part)
    return destination


def copy_published(published: Path, destination: Path) -> Path:
    """A copy of a project with its archive, files writable again (so they can be damaged)."""
    shutil.copytree(published, destination, symlinks=True)
    for folder, folders, files in os.walk(destination):
        for name in [*folders, *files]:
            os.chmod(os.path.join(folder, name), 0o755 if name in folders else 0o644)
    return destination


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file below `folder`: its sha256 and permission bits."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[path.relative_to(folder).as_posix()] = (digest, path.stat().st_mode & 0o777)
    return found


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with the 2023 edition published: archive/2023."""
    project = copy_project(tmp_path_factory.mktemp("published") / "project")
    result = rapport("publish", "2023", "--yes", cwd=project, env=PUBLISH_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "archive/2023"
    return project


@pytest.fixture(scope="module")
def record(published: Path) -> dict[str, Any]:
    return cast(
        dict[str, Any],
        json.loads((published / "archive/2023/data/build-record.json").read_text("utf-8")),
    )


# --------------------------------------------------------------------------- publish


def test_publish_writes_a_bag_that_bagit_validates(published: Path) -> None:
    bag = bagit.Bag(str(published / "archive" / "2023"))
    bag.validate(processes=1)
    assert bag.version_info == (1, 0)
    assert set(bag.algorithms) == {"sha256"}
    names = {p.name for p in (published / "archive" / "2023").iterdir()}
    assert names == {
        "bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt", "data",
    }  # fmt: skip
    assert {f"data/{n}" for n in ("voortgangsrapport-2023.pdf", "build-record.json")} <= set(
        bag.payload_entries()
    )


def test_the_bag_holds_exactly_the_sources_of_the_edition(published: Path) -> None:
    sources = published / "archive" / "2023" / "data" / "sources"
    archived = {p.relative_to(sources).as_posix() for p in sources.rglob("*") if p.is_file()}
    content = {f"content/2023/{p.name}" for p in (published / "content/2023").glob("*.yaml")}
    assert content <= archived
    assert "theme/theme.yaml" in archived
    icons = {a for a in archived if a.startswith("images/icons/")}
    assert icons and all(a.endswith(".png") for a in icons)
    assert not any(a.startswith("fonts/") for a in archived), "fonts are recorded by hash only"
    for name in archived - {"fonts.sha256"}:
        assert (sources / name).read_bytes() == (published / name).read_bytes(), name
    font_lines = (sources / "fonts.sha256").read_text().splitlines()
    assert font_lines, "the font hashes are archived"
    for line in font_lines:
        digest, path = line.split(maxsplit=1)
        assert sha256(published / path) == digest


def test_bag_info_describes_the_edition(published: Path) -> None:
    bag = bagit.Bag(str(published / "archive" / "2023"))
    info = bag.info
    pdf = published / "archive" / "2023" / PDF
    assert info["Rapport-Year"] == "2023" and info["Rapport-Revision"] == "1"
    assert info["Rapport-PDF-SHA256"] == sha256(pdf)
    assert info["Rapport-Published"] == "2024-03-20"
    assert info["Rapport-Build-Date"] == "2024-03-20T00:00:00+00:00"
    assert info["Source-Organization"] == "Cultuurconnect"
    assert info["Rapport-Pages"] == str(len(pikepdf.open(pdf).pages))
    files = [p for p in (published / "archive" / "2023" / "data").rglob("*") if p.is_file()]
    assert info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in files)}.{len(files)}"


def test_build_record_names_versions_date_inputs_and_lock(
    published: Path, record: dict[str, Any]
) -> None:
    assert record["runtime"]["rapport"] == __version__
    assert record["runtime"]["python"].endswith(".".join(map(str, sys.version_info[:3])))
    assert record["dependencies"] == dependency_versions()
    for name in ("reportlab", "pikepdf", "matplotlib", "pyyaml", "bagit", "pillow"):
        assert name in record["dependencies"], name
    assert record["build"]["date"] == "2024-03-20T00:00:00+00:00"
    assert record["build"]["source_date_epoch"] == 1710892800
    assert record["lock"]["file"] == "requirements.lock"
    assert record["lock"]["sha256"] == sha256(published / "requirements.lock")
    assert record["pdf"]["sha256"] == sha256(published / "archive" / "2023" / PDF)
    assert record["pdf"]["pdfa"]["verdict"] == "pass"
    inputs = {item["path"]: item for item in record["inputs"]}
    assert "content/2023/edition.yaml" in inputs
    for path, item in inputs.items():
        assert item["sha256"] == sha256(published / path), path
        assert item["archived"] == (item["role"] != "font")
    assert {p for p, i in inputs.items() if i["role"] == "font"} >= {"fonts/Lato-Regular.ttf"}


def test_published_bag_is_read_only(published: Path) -> None:
    for path in (published / "archive" / "2023").rglob("*"):
        mode = path.stat().st_mode & 0o777
        assert mode == (0o555 if path.is_dir() else 0o444), path


def test_second_publish_is_refused_and_changes_no_byte(published: Path) -> None:
    before = snapshot(published / "archive")
    result = rapport("publish", "2023", "--yes", cwd=published)
    assert result.returncode == 4, result.stderr
    assert (
        "rapport: error: failed to publish 2023: revision 1 is already published" in result.stderr
    )
    assert "hint: publish a correction as a new revision" in result.stderr
    assert "--revision 2" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(published / "archive") == before
    assert sorted(p.name for p in (published / "archive").iterdir()) == [".lock", "2023"]


def test_publish_refuses_content_with_errors(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    chapter = project / "content" / "2023" / "02-digitale-collecties.yaml"
    chapter.write_text(chapter.read_text("utf-8").replace("title:", "titel:", 1), "utf-8")
    result = rapport("publish", "2023", "--yes", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "content/2023/02-digitale-collecties.yaml:1:1: error: unknown key 'titel'" in (
        result.stderr
    )
    assert "failed to publish" in result.stderr
    assert not (project / "archive" / "2023").exists()


def test_publish_refuses_facts_without_a_value(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (project / "content" / "2023" / "facts.yaml").write_text("ebooks.titels:\n", "utf-8")
    result = rapport("publish", "2023", "--yes", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "still to do: 1 fact to fill in" in result.stderr
    assert not (project / "archive" / "2023").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["publish", "2031", "--yes"], "there is no edition folder content/2031"),
        (["publish", "2023", "--yes", "--revision", "2"], "a correction needs a reason"),
        (["publish", "2023", "--yes", "--reason", "x"], "--reason belongs to a correction"),
        (["publish", "23"], "'23' is not a year"),
        (["verify", "2031"], "edition 2031 is not published"),
        (["verify", "2023", "--all"], "give a YEAR or --all, not both"),
    ],
)
def test_usage_errors_exit_2(published: Path, args: list[str], message: str) -> None:
    before = snapshot(published / "archive")
    result = rapport(*args, cwd=published)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert snapshot(published / "archive") == before


# --------------------------------------------------------------------------- verify


def test_verify_rebuilds_byte_identical_in_another_time_zone_and_locale(published: Path) -> None:
    """Published under St. John's time in the POSIX locale, rebuilt under Auckland's in C.UTF-8."""
    before = snapshot(published / "archive")
    result = rapport(
        "verify", "2023", cwd=published, env={"TZ": "Pacific/Auckland", "LC_ALL": "C.UTF-8"}
    )
    assert result.returncode == 0, result.stderr
    pdf_sha = sha256(published / "archive" / "2023" / PDF)
    html_sha = sha256(published / "archive" / "2023" / HTML)
    bag = bagit.Bag(str(published / "archive" / "2023"))
    files = len(bag.payload_entries()) + len(bag.tagfile_entries())
    pattern = (
        rf"archive/2023: ok \(fixity of {files} files; rebuilt byte-identical, "
        rf"PDF sha256 {pdf_sha}, web edition sha256 {html_sha}; [\d.]+ s\)"
    )
    assert re.fullmatch(pattern, result.stdout.strip()), result.stdout
    assert snapshot(published / "archive") == before, "verify writes nothing in the archive"


@pytest.mark.parametrize(
    "damaged",
    [PDF, "data/sources/content/2023/edition.yaml", "data/build-record.json", "bag-info.txt"],
)
def test_one_flipped_byte_is_found(published: Path, tmp_path: Path, damaged: str) -> None:
    project = copy_published(published, tmp_path / "project")
    path = project / "archive" / "2023" / damaged
    data = bytearray(path.read_bytes())
    data[random.Random(damaged).randrange(len(data))] ^= 0x01
    path.write_bytes(bytes(data))
    result = rapport("verify", "--all", cwd=project)
    assert result.returncode == 1, result.stderr
    assert f"archive/2023/{damaged}: error: checksum mismatch" in result.stderr
    assert "expected sha256" in result.stderr and "found" in result.stderr
    assert "not rebuilt: the bag's fixity check failed" in result.stderr
    assert "rapport: failed to verify 1 of 1 archived edition(s)" in result.stderr


def test_a_bag_whose_pdf_is_not_what_its_sources_make_is_found(
    published: Path, tmp_path: Path
) -> None:
    """Fixity holds (the manifests were redone), but the sources no longer make this PDF."""
    project = copy_published(published, tmp_path / "project")
    bag = project / "archive" / "2023"
    chapter = bag / "data" / "sources" / "content" / "2023" / "03-inspirerende-diensten.yaml"
    chapter.write_text(chapter.read_text("utf-8").replace("Bieblo", "Bibliootje", 1), "utf-8")
    record_path = bag / "data" / "build-record.json"
    record = json.loads(record_path.read_text("utf-8"))
    for item in record["inputs"]:
        if item["path"].endswith("03-inspirerende-diensten.yaml"):
            item["sha256"] = sha256(chapter)
            item["bytes"] = chapter.stat().st_size
    record["dependencies"]["reportlab"] = "4.2.0"  # as if it had been published with another
    record_path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", "utf-8")
    bagit.Bag(str(bag)).save(manifests=True)
    result = rapport("verify", "2023", cwd=project)
    assert result.returncode == 1, result.stderr
    assert f"archive/2023/{PDF}: error: the rebuilt PDF differs from the archived one" in (
        result.stderr
    )
    assert "first difference at byte" in result.stderr
    assert "page content differs on page" in result.stderr
    assert "hint: this environment differs from the one that published the edition" in (
        result.stderr
    )
    assert "reportlab: archived with 4.2.0, now" in result.stderr


def test_verify_refuses_a_font_that_is_not_the_recorded_one(
    published: Path, tmp_path: Path
) -> None:
    project = copy_published(published, tmp_path / "project")
    font = project / "fonts" / "Lato-Bold.ttf"
    font.write_bytes(font.read_bytes() + b"\0")
    result = rapport("verify", "2023", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "fonts/Lato-Bold.ttf: error: failed to rebuild: the font differs" in result.stderr
    assert "recorded sha256" in result.stderr


# --------------------------------------------------------------------------- revisions and list


def test_a_correction_is_a_new_revision_beside_the_first(published: Path, tmp_path: Path) -> None:
    project = copy_published(published, tmp_path / "project")
    remove_tree(project / "archive" / "2023")  # the copy's bag made read-only again below
    shutil.copytree(published / "archive" / "2023", project / "archive" / "2023")
    first = snapshot(project / "archive" / "2023")
    chapter = project / "content" / "2023" / "02-digitale-collecties.yaml"
    original = chapter.read_text("utf-8")
    chapter.write_text(original.replace("e-boeken", "e-books", 1), "utf-8")
    reason = "Typfout in hoofdstuk 2 verbeterd"
    result = rapport("publish", "2023", "--yes", "--revision", "2", "--reason", reason, cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "archive/2023-r2"
    assert snapshot(project / "archive" / "2023") == first, "the first revision stays as it was"
    second = bagit.Bag(str(project / "archive" / "2023-r2"))
    second.validate(processes=1)
    assert second.info["Rapport-Revision"] == "2"
    assert second.info["Rapport-Reason"] == reason
    assert second.info["Rapport-Corrects"] == "2023"
    assert (
        second.info["Rapport-PDF-SHA256"]
        != bagit.Bag(str(project / "archive/2023")).info["Rapport-PDF-SHA256"]
    )

    again = rapport(
        "publish", "2023", "--yes", "--revision", "2", "--reason", "nog eens", cwd=project
    )
    assert again.returncode == 4 and "--revision 3" in again.stderr
    gap = rapport("publish", "2023", "--yes", "--revision", "4", "--reason", "te ver", cwd=project)
    assert gap.returncode == 2 and "revision 3 is not published" in gap.stderr

    listing = rapport("list", cwd=project)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == [
        "YEAR", "REV", "PUBLISHED", "ARCHIVED", "PAGES", "WEB", "SHA256", "TITLE",
    ]  # fmt: skip
    assert lines[1].split()[:2] == ["2023", "1"] and lines[2].split()[:2] == ["2023", "2"]
    assert lines[3].strip() == f"correction: {reason}"

    chapter.write_text(original, "utf-8")  # the project moves on; r2 keeps its own sources
    result = rapport("verify", "2023-r2", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("archive/2023-r2: ok")


def test_list_prints_year_revision_title_pages_sha256_and_date(published: Path) -> None:
    result = rapport("list", cwd=published)
    assert result.returncode == 0, result.stderr
    _, row = result.stdout.splitlines()
    pdf = published / "archive" / "2023" / PDF
    pages = len(pikepdf.open(pdf).pages)
    fields = row.split(maxsplit=7)
    assert fields[:3] == ["2023", "1", "2024-03-20"]
    assert fields[4:7] == [str(pages), "yes", sha256(pdf)]
    assert fields[7] == "Voortgangsrapport digitale bibliotheekdiensten"


def test_list_of_an_empty_archive(tmp_path: Path) -> None:
    result = rapport("list", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == ""
    assert "the archive is empty" in result.stderr


# --------------------------------------------------------------------------- interruption


def _partials(archive: Path) -> list[str]:
    return sorted(p.name for p in archive.iterdir() if ".partial-" in p.name)


def test_a_killed_publish_leaves_no_half_bag(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    archive = project / "archive"
    chance = random.Random(20240320)
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    completed = 0
    for attempt in range(6):
        process = subprocess.Popen(
            [sys.executable, "-m", "rapport", "-q", "publish", "2023", "--yes"],
            cwd=project,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if attempt % 2:  # at a random moment of the whole run
            time.sleep(chance.uniform(0.1, 2.5))
        else:  # once the bag is being made: during the build, the copy or the sealing
            deadline = time.monotonic() + 30
            while not (archive.is_dir() and _partials(archive)) and time.monotonic() < deadline:
                if process.poll() is not None:
                    break
                time.sleep(0.005)
            time.sleep(chance.uniform(0.0, 1.8))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        bag = archive / "2023"
        if bag.exists():  # the publish finished before the kill: then the bag is whole
            bagit.Bag(str(bag)).validate(processes=1)
            completed += 1
            remove_tree(bag)
        if archive.exists():
            visible = [p.name for p in archive.iterdir() if not p.name.startswith(".")]
            assert visible == [], f"attempt {attempt}: {visible} left in archive/"
    assert completed < 6, "no publish was interrupted"
    result = rapport("publish", "2023", "--yes", cwd=project)
    assert result.returncode == 0, result.stderr
    assert _partials(archive) == [], "the next publish removes what interrupted ones left"
    bagit.Bag(str(archive / "2023")).validate(processes=1)


# --------------------------------------------------------------------------- the PDF


def test_archived_pdf_is_pdfa_2b(published: Path) -> None:
    pdf = published / "archive" / "2023" / PDF
    result = check_pdfa(pdf)
    assert result.passed, "\n".join(result.findings)
    with pikepdf.open(pdf) as document:
        assert document.open_metadata().pdfa_status in ("2A", "2B")
        assert len(document.Root.OutputIntents) == 1
        assert all("/Trans" not in page.obj for page in document.pages)


def test_archived_pdf_equals_a_regular_build(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_published(published, tmp_path / "project")
    shutil.rmtree(project / "archive")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    regular = build(project / "content" / "2023", tmp_path / "regular.pdf")
    assert regular.pdf.read_bytes() == (published / "archive" / "2023" / PDF).read_bytes()


def test_pdf_does_not_depend_on_the_project_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """reportlab named images after their path; an archived edition is rebuilt elsewhere."""
    outputs = []
    for folder in ("one", "somewhere/else/two"):
        root = tmp_path / folder
        root.mkdir(parents=True)
        images = root / "images"
        images.mkdir()
        Image.new("RGB", (40, 30), (200, 30, 60)).save(images / "foto.jpg", quality=90)
        Image.new("RGBA", (30, 30), (10, 120, 200, 128)).save(images / "logo.png")
        blocks = (
            "- image:\n    file: images/foto.jpg\n    alt: Een foto\n"
            "- image:\n    file: images/logo.png\n    alt: Een logo\n"
        )
        edition = make_project(root, chapter_with_blocks(blocks))
        monkeypatch.chdir(root)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        outputs.append(build(edition, root / "out.pdf").pdf.read_bytes())
    assert outputs[0] == outputs[1]


def test_inputs_include_this_and_the_previous_editions_facts(tmp_path: Path) -> None:
    edition_dir = make_project(tmp_path)
    (edition_dir / "facts.yaml").write_text("ebooks.titels: 15000\n", "utf-8")
    earlier = tmp_path / "content" / "2022"
    earlier.mkdir()
    (earlier / "facts.yaml").write_text("ebooks.titels: 12000\n", "utf-8")
    checked = load_and_check(edition_dir)
    inputs = {item.path: item for item in collect_inputs(checked.edition, checked.theme, tmp_path)}
    assert {"content/2023/facts.yaml", "content/2022/facts.yaml"} <= set(inputs)
    assert "content/2023/01-test.yaml" in inputs and "theme/theme.yaml" in inputs
    assert not inputs["fonts/Lato-Regular.ttf"].archived


# --------------------------------------------------------------------------- the lock file


def test_lock_file_pins_every_dependency_with_hashes() -> None:
    """make installs from requirements.lock with --require-hashes; it must hold everything
    building needs and no test tool; requirements-test.lock adds the tools, same pins."""
    pins = locked_pins(REPO / "requirements.lock")
    test_pins = locked_pins(REPO / "requirements-test.lock")
    for name, version in dependency_versions().items():
        assert pins.get(name) == version, (
            f"{name} {version} is installed, the lock has {pins.get(name)}"
        )
    for tool in ("pytest", "hypothesis", "pypdf", "pypdfium2", "mypy", "ruff"):
        assert tool not in pins, f"make would install the test tool {tool}"
        assert tool in test_pins, f"the test extra's {tool} is not locked"
    assert {name: test_pins.get(name) for name in pins} == pins
    assert "rapport" not in pins and "rapport" not in test_pins


def locked_pins(lock: Path) -> dict[str, str]:
    text = lock.read_text("utf-8")
    entries = [
        e for e in text.replace("\\\n", " ").splitlines() if e and not e.startswith(("#", " "))
    ]
    pins = {}
    for entry in entries:
        requirement, *options = entry.split()
        name, _, version = requirement.partition("==")
        assert version, f"not pinned to one version: {requirement}"
        assert any(o.startswith("--hash=sha256:") for o in options), f"no hash for {name}"
        pins[name.lower().replace("_", "-")] = version
    return pins


def test_a_payload_file_removed_added_or_changed_is_named(tmp_path: Path) -> None:
    """bagit stops at the wrong Payload-Oxum; verify names each file all the same."""
    from rapport.archive.bag import check_fixity

    bag = tmp_path / "2023"
    (bag / "sources").mkdir(parents=True)
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (bag / "sources" / name).write_text(f"title: {name}\n", "utf-8")
    bagit.make_bag(str(bag), checksums=["sha256"])
    (bag / "data" / "sources" / "a.yaml").unlink()
    (bag / "data" / "sources" / "b.yaml").write_text("title: anders, en langer\n", "utf-8")
    (bag / "data" / "sources" / "new.yaml").write_text("title: nieuw\n", "utf-8")
    files, problems = check_fixity(bag)
    shown = [f"{p.location.path.relative_to(bag).as_posix()}: {p.message}" for p in problems]
    assert files == 0
    assert shown[:2] == [
        "data/sources/a.yaml: file listed in the manifest is missing",
        "data/sources/new.yaml: file is not listed in the manifest (it was added after publishing)",
    ]
    assert shown[2].startswith(
        "data/sources/b.yaml: checksum mismatch: the file changed since it was published"
    )
    assert len(shown) == 3
