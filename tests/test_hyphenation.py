"""Hyphenation that respects words: the theme's exceptions and names kept whole,
no-break spaces in names, dates and amounts, on real break points and real PDFs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyphen
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from helpers import REPO, chapter_with_blocks, make_project, run_rapport
from rapport.diagnostics import Problems
from rapport.layout.hyphens import (
    EDGE,
    NO_BREAK_SPACE,
    RuledHyphenator,
    hyphenator,
    keep_together,
)
from rapport.libs.hyph import lazy_pyphen
from rapport.theme import HyphenationTheme, load_theme

SOFT_HYPHEN = "\u00ad"
WORDS = HyphenationTheme(
    exceptions=("kranten-kiosk", "bibliotheek-systeem"),
    keep_whole=("Bibster", "Cinébib", "Mijn Bibliotheek", "Bib Analytics"),
)


def dutch(words: HyphenationTheme = WORDS) -> RuledHyphenator:
    return hyphenator("nl", None, words)


def breaks(word: str, words: HyphenationTheme = WORDS) -> list[str]:
    return [f"{head}|{tail}" for head, tail in dutch(words)(word)]


# --------------------------------------------------------------------------- break points


def test_without_the_theme_the_dictionary_breaks_the_words_badly() -> None:
    assert "Kran|tenkiosk" in breaks("Krantenkiosk", HyphenationTheme((), ()))
    assert "Bib|ster" in breaks("Bibster", HyphenationTheme((), ()))


def test_an_exception_allows_only_its_own_breaks_whatever_the_capitals() -> None:
    assert breaks("Krantenkiosk") == ["Kranten|kiosk"]
    assert breaks("bibliotheeksysteem") == ["bibliotheek|systeem"]
    assert breaks("BIBLIOTHEEKSYSTEEM") == ["BIBLIOTHEEK|SYSTEEM"]


def test_an_exception_inside_a_longer_word_rules_only_its_own_letters() -> None:
    assert breaks("krantenkiosken") == ["kranten|kiosken"]
    assert breaks("bibliotheeksysteemmigratie") == [
        "bibliotheeksysteemmigra|tie",
        "bibliotheeksysteemmi|gratie",
        "bibliotheeksysteem|migratie",
        "bibliotheek|systeemmigratie",
    ]


def test_a_name_kept_whole_is_never_broken_but_its_compounds_are_after_it() -> None:
    assert breaks("Bibster") == []
    assert breaks("Cinébib") == []
    assert breaks("Bibsterklassen") == ["Bibsterklas|sen", "Bibster|klassen"]


def test_words_the_theme_does_not_name_keep_the_dictionary_breaks() -> None:
    plain = HyphenationTheme((), ())
    for word in ("gebruiksvriendelijker", "uitleenactiviteiten", "collecties"):
        assert breaks(word) == breaks(word, plain)


def test_a_compound_breaks_right_after_its_own_hyphen() -> None:
    assert "AVG-|wetgeving" in breaks("AVG-wetgeving")
    assert "Bibliotheek-|profielen" in breaks("Bibliotheek-profielen")
    # never a hyphen next to the compound's own, nor a lone letter before it
    assert not any(b.endswith("|-profielen") for b in breaks("Bibliotheek-profielen"))
    assert "e-|boeken" not in breaks("e-boeken")
    assert "Noor|d-Zuid-verbinding" not in breaks("Noord-Zuid-verbinding")


def test_a_number_range_and_a_minus_never_break() -> None:
    for word in ("2019-2023", "-27", "t.o.v.-2022", "85.486.329"):
        assert breaks(word) == []


def test_a_name_of_several_words_is_kept_whole_but_its_compound_breaks() -> None:
    word = f"Mijn{NO_BREAK_SPACE}Bibliotheek-profielen"
    heads = [pair.split("|")[0] for pair in breaks(word)]
    assert f"Mijn{NO_BREAK_SPACE}Bibliotheek-" in heads
    assert all(len(head) > len(f"Mijn{NO_BREAK_SPACE}Bibliotheek") for head in heads)
    assert breaks(f"Mijn{NO_BREAK_SPACE}Bibliotheek") == []
    assert breaks(f"31{NO_BREAK_SPACE}december") == [f"31{NO_BREAK_SPACE}decem|ber"]


PIECES = [
    "-",
    NO_BREAK_SPACE,
    "AVG",
    "e",
    "wetgeving",
    "kranten",
    "kiosk",
    "Bib",
    "ster",
    "bibliotheek",
    "systeem",
    "klas",
    "sen",
    "Cinébib",
    "ma",
]
# Where a break may fall inside each protected part (letters from its start).
ALLOWED_INSIDE = {
    "krantenkiosk": {7},
    "bibliotheeksysteem": {11},
    "bibster": set(),
    "cinébib": set(),
}


@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=5).map("".join))
def test_every_break_rejoins_the_word_and_none_falls_inside_a_protected_part(word: str) -> None:
    pairs = list(dutch()(word))
    heads = [len(head) for head, _ in pairs]
    assert heads == sorted(heads, reverse=True)  # reportlab tries the longest head first
    for head, tail in pairs:
        assert head + tail == word
        assert len(head) >= EDGE and len(tail) >= EDGE
        # within its part of a compound or a name, as many letters on each side
        before = head.replace(NO_BREAK_SPACE, "-").split("-")[-1]
        after = tail.replace(NO_BREAK_SPACE, "-").split("-")[0]
        assert (not before and head.endswith("-")) or len(before) >= EDGE
        assert len(after) >= EDGE
        assert not tail.startswith(("-", NO_BREAK_SPACE))
        for part, allowed in ALLOWED_INSIDE.items():
            for start in occurrences(word.lower(), part):
                if start < len(head) < start + len(part):
                    assert len(head) - start in allowed, f"{head}|{tail} breaks {part}"


def occurrences(word: str, part: str) -> Iterator[int]:
    return (i for i in range(len(word)) if word.startswith(part, i))


# --------------------------------------------------------------------------- no-break spaces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in Mijn Bibliotheek en Bib Analytics", "in Mijn~Bibliotheek en Bib~Analytics"),
        ("Mijn\nBibliotheek-profielen", "Mijn~Bibliotheek-profielen"),
        ("mijn bibliotheek", "mijn bibliotheek"),  # a name is matched as written
        ("Vanaf 20 november 2023", "Vanaf 20~november 2023"),
        ("op 1 maart en 31 December", "op 1~maart en 31~December"),
        ("32 maart, 2023 mei", "32 maart, 2023 mei"),  # not a day
        ("15 %, 3,5 MB en 1.500 euro", "15~%, 3,5~MB en 1.500~euro"),
        ("€ 12 of 12 kmh", "€~12 of 12 kmh"),
        ("5 u, 3 miljoen", "5 u, 3 miljoen"),  # no units of one letter, no words
        ("versie 2.1 kB", "versie 2.1~kB"),
    ],
)
def test_no_break_spaces_join_names_dates_and_amounts(text: str, expected: str) -> None:
    assert keep_together(text, WORDS.keep_whole).replace(NO_BREAK_SPACE, "~") == expected


@given(st.text(alphabet="0123456789 .,%€maartMBijnBbliothekn\n", max_size=40))
def test_keep_together_only_turns_spaces_into_no_break_spaces_and_is_idempotent(
    text: str,
) -> None:
    once = keep_together(text, WORDS.keep_whole)
    assert keep_together(once, WORDS.keep_whole) == once
    assert len(once) <= len(text)
    assert re.sub(r"\s+", " ", once.replace(NO_BREAK_SPACE, " ")) == re.sub(r"\s+", " ", text)


def joined_one_by_one(text: str, names: Iterable[str]) -> str:
    """The names of several words joined one name at a time: what one pattern for them
    all must do."""
    for name in names:
        if " " in name:
            pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)"
            text = re.sub(pattern, name.replace(" ", NO_BREAK_SPACE), text)
    return text


@given(
    st.lists(
        st.sampled_from(["Mijn", "Bib", "Bibliotheek", "Analytics", "Piwik", "Pro", "en", "-"]),
        max_size=12,
    ),
    st.lists(st.sampled_from([" ", "  ", "\n", ""]), min_size=12, max_size=12),
)
def test_all_names_at_once_join_as_one_name_at_a_time(words: list[str], gaps: list[str]) -> None:
    text = "".join(word + gap for word, gap in zip(words, gaps, strict=False))
    names = WORDS.keep_whole
    assert keep_together(text, names) == keep_together(joined_one_by_one(text, names), ())


# --------------------------------------------------------------------------- the theme


def theme_problems(tmp_path: Path, text: str) -> tuple[HyphenationTheme, list[str]]:
    make_project(tmp_path)
    path = tmp_path / "theme" / "theme.yaml"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    theme = load_theme(path, tmp_path, problems)
    found = [
        f"{d.location.line}:{d.location.column}: {d.message} | {d.hint}" for d in problems.errors
    ]
    return theme.hyphenation, found


def test_the_theme_lists_replace_the_defaults(tmp_path: Path) -> None:
    words, found = theme_problems(
        tmp_path, 'hyphenation:\n  exceptions: [a-b-c]\n  keep_whole: ["Piwik Pro", Wise]\n'
    )
    assert found == []
    assert words == HyphenationTheme(("a-b-c",), ("Piwik Pro", "Wise"))


def test_the_shipped_theme_holds_the_2023_words() -> None:
    problems = Problems()
    words = load_theme(REPO / "theme" / "theme.yaml", REPO, problems).hyphenation
    assert problems.errors == []
    assert {"kranten-kiosk", "bibliotheek-systeem"} <= set(words.exceptions)
    assert {"Bibster", "Mijn Bibliotheek", "Bib Analytics", "Piwik Pro"} <= set(words.keep_whole)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "hyphenation:\n  exceptions: kranten-kiosk\n",
            "2:15: theme value 'hyphenation.exceptions' must be a list"
            " | write the words between brackets, e.g. exceptions: [kranten-kiosk]",
        ),
        (
            "hyphenation:\n  keep_whole: {a: 1}\n",
            "2:15: theme value 'hyphenation.keep_whole' must be a list"
            " | write the words between brackets, e.g. keep_whole: [Bibster, Mijn Bibliotheek]",
        ),
        (
            "hyphenation:\n  exceptions: [kranten-kiosk, krantenkiosk]\n",
            "2:31: theme value 'hyphenation.exceptions' has an unusable entry ('krantenkiosk')"
            " | write the word with a hyphen at each place it may break, e.g. kranten-kiosk",
        ),
        (
            "hyphenation:\n  exceptions: [-kiosk]\n",
            "2:16: theme value 'hyphenation.exceptions' has an unusable entry ('-kiosk')"
            " | write the word with a hyphen at each place it may break, e.g. kranten-kiosk",
        ),
        (
            'hyphenation:\n  keep_whole: ["Bib  Analytics", ""]\n',
            "2:16: theme value 'hyphenation.keep_whole' has an unusable entry ('Bib  Analytics')"
            " | write a name of letters and digits, its words separated by one space,"
            " e.g. Mijn Bibliotheek",
        ),
        (
            "hyphenation:\n  keep_whole: [[Bibster]]\n",
            "2:16: theme value 'hyphenation.keep_whole' has an unusable entry (not a word)"
            " | write a name of letters and digits, its words separated by one space,"
            " e.g. Mijn Bibliotheek",
        ),
        (
            "hyphenation:\n  keep_hole: [Bibster]\n",
            "2:3: unknown key 'keep_hole' in theme group 'hyphenation' | did you mean 'keep_whole'?",
        ),
    ],
)
def test_an_unusable_hyphenation_list_is_reported_at_its_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    _, found = theme_problems(tmp_path, text)
    assert found[0] == expected


def test_an_empty_name_is_reported_too(tmp_path: Path) -> None:
    _, found = theme_problems(tmp_path, 'hyphenation:\n  keep_whole: [Wise, ""]\n')
    assert found == [
        "2:22: theme value 'hyphenation.keep_whole' has an unusable entry (empty)"
        " | write a name of letters and digits, its words separated by one space,"
        " e.g. Mijn Bibliotheek"
    ]


# --------------------------------------------------------------------------- real PDFs


def built_text(project: Path, output: Path, edition: str = "content/2023") -> str:
    result = run_rapport("-q", "build", edition, "-o", str(output), cwd=project)
    assert result.returncode == 0, result.stderr
    return "\n".join(page.extract_text() for page in PdfReader(output).pages)


def line_end_breaks(text: str) -> list[str]:
    return [f"{h}|{t}" for h, t in re.findall(r"(\w+)" + SOFT_HYPHEN + r"\n(\w+)", text)]


def split_over_lines(text: str, names: Iterable[str]) -> list[str]:
    return [name for name in names if re.search(r"\s*\n\s*".join(name.split()), text)]


BAD_BREAKS = {"kran|tenkiosk", "bibliotheeksys|teem", "bib|ster"}


@pytest.mark.slow
def test_the_2023_report_breaks_no_name_and_no_listed_word_badly(tmp_path: Path) -> None:
    text = built_text(REPO, tmp_path / "2023.pdf")
    found = line_end_breaks(text)
    assert len(found) >= 5  # the running text is still hyphenated
    assert [b for b in found if b.lower() in BAD_BREAKS] == []
    assert [b for b in found if b.startswith(("Bibster", "Cinébib", "Piwik", "Fundels"))] == []
    assert split_over_lines(text, ["Mijn Bibliotheek", "Bib Analytics", "Piwik Pro"]) == []
    assert split_over_lines(text, ["20 november", "31 december"]) == []


PARAGRAPH = (
    "De Krantenkiosk en het Bibliotheeksysteem groeiden en lezers openden de"
    " Krantenkiosk en gebruikten het Bibliotheeksysteem en Bibster elke dag. "
)
# Only long listed words: lines the breaker can fill only by breaking them.
LISTED_WORDS = "Krantenkiosk Bibliotheeksysteem Bibster "


@pytest.mark.e2e
@pytest.mark.parametrize("listed", [True, False])
def test_the_theme_decides_where_words_break_in_the_pdf(tmp_path: Path, listed: bool) -> None:
    blocks = "".join(
        f"- paragraph: {PARAGRAPH * (3 + shift)}{'De ' * shift}{LISTED_WORDS * (6 + shift)}\n"
        for shift in range(10)
    )
    edition = make_project(tmp_path, chapter_with_blocks(blocks))
    if not listed:
        theme = tmp_path / "theme" / "theme.yaml"
        kept = theme.read_text(encoding="utf-8").split("hyphenation:")[0]
        theme.write_text(kept + "hyphenation:\n  exceptions: []\n  keep_whole: []\n", "utf-8")
    found = {
        b.lower() for b in line_end_breaks(built_text(tmp_path, tmp_path / "r.pdf", str(edition)))
    }
    listed_words = {
        b for b in found if b.replace("|", "") in {"krantenkiosk", "bibliotheeksysteem", "bibster"}
    }
    if listed:
        assert listed_words and listed_words <= {"kranten|kiosk", "bibliotheek|systeem"}
    else:
        assert listed_words & BAD_BREAKS


# ----------------------------------------------------------------------------- the lazy dictionary

DUTCH_LETTERS = "abcdefghijklmnopqrstuvwxyzàáäèéëïíóöüĳ'-"
_EAGER: dict[str, pyphen.Pyphen] = {}


def eager_pyphen(language: str) -> pyphen.Pyphen:
    """pyphen's own hyphenator, its dictionary parsed whole when loaded."""
    if language not in _EAGER:
        path = pyphen.LANGUAGES[pyphen.language_fallback(language)]
        _EAGER[language] = pyphen.Pyphen(filename=path, left=3, right=3, cache=False)
    return _EAGER[language]


