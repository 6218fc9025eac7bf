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
from hypothesis import given
from hypothesis import strategies as st

from siting import Study, WalkSettings, assess_access, network
from siting.plan import BuildSettings
from siting.reachability import site_pairs
from siting.snapping import attach_points
from tests.conftest import SHARED, UTM50, at, box, seeded_towns

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
    # index wins, whichever is nearer by the noise. In Beijing the candidate came through its coordinate
    # transformations 1e-9 m off N (a leg of 1e-9 m: 888 m) and the planned centre exactly on N (a leg
    # of 0 m, dropped: 1,786 m); now all four walk 888 m from the same street point.
    area = _area(10, 878)
    for dx, dy in ((0.0, 0.0), (0.0, 1e-9), (1e-9, 0.0), (-1e-9, -1e-9)):
        point = gpd.GeoDataFrame(
            {"facility_id": ["G017"], "level": ["community"], "floor_area_m2": [300.0]},
            geometry=[shapely.Point(at(dx, dy))],
            crs=UTM50,
        )
        attached = attach_points(long_edge_network, point)
        assert attached.edge.tolist() == [0] and attached.offset_m == pytest.approx([0.0], abs=1e-6)
        walk = assess_access(long_edge_network, area, point).areas["dist_m_network"]
        assert walk.tolist() == [pytest.approx(888.0, abs=1e-6)]


@pytest.mark.slow  # a whole demo-sized run: in the second test command
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


# --------------------------------------------------------------------------------------------------
# Every objective's plan re-checked on random towns
# --------------------------------------------------------------------------------------------------
def _units() -> gpd.GeoDataFrame:
    """Two communities of one street (街道): west and east of x = 500."""
    from siting.inputs import read_units

    return read_units(
        gpd.GeoDataFrame(
            {"community": ["西关社区", "东关社区"], "township": ["城关街道", "城关街道"]},
            geometry=[box(-100, -700, 500, 700), box(500, -700, 1100, 700)],
            crs=UTM50,
        )
    )


def _random_town(seed: int):
    """Areas along the T of conftest (y = 0 from x = 0 to 1000, x = 500 up to 600), some new, some built
    with a candidate site; two existing facilities; five candidate sites, some exactly on street nodes."""
    rng = np.random.default_rng(seed)
    xs = np.sort(rng.choice(np.arange(20, 940, 40), size=6, replace=False))
    areas = gpd.GeoDataFrame(
        {
            "area_id": [f"A{k}" for k in range(len(xs))],
            "households": rng.integers(40, 2500, len(xs)).astype(float),
            "status": rng.choice(["existing", "existing", "new"], len(xs)),
        },
        geometry=[
            box(x, side * 20, x + 40, side * 60) for x, side in zip(xs, rng.choice([-1, 1], len(xs)), strict=True)
        ],
        crs=UTM50,
    )
    facilities = gpd.GeoDataFrame(
        {
            "facility_id": ["F0", "F1"],
            "name": ["F0", "F1"],
            "level": rng.choice(["community", "station", "township"], 2),
            "floor_area_m2": rng.choice([150.0, 250.0, 400.0], 2),
        },
        geometry=[shapely.Point(at(float(x), -30.0)) for x in rng.choice(np.arange(0, 1000, 50), 2, replace=False)],
        crs=UTM50,
    )
    # candidates on the street nodes (0, 0), (500, 0), (500, 600) and beside the streets
    spots = [(0.0, 0.0), (500.0, 0.0), (500.0, 600.0)] + [(float(x), 15.0) for x in np.arange(10, 1000, 70)]
    chosen = rng.choice(len(spots), 5, replace=False)
    candidates = gpd.GeoDataFrame(
        {
            "candidate_id": [f"C{k}" for k in range(5)],
            "name": [f"C{k}" for k in range(5)],
            "max_floor_area_m2": rng.choice([350.0, 600.0, 900.0], 5),
            # a new area's developer site (配建) now and then
            "area_id": [str(rng.choice(areas["area_id"])) if rng.random() < 0.2 else None for _ in range(5)],
        },
        geometry=[shapely.Point(at(*spots[i])) for i in chosen],
        crs=UTM50,
    ).to_crs(BEIJING_CRS)
    return areas, facilities, candidates


