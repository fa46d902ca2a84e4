"""Files a report draws on besides its content: images, chapter icons and font coverage.

Every path is resolved and must stay inside the project's `images/` folder:
content never names a file elsewhere on the machine.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import logging
import math
import os
import struct
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapport.cache import IMAGES, Cache, file_digest, json_text
from rapport.paths import SRGB_PROFILE
from rapport.theme.fonts import font_facts

if TYPE_CHECKING:
    # Pillow is imported when an image is decoded, not before: a build whose images
    # the cache already knows (a warm web edition) does without it.
    from PIL import Image as PILImage
    from PIL import ImageCms

log = logging.getLogger(__name__)

IMAGES_DIR = "images"
ICONS_DIR = "images/icons"
ALLOWED_FORMATS = ("PNG", "JPEG")
MAX_IMAGE_BYTES = 20_000_000
MAX_IMAGE_PIXELS = 40_000_000
PRINT_DPI = 300  # images are embedded at most at this resolution at the size they are shown
JPEG_QUALITY = 90  # a photo that had to change (turned, scaled, converted) is saved again as JPEG
CHECK_SIZE = 256  # `check` decodes each image at most this large: enough to find damage
SRGB_PROFILE = SRGB_PROFILE
_PILLOW_FORMATS = ("PNG", "JPEG", "MPO")  # MPO: a phone's JPEG with a second, hidden picture
# Pillow's openers: its JPEG opener also opens an MPO; "MPO" has none of its own and, named,
# turns a file that no opener takes into a KeyError instead of a message.
_PILLOW_OPENERS = ("PNG", "JPEG")
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_SNIFF_BYTES = 1024
_EXIF_ORIENTATION = 0x0112
_TURNED = (5, 6, 7, 8)  # EXIF orientations that swap width and height
_OTHER_KINDS: tuple[tuple[Callable[[bytes], bool], str], ...] = (
    (lambda head: head.startswith((b"GIF87a", b"GIF89a")), "a GIF image"),
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP", "a WebP image"),
    (lambda head: head.startswith((b"II*\x00", b"MM\x00*")), "a TIFF image"),
    (lambda head: head.startswith(b"BM"), "a BMP image"),
    (
        lambda head: head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1"),
        "a HEIC photo",
    ),
    (lambda head: head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"), "an AVIF image"),
    (lambda head: head.startswith(b"%PDF"), "a PDF document"),
)
VARIATION_SELECTOR = "\ufe0f"


class AssetError(ValueError):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class ImageInfo:
    """An image as it is shown: its size after the EXIF orientation is applied."""

    path: Path
    width: int
    height: int
    format: str


@dataclass(frozen=True)
class PreparedImage:
    """An image ready for the PDF: 8-bit sRGB or grey (with alpha), at most the size it is shown at.

    `jpeg` holds JPEG data to embed as it is (a photo stays a JPEG in the PDF);
    otherwise `pixels` is the decoded image.
    """

    width: int
    height: int
    jpeg: bytes | None = None
    pixels: PILImage.Image | None = None


def resolve_image(root: Path, written: Path) -> Path:
    """The real path of an image named in content; it must lie under images/."""
    if written.is_absolute() or "://" in str(written):
        raise AssetError(
            f"image '{written}' must be a file in the project's images/ folder",
            "write e.g. images/foto.png",
        )
    try:
        images = (root / IMAGES_DIR).resolve()
        if not images.is_relative_to(root.resolve()):
            raise AssetError(
                f"image '{written}' lies outside the project folder (images/ is a link to elsewhere)",
                "make images/ a real folder inside the project",
            )
        candidate = (root / written).resolve()
        inside = candidate.is_relative_to(images)
        exists = inside and candidate.is_file()
    except AssetError:
        raise
    except (OSError, ValueError, RuntimeError) as exc:  # too long, a NUL, a link loop
        shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(written))
        raise AssetError(
            f"image '{shown}' cannot be opened ({getattr(exc, 'strerror', None) or exc})",
            "check the file name; it is relative to the project folder",
        ) from None
    if not inside:
        raise AssetError(
            f"image '{written}' lies outside the images/ folder",
            "copy the image into images/ and name it there",
        )
    if not exists:
        same, other_case = _spelled_otherwise(root / written)
        if same is not None and same.resolve().is_relative_to(images) and same.is_file():
            return same.resolve()  # the same name, its accents composed otherwise (NFC, NFD)
        hint = "check the file name; it is relative to the project folder"
        if other_case is not None:
            shown = (Path(written).parent / other_case.name).as_posix()
            hint = f"did you mean '{shown}'? capitals and small letters differ"
        raise AssetError(f"image '{written}' does not exist", hint)
    return candidate


def _spelled_otherwise(path: Path) -> tuple[Path | None, Path | None]:
    """A file beside `path` whose name is the same under Unicode NFC (a Mac writes 'é' as
    'e' and an accent), and one whose name differs from it in capitals only."""
    wanted = unicodedata.normalize("NFC", path.name)
    same = other_case = None
    try:
        names = sorted(os.listdir(path.parent))
    except (OSError, ValueError):
        return None, None
    for name in names:
        composed = unicodedata.normalize("NFC", name)
        if composed == wanted and same is None:
            same = path.parent / name
        elif composed.casefold() == wanted.casefold() and other_case is None:
            other_case = path.parent / name
    return same, other_case


def inspect_image(
    path: Path, name: str | Path | None = None, cache: Cache | None = None
) -> ImageInfo:
    """Check an image fully, as the build will use it: kind, size, pixels, decoding, colours.

    The pixels are decoded at a small size only (a JPEG decodes scaled down),
    which finds a truncated file or an unusable colour profile cheaply. With a
    `cache`, a file whose content passed before (same bytes, same Pillow) is
    not decoded again; a file that failed is always looked at again, so that
    its message is today's.
    """
    try:
        stat = path.stat()
    except OSError:
        return _inspected(path, _shown(path, name), -1, -1)  # reported by _opened
    inputs = _image_inputs(path, stat.st_size, stat.st_mtime_ns, "check", CHECK_SIZE, cache)
    if cache is not None and inputs is not None:
        known = cache.read(IMAGES, inputs, lambda text: _read_info(path, text))
        if known is not None:
            return known
    info = _inspected(path, _shown(path, name), stat.st_size, stat.st_mtime_ns)
    if cache is not None and inputs is not None:
        value = {"width": info.width, "height": info.height, "format": info.format}
        _remember(cache, inputs, json_text(value))
    return info


def _image_inputs(
    path: Path, size: int, modified: int, use: str, pixels: int, cache: Cache | None
) -> dict[str, Any] | None:
    """What a cached look at an image is keyed by: its bytes, what for and how large."""
    if cache is None or size > MAX_IMAGE_BYTES:  # too large: refused, never cached
        return None
    try:
        digest = file_digest(path)
    except OSError:  # unreadable: decoding reports it
        return None
    return {"sha256": digest, "use": use, "pixels": pixels}


def _remember(cache: Cache, inputs: dict[str, Any], value: bytes) -> None:
    try:
        cache.write(IMAGES, inputs, value)
    except OSError as exc:  # only time is lost: the image is looked at again next time
        log.debug("could not cache an image (%s)", exc)


def _read_info(path: Path, text: bytes) -> ImageInfo:
    value = json.loads(text)
    width, height, kind = value["width"], value["height"], value["format"]
    if not (_is_size(width) and _is_size(height) and kind in _PILLOW_FORMATS):
        raise ValueError("not an image's size and kind")
    return ImageInfo(path, width, height, kind)


def _is_size(value: object) -> bool:
    return type(value) is int and 0 < value <= MAX_IMAGE_PIXELS


@dataclass(frozen=True)
class WebImage:
    """An image as the web edition embeds it: PNG or JPEG bytes and their size in pixels."""

    data: bytes
    kind: str  # "png" or "jpeg"
    width: int
    height: int


def web_image(
    path: Path, pixels: int, *, name: str | Path | None = None, cache: Cache | None = None
) -> WebImage:
    """An image upright, sRGB, no larger than `pixels` on either side, as PNG or JPEG bytes.

    With a `cache`, made once per content of the file and size: Pillow is then
    not needed to embed it again.
    """
    try:
        stat = path.stat()
        inputs = _image_inputs(path, stat.st_size, stat.st_mtime_ns, "web", pixels, cache)
    except OSError:
        inputs = None  # reported by prepare_image
    if cache is not None and inputs is not None:
        known = cache.read(IMAGES, inputs, _read_web_image)
        if known is not None:
            return known
    made = _made_web_image(path, pixels, name)
    if cache is not None and inputs is not None:
        value = {
            "data": base64.b64encode(made.data).decode("ascii"),
            "kind": made.kind,
            "width": made.width,
            "height": made.height,
        }
        _remember(cache, inputs, json_text(value))
    return made


def _made_web_image(path: Path, pixels: int, name: str | Path | None) -> WebImage:
    prepared = prepare_image(path, pixels, pixels, name=name)
    if prepared.jpeg is not None:
        return WebImage(prepared.jpeg, "jpeg", prepared.width, prepared.height)
    assert prepared.pixels is not None
    buffer = io.BytesIO()
    prepared.pixels.save(buffer, format="PNG")  # optimize=True costs 20 ms an icon
    return WebImage(buffer.getvalue(), "png", prepared.width, prepared.height)


def _read_web_image(text: bytes) -> WebImage:
    value = json.loads(text)
    data = base64.b64decode(value["data"], validate=True)
    kind, width, height = value["kind"], value["width"], value["height"]
    expected = _PNG if kind == "png" else _JPEG if kind == "jpeg" else None
    if expected is None or not data.startswith(expected):
        raise ValueError("not a PNG or JPEG image")
    if not (_is_size(width) and _is_size(height)):
        raise ValueError("not an image's size")
    return WebImage(data, kind, width, height)


@lru_cache(maxsize=256)
def _inspected(path: Path, shown: str, size: int, modified: int) -> ImageInfo:
    """inspect_image of one version of a file (its size and time): once, however often it is used."""
    info = image_size(path, shown)
    prepare_image(path, CHECK_SIZE, CHECK_SIZE, name=shown)
    return info


def image_size(path: Path, name: str | Path | None = None) -> ImageInfo:
    """The size an image is shown at, from its header alone (nothing is decoded)."""
    with _opened(path, _shown(path, name)) as image:
        width, height = image.size
        if _orientation(image) in _TURNED:
            width, height = height, width
        return ImageInfo(path, width, height, image.format or "?")


def prepare_image(
    path: Path, max_width: int, max_height: int, *, name: str | Path | None = None
) -> PreparedImage:
    """Decode an image once, turned upright, as 8-bit sRGB, no larger than max_width×max_height.

    Never upscaled: a small image keeps its pixels. A JPEG that needs no change
    is kept byte for byte.
    """
    shown = _shown(path, name)
    with _opened(path, shown) as image:
        orientation = _orientation(image)
        upright = image.size[::-1] if orientation in _TURNED else image.size
        scale = min(1.0, max_width / upright[0], max_height / upright[1])
        target = (max(1, round(upright[0] * scale)), max(1, round(upright[1] * scale)))
        try:
            if image.format == "JPEG" and scale < 1:
                # A JPEG decodes at 1/2, 1/4 or 1/8 of its size for almost nothing.
                image.draft(None, target[::-1] if orientation in _TURNED else target)
            image.load()
            if _kept_as_is(image, orientation, scale):
                return PreparedImage(upright[0], upright[1], jpeg=path.read_bytes())
            from PIL import ImageOps

            picture = _to_srgb(ImageOps.exif_transpose(image), shown)
        except AssetError:
            raise
        except (OSError, SyntaxError, ValueError, MemoryError) as exc:
            raise AssetError(
                f"failed to read image '{shown}' ({exc})",
                "the file may be truncated or damaged; open it and save it again",
            ) from None
    if picture.size != target:
        from PIL import Image as PILImage

        picture = picture.resize(target, PILImage.Resampling.LANCZOS)
    if image.format == "JPEG" and picture.mode in ("RGB", "L"):
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        return PreparedImage(*target, jpeg=buffer.getvalue())
    return PreparedImage(*target, pixels=picture)


def print_pixels(points: float) -> int:
    """How many pixels a length in points needs at the print resolution."""
    return max(1, math.ceil(points / 72 * PRINT_DPI))


def _shown(path: Path, name: str | Path | None) -> str:
    return str(name) if name is not None else path.name


@contextlib.contextmanager
def _opened(path: Path, shown: str) -> Iterator[PILImage.Image]:
    """The image opened (its header read), once its kind, bytes and pixels are within the limits."""
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise AssetError(
                f"image '{shown}' is too large ({size:,} bytes; the limit is {MAX_IMAGE_BYTES:,})",
                "save a smaller version: 3000 pixels wide is plenty for a full page",
            )
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
    except OSError as exc:
        raise AssetError(
            f"failed to read image '{shown}' ({exc.strerror or exc})",
            "check that the file can be opened",
        ) from None
    _require_png_or_jpeg(head, shown)
    _require_pixels(head, shown)
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    with _pillow_bomb_check_off():  # rapport's own, lower limit applies below, with the numbers
        try:
            image = PILImage.open(path, formats=_PILLOW_OPENERS)
        except UnidentifiedImageError:  # its message names the full path: not repeated
            raise AssetError(
                f"failed to read image '{shown}' (its header is damaged)",
                "the file may be truncated or damaged; open it and save it again",
            ) from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise AssetError(
                f"failed to read image '{shown}' ({exc})",
                "the file may be truncated or damaged; open it and save it again",
            ) from None
    with image:
        width, height = image.size
        if width == 0 or height == 0:
            raise _no_pixels(shown, width, height)
        if width * height > MAX_IMAGE_PIXELS:
            raise AssetError(
                f"image '{shown}' has too many pixels ({width}×{height} is"
                f" {width * height / 1e6:,.1f} megapixels; the limit is"
                f" {MAX_IMAGE_PIXELS / 1e6:g} megapixels)",
                "scale it down: 3000×2000 pixels is plenty for a full page width",
            )
        yield image


def _require_png_or_jpeg(head: bytes, shown: str) -> None:
    if head.startswith(_PNG) or head.startswith(_JPEG):
        return
    if _is_svg(head):
        raise AssetError(
            f"image '{shown}' is an SVG drawing; export it as PNG",
            "open it in a drawing program (e.g. Inkscape) and export a PNG of at least"
            " 1000 pixels wide",
        )
    if not head:
        raise AssetError(f"image '{shown}' is an empty file", "save the image again")
    kind = next((kind for test, kind in _OTHER_KINDS if test(head)), None)
    if kind is not None:
        raise AssetError(
            f"image '{shown}' is {kind}, not a PNG or JPEG",
            "save it as PNG (drawings, logos) or JPEG (photos)",
        )
    raise AssetError(
        f"image '{shown}' is not a PNG or JPEG file",
        "save it as PNG (drawings, logos) or JPEG (photos)",
    )


def _require_pixels(head: bytes, shown: str) -> None:
    """A PNG whose header claims no pixels at all (0 wide or 0 high) is refused by name."""
    if head.startswith(_PNG) and head[12:16] == b"IHDR" and len(head) >= 24:
        width, height = struct.unpack(">II", head[16:24])
        if width == 0 or height == 0:
            raise _no_pixels(shown, width, height)


def _no_pixels(shown: str, width: int, height: int) -> AssetError:
    return AssetError(
        f"image '{shown}' has no pixels ({width}×{height})",
        "save the image again from the program that made it",
    )


def _is_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in text


@contextlib.contextmanager
def _pillow_bomb_check_off() -> Iterator[None]:
    """Pillow's decompression-bomb check off while only a header is read.

    Pillow refuses a huge image with a message that hides its size; rapport's
    own limit is lower and names the numbers. The decoding that follows is
    bounded by that limit.
    """
    from PIL import Image as PILImage

    saved = PILImage.MAX_IMAGE_PIXELS
    PILImage.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        PILImage.MAX_IMAGE_PIXELS = saved


def _orientation(image: PILImage.Image) -> int:
    if image.format == "PNG" and "exif" not in image.info:
        # Pillow would decode the whole PNG looking for EXIF after the pixels; the PNG
        # standard puts it before them, where reading the header has already looked.
        return 1
    try:
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except (OSError, SyntaxError, ValueError, TypeError):  # damaged EXIF: shown as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _kept_as_is(image: PILImage.Image, orientation: int, scale: float) -> bool:
    """Whether a JPEG's own bytes are what the PDF needs: upright, small enough, sRGB or grey."""
    return (
        image.format == "JPEG"
        and scale >= 1
        and orientation == 1
        and image.mode in ("RGB", "L")
        and _is_srgb(image.info.get("icc_profile"))
    )


