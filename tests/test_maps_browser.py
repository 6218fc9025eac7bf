"""Maps in a real browser: headless Debian Chromium, no network, reads back the DOM and a screenshot.

Skips when /usr/bin/chromium is missing (CI's .ci/run installs it, with fonts-noto-cjk for Chinese).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_maps import drawn_on_opening, embedded_layers, result_frames, street_frame

from siting import maps

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.heavy,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]

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
    assert control.count('type="checkbox"') == 11  # with the name labels
    assert control.count("checked") == 7
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


# --- the street layer when the base map cannot load ---------------------------------------------------
TILE_LOADED = 'class="leaflet-tile leaflet-tile-loaded"'  # a tile element that arrived (not the CSS rule)
STREETS_PANE = re.compile(r'<div class="leaflet-pane leaflet-sitingStreets-pane"[^>]*>(.*?)</div>', re.S)


def street_paths(dom: str) -> int:
    return sum(pane.count("<path") for pane in STREETS_PANE.findall(dom))


def layer_checked(dom: str, name: str) -> bool:
    """Whether the layer control ticks ``name``."""
    (tag,) = re.findall(rf"<input [^>]*>(?=<span> {re.escape(name)}</span>)", dom)
    return "checked" in tag


def street_pixels(png: Path) -> int:
    """Pixels of the streets' warm grey (#8f8a80 and #a8a398 over paper, anti-aliased): no other layer,
    nor Leaflet's grey or the paper, has red 8-22 above blue and green just under red."""
    image = pytest.importorskip("PIL.Image").open(png).convert("RGB")
    r, g, b = np.asarray(image).reshape(-1, 3).astype(int).T
    return int(((r >= 120) & (r <= 205) & (r - b >= 8) & (r - b <= 22) & (r - g >= 1) & (r - g <= 9)).sum())


def with_tiles(page: Path, behaviour: str) -> Path:
    """The page with Leaflet's tile loading replaced before the map starts: "hang" (no tile ever answers,
    as behind a firewall that drops requests) or "load" (every tile arrives at once)."""
    create = {
        # Leaflet waits for "done" only when createTile declares it: never called, the tile never comes.
        "hang": "function(coords, done) { return document.createElement('div'); }",
        "load": "function(coords, done) { var tile = document.createElement('div');"
        " setTimeout(function() { done(null, tile); }, 0); return tile; }",
    }[behaviour]
    text = page.read_text(encoding="utf-8")
    patched = page.with_name(f"{page.stem}_{behaviour}.html")
    patched.write_text(
        text.replace("</head>", f"<script>L.TileLayer.prototype.createTile = {create};</script></head>", 1),
        encoding="utf-8",
    )
    return patched


def test_streets_are_drawn_when_tiles_are_blocked(tmp_path):
    """No network: every tile fails, the street layer switches on and the background turns to paper."""
    frames = result_frames()
    page = maps.save_map(maps.result_map(**frames, streets=street_frame(), basemap="osm"), tmp_path / "osm.html")
    png = tmp_path / "osm.png"
    dom = rendered_dom(page, f"--screenshot={png}")
    assert "tile.openstreetmap.org" in dom and TILE_LOADED not in dom  # asked for, none came
    assert street_paths(dom) == 9 and layer_checked(dom, "路网")
    assert "background: rgb(247, 246, 242)" in dom
    assert overlay_paths(dom) == [drawn_on_opening(frames)]  # the data as before, on top
    # The same map without streets has none of their grey.
    bare = maps.save_map(maps.result_map(**frames, basemap="osm"), tmp_path / "bare.html")
    bare_png = tmp_path / "bare.png"
    rendered_dom(bare, f"--screenshot={bare_png}")
    assert street_pixels(png) > 1500 and street_pixels(bare_png) < 100


def test_streets_are_drawn_when_tiles_never_answer(tmp_path):
    page = maps.save_map(
        maps.result_map(**result_frames(), streets=street_frame(), basemap="amap"), tmp_path / "a.html"
    )
    dom = rendered_dom(with_tiles(page, "hang"))
    # No error, no tile: after TILE_TIMEOUT_MS (4 s of the 5 s the page is given) the streets show.
    assert TILE_LOADED not in dom
    assert street_paths(dom) == 9 and layer_checked(dom, "路网")


def test_streets_stay_off_while_tiles_load(tmp_path):
    page = maps.save_map(maps.result_map(**result_frames(), streets=street_frame(), basemap="osm"), tmp_path / "o.html")
    dom = rendered_dom(with_tiles(page, "load"))
    assert TILE_LOADED in dom
    assert street_paths(dom) == 0 and not layer_checked(dom, "路网")
    assert "background: rgb(247, 246, 242)" not in dom


