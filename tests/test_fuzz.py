"""Fuzzing: generated and mutated content through load → check → layout → write.

Three fuzzers, each driven by hypothesis:

- texts: any text through the loader's text reading, the inline syntax, the
  markup escaping and reportlab's paragraph parser; what reportlab sets must be
  exactly the text written (nothing in content is ever interpreted as markup);
- chapters: chapter files generated from the content vocabulary (right and
  wrong keys, every block kind, tricky texts and numbers), sometimes with their
  YAML text damaged, built into a PDF;
- mutations: the real content files (a chapter, facts.yaml or edition.yaml)
  with bytes flipped, removed, inserted (YAML syntax, markup, control
  characters, …) or lines duplicated, moved and re-indented, built into a PDF.

Each build runs under the audit hook of sandbox.py. The only exceptions allowed
are rapport's own errors (RapportError: content, usage, file system), whose
problems must all read `file:line:col: error: message` for a file of the
project. A CI run makes 4 000 examples in some 45 seconds (derandomized: the
same examples every run), of which some 270 become a PDF; `make fuzz` runs
RAPPORT_FUZZ_EXAMPLES (default 20 000) random ones. The chapters and mutations
fuzzers each count their own outcomes and fail when too few of their examples
became a PDF, so every test here holds whichever tests ran before it. The
module is marked slow: `make test-fast` leaves it out.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.platypus import Paragraph

from helpers import REPO, make_project
from rapport import pipeline
from rapport.content.reader import Reader
from rapport.content.yamlsource import read_yaml
from rapport.diagnostics import Problems, RapportError
from rapport.layout import markup
from rapport.layout.styles import make_styles, register_fonts
from rapport.theme import Theme
from sandbox import guarded

pytestmark = pytest.mark.slow

TOTAL = int(os.environ.get("RAPPORT_FUZZ_EXAMPLES", "0"))  # 0: the CI-sized derandomized run
SHARES = {"texts": 0.5, "chapters": 0.3, "mutations": 0.2}
CI_EXAMPLES = {"texts": 2400, "chapters": 1000, "mutations": 600}


def fuzz_settings(name: str) -> Callable[[Any], Any]:
    return settings(
        max_examples=int(TOTAL * SHARES[name]) if TOTAL else CI_EXAMPLES[name],
        deadline=None,
        derandomize=not TOTAL,
        database=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )


# -- vocabulary ----------------------------------------------------------------------------

TRICKY = [
    "<b>",
    "</b>",
    "<i>x",
    "<img src=/etc/passwd>",
    '<img src="/etc/hostname"/>',
    '<a href="javascript:alert(1)">x</a>',
    "<font face='Courier'>",
    "<para>",
    "<br/>",
    "<!-- x -->",
    "]]>",
    "&amp;",
    "&#x41;",
    "&nbsp;",
    "&",
    "<",
    ">",
    "a < b",
    "*",
    "**",
    "*nadruk*",
    "**sterk**",
    "\\*",
    "\\",
    "[x](https://example.org)",
    "[x](javascript:alert)",
    "[x](mailto:a@b.be)",
    "[](https://example.org)",
    "[x](https://example.org/(a))",
    "{naam}",
    "{x:change}",
    "$5 and $10",
    "%s",
    "%(x)s",
    "no",
    "yes",
    "~",
    "1:20",
    "017",
    "15.000",
    "6,5",
    "1e5",
    ".nan",
    "-0",
    "99999999999999999",
    "2024-02-30",
    "Café",
    "Cafe\u0301",
    "\u202e",
    "\u200b",
    "\u00ad",
    "\u00a0",
    "\u2010",
    "\u0007",
    "漢字",
    "😀",
    "\t",
    "  ",
    "\n",
    "https://example.org/" + "a" * 80,
    "a" * 70,
]
text_strategy = st.one_of(
    st.text(max_size=30),
    st.sampled_from(TRICKY),
    st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=6)), max_size=6).map(" ".join),
)
number_strategy = st.one_of(
    st.integers(-(10**16), 10**16),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.floats(),
    st.sampled_from(["15.000", "6,5", "1 000", "1e5", "0x10", "1:20", "−5", "١٢٣", "{naam}"]),
    text_strategy,
)
scalar_strategy = st.one_of(text_strategy, number_strategy, st.booleans(), st.none())
KEYS = [
    "title",
    "icon",
    "subtitle",
    "intro",
    "sections",
    "blocks",
    "paragraph",
    "bullets",
    "figures",
    "ranking",
    "table",
    "chart",
    "image",
    "callout",
    "quote",
    "text",
    "term",
    "items",
    "value",
    "label",
    "unit",
    "rank",
    "creator",
    "note",
    "columns",
    "rows",
    "caption",
    "align",
    "kind",
    "categories",
    "series",
    "name",
    "values",
    "status",
    "highlight",
    "scale",
    "source",
    "alt",
    "file",
    "width",
    "titel",
]


def _field(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping of these fields, some left out, sometimes with a key that does not belong."""
    return st.fixed_dictionaries(
        {}, optional={**fields, **{k: scalar_strategy for k in ("titel", "extra")}}
    )


