"""A helper process draws the charts and checks the PDF beside the layout (rapport.helper):
the PDF is the same with it, without it, and when it fails."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

import rapport.helper
from helpers import REPO, run_rapport_with
from rapport import pipeline
from rapport.charts import NARROW_WIDTH, prepare_charts
from rapport.helper import Errands, HelperFailed, helping

PROJECT_FOLDERS = ("content", "fonts", "images", "theme")
BESIDE = "to draw beside the layout"


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second core, whatever the machine running the tests has; and this test process's
    threads not counted: the helpers forked here run pure Python, never numpy's BLAS."""
    monkeypatch.setattr(rapport.helper, "cores", lambda: 2)
    monkeypatch.setattr(rapport.helper, "other_threads", lambda: 0)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    for folder in PROJECT_FOLDERS:
        shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture(scope="module")
def serial_pdf(project: Path) -> bytes:
    """The 2023 edition built from an empty cache without a helper."""
    shutil.rmtree(project / ".cache", ignore_errors=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        report = pipeline.build(project / "content" / "2023", project / "serial.pdf")
    return report.pdf.read_bytes()


def cold_build(project: Path, output: str, *changes: str) -> tuple[bytes, str]:
    """`rapport -v build` from an empty cache in a fresh process, as on a machine with
    two cores, after the Python statements `changes`; the PDF and what it logged."""
    shutil.rmtree(project / ".cache", ignore_errors=True)
    launcher = "; ".join(
        [
            "import os, sys, rapport.helper",
            "rapport.helper.cores = lambda: 2",
            *changes,
            "from rapport.cli import entry",
            "entry()",
        ]
    )
    result = run_rapport_with(launcher, "-v", "build", "content/2023", "-o", output, cwd=project)
    assert result.returncode == 0, result.stderr
    return (project / output).read_bytes(), result.stderr


@pytest.mark.e2e
def test_charts_drawn_beside_the_layout_give_the_same_pdf(project, serial_pdf):
    pdf, log = cold_build(project, "helped.pdf")
    assert pdf == serial_pdf
    assert f"0 drawn, 7 {BESIDE}" in log
    assert "loaded matplotlib" in log and "drew chart" in log  # by the helper
    assert "7 from the cache" in log  # what the helper drew, read back
    assert "no answer" not in log  # it checked the PDF, too


@pytest.mark.e2e
def test_the_pages_wait_for_charts_the_helper_is_slow_to_draw(project, serial_pdf):
    """The pages are decided meanwhile, and drawn for good only with the charts."""
    slow = (
        "import time, rapport.pipeline as p; draw = p._draw_charts; "
        "p._draw_charts = lambda *a: (time.sleep(1.5), draw(*a))[1]"
    )
    pdf, log = cold_build(project, "slow.pdf", slow)
    assert pdf == serial_pdf
    assert log.index("drew chart") < log.index("laying out with the charts drawn")
    assert "no answer" not in log


@pytest.mark.e2e
def test_a_helper_that_dies_at_once_changes_nothing_but_the_time(project, serial_pdf):
    pdf, log = cold_build(
        project, "orphaned.pdf", "rapport.helper._be_the_helper = lambda *a: os._exit(1)"
    )
    assert pdf == serial_pdf
    assert "no answer for drawing the charts" in log
    assert "no answer for checking the PDF" in log


@pytest.mark.e2e
def test_without_a_second_core_the_build_draws_its_charts_itself(
    project, serial_pdf, monkeypatch, caplog
):
    monkeypatch.setattr(rapport.helper, "cores", lambda: 1)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    caplog.set_level("DEBUG", logger="rapport")
    shutil.rmtree(project / ".cache", ignore_errors=True)
    report = pipeline.build(project / "content" / "2023", project / "alone.pdf", helper=True)
    assert report.pdf.read_bytes() == serial_pdf
    assert f"7 drawn, 0 {BESIDE}" in caplog.text and "the helper" not in caplog.text


@pytest.mark.e2e
def test_blank_charts_have_the_size_of_the_drawn_ones(project):
    edition_dir = project / "content" / "2023"
    checked = pipeline.load_and_check(edition_dir)
    width = pipeline.frame_width(checked.theme)
    shutil.rmtree(project / ".cache", ignore_errors=True)
    arguments = (checked.edition, checked.theme, project, width)
    blank = prepare_charts(*arguments, narrow_pt=NARROW_WIDTH, draw=False)
    drawn = prepare_charts(*arguments, narrow_pt=NARROW_WIDTH)
    assert blank.pending == len(blank.art) == 7 and drawn.pending == 0
    for where, art in blank.art.items():
        assert art.art.items == ()
        assert (art.art.width, art.art.height) == (
            drawn.art[where].art.width,
            drawn.art[where].art.height,
        )
        assert art.alt == drawn.art[where].alt
    again = prepare_charts(*arguments, narrow_pt=NARROW_WIDTH, draw=False)
    assert again.pending == 0  # now cached


def test_a_helper_answers_requests_in_the_order_made(two_cores):
    tasks = {"upper": str.upper, "divide": lambda a, b: a / b}
    with helping(Errands(tasks)) as helper:
        assert helper is not None
        helper.request("upper", "abc")
        helper.request("divide", 1, 0)
        helper.request("divide", 6, 3)
        assert helper.answer() == "ABC"
        with pytest.raises(HelperFailed, match="ZeroDivisionError"):
            helper.answer()
        assert helper.answer() == 2.0
        with pytest.raises(HelperFailed):  # nothing asked
            helper.answer()


def test_a_request_comes_before_the_warm_ups_still_to_do(two_cores, tmp_path):
    marker = tmp_path / "warmed"
    warm_ups = (lambda: time.sleep(0.3), marker.touch)
    with helping(Errands({"warmed": marker.exists}, warm_ups)) as helper:
        assert helper is not None
        helper.request("warmed")  # waits for the warm-up under way, not for the next one
        assert helper.answer() is False
        time.sleep(1.0)  # the warm-ups are done by then, whichever came first
        helper.request("warmed")
        assert helper.answer() is True  # the next warm-up done once nothing was asked


def test_a_helper_killed_gives_no_answer(two_cores):
    with helping(Errands({"upper": str.upper})) as helper:
        assert helper is not None
        os.kill(helper.pid, signal.SIGKILL)
        helper.request("upper", "abc")
        with pytest.raises(HelperFailed):
            helper.answer()


def test_a_helper_still_working_when_the_build_ends_is_ended(two_cores):
    with pytest.raises(RuntimeError), helping(Errands({}, (lambda: time.sleep(60),))) as helper:
        assert helper is not None
        raise RuntimeError("the layout failed")
    with pytest.raises(ChildProcessError):  # ended and reaped: no process left behind
        os.waitpid(helper.pid, os.WNOHANG)


def test_no_helper_is_forked_beside_another_thread(monkeypatch):
    monkeypatch.setattr(rapport.helper, "cores", lambda: 2)
    if rapport.helper.other_threads():  # numpy's BLAS thread, started by an earlier test
        assert not rapport.helper.can_fork()
        return
    assert rapport.helper.can_fork()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not rapport.helper.can_fork()
        with helping(Errands({})) as helper:
            assert helper is None
    finally:
        stop.set()
        thread.join()
