"""`make bench AGAINST=<revision>`: this tree's builds beside an earlier revision's."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from helpers import REPO


def _in_git() -> bool:
    try:
        done = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True)
    except OSError:
        return False
    return done.returncode == 0


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.skipif(not _in_git(), reason="needs a git checkout of rapport")
def test_bench_times_this_tree_beside_a_revision_in_turn():
    result = subprocess.run(
        [sys.executable, "-m", "rapport.cli.bench", "--against", "HEAD", "--runs", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for case in ("cold build (empty .cache)", "build after a text edit"):
        line = next(line for line in result.stdout.splitlines() if case in line)
        then, now, ratio = re.findall(
            r"HEAD:\s+([0-9.]+) s.*now:\s+([0-9.]+) s.*now/then ([0-9.]+)", line
        )[0]
        assert float(then) > 0 and float(now) > 0
        assert float(ratio) == pytest.approx(float(now) / float(then), abs=0.01)


@pytest.mark.skipif(not _in_git(), reason="needs a git checkout of rapport")
def test_bench_says_so_when_a_revision_is_unknown():
    result = subprocess.run(
        [sys.executable, "-m", "rapport.cli.bench", "--against", "no-such-revision"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "failed to read revision no-such-revision from git" in result.stderr
    assert "Traceback" not in result.stderr
