"""Maps: offline HTML (no CDN), layers and their features, GCJ-02 shift, labels, sizes, atomic writes.

What the browser draws is checked in test_maps_browser.py; here the HTML itself is read back: the
embedded datasets are decoded independently (cumulative sums of the integer deltas) and compared
with the inputs.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import prcoords
import pytest
import shapely
from pyproj import Transformer

from siting import maps
from siting.errors import SitingInputError

UTM50 = "EPSG:32650"
TO_UTM = Transformer.from_crs("EPSG:4326", UTM50, always_xy=True)
LON0, LAT0 = 116.30, 39.99  # Beijing, where GCJ-02 is several hundred metres off WGS84
X0, Y0 = TO_UTM.transform(LON0, LAT0)


def result_frames() -> dict:
    """A small result set: 3×3 areas (one unreachable), two facilities, service areas, units, a proposal."""
    polys, rows = [], []
    for k in range(9):
        i, j = divmod(k, 3)
        polys.append(shapely.box(X0 + i * 300, Y0 + j * 300, X0 + i * 300 + 200, Y0 + j * 300 + 200))
        rows.append(
            {
                "area_id": f"A{k}",
                "name": f"小区{k}",
                "households": 100 + k,
                "status": "new" if k % 2 else "existing",
                "walk_min": np.nan if k == 4 else 5.0 + k,
                "within_walk": k in (1, 2, 5, 7, 8),
                "unreachable_reason": "no_street_nearby" if k == 4 else None,
                "nearest_facility": "F1",
                "dist_m_straight": 100.0 * k,
                "within_radius": k < 5,
                "dist_m_network": 120.0 * k,
                "within_radius_network": k < 4,
                "required_floor_area_m2": 20.0 + k,
                "available_floor_area_m2": 10.0 * k,
                "shortfall_m2": max(0.0, 20.0 + k - 10.0 * k),
                "floor_area_ok": 10 * k >= 20 + k,
            }
        )
    areas = gpd.GeoDataFrame(rows, geometry=polys, crs=UTM50)
    facilities = gpd.GeoDataFrame(
        {
            "facility_id": ["F1", "F2"],
            "name": ["街道中心", "站<1>"],
            "level": ["township", "station"],
            "floor_area_m2": [800.0, 150.0],
            "beds": [20, np.nan],
            "below_min_site": [False, True],
        },
        geometry=[shapely.Point(X0 + 100, Y0 + 100), shapely.Point(X0 + 700, Y0 + 400)],
        crs=UTM50,
    )
    service_areas = gpd.GeoDataFrame(
        {"facility_id": ["all"] * 3, "minutes": [5, 10, 15]},
        geometry=[shapely.Point(X0 + 100, Y0 + 100).buffer(r) for r in (200, 400, 600)],
        crs=UTM50,
    )
    units = gpd.GeoDataFrame(
        {
            "unit_id": ["T", "C1", "C2"],
            "name": ["某街道", "甲社区", "乙社区"],
            "level": ["township", "community", "community"],
        },
        geometry=[
            shapely.box(X0 - 50, Y0 - 50, X0 + 900, Y0 + 900),
            shapely.box(X0 - 50, Y0 - 50, X0 + 420, Y0 + 900),
            shapely.box(X0 + 420, Y0 - 50, X0 + 900, Y0 + 900),
        ],
        crs=UTM50,
    )
    proposals = gpd.GeoDataFrame(
        {
            "candidate_id": ["C7"],
            "name": ["备选7"],
            "rank": [1],
            "recommended_floor_area_m2": [300.0],
            "households_newly_covered": [250],
        },
        geometry=[shapely.Point(X0 + 800, Y0 + 800)],
        crs=UTM50,
    )
    summary = {
        "scenario": "现状",
        "profile": "dong_e",
        "share_within_walk": 0.6234,
        "share_within_radius": 0.5,
        "share_households_floor_area_ok": 0.7,
        "proposed_sites": 1,
        "floor_area_shortfall_m2": 1234.4,
    }
    return {
        "areas": areas,
        "facilities": facilities,
        "service_areas": service_areas,
        "units": units,
        "proposals": proposals,
        "summary": summary,
    }


def street_frame() -> gpd.GeoDataFrame:
    """Streets between the 3×3 areas, as a network's edge table has them: 300 m segments between crossings.

    Four east-west streets (the first a primary road, "南大街"), four north-south ones ("一路" … "四路",
    residential), and one unnamed service lane in two pieces.
    """
    rows = []
    for k in range(4):
        c = -50 + 300 * k
        for s in range(3):
            a, b = -50 + 300 * s, 250 + 300 * s
            rows.append(
                (
                    "南大街" if k == 0 else f"横{k}街",
                    "primary" if k == 0 else "residential",
                    shapely.LineString([(X0 + a, Y0 + c), (X0 + b, Y0 + c)]),
                )
            )
            rows.append(
                (
                    ["一路", "二路", "三路", "四路"][k],
                    "residential",
                    shapely.LineString([(X0 + c, Y0 + a), (X0 + c, Y0 + b)]),
                )
            )
    rows.append((None, "service", shapely.LineString([(X0 + 100, Y0 - 50), (X0 + 100, Y0 + 100)])))
    rows.append((None, "service", shapely.LineString([(X0 + 100, Y0 + 100), (X0 + 120, Y0 + 250)])))
    names, highway, geoms = zip(*rows, strict=True)
    return gpd.GeoDataFrame({"name": names, "highway": highway}, geometry=list(geoms), crs=UTM50)


def drawn_on_opening(frames: dict) -> int:
    """Features visible when the map opens, counted from the inputs: the largest service area, every area,
    boundary, facility and proposal (the 5/10-minute areas, 1000 m circles and floor-area layer start hidden)."""
    sa = frames["service_areas"]
    return (
        int((sa["minutes"] == sa["minutes"].max()).sum())
        + len(frames["areas"])
        + len(frames["units"])
        + len(frames["facilities"])
        + len(frames["proposals"])
    )


def render(m) -> str:
    return m.get_root().render()


def _path(deltas: list[int]) -> np.ndarray:
    return np.cumsum(np.asarray(deltas, dtype=np.int64).reshape(-1, 2), axis=0) / 1e6


def _geometry(code: int, coords) -> shapely.Geometry:
    kind = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"][code]
    if kind == "Point":
        return shapely.Point(np.asarray(coords) / 1e6)
    if kind == "LineString":
        return shapely.LineString(_path(coords))
    if kind == "MultiLineString":
        return shapely.MultiLineString([_path(c) for c in coords])
    if kind == "Polygon":
        rings = [_path(r) for r in coords]
        return shapely.Polygon(rings[0], rings[1:])
    if kind == "MultiPolygon":
        return shapely.MultiPolygon([shapely.Polygon(_path(p[0]), [_path(r) for r in p[1:]]) for p in coords])
    raise AssertionError(f"unexpected geometry type {kind}")


def embedded_layers(page: str) -> dict[str, dict]:
    """Layer name (as in the layer control) -> decoded features, properties, options, from the HTML alone."""
    datasets = {
        name: json.loads(payload)
        for name, payload in re.findall(r"var (\w+) = sitingMaps\.features\((\{.*?\})\);\n", page)
    }
    layers = {
        name: (data, json.loads(options))
        for name, data, options in re.findall(r"var (\w+) = sitingMaps\.layer\((\w+), (\{.*?\})\);\n", page)
    }
    out = {}
    for control in re.findall(r"overlays\s*:\s*\{(.*?)\}", page, re.S):
        for label, var in re.findall(r'"((?:[^"\\]|\\.)*)" : (\w+),', control):
            if var not in layers:  # the name labels: see embedded_labels
                continue
            data, options = layers[var]
            d = datasets[data]
            out[json.loads(f'"{label}"')] = {
                "geoms": [_geometry(*g) for g in d["g"]],
                "props": d["p"],
                "options": options,
                "var": var,
            }
    return out


def embedded_labels(page: str) -> list[tuple[str, str, int]]:
    """The name labels of a page in their order of precedence: (kind, name, zoom from which it shows)."""
    found = re.findall(r"var \w+ = sitingMaps\.labels\(\w+, (\{.*?\})\);\n", page)
    if not found:
        return []
    (data,) = [json.loads(text) for text in found]
    return [(data["k"][k]["name"], name, data["k"][k]["zoom"]) for k, _, _, name in data["l"]]


def control_html(page: str) -> list[str]:
    return [json.loads(text) for text in re.findall(r"div\.innerHTML = (\".*?\");\n", page)]


def test_html_loads_nothing_from_a_cdn_and_tiles_only_from_the_chosen_provider():
    frames = result_frames()
    hosts = {
        None: set(),
        "osm": {"tile.openstreetmap.org"},
        "amap": {"webrd0{s}.is.autonavi.com"},
        "tianditu": {"t{s}.tianditu.gov.cn"},
    }
    for basemap, expected in hosts.items():
        page = render(maps.result_map(**frames, basemap=basemap, tianditu_key="k123"))
        # Every resource a tag would load (script, link, img, iframe…) is inline.
        tags = re.findall(r"<(?:script|link|img|iframe|source|embed|object|video|audio)\b[^>]*>", page)
        assert [t for t in tags if re.search(r"\s(?:src|href)\s*=", t)] == []
        assert "<script src" not in page and "@import" not in page
        assert [u for u in re.findall(r"url\(\s*['\"]?([^'\")]*)", page) if not u.startswith(("data:", "#"))] == []
        tiles = set(re.findall(r"https?://([^/\"']+)/[^\"']*\{[xyz]\}", page))
        assert tiles == expected, basemap
        # Leaflet is really embedded (not merely referenced).
        assert 'version="1.9' in page and ".leaflet-container" in page
    assert len(re.findall(r"tk=k123", page)) == 2  # Tianditu map and label layers


def test_layers_features_and_initial_visibility():
    frames = result_frames()
    page = render(maps.result_map(**frames, basemap=None))
    layers = embedded_layers(page)
    counts = {name: len(layer["geoms"]) for name, layer in layers.items()}
    assert counts == {
        "15分钟步行范围": 1,
        "10分钟步行范围": 1,
        "5分钟步行范围": 1,
        "1000米服务半径": 2,
        "小区：步行圈覆盖": 9,
        "小区：每百户配建面积": 9,
        "乡镇(街道)边界": 1,
        "社区边界": 2,
        "现状设施(按等级，大小示面积)": 2,
        "规划新建/扩建设施(序号)": 1,
    }
    # Layers hidden at opening are created but never added to the map.
    hidden = {name for name, layer in layers.items() if f"{layer['var']}.addTo(" not in page}
    assert hidden == {"10分钟步行范围", "5分钟步行范围", "1000米服务半径", "小区：每百户配建面积"}
    shown = sum(counts[name] for name in counts if name not in hidden)
    assert shown == drawn_on_opening(frames) == 16
    # Areas and facilities are embedded once each, though each is drawn by two layers: 8 datasets, 10 layers.
    assert len(re.findall(r"var \w+ = sitingMaps\.features\(", page)) == 8
    assert layers["小区：步行圈覆盖"]["props"] is layers["小区：每百户配建面积"]["props"]
    assert layers["1000米服务半径"]["options"]["radius"] == 1000.0


def test_merged_service_areas_are_drawn_instead_of_each_facilitys():
    frames = result_frames()
    own = gpd.GeoDataFrame(
        {"facility_id": ["F1", "F2"], "minutes": [15, 15]},
        geometry=[shapely.Point(X0, Y0).buffer(100), shapely.Point(X0 + 700, Y0).buffer(100)],
        crs=UTM50,
    )
    both = pd.concat([frames["service_areas"], own], ignore_index=True)
    layers = embedded_layers(render(maps.result_map(frames["areas"], service_areas=both, basemap=None)))
    assert len(layers["15分钟步行范围"]["geoms"]) == 1 and layers["15分钟步行范围"]["props"]["fi"] == ["all"]
    layers = embedded_layers(render(maps.result_map(frames["areas"], service_areas=own, basemap=None)))
    assert layers["15分钟步行范围"]["props"]["fi"] == ["F1", "F2"]


def test_classes_styles_and_tooltip_values_follow_the_results():
    frames = result_frames()
    areas = frames["areas"]
    layers = embedded_layers(render(maps.result_map(**frames, basemap=None)))
    walk = layers["小区：步行圈覆盖"]
    expected = [
        "unreachable" if np.isnan(w) else "within" if ok else "outside"
        for w, ok in zip(areas["walk_min"], areas["within_walk"], strict=True)
    ]
    assert walk["props"]["kw"] == expected
    assert walk["props"]["kf"] == ["ok" if ok else "short" for ok in areas["floor_area_ok"]]
    assert walk["options"]["styles"]["outside"]["fillColor"] == maps.WALK_COLORS["outside"]
    assert walk["props"]["w"][4] == "不可达" and walk["props"]["w"][3] == "8.0"
    assert walk["props"]["ur"][3:5] == ["—", "附近无道路"]
    assert walk["props"]["h"][:3] == ["100", "101", "102"]
    assert walk["props"]["s"][:2] == ["已建", "新建"]
    assert walk["props"]["sf"][0] == "20" and walk["props"]["rq"][8] == "28"
    assert walk["options"]["labels"]["h"] == "户数(户)"
    assert walk["options"]["tooltip"] == ["n", "h", "w", "rq", "av", "sf"]
    facilities = layers["现状设施(按等级，大小示面积)"]
    # Names are HTML-escaped: Leaflet inserts tooltip text as HTML.
    assert facilities["props"]["n"] == ["街道中心", "站&lt;1&gt;"]
    assert facilities["props"]["fa"] == ["800", "150"] and facilities["props"]["b"] == ["20", "—"]
    styles = [facilities["options"]["styles"][k] for k in facilities["props"]["k"]]
    # Marker radius 4 + sqrt(floor area)/4 px: 800 m² -> 11.1, 150 m² -> 7.1; the small site outlined in red.
    assert [s["radius"] for s in styles] == [11.1, 7.1]
    assert [s["fillColor"] for s in styles] == [maps.LEVEL_COLORS["township"], maps.LEVEL_COLORS["station"]]
    assert [s["color"] for s in styles] == ["#ffffff", "#d7301f"]
    proposals = layers["规划新建/扩建设施(序号)"]
    assert proposals["options"]["rank"] == "rk" and proposals["props"]["rk"] == ["1"]
    assert proposals["props"]["fa"] == ["300"] and proposals["props"]["hc"] == ["250"]


def test_english_labels():
    frames = result_frames()
    page = render(maps.result_map(**frames, basemap=None, language="en"))
    layers = embedded_layers(page)
    assert "Areas: walking circle" in layers and "Proposed new and enlarged centres (rank)" in layers
    walk = layers["Areas: walking circle"]
    assert walk["props"]["w"][4] == "unreachable" and walk["props"]["s"][:2] == ["existing", "new"]
    assert walk["options"]["labels"]["h"] == "Households"
    (legend,) = [h for h in control_html(page) if h.startswith("<b>Legend")]
    assert "beyond walking time" in legend and not re.search(r"[\u4e00-\u9fff]", legend)


def test_geometries_are_where_the_tiles_expect_them():
    frames = result_frames()
    facilities = frames["facilities"].to_crs("EPSG:4326")
    lon, lat = facilities.geometry.x.to_numpy(), facilities.geometry.y.to_numpy()
    osm = embedded_layers(render(maps.result_map(**frames, basemap="osm")))
    drawn = np.array([[p.x, p.y] for p in osm["现状设施(按等级，大小示面积)"]["geoms"]])
    np.testing.assert_allclose(drawn, np.column_stack([lon, lat]), atol=0.6e-6)
    amap = embedded_layers(render(maps.result_map(**frames, basemap="amap")))
    drawn = np.array([[p.x, p.y] for p in amap["现状设施(按等级，大小示面积)"]["geoms"]])
    # Independent recomputation with prcoords directly (takes and returns (lat, lon)).
    expected = np.array([prcoords.wgs_gcj((la, lo), False)[::-1] for lo, la in zip(lon, lat, strict=True)])
    np.testing.assert_allclose(drawn, expected, atol=0.6e-6)
    shift_m = np.hypot(*np.subtract(TO_UTM.transform(*drawn.T), TO_UTM.transform(lon, lat)))
    assert (shift_m > 100).all() and (shift_m < 1000).all()
    # Polygons move with the points: the first corner of the first area.
    corner = amap["小区：步行圈覆盖"]["geoms"][0].exterior.coords[0]
    wgs = frames["areas"].to_crs("EPSG:4326").geometry.iloc[0].exterior.coords[0]
    np.testing.assert_allclose(corner, prcoords.wgs_gcj(wgs[::-1], False)[::-1], atol=0.6e-6)


def test_tianditu_needs_a_key(monkeypatch):
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(SitingInputError, match="tianditu_key"):
        maps.result_map(**result_frames(), basemap="tianditu")
    monkeypatch.setenv("TIANDITU_KEY", "envkey")
    assert "tk=envkey" in render(maps.result_map(**result_frames(), basemap="tianditu"))
    with pytest.raises(ValueError, match="basemap"):
        maps.result_map(**result_frames(), basemap="google")
    with pytest.raises(ValueError, match="language"):
        maps.result_map(**result_frames(), language="fr")


def test_polygons_are_simplified_within_tolerance():
    circle = shapely.Point(X0, Y0).buffer(300, quad_segs=256)  # 1,025 vertices
    areas = gpd.GeoDataFrame(
        {"name": ["圆"], "households": [1], "walk_min": [3.0], "within_walk": [True]}, geometry=[circle], crs=UTM50
    )
    layers = embedded_layers(render(maps.result_map(areas, basemap=None)))
    drawn = layers["小区：步行圈覆盖"]["geoms"][0]
    assert len(drawn.exterior.coords) < 120
    back = shapely.Polygon(np.column_stack(TO_UTM.transform(*np.asarray(drawn.exterior.coords).T)))
    # Simplification tolerance plus rounding to 1e-6 degree (≤ 0.08 m here).
    assert shapely.hausdorff_distance(back, circle) <= maps.DISPLAY_TOLERANCE_M + 0.1


def test_legend_title_and_summary_boxes():
    frames = result_frames()
    boxes = control_html(render(maps.result_map(**frames, basemap=None, title="东阿县城")))
    assert "<title>东阿县城 · 现状</title>" in render(maps.result_map(**frames, basemap=None, title="东阿县城"))
    (title,) = [b for b in boxes if "东阿县城" in b]
    assert "方案: 现状" in title and "规则: dong_e" in title
    (summary,) = [b for b in boxes if b.startswith("<b>概况")]
    assert "62.3%" in summary and "50.0%" in summary and "70.0%" in summary and "1,234" in summary
    (legend,) = [b for b in boxes if b.startswith("<b>图例")]
    for text in (
        "步行圈内",
        "步行圈外",
        "不可达",
        "配建面积达标",
        "养老服务站",
        "低于单处最小面积",
        "社区边界",
        "15分钟步行范围",
        "1000米服务半径",
        "规划新增设施",
    ):
        assert text in legend
    # A legend explains only what is on the map.
    bare = control_html(render(maps.result_map(frames["areas"].drop(columns="floor_area_ok"), basemap=None)))
    (legend,) = [b for b in bare if b.startswith("<b>图例")]
    assert "配建面积达标" not in legend and "养老服务站" not in legend


def test_comparison_map_side_by_side():
    frames = result_frames()
    plan_b = {
        "areas": frames["areas"].assign(within_walk=True, walk_min=5.0),
        "facilities": frames["facilities"],
        "proposals": frames["proposals"],
        "summary": {**frames["summary"], "scenario": "方案B"},
    }
    figure = maps.comparison_map(frames, plan_b, basemap=None)
    page = render(figure)
    assert page.count('class="folium-map"') == 2 and "target.setView" in page
    assert "<title>社区养老服务设施布局 · 现状 / 方案B</title>" in page
    titles = [b for b in control_html(page) if "方案:" in b]
    assert ["现状" in titles[0], "方案B" in titles[1]] == [True, True]
    legends = [b for b in control_html(page) if b.startswith("<b>图例")]
    # One legend, explaining both sides: plan B has no area outside the circle, the baseline does.
    assert len(legends) == 1 and "步行圈外" in legends[0] and "规划新增设施" in legends[0]
    assert not re.search(r"<script[^>]+src=", page)


def test_scenarios_map_puts_every_scenario_on_one_map():
    frames = result_frames()
    plans = [
        frames,
        {
            **frames,
            "areas": frames["areas"].assign(within_walk=True),
            "summary": {**frames["summary"], "scenario": "方案B"},
        },
        {**frames, "proposals": None, "summary": {**frames["summary"], "scenario": "方案C", "proposed_sites": 0}},
    ]
    page = render(maps.scenarios_map(plans, basemap=None))
    assert page.count('class="folium-map"') == 1
    assert "<title>社区养老服务设施布局 · 现状 / 方案B / 方案C</title>" in page
    # each scenario's layers switch on and off together under its name; the first is shown at first
    for name in ("现状", "方案B", "方案C"):
        assert json.dumps(f"{name} · 小区")[1:-1] in page
    added = set(re.findall(r"(siting_layer_\w+)\.addTo\(", page))
    layers = {json.loads(f'"{n}"'): v for n, v in re.findall(r'"([^"]+)" : (siting_layer_\w+)', page)}
    shown = sorted(name for name, variable in layers.items() if variable in added)
    assert shown == [
        "乡镇(街道)边界",
        "现状 · 15分钟步行范围",
        "现状 · 小区：步行圈覆盖",
        "现状 · 现状设施(按等级，大小示面积)",
        "现状 · 规划新建/扩建设施(序号)",
        "社区边界",
    ]
    # 3 walking bands, the radius, 2 area layers, facilities; 方案C has no proposals layer: it proposes nothing
    assert [sum(name.startswith(f"{s} · ") for name in layers) for s in ("现状", "方案B", "方案C")] == [8, 8, 7]
    assert sum(name.endswith("边界") for name in layers) == 2  # boundaries drawn once
    legends = [b for b in control_html(page) if b.startswith("<b>图例")]
    assert len(legends) == 1
    summary = next(b for b in control_html(page) if b.startswith("<b>概况"))
    assert summary.count("<td class='v'><b>") == 3  # a column per scenario
    assert "<td>规划新增设施数(处)</td><td class='v'>1</td><td class='v'>1</td><td class='v'>0</td>" in summary


def test_save_map_whole_deterministic_and_atomic(tmp_path, monkeypatch):
    frames = result_frames()
    first = maps.save_map(maps.result_map(**frames), tmp_path / "a" / "b" / "map.html")
    second = maps.save_map(maps.result_map(**frames), tmp_path / "again.html")
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text(encoding="utf-8").rstrip().endswith("</html>")
    # A failure while writing leaves the previous file as it was and no temporary file behind.
    target = tmp_path / "keep.html"
    target.write_text("old", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        maps.save_map(maps.result_map(**frames), target)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "again.html", "keep.html"]


def test_inputs_are_not_modified():
    frames = result_frames()
    copies = {k: v.copy() for k, v in frames.items() if isinstance(v, pd.DataFrame)}
    maps.result_map(**frames, basemap="amap")
    for key, copy in copies.items():
        pd.testing.assert_frame_equal(frames[key], copy)
        assert frames[key].crs == copy.crs


def test_bad_inputs_name_the_problem():
    frames = result_frames()
    with pytest.raises(SitingInputError, match="column 'within_walk'"):
        maps.result_map(frames["areas"].drop(columns="within_walk"))
    with pytest.raises(SitingInputError, match="coordinate reference system"):
        maps.result_map(frames["areas"].set_crs(None, allow_override=True))
    with pytest.raises(SitingInputError, match="column 'level'"):
        maps.result_map(frames["areas"], frames["facilities"].drop(columns="level"))


def test_displays_inline_in_jupyter():
    html_out = maps.result_map(**result_frames(), basemap=None)._repr_html_()
    assert html_out.startswith("<div") and "<iframe srcdoc=" in html_out


def county_frames(n: int = 3000, seed: int = 0) -> dict:
    """A county-size synthetic case: n irregular 24-vertex areas over 30×30 km, 80 facilities, 220 units."""
    rng = np.random.default_rng(seed)
    cx, cy = X0 + rng.uniform(0, 30000, n), Y0 + rng.uniform(0, 30000, n)
    angle = np.linspace(0, 2 * np.pi, 25)[:-1]
    radius = 60 + rng.uniform(-15, 15, (n, angle.size))
    polys = shapely.polygons(
        np.stack([cx[:, None] + radius * np.cos(angle), cy[:, None] + radius * np.sin(angle)], axis=-1)
    )
    walk = np.where(rng.random(n) < 0.05, np.nan, rng.uniform(2, 25, n))
    areas = gpd.GeoDataFrame(
        {
            "area_id": [f"A{i}" for i in range(n)],
            "name": [f"小区{i}号" for i in range(n)],
            "households": rng.integers(50, 2000, n),
            "status": np.where(rng.random(n) < 0.3, "new", "existing"),
            "walk_min": walk,
            "within_walk": walk <= 15,
            "nearest_facility": [f"F{i % 80}" for i in range(n)],
            "dist_m_straight": rng.uniform(0, 3000, n),
            "within_radius": rng.random(n) < 0.5,
            "dist_m_network": rng.uniform(0, 4000, n),
            "within_radius_network": rng.random(n) < 0.4,
            "required_floor_area_m2": rng.uniform(10, 400, n),
            "available_floor_area_m2": rng.uniform(0, 400, n),
            "shortfall_m2": rng.uniform(0, 100, n),
            "floor_area_ok": rng.random(n) < 0.6,
        },
        geometry=polys,
        crs=UTM50,
    )
    facilities = gpd.GeoDataFrame(
        {
            "facility_id": [f"F{i}" for i in range(80)],
            "name": [f"设施{i}" for i in range(80)],
            "level": rng.choice(["county", "township", "community", "station"], 80),
            "floor_area_m2": rng.uniform(100, 3000, 80),
        },
        geometry=gpd.points_from_xy(X0 + rng.uniform(0, 30000, 80), Y0 + rng.uniform(0, 30000, 80)),
        crs=UTM50,
    )
    service_areas = gpd.GeoDataFrame(
        {"facility_id": ["all"] * 3, "minutes": [5, 10, 15]},
        geometry=[shapely.union_all(facilities.buffer(r, quad_segs=16).values) for r in (300, 600, 900)],
        crs=UTM50,
    )
    units = gpd.GeoDataFrame(
        {
            "unit_id": [f"U{i}" for i in range(220)],
            "name": [f"单元{i}" for i in range(220)],
            "level": ["township"] * 20 + ["community"] * 200,
        },
        geometry=[
            shapely.box(
                X0 + i % 5 * 6000, Y0 + i // 5 * 7500, X0 + (i % 5 + 1) * 6000, Y0 + (i // 5 + 1) * 7500
            ).segmentize(50)
            for i in range(20)
        ]
        + [
            shapely.box(
                X0 + i % 20 * 1500, Y0 + i // 20 * 3000, X0 + (i % 20 + 1) * 1500, Y0 + (i // 20 + 1) * 3000
            ).segmentize(20)
            for i in range(200)
        ],
        crs=UTM50,
    )
    return {"areas": areas, "facilities": facilities, "service_areas": service_areas, "units": units}


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_html_stays_small(tmp_path):
    small = maps.save_map(maps.result_map(**result_frames(), basemap="osm"), tmp_path / "small.html")
    # Leaflet itself is ~165 kB of it.
    assert small.stat().st_size < 250_000
    county = county_frames()
    big = maps.save_map(maps.result_map(**county, basemap="amap"), tmp_path / "county.html")
    # Measured 0.95 MB; GeoJSON through folium.GeoJson would be about 5 times larger.
    assert big.stat().st_size < 1_500_000
    assert len(embedded_layers(big.read_text(encoding="utf-8"))["小区：步行圈覆盖"]["geoms"]) == 3000


def test_street_layer_merges_segments_and_starts_shown_only_without_tiles():
    frames, streets = result_frames(), street_frame()
    page = render(maps.result_map(**frames, streets=streets, basemap=None))
    layer = embedded_layers(page)["路网"]
    # One feature per class and name: 南大街 (major), 横1-3街 and 一路-四路 (minor), the unnamed lane.
    assert layer["props"]["n"] == ["南大街", "—", "一路", "三路", "二路", "四路", "横1街", "横2街", "横3街"]
    assert layer["props"]["k"] == ["major"] + ["minor"] * 8
    assert layer["options"]["styles"] == maps.STREET_STYLES
    assert layer["options"]["pane"] == maps.STREET_PANE and layer["options"]["label"] == "n"
    assert layer["options"]["popup"] == []
    # Segments joined end to end: 南大街 is one 900 m line, the lane one line of two pieces.
    to_utm = Transformer.from_crs("EPSG:4326", UTM50, always_xy=True)
    south = shapely.transform(layer["geoms"][0], lambda xy: np.column_stack(to_utm.transform(*xy.T)))
    assert south.geom_type == "LineString" and south.length == pytest.approx(900, abs=0.5)
    assert shapely.hausdorff_distance(south, shapely.LineString([(X0 - 50, Y0 - 50), (X0 + 850, Y0 - 50)])) < 0.2
    assert layer["geoms"][1].geom_type == "LineString" and len(layer["geoms"][1].coords) == 3
    # Drawn in its own pane under the data; shown from the start on a plain background.
    assert f'createPane("{maps.STREET_PANE}").style.zIndex = 350' in page
    assert f"{layer['var']}.addTo(" in page and "StreetsWhenTilesFail" not in page
    # Over tiles: hidden, and the page shows it when they fail (the street layer and the tile layer named).
    page = render(maps.result_map(**frames, streets=streets, basemap="osm"))
    layer = embedded_layers(page)["路网"]
    assert f"{layer['var']}.addTo(" not in page
    (tiles,) = re.findall(r"var (tile_layer_\w+) = L\.tileLayer", page)
    fallback = page[page.index(f'{tiles}.on("tileerror"') - 600 :]
    assert f"streets = {layer['var']}" in fallback and f"setTimeout(fallback, {maps.TILE_TIMEOUT_MS})" in fallback
    # The streets never set the first view: it fits the data (here the 15-minute area reaches farthest).
    (bounds,) = re.findall(r"map\.fitBounds\((\[\[.*?\]\])", page)
    south_west, north_east = json.loads(bounds)
    data = np.vstack([f.to_crs("EPSG:4326").total_bounds for f in frames.values() if isinstance(f, gpd.GeoDataFrame)])
    extent = [*data[:, :2].min(axis=0), *data[:, 2:].max(axis=0)]
    np.testing.assert_allclose([*south_west[::-1], *north_east[::-1]], extent, atol=2e-6)
    assert streets.to_crs("EPSG:4326").total_bounds[2] < extent[2]  # not because the streets are smaller


def test_streets_from_a_street_network():
    """A StreetNetwork is drawn from its edge table: the demo town's streets, segments joined per name."""
    import warnings

    from siting import network

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = network.from_file(ROOT / "data" / "demo_town" / "roads.osm")
    lines = maps.street_lines(net)
    edges = net.edges.assign(name=net.edges["name"].fillna(""))
    assert set(lines["name"].fillna("")) == set(edges["name"])
    assert len(lines) < len(edges) / 5
    # Joining changes no length: each name's drawn lines are as long as its segments.
    drawn = lines.assign(m=lines.length, name=lines["name"].fillna("")).groupby("name")["m"].sum()
    pd.testing.assert_series_equal(drawn, edges.groupby("name")["length_m"].sum(), check_names=False)
    assert lines.set_index("name").loc["新城大道", "kind"] == "major"
    page = render(maps.result_map(**result_frames(), streets=net, basemap=None))
    assert len(embedded_layers(page)["路网"]["geoms"]) == len(lines)
    with pytest.raises(SitingInputError, match="streets"):
        maps.result_map(**result_frames(), streets=street_frame().set_crs(None, allow_override=True))