def _is_srgb(icc: object) -> bool:
    """No profile (read as sRGB, as PDF/A's output intent says) or an sRGB profile."""
    if not icc or not isinstance(icc, bytes):
        return True
    from PIL import ImageCms

    try:
        description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return False  # unreadable: converting reports it
    return description.strip().lower().startswith("srgb")


def _to_srgb(image: PILImage.Image, shown: str) -> PILImage.Image:
    """The colour spaces PDF/A allows with an sRGB output intent: 8-bit sRGB or grey, alpha apart."""
    icc = image.info.get("icc_profile")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode in ("1", "I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        image = _to_grey(image)
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA", "PA") else None
    if image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB" if image.mode.startswith(("RGB", "P")) else "L")
    if not _is_srgb(icc) and image.mode in ("RGB", "L", "CMYK"):
        image = _convert_with_profile(image, icc, shown)
    elif image.mode == "CMYK":
        image = image.convert("RGB")  # no profile: Pillow's plain conversion
    if alpha is not None:
        image.putalpha(alpha)
    return image


def _to_grey(image: PILImage.Image) -> PILImage.Image:
    """16-bit (or 1-bit) grey as 8-bit: 65535 is white, not every value above 255."""
    if image.mode == "1":
        return image.convert("L")
    # A PNG holds 16-bit grey as I;16 or I: always 0…65535, even when every value is dark.
    return image.convert("I").point(lambda value: value * (255 / 65535)).convert("L")


def _convert_with_profile(image: PILImage.Image, icc: object, shown: str) -> PILImage.Image:
    assert isinstance(icc, bytes)
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image,
            source,
            _srgb_profile(),
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            outputMode="RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        raise AssetError(
            f"failed to convert image '{shown}' to sRGB (its colour profile cannot be used: {exc})",
            "open it in an image editor and save it again as sRGB",
        ) from None
    assert converted is not None
    return converted


@lru_cache(maxsize=1)
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    # The very profile every PDF declares as its output intent (pdfa.py).
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(str(SRGB_PROFILE))


def icon_key(icon: str) -> str:
    return "-".join(f"{ord(char):04x}" for char in icon if char != VARIATION_SELECTOR)


def icon_path(root: Path, icon: str) -> Path:
    return root / ICONS_DIR / f"emoji_u{icon_key(icon)}.png"


def available_icons(root: Path) -> list[str]:
    folder = root / ICONS_DIR
    names = sorted(p.stem.removeprefix("emoji_u") for p in folder.glob("emoji_u*.png"))
    return ["".join(chr(int(part, 16)) for part in name.split("-")) for name in names]


def font_coverage(path: Path) -> frozenset[int]:
    """The code points a TrueType font can draw, from the cache of the project it lies in."""
    return font_facts(path, path.parent.parent).characters  # project/fonts/name.ttf
