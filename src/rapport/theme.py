"""The theme: fonts, colours, sizes and margins, read from a YAML file staff can edit."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .atomic import write_atomically
from .diagnostics import Location, Problems, did_you_mean
from .fontfiles import READER, font_damage
from .paths import CACHE_DIR
from .yamlsource import MappingNode, ScalarNode, YamlFile, read_yaml

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


@dataclass(frozen=True)
class Theme:
    root: Path
    page: PageTheme = PageTheme()
    fonts: FontTheme = FontTheme()
    colours: ColourTheme = ColourTheme()
    sizes: SizeTheme = SizeTheme()
    text: TextTheme = TextTheme()

    def font_path(self, face: str) -> Path:
        return self.root / str(getattr(self.fonts, face))


_GROUPS = ("page", "fonts", "colours", "sizes", "text")


def load_theme(path: Path, root: Path, problems: Problems) -> Theme:
    """Read a theme file over the defaults; unknown keys and bad values are problems."""
    theme = Theme(root=root)
    source = read_yaml(path, problems)
    if source is None or source.root is None:
        return theme
    if not isinstance(source.root, MappingNode):
        problems.error(
            source.location(source.root),
            "a theme must be a set of groups",
            f"groups: {', '.join(_GROUPS)}",
        )
        return theme
    for key_node, value_node in source.root.value:
        group = key_node.value
        if group not in _GROUPS:
            problems.error(
                source.location(key_node),
                f"unknown theme group '{group}'",
                did_you_mean(group, _GROUPS),
            )
            continue
        updated = _read_group(source, getattr(theme, group), value_node, group, problems)
        theme = replace(theme, **{group: updated})
    _check_fonts(theme, Location(path), problems)
    return theme


def _read_group(source: YamlFile, defaults: Any, node: Any, group: str, problems: Problems) -> Any:
    if not isinstance(node, MappingNode):
        problems.error(source.location(node), f"theme group '{group}' must be a set of keys")
        return defaults
    known = {f.name: f for f in fields(defaults)}
    changes: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in known:
            problems.error(
                source.location(key_node),
                f"unknown key '{key}' in theme group '{group}'",
                did_you_mean(key, known),
            )
            continue
        value = _convert(str(known[key].type), group, value_node)
        if value is None:
            problems.error(
                source.location(value_node),
                f"theme value '{group}.{key}' is not valid",
                _hint(group, key),
            )
        else:
            changes[key] = value
    return replace(defaults, **changes)


def _convert(kind: str, group: str, node: Any) -> Any:
    if not isinstance(node, ScalarNode):
        return None
    raw = node.value.strip()
    if kind == "bool":
        return {"true": True, "false": False}.get(raw.lower())
    if kind == "float":
        try:
            number = float(raw)
        except ValueError:
            return None
        return number if 0 < number < 500 else None
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
    }.get(group, "write a positive number")


def _check_fonts(theme: Theme, where: Location, problems: Problems) -> None:
    fonts_dir = (theme.root / "fonts").resolve()
    for face in fields(theme.fonts):
        path = theme.font_path(face.name).resolve()
        if not path.is_relative_to(fonts_dir):
            problems.error(where, f"font '{face.name}' must be a file under fonts/, not '{path}'")
        elif not path.is_file():
            problems.error(
                where,
                f"font file for '{face.name}' is missing ({path.name})",
                "put the .ttf file in fonts/",
            )
        elif path.suffix.lower() != ".ttf":
            problems.error(where, f"font '{face.name}' must be a TrueType (.ttf) file")
        elif damage := _checked_font(theme.root, path):
            problems.error(
                where,
                f"font file for '{face.name}' cannot be read ({damage})",
                f"put an intact copy of {path.name} in fonts/",
            )


_INTACT_FONTS = CACHE_DIR / "fonts-intact.json"


def _checked_font(root: Path, path: Path) -> str:
    """Why a font cannot be used, or ''; a font found intact is not decoded again
    until its file changes (decoding the five faces costs more than a page)."""
    info = path.stat()
    stamp = f"{READER}:{path.name}:{info.st_size}:{info.st_mtime_ns}"
    store = root / _INTACT_FONTS
    try:
        intact = set(json.loads(store.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        intact = set()
    if stamp in intact:
        return ""
    damage = font_damage(path)
    if not damage:
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            write_atomically(store, json.dumps(sorted(intact | {stamp})).encode())
    return damage
