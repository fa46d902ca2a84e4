"""A build writes only where the user meant, and reads nothing outside its project.

- `-o` (of build, watch and facts export) never replaces a source or an archived
  file, whether named directly, through a link or as a second name (a hard link);
  a folder or a wrong extension is a usage error, before any work is done.
- Links that lead out of the project (the theme, fonts/, the edition folder, last
  year's edition, the cache) are refused with the link and its target named,
  never the text of the file elsewhere.
- reportlab and matplotlib run with their built-in settings: the user's files
  (`~/.reportlab_settings`, `~/.reportlab_mods`, a `matplotlibrc` in the working
  folder or the configuration folder, `RL_*`, `$MPLBACKEND`) are neither read
  nor run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import REPO, chapter_with_blocks, make_project, run_rapport, run_rapport_with
from rapport.cli import main
from rapport.diagnostics import UsageError
from rapport.paths import INPUT_FOLDERS, check_output, link_outside, project_of
from sandbox import guarded

EXAMPLE = Path("build") / "voortgangsrapport-2023.pdf"
SECRET = "GEHEIM-ZWART-1234"  # text of a file elsewhere: must never appear in a message


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    make_project(root)
    monkeypatch.chdir(root)
    return root


def refusal(target: str | Path, root: Path, suffixes: tuple[str, ...] = (".pdf",)) -> str:
    with pytest.raises(UsageError) as caught:
        check_output(Path(target), root, suffixes, root / EXAMPLE)
    return str(caught.value)


# -- where the output may go ---------------------------------------------------------------


def test_an_output_over_a_chapter_is_refused(project: Path) -> None:
    assert refusal("content/2023/01-test.yaml", project) == (
        "failed to write 'content/2023/01-test.yaml' (it is inside content/, which holds the"
        " editions' text and facts; write it elsewhere, e.g. build/voortgangsrapport-2023.pdf)"
    )


@pytest.mark.parametrize(
    ("target", "folder"),
    [
        ("content/2023/facts.yaml", "content"),
        ("theme/theme.yaml", "theme"),
        ("images/icons/emoji_u2699.png", "images"),
        ("fonts/Lato-Regular.ttf", "fonts"),
        ("archive/2023/data/voortgangsrapport-2023.pdf", "archive"),
        ("content/nieuw/rapport.pdf", "content"),  # a folder that does not exist yet
    ],
)
def test_every_input_folder_is_refused(project: Path, target: str, folder: str) -> None:
    assert refusal(target, project) == (
        f"failed to write '{target}' (it is inside {folder}/, which holds"
        f" {INPUT_FOLDERS[folder]}; write it elsewhere, e.g. build/voortgangsrapport-2023.pdf)"
    )


def test_a_folder_is_refused(project: Path) -> None:
    (project / "build").mkdir()
    assert refusal("build", project) == (
        "failed to write 'build' (it is a folder; name the file to write,"
        " e.g. build/voortgangsrapport-2023.pdf)"
    )


def test_another_extension_is_refused(project: Path) -> None:
    assert refusal("rapport.docx", project) == (
        "failed to write 'rapport.docx' (the file's name must end in .pdf,"
        " e.g. build/voortgangsrapport-2023.pdf)"
    )
    assert refusal("build/cijfers.txt", project, (".xlsx", ".csv")) == (
        "failed to write 'build/cijfers.txt' (the file's name must end in .xlsx or .csv,"
        " e.g. build/voortgangsrapport-2023.pdf)"
    )


def test_a_hard_link_to_a_chapter_is_refused(project: Path) -> None:
    (project / "build").mkdir()
    os.link(project / "content/2023/01-test.yaml", project / "build/rapport.pdf")
    assert refusal("build/rapport.pdf", project) == (
        "failed to write 'build/rapport.pdf' (it is the same file as content/2023/01-test.yaml,"
        " which must not change; write it elsewhere, e.g. build/voortgangsrapport-2023.pdf)"
    )


def test_a_symbolic_link_into_the_theme_is_refused(project: Path) -> None:
    (project / "build").mkdir()
    (project / "build/rapport.pdf").symlink_to("../theme/theme.yaml")
    assert "it is inside theme/" in refusal("build/rapport.pdf", project)


def test_outputs_elsewhere_are_allowed(project: Path, tmp_path: Path) -> None:
    for target in ("build/rapport.pdf", "rapport.PDF", str(tmp_path / "elders.pdf"), "uit/a.pdf"):
        check_output(Path(target), project, (".pdf",), project / EXAMPLE)
    os.link(project / "content/2023/01-test.yaml", tmp_path / "tweede-naam.txt")
    (project / "build").mkdir()
    (project / "build/oud.pdf").write_bytes(b"%PDF-")  # an earlier PDF: replaced, as meant
    check_output(project / "build/oud.pdf", project, (".pdf",), project / EXAMPLE)


def test_an_input_folder_that_is_the_project_does_not_refuse_everything(project: Path) -> None:
    shutil.rmtree(project / "fonts")
    (project / "fonts").symlink_to(project)  # refused when the fonts are read, not here
    check_output(Path("build/rapport.pdf"), project, (".pdf",), project / EXAMPLE)


_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)


@given(folder=st.sampled_from(sorted(INPUT_FOLDERS)), parts=st.lists(_NAME, max_size=3))
def test_nothing_under_an_input_folder_is_ever_an_output(
    folder: str, parts: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.getbasetemp() / "property-project"
    root.mkdir(exist_ok=True)
    target = root.joinpath(folder, *parts, "rapport.pdf")
    with pytest.raises(UsageError, match=f"it is inside {folder}/"):
        check_output(target, root, (".pdf",), root / EXAMPLE)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    try:
        status = main(args)
    except SystemExit as exc:
        status = int(exc.code or 0)
    return status, capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["build", "content/2023", "-o", "content/2023/01-test.yaml"],
        ["build", "content/2023", "-o", "theme/theme.yaml"],
        ["watch", "content/2023", "-o", "images/icons/emoji_u2699.png"],
        ["facts", "export", "content/2023", "-o", "content/2023/01-test.yaml"],
    ],
)
def test_the_commands_refuse_before_any_work_and_change_nothing(
    project: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    with guarded(project) as violations:
        status, err = run_cli(args, capsys)
    assert status == 2, err
    assert err.startswith(f"rapport: error: failed to write '{args[-1]}' (it is inside"), err
    assert "loading" not in err  # refused before the edition was read
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before
    assert violations == []


def test_a_build_into_a_published_edition_is_refused_even_as_root(tmp_path: Path) -> None:
    make_project(tmp_path)
    archived = tmp_path / "archive/2023/data/voortgangsrapport-2023.pdf"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(b"%PDF-1.7 gepubliceerd")
    archived.chmod(0o444)
    result = run_rapport("build", "content/2023", "-o", str(archived), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "(it is inside archive/, which holds the published editions" in result.stderr
    assert archived.read_bytes() == b"%PDF-1.7 gepubliceerd"


# -- nothing read from outside the project ------------------------------------------------


def test_project_of_takes_the_edition_folder_as_written(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elders" / "content" / "2024"
    elsewhere.mkdir(parents=True)
    (project / "content/2024").symlink_to(elsewhere)
    assert project_of(Path("content/2024")) == project.resolve()
    assert link_outside(project / "content/2024", project) == elsewhere.resolve()
    assert link_outside(project / "content/2023", project) is None


def outside_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "elders" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check_guarded(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with guarded(project) as violations:
        status, err = run_cli(["check", "content/2023"], capsys)
    assert violations == [], violations
    assert SECRET not in err and "Traceback" not in err, err
    return status, err


def test_a_theme_linked_elsewhere_is_not_read(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = outside_file(tmp_path, "theme.yaml", f"colours:\n  primary: {SECRET}\n")
    (project / "theme/theme.yaml").unlink()
    (project / "theme/theme.yaml").symlink_to(target)
    status, err = check_guarded(project, capsys)
    assert status == 1
    assert (
        "theme/theme.yaml: error: file lies outside the project folder"
        f" (a link leads it to {target.resolve()})"
    ) in err


def test_a_fonts_folder_linked_elsewhere_is_not_read(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elders" / "fonts"
    shutil.copytree(project / "fonts", elsewhere)
    shutil.rmtree(project / "fonts")
    (project / "fonts").symlink_to(elsewhere)
    status, err = check_guarded(project, capsys)
    assert status == 1
    assert (
        "theme/theme.yaml: error: fonts/ lies outside the project folder"
        f" (a link leads it to {elsewhere.resolve()})"
    ) in err


def test_a_previous_edition_linked_elsewhere_is_not_read(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elders" / "2022"
    elsewhere.mkdir(parents=True)
    (elsewhere / "edition.yaml").write_text("title: Vorig jaar\n", encoding="utf-8")
    (elsewhere / "facts.yaml").write_text(f"geheim: {SECRET}\n", encoding="utf-8")
    (project / "content/2022").symlink_to(elsewhere)
    status, err = check_guarded(project, capsys)
    assert status == 1
    assert (
        "content/2022/facts.yaml: error: file lies outside the project folder"
        f" (a link leads it to {(elsewhere / 'facts.yaml').resolve()})"
    ) in err


def test_an_edition_folder_linked_elsewhere_is_not_read(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elders" / "2023"
    shutil.move(project / "content/2023", elsewhere)
    (elsewhere / "01-test.yaml").write_text(f"title: {SECRET}\n", encoding="utf-8")
    (project / "content/2023").symlink_to(elsewhere)
    status, err = check_guarded(project, capsys)
    assert status == 1
    assert (
        "content/2023: error: edition folder lies outside the project folder"
        f" (a link leads it to {elsewhere.resolve()})"
    ) in err


# -- the libraries' own configuration -------------------------------------------------------

CHART_CHAPTER = chapter_with_blocks(
    """\
    - chart:
        kind: bar
        title: Uitleningen
        categories: [boeken, strips, dvd]
        series:
          - name: "2023"
            values: [93, 76, 99]
    """
)
HOSTILE_MATPLOTLIBRC = """\
text.usetex: True
axes.facecolor: red
font.size: 40
backend: module://evil_backend
"""


def _marker_code(marker: Path) -> str:
    return f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"


# Runs rapport with an audit hook that notes every configuration file opened and
# every program started, and writes the list when rapport ends.
AUDITED_RUN = textwrap.dedent(
    """\
    import os, sys
    # appended as seen: by the build and by its helper process (a fork), which both inherit it
    LOG = os.open(os.environ["AUDIT_LOG"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    WATCHED = ("matplotlibrc", "reportlab_mods", "reportlab_settings", "evil_backend", "stylelib")
    def hook(event, args):
        if event == "open" and isinstance(args[0], str) and any(w in args[0] for w in WATCHED):
            os.write(LOG, ("open " + os.path.abspath(args[0]) + "\\n").encode())
        elif event.startswith(("subprocess.", "os.posix_spawn", "os.exec", "os.system")):
            os.write(LOG, (event + " " + repr(args)[:200] + "\\n").encode())
    sys.addaudithook(hook)
    from rapport.cli import main
    raise SystemExit(main(sys.argv[1:]))
    """
)


def _hostile_home(home: Path, marker: Path) -> None:
    """A user's home whose reportlab and matplotlib settings would leave a marker if run.

    matplotlib's font list is copied into its cache there: building it afresh
    would start `fc-list`, which is matplotlib's first run on a machine, not
    the configuration this test is about.
    """
    import matplotlib
    from matplotlib import font_manager

    assert font_manager.fontManager.ttflist  # the font list is in this user's cache now
    home.mkdir()
    (home / ".reportlab_settings").write_text(_marker_code(marker), encoding="utf-8")
    (home / ".reportlab_mods").write_text(_marker_code(marker), encoding="utf-8")
    config = home / ".config" / "matplotlib"
    config.mkdir(parents=True)
    (config / "matplotlibrc").write_text(HOSTILE_MATPLOTLIBRC, encoding="utf-8")
    cache = home / ".cache" / "matplotlib"
    cache.mkdir(parents=True)
    for fonts in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
        shutil.copy(fonts, cache)


def _hostile_working_folder(root: Path, marker: Path) -> None:
    """matplotlib's and reportlab's files in the folder rapport runs in (on the import path)."""
    (root / "matplotlibrc").write_text(HOSTILE_MATPLOTLIBRC, encoding="utf-8")
    for module in ("reportlab_mods", "reportlab_settings", "evil_backend"):
        (root / f"{module}.py").write_text(_marker_code(marker), encoding="utf-8")


def _audited_build(root: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], str]:
    log = root.parent / f"{root.name}-audit.log"
    unset = ("SOURCE_DATE_EPOCH", "MPLCONFIGDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env, AUDIT_LOG=str(log), PYTHONPATH=str(REPO / "src"))
    result = run_rapport_with(
        AUDITED_RUN, "build", "content/2023", "-o", "build/r.pdf",
        cwd=root, env=environment, timeout=300,
    )  # fmt: skip
    return result, log.read_text(encoding="utf-8") if log.exists() else ""


@pytest.mark.e2e
def test_reportlab_and_matplotlib_read_only_their_own_defaults(tmp_path: Path) -> None:
    clean, hostile = tmp_path / "schoon", tmp_path / "vijandig"
    marker = tmp_path / "ran.txt"
    for root in (clean, hostile):
        root.mkdir()
        make_project(root, CHART_CHAPTER)
    _hostile_working_folder(hostile, marker)
    _hostile_home(tmp_path / "home", marker)
    named = tmp_path / "named-matplotlibrc"
    named.write_text(HOSTILE_MATPLOTLIBRC, encoding="utf-8")

    expected, _ = _audited_build(clean, {})
    result, seen = _audited_build(
        hostile,
        {
            "HOME": str(tmp_path / "home"),
            "MATPLOTLIBRC": str(named),
            "MPLBACKEND": "module://evil_backend",
            "RL_defaultPageSize": "nonsense",  # would make reportlab's import fail
        },
    )

    assert expected.returncode == 0, expected.stderr
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), marker.read_text(encoding="utf-8")
    import matplotlib

    defaults = os.path.realpath(Path(matplotlib.__file__).parent / "mpl-data" / "matplotlibrc")
    opened = [line for line in seen.splitlines() if line]
    assert opened and all(os.path.realpath(line[5:]) == defaults for line in opened), seen
    # The chart was drawn with the defaults: the same PDF, byte for byte, as without them.
    assert (hostile / "build/r.pdf").read_bytes() == (clean / "build/r.pdf").read_bytes()


def test_a_new_edition_is_not_started_from_a_folder_elsewhere(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elders" / "2023"
    shutil.move(project / "content/2023", elsewhere)
    (elsewhere / "01-test.yaml").write_text(f"title: {SECRET}\n", encoding="utf-8")
    (project / "content/2023").symlink_to(elsewhere)
    with guarded(project) as violations:
        status, err = run_cli(["new", "2024"], capsys)
    assert violations == [], violations
    assert status == 1, err
    assert (
        "content/2023/edition.yaml: error: file lies outside the project folder"
        f" (a link leads it to {(elsewhere / 'edition.yaml').resolve()})"
    ) in err
    assert SECRET not in err
    assert not (project / "content/2024").exists()
