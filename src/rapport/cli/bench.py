"""`make bench`: how fast an edition builds, measured in fresh processes.

Prints, for one edition: a cold build (empty cache), also on one core (without
the helper process, rapport.helper), a warm rebuild with
nothing changed (the PDF made before is reused), a warm rebuild after a text
edit (cached charts, the pages laid out again) and their peak memory; a warm build of the web edition alone (budget
0.3 s) and its size; the time to load matplotlib and to draw each
chart, as the cold builds logged them; a text-only rebuild inside
`rapport watch`; a generated chapter that shows two large images a hundred
times (memory and time must follow the images, not their uses); and, as a yardstick for how fast the machine is at the
moment, the time a fresh Python takes to import matplotlib. Each figure is
the median of several fresh processes (the watch rebuild: of several edits);
the project is copied to a temporary folder so that the real cache and build
folders stay untouched.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rapport.paths import CACHE_DIR, THEME_FILE

RUNS = 7
JPEG_SIZE = (7600, 5000)  # 38 megapixels, a camera's photo
PNG_SIZE = (4000, 3000)
JPEG_USES, PNG_USES = 40, 60


def _copy_project(edition_dir: Path, into: Path) -> Path:
    root = edition_dir.resolve().parent.parent
    for folder in ("images", "fonts", THEME_FILE.parent.as_posix()):
        if (root / folder).is_dir():
            shutil.copytree(root / folder, into / folder)
    shutil.copytree(
        edition_dir.resolve().parent, into / "content"
    )  # earlier editions hold facts too
    return into / "content" / edition_dir.name


@dataclass(frozen=True)
class Run:
    seconds: float  # wall time
    megabytes: float  # peak resident memory
    log: str  # what the process wrote to stderr


def _timed_process(command: list[str], *, one_core: bool = False) -> Run:
    """One fresh process, timed from start to exit; with `one_core`, on one core only
    (so that `rapport build` has no helper process, rapport.helper)."""
    pin = None
    if one_core and hasattr(os, "sched_setaffinity"):
        first = min(os.sched_getaffinity(0))

        def pin() -> None:
            os.sched_setaffinity(0, {first})

    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, preexec_fn=pin)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed (status {status}):\n{text}")
    return Run(seconds, usage.ru_maxrss / 1024, text)


def _interleaved(runs: int, cache: Path, build: list[str]) -> dict[str, list[Run]]:
    """Cold builds, warm builds and the yardstick, each run `runs` times.

    The three are run in turn, so that a machine that slows down or speeds up
    during the benchmark affects each of them alike.
    """
    commands = {
        "cold": build,
        "warm": build,
        "reference": [sys.executable, "-c", "import matplotlib.figure"],
    }
    results: dict[str, list[Run]] = {name: [] for name in [*commands, "one core"]}
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        for name, command in commands.items():  # the warm build runs on the cold one's cache
            results[name].append(_timed_process(command))
        shutil.rmtree(cache, ignore_errors=True)
        results["one core"].append(_timed_process(build, one_core=True))
    return results


def _edited_builds(edition_dir: Path, build: list[str], runs: int) -> list[Run]:
    """Fresh processes that each build after a text edit of the first chapter: the charts
    come from the cache, the pages are laid out again."""
    chapter = sorted(edition_dir.glob("[0-9][0-9]-*.yaml"))[0]
    original = chapter.read_text(encoding="utf-8")
    measured = []
    for run in range(runs):
        chapter.write_text(_edited(original, f"Bewerking {run}."), encoding="utf-8")
        measured.append(_timed_process(build))
    chapter.write_text(original, encoding="utf-8")
    return measured


def _edited(chapter: str, sentence: str) -> str:
    """The chapter's first paragraph with `sentence` before it."""
    return chapter.replace("paragraph: >-\n", f"paragraph: >-\n          {sentence}\n", 1)