PLANS = [
    ("p_median", {"p": 1}),
    ("p_median", {"p": 2, "capacity": True}),
    ("max_coverage", {"p": 2}),
    ("max_coverage", {"p": 1, "capacity": True}),
    ("set_cover", {}),
    ("compliance", {}),
]


@pytest.mark.parametrize("plan", PLANS, ids=[f"{o}-{'-'.join(map(str, k.values()))}" for o, k in PLANS])
@seeded_towns(2)
@given(seed=st.integers(0, 2**16), method=st.sampled_from(["greedy", "heuristic", "exact"]))
def test_every_plan_passes_its_own_recheck(t_network, seed, plan, method):
    objective, options = plan
    areas, facilities, candidates = _random_town(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = Study.create(
            t_network,
            areas,
            facilities,
            profile="dong_e",
            overrides={"walk_minutes": 5},
            units=_units(),
            build=BuildSettings(facility_max_floor_area_m2=700.0),
        )
        proposal = study.propose(candidates, objective, method=method, **options)
        recheck = study.recheck(proposal)
    assert recheck.disagreements.empty, recheck.disagreements
    # one street (街道) and the communities west and east of x = 500 that have areas
    units = 1 + len(set(areas.geometry.centroid.x.to_numpy() < at(500, 0)[0]))
    assert recheck.areas_checked == 6 and recheck.units_checked == units
    assert recheck.sites_checked == len(proposal.sites)
    # per area: walk, minutes, floor area, (compliance) fixed; per unit: two tallies, and (compliance) its
    # centre where the plan claims one and its R09 where it claims that; per site: five figures; the
    # households newly within the walk, together; the status
    per_area = 4 if objective == "compliance" else 3
    claims = proposal.model.fixed_units_
    claimed_units = len(
        claims.assign(r09=claims["rule"] == "township_catchment")[["unit", "level", "r09"]].drop_duplicates()
    )
    assert recheck.checks == 6 * per_area + units * 2 + claimed_units + 5 * len(proposal.sites) + 2
    assert recheck.agreed == recheck.checks


# --------------------------------------------------------------------------------------------------
# Next year's round trip: the planned facilities read back as a scenario's existing ones
# --------------------------------------------------------------------------------------------------
@pytest.mark.slow  # a whole demo-sized run: in the second test command
@pytest.mark.parametrize("name", ["plan.yml", "walk_plan.yml"])
def test_planned_facilities_read_back_give_the_plans_verdicts(tmp_path, name):
    from siting.pipeline import demo_dir, run_and_write, run_scenario
    from siting.scenario import load_scenario, scenario_from_dict

    folder = demo_dir() / "scenarios"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        planned, written = run_and_write(load_scenario(folder / name), out=tmp_path / "plan", progress=False)
        assert planned.summary["plan_recheck"]["disagreements"] == []
        if name == "plan.yml":  # the compliance plan's costs are the toolkit's defaults, and its note says so
            import openpyxl

            header = {c.value: c for c in openpyxl.load_workbook(written / "report.xlsx")["新增设施建议"][1]}
            assert "新建一处 1,000,000，每平方米 1。" in header["费用(费用单位)"].comment.text
        assert planned.summary["plan_recheck"]["agreed"] == planned.summary["plan_recheck"]["checks"] > 83
        config = {
            key: value
            for key, value in load_scenario(folder / "baseline.yml").config.items()
            if key not in ("facilities", "output")
        }
        config["facilities"] = {"path": str(written / "facilities.gpkg"), "layer": "facilities"}
        config["name"] = "明年现状"
        again = run_scenario(scenario_from_dict(config, base_dir=tmp_path), progress=False)
    assert again.proposal is None
    before, after = planned.areas.set_index("area_id"), again.areas.set_index("area_id")
    assert list(after.index) == list(before.index) and len(after) == 83
    for column in ("within_walk", "within_radius", "floor_area_ok", "service_radius_ok", "fail_reason"):
        assert (
            after[column].astype(object).fillna("NA").tolist() == before[column].astype(object).fillna("NA").tolist()
        ), column
    np.testing.assert_allclose(after["walk_min"], before["walk_min"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        after["available_floor_area_m2"], before["available_floor_area_m2"], rtol=1e-9, atol=1e-9
    )
    for unit in ("townships", "communities"):
        mine, theirs = getattr(planned.compliance, unit), getattr(again.compliance, unit)
        assert mine.astype(object).fillna("NA").equals(theirs.astype(object).fillna("NA")), unit
    rules = ["number", "key", "actual", "verdict"]
    assert (
        planned.compliance.rules[rules]
        .astype(object)
        .fillna("NA")
        .equals(again.compliance.rules[rules].astype(object).fillna("NA"))
    )


def test_a_claim_the_recheck_denies_stops_the_run_and_writes_nothing(tmp_path, monkeypatch):
    # A plan claiming areas meet the floor-area rule that do not (as G017 claimed to serve 清华大学西北小区)
    from siting.pipeline import demo_dir, run_and_write
    from siting.plan import PlanRecheckError, Proposal
    from siting.scenario import load_scenario

    claims = Proposal.claimed_areas

    def overclaiming(self):
        out = claims(self)
        out.loc[out["floor_area_ok"].eq(False).fillna(False), "floor_area_ok"] = True
        return out

    monkeypatch.setattr(Proposal, "claimed_areas", overclaiming)
    with (
        warnings.catch_warnings(),
        pytest.raises(PlanRecheckError, match=r"area XQ\d+ floor_area_ok: True → False") as caught,
    ):
        warnings.simplefilter("ignore")
        run_and_write(load_scenario(demo_dir() / "scenarios" / "walk_plan.yml"), out=tmp_path / "out", progress=False)
    assert "defect of the toolkit" in str(caught.value)
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------------------
# One meaning per household column; costs only when given; gaps to two significant figures
# --------------------------------------------------------------------------------------------------
def _one_big_area_town(t_network, **build):
    """A2 (300..360, -80..-20) with 4,100 households needs 4,100 / 100 × 15 = 615 m² (Dong'e, existing areas).
    No facility within its 5-minute walk (300 m); two candidates beside it hold at most 310 m² each."""
    areas = gpd.GeoDataFrame(
        {"area_id": ["A2"], "households": [4100.0], "status": ["existing"]},
        geometry=[box(300, -80, 360, -20)],
        crs=UTM50,
    )
    facilities = gpd.GeoDataFrame(
        {"facility_id": ["F9"], "name": ["远处站"], "level": ["station"], "floor_area_m2": [150.0]},
        geometry=[shapely.Point(at(950, 30))],
        crs=UTM50,
    )
    candidates = gpd.GeoDataFrame(
        {"candidate_id": ["C1", "C2"], "name": ["C1", "C2"], "max_floor_area_m2": [310.0, 310.0]},
        geometry=[shapely.Point(at(330, 10)), shapely.Point(at(300, 10))],
        crs=UTM50,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = Study.create(
            t_network, areas, facilities, profile="dong_e", overrides={"walk_minutes": 5}, build=BuildSettings(**build)
        )
    return study, candidates


def test_a_cap_that_splits_one_need_is_said_on_both_rows(t_network):
    study, candidates = _one_big_area_town(t_network)
    proposal = study.propose(candidates, "compliance")
    sites = proposal.sites.set_index("site_id")
    # 615 m² from two sites of at most 310 m² (at least 300 m², Dong'e's community-centre minimum)
    assert sorted(sites.index) == ["C1", "C2"]
    assert sites["recommended_floor_area_m2"].sum() == 615.0
    assert sites["at_cap"].any()
    assert sites.loc["C1", "shares_need_with"] == "C2" and sites.loc["C2", "shares_need_with"] == "C1"
    # both serve the same 4,100 households by the rule's sharing; only the first brings them within the walk
    assert sites["households_served"].tolist() == [4100.0, 4100.0]
    assert sorted(sites["households_newly_covered"].tolist()) == [0.0, 4100.0]
    planned = study.plan(proposal).check().facilities.set_index("facility_id")
    assert planned.loc[["C1", "C2"], "catchment_households"].tolist() == [4100.0, 4100.0]
    assert study.recheck(proposal).disagreements.empty


def test_costs_only_when_given_or_minimised(t_network):
    study, candidates = _one_big_area_town(t_network)
    assert "cost" not in study.propose(candidates, "p_median", p=1).sites.columns
    # the compliance plan minimises cost: at the defaults (1,000,000 a site, 1 a m²) when none are given
    assert study.propose(candidates, "compliance").sites["cost"].sum() == 2 * 1_000_000 + 615
    given, _ = _one_big_area_town(t_network, cost_new_site=300.0, cost_per_m2=0.6, costs_given=True)
    assert given.propose(candidates, "p_median", p=1).sites["cost"].tolist() == [300.0 + 0.6 * 310.0]


def test_gaps_show_two_significant_figures():
    from siting.report import gap_format, gap_text

    assert gap_text(0.000188) == "0.019%" and gap_format(0.000188) == "0.000%"  # Excel shows 0.019%
    assert gap_text(0.05) == "5%" and gap_format(0.05) == "0.0%"
    assert gap_text(0.25) == "25%" and gap_format(0.25) == "0%"
    assert gap_text(None) == "—" and gap_format(0.0) == "0.0%"


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_workbook_defines_each_household_column_and_shows_costs_only_when_given(tmp_path):
    import openpyxl

    from siting.pipeline import demo_dir, run_and_write
    from siting.scenario import load_scenario

    folder = demo_dir() / "scenarios"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        walk, walk_dir = run_and_write(load_scenario(folder / "walk_plan.yml"), out=tmp_path / "walk", progress=False)
    assert walk.summary["plan_cost"] is None and walk.summary["objective_unit"] == "household-minutes"
    book = openpyxl.load_workbook(walk_dir / "report.xlsx")
    items = [row[0] for row in book["汇总"].iter_rows(values_only=True)]
    assert "方案费用合计(费用单位)" not in items and "新建一处设施的费用(费用单位)" not in items
    proposals, facilities = book["新增设施建议"], book["设施"]
    headers = {cell.value: cell for cell in proposals[1]}
    assert "费用(费用单位)" not in headers
    assert headers["服务户数(户)"].comment.text.startswith("本设施的建筑面积按每百户配建面积规则")
    assert headers["新增步行覆盖户数(户)"].comment.text.startswith("规划后新纳入15分钟步行范围的户数")
    facility_headers = {cell.value: cell for cell in facilities[1]}
    assert facility_headers["服务户数(户)"].comment.text == headers["服务户数(户)"].comment.text
    assert "服务范围内户数(户)" not in facility_headers
    # the same figure in both sheets for every proposed centre
    served = {
        row[0]: row[list(headers).index("服务户数(户)")] for row in proposals.iter_rows(min_row=2, values_only=True)
    }
    column = list(facility_headers).index("服务户数(户)")
    in_facilities = {row[0]: row[column] for row in facilities.iter_rows(min_row=2, values_only=True)}
    assert served and all(in_facilities[site] == value for site, value in served.items())


def test_the_recheck_compares_every_walk_not_only_the_verdict(t_network, monkeypatch):
    # A2 walks 10 + 20 = 30 m from C1 at (330, 10) (0.5 min); a plan measuring 2 minutes more still
    # puts it within the 5-minute walk, and the re-check says the minutes disagree.
    from siting.plan import Proposal

    study, candidates = _one_big_area_town(t_network)
    proposal = study.propose(candidates, "p_median", p=1)
    assert proposal.claimed_areas()["walk_min"].tolist() == [pytest.approx(0.5)]
    claims = Proposal.claimed_areas
    monkeypatch.setattr(
        Proposal, "claimed_areas", lambda self: claims(self).assign(walk_min=lambda f: f["walk_min"] + 2)
    )
    found = study.recheck(proposal).disagreements
    assert found[["kind", "id", "item"]].values.tolist() == [["area", "A2", "walk_min"]]
    assert found["claimed"].tolist() == [pytest.approx(2.5)] and found["found"].tolist() == [pytest.approx(0.5)]
