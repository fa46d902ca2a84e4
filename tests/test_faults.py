"""Nothing lost: killed builds, read-only and full output folders, two builds at once.

The builds run in child processes forked from this one (after a warm-up, so a
build takes a fraction of a second instead of a Python start-up), and are
killed with SIGKILL: no handler, no `finally`, no flush runs. What must hold
at the PDF's path afterwards is the previous complete PDF, or no PDF, or the
new complete PDF when the build finished before the kill came.

"Full" is simulated honestly in two ways: a 64 kB tmpfs when this process may
mount one (root in most CI containers), and a file-size limit (RLIMIT_FSIZE)
under which the kernel refuses writes past a size, as a full disk does.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import random
import resource
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from helpers import forget_finished_pdfs, make_project
from rapport.cli import main
from rapport.lock import lock_path
from sandbox import WARM_UP_CHAPTER, warm_up

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")

KILLS = int(os.environ.get("RAPPORT_KILLS", "24"))
PDF = Path("build") / "voortgangsrapport-2023.pdf"


def chapter(word: str) -> str:
    """The warm-up chapter (every block kind) with some fifteen pages of running text."""
    paragraphs = "".join(
        f"      - paragraph: {word} alinea {n}, {'met genoeg woorden om een regel te vullen ' * 6}\n"
        for n in range(80)
    )
    return WARM_UP_CHAPTER + "  - title: Lang\n    blocks:\n" + paragraphs


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    warm_up()
    project = tmp_path / "project"
    project.mkdir()
    make_project(project, chapter("eerste"))
    Image.new("RGB", (40, 30), "teal").save(project / "images" / "foto.png")
    monkeypatch.chdir(project)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return project


def fork_build(args: list[str], file_size_limit: int | None = None) -> subprocess.Popen[bytes]:
    """Start `rapport ARGS` in a process of its own (a fresh interpreter, not a fork of this
    one: the PDF validator keeps worker threads, which a forked child would wait for)."""

    def limit() -> None:
        if file_size_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.Popen(
        [sys.executable, "-m", "rapport", "-q", *args],
        preexec_fn=limit,  # only setrlimit and signal, before the exec
        stdout=subprocess.DEVNULL,
    )


def wait(build: subprocess.Popen[bytes]) -> int:
    """The build's exit status, or minus the signal that ended it."""
    return build.wait()


def build_in_child(args: list[str] | None = None, file_size_limit: int | None = None) -> int:
    return wait(fork_build(args or ["build", "content/2023"], file_size_limit))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def is_complete_pdf(data: bytes) -> bool:
    return data.rstrip().endswith(b"%%EOF") and len(PdfReader(io.BytesIO(data)).pages) > 0


# -- killed builds ---------------------------------------------------------------------------


def writing(folder: Path) -> bool:
    return any(p.suffix == ".part" for p in folder.glob(".*"))


def kill_at_random(rng: random.Random, duration: float, folder: Path) -> tuple[int, bool]:
    """Start a build and SIGKILL it: half the time at a random moment of the whole run, half
    the time at a random moment after its temporary PDF appeared (while it writes).

    Returns the build's status and whether its temporary PDF existed when the kill was sent.
    """
    stale = {p.name for p in folder.glob(".*.part")}  # left by builds killed before
    build = fork_build(["build", "content/2023"])
    started = time.monotonic()
    if rng.random() < 0.5:
        time.sleep(rng.uniform(0, duration))
    else:
        while time.monotonic() - started < duration * 2:
            if {p.name for p in folder.glob(".*.part")} - stale:
                break
            time.sleep(0.002)
        # finishing, with its PDF/A verdict cached, is the last few hundredths of the build
        time.sleep(rng.uniform(0, duration * 0.04))
    during_write = bool({p.name for p in folder.glob(".*.part")} - stale)
    build.kill()  # SIGKILL; nothing when it has ended already
    return wait(build), during_write


