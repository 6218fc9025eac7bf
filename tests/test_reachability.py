"""Walking distances on hand-built networks, checked against figures worked out by hand."""

from __future__ import annotations

import warnings

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from siting import network, reachability
from siting.errors import SitingInputError, SitingWarning
from siting.snapping import attach_areas, attach_points
from tests.conftest import UTM50, at, box, write_oneway_osm

# F1 stands 40 m north of the street y=0 at x=100. Walks (gap to street + along streets + gap to area):
#   A1 box(700,20,760,80), 20 m north of y=0:   40 + (700-100) + 20            = 660 m
#   A2 box(300,-80,360,-20), same segment as F1: 40 + (300-100) + 20            = 260 m (straight along it)
#   A3 next to the far piece at y=2000: dropped with the disconnected part → no street nearby
#   A4 box(520,560,580,620) east of x=500:     40 + (500-100) + 560 + 20        = 1020 m
#   A5 box(940,-80,1000,-20):                  40 + (940-100) + 20              = 900 m = exactly 15 min
# F2 at (900, 350) is 350 m from any street: beyond the 300 m snapping distance, it serves no one.
EXPECTED_M = {"A1": 660.0, "A2": 260.0, "A4": 1020.0, "A5": 900.0}


@pytest.fixture
def access(t_network, t_areas, t_facilities):
    with pytest.warns(UserWarning, match="F2"):
        return reachability.assess_access(
            t_network, t_areas, t_facilities, walk_speed_m_per_min=60, walk_minutes=15, service_radius_m=1000
        )


def test_network_distances_match_hand_computation(access):
    got = access.areas.set_index("area_id")
    for area_id, metres in EXPECTED_M.items():
        assert got.loc[area_id, "dist_m_network"] == pytest.approx(metres, abs=1e-6)
        assert got.loc[area_id, "walk_min"] == pytest.approx(metres / 60, abs=1e-9)
        assert got.loc[area_id, "nearest_facility"] == "F1"


def test_cutoff_is_inclusive_and_bands(access):
    got = access.areas.set_index("area_id")
    assert got["within_walk"].to_dict() == {"A1": True, "A2": True, "A3": False, "A4": False, "A5": True}
    assert got.loc["A5", "walk_min"] == pytest.approx(15.0)
    assert got["within_5min"].to_dict() == {"A1": False, "A2": True, "A3": False, "A4": False, "A5": False}
    assert got["within_10min"].to_dict() == {"A1": False, "A2": True, "A3": False, "A4": False, "A5": False}
    assert got.loc["A1", "walk_min"] == pytest.approx(11.0)


def test_unreachable_listed_not_dropped(access):
    got = access.areas.set_index("area_id")
    assert len(got) == 5
    assert np.isnan(got.loc["A3", "walk_min"]) and not got.loc["A3", "within_walk"]
    assert got.loc["A3", "unreachable_reason"] == "no_street_nearby"
    assert got["unreachable_reason"].isna().sum() == 4
    assert list(access.unreachable["area_id"]) == ["A3", "A4"]


def test_straight_line_radius_overstates_network(access):
    got = access.areas.set_index("area_id")
    # A4: the circle says 383 m to F2 (which cannot be reached) and 676 m to F1; the streets say 1020 m
    assert got.loc["A4", "nearest_facility_straight"] == "F2"
    assert got.loc["A4", "dist_m_straight"] == pytest.approx(np.hypot(900 - 580, 560 - 350))
    assert got.loc["A4", "within_radius"] and not got.loc["A4", "within_radius_network"]
    assert got.loc["A2", "dist_m_straight"] == pytest.approx(np.hypot(300 - 100, 40 + 20))


def test_facility_attachment_reported(access):
    fac = access.facilities.set_index("facility_id")
    assert fac["attached"].to_dict() == {"F1": True, "F2": False}
    assert fac.loc["F1", "street_gap_m"] == pytest.approx(40.0)
    # F2 is too far to attach (300 m), yet its distance to the street is known: 350 m down to y = 0
    # (the x = 500 street is 400 m away).
    assert fac.loc["F2", "street_gap_m"] == pytest.approx(350.0)


