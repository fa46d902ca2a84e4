"""The content vocabulary is the one place keys are declared: the schema and the loader agree.

A sample edition uses every key the vocabulary declares (a test fails when a new
key has no use in it). The loader reads the sample without a problem and the JSON
Schema accepts it; a key the vocabulary does not declare, added to any mapping
of the sample, is refused by both.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from rapport.charts.spec import alt_text, series_label
from rapport.content import load, load_chart
from rapport.content import vocabulary as v
from rapport.content.load import load_edition
from rapport.content.model import Chart, Series
from rapport.content.schema import CONTENT_SCHEMA
from rapport.diagnostics import Location, Problems
from rapport.labels import _LABELS, labels

EDITION = """\
    title: Testrapport
    subtitle: Voortgang
    year: 2023
    organisation: Testorganisatie
    language: nl-BE
    published: "2024-03-20"
    keywords: [bibliotheken]
    logo: images/logo.png
    introduction: Een *korte* inleiding.
    previous_edition: 2022
    review: false
"""

FACTS = """\
    ebooks.titels:
      value: 90
      unit: titels
      source: cloudLibrary
      qualifier: ruim
      status: estimated
      derivation: 72 / 0,8
      parts: [ebooks.nl, ebooks.en]
      breakdown: subset
      year: 2022
    ebooks.nl: 60
    ebooks.en: {value: 25}
"""

CHAPTER = """\
    title: Hoofdstuk
    icon: "💡"
    subtitle: Onderweg
    intro: Wat dit hoofdstuk vertelt.
    review: false
    sections:
      - title: Sectie
        review: false
        blocks:
          - paragraph: Tekst.
          - bullets:
              - Eenvoudig.
              - text: Met een term.
                term: 1 maart
                items: [Genest.]
          - figures:
              - value: "{ebooks.nl}"
                label: titels in het Nederlands
                unit: titels
                change: true
              - value: 5
                label: diensten
          - ranking:
              title: Top
              items:
                - rank: 1
                  title: Boek
                  creator: Auteur
                  note: Veel gelezen.
          - table:
              caption: Tabel
              columns: [Soort, Aantal]
              rows: [[boeken, "3"]]
              align: [left, right]
          - image:
              file: images/foto.png
              alt: Een foto van de balie
              caption: De balie.
              width: 50%
          - callout:
              title: Let op
              text: Een opvallend feit.
          - quote:
              text: Een citaat.
              source: Een lezer
          - chart:
              kind: bar
              title: Uitleningen
              categories: [boeken, strips]
              series:
                - name: Uitleningen
                  values: [1, {value: 2, status: derived}]
                  status: estimated
              unit: uitleningen
              highlight: [boeken]
              scale: shared
              source: Bibliotheekportaal
              note: Geschat uit een steekproef.
              caption: Uitleningen per soort.
              alt: Een staafdiagram van de uitleningen.
