"""`rapport watch --serve` / `rapport preview`: the served page, its reload, its errors, its limits.

The fast tests run the server in this process on a free port with a page set by
hand; the e2e tests start `rapport preview` in a process of its own on a small
project (helpers.make_project), edit and break its chapter, and read what the
server answers with http.client, as a browser would ask.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import CHAPTER_YAML, make_project
from rapport.cli import main, port_argument
from rapport.cli.preview import (
    RELOAD_SCRIPT,
    Preview,
    PreviewServer,
    allowed_hosts,
    preview_policy,
    problems_page,
    source_hash,
    start_server,
    with_reload,
)
from rapport.content import sources
from rapport.diagnostics import ContentError, Diagnostic, ExitCode, Location, UsageError

BUILT_PAGE = (
    '<!DOCTYPE html><html lang="nl-BE"><head><meta charset="utf-8">'
    '<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;'
    " script-src 'none'; style-src 'sha256-abc'; img-src data:\">"
    "<title>T</title></head><body><p>Inhoud</p></body></html>"
)
HOSTILE_PATHS = (
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "//etc/passwd",
    "/etc/passwd",
    "/index.html/../../etc/passwd",
    "http://127.0.0.1/etc/passwd",
    "/build/voortgangsrapport-2023.html",
    "/content/2023/01-test.yaml",
)


def policy_of(page: str) -> list[str]:
    return re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)


def directives(policy: str) -> dict[str, list[str]]:
    policy = policy.replace("&#x27;", "'").replace("&#39;", "'")
    return {p.split()[0]: p.split()[1:] for p in policy.split(";") if p.strip()}


# --- the page as served ----------------------------------------------------------------


def test_the_served_page_allows_exactly_its_reload_script() -> None:
    served = with_reload(BUILT_PAGE, 7)
    [policy] = policy_of(served)
    rules = directives(policy)
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", served, re.DOTALL)
    assert scripts == [RELOAD_SCRIPT]
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert rules["script-src"] == [f"'sha256-{digest}'"]
    assert rules["connect-src"] == ["'self'"]
    # what the built page allowed or forbade otherwise stays as built
    assert rules["default-src"] == ["'none'"]
    assert rules["style-src"] == ["'sha256-abc'"]
    assert rules["img-src"] == ["data:"]
    assert '<script data-build="7">' in served
    assert served.index("<script") > served.index("<p>Inhoud</p>")


def test_a_page_without_a_policy_gets_one_that_allows_only_the_script() -> None:
    served = with_reload("<html><head><title>T</title></head><body>x</body></html>", 1)
    [policy] = policy_of(served)
    rules = directives(policy)
    assert rules["default-src"] == ["'none'"]
    assert rules["script-src"] == [source_hash(RELOAD_SCRIPT)]
    assert rules["img-src"] == ["data:"]  # its empty icon


@pytest.mark.parametrize(
    "page",
    [
        with_reload(BUILT_PAGE, 1),
        with_reload("<html><head><title>T</title></head><body>x</body></html>", 1),
    ],
)
def test_a_served_page_has_an_icon_of_its_own_its_policy_allows(page: str) -> None:
    """Else the browser asks for /favicon.ico, and the page's policy refuses it in the console."""
    assert re.findall(r"<link rel=\"icon\" href=\"([^\"]*)\">", page) == ["data:,"]
    assert "data:" in directives(policy_of(page)[0])["img-src"]


_DIRECTIVE = st.sampled_from(["default-src", "img-src", "style-src", "font-src", "base-uri"])
_SOURCE = st.sampled_from(["'none'", "'self'", "data:", "'sha256-AAAA'", "https:"])


@given(st.dictionaries(_DIRECTIVE, st.lists(_SOURCE, min_size=1, max_size=3), max_size=5))
def test_the_preview_policy_keeps_every_other_directive(rules: dict[str, list[str]]) -> None:
    policy = "; ".join(" ".join([name, *values]) for name, values in rules.items())
    rewritten = directives(preview_policy(policy + "; script-src 'none'"))
    assert rewritten.pop("script-src") == [source_hash(RELOAD_SCRIPT)]
    assert rewritten.pop("connect-src") == ["'self'"]
    assert rewritten == rules


def test_the_problems_page_lists_place_message_and_hint_escaped(tmp_path: Path) -> None:
    chapter = tmp_path / "01-test.yaml"
    sources.remember(chapter, "title: <b>\n")  # as the loader keeps what it read
    problem = Diagnostic(
        Location(chapter, 1, 8), "unknown key '<script>alert(1)</script>'", "write 'title' & go"
    )
    page = problems_page(ContentError([problem]), tmp_path)
    assert f"{chapter}:1:8: error: unknown key &#x27;&lt;script&gt;alert(1)" in page
    assert "hint: write &#x27;title&#x27; &amp; go" in page
    assert "<script" not in page  # the reload script comes with with_reload only
    assert "title: &lt;b&gt;" in page  # the source line under the message
    rules = directives(policy_of(page)[0])
    assert rules["default-src"] == ["'none'"]