def test_point_areas_are_circles_of_their_radius_or_markers():
    frames = result_frames()
    areas = frames["areas"].copy()
    centres = areas.geometry.centroid
    areas.loc[[0, 1], "geometry"] = centres[[0, 1]]
    areas["point_radius_m"] = [80.0, np.nan] + [np.nan] * 7
    layers = embedded_layers(render(maps.result_map(areas, basemap=None)))
    walk = layers["小区：步行圈覆盖"]
    assert [g.geom_type for g in walk["geoms"][:3]] == ["Point", "Point", "Polygon"]
    # Circles of 80 m where given; 0 (the marker) elsewhere, polygons included.
    assert walk["props"]["pr"] == [80.0] + [0.0] * 8
    assert walk["options"]["pointRadius"] == "pr" == layers["小区：每百户配建面积"]["options"]["pointRadius"]
    assert walk["options"]["styles"]["within"]["radius"] == maps.POINT_AREA_RADIUS_PX
    # Without the column every point is a marker.
    layers = embedded_layers(render(maps.result_map(areas.drop(columns="point_radius_m"), basemap=None)))
    assert "pointRadius" not in layers["小区：步行圈覆盖"]["options"]


ROOT = Path(__file__).resolve().parents[1]
WUDAOKOU = ROOT.parent / "shared" / "cities" / "beijing_wudaokou" / "map.osm"


