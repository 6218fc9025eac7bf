"""Compliance checks against rule profiles: hand-computed 2SFCA sharing, rates, minima, networks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from siting import compliance, inputs
from siting.compliance import check_compliance_pairs, floor_area_shares
from siting.errors import SitingInputError
from siting.profiles import Profile, load_profile

CRS = 32650  # UTM 50N, metres (Shandong)


AREA_COLUMNS = ["area_id", "households", "status", "township", "community"]
FACILITY_COLUMNS = ["facility_id", "level", "floor_area_m2", "township", "community"]


def _points(rows: list[tuple], columns: list[str], y: float) -> gpd.GeoDataFrame:
    """``rows`` of ``columns`` plus a last x (m); Point(x, y) geometry, name = id."""
    frame = pd.DataFrame(rows, columns=[*columns, "x"])
    frame["name"] = "名" + frame[columns[0]]
    return gpd.GeoDataFrame(frame.drop(columns="x"), geometry=[Point(x, y) for x in frame["x"]], crs=CRS)


def _areas(rows: list[tuple]) -> gpd.GeoDataFrame:
    return _points(rows, AREA_COLUMNS, 0.0)


def _facilities(rows: list[tuple]) -> gpd.GeoDataFrame:
    return _points(rows, FACILITY_COLUMNS, 10.0)


def walking(name: str, **overrides) -> Profile:
    """``name`` with new areas counting every facility within the walk (``new_area_counts: within_walk``),
    for the 2SFCA arithmetic; the shipped reading (``own``) is tested on its own."""
    return load_profile(name, {"new_area_counts": "within_walk", **overrides})


def rules(result) -> pd.DataFrame:
    return result.rules.set_index("rule")


def _pairs(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["area_id", "facility_id", "walk_min"])
    frame["dist_m"] = frame["walk_min"] * 60.0
    return frame


@pytest.fixture
def two_facilities_three_areas():
    """Two facilities with overlapping catchments over three areas.

    a (new, 1000 hh) ── F1 (400 m²) ── b (new, 2000 hh) ── F2 (600 m²) ── c (existing, 3000 hh)
    F1 reaches a and b; F2 reaches b and c; a–F2 is 16 min, beyond the 15-minute cutoff.
    """
    areas = _areas(
        [
            ("a", 1000.0, "new", "城关街道", "k1", 0),
            ("b", 2000.0, "new", "城关街道", "k2", 500),
            ("c", 3000.0, "existing", "刘集镇", "k3", 1000),
        ]
    )
    areas["population"] = [2700.0, 5400.0, 8100.0]
    areas["elderly"] = [500.0, 1000.0, 1500.0]
    facilities = _facilities(
        [("F1", "township", 400.0, "城关街道", "k1", 250), ("F2", "community", 600.0, "刘集镇", "k3", 750)]
    )
    facilities["beds"] = [20.0, 40.0]
    facilities["land_area_m2"] = [1000.0, 2000.0]
    pairs = _pairs([("a", "F1", 5.0), ("b", "F1", 5.0), ("b", "F2", 6.0), ("c", "F2", 4.0), ("a", "F2", 16.0)])
    return areas, facilities, pairs


def test_2sfca_hand_computed(two_facilities_three_areas):
    areas, facilities, pairs = two_facilities_three_areas
    result = check_compliance_pairs(areas, facilities, pairs, walking("dong_e"))
    out = result.areas.set_index("area_id")
    # Step 1, demand = households in each catchment (both facilities ≥ 200 m², both count):
    #   H1 = 1000 + 2000 = 3000 hh, R1 = 400 / 3000 = 0.133333 m²/hh
    #   H2 = 2000 + 3000 = 5000 hh, R2 = 600 / 5000 = 0.12 m²/hh   (a–F2 at 16 min is ignored)
    fac = result.facilities.set_index("facility_id")
    assert fac.loc["F1", "catchment_households"] == 3000
    assert fac.loc["F2", "catchment_households"] == 5000
    assert fac.loc["F1", "floor_area_m2_per_hh"] == pytest.approx(400 / 3000)
    assert fac.loc["F2", "floor_area_m2_per_hh"] == pytest.approx(0.12)
    # Step 2, per area Σ R_f over the facilities it reaches:
    #   a: 0.133333 → 13.333 m²/100hh, available 1000 × 0.133333 = 133.333 m²
    #   b: 0.133333 + 0.12 = 0.253333 → 25.333 m²/100hh, available 506.667 m²
    #   c: 0.12 → 12.0 m²/100hh, available 360 m²
    assert out["floor_area_per_100hh"].tolist() == pytest.approx([40 / 3, 76 / 3, 12.0])
    assert out["available_floor_area_m2"].tolist() == pytest.approx([400 / 3, 1520 / 3, 360.0])
    # Required (Dong'e 东政办字〔2023〕26号 第13条): new 20, existing 15 m² per 100 households
    #   a: 1000/100 × 20 = 200; b: 2000/100 × 20 = 400; c: 3000/100 × 15 = 450
    assert out["required_floor_area_m2"].tolist() == pytest.approx([200.0, 400.0, 450.0])
    assert out["shortfall_m2"].tolist() == pytest.approx([200 - 400 / 3, 0.0, 90.0])
    assert out["floor_area_ok"].tolist() == [False, True, False]
    assert out["floor_area_rule"].tolist() == [
        "new_area_m2_per_100hh=20",
        "new_area_m2_per_100hh=20",
        "existing_area_m2_per_100hh=15",
    ]
    assert "第13条" in out.loc["c", "floor_area_rule_source"]
    assert (out["profile"] == "dong_e+overrides").all()
    assert out["facilities_counted"].tolist() == [1, 2, 1]
    assert out["fail_reason"].tolist() == ["below_rate", "", "below_rate"]
    # Sharing conserves floor area: what the areas get is what the facilities have.
    assert out["available_floor_area_m2"].sum() == pytest.approx(1000.0)

    s = result.summary
    assert (s["areas"], s["areas_ok"], s["households_ok"]) == (3, 1, 2000.0)
    assert s["compliance_rate_areas"] == pytest.approx(1 / 3)
    assert s["compliance_rate_households"] == pytest.approx(2000 / 6000)
    assert s["shortfall_m2"] == pytest.approx(200 - 400 / 3 + 90)
    assert s["required_floor_area_m2"] == pytest.approx(1050.0)
    # Failing list, largest shortfall first, with the reason.
    assert result.failing["area_id"].tolist() == ["c", "a"]
    assert result.failing["fail_reason"].tolist() == ["below_rate", "below_rate"]
    assert result.failing_table("zh").columns[0] == "小区编号"
    assert result.failing_table("zh")["不达标原因"].iloc[0] == "配建面积低于标准"
    assert result.failing_table("en")["Why not compliant"].iloc[0] == "floor area below the rate"
    # Inputs are not modified.
    assert "floor_area_ok" not in areas.columns and "below_min_site" not in facilities.columns


def test_floor_area_shares_is_the_arithmetic_of_the_check(two_facilities_three_areas):
    """The one sharing function the check and the optimiser call: matrix entries 1 / H_f."""
    areas, facilities, pairs = two_facilities_three_areas
    profile = walking("dong_e")
    shares = floor_area_shares(areas, facilities, pairs, profile, profile.walk_settings())
    assert shares.area_ids.tolist() == ["a", "b", "c"] and shares.facility_ids.tolist() == ["F1", "F2"]
    # H1 = 1000 + 2000, H2 = 2000 + 3000 (a–F2 at 16 min is beyond the walk)
    assert shares.catchment_households.tolist() == [3000.0, 5000.0]
    assert shares.matrix.toarray() == pytest.approx(np.array([[1 / 3000, 0], [1 / 3000, 1 / 5000], [0, 1 / 5000]]))
    assert shares.rate_m2_per_100hh.tolist() == [20.0, 20.0, 15.0]
    available = areas["households"].to_numpy() * shares.per_household_m2(facilities["floor_area_m2"].to_numpy())
    checked = check_compliance_pairs(areas, facilities, pairs, profile).areas["available_floor_area_m2"]
    assert available.tolist() == pytest.approx(checked.tolist())
    # "If F1 were built only for existing areas": it leaves a's and b's rows, and c cannot reach it.
    counts = pd.DataFrame(
        {"counts_for_new": [False, True], "counts_for_existing": [True, True]}, index=facilities.index
    )
    shares = floor_area_shares(areas, facilities, pairs, profile, profile.walk_settings(), counts=counts)
    assert shares.catchment_households.tolist() == [0.0, 5000.0]
    assert shares.matrix[:, 0].nnz == 0


def test_land_per_resident_and_beds_per_1000_elderly(two_facilities_three_areas):
    areas, facilities, pairs = two_facilities_three_areas
    # a county institution (养老院) with 60 beds; F1 and F2 are a township centre and a community centre
    county = _facilities([("G", "county", 5000.0, "刘集镇", "k3", 2000)]).assign(beds=60.0, land_area_m2=0.0)
    facilities = pd.concat([facilities, county], ignore_index=True)
    result = check_compliance_pairs(areas, facilities, pairs, "dong_e")
    r = rules(result)
    # Land (1000 + 2000) m² / (2700 + 5400 + 8100) residents = 0.185185 < 0.2 (聊政办字〔2024〕11号 三(十))
    assert r.loc["land_per_resident", "actual"] == pytest.approx(3000 / 16200)
    assert (r.loc["land_per_resident", "target"], r.loc["land_per_resident", "verdict"]) == (0.2, "not_met")
    assert "三(十)" in r.loc["land_per_resident", "source"]
    # Beds of 养老院/养护院 only (GB 50437 §3.2.1): G's 60 / 3000 elderly × 1000 = 20 < 40; the centres'
    # 20 + 40 beds are not institutional beds
    assert r.loc["beds_per_1000_elderly", "actual"] == pytest.approx(20.0)
    assert r.loc["beds_per_1000_elderly", "verdict"] == "not_met"
    assert result.facilities["institution"].tolist() == [False, False, True]
    # a centre offering 长期托养 is an institution too: (20 + 60) / 3000 × 1000
    with_care = facilities.assign(services=["助餐;长期托养", "日间照料", ""])
    r = rules(check_compliance_pairs(areas, with_care, pairs, "dong_e"))
    assert r.loc["beds_per_1000_elderly", "actual"] == pytest.approx(80 / 3)
    towns = result.townships.set_index("township")
    assert towns.loc["城关街道", "land_m2_per_capita"] == pytest.approx(1000 / 8100)
    assert towns.loc["刘集镇", "land_m2_per_capita"] == pytest.approx(2000 / 8100)
    assert towns.loc["刘集镇", "beds_per_1000_elderly"] == pytest.approx(60 / 1500 * 1000)
    # Without the columns the rules are not checked, and say which input is missing.
    bare = rules(
        check_compliance_pairs(
            areas.drop(columns=["population", "elderly"]),
            facilities.drop(columns=["beds", "land_area_m2"]),
            pairs,
            "dong_e",
        )
    )
    assert bare.loc["land_per_resident", "verdict"] == "not_checked"
    assert bare.loc["land_per_resident", "missing"] == "facilities.land_area_m2;areas.population"
    assert bare.loc["beds_per_1000_elderly", "missing"] == "facilities.beds;elderly"
    assert pd.isna(bare.loc["beds_per_1000_elderly", "met"])


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_override_changes_exactly_the_verdicts_it_should(two_facilities_three_areas):
    areas, facilities, pairs = two_facilities_three_areas
    base = check_compliance_pairs(areas, facilities, pairs, walking("dong_e")).areas.set_index("area_id")
    # Existing-area rate 15 → 12: c needs 3000/100 × 12 = 360 m² and has exactly 360 (不低于 is
    # inclusive); the new areas a and b keep their verdicts and their shares.
    lower = check_compliance_pairs(areas, facilities, pairs, walking("dong_e", existing_area_m2_per_100hh=12))
    out = lower.areas.set_index("area_id")
    assert out["floor_area_ok"].tolist() == [False, True, True]
    assert out["available_floor_area_m2"].tolist() == pytest.approx(base["available_floor_area_m2"].tolist())
    assert out.loc["c", "floor_area_rule"] == "existing_area_m2_per_100hh=12"
    assert out.loc["c", "floor_area_rule_source"] == "override for this run"
    assert out.loc["a", "floor_area_rule_source"] == base.loc["a", "floor_area_rule_source"]
    assert out.loc["a", "profile"] == "dong_e+overrides"
    # New-area single-site minimum 200 → 500 m²: F1 (400 m²) stops counting for new areas and F1
    # serves only new areas, so b now gets F2's share alone: 2000 × 0.12 = 240 < 400 → fails;
    # a loses its only facility (reason changes); c (existing, minimum still 200) is unchanged.
    larger = check_compliance_pairs(areas, facilities, pairs, walking("dong_e", min_site_area_m2=500))
    out = larger.areas.set_index("area_id")
    assert out["floor_area_ok"].tolist() == [False, False, False]
    assert out["available_floor_area_m2"].tolist() == pytest.approx([0.0, 240.0, 360.0])
    assert out["fail_reason"].tolist() == ["below_min_site_only", "below_rate", "below_rate"]
    fac = larger.facilities.set_index("facility_id")
    assert fac["below_min_site"].tolist() == [True, False]
    assert fac["counts_for_new"].tolist() == [False, True]
    assert fac["counts_for_existing"].tolist() == [True, True]
    # A township-centre minimum override moves the township verdict, no area verdict.
    centre = check_compliance_pairs(areas, facilities, pairs, walking("dong_e", township_centre_min_m2=400))
    assert centre.areas["floor_area_ok"].tolist() == base["floor_area_ok"].tolist()
    towns = centre.townships.set_index("township")
    assert bool(towns.loc["城关街道", "has_qualified_centre"])
    assert not bool(
        check_compliance_pairs(areas, facilities, pairs, "dong_e")
        .townships.set_index("township")
        .loc["城关街道", "has_qualified_centre"]
    )


def test_new_versus_existing_rates_by_profile():
    # One facility of 1000 m² shared by a new and an existing area of 2000 hh each:
    # R = 1000 / 4000 = 0.25 m²/hh → 25 m² per 100 households for both.
    areas = _areas([("n", 2000.0, "new", "T", "k", 0), ("e", 2000.0, "existing", "T", "k", 100)])
    facilities = _facilities([("F", "community", 1000.0, "T", "k", 50)])
    pairs = _pairs([("n", "F", 3.0), ("e", "F", 3.0)])
    verdicts = {}
    for name in ("dong_e", "jining", "cao", "liaocheng"):
        out = check_compliance_pairs(areas, facilities, pairs, walking(name)).areas.set_index("area_id")
        assert out["floor_area_per_100hh"].tolist() == pytest.approx([25.0, 25.0])
        verdicts[name] = out["floor_area_ok"].tolist()
    # Dong'e 20/15 and Cao 20/15: both pass; Jining 30/20: new fails (25 < 30), existing passes.
    assert verdicts["dong_e"] == [True, True]
    assert verdicts["cao"] == [True, True]
    assert verdicts["jining"] == [False, True]
    # Liaocheng states no existing-area rate: that verdict is undecided, not invented.
    assert verdicts["liaocheng"][0] is True and verdicts["liaocheng"][1] is pd.NA
    result = check_compliance_pairs(areas, facilities, pairs, walking("liaocheng"))
    out = result.areas.set_index("area_id")
    assert out.loc["e", "fail_reason"] == "rate_not_set"
    assert out.loc["e", "floor_area_rule"] == "existing_area_m2_per_100hh="
    assert np.isnan(out.loc["e", "required_floor_area_m2"])
    assert out.loc["n", "floor_area_rule_source"].startswith("《山东省城镇居住区")
    assert result.summary["areas_undecided"] == 1
    assert result.summary["compliance_rate_households"] == pytest.approx(1.0)
    assert result.failing.empty


def test_single_site_minimum():
    # S (150 m²) reaches new area n (100 hh) and existing area e (500 hh).
    areas = _areas([("n", 100.0, "new", "T", "k", 0), ("e", 500.0, "existing", "T", "k", 100)])
    facilities = _facilities([("S", "station", 150.0, "T", "k", 50), ("C", "county", 5000.0, "T", "k", 60)])
    pairs = _pairs([("n", "S", 2.0), ("e", "S", 2.0), ("n", "C", 2.0), ("e", "C", 2.0)])
    # Dong'e: 单处不低于200平方米 for new and existing → S counts for nobody. The county
    # institution C never counts toward the neighbourhood rule.
    dong_e = check_compliance_pairs(areas, facilities, pairs, walking("dong_e"))
    fac = dong_e.facilities.set_index("facility_id")
    assert fac.loc["S", ["below_min_site", "below_min_site_existing", "counts_toward_compliance"]].tolist() == [
        True,
        True,
        False,
    ]
    assert not bool(fac.loc["C", "counts_toward_compliance"])
    out = dong_e.areas.set_index("area_id")
    assert out["available_floor_area_m2"].tolist() == [0.0, 0.0]
    assert out["fail_reason"].tolist() == ["below_min_site_only", "below_min_site_only"]
    assert dong_e.summary["facilities_below_min_site"] == 1
    # Jining: 每处建筑面积不得少于200平方米 for new areas only → S counts for e alone:
    # H = 500 hh, R = 150 / 500 = 0.3 m²/hh → e has 30 m²/100hh ≥ 20; n has nothing.
    jining = check_compliance_pairs(areas, facilities, pairs, walking("jining"))
    out = jining.areas.set_index("area_id")
    assert out["floor_area_per_100hh"].tolist() == pytest.approx([0.0, 30.0])
    assert out["floor_area_ok"].tolist() == [False, True]
    fac = jining.facilities.set_index("facility_id")
    assert fac.loc["S", "catchment_households"] == 500
    assert fac.loc["S", ["counts_for_new", "counts_for_existing"]].tolist() == [False, True]
    # Cao states no minimum: S counts for both, shared by 600 hh → 25 m²/100hh each.
    cao = check_compliance_pairs(areas, facilities, pairs, walking("cao")).areas
    assert cao["floor_area_per_100hh"].tolist() == pytest.approx([25.0, 25.0])
    assert cao["floor_area_ok"].tolist() == [True, True]


@pytest.fixture
def network_case():
    """Three townships (one street), five communities, centres of various sizes.

    城关街道: areas a1 (600 hh, k1), a2 (400 hh, k2); township centre C1 700 m² reaches a1 only,
              and also a3 of 刘集镇 (which must not count for 刘集镇).
    刘集镇:   area a3 (500 hh, k3); township centre C2 500 m² (below Dong'e's 600).
    高集镇:   area a4 (300 hh, k4); township centre C3 650 m² reaches a4. k5 has no areas.
    Community facilities: k1 community 350 m²; k2 station 250 m²; k4 community 300 m².
    """
    areas = _areas(
        [
            ("a1", 600.0, "new", "城关街道", "k1", 0),
            ("a2", 400.0, "new", "城关街道", "k2", 100),
            ("a3", 500.0, "existing", "刘集镇", "k3", 200),
            ("a4", 300.0, "existing", "高集镇", "k4", 300),
        ]
    )
    facilities = _facilities(
        [
            ("C1", "township", 700.0, "城关街道", "k1", 0),
            ("C2", "township", 500.0, "刘集镇", "k3", 200),
            ("C3", "township", 650.0, "高集镇", "k4", 300),
            ("K1", "community", 350.0, "城关街道", "k1", 0),
            ("K2", "station", 250.0, "城关街道", "k2", 100),
            ("K4", "community", 300.0, "高集镇", "k4", 300),
        ]
    )
    pairs = _pairs(
        [
            ("a1", "C1", 5.0),
            ("a3", "C1", 9.0),
            ("a3", "C2", 3.0),
            ("a4", "C3", 2.0),
            ("a1", "K1", 1.0),
            ("a2", "K2", 1.0),
            ("a4", "K4", 1.0),
        ]
    )
    units = pd.DataFrame(
        {
            "unit_id": ["t1", "t2", "t3", "k1", "k2", "k3", "k4", "k5"],
            "name": ["城关街道", "刘集镇", "高集镇", "k1", "k2", "k3", "k4", "k5"],
            "level": ["township"] * 3 + ["community"] * 5,
            "parent": [None, None, None, "城关街道", "城关街道", "刘集镇", "高集镇", "高集镇"],
        }
    )
    return areas, facilities, pairs, units


def test_township_and_community_checks(network_case):
    areas, facilities, pairs, units = network_case
    # the centre's own walk (centre_walk); the reading through stations is tested below
    centre_walk = load_profile("dong_e", {"township_centre_catchment": "centre_walk"})
    result = check_compliance_pairs(areas, facilities, pairs, centre_walk, units=units)
    towns = result.townships.set_index("township")
    assert towns["kind"].to_dict() == {"城关街道": "street", "刘集镇": "town", "高集镇": "town"}
    # 单处面积不低于600平方米 (第15条): C1 700 and C3 650 qualify, C2 500 does not.
    assert towns["has_qualified_centre"].tolist() == [True, False, True]
    assert towns["largest_centre_m2"].tolist() == [700.0, 500.0, 650.0]
    fac = result.facilities.set_index("facility_id")
    assert fac["qualified_township_centre"].tolist() == [True, False, True, False, False, False]
    assert fac["qualified_community_centre"].tolist() == [False, False, False, True, False, True]
    # 服务半径全覆盖: 城关街道 covers a1 (600 of 1000 hh) = 0.6; 刘集镇 0 — C1 reaches a3 but is
    # 城关街道's centre; 高集镇 300 of 300 = 1.0.
    assert towns["households_covered"].tolist() == [600.0, 0.0, 300.0]
    assert towns["covered_share"].tolist() == pytest.approx([0.6, 0.0, 1.0])
    assert towns["catchment_ok"].tolist() == [False, False, True]
    assert towns["unit_ok"].tolist() == [False, False, True]
    assert result.summary["townships_catchment_ok"] == 1
    # Communities (单处面积不低于300平方米): k1 350 yes; k2 station 250 no; k3 none; k4 300 yes
    # (exactly at the minimum); k5 is listed from the units although it has no areas.
    comms = result.communities.set_index("community")
    assert comms["has_qualified_centre"].to_dict() == {"k1": True, "k2": False, "k3": False, "k4": True, "k5": False}
    assert comms.loc["k5", "township"] == "高集镇" and comms.loc["k5", "households"] == 0
    # Coverage targets, all 100% in Dong'e (第15条): streets 1/1 met; towns 1/2; communities 2/5.
    r = rules(result)
    assert r.loc[["street_centres", "town_centres", "community_facilities"], "judged"].tolist() == [1, 2, 5]
    assert r.loc[["street_centres", "town_centres", "community_facilities"], "actual"].tolist() == pytest.approx(
        [1.0, 0.5, 0.4]
    )
    assert r.loc[["street_centres", "town_centres", "community_facilities"], "verdict"].tolist() == [
        "met",
        "not_met",
        "not_met",
    ]
    assert r.loc["township_catchment", "actual"] == pytest.approx(1 / 3)
    assert r.loc["township_catchment", "number"] == "R09" and "第15条" in r.loc["township_catchment", "source"]
    assert towns["rules"].tolist() == ["R07, R09", "R08, R09", "R08, R09"]
    table = result.summary_table("zh").set_index("指标")
    assert table.loc["R08 乡镇综合养老服务中心覆盖率", "数值"] == "1/2 (50.0%)"
    assert table.loc["R08 乡镇综合养老服务中心覆盖率", "是否达标"] == "未达标"
    assert table.loc["R07 街道综合养老服务中心覆盖率", "目标"] == "≥ 100.0%"
    english = result.summary_table("en").set_index("Item")
    assert english.loc["R07 Street comprehensive centres: coverage", "Met"] == "met"
    shown = result.table("townships", "zh").set_index("乡镇(街道)")
    assert shown.loc["刘集镇", "类别"] == "镇" and shown.loc["城关街道", "类别"] == "街道"
    sheet = result.rules_table("zh").set_index("编号")
    assert sheet.loc["R08", "结论"] == "未达标" and sheet.loc["R08", "判定对象"] == "乡、镇"
    assert sheet.loc["R08", "原文"] == "单处面积不低于600平方米，覆盖率达到100%"


def test_jining_township_coverage_is_strictly_above_60_percent():
    # Five towns, three with a township centre: 3/5 = 60%, which is not 大于 60%.
    names = ["甲镇", "乙镇", "丙镇", "丁镇", "戊镇"]
    areas = _areas([(f"a{i}", 100.0, "existing", n, f"k{i}", i * 100) for i, n in enumerate(names)])
    facilities = _facilities([(f"C{i}", "township", 800.0, names[i], f"k{i}", i * 100) for i in range(3)])
    pairs = _pairs([(f"a{i}", f"C{i}", 1.0) for i in range(3)])
    r = rules(check_compliance_pairs(areas, facilities, pairs, "jining"))
    assert r.loc["town_centres", "actual"] == pytest.approx(0.6)
    assert r.loc["town_centres", "comparison"] == ">"
    assert r.loc["town_centres", "verdict"] == "not_met"
    # no streets in this town set: nothing to judge, said so
    assert (r.loc["street_centres", "verdict"], r.loc["street_centres", "reason"]) == ("not_checked", "no_units")
    # An override replaces the rule, including its comparison (>= unless given).
    relaxed = load_profile("jining", {"township_centre_coverage": 0.6})
    assert rules(check_compliance_pairs(areas, facilities, pairs, relaxed)).loc["town_centres", "verdict"] == "met"
    # Jining's 100% 配建达标率 target: 3 of 5 areas reach a centre (800/100 = 8 m²/100hh < 20).
    assert r.loc["compliance_rate_households", "verdict"] == "not_met"
    assert r.loc["compliance_rate_households", "target"] == 1.0


def test_units_polygons_place_facilities_without_a_township_column():
    areas = _areas([("a", 100.0, "new", "东街道", "k", 10), ("b", 100.0, "new", "西镇", "k", 110)])
    facilities = _facilities([("C", "township", 700.0, None, None, 110)])
    facilities = facilities.drop(columns=["township", "community"])
    units = gpd.GeoDataFrame(
        {"unit_id": ["e", "w"], "name": ["东街道", "西镇"], "level": ["township", "township"], "parent": [None, None]},
        geometry=[box(-50, -50, 50, 50), box(50, -50, 150, 50)],
        crs=CRS,
    )
    result = check_compliance_pairs(areas, facilities, _pairs([("b", "C", 2.0)]), "dong_e", units=units)
    towns = result.townships.set_index("township")
    assert towns["has_qualified_centre"].to_dict() == {"东街道": False, "西镇": True}
    assert towns.loc["西镇", "covered_share"] == 1.0


def _two_townships() -> gpd.GeoDataFrame:
    """城关街道 (x < 600 m: k1 below 300 m, k2 above) and 刘集镇 (k3), around the fixture's points."""
    return gpd.GeoDataFrame(
        {
            "name": ["城关街道", "刘集镇", "k1", "k2", "k3"],
            "level": ["township", "township", "community", "community", "community"],
            "parent": [None, None, "城关街道", "城关街道", "刘集镇"],
        },
        geometry=[
            *(box(-100, -100, 600, 100), box(600, -100, 1100, 100)),
            *(box(-100, -100, 300, 100), box(300, -100, 600, 100), box(600, -100, 1100, 100)),
        ],
        crs=CRS,
    )