# --- the server, in this process -------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PreviewServer]:
    state = Preview(tmp_path)
    state.page = with_reload(BUILT_PAGE, 1)
    running = start_server(state, 0)
    yield running
    running.shutdown()
    running.server_close()


def ask(
    port: int, path: str, method: str = "GET", host: str | None = None
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"Host": host} if host is not None else {}
    connection.putrequest(method, path, skip_host=host is not None)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, dict(response.getheaders()), body


def test_the_page_is_served_at_the_root_and_index(server: PreviewServer) -> None:
    port = server.server_address[1]
    for path in ("/", "/index.html"):
        status, headers, body = ask(port, path)
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert "<p>Inhoud</p>" in body and RELOAD_SCRIPT in body
    status, headers, body = ask(port, "/", "HEAD")
    assert status == 200 and body == "" and int(headers["Content-Length"]) > 0


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_any_other_path_is_not_found(server: PreviewServer, path: str) -> None:
    port = server.server_address[1]
    status, _, body = ask(port, path, host=f"127.0.0.1:{port}")
    assert status == 404
    assert "root:" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head_are_answered(server: PreviewServer, method: str) -> None:
    status, headers, _ = ask(server.server_address[1], "/", method)
    assert status == 405
    assert headers["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8023", "127.0.0.2", ""])
def test_a_foreign_host_header_is_refused(server: PreviewServer, host: str) -> None:
    port = server.server_address[1]
    status, _, body = ask(port, "/", host=host or None) if host else ask_without_host(port)
    assert status == 421
    assert "Inhoud" not in body


def ask_without_host(port: int) -> tuple[int, dict[str, str], str]:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.0\r\n\r\n")
        answer = b"".join(iter(lambda: raw.recv(4096), b"")).decode()
    return int(answer.split()[1]), {}, answer


def test_localhost_is_this_server_too(server: PreviewServer) -> None:
    port = server.server_address[1]
    assert ask(port, "/", host=f"localhost:{port}")[0] == 200
    assert allowed_hosts(port) == {f"127.0.0.1:{port}", f"localhost:{port}"}


def test_the_server_listens_on_loopback_only(server: PreviewServer) -> None:
    assert server.server_address[0] == "127.0.0.1"
    assert listening_addresses(server.server_address[1]) == {"127.0.0.1"}


def listening_addresses(port: int) -> set[str]:
    """The local addresses listening on `port`, from /proc/net/tcp and tcp6."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(socket.inet_ntop(*_address_family(address)))
    return found


def _address_family(hex_address: str) -> tuple[int, bytes]:
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))  # host byte order
    return (socket.AF_INET if len(raw) == 4 else socket.AF_INET6), words


def test_a_port_in_use_is_a_usage_error_naming_the_option(server: PreviewServer) -> None:
    port = server.server_address[1]
    with pytest.raises(UsageError) as raised:
        start_server(Preview(Path(".")), port)
    assert str(raised.value) == (
        f"failed to serve the preview on 127.0.0.1:{port} (the port is already in use);"
        " choose another port with --port, e.g. --port 0 for any free one"
    )
    assert raised.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize("text", ["abc", "70000", "-1", "８０"])
def test_a_port_that_is_no_port_is_refused(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["watch", "--port", text])
    assert exited.value.code == ExitCode.USAGE
    assert f"'{text}' is not a port number (0 to 65535)" in capsys.readouterr().err
    assert port_argument("0") == 0 and port_argument("65535") == 65535


# --- rapport preview, end to end -------------------------------------------------------

NEW_CHAPTER = CHAPTER_YAML.replace("Een gewone alinea.", "Een nieuwe alinea na het bewaren.")
BROKEN_CHAPTER = "title: Hoofdstuk\nsections: [\n  - title: kapot\n"


class Running:
    """`rapport preview` in a process of its own, and its URL."""

    def __init__(self, root: Path, errors: IO[bytes], *args: str) -> None:
        environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        self.errors = errors  # a file, not a pipe: it never fills up
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rapport", *args],
            cwd=root,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))
        self.lines: list[str] = []  # what it prints after the URL, read as it comes
        self.reader = threading.Thread(target=self.lines.extend, args=(self.process.stdout,))
        self.reader.start()

    def page(self) -> str:
        status, _, body = ask(self.port, "/")
        assert status == 200
        return body

    def wait_for_line(self, text: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not any(text in line for line in self.lines):
            assert time.monotonic() < deadline, f"{text!r} not printed: {self.lines}"
            time.sleep(0.1)

    def stop(self) -> tuple[int, str]:
        """Ctrl+C; the exit status and what it wrote to stderr."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)
        self.reader.join(timeout=30)
        assert self.process.stdout is not None
        self.process.stdout.close()
        self.errors.seek(0)
        return self.process.returncode, self.errors.read().decode()


