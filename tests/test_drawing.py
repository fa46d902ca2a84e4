"""Nothing drawn wrong: every face can draw its text, and no word runs off the page."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fontTools import subset
from fontTools.ttLib import TTFont
from hypothesis import given
from hypothesis import strategies as st

from helpers import REPO, chapter_with_blocks, make_project, run_rapport
from rapport.charts.art import Label, VectorArt
from rapport.charts.labels import fit_label, measure_with
from rapport.diagnostics import Problems
from rapport.layout.breaking import column_widths, longest_fitting_head
from rapport.theme import Theme, load_theme

LEFT_MARGIN = RIGHT_MARGIN = 30 * 72 / 25.4  # theme/theme.yaml: margin_inner and margin_outer


def _font_without(project: Path, face: str, source: str, missing: str) -> str:
    """A copy of fonts/`source` lacking the characters `missing`, made the theme's `face`."""
    font = TTFont(project / "fonts" / source)
    keep = set(font.getBestCmap()) - {ord(char) for char in missing}
    options = subset.Options()
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)
    name = f"Zonder-{face}.ttf"
    font.save(project / "fonts" / name)
    theme = project / "theme" / "theme.yaml"
    text = theme.read_text(encoding="utf-8")
    text = re.sub(rf"(?m)^(  {face}: ).*$", rf"\g<1>fonts/{name}", text)
    theme.write_text(text, encoding="utf-8")
    return Path(name).stem


def _check(project: Path) -> tuple[int, list[str]]:
    result = run_rapport("check", "content/2023", cwd=project)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stderr.splitlines()


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("face", "source", "block", "where", "word"),
    [
        ("bold", "Lato-Bold.ttf", "- paragraph: Een **ŋ** sterk woord.", "5:20", "bold"),
        ("italic", "Lato-Italic.ttf", "- quote:\n    text: Een ŋ citaat.", "6:17", "italic"),
        (
            "bold_italic",
            "Lato-BoldItalic.ttf",
            "- paragraph: Een ***ŋ*** woord.",
            "5:20",
            "bold italic",
        ),
    ],
)
def test_a_styled_face_lacking_a_character_is_an_error(
    tmp_path: Path, face: str, source: str, block: str, where: str, word: str
) -> None:
    project = tmp_path
    make_project(project, chapter_with_blocks(block))
    font = _font_without(project, face, source, "ŋ")
    status, lines = _check(project)
    assert status == 1
    assert (
        f"content/2023/01-test.yaml:{where}: error: the {word} font {font} cannot draw 'ŋ' "
        "(U+014B LATIN SMALL LETTER ENG)"
    ) in lines
    assert (
        f"  hint: this text is set in {word}: replace the character, or set fonts: {face} "
        "in theme/theme.yaml to a font that has it"
    ) in lines


@pytest.mark.e2e
def test_a_section_title_is_checked_against_the_bold_face(tmp_path: Path) -> None:
    chapter = (
        "title: Hoofdstuk\nsections:\n  - title: Sectie ŋ\n    blocks:\n      - paragraph: x\n"
    )
    make_project(tmp_path, chapter)
    font = _font_without(tmp_path, "bold", "Lato-Bold.ttf", "ŋ")
    status, lines = _check(tmp_path)
    assert status == 1
    assert (
        f"content/2023/01-test.yaml:3:5: error: the bold font {font} cannot draw 'ŋ' "
        "(U+014B LATIN SMALL LETTER ENG)"
    ) in lines


@pytest.mark.e2e
def test_a_character_in_regular_text_only_needs_the_regular_face(tmp_path: Path) -> None:
    make_project(tmp_path, chapter_with_blocks("- paragraph: Een ŋ gewoon woord."))
    _font_without(tmp_path, "bold", "Lato-Bold.ttf", "ŋ")
    assert _check(tmp_path) == (0, _check(tmp_path)[1])