def test_the_check_reads_prepared_columns_and_derives_none(two_facilities_three_areas, monkeypatch):
    """On prepared layers the check places nothing and parses no services: with both derivations made to
    fail after preparation, it gives the verdicts it gives when it prepares the same layers itself."""
    areas, facilities, pairs = two_facilities_three_areas
    areas = areas.drop(columns=["township", "community"])
    facilities = facilities.drop(columns=["township", "community"]).assign(services=["助餐;长期托养", "日间照料"])
    units = _two_townships()
    itself = check_compliance_pairs(areas, facilities, pairs, "dong_e", units=units)
    prepared = inputs.prepare_inputs(areas, facilities, units)

    def derives(*args, **kwargs):
        raise AssertionError("derived again")

    # the check can derive only through the preparation of siting.inputs, which is patched here
    assert {"assign_units", "facility_services"}.isdisjoint(vars(compliance))

    monkeypatch.setattr(inputs, "assign_units", derives)
    monkeypatch.setattr(inputs, "facility_services", derives)
    with pytest.raises(AssertionError, match="derived again"):  # unprepared layers would need them
        check_compliance_pairs(areas, facilities, pairs, "dong_e", units=units)
    read = check_compliance_pairs(*prepared, pairs, "dong_e", units=units)
    pd.testing.assert_frame_equal(read.rules, itself.rules)
    pd.testing.assert_frame_equal(read.townships, itself.townships)
    pd.testing.assert_frame_equal(read.communities, itself.communities)
    # by hand: a, b in 城关街道 (k1, k2), c in 刘集镇 (k3); F1 offers meals and residential care (an
    # institution), F2 day care only; a and b reach F1 within the walk, c only F2
    assert read.areas["township"].tolist() == ["城关街道", "城关街道", "刘集镇"]
    assert read.facilities["community"].tolist() == ["k1", "k3"]  # F1 at x = 250 m, F2 at 750 m
    assert read.facilities["institution"].tolist() == [True, False]
    assert read.communities.set_index("community")["meal_service"].to_dict() == {"k1": True, "k2": True, "k3": False}