def _short_list(element: st.SearchStrategy[Any], most: int = 5) -> st.SearchStrategy[list[Any]]:
    return st.lists(element, min_size=0, max_size=most)


bullet_item = st.recursive(
    text_strategy,
    lambda inner: st.one_of(
        st.dictionaries(text_strategy, st.one_of(text_strategy, _short_list(inner)), max_size=1),
        _field({"text": text_strategy, "term": text_strategy, "items": _short_list(inner)}),
    ),
    max_leaves=8,
)
figure = _field({"value": number_strategy, "label": text_strategy, "unit": text_strategy})
rank_item = _field(
    {
        "rank": number_strategy,
        "title": text_strategy,
        "creator": text_strategy,
        "note": text_strategy,
    }
)
point = st.one_of(number_strategy, _field({"value": number_strategy, "status": text_strategy}))
series = _field(
    {
        "name": text_strategy,
        "values": _short_list(point, 8),
        "status": st.sampled_from(["measured", "estimated", "derived", "geschat"]),
    }
)
CHART_KINDS = ["bar", "hbar", "grouped", "stacked", "line", "donut", "pie"]
BLOCKS: dict[str, st.SearchStrategy[Any]] = {
    "paragraph": text_strategy,
    "bullets": _short_list(bullet_item),
    "figures": _short_list(figure),
    "ranking": _field({"title": text_strategy, "items": _short_list(rank_item)}),
    "table": _field(
        {
            "columns": _short_list(text_strategy, 4),
            "rows": _short_list(_short_list(text_strategy, 4), 4),
            "caption": text_strategy,
            "align": _short_list(st.sampled_from(["left", "center", "right", "middle"]), 4),
        }
    ),
    "chart": _field(
        {
            "kind": st.sampled_from(CHART_KINDS),
            "title": text_strategy,
            "categories": _short_list(st.one_of(text_strategy, st.integers(2015, 2025)), 8),
            "series": _short_list(series, 3),
            "unit": text_strategy,
            "highlight": _short_list(st.integers(2015, 2025), 2),
            "scale": st.sampled_from(["shared", "per-category", "los"]),
            "caption": text_strategy,
            "source": text_strategy,
            "note": text_strategy,
            "alt": text_strategy,
        }
    ),
    "image": _field(
        {
            "file": st.sampled_from(
                [
                    "images/foto.png",
                    "images/foto.gif",
                    "images/kapot.png",
                    "images/nergens.png",
                    "images/../../etc/passwd",
                    "/etc/passwd",
                    "https://example.org/a.png",
                    "images/icons",
                ]
            ),
            "alt": text_strategy,
            "caption": text_strategy,
            "width": st.sampled_from(["50%", "5%", "100%", "120%", "80"]),
        }
    ),
    "callout": _field({"title": text_strategy, "text": text_strategy}),
    "quote": _field({"text": text_strategy, "source": text_strategy}),
}
block = st.one_of(
    *(st.builds(lambda k, v: {k: v}, st.just(kind), body) for kind, body in BLOCKS.items()),
    st.dictionaries(st.sampled_from(KEYS), scalar_strategy, max_size=2),
    scalar_strategy,
)
section = _field({"title": text_strategy, "blocks": _short_list(block, 4)})
noisy_chapter = st.one_of(
    _field(
        {
            "title": text_strategy,
            "icon": st.sampled_from(["⚙️", "💡", "🦄", "", "x"]),
            "subtitle": text_strategy,
            "intro": text_strategy,
            "sections": _short_list(section, 3),
        }
    ),
    st.dictionaries(st.sampled_from(KEYS), scalar_strategy, max_size=4),
    st.lists(scalar_strategy, max_size=3),
)

