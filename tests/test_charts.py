"""Charts: the chart block's validation, every kind drawn into a real PDF, the cache."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from helpers import REPO, chapter_with_blocks, make_project
from rapport.charts import charts_of
from rapport.charts.spec import alt_text
from rapport.content.load import load_edition
from rapport.diagnostics import ContentError, Problems
from rapport.pipeline import build

CHAPTER = "content/2023/01-test.yaml"


def chart(body: str) -> str:
    return chapter_with_blocks("- chart:\n" + textwrap.indent(textwrap.dedent(body), "    "))


def problems_of(project, text: str) -> list[str]:
    edition_dir = project(text)
    problems = Problems()
    load_edition(edition_dir, problems)
    return [d.render() for d in problems.errors]


BAR = """\
kind: bar
title: Migraties per jaar
categories: [2019, 2020, 2021]
series:
  - name: Migraties
    values: [93, 76, 99]
"""


# -- validation -------------------------------------------------------------------------


def test_a_valid_chart_loads_with_its_data(project):
    edition_dir = project(chart(BAR))
    problems = Problems()
    edition = load_edition(edition_dir, problems)
    assert problems.errors == []
    assert edition is not None
    (loaded,) = charts_of(edition)
    assert loaded.categories == ("2019", "2020", "2021")
    assert [int(v) for v in loaded.series[0].values] == [93, 76, 99]
    assert loaded.series[0].statuses == ("measured",) * 3


def test_a_non_numeric_value_names_the_series_and_line(project):
    errors = problems_of(project, chart(BAR.replace("[93, 76, 99]", "[93, veel, 99]")))
    assert errors == [
        f"{CHAPTER}:11:28: error: value in series 'Migraties' 'veel' is not a number\n  hint: write digits only, e.g. 1852354 or 6.5"
    ]


def test_series_lengths_must_match_the_categories(project):
    errors = problems_of(project, chart(BAR.replace("[93, 76, 99]", "[93, 76]")))
    assert errors == [
        f"{CHAPTER}:10:15: error: series 'Migraties' has 2 values but the chart has 3 categories\n  hint: give one value per category"
    ]


def test_an_empty_series_is_refused(project):
    errors = problems_of(project, chart(BAR.replace("[93, 76, 99]", "[]")))
    assert any("values is empty" in e for e in errors), errors


@pytest.mark.parametrize(
    ("values", "message"),
    [("[5, -1]", "negative values"), ("[0, 0]", "all zero")],
)
def test_a_donut_refuses_negative_and_all_zero_values(project, values, message):
    donut = f"kind: donut\ntitle: Verdeling\ncategories: [a, b]\nseries:\n  - name: Delen\n    values: {values}\n"
    errors = problems_of(project, chart(donut))
    assert len(errors) == 1 and message in errors[0] and f"{CHAPTER}:10:15:" in errors[0], errors


def test_too_many_categories_are_refused(project):
    many = ", ".join(str(n) for n in range(30))
    text = BAR.replace("[2019, 2020, 2021]", f"[{many}]").replace("[93, 76, 99]", f"[{many}]")
    errors = problems_of(project, chart(text))
    assert errors == [
        f"{CHAPTER}:6:11: error: a bar chart shows at most 16 categories, not 30\n  hint: split the data over two charts"
    ]


def test_an_unknown_kind_gets_a_suggestion(project):
    errors = problems_of(project, chart(BAR.replace("kind: bar", "kind: baar")))
    assert errors == [
        f"{CHAPTER}:6:17: error: chart kind 'baar' is unknown\n  hint: did you mean 'bar'?"
    ]


def test_a_highlight_must_be_a_category(project):
    errors = problems_of(project, chart(BAR + "highlight: [2022]\n"))
    assert len(errors) == 1 and "highlight '2022' is not one of the categories" in errors[0]


def test_a_point_may_carry_its_own_status(project):
    text = BAR.replace("[93, 76, 99]", "[93, {value: 76, status: estimated}, 99]")
    edition = load_edition(project(chart(text)), Problems())
    assert edition is not None
    assert charts_of(edition)[0].series[0].statuses == ("measured", "estimated", "measured")


# -- alt text ---------------------------------------------------------------------------


def test_alt_text_is_generated_from_the_data():
    edition = load_edition(REPO / "content" / "2023", Problems())
    assert edition is not None
    wise = next(c for c in charts_of(edition) if c.title.startswith("Migraties naar Wise"))
    title = wise.title[0].lower() + wise.title[1:]
    expected = f"Staafdiagram: {title}, 2019–2023; hoogste 99\u00a0bibliotheken (2021)"
    assert alt_text(wise, "nl-BE") == expected


def test_alt_text_names_marked_values():
    edition = load_edition(REPO / "content" / "2023", Problems())
    assert edition is not None
    for each in charts_of(edition):
        statuses = {s for series in each.series for s in series.statuses}
        text = alt_text(each, "nl-BE")
        assert ("afgeleid" in text) == ("derived" in statuses), text
        assert ("schatting" in text) == ("estimated" in statuses), text


# -- every kind in a real PDF -----------------------------------------------------------

ALL_KINDS = """\
- chart:
    kind: bar
    title: Staven met $5 en $10
    categories: [Aalst, Brakel, "$5 en $10"]
    series:
      - name: Leners
        values: [1234, 56, 7890]
    highlight: [Brakel]
    caption: Een gewone staafgrafiek.