def _median(runs: list[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def _peak(runs: list[Run]) -> float:
    return max(run.megabytes for run in runs)


def _chart_times(cold_runs: list[Run]) -> tuple[float, list[tuple[str, float]]]:
    """From the cold builds' logs: loading matplotlib, and drawing each chart (medians)."""
    loads = [float(m) for run in cold_runs for m in _LOADED.findall(run.log)]
    drawn: dict[str, list[float]] = {}
    for run in cold_runs:
        for title, seconds in _DREW.findall(run.log):
            drawn.setdefault(title, []).append(float(seconds))
    charts = [(title, statistics.median(times)) for title, times in drawn.items()]
    return (statistics.median(loads) if loads else 0.0), charts


_LOADED = re.compile(r"loaded matplotlib in ([0-9.]+) s")
_DREW = re.compile(r"drew chart '(.*)' in ([0-9.]+) s")


@dataclass(frozen=True)
class WatchRebuild:
    seconds: float  # from the edit's build to the PDF in place, as `rapport watch` reports it
    check: float  # the PDF/A check after it, beside the watcher
    pages: int


def _watch_rebuild(edition_dir: Path, output: Path, runs: int) -> WatchRebuild:
    """Median time of a rebuild after a text-only edit, with the libraries loaded, as
    `rapport watch` makes it; the time of its PDF/A check after it; and the page count."""
    from rapport.cli import collect_garbage_less_often
    from rapport.cli.watch import Rebuilder

    collect_garbage_less_often()  # as in the `rapport watch` process
    reported: list[str] = []
    rebuilder = Rebuilder(edition_dir, output, report=reported.append)
    rebuilder.build()
    rebuilder.finish()
    chapter = sorted(edition_dir.glob("[0-9][0-9]-*.yaml"))[0]
    original = chapter.read_text(encoding="utf-8")
    samples, checks = [], []
    for run in range(runs):
        chapter.write_text(_edited(original, f"Versie {run}."), encoding="utf-8")
        started = time.perf_counter()
        if not rebuilder.build():
            raise SystemExit("\n".join(reported))
        written = time.perf_counter()
        rebuilder.finish()  # the next edit comes later: its build does not share the machine
        samples.append(written - started)
        checks.append(time.perf_counter() - written)
    chapter.write_text(original, encoding="utf-8")
    pages = int(re.findall(r"\((\d+) pages?\)", reported[-1])[0])
    return WatchRebuild(statistics.median(samples), statistics.median(checks), pages)


def _many_images(edition_dir: Path, folder: Path, runs: int) -> Run:
    """Build a generated chapter that shows a 38-megapixel JPEG and a 12-megapixel PNG 100 times."""
    from PIL import Image

    root = edition_dir.resolve().parent.parent
    for part in ("fonts", THEME_FILE.parent.as_posix(), "images/icons"):
        if (root / part).is_dir():
            shutil.copytree(root / part, folder / part)
    edition = folder / "content" / "2023"
    edition.mkdir(parents=True)
    (edition / "edition.yaml").write_text(
        "title: Beelden\nyear: 2023\norganisation: Bench\npublished: 2024-03-20\n",
        encoding="utf-8",
    )
    uses = [("foto.jpg", i) for i in range(JPEG_USES)] + [("plan.png", i) for i in range(PNG_USES)]
    blocks = "".join(
        f"      - image:\n          file: images/{name}\n          alt: Beeld {index}\n"
        f"          width: {40 + index % 61}%\n"
        for name, index in uses
    )
    (edition / "01-beelden.yaml").write_text(
        f"title: Beelden\nsections:\n  - title: Veel beelden\n    blocks:\n{blocks}",
        encoding="utf-8",
    )
    gradient = Image.linear_gradient("L")
    gradient.resize(JPEG_SIZE).convert("RGB").save(folder / "images" / "foto.jpg", quality=70)
    gradient.resize(PNG_SIZE).convert("RGBA").save(folder / "images" / "plan.png")
    output = folder / "beelden.pdf"
    build = [sys.executable, "-m", "rapport", "build", str(edition), "-o", str(output)]
    measured = [_timed_process(build) for _ in range(runs)]
    return Run(_median(measured), _peak(measured), "")


def _against(revision: str, edition: Path, runs: int) -> int:
    """This tree's builds beside those of an earlier `revision` (its code and its own
    project files, from git), in turn on the same machine: cold builds, and builds after
    a text edit (charts cached, pages laid out, as every build was before builds reused
    a PDF). A figure measured on another machine, or at another time, compares only so."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True
        ).stdout.strip()
        archive = subprocess.run(
            ["git", "-C", top, "archive", revision], capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"bench: failed to read revision {revision} from git ({exc})") from None
    with tempfile.TemporaryDirectory(prefix="rapport-against-") as folder:
        then = Path(folder) / "then"
        then.mkdir()
        subprocess.run(["tar", "-x", "-C", str(then)], input=archive, check=True)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(then / "src")], check=True)
        editions = {
            revision: (then / edition, {"PYTHONPATH": str(then / "src")}),
            "now": (_copy_project(edition, Path(folder) / "now"), {}),
        }
        times: dict[str, list[float]] = {}
        for _ in range(runs):
            for name, (edition_dir, env) in editions.items():
                build = [sys.executable, "-m", "rapport", "build", str(edition_dir), "-o", "x.pdf"]
                shutil.rmtree(edition_dir.parent.parent / CACHE_DIR, ignore_errors=True)
                times.setdefault(f"{name} cold", []).append(_in(edition_dir, build, env))
                chapter = sorted(edition_dir.glob("[0-9][0-9]-*.yaml"))[0]
                original = chapter.read_text(encoding="utf-8")
                chapter.write_text(_edited(original, f"Bewerking {time.time_ns()}."), "utf-8")
                times.setdefault(f"{name} edit", []).append(_in(edition_dir, build, env))
                chapter.write_text(original, encoding="utf-8")
    print(
        f"rapport bench: this tree beside {revision}, each its own {edition}, {runs} runs in turn"
    )
    for case, label in (("cold", "cold build (empty .cache)"), ("edit", "build after a text edit")):
        old, new = times[f"{revision} {case}"], times[f"now {case}"]
        print(
            f"  {label:27} {revision}: {statistics.median(old):6.3f} s (fastest {min(old):.3f})"
            f"   now: {statistics.median(new):6.3f} s (fastest {min(new):.3f})"
            f"   now/then {statistics.median(new) / statistics.median(old):.2f}"
        )
    return 0


def _in(edition_dir: Path, build: list[str], env: dict[str, str]) -> float:
    """One build in a fresh process, in its project's folder, with `env` added."""
    environment = {**os.environ, **env}
    started = time.perf_counter()
    done = subprocess.run(
        build, cwd=edition_dir.parent.parent, env=environment, capture_output=True
    )
    if done.returncode != 0:
        raise SystemExit(
            f"bench: {' '.join(build)} failed:\n{done.stderr.decode(errors='replace')}"
        )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rapport.cli.bench", description=__doc__)
    parser.add_argument("edition", type=Path, nargs="?", default=Path("content/2023"))
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument(
        "--against",
        metavar="REVISION",
        help="time this tree's builds beside an earlier git revision's, in turn",
    )
    args = parser.parse_args(argv)
    if args.against:
        return _against(args.against, args.edition, args.runs)
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as folder:
        edition = _copy_project(args.edition, Path(folder))
        output = Path(folder) / "bench.pdf"
        cache = Path(folder) / CACHE_DIR
        build = [sys.executable, "-m", "rapport", "-v", "build", str(edition), "-o", str(output)]
        measured = _interleaved(args.runs, cache, build)
        edited = _edited_builds(edition, build, args.runs)
        web = [sys.executable, "-m", "rapport", "build", str(edition), "--to", "html"]
        # one build first draws what only the web edition uses (the charts at a phone's
        # width, the font subsets); then every run is warm, as a second `make` is
        _timed_process([*web, "-o", str(output)])
        web_runs = [_timed_process([*web, "-o", str(output)]) for _ in range(args.runs)]
        web_size = output.with_suffix(".html").stat().st_size
        rebuild = _watch_rebuild(edition, output, args.runs)
        pages = rebuild.pages
        images = _many_images(args.edition, Path(folder) / "images-case", min(args.runs, 3))
    cold, warm = measured["cold"], measured["warm"]
    loading, charts = _chart_times(cold)
    print(
        f"rapport bench: {args.edition} ({pages} pages, {len(charts)} charts), median of {args.runs} runs"
    )
    print(f"  cold build (empty .cache)        {_median(cold):6.3f} s   peak {_peak(cold):5.0f} MB")
    alone = measured["one core"]
    print(
        f"    the same on one core           {_median(alone):6.3f} s   peak {_peak(alone):5.0f} MB"
        "   (no helper process: charts and PDF/A check in turn)"
    )
    print(f"  warm build, nothing changed      {_median(warm):6.3f} s   peak {_peak(warm):5.0f} MB")
    print(
        f"  warm build after a text edit     {_median(edited):6.3f} s"
        f"   peak {_peak(edited):5.0f} MB   (charts cached, pages laid out)"
    )
    print(
        f"  web edition, warm (HTML only)    {_median(web_runs):6.3f} s"
        f"   peak {_peak(web_runs):5.0f} MB   {web_size / 1000:.0f} kB"
    )
    print(
        f"  watch: rebuild after a text edit {rebuild.seconds:6.3f} s"
        f"   then its PDF/A check beside it {rebuild.check:6.3f} s"
    )
    print(
        f"  many images ({JPEG_USES} uses of a 38 MP JPEG, {PNG_USES} of a 12 MP PNG)"
        f" {images.seconds:6.3f} s   peak {images.megabytes:5.0f} MB"
    )
    print(f"  in the cold builds: loading matplotlib {loading:6.3f} s, then the charts:")
    for title, seconds in charts:
        print(f"    {seconds:6.3f} s  {title}")
    print(f"    {sum(t for _, t in charts):6.3f} s  in all")
    print(
        f"  machine yardstick: a fresh Python importing matplotlib {_median(measured['reference']):6.3f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
