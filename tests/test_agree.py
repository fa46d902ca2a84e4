"""`check` and `build` agree, whatever values a user puts in the theme and the content.

A property test: theme values (numbers huge, zero and negative, words, lists, sets of
keys, a list as a key) and content numbers (table columns, tiles, chart sizes and
values, publication dates) are mutated at random. Whatever comes out, rapport never
fails with an internal error, and an edition `check` accepts is one `build` makes.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import make_project
from rapport.cli import main
from rapport.diagnostics import ExitCode
from rapport.theme import RANGES

THEME_KEYS = [(group, key) for group, keys in RANGES.items() for key in keys] + [
    ("text", "align"),
    ("text", "hyphenate"),
    ("colours", "primary"),
]

wild_values = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.floats(-1000, 1000, allow_nan=False).map(lambda f: f"{f:.3f}"),
    st.sampled_from(["0", "-0", "1e9", "nan", "inf", "abc", "''", "[1, 2]", "{a: 1}", "10,5"]),
)


def theme_value(group: str, key: str) -> st.SearchStrategy[str]:
    """Mostly a value the key accepts (so that combinations are tried), else anything."""
    if key in RANGES.get(group, {}):
        low, high = RANGES[group][key]
        fine = st.floats(low, high).map(lambda f: f"{f:.1f}")
    else:
        fine = st.sampled_from(
            {"text": ["left", "justify", "true"], "colours": ['"#102030"']}[group]
        )
    return st.one_of(fine, fine, fine, wild_values)


@st.composite
def themes(draw: st.DrawFn) -> str:
    """A theme of a few mutated values; sometimes a list or a mapping as a key."""
    groups: dict[str, list[str]] = {}
    for group, key in draw(st.lists(st.sampled_from(THEME_KEYS), max_size=4, unique=True)):
        groups.setdefault(group, []).append(f"  {key}: {draw(theme_value(group, key))}")
    if draw(st.integers(0, 5)) == 5:  # the simplest draw is 0: keep the odd key rare
        odd_key = draw(st.sampled_from(["[margin_top, x]", "{body: 1}", "? [a]\n  :"]))
        groups.setdefault("page", []).append(f"  {odd_key}: 24")
    return "".join(f"{group}:\n" + "\n".join(lines) + "\n" for group, lines in groups.items())


def _table(columns: int) -> str:
    names = ", ".join(f"k{i}" for i in range(columns))
    cells = ", ".join(str(1000 + i) for i in range(columns))
    return (
        f"      - table:\n          columns: [{names}]\n          rows:\n            - [{cells}]\n"
    )


def _figures(tiles: int, value: int) -> str:
    items = "".join(
        f"          - value: {value + i}\n            label: tegel {i}\n" for i in range(tiles)
    )
    return "      - figures:\n" + items


def _chart(kind: str, categories: int, series: int, value: int) -> str:
    names = ", ".join(f"c{i}" for i in range(categories))
    rows = "".join(
        f"            - name: reeks {s}\n"
        f"              values: [{', '.join(str(value + i + s) for i in range(categories))}]\n"
        for s in range(series)
    )
    return (
        f"      - chart:\n          kind: {kind}\n          title: Grafiek\n"
        f"          categories: [{names}]\n          series:\n{rows}"
    )


@st.composite
def chapters(draw: st.DrawFn) -> str:
    blocks = "      - paragraph: Een gewone alinea.\n"
    if draw(st.booleans()):
        blocks += _table(draw(st.one_of(st.integers(1, 15), st.integers(1, 40))))
    if draw(st.booleans()):
        blocks += _figures(
            draw(st.one_of(st.integers(2, 4), st.integers(1, 6))), draw(st.integers(-5, 10**15))
        )
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["bar", "hbar", "grouped", "stacked", "line", "donut"]))
        blocks += _chart(
            kind,
            draw(st.one_of(st.integers(2, 8), st.integers(1, 26))),
            draw(st.one_of(st.integers(1, 3), st.integers(1, 7))),
            draw(st.sampled_from([0, 1, 7, 10**6, 10**14])),
        )
    return "title: Hoofdstuk\nsections:\n  - title: Sectie\n    blocks:\n" + blocks


published_dates = st.one_of(
    st.just("2024-03-20"),
    st.just("2024-03-20"),
    st.sampled_from(["0001-01-01", "9999-12-31", "1900-01-01", "2023-02-29"]),
    st.dates().map(str),
    st.integers(2020, 2028).map(lambda year: f"{year}-03-20"),
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("agree")
    make_project(root)
    return root


@contextlib.contextmanager
def inside(root: Path) -> Iterator[None]:
    """Run in the project folder, without this machine's SOURCE_DATE_EPOCH."""
    before, epoch = os.getcwd(), os.environ.pop("SOURCE_DATE_EPOCH", None)
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(before)
        if epoch is not None:
            os.environ["SOURCE_DATE_EPOCH"] = epoch


def run(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(list(args))
        except SystemExit as exc:
            status = int(exc.code or 0)
    return status, err.getvalue()


@pytest.mark.e2e
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(theme=themes(), chapter=chapters(), published=published_dates)
def test_check_and_build_agree_and_never_fail_internally(
    project: Path, theme: str, chapter: str, published: str
) -> None:
    (project / "theme" / "theme.yaml").write_text(theme, encoding="utf-8")
    edition = (
        f"title: Testrapport\nyear: 2023\norganisation: Testorganisatie\npublished: {published}\n"
    )
    (project / "content" / "2023" / "edition.yaml").write_text(edition, encoding="utf-8")
    (project / "content" / "2023" / "01-test.yaml").write_text(chapter, encoding="utf-8")
    shutil.rmtree(project / "build", ignore_errors=True)
    with inside(project):
        checked, check_err = run("check", "content/2023")
        built, build_err = run("build", "content/2023")
    for status, err in ((checked, check_err), (built, build_err)):
        assert status != ExitCode.INTERNAL, err
        assert "Traceback" not in err, err
    assert checked in (ExitCode.OK, ExitCode.CONTENT), check_err
    assert built == checked, f"check said {checked}, build {built}:\n{check_err}\n{build_err}"
    assert (project / "build" / "voortgangsrapport-2023.pdf").exists() == (built == ExitCode.OK)
