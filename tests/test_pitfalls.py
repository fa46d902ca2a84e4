"""What YAML and references do silently: each is found and told, with its fix.

A ' #' comment that cuts a text short, braces that start no reference, a quote
typed between its own quotation marks, a quote or bracket that is never closed,
and a decimal comma that splits a value between [ ] or { }. Messages are
compared word for word; the build tests read the real PDF back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from helpers import chapter_with_blocks, make_project, run_rapport
from rapport.content.inline import InlineSyntaxError, Slip, brace_slip, parse_inline
from rapport.content.load import load_edition
from rapport.content.model import Edition, Quote
from rapport.content.yamlsource import (
    ScalarNode,
    YamlFile,
    cut_by_comment,
    read_yaml_text,
    split_by_comma_hint,
)
from rapport.diagnostics import Diagnostic, Problems

CHAPTER = "content/2023/01-test.yaml"
HASH_HINT = "put the text between quotes, or write '#' without a space before it"
ESCAPE = "or write \\{ for a brace that is meant as text"


def shown(diagnostic: Diagnostic) -> tuple[str, str]:
    """(first line, hint) of a diagnostic, without the quoted source line."""
    return (
        f"{diagnostic.location}: {diagnostic.severity.value}: {diagnostic.message}",
        diagnostic.hint,
    )


def load(
    root: Path, blocks: str, *, facts: str | None = None
) -> tuple[Edition | None, list[tuple[str, str]]]:
    edition_dir = make_project(root, chapter_with_blocks(blocks))
    if facts is not None:
        (edition_dir / "facts.yaml").write_text(facts, encoding="utf-8")
    problems = Problems()
    edition = load_edition(edition_dir, problems)
    return edition, [shown(d) for d in problems]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages name files relative to the working folder


def compose(text: str) -> tuple[YamlFile | None, list[tuple[str, str]]]:
    problems = Problems()
    source = read_yaml_text(Path("x.yaml"), text, problems)
    return source, [shown(d) for d in problems]


def first_value(source: YamlFile | None) -> ScalarNode:
    assert source is not None and source.root is not None
    node = source.root.value[0][1]
    assert isinstance(node, ScalarNode)
    return node


# -- a ' #' comment that cuts a text short ------------------------------------------------


def test_comment_after_plain_text_is_found_at_its_hash() -> None:
    source, problems = compose("paragraph: Wij zijn #1 in Vlaanderen\n")
    assert problems == []
    assert source is not None
    where, comment = source.comment_after(first_value(source)) or (None, "")
    assert str(where) == "x.yaml:1:21"
    assert comment == "#1 in Vlaanderen"


@pytest.mark.parametrize(
    "text",
    [
        'paragraph: "Wij zijn #1"\n',  # quoted: the '#' is text
        "paragraph: >-\n  Wij zijn #1\n",  # a block: the '#' is text
        "paragraph: Wij zijn#1\n",  # no space before '#': text
        "# a comment line\nparagraph: Wij zijn\n",
        "paragraph: Wij zijn\n# a comment line after it\n",
    ],
)
def test_no_comment_cuts_quoted_block_or_unspaced_text(text: str) -> None:
    source, _ = compose(text)
    assert source is not None
    assert source.comment_after(first_value(source)) is None


def test_comment_after_the_last_line_of_a_text_over_two_lines() -> None:
    source, _ = compose("paragraph: Wij zijn\n  de #1 bib\n")
    assert source is not None
    where, comment = source.comment_after(first_value(source)) or (None, "")
    assert str(where) == "x.yaml:2:6"
    assert comment == "#1 bib"


def test_cut_by_comment_wording_shortens_a_long_comment() -> None:
    assert cut_by_comment("paragraph", "#1") == (
        "paragraph stops before '#1': after a space, '#' starts a comment, which is left out",
        HASH_HINT,
    )
    message, _ = cut_by_comment("title", "#" + "x" * 40)
    assert "'#" + "x" * 28 + "…'" in message


def test_a_cut_paragraph_is_warned_at_the_hash(tmp_path: Path) -> None:
    edition, problems = load(tmp_path, "- paragraph: Wij zijn #1 in Vlaanderen\n")
    assert edition is not None
    assert problems == [
        (
            f"{CHAPTER}:5:29: warning: paragraph stops before '#1 in Vlaanderen': after a"
            " space, '#' starts a comment, which is left out",
            HASH_HINT,
        )
    ]


def test_comments_after_values_that_are_not_text_are_not_warned(tmp_path: Path) -> None:
    blocks = """\
        - figures:
            - value: 1852354 # 2022: 1700000
              label: abonnementen
            - value: {x} # uit facts.yaml
              label: groei
              change: true # toon de groei
        - image:
            file: images/foto.png # uit de fotobank
            alt: Een foto
            width: 50% # halve breedte
        - table:
            columns: [a, b]
            align: [left, right] # zo
            rows:
              - ["1", "2"]
        - chart:
            kind: bar # of line
            title: Titels
            categories: [a, b]
            series:
              - name: s
                values: [1, 2] # getallen
        """
    edition_dir = make_project(tmp_path, chapter_with_blocks(blocks))
    Image.new("RGB", (40, 30), "teal").save(tmp_path / "images" / "foto.png")
    # facts.yaml as `rapport new` and `rapport facts import` write it: last year in comments
    (edition_dir / "facts.yaml").write_text(
        "# Feiten\nx:\n  value: 5  # 2022: 4\n  unit: titels\n# 2023: 1852354\ny: 3  # 2022: 2\n",
        encoding="utf-8",
    )
    earlier = edition_dir.parent / "2022"
    earlier.mkdir()
    (earlier / "edition.yaml").write_text(
        "title: Vorig\nyear: 2022\norganisation: O\npublished: 2023-03-20\n", encoding="utf-8"
    )
    (earlier / "facts.yaml").write_text("x: 4\ny: 2\n", encoding="utf-8")
    problems = Problems()
    edition = load_edition(edition_dir, problems)
    assert [shown(d) for d in problems] == []
    assert edition is not None


# -- braces that start no reference ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (
            "Er zijn {a b} leden.",
            "'{a b}' has a space in the fact's name and prints as typed",
            "a fact's name has no spaces: write it as in facts.yaml, e.g. {ebooks.titels}, "
            + ESCAPE,
        ),
        (
            "{{x}} leden",
            "'{{x}}' has two braces on each side and prints braces around what it shows",
            "write {x}",
        ),
        (
            "{{ x }}",
            "'{{ x }}' has two braces on each side and prints braces around what it shows",
            "write {x}",
        ),
        (
            "Er zijn {x leden",
            "'{x' is not closed with '}' and prints as typed",
            "write {x}, " + ESCAPE,
        ),
        (
            "een { alleen",
            "'{' is not closed with '}' and prints as typed",
            "write a fact's name and '}', e.g. {ebooks.titels}, " + ESCAPE,
        ),
        (
            "groei {x:} nu",
            "'{x:}' has nothing after ':' and prints as typed",
            "write {x}, or a form after the colon, e.g. {x:change}",
        ),
        (
            "leeg {} nu",
            "'{}' names no fact and prints as typed",
            "write the fact's name between the braces, e.g. {ebooks.titels}, " + ESCAPE,
        ),
        (
            "{ x }",
            "'{ x }' has spaces in it and prints as typed",
            "write {x}, without spaces, " + ESCAPE,
        ),
        (
            "{x : change}",
            "'{x : change}' has spaces in it and prints as typed",
            "write {x:change}, without spaces, " + ESCAPE,
        ),
        (
            "{x:Change}",
            "'{x:Change}' is not a reference to a fact and prints as typed",
            "a reference is {name} or {name:form}; a name has letters, digits, '.', '_' and '-'"
            " and no spaces, " + ESCAPE,
        ),
        (
            "a } b",
            "'}' closes no '{' and prints as typed",
            "remove it, or write \\} for a brace that is meant as text",
        ),
    ],
)
def test_each_malformed_reference_is_one_slip(text: str, message: str, hint: str) -> None:
    slips: list[Slip] = []
    parse_inline(text, slips)
    assert [(s.message, s.hint) for s in slips] == [(message, hint)]
    assert text.find("{") in (slips[0].start, -1) or text.find("}") == slips[0].start


def test_a_long_malformed_reference_is_shortened_in_the_message() -> None:
    slip = brace_slip("{" + "a " * 40 + "}", 0)
    assert slip.message.startswith("'{a a a a a a a a a a a a a a …'")


def test_double_braces_show_the_fact_between_literal_braces() -> None:
    spans = parse_inline("{{x}}")
    assert [s.text for s in spans] == ["{", "{x}", "}"]
    assert spans[1].fact == "x"


@pytest.mark.parametrize("text", ["{x}", "{ebooks.titels:change}", "\\{a b\\}", "geen haakjes"])
def test_references_and_escaped_braces_are_no_slips(text: str) -> None:
    slips: list[Slip] = []
    parse_inline(text, slips)
    assert slips == []


def test_a_slip_repeated_in_one_text_is_told_once() -> None:
    slips: list[Slip] = []
    parse_inline("{a b} en {a b}", slips)
    assert len(slips) == 1


_NAME = st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True)
_TEXT = st.text(st.sampled_from("ab {}:*\\[]() .x1"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_slips_never_change_what_prints(text: str) -> None:
    """Collecting slips is only telling: the spans are those of a parse without them."""
    try:
        plain = parse_inline(text)
    except InlineSyntaxError:
        with pytest.raises(InlineSyntaxError):
            parse_inline(text, [])
        return
    slips: list[Slip] = []
    assert parse_inline(text, slips) == plain
    for slip in slips:
        assert slip.message.endswith(("prints as typed", "around what it shows"))
        assert 0 <= slip.start < slip.end <= len(text)
        assert text[slip.start] in "{}"


@settings(max_examples=200, deadline=None)
@given(st.lists(_NAME, max_size=4), st.text(st.sampled_from("ab .,!"), max_size=10))
def test_well_formed_references_are_never_slips(names: list[str], glue: str) -> None:
    slips: list[Slip] = []
    parse_inline(glue.join("{" + name + "}" for name in names), slips)
    assert slips == []


def test_a_malformed_reference_is_warned_at_its_brace(tmp_path: Path) -> None:
    edition, problems = load(tmp_path, "- paragraph: Er zijn {a b} leden.\n")
    assert edition is not None
    assert problems == [
        (
            f"{CHAPTER}:5:28: warning: paragraph: '{{a b}}' has a space in the fact's name and"
            " prints as typed",
            "a fact's name has no spaces: write it as in facts.yaml, e.g. {ebooks.titels}, "
            + ESCAPE,
        )
    ]


# -- a quote typed between its own quotation marks -------------------------------------------


def quote_of(edition: Edition | None) -> Quote:
    assert edition is not None
    block = edition.chapters[0].sections[0].blocks[0]
    assert isinstance(block, Quote)
    return block


STRIPPED = (
    "quote is typed between quotation marks, which are left out: the quote block adds “…” itself"
)
KEPT = (
    "quote starts and ends with a quotation mark, and prints it twice: the quote block adds"
    " “…” itself"
)


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("„Dankzij Wise lenen we overal.”", "Dankzij Wise lenen we overal."),
        ("“Dankzij Wise.”", "Dankzij Wise."),
        ("'\"Dankzij Wise.\"'", "Dankzij Wise."),
        ("‘Zo’n mooie bib.’", "Zo’n mooie bib."),  # an apostrophe between letters
        ("„*Dankzij* Wise.”", "Dankzij Wise."),
    ],
)
def test_one_pair_of_quotation_marks_is_left_out(tmp_path: Path, written: str, plain: str) -> None:
    edition, problems = load(tmp_path, f"- quote:\n    text: {written}\n")
    assert quote_of(edition).text.plain == plain
    assert problems == [
        (f"{CHAPTER}:6:17: warning: {STRIPPED}", "remove the quotation marks around the quote")
    ]


@pytest.mark.parametrize(
    "written", ['\'"Wise" werkt, zeggen ze, "overal"\'', "„Wise”, zeggen ze, „overal”"]
)
def test_marks_inside_keep_the_quote_as_typed(tmp_path: Path, written: str) -> None:
    edition, problems = load(tmp_path, f"- quote:\n    text: {written}\n")
    assert quote_of(edition).text.plain[0] in '"„“'  # kept, and set as a typesetter would
    assert problems == [
        (f"{CHAPTER}:6:17: warning: {KEPT}", "remove the quotation marks around the quote")
    ]


def test_a_quote_without_its_own_marks_is_not_warned(tmp_path: Path) -> None:
    edition, problems = load(tmp_path, '- quote:\n    text: "Dankzij Wise, zegt „men”."\n')
    assert quote_of(edition).text.plain == "Dankzij Wise, zegt „men”."
    assert problems == []


@pytest.mark.e2e
def test_the_built_pdf_shows_the_quotation_marks_once(tmp_path: Path) -> None:
    make_project(tmp_path, chapter_with_blocks("- quote:\n    text: „Dankzij Wise.”\n"))
    result = run_rapport("build", "content/2023", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert STRIPPED in result.stderr
    reader = PdfReader(tmp_path / "build" / "voortgangsrapport-2023.pdf")
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    assert "“Dankzij Wise.”" in text
    assert "„" not in text and "””" not in text


# -- a quote or bracket that is never closed -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'title: x\nsubtitle: "Hoofd\nsections:\n  - title: y\n',
            (
                "x.yaml:2:11: error: failed to read YAML (the quote '\"' that opens this text"
                " is never closed)",
                "end the text with a second '\"'; a '\"' inside the text is written as \\\"",
            ),
        ),
        (
            "title: 'Hoofd\nsections: []\n",
            (
                'x.yaml:1:8: error: failed to read YAML (the quote "\'" that opens this text'
                " is never closed)",
                "end the text with a second \"'\"; a \"'\" inside the text is written twice ('')",
            ),
        ),
        (
            "title: x\ncategories: [a, b\nsections:\n  - title: y\n",
            (
                "x.yaml:2:13: error: failed to read YAML (the '[' on this line is never closed"
                " with ']')",
                "add the ']'; if the '[' belongs to the text, put the whole text between quotes",
            ),
        ),
        (
            "value: {bezoekers\nlabel: x\n",
            (
                "x.yaml:1:8: error: failed to read YAML (the '{' on this line is never closed"
                " with '}')",
                "add the '}'; if the '{' belongs to the text, put the whole text between quotes",
            ),
        ),
    ],
)
def test_unclosed_quote_or_bracket_is_reported_where_it_opens(
    text: str, expected: tuple[str, str]
) -> None:
    _, problems = compose(text)
    assert problems == [expected]


def test_a_list_over_two_lines_is_not_unclosed() -> None:
    source, problems = compose("categories: [a,\n  b]\n")
    assert problems == [] and source is not None


def test_an_error_inside_a_closed_list_keeps_its_own_position() -> None:
    _, problems = compose('title: x\nitems: [a, "b" c]\n')
    assert len(problems) == 1
    assert "never closed" not in problems[0][0]
    assert problems[0][0].startswith("x.yaml:2:")


# -- a decimal comma between [ ] or { } ------------------------------------------------------


def test_split_by_comma_hint_wording() -> None:
    assert split_by_comma_hint("500,5") == (
        "between [ ] or { } a comma separates items, so 500,5 is read as 500 and 5:"
        " write 500.5, or put it between quotes ('500,5')"
    )
    assert split_by_comma_hint("") == ""


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("v: [500,5]\n", "500,5"),
        ("v: [1,5, 2]\n", "1,5"),
        ("v: {value: 6,5, unit: x}\n", "6,5"),
        ("v: [500, 5]\n", ""),
        ("v: ['500,5']\n", ""),
        ('v: ["6,5", 2]\n', ""),
        ("v: 6,5\n", ""),  # not between brackets: one value with a decimal comma
    ],
)
def test_decimal_comma_between_brackets(text: str, found: str) -> None:
    source, _ = compose(text)
    assert source is not None and source.root is not None
    assert source.decimal_comma(source.root.value[0][1]) == found


def test_a_value_split_in_two_explains_the_count(tmp_path: Path) -> None:
    blocks = """\
        - chart:
            kind: bar
            title: t
            categories: [a, b]
            series:
              - name: s
                values: [500,5, 20]
        """
    _, problems = load(tmp_path, blocks)
    assert problems == [
        (
            f"{CHAPTER}:10:15: error: series 's' has 3 values but the chart has 2 categories",
            split_by_comma_hint("500,5"),
        )
    ]


def test_fewer_values_than_categories_keeps_the_plain_hint(tmp_path: Path) -> None:
    blocks = """\
        - chart:
            kind: bar
            title: t
            categories: [a, b, c]
            series:
              - name: s
                values: [500,5]
        """
    _, problems = load(tmp_path, blocks)
    assert problems == [
        (
            f"{CHAPTER}:10:15: error: series 's' has 2 values but the chart has 3 categories",
            "give one value per category",
        )
    ]


def test_a_lone_comma_without_space_is_warned_when_the_count_fits(tmp_path: Path) -> None:
    blocks = """\
        - chart:
            kind: bar
            title: t
            categories: [a, b, c, d]
            series:
              - name: s
                values: [1,5, 2, 3]
        """
    edition, problems = load(tmp_path, blocks)
    assert edition is not None
    assert problems == [
        (
            f"{CHAPTER}:11:23: warning: values of series 's' are separated by ', ' but '1,5'"
            " has no space: it is read as two values",
            split_by_comma_hint("1,5") + "; or add the space if they are two values",
        )
    ]


def test_a_fact_split_by_a_decimal_comma_says_why(tmp_path: Path) -> None:
    _, problems = load(
        tmp_path, "- paragraph: Groei {groei}.\n", facts="groei: {value: 6,5, unit: '%'}\n"
    )
    assert problems == [
        (
            "content/2023/facts.yaml:1:18: error: unknown key '5' in fact 'groei'",
            split_by_comma_hint("6,5"),
        )
    ]


def test_the_docs_name_every_pitfall() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "content.md").read_text("utf-8")
    section = re.search(r"## 6\. YAML pitfalls\n(.*?)\n## 7\.", docs, re.S)
    assert section is not None
    for words in ("[500,5]", "#1", "{a b}", "quotation marks", "where it opens"):
        assert words in section.group(1), words


def test_a_reference_in_a_title_prints_as_typed_and_is_warned(tmp_path: Path) -> None:
    _, problems = load(
        tmp_path,
        "- ranking:\n    title: Top {x}\n    items:\n      - title: Boek\n        creator: A\n",
        facts="x: 228\n",
    )
    assert (
        f"{CHAPTER}:6:22: warning: ranking title: '{{x}}' prints as typed: this text cannot show"
        " a fact",
        "write the value itself; a {name} reference works in running text, such as"
        " paragraphs, bullets, table cells, callouts, quotes, image and chart captions and"
        " the intro",
    ) in problems


def test_a_reference_in_running_text_is_no_warning(tmp_path: Path) -> None:
    edition, problems = load(tmp_path, "- paragraph: Er zijn {x} leden.\n", facts="x: 228\n")
    assert edition is not None
    assert problems == []


_YAMLISH = st.text(st.sampled_from("ab1,5 #:-\n\"'[]{}\u2028"), max_size=60)


def _nodes(node: object) -> list[object]:
    found = [node]
    value = getattr(node, "value", None)
    if isinstance(value, list):
        for item in value:
            for part in item if isinstance(item, tuple) else (item,):
                found.extend(_nodes(part))
    return found


@settings(max_examples=400, deadline=None)
@given(_YAMLISH)
def test_reading_any_text_reports_problems_or_finds_comments_at_a_hash(text: str) -> None:
    """No text makes the pitfall checks fail; a comment found is where a '#' is written."""
    source, problems = compose(text)
    if source is None or source.root is None:
        assert problems
        return
    lines = re.split("\r\n|[\n\r\u2028\u2029]", text)
    for node in _nodes(source.root):
        assert isinstance(source.decimal_comma(node), str)  # type: ignore[arg-type]
        found = source.comment_after(node)  # type: ignore[arg-type]
        if found is not None:
            where, comment = found
            assert comment.startswith("#")
            assert lines[where.line - 1][where.column - 1] == "#"
