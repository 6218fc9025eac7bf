"""Maps in a real browser: headless Debian Chromium, no network, reads back the DOM and a screenshot.

Skips when /usr/bin/chromium is missing (CI's .ci/run installs it, with fonts-noto-cjk for Chinese).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_maps import drawn_on_opening, embedded_layers, result_frames

from siting import maps

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")]

# No network at all: every host name fails to resolve and any connection would go to a dead proxy.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--window-size=1280,860",
]


def rendered_dom(page: Path, *args: str) -> str:
    """The DOM after the page's scripts ran (and whatever ``args`` ask for, e.g. a screenshot)."""
    profile = page.with_suffix(".profile")
    return subprocess.run(
        [
            str(CHROMIUM),
            *FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


def overlay_paths(dom: str) -> list[int]:
    """SVG paths drawn in each map's overlay pane (the attribution's flag is an SVG too, elsewhere)."""
    panes = re.findall(r'<div class="leaflet-pane leaflet-overlay-pane"[^>]*>(.*?)</div>', dom, re.S)
    return [pane.count("<path") for pane in panes]


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory) -> tuple[str, Path]:
    """The small result map without base map, rendered once: its DOM and a screenshot."""
    folder = tmp_path_factory.mktemp("browser")
    page = maps.save_map(maps.result_map(**result_frames(), basemap=None), folder / "map.html")
    png = folder / "map.png"
    return rendered_dom(page, f"--screenshot={png}"), png


def test_result_map_draws_every_feature_legend_and_chinese_labels(demo_page):
    dom, _ = demo_page
    assert overlay_paths(dom) == [drawn_on_opening(result_frames())] == [16]
    # The layer control lists all ten layers; the legend, title and summary boxes are in the page.
    control = re.search(r'<section class="leaflet-control-layers-list">(.*?)</section>', dom, re.S).group(1)
    assert control.count('type="checkbox"') == 10
    assert control.count("checked") == 6
    assert 'class="siting-box siting-legend leaflet-control"' in dom
    for text in (
        "图例",
        "步行圈内",
        "步行圈外",
        "不可达",
        "小区：步行圈覆盖",
        "社区养老服务设施布局",
        "方案: 现状",
        "62.3%",
    ):
        assert text in dom
    # The proposal's rank is printed on it (a permanent tooltip).
    assert re.search(r'class="leaflet-tooltip siting-rank[^"]*"[^>]*>1</div>', dom)


def test_screenshot_is_not_blank(demo_page):
    image_module = pytest.importorskip("PIL.Image")
    image = image_module.open(demo_page[1]).convert("RGB")
    assert image.size == (1280, 860)
    pixels = np.asarray(image).reshape(-1, 3).astype(int)
    r, g, b = pixels.T
    assert len(np.unique(r << 16 | g << 8 | b)) > 50
    # Areas beyond the walking circle are red (#d73027 over the plain background), those within green.
    assert ((r > 200) & (g < 150) & (b < 150)).sum() > 2000
    assert ((g > 150) & (r < 150) & (b < 150)).sum() > 2000
    background = (pixels == (247, 246, 242)).all(axis=1).mean()
    assert 0.3 < background < 0.95


def test_data_layers_show_when_tiles_cannot_load(tmp_path):
    frames = result_frames()
    page = maps.save_map(maps.result_map(**frames, basemap="osm"), tmp_path / "osm.html")
    dom = rendered_dom(page)
    assert overlay_paths(dom) == [drawn_on_opening(frames)]
    assert "tile.openstreetmap.org" in dom  # tiles were asked for, and failed: no network


def test_comparison_map_draws_both_sides(tmp_path):
    frames = result_frames()
    plan_b = {
        "areas": frames["areas"],
        "facilities": frames["facilities"],
        "proposals": frames["proposals"],
        "summary": {**frames["summary"], "scenario": "方案B"},
    }
    page = maps.save_map(maps.comparison_map(frames, plan_b, basemap=None), tmp_path / "compare.html")
    dom = rendered_dom(page)
    # Left: everything; right: areas, facilities and the proposal (no service areas or units given).
    assert overlay_paths(dom) == [drawn_on_opening(frames), 9 + 2 + 1]
    assert dom.count('class="siting-box siting-legend leaflet-control"') == 1
    assert "方案: 现状" in dom and "方案: 方案B" in dom


def test_tooltips_and_popups_show_the_figures(tmp_path):
    page = maps.save_map(maps.result_map(**result_frames(), basemap=None), tmp_path / "map.html")
    text = page.read_text(encoding="utf-8")
    walk_layer = embedded_layers(text)["小区：步行圈覆盖"]["var"]
    # Open the 5th area's tooltip and the 1st area's popup, as hovering and clicking would.
    opener = (
        f"<script>(function() {{ var i = 0; {walk_layer}.eachLayer(function(layer) {{"
        " if (i === 0) { layer.openPopup(); } if (i === 4) { layer.openTooltip(); } i += 1; }); })();</script>"
    )
    page.write_text(text.replace("</html>", opener + "</html>"), encoding="utf-8")
    dom = rendered_dom(page)
    popup = re.search(r'<div class="leaflet-popup-content"[^>]*>(.*?)</div>', dom, re.S).group(1)
    for cell in (
        "<th>名称</th><td>小区0</td>",
        "<th>户数(户)</th><td>100</td>",
        "<th>步行时间(分钟)</th><td>5.0</td>",
        "<th>类型</th><td>已建</td>",
        "<th>应配建面积(平方米)</th><td>20</td>",
        "<th>现有配建面积(平方米)</th><td>0</td>",
        "<th>面积缺口(平方米)</th><td>20</td>",
    ):
        assert cell in popup
    tooltip = re.search(r'<div class="leaflet-tooltip [^"]*"[^>]*><table>(.*?)</table>', dom, re.S).group(1)
    assert "<th>名称</th><td>小区4</td>" in tooltip and "<th>步行时间(分钟)</th><td>不可达</td>" in tooltip
    # The tooltip is the short one: no distances.
    assert "直线距离" not in tooltip and "直线距离" in popup
