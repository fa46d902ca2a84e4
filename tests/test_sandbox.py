"""The audit hook of sandbox.py measures what it claims: a test of bad input that passes
under it would have failed had the content reached outside the project."""

from __future__ import annotations

from pathlib import Path

import pytest

import sandbox
from helpers import chapter_with_blocks, make_project
from rapport.cli import main
from rapport.layout import markup


def test_the_hook_sees_every_kind_of_escape(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    seen = sandbox.self_test(project)
    kinds = [
        "open outside the project: /etc/",
        "open for writing outside the project:",
        "os.listdir outside the project: /etc",
        "socket.getaddrinfo ('example.org'",
        "socket.getaddrinfo ('127.0.0.1'",
        "subprocess.Popen",
        "os.system",
        "compile of '1 + 1'",
        "compile of 'x = 1'",
    ]
    assert [kind for kind in kinds if not any(v.startswith(kind) for v in seen)] == []
    assert len(seen) == len(kinds)


def test_the_hook_records_nothing_when_it_is_off(tmp_path: Path) -> None:
    with sandbox.guarded(tmp_path) as violations:
        pass
    Path("/etc/passwd").read_bytes()  # outside the guarded block
    assert violations == []


def test_markup_that_is_not_escaped_would_be_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Remove the escaping of content text, and reportlab follows <img src> to /etc/passwd:
    the hook reports it. With the escaping in place the same chapter is catalogue case 301."""
    # \" keeps the quotes straight: curled, reportlab would not read the attribute at all
    make_project(tmp_path, chapter_with_blocks("- paragraph: '<img src=\\\"/etc/passwd\\\"/>'\n"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(markup, "escape", lambda text, *args: text)
    with sandbox.guarded(tmp_path) as violations:
        main(["-q", "build", "content/2023"])
    capsys.readouterr()
    assert "open outside the project: /etc/passwd" in violations
