"""`rapport inspect --typography`: measures read from small PDFs whose figures are known.

Each PDF is made by reportlab with the house font (Lato, subset with ASCII codes
kept), then its page content is replaced by a stream written here, so every
word space (`Tw`), kern (`TJ`) and position is exactly what the test says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from helpers import REPO, chapter_with_blocks, make_project, run_rapport
from rapport.diagnostics import UsageError
from rapport.pdf.typography import describe, measure, to_unicode

FONT = "TypoLato"
SIZE = 10.0
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,'\"-"


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(REPO / "fonts" / "Lato-Regular.ttf")))


def _space_width() -> float:
    _register_font()
    return pdfmetrics.stringWidth(" ", FONT, SIZE)


def pdf_with_streams(path: Path, *streams: str, extra_text: str = "") -> Path:
    """A PDF of one page per stream; `/F` in a stream is Lato at the size it sets."""
    _register_font()
    canvas = Canvas(str(path))
    for _ in streams:
        canvas.setFont(FONT, SIZE)
        canvas.drawString(0, 0, ALPHABET + extra_text)  # puts every glyph in the subset
        canvas.showPage()
    canvas.save()
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page, stream in zip(pdf.pages, streams, strict=True):
            fonts = page.Resources.Font
            name = next(key for key in fonts if key != "/F1")  # F1 is Helvetica
            page.Resources.Font = pikepdf.Dictionary({"/F": fonts[name]})
            page.Contents = pdf.make_stream(stream.encode("latin-1"))
        pdf.save(path)
    return path


def _line_width(text: str) -> float:
    return pdfmetrics.stringWidth(text, FONT, SIZE)


FULL = "alle bibliotheken lenen nu ook boeken uit"
SHORT = "einde alinea"


def justified_page(word_space: float) -> str:
    """Five full lines set with `word_space` as Tw and one short last line without."""
    lines = [f"{word_space} Tw ({FULL}) Tj T*"] * 5 + [f"0 Tw ({SHORT}) Tj"]
    return f"BT /F {SIZE} Tf 14 TL 72 700 Td " + " ".join(lines) + " ET"


def test_the_stretch_of_a_justified_line_is_its_tw_against_the_natural_space(tmp_path):
    pdf = pdf_with_streams(tmp_path / "j.pdf", justified_page(2.0))
    measures = measure(pdf)
    space = _space_width()
    assert measures.full_lines == 5
    assert measures.natural_gap == pytest.approx(space)
    assert measures.natural_from_font
    assert measures.max_stretch == pytest.approx((space + 2.0) / space)
    assert 1.5 < (space + 2.0) / space < 1.8  # so the counts below are meaningful
    assert measures.stretched == {1.2: 5, 1.5: 5, 1.8: 0}


def test_lines_at_their_natural_spacing_are_not_stretched(tmp_path):
    measures = measure(pdf_with_streams(tmp_path / "n.pdf", justified_page(0.0)))
    assert measures.max_stretch == pytest.approx(1.0)
    assert measures.stretched == {1.2: 0, 1.5: 0, 1.8: 0}


def test_widened_glyphs_do_not_widen_the_natural_space_they_are_measured_against(tmp_path):
    stream = justified_page(1.0).replace("Tf 14 TL", "Tf 102 Tz 14 TL")
    measures = measure(pdf_with_streams(tmp_path / "z.pdf", stream))
    space = _space_width()
    assert measures.natural_gap == pytest.approx(space)
    assert measures.max_stretch == pytest.approx(1.02 * (space + 1.0) / space)


def test_a_contents_line_with_a_leader_gap_is_not_a_justified_line(tmp_path):
    def set_to_full_width(head: str, tail: str) -> str:
        """`head` and `tail` as one line as wide as FULL, the gap between them widened."""
        gap = _line_width(FULL) - _line_width(head + tail)
        return f"0 Tw [({head}) {-gap / SIZE * 1000:.3f} ({tail})] TJ T*"

    entry = set_to_full_width("alle bibliotheken lenen nu", "12")  # a leader before the page
    item = set_to_full_width("-", "bibliotheken lenen nu ook boeken uit")  # a bullet, then text
    stream = justified_page(0.0).replace("ET", f"T* {entry} {item} ET")
    measures = measure(pdf_with_streams(tmp_path / "c.pdf", stream))
    assert measures.full_lines == 6  # the five lines and the list item, not the entry


def test_a_kern_in_tj_counts_as_kerned_and_a_plain_pair_does_not(tmp_path):
    stream = f"BT /F {SIZE} Tf 72 700 Td [(T) 80 (o) ( Vo)] TJ ET"
    measures = measure(pdf_with_streams(tmp_path / "k.pdf", stream))
    assert (measures.kerned, measures.kern_pairs) == (1, 2)


def test_a_glyph_moved_back_by_td_counts_as_kerned(tmp_path):
    moved_back = _line_width("A") - 1.0
    stream = f"BT /F {SIZE} Tf 72 700 Td (A) Tj {moved_back} 0 Td (V) Tj ET"
    measures = measure(pdf_with_streams(tmp_path / "td.pdf", stream))
    assert (measures.kerned, measures.kern_pairs) == (1, 1)


def test_straight_quotes_in_body_text_are_counted(tmp_path):
    stream = f"BT /F {SIZE} Tf 72 700 Td (hij zei \"ja\" en 'nee') Tj ET"
    measures = measure(pdf_with_streams(tmp_path / "q.pdf", stream))
    assert (measures.straight_quotes, measures.curly_quotes) == (4, 0)


def test_typographic_quotes_are_counted_apart(tmp_path):
    _register_font()
    canvas = Canvas(str(tmp_path / "c.pdf"))
    canvas.setFont(FONT, SIZE)
    canvas.drawString(72, 700, "hij zei \u201cja\u201d en \u2018nee\u2019 en 'x'")
    canvas.save()
    measures = measure(tmp_path / "c.pdf")
    assert (measures.straight_quotes, measures.curly_quotes) == (2, 4)


def test_a_hyphenated_line_end_names_the_word(tmp_path):
    stream = f"BT /F {SIZE} Tf 14 TL 72 700 Td (de biblio-) Tj T* (theek is open.) Tj ET"
    measures = measure(pdf_with_streams(tmp_path / "h.pdf", stream))
    assert measures.hyphenated == ["biblio-theek"]


def test_a_page_with_little_text_after_the_cover_is_underfilled(tmp_path):
    full = f"BT /F {SIZE} Tf 14 TL 72 100 Td (onderaan de pagina) Tj ET"
    top = f"BT /F {SIZE} Tf 14 TL 72 740 Td (bovenaan de pagina) Tj ET"
    measures = measure(pdf_with_streams(tmp_path / "u.pdf", top, full, top))
    assert measures.pages == 3
    assert measures.underfilled == [3]  # the cover (page 1) is never counted


def test_text_scaled_by_the_graphics_matrix_has_its_drawn_size(tmp_path):
    stream = f"q 2 0 0 2 0 0 cm BT /F {SIZE} Tf 36 350 Td (groot) Tj ET Q"
    measures = measure(pdf_with_streams(tmp_path / "s.pdf", stream))
    assert measures.body_size == 2 * SIZE


def test_a_malformed_operator_is_skipped_and_the_rest_measured(tmp_path):
    stream = f"BT /F (x) Tf /F {SIZE} Tf 72 700 Td (Vo) Tj ET"
    measures = measure(pdf_with_streams(tmp_path / "m.pdf", stream))
    assert measures.kern_pairs == 1


def test_a_file_that_is_not_a_pdf_is_refused(tmp_path):
    path = tmp_path / "x.pdf"
    path.write_text("geen pdf", encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        measure(path)
    assert str(raised.value).startswith(f"failed to inspect '{path}': it is not a readable PDF (")
    assert str(raised.value).endswith("); give a PDF such as the one 'rapport build' writes")


def test_the_report_names_every_measure(tmp_path):
    text = describe(measure(pdf_with_streams(tmp_path / "r.pdf", justified_page(2.0))))
    space = _space_width()
    ratio = (space + 2.0) / space
    assert text.splitlines() == [
        "pages: 1",
        f"body text: 10 pt; natural word space {space:.2f} pt (the font's space)",
        "justified lines: 5 full lines; word spaces stretched over 1.2×: 5, over 1.5×: 5,"
        f" over 1.8×: 0; max {ratio:.2f}×",
        "hyphenated line ends: 0",
        "kerning: 0 of 0 strongly kerned pairs set kerned",
        "quotes in body text: 0 straight, 0 typographic",
        "underfilled pages (body text ends above 45% of the text block): none",
    ]


def test_a_pdf_without_text_says_so(tmp_path):
    measures = measure(pdf_with_streams(tmp_path / "e.pdf", "0 0 10 10 re f"))
    assert describe(measures) == "pages: 1\nno text found: nothing else to measure"


def _cmap(entries: dict[int, str]) -> bytes:
    lines = [
        f"<{code:02X}> <{text.encode('utf-16-be').hex().upper()}>" for code, text in entries.items()
    ]
    chars = f"{len(lines)} beginbfchar\n" + "\n".join(lines) + "\nendbfchar\n"
    ranges = "1 beginbfrange\n<E0> <E2> <0041>\nendbfrange\n"
    return f"begincmap\n{chars}{ranges}endcmap".encode()


@given(
    st.dictionaries(
        st.integers(0, 0xDF), st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
    )
)
def test_the_to_unicode_map_reads_back_what_it_maps(entries):
    with pikepdf.new() as pdf:
        font = pikepdf.Dictionary({"/ToUnicode": pdf.make_stream(_cmap(entries))})
        mapping = to_unicode(font)
    assert {code: mapping[code] for code in entries} == entries
    assert [mapping[code] for code in (0xE0, 0xE1, 0xE2)] == ["A", "B", "C"]


@pytest.mark.e2e
def test_inspect_typography_measures_a_built_edition(tmp_path):
    words = "De bibliotheek leent boeken, films en spellen uit aan iedereen in de gemeente. " * 12
    paragraph = f"- paragraph: \"{words} Zij zei 'ja'.\"\n"
    edition_dir = make_project(tmp_path, chapter_with_blocks(paragraph * 3))
    built = run_rapport("build", str(edition_dir), "-o", "r.pdf", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    result = run_rapport("inspect", "--typography", "r.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == f"pages: {len(PdfReader(tmp_path / 'r.pdf').pages)}"
    justified = re.fullmatch(
        r"justified lines: (\d+) full lines; word spaces stretched over 1\.2×: \d+,"
        r" over 1\.5×: \d+, over 1\.8×: \d+; max (\d+\.\d\d)×",
        lines[2],
    )
    assert justified, lines
    assert int(justified[1]) >= 10  # three long justified paragraphs
    assert float(justified[2]) >= 1.0
    quotes = re.search(r"quotes in body text: (\d+) straight, (\d+) typographic", result.stdout)
    assert quotes and int(quotes[1]) + int(quotes[2]) == 6  # 'ja', three times, curled or not


@pytest.mark.e2e
def test_inspect_typography_refuses_a_missing_file(tmp_path):
    result = run_rapport("inspect", "--typography", "geen.pdf", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "rapport: error: 'geen.pdf' is not a file\n"


@pytest.mark.e2e
@pytest.mark.slow
def test_the_2023_edition_meets_the_typographic_goals(tmp_path):
    """The goals of the page design: few loose lines, none very loose, every strong pair
    kerned, no straight quote (typo.py's definitions; see rapport/pdf/typography.py)."""
    from rapport.pipeline import build

    measures = measure(build(REPO / "content" / "2023", tmp_path / "2023.pdf").pdf)
    assert measures.pages <= 12
    assert measures.full_lines >= 60  # the measure saw the running text
    assert measures.stretched[1.5] <= 0.05 * measures.full_lines
    assert measures.stretched[1.8] == 0
    assert measures.kerned == measures.kern_pairs > 0
    assert measures.straight_quotes == 0
