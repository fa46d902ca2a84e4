"""`make` and the `rapport` command agree: the newest edition by default, EDITION=2024 or
content/2024, the staff targets, and a virtual environment that is whole or absent.

The make tests run the real Makefile in a temporary folder with a fake PYTHON:
a shell script that answers the version question and makes a fake virtual
environment whose python and rapport only write down how they were called. No
real environment is made (too slow, and it needs the network).
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest

from helpers import EDITION_YAML, REPO, make_project, run_rapport

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

# The fake virtual environment's python and rapport log their arguments, one call a line.
FAKE_TOOL = """\
#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
case "$*" in *"pip install"*) [ -f "{fail_pip}" ] && exit 1 ;; esac
exit 0
"""
# A base interpreter: says its version, and makes a fake virtual environment.
FAKE_PYTHON = """\
#!/bin/sh
case "$1" in
  -c) echo "{version}" ;;
  -m) echo "$(basename "$0") $*" >> "{log}"
      mkdir -p "$3/bin"
      {venv_failure}
      for tool in python rapport ruff mypy; do
        cp "{tool}" "$3/bin/$tool"
        chmod +x "$3/bin/$tool"
      done ;;
esac
"""


def executable(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the Makefile beside the files its targets depend on."""
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    for name in ("pyproject.toml", "requirements.lock"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "src" / "rapport").mkdir(parents=True)
    executable(
        tmp_path / "tool",
        FAKE_TOOL.format(log=tmp_path / "calls.log", fail_pip=tmp_path / "pip-fails"),
    )
    return tmp_path


def fake_python(
    folder: Path, name: str = "python3.12", version: str = "3.12", venv_fails: bool = False
) -> Path:
    failure = 'echo "ensurepip is not available" >&2; exit 1' if venv_fails else ":"
    text = FAKE_PYTHON.format(
        version=version, log=folder / "calls.log", tool=folder / "tool", venv_failure=failure
    )
    return executable(folder / name, text)


