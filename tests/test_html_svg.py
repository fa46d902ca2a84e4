"""The web edition's charts: inline SVG drawn from the recorded chart art, and the data table.

The real 2023 edition's charts are turned into SVG and read back as XML: the same
shapes and the same text as the art the PDF paints, flipped to SVG's y-down space.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import REPO
from rapport.charts import NARROW_WIDTH, ChartArt, ChartSet, charts_of, prepare_charts
from rapport.charts.art import Clip, Label, Shape, VectorArt
from rapport.charts.spec import MIN_PANEL, PHONE_WIDTH, chart_height, panel_grid
from rapport.content.model import Chart, Series
from rapport.diagnostics import Location
from rapport.html.style import stylesheet
from rapport.html.svg import chart_data_table, chart_svg, number, path_data
from rapport.html.write import _drawings
from rapport.layout.document import frame_width
from rapport.paths import project_root
from rapport.pipeline import Checked, load_and_check

SVG = "{http://www.w3.org/2000/svg}"
FONTS = "Lato, sans-serif"
HOSTILE = "<script>alert('x')</script> & \"quoted\" </svg>"


@pytest.fixture(scope="module")
def checked() -> Checked:
    return load_and_check(REPO / "content" / "2023")


@pytest.fixture(scope="module")
def chart_set(checked: Checked) -> ChartSet:
    edition = checked.edition
    return prepare_charts(edition, checked.theme, project_root(edition), frame_width(checked.theme))


@pytest.fixture(scope="module")
def drawn(checked: Checked, chart_set: ChartSet) -> list[tuple[Chart, ChartArt, str]]:
    """Every chart of the 2023 edition with its art and its SVG."""
    return [
        (chart, art, chart_svg(art, alt=art.alt, font_family=FONTS))
        for chart in charts_of(checked.edition)
        for art in [chart_set.art[chart.location]]
    ]


def _drawn_paths(root: ET.Element) -> list[ET.Element]:
    """The painted paths: those outside the clip path definitions."""
    clip_paths = {id(p) for clip in root.iter(f"{SVG}clipPath") for p in clip.iter(f"{SVG}path")}
    return [p for p in root.iter(f"{SVG}path") if id(p) not in clip_paths]


# --------------------------------------------------------------------------- the 2023 charts


def test_the_2023_edition_has_charts_of_several_kinds(
    drawn: list[tuple[Chart, ChartArt, str]],
) -> None:
    assert len(drawn) >= 5
    assert len({chart.kind for chart, _, _ in drawn}) >= 3


def test_each_chart_is_well_formed_svg_with_its_alt_text(
    drawn: list[tuple[Chart, ChartArt, str]],
) -> None:
    for _chart, art, svg in drawn:
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        assert root.get("aria-label") == art.alt
        assert root.findtext(f"{SVG}title") == art.alt
        assert root.get("viewBox") == f"0 0 {number(art.art.width)} {number(art.art.height)}"
        assert root.get("width") == "100%" and root.get("height") is None


def test_each_chart_keeps_every_label_as_text_and_every_shape_as_a_path(
    drawn: list[tuple[Chart, ChartArt, str]],
) -> None:
    for _chart, art, svg in drawn:
        root = ET.fromstring(svg)
        labels = [item for item in art.art.items if isinstance(item, Label)]
        shapes = [item for item in art.art.items if isinstance(item, Shape)]
        assert [t.text for t in root.iter(f"{SVG}text")] == [label.text for label in labels]
        assert len(_drawn_paths(root)) == len(shapes)
        assert labels and shapes


def test_the_y_axis_is_flipped(drawn: list[tuple[Chart, ChartArt, str]]) -> None:
    """A label near the top of the PDF chart (high y) is near the top of the SVG (low y)."""
    for _chart, art, svg in drawn:
        labels = [item for item in art.art.items if isinstance(item, Label)]
        texts = list(ET.fromstring(svg).iter(f"{SVG}text"))
        top = max(range(len(labels)), key=lambda i: labels[i].y)
        bottom = min(range(len(labels)), key=lambda i: labels[i].y)
        assert float(texts[top].get("y", "nan")) < float(texts[bottom].get("y", "nan"))
        assert float(texts[top].get("y", "nan")) == pytest.approx(
            art.art.height - labels[top].y, abs=0.006
        )


def test_ids_are_unique_across_the_charts_of_one_page(
    drawn: list[tuple[Chart, ChartArt, str]],
) -> None:
    page = ET.fromstring(f"<div>{''.join(svg for _, _, svg in drawn)}</div>")
    ids = [element.get("id") for element in page.iter() if element.get("id")]
    assert ids and len(ids) == len(set(ids))
    for svg in page:  # every reference finds its clip path in the same chart
        own = {element.get("id") for element in svg.iter()}
        for element in svg.iter():
            if reference := element.get("clip-path"):
                assert re.fullmatch(r"url\(#(.+)\)", reference)[1] in own  # type: ignore[index]


def test_no_script_no_outside_reference_no_foreign_object(
    drawn: list[tuple[Chart, ChartArt, str]],
) -> None:
    for _chart, _art, svg in drawn:
        root = ET.fromstring(svg)
        tags = {element.tag.removeprefix(SVG) for element in root.iter()}
        assert tags <= {"svg", "title", "defs", "clipPath", "rect", "path", "g", "text"}
        attributes = {name for element in root.iter() for name in element.attrib}
        assert not {"style", "href", "{http://www.w3.org/1999/xlink}href"} & attributes
        assert not any(name.startswith("on") for name in attributes)
        assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_output_is_deterministic(drawn: list[tuple[Chart, ChartArt, str]]) -> None:
    for _chart, art, svg in drawn:
        assert chart_svg(art, alt=art.alt, font_family=FONTS) == svg
        from_cache = VectorArt.from_json(art.art.to_json())
        assert chart_svg(from_cache, alt=art.alt, font_family=FONTS) == svg


def test_each_table_holds_every_category_and_value(
    drawn: list[tuple[Chart, ChartArt, str]],
) -> None:
    for chart, _art, _svg in drawn:
        table = ET.fromstring(chart_data_table(chart, "nl-BE"))
        assert table.tag == "details"
        assert table.findtext("summary") == "Cijfers van deze grafiek"
        rows = table.findall("./table/tbody/tr")
        assert [row.findtext("th") for row in rows] == list(chart.categories)
        assert all(row.find("th").get("scope") == "row" for row in rows)  # type: ignore[union-attr]
        headers = table.findall("./table/thead/tr/th")
        assert len(headers) == len(chart.series)
        assert all(th.get("scope") == "col" for th in headers)
        for column, series in enumerate(chart.series):
            cells = [row.findall("td")[column].text or "" for row in rows]
            expected = [_flemish(value) for value in series.values]
            assert [cell.rstrip("*") for cell in cells] == expected


def _flemish(value: Decimal | None) -> str:
    """The value as the PDF writes it, for the few values of the 2023 charts."""
    assert value is not None
    return f"{value:,}".replace(",", ".")


# --------------------------------------------------------------------------- made-up charts


def _location() -> Location:
    return Location(Path("content/2023/01-test.yaml"), 3, 5)


def _chart(*series: Series, title: str = "Uitleningen", unit: str = "") -> Chart:
    return Chart(
        kind="bar",
        title=title,
        categories=("2022", "2023"),
        series=series,
        unit=unit,
        location=_location(),
    )


def _series(name: str, values: tuple[Decimal | None, ...], statuses: tuple[str, ...]) -> Series:
    return Series(
        name=name,
        values=values,
        statuses=statuses,  # type: ignore[arg-type]
        facts=("uitleningen.2022", "uitleningen.2023"),
        location=_location(),
    )


def test_hostile_text_is_escaped_everywhere() -> None:
    art = VectorArt(
        100,
        50,
        (
            Shape(("M", 0, 0, "L", 10, 10), fill="#112233", stroke=None),
            Label(5, 5, HOSTILE, "bold_italic", 8, "#000000"),
        ),
    )
    svg = chart_svg(art, alt=HOSTILE, font_family=HOSTILE, id_prefix="p")
    root = ET.fromstring(svg)
    assert "<script" not in svg
    assert root.get("aria-label") == HOSTILE
    assert root.findtext(f"{SVG}title") == HOSTILE
    text = next(root.iter(f"{SVG}text"))
    assert text.text == HOSTILE
    assert (text.get("font-weight"), text.get("font-style")) == ("bold", "italic")
    assert root.find(f"{SVG}g").get("font-family") == HOSTILE  # type: ignore[union-attr]

    chart = Chart(
        kind="bar",
        title=HOSTILE,
        categories=(HOSTILE, "b & c"),
        series=(_series(HOSTILE, (Decimal(1), Decimal(2)), ("measured", "measured")),),
        unit="<u>",
        location=_location(),
    )
    table_html = chart_data_table(chart, "nl-BE")
    table = ET.fromstring(table_html)
    assert "<script" not in table_html
    assert table.findtext("./table/caption") == f"{HOSTILE}, in <u>"
    assert [row.findtext("th") for row in table.findall("./table/tbody/tr")] == [HOSTILE, "b & c"]
    assert table.findtext("./table/thead/tr/th") == HOSTILE


def test_characters_xml_cannot_hold_are_left_out() -> None:
    art = VectorArt(10, 10, (Label(1, 1, "a\x01b\x0bc", "regular", 8, "#000000"),))
    root = ET.fromstring(chart_svg(art, alt="x\x00y", font_family=FONTS))
    assert next(root.iter(f"{SVG}text")).text == "abc"
    assert root.get("aria-label") == "xy"


def test_a_single_estimated_value_gets_an_asterisk_and_a_note() -> None:
    chart = _chart(
        _series("Fysiek", (Decimal("1234.5"), Decimal(7)), ("measured", "estimated")),
        _series("Digitaal", (Decimal(3), Decimal(4)), ("derived", "derived")),
    )
    table = ET.fromstring(chart_data_table(chart, "nl-BE"))
    cells = [[td.text for td in row.findall("td")] for row in table.findall("./table/tbody/tr")]
    assert cells == [["1.234,5", "3"], ["7*", "4"]]
    assert [p.text for p in table.findall("p")] == ["* schatting"]
    assert [th.text for th in table.findall("./table/thead/tr/th")] == [
        "Fysiek",
        "Digitaal (afgeleid)",
    ]
    assert table.findtext("./table/caption") == "Uitleningen"  # no unit, no "in"


def test_two_kinds_of_single_values_get_two_markers() -> None:
    chart = _chart(
        _series("Fysiek", (Decimal(1), Decimal(2)), ("estimated", "derived")),
    )
    table = ET.fromstring(chart_data_table(chart, "nl-BE"))
    cells = [row.findtext("td") for row in table.findall("./table/tbody/tr")]
    assert cells == ["1*", "2**"]
    assert [p.text for p in table.findall("p")] == ["* schatting", "** afgeleid"]


def test_an_unfilled_value_of_a_draft_shows_what_to_fill_in() -> None:
    chart = _chart(_series("Fysiek", (Decimal(5), None), ("measured", "measured")))
    table = ET.fromstring(chart_data_table(chart, "nl-BE"))
    cells = table.findall("./table/tbody/tr/td")
    assert [td.text for td in cells] == ["5", "[nog in te vullen: uitleningen.2023]"]
    assert cells[1].get("class") == "unfilled"


def test_the_table_speaks_english_in_an_english_edition() -> None:
    chart = _chart(
        _series("Loans", (Decimal("1234.5"), Decimal(7)), ("measured", "derived")),
        unit="%",
    )
    table = ET.fromstring(chart_data_table(chart, "en-GB"))
    assert table.findtext("summary") == "Numbers in this chart"
    assert table.findtext("./table/caption") == "Uitleningen, in %"
    assert [td.text for td in table.findall("./table/tbody/tr/td")] == ["1,234.5", "7*"]
    assert [p.text for p in table.findall("p")] == ["* derived"]


def test_clips_become_clip_paths_nested_for_a_rectangle_and_a_path() -> None:
    both = Clip(rect=(0, 0, 50, 20), path=("M", 0, 0, "L", 50, 0, "L", 50, 20, "Z"))
    art = VectorArt(
        100,
        40,
        (
            Shape(("M", 0, 0, "L", 60, 30), fill=None, stroke="#000000", clip=both),
            Shape(("M", 0, 0, "L", 5, 5), fill=None, stroke="#000000", clip=both),
            Label(
                10, 30, "kantel", "regular", 8, "#000000", angle=90, clip=Clip(rect=(0, 0, 1, 1))
            ),
        ),
    )
    root = ET.fromstring(chart_svg(art, alt="a", font_family=FONTS, id_prefix="k"))
    clip_paths = root.findall(f"./{SVG}defs/{SVG}clipPath")
    assert [c.get("id") for c in clip_paths] == ["k-clip1", "k-clip2", "k-clip3"]
    rect = clip_paths[1].find(f"{SVG}rect")
    assert rect is not None and (rect.get("y"), rect.get("height")) == ("20", "20")  # 40 − 0 − 20
    outer = root.findall(f"./{SVG}g/{SVG}g")
    assert [g.get("clip-path") for g in outer] == ["url(#k-clip2)", "url(#k-clip3)"]
    inner = outer[0].find(f"{SVG}g")
    assert inner is not None and inner.get("clip-path") == "url(#k-clip1)"
    assert len(inner.findall(f"{SVG}path")) == 2  # the neighbours share one group
    text = next(root.iter(f"{SVG}text"))
    assert text.get("transform") == "rotate(-90 10 10)"  # counter-clockwise with y up


def test_the_pen_is_written_as_svg_attributes() -> None:
    art = VectorArt(
        10,
        10,
        (
            Shape(
                ("M", 0, 0, "C", 1, 1, 2, 2, 3, 3, "Z"),
                fill="#ff0000",
                stroke="#00ff00",
                line_width=0.5,
                fill_alpha=0.25,
                stroke_alpha=0.5,
                dash=(2, 1),
                dash_offset=1,
                cap=1,
                join=2,
            ),
        ),
    )
    path = next(ET.fromstring(chart_svg(art, alt="a", font_family=FONTS)).iter(f"{SVG}path"))
    assert path.attrib == {
        "d": "M0 10C1 9 2 8 3 7Z",
        "fill": "#ff0000",
        "fill-opacity": "0.25",
        "stroke": "#00ff00",
        "stroke-opacity": "0.5",
        "stroke-width": "0.5",
        "stroke-linecap": "round",
        "stroke-linejoin": "bevel",
        "stroke-dasharray": "2 1",
        "stroke-dashoffset": "1",
    }


def test_different_art_gets_different_ids_without_a_prefix() -> None:
    def art(width: float) -> VectorArt:
        clip = Clip(rect=(0, 0, 5, 5))
        return VectorArt(width, 10, (Shape(("M", 0, 0), fill="#000000", stroke=None, clip=clip),))

    first = ET.fromstring(chart_svg(art(10), alt="a", font_family=FONTS))
    second = ET.fromstring(chart_svg(art(11), alt="a", font_family=FONTS))
    ids = [e.get("id") for root in (first, second) for e in root.iter() if e.get("id")]
    assert len(ids) == 2 and ids[0] != ids[1]


# --------------------------------------------------------------------------- numbers


@given(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False))
def test_coordinates_are_short_and_close(value: float) -> None:
    written = number(value)
    assert re.fullmatch(r"-?(0|[1-9]\d*)(\.\d?[1-9])?", written), written
    assert written != "-0"
    assert abs(float(written) - value) <= 0.005 + 1e-9 * abs(value)


@given(st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=2, max_size=2))
def test_path_data_flips_every_y(point: list[float]) -> None:
    x, y = point
    written = path_data(("M", x, y), 100)
    assert written == f"M{number(x)} {number(100 - y)}"


def test_a_coordinate_that_is_not_finite_is_refused() -> None:
    with pytest.raises(ValueError, match="inf is not a coordinate"):
        number(float("inf"))


# --------------------------------------------------------------------------- drawn for a phone


@pytest.fixture(scope="module")
def web_set(checked: Checked) -> ChartSet:
    """The charts as the web edition asks for them: also drawn at a phone's width."""
    edition = checked.edition
    width = frame_width(checked.theme)
    return prepare_charts(
        edition, checked.theme, project_root(edition), width, narrow_pt=NARROW_WIDTH
    )


