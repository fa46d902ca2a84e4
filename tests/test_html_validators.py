"""The web edition and the preview's problems page, checked by two HTML validators.

The Nu Html Checker (vnu.jar, the W3C's checker, run with Java) and html-validate
(with the project's .htmlvalidate.json) are written independently of each other
and of the browser: each reads the markup against the HTML standard and finds what
a browser silently repairs. Both are npm packages locked in package-lock.json;
`make test` installs them, and Java when missing (tools/browser-deps). Under
`make test` (RAPPORT_REQUIRE_BROWSER=1) a missing validator fails these tests.

Pages: the 2023 edition, a fresh 2024 draft (`rapport new`, placeholders
everywhere), the catalogue's chapter with every block kind, and the page the
preview shows after a broken save, as served (reload script included).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from PIL import Image

from helpers import REPO, make_project, run_rapport
from rapport.cli.preview import problems_page, with_reload
from rapport.diagnostics import ContentError
from rapport.pipeline import build

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

JAVA = shutil.which("java")
NODE = shutil.which("node")
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HTML_VALIDATE = REPO / "node_modules" / "html-validate" / "bin" / "html-validate.mjs"
HTML_VALIDATE_CONFIG = REPO / ".htmlvalidate.json"
EVERY_BLOCK_KIND = REPO / "tests" / "catalogue" / "000-every-block-kind.yaml"
BROKEN_CHAPTER = "title: Hoofdstuk\nsections: [\n  - title: kapot\n"
# vnu's Content-Security-Policy check blocks every data: image even under
# "img-src data:" (the same with a one-line page); chromium loads them, which
# tests/test_browser.py asserts. Only this one message, as an info warning, is set aside.
VNU_CSP_DATA_IMAGE = "Resource violates Content Security Policy (meta tag): image “data:image/"


def validators_missing() -> str | None:
    """Why the validators cannot run here, or None."""
    if JAVA is None:
        return "java is not installed (make test installs it: tools/browser-deps)"
    if NODE is None:
        return "node is not installed (install nodejs and npm)"
    for name, path in (("vnu-jar", VNU_JAR), ("html-validate", HTML_VALIDATE)):
        if not path.exists():
            return f"{name} is not installed (make test installs it: tools/browser-deps)"
    return None


@pytest.fixture(scope="module", autouse=True)
def validators() -> None:
    missing = validators_missing()
    if missing:
        if os.environ.get("RAPPORT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the HTML validator tests cannot run: {missing}")
        pytest.skip(missing)


def copy_project(root: Path) -> Path:
    for part in ("content", "theme", "fonts", "images"):
        shutil.copytree(REPO / part, root / part)
    return root


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each page to check, written to a file: the validators read files."""
    folder = tmp_path_factory.mktemp("validated")
    found = {
        "2023": edition_2023(tmp_path_factory.mktemp("web-2023")),
        "2024-draft": draft_2024(tmp_path_factory.mktemp("web-2024")),
        "every-block-kind": every_block_kind(tmp_path_factory.mktemp("web-every")),
        "preview-problems": preview_problems(tmp_path_factory.mktemp("preview"), folder),
    }
    return {name: page.resolve() for name, page in found.items()}


def web_edition(edition_dir: Path, *, draft: bool = False) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        output = edition_dir.parent.parent / "build" / "edition.pdf"
        report = build(edition_dir, output, draft=draft, formats=("html",))
    assert report.html is not None
    return report.html


def edition_2023(root: Path) -> Path:
    return web_edition(copy_project(root) / "content" / "2023")


def draft_2024(root: Path) -> Path:
    made = run_rapport("new", "2024", cwd=copy_project(root))
    assert made.returncode == 0, made.stderr
    return web_edition(root / "content" / "2024", draft=True)


def every_block_kind(root: Path) -> Path:
    edition_dir = make_project(root, EVERY_BLOCK_KIND.read_text(encoding="utf-8"))
    photo = Image.linear_gradient("L").resize((40, 30)).convert("RGB")  # the case's fixture
    (root / "images").mkdir(exist_ok=True)
    photo.save(root / "images" / "foto.png")
    return web_edition(edition_dir)


