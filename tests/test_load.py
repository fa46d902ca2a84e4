"""Loader and checker diagnostics, with their exact `file:line:col: error: message` wording.

Every test writes a small project into tmp_path (the working folder), so that a
diagnostic names its file as content/2023/01-test.yaml. In a chapter built by
`chapter_with_blocks`, the first block's key sits at line 5, column 9, and a
value written after `paragraph: ` at line 5, column 20.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image as PILImage

from helpers import chapter_with_blocks
from rapport.cli import main
from rapport.content import vocabulary
from rapport.content.load import load_edition
from rapport.content.model import Bullets, Edition, KeyFigures, Paragraph, Table
from rapport.diagnostics import Problems

CHAPTER = "content/2023/01-test.yaml"


def load(edition_dir: Path) -> tuple[Edition | None, list[str]]:
    """Run the loader; return the edition and every diagnostic, rendered."""
    problems = Problems()
    edition = load_edition(edition_dir, problems)
    return edition, [d.render() for d in problems]


def check(edition_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `rapport check` in-process; return the exit status and stderr."""
    code = main(["check", str(edition_dir)])
    return code, capsys.readouterr().err


def first_blocks(edition: Edition | None) -> tuple[object, ...]:
    assert edition is not None
    return edition.chapters[0].sections[0].blocks


# -- a valid project -----------------------------------------------------------------------


def test_minimal_project_loads_without_problems(project):
    edition, problems = load(project())
    assert problems == []
    assert edition is not None
    assert [c.title for c in edition.chapters] == ["Hoofdstuk"]


def test_minimal_project_passes_check(project, capsys):
    code, err = check(project(), capsys)
    assert code == 0
    assert "error" not in err


# -- keys ----------------------------------------------------------------------------------


def test_unknown_key_names_the_key_and_suggests_the_known_one(project):
    chapter = """\
        title: Hoofdstuk
        sections:
          - titel: Sectie
            blocks:
              - paragraph: Tekst.
        """
    _, problems = load(project(chapter))
    assert (
        f"{CHAPTER}:3:5: error: unknown key 'titel' in section\n  hint: did you mean 'title'?"
        in problems
    )


def test_unknown_key_far_from_any_known_key_lists_the_known_keys(project):
    chapter = "title: Hoofdstuk\nsections: []\nkleur: rood\n"
    _, problems = load(project(chapter))
    assert (
        f"{CHAPTER}:3:1: error: unknown key 'kleur' in chapter\n"
        "  hint: known keys: title, icon, subtitle, intro, review, sections"
    ) in problems


def test_missing_required_key_is_reported_at_the_mapping(project):
    _, problems = load(project("title: Hoofdstuk\n"))
    assert problems == [
        f"{CHAPTER}:1:1: error: chapter lacks the required key 'sections'\n"
        "  hint: add 'sections: …'"
    ]


def test_missing_required_key_of_the_edition(project):
    edition_yaml = "title: Testrapport\nyear: 2023\npublished: 2024-03-20\n"
    _, problems = load(project(edition=edition_yaml))
    assert problems == [
        "content/2023/edition.yaml:1:1: error: edition lacks the required key 'organisation'\n"
        "  hint: add 'organisation: …'"
    ]


def test_duplicate_key_names_the_line_of_the_first(project):
    chapter = """\
        title: Hoofdstuk
        sections:
          - title: Sectie
            blocks:
              - paragraph: Tekst.
        title: Nog eens
        """
    _, problems = load(project(chapter))
    assert problems == [
        f"{CHAPTER}:6:1: error: duplicate key 'title' in chapter\n"
        "  hint: the first 'title' is at line 1; keep one of them"
    ]


def test_duplicate_key_with_a_block_value_names_the_line_of_the_first_key(project):
    chapter = """\
        title: Hoofdstuk
        sections:
          - title: Sectie
            blocks:
              - paragraph: Tekst.
        sections:
          - title: Twee
            blocks:
              - paragraph: Meer.
        """
    _, problems = load(project(chapter))
    assert problems == [
        f"{CHAPTER}:6:1: error: duplicate key 'sections' in chapter\n"
        "  hint: the first 'sections' is at line 2; keep one of them"
    ]


