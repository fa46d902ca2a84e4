"""The one cache: entries keyed by inputs and code versions, and nothing on disk trusted blindly.

The unit tests read and write entries directly; the tamper tests change each
kind of entry on disk between two real builds (in fresh processes, as a user
runs them) and require the second PDF to equal a clean build's, byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import shutil
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import backdate, chapter_with_blocks, make_project, run_rapport
from rapport import cache
from rapport.cache import (
    CHARTS,
    FONTS,
    HYPHENATION,
    KINDS,
    LAYOUT,
    LINES,
    PDF,
    PDFA,
    Cache,
    Kind,
    entry_key,
    json_text,
)
from rapport.diagnostics import display_path

WORDS = (
    "De samenwerkingsverbanden rond informatievoorziening en digitaliseringsprojecten"
    " versterkten de bibliotheekmedewerkers in hun dienstverlening aan gemeentebesturen,"
    " onderwijsinstellingen en welzijnsorganisaties."
)
CHAPTER = chapter_with_blocks(
    f"""\
    - paragraph: {WORDS} {WORDS} {WORDS}
    - chart:
        kind: bar
        title: Migraties per jaar
        categories: [2019, 2020, 2021]
        series:
          - name: Migraties
            values: [93, 76, 99]
    """
)
TEST_KIND = Kind("test", ("pyphen",))
INPUTS = {"word": "bibliotheek", "size": 9}


def _parts(path: Path) -> tuple[dict[str, Any], bytes]:
    """An entry's header and the text of its value, as the cache lays them out."""
    data = path.read_bytes()
    split = data.index(b',"value":')
    return json.loads(data[:split] + b"}"), data[split + len(b',"value":') : -1]


def _forge(path: Path, value: bytes | None = None, *, seal: bool = False, **header: Any) -> None:
    """Rewrite an entry in the cache's own layout: another value (its digest left as it was,
    unless `seal`), or other header fields."""
    old_header, old_value = _parts(path)
    value = old_value if value is None else value
    new_header = {**old_header, **header}
    if seal:
        new_header["sha256"] = hashlib.sha256(value).hexdigest()
    path.write_bytes(json_text(new_header)[:-1] + b',"value":' + value + b"}")


# -- reading and writing ---------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(value=JSON_VALUES)
def test_what_is_written_reads_back_equal(tmp_path_factory, value):
    store = Cache(tmp_path_factory.mktemp("cache"))
    store.write(TEST_KIND, INPUTS, json_text(value))
    assert store.read(TEST_KIND, INPUTS, json.loads) == value


def test_nothing_written_reads_as_none_without_a_warning(tmp_path, caplog):
    assert Cache(tmp_path / ".cache").read(TEST_KIND, INPUTS, json.loads) is None
    assert caplog.messages == []


def test_an_entry_is_plain_json_that_names_its_kind_key_and_versions(tmp_path):
    store = Cache(tmp_path)
    value = b'{"boeken":[["boe","ken"]]}'
    store.write(HYPHENATION, {"language": "nl-BE"}, value)
    path = store.path(HYPHENATION, {"language": "nl-BE"})
    assert path.parent == tmp_path / "hyphenation"
    assert json.loads(path.read_bytes()) == {
        "kind": "hyphenation",
        "key": path.stem,
        "versions": {"pyphen": version("pyphen"), "rapport": cache.source_digest()},
        "sha256": hashlib.sha256(value).hexdigest(),
        "value": {"boeken": [["boe", "ken"]]},
    }
    assert path.read_bytes().endswith(b',"value":' + value + b"}")  # the digest's very text


def test_a_cache_in_the_way_of_a_file_cannot_be_written(tmp_path):
    (tmp_path / ".cache").write_text("not a folder", encoding="utf-8")
    store = Cache(tmp_path / ".cache")
    assert store.read(TEST_KIND, INPUTS, json.loads) is None
    with pytest.raises(OSError):
        store.write(TEST_KIND, INPUTS, b"[1]")


# -- keys ------------------------------------------------------------------------------


def test_the_key_follows_the_inputs_and_the_kind():
    keys = {
        entry_key(TEST_KIND, INPUTS),
        entry_key(TEST_KIND, {**INPUTS, "size": 10}),
        entry_key(Kind("other", ("pyphen",)), INPUTS),
    }
    assert len(keys) == 3
    assert entry_key(TEST_KIND, dict(reversed(INPUTS.items()))) == entry_key(TEST_KIND, INPUTS)


