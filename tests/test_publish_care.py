"""Publishing with care: summary, confirmation, dry run, refusals, corrections, drift.

The tests work on small projects (tests/helpers.py make_project) and run
`rapport` in a separate process, as a user would. Full publishes are slow (a
build and a PDF/A check each), so one published project is shared by the
module; tests that change it work on their own copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from helpers import CHAPTER_YAML, make_project, run_rapport
from rapport.archive.bag import decode_path, encode_path
from rapport.archive.drift import Drift, compare_sources
from rapport.archive.publish import PublishError, _refuse_unfinished
from rapport.correction import Correction
from rapport.diagnostics import ContentError, Diagnostic, Location, Severity
from rapport.pdf.pdfa_check import check_pdfa
from rapport.pipeline import load_and_check

pytestmark = pytest.mark.slow

CORRECTION_EPOCH = "1712916000"  # 2024-04-12 10:00 UTC: the day of the correction
REASON = "Typfout in hoofdstuk 2 verbeterd"
CORRECTION_LINE = (
    "Gecorrigeerde uitgave, revisie 2 van 12 april 2024: Typfout in hoofdstuk 2 verbeterd."
)
SECOND_CHAPTER = CHAPTER_YAML.replace("Hoofdstuk", "Tweede hoofdstuk").replace(
    "Een gewone alinea.", "De e-boeken groeiden."
)


def rapport(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_rapport(*args, cwd=cwd, env=env, timeout=180)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def new_project(folder: Path) -> Path:
    make_project(folder, chapters={"02-tweede.yaml": SECOND_CHAPTER})
    return folder


def copy_published(published: Path, destination: Path) -> Path:
    shutil.copytree(published, destination, symlinks=True)
    for folder, folders, files in os.walk(destination):
        for name in [*folders, *files]:
            os.chmod(os.path.join(folder, name), 0o755 if name in folders else 0o644)
    return destination


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = new_project(tmp_path_factory.mktemp("care") / "project")
    result = rapport("publish", "2023", "--yes", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "archive/2023\n", "standard output keeps only the bag's path"
    assert "rapport: about to publish content/2023 as archive/2023:\n" in result.stderr
    assert "  chapters   1. Hoofdstuk\n             2. Tweede hoofdstuk\n" in result.stderr
    return project


@pytest.fixture(scope="module")
def corrected(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the published project with a correction published as archive/2023-r2."""
    project = copy_published(published, tmp_path_factory.mktemp("corrected") / "project")
    chapter = project / "content" / "2023" / "02-tweede.yaml"
    chapter.write_text(chapter.read_text("utf-8").replace("groeiden", "groeiden sterk"), "utf-8")
    result = rapport(
        "publish", "2023", "--revision", "2", "--reason", f"  {REASON} ", "--yes",
        cwd=project, env={"SOURCE_DATE_EPOCH": CORRECTION_EPOCH},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "archive/2023-r2\n"
    return project


# --------------------------------------------------------------------------- summary and confirmation


def test_the_summary_names_edition_pages_chapters_size_and_warnings(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    result = rapport("publish", "2023", "--dry-run", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    start = lines.index("rapport: dry run: publishing content/2023 would make archive/2023:")
    summary = lines[start + 1 : start + 8]
    assert summary[0] == "  edition    2023, revision 1: Testrapport"
    assert summary[1] == "  date       2024-03-20"
    assert summary[2] == "  pages      4"
    assert summary[3:5] == ["  chapters   1. Hoofdstuk", "             2. Tweede hoofdstuk"]
    assert re.fullmatch(
        r"  size       PDF \d+ kB, web edition \d+ kB; bag of \d+ files, \d+ kB", summary[5]
    )
    assert summary[6] == "  warnings   none"
    assert lines[-1] == (
        "rapport: dry run: nothing was written to archive/; publish with `rapport publish 2023`"
    )
    assert not (project / "archive").exists(), "a dry run does not even create archive/"


def test_a_dry_run_leaves_the_archive_unchanged(published: Path) -> None:
    before = snapshot(published / "archive")
    chapter = published / "content" / "2023" / "02-tweede.yaml"
    original = chapter.read_text("utf-8")
    chapter.write_text(original.replace("groeiden", "stegen"), "utf-8")
    try:
        result = rapport("publish", "2023", "--revision", "2", "--reason", REASON, "--dry-run",
                         cwd=published)  # fmt: skip
    finally:
        chapter.write_text(original, "utf-8")
    assert result.returncode == 0, result.stderr
    assert "would make archive/2023-r2:" in result.stderr
    assert "  corrects   archive/2023" in result.stderr
    assert f"  reason     {REASON}" in result.stderr
    assert snapshot(published / "archive") == before
    assert not [p for p in (published / "archive").iterdir() if ".partial-" in p.name]


def test_without_a_terminal_and_without_yes_publish_is_refused(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    result = rapport("publish", "2023", cwd=project)
    assert result.returncode == 2
    assert result.stderr == (
        "rapport: error: failed to publish 2023: publishing asks for confirmation, and there is"
        " no terminal to ask on\n"
        "  hint: to publish from a script, pass --yes: rapport publish 2023 --yes"
        " (--dry-run shows what would be archived)\n"
    )
    assert not (project / "archive").exists()


def test_on_a_terminal_publish_asks_and_no_archives_nothing(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    output = _run_on_terminal(["publish", "2023"], project, answer=b"n\n")
    assert "Publish 2023 revision 1 to archive/2023? This cannot be undone. [y/N] " in output
    assert "  edition    2023, revision 1: Testrapport" in output
    assert "not published; archive/ is unchanged" in output
    assert [p.name for p in (project / "archive").iterdir()] == [".lock"]


def _run_on_terminal(args: list[str], cwd: Path, answer: bytes) -> str:
    """Run rapport with a pseudo-terminal as its input; answer once the question is asked."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    process = subprocess.Popen(
        [sys.executable, "-m", "rapport", *args],
        cwd=cwd, env=environment, stdin=follower, stdout=follower, stderr=follower,
    )  # fmt: skip
    os.close(follower)
    seen = b""
    answered = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break  # the process closed the terminal
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N] " in seen:
            os.write(leader, answer)
            answered = True
        if process.poll() is not None and not ready:
            break
    process.wait(timeout=30)
    os.close(leader)
    assert answered, seen.decode(errors="replace")
    assert process.returncode == 0, seen.decode(errors="replace")
    return seen.decode("utf-8", errors="replace").replace("\r\n", "\n")


# --------------------------------------------------------------------------- refusals


def test_a_correction_with_identical_sources_is_refused(published: Path) -> None:
    before = snapshot(published / "archive")
    result = rapport("publish", "2023", "--revision", "2", "--reason", REASON, "--yes",
                     cwd=published)  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert result.stderr.endswith(
        "rapport: error: failed to publish revision 2 of 2023: nothing changed since"
        " archive/2023: the sources are identical\n"
        "  hint: edit the content, then publish the correction\n"
    )
    assert snapshot(published / "archive") == before


@pytest.mark.parametrize("reason", ["", "   ", "\t\n"])
def test_a_correction_without_a_reason_is_refused(published: Path, reason: str) -> None:
    result = rapport("publish", "2023", "--revision", "2", "--reason", reason, "--yes",
                     cwd=published)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "rapport: error: failed to publish revision 2 of 2023: a correction needs a reason\n"
        '  hint: rapport publish 2023 --revision 2 --reason "what was corrected"\n'
    )


def test_a_revision_that_skips_one_is_refused(published: Path) -> None:
    result = rapport("publish", "2023", "--revision", "3", "--reason", REASON, "--yes",
                     cwd=published)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "rapport: error: failed to publish revision 3 of 2023: revision 2 is not published"
        " (no archive/2023-r2)\n"
        "  hint: revisions are numbered without gaps; `rapport list` shows the archive\n"
    )


def test_an_ignored_file_in_the_edition_stops_publish(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    (project / "content" / "2023" / "notities.txt").write_text("nog te doen\n", "utf-8")
    result = rapport("publish", "2023", "--yes", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "content/2023/notities.txt: error:" in result.stderr
    assert "ignored" in result.stderr
    assert "rapport: failed to publish: 1 problem in the content; nothing was written" in (
        result.stderr
    )
    assert not (project / "archive" / "2023").exists()


def test_refusal_of_an_ignored_file_names_it_and_says_what_to_do(tmp_path: Path) -> None:
    checked = load_and_check(make_project(tmp_path))
    ignored = Diagnostic(
        Location(tmp_path / "content" / "2023" / "notities.md"),
        "file is not a chapter and is ignored",
        severity=Severity.WARNING,
    )
    checked = type(checked)(checked.edition, checked.theme, [ignored], False)
    with pytest.raises(ContentError) as caught:
        _refuse_unfinished(checked)
    (problem,) = caught.value.diagnostics
    assert problem.location == ignored.location
    assert problem.message == (
        "failed to publish: this file is ignored, so the archived edition would lack it"
    )
    assert problem.hint == (
        "name a chapter file NN-name.yaml (e.g. 05-nieuwe-diensten.yaml), or move the file"
        " out of the edition's folder"
    )


def test_sections_to_review_and_drafts_are_never_published(tmp_path: Path) -> None:
    chapter = CHAPTER_YAML.replace("  - title: Sectie\n", "  - title: Sectie\n    review: true\n")
    edition_dir = make_project(tmp_path, chapter)
    result = rapport("publish", "2023", "--yes", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "1 part to review" in result.stderr  # the check's summary of what is left to do
    assert "failed to publish" in result.stderr and "nothing was written" in result.stderr
    assert not (tmp_path / "archive" / "2023").exists()

    draft = load_and_check(edition_dir, draft=True)  # what `build --draft` lets through
    with pytest.raises(PublishError, match="a draft is never published"):
        _refuse_unfinished(draft)
    with pytest.raises(ContentError) as caught:
        _refuse_unfinished(type(draft)(draft.edition, draft.theme, [], False))
    (problem,) = caught.value.diagnostics
    assert problem.message == "failed to publish: section 'Sectie' is still marked for review"
    assert problem.hint == "update its text for this year, then remove 'review: true'"
    assert problem.location.line == 3


# --------------------------------------------------------------------------- a correction


def test_a_correction_says_so_in_its_pdf(corrected: Path) -> None:
    pdf = corrected / "archive" / "2023-r2" / "data" / "voortgangsrapport-2023.pdf"
    reader = PdfReader(pdf)
    contents_page = reader.pages[1].extract_text()
    assert CORRECTION_LINE in " ".join(contents_page.split())
    info = reader.metadata
    assert info is not None
    assert CORRECTION_LINE in str(info["/Subject"])
    assert str(info["/CreationDate"]).startswith("D:20240412100000")
    with pikepdf.open(pdf) as document:
        xmp = document.Root.Metadata.read_bytes().decode("utf-8")
    assert "<xmpMM:VersionID>2</xmpMM:VersionID>" in xmp
    assert CORRECTION_LINE in xmp
    result = check_pdfa(pdf)
    assert result.passed, result.findings
    first = corrected / "archive" / "2023" / "data" / "voortgangsrapport-2023.pdf"
    assert "Gecorrigeerde" not in PdfReader(first).pages[1].extract_text()
    with pikepdf.open(first) as document:
        assert b"xmpMM" not in document.Root.Metadata.read_bytes()


def test_a_correction_says_so_in_its_web_edition(corrected: Path) -> None:
    data = corrected / "archive" / "2023-r2" / "data"
    page = (data / "voortgangsrapport-2023.html").read_text("utf-8")
    assert f'<p class="correction">{CORRECTION_LINE}</p>' in page
    first = corrected / "archive" / "2023" / "data" / "voortgangsrapport-2023.html"
    assert "Gecorrigeerde" not in first.read_text("utf-8")
    record = json.loads((data / "build-record.json").read_text("utf-8"))
    assert record["html"]["sha256"] == hashlib.sha256(page.encode("utf-8")).hexdigest()


def test_a_correction_is_recorded_verified_and_listed(corrected: Path) -> None:
    info = (corrected / "archive" / "2023-r2" / "bag-info.txt").read_text("utf-8")
    assert f"Rapport-Reason: {REASON}\n" in info
    assert "Rapport-Corrects: 2023\n" in info
    assert "Rapport-Build-Date: 2024-04-12T10:00:00+00:00\n" in info
    result = rapport("verify", "2023-r2", cwd=corrected, env={"TZ": "Pacific/Auckland"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("archive/2023-r2: ok (fixity of ")
    listing = rapport("list", cwd=corrected)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert [line.split()[:2] for line in lines[1:3]] == [["2023", "1"], ["2023", "2"]]
    assert lines[3] == f"{'':11}correction: {REASON}"


# --------------------------------------------------------------------------- drift


def test_a_build_says_when_a_published_edition_has_changed(corrected: Path, tmp_path: Path) -> None:
    project = copy_published(corrected, tmp_path / "project")
    unchanged = rapport("build", cwd=project)
    assert unchanged.returncode == 0, unchanged.stderr
    assert "differs from archive" not in unchanged.stderr

    chapter = project / "content" / "2023" / "01-test.yaml"
    chapter.write_text(chapter.read_text("utf-8").replace("gewone", "andere"), "utf-8")
    (project / "content" / "2023" / "03-nieuw.yaml").write_text(CHAPTER_YAML, "utf-8")
    changed = rapport("-q", "build", cwd=project)
    assert changed.returncode == 0, changed.stderr
    assert changed.stderr == (
        "rapport: content/2023 differs from archive/2023-r2: this PDF is not the published"
        " edition (changed: 01-test.yaml; added: 03-nieuw.yaml)\n"
        "  hint: to replace the published edition, publish a correction:"
        ' rapport publish 2023 --revision 3 --reason "what was corrected"\n'
    )


def test_drift_lists_changed_added_and_removed_files() -> None:
    archived = {
        "content/2023/01-a.yaml": "1",
        "content/2023/02-b.yaml": "2",
        "theme/theme.yaml": "3",
    }
    current: dict[str, str | None] = {
        "content/2023/01-a.yaml": "1",
        "content/2023/02-b.yaml": None,
        "theme/theme.yaml": "4",
        "content/2023/05-c.yaml": "5",
    }
    drift = compare_sources(2023, "2023", archived, current)
    assert drift == Drift(
        2023,
        "2023",
        ("theme/theme.yaml",),
        ("content/2023/05-c.yaml",),
        ("content/2023/02-b.yaml",),
    )
    assert drift.describe() == "changed: theme/theme.yaml; added: 05-c.yaml; removed: 02-b.yaml"
    assert drift.next_revision == 2
    assert compare_sources(2023, "2023-r4", archived, dict(archived)) is None


# --------------------------------------------------------------------------- formatters


@given(st.text(min_size=1, max_size=80).filter(lambda t: t.strip()))
def test_the_correction_line_is_one_sentence_with_the_reason(reason: str) -> None:
    correction = Correction(3, dt.date(2025, 1, 31), reason)
    line = correction.line("nl-BE")
    assert line.startswith("Gecorrigeerde uitgave, revisie 3 van 31 januari 2025: ")
    assert reason.strip() in line
    assert line[-1] in ".!?…"
    english = correction.line("en-GB")
    assert english.startswith("Corrected edition, revision 3 of 31 January 2025: ")


@given(st.text(max_size=60))
def test_manifest_paths_decode_to_what_was_encoded(path: str) -> None:
    assert decode_path(encode_path(path)) == path


@pytest.mark.parametrize(
    ("character", "code"), [("\x1b", "001B"), ("\x07", "0007"), ("\x0b", "000B")]
)
def test_a_reason_with_a_control_character_is_refused_before_the_build(
    tmp_path: Path, character: str, code: str
) -> None:
    project = new_project(tmp_path / "project")
    result = rapport("publish", "2023", "--revision", "2", "--reason", f"Typfout{character}[31m",
                     "--yes", cwd=project)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"rapport: error: --reason contains the control character U+{code}\n"
        "  hint: type the reason again as plain text, on one line\n"
    )
    assert not (project / "archive" / "2023-r2").exists()


def _make_lock_a_dangling_link(project: Path, outside: Path) -> None:
    (project / "archive").mkdir(exist_ok=True)
    (project / "archive" / ".lock").symlink_to(outside)


def test_a_lock_file_that_is_a_link_is_refused_and_never_followed(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    outside = tmp_path / "elsewhere.lock"
    _make_lock_a_dangling_link(project, outside)
    result = rapport("publish", "2023", "--yes", cwd=project)
    assert result.returncode == 3, result.stderr
    lock = "archive/.lock"
    assert result.stderr.endswith(
        f"rapport: error: {lock} is a link, where the archive keeps the archive's lock file;"
        " rapport does not follow it\n"
        f"  hint: remove the link ({lock}) and publish again\n"
    ), result.stderr
    assert not outside.exists()


def test_a_partial_folder_that_is_a_link_is_refused_and_its_target_kept(tmp_path: Path) -> None:
    project = new_project(tmp_path / "project")
    target = tmp_path / "precious"
    target.mkdir()
    (target / "file.txt").write_text("keep", "utf-8")
    target.chmod(0o500)
    (project / "archive").mkdir()
    link = project / "archive" / ".2023.partial-abc"
    link.symlink_to(target)
    result = rapport("publish", "2023", "--yes", cwd=project)
    assert result.returncode == 3, result.stderr
    shown = "archive/.2023.partial-abc"
    assert (
        f"rapport: error: {shown} is a link, where the archive keeps a folder left by an"
        " interrupted publish; rapport does not follow it\n"
    ) in result.stderr, result.stderr
    assert (target / "file.txt").read_text("utf-8") == "keep"
    assert target.stat().st_mode & 0o777 == 0o500


def test_a_bag_under_another_year_is_found_by_verify_and_list(
    published: Path, tmp_path: Path
) -> None:
    project = copy_published(published, tmp_path / "project")
    (project / "archive" / "2023").rename(project / "archive" / "2021")
    wrong = "the bag holds year 2023, revision 1 (bag-info.txt), but its folder is named 2021"
    listed = rapport("list", cwd=project)
    assert listed.returncode == 0, listed.stderr
    assert f"           misfiled: {wrong}\n" in listed.stdout
    assert f"archive/2021: warning: {wrong}\n" in listed.stderr, listed.stderr
    result = rapport("verify", "2021", cwd=project)
    assert result.returncode == 1, result.stderr
    assert f"archive/2021: error: {wrong}\n" in result.stderr, result.stderr
    assert "hint: put the bag back under its own name" in result.stderr


def test_a_bag_whose_bag_info_was_made_to_fit_another_year_is_found_by_its_pdf(
    published: Path, tmp_path: Path
) -> None:
    project = copy_published(published, tmp_path / "project")
    bag = project / "archive" / "2021"
    (project / "archive" / "2023").rename(bag)
    info = bag / "bag-info.txt"
    info.write_text(
        info.read_text("utf-8").replace("Rapport-Year: 2023", "Rapport-Year: 2021"), "utf-8"
    )
    result = rapport("verify", "2021", cwd=project)
    assert result.returncode == 1, result.stderr
    assert (
        "archive/2021: error: the bag holds voortgangsrapport-2023.pdf, not"
        " voortgangsrapport-2021.pdf, though its folder is named 2021\n"
    ) in result.stderr, result.stderr
