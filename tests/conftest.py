"""Fixtures shared by the tests; the plain helpers live in helpers.py."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from helpers import CHAPTER_YAML, EDITION_YAML, make_project

# Property tests are derandomized under `make test`, so that main cannot go red on a lucky
# draw: the same examples every run, and no example database carried between runs.
# `make fuzz` chooses the profile "explore" (RAPPORT_HYPOTHESIS_PROFILE), which draws new
# random examples each time and prints the seed of any failure to replay it.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, database=None, print_blob=True)
settings.load_profile(os.environ.get("RAPPORT_HYPOTHESIS_PROFILE", "ci"))


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


@pytest.fixture(autouse=True)
def _leaves_the_folder_and_environment_as_found() -> Iterator[None]:
    """A test that changes the working folder or the environment without undoing it makes the
    tests after it depend on it: that fails the test here, and the change is undone.

    Autouse fixtures are set up first and so torn down last, after monkeypatch has undone
    its own changes; a change seen here is one that nothing undoes.
    """
    folder, environment = os.getcwd(), _environment()
    yield
    changes = []
    if os.getcwd() != folder:
        changes.append(f"the working folder became {os.getcwd()}")
        os.chdir(folder)
    if _environment() != environment:
        names = sorted(
            name
            for name in set(_environment()) | set(environment)
            if os.environ.get(name) != environment.get(name)
        )
        changes.append(f"the environment variables {', '.join(names)} changed")
        for name in names:
            os.environ.pop(name, None)
            if name in environment:
                os.environ[name] = environment[name]
    assert not changes, f"the test left {'; '.join(changes)}: use monkeypatch, which undoes it"


def _environment() -> dict[str, str]:
    """The environment, but for the variable in which pytest names the running test."""
    return {name: value for name, value in os.environ.items() if name != "PYTEST_CURRENT_TEST"}
