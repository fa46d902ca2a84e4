"""The theme: fonts, colours, sizes and margins, read from a YAML file staff can edit."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from rapport.content.yamlsource import (
    MappingNode,
    ScalarNode,
    SequenceNode,
    YamlFile,
    read_yaml,
    unique_entries,
)
from rapport.diagnostics import Location, Problems, did_you_mean
from rapport.paths import link_outside
from rapport.theme.fonts import font_facts

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class PageTheme:
    margin_top: float = 24
    margin_bottom: float = 22
    margin_inner: float = 30
    margin_outer: float = 30


@dataclass(frozen=True)
class FontTheme:
    regular: str = "fonts/Lato-Regular.ttf"
    italic: str = "fonts/Lato-Italic.ttf"
    bold: str = "fonts/Lato-Bold.ttf"
    bold_italic: str = "fonts/Lato-BoldItalic.ttf"
    display: str = "fonts/Lato-Black.ttf"


@dataclass(frozen=True)
class ColourTheme:
    primary: str = "#0E6470"
    primary_dark: str = "#0A3D44"
    accent: str = "#E39B2D"
    text: str = "#1E2A32"
    muted: str = "#5F6D77"
    tile: str = "#E5F0F0"
    callout: str = "#FBF3E6"
    rule: str = "#CFD8DD"
    cover: str = "#0E6470"
    cover_text: str = "#FFFFFF"


@dataclass(frozen=True)
class SizeTheme:
    body: float = 10.5
    leading: float = 15
    small: float = 8.5
    heading1: float = 28
    heading2: float = 15
    heading3: float = 11.5
    figure: float = 28


@dataclass(frozen=True)
class TextTheme:
    align: str = "justify"
    hyphenate: bool = True
    # How much wider, in percent, the glyphs of a justified line may be set so that its
    # word spaces need stretch less (font expansion, as pdfTeX's microtype: 2% is unseen).
    expansion: float = 2


# Words whose break points the Dutch dictionary gets wrong, written with their
# only allowed breaks as hyphens, and names never to break (their words are joined
# by no-break spaces, so a line never ends inside them either).
DEFAULT_EXCEPTIONS = ("kranten-kiosk", "kranten-archief", "bibliotheek-systeem")
DEFAULT_KEEP_WHOLE = (
    "Bibster",
    "Bieblo",
    "Cinébib",
    "Wise",
    "Fundels",
    "cloudLibrary",
    "Piwik",
    "Vlacc",
    "Cultuurconnect",
    "Mijn Bibliotheek",
    "Bib Analytics",
    "Wise Analytics",
    "Google Analytics",
    "Piwik Pro",
    "Open Vlacc",
)


@dataclass(frozen=True)
class HyphenationTheme:
    exceptions: tuple[str, ...] = DEFAULT_EXCEPTIONS
    keep_whole: tuple[str, ...] = DEFAULT_KEEP_WHOLE


@dataclass(frozen=True)
class Theme:
    root: Path
    page: PageTheme = PageTheme()
    fonts: FontTheme = FontTheme()
    colours: ColourTheme = ColourTheme()
    sizes: SizeTheme = SizeTheme()
    text: TextTheme = TextTheme()
    hyphenation: HyphenationTheme = HyphenationTheme()

    def font_path(self, face: str) -> Path:
        return self.root / str(getattr(self.fonts, face))


_GROUPS = ("page", "fonts", "colours", "sizes", "text", "hyphenation")
# An exception: letters, with a hyphen at each allowed break ("kranten-kiosk").
_EXCEPTION = re.compile(r"^[^\W\d_]+(-[^\W\d_]+)+$")
# A name kept whole: letters, digits and single spaces between its words.
_NAME = re.compile(r"^[^\W_]+( [^\W_]+)*$")

# The page is A4; margins are in millimetres, sizes in points.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210.0, 297.0
POINTS_PER_MM = 72 / 25.4

# What the layout can really draw. The header sits 9 mm above the text block and the
# footer 11 mm below it, so smaller top and bottom margins push them off the sheet;
# below 10 mm at the sides a printer cuts the text. The text block keeps at least 60%
# of the page, so that the widest table, chart and tile row of the limits still fit.
MIN_TEXT_WIDTH_MM = 126.0
MIN_TEXT_HEIGHT_MM = 178.0
RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "page": {
        "margin_top": (15, 100),
        "margin_bottom": (15, 100),
        "margin_inner": (10, 74),
        "margin_outer": (10, 74),
    },
    "sizes": {
        "body": (7, 14),
        "leading": (7, 28),
        "small": (5, 12),
        "heading1": (14, 48),
        "heading2": (9, 32),
        "heading3": (7, 24),
        "figure": (12, 48),
    },
    "text": {"expansion": (0, 4)},
}
_UNITS = {"page": "mm", "sizes": "pt", "text": "%"}
_NUMBER = re.compile(r"^[+-]?[0-9]+([.,][0-9]+)?$")


def text_width(theme: Theme) -> float:
    """The width of the text block (the column all blocks share), in points."""
    page = theme.page
    return (PAGE_WIDTH_MM - page.margin_inner - page.margin_outer) * POINTS_PER_MM


def text_height(theme: Theme) -> float:
    """The height of the text block of a body page, in points."""
    page = theme.page
    return (PAGE_HEIGHT_MM - page.margin_top - page.margin_bottom) * POINTS_PER_MM


def load_theme(path: Path, root: Path, problems: Problems) -> Theme:
    """Read a theme file over the defaults; unknown keys and bad values are problems.

    Without a theme file the defaults hold, and their fonts are checked all the same:
    a font missing from fonts/ is a content problem, never a failure of the PDF writer.
    """
    theme = Theme(root=root)
    if not os.path.lexists(path):  # a pipe or a folder there is reported by read_yaml
        _check_fonts(theme, None, problems)
        return theme
    source = read_yaml(path, problems, root=root)  # never a file elsewhere
    if source is None or source.root is None:
        return theme
    if not isinstance(source.root, MappingNode):
        problems.error(
            source.location(source.root),
            "a theme must be a set of groups",
            f"groups: {', '.join(_GROUPS)}",
        )
        return theme
    written: dict[str, Location] = {}  # "group.key": where the file sets it

    def report(node: Any, message: str, hint: str) -> None:
        problems.error(source.location(node), message, hint)

    for _, key_node, value_node in unique_entries(source.root, "theme group '{}'", report):
        group = _key_name(source, key_node, "theme group", problems, "page:")
        if group is None:
            continue
        if group not in _GROUPS:
            problems.error(
                source.location(key_node),
                f"unknown theme group '{group}'",
                did_you_mean(group, _GROUPS) or f"groups: {', '.join(_GROUPS)}",
            )
            continue
        updated = _read_group(source, getattr(theme, group), value_node, group, problems, written)
        theme = replace(theme, **{group: updated})
    _check_together(theme, written, Location(path), problems)
    _check_fonts(theme, Location(path), problems)
    return theme


def _key_name(
    source: YamlFile, node: Any, what: str, problems: Problems, example: str = "margin_top: 24"
) -> str | None:
    """A key's name; a list or a set of keys written as a key is a problem, not a crash."""
    if isinstance(node, ScalarNode):
        return str(node.value)
    problems.error(
        source.location(node),
        f"a {what} must be a name, not a {'list' if isinstance(node, SequenceNode) else 'set of keys'}",
        f"write the name followed by a colon, e.g. {example}",
    )
    return None


