"""`rapport new`: next year's edition keeps everything but this year's values, and marks
every text that may still speak of last year; references to the year; the summary of
what is still to do."""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from helpers import REPO, make_project
from rapport.cli import main
from rapport.content.load_facts import load_facts
from rapport.diagnostics import Problems


@pytest.fixture
def real_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's own content (2022 and 2023), fonts, images and theme."""
    for folder in ("content", "fonts", "images", "theme"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().err


def facts_of(path: Path, year: int) -> dict[str, object]:
    problems = Problems()
    facts = load_facts(path, year, problems)
    assert facts is not None and not [e for e in problems.errors if not e.todo], list(problems)
    return {f.name: f for f in facts.facts}


# -- facts.yaml ------------------------------------------------------------------------


def test_new_keeps_every_fact_with_its_metadata_and_empties_only_this_years_values(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(["new", "2024"], capsys)
    assert code == 0, err
    old = facts_of(real_project / "content/2023/facts.yaml", 2023)
    new = facts_of(real_project / "content/2024/facts.yaml", 2024)
    assert list(new) == list(old)  # same facts, same order
    for name, before in old.items():
        after = new[name]
        for field in ("unit", "source", "qualifier", "status", "derivation", "parts", "year"):
            assert getattr(after, field) == getattr(before, field), (name, field)
        if before.year is not None and before.year < 2024:  # type: ignore[attr-defined]
            assert after.value == before.value, name  # type: ignore[attr-defined]
        else:
            assert after.value is None, name  # type: ignore[attr-defined]
    kept = [n for n, f in new.items() if f.value is not None]  # type: ignore[attr-defined]
    assert "wise.migraties.2019" in kept and "wise.migraties.2023" in kept
    assert "55 facts to fill in in content/2024/facts.yaml (7 about earlier years kept)" in err


def test_new_keeps_the_comments_of_facts_yaml(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["new", "2024"], capsys)
    old = (real_project / "content/2023/facts.yaml").read_text(encoding="utf-8")
    new = (real_project / "content/2024/facts.yaml").read_text(encoding="utf-8")
    comments = [line for line in old.splitlines() if line.startswith("#")]
    assert comments and all(line in new.splitlines() for line in comments)
    assert new.startswith("# Feiten van 2024, begonnen uit content/2023/facts.yaml")


def test_last_years_value_is_a_comment_that_can_be_pasted_as_it_is(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["new", "2024"], capsys)
    path = real_project / "content/2024/facts.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  value:  # 2023: 1852354\n" in text  # wise.abonnementen, no separators
    assert "# 2023: -2.5" in text  # krantenarchief.bib.verandering
    # Paste each comment's value into its own line: every fact is filled in again.
    pasted = re.sub(r"value:  # 2023: (\S+)", r"value: \1  # 2023: \1", text)
    path.write_text(pasted, encoding="utf-8")
    old = facts_of(real_project / "content/2023/facts.yaml", 2023)
    new = facts_of(path, 2024)
    assert {n: f.value for n, f in new.items()} == {n: f.value for n, f in old.items()}  # type: ignore[attr-defined]


def test_new_edition_yaml_has_the_new_year_no_date_and_is_marked_for_review(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["new", "2024"], capsys)
    text = (real_project / "content/2024/edition.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["year"] == 2024 and data["published"] is None and data["review"] is True
    assert "previous_edition" not in data  # 2023 is the year before
    assert "published:\n" in text  # no trailing space left behind


def test_every_chapter_and_section_is_marked_for_review(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, err = run(["new", "2024"], capsys)
    chapters = sorted((real_project / "content/2024").glob("0*.yaml"))
    assert len(chapters) == 4
    marks = 1  # edition.yaml
    for chapter in chapters:
        data = yaml.safe_load(chapter.read_text(encoding="utf-8"))
        assert data["review"] is True
        assert all(section["review"] is True for section in data["sections"])
        marks += 1 + len(data["sections"])
    assert f"{marks} parts marked 'review: true'" in err


def test_the_new_edition_folder_follows_the_umask(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = os.umask(0o022)
    try:
        assert run(["new", "2024"], capsys)[0] == 0
    finally:
        os.umask(previous)
    mode = stat.S_IMODE((real_project / "content/2024").stat().st_mode)
    assert mode == 0o755


# -- which edition to start from --------------------------------------------------------


def test_a_gap_is_refused_with_the_way_out(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(["new", "2025"], capsys)
    assert code == 2
    assert err.strip() == (
        "rapport: error: there is no 2024 edition to start 2025 from (the newest before it is"
        " 2023); to start from that one, run 'rapport new 2025 --from content/2023': the 2025"
        " edition then compares its numbers with 2023"
    )
    assert not (real_project / "content/2025").exists()
    assert sorted(p.name for p in (real_project / "content").iterdir()) == ["2022", "2023"]


@pytest.mark.e2e
def test_from_names_the_edition_that_changes_are_computed_against(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(["new", "2025", "--from", "content/2023"], capsys)
    assert code == 0, err
    edition = yaml.safe_load((real_project / "content/2025/edition.yaml").read_text("utf-8"))
    assert edition["previous_edition"] == 2023
    facts = (real_project / "content/2025/facts.yaml").read_text(encoding="utf-8")
    assert "de waarde van 2023" in facts and "2024" not in facts.split("\n\n")[0]
    code, err = run(["build", "--draft", "content/2025", "-o", "draft.pdf"], capsys)
    assert code == 0, err
    text = " ".join(p.extract_text() for p in PdfReader(real_project / "draft.pdf").pages)
    assert "2025 tegenover 2023" in text  # {jaar} tegenover {vorig_jaar}
    assert "tegenover 2024" not in text


def test_from_must_be_an_earlier_edition(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(["new", "2021", "--from", "content/2023"], capsys)
    assert code == 2
    assert "rapport: error: --from must name an edition before 2021, not content/2023" in err
    code, err = run(["new", "2026", "--from", "images"], capsys)
    assert code == 2
    assert "rapport: error: 'images' is not an edition folder (it has no edition.yaml)" in err


def test_a_previous_edition_that_does_not_exist_is_an_error(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edition = real_project / "content/2023/edition.yaml"
    edition.write_text(
        edition.read_text(encoding="utf-8").replace(
            "year: 2023\n", "year: 2023\nprevious_edition: 2021\n"
        ),
        encoding="utf-8",
    )
    code, err = run(["check", "content/2023"], capsys)
    assert code == 1
    assert (
        "content/2023/edition.yaml:4:19: error: previous edition content/2021 does not exist" in err
    )


def test_a_year_is_a_four_digit_year(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["new", "24"])
    assert exit_.value.code == 2
    assert "'24' is not a year such as 2024" in capsys.readouterr().err


# -- what is still to do --------------------------------------------------------------


def test_check_of_a_new_edition_counts_what_is_left_instead_of_listing_it(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["new", "2024"], capsys)
    code, err = run(["check", "content/2024"], capsys)
    assert code == 1
    assert "has no value yet" not in err and "is marked for review" not in err
    assert err.splitlines()[-2:] == [
        "rapport: still to do: 55 facts to fill in, 19 parts to review, 1 publication date"
        " to fill in ('rapport check --all' lists them)",
        "rapport: the edition is not finished yet",
    ]
    code, err = run(["check", "--all", "content/2024"], capsys)
    assert code == 1
    assert err.count("has no value yet") == 55
    assert err.count("is marked for review") == 19
    assert "still to do" not in err


def test_one_bad_value_gives_one_error_at_its_own_line_first(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["new", "2024"], capsys)
    path = real_project / "content/2024/facts.yaml"
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("value:  # 2023: 1852354")].count("\n") + 1
    path.write_text(text.replace("value:  # 2023: 1852354", "value: 1.852.354"), "utf-8")
    code, err = run(["check", "content/2024"], capsys)
    assert code == 1
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert errors == [
        f"content/2024/facts.yaml:{line}:10: error: fact 'wise.abonnementen' '1.852.354' is"
        " ambiguous (a thousands separator or a decimal point?)"
    ]
    assert "write the number without separators, e.g. 1852354" in err
    assert "is not defined" not in err
    assert err.splitlines()[-1] == (
        "rapport: found 1 problem in the content; the edition is not finished yet"
    )


def test_a_build_of_an_unfinished_edition_says_a_draft_builds(
    real_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["new", "2024"], capsys)
    code, err = run(["build", "content/2024", "-o", "out.pdf"], capsys)
    assert code == 1 and not (real_project / "out.pdf").exists()
    assert err.splitlines()[-1] == (
        "rapport: failed to build: the edition is not finished yet; nothing was written;"
        " 'rapport build --draft' builds a draft anyway"
    )


# -- the year in text -----------------------------------------------------------------


YEARS_CHAPTER = """\
title: "Het jaar {jaar}"
sections:
  - title: "{jaar} tegenover {vorig_jaar}"
    blocks:
      - paragraph: "In {jaar} meer dan in {vorig_jaar}; in {year} en {previous_year}."
      - paragraph: "Al sinds 6 oktober 2022 en 2019, maar {wise.migraties.2022} in 2022."
"""


def test_year_references_show_the_editions_years(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    edition_dir = make_project(tmp_path, YEARS_CHAPTER)
    (edition_dir / "facts.yaml").write_text(
        "wise.migraties.2022: {value: 33, year: 2022}\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, err = run(["build", "content/2023", "-o", "out.pdf"], capsys)
    assert code == 0, err
    assert "warning" not in err  # dates and years of a series are not flagged
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "out.pdf").pages)
    text = re.sub(r"\s+", " ", text.replace("\xad", ""))
    assert "Het jaar 2023" in text and "2023 tegenover 2022" in text
    assert "In 2023 meer dan in 2022; in 2023 en 2022." in text
    assert "{" not in text


def test_a_literal_previous_year_in_text_is_a_warning_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_project(
        tmp_path,
        "title: Hoofdstuk\nsections:\n  - title: Sinds 2022\n    blocks:\n"
        "      - paragraph: Meer dan in 2022.\n",
    )
    monkeypatch.chdir(tmp_path)
    code, err = run(["check", "content/2023"], capsys)
    assert code == 0
    assert (
        "content/2023/01-test.yaml:3:18: warning: section title names 2022, the previous"
        " edition's year, as a number\n  hint: write {vorig_jaar} where it means last year,"
        " or {jaar} where it means 2023, so that the text stays true in next year's edition"
    ) in err
    assert "content/2023/01-test.yaml:5:32: warning: paragraph names 2022" in err


def test_a_facts_year_cannot_be_after_the_edition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    edition_dir = make_project(tmp_path)
    (edition_dir / "facts.yaml").write_text("x: {value: 1, year: 2024}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, err = run(["check", "content/2023"], capsys)
    assert code == 1
    assert (
        "content/2023/facts.yaml:1:21: error: fact 'x' is about 2024, after the edition's year 2023"
        "\n  hint: 'year' names the earlier year a value is about; leave it out for this year's values"
    ) in err


@pytest.mark.slow
def test_the_2023_edition_reads_as_before(tmp_path: Path) -> None:
    """The 2023 content refers to {jaar} and {vorig_jaar}: the years it shows are unchanged."""
    from helpers import run_rapport

    result = run_rapport("build", "content/2023", "-o", str(tmp_path / "2023.pdf"))
    assert result.returncode == 0, result.stderr
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "2023.pdf").pages)
    assert "{" not in text
    assert "De digitale bibliotheekdiensten in 2023" in re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("facts", ["[x, y]\n", "x: [1\n", "x: {value: 1\n"])
def test_a_facts_yaml_that_cannot_be_read_is_one_error_not_one_per_reference(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    facts: str,
) -> None:
    edition_dir = make_project(
        tmp_path,
        "title: Hoofdstuk\nsections:\n  - title: Sectie\n    blocks:\n"
        "      - paragraph: Er zijn {x} en {y} ({x:change}).\n",
    )
    (edition_dir / "facts.yaml").write_text(facts, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, err = run(["check", "content/2023"], capsys)
    assert code == 1
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith("content/2023/facts.yaml:1:"), errors


def test_the_year_names_are_not_fact_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    edition_dir = make_project(tmp_path)
    (edition_dir / "facts.yaml").write_text("jaar: 5\nvorig_jaar: 4\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, err = run(["check", "content/2023"], capsys)
    assert code == 1
    assert (
        "content/2023/facts.yaml:1:1: error: fact name 'jaar' is taken: {jaar} shows the"
        " edition's year\n  hint: choose another name, e.g. one with a dot: aantal.jaren"
    ) in err
    assert "content/2023/facts.yaml:2:1: error: fact name 'vorig_jaar' is taken" in err
