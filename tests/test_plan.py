"""One walk for every step (WalkSettings) and the planning workflow (Study) on the hand-built T network."""

from __future__ import annotations

import warnings

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


def test_apply_prepares_the_new_centres_only(t_network, t_areas, t_facilities, monkeypatch):
    """The study places its layers and reads the services once, when made; apply places only the centres
    it adds (which state no services, so offer none) and the plan's check derives nothing again."""
    from siting import inputs
    from tests.conftest import box

    units = gpd.GeoDataFrame(
        {"name": ["东街道", "西镇"], "level": ["township", "township"], "parent": [None, None]},
        geometry=[box(-500, -500, 500, 2500), box(500, -500, 1500, 2500)],  # split at x = 500 m
        crs=UTM50,
    )
    placed: list[int] = []
    assign_units = inputs.assign_units

    def counted(frame, units):
        placed.append(len(frame))
        return assign_units(frame, units)

    monkeypatch.setattr(inputs, "assign_units", counted)
    facilities = t_facilities.assign(services=["助餐;上门服务", "日间照料"])  # F1 at x = 100 m, F2 at 900 m
    study = Study.create(t_network, t_areas, facilities, units=units, accept=None)
    assert placed == [5, 2]  # the five areas, the two facilities
    sites = gpd.GeoDataFrame(
        {"site_id": ["N1"], "name": ["新站"], "kind": ["new"], "recommended_floor_area_m2": [300.0]},
        geometry=[shapely.Point(at(700, 50))],
        crs=UTM50,
    )
    planned = study.apply(sites)
    assert placed == [5, 2, 1]  # the new centre only
    assert planned["township"].tolist() == ["东街道", "西镇", "西镇"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checked = study.plan(sites).check().facilities
    assert placed == [5, 2, 1, 1]  # plan = with_facilities(apply(...)): apply's new centre, nothing more
    assert checked["offers_meal"].tolist() == [True, False, False]
    assert checked["offers_day_care"].tolist() == [False, True, False]
