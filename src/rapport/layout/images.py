"""Images on the page: each file decoded once, at the largest size it is shown at, and shared.

A 38-megapixel photo shown forty times used to be decoded forty times at full
size. Now the story first records every use of an image (`ImageStore.use`);
when the page is drawn, the image is prepared once (turned upright, converted
to sRGB, scaled to its largest use at the print resolution, see
`assets.prepare_image`) and becomes one image object of the PDF that every
use refers to (`ReportCanvas.drawImage`, in document.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from rapport.assets import prepare_image, print_pixels


class SharedImage:
    """One image file as the PDF holds it, whatever the number of its uses."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name  # as the content names it, for messages
        self.width = 0.0  # the largest size it is shown at, in points
        self.height = 0.0

    def shown_at(self, width: float, height: float) -> None:
        self.width = max(self.width, width)
        self.height = max(self.height, height)

    def reader(self) -> ImageReader:
        """The pixels for the PDF, decoded now; the canvas asks only once."""
        prepared = prepare_image(
            self.path, print_pixels(self.width), print_pixels(self.height), name=self.name
        )
        if prepared.jpeg is not None:  # reportlab embeds JPEG data as it is
            return ImageReader(io.BytesIO(prepared.jpeg))
        return ImageReader(prepared.pixels)


class ImageStore:
    """The images of one build, one `SharedImage` per file."""

    def __init__(self) -> None:
        self._images: dict[Path, SharedImage] = {}

    def use(self, path: Path, name: str, width: float, height: float) -> SharedImage:
        image = self._images.setdefault(path, SharedImage(path, name))
        image.shown_at(width, height)
        return image

    def __iter__(self) -> Iterator[SharedImage]:
        return iter(self._images.values())


class PlacedImage(Flowable):  # type: ignore[misc]
    """One use of a shared image, `width`×`height` points on the page."""

    def __init__(
        self, image: SharedImage, width: float, height: float, hAlign: str = "CENTER"
    ) -> None:
        super().__init__()
        self.image = image
        self.width = width
        self.height = height
        self.hAlign = hAlign

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.image, 0, 0, self.width, self.height, mask="auto")


def draw_shared(canvas: Any, image: SharedImage, box: tuple[float, float, float, float]) -> None:
    """Draw `image` in box (x, y, width, height): its first use makes the PDF image object.

    Later uses place that object again by name, as reportlab itself does for an
    image it has seen, but without decoding the pixels again to recognise it.
    """
    x, y, width, height = box
    placed: dict[int, str] = canvas.__dict__.setdefault("_shared_images", {})
    name = placed.get(id(image))
    if name is None:
        named: dict[str, Any] = {"name": None}  # reportlab fills in the name it gave the object
        canvas.draw_new_image(image.reader(), x, y, width, height, mask="auto", extraReturn=named)
        placed[id(image)] = named["name"]
        return
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas.doForm(name)  # an image is a form to reportlab: placed by name
    canvas.restoreState()
