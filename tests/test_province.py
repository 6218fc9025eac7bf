"""The synthetic province generator (tools/make_province.py): reproducible, loadable, sized as documented."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import shapely

from siting import inputs
from siting.scenario import load_scenario
from tools import make_province as province


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("province") / "p"
    return folder, province.make_province(folder, 2, min_side=50, max_side=60, seed=7)


def _hashes(folder):
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def test_same_arguments_give_the_same_bytes(made, tmp_path):
    folder, _ = made
    province.make_province(tmp_path / "again", 2, min_side=50, max_side=60, seed=7)
    assert _hashes(tmp_path / "again") == _hashes(folder)


def test_counties_are_sized_as_documented_and_their_scenarios_load(made):
    _, files = made
    assert [f.name for f in files] == ["county_01.yml", "county_02.yml"]
    sides = province.county_sides(2, 50, 60, seed=7)
    assert sorted(sides) == [50, 60]
    origins = []
    for file, side in zip(files, sides, strict=True):
        scenario = load_scenario(file)
        assert scenario.name == f"生成县{file.stem[-2:]}" and scenario.config["profile"] == "shandong"
        config = scenario.config
        areas = inputs.read_areas(config["residential"]["path"], layer="xiaoqu")
        facilities = inputs.read_facilities(config["facilities"]["path"], layer="facilities")
        units = inputs.read_units(config["units"]["path"], layer="units")
        assert len(areas) == round(province.AREAS_PER_NODE * side**2)  # 80 or 115
        assert len(facilities) == province.MIN_FACILITIES
        assert (facilities["level"] == "township").sum() == 14 == len(units)
        assert set(areas["status"]) == {"new", "existing"}
        # the township cells tile the county's grid extent (nodes are jittered up to 15 m off the grid),
        # each holding its own centre
        roads = inputs.read_layer(config["network"]["path"], layer="roads")
        county = units.union_all()
        assert county.area == pytest.approx(shapely.envelope(county).area, rel=1e-9)
        np.testing.assert_allclose(county.bounds, roads.total_bounds, atol=15.0)
        centres = facilities[facilities["level"] == "township"].geometry.to_numpy()
        assert shapely.contains(units.geometry.to_numpy(), centres).all()
        origins.append(county.bounds[:2])
    # neighbouring counties lie side by side, one pitch apart, without overlapping
    assert np.diff(np.array(origins), axis=0).tolist() == [[province.COUNTY_PITCH_M, 0.0]]