- chart:
    kind: hbar
    title: Liggende staven
    unit: "%"
    categories: [stijging, daling]
    series:
      - name: Verandering
        values: [41, -2.5]
- chart:
    kind: grouped
    title: Gegroepeerd
    categories: [titels, exemplaren]
    series:
      - name: "2022"
        status: derived
        values: [13043, 41667]
      - name: "2023"
        values: [15000, 50000]
- chart:
    kind: grouped
    scale: per-category
    title: Panelen
    categories: [sessies, leestips]
    series:
      - name: Piwik
        values: [630000, 940000]
      - name: Foutenmarge
        status: estimated
        values: [800000, 1000000]
- chart:
    kind: stacked
    title: Gestapeld
    categories: [Quest, Story]
    series:
      - name: Teams
        values: [300, 400]
      - name: Klassen
        values: [120, 80]
- chart:
    kind: line
    title: Een lijn
    unit: bibliotheken
    categories: [2019, 2020, 2021]
    series:
      - name: Opgeteld
        values: [93, 1169, 2268]
- chart:
    kind: donut
    title: Een ring
    unit: beschrijvingen
    categories: [boeken, strips, overige]
    series:
      - name: Beschrijvingen
        values: [8878, 1610, {value: 14188, status: derived}]
"""


@pytest.fixture(scope="module")
def all_kinds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("kinds")
    edition_dir = make_project(root, chapter_with_blocks(ALL_KINDS))
    report = build(edition_dir, root / "kinds.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(report.pdf).pages)
    return report.pdf, text


@pytest.mark.e2e
def test_every_kind_is_drawn_with_extractable_labels(all_kinds):
    _, text = all_kinds
    words = ["Aalst", "Brakel", "stijging", "daling", "titels", "exemplaren", "sessies", "leestips"]
    words += ["Quest", "Story", "Teams", "Klassen", "boeken", "strips", "overige"]
    missing = [w for w in words if w not in text]
    assert missing == []


@pytest.mark.e2e
def test_chart_numbers_are_flemish(all_kinds):
    _, text = all_kinds
    for number in ["1.234", "7.890", "13.043", "41.667", "630.000", "1.000.000", "24.676", "2.268"]:
        assert number in text, number
    assert "-2,5" in text or "−2,5" in text


@pytest.mark.e2e
def test_a_dollar_sign_is_just_a_dollar_sign(all_kinds):
    _, text = all_kinds
    assert text.count("$5 en $10") >= 2  # the title above the chart and the axis label in it


@pytest.mark.e2e
def test_marked_values_are_named_in_the_legend(all_kinds):
    _, text = all_kinds
    assert "2022 (afgeleid)" in text  # in the legend of grouped bars
    # panels name each bar under it: their legend is only a key to the look of an estimate
    assert "Foutenmarge (schatting)" not in text
    assert re.search(r"^schatting$", text, re.MULTILINE)


@pytest.mark.e2e
def test_figures_are_numbered_in_order(all_kinds):
    _, text = all_kinds
    numbers = [int(n) for n in re.findall(r"Figuur (\d+)", text)]
    assert numbers == list(range(1, 8))


@pytest.mark.e2e
def test_charts_are_vector_drawings_not_images(all_kinds):
    pdf, _ = all_kinds
    reader = PdfReader(pdf)
    for page in reader.pages:
        resources = page.get("/Resources", {})
        xobjects = resources.get("/XObject", {})
        images = [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]
        assert images == [] or all(
            x.get_object()["/Width"] <= 200 for x in images
        )  # chapter icons only


# -- the cache --------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_cached_rebuild_does_not_import_matplotlib_and_gives_the_same_bytes(tmp_path):
    edition_dir = make_project(tmp_path, chapter_with_blocks(ALL_KINDS))
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from rapport.pipeline import build
        build(Path({str(edition_dir)!r}), Path(sys.argv[1]))
        print("matplotlib" in sys.modules)
        """
    )

    def run(output: Path) -> str:
        result = subprocess.run(
            [sys.executable, "-c", script, str(output)], capture_output=True, text=True, check=True
        )
        return result.stdout.strip()

    assert run(tmp_path / "cold.pdf") == "True"
    assert run(tmp_path / "warm.pdf") == "False"
    assert (tmp_path / "cold.pdf").read_bytes() == (tmp_path / "warm.pdf").read_bytes()