"""

FILES = {  # file name → (its text, the definition it follows)
    "edition.yaml": (EDITION, v.EDITION),
    "facts.yaml": (FACTS, v.FACTS),
    "01-test.yaml": (CHAPTER, v.CHAPTER),
}

# What the loader calls each mapping in its messages; every mapping of the vocabulary is here.
WHAT = {
    id(v.EDITION): "edition",
    id(v.CHAPTER): "chapter",
    id(v.SECTION): "section",
    id(v.BULLET_ITEM): "bullet item",
    id(v.TILE): "key figure",
    id(v.RANKING): "ranking",
    id(v.RANK_ITEM): "ranking item",
    id(v.TABLE): "table",
    id(v.IMAGE): "image",
    id(v.CALLOUT): "callout",
    id(v.QUOTE): "quote",
    id(v.CHART): "chart",
    id(v.SERIES): "series",
    id(v.CHART_POINT): "chart value",
    id(v.FACT): "fact 'ebooks.titels'",
}

Path_ = tuple[str | int, ...]  # where a mapping is in a file's data: keys and list indexes


def _resolve(value: v.Value) -> v.Value:
    return v.DEFINITIONS[value.name] if isinstance(value, v.Ref) else value


def declared_mappings(
    value: v.Value, seen: dict[int, v.Mapping] | None = None
) -> dict[int, v.Mapping]:
    """Every mapping reachable from `value` in the vocabulary, by identity."""
    seen = {} if seen is None else seen
    value = _resolve(value) if not (isinstance(value, v.Ref) and value.name == "block") else value
    match value:
        case v.Ref(name="block"):
            for block in v.BLOCKS:
                declared_mappings(block.body, seen)
        case v.Mapping() if id(value) not in seen:
            seen[id(value)] = value
            for key in value.keys:
                declared_mappings(key.value, seen)
        case v.Dictionary():
            declared_mappings(value.value, seen)
        case v.ListOf():
            declared_mappings(value.item, seen)
        case v.AnyOf(options):
            for option in options:
                declared_mappings(option, seen)
    return seen


def mappings_in(value: v.Value, data: Any, path: Path_ = ()) -> Iterator[tuple[v.Mapping, Path_]]:
    """Each mapping of the vocabulary that `data` (a file's YAML, as data) writes, with its path."""
    match value:
        case v.Ref(name="block"):
            ((kind, body),) = data.items()
            yield from mappings_in(v.block(kind).body, body, (*path, kind))
        case v.Ref():
            yield from mappings_in(_resolve(value), data, path)
        case v.Mapping() if isinstance(data, dict):
            yield value, path
            for key in value.keys:
                if key.name in data:
                    yield from mappings_in(key.value, data[key.name], (*path, key.name))
        case v.Dictionary() if isinstance(data, dict):
            for name, item in data.items():
                yield from mappings_in(value.value, item, (*path, name))
        case v.ListOf() if isinstance(data, list):
            for index, item in enumerate(data):
                yield from mappings_in(value.item, item, (*path, index))
        case v.AnyOf(options) if isinstance(data, dict):
            found = [o for o in options if isinstance(_resolve(o), v.Mapping | v.AnyOf)]
            yield from mappings_in(found[0], data, path) if found else iter(())


def sample(name: str) -> Any:
    return yaml.safe_load(textwrap.dedent(FILES[name][0]))


def occurrences() -> list[tuple[str, v.Mapping, Path_]]:
    """(file, mapping, path) of the first place the sample writes each mapping."""
    first: dict[int, tuple[str, v.Mapping, Path_]] = {}
    for name, (_, definition) in FILES.items():
        for mapping, path in mappings_in(definition, sample(name)):
            first.setdefault(id(mapping), (name, mapping, path))
    return list(first.values())


def write_project(root: Path, changed: dict[str, Any] | None = None) -> Path:
    """The sample as an edition folder, root/content/2023, with a 2022 edition before it."""
    edition = root / "content" / "2023"
    edition.mkdir(parents=True)
    for name, (text, _) in FILES.items():
        data = (changed or {}).get(name)
        written = (
            textwrap.dedent(text) if data is None else yaml.safe_dump(data, allow_unicode=True)
        )
        (edition / name).write_text(written, encoding="utf-8")
    earlier = root / "content" / "2022"
    earlier.mkdir()
    (earlier / "edition.yaml").write_text(
        "title: Vorig\nyear: 2022\norganisation: Test\npublished: 2023-03-20\n", encoding="utf-8"
    )
    (earlier / "facts.yaml").write_text("ebooks.nl: 50\n", encoding="utf-8")
    return edition


def loaded(root: Path, changed: dict[str, Any] | None = None) -> list[str]:
    problems = Problems()
    load_edition(write_project(root, changed), problems)
    return [d.render() for d in problems]


def schema_errors(name: str, data: Any) -> list[str]:
    """What the JSON Schema finds wrong with `data` as the file `name` (as an editor checks it)."""
    validator = jsonschema.Draft202012Validator(
        CONTENT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [e.message for e in validator.iter_errors(data)]
    # The file must follow its own definition, not just any of the three.
    own = {"$ref": f"#/$defs/{_definition_name(name)}", "$defs": CONTENT_SCHEMA["$defs"]}
    return errors or [e.message for e in jsonschema.Draft202012Validator(own).iter_errors(data)]


def _definition_name(file_name: str) -> str:
    return {"edition.yaml": "edition", "facts.yaml": "facts"}.get(file_name, "chapter")


def _at(data: Any, path: Path_) -> Any:
    for step in path:
        data = data[step]
    return data


# -- the vocabulary and the schema ---------------------------------------------------------------


def test_every_mapping_of_the_vocabulary_is_named_here():
    declared = {}
    for name in v.FILES:
        declared_mappings(v.DEFINITIONS[name], declared)
    assert set(declared) == set(WHAT)


def test_the_sample_uses_every_key_the_vocabulary_declares():
    used: dict[int, set[str]] = {}
    for name, (_, definition) in FILES.items():
        for mapping, path in mappings_in(definition, sample(name)):
            used.setdefault(id(mapping), set()).update(_at(sample(name), path))
    unused = {
        WHAT[identity]: sorted(set(mapping.known) - used.get(identity, set()))
        for identity, mapping in declared_mappings(v.DEFINITIONS["chapter"]).items()
        | declared_mappings(v.DEFINITIONS["edition"]).items()
        | declared_mappings(v.DEFINITIONS["facts"]).items()
    }
    assert {what: keys for what, keys in unused.items() if keys} == {}


@pytest.mark.parametrize(
    ("file", "mapping", "path"), occurrences(), ids=lambda x: WHAT.get(id(x), "") or None
)
def test_every_declared_key_is_in_the_schema_with_its_required_keys(file, mapping, path):
    schema = _schema_at(_definition_name(file), sample(file), path)
    assert list(schema["properties"]) == list(mapping.known)
    assert schema["required"] == list(mapping.required)
    assert schema["additionalProperties"] is False


DEFS = CONTENT_SCHEMA["$defs"]


def _schema_at(definition: str, data: Any, path: Path_) -> dict[str, Any]:
    """The object schema that applies to the mapping at `path` of `data`."""
    schema = _narrowed(DEFS[definition], data)
    for step in path:
        if isinstance(step, int):
            schema = schema["items"]
        else:
            schema = schema.get("properties", {}).get(step) or schema["additionalProperties"]
        data = data[step]
        schema = _narrowed(schema, data)
    return schema


def _narrowed(schema: dict[str, Any], data: Any) -> dict[str, Any]:
    """Through $ref, anyOf and oneOf, the one schema that `data` follows."""
    while True:
        if "$ref" in schema:
            schema = DEFS[schema["$ref"].rsplit("/", 1)[1]]
        elif options := schema.get("anyOf") or schema.get("oneOf"):
            (schema,) = [o for o in options if _valid({**o, "$defs": DEFS}, data)]
        else:
            return schema


def _valid(schema: dict[str, Any], data: Any) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(data)


def test_the_schema_lists_the_block_kinds_of_the_vocabulary():
    refs = [ref["$ref"] for ref in CONTENT_SCHEMA["$defs"]["block"]["oneOf"]]
    assert refs == [f"#/$defs/{kind}Block" for kind in v.BLOCK_KINDS]


# -- the loader and the schema accept the sample, and refuse an unknown key ----------------------


def test_the_sample_is_read_without_a_problem_and_valid_against_the_schema(tmp_path):
    assert loaded(tmp_path) == []
    for name in FILES:
        assert schema_errors(name, sample(name)) == []


@pytest.mark.parametrize(
    ("file", "mapping", "path"), occurrences(), ids=lambda x: WHAT.get(id(x), "") or None
)
def test_a_key_the_vocabulary_does_not_declare_is_refused_by_loader_and_schema(
    tmp_path, file, mapping, path
):
    data = sample(file)
    _at(data, path)["onbekend"] = "x"
    assert schema_errors(file, data) != []
    problems = loaded(tmp_path, {file: data})
    assert [p.split("\n")[0].split(": error: ")[1] for p in problems] == [
        f"unknown key 'onbekend' in {WHAT[id(mapping)]}"
    ]
    assert f"  hint: known keys: {', '.join(mapping.known)}" in problems[0]


@pytest.mark.parametrize(
    ("file", "mapping", "path"),
    [o for o in occurrences() if o[1].required],
    ids=lambda x: WHAT.get(id(x), "") or None,
)
def test_a_missing_required_key_is_refused_by_loader_and_schema(tmp_path, file, mapping, path):
    data = sample(file)
    key = mapping.required[-1]
    del _at(data, path)[key]
    assert schema_errors(file, data) != []
    problems = loaded(tmp_path, {file: data})
    expected = f"{WHAT[id(mapping)]} lacks the required key '{key}'"
    assert any(expected in p and f"  hint: add '{key}: …'" in p for p in problems), problems


CHOICES = [  # (file, path to the mapping, key, what the loader calls the value)
    ("01-test.yaml", ("sections", 0, "blocks", 8, "chart"), "kind", "chart kind"),
    ("01-test.yaml", ("sections", 0, "blocks", 8, "chart"), "scale", "scale"),
    ("01-test.yaml", ("sections", 0, "blocks", 8, "chart", "series", 0), "status", "status"),
    ("facts.yaml", ("ebooks.titels",), "qualifier", "qualifier"),
    ("facts.yaml", ("ebooks.titels",), "status", "status"),
    ("facts.yaml", ("ebooks.titels",), "breakdown", "breakdown"),
]


@pytest.mark.parametrize(("file", "path", "key", "what"), CHOICES, ids=lambda x: str(x))
def test_a_choice_outside_the_vocabulary_is_refused_by_loader_and_schema(
    tmp_path, file, path, key, what
):
    data = sample(file)
    _at(data, path)[key] = "zomaar"
    assert schema_errors(file, data) != []
    problems = loaded(tmp_path, {file: data})
    assert any(f"error: {what} 'zomaar' is unknown" in p for p in problems), problems


def test_an_alignment_outside_the_vocabulary_is_refused_with_the_choices(tmp_path):
    data = sample("01-test.yaml")
    data["sections"][0]["blocks"][4]["table"]["align"] = ["left", "midden"]
    assert schema_errors("01-test.yaml", data) != []
    (problem,) = loaded(tmp_path, {"01-test.yaml": data})
    assert "error: alignment 'midden' is unknown\n  hint: write left, center or right" in problem


@pytest.mark.parametrize(("value", "accepted"), [("9%", False), ("10%", True), ("100%", True)])
def test_image_width_range_is_the_vocabulary_s_in_loader_and_schema(tmp_path, value, accepted):
    data = sample("01-test.yaml")
    data["sections"][0]["blocks"][5]["image"]["width"] = value
    assert (schema_errors("01-test.yaml", data) == []) is accepted
    problems = loaded(tmp_path, {"01-test.yaml": data})
    expected = [] if accepted else ["image width '9%' must be a percentage from 10% to 100%"]
    assert [p.split("\n")[0].split(": error: ")[1] for p in problems] == expected


def test_a_year_outside_the_vocabulary_s_range_is_refused_by_loader_and_schema(tmp_path):
    data = sample("edition.yaml")
    data["year"] = 3000
    assert schema_errors("edition.yaml", data) != []
    problems = loaded(tmp_path, {"edition.yaml": data})
    assert any("error: year '3000' must be a whole number from 1900 to 2999" in p for p in problems)


# -- the loader, the model and the labels follow the vocabulary ---------------------------------


def test_every_block_kind_has_a_reader():
    assert list(load._BLOCK_READERS) == list(v.BLOCK_KINDS)


def test_every_chart_kind_has_a_category_limit_and_a_name_in_every_language():
    assert tuple(load_chart.MAX_CATEGORIES) == v.CHART_KINDS
    for language in _LABELS:
        assert all(labels(language)[f"chart_{kind}"] for kind in v.CHART_KINDS)


def test_every_language_has_the_same_labels():
    keys = {language: set(words) for language, words in _LABELS.items()}
    assert all(found == keys["nl"] for found in keys.values())


def test_every_status_but_measured_has_a_word_in_every_language():
    for language in _LABELS:
        words = labels(language)
        assert [s for s in v.STATUSES if f"status_{s}" not in words] == ["measured"]


def _chart(kind: v.ChartKind, *series: tuple[str, tuple[int, ...], tuple[v.Status, ...]]) -> Chart:
    where = Location(Path("01-test.yaml"), 1, 1)
    return Chart(
        kind=kind,
        title="Uitleningen",
        categories=("boeken", "strips"),
        series=tuple(
            Series(
                name=name,
                values=tuple(Decimal(n) for n in values),
                statuses=statuses,
                location=where,
            )
            for name, values, statuses in series
        ),
        location=where,
    )


GROUPED = _chart(
    "grouped",
    ("Gemeten", (1, 2), ("measured", "estimated")),
    ("Berekend", (3, 4), ("derived", "derived")),
)


def test_a_dutch_edition_describes_its_charts_in_dutch():
    assert alt_text(GROUPED, "nl-BE") == (
        "Gegroepeerd staafdiagram: uitleningen, boeken, strips;"
        " reeksen: Gemeten, Berekend (afgeleid); hoogste 4 (strips, Berekend);"
        " gemarkeerde waarden zijn afgeleid of schatting"
    )


def test_an_english_edition_describes_its_charts_in_english():
    assert alt_text(GROUPED, "en-GB") == (
        "Grouped bar chart: uitleningen, boeken, strips;"
        " series: Gemeten, Berekend (derived); highest 4 (strips, Berekend);"
        " marked values are derived or estimate"
    )
    donut = _chart("donut", ("Aandeel", (1, 3), ("estimated", "estimated")))
    assert alt_text(donut, "en-GB") == (
        "Donut chart: uitleningen, boeken, strips; total 4; largest part strips 3 (75%);"
        " marked values are estimate"
    )


def test_a_legend_label_says_a_series_is_estimated_in_the_edition_s_language():
    assert series_label("Bezoeken", ["estimated"], "nl-BE") == "Bezoeken (schatting)"
    assert series_label("Visits", ["estimated"], "en-GB") == "Visits (estimate)"
    assert series_label("Visits estimate", ["estimated"], "en-GB") == "Visits estimate"
    assert series_label("Visits", ["measured"], "en-GB") == "Visits"