@pytest.mark.slow  # a whole demo-sized run: in the second test command
@pytest.mark.skipif(not WUDAOKOU.exists(), reason="../shared/cities/beijing_wudaokou/map.osm is absent")
def test_real_street_network_adds_little_html(tmp_path):
    """Wudaokou's 1,041 walkable street segments (104 km): measured 28 kB of a 228 kB map."""
    import warnings

    from siting import network

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = network.from_file(WUDAOKOU)
    frames = result_frames()
    without = maps.save_map(maps.result_map(**frames), tmp_path / "without.html").stat().st_size
    with_streets = maps.save_map(maps.result_map(**frames, streets=net), tmp_path / "with.html")
    assert with_streets.stat().st_size - without < 40_000
    layer = embedded_layers(with_streets.read_text(encoding="utf-8"))["路网"]
    drawn_m = sum(
        shapely.length(shapely.transform(g, lambda xy: np.column_stack(TO_UTM.transform(*xy.T))))
        for g in layer["geoms"]
    )
    # Simplified, the streets keep their length (within 1 %).
    assert drawn_m == pytest.approx(net.edges["length_m"].sum(), rel=0.01)


def test_units_with_townships_only_draw_without_a_community_layer():
    frames = result_frames()
    frames["units"] = frames["units"][frames["units"]["level"] == "township"]
    layers = embedded_layers(render(maps.result_map(**frames, basemap=None)))
    assert len(layers["乡镇(街道)边界"]["geoms"]) == 1 and "社区边界" not in layers