@pytest.mark.slow  # a demo-sized study (network, walks, two checks): in the second test command
def test_the_demo_study_prepares_once_and_the_check_reads_it(monkeypatch):
    """The demo study places its areas and facilities and reads the services once, when it is made; its
    check derives nothing. The check on the same layers unprepared (as a notebook reads them) prepares
    them itself, once, to the same verdicts."""
    import dataclasses
    import warnings
    from collections import Counter

    from siting.compliance import check_compliance
    from siting.pipeline import demo_dir
    from siting.plan import Study

    calls: Counter[str] = Counter()

    def counted(name: str):
        derive = getattr(inputs, name)

        def call(*args):
            calls[name] += 1
            return derive(*args)

        return call

    for name in ("assign_units", "facility_services"):
        monkeypatch.setattr(inputs, name, counted(name))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = Study.from_scenario(demo_dir() / "scenarios" / "baseline.yml")
        assert calls == {"assign_units": 2, "facility_services": 1}
        result = study.check()
        assert calls == {"assign_units": 2, "facility_services": 1}
        access = study.assess()
        unprepared = dataclasses.replace(
            access,
            areas=access.areas.drop(columns=["township", "community", "urban"]),
            facilities=access.facilities.drop(columns=["township", "community", *inputs.SERVICE_COLUMNS.values()]),
        )
        again = check_compliance(unprepared, study.profile, units=study.units)
    assert calls == {"assign_units": 4, "facility_services": 2}
    pd.testing.assert_frame_equal(again.rules, result.rules)
    pd.testing.assert_frame_equal(again.townships, result.townships)
    pd.testing.assert_frame_equal(again.communities, result.communities)
    assert int(result.areas["urban"].eq(False).sum()) == 13  # the 小区 of 王庄社区 and 前营社区 (农村)
    meals = result.facilities["services"].str.contains("助餐|食堂")  # 幸福食堂 serves meals too
    assert result.facilities["offers_meal"].tolist() == meals.tolist() and int(meals.sum()) == 5