# -- YAML syntax and encoding --------------------------------------------------------------


def test_tab_indentation_is_refused_with_a_hint(project):
    chapter = "title: Hoofdstuk\nsections:\n\t- title: Sectie\n"
    _, problems = load(project(chapter))
    assert problems == [
        f"{CHAPTER}:3:1: error: failed to read YAML (found character '\\t' that cannot start "
        "any token)\n  hint: indent with spaces, not tabs"
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "   \n", "# alleen commentaar\n"])
def test_empty_file(project, text):
    _, problems = load(project(text))
    assert problems == [
        f"{CHAPTER}: error: file is empty\n  hint: write the content, or remove the file"
    ]


def test_non_utf8_byte_gives_line_and_column(project):
    edition_dir = project()
    (edition_dir / "01-test.yaml").write_bytes(b"title: Hoofdstuk\nsections:\n  - title: Caf\xe9\n")
    _, problems = load(edition_dir)
    assert problems == [
        f"{CHAPTER}:3:15: error: failed to read file (it is not UTF-8 text)\n"
        "  hint: save the file with UTF-8 encoding in your editor"
    ]


def test_non_utf8_column_counts_characters_not_bytes(project):
    # "  - title: Cinébib " is 19 characters (20 bytes): the bad byte is column 20,
    # as an editor and every other diagnostic (from the YAML parser) count columns.
    edition_dir = project()
    data = "title: Hoofdstuk\nsections:\n  - title: Cinébib ".encode() + b"\xff\n"
    (edition_dir / "01-test.yaml").write_bytes(data)
    _, problems = load(edition_dir)
    assert [p.split(": error")[0] for p in problems] == [f"{CHAPTER}:3:20"]


def test_utf8_byte_order_mark_is_accepted(project):
    edition_dir = project()
    path = edition_dir / "01-test.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    _, problems = load(edition_dir)
    assert problems == []


@pytest.mark.parametrize("char", ["\x0b", "\x07", "\x0c"])
def test_control_character_is_a_content_error_not_a_crash(project, capsys, char):
    # A vertical tab or form feed is what a paste from a word processor leaves behind.
    edition_dir = project(chapter_with_blocks(f"- paragraph: Een{char}alinea.\n"))
    code, err = check(edition_dir, capsys)
    assert "Traceback" not in err
    assert code == 1
    assert f"{CHAPTER}:5:" in err


# -- YAML's traps: text stays text ---------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["no", "yes", "on", "off", "No", "1:20", "012", "0x1F", "3.10", "1_000", "2024-03-20"],
)
def test_plain_scalar_where_text_is_meant_stays_literal_text(project, written):
    edition, problems = load(project(chapter_with_blocks(f"- paragraph: {written}\n")))
    assert problems == []
    (paragraph,) = first_blocks(edition)
    assert isinstance(paragraph, Paragraph)
    assert paragraph.text.plain == written


def test_yaml_booleans_and_sexagesimals_stay_text_everywhere(project):
    chapter = """\
        title: yes
        sections:
          - title: on
            blocks:
              - bullets:
                  - off
                  - 1:20
              - table:
                  columns: [Antwoord, Schaal]
                  rows:
                    - [no, 1:20]
        """
    edition, problems = load(project(chapter))
    assert problems == []
    assert edition is not None
    chapter_model = edition.chapters[0]
    assert chapter_model.title == "yes"
    assert chapter_model.sections[0].title == "on"
    bullets, table = chapter_model.sections[0].blocks
    assert isinstance(bullets, Bullets)
    assert isinstance(table, Table)
    assert [item.text.plain for item in bullets.items] == ["off", "1:20"]
    assert [cell.plain for cell in table.rows[0]] == ["no", "1:20"]


# -- key figures ---------------------------------------------------------------------------


def figures(*values: str) -> str:
    tiles = "".join(f"    - value: {v}\n      label: Tegel {n}\n" for n, v in enumerate(values, 1))
    return chapter_with_blocks("- figures:\n" + tiles)


