"""Pair kerning (layout/kerning.py): read from Lato's GPOS, applied per string, drawn as TJ.

The pair reader is checked against fontTools' reading of the same table; the
kerned font against its definition (characters unchanged, advances = widths
plus pairs, the same however a line is cut into words); the PDF by reading the
positioned glyphs and the text back, and by a cold and a warm build giving
the same bytes.
"""

from __future__ import annotations

import re
import shutil
import struct
from itertools import pairwise
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont as FontFile  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.ttfonts import TTFontFace

from helpers import REPO, chapter_with_blocks, make_project, run_rapport
from rapport.layout.kerning import (
    KERNED_CHARACTERS,
    PairTable,
    kernable,
    kerned_font,
    pair_table,
    read_pairs,
)
from rapport.libs import rl
from rapport.pdf.typography import measure
from rapport.pipeline import build

FONTS = REPO / "fonts"
REGULAR = FONTS / "Lato-Regular.ttf"
LATO_CMAP = TTFontFace(str(REGULAR)).charToGlyph


def lato_pairs(name: str = "Lato-Regular") -> dict[str, dict[str, float]]:
    path = FONTS / f"{name}.ttf"
    return read_pairs(path.read_bytes(), TTFontFace(str(path)).charToGlyph)


# ----------------------------------------------------------------------------- the pair table


def test_lato_kerns_the_strong_pairs_closer() -> None:
    pairs = lato_pairs()
    for pair in ["Vo", "Te", "Ta", "Wa", "To", "Yo", "AV", "LT", "P."]:
        assert pairs[pair[0]][pair[1]] < -40, pair
    assert pairs["V"]["o"] == -75.0  # -150 of 2000 units, in thousandths of the size


def test_no_pair_with_a_digit_a_space_or_a_hyphen() -> None:
    for name in ("Lato-Regular", "Lato-Black"):
        pairs = lato_pairs(name)
        characters = set(pairs) | {second for row in pairs.values() for second in row}
        assert not {c for c in characters if c.isdigit() or c.isspace()}
        assert not characters & set("-\u00ad\u2010\u2212\u2013")


def test_kernable_characters() -> None:
    assert kernable("V") and kernable(".") and kernable("\u2019") and kernable("é")
    for character in "7 \u00a0\u00ad\u2010-\u2212\n\u4e00":
        assert not kernable(character), repr(character)