def test_distance_from_each_area_to_the_street(access):
    got = access.areas.set_index("area_id")["street_gap_m"]
    # A1, A2, A5 face the y = 0 street 20 m away, A4 the x = 500 street 20 m away. A3's own street (y = 2000)
    # is not part of the network: the nearest left is the end of x = 500 at (500, 600), from A3's corner (100, 2020).
    assert got.to_dict() == pytest.approx({"A1": 20.0, "A2": 20.0, "A3": np.hypot(400, 1420), "A4": 20.0, "A5": 20.0})


def test_coverage_rates_household_weighted(access):
    rates = access.coverage().loc["all"]
    # within 15 min: A1 (100) + A2 (200) + A5 (500) of 1500 households
    assert rates["households_total"] == 1500
    assert rates["households_within_walk"] == 800
    assert rates["share_within_walk"] == pytest.approx(800 / 1500)
    # within 1000 m straight: A1, A2, A4 (to F2), A5 (A5 to F1: hypot(840, 60) = 842 m) ; A3 is 1.98 km off
    assert rates["households_within_radius"] == 1200
    assert rates["households_within_radius_network"] == 800
    assert rates["areas_within_walk"] == 3


def test_coverage_labelled_like_the_summary_table(access):
    zh = access.coverage(language="zh").loc["all"]
    # the same figures under the headers of the workbook and of ComplianceResult.summary_table("zh")
    assert zh["15分钟步行可达户数(户)"] == 800 and zh["15分钟养老服务圈覆盖率(按户)"] == pytest.approx(800 / 1500)
    assert list(access.coverage(language="en").columns)[:2] == ["Households (total)", "Households within the walk"]


def test_coverage_by_group_and_level(access):
    areas = access.areas.assign(township=["东城", "东城", "西城", "西城", "西城"])
    by = reachability.coverage_rates(areas, by="township")
    assert by.loc["东城", "share_within_walk"] == pytest.approx(1.0)
    assert by.loc["西城", "share_within_walk"] == pytest.approx(500 / 1200)
    level = access.coverage_by_level()
    assert level.loc["station", "households_within_walk"] == 0
    assert level.loc["community", "households_within_walk"] == 800


def test_pairs_and_catchments(access):
    pairs = access.pairs.set_index("area_id")
    # limit is max(900 m walk, 1000 m radius): A4 at 1020 m is beyond it
    assert sorted(pairs.index) == ["A1", "A2", "A5"]
    assert pairs.loc["A5", "dist_m"] == pytest.approx(900.0)
    c = access.catchments().set_index("facility_id")
    assert sorted(c.loc["F1", "nearest_areas"]) == ["A1", "A2", "A5"]
    assert c.loc["F1", "households_within_walk"] == 800
    assert c.loc["F2", "households_nearest"] == 0


def test_disconnected_part_kept_gives_no_facility_in_reach(t_lines, t_areas, t_facilities):
    net = network.from_lines(t_lines, keep_largest=False)
    with pytest.warns(UserWarning):
        got = reachability.assess_access(net, t_areas, t_facilities).areas.set_index("area_id")
    assert got.loc["A3", "unreachable_reason"] == "no_facility_in_reach"
    assert got.loc["A1", "dist_m_network"] == pytest.approx(660.0)


def test_dropping_disconnected_part_warns(t_lines):
    with pytest.warns(UserWarning, match="dropped 2 nodes"):
        net = network.from_lines(t_lines)
    assert net.n_nodes == 4 and len(net.edges) == 3


def test_entrance_overrides_boundary(t_network, t_areas, t_facilities):
    # a gate on A1's north side at (730, 80): it must walk round to the street y=0? No: the gate snaps
    # to the nearest street, which is y=0 (80 m south); walk = 40 + 630 + 80 = 750 m
    gates = gpd.GeoDataFrame({"area_id": ["A1"]}, geometry=[shapely.Point(at(730, 80))], crs=UTM50)
    with pytest.warns(UserWarning):
        got = reachability.assess_access(t_network, t_areas, t_facilities, entrances=gates).areas
    assert got.set_index("area_id").loc["A1", "dist_m_network"] == pytest.approx(750.0)


def test_areas_far_outside_network_are_an_error(t_network, t_areas, t_facilities):
    far = t_areas.copy()
    far.loc[1, "geometry"] = box(50_000, 0, 50_060, 60)
    with pytest.raises(SitingInputError, match=r"more than 5 km outside.*rows: A2.*coordinate system"):
        reachability.assess_access(t_network, far, t_facilities)