@pytest.mark.parametrize(
    ("written", "suggestion"),
    [("15.000", "15000"), ("1.852.354", "1852354"), ("15,000", "15000"), ("-2.500", "-2500")],
)
def test_key_figure_with_thousands_separator_is_ambiguous(project, written, suggestion):
    _, problems = load(project(figures(written, "4")))
    assert problems == [
        f"{CHAPTER}:6:20: error: key-figure value '{written}' is ambiguous (a thousands "
        f"separator or a decimal point?)\n  hint: write the number without separators, "
        f"e.g. {suggestion}"
    ]


@pytest.mark.parametrize("written", ["veel", "12%", "1e3", "6.5.2", "--3"])
def test_key_figure_that_is_not_a_number(project, written):
    _, problems = load(project(figures(written, "4")))
    assert problems == [
        f"{CHAPTER}:6:20: error: key-figure value '{written}' is not a number\n"
        "  hint: write digits only, e.g. 1852354 or 6.5"
    ]


@pytest.mark.parametrize(
    ("written", "value"),
    [("1852354", "1852354"), ("6.5", "6.5"), ("6,5", "6.5"), ("-3", "-3"), ("0.125", "0.125")],
)
def test_key_figure_numbers_are_read_exactly(project, written, value):
    # 0.125 is not ambiguous: a thousands separator never follows a lone 0.
    edition, problems = load(project(figures(written, "4")))
    assert problems == []
    (row,) = first_blocks(edition)
    assert isinstance(row, KeyFigures)
    assert row.tiles[0].value == Decimal(value)


@pytest.mark.parametrize("count", [1, 5])
def test_figures_row_takes_two_to_four_tiles(project, count):
    _, problems = load(project(figures(*["7"] * count)))
    assert problems == [
        f"{CHAPTER}:6:11: error: a key-figure row has {count} tile{'s' if count > 1 else ''};"
        " it takes 2 to 4\n"
        "  hint: split the figures over two rows, or add one"
    ]


# -- blocks --------------------------------------------------------------------------------


def test_unknown_block_kind_suggests_the_closest(project):
    _, problems = load(project(chapter_with_blocks("- paragraf: Tekst.\n")))
    assert problems == [
        f"{CHAPTER}:5:9: error: unknown block kind 'paragraf'\n  hint: did you mean 'paragraph'?"
    ]


def test_unknown_block_kind_without_close_match_lists_the_kinds(project):
    # The loader lists the vocabulary's kinds, as the schema does: editors complete the same ones.
    _, problems = load(project(chapter_with_blocks("- tekening: Tekst.\n")))
    assert problems == [
        f"{CHAPTER}:5:9: error: unknown block kind 'tekening'\n"
        f"  hint: block kinds: {', '.join(vocabulary.BLOCK_KINDS)}"
    ]


NESTED_BULLETS = """\
- bullets:
    - text: een
      items:
        - text: twee
          items:
            - text: drie
              items:
                - vier
"""


def test_bullets_nested_four_levels_deep_are_refused(project):
    _, problems = load(project(chapter_with_blocks(NESTED_BULLETS)))
    assert problems == [
        f"{CHAPTER}:12:25: error: bullets nest more than 3 levels deep\n  hint: flatten the list"
    ]


def test_bullets_nested_three_levels_deep_are_accepted(project):
    three_levels = NESTED_BULLETS.replace("              items:\n                - vier\n", "")
    edition, problems = load(project(chapter_with_blocks(three_levels)))
    assert problems == []
    (bullets,) = first_blocks(edition)
    assert isinstance(bullets, Bullets)
    assert bullets.items[0].children[0].children[0].text.plain == "drie"


def test_term_item_shorthand(project):
    blocks = """\
        - bullets:
            - 1 maart: Hoegaarden
            - Migraties:
                - Brakel
        """
    edition, problems = load(project(chapter_with_blocks(blocks)))
    assert problems == []
    (bullets,) = first_blocks(edition)
    assert isinstance(bullets, Bullets)
    term_item, parent_item = bullets.items
    assert term_item.term is not None
    assert term_item.term.plain == "1 maart"
    assert term_item.text.plain == "Hoegaarden"
    assert parent_item.term is None
    assert parent_item.text.plain == "Migraties"
    assert [c.text.plain for c in parent_item.children] == ["Brakel"]


