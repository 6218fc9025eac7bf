"""A plan that passes its own audit: candidates and planned centres measured alike, every claim re-checked.

The Beijing case (Wudaokou, EPSG:4548 layers, generated candidates): an area walked 888 m to candidate
G017, yet 888 + 2 × 449 m to the centre planned there. The candidate sat exactly on a street node, at
the end of a 449 m edge: its leg to that node was 0 m, and scipy's sparse sum dropped the stored zero, so
the walk went to the edge's far end and back. Whether the leg came out as 0 or as 1e-9 m depended on the
coordinate transformations each layer went through.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely

from siting import Study, WalkSettings, assess_access, network
from siting.reachability import site_pairs
from siting.snapping import attach_points
from tests.conftest import SHARED, UTM50, at

#: CGCS2000 / 3-degree Gauss-Kruger CM 117E, the CRS of the Beijing files.
BEIJING_CRS = "EPSG:4548"
WALK = WalkSettings()


@pytest.fixture
def long_edge_network():
    """A 449 m street east from node N at (0, 0) and a 1000 m street north from N (UTM 50N, as OSM is projected)."""
    lines = gpd.GeoDataFrame(
        {"name": ["长街", "北街"]},
        geometry=[shapely.LineString([at(0, 0), at(449, 0)]), shapely.LineString([at(0, 0), at(0, 1000)])],
        crs=UTM50,
    )
    return network.from_lines(lines)


def _area(x: float, y: float, crs: str = UTM50) -> gpd.GeoDataFrame:
    """清华大学西北小区 as a point, 649 households."""
    return gpd.GeoDataFrame(
        {"area_id": ["西北小区"], "households": [649.0], "status": ["existing"]},
        geometry=[shapely.Point(at(x, y))],
        crs=UTM50,
    ).to_crs(crs)


def test_a_point_on_a_street_node_walks_from_that_node(long_edge_network):
    # The area at (10, 878) walks 10 m to the north street and 878 m along it to N: 888 m. A facility
    # exactly on N is attached to the long street (the lower edge index) at its end, 0 m from N.
    # Before the fix it measured 449 + 449 + 888 = 1,786 m.
    assert long_edge_network.edges["length_m"].tolist() == [449.0, 1000.0]
    facility = gpd.GeoDataFrame(
        {"facility_id": ["G017"], "level": ["community"], "floor_area_m2": [300.0]},
        geometry=[shapely.Point(at(0, 0))],
        crs=UTM50,
    )
    access = assess_access(long_edge_network, _area(10, 878), facility)
    assert access.areas["dist_m_network"].tolist() == [pytest.approx(888.0, abs=1e-9)]
    assert bool(access.areas["within_walk"].iloc[0])


def test_a_candidate_and_the_centre_planned_on_it_are_one_access_point(long_edge_network):
    # The Beijing run: layers in EPSG:4548, the facility list in WGS84, candidates generated on street
    # nodes (in the network's UTM), proposed, planned and measured again.
    areas = _area(10, 878, BEIJING_CRS)
    existing = gpd.GeoDataFrame(
        {"facility_id": ["F1"], "name": ["远处中心"], "level": ["community"], "floor_area_m2": [300.0]},
        geometry=[shapely.Point(at(449, 0))],
        crs=UTM50,
    ).to_crs("EPSG:4326")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = Study.create(long_edge_network, areas, existing, profile="national")
        candidates = study.generate_candidates(spacing_m=150.0)
    assert candidates.crs == BEIJING_CRS
    on_node = candidates[candidates.geometry.to_crs(UTM50).distance(shapely.Point(at(0, 0))) < 1e-6]
    assert len(on_node) == 1
    walks = study.candidate_pairs(on_node)
    assert walks["dist_m"].tolist() == [pytest.approx(888.0, abs=1e-6)]

    proposal = study.propose(on_node, "p_median", p=1)
    plan = study.plan(proposal)
    planned = plan.assess()
    site = on_node["candidate_id"].iloc[0]
    assert planned.areas["nearest_facility"].tolist() == [site]
    assert planned.areas["dist_m_network"].tolist() == [pytest.approx(888.0, abs=1e-6)]
    # the same street edge and offset for the candidate and the planned centre
    as_candidate = attach_points(long_edge_network, on_node)
    as_planned = attach_points(long_edge_network, plan.facilities[plan.facilities["facility_id"] == site])
    assert as_candidate.edge.tolist() == as_planned.edge.tolist() == [0]
    assert as_candidate.offset_m == pytest.approx(as_planned.offset_m, abs=1e-6)
    assert as_planned.offset_m == pytest.approx([0.0], abs=1e-6)


def test_rounding_from_a_coordinate_transformation_does_not_change_the_street(long_edge_network):
    # A point on N moved by float noise (~1e-9 m) ties the two streets within 1e-6 m: the lower edge
    # index wins, whichever is nearer by the noise.
    for dx, dy in ((0.0, 0.0), (0.0, 1e-9), (1e-9, 0.0), (-1e-9, -1e-9)):
        point = gpd.GeoSeries([shapely.Point(at(dx, dy))], crs=UTM50)
        assert attach_points(long_edge_network, point).edge.tolist() == [0]


def test_candidate_walks_equal_planned_walks_on_the_real_wudaokou_streets():
    osm = SHARED / "cities" / "beijing_wudaokou" / "map.osm"
    if not osm.exists():
        pytest.skip("the Wudaokou OpenStreetMap extract is not in ../shared")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = network.from_file(osm)
    # every street node as a candidate, carried through EPSG:4548 and, as planned facilities, WGS84
    nodes = gpd.GeoDataFrame(
        {"candidate_id": [f"G{i}" for i in range(len(net.node_xy))]},
        geometry=shapely.points(net.node_xy),
        crs=net.crs,
    ).to_crs(BEIJING_CRS)
    facilities = gpd.GeoDataFrame(
        {"facility_id": nodes["candidate_id"], "level": "community", "floor_area_m2": 300.0},
        geometry=nodes.geometry.to_crs("EPSG:4326").to_numpy(),
        crs="EPSG:4326",
    )
    as_candidates = attach_points(net, nodes)
    as_facilities = attach_points(net, facilities)
    assert np.array_equal(as_candidates.edge, as_facilities.edge)
    assert np.abs(as_candidates.offset_m - as_facilities.offset_m).max() < 1e-6
    sample = np.arange(0, len(nodes), 7)
    areas = gpd.GeoDataFrame(
        {"area_id": [f"A{i}" for i in sample], "households": 100.0, "status": "existing"},
        geometry=shapely.points(net.node_xy[sample] + [12.0, 9.0]),
        crs=net.crs,
    )
    walk = site_pairs(net, areas, nodes, id_column="candidate_id", settings=WALK)
    planned = assess_access(net, areas, facilities, WALK).pairs
    planned = planned[WALK.within_m(planned["dist_m"])]
    merged = walk.merge(planned, left_on=["area_id", "candidate_id"], right_on=["area_id", "facility_id"], how="outer")
    assert merged["dist_m_x"].notna().all() and merged["dist_m_y"].notna().all()
    assert np.abs(merged["dist_m_x"] - merged["dist_m_y"]).max() < 1e-6
