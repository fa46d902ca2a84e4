"""Justified paragraphs broken as a whole (layout/justify.py), on real reportlab
paragraphs in the report's own styles: the lines keep every word, every piece of
markup and callback, break only where a space or a hyphenation point allows,
split over frames consistently, and are evener than reportlab's own breaking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Paragraph as ReportlabParagraph

from helpers import make_project
from rapport.layout import justify
from rapport.layout.hyphens import BREAK_MARK, NO_BREAK_SPACE
from rapport.layout.justify import SHRINK, STRETCH, Paragraph
from rapport.layout.styles import Styles, make_styles, register_fonts
from rapport.theme import Theme

WIDTH = 425.0
TEXT = (
    "In 2023 werkten de openbare bibliotheken verder aan een gemeenschappelijk "
    "bibliotheeksysteem. <b>Meer dan 280 bibliotheken</b> gebruiken intussen de "
    "gezamenlijke catalogus, en de <i>uitleenactiviteiten</i> stegen opnieuw: gebruikers "
    "vonden de weg naar digitale collecties, e-boeken en de Krantenkiosk. "
    '<onDraw name="mark" label="begin"/>Mijn\u00a0Bibliotheek<onDraw name="mark" label="end"/> '
    "telde op 31\u00a0december 774.115 profielen; de vernieuwde bibliotheekwebsites werden "
    "gebruiksvriendelijker en de voorbereidingen voor de overstap naar het nieuwe "
    "platform verliepen volgens planning, met dank aan de medewerkers in alle provincies."
)


@pytest.fixture(scope="module")
def styles(tmp_path_factory: pytest.TempPathFactory) -> Styles:
    root = tmp_path_factory.mktemp("project")
    make_project(root)
    theme = Theme(root=root)
    register_fonts(theme)
    return make_styles(theme, "nl-BE", None)


def lines_of(paragraph: Any, width: float = WIDTH) -> list[Any]:
    paragraph.wrap(width, 10_000)
    assert paragraph.blPara.kind == 1
    return list(paragraph.blPara.lines)


def line_text(line: Any) -> str:
    if isinstance(line, tuple):  # reportlab's lines of a paragraph of one plain run
        return " ".join(line[1])
    return "".join(word.text for word in line.words)


def whole_text(lines: list[Any]) -> str:
    """The paragraph's text as its lines hold it, broken words rejoined."""
    text = " ".join(line_text(line).strip() for line in lines)
    return text.replace(BREAK_MARK + " ", "").replace(NO_BREAK_SPACE, " ")


def plain(markup_text: str) -> str:
    text: str = ReportlabParagraph(markup_text, ParagraphStyle("x")).getPlainText()
    return text.replace(NO_BREAK_SPACE, " ")


def stretch(line: Any) -> float:
    """How much wider than natural the line's spaces are drawn (1.0: natural)."""
    spaces = line_text(line).rstrip().count(" ")
    natural_space = 0.25 * line.fontSize  # near enough the body font's space
    return 1 + line.extraSpace / spaces / natural_space if spaces else 1.0


def test_every_word_markup_and_callback_is_kept(styles: Styles) -> None:
    lines = lines_of(Paragraph(TEXT, styles.body))
    assert len(lines) > 3
    assert " ".join(whole_text(lines).split()) == " ".join(plain(TEXT).split())
    words = [word for line in lines for word in line.words]
    assert sum(1 for word in words if hasattr(word, "cbDefn")) == 2
    bold = "".join(word.text for word in words if word.fontName.endswith("Bold"))
    assert "Meer dan 280 bibliotheken" in " ".join(bold.split())


def test_lines_fill_their_width_and_never_overflow(styles: Styles) -> None:
    lines = lines_of(Paragraph(TEXT, styles.body))
    for line in lines:
        assert line.maxWidth == pytest.approx(WIDTH)
    for line in lines[:-1]:
        spaces = line_text(line).rstrip().count(" ")
        assert line.extraSpace >= -SHRINK * spaces * 0.3 * line.fontSize  # shrink at most a third