@pytest.mark.e2e
def test_a_killed_build_leaves_the_previous_pdf_or_none(root: Path) -> None:
    rng = random.Random(20240320)
    target = root / PDF
    assert build_in_child() == 0  # fills the chart and hyphenation caches
    first = target.read_bytes()
    assert is_complete_pdf(first)
    (root / "content" / "2023" / "01-test.yaml").write_text(chapter("tweede"), encoding="utf-8")
    assert build_in_child() == 0  # caches this PDF's PDF/A verdict, as every run below has it
    forget_finished_pdfs(root)  # every build below lays its pages out and writes them
    started = time.monotonic()
    assert build_in_child() == 0  # timed as the builds that are killed will run
    duration = time.monotonic() - started
    second = target.read_bytes()
    assert is_complete_pdf(second) and second != first

    kills = finished = while_writing = 0
    for attempt in range(KILLS * 3):
        if kills >= KILLS:
            break
        forget_finished_pdfs(root)
        no_previous = attempt % 5 == 0  # every fifth run starts without a previous PDF
        if no_previous:
            target.unlink()
        else:
            target.write_bytes(first)  # the previous complete build
        status, during_write = kill_at_random(rng, duration, target.parent)
        if status == -signal.SIGKILL:
            kills += 1
            while_writing += during_write
        else:
            assert status == 0, f"the build failed on its own with status {status}"
            finished += 1
        if target.exists():
            found = target.read_bytes()
            allowed = (second,) if no_previous else (first, second)
            assert found in allowed, f"attempt {attempt}: a partial or foreign PDF was left"
            assert len(PdfReader(target).pages) > 0
    assert kills >= KILLS, f"only {kills} of the builds were killed before they finished"
    assert while_writing >= KILLS // 3, f"only {while_writing} kills came while the PDF was written"

    # Killed builds leave their temporary file behind; the next build clears them away.
    assert build_in_child() == 0
    assert target.read_bytes() == second
    assert leftovers(target.parent) == []


# -- read-only and full output folders ------------------------------------------------------


