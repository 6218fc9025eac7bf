"""Candidate land parcels: plots with 容积率 and 限高, their largest floor area, their street-facing access,
and generated candidates named as sketches (issue 22)."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely

from siting import inputs, network
from siting.pipeline import parcel_access
from tests.conftest import SHARED, UTM50, at, box, one_centre

WUDAOKOU = SHARED / "cities" / "beijing_wudaokou" / "map.osm"


def _plots() -> gpd.GeoDataFrame:
    """Two plots north of the street y=0 of the fixture's T (a 60 m × 40 m vacant plot with 容积率 2.5, a
    100 m × 50 m one whose floor area the planner set) and a 配套用房 point."""
    return gpd.GeoDataFrame(
        {
            "地块编号": ["P1", "P2", "P3"],
            "容积率": [2.5, 1.2, None],
            "限高": [6, None, None],
            "建筑面积上限": [None, 900.0, 400.0],
        },
        geometry=[box(700, 30, 760, 70), box(200, 40, 300, 90), shapely.Point(at(100, 40))],
        crs=UTM50,
    )


def test_a_plots_floor_area_follows_its_plot_ratio_unless_given():
    plots = inputs.read_candidates(_plots(), columns={"candidate_id": "地块编号"})
    assert plots["land_area_m2"].tolist()[:2] == pytest.approx([2400.0, 5000.0])
    assert np.isnan(plots["land_area_m2"].iloc[2])
    # 2400 m² × 2.5 = 6000 m²; P2's own bound wins over 5000 × 1.2; the point keeps its own
    assert plots["max_floor_area_m2"].tolist() == [6000.0, 900.0, 400.0]
    assert plots["max_floor_area_source"].tolist() == ["plot_ratio", "input", "input"]
    assert plots["floors"].tolist()[:1] == [6.0]
    assert (plots.geom_type == "Point").all()  # the site until the streets are known


def test_a_plot_is_entered_from_its_street_facing_side(t_network):
    plots = inputs.read_candidates(_plots(), columns={"candidate_id": "地块编号"})
    sited = parcel_access(plots, t_network)
    assert "parcel" not in sited.columns
    doors = sited.geometry.to_numpy()
    # on the plot's south edge, the one facing the street y=0 (30 m and 40 m away)
    assert shapely.get_coordinates(doors[:2])[:, 1] - 4_000_000 == pytest.approx([30.0, 40.0])
    assert shapely.distance(doors[:2], shapely.boundary(_plots().geometry.to_numpy()[:2])) == pytest.approx([0, 0])
    assert doors[2].equals(plots.geometry.iloc[2])  # a point stays where it is
    # the inside point the reader gave is farther from the street than the door
    assert (shapely.get_coordinates(plots.geometry.to_numpy()[:2])[:, 1] - 4_000_000 > [30.0, 40.0]).all()


def test_the_largest_floor_area_of_a_plot_reaches_the_proposals(t_network, t_areas, t_facilities):
    from siting.plan import Study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = Study.create(t_network, inputs.read_areas(t_areas), inputs.read_facilities(t_facilities))
        plots = parcel_access(inputs.read_candidates(_plots(), columns={"candidate_id": "地块编号"}), t_network)
        problem = study.problem(plots)
    sources = dict(zip(problem.sites["site_id"], problem.sites["max_floor_area_source"], strict=True))
    assert (sources["P1"], sources["P2"]) == ("plot_ratio", "input")


@pytest.mark.slow  # a whole demo-sized run: in the second test command
@pytest.mark.skipif(not WUDAOKOU.exists(), reason="../shared/cities is not beside this checkout")
def test_plots_from_an_osm_extract_read_through_the_same_path(tmp_path):
    import osmnx as ox

    tags = {"landuse": ["brownfield", "greenfield", "construction"], "amenity": "community_centre"}
    found = ox.features_from_xml(WUDAOKOU, tags=tags)
    found = found[found.geom_type.isin(["Polygon", "MultiPolygon"])].reset_index()
    assert len(found) >= 2  # Wudaokou 2017: the construction sites
    plots = gpd.GeoDataFrame(
        {"地块编号": [f"OSM{i}" for i in range(len(found))], "名称": found.get("name"), "容积率": 2.0},
        geometry=found.geometry.to_numpy(),
        crs=found.crs,
    )
    plots.to_file(tmp_path / "备选地块.gpkg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = inputs.read_candidates(tmp_path / "备选地块.gpkg", columns={"candidate_id": "地块编号"})
        net = network.from_file(WUDAOKOU)
    metric = plots.to_crs(net.crs).geometry.to_numpy()
    np.testing.assert_allclose(read["land_area_m2"], shapely.area(metric), rtol=1e-3)
    np.testing.assert_allclose(read["max_floor_area_m2"], 2.0 * shapely.area(metric), rtol=1e-3)
    sited = parcel_access(read, net).to_crs(net.crs)
    doors, inside = sited.geometry.to_numpy(), read.to_crs(net.crs).geometry.to_numpy()
    assert shapely.distance(doors, shapely.boundary(metric)) == pytest.approx(np.zeros(len(doors)), abs=1e-6)
    streets = shapely.union_all(net.edges.geometry.to_numpy())
    assert (shapely.distance(doors, streets) <= shapely.distance(inside, streets) + 1e-9).all()


def _generated(tmp_path, t_lines, t_areas):
    """A scenario on the fixture's streets proposing centres at generated candidates, run."""
    from siting.pipeline import run_scenario
    from siting.scenario import scenario_from_dict

    t_lines.iloc[:2].to_file(tmp_path / "roads.gpkg")
    t_areas.iloc[[0, 1, 3, 4]].to_file(tmp_path / "xiaoqu.gpkg")
    facility = one_centre()
    facility.to_file(tmp_path / "facilities.gpkg")
    config = {
        "name": "生成",
        "network": {"path": "roads.gpkg"},
        "residential": {"path": "xiaoqu.gpkg"},
        "facilities": {"path": "facilities.gpkg"},
        "candidates": {"generate": True, "spacing_m": 100},
        "optimize": {"objective": "set_cover"},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_scenario(scenario_from_dict(config, base_dir=tmp_path), progress=False)


def test_generated_candidates_are_named_as_sketches(tmp_path, t_lines, t_areas):
    result = _generated(tmp_path, t_lines, t_areas)
    new = result.proposals[result.proposals["kind"] == "new"]
    assert len(new) >= 1
    assert all(name == f"示意位置（需落实用地） {site}" for name, site in zip(new["name"], new["site_id"], strict=True))


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_written_proposals_are_read_back_as_candidates(tmp_path, t_lines, t_areas):
    from siting.report import write_result

    result = _generated(tmp_path, t_lines, t_areas)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_result(result, tmp_path / "out")
    proposals = result.proposals.to_crs(4326)
    for again in (
        inputs.read_candidates(tmp_path / "out" / "proposals.csv"),
        inputs.read_candidates(tmp_path / "out" / "report.xlsx", sheet="新增设施建议"),
    ):
        assert again["candidate_id"].tolist() == proposals["site_id"].tolist()
        assert again["name"].tolist() == proposals["name"].tolist()
        np.testing.assert_allclose(  # WGS84 to 6 decimals: 0.1 m
            shapely.get_coordinates(again.geometry.to_numpy()),
            shapely.get_coordinates(proposals.geometry.to_numpy()),
            atol=1e-6,
        )