@pytest.mark.parametrize("language", ["nl_NL", "en_US", "fr_FR"])
def test_the_lazy_dictionary_holds_pyphens_patterns(language: str) -> None:
    lazy, eager = lazy_pyphen(language, 3, 3).hd, eager_pyphen(language).hd
    assert {key: lazy.patterns.get(key) for key in eager.patterns} == eager.patterns
    assert lazy.maxlen >= eager.maxlen


@given(st.text(alphabet=DUTCH_LETTERS, min_size=1, max_size=30))
def test_the_lazy_dictionary_breaks_words_as_pyphen_does(word: str) -> None:
    assert lazy_pyphen("nl_NL", 3, 3).positions(word) == eager_pyphen("nl_NL").positions(word)


def test_the_words_of_the_2023_edition_break_as_pyphen_breaks_them() -> None:
    text = " ".join(p.read_text("utf-8") for p in (REPO / "content" / "2023").glob("*.yaml"))
    words = set(re.findall(r"[^\W\d_]{4,}", text))
    lazy, eager = lazy_pyphen("nl_NL", 3, 3), eager_pyphen("nl_NL")
    assert len(words) > 500
    assert [w for w in sorted(words) if list(lazy.iterate(w)) != list(eager.iterate(w))] == []


def test_a_word_longer_than_any_is_left_to_the_line_breaker_unsearched() -> None:
    """A run of 20 000 letters is not looked up for syllables (n² work on every line);
    breaking.py breaks it. A word of ordinary length still hyphenates."""
    words = hyphenator("nl", None, ())
    assert list(words("a" * 20_000)) == []
    assert list(words("abonnementen"))