@contextlib.contextmanager
def tmpfs(folder: Path, options: str) -> Iterator[Path]:
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root and mount(8)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.e2e
def test_a_read_only_output_folder_exits_3_and_leaves_nothing(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if os.geteuid() != 0:  # an ordinary user: a folder without write permission
        folder = root / "alleen-lezen"
        folder.mkdir()
        folder.chmod(0o555)
        context: contextlib.AbstractContextManager[Path] = contextlib.nullcontext(folder)
    else:  # root writes anywhere it has permission bits for: a read-only file system
        context = tmpfs(root / "alleen-lezen", "ro,size=64k")
    with context as folder:
        status = main(["-q", "build", "content/2023", "-o", str(folder / "rapport.pdf")])
        err = capsys.readouterr().err
        assert status == 3, err
        assert "rapport: error: failed to write alleen-lezen/rapport.pdf (" in err
        assert list(folder.iterdir()) == []


# reportlab's SaveToFile leaves the file it failed to write to the garbage collector, which
# closes it at once (a ResourceWarning, which pytest reports); the temporary file is removed.
@pytest.mark.e2e
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_full_output_folder_exits_3_keeps_the_previous_pdf_and_leaves_nothing(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = b"%PDF-1.4 the previous report\n%%EOF\n"
    with tmpfs(root / "vol", "size=64k") as folder:
        (folder / "rapport.pdf").write_bytes(previous)
        status = main(["-q", "build", "content/2023", "-o", str(folder / "rapport.pdf")])
        err = capsys.readouterr().err
        assert status == 3, err
        assert "(No space left on device)" in err
        assert (folder / "rapport.pdf").read_bytes() == previous
        assert sorted(p.name for p in folder.iterdir()) == ["rapport.pdf"]


@pytest.mark.e2e
def test_a_file_size_limit_exits_3_keeps_the_previous_pdf_and_leaves_nothing(root: Path) -> None:
    """Runs without root: the kernel refuses the write past 30 kB with EFBIG, as a full disk
    refuses with ENOSPC. (The caches are filled first, so only the PDF grows large.)"""
    assert build_in_child() == 0
    target = root / PDF
    previous = target.read_bytes()
    assert len(previous) > 30_000
    (root / "content" / "2023" / "01-test.yaml").write_text(chapter("ander"), encoding="utf-8")
    assert build_in_child(file_size_limit=30_000) == 3
    assert target.read_bytes() == previous
    assert leftovers(target.parent) == []


# -- two builds at once ----------------------------------------------------------------------


@contextlib.contextmanager
def held_lock(target: Path) -> Iterator[int]:
    """Hold the lock of `target` as another build would."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_path(target), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        yield handle
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_UN)
            os.close(handle)


@pytest.mark.e2e
def test_a_second_build_gives_up_with_exit_3_and_touches_nothing(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = root / PDF
    target.parent.mkdir()
    target.write_bytes(b"the first build's PDF")
    monkeypatch.setenv("RAPPORT_LOCK_WAIT", "0.5")
    with held_lock(target):
        started = time.monotonic()
        status = main(["-q", "build", "content/2023"])
        waited = time.monotonic() - started
        err = capsys.readouterr().err
        assert status == 3, err
        assert 0.5 <= waited < 5
        assert (
            "rapport: error: failed to write build/voortgangsrapport-2023.pdf (another build of "
            "it is still running after 0.5 s; try again when it has finished)"
        ) in err
        assert target.read_bytes() == b"the first build's PDF"
        assert leftovers(target.parent) == [lock_path(target).name]  # the holder's, untouched


@pytest.mark.e2e
def test_a_second_build_waits_for_the_first(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = root / PDF
    monkeypatch.setenv("RAPPORT_LOCK_WAIT", "30")
    with held_lock(target) as handle:
        release = threading.Timer(0.6, fcntl.flock, (handle, fcntl.LOCK_UN))
        release.start()
        started = time.monotonic()
        status = main(["build", "content/2023"])
        release.join()
        err = capsys.readouterr().err
    assert status == 0, err
    assert time.monotonic() - started >= 0.6
    assert "rapport: waiting for another build of build/voortgangsrapport-2023.pdf" in err
    assert is_complete_pdf(target.read_bytes())
    assert leftovers(target.parent) == []


@pytest.mark.e2e
def test_two_builds_at_once_both_succeed_one_after_the_other(root: Path) -> None:
    target = root / PDF
    first, second = fork_build(["build", "content/2023"]), fork_build(["build", "content/2023"])
    assert (wait(first), wait(second)) == (0, 0)
    assert is_complete_pdf(target.read_bytes())
    assert leftovers(target.parent) == []


# -- same bytes anywhere ---------------------------------------------------------------------


@pytest.mark.e2e
def test_same_bytes_under_an_active_flemish_locale_and_another_time_zone(
    root: Path, tmp_path: Path
) -> None:
    """test_build.py builds under LC_ALL=C.UTF-8 and TZ=Pacific/Auckland; a machine with only
    C locales cannot vary more than that. Here a real nl_BE locale (decimal comma, Dutch month
    names) is compiled and made active with setlocale before rapport runs, as a host program
    could: nothing in the PDF may follow it."""
    locales = tmp_path / "locales"
    locales.mkdir()
    made = subprocess.run(
        ["localedef", "-i", "nl_BE", "-f", "UTF-8", str(locales / "nl_BE.UTF-8")],
        capture_output=True,
        check=False,
    ) if shutil.which("localedef") else None  # fmt: skip
    if made is None or not (locales / "nl_BE.UTF-8").exists():
        pytest.skip("localedef cannot compile the nl_BE locale here")
    assert main(["-q", "build", "content/2023"]) == 0
    expected = (root / PDF).read_bytes()
    program = (
        "import locale, sys\n"
        "locale.setlocale(locale.LC_ALL, '')\n"
        "assert locale.localeconv()['decimal_point'] == ','\n"
        "from rapport.cli import main\n"
        "sys.exit(main(['-q', 'build', 'content/2023', '-o', 'elders.pdf']))\n"
    )
    env = {
        **os.environ,
        "LOCPATH": str(locales),
        "LC_ALL": "nl_BE.UTF-8",
        "TZ": "America/St_Johns",
        "PYTHONHASHSEED": "12345",
    }
    env.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=root, env=env, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode()
    assert (root / "elders.pdf").read_bytes() == expected


# -- an output that is not a file --------------------------------------------------------


@pytest.mark.e2e
def test_an_output_that_is_a_device_is_never_replaced(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As root, `-o /dev/null` would have renamed the PDF over the device node. Here a copy of
    that node (or, without root, a named pipe) stands in for it."""
    device = root / "null.pdf"  # named like a PDF: `-o` refuses other names before any work
    if os.geteuid() == 0:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    else:
        os.mkfifo(device)
    kind = stat.S_IFMT(device.lstat().st_mode)
    status = main(["-q", "build", "content/2023", "-o", str(device)])
    err = capsys.readouterr().err
    assert status == 3, err
    assert "(it is a device, a pipe or a socket, not a file)" in err
    assert stat.S_IFMT(device.lstat().st_mode) == kind
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".null")) == []
    status = main(["-q", "build", "content/2023", "-o", "/dev/null"])
    assert status == 2 and "failed to write '/dev/null'" in capsys.readouterr().err
