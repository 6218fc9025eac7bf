"""One walk for every step (WalkSettings) and the planning workflow (Study) on the hand-built T network."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from siting import Study, WalkSettings, assess_access, check_compliance, load_profile
from siting.errors import SitingInputError
from tests.conftest import UTM50, at


def test_cutoff_is_inclusive_and_bands_hold_the_walk():
    settings = WalkSettings(walk_speed_m_per_min=60, walk_minutes=15, bands_min=(5, 10))
    assert settings.walk_distance_m == 900.0
    assert settings.bands_min == (5.0, 10.0, 15.0)
    np.testing.assert_array_equal(settings.within_m([899.0, 900.0, 900.001, np.nan]), [True, True, False, False])
    np.testing.assert_array_equal(settings.within_min([15.0, 15.0001]), [True, False])
    # the pair table must reach the radius when it is longer than the walk
    assert settings.replace(service_radius_m=1200).limit_m == 1200.0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("walk_speed_m_per_min", 0),
        ("walk_speed_m_per_min", 1e300),
        ("walk_minutes", float("nan")),
        ("service_radius_m", -5),
        ("bands_min", (5, 0)),
    ],
)
def test_implausible_figures_are_refused_naming_the_key(key, value):
    with pytest.raises(SitingInputError, match=f"key '{key}'.*plausible range"):
        WalkSettings(**{key: value})


def test_two_definitions_of_the_walk_are_refused(t_network, t_areas, t_facilities):
    with pytest.raises(SitingInputError, match=r"walk_minutes.*could disagree"):
        assess_access(t_network, t_areas, t_facilities, WalkSettings(), walk_minutes=20)
    access = assess_access(t_network, t_areas, t_facilities, walk_speed_m_per_min=60, walk_minutes=15)
    # the notebook mistake of issue 12: access at 15 min, profile at 20 → refused, not silently mixed
    with pytest.raises(SitingInputError, match=r"walk_minutes 15 ≠ 20"):
        check_compliance(access, load_profile("dong_e", {"walk_minutes": 20}))
    # the same walk passes, and the verdicts carry it
    result = check_compliance(access, load_profile("dong_e"))
    assert result.settings is access.settings and result.summary["walk_minutes"] == 15


def test_profile_walk_settings_carry_their_sources():
    settings = load_profile("dong_e", {"walk_speed_m_per_min": 55}).walk_settings(bands_min=[10])
    assert (settings.walk_speed_m_per_min, settings.walk_minutes, settings.service_radius_m) == (55, 15, 1000)
    assert settings.bands_min == (10.0, 15.0)
    assert settings.sources["walk_speed_m_per_min"].startswith("override")
    assert "toolkit default" in settings.sources["service_radius_m"]  # Dong'e states no radius


@pytest.fixture
def study(t_network, t_areas, t_facilities) -> Study:
    # F1 (100, 40) alone, and a 5-minute walk of 300 m: of the areas on the long street only A2 is within
    # it (40 + 200 + 20 = 260 m)
    return Study.create(t_network, t_areas, t_facilities.iloc[[0]], profile="dong_e", overrides={"walk_minutes": 5})


def test_study_proposes_in_the_input_crs_and_plans_with_the_same_walk(study):
    # one candidate on the long street at x=700 (10 m north of it), in WGS84 as a planner's CSV would give it
    cands = gpd.GeoDataFrame(
        {"candidate_id": ["C1"], "name": ["备选一"], "max_floor_area_m2": [np.nan]},
        geometry=[shapely.Point(at(700, 10))],
        crs=UTM50,
    ).to_crs(4326)
    before = study.assess().areas.set_index("area_id")
    assert list(before.index[before["within_walk"]]) == ["A2"]
    proposal = study.propose(cands, "p_median", p=1)
    assert proposal.sites.crs == study.areas.crs and list(proposal.sites["site_id"]) == ["C1"]
    # it serves A1 and A5: (100 + 500) households x 15 m² per 100 = 90 m², raised to Dong'e's minimum of
    # max(200 m² single site, 300 m² community centre)
    assert proposal.sites["recommended_floor_area_m2"].iloc[0] == pytest.approx(300.0)
    planned = study.apply(proposal)
    assert planned.crs == study.facilities.crs
    assert list(planned["proposed"]) == [False, True] and planned.loc[1, "level"] == "community"
    assert planned.loc[1, "facility_id"] == "C1" and planned.loc[1, "floor_area_m2"] == 300.0
    plan = study.plan(proposal)
    assert plan.settings is study.settings and plan.assess().settings is study.settings
    after = plan.assess().areas.set_index("area_id")
    # C1 on the street at x=700: A1 (700..760, 20..80) walks 20 + 10 = 30 m, A5 (940..1000) 20 + 240 + 10 = 270 m
    assert after.loc["A1", "dist_m_network"] == pytest.approx(30.0)
    assert after.loc["A5", "dist_m_network"] == pytest.approx(270.0)
    assert list(after.index[after["within_walk"]]) == ["A1", "A2", "A5"]
    assert plan.check().facilities.set_index("facility_id").loc["C1", "floor_area_m2"] == 300.0


def test_overrides_with_a_loaded_profile_are_refused(t_network, t_areas, t_facilities):
    with pytest.raises(SitingInputError, match="already loaded"):
        Study.create(t_network, t_areas, t_facilities, profile=load_profile("dong_e"), overrides={"walk_minutes": 5})
