"""The test suite itself: a test that leaves the working folder or the environment changed
fails, so that no test depends on the ones that ran before it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

CONFTEST = Path(__file__).resolve().parent / "conftest.py"


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    """A scratch test suite with this suite's conftest.py."""
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    return pytester


def test_a_test_that_changes_the_working_folder_fails(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import os

        def test_moves(tmp_path):
            os.chdir(tmp_path)

        def test_after(tmp_path):
            assert os.getcwd() != str(tmp_path)
        """
    )
    result = suite.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*the test left the working folder became *test_moves0: use monkeypatch, which undoes it"]
    )


def test_a_test_that_sets_an_environment_variable_fails(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        import os

        def test_sets():
            os.environ["SOURCE_DATE_EPOCH"] = "0"
            os.environ.pop("RAPPORT_UNSET_BY_THE_TEST", None)

        def test_after():
            assert "SOURCE_DATE_EPOCH" not in os.environ
        """
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        patch.setenv("RAPPORT_UNSET_BY_THE_TEST", "1")
        result = suite.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*the test left the environment variables RAPPORT_UNSET_BY_THE_TEST, "
            "SOURCE_DATE_EPOCH changed: use monkeypatch, which undoes it"
        ]
    )


def test_monkeypatch_changes_are_undone_in_time(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        """
        def test_patches(tmp_path, monkeypatch):
            monkeypatch.chdir(tmp_path)
            monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
        """
    )
    suite.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
