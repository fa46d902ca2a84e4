"""Helpers shared by the test modules: a minimal valid project in a temporary folder.

Import with `from helpers import make_project` (pytest puts the tests folder on
sys.path, as it holds no __init__.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

EDITION_YAML = """\
title: Testrapport
year: 2023
organisation: Testorganisatie
published: 2024-03-20
"""

CHAPTER_YAML = """\
title: Hoofdstuk
sections:
  - title: Sectie
    blocks:
      - paragraph: Een gewone alinea.
"""


def make_project(
    root: Path,
    chapter: str = CHAPTER_YAML,
    *,
    edition: str = EDITION_YAML,
    name: str = "01-test.yaml",
    chapters: dict[str, str] | None = None,
) -> Path:
    """Build a project under `root` and return its edition folder, root/content/2023.

    The project holds copies of the real fonts/, images/icons/ and theme/, an
    edition.yaml and one chapter file `name` with the text `chapter`
    (dedented). `chapters` maps further file names to their text.
    """
    shutil.copytree(REPO / "fonts", root / "fonts")
    shutil.copytree(REPO / "images" / "icons", root / "images" / "icons")
    shutil.copytree(REPO / "theme", root / "theme")
    edition_dir = root / "content" / "2023"
    edition_dir.mkdir(parents=True)
    (edition_dir / "edition.yaml").write_text(textwrap.dedent(edition), encoding="utf-8")
    files = {name: chapter, **(chapters or {})}
    for file_name, text in files.items():
        (edition_dir / file_name).write_text(textwrap.dedent(text), encoding="utf-8")
    return edition_dir


def backdate(root: Path, seconds: float = 60) -> None:
    """Make every file under `root` `seconds` old: a build keeps its PDF for reuse only
    when no input changed in the second before it started (rapport.pdf.reuse)."""
    moment = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (moment, moment))


def forget_finished_pdfs(root: Path) -> None:
    """Take the finished PDFs out of the project's cache, so that the next build lays its
    pages out even when nothing changed (rapport.pdf.reuse)."""
    shutil.rmtree(root / ".cache" / "pdf", ignore_errors=True)


def chapter_with_blocks(blocks: str) -> str:
    """A chapter of one section whose `blocks:` list is `blocks` (dedented YAML list items)."""
    body = textwrap.indent(textwrap.dedent(blocks), " " * 6)
    return "title: Hoofdstuk\nsections:\n  - title: Sectie\n    blocks:\n" + body


def run_rapport(
    *args: str, cwd: Path = REPO, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`rapport ARGS` in a fresh process, without this machine's SOURCE_DATE_EPOCH, and with
    no terminal on its input, as in a script or a CI job."""
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "rapport", *args],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_rapport_with(
    launcher: str,
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`rapport ARGS` in a fresh process that runs `launcher` instead of the plain command
    (with `env` as its whole environment, if given)."""
    return subprocess.run(
        [sys.executable, "-c", launcher, *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def project_with_facts(root: Path, facts: str, earlier: str) -> Path:
    """A project in `root` whose edition 2023 has `facts`, beside last year's (2022) `earlier`;
    the edition folder as the relative path content/2023."""
    edition_dir = make_project(root)
    (edition_dir / "facts.yaml").write_text(facts, encoding="utf-8")
    (root / "content" / "2022").mkdir()
    (root / "content" / "2022" / "facts.yaml").write_text(earlier, encoding="utf-8")
    return Path("content/2023")