def preview_problems(root: Path, folder: Path) -> Path:
    """The page the preview serves after a save that breaks a chapter's YAML."""
    edition_dir = make_project(root, BROKEN_CHAPTER)
    with pytest.raises(ContentError) as broken:
        build(edition_dir, root / "build" / "edition.pdf", formats=("html",))
    page = folder / "preview-problems.html"
    page.write_text(with_reload(problems_page(broken.value, edition_dir), 1), encoding="utf-8")
    assert "hint: " in page.read_text(encoding="utf-8")
    return page


def vnu_messages(files: list[Path]) -> dict[str, list[str]]:
    """The Nu Html Checker's errors and warnings, per file, as 'line:column: text'."""
    assert JAVA is not None
    done = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report: dict[str, Any] = json.loads(done.stderr or done.stdout)
    found: dict[str, list[str]] = {str(file): [] for file in files}
    for message in report["messages"]:
        if message["type"] == "info" and message.get("subType") != "warning":
            continue  # notes, not problems
        if message.get("subType") == "warning" and VNU_CSP_DATA_IMAGE in message["message"]:
            continue
        name = unquote(message.get("url", "?").removeprefix("file:"))
        where = f"{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}"
        found.setdefault(name, []).append(f"{where}: {message['type']}: {message['message']}")
    return found


def html_validate_messages(files: list[Path]) -> dict[str, list[str]]:
    """html-validate's errors and warnings, per file, as 'line:column: rule: text'."""
    assert NODE is not None
    with tempfile.TemporaryDirectory(prefix="rapport-html-validate-") as folder:
        # to a file: node may end before a long report through a pipe is all written
        written = Path(folder) / "report.json"
        command = [NODE, str(HTML_VALIDATE), "--config", str(HTML_VALIDATE_CONFIG)]
        done = subprocess.run(
            [*command, "--formatter", f"json={written}", *map(str, files)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr  # 1: problems found, reported below
        report = json.loads(written.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {str(file): [] for file in files}
    for result in report:
        found[str(Path(result["filePath"]).resolve())] = [
            f"{m['line']}:{m['column']}: {m['ruleId']}: {m['message']}" for m in result["messages"]
        ]
    return found


@pytest.fixture(scope="module")
def vnu_verdict(pages: dict[str, Path]) -> dict[str, list[str]]:
    return vnu_messages(list(pages.values()))  # one Java start for every page


@pytest.fixture(scope="module")
def html_validate_verdict(pages: dict[str, Path]) -> dict[str, list[str]]:
    return html_validate_messages(list(pages.values()))


PAGES = ["2023", "2024-draft", "every-block-kind", "preview-problems"]


@pytest.mark.parametrize("page", PAGES)
def test_the_nu_html_checker_finds_no_error_or_warning(
    pages: dict[str, Path], vnu_verdict: dict[str, list[str]], page: str
) -> None:
    found = vnu_verdict[str(pages[page])]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("page", PAGES)
def test_html_validate_finds_no_error_or_warning(
    pages: dict[str, Path], html_validate_verdict: dict[str, list[str]], page: str
) -> None:
    found = html_validate_verdict[str(pages[page])]
    assert found == [], "\n".join(found)


def test_the_validators_see_an_error_they_must_find(tmp_path: Path) -> None:
    """Both validators, as run here, report a figure with content after its caption."""
    page = tmp_path / "wrong.html"
    page.write_text(
        '<!DOCTYPE html>\n<html lang="nl-BE"><head><meta charset="utf-8"><title>t</title>'
        "</head><body><main><figure><p>a</p><figcaption>b</figcaption><p>c</p></figure>"
        "</main></body></html>\n",
        encoding="utf-8",
    )
    assert vnu_messages([page])[str(page)], "vnu found nothing"
    assert html_validate_messages([page])[str(page)], "html-validate found nothing"