def test_spaces_shrink_to_two_thirds_at_most_and_so_loose_lines_are_fewer(styles: Styles) -> None:
    lines = [
        line
        for width in range(280, 430, 5)
        for line in lines_of(Paragraph(TEXT + COMPOUNDS, styles.body), width)[:-1]
    ]
    stretches = [stretch(line) for line in lines]
    # `stretch` counts a space as 0.3 em, the font's is a little narrower: hence the margin
    assert min(stretches) >= 1 - SHRINK * 1.1
    assert any(each < 0.9 for each in stretches)  # shrinking is used where it helps


def test_a_no_break_space_never_ends_a_line(styles: Styles) -> None:
    for width in range(300, 430, 7):
        for line in lines_of(Paragraph(TEXT, styles.body), width):
            assert not line_text(line).rstrip().endswith(("Mijn", "31"))


def test_a_hyphenated_line_ends_with_the_break_mark(styles: Styles) -> None:
    ends = [
        line_text(line).rstrip()[-1]
        for width in range(300, 430, 11)
        for line in lines_of(Paragraph(TEXT, styles.body), width)[:-1]
    ]
    assert BREAK_MARK in ends  # some line at some width is hyphenated, with the mark
    assert "-" not in ends  # "e-boeken" never breaks after its hyphen: "e-" is too short


def test_spaces_are_evener_than_reportlabs_own_breaking(styles: Styles) -> None:
    ours = [stretch(line) for line in lines_of(Paragraph(TEXT * 3, styles.body), 300)[:-1]]
    greedy = ReportlabParagraph(TEXT * 3, styles.body)
    theirs = [stretch(line) for line in lines_of(greedy, 300)[:-1]]
    # Some lines cannot be helped (the next word has no break point close enough);
    # most can.
    assert sum(each > 1 + STRETCH for each in ours) < sum(each > 1 + STRETCH for each in theirs)
    assert sum(ours) / len(ours) < sum(theirs) / len(theirs)
    very_loose = 1 + STRETCH * 1.6  # 1.8 times a space
    assert sum(each > very_loose for each in ours) < sum(each > very_loose for each in theirs)


def test_a_split_paragraph_keeps_every_word_once(styles: Styles) -> None:
    paragraph = Paragraph(TEXT, styles.body)
    whole = lines_of(paragraph)
    first, rest = paragraph.split(WIDTH, styles.body.leading * 3 + 1)
    assert first.wrap(WIDTH, 10_000)[1] == pytest.approx(styles.body.leading * 3)
    assert [line_text(line) for line in first.blPara.lines] == [
        line_text(line) for line in whole[:3]
    ]
    rest_lines = lines_of(rest)
    joined = whole_text([*first.blPara.lines, *rest_lines])
    assert " ".join(joined.split()) == " ".join(plain(TEXT).split())


def test_the_first_part_of_a_split_keeps_the_lines_the_split_measured(styles: Styles) -> None:
    # Broken again on its own, the first part would end in a short last line and break
    # its other lines differently: it must keep the height it was split for.
    text = (TEXT + " Krantenkiosk Bibliotheeksysteem Bibster" * 12) * 2
    for lines in range(2, 12):
        paragraph = Paragraph(text, styles.body)
        paragraph.wrap(WIDTH, 10_000)
        whole = [line_text(line) for line in paragraph.blPara.lines]
        parts = paragraph.split(WIDTH, styles.body.leading * lines + 1)
        first = parts[0]
        height = first.wrap(WIDTH, styles.body.leading * lines + 1)[1]
        assert height <= styles.body.leading * lines + 1
        assert [line_text(line) for line in first.blPara.lines] == whole[: len(first.blPara.lines)]


def test_ragged_text_is_left_to_reportlab(styles: Styles) -> None:
    ragged = ParagraphStyle("ragged_test", styles.body, alignment=TA_LEFT)
    ours = Paragraph(TEXT, ragged)
    theirs = ReportlabParagraph(TEXT, ragged)
    ours.wrap(WIDTH, 10_000)
    theirs.wrap(WIDTH, 10_000)
    assert [line_text(line) for line in ours.blPara.lines] == [
        line_text(line) for line in theirs.blPara.lines
    ]


def test_a_word_wider_than_the_line_is_cut_as_before(styles: Styles) -> None:
    address = "https://www.cultuurconnect.be/" + "bibliotheek/" * 8
    text = f"Meer op {address} en verder."
    ours = lines_of(Paragraph(text, styles.body), 200)
    theirs = ReportlabParagraph(text, styles.body)
    theirs.wrap(200, 10_000)
    assert [" ".join(line_text(line).split()) for line in ours] == [
        " ".join(line_text(line).split()) for line in theirs.blPara.lines
    ]