def test_table_row_with_wrong_cell_count(project):
    blocks = """\
        - table:
            columns: [Jaar, Aantal]
            rows:
              - ["2019", "93"]
              - ["2020"]
        """
    _, problems = load(project(chapter_with_blocks(blocks)))
    assert problems == [f"{CHAPTER}:9:15: error: table row has 1 cell but the table has 2 columns"]


DATE_IN_WORDS = (
    "title: Testrapport\nyear: 2023\norganisation: Testorganisatie\npublished: 20 maart 2024\n"
)


def test_publication_date_in_words_is_reported(project):
    _, problems = load(project(edition=DATE_IN_WORDS))
    assert problems == [
        "content/2023/edition.yaml:4:12: error: publication date '20 maart 2024' is not a date\n"
        "  hint: write it as YYYY-MM-DD, e.g. 2024-03-20"
    ]


def test_publication_date_in_words_is_a_content_error_not_a_crash(project, capsys):
    code, err = check(project(edition=DATE_IN_WORDS), capsys)
    assert "Traceback" not in err
    assert code == 1
    assert "content/2023/edition.yaml:4:12: error: publication date" in err


def test_publication_date_that_does_not_exist(project):
    edition_yaml = (
        "title: Testrapport\nyear: 2023\norganisation: Testorganisatie\npublished: 2024-02-30\n"
    )
    _, problems = load(project(edition=edition_yaml))
    assert problems == [
        "content/2023/edition.yaml:4:12: error: publication date '2024-02-30' is not a date\n"
        "  hint: write it as YYYY-MM-DD, e.g. 2024-03-20"
    ]


# -- anchors, aliases and tags -------------------------------------------------------------


def test_anchor_is_refused(project):
    chapter = "title: &naam Hoofdstuk\nsections: []\n"
    _, problems = load(project(chapter))
    assert problems == [
        f"{CHAPTER}:1:8: error: failed to read anchor '&naam' (anchors are not supported)\n"
        "  hint: remove the '&' name; write the value out in full where it is needed"
    ]


def test_alias_is_refused(project):
    chapter = "title: *naam\nsections: []\n"
    _, problems = load(project(chapter))
    assert problems == [
        f"{CHAPTER}:1:8: error: failed to read alias '*naam' (aliases are not supported)\n"
        "  hint: write the value out in full where it is needed"
    ]


def test_python_object_tag_is_refused_and_never_constructed(project, tmp_path):
    chapter = chapter_with_blocks('- paragraph: !!python/object/apply:os.system ["touch pwned"]\n')
    _, problems = load(project(chapter))
    assert problems[0] == (
        f"{CHAPTER}:5:20: error: failed to read value (the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system' is not supported)\n"
        "  hint: remove the '!' tag; content is plain text, numbers, lists and keys"
    )
    assert not (tmp_path / "pwned").exists()


def test_python_object_tag_on_a_scalar_is_refused(project):
    chapter = "title: !!python/object:os.system Hoofdstuk\nsections: []\n"
    _, problems = load(project(chapter))
    assert (
        f"{CHAPTER}:1:8: error: failed to read value (the tag "
        "'tag:yaml.org,2002:python/object:os.system' is not supported)\n"
        "  hint: remove the '!' tag; content is plain text, numbers, lists and keys"
    ) in problems


# -- inline markup -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "href",
    ["javascript:alert%281%29", "JavaScript:void0", "data:text/html,hallo", "file:///etc/passwd"],
)
def test_link_with_a_disallowed_scheme_is_refused(project, href):
    _, problems = load(project(chapter_with_blocks(f"- paragraph: Klik [hier]({href}).\n")))
    assert problems == [
        f"{CHAPTER}:5:32: error: failed to read paragraph (link '{href}' is not allowed "
        "(only http, https and mailto links are))\n"
        "  hint: write the full address, starting with https://"
    ]


def test_link_with_a_malformed_host_is_an_error_not_a_crash(project, capsys):
    edition_dir = project(chapter_with_blocks("- paragraph: Zie [hier](https://[oeps).\n"))
    code, err = check(edition_dir, capsys)
    assert "Traceback" not in err
    assert code == 1
    assert f"{CHAPTER}:5:31: error: failed to read paragraph" in err  # at the address