def test_bad_inputs_name_the_column_and_rows(two_facilities_three_areas):
    areas, facilities, pairs = two_facilities_three_areas
    bad = areas.assign(status=["new", "old", "existing"])
    with pytest.raises(SitingInputError, match=r"column 'status'.*\(rows: b\)"):
        check_compliance_pairs(bad, facilities, pairs, "dong_e")
    with pytest.raises(SitingInputError, match="areas has no 'households' column"):
        check_compliance_pairs(areas.drop(columns="households"), facilities, pairs, "dong_e")
    bad = facilities.assign(floor_area_m2=[400.0, np.nan])
    with pytest.raises(SitingInputError, match=r"floor_area_m2.*\(rows: F2\)"):
        check_compliance_pairs(areas, bad, pairs, "dong_e")
    bad = pd.concat([pairs, _pairs([("zz", "F1", 1.0)])])
    with pytest.raises(SitingInputError, match=r"pairs name areas.*\(rows: zz\)"):
        check_compliance_pairs(areas, facilities, bad, "dong_e")
    with pytest.raises(SitingInputError, match=r"ids are not unique.*\(rows: F1\)"):
        check_compliance_pairs(areas, facilities.assign(facility_id=["F1", "F1"]), pairs, "dong_e")
    with pytest.raises(SitingInputError, match="no shipped profile named 'dong'"):
        check_compliance_pairs(areas, facilities, pairs, "dong")