def make(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def calls(folder: Path) -> list[str]:
    log = folder / "calls.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


# -- the Python check and the virtual environment --------------------------------------------


def test_an_old_python_is_refused_with_what_to_do(folder: Path) -> None:
    old = fake_python(folder, "python3", version="3.10")
    result = make(folder, f"PYTHON={old}", "check")
    assert result.returncode != 0
    assert (
        f"rapport needs Python 3.11 or newer; found 3.10 ({old})."
        " Install it, or run make PYTHON=python3.12\n"
    ) in result.stderr
    assert not (folder / ".venv").exists()


def test_a_missing_python_is_refused_with_what_to_do(folder: Path) -> None:
    result = make(folder, "PYTHON=python3.99-not-here", "check")
    assert result.returncode != 0
    assert (
        "rapport needs Python 3.11 or newer; 'python3.99-not-here' was not found or does not"
        " run. Install it, or run make PYTHON=python3.12\n"
    ) in result.stderr
    assert not (folder / ".venv").exists()


def test_a_good_python_makes_the_environment_then_runs_rapport(folder: Path) -> None:
    python = fake_python(folder)
    result = make(folder, f"PYTHON={python}", "check")
    assert result.returncode == 0, result.stderr
    assert (folder / ".venv" / ".installed-stamp").is_file()
    assert calls(folder)[0] == "python3.12 -m venv .venv"
    assert calls(folder)[-1] == "rapport check"
    again = make(folder, "check")  # complete: nothing is installed twice
    assert again.returncode == 0, again.stderr
    assert [c for c in calls(folder) if "venv" in c or "pip" in c] == [
        c for c in calls(folder)[: len(calls(folder)) - 2] if "venv" in c or "pip" in c
    ]
    assert calls(folder)[-1] == "rapport check"


def test_a_failed_venv_leaves_nothing_and_another_python_then_works(folder: Path) -> None:
    broken = fake_python(folder, "python3.11", version="3.11", venv_fails=True)
    failed = make(folder, f"PYTHON={broken}", "check")
    assert failed.returncode != 0
    assert "ensurepip is not available" in failed.stderr
    assert not (folder / ".venv").exists()
    good = fake_python(folder)
    result = make(folder, f"PYTHON={good}", "check")
    assert result.returncode == 0, result.stderr
    assert calls(folder)[-1] == "rapport check"


def test_an_interrupted_environment_is_made_again(folder: Path) -> None:
    (folder / ".venv" / "bin").mkdir(parents=True)  # what a Ctrl-C during `venv` leaves
    (folder / ".venv" / "bin" / "python").write_text("half", encoding="utf-8")
    python = fake_python(folder)
    result = make(folder, f"PYTHON={python}", "check")
    assert result.returncode == 0, result.stderr
    assert "python3.12 -m venv .venv" in calls(folder)
    assert (folder / ".venv" / "bin" / "python").read_text(encoding="utf-8") != "half"


def test_a_failed_install_is_not_taken_for_a_good_environment(folder: Path) -> None:
    python = fake_python(folder)
    (folder / "pip-fails").touch()
    failed = make(folder, f"PYTHON={python}", "check")
    assert failed.returncode != 0
    assert not (folder / ".venv" / ".installed-stamp").exists()
    (folder / "pip-fails").unlink()
    result = make(folder, "check")
    assert result.returncode == 0, result.stderr
    assert (folder / ".venv" / ".installed-stamp").is_file()
    assert calls(folder)[-1] == "rapport check"


def test_another_python_on_the_command_line_makes_the_environment_again(folder: Path) -> None:
    first = fake_python(folder, "python3.11", version="3.11")
    assert make(folder, f"PYTHON={first}", "bytecode").returncode == 0
    second = fake_python(folder, "python3.13", version="3.13")
    result = make(folder, f"PYTHON={second}", "bytecode")
    assert result.returncode == 0, result.stderr
    assert [c for c in calls(folder) if " -m venv " in c] == [
        "python3.11 -m venv .venv",
        "python3.13 -m venv .venv",
    ]
    assert (folder / ".venv" / ".made-by").read_text(encoding="utf-8").strip() == str(second)


def test_an_environment_made_before_the_python_record_is_kept(folder: Path) -> None:
    python = fake_python(folder)
    assert make(folder, f"PYTHON={python}", "bytecode").returncode == 0
    (folder / ".venv" / ".made-by").unlink()  # as an environment of an older Makefile
    (folder / "calls.log").unlink()
    result = make(folder, "check")
    assert result.returncode == 0, result.stderr
    assert calls(folder) == ["python -c ", "python -m compileall -q src/rapport", "rapport check"]


# -- targets and their arguments --------------------------------------------------------------


def dry_run(folder: Path, *args: str) -> str:
    """The rapport command `make -n` would run (the last line of the recipe)."""
    python = fake_python(folder)
    assert make(folder, f"PYTHON={python}", "bytecode").returncode == 0
    result = make(folder, "-n", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_make_help_lists_every_target(folder: Path) -> None:
    phony = re.search(r"^\.PHONY:(.*?)(?<!\\)$", (REPO / "Makefile").read_text(), re.M | re.S)
    assert phony is not None
    targets = set(phony.group(1).replace("\\", " ").split()) - {"all", "FORCE"}
    result = make(folder, "help")
    assert result.returncode == 0
    listed = {m for line in result.stdout.splitlines() for m in re.findall(r"make (\S+)", line)}
    assert targets <= {name.rstrip(",") for name in listed}
    assert all(len(line) <= 100 for line in result.stdout.splitlines())


@pytest.mark.parametrize("edition", ["2024", "content/2024"])
def test_a_year_and_a_folder_reach_rapport_alike(folder: Path, edition: str) -> None:
    assert dry_run(folder, "build", f"EDITION={edition}") == (
        ".venv/bin/rapport build --to all content/2024"
    )
    assert dry_run(folder, "check", f"EDITION={edition}") == ".venv/bin/rapport check content/2024"


@pytest.mark.parametrize("target", ["build", "draft", "check", "facts-export"])
def test_everyday_targets_do_not_echo_their_recipes(folder: Path, target: str) -> None:
    python = fake_python(folder)
    assert make(folder, f"PYTHON={python}", "bytecode").returncode == 0
    result = make(folder, target)
    assert result.returncode == 0, result.stderr
    assert "compileall" not in result.stdout
    assert ".venv/bin/rapport" not in result.stdout
    assert calls(folder)[-1].startswith("rapport ")


def test_without_edition_rapport_chooses(folder: Path) -> None:
    assert dry_run(folder) == ".venv/bin/rapport build --to all"
    assert dry_run(folder, "watch") == ".venv/bin/rapport watch"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["verify"], "rapport verify"),
        (["verify", "YEAR=2023-r2"], "rapport verify 2023-r2"),
        (["list"], "rapport list"),
        (["new", "YEAR=2025"], "rapport new 2025"),
        (["facts-export"], "rapport facts export"),
        (["facts-export", "EDITION=2024"], "rapport facts export content/2024"),
        (["facts-import", "FILE=cijfers 2024.xlsx"], "rapport facts import cijfers 2024.xlsx"),
        (["publish", "YEAR=2024"], "rapport publish 2024"),
        (["publish", "YEAR=2024", "DRY_RUN=1"], "rapport publish 2024 --dry-run"),
        (["draft"], "rapport build --draft"),
        (["preview"], "rapport preview"),
        (["preview", "PORT=8080", "EDITION=2024"], "rapport preview --port 8080 content/2024"),
        (["draft", "EDITION=2024"], "rapport build --draft content/2024"),
        (
            ["publish", "YEAR=2024", "REVISION=2", "REASON=Typfout in 'hoofdstuk' 2"],
            "rapport publish 2024 --revision 2 --reason Typfout in 'hoofdstuk' 2",
        ),
    ],
)
def test_staff_targets_call_rapport(folder: Path, args: list[str], expected: str) -> None:
    python = fake_python(folder)
    result = make(folder, f"PYTHON={python}", *args)
    assert result.returncode == 0, result.stderr
    assert calls(folder)[-1] == expected


