"""Facts: references and their formatting, the change arithmetic, planted contradictions,
and the next edition's scaffold round trip."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from helpers import make_project
from rapport.cli import main
from rapport.content.facts import format_change, percent_change

CHAPTER = "content/2023/01-test.yaml"

FACTS_2023 = """\
ebooks.titels: {value: 15000, qualifier: ruim, unit: titels}
ebooks.gebruikers: {value: 60000, qualifier: bijna}
bieblo.bibliotheken: 181
wise.gemigreerd: {value: 305, parts: [wise.eerder, wise.laatste]}
wise.eerder: 301
wise.laatste: 4
"""

FACTS_2022 = """\
ebooks.titels: {value: 13043, status: derived, derivation: "15.000 / 1,15"}
ebooks.gebruikers: {value: 42857, status: derived, derivation: "60.000 / 1,40"}
bieblo.bibliotheken: {value: 160, status: derived, derivation: "181 - 21"}
"""

TEXT = """\
title: Hoofdstuk
sections:
  - title: Sectie
    blocks:
      - paragraph: >-
          {paragraph}
      - figures:
          - value: {{ebooks.titels}}
            label: titels
            change: true
          - value: {{wise.gemigreerd}}
            label: bibliotheken op Wise
      - paragraph: "In totaal {{wise.laatste}} na {{wise.eerder}}."
