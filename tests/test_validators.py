"""The finished PDF checked by an independent validator: page-validation, the veraPDF rules
of PDF/A-2a and PDF/UA-1, on the real 2023 edition, a fresh 2024 edition built as a
draft, a correction and the catalogue's chapter with every block kind; and what no
machine rule asks but a listener needs: every link says where it goes, no image is
described by an emoji."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import page
import pikepdf
import pytest

from helpers import REPO, make_project, run_rapport
from rapport.correction import Correction
from rapport.pdf.inspection import walk
from rapport.pipeline import build
from test_catalogue import expand, make_fixture, parse_case

pytestmark = [pytest.mark.slow, pytest.mark.e2e]  # builds real PDFs

PROFILES = ("2a", "ua1")  # PDF/A-2a and PDF/UA-1, both declared by every tagged PDF
EVERY_BLOCK_KIND = REPO / "tests" / "catalogue" / "000-every-block-kind.yaml"


@pytest.fixture(scope="module")
def edition_2023(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(REPO / "content" / "2023", tmp_path_factory.mktemp("v2023") / "2023.pdf").pdf


@pytest.fixture(scope="module")
def draft_2024(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`rapport new 2024` from the real project, built as a draft without any edit."""
    root = tmp_path_factory.mktemp("v2024")
    for folder in ("content", "images", "fonts", "theme"):
        shutil.copytree(REPO / folder, root / folder)
    made = run_rapport("new", "2024", cwd=root)
    assert made.returncode == 0, made.stderr
    result = run_rapport("build", "--draft", "content/2024", "-o", "draft.pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "draft.pdf"


@pytest.fixture(scope="module")
def correction_2023(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real 2023 edition as revision 2, as `rapport publish --revision 2` builds it."""
    correction = Correction(2, dt.date(2024, 4, 12), "Een cijfer in hoofdstuk 2 verbeterd.")
    output = tmp_path_factory.mktemp("vcorrection") / "2023-r2.pdf"
    return build(REPO / "content" / "2023", output, correction=correction).pdf


@pytest.fixture(scope="module")
def every_block_kind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogue's positive control: one chapter with every kind of block."""
    root = tmp_path_factory.mktemp("vblocks")
    case = parse_case(EVERY_BLOCK_KIND)
    edition_dir = make_project(root)
    (root / case.target).write_bytes(expand(EVERY_BLOCK_KIND.read_text(encoding="utf-8")))
    for spec in case.fixtures:
        make_fixture(root, spec)
    return build(edition_dir, root / "blocks.pdf").pdf


PDFS = ("edition_2023", "draft_2024", "correction_2023", "every_block_kind")


def failures(pdf: Path, profile: str) -> list[str]:
    report = page.validate_pdf(str(pdf), profile=profile)
    found = [f"{failure.rule_id}: {failure.message}" for failure in report.failures]
    assert report.is_compliant == (found == []), str(report)
    return found


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("name", PDFS)
def test_page_validation_finds_nothing(
    name: str, profile: str, request: pytest.FixtureRequest
) -> None:
    pdf: Path = request.getfixturevalue(name)
    assert failures(pdf, profile) == []


def test_the_validator_does_find_a_broken_table(edition_2023: Path, tmp_path: Path) -> None:
    """The control: the same PDF with one key-figure cell's span taken away fails PDF/UA."""
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(edition_2023) as pdf:
        spans = [
            element
            for _, element in walk(pdf.Root.StructTreeRoot.K)
            if "/A" in element and "/ColSpan" in element.A
        ]
        assert spans, "the edition has key-figure rows with a change line"
        del spans[0].A["/ColSpan"]
        pdf.save(broken)
    assert any("COLUMNSPAN" in found for found in failures(broken, "ua1"))


# --------------------------------------------------------------------------- what it says


@pytest.fixture(scope="module")
def elements(edition_2023: Path) -> Iterator[list[tuple[str, pikepdf.Object]]]:
    with pikepdf.open(edition_2023) as pdf:
        yield [(str(element.S), element) for _, element in walk(pdf.Root.StructTreeRoot.K)]


def has_words(text: str) -> bool:
    return sum(character.isalpha() for character in text) >= 3


def link_kids(link: pikepdf.Object) -> list[pikepdf.Object]:
    return list(link.K) if isinstance(link.K, pikepdf.Array) else [link.K]


def link_annotations(link: pikepdf.Object) -> list[pikepdf.Object]:
    return [kid.Obj for kid in link_kids(link) if isinstance(kid, pikepdf.Dictionary)]


def test_every_link_says_where_it_goes(elements: list[tuple[str, pikepdf.Object]]) -> None:
    links = [element for role, element in elements if role == "/Link"]
    in_contents = [
        element for role, element in elements if role == "/Reference" and "/K" in element
    ]
    assert len(links) >= 15 and in_contents, "the contents and the text carry links"
    for link in links:
        assert has_words(str(link.get("/Alt", ""))), f"a link without words: {link!r}"
        assert link_annotations(link)
        for annotation in link_annotations(link):
            assert str(annotation.Contents) == str(link.Alt)


def test_the_contents_links_name_their_chapter_and_hold_its_text(
    elements: list[tuple[str, pikepdf.Object]],
) -> None:
    """A contents entry is one link (its title, and its leader with the page number): the
    Link element holds the entry's text, so a screen reader reads its words as the link."""
    contents = [e for role, e in elements if role == "/Link" and "/Dest" in link_annotations(e)[0]]
    alts = [str(link.Alt) for link in contents]
    assert any("Basisinfrastructuur Digitale Bibliotheek" in alt for alt in alts), alts
    for link in contents:
        assert any(isinstance(kid, int) for kid in link_kids(link)), f"no text in {link!r}"


def test_no_image_is_described_by_an_emoji(elements: list[tuple[str, pikepdf.Object]]) -> None:
    """The chapter icons are decoration beside their title, artifacts; every figure left
    is described in words."""
    figures = [element for role, element in elements if role == "/Figure"]
    assert figures
    for figure in figures:
        assert has_words(str(figure.get("/Alt", ""))), f"a figure without words: {figure!r}"
