"""A helper process: a build's side work on the machine's second core.

A cold build spends most of its time on three things that need each other
only at the end: loading matplotlib and drawing the charts; laying the pages
out; loading the PDF/A validator and checking the finished file. The pages
are decided with blank art of each chart's size (`prepare_charts` without
drawing); the art is needed only to draw them for good, and the validator
only once the file is finished. So on a machine with a second core the
build forks a helper as it starts. While the build loads and checks the
content, the helper loads matplotlib (its `warm_ups`); then it draws the
charts the cache lacks into the cache, loads the validator, and checks the
finished PDF, each on request (its `tasks`), while the build lays out.

The helper is only a head start. The build reads the charts from the cache
as always and draws itself whatever the helper did not leave there, and
checks the PDF itself when the helper gives no answer (it failed, or was
killed): the PDF is the same either way. Only the command line asks for a
helper; a process with threads (`rapport watch`, a test runner's) never
forks, as a thread could hold a lock that the child would inherit held.

Requests and answers are pickled values on two pipes between the two
processes of rapport itself. The helper ends when the build ends it.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

log = logging.getLogger(__name__)

_LENGTH = struct.Struct(">Q")
_END_SECONDS = 2.0  # for a helper to end once asked


class HelperFailed(Exception):
    """The helper gave no answer: the build does the task itself."""


@dataclass(frozen=True)
class Errands:
    """What a helper does: `tasks` on request, by name; `warm_ups`, in turn, while no
    request waits (e.g. loading a library that a task will need)."""

    tasks: Mapping[str, Callable[..., object]]
    warm_ups: Sequence[Callable[[], object]] = field(default_factory=tuple)


class Helper:
    """The build's side of a forked helper: it answers requests in the order made."""

    def __init__(self, pid: int, requests: int, answers: int) -> None:
        self.pid = pid
        self.requests, self.answers = requests, answers
        self.unanswered = 0  # requests sent whose answers are not read yet
        self.broken = False
        self.ended = False

    def request(self, task: str, *args: object) -> None:
        """Ask for `task(*args)`; its answer is the next `answer()` but one per request
        made before it."""
        if self.broken:
            return
        try:
            _send(self.requests, (task, args))
        except (OSError, pickle.PicklingError) as exc:
            log.debug("the helper took no request (%s)", exc)
            self.broken = True
            return
        self.unanswered += 1

    def answer(self) -> Any:
        """The answer to the oldest unanswered request; HelperFailed when there is none."""
        if self.broken or not self.unanswered:
            raise HelperFailed("the helper has no answer to give")
        self.unanswered -= 1
        try:
            status, value = _receive(self.answers)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError) as exc:
            self.broken = True
            raise HelperFailed(f"the helper ended ({exc})") from None
        if status != "done":
            raise HelperFailed(str(value))
        return value

    def end(self) -> None:
        """End the helper, whatever it is doing: its work for this build is over."""
        if self.ended:
            return
        self.ended = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        with contextlib.suppress(ChildProcessError):
            if not self._ended_within(_END_SECONDS):  # stuck in a call that ignores SIGTERM
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        for end in (self.requests, self.answers):
            with contextlib.suppress(OSError):
                os.close(end)

    def _ended_within(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        return True


def can_fork() -> bool:
    """Whether a helper may be forked here: a second core, and no other thread."""
    return hasattr(os, "fork") and cores() > 1 and other_threads() == 0


def other_threads() -> int:
    """The threads of this process besides this one, those of libraries too (numpy's
    OpenBLAS starts one): a lock one of them holds at the fork stays held in the child."""
    try:
        return len(os.listdir("/proc/self/task")) - 1
    except OSError:  # pragma: no cover - not Linux: Python's own threads at least
        return threading.active_count() - 1


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - not Linux


@contextlib.contextmanager
def helping(errands: Errands) -> Iterator[Helper | None]:
    """A helper doing `errands` during the body (None: none could be forked)."""
    helper = _fork(errands) if can_fork() else None
    try:
        yield helper
    finally:
        if helper is not None:
            helper.end()


def _fork(errands: Errands) -> Helper | None:
    try:
        to_helper, from_build = os.pipe()
        to_build, from_helper = os.pipe()
        pid = os.fork()
    except OSError as exc:  # no process or pipe to spare: the build does it all itself
        log.debug("no helper process (%s)", exc.strerror or exc)
        return None
    if pid:
        os.close(to_helper)
        os.close(from_helper)
        return Helper(pid, from_build, to_build)
    os.close(from_build)
    os.close(to_build)
    _be_the_helper(errands, to_helper, from_helper)


def _be_the_helper(errands: Errands, requests: int, answers: int) -> NoReturn:
    """The forked child: do the errands until ended, never returning into the build's code."""
    gc.freeze()  # the collector leaves the build's objects alone: their pages stay shared
    code = 0
    try:
        signal.signal(signal.SIGTERM, _end_now)  # ended cleanly: no half-written cache file
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the build ends it
        warm_ups = list(errands.warm_ups)
        while True:
            while warm_ups and not select.select([requests], [], [], 0)[0]:
                _quietly(warm_ups.pop(0))
            task, args = _receive(requests)
            try:
                _send(answers, ("done", errands.tasks[task](*args)))
            except Exception as exc:  # the build does the task itself, and reports what fails
                log.debug("the helper failed to %s (%s: %s)", task, type(exc).__name__, exc)
                _send(answers, ("failed", f"{type(exc).__name__}: {exc}"))
    except (EOFError, SystemExit):  # the build has ended
        pass
    except BaseException:  # nothing it could do: the build does without it
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            sys.stderr.flush()  # what it logged; nothing of the build's is flushed twice
        os._exit(code)


def _end_now(signum: int, frame: object) -> NoReturn:
    raise SystemExit(0)


def _quietly(warm_up: Callable[[], object]) -> None:
    try:
        warm_up()
    except Exception as exc:  # a task that needs it fails, and the build does it
        log.debug("the helper failed to warm up (%s: %s)", type(exc).__name__, exc)


def _send(end: int, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    message = memoryview(_LENGTH.pack(len(data)) + data)
    while message:
        message = message[os.write(end, message) :]


def _receive(end: int) -> Any:
    (length,) = _LENGTH.unpack(_read_exactly(end, _LENGTH.size))
    return pickle.loads(_read_exactly(end, length))  # only ever from rapport's other process


def _read_exactly(end: int, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = os.read(end, min(left, 1 << 20))
        if not part:
            raise EOFError("the other process has ended")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
