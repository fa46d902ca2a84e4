"""`rapport watch`: what it watches, that every change of an input rebuilds, and the recovery line.

Each test builds a small real project (helpers.make_project) into tmp_path, the
working folder, so that paths read as content/2023/… in what watch prints.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from helpers import CHAPTER_YAML, chapter_with_blocks, make_project
from rapport.cli.watch import Rebuilder, changes, snapshot, watch

PREVIOUS_FACTS = "gebruikers: {value: 100, unit: gebruikers}\n"
FACTS = "gebruikers: {value: 120, unit: gebruikers}\n"
FACT_CHAPTER = chapter_with_blocks(
    "- paragraph: Er zijn {gebruikers} gebruikers ({gebruikers:change}).\n"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An edition that reads last year's facts for a change, with content/2022/facts.yaml."""
    monkeypatch.chdir(tmp_path)
    edition = make_project(tmp_path, FACT_CHAPTER)
    (edition / "facts.yaml").write_text(FACTS, encoding="utf-8")
    previous = tmp_path / "content" / "2022"
    previous.mkdir()
    (previous / "facts.yaml").write_text(PREVIOUS_FACTS, encoding="utf-8")
    return edition


def touch(path: Path, text: str | None = None) -> None:
    """Save `path` (with new text, if given) with a modification time surely later than before."""
    if text is not None:
        path.write_text(text, encoding="utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))


def project_file(name: str) -> Path:
    """A file of the project as watch names it: a full path."""
    return Path.cwd().resolve() / name


def rebuilder(lines: list[str]) -> Rebuilder:
    return Rebuilder(Path("content/2023"), Path("build/out.pdf"), report=lines.append)


def test_the_watched_files_are_those_the_build_read(project: Path) -> None:
    builder = rebuilder([])
    builder.build_and_snapshot()
    watched = {p.resolve() for p in builder.watched()}
    root = project.parent.parent.resolve()
    for name in (
        "content/2023/01-test.yaml",
        "content/2023/edition.yaml",
        "content/2023/facts.yaml",
        "content/2022/facts.yaml",
        "theme/theme.yaml",
        "fonts/Lato-Regular.ttf",
        "fonts/Lato-Black.ttf",
    ):
        assert root / name in watched, name
    # the icons no chapter uses are not read, so not watched after a good build
    assert not any(p.parent.name == "icons" for p in watched)


@pytest.mark.e2e
def test_touching_last_years_facts_rebuilds(project: Path) -> None:
    lines: list[str] = []
    runner = threading.Thread(
        target=watch,
        args=(Path("content/2023"), Path("build/out.pdf")),
        kwargs={"interval": 0.05, "rounds": 300, "report": lines.append},  # 15 s to spare
    )
    runner.start()
    try:
        _wait_for(lambda: len(lines) == 1)
        assert lines[0].startswith("rapport: rebuilt build/out.pdf (3 pages) in ")
        touch(Path("content/2022/facts.yaml"), "gebruikers: {value: 60, unit: gebruikers}\n")
        _wait_for(lambda: len(lines) == 2)
        assert lines[1].startswith("rapport: rebuilt build/out.pdf (3 pages) in ")
    finally:
        runner.join()
    assert len(lines) == 2  # one rebuild for one save, none while nothing changes


def _wait_for(condition: object, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not callable(condition) or not condition():
        assert time.monotonic() < deadline, "watch did not get there in time"
        time.sleep(0.02)


@pytest.mark.e2e
def test_a_save_while_the_build_runs_is_built_too(project: Path) -> None:
    builder = rebuilder([])
    seen = builder.build_and_snapshot()
    touch(Path("content/2022/facts.yaml"))
    assert changes(seen, snapshot(builder.watched())) == [project_file("content/2022/facts.yaml")]


def test_a_file_that_appears_or_disappears_in_the_edition_folder_is_a_change(
    project: Path,
) -> None:
    builder = rebuilder([])
    seen = builder.build_and_snapshot()
    new = project_file("content/2023/02-nieuw.yaml")
    new.write_text(CHAPTER_YAML, encoding="utf-8")
    assert changes(seen, snapshot(builder.watched())) == [new]
    seen = builder.build_and_snapshot()
    new.unlink()
    assert changes(seen, snapshot(builder.watched())) == [new]


def test_last_years_facts_are_watched_before_they_exist(project: Path) -> None:
    previous = project_file("content/2022/facts.yaml")
    previous.unlink()
    builder = rebuilder([])
    seen = builder.build_and_snapshot()
    assert seen[previous] is None
    previous.write_text(PREVIOUS_FACTS, encoding="utf-8")
    assert changes(seen, snapshot(builder.watched())) == [previous]


def test_editor_backups_and_system_files_are_not_watched(project: Path) -> None:
    builder = rebuilder([])
    seen = builder.build_and_snapshot()
    for junk in (".01-test.yaml.swp", "01-test.yaml~", ".DS_Store", "~$notities.docx"):
        (project / junk).write_text("x", encoding="utf-8")
    assert changes(seen, snapshot(builder.watched())) == []


def test_a_fix_after_an_error_reports_the_recovery(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines: list[str] = []
    builder = rebuilder(lines)
    chapter = Path("content/2023/01-test.yaml")
    chapter.write_text(chapter_with_blocks("- paragraf: Tekst.\n"), encoding="utf-8")
    assert builder.build() is False
    assert lines == [
        "rapport: problems found; the previous PDF is kept. Waiting for the next save…"
    ]
    assert "content/2023/01-test.yaml:5:9: error: unknown block kind 'paragraf'" in (
        capsys.readouterr().err
    )
    chapter.write_text(CHAPTER_YAML, encoding="utf-8")
    assert builder.build() is True
    assert lines[1].startswith("rapport: problems fixed; rebuilt build/out.pdf (3 pages) in ")
    assert builder.build() is True
    assert lines[2].startswith("rapport: rebuilt build/out.pdf (3 pages) in ")


def test_after_a_failed_build_a_new_image_is_seen(project: Path) -> None:
    chapter = Path("content/2023/01-test.yaml")
    chapter.write_text(
        chapter_with_blocks("- image: {file: foto.png, alt: Een foto}\n"), encoding="utf-8"
    )
    builder = rebuilder([])
    seen = builder.build_and_snapshot()
    assert builder.failing
    image = project_file("images/foto.png")
    image.write_bytes(b"not yet a picture")
    assert image in changes(seen, snapshot(builder.watched()))


# -- the PDF/A check beside the watcher -------------------------------------------------


@pytest.mark.e2e
def test_watch_writes_the_pdf_first_and_its_pdfa_verdict_after(project: Path) -> None:
    from rapport.cache import PDFA, Cache, file_digest
    from rapport.pipeline import build

    builder = rebuilder([])
    assert builder.build()
    builder.finish()
    watched = Path("build/out.pdf").read_bytes()
    store = Cache.of_project(project.parent.parent)
    assert store.path(PDFA, {"pdf": file_digest(Path("build/out.pdf"))}).is_file()  # checked
    build(Path("content/2023"), Path("build/checked.pdf"))  # checks before it succeeds
    assert Path("build/checked.pdf").read_bytes() == watched


@pytest.mark.e2e
def test_a_watched_pdf_that_fails_the_pdfa_check_is_reported(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rapport.pdf import pdfa_check

    def failing(path: Path) -> pdfa_check.Conformance:
        return pdfa_check.Conformance("PDF/A-2a", "PDF/A-2b", "test", False, ["6.2.3 colour"])

    monkeypatch.setattr(pdfa_check, "check_pdfa", failing)
    lines: list[str] = []
    builder = rebuilder(lines)
    assert builder.build()  # the PDF is shown at once …
    builder.finish()
    assert Path("build/out.pdf").is_file()
    assert lines[-1] == (  # … and its verdict follows
        "rapport: the PDF just written fails the PDF/A check;"
        " `rapport build` and `rapport publish` refuse it"
    )
    assert "failed to make a PDF that conforms to PDF/A-2b" in capsys.readouterr().err