def test_batch_map_colours_each_outline_by_its_walking_coverage():
    shares = [0.3, 0.5, 0.8499, 0.85, 0.99, np.nan, 0.7]
    counties = gpd.GeoDataFrame(
        {
            "scenario": [f"县{k}" for k in range(7)],
            "share_within_walk": shares,
            "share_households_floor_area_ok": [0.25] * 7,
            "floor_area_shortfall_m2": [1234.4] * 7,
            "households_total": [5000.0] * 7,
            "proposed_sites": [0, 1, 2, 3, 4, None, 5],
        },
        geometry=[shapely.box(X0 + 3000 * k, Y0, X0 + 3000 * k + 2000, Y0 + 2000) for k in range(6)] + [None],
        crs=UTM50,
    )
    page = render(maps.batch_map(counties, summary={"share_within_walk": 0.61}, basemap=None, language="en"))
    layer = embedded_layers(page)["Scenarios (counties)"]
    # the last county has no outline (it failed before writing anything): not drawn
    assert layer["props"]["n"] == ["县0", "县1", "县2", "县3", "县4", "县5"]
    assert layer["props"]["k"] == ["0", "1", "2", "3", "4", "none"]
    assert layer["props"]["sw"] == ["30.0%", "50.0%", "85.0%", "85.0%", "99.0%", "—"]
    assert layer["props"]["sf"][0] == "25.0%" and layer["props"]["fs"][0] == "1,234"
    assert layer["options"]["styles"]["0"]["fillColor"] == maps.COVERAGE_CLASSES[0][1]
    assert layer["options"]["styles"]["none"]["fillColor"] == maps.NO_FIGURES_COLOR
    assert layer["options"]["tooltip"] == ["n", "sw"]
    drawn = gpd.GeoSeries(layer["geoms"], crs="EPSG:4326").to_crs(UTM50)
    np.testing.assert_allclose(drawn.area, 2000 * 2000, rtol=1e-4)
    (legend,) = [h for h in control_html(page) if h.startswith("<b>Legend")]
    for text in ("&lt; 50%", "50–70%", "70–85%", "85–95%", "≥ 95%", "no figures (failed)"):
        assert text in legend
    assert any("61.0%" in h for h in control_html(page))  # the summary box: all scenarios together
    assert "<title>Batch: scenarios (counties) compared</title>" in page


