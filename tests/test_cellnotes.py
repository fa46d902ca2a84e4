"""Notes after a number in a table cell, shared by the PDF and the web edition."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from rapport.content import model
from rapport.content.cellnotes import MARKERS, TableNotes
from rapport.diagnostics import Location

HERE = Location(Path("content/2023/01-test.yaml"), 3, 5)


def rich(*texts: str) -> model.RichText:
    return model.RichText(spans=tuple(model.Span(text=text) for text in texts), location=HERE)


def test_each_distinct_note_gets_the_next_marker_and_repeats_reuse_it() -> None:
    notes = TableNotes()
    first = notes.split(rich("224 ", "(afgeleid)"), "right")
    second = notes.split(rich("129 (schatting)"), "right")
    again = notes.split(rich("131 (afgeleid)"), "right")
    assert first is not None and second is not None and again is not None
    assert (first.number.plain, first.marker) == ("224", "*")
    assert (second.number.plain, second.marker) == ("129", "**")
    assert again.marker == "*"
    assert [(marker, note.plain) for marker, note in notes.lines()] == [
        ("*", "afgeleid"),
        ("**", "schatting"),
    ]


def test_a_cell_keeps_its_text_when_it_is_not_a_noted_number() -> None:
    notes = TableNotes()
    assert notes.split(rich("224 (afgeleid)"), "left") is None  # not a number column
    assert notes.split(rich("(geen)"), "right") is None  # no number before the note
    assert notes.split(rich("224 (2022)"), "right") is None  # brackets with no word
    for word in ("a", "b", "c"):
        assert notes.split(rich(f"1 ({word})"), "right") is not None
    assert notes.split(rich("1 (d)"), "right") is None  # more notes than markers
    assert len(notes.lines()) == len(MARKERS)


@given(st.integers(0, 10**9), st.sampled_from(["afgeleid", "schatting", "ca. waarde"]))
def test_the_number_is_the_cell_without_its_note(value: int, note: str) -> None:
    noted = TableNotes().split(rich(f"{value} ({note})"), "right")
    assert noted is not None
    assert noted.number.plain == str(value)
