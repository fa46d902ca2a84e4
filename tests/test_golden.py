"""Golden page images: the cover, the contents page and the first chapter opener.

Pages are rendered with pypdfium2 at 50 dpi in grayscale and compared with
tests/golden/page-N.png, allowing for small differences in anti-aliasing.
After an intended change of the layout, regenerate the images with
`make golden` (RAPPORT_REGENERATE_GOLDEN=1) and look at them before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from rapport.pipeline import build

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
EDITION_DIR = REPO / "content" / "2023"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
DPI = 50
PAGES = {1: "cover", 2: "contents", 3: "first chapter opener"}
MEAN_TOLERANCE = 1.5  # mean absolute difference, on 0–255
OUTLIER_LEVEL = 64  # a pixel differing by more than this is an outlier …
OUTLIER_FRACTION = 0.005  # … and at most 0.5% of the pixels may be outliers
REGENERATE = os.environ.get("RAPPORT_REGENERATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Image.Image]:
    """Pages 1–3 of a fresh build of the 2023 edition, as grayscale images."""
    output = tmp_path_factory.mktemp("golden-build") / "voortgangsrapport-2023.pdf"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        build(EDITION_DIR, output)
    document = pdfium.PdfDocument(output)
    try:
        images = {}
        for number in PAGES:
            page = document[number - 1]
            bitmap = page.render(scale=DPI / 72, grayscale=True)
            images[number] = bitmap.to_pil().convert("L")
            bitmap.close()
            page.close()
        return images
    finally:
        document.close()


@pytest.mark.parametrize("number", list(PAGES), ids=[f"page-{n}" for n in PAGES])
def test_page_matches_golden_image(
    number: int,
    rendered: dict[int, Image.Image],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    actual = rendered[number]
    golden_path = GOLDEN_DIR / f"page-{number}.png"
    if REGENERATE:
        GOLDEN_DIR.mkdir(exist_ok=True)
        actual.save(golden_path, optimize=True)
        with capsys.disabled():
            print(f"\nregenerated {golden_path} ({PAGES[number]}, {actual.width}×{actual.height})")
        return

    assert golden_path.is_file(), (
        f"no golden image {golden_path}; create it with `make golden` and look at it"
    )
    with Image.open(golden_path) as stored:
        golden = stored.convert("L")
    actual_path = tmp_path / f"page-{number}-actual.png"
    if golden.size != actual.size:
        actual.save(actual_path)
        pytest.fail(
            f"page {number} ({PAGES[number]}) is {actual.size} pixels, the golden image "
            f"{golden.size}; actual image: {actual_path}"
        )

    difference = np.abs(np.asarray(actual, dtype=np.int16) - np.asarray(golden, dtype=np.int16))
    mean = float(difference.mean())
    outliers = float((difference > OUTLIER_LEVEL).mean())
    if mean >= MEAN_TOLERANCE or outliers >= OUTLIER_FRACTION:
        diff_path = tmp_path / f"page-{number}-diff.png"
        actual.save(actual_path)
        # Differences shown dark on white, amplified so that small shifts are visible.
        Image.fromarray((255 - np.clip(difference * 4, 0, 255)).astype(np.uint8)).save(diff_path)
        pytest.fail(
            f"page {number} ({PAGES[number]}) differs from {golden_path}: mean difference "
            f"{mean:.2f} (tolerance {MEAN_TOLERANCE}), {outliers:.2%} of pixels differ by more "
            f"than {OUTLIER_LEVEL} (tolerance {OUTLIER_FRACTION:.1%}).\n"
            f"  actual: {actual_path}\n  diff:   {diff_path}\n"
            "If the change is intended, run `make golden` and look at the new images."
        )