def test_an_upgraded_library_gives_new_keys(monkeypatch):
    today = entry_key(HYPHENATION, {"language": "nl-BE"})
    upgraded = {**cache.versions(HYPHENATION), "pyphen": "99.0"}
    monkeypatch.setattr(cache, "versions", lambda kind: upgraded)
    assert entry_key(HYPHENATION, {"language": "nl-BE"}) != today


@pytest.mark.parametrize(
    ("kind", "libraries"),
    [
        (CHARTS, {"matplotlib", "numpy", "babel"}),
        (HYPHENATION, {"pyphen"}),
        (FONTS, {"reportlab"}),
        (LAYOUT, {"reportlab", "pyphen"}),
        (LINES, {"reportlab", "pyphen"}),
        (PDF, {"reportlab", "pyphen", "matplotlib", "numpy", "babel", "pillow", "pikepdf"}),
    ],
)
def test_each_kind_is_keyed_by_the_libraries_that_make_it_and_rapport(kind, libraries):
    assert cache.versions(kind) == {
        **{library: version(library) for library in libraries},
        "rapport": cache.source_digest(),
    }


@pytest.mark.parametrize("library", sorted({lib for kind in KINDS for lib in kind.libraries}))
def test_the_installed_version_is_read_without_importing_the_library(library):
    assert cache.installed_version(library) == version(library)


def test_the_source_digest_follows_every_file_but_not_compiled_code(tmp_path):
    package = tmp_path / "package"
    shutil.copytree(Path(cache.__file__).parent, package, ignore=shutil.ignore_patterns("*.pyc"))
    first = cache.source_digest(package)
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "cache.cpython-311.pyc").write_bytes(b"compiled")
    assert cache.source_digest.__wrapped__(package) == first
    (package / "charts" / "draw.py").write_text("# another drawing\n", encoding="utf-8")
    assert cache.source_digest.__wrapped__(package) != first


def test_the_source_digest_is_of_the_running_package():
    assert cache.source_digest() == cache.source_digest.__wrapped__(Path(cache.__file__).parent)


# -- damaged and foreign entries -------------------------------------------------------


def _damage(path: Path, how: str) -> None:
    """Spoil the entry at `path` in one of the ways a disk, a copy or a hand can."""
    data = path.read_bytes()
    if how == "cut short":
        path.write_bytes(data[: len(data) - 5])
    elif how == "cut in the header":
        path.write_bytes(data[:20])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "a pickle":
        path.write_bytes(b"cos\nsystem\n(S'echo pwned'\ntR.")
    elif how == "deeply nested":
        path.write_bytes(b"[" * 100_000)
    elif how == "a list":
        path.write_text("[1, 2, 3]", encoding="utf-8")
    elif how == "reformatted":  # the same data, spelled with spaces by an editor
        path.write_text(json.dumps(json.loads(data), indent=2), encoding="utf-8")
    elif how == "value changed":
        _forge(path, _parts(path)[1].replace(b"theek", b"thee"))
    elif how == "another kind":
        _forge(path, kind="charts")
    elif how == "another key":
        _forge(path, key="0" * 32)
    elif how == "no digest":
        header, value = _parts(path)
        del header["sha256"]
        path.write_bytes(json_text(header)[:-1] + b',"value":' + value + b"}")


DAMAGES = {
    "cut short": "it was changed or cut short",
    "cut in the header": "not a cache entry",
    "empty": "not a cache entry",
    "a pickle": "not a cache entry",
    "deeply nested": "not a cache entry",
    "a list": "not a cache entry",
    "reformatted": "not a cache entry",
    "value changed": "it was changed or cut short",
    "another kind": "it belongs to another entry",
    "another key": "it belongs to another entry",
    "no digest": "not a cache entry",
}


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_or_foreign_entry_is_not_trusted(tmp_path, caplog, monkeypatch, how):
    monkeypatch.chdir(tmp_path)
    store = Cache(tmp_path / ".cache")
    store.write(TEST_KIND, INPUTS, json_text({"bibliotheek": [["biblio", "theek"]]}))
    path = store.path(TEST_KIND, INPUTS)
    _damage(path, how)
    with caplog.at_level(logging.WARNING, logger="rapport.cache"):
        assert store.read(TEST_KIND, INPUTS, json.loads) is None
    assert caplog.messages == [
        f"making {display_path(path)} again: the cached copy is damaged ({DAMAGES[how]})"
    ]