@pytest.mark.e2e
def test_changing_the_theme_draws_the_charts_again(tmp_path):
    edition_dir = make_project(tmp_path, chart(BAR))
    build(edition_dir, tmp_path / "a.pdf")
    first = set((tmp_path / ".cache" / "charts").glob("*.json"))
    theme = tmp_path / "theme" / "theme.yaml"
    theme.write_text(
        theme.read_text(encoding="utf-8").replace('primary: "#0E6470"', 'primary: "#AA3377"'),
        encoding="utf-8",
    )
    build(edition_dir, tmp_path / "b.pdf")
    second = set((tmp_path / ".cache" / "charts").glob("*.json"))
    assert len(first) == 1 and len(second) == 2


@pytest.mark.e2e
@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"cos\nsystem\n(S'echo pwned'\ntR.",  # a pickle, which is never loaded
        b'{"format": 1, "width": 100, "height": 50, "items": [{"type": "image"}]}',
        b'{"format": 1, "width": 100, "height": 50, "items": [{"type": "label", "x": 1,'
        b' "y": 1, "text": "x", "face": "Courier", "size": 9, "colour": "#000000"}]}',
        b'{"format": 1, "width": 1e999, "height": 50, "items": []}',
        b'{"format": 1, "width": 0, "height": 50, "items": []}',
        b"[" * 3000,
        b'{"format": 1, "width": 100, "height": 50, "items": [{"type": "shape",'
        b' "segments": ["M", 0, 0, "L", 1, 1], "fill": null, "stroke": "#000000",'
        b' "dash": [0, 0]}]}',
        b'{"format": 1, "width": 100, "height": 50, "items": [{"type": "shape",'
        b' "segments": ["M", 0, 0], "fill": null, "stroke": "#000000", "line_width": -1}]}',
    ],
)
def test_a_damaged_cached_chart_is_drawn_again_not_trusted(tmp_path, caplog, damage):
    edition_dir = make_project(tmp_path, chart(BAR))
    build(edition_dir, tmp_path / "a.pdf")
    (stored,) = (tmp_path / ".cache" / "charts").glob("*.json")
    good = stored.read_bytes()
    stored.write_bytes(damage)
    build(edition_dir, tmp_path / "b.pdf")
    assert "the cached copy is damaged" in caplog.text
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert stored.read_bytes() == good


