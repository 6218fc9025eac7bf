"""Scenario files: schema mistakes named by key, extends with deep merge, relative paths, running a plan."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

from siting.errors import SitingInputError
from siting.pipeline import run_scenario
from siting.scenario import deep_merge, load_scenario, scenario_from_dict, validate

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo_town"
SCENARIOS = DEMO / "scenarios"

VALID = {
    "name": "测试 现状",
    "network": {"path": "roads.osm"},
    "residential": {"path": "xiaoqu.gpkg", "layer": "xiaoqu", "columns": {"households": "总户数", "status": "类型"}},
    "facilities": {"path": "facilities.csv", "crs": "gcj02"},
    "profile": "dong_e",
    "overrides": {"walk_speed_m_per_min": 55, "walk_minutes": 15, "service_radius_m": 1000},
    "optimize": {"objective": "p_median", "p": 5, "time_limit_s": 60},
    "output": "out/baseline",
}


def _with(**changes) -> dict:
    config = yaml.safe_load(yaml.safe_dump(VALID, allow_unicode=True))
    return deep_merge(config, changes)


def test_valid_scenario_has_no_mistakes():
    assert validate(VALID) == []


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"name": None}, "name: missing"),
        ({"netwrok": {"path": "x.osm"}}, "netwrok: unknown key (did you mean 'network'?)"),
        ({"network": {"place": "东阿县"}}, "network: expected exactly one of path, place or bbox, got path, place"),
        ({"network": {"path": None, "bbox": [116.3, 36.3, 116.2, 36.4]}}, "network.bbox: expected [west, south, east"),
        ({"residential": {"columns": ["总户数"]}}, "residential.columns: expected a mapping of schema names"),
        ({"residential": {"path": None}}, "residential: expected exactly one of path"),
        ({"facilities": None}, "facilities: missing"),
        ({"facilities": {"crs": [4326]}}, "facilities.crs: expected gcj02, bd09"),
        (
            {"optimize": {"objective": "k_means"}},
            "optimize.objective: expected one of p_median, max_coverage, set_cover",
        ),
        ({"optimize": {"p": 0}}, "optimize.p: expected a whole number of new centres ≥ 1, or until_compliant, got 0"),
        (
            {"optimize": {"p": "some"}},
            'optimize.p: expected a whole number of new centres ≥ 1, or until_compliant, got "some"',
        ),
        ({"optimize": {"p": None}}, "optimize.p: missing; p_median needs"),
        ({"optimize": {"capacity": "yes"}}, "optimize.capacity: expected true or false"),
        (
            {"optimize": {"objective": "compliance", "p": 3}},
            "objective 'compliance' takes no p: the plan itself decides how many centres to add",
        ),
        (
            {"optimize": {"objective": "compliance", "capacity": True}},
            "objective 'compliance' sizes every site by floor area itself and takes no capacity",
        ),
        (
            {"optimize": {"cost": {"new_site": 0}}},
            "optimize.cost.new_site: expected",
        ),
        (
            {"optimize": {"time_limit_s": -5}},
            "optimize.time_limit_s: -5 is outside the plausible range 1–86,400 s; expected a time limit in seconds",
        ),
        ({"optimize": {"solver": "cplex"}}, "optimize.solver: unknown key"),
        (
            {"overrides": {"walk_sped_m_per_min": 55}},
            "overrides.walk_sped_m_per_min: unknown key (did you mean 'walk_speed_m_per_min'?)",
        ),
        ({"overrides": {"walk_minutes": -15}}, "overrides.walk_minutes: expected a number in min, got -15"),
        ({"candidates": {"layer": "candidates"}}, "candidates: expected path (a candidate layer) or generate: true"),
        ({"map": {"basemap": "google"}}, "map.basemap: expected one of osm, amap, tianditu, none"),
        (
            {"reachability": {"bands_min": [5, -10]}},
            "reachability.bands_min: -10 is outside the plausible range 0.5–120 min; expected a list of walking-time",
        ),
        ({"output": 3}, "output: expected an output folder"),
    ],
)
def test_each_mistake_names_its_key(changes, expected):
    errors = [str(error) for error in validate(_with(**changes))]
    assert any(expected in e for e in errors), errors


def test_all_mistakes_are_reported_at_once(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text(
        yaml.safe_dump(_with(optimize={"p": 0, "objective": "x"}, netwrok=1, name=None), allow_unicode=True),
        encoding="utf-8",
    )
    with pytest.raises(SitingInputError) as info:
        load_scenario(path)
    text = str(info.value)
    for key in ("optimize.p:", "optimize.objective:", "netwrok:", "name: missing"):
        assert key in text
    assert "4 mistake(s)" in text and str(path) in text


def test_yaml_syntax_error_gives_line(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("name: x\nnetwork: {path: roads.osm\nresidential: 1\n", encoding="utf-8")
    with pytest.raises(SitingInputError, match=r"not valid YAML at line \d+"):
        load_scenario(path)


def test_extends_merges_deeply_and_resolves_paths_per_file(tmp_path):
    base_dir = tmp_path / "base"
    base_dir.mkdir()
    (base_dir / "base.yml").write_text(yaml.safe_dump(VALID, allow_unicode=True), encoding="utf-8")
    plan_dir = tmp_path / "plans"
    plan_dir.mkdir()
    (plan_dir / "plan_b.yml").write_text(
        "extends: ../base/base.yml\nname: plan_b\ncandidates: {path: cands.gpkg}\n"
        "optimize: {p: 6}\nresidential: {layer: other}\noverrides: {walk_minutes: 10}\n",
        encoding="utf-8",
    )
    scenario = load_scenario(plan_dir / "plan_b.yml")
    config = scenario.config
    assert scenario.name == "plan_b"
    # Paths are relative to the file that states them.
    assert config["network"]["path"] == str(base_dir / "roads.osm")
    assert config["candidates"]["path"] == str(plan_dir / "cands.gpkg")
    assert scenario.output_dir == base_dir / "out" / "baseline"
    # Mappings merge key by key: the base's objective and time limit stay, p changes.
    assert config["optimize"] == {"objective": "p_median", "p": 6, "time_limit_s": 60}
    assert config["residential"]["layer"] == "other" and config["residential"]["columns"]["households"] == "总户数"
    assert config["overrides"] == {"walk_speed_m_per_min": 55, "walk_minutes": 10, "service_radius_m": 1000}
    assert [p.name for p in scenario.chain] == ["plan_b.yml", "base.yml"]


def test_null_removes_a_key_and_extends_loop_is_caught(tmp_path):
    (tmp_path / "a.yml").write_text(yaml.safe_dump(VALID, allow_unicode=True), encoding="utf-8")
    (tmp_path / "b.yml").write_text("extends: a.yml\noptimize: null\n", encoding="utf-8")
    assert "optimize" not in load_scenario(tmp_path / "b.yml").config
    (tmp_path / "c.yml").write_text("extends: d.yml\nname: c\n", encoding="utf-8")
    (tmp_path / "d.yml").write_text("extends: c.yml\nname: d\n", encoding="utf-8")
    with pytest.raises(SitingInputError, match="'extends' loops back"):
        load_scenario(tmp_path / "c.yml")


def test_demo_scenarios_load():
    baseline = load_scenario(SCENARIOS / "baseline.yml")
    plan = load_scenario(SCENARIOS / "plan.yml")
    walk = load_scenario(SCENARIOS / "walk_plan.yml")
    assert baseline.config["facilities"] == {"path": str(DEMO / "facilities.csv"), "crs": "gcj02"}
    # the plan deep-merges its enlargement limit into the baseline's facilities
    assert plan.config["facilities"] == {**baseline.config["facilities"], "max_floor_area_m2": 800}
    assert plan.config["optimize"]["objective"] == "compliance"
    assert walk.config["optimize"] == {"objective": "p_median", "p": "until_compliant", "time_limit_s": 60}
    assert plan.config["network"] == baseline.config["network"]
    assert baseline.fingerprint() != plan.fingerprint()
    assert load_scenario(SCENARIOS / "plan.yml").fingerprint() == plan.fingerprint()


@pytest.fixture(scope="module")
def set_cover_result():
    scenario = scenario_from_dict(
        {
            "extends": "baseline.yml",
            "name": "最少新增",
            "candidates": {"path": "../candidates.gpkg", "layer": "candidates"},
            "optimize": {"objective": "set_cover", "method": "exact"},
        },
        base_dir=SCENARIOS,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_scenario(scenario, progress=False)


def test_set_cover_plan_covers_every_area_with_fewest_sites(set_cover_result):
    result = set_cover_result
    areas = result.areas
    assert result.summary["status"] == "optimal"
    assert result.summary["share_within_walk"] == 1.0
    assert areas["walk_min"].max() <= 15 + 1e-9
    # Fewest: no proposal can be dropped without leaving some area outside the walk, checked from the pairs.
    pairs = result.access.pairs
    within = pairs[pairs["walk_min"] <= 15 + 1e-9]
    existing = set(result.facilities.loc[~result.facilities["proposed"], "facility_id"])
    proposed = list(result.proposals["site_id"])
    assert result.summary["proposed_sites"] == len(proposed) == result.summary["objective"] == 4
    assert result.summary["bound"] == 4  # proven: no cover with 3 new centres exists
    for dropped in proposed:
        kept = existing | (set(proposed) - {dropped})
        reached = set(within.loc[within["facility_id"].isin(kept), "area_id"])
        assert reached != set(areas["area_id"]), f"{dropped} is redundant"
    # The figures before the plan are kept and are those of the baseline.
    assert result.summary["share_within_walk_before"] < 1.0
    before = result.access_before.areas
    assert result.summary["households_within_walk_before"] == before.loc[before["within_walk"], "households"].sum()


def test_proposed_centres_join_the_plan_as_community_centres(set_cover_result):
    facilities = set_cover_result.facilities
    proposed = facilities[facilities["proposed"]]
    assert set(proposed["level"]) == {"community"}
    assert (proposed["floor_area_m2"] >= 300).all()  # dong_e: community centre ≥ 300 m²
    np.testing.assert_allclose(
        proposed["floor_area_m2"].to_numpy(), set_cover_result.proposals["recommended_floor_area_m2"].to_numpy()
    )


def test_profile_file_is_relative_to_the_scenario_and_part_of_the_fingerprint(tmp_path):
    (tmp_path / "rules").mkdir()
    rules = tmp_path / "rules" / "my_county.yaml"
    rules.write_text("inherits: dong_e\nrules:\n  new_area_m2_per_100hh: 25\n", encoding="utf-8")
    config = _with(profile="rules/my_county.yaml")
    (tmp_path / "s.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    scenario = load_scenario(tmp_path / "s.yml")
    assert scenario.config["profile"] == str(rules)
    assert rules in scenario.input_files()
    before = scenario.fingerprint()
    rules.write_text("inherits: dong_e\nrules:\n  new_area_m2_per_100hh: 30\n", encoding="utf-8")
    assert scenario.fingerprint() != before


def test_scenario_mistakes_in_chinese_and_english(tmp_path):
    from siting.labels import language

    path = tmp_path / "错误.yml"
    path.write_text(
        "name: 测试\nnetwork: {path: roads.osm}\nresidential: {path: a.gpkg}\nfacilities: {path: f.csv}\n"
        "optimize: {objective: pmedian, p: 0}\n",
        encoding="utf-8",
    )
    with pytest.raises(SitingInputError) as caught:
        load_scenario(path)
    with language("zh"):
        text = str(caught.value)
    assert text.startswith(f"文件 {path}：方案中有 2 处错误：\n  - optimize.objective：应为以下之一：p_median、")
    assert "\n  - optimize.p：应为不小于 1 的新增设施数，或 until_compliant，实际为 0" in text
    assert text.endswith("。修改方法：改正上面列出的设置项")
    english = caught.value.message("en")
    assert "2 mistake(s) in the scenario:\n  - optimize.objective: expected one of p_median, " in english


# -- a planner's own files: Excel facility lists, 小区 points in BD-09, city-wide lists, OSM areas ----------

PYROSM_PBF = Path(__import__("pyrosm").__file__).parent / "data" / "test.osm.pbf"
WUDAOKOU = ROOT.parent / "shared" / "cities" / "beijing_wudaokou" / "map.osm"


def _planner_files(tmp_path, far_facility: bool) -> Path:
    """The demo town as a planning office keeps it: 小区 points copied from Baidu (BD-09) with 户数 in a
    CSV, and a city-wide facility list in a workbook (GCJ-02, a title row) with one facility 20 km off."""
    import geopandas as gpd
    import openpyxl
    import pandas as pd

    from siting.projection import wgs84_to_gcj02
    from tests.conftest import gcj02_to_bd09

    xiaoqu = gpd.read_file(DEMO / "xiaoqu.gpkg", layer="xiaoqu")
    points = xiaoqu.geometry.representative_point().to_crs(4326)
    lon, lat = gcj02_to_bd09(*wgs84_to_gcj02(points.x.to_numpy(), points.y.to_numpy()))
    table = xiaoqu[["小区编号", "小区名称", "总户数", "类型", "人口"]]
    table.assign(经度=lon, 纬度=lat).to_csv(tmp_path / "小区.csv", index=False, encoding="utf-8-sig")
    # the columns such a list has (the demo's also give services and beds by type)
    facilities = pd.read_csv(DEMO / "facilities.csv", dtype=str)[
        ["编号", "名称", "等级", "建筑面积", "床位", "lon", "lat"]
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "现有设施"
    sheet.append(["聊城市养老服务设施一览表"])
    sheet.append(list(facilities.columns))
    for row in facilities.itertuples(index=False):
        beds = None if pd.isna(row[4]) else float(row[4])
        sheet.append([*row[:3], float(row[3]), beds, float(row[5]), float(row[6])])
    if far_facility:
        last = facilities.iloc[-1]
        sheet.append(["F99", "临清市社区养老服务中心", "社区养老服务中心", 400.0, None, float(last["lon"]) + 0.2, 36.5])
    book.save(tmp_path / "设施.xlsx")
    return tmp_path


def _planner_scenario(folder: Path, **changes) -> dict:
    config = {
        "name": "示范县城 小区点位",
        "network": {"path": str(DEMO / "roads.osm")},
        "residential": {"path": str(folder / "小区.csv"), "crs": "bd09", "point_radius_m": 150},
        "facilities": {"path": str(folder / "设施.xlsx"), "sheet": "现有设施", "crs": "gcj02", "clip": True},
        "profile": "dong_e",
        "overrides": {"walk_speed_m_per_min": 55, "walk_minutes": 15, "service_radius_m": 1000},
    }
    return deep_merge(config, changes)


def test_planner_files_in_a_scenario(tmp_path):
    from siting import inputs, network, reachability

    folder = _planner_files(tmp_path, far_facility=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_scenario(scenario_from_dict(_planner_scenario(folder), base_dir=folder), progress=False)
    assert result.summary["left_out_by_clip"] == {"facilities": ["F99"]}
    assert any(
        str(w.message) == f"file {folder / '设施.xlsx'}, column 'facility_id': clip: left out 1 of 13 facilities, "
        "more than 300 m from the study area's streets (rows: F99)"
        for w in caught
    )
    areas = result.areas
    assert (areas.geom_type == "Point").all() and (areas["point_radius_m"] == 150).all()
    # the same walk worked out directly from the library, F99 left out by hand
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = network.from_file(DEMO / "roads.osm")
        direct = reachability.assess_access(
            net,
            inputs.read_areas(folder / "小区.csv", crs="bd09"),
            inputs.read_facilities(folder / "设施.xlsx", crs="gcj02").query("facility_id != 'F99'"),
            walk_speed_m_per_min=55,
            walk_minutes=15,
            service_radius_m=1000,
        ).areas
    np.testing.assert_allclose(areas["dist_m_network"], direct["dist_m_network"])
    assert areas["within_walk"].tolist() == direct["within_walk"].tolist()
    # without clip the far facility is a coordinate mistake, and the message says clipping exists
    no_clip = scenario_from_dict(_planner_scenario(folder, facilities={"clip": False}), base_dir=folder)
    with pytest.raises(SitingInputError, match=r"facilities lie more than 5 km.*rows: F99.*clip: true"):
        run_scenario(no_clip, progress=False)


def test_residential_needs_path_or_osm():
    def mistakes(**changes):
        return [str(error) for error in validate(_with(**changes))]

    assert "residential: expected exactly one of path (a layer of 小区) or osm (an OpenStreetMap file)" in mistakes(
        residential={"osm": "town.osm"}
    )
    assert any(
        e.startswith("residential.layer: not used with osm")
        for e in mistakes(residential={"path": None, "osm": "a.osm"})
    )
    osm_only = {"path": None, "layer": None, "columns": None, "osm": "town.osm", "household_size": 2.7}
    assert mistakes(residential=osm_only) == []
    assert any(e.startswith("facilities.clip: expected true") for e in mistakes(facilities={"clip": "yes"}))


def _osm_scenario(tmp_path, osm: Path) -> dict:
    """OpenStreetMap residential areas and streets from one file, two facilities on its streets."""
    import geopandas as gpd
    import pandas as pd

    from siting import network

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = network.from_file(osm)
    xy = np.asarray(net.node_xy)[[0, len(net.node_xy) // 2]]
    points = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=net.crs).to_crs(4326)
    pd.DataFrame(
        {
            "编号": ["F1", "F2"],
            "等级": ["社区养老服务中心"] * 2,
            "建筑面积": [600, 300],
            "lon": points.x,
            "lat": points.y,
        }
    ).to_csv(tmp_path / "facilities.csv", index=False)
    return {
        "name": "OSM 居住区",
        "network": {"path": str(osm)},
        "residential": {"osm": str(osm)},
        "facilities": {"path": str(tmp_path / "facilities.csv")},
        "profile": "dong_e",
    }


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_osm_residential_areas_in_a_scenario(tmp_path):
    import pandas as pd

    from siting.pipeline import run_and_write

    config = _osm_scenario(tmp_path, PYROSM_PBF)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result, folder = run_and_write(
            scenario_from_dict(config, base_dir=tmp_path), out=tmp_path / "out", progress=False
        )
    # 25 landuse=residential polygons, one a zero-area sliver; households from the buildings inside them
    assert result.summary["areas_total"] == 24 and result.summary["households_total"] == 12986
    assert result.summary["areas_households_estimated"] == {"buildings": 24}
    assert any("estimated households for 24 area(s)" in str(w.message) for w in caught)
    written = pd.read_csv(folder / "areas.csv", encoding="utf-8-sig")
    assert set(written["households_source"]) == {"buildings"}
    sheet = pd.read_excel(folder / "report.xlsx", sheet_name="小区", engine="openpyxl")
    assert set(sheet["户数来源"]) == {"按建筑估算"}


@pytest.mark.slow  # a whole demo-sized run: in the second test command
@pytest.mark.skipif(not WUDAOKOU.exists(), reason="../shared/cities is not beside this checkout")
def test_osm_residential_areas_of_a_real_chinese_extract(tmp_path):
    config = _osm_scenario(tmp_path, WUDAOKOU)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_scenario(scenario_from_dict(config, base_dir=tmp_path), progress=False)
    areas = result.areas
    assert len(areas) == 6 and (areas["households_source"] == "buildings").all()
    assert {"新林院", "荷清苑教师住宅区", "西王庄小区", "华清嘉园小区"} <= set(areas["name"])


def test_network_columns_and_numeric_crs_are_valid_keys():
    assert (
        validate(_with(network={"path": "道路中心线.shp", "columns": {"name": "道路名称", "class": "道路等级"}})) == []
    )
    assert validate(_with(residential={"path": "小区.shp", "crs": 4548})) == []
    assert [str(e) for e in validate(_with(network={"path": "r.shp", "columns": ["道路名称"]}))] == [
        "network.columns: expected the road layer's street name and class columns, e.g. {name: 道路名称, class: "
        '道路等级}, got ["道路名称"]'
    ]


def test_level_states_the_study_level():
    """Issue 21 item 6: ``level: 县 | 区 | 街道 | 乡镇`` says at what level the study stands; the pipeline gives it to
    the profile, so rules of another level read 不适用; any other value is refused with the allowed ones."""
    from siting.pipeline import _profile

    base = yaml.safe_load((Path(__file__).resolve().parents[1] / "data/demo_town/scenarios/baseline.yml").read_text())
    assert validate({**base, "level": "街道"}) == []
    errors = [str(e) for e in validate({**base, "level": "市"})]
    assert len(errors) == 1 and errors[0].startswith("level:") and "县, 区, 街道 or 乡镇" in errors[0]
    scenario = scenario_from_dict({**base, "level": "街道"}, Path(__file__).resolve().parents[1] / "data/demo_town")
    assert _profile(scenario).study_level == "street"
    assert _profile(scenario_from_dict(base, ".")).study_level is None