def test_an_entry_of_another_inputs_copied_over_is_not_trusted(tmp_path, caplog):
    store = Cache(tmp_path)
    store.write(TEST_KIND, {**INPUTS, "size": 10}, b"[1]")
    store.write(TEST_KIND, INPUTS, b"[2]")
    shutil.copy(store.path(TEST_KIND, {**INPUTS, "size": 10}), store.path(TEST_KIND, INPUTS))
    assert store.read(TEST_KIND, INPUTS, json.loads) is None
    assert "(it belongs to another entry)" in caplog.text


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        (HYPHENATION, ["boe", "ken"], "not a dictionary of words"),
        (HYPHENATION, {"boeken": [["boe"]]}, "the break points of 'boeken' are not pairs of text"),
        (
            HYPHENATION,
            {"boeken": [["boe", 1]]},
            "the break points of 'boeken' are not pairs of text",
        ),
        (FONTS, {"damage": "", "characters": ["a"]}, "a character is not a code point"),
        (FONTS, {"damage": "", "characters": [-1]}, "a character is not a code point"),
        (FONTS, {"damage": "", "characters": [True]}, "a character is not a code point"),
        (FONTS, {"damage": 0, "characters": []}, "not the facts of a font"),
        (FONTS, {"characters": []}, "not the facts of a font"),
        (CHARTS, {"format": 2}, "not a chart drawing (unknown format)"),
        (PDFA, {"passed": False}, "not a passing verdict"),
        (PDFA, [], "not a passing verdict"),
        (
            CHARTS,
            {"format": 1, "width": 0, "height": 1, "items": []},
            "not a chart drawing (0.0 is not above zero)",
        ),
    ],
)
def test_an_entry_of_the_wrong_shape_is_not_trusted(tmp_path, caplog, kind, value, reason):
    """Whole, sealed entries whose value is not what the kind writes (an older format, say)."""
    from rapport.charts.art import VectorArt
    from rapport.layout.hyphens import _break_points
    from rapport.pdf.write import _passed
    from rapport.theme.fonts import _facts_of

    decode = {
        CHARTS: VectorArt.from_json,
        HYPHENATION: _break_points,
        FONTS: _facts_of,
        PDFA: _passed,
    }[kind]
    store = Cache(tmp_path)
    store.write(kind, INPUTS, json_text(value))
    assert store.read(kind, INPUTS, decode) is None
    assert f"the cached copy is damaged (not what was written: {reason})" in caplog.text


def test_a_sealed_value_that_is_not_json_is_not_trusted(tmp_path, caplog):
    store = Cache(tmp_path)
    store.write(FONTS, INPUTS, b"{")
    from rapport.theme.fonts import _facts_of

    assert store.read(FONTS, INPUTS, _facts_of) is None
    assert (
        "(not what was written: Expecting property name enclosed in double quotes:"
        " line 1 column 2 (char 1))" in caplog.text
    )


# -- tampering between real builds -----------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A project built once, its cache filled with one entry of each kind (its files made
    older first, so that the finished PDF is kept for reuse too)."""
    root = tmp_path_factory.mktemp("built")
    make_project(root, CHAPTER)
    backdate(root)
    result = run_rapport("build", "content/2023", "-o", "clean.pdf", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


def _project(built: Path, tmp_path: Path, *, reuse: bool = False, words: bool = False) -> Path:
    """A copy of the built project (its files as old); without `reuse`, its finished PDF
    is taken out of the cache, so that a build lays the pages out and reads the rest.
    With `words`, its line plans are taken out too, so that every word is hyphenated
    again (a kept plan spares the hyphenator most of them)."""
    project = tmp_path / "project"
    shutil.copytree(built, project)
    if not reuse:
        shutil.rmtree(project / ".cache" / PDF.name)
    if words:
        shutil.rmtree(project / ".cache" / LINES.name)
    return project


def _only_entry(project: Path, kind: Kind) -> Path:
    entries = sorted((project / ".cache" / kind.name).glob("*.json"))
    assert entries, f"the clean build made no {kind.name} entry"
    return entries[0]  # fonts: the first of the five faces


def _tampered(path: Path, kind: Kind) -> bytes:
    """The entry's value changed so that it would change the build if it were trusted."""
    value = json.loads(_parts(path)[1])
    if kind is HYPHENATION:
        value = {word: [] for word in value}  # no break points: other line ends
    elif kind is FONTS:
        value = {"damage": "it is not a TrueType font", "characters": []}
    elif kind is PDFA:
        value = {"passed": False}  # trusted, the PDF/A check would be skipped or refused
    elif kind is LAYOUT:
        value = {"step": 2 if value["step"] == 0 else 0}  # another tightening of the chapter
    elif kind is LINES:
        value = {key: _wider(plan) for key, plan in value.items()}  # other line breaks
    elif kind is PDF:
        forged = base64.b64encode(b"%PDF-1.7 another PDF").decode()
        value = {**value, "pdf": forged}  # trusted, it would be written instead
    else:
        value = {**value, "items": value["items"][:1]}  # one shape left of the chart
    return json_text(value)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_a_tampered_entry_is_made_again_and_the_pdf_stays_right(built, tmp_path, kind):
    project = _project(built, tmp_path, reuse=kind is PDF, words=kind is HYPHENATION)
    path = _only_entry(project, kind)
    clean_entry = path.read_bytes()
    _forge(path, _tampered(path, kind))  # its digest no longer fits

    result = run_rapport("build", "content/2023", "-o", "again.pdf", cwd=project)

    assert result.returncode == 0, result.stderr
    shown = Path(".cache") / kind.name / path.name
    assert f"making {shown} again: the cached copy is damaged (it was changed or cut short)" in (
        result.stderr
    )
    assert (project / "again.pdf").read_bytes() == (built / "clean.pdf").read_bytes()
    assert path.read_bytes() == clean_entry  # rewritten, whole


