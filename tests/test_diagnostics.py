"""Problems that show where: the source line under `file:line:col`, carets under the column,
and positions inside multi-line texts that point at the line within the text."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import make_project, run_rapport
from rapport.content import sources
from rapport.content.exchange import CellLocation
from rapport.content.facts import FactTable
from rapport.content.reader import Reader
from rapport.content.yamlsource import MappingNode, Node, read_yaml, read_yaml_text
from rapport.diagnostics import Diagnostic, Location, Problems, Severity

CHAPTER = "content/2023/01-test.yaml"


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RAPPORT_PLAIN", raising=False)
    sources.forget_all()


def shown(text: str, line: int, column: int = 0, end_column: int = 0, **kw: str) -> str:
    """The problem 'x' at a position of a file holding `text`, as a person sees it."""
    path = Path("x.yaml")
    sources.remember(path, text)
    location = Location(path, line, column, end_column)
    return Diagnostic(location, "x", kw.get("hint", "")).render(excerpt=True)


# -- the layout ----------------------------------------------------------------------------


def test_the_token_is_underlined_under_the_message_and_hint() -> None:
    text = "title: Hoofdstuk\nsections:\n  - titel: Sectie\n"
    assert shown(text, 3, 5, 10, hint="did you mean 'title'?") == (
        "x.yaml:3:5: error: x\n"
        "  hint: did you mean 'title'?\n"
        "  |\n"
        "3 |   - titel: Sectie\n"
        "  |     ^^^^^"
    )


def test_the_gutter_grows_with_the_line_number() -> None:
    text = "a: b\n" * 11 + "key: waarde\n"
    assert shown(text, 12, 6) == ("x.yaml:12:6: error: x\n   |\n12 | key: waarde\n   |      ^")


def test_the_plain_form_is_the_default_and_unchanged() -> None:
    path = Path("x.yaml")
    sources.remember(path, "a: b\n")
    diagnostic = Diagnostic(Location(path, 1, 4, 5), "value 'b' is wrong", "write c")
    assert diagnostic.render() == "x.yaml:1:4: error: value 'b' is wrong\n  hint: write c"


@pytest.mark.parametrize("value", ["1", "yes", " x "])
def test_rapport_plain_switches_the_excerpt_off(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("RAPPORT_PLAIN", value)
    assert shown("a: b\n", 1, 4) == "x.yaml:1:4: error: x"


@pytest.mark.parametrize("value", ["", "0"])
def test_rapport_plain_empty_or_zero_keeps_the_excerpt(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("RAPPORT_PLAIN", value)
    assert shown("a: b\n", 1, 4).endswith("1 | a: b\n  |    ^")


def test_a_warning_shows_its_line_too() -> None:
    path = Path("x.yaml")
    sources.remember(path, "a: 2022\n")
    warning = Diagnostic(Location(path, 1, 4, 8), "names 2022", severity=Severity.WARNING)
    assert warning.render(excerpt=True) == (
        "x.yaml:1:4: warning: names 2022\n  |\n1 | a: 2022\n  |    ^^^^"
    )


# -- when there is nothing to show ---------------------------------------------------------


def test_a_file_not_read_shows_no_line_and_is_not_opened(tmp_path: Path) -> None:
    unread = tmp_path / "niet-gelezen.yaml"
    unread.write_text("geheim: waarde\n", encoding="utf-8")
    diagnostic = Diagnostic(Location(unread, 1, 1), "x")
    assert diagnostic.render(excerpt=True) == "niet-gelezen.yaml:1:1: error: x"


def test_a_spreadsheet_cell_shows_no_line() -> None:
    path = Path("cijfers.csv")
    sources.remember(path, "naam,2023\nebooks,12\n")  # even if its text were kept
    cell = Diagnostic(CellLocation(path, 2, 2), "x", "y")
    assert cell.render(excerpt=True) == cell.render() == "cijfers.csv:2:B: error: x\n  hint: y"


@pytest.mark.parametrize(
    ("line", "column"),
    [(0, 0), (3, 1), (9, 1), (-1, 4)],
    ids=["no line", "blank line", "past the end", "negative"],
)
def test_no_line_to_show_gives_the_plain_form(line: int, column: int) -> None:
    assert shown("a: b\nc: d\n\n", line, column) == (
        f"x.yaml:{line}:{column}: error: x" if line else "x.yaml: error: x"
    )


def test_a_line_without_column_has_no_caret() -> None:
    assert shown("a: b\n", 1) == "x.yaml:1: error: x\n  |\n1 | a: b"


def test_a_column_past_the_end_of_the_line_points_just_after_it() -> None:
    assert shown("a: b\n", 1, 40).endswith("1 | a: b\n  |     ^")


# -- drawing the line ----------------------------------------------------------------------


def test_tabs_are_expanded_and_the_caret_follows() -> None:
    assert shown("a:\tb\tc\n", 1, 6).endswith("1 | a:  b   c\n  |         ^")


def test_wide_characters_take_two_columns() -> None:
    assert shown("t: 東京 *x\n", 1, 7, 8).endswith("1 | t: 東京 *x\n  |         ^")


def test_combining_accents_take_no_column() -> None:
    text = "t: Cafe\u0301 *x\n"
    assert shown(text, 1, 10, 11).endswith("  |         ^")


@pytest.mark.parametrize(
    ("char", "sign"),
    [("\x1b", "\u241b"), ("\x07", "\u2407"), ("\x7f", "\u2421"), ("\x9b", "\ufffd")],
    ids=["escape", "bell", "delete", "c1 csi"],
)
def test_control_characters_are_drawn_as_visible_signs(char: str, sign: str) -> None:
    assert shown(f"t: a{char}[31mb\n", 1, 5).endswith(f"1 | t: a{sign}[31mb\n  |     ^")


def test_direction_controls_do_not_reorder_the_shown_line() -> None:
    text = "t: abc\u202edef\n"
    assert shown(text, 1, 7).endswith("1 | t: abc\ufffddef\n  |       ^")


def test_windows_line_ends_are_not_shown() -> None:
    text = "a: b\r\nc: d\r\n"
    assert shown(text, 2, 4).endswith("2 | c: d\n  |    ^")


def test_a_long_line_is_shortened_around_the_column() -> None:
    text = "t: " + "woord " * 100 + "**vet\n"
    rendered = shown(text, 1, 604, 606).splitlines()
    line, carets = rendered[-2], rendered[-1]
    assert line.startswith("1 | \u2026") and line.endswith("woord **vet")
    assert len(line) - len("1 | ") == sources.EXCERPT_WIDTH + 1  # the ellipsis
    assert carets.index("^^") - len("  | ") == line.index("**") - len("1 | ")


def test_a_long_line_is_shortened_at_both_ends_around_an_early_column() -> None:
    text = "t: " + "a" * 100 + "*" + "b" * 300 + "\n"
    line, carets = shown(text, 1, 104).splitlines()[-2:]
    assert line.startswith("1 | \u2026a") and line.endswith("b\u2026")
    assert carets.index("^") - len("  | ") == sources.CONTEXT_BEFORE + 1
    assert line[carets.index("^")] == "*"


def test_the_caret_is_clipped_to_the_shown_stretch() -> None:
    text = "t: " + "x" * 400 + "\n"
    carets = shown(text, 1, 4, 404).splitlines()[-1]
    assert carets == "  |    " + "^" * (sources.EXCERPT_WIDTH - 3)  # 't: ' is shown first


# -- files as the YAML reader reads them ---------------------------------------------------


def test_a_file_that_is_not_utf8_shows_a_replacement_sign(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\nt: Caf\xe9 nu\n")
    problems = Problems()
    assert read_yaml(path, problems) is None
    (problem,) = problems.items
    assert problem.render(excerpt=True) == (
        "x.yaml:2:7: error: failed to read file (it is not UTF-8 text)\n"
        "  hint: save the file with UTF-8 encoding in your editor\n"
        "  |\n"
        "2 | t: Caf\ufffd nu\n"
        "  |       ^"
    )


def test_a_file_read_again_shows_its_new_text(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: oud\n", encoding="utf-8")
    read_yaml(path, Problems())
    path.write_text("a: nieuw\n", encoding="utf-8")
    read_yaml(path, Problems())
    assert (
        Diagnostic(Location(path, 1, 4), "x")
        .render(excerpt=True)
        .endswith("1 | a: nieuw\n  |    ^")
    )


def test_text_composed_in_memory_is_what_is_shown(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text("x: 1\n", encoding="utf-8")
    read_yaml_text(path, "x: 1\ny: twee\n", Problems())
    assert (
        Diagnostic(Location(path, 2, 4), "x").render(excerpt=True).endswith("2 | y: twee\n  |    ^")
    )


def test_a_scalar_on_one_line_is_underlined_whole(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text('a: "tekst met spaties"\nb: [1, 2]\n', encoding="utf-8")
    source = read_yaml(path, Problems())
    assert source is not None and isinstance(source.root, MappingNode)
    (key_a, value_a), (_, value_b) = source.root.value
    assert source.location(key_a) == Location(path, 1, 1, 2)
    assert source.location(value_a) == Location(path, 1, 4, 23)
    assert source.location(value_b) == Location(path, 2, 4, 10)


# -- positions inside a scalar -------------------------------------------------------------


def paragraph_problems(tmp_path: Path, chapter: str) -> list[str]:
    """The problems of reading the one paragraph of `chapter` (its value under 'p')."""
    path = tmp_path / "01-test.yaml"
    path.write_text(chapter, encoding="utf-8")
    problems = Problems()
    source = read_yaml(path, problems)
    assert source is not None and isinstance(source.root, MappingNode)
    facts = FactTable(current=None, previous=None, language="nl", year=2023)
    reader = Reader(source, problems, facts)
    node: Node = source.root.value[0][1]
    reader.rich(node, "paragraph")
    return [d.render(excerpt=True) for d in problems]


def test_an_error_in_a_folded_text_points_at_the_line_within_it(tmp_path: Path) -> None:
    chapter = "p: >-\n  Eerste regel,\n  tweede met *open\n  en meer.\n"
    assert paragraph_problems(tmp_path, chapter) == [
        "01-test.yaml:3:14: error: failed to read paragraph (unclosed '*' in text)\n"
        "  hint: close it with a second '*', or write '\\*' for a literal asterisk\n"
        "  |\n"
        "3 |   tweede met *open\n"
        "  |              ^"
    ]


def test_an_error_in_a_literal_text_points_at_the_line_within_it(tmp_path: Path) -> None:
    chapter = "p: |\n  Eerste regel.\n\n  Zie [site](ftp://a.be).\n"
    (problem,) = paragraph_problems(tmp_path, chapter)
    assert problem.startswith("01-test.yaml:4:14: error: failed to read paragraph (link 'ftp")
    assert problem.endswith("4 |   Zie [site](ftp://a.be).\n  |              ^^^^^^^^^^")


def test_an_error_in_a_double_quoted_text_after_escapes(tmp_path: Path) -> None:
    chapter = 'p: "Caf\\u00e9 \\"x\\" en\n  nog **open"\n'
    (problem,) = paragraph_problems(tmp_path, chapter)
    assert problem.startswith("01-test.yaml:2:7: error: failed to read paragraph (unclosed '**'")
    assert problem.endswith('2 |   nog **open"\n  |       ^^')


def test_an_error_in_a_single_quoted_text_after_a_doubled_quote(tmp_path: Path) -> None:
    chapter = "p: 'l''eau en\n\n   [x](javascript:y)'\n"
    (problem,) = paragraph_problems(tmp_path, chapter)
    assert problem.startswith("01-test.yaml:3:8: error: failed to read paragraph (link 'javas")
    assert problem.endswith("3 |    [x](javascript:y)'\n  |        ^^^^^^^^^^^^")


def test_an_error_in_a_plain_text_over_two_lines(tmp_path: Path) -> None:
    chapter = "p: Een tekst\n   over *twee regels\n"
    (problem,) = paragraph_problems(tmp_path, chapter)
    assert problem.startswith("01-test.yaml:2:9: error:")


def test_an_error_after_a_year_reference_is_found_past_it(tmp_path: Path) -> None:
    chapter = "p: >-\n  In {vorig_jaar} en {jaar}\n  waren er {x} en *meer\n"
    problems = paragraph_problems(tmp_path, chapter)
    assert [p.splitlines()[0] for p in problems] == [
        "01-test.yaml:3:19: error: failed to read paragraph (unclosed '*' in text)"
    ]


def test_a_failing_reference_is_underlined_where_it_is_written(tmp_path: Path) -> None:
    chapter = "p: >-\n  In {jaar}: \\{x\\} en\n     {x} of {x:change}\n"
    problems = paragraph_problems(tmp_path, chapter)
    assert [p.splitlines()[0] for p in problems] == [
        "01-test.yaml:3:6: error: failed to show {x} (fact 'x' is not defined)",
        "01-test.yaml:3:13: error: failed to show {x:change} (fact 'x' is not defined)",
    ]
    assert problems[1].endswith("3 |      {x} of {x:change}\n  |             ^^^^^^^^^^")


def test_the_previous_year_is_pointed_at_in_the_text(tmp_path: Path) -> None:
    chapter = "p: >-\n  Op 6 oktober 2022 en\n  ook in 2022 groeide het.\n"
    (warning,) = paragraph_problems(tmp_path, chapter)
    assert warning.startswith(
        "01-test.yaml:3:10: warning: paragraph names 2022, the previous edition's year"
    )
    assert warning.endswith("3 |   ook in 2022 groeide het.\n  |          ^^^^")


def test_without_the_file_text_a_position_is_the_start_of_the_text(tmp_path: Path) -> None:
    chapter = "p: >-\n  een *open\n"
    path = tmp_path / "01-test.yaml"
    path.write_text(chapter, encoding="utf-8")
    problems = Problems()
    source = read_yaml(path, problems)
    assert source is not None and isinstance(source.root, MappingNode)
    sources.forget_all()
    Reader(source, problems).rich(source.root.value[0][1], "paragraph")
    assert [d.location for d in problems] == [Location(path, 1, 4)]


# -- properties ----------------------------------------------------------------------------

WORD = st.text(alphabet="abcdeéxyz€,.:'", min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_align_maps_collapsed_whitespace_back_exactly(original: str) -> None:
    derived = " ".join(original.split())
    found = sources.align(derived, original)
    assert len(found) == len(derived)
    assert found == sorted(found)
    assert all(0 <= index < max(len(original), 1) for index in found)
    for char, index in zip(derived, found, strict=True):
        assert original[index] == char or (char.isspace() and original[index].isspace())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_align_never_fails_on_unrelated_texts(derived: str, original: str) -> None:
    found = sources.align(derived, original)
    assert len(found) == len(derived)
    assert found == sorted(found)
    assert all(0 <= index <= max(len(original) - 1, 0) for index in found)


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=400),
    st.integers(-2, 12),
    st.integers(-2, 500),
    st.integers(-2, 500),
)
def test_an_excerpt_never_fails_and_never_sends_control_characters(
    text: str, line: int, column: int, end_column: int
) -> None:
    drawn = sources.excerpt(sources.SourceText.of(text), line, column, end_column)
    for row in drawn:
        assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in row), row
        assert not set(row) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    if drawn and column:
        assert re.fullmatch(r" +\| *\^+", drawn[-1]), drawn


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(WORD, min_size=1, max_size=6), min_size=1, max_size=6),
    st.data(),
    st.sampled_from([">-", ">", "|", "|-"]),
)
def test_an_unclosed_star_anywhere_in_a_block_text_is_found_in_the_file(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[list[str]],
    data: st.DataObject,
    header: str,
) -> None:
    row = data.draw(st.integers(0, len(lines) - 1))
    word = data.draw(st.integers(0, len(lines[row]) - 1))
    lines[row][word] = "*" + lines[row][word]
    indent = " " * data.draw(st.integers(1, 6))
    chapter = f"p: {header}\n" + "".join(f"{indent}{' '.join(words)}\n" for words in lines)
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "01-test.yaml"
    path.write_text(chapter, encoding="utf-8")
    problems = Problems()
    source = read_yaml(path, problems)
    assert source is not None and isinstance(source.root, MappingNode)
    facts = FactTable(current=None, previous=None, language="nl", year=2023)
    Reader(source, problems, facts).rich(source.root.value[0][1], "paragraph")
    (problem,) = problems.items
    where = problem.location
    assert (where.line, where.end_column) == (row + 2, where.column + 1)
    assert chapter.splitlines()[where.line - 1][where.column - 1] == "*"


# -- through the command ------------------------------------------------------------------


FOLDED_ERROR = """\
title: Hoofdstuk
sections:
  - title: Sectie
    blocks:
      - paragraph: >-
          Een eerste regel,
          en een [link](file:///etc/passwd) hier.
"""


def test_check_shows_the_line_within_the_text(tmp_path: Path) -> None:
    make_project(tmp_path, FOLDED_ERROR)
    result = run_rapport("check", "content/2023", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert (
        f"{CHAPTER}:7:25: error: failed to read paragraph (link 'file:///etc/passwd' is not"
        " allowed (only http, https and mailto links are))\n"
        "  hint: write the full address, starting with https://\n"
        "  |\n"
        "7 |           en een [link](file:///etc/passwd) hier.\n"
        "  |                         ^^^^^^^^^^^^^^^^^^\n"
        "rapport: found 1 problem in the content\n"
    ) in result.stderr


def test_rapport_plain_gives_one_line_a_problem(tmp_path: Path) -> None:
    make_project(tmp_path, FOLDED_ERROR)
    result = run_rapport(
        "check", "content/2023", cwd=tmp_path, env={**os.environ, "RAPPORT_PLAIN": "1"}
    )
    assert result.returncode == 1, result.stderr
    problem_lines = [line for line in result.stderr.splitlines() if "|" in line]
    assert problem_lines == []
    assert f"{CHAPTER}:7:25: error: failed to read paragraph" in result.stderr


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=120),
    st.sampled_from(['"', "'", ">-", "|"]),
    st.integers(-3, 150),
    st.integers(-3, 150),
)
def test_a_position_inside_any_text_stays_within_the_file(
    tmp_path_factory: pytest.TempPathFactory, body: str, style: str, start: int, end: int
) -> None:
    if style == '"':
        chapter = 'p: "' + body.replace("\\", "\\\\").replace('"', '\\"') + '"\n'
    elif style == "'":
        chapter = "p: '" + body.replace("'", "''") + "'\n"
    else:
        chapter = f"p: {style}\n" + "".join(f"  {line}\n" for line in body.splitlines())
    path = tmp_path_factory.mktemp("any") / "x.yaml"
    path.write_text(chapter, encoding="utf-8", errors="surrogatepass")
    problems = Problems()
    source = read_yaml(path, problems)
    if source is None or not isinstance(source.root, MappingNode):
        return  # not valid YAML, or not a text: nothing to point into
    node = source.root.value[0][1]
    reader = Reader(source, problems, FactTable(None, None, "nl", 2023))
    text = reader.text(node, "paragraph")
    where = reader.within(node, start, end, text)
    lines = sources.source_of(path)
    assert lines is not None
    assert 1 <= where.line <= len(lines.lines)
    assert 1 <= where.column <= len(lines.lines[where.line - 1]) + 1
    assert where.end_column == 0 or where.end_column > where.column
