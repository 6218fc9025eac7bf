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
        ({"residential": {"path": None}}, "residential.path: missing"),
        ({"facilities": None}, "facilities: missing"),
        ({"facilities": {"crs": 4326}}, "facilities.crs: expected gcj02, bd09"),
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
        ({"optimize": {"time_limit_s": -5}}, "optimize.time_limit_s: expected a time limit in seconds"),
        ({"optimize": {"solver": "cplex"}}, "optimize.solver: unknown key"),
        (
            {"overrides": {"walk_sped_m_per_min": 55}},
            "overrides.walk_sped_m_per_min: unknown key (did you mean 'walk_speed_m_per_min'?)",
        ),
        ({"overrides": {"walk_minutes": -15}}, "overrides.walk_minutes: expected a number in min, got -15"),
        ({"candidates": {"layer": "candidates"}}, "candidates: expected path (a candidate layer) or generate: true"),
        ({"map": {"basemap": "google"}}, "map.basemap: expected one of osm, amap, tianditu, none"),
        ({"reachability": {"bands_min": [5, -10]}}, "reachability.bands_min: expected a list of walking-time bands"),
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
    assert baseline.config["facilities"] == {"path": str(DEMO / "facilities.csv"), "crs": "gcj02"}
    assert plan.config["optimize"]["objective"] == "p_median"
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
    proposed = list(result.proposals["candidate_id"])
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
