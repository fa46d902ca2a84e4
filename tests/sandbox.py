"""An audit hook that catches content making rapport reach outside its project.

`sys.addaudithook` sees every file open, directory listing, network call,
subprocess and code compilation in the process. A hook cannot be removed, so
it is installed once and does nothing until `guarded(project)` turns it on
around one run of the pipeline. While on, it records (and blocks) every:

- file open or directory listing outside the allowed roots below; opens for
  writing only inside the project (its build/ and .cache/ folders included);
- change to the file system (remove, rename, mkdir, chmod, …) outside the project;
- network event (`socket.*`, `urllib.*`, `http.client.*`, …);
- new process (`subprocess.Popen`, `os.system`, `os.exec*`, `os.posix_spawn`, …)
  and native library load (`ctypes.dlopen`);
- compilation of source text (`compile`, `eval`, `exec` of a string) except the
  few places below where a library compiles text that never comes from content.

Allowed for reading, and why:

- the project folder itself (the test's tmp project);
- the Python installation and the virtual environment (`sys.prefix`,
  `sys.base_prefix`): modules imported on first use, babel's locale data,
  pyphen's dictionaries, matplotlib's own fonts in mpl-data;
- rapport's package folder: its data files (the sRGB ICC profile);
- matplotlib's cache and config folders and exactly the font files in
  matplotlib's font list: matplotlib chooses a font file from that list by
  family name (the system's Lato in /usr/share/fonts when installed), reads
  it to measure text, and keeps its list in ~/.cache/matplotlib;
- /dev/null, /dev/urandom and /dev/random (tempfile names, hash seeds).

Allowed compilations, each checked against the exact text compiled:

- reportlab's colour parser (`toColor`, `rl_extended_literal_eval`) on a
  `#RRGGBB` theme colour in paragraph markup (the theme is validated; content
  never reaches markup attributes, as it is escaped);
- dataclasses, namedtuple and typing building classes from field names in
  code, when a module is imported on first use;
- the traceback module parsing a line of source code it prints (Python 3.11
  underlines the failing expression), while linecache reads that source file.

Unpickling is allowed only for babel classes (babel's locale data files are
pickles in site-packages); rapport's own caches are JSON.

Anything else is a violation, listed with the event and its arguments; the
test that ran the pipeline asserts the list is empty.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import rapport
import rapport.helper

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_DEVICES = {"/dev/null", "/dev/urandom", "/dev/random"}
_FORBIDDEN_PREFIXES = (
    "socket.",
    "urllib.",
    "http.client.",
    "ftplib.",
    "smtplib.",
    "poplib.",
    "imaplib.",
    "nntplib.",
    "telnetlib.",
    "webbrowser.",
    "subprocess.",
    "os.exec",
    "os.spawn",
    "os.posix_spawn",
    "os.fork",
    "pty.",
    "ctypes.dlopen",
)
_FORBIDDEN_EVENTS = {"os.system", "os.startfile", "os.forkpty", "os.kill", "os.killpg"}
_WRITE_EVENTS = {
    # event name -> indexes of the path arguments
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.truncate": (0,),
    "os.utime": (0,),
    "os.rename": (0, 1),
    "os.link": (0, 1),
    "os.symlink": (1,),
    "shutil.rmtree": (0,),
    "shutil.move": (0, 1),
    "shutil.copyfile": (1,),
    "tempfile.mkstemp": (0,),
    "tempfile.mkdtemp": (0,),
}
_LIST_EVENTS = {"os.listdir", "os.scandir"}
# (file the compiling frame is in, its function) -> pattern the compiled text must match
_COMPILE_SITES: list[tuple[str, str, re.Pattern[str]]] = [
    ("reportlab/lib/colors.py", "__call__", re.compile(r"#[0-9A-Fa-f]{6}")),
    ("reportlab/lib/rl_safe_eval.py", "", re.compile(r"#[0-9A-Fa-f]{6}")),
    ("dataclasses.py", "_create_fn", re.compile(r".*", re.DOTALL)),
    ("collections/__init__.py", "namedtuple", re.compile(r".*", re.DOTALL)),
    ("typing.py", "", re.compile(r".*", re.DOTALL)),
    # Python 3.11 parses a source line to underline the failing part of a traceback.
    ("traceback.py", "_extract_caret_anchors_from_line_segment", re.compile(r".*", re.DOTALL)),
]


class _State(threading.local):
    busy = False


class _Guard:
    def __init__(self) -> None:
        self.active = False
        self.read_roots: tuple[str, ...] = ()
        self.read_files: frozenset[str] = frozenset()
        self.write_roots: tuple[str, ...] = ()
        self.list_roots: tuple[str, ...] = ()
        self.violations: list[str] = []
        self.local = _State()


_GUARD = _Guard()
_installed = False


def _install() -> None:
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


def _real(path: Any) -> str | None:
    if isinstance(path, int):
        return None  # an already open descriptor
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    try:
        text = os.fspath(path)
    except TypeError:
        return None
    return os.path.realpath(os.path.join(os.getcwd(), text))


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root + os.sep) for root in roots)


def _violation(text: str) -> None:
    _GUARD.violations.append(text)


def _hook(event: str, args: tuple[Any, ...]) -> None:
    guard = _GUARD
    if not guard.active or guard.local.busy:
        return
    guard.local.busy = True
    try:
        _check(guard, event, args)
    finally:
        guard.local.busy = False


class Escape(BaseException):
    """Raised in place of a forbidden action; a BaseException, so that no
    `except Exception` in the code under test can swallow it."""


def _check(guard: _Guard, event: str, args: tuple[Any, ...]) -> None:
    if event == "open":
        path = _real(args[0])
        if path is None:
            return
        mode, flags = args[1] if len(args) > 1 else None, args[2] if len(args) > 2 else 0
        writing = bool(mode and any(c in str(mode) for c in "wax+")) or bool(
            (flags or 0) & _WRITE_FLAGS
        )
        if writing and not _inside(path, guard.write_roots):
            _violation(f"open for writing outside the project: {path}")
            raise PermissionError(f"sandbox: writing {path} is not allowed")
        if not writing and not (
            _inside(path, guard.read_roots)
            or path in guard.read_files
            or path in _DEVICES
            or _called_from("/linecache.py")  # source lines for a traceback being printed
        ):
            _violation(f"open outside the project: {path}")
            raise PermissionError(f"sandbox: reading {path} is not allowed")
    elif event in _LIST_EVENTS:
        path = _real(args[0] if args and args[0] is not None else ".")
        if path is not None and not _inside(path, guard.read_roots + guard.list_roots):
            _violation(f"{event} outside the project: {path}")
            raise PermissionError(f"sandbox: listing {path} is not allowed")
    elif event in _WRITE_EVENTS:
        for index in _WRITE_EVENTS[event]:
            if index < len(args) and args[index] is not None:
                path = _real(args[index])
                if path is not None and not _inside(path, guard.write_roots):
                    _violation(f"{event} outside the project: {path}")
                    raise PermissionError(f"sandbox: {event} on {path} is not allowed")
    elif event in _FORBIDDEN_EVENTS or event.startswith(_FORBIDDEN_PREFIXES):
        _violation(f"{event} {_short(args)}")
        raise Escape(f"sandbox: {event} is not allowed")
    elif event == "compile":
        source, filename = args[0], args[1] if len(args) > 1 else None
        origin = _real(filename) if isinstance(filename, (str, bytes)) else None
        if origin is not None and os.path.isfile(origin) and _inside(origin, guard.read_roots):
            return  # a module's own source file, compiled on import (its .pyc was stale)
        if isinstance(source, bytes):
            source = source.decode("utf-8", "replace")
        if isinstance(source, str) and not _compile_allowed(source):
            _violation(f"compile of {source[:120]!r} at {_caller()}")
            raise Escape("sandbox: compiling text is not allowed here")
    elif event == "exec":
        code = args[0]
        filename = getattr(code, "co_filename", "")
        if filename.startswith("<") and not _compile_allowed(None):
            _violation(f"exec of code from {filename} at {_caller()}")
            raise Escape("sandbox: executing generated code is not allowed here")
        if not filename.startswith("<"):
            real = os.path.realpath(filename)
            if not _inside(real, guard.read_roots):
                _violation(f"exec of code from {real}")
                raise Escape("sandbox: executing code from outside is not allowed")
    elif event == "pickle.find_class":
        module = str(args[0])
        if not module.startswith("babel."):
            _violation(f"unpickling {module}.{args[1]}")
            raise Escape("sandbox: unpickling this class is not allowed")


def _short(args: tuple[Any, ...]) -> str:
    return repr(args)[:160]


def _frames() -> Iterator[tuple[str, str]]:
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename.replace(os.sep, "/")
        if not filename.endswith(("/ast.py", "/sandbox.py")):
            yield filename, frame.f_code.co_name
        frame = frame.f_back  # type: ignore[assignment]


def _called_from(module_file: str) -> bool:
    return any(filename.endswith(module_file) for filename, _ in _frames())


def _caller() -> str:
    return " < ".join(f"{f}:{n}" for f, n in list(_frames())[:3])


def _compile_allowed(source: str | None) -> bool:
    """Whether the nearest frames belong to a known site that compiles this kind of text."""
    for depth, (filename, function) in enumerate(_frames()):
        if depth >= 4:
            break
        if depth == 0 and function == "<module>" and _inside(filename, _GUARD.read_roots):
            return True  # a library module's own top-level code, run once on import
        for site, name, pattern in _COMPILE_SITES:
            if filename.endswith("/" + site) and (not name or function == name):
                return source is None or pattern.fullmatch(source) is not None
    return False


def _library_roots() -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...]]:
    """Folders and files the libraries read on their own (see the module docstring)."""
    roots = {
        os.path.realpath(p)
        for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)
    }
    roots.add(os.path.realpath(Path(rapport.__file__).parent))
    files: set[str] = set()
    try:
        import matplotlib
        from matplotlib import font_manager

        roots.add(os.path.realpath(matplotlib.get_cachedir()))
        roots.add(os.path.realpath(matplotlib.get_configdir()))
        files |= {os.path.realpath(font.fname) for font in font_manager.fontManager.ttflist}
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        pass
    listable = tuple(os.path.realpath(p) for p in sys.path if p)
    return tuple(sorted(roots)), frozenset(files), listable


@contextmanager
def guarded(project: Path, *extra_write_roots: Path) -> Iterator[list[str]]:
    """Run the body with the hook on; yields the list that collects violations.

    `project` is readable and writable; `extra_write_roots` (e.g. an output
    folder elsewhere in tmp) are too. rapport forks no helper process meanwhile
    (rapport.helper: as on a machine with one core), so that everything it does
    for the content happens in this process, under the hook.
    """
    warm_up()
    _install()
    read_roots, files, listable = _library_roots()
    own = tuple(os.path.realpath(p) for p in (project, *extra_write_roots))
    _GUARD.read_roots = read_roots + own
    _GUARD.read_files = files
    _GUARD.write_roots = own
    _GUARD.list_roots = listable
    _GUARD.violations = []
    _GUARD.active = True
    cores = rapport.helper.cores
    rapport.helper.cores = lambda: 1  # type: ignore[assignment]
    try:
        yield _GUARD.violations
    finally:
        _GUARD.active = False
        rapport.helper.cores = cores  # type: ignore[assignment]


WARM_UP_CHAPTER = """\
title: Alles
icon: "💡"
intro: Een *inleiding* met een [link](https://example.org).
sections:
  - title: Blokken
    blocks:
      - paragraph: Een **alinea** die lang genoeg is om af te breken, bibliotheeksysteem.
      - bullets: [een, {term: twee, text: drie}]
      - figures: [{value: 1852354, label: a}, {value: 6.5, unit: "%", label: b}]
      - ranking: {title: Top, items: [{title: a, creator: b, note: c}]}
      - table: {caption: t, columns: [a, b], rows: [[c, d]]}
      - chart: {kind: bar, title: t, categories: [a, b], series: [{name: s, values: [1, 2]}]}
      - chart: {kind: donut, title: d, categories: [a, b], series: [{name: s, values: [1, 2]}]}
      - image: {file: images/foto.png, alt: a, caption: c}
      - callout: {title: t, text: c}
      - quote: {text: q, source: s}
"""
_warmed: list[bool] = []


def warm_up() -> None:
    """Build a project with every kind of block once, unguarded, in this process.

    The modules the pipeline imports on first use are then loaded, so that a
    guarded run sees what content causes, not what a first import does.
    """
    if _warmed:
        return
    import logging
    import tempfile

    from PIL import Image

    from helpers import make_project
    from rapport.diagnostics import RapportError
    from rapport.pipeline import build

    logger = logging.getLogger("rapport")
    level = logger.level
    logger.setLevel(logging.WARNING)
    previous = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="rapport-warm-up-") as folder:
        root = Path(folder)
        make_project(root, WARM_UP_CHAPTER)
        Image.new("RGB", (40, 30), "teal").save(root / "images" / "foto.png")
        os.chdir(root)
        try:
            build(Path("content") / "2023", Path("build") / "warm-up.pdf")
        except RapportError:  # pragma: no cover - the chapter is valid
            pass
        finally:
            os.chdir(previous)
            logger.setLevel(level)
    _warmed.append(True)


def self_test(tmp: Path) -> list[str]:
    """Provoke one event of each kind under the guard; the violations it recorded.

    Proves the hook would see an escape: a test asserts this list is complete.
    """
    import socket
    import subprocess

    outside = Path("/etc/hostname") if Path("/etc/hostname").exists() else Path("/etc/passwd")
    attempts: list[Any] = [
        lambda: outside.read_bytes(),
        lambda: (tmp.parent / "elsewhere.txt").write_text("x", encoding="utf-8"),
        lambda: os.listdir("/etc"),
        lambda: socket.getaddrinfo("example.org", 443),
        lambda: socket.create_connection(("127.0.0.1", 9), timeout=0.1),
        lambda: subprocess.run(["true"], check=False),
        lambda: os.system("true"),
        lambda: eval("1 + 1"),
        lambda: exec("x = 1"),
    ]
    with guarded(tmp) as violations:
        for attempt in attempts:
            with suppress(Escape, OSError):
                attempt()
    return list(violations)
