"""The `rapport` command as a user runs it: a separate process, its exit status and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from helpers import REPO, chapter_with_blocks, make_project, run_rapport
from rapport.cli import main

CONTENT_FILES = sorted((REPO / "content" / "2023").glob("*.yaml"))


rapport = run_rapport


@pytest.fixture(scope="module")
def schema() -> dict:
    result = rapport("schema")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class _EditorLoader(yaml.SafeLoader):
    """Reads dates as text, as YAML 1.2 editors' language servers do."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


# -- schema ----------------------------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: p.name)
def test_every_content_file_validates_against_the_schema(schema, path):
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=_EditorLoader)
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        + "".join(f"\n  {list(c.absolute_path)}: {c.message}" for c in e.context or [])
        for e in validator(schema).iter_errors(document)
    ]
    assert errors == []


def test_schema_rejects_a_chapter_with_an_unknown_key(schema):
    document = yaml.safe_load(
        "title: Hoofdstuk\nsections:\n  - titel: Sectie\n    blocks:\n      - paragraph: x\n"
    )
    assert not validator(schema).is_valid(document)


def test_schema_rejects_a_figures_row_of_one_tile(schema):
    document = yaml.safe_load(chapter_with_blocks("- figures:\n    - value: 1\n      label: a\n"))
    assert not validator(schema).is_valid(document)


# -- exit statuses ------------------------------------------------------------------------------


def test_check_of_the_real_edition_succeeds():
    result = rapport("check", "content/2023")
    assert result.returncode == 0, result.stderr
    assert "content/2023: no problems found" in result.stdout


def test_quiet_check_of_a_clean_edition_prints_nothing_on_stderr():
    result = rapport("--quiet", "check", "content/2023")
    assert result.returncode == 0
    assert result.stderr == ""


def test_unknown_command_is_a_usage_error():
    result = rapport("bouw")
    assert result.returncode == 2
    assert "rapport: error: argument COMMAND: invalid choice: 'bouw'" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_command_is_a_usage_error():
    result = rapport()
    assert result.returncode == 2
    assert "rapport: error:" in result.stderr


def test_nonexistent_edition_folder_is_a_usage_error():
    result = rapport("check", "content/1999")
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "rapport: error: edition folder 'content/1999' does not exist; editions: 2022, 2023"
    )
    assert "Traceback" not in result.stderr


def test_no_edition_under_content_is_a_usage_error(tmp_path):
    result = rapport("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "rapport: error: no edition found under content/" in result.stderr


def test_content_error_exits_1_with_file_and_line_and_no_traceback(tmp_path):
    make_project(tmp_path, chapter_with_blocks("- paragraf: Tekst.\n"))
    result = rapport("check", "content/2023", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "content/2023/01-test.yaml:5:9: error: unknown block kind 'paragraf'\n"
        "  hint: did you mean 'paragraph'?\n"
    ) in result.stderr
    assert "rapport: found 1 problem in the content" in result.stderr
    assert "Traceback" not in result.stderr


def test_content_errors_are_also_printed_with_quiet(tmp_path):
    make_project(tmp_path, chapter_with_blocks("- paragraf: Tekst.\n"))
    result = rapport("--quiet", "check", "content/2023", cwd=tmp_path)
    assert result.returncode == 1
    assert "content/2023/01-test.yaml:5:9: error: unknown block kind 'paragraf'" in result.stderr


def test_build_with_a_non_numeric_source_date_epoch_is_a_usage_error(tmp_path):
    make_project(tmp_path)
    output = tmp_path / "uit.pdf"
    result = rapport(
        "build", "content/2023", "-o", str(output), cwd=tmp_path, env={"SOURCE_DATE_EPOCH": "abc"}
    )
    assert result.returncode == 2
    assert "rapport: error: SOURCE_DATE_EPOCH must be a number of seconds, not 'abc'" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not output.exists()


def test_a_reader_that_stops_reading_is_no_error() -> None:
    """`rapport schema | head -1`: the pipe closes early; rapport ends quietly with 0."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody reads: every write to the pipe fails at once
    try:
        result = subprocess.run(
            [sys.executable, "-m", "rapport", "schema"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stderr == ""


def test_check_counts_in_singular_and_plural(project, capsys):
    edition = project()  # one chapter, no warnings
    assert main(["check", str(edition)]) == 0
    assert "no problems found (1 chapter, 0 warnings)" in capsys.readouterr().out


# -- run from anywhere inside the project ----------------------------------------------------


@pytest.mark.parametrize(("folder", "argument"), [("content/2023", "."), ("content", "2023")])
def test_check_runs_from_inside_the_project(
    project, monkeypatch, capsys, folder: str, argument: str
) -> None:
    project()
    monkeypatch.chdir(folder)
    assert main(["check", argument]) == 0
    captured = capsys.readouterr()
    assert "content/2023: no problems found (1 chapter, 0 warnings)" in captured.out
    assert "error" not in captured.err


def test_without_an_edition_the_newest_is_found_from_inside_the_project(
    project, monkeypatch, capsys
) -> None:
    project()
    monkeypatch.chdir("content/2023")
    assert main(["check"]) == 0
    assert "content/2023: no problems found" in capsys.readouterr().out


def test_a_path_typed_inside_the_project_is_taken_where_it_was_typed(
    project, monkeypatch, capsys
) -> None:
    edition = project()
    (edition / "facts.yaml").write_text("boeken: 12\n", encoding="utf-8")
    work = Path("werk").resolve()
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["facts", "export", "-o", "cijfers.csv"]) == 0
    assert (work / "cijfers.csv").is_file()  # where it was typed, not in the project folder
    assert not (work.parent / "cijfers.csv").exists()


def test_outside_a_project_the_message_says_where_to_run(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    assert (
        "run rapport in the project folder, the one that holds content/" in capsys.readouterr().err
    )
