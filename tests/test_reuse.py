"""A build from the very same files reuses the PDF made before (rapport.pdf.reuse); a
change of any input, or of an option, lays the pages out again."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import CHAPTER_YAML, backdate, make_project, run_rapport
from rapport.cache import PDF

REUSED = "nothing changed, the PDF made from these files is reused"
LAID_OUT = "laying out pages\n"


def build(project: Path, output: str = "out.pdf", *args: str, **env: str) -> str:
    """`rapport -v build` in a process of its own; what it logged."""
    result = run_rapport("-v", "build", "content/2023", "-o", output, *args, cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project built once, its files older than the build (so its PDF was kept)."""
    chapter = CHAPTER_YAML.replace("Een gewone alinea.", "Vooruitgang, Te weten.")
    make_project(tmp_path, chapter.replace("title: Hoofdstuk", 'title: Hoofdstuk\nicon: "✨"'))
    backdate(tmp_path)
    assert LAID_OUT in build(tmp_path, "first.pdf")
    assert list((tmp_path / ".cache" / PDF.name).glob("*.json"))
    return tmp_path


@pytest.mark.e2e
def test_a_build_with_nothing_changed_writes_the_same_pdf_without_laying_it_out(project):
    log = build(project, "second.pdf")
    assert REUSED in log and LAID_OUT not in log
    assert "drawing charts: none needed" in log
    assert (project / "second.pdf").read_bytes() == (project / "first.pdf").read_bytes()
    assert (project / "second.pdf").stat().st_mode & 0o777 == 0o644


@pytest.mark.e2e
def test_a_reused_pdf_needs_neither_reportlab_nor_pikepdf(project):
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from rapport.pipeline import build
        build(Path("content/2023"), Path("again.pdf"))
        print(sorted(m for m in ("reportlab", "pikepdf", "matplotlib") if m in sys.modules))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.e2e
@pytest.mark.parametrize(
    "change",
    ["chapter", "theme", "icon", "font"],
)
def test_a_changed_input_lays_the_pages_out_again(project, change):
    path = {
        "chapter": project / "content" / "2023" / "01-test.yaml",
        "theme": project / "theme" / "theme.yaml",
        "icon": project / "images" / "icons" / "emoji_u2728.png",
        "font": project / "fonts" / "Lato-Regular.ttf",
    }[change]
    if change == "chapter":
        path.write_text(path.read_text("utf-8").replace("Te weten", "Te lezen"), "utf-8")
    elif change == "theme":
        path.write_text(path.read_text("utf-8") + "\n# a comment changes the file\n", "utf-8")
    else:
        path.write_bytes(path.read_bytes() + b"\0")  # still the same picture or font to read
    backdate(project)
    log = build(project, "second.pdf")
    assert LAID_OUT in log and REUSED not in log


@pytest.mark.e2e
def test_a_draft_or_another_date_is_not_the_pdf_made_before(project):
    assert REUSED not in build(project, "draft.pdf", "--draft")
    assert REUSED not in build(project, "dated.pdf", SOURCE_DATE_EPOCH="1700000000")
    assert (project / "dated.pdf").read_bytes() != (project / "first.pdf").read_bytes()


@pytest.mark.e2e
def test_a_file_saved_just_before_the_build_is_not_kept_for_reuse(tmp_path):
    make_project(tmp_path)
    backdate(tmp_path)
    chapter = tmp_path / "content" / "2023" / "01-test.yaml"
    chapter.write_text(chapter.read_text("utf-8") + "\n", "utf-8")  # saved now
    build(tmp_path)
    assert not (tmp_path / ".cache" / PDF.name).exists()  # it may not be what was read
    assert LAID_OUT in build(tmp_path, "again.pdf")


@pytest.mark.e2e
def test_watch_keeps_no_pdf_for_reuse_before_its_pdfa_check(tmp_path, monkeypatch):
    from rapport.cli.watch import Rebuilder

    make_project(tmp_path)
    backdate(tmp_path)
    monkeypatch.chdir(tmp_path)
    rebuilder = Rebuilder(Path("content/2023"), Path("out.pdf"), report=lambda line: None)
    assert rebuilder.build()
    rebuilder.finish()
    assert not (tmp_path / ".cache" / PDF.name).exists()


@pytest.mark.e2e
def test_a_reused_pdf_replaces_an_older_file_whole(project):
    (project / "second.pdf").write_bytes(b"an older PDF, longer than nothing")
    assert REUSED in build(project, "second.pdf")
    assert (project / "second.pdf").read_bytes() == (project / "first.pdf").read_bytes()
    assert not list(project.glob(".second.pdf.*"))  # no temporary file left beside it
