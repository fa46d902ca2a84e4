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


DRAWING_TEST = """
    from hypothesis import given, strategies as st

    @given(st.text())
    def test_draws(text):
        with open({log!r}, "a", encoding="utf-8") as log:
            log.write(ascii(text) + "\\n")
"""


def drawn_examples(suite: pytest.Pytester, log: Path, profile: str | None) -> list[str]:
    """The examples one run of a property test draws, in a fresh process under `profile`."""
    log.unlink(missing_ok=True)
    suite.makepyfile(DRAWING_TEST.format(log=str(log)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", str(CONFTEST.parent))
        if profile is None:
            patch.delenv("RAPPORT_HYPOTHESIS_PROFILE", raising=False)
        else:
            patch.setenv("RAPPORT_HYPOTHESIS_PROFILE", profile)
        suite.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    return log.read_text(encoding="utf-8").splitlines()


def test_property_tests_draw_the_same_examples_every_run(
    suite: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    log = tmp_path_factory.mktemp("drawn") / "examples.txt"
    first = drawn_examples(suite, log, None)
    assert len(first) > 10
    assert drawn_examples(suite, log, None) == first


def test_make_fuzz_draws_new_examples_each_run(
    suite: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    log = tmp_path_factory.mktemp("drawn") / "examples.txt"
    assert drawn_examples(suite, log, "explore") != drawn_examples(suite, log, "explore")
