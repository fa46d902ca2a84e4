"""The limits: each one is in the content guide with its value, each is enforced (a case of the
catalogue goes over it), and content exactly at the limit is accepted."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import REPO, chapter_with_blocks
from rapport import assets
from rapport.check import content as check
from rapport.content import load, load_chart, reader, yamlsource
from rapport.diagnostics import ContentError, Problems
from rapport.pipeline import load_and_check

GUIDE = (REPO / "docs" / "content.md").read_text(encoding="utf-8")
LIMITS = GUIDE[GUIDE.index("## 7. Limits") : GUIDE.index("## 8.")]
CATALOGUE = REPO / "tests" / "catalogue"


def spaced(number: int) -> str:
    """1000 as the guide writes it: 1 000."""
    return f"{number:,}".replace(",", " ")


def test_every_limit_is_in_the_content_guide_with_its_value() -> None:
    expected = [
        f"{yamlsource.MAX_FILE_BYTES // 1_000_000} MB",
        f"{yamlsource.MAX_DEPTH} levels of keys and lists",
        "Anchors, aliases and tags",
        f"{spaced(reader.MAX_TEXT_LENGTH)} characters",
        f"Rows in a `table`             | {spaced(load.MAX_TABLE_ROWS)}",
        f"Nesting of bullet lists       | {load.MAX_BULLET_DEPTH} levels",
        f"at most {load_chart.MAX_SERIES}",
        f"{load_chart.MAX_PANELS} with `scale: per-category`",
        f"{check.MAX_WORD_LENGTH} characters",
        f"{assets.MAX_IMAGE_BYTES // 1_000_000} MB",
        f"{assets.MAX_IMAGE_PIXELS // 1_000_000} megapixels",
        " or ".join(assets.ALLOWED_FORMATS),
        *(f"`{kind}` {count}" for kind, count in load_chart.MAX_CATEGORIES.items()),
    ]
    assert [text for text in expected if text not in LIMITS] == []
    assert reader.MAX_MAGNITUDE == 10**15 and "(10¹⁵)" in LIMITS


@pytest.mark.parametrize(
    ("limit", "case"),
    [
        ("file size", "801-size-file-over-one-megabyte"),
        ("nesting depth", "117-yaml-nesting-too-deep"),
        ("anchors", "103-yaml-alias-bomb"),
        ("aliases", "104-yaml-alias-without-anchor"),
        ("tags", "105-yaml-python-object-tag"),
        ("text length", "802-size-paragraph-too-long"),
        ("table rows", "806-size-table-too-many-rows"),
        ("word length", "803-size-word-of-20000-characters"),
        ("number size", "405-numbers-too-large"),
        ("bullet depth", "213-schema-bullets-four-levels"),
        ("image bytes", "620-image-too-many-bytes"),
        ("image pixels", "618-image-png-too-many-pixels"),
        ("image bomb", "617-image-png-decompression-bomb"),
        ("image format", "609-image-gif"),
        ("chart categories", "706-chart-too-many-categories"),
        ("chart series", "707-chart-too-many-series"),
        ("chart panels", "711-chart-per-category-too-many"),
    ],
)
def test_every_limit_has_a_catalogue_case_that_goes_over_it(limit: str, case: str) -> None:
    text = (CATALOGUE / f"{case}.yaml").read_text(encoding="utf-8")
    assert re.search(r"^# expect: ", text, re.MULTILINE), f"the {limit} case expects no error"


# -- exactly at the limit ------------------------------------------------------------------


def loads(project: Callable[..., Path], chapter: str) -> None:
    """The chapter passes load and check (raises ContentError otherwise)."""
    load_and_check(project(chapter))


def test_a_text_of_exactly_the_maximum_length_is_accepted(project: Callable[..., Path]) -> None:
    words = "woord " * (reader.MAX_TEXT_LENGTH // 6)
    text = (words + "x" * (reader.MAX_TEXT_LENGTH - len(words)))[: reader.MAX_TEXT_LENGTH]
    assert len(text) == reader.MAX_TEXT_LENGTH
    loads(project, chapter_with_blocks(f"- paragraph: {text}\n"))


def test_one_character_more_is_refused(project: Callable[..., Path]) -> None:
    text = ("woord " * (reader.MAX_TEXT_LENGTH // 6 + 1))[: reader.MAX_TEXT_LENGTH] + "x"
    with pytest.raises(ContentError) as refused:
        loads(project, chapter_with_blocks(f"- paragraph: {text}\n"))
    assert [d.message for d in refused.value.diagnostics] == [
        "paragraph is too long (50,001 characters; the limit is 50,000)"
    ]


def test_a_table_of_exactly_the_maximum_rows_is_accepted(project: Callable[..., Path]) -> None:
    rows = "".join("      - [a, b]\n" for _ in range(load.MAX_TABLE_ROWS))
    loads(project, chapter_with_blocks(f"- table:\n    columns: [x, y]\n    rows:\n{rows}"))


@pytest.mark.parametrize("kind", sorted(load_chart.MAX_CATEGORIES))
def test_a_chart_with_the_maximum_categories_is_accepted(
    project: Callable[..., Path], kind: str
) -> None:
    count = load_chart.MAX_CATEGORIES[kind]
    categories = ", ".join(f"c{i}" for i in range(count))
    values = ", ".join(str(i + 1) for i in range(count))
    series = "".join(
        f"      - name: s{n}\n        values: [{values}]\n"
        # one series of 20 horizontal bars fits a page; six would not (catalogue 1014)
        for n in range(1 if kind in ("donut", "hbar") else load_chart.MAX_SERIES)
    )
    loads(
        project,
        chapter_with_blocks(
            f"- chart:\n    kind: {kind}\n    title: t\n    categories: [{categories}]\n"
            f"    series:\n{series}"
        ),
    )


def test_a_file_of_exactly_the_maximum_size_is_read(tmp_path: Path) -> None:
    head = "title: x\n"
    path = tmp_path / "vol.yaml"
    path.write_text(head + "#" * (yamlsource.MAX_FILE_BYTES - len(head) - 1) + "\n")
    assert path.stat().st_size == yamlsource.MAX_FILE_BYTES
    problems = Problems()
    assert yamlsource.read_yaml(path, problems) is not None and not problems.errors
    path.write_text(head + "#" * (yamlsource.MAX_FILE_BYTES - len(head)) + "\n")
    assert yamlsource.read_yaml(path, problems) is None
    assert [d.message for d in problems.errors] == [
        "file is too large (1,000,001 bytes; the limit is 1,000,000)"
    ]


@pytest.mark.parametrize(("depth", "refused"), [(23, False), (24, True)])
def test_nesting_is_counted_from_the_top(tmp_path: Path, depth: int, refused: bool) -> None:
    """A mapping holding `depth` nested lists is depth + 1 levels deep."""
    path = tmp_path / "diep.yaml"
    path.write_text("a: " + "[" * depth + "]" * depth + "\n")
    problems = Problems()
    yamlsource.read_yaml(path, problems)
    messages = [d.message for d in problems.errors]
    assert messages == (
        [f"content is nested more than {yamlsource.MAX_DEPTH} levels deep"] if refused else []
    )


def test_an_image_of_exactly_the_maximum_bytes_is_opened_not_refused_for_size(
    tmp_path: Path,
) -> None:
    path = tmp_path / "precies.png"
    with path.open("wb") as stream:
        stream.truncate(assets.MAX_IMAGE_BYTES)
    with pytest.raises(assets.AssetError) as refused:
        assets.inspect_image(path)
    assert refused.value.message == "image 'precies.png' is not a PNG or JPEG file"
    with path.open("ab") as stream:
        stream.write(b"\0")
    with pytest.raises(assets.AssetError) as refused:
        assets.inspect_image(path)
    assert refused.value.message.startswith("image 'precies.png' is too large (20,000,001 bytes")
