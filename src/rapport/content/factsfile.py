"""Editing the values in a facts.yaml text in place.

Staff read the diff of facts.yaml, so an edit changes only the values it is
asked to change: comments, order, quoting and every other key stay byte for
byte. The edits are made at the positions of the YAML nodes, never by writing
the whole file out again.

A fact has one of three shapes:

    wise.migraties.2023: 4                              # bare: only a value
    ebooks.titels: {value: 15000, unit: titels}         # flow mapping
    ebooks.uitleningen:                                 # block mapping
      value:  # 2023: 580.000
      unit: uitleningen

An emptied flow fact is rewritten as a block mapping (an empty value inside
braces is easy to miss and awkward to fill in); nothing else changes shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rapport.content.yamlsource import MappingNode, Node, ScalarNode, SequenceNode, read_yaml_text
from rapport.diagnostics import Problems, did_you_mean, display_path

VALUE_KEY = "value"
INDENT = "  "
_BOM = "\ufeff"
# facts.yaml reads "1.234" as ambiguous (thousands or decimals?): see Reader.number
_AMBIGUOUS = re.compile(r"^-?[1-9]\d{0,2}([.,]\d{3})+$")
_MAX_MAGNITUDE = Decimal(10) ** 15


class FactsFileError(ValueError):
    """facts.yaml cannot be edited as asked; `message` and `hint` are shown to the user."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def format_fact_value(value: Decimal) -> str:
    """A value as facts.yaml writes it: 1852354, 6.5, -2.25; no separators, no exponent.

    The decimals the Decimal has are kept (6.50 stays 6.50): the report prints
    every written decimal.
    """
    if not value.is_finite():
        raise FactsFileError(f"value {value} is not a number")
    if abs(value) >= _MAX_MAGNITUDE:
        raise FactsFileError(
            f"value {value} is too large", "numbers in a report stay below a million billion"
        )
    text = format(value.copy_abs() if value.is_zero() else value, "f")
    if _AMBIGUOUS.match(text):
        raise FactsFileError(
            f"value {text} cannot be written in facts.yaml: three decimals read as a thousands separator",
            "round it to two decimals, or give it a fourth decimal",
        )
    return text


def set_fact_values(text: str, values: Mapping[str, Decimal | None], *, path: Path) -> str:
    """Return `text` with the value of each named fact replaced (None = emptied, i.e. `value:` with nothing after it). Everything else byte-identical."""
    document = _Document.parse(text, path)
    edits = [document.value_edit(name, value) for name, value in values.items()]
    return document.apply(edits)


def set_fact_comments(text: str, comments: Mapping[str, str], *, path: Path) -> str:
    """Return `text` with an end-of-line comment `# <comment>` on the line of each named fact's value (replacing an existing end-of-line comment there)."""
    document = _Document.parse(text, path)
    edits = [document.comment_edit(name, comment) for name, comment in comments.items()]
    return document.apply(edits)


@dataclass(frozen=True)
class _Edit:
    """Replace text[start:end] by `new`."""

    start: int
    end: int
    new: str


