"""`rapport watch --serve` (or `rapport preview`): the HTML edition in a browser, live.

The watcher of `watch.py` rebuilds the PDF and the HTML edition on every save;
this module serves the newest HTML at http://127.0.0.1:PORT/ and makes the page
reload itself after each build. Only the served copy gets the reload script:
the file on disk stays as built, script-free, and its Content-Security-Policy
is rewritten in the served copy to allow exactly that one script (by its hash)
and a connection back to this server. A broken save shows the problems, each
as `file:line:col: error: message` with its hint, in place of the content.

The server answers GET and HEAD on a fixed set of paths only and never reads a
file named by the URL; it listens on the loopback address alone and refuses a
Host header that is not this server's, so a web page elsewhere cannot reach it
through DNS rebinding.
"""

from __future__ import annotations

import base64
import dataclasses
import errno
import hashlib
import html
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rapport.cli.watch import Rebuilder, watch
from rapport.diagnostics import (
    ContentError,
    Diagnostic,
    FileSystemError,
    RapportError,
    UsageError,
    display_path,
    source_excerpt,
    todo_summary,
)

if TYPE_CHECKING:
    from rapport.pipeline import BuildReport

log = logging.getLogger("rapport")

HOST = "127.0.0.1"  # loopback only: the preview is for the person at this machine
DEFAULT_PORT = 8023
EVENTS_PATH = "/__events"
PAGE_PATHS = ("/", "/index.html")
KEEPALIVE_SECONDS = 10.0  # a comment line on the event stream, so a closed tab is noticed

# Reloads the page when the server announces a build other than the one shown.
# An empty icon of the page's own, so that a browser does not ask the server for
# /favicon.ico, which the page's Content-Security-Policy would refuse with a console error.
NO_ICON = '<link rel="icon" href="data:,">'
RELOAD_SCRIPT = (
    "(function () {"
    ' var shown = document.currentScript.getAttribute("data-build");'
    f' var events = new EventSource("{EVENTS_PATH}");'
    " events.onmessage = function (event) {"
    " if (event.data !== shown) { events.close(); location.reload(); }"
    " };"
    " })();"
)
ERROR_STYLE = (
    "body{font-family:sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1a1a1a}"
    "h1{color:#a40000;font-size:1.5rem}li{margin-bottom:1.25rem}"
    ".where{font-family:monospace;font-weight:bold;overflow-wrap:anywhere}"
    ".hint{margin:.25rem 0 0 1.5rem}pre{background:#f3f3f3;padding:.5rem;overflow-x:auto}"
)


