"""Files a report draws on besides its content: images, chapter icons and font coverage.

Every path is resolved and must stay inside the project's `images/` folder:
content never names a file elsewhere on the machine.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from .atomic import write_atomically
from .fontfiles import font_characters
from .paths import CACHE_DIR

IMAGES_DIR = "images"
ICONS_DIR = "images/icons"
ALLOWED_FORMATS = ("PNG", "JPEG")
MAX_IMAGE_BYTES = 20_000_000
MAX_IMAGE_PIXELS = 40_000_000
VARIATION_SELECTOR = "\ufe0f"


class AssetError(ValueError):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class ImageInfo:
    path: Path
    width: int
    height: int
    format: str


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
        raise AssetError(
            f"image '{written}' does not exist",
            "check the file name; it is relative to the project folder",
        )
    return candidate


def inspect_image(path: Path) -> ImageInfo:
    """Open an image as PNG or JPEG only, within size limits, and check it decodes."""
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise AssetError(
            f"image is too large ({size:,} bytes; the limit is {MAX_IMAGE_BYTES:,})",
            "save a smaller version",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            with PILImage.open(path, formats=ALLOWED_FORMATS) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise AssetError(
                        f"image has too many pixels ({width}×{height})",
                        "scale it down below 40 megapixels",
                    )
                image_format = image.format or "?"
                image.load()
        except AssetError:  # a ValueError itself: not to be taken for a decoding failure
            raise
        except (
            UnidentifiedImageError,
            PILImage.DecompressionBombError,
            PILImage.DecompressionBombWarning,
        ):
            raise AssetError(
                "image is not a PNG or JPEG file, or is too large to open", "save it as PNG or JPEG"
            ) from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise AssetError(
                f"image cannot be read ({exc})", "the file may be truncated; save it again"
            ) from None
    return ImageInfo(path, width, height, image_format)


def icon_key(icon: str) -> str:
    return "-".join(f"{ord(char):04x}" for char in icon if char != VARIATION_SELECTOR)


def icon_path(root: Path, icon: str) -> Path:
    return root / ICONS_DIR / f"emoji_u{icon_key(icon)}.png"


def available_icons(root: Path) -> list[str]:
    folder = root / ICONS_DIR
    names = sorted(p.stem.removeprefix("emoji_u") for p in folder.glob("emoji_u*.png"))
    return ["".join(chr(int(part, 16)) for part in name.split("-")) for name in names]


@lru_cache(maxsize=16)
def font_coverage(path: Path) -> frozenset[int]:
    """The code points a TrueType font can draw.

    Kept in the project's cache beside the font's size and time, so that a
    rebuild does not read the font file again.
    """
    info = path.stat()
    store = (
        path.parent.parent
        / CACHE_DIR
        / f"coverage-{path.stem}-{info.st_size}-{info.st_mtime_ns}.json"
    )
    try:
        codes = json.loads(store.read_text(encoding="utf-8"))
        if isinstance(codes, list) and all(isinstance(code, int) for code in codes):
            return frozenset(codes)
    except (OSError, ValueError):
        pass  # not cached yet, or damaged: read the font
    coverage = font_characters(path)
    with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
        write_atomically(store, json.dumps(sorted(coverage)).encode())
    return coverage