@pytest.mark.e2e
def test_a_character_no_face_has_is_reported_once_for_the_regular_font(tmp_path: Path) -> None:
    make_project(tmp_path, chapter_with_blocks("- paragraph: Een **漢** woord."))
    status, lines = _check(tmp_path)
    assert status == 1
    assert [line for line in lines if "cannot draw" in line] == [
        "content/2023/01-test.yaml:5:20: error: the font Lato-Regular cannot draw '漢' "
        "(U+6F22 CJK UNIFIED IDEOGRAPH-6F22)"
    ]


# -- words wider than a line ----------------------------------------------------------

URL = "https://www.example.org/" + "/".join(["een-lang-pad.html"] * 12)
WORD = "Ditiseenheellangwoordzonderspatiesdatnergenspastxxxxxxxxxxxx"  # 60: the longest allowed


@pytest.mark.e2e
def test_long_addresses_and_words_stay_inside_the_frame(tmp_path: Path) -> None:
    blocks = f"""\
        - paragraph: "Kijk op {URL} voor meer."
        - table:
            caption: "Zie {URL}"
            columns: [a, b, c, d, e, f]
            rows:
              - ["{WORD}", "{URL}", x, y, z, "{WORD}"]
        - figures:
            - value: 1
              label: "{WORD}"
            - value: 2
              label: "{URL}"
            - value: 3
              label: kort
            - value: 4
              label: kort
        - image:
            file: images/icons/emoji_u2699.png
            alt: tandwiel
            caption: "Zie {URL} en {WORD}"
        - callout:
            title: Let op
            text: "{URL}"
        - quote:
            text: "{URL} {WORD}"
            source: iemand
        - bullets:
            - "{URL}"
        """
    make_project(tmp_path, chapter_with_blocks(blocks))
    result = run_rapport("build", "content/2023", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = pdfium.PdfDocument(tmp_path / "build" / "voortgangsrapport-2023.pdf")
    drawn = ""
    for number in range(1, len(pdf)):  # the cover has its own frame
        page = pdf[number]
        text = page.get_textpage()
        right = page.get_width() - RIGHT_MARGIN
        for index in range(text.count_chars()):
            left_edge, _, right_edge, _ = text.get_charbox(index)
            char = text.get_text_range(index, 1)
            drawn += char
            assert left_edge >= LEFT_MARGIN - 0.5 and right_edge <= right + 0.5, (
                f"'{char}' on page {number + 1} runs from {left_edge:.1f} to {right_edge:.1f}"
            )
    squeezed = re.sub(r"\s|\ufffe|\u00ad", "", drawn)
    assert squeezed.count("een-lang-pad.html") >= 12 * 6  # every copy drawn, none lost
    assert squeezed.count(WORD) >= 1


def _widths(text: str) -> float:
    return 5.0 * len(text)


def test_an_address_breaks_after_a_slash_that_fills_the_line() -> None:
    assert longest_fitting_head("https://example.org/abc/defghij", 110, _widths) == (
        "https://example.org/"
    )


def test_a_word_without_marks_breaks_at_the_last_character_that_fits() -> None:
    assert longest_fitting_head("abcdefghij", 22, _widths) == "abcd"


def test_a_mark_too_early_in_the_line_is_passed_over() -> None:
    assert longest_fitting_head("a/bcdefghijklmnop", 50, _widths) == "a/bcdefghi"


def test_nothing_fits_a_room_narrower_than_one_character() -> None:
    assert longest_fitting_head("abc", 4, _widths) is None


@given(st.text(alphabet="ab/.-", min_size=2, max_size=60), st.floats(1, 400))
def test_a_head_fits_and_is_a_proper_prefix(word: str, room: float) -> None:
    head = longest_fitting_head(word, room, _widths)
    if head is None:
        assert _widths(word[0]) > room
    else:
        assert word.startswith(head) and 0 < len(head) < len(word)
        assert _widths(head) <= room
        assert (
            _widths(head) >= room / 2
            or len(head) == len(word) - 1
            or _widths(word[: len(head) + 1]) > room
        )


def test_columns_that_fit_keep_reportlabs_own_widths() -> None:
    assert column_widths([100, 200], 400) is None


def test_narrow_columns_keep_their_need_and_wide_ones_share_the_rest() -> None:
    assert column_widths([50, 900, 700], 450) == [50, 200, 200]


@given(st.lists(st.floats(1, 2000), min_size=1, max_size=30), st.floats(100, 600))
def test_columns_never_exceed_the_frame(needs: list[float], available: float) -> None:
    widths = column_widths(needs, available)
    if widths is None:
        assert sum(needs) <= available
    else:
        assert sum(widths) == pytest.approx(available)
        assert all(
            w <= max(n, available / len(needs)) + 1e-6 for w, n in zip(widths, needs, strict=True)
        )


# -- chart category labels ------------------------------------------------------------

CHART_WIDTH = 425.0  # about the frame's width, as a chart is drawn for the page

REALISTIC = [
    "Openbare bibliotheken",
    "Schoolbibliotheken",
    "Wetenschappelijke bibliotheken",
    "Erfgoedbibliotheken",
    "Gevangenisbibliotheken",
    "Ziekenhuisbibliotheken",
    "Bedrijfsbibliotheken",
    "Overige bibliotheken",
]
SIXTY_FOUR = "Provinciale ondersteuning van de lokale bibliotheken in Vlaanderen"[:64]
FIVE_HUNDRED = ("Een categorie met een buitengewoon lange naam " * 12)[:500]


def _chart_spec(kind: str, categories: list[str], per_category: bool = False) -> dict[str, object]:
    values = [str(10 * (i + 1)) for i in range(len(categories))]
    return {
        "kind": kind,
        "title": "Test",
        "categories": categories,
        "series": [{"name": "Aantal", "values": values, "statuses": ["measured"] * len(values)}],
        "unit": "",
        "highlight": [],
        "per_category_scale": per_category,
        "language": "nl-BE",
    }


def _label_boxes(art: VectorArt, theme: Theme) -> list[tuple[str, float, float, float, float]]:
    """(text, left, bottom, right, top) of every label, measured with the chart's fonts."""
    boxes = []
    for item in art.items:
        if not isinstance(item, Label):
            continue
        font = theme.font_path("bold" if "bold" in item.face else "regular")
        width = measure_with(font, item.size)(item.text)
        left = item.x - {"start": 0.0, "middle": width / 2, "end": width}[item.anchor]
        if item.angle:
            assert abs(item.angle) in (90.0, 270.0), item
            boxes.append(
                (item.text, item.x - item.size, left, item.x + 0.2 * item.size, left + width)
            )
            continue
        boxes.append(
            (item.text, left, item.y - 0.2 * item.size, left + width, item.y + 0.8 * item.size)
        )
    return boxes


def _overlap(
    a: tuple[str, float, float, float, float], b: tuple[str, float, float, float, float]
) -> bool:
    return a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5 and a[2] < b[4] - 0.5 and b[2] < a[4] - 0.5


@pytest.fixture(scope="module")
def theme() -> Theme:
    return load_theme(REPO / "theme" / "theme.yaml", REPO, Problems())


@pytest.mark.parametrize("kind", ["bar", "hbar", "line", "stacked", "donut", "panels"])
@pytest.mark.parametrize(
    "categories",
    [REALISTIC, [SIXTY_FOUR, "Kort", SIXTY_FOUR + " bis"], [FIVE_HUNDRED, "Kort"]],
    ids=["eight-realistic", "sixty-four", "five-hundred"],
)
def test_chart_labels_never_overlap_nor_leave_the_chart(
    theme: Theme, kind: str, categories: list[str]
) -> None:
    from rapport.charts.draw import render_art

    spec = _chart_spec(
        "bar" if kind == "panels" else kind,
        categories[:6] if kind == "panels" else categories,
        kind == "panels",
    )
    art = render_art(spec, theme, CHART_WIDTH)
    boxes = _label_boxes(art, theme)
    for text, left, bottom, right, top in boxes:
        assert left >= -0.5 and right <= art.width + 0.5, f"'{text}' leaves the chart sideways"
        assert bottom >= -0.5 and top <= art.height + 0.5, f"'{text}' leaves the chart"
    for index, box in enumerate(boxes):
        for other in boxes[index + 1 :]:
            assert not _overlap(box, other), f"'{box[0]}' overlaps '{other[0]}'"


def test_a_label_that_fits_is_unchanged() -> None:
    assert fit_label("Gent", 100, 3, _widths) == "Gent"


def test_a_long_label_wraps_at_spaces_and_ends_in_an_ellipsis() -> None:
    assert fit_label("een twee drie vier vijf zes", 50, 2, _widths) == "een twee\ndrie vier…"
    assert fit_label("een twee drie", 60, 3, _widths) == "een twee\ndrie"


@given(st.text(alphabet="ab -/", min_size=1, max_size=200), st.floats(10, 300), st.integers(1, 4))
def test_every_wrapped_line_fits(label: str, room: float, lines: int) -> None:
    fitted = fit_label(label, room, lines, _widths)
    assert len(fitted.split("\n")) <= lines
    assert all(_widths(line) <= room for line in fitted.split("\n")) or fitted == label


# -- chart refinements: hatch, bar widths, legends, panel titles ---------------------------


def _art(theme: Theme, spec: dict[str, object]) -> VectorArt:
    from rapport.charts.draw import render_art

    return render_art(spec, theme, CHART_WIDTH)


def _spec(
    kind: str, categories: list[str], series: list[tuple[str, list[str], str]], **extra: object
) -> dict[str, object]:
    """A chart spec; each series is (name, values, status of every value)."""
    spec = _chart_spec(kind, categories)
    spec["series"] = [
        {"name": name, "values": values, "statuses": [status] * len(values)}
        for name, values, status in series
    ]
    return spec | extra


def _texts(art: VectorArt) -> list[str]:
    return [item.text for item in art.items if isinstance(item, Label)]


def test_the_hatch_is_coarse_enough_for_a_screen_at_100_percent(theme: Theme) -> None:
    from rapport.charts.art import Shape
    from rapport.charts.draw import HATCH_LINE, HATCH_SPACING

    spec = _spec("bar", ["a", "b"], [("Aantal", ["10", "20"], "derived")])
    hatches = [
        item
        for item in _art(theme, spec).items
        if isinstance(item, Shape) and item.fill is None and item.line_width == HATCH_LINE
    ]
    assert hatches, "a derived bar is hatched"
    starts = sorted(float(v) for v in hatches[0].segments[1::3][::2])  # x of each line's start
    gaps = {round(b - a, 2) for a, b in itertools.pairwise(starts)}
    across = [gap / 2**0.5 for gap in gaps]  # lines at 45°: the distance across them
    assert all(abs(a - HATCH_SPACING) < 0.02 for a in across), across
    # one pixel is one point at 100%: at least four pixels from line to line, and lines
    # nearly a pixel wide, or the hatch turns into a grey moiré
    assert HATCH_SPACING >= 4 and HATCH_LINE >= 0.8


def _bar_boxes(art: VectorArt, colour: str) -> list[tuple[float, float]]:
    """(left, right) of each bar of a colour, from its outline's points."""
    from rapport.charts.art import Shape

    boxes = []
    for item in art.items:
        if isinstance(item, Shape) and item.fill == colour:
            xs = [
                float(v) for i, v in enumerate(item.segments) if isinstance(v, float) and i % 3 == 1
            ]
            boxes.append((min(xs), max(xs)))
    return sorted(boxes)


def test_a_single_series_bar_takes_six_tenths_of_its_slot(theme: Theme) -> None:
    spec = _spec("bar", ["a", "b", "c"], [("Aantal", ["10", "20", "30"], "measured")])
    bars = _bar_boxes(_art(theme, spec), theme.colours.primary.lower())
    assert len(bars) == 3
    slot = (bars[1][0] + bars[1][1]) / 2 - (bars[0][0] + bars[0][1]) / 2
    assert [round((r - left) / slot, 2) for left, r in bars] == [0.6] * 3


def test_grouped_bars_keep_a_small_gap_between_them(theme: Theme) -> None:
    from rapport.charts.draw import bar_geometry

    width, offsets = bar_geometry(2)
    gap = offsets[1] - offsets[0] - width
    assert 0 < gap < width / 5
    assert offsets[-1] - offsets[0] + width <= 0.75  # the group leaves room between categories
    assert bar_geometry(1) == (0.6, [0.0])


def test_a_single_series_has_no_legend(theme: Theme) -> None:
    for kind in ("bar", "hbar", "line"):
        spec = _spec(kind, ["2021", "2022"], [("Uitleningen", ["10", "20"], "measured")])
        assert "Uitleningen" not in _texts(_art(theme, spec)), kind


def test_a_legend_entry_equal_to_the_axis_label_goes(theme: Theme) -> None:
    spec = _spec(
        "line",
        ["2021", "2022"],
        [("bibliotheken", ["10", "20"], "measured"), ("Gemeenten", ["5", "8"], "measured")],
        unit="bibliotheken",
    )
    texts = _texts(_art(theme, spec))
    assert texts.count("bibliotheken") == 1  # the axis label, not again in the legend
    assert "Gemeenten" in texts


def test_panels_name_their_bars_and_keep_only_a_key_to_the_hatch(theme: Theme) -> None:
    spec = _spec(
        "grouped",
        ["sessies", "leestips"],
        [
            ("Piwik", ["630000", "940000"], "measured"),
            ("Marge", ["800000", "1000000"], "estimated"),
        ],
        per_category_scale=True,
    )
    texts = _texts(_art(theme, spec))
    assert texts.count("Piwik") == 2 and texts.count("Marge") == 2  # under each panel, once
    assert "schatting" in texts
    assert "sessies" in texts and "leestips" in texts  # no growth: the series are no years


def test_year_panels_give_their_growth_in_the_title(theme: Theme) -> None:
    spec = _spec(
        "grouped",
        ["titels", "uitleningen"],
        [("2022", ["13043", "600"], "derived"), ("2023", ["15000", "585"], "measured")],
        per_category_scale=True,
    )
    texts = _texts(_art(theme, spec))
    assert "titels +15%" in texts
    assert "uitleningen \u22122,5%" in texts  # a true minus and a decimal comma


def test_a_single_series_names_a_derived_value_in_its_label(theme: Theme) -> None:
    spec = _spec("hbar", ["boeken", "overige"], [("Aantal", ["8878", "14188"], "measured")])
    spec["series"][0]["statuses"] = ["measured", "derived"]  # type: ignore[index]
    texts = _texts(_art(theme, spec))
    assert "overige (afgeleid)" in texts and "boeken" in texts


def test_a_long_word_is_measured_only_as_far_as_the_line_reaches() -> None:
    """Each line of a 20 000-character word measures what fits it, not the whole rest: the
    work of breaking the word grows with its length, not with its square."""
    measured: list[str] = []

    def counting(text: str) -> float:
        measured.append(text)
        return _widths(text)

    word = "https://example.org/" + "a" * 20_000
    lines = 0
    while word:
        head = longest_fitting_head(word, 100, counting) or word
        word = word[len(head) :]
        lines += 1
    assert 1001 <= lines <= 1002  # 20 characters a line (the last two may share them)
    assert len(measured) <= 21 * lines  # what one line holds, and the first that does not
