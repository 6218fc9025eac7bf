"""What-if sessions: figures by hand on the T town, and against full runs after random edit sequences."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import DEMO, at
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siting import SitingInputError, Study
from siting.pipeline import headline, run_scenario
from siting.projection import WGS84
from siting.scenario import load_scenario


def degrees(x: float, y: float, crs: str = "EPSG:32650") -> tuple[float, float]:
    """A point of a metric CRS as WGS84 longitude and latitude."""
    out = gpd.GeoSeries([shapely.Point(x, y)], crs=crs).to_crs(WGS84).iloc[0]
    return out.x, out.y


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Local metres of the T town as WGS84 degrees."""
    return degrees(*at(x, y))


@pytest.fixture
def t_study(t_network, t_areas, t_facilities):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Study.create(
            t_network, t_areas, t_facilities.iloc[:1], profile="national", overrides={"existing_area_m2_per_100hh": 30}
        )


def test_edits_on_the_t_town_by_hand(t_study):
    """F1 (100, 40), 400 m², walks 660 m to A1, 260 m to A2, 900 m (the cutoff, inclusive) to A5 and
    1,020 m to A4; A3 has no street. N1 on the north street at (500, 500) walks 80 m to A4, 720 m to
    A1, 660 m to A2, 960 m to A5. Rate 30 m² per 100 households."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = t_study.what_if()
    start = session.summary
    assert start["households_within_walk"] == 800.0  # A1, A2, A5
    assert start["areas_floor_area_ok"] == 3  # 400 m² over 800 households: 50 m² per 100
    assert start["floor_area_shortfall_m2"] == pytest.approx(120.0 + 90.0)  # A4 400 hh, A3 300 hh
    now = session.add("N1", *lonlat(500, 500), floor_area_m2=100)
    assert now["households_within_walk"] == 1200.0
    assert now["share_within_walk"] == pytest.approx(1200 / 1500)
    # N1's 100 m² shared by A1, A2, A4 (700 households): A4 has 400 × 100 / 700 m² of its 120
    assert now["floor_area_shortfall_m2"] == pytest.approx(90.0 + 120.0 - 400 * 100 / 700, abs=1e-9)
    assert now["areas_floor_area_ok"] == 3
    now = session.resize("N1", 300)
    assert now["areas_floor_area_ok"] == 4 and now["floor_area_shortfall_m2"] == pytest.approx(90.0)
    now = session.remove("F1")
    assert now["households_within_walk"] == 700.0  # A5 is 960 m from N1
    assert now["floor_area_shortfall_m2"] == pytest.approx(90.0 + 150.0)
    assert session.changes.set_index("facility_id")["change"].to_dict() == {"F1": "removed", "N1": "added"}
    assert session.facility_ids == ["N1"]
    assert session.steps == 3
    assert session.undo()["areas_floor_area_ok"] == 4
    assert session.reset() == start and session.steps == 0


def test_refusals_name_the_problem(t_study):
    session = t_study.what_if()
    with pytest.raises(SitingInputError, match="no facility X9"):
        session.remove("X9")
    with pytest.raises(SitingInputError, match="already in use"):
        session.add("F1", *lonlat(500, 500), floor_area_m2=100)
    with pytest.raises(SitingInputError, match="no position"):
        session.add("N2", floor_area_m2=100)
    with pytest.raises(SitingInputError, match="no single-site minimum"):
        session.add("N2", *lonlat(500, 500))
    with pytest.raises(SitingInputError, match="not opened from a scenario"):
        session.to_scenario("unused")
    assert session.steps == 0


# -- against full runs ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_study():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Study.from_scenario(DEMO / "scenarios" / "plan.yml")


def full_run(study: Study, facilities) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return headline(study.with_facilities(facilities).check().areas)


def assert_same(now: dict, full: dict) -> None:
    assert now.keys() == full.keys()
    for key in full:
        assert now[key] == pytest.approx(full[key], rel=1e-9, abs=1e-9), key


def test_from_scenario_is_the_run_study(demo_study):
    """The study of plan.yml is the one siting run assesses: same headline figures, its candidates too."""
    assert demo_study.candidates is not None and len(demo_study.candidates) == 21
    assert demo_study.scenario is not None and demo_study.scenario.name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = demo_study.what_if()
        baseline = run_scenario(load_scenario(DEMO / "scenarios" / "baseline.yml"), progress=False)
    assert_same(session.summary, headline(baseline.study.check().areas))


def test_a_session_prepares_the_sites_it_adds_and_nothing_else(demo_study, monkeypatch):
    """Adding a centre places that row alone (beside 凤城街道's centre F02, so in 凤城街道) and reads its
    services (it states none, so it offers none); nothing else is derived again."""
    from siting import inputs

    calls: list[tuple[str, int]] = []
    for name in ("assign_units", "facility_services"):
        derive = getattr(inputs, name)
        monkeypatch.setattr(
            inputs, name, lambda frame, *rest, _d=derive, _n=name: calls.append((_n, len(frame))) or _d(frame, *rest)
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = demo_study.what_if()
        assert calls == []
        session.add("N1", 116.2541, 36.3306, floor_area_m2=300.0)
        checked = session.check()
    assert calls == [("assign_units", 1), ("facility_services", 1)]
    new = checked.facilities.set_index("facility_id").loc["N1"]
    assert new["township"] == checked.facilities.set_index("facility_id").loc["F02", "township"] == "凤城街道"
    assert not new[list(inputs.SERVICE_COLUMNS.values())].any()


EDIT = st.one_of(
    st.tuples(
        st.just("add"),
        st.integers(0, 10_000),  # which area's street
        st.floats(-150, 150),  # metres east of it
        st.sampled_from(["community", "station", "township"]),
        st.sampled_from([80.0, 199.0, 200.0, 350.0, 900.0]),  # below, at and above the minima
        st.booleans(),  # built with that area (配建)
    ),
    st.tuples(st.just("remove"), st.integers(0, 10_000)),
    st.tuples(st.just("resize"), st.integers(0, 10_000), st.sampled_from([50.0, 200.0, 420.0, 1200.0])),
    st.tuples(st.just("undo")),
)


@pytest.mark.slow  # twelve whole demo-sized checks: in the second test command
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(EDIT, min_size=1, max_size=6))
def test_random_edits_equal_a_full_run(demo_study, edits):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = demo_study.what_if()
        areas = demo_study.areas.to_crs("EPSG:32650")
        for number, edit in enumerate(edits):
            ids = session.facilities["facility_id"].astype(str).tolist()
            if edit[0] == "add":
                _, which, east, level, size, built_with = edit
                area = areas.iloc[which % len(areas)]
                point = area.geometry.representative_point()
                session.add(
                    f"N{number}",
                    *degrees(point.x + east, point.y),
                    floor_area_m2=size,
                    level=level,
                    area_id=str(area["area_id"]) if built_with else None,
                )
            elif edit[0] == "remove" and ids:
                session.remove(ids[edit[1] % len(ids)])
            elif edit[0] == "resize" and ids:
                session.resize(ids[edit[1] % len(ids)], edit[2])
            elif edit[0] == "undo":
                session.undo()
    assert_same(session.summary, full_run(demo_study, session.facilities))


def test_tables_equal_a_full_run(demo_study):
    """The check's per-area table and rule verdicts on demand equal the full run's, column by column."""
    points = demo_study.areas.geometry.representative_point()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = demo_study.what_if()
        session.add("N1", points.iloc[3].x, points.iloc[3].y, floor_area_m2=300)
        session.add("N2", points.iloc[40].x + 0.002, points.iloc[40].y, floor_area_m2=500, level="township")
        session.remove(demo_study.facilities["facility_id"].iloc[1])
        session.resize("N1", 120)
        full = demo_study.with_facilities(session.facilities).check()
    mine = session.areas
    assert list(mine.columns) == list(full.areas.columns)
    for column in full.areas.columns.drop("geometry"):
        pd.testing.assert_series_equal(
            mine[column].reset_index(drop=True), full.areas[column].reset_index(drop=True), rtol=1e-9, obj=column
        )
    pd.testing.assert_frame_equal(session.rules, full.rules)
    before = session.start_rules.set_index("rule")["verdict"]
    assert set(before.index) == set(session.rules["rule"])
    assert (session.figures()["now"] == pd.Series(session.summary, dtype=float)).all()


def test_load_builds_a_proposal_in_one_step(demo_study):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        proposal = demo_study.propose(demo_study.candidates, "compliance")
        session = demo_study.what_if()
        now = session.load(proposal)
        planned = demo_study.plan(proposal)
    assert_same(now, headline(planned.check().areas))
    new = proposal.sites[proposal.sites["kind"] == "new"]["site_id"].astype(str)
    assert set(session.changes.query("change == 'added'")["facility_id"]) == set(new)
    assert session.steps == 1
    assert session.undo() == session.start_summary


def test_to_scenario_is_reproduced_by_siting_run(demo_study, tmp_path):
    points = demo_study.areas.geometry.representative_point()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = demo_study.what_if()
        session.add("新建1", points.iloc[10].x, points.iloc[10].y, floor_area_m2=450, name="东关新中心")
        session.resize(demo_study.facilities["facility_id"].iloc[2], 650)
        path = session.to_scenario(tmp_path / "what_if")
        result = run_scenario(load_scenario(path), progress=False)
    assert_same(session.summary, headline(result.study.check().areas))
    assert result.scenario.name == demo_study.scenario.name + " what-if"  # SITING_LANG=en in tests
    written = result.study.facilities.set_index("facility_id")
    assert written.loc["新建1", "name"] == "东关新中心"
    assert written.loc["新建1", "floor_area_m2"] == 450.0
    assert sorted(written.index) == sorted(session.facilities["facility_id"])
    assert np.isfinite(written["floor_area_m2"]).all()


def test_sites_of_a_geodataframe_are_one_edit(demo_study):
    sites = demo_study.candidates.iloc[:3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = demo_study.what_if()
        now = session.add(sites, floor_area_m2=300)
    assert session.steps == 1
    added = session.changes.set_index("facility_id")
    assert sorted(added.index) == sorted(sites["candidate_id"]) and (added["floor_area_m2_after"] == 300).all()
    assert_same(now, full_run(demo_study, session.facilities))
