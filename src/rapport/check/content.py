"""Stage 2, check: what the loader cannot see in one value alone.

Fonts must draw every character, images and icons must exist and be safe to
open, words must fit a line. All problems are collected; the caller stops once.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from rapport.assets import (
    AssetError,
    available_icons,
    font_coverage,
    icon_path,
    inspect_image,
    resolve_image,
)
from rapport.cache import Cache
from rapport.check.fit import check_fit
from rapport.content.model import (
    BulletItem,
    Callout,
    Chapter,
    Chart,
    Edition,
    Image,
    KeyFigure,
    Quote,
    Ranking,
    RankItem,
    RichText,
    Section,
    Table,
)
from rapport.content.walk import edition_nodes
from rapport.diagnostics import Location, Problems
from rapport.paths import link_outside, project_root
from rapport.theme import Theme

MAX_WORD_LENGTH = 60
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_ALLOWED_INVISIBLE = {"\u00a0", "\u00ad", "\u200b", "\u2009", "\u202f"}
_URL = re.compile(r"^(https?://|mailto:)")


def check_edition(edition: Edition, theme: Theme, problems: Problems) -> None:
    root = project_root(edition)
    coverage = font_coverage(theme.font_path("regular"))
    font_name = theme.font_path("regular").stem
    passed = _PASSED.setdefault(coverage, set())  # (compared once, not once per text)
    for text, where in iter_texts(edition):
        _check_characters(text, where, coverage, font_name, problems, passed)
    _check_faces(edition, theme, coverage, problems)
    for chapter in edition.chapters:
        _check_icon(chapter, root, problems)
    for node in edition_nodes(edition):
        if isinstance(node, Image):
            _check_image(root, node.path, node.file_location or node.location, problems)
        elif isinstance(node, Ranking):
            _check_ranking(node, problems)
    if edition.logo is not None:
        _check_image(root, edition.logo, edition.logo_location or edition.location, problems)
    check_fit(edition_nodes(edition), theme, root, problems)  # tables, charts, images
    _check_language(edition, problems)
    if edition.directory.name.isdigit() and int(edition.directory.name) != edition.year:
        problems.warning(
            edition.location,
            f"the edition's year {edition.year} differs from its folder name '{edition.directory.name}'",
            "name the folder after the year, e.g. content/2024",
        )


def _check_language(edition: Edition, problems: Problems) -> None:
    from babel import UnknownLocaleError

    from rapport.content.formatting import babel_locale

    try:
        babel_locale(edition.language)
    except (UnknownLocaleError, ValueError):
        problems.error(
            edition.location,
            f"language '{edition.language}' is unknown",
            "write a language tag such as nl-BE, nl-NL or en-GB",
        )


def iter_texts(edition: Edition) -> Iterator[tuple[str, Location]]:
    """Every piece of text the report will print, with where it was written."""
    for node in edition_nodes(edition):
        if isinstance(node, RichText):
            yield node.plain, node.location
            continue
        where = getattr(node, "location", None)
        if where is None:
            continue
        for field in dataclasses.fields(node):  # type: ignore[arg-type]
            value = getattr(node, field.name)
            if isinstance(value, str) and field.name not in ("icon", "language"):
                yield value, where
            elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
                for item in value:
                    yield item, where


# Characters found drawable and harmless, per font coverage: most texts hold only these,
# and are then passed over at C speed (a build checks some thousand texts).
_PASSED: dict[frozenset[int], set[str]] = {}


def _check_characters(
    text: str,
    where: Location,
    coverage: frozenset[int],
    font: str,
    problems: Problems,
    passed: set[str],
) -> None:
    reported: set[str] = set()
    for char in "" if passed.issuperset(text) else text:
        if char in reported or char in passed:
            continue
        if char in _BIDI_CONTROLS:
            problems.error(
                where,
                f"text contains the invisible direction control U+{ord(char):04X}",
                "retype the text; it may have been pasted from elsewhere",
            )
        elif (
            unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs")
            and char not in _ALLOWED_INVISIBLE
            and char not in "\n\t"
        ):
            problems.error(
                where,
                f"text contains the control character U+{ord(char):04X}",
                "remove it; it may have been pasted from elsewhere",
            )
        elif ord(char) not in coverage and not char.isspace():
            name = unicodedata.name(char, "unnamed character")
            hint = (
                "emoji belong in a chapter's icon, not in text"
                if ord(char) >= 0x2190
                else "replace it with a character the font has"
            )
            problems.error(
                where, f"the font {font} cannot draw '{char}' (U+{ord(char):04X} {name})", hint
            )
        else:
            passed.add(char)
            continue
        reported.add(char)
    for word in text.split():
        if len(word) > MAX_WORD_LENGTH and not _URL.match(word):
            problems.error(
                where,
                f"a word of {len(word)} characters cannot fit on a line ('{word[:20]}…')",
                "add spaces or hyphens",
            )
            break


# The faces besides the regular one, and what the theme's fonts setting calls them.
STYLED_FACES = ("bold", "italic", "bold_italic", "display")
_FACE_WORDS = {
    "bold": "bold",
    "italic": "italic",
    "bold_italic": "bold italic",
    "display": "display",
}


def _check_faces(
    edition: Edition, theme: Theme, regular: frozenset[int], problems: Problems
) -> None:
    """Text set in bold, italic or the display face must be drawable in that face too.

    A character the regular font lacks is reported once, by the regular check;
    here only what the regular font has and another face lacks.
    """
    coverages = {face: font_coverage(theme.font_path(face)) for face in STYLED_FACES}
    reported: set[tuple[str, str, Location]] = set()
    for face, text, where in iter_face_texts(edition):
        for char in text:
            code = ord(char)
            if code in coverages[face] or code not in regular or char.isspace():
                continue
            if (face, char, where) in reported:
                continue
            reported.add((face, char, where))
            font = theme.font_path(face).stem
            name = unicodedata.name(char, "unnamed character")
            problems.error(
                where,
                f"the {_FACE_WORDS[face]} font {font} cannot draw '{char}' (U+{code:04X} {name})",
                f"this text is set in {_FACE_WORDS[face]}: replace the character, or set "
                f"fonts: {face} in theme/theme.yaml to a font that has it",
            )


def iter_face_texts(edition: Edition) -> Iterator[tuple[str, str, Location]]:
    """(face, text, where) for every piece of text set in another face than the regular one.

    Mirrors layout/styles.py: headings, table heads and rank titles are bold;
    captions and quotes italic; chapter titles, the cover and key figures use
    the display face; **strong** and *emphasis* change the face of the span.
    """
    yield "display", edition.title, edition.location
    yield "bold", edition.organisation, edition.location  # the cover's foot
    set_apart: set[int] = set()  # rich texts whose base face is not the regular one
    for node in edition_nodes(edition):
        if isinstance(node, RichText):
            if id(node) not in set_apart:
                yield from _rich_faces(node, "regular")
            continue
        for base, text in _set_apart(node):
            set_apart.add(id(text))
            yield from _rich_faces(text, base)
        yield from _node_faces(node)


def _set_apart(node: object) -> list[tuple[str, RichText]]:
    """Rich texts set in italic or bold as a whole: quotes, captions, bullet terms."""
    if isinstance(node, Quote):
        return [("italic", node.text)]
    if isinstance(node, Image | Chart) and node.caption is not None:
        return [("italic", node.caption)]
    if isinstance(node, BulletItem) and node.term is not None:
        return [("bold", node.term)]
    return []


def _node_faces(node: object) -> Iterator[tuple[str, str, Location]]:
    if isinstance(node, Chapter):
        yield "display", node.title, node.location
        yield "bold", node.title, node.location  # its line in the table of contents
    elif isinstance(node, Section | Callout | Ranking | RankItem):
        yield "bold", node.title, node.location
    elif isinstance(node, KeyFigure):
        yield "display", f"0123456789.,%…{node.unit}", node.location
    elif isinstance(node, Table):
        yield "italic", node.caption, node.location
        for column in node.columns:
            yield "bold", column, node.location
    elif isinstance(node, Chart):
        yield "bold", node.title, node.location
        yield "italic", f"{node.note} {node.source}", node.location
        if node.per_category_scale:  # each panel is titled with its category, in bold
            for category in node.categories:
                yield "bold", category, node.location


def _rich_faces(text: RichText, base: str) -> Iterator[tuple[str, str, Location]]:
    for span in text.spans:
        bold = base == "bold" or span.strong
        italic = base == "italic" or span.emphasis
        face = "bold_italic" if bold and italic else "bold" if bold else "italic" if italic else ""
        if face:
            yield face, span.text, text.location


def _check_icon(chapter: Chapter, root: Path, problems: Problems) -> None:
    if not chapter.icon:
        return
    artwork = icon_path(root, chapter.icon)
    try:  # artwork linked elsewhere exists too: _check_image names the link, nothing is listed
        exists = artwork.is_file() or link_outside(artwork, root) is not None
    except (OSError, ValueError):  # a name too long to be a file: no such icon
        exists = False
    if not exists:
        known = " ".join(available_icons(root))
        problems.error(
            chapter.location,
            f"there is no artwork for the icon '{chapter.icon}'",
            f"choose one of: {known}, or add a PNG to images/icons/",
        )
        return
    # The artwork is an image like any other: PNG or JPEG, inside images/, within the limits.
    _check_image(root, artwork.relative_to(root), chapter.location, problems)


def _check_image(root: Path, written: Path, where: Location, problems: Problems) -> None:
    try:
        # known images come from the cache: a warm build decodes none of them
        inspect_image(resolve_image(root, written), written, Cache.of_project(root))
    except AssetError as exc:
        problems.error(where, exc.message, exc.hint)


def _check_ranking(ranking: Ranking, problems: Problems) -> None:
    ranks = [item.rank for item in ranking.items]
    if ranks != sorted(ranks):
        problems.error(
            ranking.location,
            f"ranking '{ranking.title}' is not in rank order ({', '.join(map(str, ranks))})",
            "list the entries from rank 1 down",
        )
