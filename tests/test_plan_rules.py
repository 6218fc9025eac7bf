"""The compliance plan plans every spatial rule a new or enlarged centre can change, in one model.

Hand-made towns on the T network of conftest (a street along y=0 from x=0 to 1000), a 5-minute walk
of 300 m at 60 m/min, and Dong'e's rules: 15 m² per 100 households for existing areas, a site counted
from 200 m², a community facility from 300 m² (R10), a township's comprehensive centre from 600 m²
(R07 streets, R08 towns). New sites cost 1,000,000 and every m² 1 (the defaults). Each plan is
re-checked by the compliance check itself (``Study.plan(proposal).check()``).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import shapely
from hypothesis import given
from hypothesis import strategies as st

from siting import Study, WalkSettings, pipeline
from siting.optimize import OBJECTIVES, CompliancePlan, SitingProblem
from siting.optimize.problem import FloorAreaRule
from siting.plan import BuildSettings
from siting.scenario import load_scenario
from tests.conftest import DEMO, UTM50, at, box, candidates_at, seeded_towns

OVERRIDES = {"walk_minutes": 5}  # 300 m at the national 60 m/min


def _areas(spec: list[tuple[str, float, float]]) -> gpd.GeoDataFrame:
    """(id, x of the west side, households) of 60 m squares north of the street (y 20..80)."""
    return gpd.GeoDataFrame(
        {"area_id": [s[0] for s in spec], "households": [s[2] for s in spec], "status": "existing"},
        geometry=[box(s[1], 20, s[1] + 60, 80) for s in spec],
        crs=UTM50,
    )


def _facilities(spec: list[tuple[str, str, float, float, float]]) -> gpd.GeoDataFrame:
    """(id, level, x, y, floor area m²)."""
    return gpd.GeoDataFrame(
        {
            "facility_id": [s[0] for s in spec],
            "name": [s[0] for s in spec],
            "level": [s[1] for s in spec],
            "floor_area_m2": [s[4] for s in spec],
        },
        geometry=[shapely.Point(at(s[2], s[3])) for s in spec],
        crs=UTM50,
    )


def _units() -> gpd.GeoDataFrame:
    """甲街道 (x < 500: 一社区 x < 250, 二社区 from 250) and 乙镇 (x ≥ 500: 三社区), all urban."""
    spec = [
        ("甲街道", "township", None, "street", (-100, -300, 500, 700)),
        ("乙镇", "township", None, "town", (500, -300, 1100, 700)),
        ("一社区", "community", "甲街道", "community", (-100, -300, 250, 700)),
        ("二社区", "community", "甲街道", "community", (250, -300, 500, 700)),
        ("三社区", "community", "乙镇", "community", (500, -300, 1100, 700)),
    ]
    return gpd.GeoDataFrame(
        {
            "unit_id": [s[0] for s in spec],
            "name": [s[0] for s in spec],
            "level": [s[1] for s in spec],
            "parent": [s[2] for s in spec],
            "unit_type": [s[3] for s in spec],
            "urban": [True] * len(spec),
        },
        geometry=[box(*s[4]) for s in spec],
        crs=UTM50,
    )


def _study(t_network, areas, facilities, *, units=None, overrides=None, **build) -> Study:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Study.create(
            t_network,
            areas,
            facilities,
            profile="dong_e",
            overrides={**OVERRIDES, **(overrides or {})},
            units=units,
            build=BuildSettings(**build),
        )


def _verdicts(study: Study, rules: list[str]) -> list[str]:
    table = study.check().rules.set_index("rule")
    return table.loc[rules, "verdict"].tolist()


UNIT_RULES = ["street_centres", "town_centres", "community_facilities"]
#: F1 is 一社区's facility, F3 三社区's (community centres: every profile counts them for R10); F2 乙镇's
#: centre, 100 m² short of 600 m².
TOWN_FACILITIES = [
    ("F1", "community", 100, 40, 400.0),
    ("F2", "township", 800, 40, 500.0),
    ("F3", "community", 900, 40, 300.0),
]


def test_township_centres_and_community_facilities_are_planned_together(t_network):
    # A1 (100..160) in 一社区, A2 (300..360) in 二社区, A3 (700..760) in 三社区, 100 households each: 15 m²
    # each, and every area within the walk today (F1 walks 260 m to A2). F1, a 400 m² community centre, is
    # 一社区's facility and F3, a 300 m² one, 三社区's; F2, a 500 m² township centre, is below 乙镇's
    # 600 m²; 甲街道 has no centre and 二社区 no facility. Every facility may grow to 800 m².
    #   乙镇: F2 + 100 m² (100).
    #   二社区: only C1 can hold its facility: a new 300 m² centre (1,000,300). A site is one centre, so C1
    #   cannot be 甲街道's centre as well.
    #   甲街道: C2 built at 600 m² (1,000,600), or F1 raised to the township level at 600 m² (200) — but
    #   then 一社区 has no community facility left and C2 must be one at 300 m² (1,000,300): 1,000,500
    #   < 1,000,600. Least cost: 100 + 1,000,300 + 1,000,500 = 2,000,900.
    areas = _areas([("A1", 100, 100.0), ("A2", 300, 100.0), ("A3", 700, 100.0)])
    facilities = _facilities(TOWN_FACILITIES)
    study = _study(t_network, areas, facilities, units=_units(), facility_max_floor_area_m2=800)
    assert _verdicts(study, UNIT_RULES) == ["not_met", "not_met", "not_met"]
    proposal = study.propose(candidates_at([("C1", 330, 10, 750.0), ("C2", 200, 10, 750.0)]), "compliance")
    sites = proposal.sites.set_index("site_id")
    assert sites.loc[["C1", "C2"], ["kind", "level", "recommended_floor_area_m2"]].values.tolist() == [
        ["new", "community", 300.0],
        ["new", "community", 300.0],
    ]
    assert sites.loc[["F1", "F2"], ["kind", "level", "recommended_floor_area_m2"]].values.tolist() == [
        ["expand", "township", 600.0],
        ["expand", "township", 600.0],
    ]
    assert proposal.model.objective == 2_000_900.0 and proposal.model.status == "optimal"
    assert proposal.model.unfixable_units_.empty
    claimed = proposal.model.fixed_units_
    # 一社区 and 三社区 are claimed too: a township row could raise their only facility (F1, F3); R09
    # (communities_reached) fails in both townships today for want of a qualifying centre, and once each
    # has one its network stands in every community (F1/C1/C2 in 甲街道, F2/F3 in 乙镇)
    assert claimed[["unit", "rule"]].values.tolist() == [
        ["甲街道", "street_centres"],
        ["乙镇", "town_centres"],
        ["一社区", "community_facilities"],
        ["二社区", "community_facilities"],
        ["三社区", "community_facilities"],
        ["甲街道", "township_catchment"],
        ["乙镇", "township_catchment"],
    ]
    plan = study.plan(proposal)
    units = plan.check().townships.set_index("township")["has_qualified_centre"]
    assert units[["甲街道", "乙镇"]].all()
    communities = plan.check().communities.set_index("community")["has_qualified_centre"]
    assert communities[["一社区", "二社区"]].all()
    assert _verdicts(plan, [*UNIT_RULES, "township_catchment"]) == ["met", "met", "met", "met"]
    levels = plan.check().facilities.set_index("facility_id")["level"]
    assert levels[["F1", "F2", "C1", "C2"]].tolist() == ["township", "township", "community", "community"]


def test_a_new_comprehensive_centre_when_no_centre_can_grow(t_network):
    # As above, but no facility may grow and 一社区's F1 stays its facility: 甲街道's centre is a new site
    # of 600 m²; C1 serves 二社区 (300 m²), so C2 is the centre. 乙镇's F2 cannot reach 600 m² and no
    # site lies in 乙镇: it is listed, with its reason, and the rest is planned.
    areas = _areas([("A1", 100, 100.0), ("A2", 300, 100.0), ("A3", 700, 100.0)])
    facilities = _facilities(TOWN_FACILITIES)
    study = _study(t_network, areas, facilities, units=_units())
    proposal = study.propose(candidates_at([("C1", 330, 10, 750.0), ("C2", 200, 10, 750.0)]), "compliance")
    sites = proposal.sites.set_index("site_id")
    assert sites[["kind", "level", "recommended_floor_area_m2"]].sort_index().values.tolist() == [
        ["new", "community", 300.0],
        ["new", "township", 600.0],
    ]
    assert proposal.model.objective == 2_000_900.0
    lost = proposal.model.unfixable_units_
    assert lost[["unit", "level", "rule", "reason"]].values.tolist() == [
        ["乙镇", "township", "town_centres", "unit_sites_below_minimum"]
    ]
    assert _verdicts(study.plan(proposal), UNIT_RULES) == ["met", "not_met", "met"]


def test_a_unit_without_any_site_is_listed(t_network):
    # 二社区 has neither a candidate nor a facility: no plan gives it one.
    areas = _areas([("A1", 100, 100.0), ("A2", 300, 100.0), ("A3", 700, 100.0)])
    facilities = _facilities([*TOWN_FACILITIES[:1], ("F2", "township", 800, 40, 700.0), TOWN_FACILITIES[2]])
    study = _study(t_network, areas, facilities, units=_units())
    proposal = study.propose(candidates_at([("C2", 200, 10, 750.0)]), "compliance")
    assert proposal.sites[["site_id", "level", "recommended_floor_area_m2"]].values.tolist() == [
        ["C2", "township", 600.0]
    ]
    assert proposal.model.unfixable_units_[["unit", "rule", "reason"]].values.tolist() == [
        ["二社区", "community_facilities", "no_site_in_unit"]
    ]


def test_the_service_radius_is_planned(t_network):
    # Cao's reading: every area within 200 m (straight, 0 inside) of a township, community or station
    # facility. A2 (330..390) lies 230 m from F1 at (100, 40) — within the 290 m walk, outside the radius.
    # C1 at (340, -30) is 50 m from A2; C2 at (600, -30) 210 m: C1 is built at its least size, 300 m².
    areas = _areas([("A1", 100, 100.0), ("A2", 330, 100.0)])
    facilities = _facilities([("F1", "community", 100, 40, 400.0)])
    study = _study(t_network, areas, facilities, overrides={"service_radius_m": 200})
    assert study.check().areas["service_radius_ok"].tolist() == [True, False]
    assert study.check().areas["within_walk"].tolist() == [True, True]
    proposal = study.propose(candidates_at([("C1", 340, -30, 750.0), ("C2", 600, -30, 750.0)]), "compliance")
    assert proposal.sites[["site_id", "recommended_floor_area_m2"]].values.tolist() == [["C1", 300.0]]
    assert proposal.model.objective == 1_000_300.0
    assert _verdicts(study.plan(proposal), ["service_radius"]) == ["met"]
    # with C2 alone nothing can put A2 within the radius: it is listed, and nothing is built for it
    alone = study.propose(candidates_at([("C2", 600, -30, 750.0)]), "compliance")
    assert alone.sites.empty
    assert alone.unfixable.to_dict("list") == {"area_id": ["A2"], "reason": ["no_site_within_radius"]}


def test_the_demo_plan_meets_every_unit_rule_and_lists_what_it_cannot_fix():
    # The bundled plan.yml (dong_e, a 1,000 m radius by override): after the plan the check itself finds
    # R07, R08, R09, R10 and R11 met; every area still failing a planned rule (R01/R02) is listed with its
    # reason, and every other rule left failing is one the plan says it does not plan (方案未涉及).
    result = pipeline.run_scenario(load_scenario(DEMO / "scenarios" / "plan.yml"), progress=False)
    before = result.baseline.check().rules.set_index("rule")["verdict"]
    after = result.study.check().rules.set_index("rule")["verdict"]
    planned = ["street_centres", "town_centres", "community_facilities", "service_radius"]
    assert before[planned].tolist() == ["not_met"] * 4 and after[planned].tolist() == ["met"] * 4
    proposal = result.proposal
    assert proposal.unfixable_units.empty
    areas = result.study.check().areas
    failing = set(areas.loc[areas["floor_area_ok"].eq(False).fillna(False), "area_id"])
    failing |= set(areas.loc[areas["service_radius_ok"].eq(False).fillna(False), "area_id"])
    assert failing and failing <= set(proposal.unfixable["area_id"])
    planning = proposal.rules.set_index("rule")["planning"]
    # R09 read communities_reached: 新城街道 and 柳河镇 fail it today (no qualifying centre, so no network);
    # the plan claims both, and the check finds every community of every township reached
    assert planning["township_catchment"] == "planned" and before["township_catchment"] == "not_met"
    claimed = proposal.model.fixed_units_
    assert claimed.loc[claimed["rule"] == "township_catchment", "unit"].tolist() == ["新城街道", "柳河镇"]
    townships = result.study.check().townships.set_index("township")
    assert (townships["communities_reached"] == townships["communities"]).all()
    assert after["township_catchment"] == "met" and townships["catchment_ok"].all()
    still = after[after == "not_met"].index
    unplanned = still[~planning[still].isin(["planned"])]
    assert set(still) - set(unplanned) <= {"floor_area_new", "floor_area_existing"}
    assert planning[unplanned].str.startswith("not_planned").all()
    assert planning[["beds_per_1000_elderly", "nursing_bed_share"]].tolist() == ["not_planned_beds"] * 2
    # summary.json says the same
    listed = {row["rule"]: row["planning"] for row in result.summary["rules_planned"]}
    assert listed["county_institutions"] == "not_planned_county" and listed["community_facilities"] == "planned"
    assert result.summary["unfixable_units"] == []


def test_the_compliance_plan_needs_no_study(t_network):
    # The problem from a study, solved by siting.optimize alone: the same plan as Study.propose.
    areas = _areas([("A1", 100, 100.0), ("A2", 330, 100.0)])
    study = _study(
        t_network, areas, _facilities([("F1", "community", 100, 40, 400.0)]), overrides={"service_radius_m": 200}
    )
    problem = study.problem(candidates_at([("C1", 340, -30, 750.0), ("C2", 600, -30, 750.0)]))
    model = CompliancePlan(allow_unfixable=True).solve(problem)
    assert problem.site_ids[model.selected_].tolist() == ["C1"] and model.sizes_[1] == 300.0
    assert model.objective == 1_000_300.0 and model.status == "optimal"
    stages = ["model", "relaxation", "greedy", "closing", "support_mip", "exact_mip"]
    assert list(model.timings_) == stages and sum(model.timings_.values()) <= model.seconds
    # with nothing to fix the radius of A2 and unfixable areas refused, the plan is infeasible: exit 4
    lone = study.problem(candidates_at([("C2", 600, -30, 750.0)]))
    assert CompliancePlan().solve(lone).status == "infeasible"


def _catchment_town(extra: dict[str, shapely.Geometry]) -> tuple[gpd.GeoDataFrame, ...]:
    """The township-catchment town: A1–A3 and the ``extra`` areas (100 households each), F1/F2 centres
    with F5, F6, F3 community facilities, and C3 (530, 500; at least 400 m²) and C4 (470, 550)."""
    areas = _areas([("A1", 100, 100.0), ("A2", 300, 100.0), ("A3", 700, 100.0)])
    areas = gpd.GeoDataFrame(
        {"area_id": [*areas["area_id"], *extra], "households": 100.0, "status": "existing"},
        geometry=[*areas.geometry, *extra.values()],
        crs=UTM50,
    )
    facilities = _facilities(
        [
            ("F1", "township", 100, 40, 600.0),
            ("F5", "community", 150, -40, 300.0),
            ("F6", "community", 300, -40, 300.0),
            ("F2", "township", 800, 40, 700.0),
            ("F3", "community", 900, 40, 300.0),
        ]
    )
    candidates = candidates_at([("C3", 530, 500, 750.0), ("C4", 470, 550, 750.0)]).assign(
        min_floor_area_m2=[400.0, None]
    )
    return areas, facilities, candidates


def test_the_township_catchment_asks_for_a_centre_of_the_areas_own_township(t_network):
    # Dong'e R09 read through_stations: every household of a township within the walk of its own centre,
    # community facilities or stations. Every township and community has its centre or facility (F1/F2
    # centres, F5, F6, F3); A4 (520..580, 560..620), 100 households in 乙镇, is outside every walk. C4
    # at (470, 550) in 甲街道 reaches it (90 m) as cheaply as possible (1,000,300); C3 at (530, 500) in
    # 乙镇 reaches it too (140 m) but cannot be below 400 m² (1,000,400). The walk alone takes C4;
    # R09 needs 乙镇's own network: C3.
    areas, facilities, candidates = _catchment_town({"A4": box(520, 560, 580, 620)})
    reading = {"township_centre_catchment": "through_stations"}
    study = _study(t_network, areas, facilities, units=_units(), overrides=reading)
    assert _verdicts(study, [*UNIT_RULES, "township_catchment"]) == ["met", "met", "met", "not_met"]
    proposal = study.propose(candidates, "compliance")
    assert proposal.sites[["site_id", "recommended_floor_area_m2"]].values.tolist() == [["C3", 400.0]]
    assert proposal.model.objective == 1_000_400.0
    assert proposal.rules.set_index("rule").loc["township_catchment", "planning"] == "planned"
    assert _verdicts(study.plan(proposal), ["township_catchment"]) == ["met"]
    # read for half the households, 乙镇's 100 of 200 are enough: the walk alone decides, and C4 is cheaper
    half = _study(
        t_network, areas, facilities, units=_units(), overrides={**reading, "township_centre_catchment_share": 0.5}
    )
    proposal = half.propose(candidates, "compliance")
    assert proposal.sites[["site_id", "recommended_floor_area_m2"]].values.tolist() == [["C4", 300.0]]
    assert proposal.rules.set_index("rule").loc["township_catchment", "planning"] == "not_planned_catchment"


def test_the_problem_is_built_whole_and_frozen(t_network):
    # One builder: the rules, the size bounds (a candidate without its own takes the toolkit's 750 m²)
    # and the site table come with the problem, and nothing changes them afterwards.
    areas = _areas([("A1", 100, 100.0), ("A2", 330, 100.0)])
    study = _study(
        t_network, areas, _facilities([("F1", "community", 100, 40, 400.0)]), overrides={"service_radius_m": 200}
    )
    candidates = candidates_at([("C1", 340, -30, 750.0), ("C2", 600, -30, 750.0)]).drop(columns="max_floor_area_m2")
    problem = study.problem(candidates)
    assert problem.max_floor_area_m2.tolist() == [400.0, 750.0, 750.0]
    assert problem.sites["max_floor_area_source"].tolist() == [
        "not_enlarged",
        "toolkit_assumption",
        "toolkit_assumption",
    ]
    assert problem.floor_area_rule is not None and problem.unit_rules.radius_needed.tolist() == [False, True]
    with pytest.raises(AttributeError, match="frozen"):
        problem.floor_area_rule = None
    with pytest.raises(ValueError, match="read-only"):
        problem.max_floor_area_m2[1] = 1000.0


def test_every_solver_names_its_objectives_unit_once():
    # the registry reads the unit from the solver class, which the report's headers and summaries use
    units = {name: (spec.objective_unit, spec.gain_unit) for name, spec in OBJECTIVES.items()}
    assert units == {
        "p_median": ("cost", "cost"),
        "max_coverage": ("weight", "weight"),
        "set_cover": ("sites", "weight"),
        "compliance": ("money", "weight"),
    }
    assert all(spec.solver_class().objective_unit == units[name][0] for name, spec in OBJECTIVES.items())


@seeded_towns(10)
@given(seed=st.integers(0, 2**16))
def test_every_unit_the_plan_claims_passes_the_check(t_network, seed):
    """Random towns in the units of this file: the re-check finds a qualified centre in every township
    and a qualified facility in every community the plan claims, and every claimed area compliant."""
    rng = np.random.default_rng(seed)
    xs = np.sort(rng.choice(np.arange(20, 940, 40), size=5, replace=False))
    areas = _areas([(f"A{k}", float(x), float(rng.integers(50, 2000))) for k, x in enumerate(xs)])
    levels = rng.choice(["township", "community", "station"], size=3)
    where = rng.choice(np.arange(0, 1000, 50), size=3, replace=False)
    sizes = rng.choice([150, 250, 400, 650], size=3)
    facilities = _facilities([(f"F{k}", str(levels[k]), float(where[k]), -30.0, float(sizes[k])) for k in range(3)])
    candidates = candidates_at([(f"C{k}", float(x), 15.0, float(rng.choice([350, 600, 900]))) for k, x in
                              enumerate(rng.choice(np.arange(10, 1000, 70), size=5, replace=False))])  # fmt: skip
    study = _study(
        t_network, areas, facilities, units=_units(), facility_max_floor_area_m2=float(rng.choice([400, 700])),
        overrides={"service_radius_m": 250},
    )  # fmt: skip
    proposal = study.propose(candidates, "compliance")
    model = proposal.model
    checked = study.plan(proposal).check()
    townships = checked.townships.set_index("township")["has_qualified_centre"]
    communities = checked.communities.set_index("community")["has_qualified_centre"]
    for unit, level in model.fixed_units_[["unit", "level"]].itertuples(index=False):
        assert (townships if level == "township" else communities)[unit], (unit, level)
    # every township and community the check judges is claimed, listed as unfixable, or met already
    judged = set(checked.townships["township"]) | set(
        checked.communities.loc[checked.communities["in_scope"], "community"]
    )
    accounted = set(model.fixed_units_["unit"]) | set(model.unfixable_units_["unit"])
    before_t = study.check().townships.set_index("township")["has_qualified_centre"]
    before_c = study.check().communities.set_index("community")["has_qualified_centre"]
    for unit in judged - accounted:
        assert before_t.get(unit, False) or before_c.get(unit, False), unit
    radius = checked.areas.set_index("area_id")["service_radius_ok"]
    lost = set(proposal.unfixable.loc[proposal.unfixable["reason"] == "no_site_within_radius", "area_id"])
    assert all(radius[a] for a in radius.index if a not in lost)
    claimed = proposal.problem.demand_ids[model.fixed_]
    assert checked.areas.set_index("area_id").loc[claimed, "floor_area_ok"].dropna().all()


def test_one_site_cannot_serve_a_town_and_its_community_both(t_network):
    # 乙镇 needs a centre (F2, 500 m², may not grow) and 三社区 a facility; C2 is the only site in either.
    # A site is one of them, so one unit is served and the other listed with its reason.
    areas = _areas([("A1", 100, 100.0), ("A2", 300, 100.0), ("A3", 700, 100.0)])
    facilities = _facilities(
        [
            ("F0", "township", 150, -40, 650.0),
            ("F1", "community", 100, 40, 400.0),
            ("F6", "community", 300, -40, 300.0),
            ("F2", "township", 800, 40, 500.0),
        ]
    )
    study = _study(t_network, areas, facilities, units=_units())
    proposal = study.propose(candidates_at([("C2", 700, 10, 750.0)]), "compliance")
    claims = proposal.model.fixed_units_
    # R09 (communities_reached) in 乙镇 follows its centre: C2 as the centre stands in 三社区
    served = claims.loc[claims["rule"] != "township_catchment", ["unit", "rule"]].values.tolist()
    lost = proposal.unfixable_units[["unit", "rule", "reason"]].values.tolist()
    assert sorted([*served, *[row[:2] for row in lost]]) == [
        ["三社区", "community_facilities"],
        ["乙镇", "town_centres"],
    ]
    assert len(served) == 1 and lost[0][2] == "unit_sites_shared"
    catchment = claims.loc[claims["rule"] == "township_catchment", "unit"].tolist()
    assert catchment == (["乙镇"] if served[0][0] == "乙镇" else [])
    size = 600.0 if served[0][0] == "乙镇" else 300.0
    assert proposal.sites[["site_id", "recommended_floor_area_m2"]].values.tolist() == [["C2", size]]
    verdicts = _verdicts(study.plan(proposal), ["town_centres", "community_facilities"])
    assert verdicts == (["met", "not_met"] if served[0][0] == "乙镇" else ["not_met", "met"])


def test_the_compliance_plan_from_tables_alone():
    # No Study, no network: one area of 1,000 households needing 15 m² per 100 (150 m², 0.15 m² each),
    # F1 (100 m², may not grow) and candidate C1 within its walk, both shared by those 1,000 households
    # (1/1,000 each). C1 must add 50 m² and is built at its least size, 300 m²: 1,000,000 + 300.
    crs = UTM50
    areas = gpd.GeoDataFrame(
        {"area_id": ["A"], "households": [1000.0], "status": ["existing"]}, geometry=[box(0, 0, 50, 50)], crs=crs
    )
    facilities = gpd.GeoDataFrame(
        {"facility_id": ["F1"], "level": ["community"], "floor_area_m2": [100.0], "counts_toward_compliance": [True]},
        geometry=[shapely.Point(at(10, 10))],
        crs=crs,
    )
    candidates = gpd.GeoDataFrame(
        {"candidate_id": ["C1"], "min_floor_area_m2": [300.0], "max_floor_area_m2": [750.0]},
        geometry=[shapely.Point(at(40, 10))],
        crs=crs,
    )
    pairs = pd.DataFrame({"area_id": ["A"], "facility_id": ["F1"], "walk_min": [5.0]})
    candidate_pairs = pd.DataFrame({"area_id": ["A"], "candidate_id": ["C1"], "walk_min": [3.0]})
    rule = FloorAreaRule(
        required_m2_per_household=np.array([0.15]),
        shares_now=sp.csr_matrix([[1e-3, 0.0]]),
        shares_counted=sp.csr_matrix([[1e-3, 1e-3]]),
        threshold_m2=np.zeros(2),
        cost_new_site=1_000_000.0,
        cost_per_m2=1.0,
    )
    problem = SitingProblem.from_tables(
        areas, facilities, candidates, pairs, candidate_pairs, settings=WalkSettings(), rate_m2_per_100_households=15.0,
        floor_area_rule=rule,
    )  # fmt: skip
    model = CompliancePlan().solve(problem)
    assert model.status == "optimal" and model.objective == 1_000_300.0
    assert model.sizes_.tolist() == [100.0, 300.0] and model.fixed_.tolist() == [True]
    assert model.unfixable_.empty and model.unfixable_units_.empty and model.fixed_units_.empty


def test_the_recheck_holds_each_claimed_unit_to_the_check(t_network):
    # The hand-computed town above: the five units the plan claims all have their centre in the re-check;
    # a claim the check does not reproduce (a community the plan never served) is a disagreement naming it.
    areas = _areas([("A1", 100, 100.0), ("A2", 300, 100.0), ("A3", 700, 100.0)])
    study = _study(t_network, areas, _facilities(TOWN_FACILITIES), units=_units(), facility_max_floor_area_m2=800)
    proposal = study.propose(candidates_at([("C1", 330, 10, 750.0), ("C2", 200, 10, 750.0)]), "compliance")
    recheck = study.recheck(proposal)
    assert recheck.disagreements.empty
    lie = proposal.model.fixed_units_.iloc[:0]
    lie = pd.concat(
        [lie, pd.DataFrame({"unit": ["无此社区"], "level": ["community"], "rule": ["community_facilities"]})]
    )
    object.__setattr__(proposal.model, "fixed_units_", pd.concat([proposal.model.fixed_units_, lie]))
    found = study.recheck(proposal).disagreements
    assert found[["kind", "id", "item", "claimed", "found"]].values.tolist() == [
        ["community", "无此社区", "has_qualified_centre", True, False]
    ]


def _split_town() -> gpd.GeoDataFrame:
    """The units of this file with 乙镇 split at y = 300: 三社区 south of it, 四村 (rural) north."""
    units = _units()
    south = units["name"] == "三社区"
    units.loc[south, "geometry"] = box(500, -300, 1100, 300)
    north = units[south].assign(unit_id="四村", name="四村", urban=False)
    north["geometry"] = [box(500, 300, 1100, 700)]
    return gpd.GeoDataFrame(pd.concat([units, north], ignore_index=True), crs=units.crs)


def test_the_township_catchment_reaches_every_community_of_the_township(t_network):
    # Dong'e R09 read communities_reached: each township's network (its qualifying centre and community
    # facilities) stands in or reaches within the walk every 村/社区. 甲街道: F1 (centre) and F5/F6 reach
    # 一社区 and 二社区. 乙镇: F2 (centre) and F3 reach A3, so 三社区 is reached although A6 (520..580,
    # 100..160, up the 北街) is beyond every walk; 四村 (rural, y ≥ 300) and its A4 are not: R09 fails.
    # C4 (470, 550, 甲街道) walks 90 m to A4 for 1,000,300; C3 (530, 500, 乙镇, at least 400 m²) walks
    # 140 m to it and stands in 四村: 1,000,400. The walk alone takes C4; R09 takes C3. No site reaches
    # A6 (C3 is some 370 m up the 北街 from it): listed, and under this reading 乙镇 meets R09 without it.
    areas, facilities, candidates = _catchment_town({"A4": box(520, 560, 580, 620), "A6": box(520, 100, 580, 160)})
    study = _study(t_network, areas, facilities, units=_split_town())
    before = study.check().townships.set_index("township")
    assert before[["communities", "communities_reached"]].values.tolist() == [[2, 2], [2, 1]]
    assert _verdicts(study, [*UNIT_RULES, "township_catchment"]) == ["met", "met", "met", "not_met"]
    proposal = study.propose(candidates, "compliance")
    assert proposal.sites[["site_id", "recommended_floor_area_m2"]].values.tolist() == [["C3", 400.0]]
    assert proposal.model.objective == 1_000_400.0
    assert proposal.rules.set_index("rule").loc["township_catchment", "planning"] == "planned"
    assert proposal.model.fixed_units_.values.tolist() == [["乙镇", "township", "township_catchment"]]
    assert proposal.unfixable_units.empty and "A6" in set(proposal.unfixable["area_id"])
    plan = study.plan(proposal)
    assert plan.check().townships.set_index("township").loc["乙镇", "communities_reached"] == 2
    assert _verdicts(plan, ["township_catchment"]) == ["met"]
    assert study.recheck(proposal, plan).disagreements.empty
    # without C3 no site of 乙镇 reaches 四村: it is listed, 乙镇's R09 is not claimed, and C4 keeps A4's walk
    proposal = study.propose(candidates[candidates["candidate_id"] == "C4"], "compliance")
    assert proposal.sites[["site_id", "recommended_floor_area_m2"]].values.tolist() == [["C4", 300.0]]
    assert proposal.unfixable_units[["unit", "level", "rule", "reason"]].values.tolist() == [
        ["四村", "community", "township_catchment", "no_site_in_township_reach"]
    ]
    assert proposal.model.fixed_units_.empty
    assert _verdicts(study.plan(proposal), ["township_catchment"]) == ["not_met"]
    # a claim of 乙镇's R09 here is one the re-check denies, by the township table's catchment_ok
    lie = pd.DataFrame({"unit": ["乙镇"], "level": ["township"], "rule": ["township_catchment"]})
    object.__setattr__(proposal.model, "fixed_units_", lie)
    found = study.recheck(proposal).disagreements
    assert found[["kind", "id", "item", "claimed", "found"]].values.tolist() == [
        ["township", "乙镇", "catchment_ok", True, False]
    ]
