"""Images: decoded once at the size they are shown, upright, in what PDF/A allows, named in errors."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from helpers import chapter_with_blocks, make_project
from rapport import assets
from test_catalogue import swapped_profile


def _save(path: Path, image: Image.Image, **options: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **options)
    return path


def _pixels(prepared: assets.PreparedImage) -> Image.Image:
    if prepared.jpeg is not None:
        return Image.open(io.BytesIO(prepared.jpeg))
    assert prepared.pixels is not None
    return prepared.pixels


def _build(
    root: Path, blocks: str, *, edition: str | None = None
) -> subprocess.CompletedProcess[str]:
    extra = {"edition": edition} if edition else {}
    make_project(root, chapter_with_blocks(blocks), **extra)  # type: ignore[arg-type]
    return subprocess.run(
        [sys.executable, "-m", "rapport", "build", "content/2023"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _colour_spaces(pdf: Path) -> list[tuple[str, int, int, int]]:
    """(colour space, bits, width, height) of every image object the pages use, once each."""
    with pikepdf.open(pdf) as document:
        found: dict[tuple[int, int], tuple[str, int, int, int]] = {}
        for page in document.pages:
            for xobject in page.get_images().values():
                found[xobject.objgen] = (
                    str(xobject.ColorSpace),
                    int(xobject.BitsPerComponent),
                    int(xobject.Width),
                    int(xobject.Height),
                )
        return sorted(found.values())


# -- preparing one image -------------------------------------------------------------------


def test_a_cmyk_jpeg_becomes_srgb(tmp_path: Path) -> None:
    path = _save(tmp_path / "drukwerk.jpg", Image.new("CMYK", (40, 30), (0, 255, 255, 0)))
    picture = _pixels(assets.prepare_image(path, 100, 100))
    assert picture.mode == "RGB"
    red, green, blue = picture.getpixel((20, 15))  # type: ignore[misc]
    assert red > 240 and green < 15 and blue < 15


def test_a_16_bit_grey_png_keeps_its_grey_instead_of_turning_white(tmp_path: Path) -> None:
    path = _save(tmp_path / "diep.png", Image.new("I;16", (40, 30), 32768))
    picture = _pixels(assets.prepare_image(path, 100, 100))
    assert picture.mode == "L"
    assert picture.getpixel((0, 0)) in (127, 128)  # 32768 of 65535: half-way


def test_a_palette_png_with_transparency_keeps_its_alpha(tmp_path: Path) -> None:
    image = Image.new("P", (40, 30), 0)
    image.putpalette([255, 0, 0, 0, 0, 255])
    image.putpixel((0, 0), 1)
    path = _save(tmp_path / "palet.png", image, transparency=0)
    picture = _pixels(assets.prepare_image(path, 100, 100))
    assert picture.mode == "RGBA"
    assert picture.getpixel((0, 0)) == (0, 0, 255, 255)
    assert picture.getpixel((1, 1))[3] == 0  # type: ignore[index]


def test_grey_with_alpha_stays_grey_with_alpha(tmp_path: Path) -> None:
    path = _save(tmp_path / "alfa.png", Image.new("LA", (40, 30), (100, 50)))
    picture = _pixels(assets.prepare_image(path, 100, 100))
    assert (picture.mode, picture.getpixel((0, 0))) == ("LA", (100, 50))


def test_an_icc_profile_other_than_srgb_is_applied(tmp_path: Path) -> None:
    path = _save(tmp_path / "profiel.png", Image.new("RGB", (40, 30), "red"))
    path.write_bytes(b"")  # saved again below, with the profile
    Image.new("RGB", (40, 30), "red").save(path, icc_profile=swapped_profile())
    picture = _pixels(assets.prepare_image(path, 100, 100))
    assert picture.getpixel((0, 0)) == (0, 0, 255)  # its red is sRGB's blue


def test_a_lab_profile_on_an_rgb_image_is_refused_with_the_fix(tmp_path: Path) -> None:
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    path = _save(tmp_path / "lab.png", Image.new("RGB", (4, 4)), icc_profile=lab)
    with pytest.raises(assets.AssetError) as refused:
        assets.inspect_image(path, "images/lab.png")
    assert refused.value.message == (
        "failed to convert image 'images/lab.png' to sRGB"
        " (its colour profile cannot be used: cannot build transform)"
    )
    assert refused.value.hint == "open it in an image editor and save it again as sRGB"


@pytest.mark.parametrize("orientation", [6, 8])
def test_exif_orientation_turns_the_photo_and_its_size(tmp_path: Path, orientation: int) -> None:
    image = Image.new("RGB", (400, 200), "white")
    image.paste((255, 0, 0), (0, 0, 200, 200))  # the left half red
    exif = image.getexif()
    exif[0x0112] = orientation
    path = _save(tmp_path / "telefoon.jpg", image, exif=exif.tobytes(), quality=95)
    assert assets.image_size(path).width == 200
    assert assets.image_size(path).height == 400
    picture = _pixels(assets.prepare_image(path, 1000, 1000))
    assert picture.size == (200, 400)
    top = picture.getpixel((100, 20))
    bottom = picture.getpixel((100, 380))
    red_on_top = orientation == 6  # 6: turned clockwise, the left half ends up on top
    assert (top if red_on_top else bottom)[1] < 40  # type: ignore[index]


def test_an_image_is_never_upscaled(tmp_path: Path) -> None:
    path = _save(tmp_path / "klein.png", Image.new("RGB", (40, 30), "teal"))
    prepared = assets.prepare_image(path, 4000, 3000)
    assert (prepared.width, prepared.height) == (40, 30)


def test_a_jpeg_that_needs_no_change_is_kept_byte_for_byte(tmp_path: Path) -> None:
    path = _save(tmp_path / "foto.jpg", Image.new("RGB", (40, 30), "teal"))
    assert assets.prepare_image(path, 400, 300).jpeg == path.read_bytes()


@settings(max_examples=40, deadline=None)
@given(
    width=st.integers(1, 300),
    height=st.integers(1, 300),
    box_width=st.integers(1, 400),
    box_height=st.integers(1, 400),
)
def test_prepared_images_fit_their_box_and_keep_their_shape(
    tmp_path_factory: pytest.TempPathFactory,
    width: int,
    height: int,
    box_width: int,
    box_height: int,
) -> None:
    path = tmp_path_factory.mktemp("img") / "foto.png"
    Image.new("RGB", (width, height), "teal").save(path)
    prepared = assets.prepare_image(path, box_width, box_height)
    assert prepared.width <= max(1, min(width, box_width)) or prepared.width == 1
    assert prepared.height <= max(1, min(height, box_height)) or prepared.height == 1
    assert _pixels(prepared).size == (prepared.width, prepared.height)
    scale = min(1.0, box_width / width, box_height / height)
    assert abs(prepared.width - width * scale) <= 1
    assert abs(prepared.height - height * scale) <= 1


# -- what an unusable image is called ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "is an SVG drawing; export it as PNG"),
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<svg/>", "is an SVG drawing; export it as PNG"),
        (b"GIF89a....", "is a GIF image, not a PNG or JPEG"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "is a WebP image, not a PNG or JPEG"),
        (b"\0\0\0\x18ftypheic", "is a HEIC photo, not a PNG or JPEG"),
        (b"%PDF-1.7\n", "is a PDF document, not a PNG or JPEG"),
        (b"", "is an empty file"),
        (b"hallo", "is not a PNG or JPEG file"),
    ],
)
def test_an_unusable_file_is_named_with_what_it_is(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(data)
    with pytest.raises(assets.AssetError) as refused:
        assets.inspect_image(path, "images/logo.png")
    assert refused.value.message == f"image 'images/logo.png' {message}"


def test_too_many_pixels_gives_the_numbers_and_the_limit(tmp_path: Path) -> None:
    path = _save(tmp_path / "groot.png", Image.new("1", (8000, 5001)))
    with pytest.raises(assets.AssetError) as refused:
        assets.inspect_image(path, "images/groot.png")
    assert refused.value.message == (
        "image 'images/groot.png' has too many pixels"
        " (8000×5001 is 40.0 megapixels; the limit is 40 megapixels)"
    )


# -- whole builds --------------------------------------------------------------------------


@pytest.mark.e2e
def test_cmyk_16_bit_palette_grey_alpha_and_icc_images_make_a_conforming_pdf(
    tmp_path: Path,
) -> None:
    images = tmp_path / "images"
    _save(images / "drukwerk.jpg", Image.new("CMYK", (60, 40), (0, 255, 255, 0)))
    _save(images / "diep.png", Image.new("I;16", (60, 40), 40000))
    _save(images / "palet.png", Image.new("P", (60, 40)), transparency=0)
    _save(images / "alfa.png", Image.new("LA", (60, 40), (10, 200)))
    _save(images / "profiel.png", Image.new("RGB", (60, 40), "red"), icc_profile=swapped_profile())
    blocks = "".join(
        f"- image:\n    file: images/{name}\n    alt: {name}\n    width: 30%\n"
        for name in ("drukwerk.jpg", "diep.png", "palet.png", "alfa.png", "profiel.png")
    )
    result = _build(tmp_path, blocks)
    assert result.returncode == 0, result.stderr
    spaces = {space for space, *_ in _colour_spaces(tmp_path / "build/voortgangsrapport-2023.pdf")}
    assert spaces <= {"/DeviceRGB", "/DeviceGray"}
    # the build ran the same PDF/A check as publish: it would have refused the PDF otherwise
    from rapport.pdf.pdfa_check import check_pdfa

    assert check_pdfa(tmp_path / "build/voortgangsrapport-2023.pdf").passed


@pytest.mark.e2e
def test_an_image_shown_many_times_is_embedded_once_at_its_largest_size(tmp_path: Path) -> None:
    photo = Image.linear_gradient("L").resize((3000, 2000)).convert("RGB")
    _save(tmp_path / "images" / "foto.jpg", photo, quality=80)
    blocks = "".join(
        f"- image:\n    file: images/foto.jpg\n    alt: Foto {index}\n    width: {30 + index}%\n"
        for index in range(30)
    )
    result = _build(tmp_path, blocks)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "build/voortgangsrapport-2023.pdf"
    photos = [entry for entry in _colour_spaces(pdf) if entry[2] > 200]
    # one object, as wide as the widest use (59% of the 150 mm text column) needs at 300 dpi
    assert len(photos) == 1
    assert photos[0][2] == assets.print_pixels(0.59 * 150 / 25.4 * 72)
    assert pdf.stat().st_size < 400_000


@pytest.mark.e2e
def test_peak_memory_follows_the_image_not_its_uses(tmp_path: Path) -> None:
    """A 24-megapixel photo shown 40 times: before, each use decoded it at full size."""
    photo = Image.linear_gradient("L").resize((6000, 4000)).convert("RGB")
    _save(tmp_path / "images" / "foto.jpg", photo, quality=70)
    blocks = "".join(
        f"- image:\n    file: images/foto.jpg\n    alt: Foto {index}\n" for index in range(40)
    )
    make_project(tmp_path, chapter_with_blocks(blocks))
    process = subprocess.Popen(
        [sys.executable, "-m", "rapport", "-q", "build", "content/2023"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)  # the peak memory of this build alone
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0
    assert usage.ru_maxrss / 1024 < 1000  # MB; 40 full decodes took several GB (one: ~450 MB)


@pytest.mark.e2e
def test_an_svg_logo_is_reported_at_its_logo_line(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    edition = (
        "title: Testrapport\nyear: 2023\norganisation: Testorganisatie\n"
        "published: 2024-03-20\nlogo: images/logo.svg\n"
    )
    result = _build(tmp_path, "- paragraph: Tekst.\n", edition=edition)
    assert result.returncode == 1
    assert (
        "content/2023/edition.yaml:5:7: error: image 'images/logo.svg' is an SVG drawing;"
        " export it as PNG"
    ) in result.stderr


@pytest.mark.e2e
def test_build_refuses_a_pdf_that_fails_the_pdfa_check_and_names_the_images(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without its finishing (metadata, output intent), reportlab's PDF is no PDF/A: refused."""
    import rapport.pdf.write
    from rapport.diagnostics import ContentError
    from rapport.pipeline import build

    edition = make_project(
        tmp_path, chapter_with_blocks("- image:\n    file: images/foto.png\n    alt: Foto\n")
    )
    _save(tmp_path / "images" / "foto.png", Image.new("RGB", (40, 30), "teal"))
    monkeypatch.setattr(rapport.pdf.write, "finish_pdf", lambda *args, **kwargs: None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with pytest.raises(ContentError) as refused:
        build(edition, tmp_path / "uit.pdf")
    (problem,) = refused.value.diagnostics
    assert problem.message.startswith(
        "failed to make a PDF that conforms to PDF/A-2b, which it declares ("
    )
    assert problem.hint == (
        "the images in this PDF: images/foto.png; save them again as sRGB PNG or JPEG."
        " If that does not help, please report it as a bug in rapport"
    )
    assert not (tmp_path / "uit.pdf").exists()
