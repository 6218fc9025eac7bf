"""GeoPackages styled like the web map (QGIS ``layer_styles``) and the QGIS project ``map.qgz``.

The fast tests read the styles and the project as text and SQL; the heavy one opens the demo's outputs in
Debian's QGIS (``python3-qgis``, headless), renders them and looks at the pixels. It skips where QGIS is
not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from siting import maps, styles
from siting.inputs import read_areas
from siting.report import write_gpkg

QGIS_PYTHON = Path("/usr/bin/python3")
RENDER = Path(__file__).with_name("qgis_render.py")
LAYER_STYLES_COLUMNS = [
    "id",
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]
TIME = "2000-01-01T00:00:00.000Z"


@pytest.fixture
def areas() -> gpd.GeoDataFrame:
    """Three 小区: within the walk and short of floor area, beyond it and compliant, unreachable."""
    return gpd.GeoDataFrame(
        {
            "area_id": ["A", "B", "C"],
            "name": ["翠园小区", "杏林小区", "河东村"],
            "households": [100.0, 200.0, 50.0],
            "walk_min": [4.0, 21.0, np.nan],
            "within_walk": [True, False, False],
            "floor_area_ok": pd.array([0, 1, pd.NA], dtype="Int8"),
        },
        geometry=[shapely.box(116.0, 36.0 + i / 100, 116.005, 36.005 + i / 100) for i in range(3)],
        crs=4326,
    )


def qml_root(style: styles.LayerStyle) -> ET.Element:
    return ET.fromstring(styles.qml(style).split("\n", 1)[1])


def test_area_styles_are_the_web_maps_classes_colours_and_labels(areas):
    walk, floor_area = styles.layer_styles("areas", areas, language="zh")
    assert (walk.default, floor_area.default) == (True, False)
    assert walk.name == "小区：步行圈覆盖" and floor_area.name == "小区：每百户配建面积"
    root = qml_root(walk)
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol"
    categories = [(c.get("value"), c.get("label")) for c in renderer.iter("category")]
    assert categories == [("within", "步行圈内"), ("outside", "步行圈外"), ("unreachable", "不可达")]
    # fill colour = the web map's, with its opacity 0.55 as alpha 140 of 255
    fills = [
        next(o.get("value") for o in s.iter("Option") if o.get("name") == "color") for s in renderer.iter("symbol")
    ]
    assert fills == ["26,152,80,140", "215,48,39,140", "140,140,140,140"]
    assert fills[0] == f"{int('1a', 16)},{int('98', 16)},{int('50', 16)},{round(0.55 * 255)}"
    assert maps.WALK_COLORS["within"] == "#1a9850"
    aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
    assert aliases["name"] == "名称" and aliases["walk_min"] == "步行时间(分钟)" and "area_id" in aliases
    rendering = root.find("labeling/settings/rendering")
    assert root.find("labeling/settings/text-style").get("fieldName") == '"name"'
    assert (rendering.get("scaleVisibility"), rendering.get("scaleMax")) == ("1", "10000")
    assert [c.get("value") for c in qml_root(floor_area).iter("category")] == ["ok", "short"]


def test_english_styles_use_english_words(areas):
    walk, _ = styles.layer_styles("areas", areas, language="en")
    assert [c.label for c in walk.categories] == ["within walking time", "beyond walking time", "unreachable"]
    assert walk.aliases["name"] == "Name"


def test_facility_marker_size_is_the_web_maps_formula():
    facilities = gpd.GeoDataFrame(
        {"name": ["a", "b"], "level": ["township", "station"], "floor_area_m2": [200.0, 2000.0],
         "below_min_site": [False, True]},
        geometry=gpd.points_from_xy([116.0, 116.01], [36.0, 36.0]),
        crs=4326,
    )  # fmt: skip
    (style,) = styles.layer_styles("facilities", facilities)
    assert [c.value for c in style.categories] == ["township", "station"]  # present levels, map's order
    # 200 m²: 4 + sqrt(200)/4 = 7.54 px radius; 2,000 m²: 15.18 px — the web map's markers
    assert maps.facility_radius_px(facilities["floor_area_m2"]).tolist() == [7.5, 15.2]
    assert style.size_expression == '2 * clamp(5, 4 + sqrt(coalesce("floor_area_m2", 0)) * 0.25, 18)'
    assert "#d7301f" in style.outline_color_expression
    # without floor areas the marker is the web map's for a missing floor area: the smallest, 5 px
    (unsized,) = styles.layer_styles("facilities", facilities.drop(columns="floor_area_m2"))
    assert unsized.size_expression is None
    assert {c.style["radius"] for c in unsized.categories} == {5.0}
    assert maps.facility_radius_px(pd.Series([np.nan])).tolist() == [5.0]


def test_service_areas_draw_the_merged_bands_widest_first():
    bands = gpd.GeoDataFrame(
        {"facility_id": ["F1", "F1", "all", "all"], "minutes": [5.0, 15.0, 5.0, 15.0]},
        geometry=[shapely.Point(0, 0).buffer(r) for r in (1, 3, 1, 3)],
        crs=32650,
    )
    (style,) = styles.layer_styles("service_areas", bands)
    assert [(c.value, c.shown) for c in style.categories] == [("15", True), ("5", False)]
    assert style.expression.startswith('CASE WHEN ("facility_id" IS NULL OR "facility_id" = \'all\')')
    assert style.categories[0].style == maps.SERVICE_AREA_STYLES[15]
    sld = ET.fromstring(styles.sld(style).split("\n", 1)[1])
    rules = sld.findall(".//{http://www.opengis.net/se}Rule")
    assert len(rules) == 1, "the hidden 5-minute band is left out of the SLD"
    assert "'all'" not in styles.sld(style) and ">all<" in styles.sld(style)


def test_street_classes_agree_with_the_web_map():
    streets = gpd.GeoDataFrame(
        {"name": ["a", "b", "c", None], "highway": ["primary_link", "residential;tertiary", "footway", None]},
        geometry=[shapely.LineString([(0, i), (1, i)]) for i in range(4)],
        crs=32650,
    )
    assert maps.is_major_street(streets["highway"]).tolist() == [True, True, False, False]
    (style,) = styles.layer_styles("streets", streets)
    assert "(motorway|trunk|primary|secondary|tertiary)(_link)?" in style.expression
    assert [c.style for c in style.categories] == [maps.STREET_STYLES["major"], maps.STREET_STYLES["minor"]]


def test_sld_has_one_rule_per_class_with_filters(areas):
    walk, _ = styles.layer_styles("areas", areas)
    text = styles.sld(walk)
    root = ET.fromstring(text.split("\n", 1)[1])
    se = "{http://www.opengis.net/se}"
    rules = root.findall(f".//{se}Rule")
    assert [r.findtext(f"{se}Name") for r in rules] == ["within", "outside", "unreachable", None]
    # the catch-all class as "none of the others" (QGIS 3.22 reads an ElseFilter as no filter at all)
    ogc = "{http://www.opengis.net/ogc}"
    assert rules[1].find(f"{se}ElseFilter") is None
    assert rules[1].find(f"{ogc}Filter/{ogc}Not/{ogc}Or") is not None
    assert rules[2].find(".//{http://www.opengis.net/ogc}PropertyIsNull") is not None
    fill = rules[0].find(f".//{se}Fill/{se}SvgParameter[@name='fill']")
    assert fill.text == "#1a9850"
    assert rules[3].findtext(f"{se}MaxScaleDenominator") == "10000"


def test_layer_styles_table_is_qgis_convention_and_readers_skip_it(tmp_path, areas):
    path = write_gpkg(areas, tmp_path / "areas.gpkg", "areas")
    styles.write_layer_styles(path, styles.layer_styles("areas", areas), update_time=TIME)
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(layer_styles)")]
        rows = db.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, useAsDefault, "
            "update_time FROM layer_styles ORDER BY id"
        ).fetchall()
        contents = db.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchall()
    assert columns == LAYER_STYLES_COLUMNS
    assert rows == [
        ("", "", "areas", "geom", "小区：步行圈覆盖", 1, TIME),
        ("", "", "areas", "geom", "小区：每百户配建面积", 0, TIME),
    ]
    assert contents == [("attributes",)]
    with sqlite3.connect(path) as db:
        # GeoPackage 1.2: no "partially supported" warning from the GDAL of QGIS 3.22 LTR
        assert db.execute("PRAGMA user_version").fetchone() == (10200,)
    # the data is untouched, and siting's own reader does not ask which layer is meant
    back = gpd.read_file(path, layer="areas")
    assert back["name"].tolist() == areas["name"].tolist()
    assert read_areas(path)["name"].tolist() == areas["name"].tolist()


def test_the_same_styles_give_the_same_bytes(tmp_path, areas):
    digests = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        path = write_gpkg(areas, tmp_path / name / "areas.gpkg", "areas")
        styles.write_layer_styles(path, styles.layer_styles("areas", areas), update_time=TIME)
        digests.append(path.read_bytes())
    assert digests[0] == digests[1]


def test_project_lists_the_layers_in_the_web_maps_order_with_relative_paths(areas):
    facilities = gpd.GeoDataFrame(
        {"name": ["a"], "level": ["community"]}, geometry=gpd.points_from_xy([116.002], [36.002]), crs=4326
    )
    streets = gpd.GeoDataFrame(
        {"name": ["x"], "highway": ["primary"]},
        geometry=[shapely.LineString([(0, 0), (1, 1)])],
        crs=4326,
    ).to_crs(32650)
    data = styles.project({"areas": areas, "facilities": facilities, "streets": streets}, title="示范")
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        assert archive.namelist() == ["map.qgs"]
        text = archive.read("map.qgs").decode("utf-8")
    root = ET.fromstring(text.split("\n", 1)[1])
    tree = [(n.get("name"), n.get("source"), n.get("checked")) for n in root.iter("layer-tree-layer")]
    assert tree == [
        ("现状设施(按等级，大小示面积)", "./facilities.gpkg|layername=facilities", "Qt::Checked"),
        ("小区：每百户配建面积", "./areas.gpkg|layername=areas", "Qt::Unchecked"),
        ("小区：步行圈覆盖", "./areas.gpkg|layername=areas", "Qt::Checked"),
        ("路网", "./streets.gpkg|layername=streets", "Qt::Checked"),
    ]
    assert root.findtext("properties/Paths/Absolute") == "false"
    assert root.findtext("projectCrs/spatialrefsys/authid") == "EPSG:32650"
    # every layer id is longer than 10 characters: QGIS replaces shorter ones, and the tree loses its layers
    assert all(len(n.get("id")) > 10 for n in root.iter("layer-tree-layer"))
    # the canvas opens on the areas (in UTM metres), not on the streets' extract
    x0, y0, x1, y1 = areas.to_crs(32650).total_bounds
    margin = 0.05 * max(x1 - x0, y1 - y0)
    assert float(root.findtext("mapcanvas/extent/xmin")) == pytest.approx(x0 - margin, abs=0.01)
    assert float(root.findtext("mapcanvas/extent/ymax")) == pytest.approx(y1 + margin, abs=0.01)


@pytest.fixture(scope="module")
def qgis() -> None:
    """Skip unless Debian's python3-qgis imports (asked when a QGIS test runs, not at every collection)."""
    if (
        not QGIS_PYTHON.exists()
        or subprocess.run([str(QGIS_PYTHON), "-c", "import qgis.core"], capture_output=True).returncode
    ):
        pytest.skip("Debian's python3-qgis is not installed")


