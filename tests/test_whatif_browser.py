"""Notebook 06 in a real browser: Voilà serves it, Debian's headless Chromium (driven by Playwright) clicks the map.

The map and its panel render, and a click on the street at the map's centre (the street next to the
worst-served 小区, where the notebook centres the map) adds a centre and changes the share within the
walk. Skips without /usr/bin/chromium (CI's .ci/run installs it), Voilà or Playwright's Python package;
Playwright never downloads a browser here: it drives Debian's.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.heavy,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
    # found, not imported: importing Voilà costs every test process almost two seconds at collection
    pytest.mark.skipif(
        not all(importlib.util.find_spec(name) for name in ("playwright", "voila", "ipyleaflet")),
        reason="playwright, voila or ipyleaflet is not installed",
    ),
]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # no network but the local server: host names do not resolve (127.0.0.1 is no host name)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
WALK_ROW = "Share within walking circle (households)"
#: Seconds for Voilà to run the notebook (it proposes a plan on the way) and the page to draw.
PAGE_TIMEOUT_S = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory):
    """Notebook 06, copied to a scratch folder, served by Voilà on a free local port."""
    folder = tmp_path_factory.mktemp("voila") / "notebooks"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "06_what_if.ipynb", folder)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = (folder / "voila.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voila",
            "06_what_if.ipynb",
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--show_tracebacks=True",
            f"--Voila.root_dir={folder}",
        ],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()  # listening: ready
            break
        except OSError:
            time.sleep(0.5)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def walk_share(panel_text: str) -> tuple[str, str]:
    """The start and now cells of the panel's walking-circle row, from the panel's text."""
    found = re.search(re.escape(WALK_ROW) + r"\s+([\d.]+%)\s+→\s+([\d.]+%)", panel_text)
    assert found, panel_text[:500]
    return found.group(1), found.group(2)


def test_notebook_06_map_renders_and_a_click_adds_a_centre(voila_url):
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(voila_url, timeout=PAGE_TIMEOUT_S * 1000)
            page.wait_for_selector(".siting-panel", timeout=PAGE_TIMEOUT_S * 1000)
            container = page.locator(".siting-whatif .leaflet-container").first
            container.wait_for(timeout=60_000)
            # the streets and 小区 are drawn (SVG paths in the overlay pane), with no tile layer
            page.wait_for_function(
                "document.querySelectorAll('.siting-whatif .leaflet-overlay-pane path').length > 100",
                timeout=60_000,
            )
            assert page.locator(".siting-whatif .leaflet-tile").count() == 0
            panel = page.locator(".siting-panel").first
            start, now = walk_share(panel.inner_text())
            assert start == now
            container.scroll_into_view_if_needed()  # the map is the notebook's last output, below the fold
            box = container.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 300
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_function(
                "[...document.querySelectorAll('.siting-whatif')].some(e => e.innerText.includes('Added N1'))",
                timeout=60_000,
            )
            page.wait_for_function(
                "document.querySelector('.siting-panel').innerText.includes('edits: 1')",
                timeout=60_000,
            )
            after_start, after_now = walk_share(panel.inner_text())
            assert after_start == start and float(after_now[:-1]) > float(start[:-1])
        finally:
            browser.close()