def test_only_the_web_edition_gets_a_narrow_art_and_the_wide_one_is_the_pdfs(
    chart_set: ChartSet, web_set: ChartSet
) -> None:
    assert all(art.narrow is None for art in chart_set.art.values())
    for location, art in web_set.art.items():
        assert art.art.to_json() == chart_set.art[location].art.to_json()
        assert art.narrow is not None and art.narrow.width == NARROW_WIDTH
        assert any(isinstance(item, Label) for item in art.narrow.items)


def test_a_narrow_chart_wraps_its_panels_into_rows(checked: Checked, web_set: ChartSet) -> None:
    """The 2023 e-books chart has four panels: two rows of two on a phone, one row in the PDF."""
    (chart,) = [
        c for c in charts_of(checked.edition) if len(c.categories) == 4 and c.per_category_scale
    ]
    art = web_set.art[chart.location]
    assert art.narrow is not None
    assert art.narrow.height == pytest.approx(2 * 0.36 * NARROW_WIDTH)
    assert art.art.height == pytest.approx(0.36 * art.art.width)


@given(st.integers(min_value=0, max_value=40), st.floats(min_value=50, max_value=1000))
def test_panels_wrap_only_on_a_phone_and_each_keeps_its_room(categories: int, width: float) -> None:
    rows, columns = panel_grid(categories, width)
    assert rows * columns >= categories and (rows - 1) * columns < max(categories, 1)
    if width >= PHONE_WIDTH:
        assert (rows, columns) == (1, max(categories, 1))
    elif columns > 1:
        assert width / columns >= MIN_PANEL
    assert chart_height("bar", categories, 2, True, width) == pytest.approx(width * 0.36 * rows)