# Chapters that are right, or nearly: they pass the checks often enough to be laid out and
# written, with the tricky texts and numbers mixed in where they are allowed.
CLEAN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;!?'()/&%€éèëïöüçàâ—–’"
clean = st.text(alphabet=CLEAN, min_size=1, max_size=40).filter(lambda t: t.strip() != "")
words = st.one_of(clean, clean, clean, st.sampled_from(TRICKY))
amount = st.one_of(
    st.integers(0, 10**9),
    st.decimals(min_value=0, max_value=10**6, places=1).map(str),
    st.decimals(min_value=-1000, max_value=10**6, places=2).map(str),
)


def _chart(kind: str, count: int, series: int) -> st.SearchStrategy[dict[str, Any]]:
    values = st.lists(amount, min_size=count, max_size=count)
    return st.fixed_dictionaries(
        {
            "kind": st.just(kind),
            "title": clean,
            "categories": st.lists(clean, min_size=count, max_size=count, unique=True),
            "series": st.lists(
                st.fixed_dictionaries({"name": clean, "values": values}),
                min_size=series,
                max_size=series,
            ),
        },
        optional={"unit": clean, "caption": words, "source": clean, "note": clean},
    )


def _table(columns: int) -> st.SearchStrategy[dict[str, Any]]:
    row = st.lists(words, min_size=columns, max_size=columns)
    return st.fixed_dictionaries(
        {
            "columns": st.lists(clean, min_size=columns, max_size=columns),
            "rows": st.lists(row, min_size=1, max_size=4),
        },
        optional={"caption": clean},
    )


good_block = st.one_of(
    st.fixed_dictionaries({"paragraph": words}),
    st.fixed_dictionaries(
        {
            "bullets": st.lists(
                st.one_of(
                    words,
                    st.fixed_dictionaries({"term": clean, "text": words}),
                    st.fixed_dictionaries(
                        {"text": clean, "items": st.lists(words, min_size=1, max_size=3)}
                    ),
                ),
                min_size=1,
                max_size=5,
            )
        }
    ),
    st.fixed_dictionaries(
        {
            "figures": st.lists(
                st.fixed_dictionaries(
                    {"value": amount, "label": clean},
                    optional={"unit": st.sampled_from(["%", "km", "‰"])},
                ),
                min_size=2,
                max_size=4,
            )
        }
    ),
    st.fixed_dictionaries(
        {
            "ranking": st.fixed_dictionaries(
                {
                    "title": clean,
                    "items": st.lists(
                        st.fixed_dictionaries(
                            {"title": clean, "creator": clean}, optional={"note": words}
                        ),
                        min_size=1,
                        max_size=4,
                    ),
                }
            )
        }
    ),
    st.fixed_dictionaries({"table": st.integers(1, 3).flatmap(_table)}),
    st.fixed_dictionaries(
        {
            "chart": st.tuples(
                st.sampled_from(["bar", "hbar", "grouped", "stacked", "line", "donut"]),
                st.integers(1, 6),
                st.integers(1, 3),
            ).flatmap(lambda k: _chart(k[0], k[1], 1 if k[0] == "donut" else k[2]))
        }
    ),
    st.fixed_dictionaries(
        {
            "image": st.fixed_dictionaries(
                {"file": st.just("images/foto.png"), "alt": clean},
                optional={"caption": words, "width": st.sampled_from(["50%", "100%"])},
            )
        }
    ),
    st.fixed_dictionaries(
        {"callout": st.fixed_dictionaries({"text": words}, optional={"title": clean})}
    ),
    st.fixed_dictionaries(
        {"quote": st.fixed_dictionaries({"text": words}, optional={"source": clean})}
    ),
)
good_chapter = st.fixed_dictionaries(
    {
        "title": clean,
        "sections": st.lists(
            st.fixed_dictionaries(
                {
                    "title": clean,
                    "blocks": st.lists(good_block, min_size=1, max_size=5),
                }
            ),
            min_size=1,
            max_size=3,
        ),
    },
    optional={"icon": st.sampled_from(["⚙️", "💡"]), "subtitle": clean, "intro": words},
)
chapter = st.one_of(good_chapter, good_chapter, noisy_chapter)