def test_bad_chart_data_fails_the_build_without_writing(tmp_path):
    edition_dir = make_project(tmp_path, chart(BAR.replace("[93, 76, 99]", "[93, 76]")))
    with pytest.raises(ContentError):
        build(edition_dir, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.e2e
def test_a_cold_build_and_a_rebuild_give_the_same_bytes(tmp_path):
    edition_dir = make_project(tmp_path, chapter_with_blocks(ALL_KINDS))
    build(edition_dir, tmp_path / "first.pdf")
    build(edition_dir, tmp_path / "second.pdf")
    assert (tmp_path / "first.pdf").read_bytes() == (tmp_path / "second.pdf").read_bytes()


def test_a_legend_names_an_estimate_once():
    from rapport.charts.spec import series_label

    assert series_label("2022", ["derived", "derived"]) == "2022 (afgeleid)"
    assert series_label("Schatting", ["estimated"]) == "Schatting"
    assert series_label("Inschatting", ["estimated"]) == "Inschatting (schatting)"
    assert series_label("Piwik", ["measured", "estimated"]) == "Piwik"


@pytest.mark.parametrize("package", ["matplotlib", "reportlab"])
def test_the_cache_key_names_the_installed_version(package):
    from importlib.metadata import version

    from rapport.cache import installed_version

    assert installed_version(package) == version(package)


# -- panel growth, and the 2023 charts ----------------------------------------------------


def _year_spec(first: list[str], last: list[str], names=("2022", "2023")) -> dict:
    return {
        "categories": [f"c{i}" for i in range(len(first))],
        "series": [{"name": names[0], "values": first}, {"name": names[1], "values": last}],
        "language": "nl-BE",
    }


def test_panel_growth_is_worked_out_as_a_facts_change():
    from rapport.charts.spec import panel_growth

    spec = _year_spec(["13043", "41667", "200", "50", "7"], ["15000", "50000", "195", "50", "7.35"])
    assert panel_growth(spec) == ["+15%", "+20%", "\u22122,5%", "±0%", "+5%"]


@pytest.mark.parametrize(
    "names", [("Piwik", "Schatting"), ("2023", "2022"), ("2022", "2022")], ids=str
)
def test_panel_growth_needs_ascending_years(names):
    from rapport.charts.spec import panel_growth

    assert panel_growth(_year_spec(["10"], ["12"], names)) == [""]


def test_no_growth_from_nothing_or_from_below_zero():
    from rapport.charts.spec import panel_growth

    assert panel_growth(_year_spec(["0", "-5"], ["12", "3"])) == ["", ""]


@given(
    st.integers(min_value=1, max_value=10**9),
    st.integers(min_value=0, max_value=10**9),
)
def test_panel_growth_has_the_sign_of_the_change(previous, current):
    from rapport.charts.spec import panel_growth

    (growth,) = panel_growth(_year_spec([str(previous)], [str(current)]))
    assert growth.endswith("%") and "-" not in growth
    expected = "+" if current > previous else "\u2212" if current < previous else "±"
    # a tiny change rounds to nothing and keeps its sign: +0%
    assert growth[0] == expected or growth[1:] in ("0%", "0,0%")


@pytest.fixture(scope="module")
def charts_2023():
    problems = Problems()
    edition = load_edition(REPO / "content" / "2023", problems)
    assert edition is not None and problems.errors == []
    return charts_of(edition)


def test_no_2023_donut_is_dominated_by_a_derived_part(charts_2023):
    """A ring of mostly 'overige' says little: such parts are drawn as a bar instead."""
    for chart in charts_2023:
        if chart.kind != "donut":
            continue
        series = chart.series[0]
        total = sum(series.values)
        derived = sum(
            v for v, st_ in zip(series.values, series.statuses, strict=True) if st_ != "measured"
        )
        assert derived * 2 < total, chart.title


def test_no_two_2023_charts_show_the_same_numbers(charts_2023):
    """A chart whose series are a running total of another's repeats it."""
    from itertools import accumulate

    shown = [tuple(v for s in c.series for v in s.values) for c in charts_2023]
    for chart in charts_2023:
        for series in chart.series:
            running = tuple(accumulate(series.values))
            assert running == tuple(series.values) or running not in shown, chart.title
    assert len(set(shown)) == len(shown)


def test_the_vlacc_parts_are_a_bar_with_overige_labelled_derived(charts_2023):
    (vlacc,) = [c for c in charts_2023 if "Vlacc" in c.title]
    assert vlacc.kind == "hbar"
    assert vlacc.series[0].statuses[vlacc.categories.index("overige")] == "derived"
    assert "afgeleid" in alt_text(vlacc, "nl-BE")