def _read_group(
    source: YamlFile,
    defaults: Any,
    node: Any,
    group: str,
    problems: Problems,
    written: dict[str, Location],
) -> Any:
    if not isinstance(node, MappingNode):
        problems.error(
            source.location(node),
            f"theme group '{group}' must be a set of keys",
            f"write each key on its own line under {group}:, indented",
        )
        return defaults
    known = {f.name: f for f in fields(defaults)}
    changes: dict[str, Any] = {}

    def report(duplicate: Any, message: str, hint: str) -> None:
        problems.error(source.location(duplicate), message, hint)

    what = f"key '{{}}' in theme group '{group}'"
    for _, key_node, value_node in unique_entries(node, what, report):
        key = _key_name(source, key_node, "theme key", problems)
        if key is None:
            continue
        if key not in known:
            problems.error(
                source.location(key_node),
                f"unknown key '{key}' in theme group '{group}'",
                did_you_mean(key, known) or f"keys: {', '.join(known)}",
            )
            continue
        where = source.location(value_node)
        if group == "hyphenation":
            changes[key] = _words(source, key, value_node, problems)
            written[f"{group}.{key}"] = where
            continue
        value = _value(str(known[key].type), group, key, value_node, where, problems)
        if value is not None:
            changes[key] = value
            written[f"{group}.{key}"] = where
    return replace(defaults, **changes)