def wait_for_page(running: Running, text: str, seconds: float = 10) -> float:
    """Seconds until the served page holds `text`."""
    return wait_for_match(running, re.escape(text), seconds)


def wait_for_match(running: Running, pattern: str, seconds: float = 10) -> float:
    """Seconds until the served page matches the regular expression `pattern`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if re.search(pattern, running.page()):
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{pattern!r} not served after {seconds} s: {running.page()[:2000]}")


def next_event(stream: http.client.HTTPResponse) -> str:
    """The data of the next event on a Server-Sent Events stream (comments skipped)."""
    while True:
        line = stream.readline().decode()
        if line.startswith("data: "):
            return line[len("data: ") :].strip()


def save(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    later = time.time() + 5  # surely later than the build's snapshot
    os.utime(path, (later, later))


@pytest.mark.e2e
@pytest.mark.slow
def test_a_save_reloads_a_broken_save_shows_its_problems_and_a_fix_comes_back(
    tmp_path: Path,
) -> None:
    edition = make_project(tmp_path)
    with tempfile.TemporaryFile() as errors:
        code, err = preview_session(tmp_path, edition / "01-test.yaml", errors)
    assert code == 0, err
    assert "rapport: stopped watching" in err
    # one line a rebuild, not the stages of its two builds (web edition, then PDF)
    assert "] loading content/2023" not in err
    assert "] checking content" not in err


def preview_session(root: Path, chapter: Path, errors: IO[bytes]) -> tuple[int, str]:
    """Save, break and fix the chapter while `rapport preview` serves it; how it stopped."""
    running = Running(root, errors, "preview", "content/2023", "--port", "0")
    try:
        assert running.url.startswith("http://127.0.0.1:")
        wait_for_page(running, "Een gewone alinea.")
        page = running.page()
        assert RELOAD_SCRIPT in page
        assert directives(policy_of(page)[0])["script-src"] == [source_hash(RELOAD_SCRIPT)]
        on_disk = (root / "build" / "voortgangsrapport-2023.html").read_text("utf-8")
        assert "<script" not in on_disk and "Een gewone alinea." in on_disk
        pdf = root / "build" / "voortgangsrapport-2023.pdf"
        deadline = time.monotonic() + 30
        while not pdf.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)  # the PDF follows the web edition, which is shown first
        assert pdf.is_file()
        assert listening_addresses(running.port) == {"127.0.0.1"}

        events = http.client.HTTPConnection("127.0.0.1", running.port, timeout=10)
        events.request("GET", "/__events")
        stream = events.getresponse()
        assert stream.getheader("Content-Type") == "text/event-stream; charset=utf-8"
        shown = next_event(stream)
        saved = time.monotonic()
        save(chapter, NEW_CHAPTER)
        assert next_event(stream) != shown
        announced = time.monotonic() - saved
        assert announced < 3.0, f"the new build was announced {announced:.2f} s after the save"
        assert "Een nieuwe alinea na het bewaren." in running.page()
        events.close()

        save(chapter, BROKEN_CHAPTER)
        # a build may catch the file half-written (on a busy machine): the next one has it whole
        wait_for_match(running, r"content/2023/01-test\.yaml:\d+:\d+: error: ")
        broken = running.page()
        assert "hint: " in broken and RELOAD_SCRIPT in broken
        assert "Een nieuwe alinea" not in broken

        save(chapter, CHAPTER_YAML)
        wait_for_page(running, "Een gewone alinea.")
        assert "error:" not in running.page()
        running.wait_for_line("problems fixed; rebuilt build/voortgangsrapport-2023.pdf and")
    finally:
        stopped = running.stop()
    return stopped


@pytest.mark.e2e
def test_a_port_in_use_stops_the_preview_with_exit_2(tmp_path: Path) -> None:
    make_project(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "rapport", "watch", "--serve", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == ExitCode.USAGE
    assert (
        f"rapport: error: failed to serve the preview on 127.0.0.1:{port}"
        " (the port is already in use); choose another port with --port" in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_each_outcome_is_a_new_build_and_a_broken_one_shows_its_problems(tmp_path: Path) -> None:
    state = Preview(tmp_path)
    assert state.served()[0] == 0 and RELOAD_SCRIPT in state.page  # "building…" until the first
    problem = Diagnostic(Location(tmp_path / "01-test.yaml", 2, 3), "failed to read YAML", "indent")
    state.show(ContentError([problem]))
    build, page = state.served()
    assert build == 1
    text = page.decode()
    assert "01-test.yaml:2:3: error: failed to read YAML" in text
    assert '<script data-build="1">' in text
    assert next(state.builds_after(0)) == 1  # a stream that showed build 0 hears of build 1


def test_the_same_page_again_is_no_new_build(tmp_path: Path) -> None:
    """The PDF that follows the HTML edition it was built with does not reload the page."""
    state = Preview(tmp_path)
    error = ContentError([Diagnostic(Location(tmp_path / "a.yaml", 1, 1), "failed", "fix it")])
    state.show(error)
    state.show(error)
    assert state.served()[0] == 1