def test_a_chart_with_narrow_art_is_written_twice_with_one_label() -> None:
    wide = VectorArt(400, 100, (Label(1, 2, "wide", "regular", 8.5, "#000000"),))
    narrow = VectorArt(NARROW_WIDTH, 150, (Label(1, 2, "narrow", "regular", 8.5, "#000000"),))
    written = _drawings(ChartArt(wide, "Leners per jaar", narrow=narrow))
    match = re.fullmatch(
        r'<div class="chart-wide">(<svg .*</svg>)</div><div class="chart-narrow">(<svg .*</svg>)</div>',
        written,
    )
    assert match is not None, written
    wide_svg, narrow_svg = (ET.fromstring(svg) for svg in match.groups())
    assert wide_svg.get("viewBox") == "0 0 400 100"
    assert narrow_svg.get("viewBox") == f"0 0 {number(NARROW_WIDTH)} 150"
    assert wide_svg.get("aria-label") == narrow_svg.get("aria-label") == "Leners per jaar"
    assert _drawings(ChartArt(wide, "Leners per jaar")).startswith("<svg ")  # the PDF's art only


def test_the_stylesheet_shows_one_art_per_width_and_prints_the_wide_one(checked: Checked) -> None:
    sheet = stylesheet(checked.theme, [])
    assert ".chart-narrow{display:none}" in sheet  # hidden: out of the accessibility tree too
    assert (
        "@media screen and (max-width:31.99rem){.chart-wide{display:none}"
        ".chart-narrow{display:block}}" in sheet
    )
