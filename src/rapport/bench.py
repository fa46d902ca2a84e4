"""`make bench`: how fast an edition builds, measured in fresh processes.

Prints, for one edition: a cold build (empty cache), a warm rebuild (cached
charts), the time to draw each chart, the peak memory of a build, and a
text-only rebuild inside `rapport watch`; and, as a yardstick for how fast
the machine is at the moment, the time a fresh Python takes to import
matplotlib (a third of a cold build). Each figure is the median of
several runs; the project is copied to a temporary folder so that the real
cache and build folders stay untouched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .paths import CACHE_DIR, THEME_FILE

RUNS = 7


def _copy_project(edition_dir: Path, into: Path) -> Path:
    root = edition_dir.resolve().parent.parent
    for folder in ("images", "fonts", THEME_FILE.parent.as_posix()):
        if (root / folder).is_dir():
            shutil.copytree(root / folder, into / folder)
    shutil.copytree(
        edition_dir.resolve().parent, into / "content"
    )  # earlier editions hold facts too
    return into / "content" / edition_dir.name


def _timed_process(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident megabytes of one fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed (status {status})")
    return seconds, usage.ru_maxrss / 1024


def _interleaved(runs: int, cache: Path, build: list[str]) -> dict[str, tuple[float, float]]:
    """Median seconds and peak megabytes of cold builds, warm builds and the yardstick.

    The three are run in turn, so that a machine that slows down or speeds up
    during the benchmark affects each of them alike.
    """
    commands = {
        "cold": build,
        "warm": build,
        "reference": [sys.executable, "-c", "import matplotlib.figure"],
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        for name, command in commands.items():  # the warm build runs on the cold one's cache
            results[name].append(_timed_process(command))
    return {
        name: (statistics.median(r[0] for r in runs_), max(r[1] for r in runs_))
        for name, runs_ in results.items()
    }


def _chart_times(edition_dir: Path) -> list[tuple[str, float]]:
    from .charts import charts_of
    from .charts.draw import render_art
    from .charts.spec import chart_spec
    from .layout.document import frame_width
    from .pipeline import load_and_check

    checked = load_and_check(edition_dir)
    width = frame_width(checked.theme)
    times = []
    for chart in charts_of(checked.edition):
        spec = chart_spec(chart, checked.edition.language)
        render_art(spec, checked.theme, width)  # the first drawing pays for font set-up
        samples = []
        for _ in range(3):
            started = time.perf_counter()
            render_art(spec, checked.theme, width)
            samples.append(time.perf_counter() - started)
        times.append((chart.title, statistics.median(samples)))
    return times


def _watch_rebuild(edition_dir: Path, output: Path, runs: int) -> tuple[float, int]:
    """Median time of a rebuild after a text-only edit, with the libraries loaded; and the page count."""
    from .pipeline import build

    pages = build(edition_dir, output).pages
    chapter = sorted(edition_dir.glob("[0-9][0-9]-*.yaml"))[0]
    original = chapter.read_text(encoding="utf-8")
    samples = []
    for run in range(runs):
        chapter.write_text(
            original.replace("paragraph: >-\n", f"paragraph: >-\n          Versie {run}.\n", 1),
            encoding="utf-8",
        )
        samples.append(build(edition_dir, output).seconds)
    chapter.write_text(original, encoding="utf-8")
    return statistics.median(samples), pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rapport.bench", description=__doc__)
    parser.add_argument("edition", type=Path, nargs="?", default=Path("content/2023"))
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as folder:
        edition = _copy_project(args.edition, Path(folder))
        output = Path(folder) / "bench.pdf"
        cache = Path(folder) / CACHE_DIR
        build = [sys.executable, "-m", "rapport", "-q", "build", str(edition), "-o", str(output)]
        measured = _interleaved(args.runs, cache, build)
        (cold, cold_memory), (warm, warm_memory) = measured["cold"], measured["warm"]
        reference = measured["reference"][0]
        charts = _chart_times(edition)
        rebuild, pages = _watch_rebuild(edition, output, args.runs)
    print(
        f"rapport bench: {args.edition} ({pages} pages, {len(charts)} charts), median of {args.runs} runs"
    )
    print(f"  cold build (empty .cache)        {cold:6.3f} s   peak {cold_memory:5.0f} MB")
    print(f"  warm build (cached charts)       {warm:6.3f} s   peak {warm_memory:5.0f} MB")
    print(f"  watch: rebuild after a text edit {rebuild:6.3f} s")
    print(f"  charts, drawn one by one         {sum(t for _, t in charts):6.3f} s in all")
    for title, seconds in charts:
        print(f"    {seconds:6.3f} s  {title}")
    print(f"  machine reference: a fresh Python importing matplotlib {reference:6.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