COMPOUNDS = (
    "Door de nieuwe AVG-wetgeving en de Mijn\u00a0Bibliotheek-profielen van 2019-2023 "
    "veranderde veel: bibliotheken pasten hun voorwaarden aan, de teller stond op "
    "774.115 profielen en de cijfers van 2022-2023 staan in het jaarverslag. "
) * 2


def line_ends(text: str, styles: Styles, widths: range) -> list[str]:
    return [
        line_text(line).rstrip()
        for width in widths
        for line in lines_of(Paragraph(text, styles.body), width)[:-1]
    ]


def test_a_compound_breaks_after_its_own_hyphen_with_no_hyphen_added(styles: Styles) -> None:
    ends = line_ends(COMPOUNDS, styles, range(200, 430, 3))
    assert any(end.endswith(("AVG-", "Bibliotheek-")) for end in ends)
    assert not any(end.endswith(("AVG-" + BREAK_MARK, "Bibliotheek-" + BREAK_MARK)) for end in ends)
    for line in lines_of(Paragraph(COMPOUNDS, styles.body), 200):
        assert not line_text(line).rstrip().endswith(("Mijn", "Mijn\u00a0Bibli" + BREAK_MARK))


def test_a_word_of_two_styles_breaks_with_the_mark_too(styles: Styles) -> None:
    text = "De teller telde 85.486.329 <b>afzonderlijke paginaweergaven</b>. " * 6
    ends = line_ends(text, styles, range(200, 430, 3))
    hyphenated = [end for end in ends if end.endswith(("-", BREAK_MARK))]
    assert hyphenated
    assert all(end.endswith(BREAK_MARK) for end in hyphenated)


def test_a_number_range_never_breaks(styles: Styles) -> None:
    ends = line_ends(COMPOUNDS, styles, range(200, 430, 3))
    assert not any(end.endswith(("2019-", "2022-", "2019" + BREAK_MARK)) for end in ends)
    assert not any(end.endswith(("774.", "774" + BREAK_MARK)) for end in ends)


def test_six_letter_words_hyphenate_shorter_ones_never(styles: Styles) -> None:
    ends = line_ends(TEXT + " " + COMPOUNDS, styles, range(200, 430, 2))
    heads = {end.rsplit(" ", 1)[-1] for end in ends if end.endswith(BREAK_MARK)}
    assert heads  # words of six letters and more do break
    for head in heads:
        assert len(head.rstrip(BREAK_MARK).split("\u00a0")[-1]) >= 3


def test_memoised_breaking_gives_the_same_lines(styles: Styles) -> None:
    def broken(paragraph: Paragraph, width: float) -> list[tuple[str, float]]:
        # reportlab takes 1e-8 pt off a word it rejoins on every wrap, hence the rounding
        return [(line_text(line), round(line.extraSpace, 6)) for line in lines_of(paragraph, width)]

    justify._ends_of_words.clear()
    justify._broken.clear()  # (the lines themselves are remembered too: see below)
    cold = broken(Paragraph(TEXT + COMPOUNDS, styles.body), 350)
    assert justify._ends_of_words  # the break points are kept for the next paragraph
    paragraph = Paragraph(TEXT + COMPOUNDS, styles.body)
    justify._broken.clear()
    warm = broken(paragraph, 350)
    justify._broken.clear()
    again = broken(paragraph, 350)  # a re-wrap at the same width: the plan is kept
    assert cold == warm == again
    assert paragraph._plans is not None and list(paragraph._plans) == [(350.0, 350.0)]
    assert broken(paragraph, 300) == broken(Paragraph(TEXT + COMPOUNDS, styles.body), 300)


@pytest.mark.e2e
def test_a_justified_report_builds_and_copies_back_whole(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from helpers import run_rapport

    root = tmp_path / "project"
    make_project(root)
    result = run_rapport("build", str(root / "content" / "2023"), "-o", str(tmp_path / "r.pdf"))
    assert result.returncode == 0, result.stderr
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "r.pdf").pages)
    assert BREAK_MARK not in text


# -- font expansion: glyphs widened a little, spaces spared -------------------------------