def fonttools_pairs(path: Path, characters: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """The same pairs read with fontTools: the first subtable covering a pair decides it."""
    with FontFile(str(path)) as font:
        gpos, scale = font["GPOS"].table, 1000 / font["head"].unitsPerEm
        script = next(r.Script for r in gpos.ScriptList.ScriptRecord if r.ScriptTag == "latn")
        features = gpos.FeatureList.FeatureRecord
        lookups = sorted(
            {
                index
                for f in script.DefaultLangSys.FeatureIndex
                if features[f].FeatureTag == "kern"
                for index in features[f].Feature.LookupListIndex
            }
        )
        total: dict[tuple[str, str], float] = {}
        for index in lookups:
            for pair, value in _fonttools_lookup(gpos.LookupList.Lookup[index], characters).items():
                total[pair] = total.get(pair, 0.0) + value
    pairs: dict[str, dict[str, float]] = {}
    for (first, second), value in total.items():
        if value:
            for a in characters[first]:
                for b in characters[second]:
                    pairs.setdefault(a, {})[b] = value * scale
    return pairs


def _fonttools_lookup(lookup: Any, characters: dict[str, list[str]]) -> dict[Any, float]:
    decided: dict[tuple[str, str], float] = {}
    done: set[str] = set()
    for table in lookup.SubTable:
        firsts = [g for g in table.Coverage.glyphs if g in characters and g not in done]
        if table.Format == 1:
            sets = dict(zip(table.Coverage.glyphs, table.PairSet, strict=True))
            for first in firsts:
                for record in sets[first].PairValueRecord:
                    if record.SecondGlyph in characters:
                        value = getattr(record.Value1, "XAdvance", 0) or 0
                        decided.setdefault((first, record.SecondGlyph), float(value))
        else:
            classes1, classes2 = table.ClassDef1.classDefs, table.ClassDef2.classDefs
            for first in firsts:
                row = table.Class1Record[classes1.get(first, 0)].Class2Record
                for second in characters:
                    value = getattr(row[classes2.get(second, 0)].Value1, "XAdvance", 0) or 0
                    decided.setdefault((first, second), float(value))
            done.update(firsts)
    return decided


@pytest.mark.parametrize("name", ["Lato-Regular", "Lato-Italic", "Lato-Black"])
def test_the_reader_agrees_with_fonttools(name: str) -> None:
    path = FONTS / f"{name}.ttf"
    with FontFile(str(path)) as font:
        characters: dict[str, list[str]] = {}
        for code, glyph in font.getBestCmap().items():
            if chr(code) in KERNED_CHARACTERS and kernable(chr(code)):
                characters.setdefault(glyph, []).append(chr(code))
    assert lato_pairs(name) == fonttools_pairs(path, characters)


def test_the_pairs_are_kept_in_the_cache_and_read_back(tmp_path: Path) -> None:
    shutil.copy(REGULAR, tmp_path / "Lato-Regular.ttf")
    font = tmp_path / "Lato-Regular.ttf"
    cmap = TTFontFace(str(font)).charToGlyph
    first = pair_table(font, tmp_path, cmap)
    (entry,) = (tmp_path / ".cache" / "fonts").glob("*.json")
    from rapport.layout import kerning

    kerning._TABLES.clear()  # a new process: only the cache on disk is left
    again = pair_table(font, tmp_path, {})  # no cmap: the pairs cannot come from the font
    assert again.pairs == first.pairs and again.pairs["T"]["e"] == -122.0
    entry.write_text("{}")  # damaged: read from the font again
    kerning._TABLES.clear()
    assert pair_table(font, tmp_path, cmap).pairs == first.pairs


DAMAGE = (struct.error, ValueError, IndexError, ZeroDivisionError)  # what _read_or_warn takes


@pytest.mark.slow  # fuzzes
@settings(deadline=None, max_examples=40)
@given(where=st.integers(0, 9000), junk=st.binary(min_size=1, max_size=64))
def test_a_damaged_gpos_table_raises_only_what_is_caught(where: int, junk: bytes) -> None:
    font = bytearray(REGULAR.read_bytes())
    start = font.find(b"GPOS")
    offset = int.from_bytes(font[start + 8 : start + 12], "big")
    font[offset + where : offset + where + len(junk)] = junk
    try:
        pairs = read_pairs(bytes(font), LATO_CMAP)
    except DAMAGE:
        return
    assert all(isinstance(v, float) for row in pairs.values() for v in row.values())


def test_a_font_whose_kerning_cannot_be_read_is_set_without_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    font = bytearray(REGULAR.read_bytes())
    start = font.find(b"GPOS")
    font[start + 12 : start + 16] = (10**7).to_bytes(4, "big")  # a table longer than the file
    (tmp_path / "fonts").mkdir()
    damaged = tmp_path / "fonts" / "Broken.ttf"
    damaged.write_bytes(bytes(font))
    table = pair_table(damaged, tmp_path, LATO_CMAP)
    assert table.total("VoTe") == 0.0
    assert (
        "failed to read the kerning of fonts/Broken.ttf (its GPOS table is damaged: ValueError);"
        " its text is set without kerning. Replace the font file to have it kerned"
    ) in caplog.text.replace(str(tmp_path) + "/", "")
    assert not (tmp_path / ".cache" / "fonts").exists()  # tried again next time


# ----------------------------------------------------------------------------- the kerned font

TEXT = st.text(alphabet="VoTeaWAPLy.,;:’ -\u2010éë0123456789%()", max_size=40)


@pytest.fixture(scope="module")
def font(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return kerned_font("KerningTestRegular", REGULAR, tmp_path_factory.mktemp("kerning"))


@settings(deadline=None, max_examples=200)
@given(text=TEXT)
def test_the_advances_are_the_widths_plus_the_pairs(font: Any, text: str) -> None:
    widths = [font.face.charWidths.get(ord(c), font.face.defaultWidth) for c in text]
    pairs = [font.kerning.adjustment(a, b) for a, b in pairwise(text)]
    kerns = font.kerns_of(text)
    if any(pairs):
        assert kerns == [*pairs, 0.0]  # the kern after each character, none after the last
    else:
        assert kerns is None  # drawn as before, `(…) Tj`
    assert font.stringWidth(text, 10) == pytest.approx((sum(widths) + sum(pairs)) / 100)
    font.kerns.clear()
    font.measured.clear()
    assert font.kerns_of(text) == kerns and font.stringWidth(text, 10) == pytest.approx(
        (sum(widths) + sum(pairs)) / 100
    )


@settings(deadline=None, max_examples=200)
@given(words=st.lists(TEXT.filter(lambda w: " " not in w), min_size=1, max_size=6))
def test_a_line_is_as_wide_as_its_words_and_spaces(font: Any, words: list[str]) -> None:
    """reportlab measures words apart and draws the line whole; a hyphen ends a head."""
    whole = font.stringWidth(" ".join(words), 12)
    pieces = sum(font.stringWidth(w, 12) for w in words)
    assert whole == pytest.approx(pieces + (len(words) - 1) * font.stringWidth(" ", 12))
    head = words[0]
    assert font.stringWidth(head + "\u2010", 12) == pytest.approx(
        font.stringWidth(head, 12) + font.stringWidth("\u2010", 12)
    )


@given(number=st.from_regex(r"[−+-]?[0-9]{1,3}([ .,][0-9]{3})*(,[0-9]+)?( ?%)?", fullmatch=True))
def test_numbers_are_never_kerned(font: Any, number: str) -> None:
    assert font.kerning.after_each(number) is None


def test_a_table_without_pairs_kerns_nothing() -> None:
    table = PairTable({})
    assert table.after_each("VoTe") is None and table.total("VoTe") == 0.0


# ----------------------------------------------------------------------------- in the PDF

PARAGRAPH = (
    "Voor Tegen Tafel Wat Yoga. Totaal 1.234,5 en 2023. Volgens P. Tenbosch, F. Wauters,"
    " ‘Vooraf’ én Téa’s café, Ťa Wö."
)


def tj_arrays(pdf_path: Path) -> list[list[Any]]:
    arrays = []
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            for instruction in pikepdf.parse_content_stream(page):
                if str(instruction.operator) == "TJ":
                    arrays.append(list(instruction.operands[0]))
    return arrays


def extracted(pdf_path: Path) -> str:
    document = pdfium.PdfDocument(pdf_path)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    text = re.sub(r"[\u00ad\ufffe\u2010-]\s+", "", text)  # a word broken at a line end
    return re.sub(r"\s+", " ", text)


@pytest.mark.e2e
def test_the_pdf_holds_kerned_pairs_and_the_exact_text(tmp_path: Path) -> None:
    chapter = chapter_with_blocks(f"- paragraph: {PARAGRAPH}\n").replace("Sectie", "Vooruitgang")
    output = tmp_path / "k.pdf"
    build(make_project(tmp_path, chapter), output)

    arrays = tj_arrays(output)
    kerned = [  # the characters either side of each adjustment (ASCII: coded as itself)
        str(before)[-1] + str(after)[0]
        for array in arrays
        for before, amount, after in zip(array, array[1:], array[2:], strict=False)
        if not isinstance(amount, pikepdf.String)
    ]
    assert set(kerned) >= {"Vo", "Te", "Ta", "Wa", "Yo", "P.", "F."}
    assert not [pair for pair in kerned if pair[0].isdigit() or pair[1].isdigit()]
    assert PARAGRAPH in extracted(output)  # "." stays ".", no glyph mapped to another character
    assert "Vooruitgang" in extracted(output)

    measures = measure(output)
    assert measures.kern_pairs > 0 and measures.kerned == measures.kern_pairs


@pytest.mark.e2e
@pytest.mark.slow
def test_a_cold_and_a_warm_build_give_the_same_bytes(tmp_path: Path) -> None:
    """Fresh processes: the first with no cache (fonts, hyphenation), the second with both."""
    long_words = "Toegankelijkheidsverklaringen van bibliotheekvoorzieningen worden Vooraf "
    text = (long_words + PARAGRAPH + " ") * 6
    edition = make_project(tmp_path, chapter_with_blocks(f"- paragraph: {text}\n"))
    cold = run_rapport("build", str(edition), "-o", str(tmp_path / "cold.pdf"), cwd=tmp_path)
    assert cold.returncode == 0, cold.stderr
    assert list((tmp_path / ".cache" / "hyphenation").glob("*.json"))
    warm = run_rapport("build", str(edition), "-o", str(tmp_path / "warm.pdf"), cwd=tmp_path)
    assert warm.returncode == 0, warm.stderr
    assert (tmp_path / "cold.pdf").read_bytes() == (tmp_path / "warm.pdf").read_bytes()
    assert tj_arrays(tmp_path / "cold.pdf")


@pytest.mark.parametrize("file", ["Lato-Regular.ttf", "Lato-Black.ttf"])
def test_a_font_made_from_a_face_parsed_before_is_the_font_reportlab_makes(file: str) -> None:
    """The theme's check parses each face; the layout's font takes it (rl._init_with_face)
    rather than parsing the file again. It must be the font reportlab's TTFont makes."""
    path = str(REPO / "fonts" / file)
    parsed = TTFontFace(path)
    made = rl.KernedTTFont("Gemaakt", path, PairTable({}))
    given_face = rl.KernedTTFont("Gemaakt", path, PairTable({}), parsed)
    assert given_face.face is parsed
    assert set(vars(given_face)) == set(vars(made))
    for name, value in vars(made).items():
        if name in ("face", "state", "encoding", "kerning"):
            assert type(vars(given_face)[name]) is type(value), name
        else:
            assert vars(given_face)[name] == value, name
    assert vars(given_face.face).keys() == vars(made.face).keys()
    assert given_face.face.charWidths == made.face.charWidths
    assert given_face.stringWidth("Vooruitgang", 10) == made.stringWidth("Vooruitgang", 10)