def test_near_the_hull_but_far_from_its_extreme_nodes_is_not_an_error():
    """A ring street of 20 km radius (64 nodes): the hull of its 8 extreme nodes lies 1.5 km inside the
    ring between them, so a point 4.5 km outside the ring there is 6 km from that inner hull; only the
    whole hull says it is within 5 km, and 5.5 km out is beyond."""
    angle = np.radians(np.arange(64) * 360 / 64)
    centre = np.array([500_000.0, 4_000_000.0])
    xy = centre + 20_000 * np.c_[np.cos(angle), np.sin(angle)]
    ring = gpd.GeoDataFrame(geometry=shapely.linestrings(np.stack([xy, np.roll(xy, -1, axis=0)], axis=1)), crs=UTM50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = network.from_lines(ring)
    between = np.radians(22.5)  # a ring node, midway between two extreme ones
    sites = gpd.GeoDataFrame(
        {"facility_id": ["near", "far"]},
        geometry=shapely.points([centre + r * np.array([np.cos(between), np.sin(between)]) for r in (24_500, 25_500)]),
        crs=UTM50,
    )
    assert reachability._inner_hull(net.node_xy).distance(sites.geometry[0]) == pytest.approx(6_023, abs=1)
    reachability.check_within_network(net, sites.iloc[:1], "facility_id")
    with pytest.raises(SitingInputError, match=r"more than 5 km outside.*rows: far"):
        reachability.check_within_network(net, sites, "facility_id")


def _street_grid() -> network.StreetNetwork:
    """Streets every 200 m on a 1.2 km square, nodes moved by up to 20 m (so no two streets are parallel)."""
    rng = np.random.default_rng(7)
    xy = np.stack(np.meshgrid(np.arange(7) * 200.0, np.arange(7) * 200.0), axis=-1) + rng.uniform(-20, 20, (7, 7, 2))
    lines = [shapely.LineString([at(*xy[i, j]), at(*xy[i, j + 1])]) for i in range(7) for j in range(6)]
    lines += [shapely.LineString([at(*xy[i, j]), at(*xy[i + 1, j])]) for i in range(6) for j in range(7)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return network.from_lines(gpd.GeoDataFrame(geometry=lines, crs=UTM50))


def _nearest_by_brute_force(net: network.StreetNetwork, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each point's nearest edge measured against every edge (lowest index within TIE_M), and the distance to it."""
    dist = shapely.distance(points[:, None], net.edges.geometry.to_numpy()[None, :])
    edge = np.argmax(dist <= dist.min(axis=1)[:, None] + 1e-6, axis=1)
    return edge, dist[np.arange(len(points)), edge]


def test_points_attach_to_the_nearest_edge_near_and_far_as_measured_against_every_edge():
    """Points a few metres from a street, tens of metres (beyond the first box search), beyond the 300 m
    snapping distance, and on street nodes (a tie at 0 m, decided by the lowest edge index)."""
    net = _street_grid()
    rng = np.random.default_rng(8)
    xy = np.r_[rng.uniform(-400, 1600, (300, 2)), net.node_xy[:10] - at(0, 0)]
    points = shapely.points([at(x, y) for x, y in xy])
    edge, best = _nearest_by_brute_force(net, points)
    assert (best < 40).any() and ((best > 40) & (best <= 300)).any() and (best > 300).any()
    got = attach_points(net, gpd.GeoSeries(points, crs=UTM50))
    within = np.flatnonzero(best <= 300)
    np.testing.assert_array_equal(got.owner, within)
    np.testing.assert_array_equal(got.edge, edge[within])
    np.testing.assert_array_equal(got.gap_m, best[within])
    np.testing.assert_array_equal(got.unattached, np.flatnonzero(best > 300))


def test_boundary_access_points_are_those_a_search_of_every_edge_finds():
    """Blocks 60 m square at 2 to 330 m from the streets: each keeps the boundary samples (every 20 m)
    within 15 m of its nearest sample's gap, at most 8 spread along the facing ones, each on the edge
    a search of every edge finds; past 300 m none."""
    net = _street_grid()
    blocks = [box(20 + d, 40, 80 + d, 100) for d in (0, 30, 60)]  # inside the first cell
    blocks += [box(-60 - d, 300, -d, 360) for d in (2, 25, 45, 120, 260, 330)]  # west of the grid
    areas = gpd.GeoDataFrame({"area_id": [f"B{i}" for i in range(len(blocks))]}, geometry=blocks, crs=UTM50)
    got = attach_areas(net, areas)
    rings = shapely.get_exterior_ring(areas.geometry.to_numpy())
    for i, ring in enumerate(rings):
        n = int(np.ceil(shapely.length(ring) / 20.0 - 1e-6))
        samples = shapely.line_interpolate_point(np.repeat(ring, n), np.arange(n) / n, normalized=True)
        edge, gap = _nearest_by_brute_force(net, samples)
        facing = np.flatnonzero((gap <= 300) & (gap <= gap.min() + 15.0))
        kept = facing[:: int(np.ceil(len(facing) / 8))] if len(facing) else facing
        mine = got.owner == i
        np.testing.assert_array_equal(got.edge[mine], edge[kept])
        np.testing.assert_array_equal(got.gap_m[mine], gap[kept])
        assert shapely.equals_exact(got.points[mine], samples[kept], 0).all()
    assert got.unattached.tolist() == [len(blocks) - 1]


def test_one_way_street_walked_both_ways(tmp_path):
    path = tmp_path / "block.osm"
    write_oneway_osm(path)
    net = network.from_file(path)
    # the river is not a street; node 2 (a bend) is simplified away
    assert net.n_nodes == 6 and len(net.edges) == 6
    assert (net.csr != net.csr.T).nnz == 0
    # facility 20 m north of node 3; area x=-10..10 m, 20 m north of node 4: its corner (10, 420) walks
    # 20 + 390 against the one-way + 20 = 430 m, not 1250 m round the block
    lat0, lon0, m = 36.33, 116.25, 1 / 111_320
    k = m / np.cos(np.radians(lat0))
    fac = gpd.GeoDataFrame(
        {"facility_id": ["F"], "level": ["community"]},
        geometry=[shapely.Point(lon0 + 400 * k, lat0 + 420 * m)],
        crs=4326,
    )
    area = gpd.GeoDataFrame(
        {"area_id": ["A"], "households": [1.0]},
        geometry=[shapely.box(lon0 - 10 * k, lat0 + 420 * m, lon0 + 10 * k, lat0 + 440 * m)],
        crs=4326,
    )
    got = reachability.assess_access(net, area, fac).areas["dist_m_network"].iloc[0]
    assert got == pytest.approx(430.0, abs=3.0)  # metres; UTM scale and degree rounding allow ~0.5%


def test_agrees_with_networkx_on_real_osm_file():
    """Every area's distance equals networkx Dijkstra on the same augmented graph (real PBF)."""
    pyrosm = pytest.importorskip("pyrosm")
    from pathlib import Path

    pbf = Path(pyrosm.__file__).parent / "data" / "test.osm.pbf"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = network.from_file(pbf)
    rng = np.random.default_rng(7)
    picks = net.node_xy[rng.choice(net.n_nodes, 45, replace=False)] + rng.normal(0, 25, (45, 2))
    areas = gpd.GeoDataFrame(
        {"area_id": [f"A{i}" for i in range(40)], "households": 100.0},
        geometry=shapely.buffer(shapely.points(picks[:40]), 30),
        crs=net.crs,
    )
    facs = gpd.GeoDataFrame(
        {"facility_id": [f"F{i}" for i in range(5)], "level": "community"},
        geometry=shapely.points(picks[40:]),
        crs=net.crs,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = reachability.assess_access(net, areas, facs).areas["dist_m_network"].to_numpy()
    aa, fa = attach_areas(net, areas), attach_points(net, facs)
    e = net.edges
    g = nx.DiGraph()

    def add(a, b, w):
        if not g.has_edge(a, b) or g[a][b]["w"] > w:
            g.add_edge(a, b, w=w)

    for u, v, ln in zip(e.u, e.v, e.length_m, strict=True):
        add(u, v, ln)
        add(v, u, ln)
    for att, kind in ((aa, "A"), (fa, "F")):
        for o, ei, off, gap in zip(att.owner, att.edge, att.offset_m, att.gap_m, strict=True):
            u, v, ln = e.u.iat[ei], e.v.iat[ei], e.length_m.iat[ei]
            ends = [(u, gap + off), (v, gap + ln - off)]
            for node, w in ends:
                add((kind, o), node, w) if kind == "F" else add(node, (kind, o), w)
    for fo, fe, foff, fg in zip(fa.owner, fa.edge, fa.offset_m, fa.gap_m, strict=True):
        for ao, ae, aoff, ag in zip(aa.owner, aa.edge, aa.offset_m, aa.gap_m, strict=True):
            if fe == ae:
                add(("F", fo), ("A", ao), fg + ag + abs(foff - aoff))
    best = np.full(len(areas), np.inf)
    for f in np.unique(fa.owner):
        for node, d in nx.single_source_dijkstra_path_length(g, ("F", f), weight="w").items():
            if isinstance(node, tuple) and node[0] == "A":
                best[node[1]] = min(best[node[1]], d)
    assert np.isfinite(best).sum() >= 30
    np.testing.assert_allclose(np.where(np.isfinite(best), best, np.nan), ours, rtol=0, atol=1e-6)


def test_multipolygon_area_reached_through_its_nearest_part(t_network, t_areas, t_facilities):
    # A1 in two parts: its own square and a far-off part 20 m south of the street at x=200..260:
    # 40 + 100 + 20 = 160 m through the second part
    multi = t_areas.copy()
    multi.loc[0, "geometry"] = shapely.MultiPolygon([box(700, 20, 760, 80), box(200, -80, 260, -20)])
    with pytest.warns(UserWarning):
        got = reachability.assess_access(t_network, multi, t_facilities).areas.set_index("area_id")
    assert got.loc["A1", "dist_m_network"] == pytest.approx(160.0)
    assert got.loc["A2", "dist_m_network"] == pytest.approx(260.0)


def test_site_pairs_reuse_the_area_attachment(access, t_network, t_areas):
    # a candidate 10 m south of the street at x=800: A5 at 10 + (940-800) + 20 = 170 m; A1 leaves by its
    # corner (760, 20): 10 + (800-760) + 20 = 70 m
    cands = gpd.GeoDataFrame({"candidate_id": ["C1"]}, geometry=[shapely.Point(at(800, -10))], crs=UTM50)
    got = reachability.site_pairs(
        t_network,
        t_areas,
        cands,
        id_column="candidate_id",
        settings=access.settings,
        limit_m=300,
        area_attachment=access.area_attachment,
    ).set_index("area_id")
    assert sorted(got.index) == ["A1", "A5"]
    assert got.loc["A5", "dist_m"] == pytest.approx(170.0)
    assert got.loc["A1", "dist_m"] == pytest.approx(70.0)
    assert got.loc["A1", "walk_min"] == pytest.approx(70.0 / 60)
    fresh = reachability.site_pairs(
        t_network, t_areas, cands, id_column="candidate_id", settings=access.settings, limit_m=300
    )
    assert fresh.equals(got.reset_index())


def test_no_facilities_at_all(t_network, t_areas, t_facilities):
    got = reachability.assess_access(t_network, t_areas, t_facilities.iloc[:0]).areas
    assert not got["within_walk"].any() and got["walk_min"].isna().all()
    assert got["unreachable_reason"].tolist() == [
        "no_facility_in_reach",
        "no_facility_in_reach",
        "no_street_nearby",
        "no_facility_in_reach",
        "no_facility_in_reach",
    ]


def test_for_facilities_recomputes_reachability(access):
    only_f2 = access.for_facilities(access.facilities["facility_id"] == "F2").set_index("area_id")
    assert not only_f2["reachable"].any()
    assert only_f2.loc["A1", "unreachable_reason"] == "no_facility_in_reach"
    assert only_f2.loc["A3", "unreachable_reason"] == "no_street_nearby"
    assert only_f2.loc["A4", "nearest_facility_straight"] == "F2"


# -- 小区 given as points; facility lists wider than the study area ----------------------------------


def test_point_areas_walk_from_the_point(t_network, t_areas, t_facilities):
    # Along the streets, from F1 (F2 serves no one):
    # P1 (700, 30): 30 m north of the street y=0, so 40 + (700-100) + 30 = 670 m
    # P2 (530, 300): 30 m east of the street x=500, 300 m up it: 40 + (500-100) + 300 + 30 = 770 m
    # P3 (300, -400): 400 m from any street, beyond the 300 m snapping distance: no street nearby
    # Straight lines, from the point to the nearest facility of all: P1 and P2 to F2 at (900, 350),
    # hypot(200, 320) and hypot(370, 50); P3 to F1 at (100, 40), hypot(200, 440)
    points = gpd.GeoDataFrame(
        {"area_id": ["P1", "P2", "P3"], "households": [10.0, 20.0, 30.0], "status": ["existing"] * 3},
        geometry=[shapely.Point(at(700, 30)), shapely.Point(at(530, 300)), shapely.Point(at(300, -400))],
        crs=UTM50,
    )
    mixed = pd.concat([t_areas.iloc[[0]], points], ignore_index=True)  # A1 a polygon, the rest points
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = reachability.assess_access(t_network, mixed, t_facilities).areas.set_index("area_id")
    assert got["dist_m_network"].tolist()[:3] == pytest.approx([660.0, 670.0, 770.0])
    assert got["dist_m_straight"].tolist()[1:] == pytest.approx(
        [np.hypot(200, 320), np.hypot(370, 50), np.hypot(200, 440)]
    )
    assert got["nearest_facility_straight"].tolist()[1:] == ["F2", "F2", "F1"]
    assert got.loc["P2", "walk_min"] == pytest.approx(770 / 60)
    assert np.isnan(got.loc["P3", "dist_m_network"]) and got.loc["P3", "unreachable_reason"] == "no_street_nearby"
    (warned,) = [w.message for w in caught if "no street nearby" in str(w.message)]
    assert str(warned) == (
        "column 'area_id': 1 residential areas are more than 300 m from any street (no street nearby) and are "
        "listed as unreachable (rows: P3). Fix: check their coordinate system (GCJ-02 or BD-09 points need crs: "
        "gcj02 / bd09; projected x/y need their EPSG code) or use a network that covers them"
    )


def test_no_street_nearby_warning_counts_all_and_lists_the_first_ten(t_network, t_facilities):
    far = gpd.GeoDataFrame(
        {"area_id": [f"Q{i:02d}" for i in range(12)], "households": 1.0, "status": "existing"},
        geometry=[shapely.Point(at(100 + 50 * i, -1000)) for i in range(12)],
        crs=UTM50,
    )
    with pytest.warns(SitingWarning, match=r"12 residential areas .*\(rows: Q00, .*, Q09 and 2 more\)"):
        reachability.assess_access(t_network, far, t_facilities)


def test_clip_keeps_the_facilities_within_reach_of_the_streets(t_network, t_areas, t_facilities):
    city = pd.concat(
        [t_facilities, t_facilities.iloc[[0]].assign(facility_id="F9", geometry=[shapely.Point(at(20_000, 0))])],
        ignore_index=True,
    )
    # without clip: the far one is a coordinate mistake, and the message says clipping exists
    with pytest.raises(SitingInputError, match=r"facilities lie more than 5 km.*rows: F9.*clip: true"):
        reachability.assess_access(t_network, t_areas, city)
    with pytest.warns(SitingWarning) as caught:
        kept, left_out = reachability.clip_to_network(t_network, city, "facility_id")
    assert kept["facility_id"].tolist() == ["F1"] and left_out == ["F2", "F9"]
    assert str(caught[0].message) == (
        "column 'facility_id': clip: left out 2 of 3 facilities, more than 300 m from the study area's streets "
        "(rows: F2, F9)"
    )
    assert kept.crs == city.crs
    with pytest.raises(SitingInputError, match=r"clip would leave out all 1 candidate sites.*rows: G1"):
        reachability.clip_to_network(
            t_network,
            gpd.GeoDataFrame({"candidate_id": ["G1"]}, geometry=[shapely.Point(at(20_000, 0))], crs=UTM50),
            "candidate_id",
        )


def test_an_area_walks_the_same_from_another_crs(t_network, t_areas, t_facilities):
    # A 60 × 60 m area reprojected to CGCS2000 (EPSG:4548, the same meridian as UTM 50N) measures its
    # 240 m outline as 240.000000001 m: its boundary is still sampled at the same points, so it walks the
    # same distance as in UTM (it walked 4.6 m more when the rounding added a sample).
    settings = reachability.WalkSettings(walk_speed_m_per_min=60.0, walk_minutes=15.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        utm = reachability.assess_access(t_network, t_areas, t_facilities, settings=settings).areas
        cgcs = reachability.assess_access(t_network, t_areas.to_crs("EPSG:4548"), t_facilities, settings=settings).areas
    assert cgcs["dist_m_network"].to_numpy() == pytest.approx(utm["dist_m_network"].to_numpy(), abs=1e-6, nan_ok=True)
