"""What keeps a build fast, checked by what it does rather than by timing it: a build
whose chapters' tightening was decided before lays out once, and the decisions read
from the cache give the very bytes a cold build gives."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import pytest

from helpers import REPO, forget_finished_pdfs
from rapport.cache import LAYOUT, json_text
from rapport.layout.pages import _decode_step
from rapport.pipeline import build

LAID_OUT = "laying out, tightened"


def copy_2023(into: Path) -> Path:
    """The real 2023 edition (two of its chapters are tightened) in a folder of its own."""
    for folder in ("fonts", "images", "theme"):
        shutil.copytree(REPO / folder, into / folder)
    shutil.copytree(REPO / "content", into / "content")
    return into / "content" / "2023"


def layouts(caplog: pytest.LogCaptureFixture) -> list[str]:
    found = [r.getMessage() for r in caplog.records if r.getMessage().startswith(LAID_OUT)]
    caplog.clear()
    return found


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="rapport")
    return caplog


@pytest.mark.e2e
@pytest.mark.slow
def test_a_warm_build_lays_out_once_and_gives_the_cold_builds_bytes(
    tmp_path: Path, debug_log: pytest.LogCaptureFixture
) -> None:
    edition = copy_2023(tmp_path)
    cold = build(edition, tmp_path / "cold.pdf").pdf.read_bytes()
    tried = layouts(debug_log)
    assert len(tried) >= 2  # the plain layout, then the tightened chapters

    forget_finished_pdfs(tmp_path)  # else the PDF itself would be reused
    warm = build(edition, tmp_path / "warm.pdf").pdf.read_bytes()

    assert layouts(debug_log) == [tried[-1]]  # straight to the decision the cold build made
    assert warm == cold


@pytest.mark.e2e
@pytest.mark.slow
def test_after_an_edit_only_the_edited_chapter_is_decided_again(
    tmp_path: Path, debug_log: pytest.LogCaptureFixture
) -> None:
    edition = copy_2023(tmp_path)
    build(edition, tmp_path / "before.pdf")
    chapter = sorted(edition.glob("01-*.yaml"))[0]
    text = chapter.read_text("utf-8")
    chapter.write_text(
        text.replace("paragraph: >-\n", "paragraph: >-\n          Versie 2.\n", 1), "utf-8"
    )
    layouts(debug_log)

    edited = build(edition, tmp_path / "edited.pdf").pdf.read_bytes()
    assert len(layouts(debug_log)) == 1  # chapter 1 is not loose: nothing more to try

    shutil.rmtree(tmp_path / ".cache")
    assert build(edition, tmp_path / "cold.pdf").pdf.read_bytes() == edited


@pytest.mark.e2e
@pytest.mark.slow
def test_a_trusted_decision_would_change_the_pdf(tmp_path: Path) -> None:
    """What keying and checking the decisions guards against: a decision read is used."""
    edition = copy_2023(tmp_path)
    clean = build(edition, tmp_path / "clean.pdf").pdf.read_bytes()
    for entry in (tmp_path / ".cache" / LAYOUT.name).glob("*.json"):
        header, _ = entry.read_bytes().split(b',"value":', 1)
        forged = json_text({"step": 0})  # no chapter tightened, sealed as the cache seals
        fields = json.loads(header + b"}") | {"sha256": hashlib.sha256(forged).hexdigest()}
        entry.write_bytes(json_text(fields)[:-1] + b',"value":' + forged + b"}")
    forget_finished_pdfs(tmp_path)

    forged_pdf = build(edition, tmp_path / "forged.pdf").pdf.read_bytes()
    assert forged_pdf != clean


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b'{"step":9}', "no tightening step 9"),
        (b'{"step":-1}', "no tightening step -1"),
        (b'{"step":"1"}', "no tightening step '1'"),
        (b'{"step":true}', "no tightening step True"),
        (b'{"step":1,"more":2}', "not a tightening decision"),
        (b"[1]", "not a tightening decision"),
    ],
)
def test_a_decision_rapport_did_not_write_is_refused(value: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        _decode_step(value)


def test_every_step_rapport_writes_reads_back() -> None:
    from rapport.layout.floats import TIGHT_STEPS

    for step in range(len(TIGHT_STEPS) + 1):
        assert _decode_step(json_text({"step": step})) == step


@pytest.mark.e2e
@pytest.mark.slow
def test_lines_remembered_from_the_last_build_give_a_fresh_process_bytes(tmp_path: Path) -> None:
    """`rapport watch` keeps the lines of unchanged paragraphs; its PDF after an edit is the
    one a fresh process makes of the edited files."""
    from helpers import run_rapport

    edition = copy_2023(tmp_path)
    build(edition, tmp_path / "before.pdf", check_pdfa=False)  # lines remembered here
    chapter = sorted(edition.glob("04-*.yaml"))[0]
    text = chapter.read_text("utf-8")
    chapter.write_text(
        text.replace("paragraph: >-\n", "paragraph: >-\n          Een extra zin.\n", 1), "utf-8"
    )
    remembered = build(edition, tmp_path / "remembered.pdf", check_pdfa=False).pdf.read_bytes()
    forget_finished_pdfs(tmp_path)
    fresh = run_rapport("build", "content/2023", "-o", "fresh.pdf", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    assert remembered == (tmp_path / "fresh.pdf").read_bytes()


@pytest.mark.e2e
@pytest.mark.slow
def test_a_trial_of_chapters_alone_counts_their_pages_as_the_whole_layout() -> None:
    """What deciding a chapter's tightening from a trial of it alone relies on."""
    import datetime as dt

    from rapport.charts import prepare_charts
    from rapport.layout.document import frame_width
    from rapport.layout.floats import TIGHT_STEPS
    from rapport.layout.pages import LayoutJob, _lay_out_once, _pages_of_parts
    from rapport.paths import project_root
    from rapport.pipeline import load_and_check

    checked = load_and_check(REPO / "content" / "2023")
    edition, theme = checked.edition, checked.theme
    charts = prepare_charts(edition, theme, project_root(edition), frame_width(theme))
    job = LayoutJob(edition, theme, charts, dt.datetime(2024, 3, 20), False, None)
    chapters = range(2, 2 + len(edition.chapters))
    for step in range(1, len(TIGHT_STEPS) + 1):
        tight = {part: step for part in chapters}
        _, whole = _lay_out_once(job, tight)
        for part in chapters:
            alone = _pages_of_parts(job, {part: step})
            assert alone[part] == whole.parts.pages()[part], (part, step)


def test_a_trial_story_keeps_the_cover_and_the_parts_tried_and_their_numbers() -> None:
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    from rapport.layout.pages import _only_parts

    def part(name: str) -> list[object]:
        return [PageBreak(), Paragraph(name)]

    cover = [Paragraph("omslag")]
    story = [*cover, *part("inhoud"), *part("een"), *part("twee"), *part("drie")]
    trimmed = _only_parts(story, frozenset({3}))
    assert sum(isinstance(f, PageBreak) for f in trimmed) == 4  # every part keeps its number
    kept = [f.text for f in trimmed if isinstance(f, Paragraph)]
    assert kept == ["omslag", "twee"]
    assert sum(type(f) is Spacer for f in trimmed) == 3  # a page for each part left out