def test_land_and_beds_undecided_without_data():
    """No facility states land area and no area states population: no verdict, rather than a 0 that fails."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from siting.compliance import check_compliance_pairs
    from siting.profiles import load_profile

    areas = gpd.GeoDataFrame(
        {"area_id": ["A"], "households": [100.0], "status": ["existing"]},
        geometry=[shapely.box(0, 0, 10, 10)],
        crs=32650,
    )
    fac = gpd.GeoDataFrame(
        {"facility_id": ["F"], "level": ["community"], "floor_area_m2": [300.0]},
        geometry=[shapely.Point(5, 5)],
        crs=32650,
    )
    pairs = pd.DataFrame({"area_id": ["A"], "facility_id": ["F"], "dist_m": [100.0], "walk_min": [100 / 60]})
    result = check_compliance_pairs(areas, fac, pairs, load_profile("dong_e"))
    r = rules(result)
    assert np.isnan(r.loc["land_per_resident", "actual"]) and r.loc["land_per_resident", "verdict"] == "not_checked"
    assert result.areas.loc[0, "available_floor_area_m2"] == pytest.approx(300.0)  # all 300 m2 serve A


def test_areas_without_households_get_no_verdict(two_facilities_three_areas):
    areas, facilities, pairs = two_facilities_three_areas
    # d: a new 小区 with no one living there yet, 3 min from F1; it needs nothing, so it proves nothing
    empty = _areas([("d", 0.0, "new", "城关街道", "k1", 100)]).assign(population=0.0, elderly=0.0)
    areas = pd.concat([areas, empty], ignore_index=True)
    pairs = pd.concat([pairs, _pairs([("d", "F1", 3.0)])], ignore_index=True)
    result = check_compliance_pairs(areas, facilities, pairs, walking("dong_e"))
    out = result.areas.set_index("area_id")
    assert pd.isna(out.loc["d", "floor_area_ok"]) and out.loc["d", "fail_reason"] == "no_households"
    assert np.isnan(out.loc["d", "shortfall_m2"])
    # the others exactly as without d: 0 households add no demand to F1's catchment
    assert out["floor_area_ok"].tolist()[:3] == [False, True, False]
    assert out["available_floor_area_m2"].tolist()[:3] == pytest.approx([400 / 3, 1520 / 3, 360.0])
    s = result.summary
    assert (s["areas"], s["areas_decided"], s["areas_undecided"], s["areas_ok"]) == (4, 3, 1, 1)
    assert s["compliance_rate_areas"] == pytest.approx(1 / 3)  # not 2 of 4
    assert "d" not in result.failing["area_id"].tolist()
    with pytest.raises(SitingInputError, match=r"areas argument, column 'households': all 4 areas have 0"):
        check_compliance_pairs(areas.assign(households=0.0), facilities, pairs, "dong_e")