# -- byte mutations ------------------------------------------------------------------------

NASTY = [
    t.encode()
    for t in (
        "&a ",
        "*a",
        "!!python/object/apply:os.system [ls]",
        "!!binary aGk=",
        "\t",
        ": ",
        "- ",
        "? ",
        "<<: ",
        "[",
        "]",
        "{",
        "}",
        "'",
        '"',
        "\\U99999999",
        "\\x07",
        "#",
        "%",
        "@",
        "`",
        "|",
        ">-",
        "---\n",
        "...\n",
        "\n",
        "\r",
        "{wise.gemigreerd:change}",
        "{onbekend}",
        "<img src=/etc/passwd>",
        "&amp;",
        "1e999",
        "99999999999999999999",
        ".nan",
        "~",
        "no",
        "images/../../etc/passwd",
        "😀",
        "\u202e",
        "e\u0301",
    )
] + [b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf"]

mutation = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.binary(min_size=1, max_size=1)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 40)),
    st.tuples(
        st.just("insert"), st.floats(0, 1), st.one_of(st.sampled_from(NASTY), st.binary(max_size=8))
    ),
    st.tuples(
        st.just("line"), st.floats(0, 1), st.sampled_from(["dup", "drop", "swap", "in", "out"])
    ),
)


def mutate(data: bytes, mutations: list[tuple[str, float, Any]]) -> bytes:
    for kind, where, payload in mutations:
        at = int(where * len(data))
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + payload + data[at + 1 :]
        elif kind == "delete":
            data = data[:at] + data[at + payload :]
        elif kind == "insert":
            data = data[:at] + payload + data[at:]
        elif kind == "line":
            lines = data.split(b"\n")
            i = min(int(where * len(lines)), len(lines) - 1)
            if payload == "dup":
                lines.insert(i, lines[i])
            elif payload == "drop":
                del lines[i]
            elif payload == "swap" and i + 1 < len(lines):
                lines[i], lines[i + 1] = lines[i + 1], lines[i]
            elif payload == "in":
                lines[i] = b"  " + lines[i]
            elif payload == "out":
                lines[i] = lines[i][2:] if lines[i].startswith(b"  ") else lines[i]
            data = b"\n".join(lines)
    return data


# -- running -------------------------------------------------------------------------------

_PROBLEM = re.compile(r"^[^:\s][^:]*(:\d+(:\d+)?)?: (error|warning): [^A-Z\s]")


def build_once(root: Path, outcomes: Counter[str]) -> None:
    """One build under the audit hook: it succeeds, or fails with rapport's own error.
    `outcomes` counts how the builds ended: 'pdf' or the name of the error."""
    with guarded(root) as violations:
        try:
            pipeline.build(Path("content") / "2023", Path("build") / "fuzz.pdf")
            outcomes["pdf"] += 1
        except RapportError as exc:
            outcomes[type(exc).__name__] += 1
            for diagnostic in getattr(exc, "diagnostics", []):
                assert _PROBLEM.match(diagnostic.render()), diagnostic.render()
    assert violations == [], violations