def source_hash(text: str) -> str:
    """The CSP source that allows exactly this inline script or style: 'sha256-…'."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


# --- the seam to the pipeline ----------------------------------------------------------


@dataclass
class WebFirst:
    """Builds the HTML edition and shows it at once, then the PDF, as `watch` does.

    The web edition takes a fraction of the PDF's time (no layout, no PDF/A
    check), so the browser reloads well before the PDF is finished. Loading and
    checking run twice, which costs less than the pages' layout.
    """

    preview: Preview

    def __call__(self, edition_dir: Path, output: Path | None) -> BuildReport:
        from rapport.pipeline import build

        web = build(edition_dir, output, formats=("html",))
        self.preview.show(web)
        # its PDF/A check runs after it, beside the watcher (Rebuilder.check_pdfa)
        printed = build(edition_dir, output, formats=("pdf",), check_pdfa=False)
        return dataclasses.replace(
            printed,
            html=web.html,
            html_size=web.html_size,
            formats=("pdf", "html"),
            seconds=web.seconds + printed.seconds,
        )


def html_edition(report: BuildReport) -> Path:
    """The HTML edition a build of both formats wrote."""
    assert report.html is not None, "WebFirst builds the HTML edition"
    return report.html


# --- what the browser is shown ---------------------------------------------------------

_CSP_META = re.compile(
    r"<meta\b[^>]*\bhttp-equiv\s*=\s*[\"']?content-security-policy[\"']?[^>]*>", re.IGNORECASE
)
_CONTENT_ATTRIBUTE = re.compile(r"\bcontent\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
_HEAD_START = re.compile(r"<head\b[^>]*>", re.IGNORECASE)


def preview_policy(policy: str) -> str:
    """`policy` with the reload script allowed by its hash and connections to this server.

    Every other directive is kept as built, so the preview is held to the same
    rules as the published page.
    """
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words and words[0].lower() not in directives:
            directives[words[0].lower()] = words[1:]
    allowed = [source_hash(RELOAD_SCRIPT)]
    directives["script-src"] = allowed
    if "script-src-elem" in directives:
        directives["script-src-elem"] = allowed
    directives["connect-src"] = ["'self'"]
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


def _policy_meta(policy: str) -> str:
    content = html.escape(preview_policy(policy), quote=False).replace('"', "&quot;")
    return f'<meta http-equiv="Content-Security-Policy" content="{content}">'


def _rewrite_meta(match: re.Match[str]) -> str:
    content = _CONTENT_ATTRIBUTE.search(match.group(0))
    return _policy_meta(html.unescape((content.group(1) or content.group(2)) if content else ""))


def with_reload(page: str, build: int) -> str:
    """The page as served: its CSP opened for the reload script, and the script itself."""
    page, rewritten = _CSP_META.subn(_rewrite_meta, page)
    if not rewritten:  # a page without a policy gets one that allows only what it needs
        head = _HEAD_START.search(page)
        at = head.end() if head else 0
        page = page[:at] + _policy_meta("default-src 'none'; img-src data:") + page[at:]
    head = _HEAD_START.search(page)
    at = head.end() if head else 0
    page = page[:at] + NO_ICON + page[at:]
    script = f'<script data-build="{build}">{RELOAD_SCRIPT}</script>'
    ends = list(_BODY_END.finditer(page))
    at = ends[-1].start() if ends else len(page)
    return page[:at] + script + page[at:]


def _document(title: str, policy: str, body: str, style: str = "") -> str:
    styles = f"<style>{style}</style>" if style else ""
    return (
        '<!DOCTYPE html>\n<html lang="nl-BE"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{NO_ICON}<title>{html.escape(title)}</title>{styles}</head>\n<body>\n{body}\n</body></html>\n"
    )


def problems_page(error: RapportError, edition_dir: Path) -> str:
    """The page shown after a broken save: every problem with its place and its hint."""
    if isinstance(error, ContentError):
        items = [_problem_item(d) for d in error.diagnostics if not d.todo]
        summary = todo_summary(error.diagnostics)
        if summary:
            items.append(
                f"<li>still to do: {html.escape(summary)} ('rapport check --all' lists them)</li>"
            )
    else:
        items = [f'<li><p class="where">error: {html.escape(str(error))}</p></li>']
    where = html.escape(display_path(edition_dir))
    body = (
        f"<h1>rapport: problems in {where}</h1>\n"
        "<p>The page comes back as soon as the files are fixed and saved.</p>\n"
        "<ol>\n" + "\n".join(items) + "\n</ol>"
    )
    policy = f"default-src 'none'; img-src data:; style-src {source_hash(ERROR_STYLE)}"
    return _document("rapport: problems", policy, body, ERROR_STYLE)


def _problem_item(diagnostic: Diagnostic) -> str:
    """One problem: `file:line:col: error: message`, its hint, and the source line."""
    first = f"{diagnostic.location}: {diagnostic.severity.value}: {diagnostic.message}"
    lines = [f'<li><p class="where">{html.escape(first)}</p>']
    if diagnostic.hint:
        lines.append(f'<p class="hint">hint: {html.escape(diagnostic.hint)}</p>')
    excerpt = source_excerpt(diagnostic.location)
    if excerpt:
        lines.append(f"<pre>{html.escape(chr(10).join(excerpt))}</pre>")
    return "".join(lines) + "</li>"


def waiting_page(edition_dir: Path) -> str:
    body = f"<p>rapport: building {html.escape(display_path(edition_dir))}…</p>"
    return _document("rapport: building", "default-src 'none'; img-src data:", body)


# --- the state the watcher writes and the server reads ---------------------------------


@dataclass
class Preview:
    """The newest build as served: its number, its page and its PDF."""

    edition_dir: Path
    build: int = 0
    page: str = ""
    shown: str = ""  # the page before the reload script: the same page again is no new build
    pdf: Path | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.page = with_reload(waiting_page(self.edition_dir), self.build)

    def show(self, outcome: BuildReport | RapportError) -> None:
        """Called after each build: the new page, and a new build number if it changed."""
        pdf = None if isinstance(outcome, RapportError) else outcome.pdf
        try:
            page = self.page_of(outcome)
        except OSError as exc:  # the HTML edition went missing between writing and reading
            pdf = None
            where = display_path(Path(exc.filename or "the HTML edition"))
            failure = FileSystemError(f"failed to read {where} ({exc.strerror or exc})")
            page = problems_page(failure, self.edition_dir)
        with self.changed:
            self.pdf = pdf or self.pdf
            if page == self.shown:
                return  # e.g. the PDF after the HTML edition it was built with
            self.build += 1
            self.shown = page
            self.page = with_reload(page, self.build)
            self.changed.notify_all()

    def page_of(self, outcome: BuildReport | RapportError) -> str:
        if isinstance(outcome, RapportError):
            return problems_page(outcome, self.edition_dir)
        return html_edition(outcome).read_text(encoding="utf-8")

    def served(self) -> tuple[int, bytes]:
        with self.changed:
            return self.build, self.page.encode("utf-8")

    def builds_after(self, build: int) -> Iterator[int | None]:
        """Each build number newer than `build` as it comes; None after a quiet while."""
        while True:
            current = self.wait_past(build)
            yield current if current != build else None
            build = current

    def wait_past(self, build: int) -> int:
        """The build number once it is past `build`, or after a quiet while."""
        with self.changed:
            self.changed.wait_for(lambda: self.build != build, KEEPALIVE_SECONDS)
            return self.build

    def last_pdf(self) -> Path | None:
        """The PDF of the last good build, if any."""
        with self.changed:
            return self.pdf


# --- the HTTP server -------------------------------------------------------------------


def allowed_hosts(port: int) -> frozenset[str]:
    """The Host headers of a request to this server from this machine's browser."""
    names = (HOST, "localhost")
    return frozenset({f"{name}:{port}" for name in names} | (set(names) if port == 80 else set()))


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD on `/`, `/index.html`, `/__events` and the PDF; nothing else."""

    server_version = "rapport-preview"
    preview: ClassVar[Preview]
    hosts: ClassVar[frozenset[str]]

    def do_GET(self) -> None:
        self.answer(body=True)

    def do_HEAD(self) -> None:
        self.answer(body=False)

    def refuse_method(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = refuse_method

    def answer(self, *, body: bool) -> None:
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.hosts:
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "this server answers only 127.0.0.1")
            return
        route = self.path.split("?", 1)[0]  # compared whole, never read as a file name
        if route in PAGE_PATHS:
            self.send_page(body)
        elif route == EVENTS_PATH:
            self.send_events(body)
        elif self.is_pdf(route):
            self.send_pdf(body)
        else:
            self.send_error(HTTPStatus.NOT_FOUND)

    def is_pdf(self, route: str) -> bool:
        pdf = self.preview.last_pdf()
        return pdf is not None and route == f"/{pdf.name}"

    def send_common(self, content_type: str, length: int | None) -> None:
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()

    def send_page(self, body: bool) -> None:
        _, page = self.preview.served()
        self.send_response(HTTPStatus.OK)
        self.send_common("text/html; charset=utf-8", len(page))
        if body:
            self.wfile.write(page)

    def send_pdf(self, body: bool) -> None:
        pdf = self.preview.last_pdf()
        try:
            data = pdf.read_bytes() if pdf is not None else b""
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        self.send_response(HTTPStatus.OK)
        self.send_common("application/pdf", len(data))
        if body:
            self.wfile.write(data)

    def send_events(self, body: bool) -> None:
        """Server-Sent Events: the build number now, then each new one, until the tab closes."""
        self.send_response(HTTPStatus.OK)
        self.send_common("text/event-stream; charset=utf-8", None if body else 0)
        if not body:
            return
        build, _ = self.preview.served()
        try:
            self.wfile.write(f"retry: 500\ndata: {build}\n\n".encode("ascii"))
            self.wfile.flush()
            for newer in self.preview.builds_after(build):
                line = f"data: {newer}\n\n" if newer is not None else ": waiting\n\n"
                self.wfile.write(line.encode("ascii"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the tab was closed or reloaded
        finally:
            self.close_connection = True

    def version_string(self) -> str:
        return self.server_version  # not Python's version: nothing for a visitor to probe

    def log_message(self, format: str, *args: object) -> None:
        log.debug("preview: %s %s", self.address_string(), format % args)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream does not keep Ctrl+C from stopping


def start_server(preview: Preview, port: int) -> PreviewServer:
    """Listen on 127.0.0.1:`port` (0: any free port) and answer in a thread of its own."""

    class Handler(PreviewHandler):
        pass

    Handler.preview = preview
    try:
        server = PreviewServer((HOST, port), Handler)
    except OSError as exc:
        raise UsageError(_bind_failure(port, exc)) from None
    Handler.hosts = allowed_hosts(server.server_address[1])
    threading.Thread(target=server.serve_forever, args=(0.2,), name="preview", daemon=True).start()
    return server


def _bind_failure(port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        cause = "the port is already in use"
    elif exc.errno == errno.EACCES:
        cause = "this user may not use ports below 1024"
    else:
        cause = exc.strerror or str(exc)
    return (
        f"failed to serve the preview on {HOST}:{port} ({cause});"
        " choose another port with --port, e.g. --port 0 for any free one"
    )


def say(line: str) -> None:
    """The CLI's own output, at once: a script waiting for the URL reads it through a pipe."""
    print(line, flush=True)


def preview_url(server: PreviewServer) -> str:
    return f"http://{HOST}:{server.server_address[1]}/"


def preview(
    edition_dir: Path,
    output: Path | None,
    port: int = DEFAULT_PORT,
    *,
    announce: Callable[[str], None] | None = None,
    interval: float = 0.25,
    rounds: int | None = None,
) -> None:
    """Serve the edition at http://127.0.0.1:PORT/ and rebuild it on every save."""
    announce = announce or say
    state = Preview(edition_dir)
    server = start_server(state, port)
    try:
        announce(preview_url(server))
        log.info("serving the preview at %s (Ctrl+C to stop)", preview_url(server))
        rebuilder = Rebuilder(
            edition_dir, output, announce, builder=WebFirst(state), listener=state.show
        )
        watch(edition_dir, output, interval, rounds, announce, rebuilder)
    finally:
        server.shutdown()
        server.server_close()
