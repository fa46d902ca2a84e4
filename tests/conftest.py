"""Fixtures shared by the tests; the plain helpers live in helpers.py."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import CHAPTER_YAML, EDITION_YAML, make_project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """A factory for a minimal valid project in tmp_path, which becomes the working folder.

    Call it as `project(chapter_text, edition=..., name=..., chapters=...)`; it
    returns the edition folder as the relative path content/2023, so that
    diagnostics read `content/2023/01-test.yaml:LINE:COL: error: ...`.
    """
    monkeypatch.chdir(tmp_path)

    def factory(
        chapter: str = CHAPTER_YAML,
        *,
        edition: str = EDITION_YAML,
        name: str = "01-test.yaml",
        chapters: dict[str, str] | None = None,
    ) -> Path:
        make_project(tmp_path, chapter, edition=edition, name=name, chapters=chapters)
        return Path("content") / "2023"

    return factory


@pytest.fixture(autouse=True)
def _restore_rapport_logger() -> Iterator[None]:
    """rapport.cli.main reconfigures the 'rapport' logger; undo that after each test."""
    logger = logging.getLogger("rapport")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved
