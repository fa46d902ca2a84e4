"""The catalogue of bad inputs: each file in tests/catalogue/ is one case, run through the CLI.

A case is a YAML file that becomes a file of a fresh minimal project (by default
the chapter content/2023/01-test.yaml; line numbers in its expectations count
its own lines, header included). Its first comment lines say what to expect:

    # What the case is about (free text, first line).
    # expect: 5:9: unknown block kind 'paragraf'       an error at LINE[:COL] of the case file
    # expect: content/2023/02-x.yaml@-: failed to …    an error in another file; '-': no line
    # warning: -: file is not a chapter                a warning, same form
    # stderr: rapport: error: failed to write          any text that stderr must contain
    # exit: 1                                          the exit status (default 1)
    # args: check content/2023                         the command (default: build content/2023)
    # as: edition.yaml                                 the case is edition.yaml (or facts.yaml,
    #                                                  theme.yaml) instead of the chapter
    # fixture: images/foto.gif gif 40 30               a file made before the run (make_fixture)
    # pdf: <img src=/etc/passwd>                       text the built PDF must show, literally
    # links: https://example.org/                      the PDF's link addresses, exactly ('none')

In the case text, {{U+XXXX}} stands for that character, {{0xFF}} for that raw
byte and {{repeat:N:TEXT}} for TEXT N times (TEXT may use \\n), so that
control characters, broken encodings and huge inputs stay readable here.

Every case also checks what holds for all bad input: no traceback and no
"internal error"; with exit 1 every problem line reads `file[:line[:col]]: error:
lowercase message`, the build writes no PDF and leaves no temporary file; and
the run, under the audit hook of sandbox.py, opens nothing outside the project,
connects nowhere, starts no process and evaluates no code.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from helpers import REPO, make_project
from rapport.cli import main
from sandbox import guarded

CATALOGUE = Path(__file__).resolve().parent / "catalogue"
CASES = sorted(CATALOGUE.glob("*.yaml"))
DEFAULT_ARGS = ["build", "content/2023"]
DEFAULT_PDF = Path("build") / "voortgangsrapport-2023.pdf"
TARGETS = {
    "edition.yaml": "content/2023/edition.yaml",
    "facts.yaml": "content/2023/facts.yaml",
    "theme.yaml": "theme/theme.yaml",
}
_PROBLEM_LINE = re.compile(
    r"^(?P<file>[^:\s][^:]*)(:\d+(:\d+)?)?: (error|warning): (?P<message>.+)$"
)


@dataclass
class Case:
    path: Path
    description: str = ""
    expect: list[tuple[str, str]] = field(default_factory=list)  # (severity, text)
    stderr: list[str] = field(default_factory=list)
    exit: int = 1
    args: list[str] = field(default_factory=lambda: list(DEFAULT_ARGS))
    target: str = "content/2023/01-test.yaml"
    fixtures: list[list[str]] = field(default_factory=list)
    pdf: list[str] = field(default_factory=list)
    links: list[str] | None = None


def parse_case(path: Path) -> Case:
    case = Case(path)
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = re.sub(r"^(\{\{[^}]*\}\})+", "", line)  # e.g. a byte order mark before the header
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        key, _, value = body.partition(": ")
        key = key.strip()
        if key in ("expect", "warning"):
            case.expect.append(("error" if key == "expect" else "warning", value))
        elif key == "stderr":
            case.stderr.append(value)
        elif key == "exit":
            case.exit = int(value)
        elif key == "args":
            case.args = value.split()
        elif key == "as":
            case.target = TARGETS[value.strip()]
        elif key == "fixture":
            case.fixtures.append(value.split())
        elif key == "pdf":
            case.pdf.append(value)
        elif key == "links":
            case.links = [] if value.strip() == "none" else [*(case.links or []), value.strip()]
        elif not case.description:
            case.description = body
    assert case.description, f"{path.name}: the first comment line describes the case"
    assert case.expect or case.stderr or case.exit == 0, f"{path.name}: expects nothing"
    return case


# -- the case text -------------------------------------------------------------------------


def expand(text: str) -> bytes:
    """The case text with its {{…}} tokens replaced, as the bytes to write."""

    def repeat(match: re.Match[str]) -> str:
        return match.group(2).replace("\\n", "\n") * int(match.group(1))

    text = re.sub(r"\{\{repeat:(\d+):(.*?)\}\}", repeat, text)
    text = re.sub(r"\{\{U\+([0-9A-Fa-f]{4,6})\}\}", lambda m: chr(int(m.group(1), 16)), text)
    parts = re.split(r"\{\{0x([0-9A-Fa-f]{2})\}\}", text)
    data = b""
    for index, part in enumerate(parts):
        data += bytes([int(part, 16)]) if index % 2 else part.encode("utf-8", "surrogatepass")
    return data


# -- fixtures ------------------------------------------------------------------------------


def _image_bytes(kind: str, width: int, height: int, mode: str = "RGB") -> bytes:
    image = Image.new(mode, (width, height), "teal" if mode in ("RGB", "RGBA") else None)
    buffer = io.BytesIO()
    image.save(buffer, format=kind.upper())
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares width×height pixels but holds a few bytes: a decompression bomb's head."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def _jpeg_header(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header is changed to claim width×height pixels."""
    data = bytearray(_image_bytes("jpeg", 16, 16))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _tagged_image(kind: str, width: int, height: int, tag: str) -> bytes:
    """A red photo with EXIF orientation `tag` (jpeg-exif), or a red PNG with an ICC
    profile (png-icc): 'swapped' (sRGB with red and blue swapped) or 'bad' (damaged)."""
    buffer = io.BytesIO()
    image = Image.new("RGB", (width, height), "red")
    if kind == "jpeg-exif":
        exif = image.getexif()
        exif[0x0112] = int(tag)
        image.save(buffer, format="JPEG", exif=exif.tobytes())
    else:
        profile = swapped_profile() if tag == "swapped" else b"\0\0\1\0damaged profile"
        image.save(buffer, format="PNG", icc_profile=profile)
    return buffer.getvalue()


def swapped_profile() -> bytes:
    """The shipped sRGB profile with its red and blue primaries swapped: not sRGB."""
    data = bytearray((REPO / "src" / "rapport" / "data" / "sRGB.icc").read_bytes())
    count = int.from_bytes(data[128:132], "big")
    entries = {bytes(data[132 + 12 * i : 136 + 12 * i]): 132 + 12 * i for i in range(count)}
    red, blue = entries[b"rXYZ"], entries[b"bXYZ"]
    data[red + 4 : red + 12], data[blue + 4 : blue + 12] = (
        data[blue + 4 : blue + 12],
        data[red + 4 : red + 12],
    )
    name = data.index(b"sRGB", 132 + 12 * count)  # the description: no longer sRGB
    data[name : name + 4] = b"Swap"
    return bytes(data)


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n'


def make_fixture(root: Path, spec: list[str]) -> None:
    """Make the file `spec[0]` of the project as `spec[1]` says:

    png|jpeg|gif|webp|tiff|bmp W H [MODE]   an image made by Pillow
    png-header W H, jpeg-header W H         a few bytes that claim W×H pixels (a bomb's head)
    jpeg-exif W H N, png-icc W H swapped|bad  a photo turned by EXIF; a PNG with a colour profile
    png-truncated, jpeg-truncated           half of a real image
    svg, text WORDS…, sparse SIZE           an SVG; a text file; SIZE bytes of nothing
    cut N                                   the project's own file cut off after N bytes
    symlink TARGET, fifo, dir, remove       a link; a named pipe; a folder; no file at all
    font-without CHARS                      the project's own font lacking CHARS (fontTools)
    """
    name, kind, *args = spec
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if (path.is_symlink() or path.is_file()) and kind != "cut":
        path.unlink()
    numbers = [int(a) for a in args if a.isdigit()]
    if kind in ("png", "jpeg", "gif", "webp", "tiff", "bmp"):
        mode = next((a for a in args if not a.isdigit()), "RGB")
        path.write_bytes(_image_bytes(kind, *numbers[:2], mode))
    elif kind in ("jpeg-exif", "png-icc"):
        path.write_bytes(_tagged_image(kind, numbers[0], numbers[1], args[2]))
    elif kind == "png-header":
        path.write_bytes(_png_header(*numbers[:2]))
    elif kind == "jpeg-header":
        path.write_bytes(_jpeg_header(*numbers[:2]))
    elif kind in ("png-truncated", "jpeg-truncated"):
        whole = _image_bytes(kind.split("-")[0], 64, 64)
        path.write_bytes(whole[: len(whole) // 2])
    elif kind == "svg":
        path.write_text(SVG, encoding="utf-8")
    elif kind == "text":
        path.write_text(" ".join(args).replace("\\n", "\n"), encoding="utf-8")
    elif kind == "cut":  # a file of the project, cut off after N bytes
        data = path.read_bytes() if path.exists() else (Path(REPO) / name).read_bytes()
        path.write_bytes(data[: numbers[0]])
    elif kind == "sparse":
        with path.open("wb") as stream:
            stream.truncate(numbers[0])
    elif kind == "symlink":
        path.symlink_to(args[0])
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dir":
        path.mkdir()
    elif kind == "font-without":
        path.write_bytes(_font_without(Path(REPO) / name, args[0]))
    elif kind == "remove":
        if path.is_dir():
            shutil.rmtree(path)
    else:  # pragma: no cover - a typo in a case file
        raise AssertionError(f"unknown fixture kind {kind!r}")


def _font_without(source: Path, missing: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    subsetter = subset.Subsetter(subset.Options(layout_features=["*"]))
    subsetter.populate(unicodes=set(font.getBestCmap()) - {ord(c) for c in missing})
    subsetter.subset(font)
    stream = io.BytesIO()
    font.save(stream)
    return stream.getvalue()


# -- running -------------------------------------------------------------------------------


def run_case(case: Case, root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    make_project(root)
    (root / case.target).write_bytes(expand(case.path.read_text(encoding="utf-8")))
    for spec in case.fixtures:
        make_fixture(root, spec)
    capsys.readouterr()
    with guarded(root) as violations:
        try:
            status = main(case.args)
        except SystemExit as exc:  # argparse's usage errors
            status = int(exc.code or 0)
    err = capsys.readouterr().err
    assert violations == [], f"the run reached outside the project:\n{violations}"
    return status, err


def expected_line(case: Case, severity: str, text: str) -> str:
    where, _, message = text.partition(": ")
    file, _, position = where.rpartition("@")
    file = file or case.target
    location = file if position == "-" else f"{file}:{position}"
    return f"{location}: {severity}: {message}"


def pdf_text(pdf: Path) -> str:
    reader = PdfReader(pdf)
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    text = re.sub("\u00ad[ \t]*\r?\n", "", text).replace("\u00ad", "")
    return " ".join(text.split())


CURLY_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'"})


def straight_quotes(text: str) -> str:
    """Text with typographic quotes made straight: what is compared is that text (markup
    above all) prints as typed, not how rapport sets its quotation marks."""
    return text.translate(CURLY_QUOTES)


def pdf_links(pdf: Path) -> list[str]:
    links = []
    for page in PdfReader(pdf).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                links.append(str(action["/URI"]))
    return sorted(links)


def test_the_catalogue_has_at_least_60_cases() -> None:
    assert len(CASES) >= 60


def lane(path: Path) -> Any:
    """The case as a test parameter: one that writes a PDF, or first cuts characters out of a
    font (seconds each), runs end to end (e2e); the others stop at the checks, quickly, and
    stay in `make test-fast`."""
    case = parse_case(path)
    end_to_end = case.exit == 0 or any(spec[1] == "font-without" for spec in case.fixtures)
    return pytest.param(path, marks=[pytest.mark.e2e] if end_to_end else [], id=path.stem)


@pytest.mark.parametrize("path", [lane(path) for path in CASES])
def test_case(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = parse_case(path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    status, err = run_case(case, tmp_path, capsys)

    assert "Traceback" not in err and "internal error" not in err, err
    assert status == case.exit, err
    for severity, text in case.expect:
        assert expected_line(case, severity, text) in err, err
    for text in case.stderr:
        assert text in err, err
    if status == 1:
        problems = [line for line in err.splitlines() if ": error: " in line]
        assert problems, err
        for line in problems:
            match = _PROBLEM_LINE.match(line)
            assert match, f"not a 'file:line:col: error: message' line: {line}"
            assert not match.group("message")[0].isupper(), line
        assert err.rstrip().splitlines()[-1].startswith("rapport: failed to build: ")
    if status in (2, 3):
        assert err.rstrip().splitlines()[-1].startswith("rapport: error: "), err
    output = tmp_path / DEFAULT_PDF
    if status != 0 and case.args[0] == "build" and (tmp_path / "build").is_dir():
        assert not output.exists(), "a failed build wrote a PDF"
        assert not list((tmp_path / "build").glob(".*")), "temporary files were left behind"
    if case.pdf or case.links is not None:
        assert status == 0, err
        text = straight_quotes(pdf_text(output))
        for shown in case.pdf:  # printed as typed; quotes are set typographically (curly)
            assert straight_quotes(" ".join(shown.split())) in text
        if case.links is not None:
            assert pdf_links(output) == sorted(case.links)