"""

GOOD = (
    "De collectie telt {ebooks.titels} titels ({ebooks.titels:change}); {ebooks.gebruikers}"
    " gebruikers. Bieblo zit in {bieblo.bibliotheken} bibs, {bieblo.bibliotheken:difference} meer dan vorig jaar."
)


def project_with_facts(
    root: Path, paragraph: str = GOOD, facts: str = FACTS_2023, earlier: str | None = FACTS_2022
) -> Path:
    edition_dir = make_project(root, TEXT.format(paragraph=paragraph))
    (edition_dir / "facts.yaml").write_text(facts, encoding="utf-8")
    if earlier is not None:
        previous = edition_dir.parent / "2022"
        previous.mkdir()
        (previous / "facts.yaml").write_text(earlier, encoding="utf-8")
    return edition_dir


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().err


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- arithmetic -------------------------------------------------------------------------


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_a_change_is_rounded_by_the_documented_rule(current: int, previous: int) -> None:
    exact = (Decimal(current) - previous) / previous * 100
    change = percent_change(Decimal(current), Decimal(previous))
    if abs(exact) >= Decimal("9.95"):
        assert change == change.to_integral()
        assert abs(change - exact) <= Decimal("0.5")
    else:
        assert change == change.quantize(Decimal("0.1"))
        assert abs(change - exact) <= Decimal("0.05")


@given(st.integers(1, 10**7), st.integers(1, 999))
def test_a_stated_growth_survives_deriving_last_year(value: int, permille: int) -> None:
    """Deriving last year as value / (1 + growth), rounded to a whole unit, gives back the growth."""
    growth = Decimal(permille) / 10  # 0,1% … 99,9%
    stated = growth.quantize(Decimal(1)) if growth >= Decimal("9.95") else growth
    previous = (Decimal(value) / (1 + stated / 100)).quantize(Decimal(1))
    if previous == 0 or value < 1000:  # small numbers cannot carry a precise percentage
        return
    assert abs(percent_change(Decimal(value), previous) - stated) <= Decimal("0.1")


@pytest.mark.parametrize(
    ("current", "previous", "shown"),
    [
        (15000, 13043, "+15%"),
        (146767, 137809, "+6,5%"),
        (8727825, 8312214, "+5%"),
        (975, 1000, "−2,5%"),
        (5, 5, "±0%"),
    ],
)
def test_changes_are_shown_flemish_with_a_sign(current, previous, shown):
    assert format_change(percent_change(Decimal(current), Decimal(previous)), "nl-BE") == shown


# -- references -------------------------------------------------------------------------


def test_references_render_flemish_with_qualifiers_and_changes(in_tmp, capsys):
    edition_dir = project_with_facts(in_tmp)
    code, err = run(["build", str(edition_dir), "-o", "out.pdf"], capsys)
    assert code == 0, err
    text = " ".join(page.extract_text() for page in PdfReader(in_tmp / "out.pdf").pages)
    text = re.sub(r"\xad\s*", "", re.sub(r"\s+", " ", text))
    assert "telt ruim 15.000 titels (+15%)" in text
    assert "bijna 60.000 gebruikers" in text
    assert "181 bibs, 21 meer" in text
    assert "+15% t.o.v. 2022" in text  # the tile's change line
    assert "In totaal 4 na 301." in text


def test_an_undefined_fact_is_an_error_with_a_suggestion(in_tmp, capsys):
    edition_dir = project_with_facts(in_tmp, paragraph="Er zijn {ebooks.titel} titels.")
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 1
    assert (
        f"{CHAPTER}:6:19: error: failed to show {{ebooks.titel}} (fact 'ebooks.titel' is not defined)"
        in err
    )
    assert "hint: did you mean 'ebooks.titels'?" in err


@pytest.mark.parametrize(
    ("reference", "hint"),
    [
        ("{Jaar}", "did you mean {jaar}? it shows this edition's year; capitals matter"),
        (
            "{Vorig_jaar}",
            "did you mean {vorig_jaar}? it shows the previous edition's year; capitals matter",
        ),
        ("{EBOOKS.TITELS}", "did you mean 'ebooks.titels'?"),
    ],
)
def test_a_reference_in_other_capitals_names_the_right_one(in_tmp, capsys, reference, hint):
    edition_dir = project_with_facts(in_tmp, paragraph=f"In {reference} groeide het aanbod.")
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 1
    assert f"{CHAPTER}:6:14: error: failed to show {reference}" in err
    assert f"hint: {hint}" in err


def test_a_missing_previous_value_is_an_error_at_the_reference(in_tmp, capsys):
    edition_dir = project_with_facts(
        in_tmp, paragraph="Op Wise: {wise.gemigreerd} ({wise.gemigreerd:change})."
    )
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 1
    assert "fact 'wise.gemigreerd' has no value in the 2022 edition" in err
    assert f"{CHAPTER}:6:39:" in err  # the line within the '>-' text, at the reference


def test_a_change_without_a_previous_edition_is_an_error(in_tmp, capsys):
    edition_dir = project_with_facts(in_tmp, earlier=None)
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 1
    assert "there is no previous edition" in err


def test_an_unknown_form_is_an_error(in_tmp, capsys):
    edition_dir = project_with_facts(in_tmp, paragraph="{ebooks.titels:verschil}")
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 1
    assert "'verschil' is not a way to show a fact" in err


# -- planted contradictions -------------------------------------------------------------


def test_the_real_2023_content_raises_no_alarm(capsys, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    code, err = run(["check", "content/2023"], capsys)
    assert code == 0, err
    assert "warning" not in err


def test_a_typed_percentage_that_contradicts_the_facts_is_caught(in_tmp, capsys):
    edition_dir = project_with_facts(
        in_tmp, paragraph=GOOD.replace("({ebooks.titels:change})", "(+17%)")
    )
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 1
    assert (
        f"{CHAPTER}:5:20: error: the text says +17% but the facts give +15% for 'ebooks.titels'"
        " (15.000 in 2023, 13.043 in 2022)"
    ) in err


def test_a_typed_percentage_within_rounding_passes(in_tmp, capsys):
    edition_dir = project_with_facts(
        in_tmp, paragraph=GOOD.replace("({ebooks.titels:change})", "(+15%)")
    )
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 0, err


def test_a_typed_count_that_contradicts_the_facts_is_caught(in_tmp, capsys):
    edition_dir = project_with_facts(
        in_tmp, paragraph=GOOD.replace("{bieblo.bibliotheken:difference} meer", "20 meer")
    )
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 1
    assert (
        "the text says '20 meer' but the facts give 21 for 'bieblo.bibliotheken' (181 against 160)"
        in err
    )


def test_a_typed_number_equal_to_a_fact_gets_a_hint(in_tmp, capsys):
    edition_dir = project_with_facts(in_tmp, paragraph=GOOD + " Samen 305 bibliotheken.")
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 0
    assert (
        f"{CHAPTER}:5:20: warning: the number 305 is typed, but it is the fact 'wise.gemigreerd'"
        in err
    )
    assert "hint: write {wise.gemigreerd} so that the text follows the facts" in err


def test_a_fact_never_shown_is_a_warning(in_tmp, capsys):
    edition_dir = project_with_facts(in_tmp, facts=FACTS_2023 + "vergeten: 12\n")
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 0
    assert "content/2023/facts.yaml:7:11: warning: fact 'vergeten' is never shown" in err


def test_parts_that_do_not_add_up_are_caught(in_tmp, capsys):
    edition_dir = project_with_facts(
        in_tmp, facts=FACTS_2023.replace("wise.laatste: 4", "wise.laatste: 5")
    )
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 1
    assert (
        "content/2023/facts.yaml:4:18: error: the parts of 'wise.gemigreerd' add up to 306, not to its value 305"
        in err
    )


def test_a_subset_may_stay_below_its_total_but_not_exceed_it(in_tmp, capsys):
    subset = FACTS_2023.replace("wise.laatste]}", "wise.laatste], breakdown: subset}")
    edition_dir = project_with_facts(
        in_tmp, facts=subset.replace("wise.eerder: 301", "wise.eerder: 200")
    )
    assert run(["check", str(edition_dir)], capsys)[0] == 0
    (edition_dir / "facts.yaml").write_text(
        subset.replace("wise.eerder: 301", "wise.eerder: 400"), encoding="utf-8"
    )
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 1
    assert "add up to 404, more than its value 305" in err


def test_a_derived_fact_must_say_how(in_tmp, capsys):
    edition_dir = project_with_facts(
        in_tmp, facts=FACTS_2023 + "nieuw: {value: 5, status: derived}\n"
    )
    code, err = run(["check", str(edition_dir)], capsys)
    assert code == 1
    assert "fact 'nieuw' is derived but does not say how" in err


# -- the next edition -------------------------------------------------------------------


def test_new_refuses_an_existing_edition(in_tmp, capsys):
    project_with_facts(in_tmp)
    code, err = run(["new", "2023"], capsys)
    assert code == 2
    assert "content/2023 already exists" in err