@pytest.fixture
def fuzz_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose images hold a good PNG, a GIF and a broken PNG, as working folder."""
    from PIL import Image

    make_project(tmp_path)
    Image.new("RGB", (40, 30), "teal").save(tmp_path / "images" / "foto.png")
    Image.new("RGB", (40, 30), "teal").save(tmp_path / "images" / "foto.gif")
    (tmp_path / "images" / "kapot.png").write_bytes(b"\x89PNG\r\n\x1a\nkapot")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    logging.getLogger("rapport").setLevel(logging.WARNING)  # restored by conftest.py
    return tmp_path


# -- the fuzzers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def styles(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("styles")
    make_project(root)
    theme = Theme(root=root)
    register_fonts(theme)
    return make_styles(theme, "nl-BE", None)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("texts") / "tekst.yaml"


@fuzz_settings("texts")
@given(text=text_strategy)
def test_fuzz_texts_are_printed_exactly_as_written(styles: Any, scratch: Path, text: str) -> None:
    problems = Problems()
    scratch.write_text(yaml.safe_dump({"paragraph": text}, allow_unicode=True), encoding="utf-8")
    source = read_yaml(scratch, problems)
    if source is None:
        return
    node = source.root.value[0][1]  # type: ignore[union-attr]
    rich = Reader(source, problems).rich(node, "paragraph")
    if rich is None:
        assert problems.errors
        return
    paragraph = Paragraph(markup.rich(rich, "#0E6470"), styles.body)
    shown = "".join(frag.text for frag in paragraph.frags)
    assert visible(shown) == visible(rich.plain)
    assert not any(hasattr(frag, "cbDefn") for frag in paragraph.frags)  # no <img>, no anchors
    if not any(span.href for span in rich.spans):
        assert not any(getattr(frag, "link", None) for frag in paragraph.frags)


def visible(text: str) -> str:
    """Text as set: white space collapsed, and none (zero-width spaces included) at the ends."""
    return re.sub(r"^[\s\u200b]+|[\s\u200b]+$", "", " ".join(text.split()))


def assert_reached_the_pdf(fuzzer: str, outcomes: Counter[str]) -> None:
    """A fuzzer is no good if nothing it makes gets past the checks: a good share of its
    examples must have become a PDF, laid out and written. Each fuzzer asserts this of its
    own examples, so that the check holds whichever tests ran before."""
    total = sum(outcomes.values())
    assert total > 0, f"{fuzzer}: no example was built"
    assert outcomes["pdf"] >= total // 10, f"{fuzzer}: {dict(outcomes)}"


def test_fuzz_generated_chapters(fuzz_project: Path) -> None:
    outcomes: Counter[str] = Counter()

    @fuzz_settings("chapters")
    @given(
        document=chapter,
        damage=st.one_of(st.just([]), st.lists(mutation, min_size=1, max_size=2)),
    )
    def build_generated(document: Any, damage: list[tuple[str, float, Any]]) -> None:
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()
        (fuzz_project / "content" / "2023" / "01-test.yaml").write_bytes(mutate(text, damage))
        build_once(fuzz_project, outcomes)

    build_generated()
    assert_reached_the_pdf("chapters", outcomes)


REAL = REPO / "content" / "2023"
REAL_CHAPTERS = sorted(REAL.glob("[0-9][0-9]-*.yaml"))
SMALLEST = min(REAL_CHAPTERS, key=lambda p: p.stat().st_size) if REAL_CHAPTERS else None
TARGETS = [p.name for p in REAL_CHAPTERS] + [
    name for name in ("facts.yaml", "edition.yaml") if (REAL / name).is_file()
]


@pytest.fixture
def real_project(fuzz_project: Path) -> Path:
    """The fuzz project with the real edition's edition.yaml, facts and images."""
    shutil.copytree(REPO / "images", fuzz_project / "images", dirs_exist_ok=True)
    if (REPO / "content" / "2022").is_dir():
        shutil.copytree(REPO / "content" / "2022", fuzz_project / "content" / "2022")
    return fuzz_project


@pytest.mark.skipif(not TARGETS, reason="no real content to mutate")
def test_fuzz_mutated_real_content(real_project: Path) -> None:
    """One real chapter (the smallest when edition.yaml or facts.yaml is mutated) beside the
    real edition.yaml and facts.yaml, one of them mutated."""
    outcomes: Counter[str] = Counter()
    edition = real_project / "content" / "2023"

    @fuzz_settings("mutations")
    @given(target=st.sampled_from(TARGETS), mutations=st.lists(mutation, min_size=1, max_size=4))
    def build_mutated(target: str, mutations: list[tuple[str, float, Any]]) -> None:
        shutil.rmtree(edition)
        edition.mkdir()
        assert SMALLEST is not None
        chapter = SMALLEST.name if target in ("facts.yaml", "edition.yaml") else target
        for name in (chapter, "edition.yaml", "facts.yaml"):
            if (REAL / name).is_file():
                shutil.copy(REAL / name, edition / name)
        (edition / target).write_bytes(mutate((REAL / target).read_bytes(), mutations))
        build_once(real_project, outcomes)

    build_mutated()
    assert_reached_the_pdf("mutations", outcomes)
