"""The files an edition is made from: content, the previous edition's facts, images,
icons, the theme and its fonts.

The archive records them (rapport.archive.record), `rapport watch` watches
them, and a PDF made from the very same files is reused (rapport.pdf.reuse).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from rapport.assets import icon_path, resolve_image
from rapport.content.model import Edition, Image
from rapport.content.walk import edition_nodes
from rapport.paths import THEME_FILE
from rapport.theme import Theme


@dataclass(frozen=True)
class Input:
    """A file the build reads: its place in the project and what it is for."""

    path: str  # POSIX, relative to the project folder
    role: str  # content, image, icon, theme or font
    archived: bool = True  # fonts are recorded by hash and taken from fonts/


def collect_inputs(edition: Edition, theme: Theme, root: Path) -> list[Input]:
    """Every file of the project that the edition's PDF is made from."""
    found: dict[str, Input] = {}

    def add(path: Path, role: str, archived: bool = True) -> None:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
        found.setdefault(relative, Input(relative, role, archived))

    for source in edition.source_files:
        add(source, "content")
    for facts in (edition.facts, edition.previous):  # the previous edition's, for changes
        if facts is not None:
            add(facts.location.path, "content")
    for node in edition_nodes(edition):
        if isinstance(node, Image):
            add(resolve_image(root, node.path), "image")
    if edition.logo is not None:
        add(resolve_image(root, edition.logo), "image")
    for chapter in edition.chapters:
        if chapter.icon:
            add(icon_path(root, chapter.icon), "icon")
    if (root / THEME_FILE).is_file():
        add(root / THEME_FILE, "theme")
    for face in fields(theme.fonts):
        add(theme.font_path(face.name), "font", archived=False)
    return sorted(found.values(), key=lambda item: (not item.archived, item.path))