def test_unclosed_strong_is_refused(project):
    _, problems = load(project(chapter_with_blocks("- paragraph: Dit is **vet.\n")))
    assert problems == [
        f"{CHAPTER}:5:27: error: failed to read paragraph (unclosed '**' in text)\n"
        "  hint: close it with a second '**', or write '\\*' for a literal asterisk"
    ]


# -- check stage: characters ---------------------------------------------------------------


def test_emoji_in_a_paragraph_names_file_and_line(project, capsys):
    code, err = check(project(chapter_with_blocks("- paragraph: Goed nieuws 😀\n")), capsys)
    assert code == 1
    assert (
        f"{CHAPTER}:5:20: error: the font Lato-Regular cannot draw '😀' (U+1F600 GRINNING FACE)\n"
        "  hint: emoji belong in a chapter's icon, not in text"
    ) in err


def test_bidi_override_is_refused(project, capsys):
    code, err = check(project(chapter_with_blocks("- paragraph: abc\u202edef\n")), capsys)
    assert code == 1
    assert (
        f"{CHAPTER}:5:20: error: text contains the invisible direction control U+202E\n"
        "  hint: retype the text; it may have been pasted from elsewhere"
    ) in err


# -- check stage: ranking ------------------------------------------------------------------


def test_ranking_out_of_order(project, capsys):
    blocks = """\
        - ranking:
            title: Top
            items:
              - rank: 2
                title: Boek B
                creator: Auteur B
              - rank: 1
                title: Boek A
                creator: Auteur A
        """
    code, err = check(project(chapter_with_blocks(blocks)), capsys)
    assert code == 1
    assert (
        f"{CHAPTER}:5:9: error: ranking 'Top' is not in rank order (2, 1)\n"
        "  hint: list the entries from rank 1 down"
    ) in err


# -- check stage: images -------------------------------------------------------------------


def image_block(file: str) -> str:
    return chapter_with_blocks(f"- image:\n    file: {file}\n    alt: Een foto\n")


def test_valid_png_image_is_accepted(project, capsys, tmp_path):
    edition_dir = project(image_block("images/foto.png"))
    PILImage.new("RGB", (20, 10), "teal").save(tmp_path / "images" / "foto.png")
    code, err = check(edition_dir, capsys)
    assert (code, "error" in err) == (0, False)


def test_image_path_climbing_out_of_the_project_is_refused(project, capsys):
    code, err = check(project(image_block("../../etc/passwd")), capsys)
    assert code == 1
    assert (
        f"{CHAPTER}:6:17: error: image '../../etc/passwd' lies outside the images/ folder\n"
        "  hint: copy the image into images/ and name it there"
    ) in err


def test_image_path_outside_images_folder_is_refused(project, capsys, tmp_path):
    edition_dir = project(image_block("theme/foto.png"))
    PILImage.new("RGB", (20, 10)).save(tmp_path / "theme" / "foto.png")
    code, err = check(edition_dir, capsys)
    assert code == 1
    assert f"{CHAPTER}:6:17: error: image 'theme/foto.png' lies outside the images/ folder" in err


def test_symlink_out_of_images_folder_is_refused(project, capsys, tmp_path):
    edition_dir = project(image_block("images/link.png"))
    PILImage.new("RGB", (20, 10)).save(tmp_path / "buiten.png")
    (tmp_path / "images" / "link.png").symlink_to(tmp_path / "buiten.png")
    code, err = check(edition_dir, capsys)
    assert code == 1
    assert f"{CHAPTER}:6:17: error: image 'images/link.png' lies outside the images/ folder" in err


def test_absolute_image_path_is_refused(project, capsys):
    code, err = check(project(image_block("/etc/passwd")), capsys)
    assert code == 1
    assert (
        f"{CHAPTER}:6:17: error: image '/etc/passwd' must be a file in the project's "
        "images/ folder\n"
        "  hint: write e.g. images/foto.png"
    ) in err


def test_missing_image(project, capsys):
    code, err = check(project(image_block("images/ontbreekt.png")), capsys)
    assert code == 1
    assert (
        f"{CHAPTER}:6:17: error: image 'images/ontbreekt.png' does not exist\n"
        "  hint: check the file name; it is relative to the project folder"
    ) in err