def _value(kind: str, group: str, key: str, node: Any, where: Location, problems: Problems) -> Any:
    """The value of one theme key, or None after reporting why it cannot be used."""
    if kind == "float":
        return _number(group, key, node, where, problems)
    value = _convert(kind, group, node)
    if value is None:
        problems.error(where, f"theme value '{group}.{key}' is not valid", _hint(group, key))
    return value


def _words(source: YamlFile, key: str, node: Any, problems: Problems) -> tuple[str, ...]:
    """The words of a hyphenation list; a word that cannot be used is reported and left out."""
    if not isinstance(node, SequenceNode):
        problems.error(
            source.location(node),
            f"theme value 'hyphenation.{key}' must be a list",
            f"write the words between brackets, e.g. {key}: [{_WORD_EXAMPLES[key]}]",
        )
        return ()
    words: list[str] = []
    for item in node.value:
        word = item.value.strip() if isinstance(item, ScalarNode) else None
        if word is not None and (_EXCEPTION if key == "exceptions" else _NAME).match(word):
            words.append(word)
            continue
        shown = f"'{word}'" if word else "empty" if word is not None else "not a word"
        problems.error(
            source.location(item),
            f"theme value 'hyphenation.{key}' has an unusable entry ({shown})",
            _WORD_HINTS[key],
        )
    return tuple(words)


_WORD_EXAMPLES = {"exceptions": "kranten-kiosk", "keep_whole": "Bibster, Mijn Bibliotheek"}
_WORD_HINTS = {
    "exceptions": "write the word with a hyphen at each place it may break, e.g. kranten-kiosk",
    "keep_whole": "write a name of letters and digits, its words separated by one space,"
    " e.g. Mijn Bibliotheek",
}


def _number(group: str, key: str, node: Any, where: Location, problems: Problems) -> float | None:
    low, high = RANGES[group][key]
    unit = _UNITS[group]
    hint = f"write a number from {low:g} to {high:g} ({unit})"
    raw = node.value.strip() if isinstance(node, ScalarNode) else ""
    if not _NUMBER.match(raw):
        shown = f"'{raw}'" if raw else "empty" if isinstance(node, ScalarNode) else "a list"
        if isinstance(node, MappingNode):
            shown = "a set of keys"
        problems.error(where, f"theme value '{group}.{key}' is not a number ({shown})", hint)
        return None
    number = float(raw.replace(",", "."))
    if not low <= number <= high:
        problems.error(
            where,
            f"theme value '{group}.{key}' is out of range ({raw} {unit}; from {low:g} to {high:g})",
            hint,
        )
        return None
    return number


def _check_together(
    theme: Theme, written: dict[str, Location], where: Location, problems: Problems
) -> None:
    """Values fine alone can still leave no room: a text block too small, lines that overlap."""
    page = theme.page
    width = PAGE_WIDTH_MM - page.margin_inner - page.margin_outer
    if width < MIN_TEXT_WIDTH_MM:
        problems.error(
            _blamed(theme, written, where, "page", "margin_inner", "margin_outer"),
            f"the side margins leave a text block of {width:g} mm"
            f" (at least {MIN_TEXT_WIDTH_MM:g} mm of the page's {PAGE_WIDTH_MM:g} mm)",
            f"make margin_inner and margin_outer together at most"
            f" {PAGE_WIDTH_MM - MIN_TEXT_WIDTH_MM:g} mm",
        )
    height = PAGE_HEIGHT_MM - page.margin_top - page.margin_bottom
    if height < MIN_TEXT_HEIGHT_MM:
        problems.error(
            _blamed(theme, written, where, "page", "margin_top", "margin_bottom"),
            f"the top and bottom margins leave a text block of {height:g} mm"
            f" (at least {MIN_TEXT_HEIGHT_MM:g} mm of the page's {PAGE_HEIGHT_MM:g} mm)",
            f"make margin_top and margin_bottom together at most"
            f" {PAGE_HEIGHT_MM - MIN_TEXT_HEIGHT_MM:g} mm",
        )
    sizes = theme.sizes
    if sizes.leading < sizes.body:
        problems.error(
            _first_written(written, where, "sizes", "leading", "body"),
            f"the leading ({sizes.leading:g} pt) is smaller than the body text ({sizes.body:g} pt):"
            " lines would overlap",
            f"make leading at least {sizes.body:g}, e.g. {sizes.body * 1.4:g}",
        )
    if sizes.small > sizes.body:
        problems.error(
            _first_written(written, where, "sizes", "small", "body"),
            f"the small text ({sizes.small:g} pt) is larger than the body text ({sizes.body:g} pt)",
            f"make small at most {sizes.body:g}",
        )


