"""Every theme value is range-checked, alone and together, at its line; dates and the
build moment stay within what a PDF can hold; blocks are checked against the text block."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from helpers import make_project
from rapport.diagnostics import Problems, UsageError
from rapport.pipeline import MAX_SOURCE_DATE_EPOCH, build_moment
from rapport.theme import RANGES, load_theme, text_height, text_width


def theme_problems(tmp_path: Path, text: str) -> list[str]:
    make_project(tmp_path)
    path = tmp_path / "theme" / "theme.yaml"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    load_theme(path, tmp_path, problems)
    return [f"{d.location.line}:{d.location.column}: {d.message}" for d in problems.errors]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "page:\n  margin_inner: 300\n",
            "2:17: theme value 'page.margin_inner' is out of range (300 mm; from 10 to 74)",
        ),
        (
            "sizes:\n  body: 0\n",
            "2:9: theme value 'sizes.body' is out of range (0 pt; from 7 to 14)",
        ),
        ("sizes:\n  body: 1e3\n", "2:9: theme value 'sizes.body' is not a number ('1e3')"),
        (
            "text:\n  expansion: 5\n",
            "2:14: theme value 'text.expansion' is out of range (5 %; from 0 to 4)",
        ),
        (
            "sizes:\n  body: {a: 1}\n",
            "2:9: theme value 'sizes.body' is not a number (a set of keys)",
        ),
        ("page:\n  [a]: 1\n", "2:3: a theme key must be a name, not a list"),
        ("{page: 1}: 2\n", "1:1: a theme group must be a name, not a set of keys"),
        (
            "page:\n  margin_inner: 50\n  margin_outer: 40\n",
            "2:17: the side margins leave a text block of 120 mm (at least 126 mm of the page's 210 mm)",
        ),
        (
            "page:\n  margin_top: 100\n  margin_bottom: 20\n",
            "2:15: the top and bottom margins leave a text block of 177 mm (at least 178 mm of the page's 297 mm)",
        ),
        (
            "sizes:\n  small: 12\n",
            "2:10: the small text (12 pt) is larger than the body text (10.5 pt)",
        ),
        (
            "sizes:\n  leading: 9\n",
            "2:12: the leading (9 pt) is smaller than the body text (10.5 pt): lines would overlap",
        ),
    ],
)
def test_a_theme_value_out_of_its_limits_is_reported_at_its_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert theme_problems(tmp_path, text) == [expected]


def test_every_number_of_the_theme_has_limits_and_the_defaults_keep_them(tmp_path: Path) -> None:
    assert theme_problems(tmp_path, "sizes:\n  body: 10,5\n") == []
    for group, keys in RANGES.items():
        for key, (low, high) in keys.items():
            assert 0 <= low < high
            for outside in (low - 1, high + 1):
                text = f"{group}:\n  {key}: {outside:g}\n"
                assert theme_problems(tmp_path / f"{group}-{key}-{outside:g}", text) != []


def test_without_a_theme_file_a_missing_default_font_is_named(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "theme" / "theme.yaml").unlink()
    (tmp_path / "fonts" / "Lato-Italic.ttf").unlink()
    problems = Problems()
    load_theme(tmp_path / "theme" / "theme.yaml", tmp_path, problems)
    [problem] = problems.errors
    assert problem.location.path == tmp_path / "fonts" / "Lato-Italic.ttf"
    assert problem.message == "font file for 'italic' is missing (Lato-Italic.ttf)"


def test_a_font_name_with_a_nul_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    problems = theme_problems(tmp_path, 'fonts:\n  bold: "fonts/a\\0.ttf"\n')
    assert problems == [
        "2:9: text contains the control character U+0000 (written as an escape)",
        "0:0: font file for 'bold' cannot be opened (embedded null byte)",
    ]


class _Edition:
    published = dt.date(2024, 3, 20)
    year = 2023


@pytest.mark.parametrize(
    ("epoch", "message"),
    [
        (
            "253402300800",
            "SOURCE_DATE_EPOCH must be at most 253402300799 seconds (9999-12-31 23:59:59, the last date a PDF can hold), not '253402300800'",
        ),
        (
            "9" * 5000,
            "SOURCE_DATE_EPOCH must be at most 253402300799 seconds (9999-12-31 23:59:59, the last date a PDF can hold), not '"
            + "9" * 40
            + "…'",
        ),
        ("²", "SOURCE_DATE_EPOCH must be a number of seconds, not '²'"),
        ("-1", "SOURCE_DATE_EPOCH must be a number of seconds, not '-1'"),
    ],
)
def test_a_source_date_epoch_no_pdf_date_can_hold_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, epoch: str, message: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    with pytest.raises(UsageError) as raised:
        build_moment(_Edition())  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_the_last_source_date_epoch_is_the_last_second_of_9999(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(MAX_SOURCE_DATE_EPOCH))
    assert build_moment(_Edition()) == dt.datetime(9999, 12, 31, 23, 59, 59)  # type: ignore[arg-type]


@pytest.mark.e2e
def test_the_smallest_text_block_still_holds_the_widest_blocks_check_accepts(
    tmp_path: Path,
) -> None:
    """At the tightest margins the limits allow, a table and a chart at their limits build."""
    from helpers import chapter_with_blocks, run_rapport
    from test_catalogue import pdf_text

    columns = 12  # 126 mm of text: 12 columns of 10 mm
    names = ", ".join(f"k{i}" for i in range(columns))
    cells = ", ".join("12345" for _ in range(columns))
    chapter = chapter_with_blocks(
        f"""\
        - table:
            columns: [{names}]
            rows:
              - [{cells}]
        - chart:
            kind: hbar
            title: Grafiek
            categories: [a, b, c, d, e, f, g, h]
            series:
              - name: een
                values: [1, 2, 3, 4, 5, 6, 7, 8]
              - name: twee
                values: [1, 2, 3, 4, 5, 6, 7, 8]
        """
    )
    make_project(tmp_path, chapter)
    theme = tmp_path / "theme" / "theme.yaml"
    theme.write_text(
        theme.read_text(encoding="utf-8")
        .replace("margin_top: 24", "margin_top: 100")
        .replace("margin_bottom: 22", "margin_bottom: 19")
        .replace("margin_inner: 30", "margin_inner: 74")
        .replace("margin_outer: 30", "margin_outer: 10"),
        encoding="utf-8",
    )
    problems = Problems()
    small = load_theme(theme, tmp_path, problems)
    assert problems.errors == []
    assert (
        round(text_width(small) / 72 * 25.4) == 126 and round(text_height(small) / 72 * 25.4) == 178
    )
    result = run_rapport("build", "content/2023", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Grafiek" in pdf_text(tmp_path / "build" / "voortgangsrapport-2023.pdf")
    chapter_too_wide = chapter.replace("columns: [", "columns: [extra, ").replace("- [", "- [1, ")
    (tmp_path / "content" / "2023" / "01-test.yaml").write_text(chapter_too_wide, encoding="utf-8")
    refused = run_rapport("check", "content/2023", cwd=tmp_path)
    assert refused.returncode == 1
    assert (
        "error: a table of 13 columns does not fit the page"
        " (at most 12 columns of 10 mm fit the 126 mm text width)" in refused.stderr
    )