@dataclass(frozen=True)
class _Document:
    text: str  # without a byte order mark
    bom: str
    newline: str
    path: Path
    facts: dict[str, tuple[Node, Node]]  # name → (key node, value node), first of each name

    @classmethod
    def parse(cls, text: str, path: Path) -> _Document:
        bom = _BOM if text.startswith(_BOM) else ""
        body = text.removeprefix(_BOM)
        problems = Problems()
        source = read_yaml_text(path, body, problems)
        if source is None or not isinstance(source.root, MappingNode):
            first = problems.errors[0].render() if problems.errors else ""
            raise FactsFileError(
                f"failed to edit {display_path(path)} (it is not a set of 'name: value' lines)",
                first or "correct the file first: 'rapport check' shows what is wrong",
            )
        facts: dict[str, tuple[Node, Node]] = {}
        for key, value in source.root.value:
            if isinstance(key, ScalarNode):
                facts.setdefault(key.value, (key, value))
        newline = "\r\n" if "\r\n" in body else "\n"
        return cls(body, bom, newline, path, facts)

    def apply(self, edits: list[_Edit]) -> str:
        text = self.text
        for edit in sorted(edits, key=lambda e: e.start, reverse=True):  # later ones first
            text = text[: edit.start] + edit.new + text[edit.end :]
        return self.bom + text

    def fact(self, name: str) -> tuple[Node, Node]:
        if name not in self.facts:
            raise FactsFileError(
                f"fact '{name}' is not in {display_path(self.path)}",
                did_you_mean(name, self.facts) or "add it to facts.yaml first",
            )
        return self.facts[name]

    # -- values -----------------------------------------------------------

    def value_edit(self, name: str, value: Decimal | None) -> _Edit:
        key, node = self.fact(name)
        written = None if value is None else format_fact_value(value)
        if isinstance(node, ScalarNode):
            return self._scalar_edit(node, written)
        if not isinstance(node, MappingNode):
            raise FactsFileError(
                f"fact '{name}' in {display_path(self.path)} is a list, not a value",
                "write it as 'name: value' or as a mapping with 'value:'",
            )
        value_node = _child(node, VALUE_KEY)
        if value_node is None:
            return self._missing_value_edit(key, node, written)
        if not isinstance(value_node, ScalarNode):
            raise FactsFileError(
                f"the value of fact '{name}' in {display_path(self.path)} is not a number",
                "write a number after 'value:'",
            )
        if written is None and node.flow_style and not _is_empty(value_node):
            return self._flow_to_block(key, node)
        return self._scalar_edit(value_node, written)

    def _scalar_edit(self, node: ScalarNode, written: str | None) -> _Edit:
        start, end = node.start_mark.index, node.end_mark.index
        if written is None and _is_empty(node):
            return _Edit(start, start, "")
        if written is None:
            # the spaces between ':' and the value go with it: "value:  # 2023: 93" stays
            while start > 0 and self.text[start - 1] in " \t":
                start -= 1
            return _Edit(start, end, "")
        space = " " if start > 0 and self.text[start - 1] == ":" else ""
        return _Edit(start, end, space + written)

    def _missing_value_edit(self, key: Node, node: MappingNode, written: str | None) -> _Edit:
        if written is None:  # no value key: already empty
            return _Edit(node.start_mark.index, node.start_mark.index, "")
        if node.flow_style:
            after_brace = node.start_mark.index + 1
            separator = ", " if node.value else ""
            return _Edit(after_brace, after_brace, f"{VALUE_KEY}: {written}{separator}")
        first_key = node.value[0][0]
        line_start = self._line_start(first_key.start_mark.index)
        indent = " " * first_key.start_mark.column
        return _Edit(line_start, line_start, f"{indent}{VALUE_KEY}: {written}{self.newline}")

    def _flow_to_block(self, key: Node, node: MappingNode) -> _Edit:
        """`name: {value: 93, unit: x}` emptied becomes `name:` with one line per key."""
        start, end = node.start_mark.index, node.end_mark.index
        while start > 0 and self.text[start - 1] in " \t":
            start -= 1
        line_end = self._line_end(end)
        rest = self.text[end:line_end]  # an end-of-line comment, kept on the name's line
        indent = " " * key.start_mark.column + INDENT
        lines = []
        for child_key, child_value in node.value:
            written_key = self._single_line(child_key)
            if isinstance(child_key, ScalarNode) and child_key.value == VALUE_KEY:
                lines.append(f"{indent}{written_key}:")
            else:
                lines.append(f"{indent}{written_key}: {self._single_line(child_value)}")
        block = "".join(self.newline + line for line in lines)
        return _Edit(start, line_end, rest + block)

    def _single_line(self, node: Node) -> str:
        """A node's own text; a flow value spread over lines is joined onto one."""
        written = self.text[node.start_mark.index : node.end_mark.index]
        if "\n" not in written:
            return written
        if isinstance(node, SequenceNode):
            return "[" + ", ".join(self._single_line(item) for item in node.value) + "]"
        return " ".join(part.strip() for part in written.splitlines())

    # -- comments ---------------------------------------------------------

    def comment_edit(self, name: str, comment: str) -> _Edit:
        if "\n" in comment or "\r" in comment:
            raise FactsFileError(f"the comment for fact '{name}' must be one line")
        key, node = self.fact(name)
        anchor = self._value_end(key, node)
        line_end = self._line_end(anchor)
        rest = self.text[anchor:line_end]
        match = re.search(r"[ \t]*#", rest)
        start = anchor + (match.start() if match else len(rest.rstrip(" \t")))
        return _Edit(start, line_end, f"  # {comment}" if comment else "")

    def _value_end(self, key: Node, node: Node) -> int:
        """Where the text of the fact's value ends, on the line its comment belongs to."""
        if isinstance(node, MappingNode) and node.flow_style:
            return node.end_mark.index
        if isinstance(node, MappingNode):
            value_node = _child(node, VALUE_KEY)
            return self._after_colon(key) if value_node is None else value_node.end_mark.index
        if isinstance(node, SequenceNode) and not node.flow_style:
            return self._after_colon(key)
        return node.end_mark.index

    def _after_colon(self, key: Node) -> int:
        return self.text.index(":", key.end_mark.index) + 1

    # -- lines ------------------------------------------------------------

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _line_end(self, index: int) -> int:
        end = self.text.find("\n", index)
        end = len(self.text) if end < 0 else end
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end


def _child(node: MappingNode, key: str) -> Node | None:
    return next(
        (value for k, value in node.value if isinstance(k, ScalarNode) and k.value == key), None
    )


def _is_empty(node: ScalarNode) -> bool:
    return node.tag.endswith(":null") and not node.value.strip()
