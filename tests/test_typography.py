"""Typographic quotes, apostrophes, minus signs and en dashes (content/typography.py),
where text enters the model (the reader) and in the built PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import chapter_with_blocks, make_project, run_rapport
from rapport.content.formatting import format_number
from rapport.content.load import load_edition
from rapport.content.model import Edition, Paragraph, Ranking
from rapport.content.typography import typeset
from rapport.diagnostics import Problems

# -- the rules, one by one -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "typeset_text"),
    [
        ('Hij zei "ja".', "Hij zei “ja”."),
        ('"Bieblo in de klas" startte', "“Bieblo in de klas” startte"),
        ("het dashboard 'leners'", "het dashboard ‘leners’"),
        ('("ja")', "(“ja”)"),
        ("\"'Cinébib' is nieuw\"", "“‘Cinébib’ is nieuw”"),
        ('""', "“”"),
    ],
)
def test_double_and_single_quotes_open_and_close(typed, typeset_text):
    assert typeset(typed) == typeset_text


@pytest.mark.parametrize(
    ("typed", "typeset_text"),
    [
        ("zo'n 160.000", "zo’n 160.000"),
        ("auto's en cd's", "auto’s en cd’s"),
        ("Jacques' boek", "Jacques’ boek"),
        ("'s avonds", "’s avonds"),
        ("tot 's anderendaags", "tot ’s anderendaags"),
        ("'t is zover", "’t is zover"),
        ("'n boek", "’n boek"),
        ("de jaren '90", "de jaren ’90"),
        ("rock 'n' roll", "rock ’n’ roll"),
    ],
)
def test_apostrophes_in_dutch(typed, typeset_text):
    assert typeset(typed, "nl-BE") == typeset_text


def test_a_quoted_letter_is_not_an_elision():
    assert typeset("de letter 's'") == "de letter ‘s’"


def test_english_elisions_follow_the_edition_language():
    assert typeset("'tis the season", "en-GB") == "’tis the season"
    assert typeset("'tis the season", "nl-BE") == "‘tis the season"
    assert typeset("'s avonds", "en-GB") == "‘s avonds"


@pytest.mark.parametrize(
    ("typed", "typeset_text"),
    [
        ("een daling van -27%", "een daling van −27%"),
        ("-5 graden", "−5 graden"),
        ("(-2,5%)", "(−2,5%)"),
        ('"-3"', "“−3”"),
        ("rond -1.000 stuks", "rond −1.000 stuks"),
    ],
)
def test_a_hyphen_before_a_number_is_a_minus(typed, typeset_text):
    assert typeset(typed) == typeset_text


@pytest.mark.parametrize(
    "typed",
    ["COVID-19", "PDF/A-2a", "Bibliotheek-profiel", "e-boeken", "A4-21", "een - 5 streepje"],
)
def test_a_hyphen_inside_a_word_stays(typed):
    assert typeset(typed) == typed


@pytest.mark.parametrize(
    ("typed", "typeset_text"),
    [
        ("2019-2023", "2019–2023"),
        ("9-12 jaar", "9–12 jaar"),
        ("van 1.000-2.500 titels", "van 1.000–2.500 titels"),
        ("in 2019-2023.", "in 2019–2023."),
        ("(2019-2023)", "(2019–2023)"),
    ],
)
def test_a_hyphen_between_numbers_is_an_en_dash(typed, typeset_text):
    assert typeset(typed) == typeset_text


@pytest.mark.parametrize("typed", ["2024-03-20", "09-123-45-67", "1-2-3"])
def test_a_chain_of_numbers_such_as_a_date_stays(typed):
    assert typeset(typed) == typed


@pytest.mark.parametrize(
    "typed",
    [
        '[site](https://example.org/a-1?q="x\'y")',
        "zie https://example.org/rapport-2019-2023 voor meer",
        "zie www.example.org/'x' voor meer",
        "mail jan-1@example.org",
        "{ebooks.titels-2019-2023}",
        "`03-09 'code'`",
        'een \\" blijft recht',
        "een \\' blijft recht",
    ],
)
def test_addresses_references_code_and_escapes_are_never_changed(typed):
    assert typeset(typed) == typed


def test_the_link_text_is_typeset_but_not_its_address():
    assert typeset("[\"de site\"](https://x.org/a-'b')") == "[“de site”](https://x.org/a-'b')"


def test_text_without_quotes_or_hyphens_is_returned_as_is():
    text = "Een gewone zin, zonder iets bijzonders."
    assert typeset(text) is text


# -- properties ------------------------------------------------------------------------

_ALPHABET = st.sampled_from(list("ab zn's'\"-09(),.{}[]:/\\`“”‘’–—−\n"))
texts = st.text(_ALPHABET, max_size=60) | st.text(max_size=60)


@given(texts)
def test_typesetting_twice_changes_nothing(text):
    for language in ("nl-BE", "en-GB"):
        once = typeset(text, language)
        assert typeset(once, language) == once


@given(texts, st.sampled_from(["nl-BE", "en-GB"]))
def test_only_quotes_and_hyphens_change_one_for_one(text, language):
    result = typeset(text, language)
    assert len(result) == len(text)  # offsets stay valid for messages
    for typed, shown in zip(text, result, strict=True):
        if typed != shown:
            assert (typed, shown) in {
                ('"', "“"),
                ('"', "”"),
                ("'", "‘"),
                ("'", "’"),
                ("-", "−"),
                ("-", "–"),
            }


_WORD = st.text(st.sampled_from(list("abcdefghijklmnopqrstuvwxyz")), min_size=1, max_size=8)


@given(st.lists(st.tuples(_WORD, st.sampled_from(["", '"', "'"])), min_size=1, max_size=8))
def test_quoted_words_balance(words):
    text = " ".join(f"{quote}{word}{quote}" for word, quote in words)
    result = typeset(text)
    assert result.count("“") == result.count("”")
    assert '"' not in result and "'" not in result
    opened = sum(1 for _, q in words if q == "'")
    assert result.count("‘") <= opened  # a quoted 's' or 't' may read as an elision


@given(st.integers(-(10**9), 10**9))
def test_a_formatted_negative_number_has_a_true_minus(number):
    written = format_number(number)
    assert "-" not in written
    assert written.startswith("−") == (number < 0)
    assert typeset(written) == written


# -- where text enters the model ---------------------------------------------------------


def _load(edition_dir: Path) -> tuple[Edition | None, list[str]]:
    problems = Problems()
    edition = load_edition(edition_dir, problems)
    return edition, [d.render() for d in problems]


def test_the_loader_typesets_paragraphs_titles_and_rankings(tmp_path):
    chapter = chapter_with_blocks(
        """\
        - paragraph: >-
            Het dashboard 'leners' toont zo'n 9-12 "nieuwe" pagina's (-27%).
        - ranking:
            title: De "populairste" e-boeken
            items:
              - title: Luuk en Lotje's Halloween
                creator: Ruth 'Roo' Wielockx
        """
    ).replace("title: Sectie", 'title: "Sectie \'s avonds"')
    edition, problems = _load(make_project(tmp_path, chapter))
    assert problems == []
    assert edition is not None
    section = edition.chapters[0].sections[0]
    paragraph, ranking = section.blocks
    assert isinstance(paragraph, Paragraph) and isinstance(ranking, Ranking)
    assert section.title == "Sectie ’s avonds"
    assert (
        paragraph.text.plain == "Het dashboard ‘leners’ toont zo’n 9–12 “nieuwe” pagina’s (−27%)."
    )
    assert ranking.title == "De “populairste” e-boeken"
    assert ranking.items[0].title == "Luuk en Lotje’s Halloween"
    assert ranking.items[0].creator == "Ruth ‘Roo’ Wielockx"


def test_a_message_after_a_curly_quote_still_points_at_the_right_column(tmp_path):
    chapter = chapter_with_blocks(
        """\
        - paragraph: 'Zo''n "mooi" en *open zonder einde'
        """
    )
    _, problems = _load(make_project(tmp_path, chapter))
    assert len(problems) == 1
    # the value starts in column 21; the '*' is written 16 characters further on
    assert ":5:37" in problems[0], problems[0]
    assert "failed to read paragraph (unclosed '*' in text)" in problems[0]


# -- in the PDF --------------------------------------------------------------------------


@pytest.mark.e2e
def test_the_pdf_has_no_straight_quotes_and_aligned_table_notes(tmp_path):
    chapter = chapter_with_blocks(
        """\
        - paragraph: >-
            Het "dashboard" 'leners' telt zo'n 12 pagina's, -27% in 2019-2023.
        - ranking:
            title: De populairste e-boeken
            items:
              - title: De Volksjury
                creator: Silke Vandenbroeck
        - table:
            columns: [Dienst, Aantal]
            rows:
              - [Krantenarchief, "224 *(afgeleid)*"]
              - [Krantenkiosk, "1.129"]
        """
    )
    edition_dir = make_project(tmp_path, chapter)
    out = tmp_path / "r.pdf"
    result = run_rapport("build", str(edition_dir), "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    body = text[text.index("Het ") :]
    assert '"' not in body and "'" not in body
    assert "Het “dashboard” ‘leners’ telt zo’n 12 pagina’s, −27% in 2019–2023." in body
    assert "De Volksjury – Silke Vandenbroeck" in body
    assert "—" not in body
    assert "224*" in body and "(afgeleid)" not in body
    assert re.search(r"^\* afgeleid$", body, re.MULTILINE)
