"""What a build imports, and the cache of checked and embedded images that spares Pillow.

A fresh `rapport` process spends about half of a warm build importing: a
library a build does not need must not be imported. Each import test runs a
fresh Python, since this one has imported everything long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib.metadata import version
from pathlib import Path

import pytest
from PIL import Image

from helpers import CHAPTER_YAML, make_project
from rapport import assets, cache
from rapport.assets import AssetError, inspect_image, web_image
from rapport.cache import IMAGES, Cache, json_text

ICON = "emoji_u2728.png"  # one of the project's chapter icons


def loaded_after(code: str, cwd: Path) -> set[str]:
    """The top-level modules a fresh Python has loaded after running `code` in `cwd`."""
    script = textwrap.dedent(code) + "\nimport sys\nprint(' '.join(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return {name.split(".")[0] for name in result.stdout.split()} | set(result.stdout.split())


def test_importing_rapport_imports_no_importlib_resources(tmp_path: Path) -> None:
    # importlib.abc imports it, and with it tempfile, inspect and more: 30 ms of every command
    assert "importlib.resources" not in loaded_after("import rapport", tmp_path)


@pytest.mark.e2e
@pytest.mark.slow
def test_a_warm_web_build_imports_neither_pillow_nor_the_pdf_libraries(tmp_path: Path) -> None:
    make_project(tmp_path, CHAPTER_YAML)  # its chapter shows an icon: an image to embed
    build = """
        from pathlib import Path
        from rapport.pipeline import build
        build(Path("content/2023"), Path("out.pdf"), formats=("html",))
    """
    cold = loaded_after(build, tmp_path)
    assert "PIL" in cold  # the icon was decoded once, and cached
    warm = loaded_after(build, tmp_path)
    assert not warm & {"PIL", "reportlab", "matplotlib", "fontTools", "pikepdf", "numpy"}


@pytest.mark.e2e
@pytest.mark.slow
def test_a_warm_pdf_build_imports_no_matplotlib_and_no_fonttools(tmp_path: Path) -> None:
    make_project(tmp_path, CHAPTER_YAML)
    build = """
        from pathlib import Path
        from rapport.pipeline import build
        build(Path("content/2023"), Path("out.pdf"))
    """
    loaded_after(build, tmp_path)
    assert not loaded_after(build, tmp_path) & {"matplotlib", "fontTools", "numpy"}


# -- the image cache --------------------------------------------------------------------


@pytest.fixture
def icon(tmp_path: Path) -> Path:
    make_project(tmp_path, CHAPTER_YAML)
    return tmp_path / "images" / "icons" / ICON


def entries(root: Path) -> list[Path]:
    return sorted((root / ".cache" / IMAGES.name).glob("*.json"))


def test_a_checked_image_is_known_to_a_fresh_process_without_pillow(icon: Path) -> None:
    root = icon.parents[2]
    first = inspect_image(icon, ICON, Cache.of_project(root))
    assert len(entries(root)) == 1
    check = f"""
        from pathlib import Path
        from rapport.assets import inspect_image
        from rapport.cache import Cache
        info = inspect_image(Path({str(icon)!r}), "icon", Cache.of_project(Path({str(root)!r})))
        assert (info.width, info.height, info.format) == {(first.width, first.height, first.format)!r}
    """
    assert "PIL" not in loaded_after(check, root)


def test_an_image_that_fails_its_check_is_never_cached(tmp_path: Path) -> None:
    broken = tmp_path / "images" / "kapot.png"
    broken.parent.mkdir()
    broken.write_bytes(icon_bytes()[:200])  # a PNG cut short
    for _ in range(2):  # the second look decodes again and says the same
        with pytest.raises(AssetError) as refused:
            inspect_image(broken, "kapot.png", Cache.of_project(tmp_path))
        assert refused.value.message.startswith("failed to read image 'kapot.png' (")
        assert refused.value.hint == (
            "the file may be truncated or damaged; open it and save it again"
        )
        assets._inspected.cache_clear()
    assert entries(tmp_path) == []


def icon_bytes() -> bytes:
    from helpers import REPO

    return (REPO / "images" / "icons" / ICON).read_bytes()


def test_an_embedded_image_from_the_cache_is_the_one_made(icon: Path) -> None:
    root = icon.parents[2]
    made = web_image(icon, 96, name=ICON, cache=Cache.of_project(root))
    assert entries(root)
    assert web_image(icon, 96, name=ICON, cache=Cache.of_project(root)) == made
    assert made == web_image(icon, 96, name=ICON)  # no cache: made again, the same
    assert made.kind == "png" and made.data.startswith(b"\x89PNG")
    assert max(made.width, made.height) <= 96


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"width": 0, "height": 10, "format": "PNG"}, "not an image's size and kind"),
        ({"width": 10, "height": 10, "format": "GIF"}, "not an image's size and kind"),
        ({"width": True, "height": 10, "format": "PNG"}, "not an image's size and kind"),
    ],
)
def test_a_checked_image_rapport_did_not_write_is_looked_at_again(
    icon: Path, value: dict[str, object], reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    root = icon.parents[2]
    store = Cache.of_project(root)
    inputs = {"sha256": cache.file_digest(icon), "use": "check", "pixels": assets.CHECK_SIZE}
    store.write(IMAGES, inputs, json_text(value))  # sealed: only the reader can refuse it
    info = inspect_image(icon, ICON, store)
    with Image.open(icon) as image:
        assert (info.width, info.height) == image.size
    assert f"the cached copy is damaged (not what was written: {reason})" in caplog.text
    assert json.loads(store.path(IMAGES, inputs).read_bytes())["value"]["width"] == image.size[0]


def test_an_embedded_image_rapport_did_not_write_is_made_again(
    icon: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = icon.parents[2]
    store = Cache.of_project(root)
    inputs = {"sha256": cache.file_digest(icon), "use": "web", "pixels": 64}
    forged = {"data": "R0lGODlh", "kind": "png", "width": 1, "height": 1}  # a GIF's bytes
    store.write(IMAGES, inputs, json_text(forged))
    made = web_image(icon, 64, name=ICON, cache=store)
    assert made.data.startswith(b"\x89PNG") and made.width > 1
    assert "(not what was written: not a PNG or JPEG image)" in caplog.text


def test_pillows_version_is_read_without_importing_it() -> None:
    assert cache.installed_version("pillow") == version("pillow")