def test_publish_passes_each_argument_whole(folder: Path) -> None:
    python = fake_python(folder)
    (folder / "tool").write_text(  # this rapport writes one argument a line
        f'#!/bin/sh\n[ "$(basename "$0")" = rapport ] || exit 0\n'
        f'for a in "$@"; do echo "$a" >> "{folder / "args.log"}"; done\n',
        encoding="utf-8",
    )
    reason = "Typfout in 'hoofdstuk' 2; \"cijfers\" $HOME"
    result = make(
        folder, f"PYTHON={python}", "publish", "YEAR=2024", "REVISION=2", f"REASON={reason}"
    )
    assert result.returncode == 0, result.stderr
    assert (folder / "args.log").read_text(encoding="utf-8").splitlines() == [
        "publish",
        "2024",
        "--revision",
        "2",
        "--reason",
        reason,
    ]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("new", "make new needs YEAR, e.g. make new YEAR=2025"),
        ("publish", "make publish needs YEAR, e.g. make publish YEAR=2024"),
        ("facts-import", "make facts-import needs FILE, e.g. make facts-import FILE=cijfers.xlsx"),
    ],
)
def test_a_target_without_its_variable_says_so(folder: Path, target: str, message: str) -> None:
    result = make(folder, target)
    assert result.returncode != 0
    assert f"*** {message}.  Stop." in result.stderr
    assert not (folder / ".venv").exists()  # said before anything was made


# -- the rapport command: the newest edition, a bare year, a missing edition ------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Editions 2022 and 2023, and a folder 2024 that holds only facts (no edition yet)."""
    make_project(tmp_path)
    older = tmp_path / "content" / "2022"
    shutil.copytree(tmp_path / "content" / "2023", older)
    (older / "edition.yaml").write_text(
        textwrap.dedent(EDITION_YAML).replace("2023", "2022"), encoding="utf-8"
    )
    (tmp_path / "content" / "2024").mkdir()
    (tmp_path / "content" / "2024" / "facts.yaml").write_text("x: 1\n", encoding="utf-8")
    return tmp_path


@pytest.mark.e2e
def test_build_without_an_edition_builds_the_newest_and_says_so(project: Path) -> None:
    result = run_rapport("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(
        "rapport: building content/2023 (the newest edition; choose another with EDITION=2022"
        " or `rapport build content/2022`)\n"
    )
    assert result.stdout == "build/voortgangsrapport-2023.pdf\n"


def test_check_without_an_edition_says_which_it_checks(project: Path) -> None:
    result = run_rapport("check", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "rapport: checking content/2023 (the newest edition;" in result.stderr


def test_a_bare_year_means_that_years_edition(project: Path) -> None:
    result = run_rapport("check", "2022", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("content/2022: no problems found")
    assert "the newest edition" not in result.stderr


def test_a_missing_edition_lists_the_editions(project: Path) -> None:
    for argument in ("2025", "content/2025"):
        result = run_rapport("check", argument, cwd=project)
        assert result.returncode == 2
        assert result.stderr == (
            "rapport: error: edition folder 'content/2025' does not exist; editions: 2022, 2023\n"
        )