@pytest.mark.slow
@pytest.mark.parametrize("how", ["cut short", "another key", "reformatted"])
def test_a_damaged_hyphenation_entry_is_made_again(built, tmp_path, how):
    project = _project(built, tmp_path, words=True)
    path = _only_entry(project, HYPHENATION)
    clean_entry = path.read_bytes()
    _damage(path, how)

    result = run_rapport("build", "content/2023", "-o", "again.pdf", cwd=project)

    assert result.returncode == 0, result.stderr
    assert f"the cached copy is damaged ({DAMAGES[how]})" in result.stderr
    assert (project / "again.pdf").read_bytes() == (built / "clean.pdf").read_bytes()
    assert path.read_bytes() == clean_entry


@pytest.mark.slow
def test_trusted_break_points_would_change_the_pdf(built, tmp_path):
    """What the tamper tests guard against: a hyphenation entry that is believed is used."""
    project = _project(built, tmp_path, words=True)
    path = _only_entry(project, HYPHENATION)
    _forge(path, _tampered(path, HYPHENATION), seal=True)

    result = run_rapport("build", "content/2023", "-o", "forged.pdf", cwd=project)

    assert result.returncode == 0, result.stderr
    assert (project / "forged.pdf").read_bytes() != (built / "clean.pdf").read_bytes()


def _wider(plan: list[list[float]] | None) -> list[list[float]] | None:
    """A line plan whose lines are planned 40 points wider: reportlab breaks them elsewhere."""
    if plan is None:
        return None
    planned, real, scales = plan
    return [[width + 40 for width in planned], real, scales]


@pytest.mark.slow
def test_trusted_line_plans_would_change_the_pdf(built, tmp_path):
    """What the tamper tests guard against: line plans that are believed are used."""
    project = _project(built, tmp_path)
    path = _only_entry(project, LINES)
    _forge(path, _tampered(path, LINES), seal=True)

    result = run_rapport("build", "content/2023", "-o", "forged.pdf", cwd=project)

    assert result.returncode == 0, result.stderr
    assert (project / "forged.pdf").read_bytes() != (built / "clean.pdf").read_bytes()


@pytest.mark.slow
def test_a_rebuild_rewrites_no_entry_and_keeps_the_same_pdf(built, tmp_path):
    project = _project(built, tmp_path)  # the finished PDF taken out: it is made again
    before = {
        path.relative_to(built): path.read_bytes() for path in (built / ".cache").rglob("*.json")
    }
    result = run_rapport("build", "content/2023", "-o", "again.pdf", cwd=project)
    assert result.returncode == 0, result.stderr
    after = {
        path.relative_to(project): path.read_bytes()
        for path in (project / ".cache").rglob("*.json")
    }
    assert after == before  # the PDF kept again is byte for byte the one kept before
    assert {path.parts[1] for path in before} == {kind.name for kind in KINDS}
    assert "damaged" not in result.stderr
    assert (project / "again.pdf").read_bytes() == (built / "clean.pdf").read_bytes()
