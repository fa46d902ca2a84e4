"""Which files of an edition folder are chapters: each near miss is an error with the right name.

The unit tests run `chapter_files` on a folder of empty files (the names are
what matters); the last test runs `rapport check` on a real project.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import make_project, run_rapport
from rapport.content.chapter_names import CHAPTER_FILE, chapter_files, is_ignored
from rapport.diagnostics import Problems


def run(tmp_path: Path, *names: str) -> tuple[list[str], list[str]]:
    """The chapter files found among `names`, and every problem, rendered."""
    folder = tmp_path / "content" / "2023"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text("title: x\n", encoding="utf-8")
    problems = Problems()
    found = chapter_files(folder, problems)
    where = f"{folder}/"
    return [p.name for p in found], [d.render().replace(where, "") for d in problems]


CASES = [
    (
        "05-nieuw.yaml.txt",
        "05-nieuw.yaml.txt: error: chapter file is not loaded: its name ends in '.txt' after '.yaml'\n"
        "  hint: rename '05-nieuw.yaml.txt' to '05-nieuw.yaml'; Notepad adds '.txt' unless you"
        " save with 'All files (*.*)' as the type",
    ),
    (
        "05-nieuw.YAML",
        "05-nieuw.YAML: error: chapter file is not loaded: its name ends in '.YAML' in capitals\n"
        "  hint: rename '05-nieuw.YAML' to '05-nieuw.yaml'",
    ),
    (
        "05-nieuwe diensten.yaml",
        "05-nieuwe diensten.yaml: error: chapter file is not loaded: its name has a space\n"
        "  hint: rename '05-nieuwe diensten.yaml' to '05-nieuwe-diensten.yaml'",
    ),
    (
        "5-x.yaml",
        "5-x.yaml: error: chapter file is not loaded: its name starts with '5' instead of a"
        " two-digit number such as '05'\n"
        "  hint: rename '5-x.yaml' to '05-x.yaml'",
    ),
    (
        "05-nieuw.txt",
        "05-nieuw.txt: error: chapter file is not loaded: its name ends in '.txt' instead of"
        " '.yaml'\n"
        "  hint: rename '05-nieuw.txt' to '05-nieuw.yaml'; Notepad adds '.txt' unless you save"
        " with 'All files (*.*)' as the type",
    ),
    (
        "05-nieuw",
        "05-nieuw: error: chapter file is not loaded: its name has no '.yaml' at the end\n"
        "  hint: rename '05-nieuw' to '05-nieuw.yaml'",
    ),
    (
        "05_nieuw.yml",
        "05_nieuw.yml: error: chapter file is not loaded: its name has '_' instead of '-' after"
        " the number\n"
        "  hint: rename '05_nieuw.yml' to '05-nieuw.yml'",
    ),
    (
        "05-oud&nieuw.yaml",
        "05-oud&nieuw.yaml: error: chapter file is not loaded: its name has '&', which a chapter"
        " name cannot have\n"
        "  hint: rename '05-oud&nieuw.yaml' to '05-oud-nieuw.yaml'",
    ),
    (
        "5 Nieuw.Yml.txt",
        "5 Nieuw.Yml.txt: error: chapter file is not loaded: its name ends in '.txt' after"
        " '.Yml', ends in '.Yml' in capitals, starts with '5' instead of a two-digit number such"
        " as '05' and has a space\n"
        "  hint: rename '5 Nieuw.Yml.txt' to '05-Nieuw.yml'; Notepad adds '.txt' unless you save"
        " with 'All files (*.*)' as the type",
    ),
    (
        "notities.yaml",
        "notities.yaml: error: chapter file is not loaded: its name does not start with a chapter"
        " number\n"
        "  hint: rename it to 'NN-notities.yaml' with its chapter number, e.g. '02-notities.yaml',"
        " or move it out of content/2023 if it is not a chapter",
    ),
    (
        "Facts.yaml",
        "Facts.yaml: error: file is not read: its name has capitals\n"
        "  hint: rename 'Facts.yaml' to 'facts.yaml'",
    ),
    (
        "edition.yml",
        "edition.yml: error: file is not read: its name ends in '.yml' instead of '.yaml'\n"
        "  hint: rename 'edition.yml' to 'edition.yaml'",
    ),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_near_miss_is_an_error_naming_the_right_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    found, problems = run(tmp_path, "01-inleiding.yaml", name)
    assert found == ["01-inleiding.yaml"]
    assert problems == [expected.replace(name, f"content/2023/{name}", 1)]


@pytest.mark.parametrize("copy", ["05-x - kopie.yaml", "05-x (1).yaml", "05-x - Copy (2).yaml"])
def test_a_copy_made_by_explorer_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copy: str
) -> None:
    monkeypatch.chdir(tmp_path)
    found, problems = run(tmp_path, "05-x.yaml", "06-y.yaml", copy)
    assert found == ["05-x.yaml", "06-y.yaml"]
    assert problems == [
        f"content/2023/{copy}: error: file looks like a copy of '05-x.yaml' and is not loaded\n"
        "  hint: remove it, or give it its own number: rename it to '07-x.yaml'"
    ]


def test_a_chapter_as_yaml_and_as_yml_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    found, problems = run(tmp_path, "05-x.yaml", "05-x.yml")
    assert found == ["05-x.yaml"]
    assert problems == [
        "content/2023/05-x.yml: error: the same chapter is in two files, '05-x.yaml' and"
        " '05-x.yml'; only '05-x.yaml' is read\n"
        "  hint: keep one of the two files and remove the other"
    ]


def test_two_chapters_with_one_number_are_named_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    found, problems = run(tmp_path, "05-a.yaml", "05-b.yaml", "06-c.yaml")
    assert found == ["05-a.yaml", "05-b.yaml", "06-c.yaml"]
    assert problems == [
        "content/2023/05-b.yaml: error: 2 chapters have the number 05: '05-a.yaml' and"
        " '05-b.yaml'\n"
        "  hint: give each chapter its own number: rename '05-b.yaml' to '07-b.yaml'"
    ]


def test_a_near_miss_whose_right_name_exists_says_to_keep_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _, problems = run(tmp_path, "05-x.yaml", "05-x.YAML")
    assert problems == [
        "content/2023/05-x.YAML: error: chapter file is not loaded: its name ends in '.YAML' in"
        " capitals\n"
        "  hint: '05-x.yaml' exists too: keep one of the two files and remove the other"
    ]


JUNK = [".DS_Store", "~$notities.docx", "05-x.yaml~", ".#05-x.yaml", "Thumbs.db", "desktop.ini"]
JUNK += [".05-x.yaml.swp", "#05-x.yaml#", "05-x.yaml.bak", ".verborgen.yaml"]


def test_system_and_backup_files_are_ignored_silently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    found, problems = run(tmp_path, "05-x.yaml", *JUNK)
    assert found == ["05-x.yaml"]
    assert problems == []


@pytest.mark.parametrize("name", ["notities.docx", "README.md", "09-foto.png"])
def test_another_file_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    found, problems = run(tmp_path, "05-x.yaml", name)
    assert found == ["05-x.yaml"]
    assert problems == [
        f"content/2023/{name}: warning: file is not a chapter and is ignored\n"
        "  hint: chapter files are named NN-name.yaml; keep other files outside content/2023"
    ]


def test_a_folder_that_is_not_named_like_a_chapter_is_no_concern(tmp_path: Path) -> None:
    (tmp_path / "content" / "2023" / "oude versies").mkdir(parents=True)
    assert run(tmp_path, "05-x.yaml") == (["05-x.yaml"], [])


# A name staff might type: a number or not, words with spaces and odd characters,
# an extension of any case, perhaps a copy's mark or Notepad's '.txt'.
names = st.builds(
    lambda number, words, extension, tail: f"{number}{words}{extension}{tail}",
    st.sampled_from(["", "5", "05", "5-", "05-", "05_", "05 ", "005-", "123-"]),
    st.text(st.sampled_from("abcé xyz-_&.(1)"), min_size=1, max_size=12),
    st.sampled_from([".yaml", ".yml", ".YAML", ".Yml", ""]),
    st.sampled_from(["", ".txt", " - kopie", " (1)"]),
)


@settings(max_examples=300, deadline=None)
@given(name=names)
def test_every_suggested_name_is_a_chapter_name(tmp_path_factory: object, name: str) -> None:
    assert isinstance(tmp_path_factory, pytest.TempPathFactory)
    if "/" in name or is_ignored(name):
        return
    folder = tmp_path_factory.mktemp("edition")
    (folder / name).write_text("", encoding="utf-8")
    problems = Problems()
    found = chapter_files(folder, problems)
    for diagnostic in problems:
        assert diagnostic.message and diagnostic.message[0].islower()
        for suggested in re.findall(r"(?:to|e\.g\.) '(?!NN-)([^']+)'", diagnostic.hint):
            assert CHAPTER_FILE.match(suggested) or suggested in ("edition.yaml", "facts.yaml")
    assert bool(found) == bool(CHAPTER_FILE.match(name))


def test_check_of_an_edition_with_a_notepad_chapter_fails_with_the_fix(tmp_path: Path) -> None:
    edition = make_project(tmp_path)
    (edition / "05-nieuw.yaml.txt").write_text("title: Nieuw\n", encoding="utf-8")
    result = run_rapport("check", "content/2023", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "content/2023/05-nieuw.yaml.txt: error: chapter file is not loaded: its name ends in"
        " '.txt' after '.yaml'\n"
        "  hint: rename '05-nieuw.yaml.txt' to '05-nieuw.yaml'; Notepad adds '.txt' unless you"
        " save with 'All files (*.*)' as the type\n"
    ) in result.stderr
    assert "rapport: found 1 problem in the content" in result.stderr
    assert "Traceback" not in result.stderr