def test_streets_shown_on_a_plain_background(tmp_path):
    page = maps.save_map(maps.result_map(**result_frames(), streets=street_frame(), basemap=None), tmp_path / "p.html")
    dom = rendered_dom(page)
    assert street_paths(dom) == 9 and layer_checked(dom, "路网")


def test_comparison_legend_covers_no_data(tmp_path):
    """The legend is opaque and the first view puts the data beside it, on both sides alike."""
    frames = result_frames()
    plan_b = {**frames, "summary": {**frames["summary"], "scenario": "方案B"}}
    page = maps.save_map(maps.comparison_map(frames, plan_b, basemap=None), tmp_path / "compare.html")
    text = page.read_text(encoding="utf-8")
    left_map, right_map = re.findall(r'<div class="folium-map" id="(map_\w+)"', text)
    probe = (
        "<script>setTimeout(function() {"
        f" var right = document.getElementById('{right_map}');"
        " var legend = right.querySelector('.siting-legend').getBoundingClientRect();"
        " var paths = right.querySelectorAll('.leaflet-overlay-pane path');"
        " var data = Math.min.apply(null, Array.prototype.map.call(paths, function(p) {"
        "   return p.getBoundingClientRect().left; }));"
        f" var a = {left_map}, b = {right_map};"
        " var out = document.createElement('pre'); out.id = 'probe';"
        " out.textContent = JSON.stringify({legend_right: legend.right, data_left: data,"
        "   same_view: a.getCenter().equals(b.getCenter()) && a.getZoom() === b.getZoom(),"
        "   background: getComputedStyle(right.querySelector('.siting-legend')).backgroundColor});"
        " document.body.appendChild(out); }, 2000);</script>"
    )
    page.write_text(text.replace("</html>", probe + "</html>"), encoding="utf-8")
    dom = rendered_dom(page)
    probe_out = json.loads(html.unescape(re.search(r'<pre id="probe">(.*?)</pre>', dom).group(1)))
    assert probe_out["legend_right"] < probe_out["data_left"]
    assert probe_out["same_view"] and probe_out["background"] == "rgb(255, 255, 255)"


# --- names as labels ---------------------------------------------------------------------------------
def labels_at(page: Path, lat: float, lon: float, zoom: float) -> dict:
    """The labels shown after the view moves to (lat, lon) at ``zoom``: text and box of each on screen."""
    text = page.read_text(encoding="utf-8")
    (map_var,) = re.findall(r"var (map_\w+) = L\.map\(", text)
    probe = (
        "<script>window.addEventListener('load', function() { setTimeout(function() {"
        f" {map_var}.setView([{lat}, {lon}], {zoom}, {{animate: false}});"
        " setTimeout(function() { var out = [];"
        " document.querySelectorAll('.siting-label').forEach(function(el) {"
        "  if (el.style.display === 'none') { return; }"
        "  var r = el.firstChild.getBoundingClientRect();"
        "  out.push({text: el.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom}); });"
        " var pre = document.createElement('pre'); pre.id = 'siting-probe';"
        f" pre.textContent = JSON.stringify({{zoom: {map_var}.getZoom(), labels: out}});"
        " document.body.appendChild(pre); }, 300); }, 300); });</script>"
    )
    probed = page.with_name(f"{page.stem}_z{zoom}.html")
    probed.write_text(text.replace("</html>", probe + "</html>"), encoding="utf-8")
    dom = rendered_dom(probed)
    return json.loads(html.unescape(re.search(r'<pre id="siting-probe">(.*?)</pre>', dom, re.S).group(1)))


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["text"], b["text"])
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]
    ]


def test_names_show_when_zoomed_in_without_overlapping(tmp_path):
    frames = result_frames()
    # the proposal right on the township centre: their names would overlap
    frames["proposals"] = frames["proposals"].set_geometry([frames["facilities"].geometry.iloc[0]])
    page = maps.save_map(maps.result_map(**frames, basemap=None), tmp_path / "labels.html")
    centre = frames["areas"].to_crs(4326).geometry.iloc[4].centroid
    far = labels_at(page, centre.y, centre.x, 14)
    assert far["zoom"] == 14 and far["labels"] == []  # zoomed out: no name at all
    near = labels_at(page, centre.y, centre.x, 17)
    shown = [label["text"] for label in near["labels"]]
    assert near["zoom"] == 17
    # every 小区 in view is named (the view, 1280 × 860 px at 0.9 m/px, holds the middle row and more)
    assert {"小区3", "小区4", "小区5"} <= set(shown)
    assert "站<1>" in shown  # the station, escaped in the page, reads as its name
    # the proposal keeps its place; the township centre's name under it is left out, not drawn over it
    assert "备选7" in shown and "街道中心" not in shown
    assert overlapping(near["labels"]) == []
