"""Reading YAML files into position-carrying nodes, with YAML's traps closed.

Values are never constructed by PyYAML: the loader walks the composed node
graph itself, so that a plain `no` where text is meant stays the text "no",
`1:20` is not read as 80, and every value keeps its file, line and column.
Anchors, aliases and tags are refused: content has no use for them and they
are the door to alias bombs and object construction.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rapport.content import sources
from rapport.diagnostics import Location, Problems
from rapport.libs import pyyaml

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 24
STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}
NULL_TAG = "tag:yaml.org,2002:null"

__all__ = [
    "MappingNode",
    "Node",
    "ScalarNode",
    "SequenceNode",
    "YamlFile",
    "cut_by_comment",
    "read_yaml",
    "read_yaml_text",
    "split_by_comma_hint",
]


class _RefusedConstruct(yaml.YAMLError):
    def __init__(self, mark: Any, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.hint = hint


class _Guard:
    """A composer that refuses aliases, anchors and deep nesting."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, AliasEvent):
            raise _RefusedConstruct(
                event.start_mark,
                f"failed to read alias '*{event.anchor}' (aliases are not supported)",
                "write the value out in full where it is needed",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _RefusedConstruct(
                event.start_mark,
                f"failed to read anchor '&{anchor}' (anchors are not supported)",
                "remove the '&' name; write the value out in full where it is needed",
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _RefusedConstruct(
                    event.start_mark,
                    f"content is nested more than {MAX_DEPTH} levels deep",
                    "flatten the structure; lists nest at most a few levels",
                )
            node: Node | None = super().compose_node(parent, index)  # type: ignore[misc]
            written_tag = getattr(event, "tag", None)
            if node is not None and written_tag is not None:  # even '!!str' or a bare '!'
                node.written_tag = written_tag  # type: ignore[attr-defined]
            if isinstance(node, ScalarNode) and not node.style:
                node.style = None  # libyaml says '' for a plain scalar, PyYAML None: `~` is null
            return node
        finally:
            self._depth -= 1


class _ContentLoader(_Guard, pyyaml.ComposingLoader):  # type: ignore[misc]
    """PyYAML's safe loader (with libyaml's parser), composed by the guarded composer."""


def _loader(text: str) -> Any:
    return pyyaml.start_loader(_ContentLoader, text)


@dataclass(frozen=True)
class YamlFile:
    path: Path
    root: Node | None
    text: str = ""  # the file's text, to see what YAML itself leaves out (comments, commas)

    def location(self, node: Node) -> Location:
        return node_location(self.path, node)

    def comment_after(self, node: Node) -> tuple[Location, str] | None:
        """The comment that cuts a plain text short: `Wij zijn #1` reads as "Wij zijn".

        A plain (unquoted) scalar ends where ' #' starts a comment on its last line;
        returns where that '#' is and the comment's text, or None.
        """
        if not isinstance(node, ScalarNode) or node.style is not None or not node.value:
            return None
        end = node.end_mark
        match = _TRAILING_COMMENT.match(self.text, end.index)
        if match is None:
            return None
        column = end.column + match.start("comment") - end.index
        return Location(self.path, end.line + 1, column + 1), match.group("comment").rstrip()

    def decimal_comma(self, node: Node) -> str:
        """'500,5' when a list or set of keys written between [ ] or { } holds a number with a
        decimal comma, which YAML splits in two there; '' otherwise."""
        if not isinstance(node, SequenceNode | MappingNode) or not node.flow_style:
            return ""
        match = _DECIMAL_COMMA.search(self.text, node.start_mark.index, node.end_mark.index)
        return match.group() if match else ""

    def lone_decimal_comma(self, node: Node) -> str:
        """'1,5' in [1,5, 2, 3]: a list whose items are separated by ', ' that also has a
        comma with no space, most likely a decimal comma that split one value in two."""
        number = self.decimal_comma(node)
        written = self.text[node.start_mark.index : node.end_mark.index]
        return number if number and re.search(r",\s", written) else ""


# A comment after a plain scalar: YAML requires a space (or tab) before its '#'.
_TRAILING_COMMENT = re.compile(r"[ \t]+(?P<comment>#[^\n\r\x85\u2028\u2029]*)")
# A decimal comma between digits, as in [500,5]: not between quotes ('…' or "…").
_DECIMAL_COMMA = re.compile(r"(?<![\w.'\"])\d+,\d+(?![\w.'\"])")


def cut_by_comment(what: str, comment: str) -> tuple[str, str]:
    """(message, hint) for a text that a ' #' comment cut short."""
    shown = comment if len(comment) <= 30 else comment[:29] + "…"
    return (
        f"{what} stops before '{shown}': after a space, '#' starts a comment, which is left out",
        "put the text between quotes, or write '#' without a space before it",
    )


def split_by_comma_hint(number: str) -> str:
    """The hint for a value that a decimal comma split in two between [ ] or { }; '' for none."""
    if not number:
        return ""
    whole, decimals = number.split(",", 1)
    return (
        f"between [ ] or {{ }} a comma separates items, so {number} is read as {whole} and"
        f" {decimals}: write {whole}.{decimals}, or put it between quotes ('{number}')"
    )


def node_location(path: Path, node: Node) -> Location:
    start, end = node.start_mark, node.end_mark
    one_line = end is not None and end.line == start.line and end.column > start.column
    return Location(path, start.line + 1, start.column + 1, end.column + 1 if one_line else 0)


def read_yaml(path: Path, problems: Problems, *, root: Path | None = None) -> YamlFile | None:
    """Compose one YAML file; on failure record a problem and return None.

    With `root`, the file (after following links) must lie inside that folder.
    Only regular files are read, and never more than the size limit: a link to
    a device or a pipe cannot make a build hang or fill the memory.
    """
    here = Location(path)
    try:
        if root is not None and not (target := path.resolve()).is_relative_to(root.resolve()):
            problems.error(  # the target's name only, never its text
                here,
                f"file lies outside the project folder (a link leads it to {target})",
                "copy the file into the project instead of linking to it",
            )
            return None
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            problems.error(here, "failed to read file (it is not a regular file)")
            return None
        data = b""
        if status.st_size <= MAX_FILE_BYTES:
            with path.open("rb") as stream:
                data = stream.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: a link loop
        problems.error(here, f"failed to read file ({getattr(exc, 'strerror', None) or exc})")
        return None
    if status.st_size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        size = max(status.st_size, len(data))
        problems.error(
            here,
            f"file is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})",
            "split the chapter into smaller files",
        )
        return None
    sources.remember(path, data.decode("utf-8-sig", errors="replace"))  # shown under problems
    text = _decode(path, data, problems)
    if text is None:
        return None
    if not text.strip():
        problems.error(here, "file is empty", "write the content, or remove the file")
        return None
    return _compose(path, text, problems)


def read_yaml_text(path: Path, text: str, problems: Problems) -> YamlFile | None:
    """Compose YAML text already in memory (such as a file about to be rewritten), with
    the same guards as `read_yaml`; `path` only names it in problems."""
    sources.remember(path, text)
    if not _no_control_characters(path, text, problems):
        return None
    return _compose(path, text, problems)


def _decode(path: Path, data: bytes, problems: Problems) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        problems.error(
            Location(path, line, column),
            "failed to read file (it is not UTF-8 text)",
            "save the file with UTF-8 encoding in your editor",
        )
        return None
    return text if _no_control_characters(path, text, problems) else None


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _no_control_characters(path: Path, text: str, problems: Problems) -> bool:
    """Control characters (often pasted from a word processor) are refused before YAML sees them."""
    found = False
    for line_number, line in enumerate(text.split("\n"), 1):
        for match in _CONTROL.finditer(line):
            problems.error(
                Location(path, line_number, match.start() + 1),
                f"text contains the control character U+{ord(match.group()):04X}",
                "delete it and retype the text around it; it may have been pasted from elsewhere",
            )
            found = True
    return not found


def _compose(path: Path, text: str, problems: Problems) -> YamlFile | None:
    loader = _loader(text)
    try:
        root = loader.get_single_node()
    except _RefusedConstruct as exc:
        problems.error(_mark_location(path, exc.mark), exc.message, exc.hint)
        return None
    except yaml.MarkedYAMLError as exc:
        unclosed = _unclosed(text, exc)
        if unclosed is not None:
            problems.error(_mark_location(path, exc.context_mark), *unclosed)
            return None
        mark = exc.problem_mark or exc.context_mark
        cause = _cause(exc.problem or exc.context or "malformed YAML", text, mark)
        hint = _special_start_hint(text, exc.context_mark, mark) or _yaml_hint(cause)
        problems.error(_mark_location(path, mark), f"failed to read YAML ({cause})", hint)
        return None
    except yaml.YAMLError as exc:
        problems.error(Location(path), f"failed to read YAML ({exc})")
        return None
    except (ValueError, OverflowError):  # PyYAML's chr() of an escape such as "\U99999999"
        problems.error(
            _mark_location(path, loader.get_mark()),
            "failed to read YAML (an escape such as '\\U…' names no character)",
            "write the character itself, or remove the backslash",
        )
        return None
    finally:
        loader.dispose()
    if root is None:
        problems.error(Location(path), "file is empty", "write the content, or remove the file")
        return None
    _check_tags(path, root, problems)
    return YamlFile(path, root, text)


def _check_tags(path: Path, root: Node, problems: Problems) -> None:
    stack = [root]
    while stack:
        node = stack.pop()
        written = getattr(node, "written_tag", None)
        if node.tag not in STANDARD_TAGS or written is not None:
            problems.error(
                node_location(path, node),
                f"failed to read value (the tag '{written or node.tag}' is not supported)",
                "remove the '!' tag; content is plain text, numbers, lists and keys",
            )
        if isinstance(node, ScalarNode) and (control := _CONTROL.search(node.value)):
            problems.error(  # an escape such as "\N" or "\x07": the file itself is clean
                node_location(path, node),
                f"text contains the control character U+{ord(control.group()):04X}"
                " (written as an escape)",
                "remove the backslash escape; for a new line start a new paragraph or item",
            )
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


_CLOSERS = {"[": "]", "{": "}"}


def _unclosed(text: str, exc: yaml.MarkedYAMLError) -> tuple[str, str] | None:
    """(message, hint) for a quote or bracket that is never closed, or None.

    YAML notices only where the file (or the next line) ends, far below the
    mistake: the message is given at the quote or bracket that opened.
    """
    opened, problem = exc.context_mark, exc.problem or ""
    if opened is None or not 0 <= opened.index < len(text):
        return None
    opener = text[opened.index]
    if (exc.context or "").startswith("while scanning a quoted scalar") and (
        "end of stream" in problem or "document separator" in problem
    ):
        shown, inside = (
            ('"\'"', "written twice ('')") if opener == "'" else ("'\"'", 'written as \\"')
        )
        return (
            f"failed to read YAML (the quote {shown} that opens this text is never closed)",
            f"end the text with a second {shown}; a {shown} inside the text is {inside}",
        )
    closer = _CLOSERS.get(opener)
    line_end = text.find("\n", opened.index)
    rest_of_line = text[opened.index : len(text) if line_end < 0 else line_end]
    if (
        closer is not None
        and (exc.context or "").startswith("while parsing a flow")
        and f"expected ',' or '{closer}'" in problem
        and closer not in rest_of_line
    ):
        return (
            f"failed to read YAML (the '{opener}' on this line is never closed with '{closer}')",
            f"add the '{closer}'; if the '{opener}' belongs to the text, put the whole text"
            " between quotes",
        )
    return None


def _mark_location(path: Path, mark: Any) -> Location:
    if mark is None:
        return Location(path)
    return Location(path, mark.line + 1, mark.column + 1)


_SPECIAL_START = re.compile(r"^\s*(?:-\s+)?(?:[^\s:#][^:#]*:\s+)?([\[\]{}*&!|>%@`])")


def _special_start_hint(text: str, *marks: Any) -> str:
    """A value starting with a character YAML reserves ('[', '*', '&', …) must be quoted."""
    lines = text.split("\n")
    for mark in marks:
        if mark is not None and mark.line < len(lines):
            match = _SPECIAL_START.match(lines[mark.line])
            if match and match.group(1) not in "|>":
                return f"a text that starts with '{match.group(1)}' must be put between quotes"
    return ""


def _cause(cause: str, text: str, mark: Any) -> str:
    """libyaml leaves out the character it stumbled on; name it, as PyYAML does."""
    if (
        cause == "found character that cannot start any token"
        and mark is not None
        and mark.index < len(text)
    ):
        return f"found character {text[mark.index]!r} that cannot start any token"
    return cause


def _yaml_hint(cause: str) -> str:
    if "'\\t'" in cause:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in cause:
        return "a text containing ': ' must be put between quotes, or written as a '>-' block"
    if "expected <block end>" in cause or "did not find expected" in cause:
        return "check the indentation: items of one list or mapping start in the same column"
    if "expected alphabetic or numeric character" in cause:
        return "a text that starts with '*' or '&' must be put between quotes"
    if "found undefined alias" in cause or "found character '@'" in cause or "'`'" in cause:
        return "put the text between quotes"
    return ""


def unique_entries(
    node: MappingNode, what: str, report: Callable[[Node, str, str], None]
) -> Iterator[tuple[str, Node, Node]]:
    """(key, key node, value node) of a mapping; a repeated key is reported, then skipped.

    `what` names a key in messages, with {} where the key goes: "fact '{}'". PyYAML
    keeps the last of two equal keys in silence; content and theme files say so.
    """
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else "?"
        if key in first_line:
            report(
                key_node,
                f"duplicate {what.format(key)}",
                f"the first '{key}' is at line {first_line[key]}; keep one of them",
            )
            continue
        first_line[key] = key_node.start_mark.line + 1
        yield key, key_node, value_node
