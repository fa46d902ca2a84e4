"""The web edition: one self-contained, accessible HTML page built from the same content."""

from __future__ import annotations

import html
import logging
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import REPO, chapter_with_blocks, make_project, run_rapport
from rapport.cache import WEBFONTS, Cache
from rapport.html.fonts import _decode, woff2_subset
from rapport.html.write import escape, html_language, is_safe_link, slug

GOLDEN = REPO / "tests" / "golden" / "2023.txt"


class _Page(HTMLParser):
    """The parts of a page the tests look at: tags with their attributes, and the text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self._hidden = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("style", "title"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def ids(self) -> list[str]:
        return [attrs["id"] for _, attrs in self.tags if "id" in attrs]


# --- pure parts ----------------------------------------------------------------------


def test_slug_folds_accents_and_punctuation() -> None:
    assert slug("Filmstreaming (Cinébib)") == "filmstreaming-cinebib"
    assert slug("Digitale kranten & tijdschriften") == "digitale-kranten-tijdschriften"
    assert slug("[Jouw stad] Leest") == "jouw-stad-leest"
    assert slug("★★★") == "deel"


@given(st.text())
def test_slug_is_a_valid_anchor(title: str) -> None:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug(title))


@given(st.text())
def test_escaped_text_holds_no_markup(text: str) -> None:
    escaped = escape(text)
    assert not set("<>\"'") & set(escaped)
    assert html.unescape(escaped) == text


@pytest.mark.parametrize(
    ("href", "safe"),
    [
        ("https://www.cultuurconnect.be/", True),
        ("http://example.org", True),
        ("mailto:info@example.org", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("file:///etc/passwd", False),
        ("https://example.org/\nx", False),
        ("//example.org", False),
    ],
)
def test_only_web_and_mail_links_are_links(href: str, safe: bool) -> None:
    assert is_safe_link(href) is safe


def test_page_language() -> None:
    assert html_language("nl-BE") == "nl-BE"
    assert html_language("nl") == "nl-BE"
    assert html_language("en") == "en"


def test_font_subset_is_cached_and_damage_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = Cache(tmp_path)
    font = REPO / "fonts" / "Lato-Regular.ttf"
    first = woff2_subset(font, "Cijfers 2023", cache)
    assert first.startswith(b"wOF2")
    assert len(first) < 10_000  # a dozen characters, not the whole font
    entry = cache.path(WEBFONTS, {"font": _font_digest(font), "characters": " 023Cefijrs"})
    assert entry.is_file()
    assert woff2_subset(font, "2023 Cijfers", cache) == first  # same characters, same entry
    clean = entry.read_bytes()
    entry.write_bytes(clean.replace(b'"woff2": "d09G', b'"woff2": "AAAA'))  # tampered
    with caplog.at_level(logging.WARNING, logger="rapport"):
        assert woff2_subset(font, "Cijfers 2023", cache) == first
    assert "the cached copy is damaged (it was changed or cut short)" in caplog.text
    assert entry.read_bytes() == clean  # made again, whole
    with pytest.raises(ValueError, match="not a web font entry"):
        _decode(b'{"other": 1}')
    with pytest.raises(ValueError, match="not WOFF2"):
        _decode(b'{"woff2": "AAAA"}')


def _font_digest(font: Path) -> str:
    from rapport.cache import file_digest

    return file_digest(font)


# --- built pages ---------------------------------------------------------------------


HOSTILE = chapter_with_blocks(
    """\
    - paragraph: "Een <script>alert(1)</script> en [een link](https://example.org/?a=1&b=\\"2\\")."
    - image:
        file: images/icons/emoji_u2728.png
        alt: 'Een "vonk" <b>'
        caption: Een <i>onschuldig</i> beeld
    - table:
        caption: "<img src=x onerror=alert(1)>"
        columns: [Dienst, Aantal]
        rows:
          - ["<svg onload=alert(1)>", "12"]
    - quote:
        text: Wat een </blockquote> dienst
        source: "<em>Iemand</em>"
    """
)


def _built(edition_dir: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    output = edition_dir.parent.parent / "build" / "r.pdf"
    result = run_rapport("build", str(edition_dir), "--to", "html", "-o", str(output), *extra)
    return result, output.with_suffix(".html")


@pytest.mark.e2e
def test_hostile_content_is_shown_as_text(tmp_path: Path) -> None:
    edition_dir = make_project(tmp_path, HOSTILE)
    result, page_path = _built(edition_dir)
    assert result.returncode == 0, result.stderr
    source = page_path.read_text(encoding="utf-8")
    page = _Page(source)
    assert not page.all("script")
    assert [tag for tag, _ in page.tags].count("svg") == 0  # the content's <svg> is text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    assert "&lt;svg onload=alert(1)&gt;" in source
    # the model curls the quotes; what is left of markup is escaped in the attribute
    assert [a["alt"] for a in page.all("img")][-1] == "Een “vonk” <b>"
    assert 'alt="Een “vonk” &lt;b&gt;"' in source
    assert 'href="https://example.org/?a=1&amp;b=&quot;2&quot;"' in source
    text = "".join(page.text)
    assert "<img src=x onerror=alert(1)>" in text
    assert "Wat een </blockquote> dienst" in text
    links = page.all("a")
    outbound = [a for a in links if not a["href"].startswith("#")]
    assert outbound == [{"href": 'https://example.org/?a=1&b="2"', "rel": "noopener"}]
    assert not re.search(r"\son\w+=", source.replace("onerror=alert", "").replace("onload=", ""))


@pytest.mark.e2e
def test_a_javascript_link_is_refused_with_its_place(tmp_path: Path) -> None:
    edition_dir = make_project(
        tmp_path, chapter_with_blocks("- paragraph: Klik [hier](javascript:alert(1)).\n")
    )
    result, page_path = _built(edition_dir)
    assert result.returncode == 1
    assert "01-test.yaml:5:" in result.stderr
    assert "only http, https and mailto links are" in result.stderr
    assert not page_path.exists()


@pytest.mark.e2e
def test_build_to_choices_and_exit_codes(tmp_path: Path) -> None:
    edition_dir = make_project(tmp_path)
    build = tmp_path / "build"
    both = run_rapport("build", str(edition_dir), "--to", "all", "-o", str(build / "a.pdf"))
    assert both.returncode == 0, both.stderr
    assert both.stdout.splitlines() == [str(build / "a.pdf"), str(build / "a.html")]
    assert "[6/6] writing the web edition" in both.stderr
    pdf_only = run_rapport("build", str(edition_dir), "-o", str(build / "b.pdf"))
    assert pdf_only.stdout.splitlines() == [str(build / "b.pdf")]
    assert not (build / "b.html").exists()
    named = run_rapport(
        "build", str(edition_dir), "--to", "html", "--html-output", str(build / "web.html")
    )
    assert named.returncode == 0, named.stderr
    assert named.stdout.splitlines() == [str(build / "web.html")]
    assert "[4/4] writing the web edition" in named.stderr
    wrong = run_rapport("build", str(edition_dir), "--to", "word")
    assert wrong.returncode == 2
    assert "invalid choice: 'word' (choose from 'pdf', 'html', 'all')" in wrong.stderr
    needless = run_rapport("build", str(edition_dir), "--html-output", str(build / "c.html"))
    assert needless.returncode == 2
    assert (
        "--html-output names the web edition, which --to pdf does not write;"
        " add --to html or --to all" in needless.stderr
    )
    suffix = run_rapport(
        "build", str(edition_dir), "--to", "html", "--html-output", str(build / "c.htm")
    )
    assert suffix.returncode == 2
    assert "the file's name must end in .html" in suffix.stderr
    over_source = run_rapport(
        "build",
        str(edition_dir),
        "--to",
        "html",
        "--html-output",
        str(edition_dir / "page.html"),
    )
    assert over_source.returncode == 2
    assert "inside content/" in over_source.stderr


@pytest.fixture(scope="module")
def edition_2023(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    """content/2023's web edition, built twice; the page and the second build's bytes."""
    folder = tmp_path_factory.mktemp("web")
    pages = []
    for name in ("first", "second"):
        output = folder / f"{name}.pdf"
        result = run_rapport("build", "content/2023", "--to", "html", "-o", str(output))
        assert result.returncode == 0, result.stderr
        pages.append(output.with_suffix(".html").read_bytes())
    assert pages[0] == pages[1], "the same content must give the same bytes"
    return pages[0].decode("utf-8"), pages[1]


@pytest.mark.e2e
@pytest.mark.slow
def test_2023_structure(edition_2023: tuple[str, bytes]) -> None:
    from rapport.content.load import load_edition
    from rapport.diagnostics import Problems

    edition = load_edition(REPO / "content" / "2023", Problems())
    assert edition is not None
    page = _Page(edition_2023[0])
    assert page.all("html") == [{"lang": "nl-BE"}]
    assert len(page.all("h1")) == 1
    chapters = [s for s in page.all("section") if s.get("class") == "chapter"]
    assert len(chapters) == len(edition.chapters)
    sections = sum(len(c.sections) for c in edition.chapters)
    assert len(page.all("h3")) == sections
    assert len(page.all("h2")) == len(edition.chapters) + 2  # and introduction, contents
    ids = page.ids
    assert len(ids) == len(set(ids))
    nav_links = [a["href"] for a in page.all("a") if a["href"].startswith("#")]
    assert len(nav_links) == len(edition.chapters) + sections
    assert all(link[1:] in ids for link in nav_links)
    assert len(page.all("nav")) == 1
    assert all(th.get("scope") in ("col", "row") for th in page.all("th"))
    assert all("alt" in img for img in page.all("img"))
    # each of the 7 charts twice: drawn for a phone and for a wide screen, one shown at a time
    assert len([s for s in page.all("svg") if s.get("role") == "img"]) == 14
    assert len([d for d in page.all("div") if d.get("class") == "chart-narrow"]) == 7


@pytest.mark.e2e
@pytest.mark.slow
def test_2023_is_self_contained(edition_2023: tuple[str, bytes]) -> None:
    source = edition_2023[0]
    page = _Page(source)
    policy = [m["content"] for m in page.all("meta") if m.get("http-equiv")]
    assert len(policy) == 1
    assert policy[0].startswith("default-src 'none'; style-src 'sha256-")
    assert "img-src data:; font-src data:" in policy[0]
    assert "unsafe" not in policy[0] and "script" not in policy[0]
    assert not page.all("script") and not page.all("link") and not page.all("iframe")
    assert all(img["src"].startswith("data:image/") for img in page.all("img"))
    outbound = {a["href"] for a in page.all("a") if not a["href"].startswith("#")}
    assert all(href.startswith(("https://", "http://", "mailto:")) for href in outbound)
    assert all(a["rel"] == "noopener" for a in page.all("a") if a["href"] in outbound)
    assert not any("style" in attrs for _, attrs in page.tags)  # the policy's hash allows none
    addresses = re.findall(r"url\(([^)]*)\)", source)  # fonts, and the charts' clip paths
    fonts = [a for a in addresses if not a.startswith("#")]
    assert len(fonts) == 5 and all(f.startswith("data:font/woff2;base64,") for f in fonts)


def _golden_words() -> set[str]:
    """The words of every page of the 2023 PDF, but what only a printed page has."""
    pages = GOLDEN.read_text(encoding="utf-8").split("== structure tree ==")[0]
    kept = []
    contents = False  # in the contents, a line of its own after a title is its page number
    for line in pages.replace("¬\n", "").splitlines():
        if line.startswith("== page"):
            contents = False
        contents = contents or line == "Inhoud"
        if line.startswith(("#", "== page")) or re.fullmatch(r"Pagina \d+ van \d+", line):
            continue
        if not (contents and line.strip().isdigit()):
            kept.append(line)
    return _words("\n".join(kept))


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"\w+", text.replace("\u00ad", ""))}


@pytest.mark.e2e
@pytest.mark.slow
def test_2023_holds_every_word_of_the_pdf(edition_2023: tuple[str, bytes]) -> None:
    text = " ".join(_Page(edition_2023[0]).text)
    missing = _golden_words() - _words(text)
    assert not missing, f"in the PDF but not in the web edition: {sorted(missing)}"


@pytest.mark.e2e
def test_warm_html_build_imports_neither_reportlab_nor_matplotlib(tmp_path: Path) -> None:
    edition_dir = make_project(
        tmp_path,
        chapter_with_blocks(
            """\
            - chart:
                kind: bar
                title: Leners
                categories: ["2022", "2023"]
                series:
                  - name: Leners
                    values: [10, 12]
            """
        ),
    )
    output = tmp_path / "build" / "r.pdf"
    assert run_rapport("build", str(edition_dir), "--to", "html", "-o", str(output)).returncode == 0
    probe = (
        "import sys; from pathlib import Path; from rapport.pipeline import build;"
        f"build(Path({str(edition_dir)!r}), Path({str(output)!r}), formats=('html',));"
        "print(sorted(m for m in ('reportlab', 'matplotlib', 'fontTools.subset', 'pikepdf')"
        " if m in sys.modules))"
    )
    warm = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert warm.stdout.strip() == "[]", warm.stderr


@pytest.mark.e2e
def test_a_note_after_a_number_goes_under_the_table_as_in_the_pdf(tmp_path: Path) -> None:
    """Digits stay aligned: "224 (afgeleid)" becomes 224 and a marker; the note is a line
    under the table that the marked cells point to (aria-describedby)."""
    edition_dir = make_project(
        tmp_path,
        chapter_with_blocks(
            """\
            - table:
                caption: Abonnementen
                columns: [Dienst, "2022", "2023"]
                align: [left, right, right]
                rows:
                  - [Archief, "224 *(afgeleid)*", "228"]
                  - [Kiosk, "129 (schatting)", "131 (afgeleid)"]
                  - [Klasse, "12", "(geen)"]
            """
        ),
    )
    result, page_path = _built(edition_dir)
    assert result.returncode == 0, result.stderr
    source = page_path.read_text(encoding="utf-8")
    page = _Page(source)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", source)
    assert [re.sub(r"<[^>]+>", "", cell) for cell in cells] == [
        "224*", "228", "129**", "131*", "12", "(geen)",
    ]  # fmt: skip
    notes = re.findall(r'<p class="table-note" id="([^"]+)">(.*?)</p>', source)
    assert [(re.sub(r"<[^>]+>", "", text)) for _, text in notes] == ["* afgeleid", "** schatting"]
    described = [
        attrs["aria-describedby"] for attrs in page.all("td") if "aria-describedby" in attrs
    ]
    assert described == [notes[0][0], notes[1][0], notes[0][0]]
    assert source.index("</table>") < source.index('class="table-note"')


TWO_CHAPTERS_ALIKE = """\
title: {title}
sections:
  - title: Cijfers
    blocks:
      - table:
          columns: [Jaar, Aantal]
          rows:
            - ["2022", "33"]
      - table:
          columns: [Jaar, Aantal]
          rows:
            - ["2023", "34"]
      - callout:
          text: Uitleg
      - callout:
          title: Meer lezen
          text: Elders
"""


@pytest.mark.e2e
def test_every_region_has_a_name_of_its_own_and_a_callout_is_a_note(tmp_path: Path) -> None:
    """A screen reader lists the regions by name: two sections "Cijfers" are told apart by
    their chapters, two tables without a caption by a number; callouts are no landmarks."""
    edition_dir = make_project(
        tmp_path,
        TWO_CHAPTERS_ALIKE.format(title="E-boeken"),
        chapters={"02-tweede.yaml": TWO_CHAPTERS_ALIKE.format(title="Kranten")},
    )
    result, page_path = _built(edition_dir)
    assert result.returncode == 0, result.stderr
    page = _Page(page_path.read_text(encoding="utf-8"))
    named = [s["aria-label"] for s in page.all("section") if "aria-label" in s]
    assert named == [
        "Cijfers (E-boeken)", "Tabel: Cijfers", "Tabel: Cijfers (2)",
        "Cijfers (Kranten)", "Tabel: Cijfers (3)", "Tabel: Cijfers (4)",
    ]  # fmt: skip
    assert [a.get("role") for a in page.all("aside")] == ["note"] * 4
    assert all(s.get("role") is None for s in page.all("div"))