def test_names_are_labels_from_a_zoom_level_up_in_order_of_precedence():
    frames = result_frames()
    page = maps.result_map(**frames, basemap="amap").get_root().render()
    labels = embedded_labels(page)
    # the proposal, then facilities by floor area (800 m² before 150 m²), then 小区 by households (108 first)
    assert labels[:3] == [("proposals", "备选7", 15), ("facilities", "街道中心", 15), ("facilities", "站&lt;1&gt;", 15)]
    assert [name for _, name, _ in labels[3:]] == [f"小区{k}" for k in range(8, -1, -1)]
    assert {zoom for kind, _, zoom in labels if kind == "areas"} == {maps.LABEL_MIN_ZOOM["areas"]} == {16}
    # each label sits inside its 小区, in the tiles' datum (GCJ-02 for Amap, like every other layer)
    (data,) = re.findall(r"sitingMaps\.labels\(\w+, (\{.*?\})\);\n", page)
    rows = {row[3]: (row[1] / 1e6, row[2] / 1e6) for row in json.loads(data)["l"]}
    shown = maps._display_geometries(frames["areas"], "amap")
    for k in range(9):
        assert shapely.contains_xy(shown[k], *rows[f"小区{k}"])
    # a switchable layer of its own in the layer control
    (control,) = re.findall(r"overlays\s*:\s*\{(.*?)\}", page, re.S)
    assert "名称标注(放大后显示)" in [
        json.loads(f'"{label}"') for label in re.findall(r'"((?:[^"\\]|\\.)*)" :', control)
    ]


def test_no_label_layer_without_names():
    frames = result_frames()
    unnamed = {key: frames[key].drop(columns="name") for key in ("areas", "facilities", "proposals")}
    page = maps.result_map(**{**frames, **unnamed}).get_root().render()
    assert embedded_labels(page) == [] and "sitingMaps.labels(" not in page
