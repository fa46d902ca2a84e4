"""A real browser for the web edition's tests: Debian's headless chromium, driven by selenium.

`make test` installs chromium, chromium-driver and axe-core first
(tools/browser-deps). The browser starts with the background services that
phone home switched off, so any request it makes comes from the page itself:
`requests()` lists them from the browser's own network log.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from helpers import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# What axe-core calls the rules of WCAG 2.1 levels A and AA.
WCAG_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
QUIET_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-color-profile=srgb",
    "--font-render-hinting=none",
)


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not Path(path).exists():
            return f"{name} is not installed (make test installs it: tools/browser-deps)"
    if not AXE.exists():
        return "axe-core is not installed (make test installs it: tools/browser-deps)"
    return None


@dataclass
class Browser:
    driver: Any
    page: str = ""

    def open(self, url: str, width: int, height: int = 900) -> None:
        """Load `url` in a viewport `width` CSS pixels wide, as a phone or desktop shows it."""
        self.console_errors()  # forget what the browser's own start page said
        self.page = url
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )
        self.driver.get(url)

    def script(self, source: str, *args: Any) -> Any:
        return self.driver.execute_script(source, *args)

    def console_errors(self) -> list[str]:
        return [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if entry["level"] in ("SEVERE", "ERROR")
        ]

    def requests(self) -> list[str]:
        """Every address the opened page asked for since the last call, from the network log.

        The browser's own start page (chrome://) runs beside it; only requests
        made for the document opened last count.
        """
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if (
                message["method"] == "Network.requestWillBeSent"
                and params.get("documentURL") == self.page
            ):
                urls.append(params["request"]["url"])
        return urls

    def screenshot(self) -> Image.Image:
        """The whole page, not only the viewport."""
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics["cssContentSize"]
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size["width"],
                    "height": size["height"],
                    "scale": 1,
                },
            },
        )
        return Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")

    def axe_violations(self, tags: tuple[str, ...] = WCAG_AA_TAGS) -> list[dict[str, Any]]:
        """axe-core's violations of the given rule tags on the page now shown."""
        self.script(AXE.read_text(encoding="utf-8"))
        result: dict[str, Any] = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]},"
            " resultTypes: ['violations']})"
            ".then(r => done(r), e => done({error: String(e)}));",
            list(tags),
        )
        if "error" in result:
            raise RuntimeError(f"axe-core failed: {result['error']}")
        violations: list[dict[str, Any]] = result["violations"]
        return violations


@contextmanager
def chromium() -> Iterator[Browser]:
    """A fresh headless chromium with an empty profile, closed afterwards."""
    with tempfile.TemporaryDirectory(prefix="rapport-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in QUIET_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        driver.set_script_timeout(60)
        try:
            yield Browser(driver)
        finally:
            driver.quit()


def describe(violations: list[dict[str, Any]]) -> str:
    """axe-core's violations, one line each, for an assertion message."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])}× e.g. "
        f"{v['nodes'][0]['target'] if v['nodes'] else ''}"
        for v in violations
    )