def _blamed(
    theme: Theme, written: dict[str, Location], where: Location, group: str, *keys: str
) -> Location:
    """Where to report a clash of `keys`: the largest of them that the file sets."""
    values = getattr(theme, group)
    set_here = [k for k in keys if f"{group}.{k}" in written]
    if not set_here:  # the defaults agree, so this is only a safeguard
        return where
    largest = max(set_here, key=lambda k: float(getattr(values, k)))
    return written[f"{group}.{largest}"]


def _first_written(
    written: dict[str, Location], where: Location, group: str, *keys: str
) -> Location:
    """Where to report a clash of sizes: the first of `keys` (the one that depends) set here."""
    return next((written[f"{group}.{k}"] for k in keys if f"{group}.{k}" in written), where)


def _convert(kind: str, group: str, node: Any) -> Any:
    if not isinstance(node, ScalarNode):
        return None
    raw = node.value.strip()
    if kind == "bool":
        return {"true": True, "false": False}.get(raw.lower())
    if group == "colours" and not _COLOUR.match(raw):
        return None
    if group == "text" and raw not in ("justify", "left"):
        return None
    return raw or None


def _hint(group: str, key: str) -> str:
    return {
        "colours": 'write a colour as "#RRGGBB", between quotes',
        "text": "align is justify or left; hyphenate is true or false",
        "fonts": "name a TrueType file under fonts/",
    }.get(group, "")


def _check_fonts(theme: Theme, where: Location | None, problems: Problems) -> None:
    """Every face must be an intact TrueType file under fonts/; without a theme file
    (`where` None) a problem is reported at the font file the default names."""
    if (elsewhere := link_outside(theme.root / "fonts", theme.root)) is not None:
        problems.error(
            where or Location(theme.root / "fonts"),
            f"fonts/ lies outside the project folder (a link leads it to {elsewhere})",
            "make fonts/ a real folder inside the project, with the .ttf files in it",
        )
        return
    fonts_dir = (theme.root / "fonts").resolve()
    for face in fields(theme.fonts):
        written = theme.font_path(face.name)
        at = where or Location(written)
        try:
            problem = _font_problem(theme.root, fonts_dir, face.name, written)
        except (OSError, ValueError, RuntimeError) as exc:  # a NUL, a name too long, a link loop
            problem = (
                f"font file for '{face.name}' cannot be opened ({_reason(exc)})",
                "name a TrueType file under fonts/",
            )
        if problem:
            problems.error(at, *problem)


def _font_problem(root: Path, fonts_dir: Path, face: str, written: Path) -> tuple[str, str] | None:
    path = written.resolve()
    if not path.is_relative_to(fonts_dir):
        return f"font '{face}' must be a file under fonts/, not '{path}'", ""
    if not path.is_file():
        return (
            f"font file for '{face}' is missing ({path.name})",
            "put the .ttf file in fonts/, or name another one in theme/theme.yaml",
        )
    if path.suffix.lower() != ".ttf":
        return f"font '{face}' must be a TrueType (.ttf) file", ""
    if damage := font_facts(path, root).damage:
        return (
            f"font file for '{face}' cannot be read ({damage})",
            f"put an intact copy of {path.name} in fonts/",
        )
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc).lower() or type(exc).__name__