def blend(color: str, opacity: float) -> np.ndarray:
    """``color`` drawn with ``opacity`` over white, as 0–255 RGB."""
    rgb = np.array([int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)], dtype=float)
    return opacity * rgb + (1 - opacity) * 255


def pixels_near(image: np.ndarray, rgb: np.ndarray, tolerance: float = 4) -> int:
    return int((np.abs(image[..., :3].astype(float) - rgb).max(axis=-1) <= tolerance).sum())


def open_in_qgis(scenario: str, tmp_path: Path) -> tuple[object, dict]:
    """Run a demo scenario into ``tmp_path`` and open its folder in headless QGIS (tests/qgis_render.py)."""
    from siting.pipeline import demo_dir, run_and_write
    from siting.scenario import load_scenario

    folder = tmp_path / scenario
    result, _ = run_and_write(load_scenario(demo_dir() / "scenarios" / f"{scenario}.yml"), out=folder, progress=False)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("PYTHONPATH", None)  # QGIS's Python is the system's, not the venv's
    done = subprocess.run(
        [str(QGIS_PYTHON), str(RENDER), str(folder), str(tmp_path / f"{scenario}.png")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "partially supported" not in done.stderr and "ERROR" not in done.stderr, done.stderr
    return result, json.loads(done.stdout)


def image(path: str) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB"))


@pytest.mark.heavy
def test_demo_plan_opens_styled_in_qgis(qgis, tmp_path):
    result, report = open_in_qgis("plan", tmp_path)
    layers = report["layers"]
    assert sorted(layers) == ["areas", "facilities", "proposals", "service_areas", "streets"]
    for name, layer in layers.items():
        assert layer["valid"] and layer["renderer"] == "categorizedSymbol", name
        assert layer["stored_styles"], name
    # QGIS applied the default style: the web map's classes, colours and Chinese legend
    walk = {c["value"]: c for c in layers["areas"]["categories"]}
    assert {k: c["color"] for k, c in walk.items()} == {k: maps.WALK_COLORS[k] for k in walk}
    assert walk["within"]["label"] == "步行圈内" and walk["within"]["alpha"] == 0.55
    assert layers["areas"]["stored_styles"] == ["小区：步行圈覆盖", "小区：每百户配建面积"]
    assert layers["areas"]["aliases"]["households"] == "户数(户)"
    assert layers["areas"]["labels"] and layers["areas"]["label_max_scale_denominator"] == 10000
    # each 小区's class as QGIS evaluates the style's expression is the web map's class
    areas = result.areas.reset_index(drop=True)
    assert layers["areas"]["classes"] == dict(zip(areas["area_id"], maps.walk_classes(areas), strict=True))
    facility_colors = {c["value"]: c["color"] for c in layers["facilities"]["categories"]}
    assert facility_colors == {k: maps.LEVEL_COLORS[k] for k in maps.LEVEL_COLORS}
    kinds = sorted(set(maps.proposal_kinds(result.proposals)))
    assert sorted(c["value"] for c in layers["proposals"]["categories"]) == kinds
    assert layers["proposals"]["label_field"] == '"rank"'
    assert [(c["value"], c["render"]) for c in layers["service_areas"]["categories"]] == [
        ("15", True),
        ("10", False),
        ("5", False),
    ]
    assert [c["value"] for c in layers["streets"]["categories"]] == ["major", "minor"]
    # the SLD of each default style loads into QGIS as rules selecting the same features
    for name, layer in layers.items():
        assert layer["sld"]["ok"] and layer["sld"]["renderer"] == "RuleRenderer", name
    levels = result.facilities["level"].value_counts()
    assert layers["facilities"]["sld"]["rules"] == {
        c["label"]: levels[c["value"]] for c in layers["facilities"]["categories"]
    }
    merged = (result.service_areas["facility_id"] == "all") & (result.service_areas["minutes"] == 15)
    assert layers["service_areas"]["sld"]["rules"] == {"15分钟步行范围": int(merged.sum())}
    # the project: every layer found (relative paths), in the web map's order, in UTM metres
    project = report["project"]
    assert project["read"] and project["relative_paths"] and project["crs"] == "EPSG:32650"
    assert [(layer["name"], layer["valid"], layer["visible"]) for layer in project["layers"]] == [
        ("规划新建/扩建设施(序号)", True, True),
        ("现状设施(按等级，大小示面积)", True, True),
        ("小区：每百户配建面积", True, False),
        ("小区：步行圈覆盖", True, True),
        ("服务范围", True, True),
        ("路网", True, True),
    ]
    # the rendered project is a map, not a blank page: most pixels drawn, in many colours
    drawn = image(report["png"]["path"])
    assert drawn.shape == (800, 1000, 3)
    assert (drawn < 250).any(axis=-1).mean() > 0.5
    assert len(np.unique(drawn.reshape(-1, 3), axis=0)) > 200
    assert pixels_near(drawn, blend(maps.PROPOSAL_COLOR, 0.95), 10) > 100, "proposed centres in their colour"
    # each GeoPackage alone, as it opens: drawn, in its own colours
    pixels = {name: image(layer["png"]["path"]) for name, layer in layers.items()}
    assert all((p < 250).any(axis=-1).mean() > 0.002 for p in pixels.values())
    assert pixels_near(pixels["facilities"], blend(maps.LEVEL_COLORS["community"], 0.9), 6) > 50
    assert pixels_near(pixels["proposals"], blend(maps.PROPOSAL_COLOR, 0.95), 6) > 100
    band = maps.SERVICE_AREA_STYLES[15]
    assert pixels_near(pixels["service_areas"], blend(band["fillColor"], band["fillOpacity"]), 3) > 100_000
    assert pixels_near(pixels["areas"], blend(maps.WALK_COLORS["within"], 0.55)) > 100_000


@pytest.mark.heavy
def test_demo_baseline_areas_render_in_the_verdict_colours(qgis, tmp_path):
    result, report = open_in_qgis("baseline", tmp_path)
    counts = pd.Series(maps.walk_classes(result.areas)).value_counts()
    assert (counts["within"], counts["outside"]) == (56, 27)
    # the areas as the GeoPackage opens them, on white: the verdict colours at the web map's opacity
    alone = image(report["layers"]["areas"]["png"]["path"])
    within = pixels_near(alone, blend(maps.WALK_COLORS["within"], 0.55))
    outside = pixels_near(alone, blend(maps.WALK_COLORS["outside"], 0.55))
    # the SLD's rules pick the same 小区 (outside: its ElseFilter)
    assert report["layers"]["areas"]["sld"]["rules"] == {"步行圈内": 56, "步行圈外": 27}
    # both verdicts drawn, the more frequent on more pixels (the demo's blocks are of similar size)
    assert within > outside > 0.05 * alone.shape[0] * alone.shape[1]
