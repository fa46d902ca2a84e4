"""Notes such as "(afgeleid)" after a number in a right-aligned table cell.

A designer keeps the digits of a column aligned: the note leaves the cell for a
line under the table and an asterisk marks the number. Which cells carry a note,
and which marker each note gets, is the same in every edition (PDF and web);
only how the marker is set differs, so the writers share this.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from rapport.content import model

CELL_NOTE = re.compile(r"\s*\(([^()]*[^\W\d_][^()]*)\)\s*$")  # "430 (afgeleid)": a word in brackets
MARKERS = ("*", "**", "***")


@dataclass(frozen=True)
class NotedCell:
    number: model.RichText  # the cell without its note
    marker: str  # "*", set after the number


@dataclass
class TableNotes:
    """The notes of one table, numbered in the order they are met."""

    notes: dict[str, tuple[str, model.RichText]] = field(default_factory=dict)  # → (marker, note)

    def split(self, cell: model.RichText, align: str) -> NotedCell | None:
        """The cell's number and the marker of its note; None for a cell that keeps its text
        (not right-aligned, no number before the note, or more notes than markers)."""
        note = CELL_NOTE.search(cell.plain)
        if align != "right" or note is None or not re.search(r"\d", cell.plain[: note.start()]):
            return None
        key = note.group(1).strip()
        if key not in self.notes and len(self.notes) < len(MARKERS):
            noted = model.RichText(spans=cut(cell.spans, *note.span(1)), location=cell.location)
            self.notes[key] = (MARKERS[len(self.notes)], noted)
        if key not in self.notes:
            return None
        number = model.RichText(spans=cut(cell.spans, 0, note.start()), location=cell.location)
        return NotedCell(number, self.notes[key][0])

    def lines(self) -> list[tuple[str, model.RichText]]:
        """The lines under the table: each marker and its note ("*", "afgeleid")."""
        return list(self.notes.values())


def cut(spans: tuple[model.Span, ...], start: int, end: int) -> tuple[model.Span, ...]:
    """The spans that show the characters [start, end) of their joined text."""
    kept: list[model.Span] = []
    offset = 0
    for span in spans:
        low, high = max(start - offset, 0), min(end - offset, len(span.text))
        if low < high:
            kept.append(dataclasses.replace(span, text=span.text[low:high]))
        offset += len(span.text)
    return tuple(kept)
