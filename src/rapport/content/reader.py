"""Reading model values out of YAML nodes, with every problem recorded at its position.

One `Reader` serves one file. It turns scalars into text, rich text, numbers
and dates without trusting YAML's own typing, checks keys against the content
vocabulary (which the JSON Schema is made from), and resolves references to facts.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from rapport.content import sources, vocabulary
from rapport.content.facts import REFERENCE, FactError, FactTable
from rapport.content.formatting import DEFAULT_LANGUAGE
from rapport.content.inline import InlineSyntaxError, Slip, parse_inline, reference_as_typed
from rapport.content.model import Fact, RichText, Span
from rapport.content.typography import typeset
from rapport.content.yamlsource import (
    NULL_TAG,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    YamlFile,
    cut_by_comment,
    split_by_comma_hint,
    unique_entries,
)
from rapport.diagnostics import Location, Problems, did_you_mean

_PLAIN_NUMBER = re.compile(vocabulary.NUMBER_PATTERN)
_GROUPED_NUMBER = re.compile(r"^-?[1-9]\d{0,2}([.,]\d{3})+$")
MAX_MAGNITUDE = Decimal(10) ** 15
# "6 oktober 2022" names a day: it stays true next year, unlike "in 2022".
_DATE_BEFORE = re.compile(
    r"\b(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november"
    r"|december|january|february|march|may|june|july|august|october)\s+$",
    re.IGNORECASE,
)
MAX_TEXT_LENGTH = 50_000  # laying out one paragraph costs time quadratic in its length

T = TypeVar("T")
C = TypeVar("C", bound=str)
Fields = dict[str, Node]


class Reader:
    """Turns the nodes of one file into model values, recording problems."""

    def __init__(
        self,
        source: YamlFile,
        problems: Problems,
        facts: FactTable | None = None,
        *,
        draft: bool = False,
    ) -> None:
        self.source = source
        self.problems = problems
        self.facts = facts
        self.draft = draft

    def at(self, node: Node) -> Location:
        return self.source.location(node)

    def within(self, node: Node, start: int, end: int, text: str | None = None) -> Location:
        """Where the characters [start, end) of a scalar's text are written in the file.

        `text` is the value as `text()` made it (whitespace collapsed, years filled in);
        None means the node's own value. A text over several lines is followed line by
        line, so the position is that of the line within the text, not that of the '>-'
        or the quote that opens it. Without the file's text, it is the node's start.
        """
        source = sources.source_of(self.source.path)
        if not isinstance(node, ScalarNode) or source is None or not node.value:
            return self.at(node)
        start_mark, end_mark = node.start_mark, node.end_mark
        begin, written = sources.written_value(
            source,
            (start_mark.line, start_mark.column),
            (end_mark.line, end_mark.column),
            node.style,
        )
        if not written:
            return self.at(node)
        from_text = sources.align(text, node.value) if text is not None else None
        from_value = sources.align(node.value, written)

        def place(index: int) -> tuple[int, int]:
            if from_text is not None:
                index = from_text[min(max(index, 0), len(from_text) - 1)] if from_text else 0
            return source.position(begin + from_value[min(max(index, 0), len(from_value) - 1)])

        line, column = place(start)
        last_line, last_column = place(max(end - 1, start))
        end_column = last_column + 2 if last_line == line and last_column >= column else 0
        return Location(self.source.path, line + 1, column + 1, end_column)

    def error(self, node: Node, message: str, hint: str = "") -> None:
        self.problems.error(self.at(node), message, hint)

    # -- structure -------------------------------------------------------

    def fields(self, node: Node, definition: vocabulary.Mapping, what: str) -> Fields | None:
        """The keys of a mapping, checked against its declaration in the vocabulary."""
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} must be a set of 'key: value' lines, not {describe(node)}")
            return None
        known, required = definition.known, definition.required
        found: Fields = {}
        for key, key_node, value_node in self.entries(node, f"key '{{}}' in {what}"):
            if key not in known:
                hint = split_by_comma_hint(self.source.decimal_comma(node)) or (
                    did_you_mean(key, known) or f"known keys: {', '.join(known)}"
                )
                self.error(key_node, f"unknown key '{key}' in {what}", hint)
                continue
            found[key] = value_node
        for key in required:
            if key not in found:
                self.error(node, f"{what} lacks the required key '{key}'", f"add '{key}: …'")
        return found

    def entries(self, node: MappingNode, what: str) -> Iterator[tuple[str, Node, Node]]:
        """(key, key node, value node) of a mapping; a repeated key is reported, then skipped.

        `what` names a key in messages, with {} where the key goes: "fact '{}'".
        """
        yield from unique_entries(node, what, self.error)

    def items(self, node: Node, what: str) -> list[Node]:
        if isinstance(node, SequenceNode):
            if not node.value:
                self.error(
                    node, f"{what} is empty", "add at least one item, each starting with '- '"
                )
            return list(node.value)
        self.error(node, f"{what} must be a list (lines starting with '- '), not {describe(node)}")
        return []

    # -- scalars ---------------------------------------------------------

    @property
    def language(self) -> str:
        return self.facts.language if self.facts is not None else DEFAULT_LANGUAGE

    def text(self, node: Node, what: str, *, references: bool = False) -> str | None:
        """Text that is shown, with typographic quotes and dashes (see typography.py)."""
        value = self._shown(node, what, references=references)
        return None if value is None else typeset(value, self.language)

    def _shown(self, node: Node, what: str, *, references: bool = False) -> str | None:
        """Text that is shown, as typed: warned about when a ' #' comment cut it short, or
        when it holds a reference to a fact but is not running text that shows one."""
        value = self._scalar(node, what)
        if value is not None:
            cut = self.source.comment_after(node)
            if cut is not None:
                self.problems.warning(cut[0], *cut_by_comment(what, cut[1]))
            literal = None if references else reference_as_typed(value)
            if literal is not None:
                where = self.within(node, literal.start, literal.end, value)
                self.problems.warning(where, f"{what}: {literal.message}", literal.hint)
        return value

    def setting(self, node: Node, what: str) -> str | None:
        """A value that is not shown as text (a file name, a width): a comment after it is one."""
        return self._scalar(node, what)

    def _scalar(self, node: Node, what: str) -> str | None:
        if not isinstance(node, ScalarNode):
            self.error(node, f"{what} must be text, not {describe(node)}", quote_hint(node))
            return None
        if node.tag == NULL_TAG and node.style is None:
            self.error(node, f"{what} is empty", "write a value after the colon")
            return None
        raw = unicodedata.normalize("NFC", node.value).replace("\u2010", "-")
        if self.facts is not None:
            raw = self.facts.with_years(raw)
        value = " ".join(raw.split()) if node.style in (None, "'", '"', ">") else raw.strip()
        if not value:
            self.error(node, f"{what} is empty", "write a value after the colon")
            return None
        if len(value) > MAX_TEXT_LENGTH:
            self.error(
                node,
                f"{what} is too long ({len(value):,} characters; the limit is {MAX_TEXT_LENGTH:,})",
                "split it into several paragraphs or blocks",
            )
            return None
        return value

    def prose(self, node: Node, what: str, *, references: bool = False) -> str | None:
        """Text that reads as a sentence or title: it should not name last year literally."""
        value = self._prose_as_typed(node, what, references=references)
        return None if value is None else typeset(value, self.language)

    def _prose_as_typed(self, node: Node, what: str, *, references: bool) -> str | None:
        value = self._shown(node, what, references=references)
        if value is not None:
            self._literal_previous_year(node, what)
        return value

    def _literal_previous_year(self, node: Node, what: str) -> None:
        if self.facts is None or self.facts.year is None or not isinstance(node, ScalarNode):
            return
        previous = self.facts.previous_year or self.facts.year - 1
        if re.search(rf"\{{[^}}]*\b{previous}\b[^}}]*\}}", node.value):
            return  # "{wise.migraties.2022} in 2022": the year of a series, true next year too
        mentions = re.finditer(rf"(?<![\d.,]){previous}(?![\d]|[.,]\d)", node.value)
        literal = next(
            (m for m in mentions if not _DATE_BEFORE.search(node.value[: m.start()])), None
        )
        if literal is not None:
            self.problems.warning(
                self.within(node, literal.start(), literal.end()),
                f"{what} names {previous}, the previous edition's year, as a number",
                "write {vorig_jaar} where it means last year, or {jaar} where it means"
                f" {self.facts.year}, so that the text stays true in next year's edition",
            )

    def rich(self, node: Node, what: str) -> RichText | None:
        value = self._prose_as_typed(node, what, references=True)
        if value is None:
            return None
        slips: list[Slip] = []
        try:
            # typeset() keeps every offset, so positions in `value` stay right for messages
            spans = parse_inline(typeset(value, self.language), slips)
        except InlineSyntaxError as exc:
            where = self.within(node, *exc.span, value) if exc.span else self.at(node)
            self.problems.error(where, f"failed to read {what} ({exc.message})", exc.hint)
            return None
        for slip in slips:  # braces that print as typed
            where = self.within(node, slip.start, slip.end, value)
            self.problems.warning(where, f"{what}: {slip.message}", slip.hint)
        resolved = self.resolve(node, spans, value)
        return None if resolved is None else RichText(spans=resolved, location=self.at(node))

    def number(self, node: Node, what: str) -> Decimal | None:
        raw = self._scalar(node, what)
        if raw is None:
            return None
        compact = raw.replace("_", "")
        if _GROUPED_NUMBER.match(compact):
            self.error(
                node,
                f"{what} '{raw}' is ambiguous (a thousands separator or a decimal point?)",
                f"write the number without separators, e.g. {re.sub(r'[.,]', '', compact)}",
            )
            return None
        if not _PLAIN_NUMBER.match(compact):
            self.error(
                node, f"{what} '{raw}' is not a number", "write digits only, e.g. 1852354 or 6.5"
            )
            return None
        try:
            value = Decimal(compact.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            self.error(node, f"{what} '{raw}' is not a number")
            return None
        if abs(value) >= MAX_MAGNITUDE:
            self.error(
                node,
                f"{what} '{raw}' is too large",
                "numbers in a report stay below a million billion",
            )
            return None
        return value

    def integer(self, node: Node, what: str, low: int, high: int) -> int | None:
        raw = self._scalar(node, what)
        if raw is None:
            return None
        if not re.fullmatch(r"\d+", raw) or not low <= int(raw) <= high:
            self.error(node, f"{what} '{raw}' must be a whole number from {low} to {high}")
            return None
        return int(raw)

    def date(self, node: Node, what: str) -> dt.date | None:
        raw = self._scalar(node, what)
        if raw is None:
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                pass
        self.error(node, f"{what} '{raw}' is not a date", "write it as YYYY-MM-DD, e.g. 2024-03-20")
        return None

    def boolean(self, node: Node, what: str) -> bool | None:
        raw = self._scalar(node, what)
        if raw is None:
            return None
        value = {"true": True, "false": False}.get(raw.lower())
        if value is None:
            self.error(node, f"{what} '{raw}' must be true or false")
        return value

    def list_of(self, fields: Fields, key: str) -> list[Node]:
        return self.items(fields[key], key) if key in fields else []

    def choice(self, node: Node, what: str, choices: tuple[C, ...]) -> C | None:
        """One of `choices`, typed as the choices are (a chart kind, a status)."""
        value = self._scalar(node, what)
        if value is None:
            return None
        chosen = next((choice for choice in choices if choice == value), None)
        if chosen is None:
            hint = did_you_mean(value, choices) or f"choose one of: {', '.join(choices)}"
            self.error(node, f"{what} '{value}' is unknown", hint)
        return chosen

    def labels(self, node: Node | None, what: str) -> tuple[str, ...]:
        if node is None:
            return ()
        labels = [self.text(n, f"{what} entry") for n in self.items(node, what)]
        return tuple(label for label in labels if label)

    # -- facts -----------------------------------------------------------

    def unfilled(self, node: Node, message: str, hint: str, *, todo: str) -> None:
        """Something a new edition has still to fill in: an error, or a warning in a draft."""
        self.problems.todo(self.at(node), message, hint, todo, draft=self.draft)

    def _fact_problem(self, where: Location, exc: FactError, shown: str) -> None:
        self.problems.error(where, f"failed to show {shown} ({exc.message})", exc.hint)

    def _at_reference(
        self, node: Node, written: tuple[int, int] | None, text: str | None
    ) -> Location:
        # Only for a failing reference: following a text back to its lines costs a pass over it.
        return self.within(node, *written, text) if written else self.at(node)

    def resolve(
        self, node: Node, spans: tuple[Span, ...], text: str | None = None
    ) -> tuple[Span, ...] | None:
        """Replace every reference span's text with the fact it shows.

        `text` is the text the spans were parsed from: a failing reference is then
        reported where it is written, not at the start of the text.
        """
        resolved: list[Span] = []
        failed = False
        searched_from = 0
        for span in spans:
            if span.fact is None:
                resolved.append(span)
                continue
            found = -1 if text is None else _written_at(text, span.text, searched_from)
            written = (found, found + len(span.text)) if found >= 0 else None
            searched_from = written[1] if written else searched_from
            if self.facts is None:
                self.problems.error(
                    self._at_reference(node, written, text),
                    f"failed to show {span.text} (this edition has no facts)",
                    "declare the fact in facts.yaml beside edition.yaml",
                )
                failed = True
                continue
            try:
                shown = self.facts.render(span.fact, span.form)
            except FactError as exc:
                self._fact_problem(self._at_reference(node, written, text), exc, span.text)
                failed = True
                continue
            resolved.append(
                Span(
                    text=shown,
                    emphasis=span.emphasis,
                    strong=span.strong,
                    href=span.href,
                    fact=span.fact,
                    form=span.form,
                    placeholder=self.facts.waits_for_value(span.fact, span.form),
                )
            )
        return None if failed else tuple(resolved)

    def reference(self, node: Node) -> tuple[str, str] | None:
        """The fact a number field refers to: `{name}` (a one-key YAML mapping) or "{name:form}"."""
        if isinstance(node, MappingNode) and len(node.value) == 1:
            key, value = node.value[0]
            if (
                isinstance(key, ScalarNode)
                and isinstance(value, ScalarNode)
                and value.tag == NULL_TAG
            ):
                match = REFERENCE.fullmatch("{" + key.value + "}")
                return (match.group(1), match.group(2) or "value") if match else None
        if isinstance(node, ScalarNode):
            match = REFERENCE.fullmatch(node.value.strip())
            return (match.group(1), match.group(2) or "value") if match else None
        return None

    def quantity(self, node: Node, what: str) -> tuple[Decimal | None, Fact | None]:
        """A number written out or taken from a fact; (None, fact) for an unfilled fact in a draft."""
        reference = self.reference(node)
        if reference is None:
            return self.number(node, what), None
        name, form = reference
        shown = "{" + name + ("" if form == "value" else ":" + form) + "}"
        if self.facts is None:
            self.error(
                node,
                f"failed to show {shown} (this edition has no facts)",
                "declare the fact in facts.yaml beside edition.yaml",
            )
            return None, None
        try:
            fact = self.facts.fact(name)
            if form in ("value", "number"):
                return self.facts.value(name), fact
            if form == "previous":
                value = self.facts.previous_value(name)
                earlier = self.facts.previous.get(name) if self.facts.previous else None
                return value, earlier or fact  # last year's value carries last year's status
            raise FactError(
                f"a number field shows a fact's value or previous value, not its {form}",
                "write {" + name + "} or {" + name + ":previous}",
            )
        except FactError as exc:
            if exc.unfilled:  # reported once, in facts.yaml
                return None, self.facts.current.get(name) if self.facts.current else None
            self._fact_problem(self.at(node), exc, shown)
            return None, None

    def optional(
        self, fields: Fields, key: str, read: Callable[[Node, str], T | None], what: str
    ) -> T | None:
        node = fields.get(key)
        return None if node is None else read(node, what)


def _written_at(text: str, reference: str, start: int) -> int:
    """Where a reference such as '{x}' is written in text from `start` on, skipping an
    escaped '\\{x}' (which the inline syntax shows as it is); -1 when it is not there."""
    found = text.find(reference, start)
    while found > 0 and text[found - 1] == "\\":
        found = text.find(reference, found + 1)
    return found


def describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a set of keys"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the value '{node.value}'"


def quote_hint(node: Node) -> str:
    if isinstance(node, MappingNode) and len(node.value) == 1:
        return "a text containing ': ' must be put between quotes"
    return ""