@pytest.mark.parametrize("name", ["images/foto.gif", "images/vermomd.png"])
def test_gif_image_is_refused_whatever_its_name(project, capsys, tmp_path, name):
    edition_dir = project(image_block(name))
    PILImage.new("P", (20, 10)).save(tmp_path / name, format="GIF")
    code, err = check(edition_dir, capsys)
    assert code == 1
    assert f"{CHAPTER}:6:17: error: image '{name}' is a GIF image, not a PNG or JPEG" in err
    assert "  hint: save it as PNG (drawings, logos) or JPEG (photos)" in err


# -- all problems at once ------------------------------------------------------------------


def test_problems_of_several_files_are_reported_in_one_run(project, capsys):
    edition_dir = project(
        chapter_with_blocks("- paragraf: Tekst.\n"),
        chapters={"02-tweede.yaml": figures("15.000", "4")},
    )
    code, err = check(edition_dir, capsys)
    assert code == 1
    assert f"{CHAPTER}:5:9: error: unknown block kind 'paragraf'" in err
    assert "content/2023/02-tweede.yaml:6:20: error: key-figure value '15.000' is ambiguous" in err
    assert "rapport: found 2 problems in the content" in err


def test_problems_of_a_chapter_and_the_edition_file_are_reported_together(project):
    edition_yaml = "title: Testrapport\nyear: twintig\norganisation: X\npublished: 2024-03-20\n"
    _, problems = load(project("title: Hoofdstuk\n", edition=edition_yaml))
    assert problems == [  # edition.yaml first: its mistakes come before the chapters'
        "content/2023/edition.yaml:2:7: error: year 'twintig' must be a whole number from 1900 "
        "to 2999",
        f"{CHAPTER}:1:1: error: chapter lacks the required key 'sections'\n"
        "  hint: add 'sections: …'",
    ]


def test_an_unknown_language_is_a_content_error(project, capsys):
    edition = "title: T\nyear: 2023\norganisation: O\npublished: 2024-03-20\nlanguage: Nederlands\n"
    code, err = check(project(edition=edition), capsys)
    assert code == 1
    assert "content/2023/edition.yaml:5:11: error: language 'Nederlands' is unknown" in err


# -- reading again (rapport watch) -----------------------------------------------------------


def test_an_unchanged_chapter_read_again_is_the_same_and_warns_again(project):
    edition_dir = project(chapter_with_blocks("- paragraph: Een zin # met een hekje\n"))
    first, warned = load(edition_dir)
    second, again = load(edition_dir)
    assert first is not None and second is not None
    assert warned and again == warned  # the warning, with its source line, every time
    assert second.chapters[0] is first.chapters[0]  # not read a second time
    chapter = edition_dir / "01-test.yaml"
    chapter.write_text(chapter.read_text("utf-8").replace("Een zin", "Een andere zin"), "utf-8")
    third, _ = load(edition_dir)
    assert third is not None and third.chapters[0] is not first.chapters[0]
    assert "Een andere zin" in repr(third.chapters[0])


def test_a_chapter_is_read_again_when_the_facts_change(project):
    edition_dir = project(chapter_with_blocks("- paragraph: Er zijn {leden} leden.\n"))
    (edition_dir / "facts.yaml").write_text("leden: 12\n", "utf-8")
    first, _ = load(edition_dir)
    (edition_dir / "facts.yaml").write_text("leden: 13\n", "utf-8")
    second, _ = load(edition_dir)
    assert first is not None and second is not None
    assert "13" in repr(second.chapters[0]) and "13" not in repr(first.chapters[0])


def test_an_unchanged_facts_file_is_not_read_again(project):
    edition_dir = project(chapter_with_blocks("- paragraph: Er zijn {leden} leden.\n"))
    (edition_dir / "facts.yaml").write_text("leden: 12\n", "utf-8")
    first, _ = load(edition_dir)
    second, _ = load(edition_dir)
    assert first is not None and second is not None and first.facts is second.facts
    (edition_dir / "facts.yaml").write_text("leden: 12\nboeken: 3\n", "utf-8")
    third, _ = load(edition_dir)
    assert third is not None and third.facts is not first.facts