def drawn_lines(paragraph: Any, path: Path, width: float = WIDTH) -> list[list[Any]]:
    """The glyphs of `paragraph` drawn at (50, 50) in a PDF, line by line, read back from
    the file; a plain string is drawn below it."""
    from reportlab.pdfgen.canvas import Canvas

    from rapport.pdf.typography import read_glyphs

    canvas = Canvas(str(path), pagesize=(width + 100, 800))
    _, height = paragraph.wrap(width, 700)
    paragraph.drawOn(canvas, 50, 750 - height)
    canvas.setFont(paragraph.style.fontName, 10)
    canvas.drawString(50, 20, "Wise")
    canvas.save()
    lines: dict[float, list[Any]] = {}
    for glyph in read_glyphs(path)[1]:
        lines.setdefault(round(glyph.baseline, 1), []).append(glyph)
    return [sorted(line, key=lambda g: g.x0) for _, line in sorted(lines.items(), reverse=True)]


def test_widened_lines_end_exactly_at_the_edge_and_spare_their_spaces(
    styles: Styles, tmp_path: Path
) -> None:
    paragraph = Paragraph(COMPOUNDS, styles.body)
    *lines, last, after = drawn_lines(paragraph, tmp_path / "p.pdf", 300)
    scales = [getattr(line, "_rapport_scale", 1.0) for line in paragraph.blPara.lines]
    assert max(scales) > 1.0  # some line is widened …
    assert max(scales) <= 1 + styles.body.expansion + 1e-9  # … by the theme's share at most
    for line in lines:
        assert line[0].x0 == pytest.approx(50, abs=0.01)
        assert line[-1].x1 == pytest.approx(350, abs=0.01)
    assert last[-1].x1 < 340  # the last line is not justified
    natural = pdfmetrics.stringWidth("Wise", styles.body.fontName, 10)
    assert after[-1].x1 - after[0].x0 == pytest.approx(natural, abs=0.01)  # scaling reset


def test_a_line_with_a_link_keeps_its_glyphs(styles: Styles) -> None:
    linked = '<a href="https://example.org">' + COMPOUNDS + "</a>"
    for line in lines_of(Paragraph(linked, styles.body), 300):
        assert not hasattr(line, "_rapport_scale")  # reportlab places the link by widths


def test_no_expansion_in_the_theme_draws_no_scaled_line(styles: Styles) -> None:
    style = ParagraphStyle("fixed", styles.body, expansion=0.0)
    for line in lines_of(Paragraph(COMPOUNDS, style), 300):
        assert not hasattr(line, "_rapport_scale")


# -- lines remembered within a process (`rapport watch`) ----------------------------------


def test_a_paragraph_broken_again_gets_the_same_lines_as_its_own_copy(styles: Styles) -> None:
    first, second = Paragraph(TEXT, styles.body), Paragraph(TEXT, styles.body)
    first_lines, second_lines = lines_of(first, 300), lines_of(second, 300)
    assert [line_text(line) for line in second_lines] == [line_text(x) for x in first_lines]
    assert [vars(line).get("extraSpace") for line in second_lines] == [
        line.extraSpace for line in first_lines
    ]
    assert all(a is not b for a, b in zip(first_lines, second_lines, strict=True))
    words = [word for line in second_lines for word in line.words]
    assert not {id(word) for word in words} & {id(w) for line in first_lines for w in line.words}
    first.split(300, 40)  # reportlab changes the lines of a paragraph it splits …
    again = lines_of(Paragraph(TEXT, styles.body), 300)
    assert [line_text(line) for line in again] == [
        line_text(x) for x in second_lines
    ]  # … not these


def test_another_width_or_style_is_broken_anew(styles: Styles) -> None:
    narrow = lines_of(Paragraph(TEXT, styles.body), 250)
    wide = lines_of(Paragraph(TEXT, styles.body), 400)
    assert len(narrow) > len(wide)
    looser = ParagraphStyle("looser", styles.body, expansion=0.0)
    plain = lines_of(Paragraph(COMPOUNDS, looser), 300)
    assert not any(hasattr(line, "_rapport_scale") for line in plain)
    assert any(
        hasattr(line, "_rapport_scale") for line in lines_of(Paragraph(COMPOUNDS, styles.body), 300)
    )
