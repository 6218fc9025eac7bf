"""Plans a county can build: bounded sizes, enlargements, and the least-cost plan that makes areas compliant.

Hand-made towns on the T network of conftest (a street along y=0 from x=0 to 1000), a 5-minute walk
of 300 m at 60 m/min, and Dong'e's rules: 15 m² per 100 households for existing areas, 200 m² a
site at least, 300 m² a community centre at least.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from siting import SitingInputError, Study
from siting.optimize import CompliancePlan
from siting.optimize.sizing import supply_per_household
from siting.plan import BuildSettings
from tests.conftest import UTM50, at, box, candidates_at, seeded_towns

OVERRIDES = {"walk_minutes": 5}  # 300 m at the national 60 m/min


def _areas(spec: list[tuple[str, tuple[float, float, float, float], float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"area_id": [s[0] for s in spec], "households": [s[2] for s in spec], "status": "existing"},
        geometry=[box(*s[1]) for s in spec],
        crs=UTM50,
    )


def _facilities(spec: list[tuple[str, float, float, float]]) -> gpd.GeoDataFrame:
    """(id, x, y, floor area m²) of community centres."""
    return gpd.GeoDataFrame(
        {
            "facility_id": [s[0] for s in spec],
            "name": [s[0] for s in spec],
            "level": "community",
            "floor_area_m2": [s[3] for s in spec],
        },
        geometry=[shapely.Point(at(s[1], s[2])) for s in spec],
        crs=UTM50,
    )


def _study(t_network, areas, facilities, **build) -> Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Study.create(
            t_network, areas, facilities, profile="dong_e", overrides=OVERRIDES, build=BuildSettings(**build)
        )


def test_enlarging_an_existing_centre_is_cheaper_than_a_new_one(t_network):
    # A2 (300..360, -80..-20), 2,000 households: 2,000 / 100 × 15 = 300 m² needed. F1 at (100, 40) walks
    # 40 + 200 + 20 = 260 m to it and has 250 m²: 50 m² short. A candidate beside A2 could take a new
    # centre (≥ 300 m², a million cost units), or F1 can grow to 800 m² (50 m² at 1 unit each).
    areas = _areas([("A2", (300, -80, 360, -20), 2000.0)])
    study = _study(t_network, areas, _facilities([("F1", 100, 40, 250.0)]), facility_max_floor_area_m2=800)
    assert study.check().areas["floor_area_ok"].tolist() == [False]
    proposal = study.propose(candidates_at([("C1", 330, 10, 750.0)]), "compliance")
    sites = proposal.sites.set_index("site_id")
    assert list(sites.index) == ["F1"] and sites.loc["F1", "kind"] == "expand"
    assert sites.loc["F1", "added_floor_area_m2"] == 50.0 and sites.loc["F1", "recommended_floor_area_m2"] == 300.0
    assert proposal.model.objective == 50.0 and proposal.model.status == "optimal"
    plan = study.plan(proposal)
    assert plan.check().areas["floor_area_ok"].tolist() == [True]
    assert plan.check().facilities.set_index("facility_id").loc["F1", "floor_area_m2"] == 300.0


def test_without_room_to_grow_a_new_centre_is_built(t_network):
    areas = _areas([("A2", (300, -80, 360, -20), 2000.0)])
    study = _study(t_network, areas, _facilities([("F1", 100, 40, 250.0)]))  # no facility may grow
    proposal = study.propose(candidates_at([("C1", 330, 10, 750.0)]), "compliance")
    sites = proposal.sites.set_index("site_id")
    # F1 and C1 share A2's 2,000 households: 250 + a ≥ 300 → a = 50, raised to the 300 m² minimum
    assert list(sites.index) == ["C1"] and sites.loc["C1", "kind"] == "new"
    assert sites.loc["C1", "recommended_floor_area_m2"] == 300.0
    assert proposal.model.objective == 1_000_000 + 300


def _two_area_town(t_network, cap: float):
    # A1 (700..760) and A5 (940..1000), 3,000 households each: 900 m² in all. C1 at x=800 walks 70 m to
    # A1 and 170 m to A5; C2 at x=950 walks 220 m to A1 and 30 m to A5: both share both areas.
    areas = _areas([("A1", (700, 20, 760, 80), 3000.0), ("A5", (940, -80, 1000, -20), 3000.0)])
    study = _study(t_network, areas, _facilities([("F0", 0, 10, 300.0)]))
    return study, candidates_at([("C1", 800, -10, cap), ("C2", 950, 10, cap)])


def test_a_cap_forces_two_centres_instead_of_one(t_network):
    study, candidates = _two_area_town(t_network, cap=1000.0)
    one = study.propose(candidates, "compliance")
    assert len(one.sites) == 1 and one.sites["recommended_floor_area_m2"].iloc[0] == 900.0
    study, candidates = _two_area_town(t_network, cap=750.0)
    two = study.propose(candidates, "compliance")
    assert sorted(two.sites["site_id"]) == ["C1", "C2"]
    assert two.sites["recommended_floor_area_m2"].sum() == 900.0
    assert (two.sites["recommended_floor_area_m2"] <= 750.0).all() and (
        two.sites["recommended_floor_area_m2"] >= 300
    ).all()
    assert two.model.objective == 2_000_000 + 900
    assert study.plan(two).check().areas["floor_area_ok"].tolist() == [True, True]


def test_an_infeasible_cap_returns_infeasible_and_names_the_areas(t_network):
    study, candidates = _two_area_town(t_network, cap=400.0)  # 400 + 400 < 900
    model = CompliancePlan().solve(study.problem(candidates))
    assert model.status == "infeasible"
    assert "2 area(s) no plan can make compliant: A1 (every site that could serve it falls short" in model.message
    assert model.unfixable_.to_dict("list") == {"demand": ["A1", "A5"], "reason": ["sites_at_cap", "sites_at_cap"]}
    # a study (and a scenario) lists them instead and plans the rest (here: nothing can be fixed)
    proposal = study.propose(candidates, "compliance")
    assert proposal.model.status == "optimal" and proposal.sites.empty
    assert proposal.unfixable.to_dict("list") == {"area_id": ["A1", "A5"], "reason": ["sites_at_cap", "sites_at_cap"]}


def test_a_new_area_is_fixed_only_by_a_site_of_its_own(t_network):
    # Dong'e 第13条: 新建城镇居住区按照每百户不低于20平方米…同步建设 (new_area_counts: own). N1
    # (700..760, 20..80), new, 1,500 households: 1,500 / 100 × 20 = 300 m² built with it. C1 at x=800 is
    # within the walk (70 m) but outside N1, so it cannot count: N1 is left to its developer.
    areas = _areas([("N1", (700, 20, 760, 80), 1500.0)]).assign(status="new")
    study = _study(t_network, areas, _facilities([("F0", 0, 10, 300.0)]))
    outside = study.propose(candidates_at([("C1", 800, -10, 750.0)]), "compliance")
    assert outside.sites.empty
    assert outside.unfixable.to_dict("list") == {"area_id": ["N1"], "reason": ["no_own_site"]}
    # a site inside N1 (its 配套用房) is its own: a 300 m² centre there fixes it
    inside = study.propose(candidates_at([("C1", 800, -10, 750.0), ("C2", 730, 50, 750.0)]), "compliance")
    assert inside.sites["site_id"].tolist() == ["C2"] and inside.sites["recommended_floor_area_m2"].tolist() == [300.0]
    assert inside.unfixable.empty
    assert study.plan(inside).check().areas["floor_area_ok"].tolist() == [True]
    # a site outside N1 that the candidate list assigns to it (配建小区编号: its 配套用房 across the road)
    # is its own too, and the built centre keeps the assignment, so the re-check agrees
    assigned = candidates_at([("C1", 800, -10, 750.0)]).assign(area_id="N1")
    plan = study.propose(assigned, "compliance")
    assert plan.sites[["site_id", "area_id", "recommended_floor_area_m2"]].values.tolist() == [["C1", "N1", 300.0]]
    assert study.plan(plan).check().areas["floor_area_ok"].tolist() == [True]
    with pytest.raises(SitingInputError, match="candidate sites name residential areas") as error:
        study.propose(assigned.assign(area_id="N9"), "compliance")
    assert error.value.rows == ["C1"]
    # read as within_walk (a profile choice), the nearer C1 serves just as well
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        walk = Study.create(
            t_network,
            areas,
            _facilities([("F0", 0, 10, 300.0)]),
            profile="dong_e",
            overrides={**OVERRIDES, "new_area_counts": "within_walk"},
        )
    assert walk.propose(candidates_at([("C1", 800, -10, 750.0)]), "compliance").sites["site_id"].tolist() == ["C1"]


def test_a_site_too_small_for_a_counted_centre_is_left_out(t_network):
    areas = _areas([("A2", (300, -80, 360, -20), 2000.0)])
    study = _study(t_network, areas, _facilities([("F1", 100, 40, 250.0)]))
    with pytest.warns(UserWarning, match=r"1 candidate site\(s\) cannot hold a centre.*300 m².*C1"):
        problem = study.problem(candidates_at([("C1", 330, 10, 1.0), ("C2", 340, 10, 750.0)]))
    assert list(problem.site_ids) == ["F1", "C2"]


def test_no_proposal_exceeds_its_bound_under_capacity(t_network):
    study, candidates = _two_area_town(t_network, cap=500.0)
    proposal = study.propose(candidates, "p_median", p=2, capacity=True)
    sites = proposal.sites
    assert (sites["recommended_floor_area_m2"] <= sites["max_floor_area_m2"]).all()
    assert (sites["kind"] == "new").all() and len(sites) == 2


@seeded_towns(12)
@given(seed=st.integers(0, 2**16))
def test_every_area_the_plan_claims_to_fix_passes_the_check(t_network, seed):
    """One sizing truth: re-running the compliance check on the planned facilities passes every claimed area."""
    rng = np.random.default_rng(seed)
    xs = np.sort(rng.choice(np.arange(20, 940, 40), size=5, replace=False))
    areas = _areas([(f"A{k}", (x, 20, x + 40, 60), float(rng.integers(50, 3000))) for k, x in enumerate(xs)])
    facilities = _facilities([(f"F{k}", float(x), -30.0, float(rng.choice([150, 250, 400]))) for k, x in
                              enumerate(rng.choice(np.arange(0, 1000, 50), size=2, replace=False))])  # fmt: skip
    candidates = candidates_at([(f"C{k}", float(x), 15.0, float(rng.choice([350, 600, 900]))) for k, x in
                              enumerate(rng.choice(np.arange(10, 1000, 70), size=5, replace=False))])  # fmt: skip
    study = _study(t_network, areas, facilities, facility_max_floor_area_m2=float(rng.choice([400, 700])))
    proposal = study.propose(candidates, "compliance")
    model, problem = proposal.model, proposal.problem
    sites = proposal.sites
    assert (sites["recommended_floor_area_m2"] <= sites["max_floor_area_m2"] + 1e-9).all()
    assert (sites["recommended_floor_area_m2"] == np.round(sites["recommended_floor_area_m2"])).all()
    plan = study.plan(proposal)
    checked = plan.check().areas.set_index("area_id")
    claimed = problem.demand_ids[model.fixed_]
    assert checked.loc[claimed, "within_walk"].all()
    judged = checked.loc[claimed, "floor_area_ok"].dropna()
    assert judged.all(), judged[~judged.astype(bool)]
    # the solver's own arithmetic agrees with the check's
    rule = problem.floor_area_rule
    per_household = supply_per_household(rule, model.sizes_)
    available = checked.loc[list(problem.demand_ids), "available_floor_area_m2"].to_numpy()
    np.testing.assert_allclose(per_household * problem.households, available, rtol=1e-9, atol=1e-9)
    # an area is claimed or listed as unfixable, never both
    assert not set(model.unfixable_["demand"]) & set(claimed)


@pytest.mark.parametrize(
    ("build", "key", "words"),
    [
        ({"cost_new_site": 0.0}, "cost_new_site", "cost 0.0 is not a finite number > 0"),
        ({"cost_per_m2": 0.0}, "cost_per_m2", "cost 0.0 is not a finite number > 0"),
        (
            {"candidate_min_floor_area_m2": 900.0, "candidate_max_floor_area_m2": 400.0},
            "candidate_min_floor_area_m2",
            "least floor area 900.0 m² is above their largest 400.0 m²",
        ),
    ],
)
def test_build_settings_refuse_free_building_and_crossed_bounds(build, key, words):
    with pytest.raises(SitingInputError) as caught:
        BuildSettings(**build)
    assert caught.value.key == key and words in str(caught.value)
