"""The line plans of justified paragraphs, kept between builds (layout/plans.py).

A plan read back must be the plan the search makes, float for float, so that
the PDF does not depend on the cache; an edited paragraph is planned anew and
the others are not; a damaged or odd entry is never trusted.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import chapter_with_blocks, forget_finished_pdfs, make_project, run_rapport
from rapport.cache import LINES, Cache, json_text
from rapport.layout import plans
from rapport.layout.plans import Plan, open_book

SENTENCE = (
    "De bibliotheekmedewerkers begeleidden de gemeentebesturen bij de overstap naar het"
    " nieuwe bibliotheeksysteem, van de eerste opleiding tot de laatste controle."
)
PARAGRAPHS = [f"{SENTENCE} Alinea {number}. {SENTENCE}" for number in range(1, 6)]
INPUTS = {"edition": "<project>/content/2023/edition.yaml", "theme": "t", "fonts": {}}

lengths = st.integers(min_value=1, max_value=12)
widths = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def plan_books(draw: st.DrawFn) -> dict[str, Plan | None]:
    def a_plan() -> Plan | None:
        lines = draw(lengths)
        if draw(st.booleans()):
            return None
        return Plan(
            draw(st.lists(widths, min_size=lines, max_size=lines)),
            draw(st.lists(widths, min_size=1, max_size=4)),
            draw(st.lists(widths, min_size=lines, max_size=lines)),
        )

    keys = draw(st.lists(st.text(min_size=1, max_size=8), max_size=6, unique=True))
    return {key: a_plan() for key in keys}


@given(plan_books())
def test_plans_read_back_are_the_plans_written_float_for_float(book):
    assert plans._decode_plans(plans._encode_plans(book)) == book


def test_a_plan_of_numbers_that_are_not_finite_is_not_kept():
    book = {"fine": Plan([1.5], [2.0], [1.0]), "endless": Plan([math.inf], [2.0], [1.0])}
    assert plans._decode_plans(plans._encode_plans(book)) == {"fine": book["fine"]}


@pytest.mark.parametrize(
    "value",
    [
        "[]",
        '{"k": [[1.0], [1.0]]}',  # two lists, not three
        '{"k": [[1.0], [1.0], [1.0, 1.0]]}',  # scales for another number of lines
        '{"k": [[], [1.0], []]}',  # no lines
        '{"k": [[1], [1.0], [1.0]]}',  # a whole number: never written
        '{"k": [["1.0"], [1.0], [1.0]]}',
        '{"k": {"planned": [1.0]}}',
    ],
)
def test_a_value_that_is_not_a_book_of_plans_is_refused(value):
    with pytest.raises(ValueError):
        plans._decode_plans(value.encode())


def test_a_book_is_written_back_only_when_a_build_used_other_plans(tmp_path):
    cache = Cache(tmp_path)
    with open_book(cache, INPUTS) as book:
        assert plans.current() is book
        book.add("a", Plan([10.0], [12.0], [1.0]))
    assert plans.current() is None
    entry = next((tmp_path / LINES.name).glob("*.json"))
    written = entry.stat().st_mtime_ns

    with open_book(cache, INPUTS) as book:
        assert book.get("a") == (True, Plan([10.0], [12.0], [1.0]))
        assert book.get("b") == (False, None)
    assert entry.stat().st_mtime_ns == written  # the same plans used: nothing to write

    with open_book(cache, INPUTS) as book:
        book.add("b", None)
    assert plans._decode_plans(_value(entry)) == {"b": None}  # only what this build used


def test_a_layout_that_fails_writes_no_plans(tmp_path):
    with pytest.raises(RuntimeError), open_book(Cache(tmp_path), INPUTS) as book:
        book.add("a", Plan([10.0], [12.0], [1.0]))
        raise RuntimeError("a block taller than a page")
    assert plans.current() is None
    assert not (tmp_path / LINES.name).exists()


def _value(entry: Path) -> bytes:
    data = entry.read_bytes()
    return data[data.index(b',"value":') + len(b',"value":') : -1]


# -- between real builds ------------------------------------------------------------------


def _chapter(paragraphs: list[str]) -> str:
    return chapter_with_blocks("".join(f"- paragraph: {text}\n" for text in paragraphs))


def _build(project: Path, output: str) -> tuple[bytes, int, int]:
    """A build in a fresh process that lays the pages out: its PDF, and how many line
    plans it found in the cache and made."""
    forget_finished_pdfs(project)
    result = run_rapport("-v", "build", "content/2023", "-o", output, cwd=project)
    assert result.returncode == 0, result.stderr
    found, made = re.search(r"line plans: (\d+) from the cache, (\d+) made", result.stderr).groups()
    return (project / output).read_bytes(), int(found), int(made)


@pytest.mark.e2e
def test_after_a_text_edit_only_the_edited_paragraph_is_planned_anew(tmp_path):
    project = tmp_path / "project"
    make_project(project, _chapter(PARAGRAPHS))
    _, found, made = _build(project, "first.pdf")
    assert (found, made) == (0, len(PARAGRAPHS))

    edited = [*PARAGRAPHS[:2], PARAGRAPHS[2].replace("eerste", "allereerste"), *PARAGRAPHS[3:]]
    (project / "content" / "2023" / "01-test.yaml").write_text(_chapter(edited), "utf-8")
    pdf, found, made = _build(project, "edited.pdf")
    assert (found, made) == (len(PARAGRAPHS) - 1, 1)

    shutil.rmtree(project / ".cache")  # the same edition from nothing: the same PDF
    cold, found, made = _build(project, "cold.pdf")
    assert (found, made) == (0, len(PARAGRAPHS))
    assert pdf == cold


@pytest.mark.e2e
def test_the_theme_s_settings_not_its_file_decide_which_plans_are_kept(tmp_path):
    project = tmp_path / "project"
    make_project(project, _chapter(PARAGRAPHS))
    _build(project, "first.pdf")
    theme = project / "theme" / "theme.yaml"
    text = theme.read_text("utf-8")
    theme.write_text(text + "# a comment changes no setting\n", "utf-8")
    assert _build(project, "same.pdf")[1:] == (len(PARAGRAPHS), 0)

    theme.write_text(text.replace("expansion: 2 ", "expansion: 3 "), "utf-8")
    assert _build(project, "wider.pdf")[1:] == (0, len(PARAGRAPHS))


def test_the_book_is_keyed_by_the_font_files(tmp_path):
    """A font file changed under the same name has other widths: another book."""
    cache = Cache(tmp_path)
    with open_book(cache, INPUTS) as book:
        book.add("a", Plan([10.0], [12.0], [1.0]))
    other = {**INPUTS, "fonts": {"<project>/fonts/Lato-Regular.ttf": "another digest"}}
    with open_book(cache, other) as book:
        assert book.get("a") == (False, None)
    assert json_text(INPUTS) != json_text(other)
