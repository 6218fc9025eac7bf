"""Each seed rule checked as its text says (issue 14), on hand-made towns: every test quotes its clause.

Walking times are given by hand (``pairs``); units and facilities carry the attributes the rules need.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

import siting.compliance as compliance
from siting.compliance import MEASURES, check_compliance_pairs, floor_area_shares
from siting.errors import SitingInputError
from siting.profiles import RULES, load_profile

CRS = 32650  # UTM 50N, metres


def _areas(rows: list[tuple], *, polygons: bool = False) -> gpd.GeoDataFrame:
    """(area_id, households, status, township, community, x, y) → areas; 100 m squares when ``polygons``."""
    frame = pd.DataFrame(rows, columns=["area_id", "households", "status", "township", "community", "x", "y"])
    xy = list(zip(frame.x, frame.y, strict=True))
    shapes = [box(x - 50, y - 50, x + 50, y + 50) if polygons else Point(x, y) for x, y in xy]
    return gpd.GeoDataFrame(frame.drop(columns=["x", "y"]), geometry=shapes, crs=CRS)


def _facilities(rows: list[tuple]) -> gpd.GeoDataFrame:
    """(facility_id, level, floor_area_m2, township, community, x, y) → facilities (points)."""
    frame = pd.DataFrame(rows, columns=["facility_id", "level", "floor_area_m2", "township", "community", "x", "y"])
    points = [Point(x, y) for x, y in zip(frame.x, frame.y, strict=True)]
    return gpd.GeoDataFrame(frame.drop(columns=["x", "y"]), geometry=points, crs=CRS)


def _pairs(rows: list[tuple], speed: float = 60.0) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["area_id", "facility_id", "walk_min"])
    frame["dist_m"] = frame["walk_min"] * speed
    return frame


def _rules(result) -> pd.DataFrame:
    return result.rules.set_index("rule")


# --------------------------------------------------------------------------------------------------
# 东政办字〔2023〕26号 第15条: 每个乡镇（街道）都要建设1处具备综合功能、服务半径全覆盖的综合养老服务中心
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def rural_township():
    """刘集镇: its centre C (700 m²) at the seat reaches the seat's area s only; the villages' areas v1, v2
    are 20 and 25 minutes from it, but each has its own station (S1, S2) 3–4 minutes away."""
    areas = _areas(
        [
            ("s", 300.0, "existing", "刘集镇", "刘集社区", 0, 0),
            ("v1", 200.0, "existing", "刘集镇", "王村", 2000, 0),
            ("v2", 100.0, "existing", "刘集镇", "李村", 0, 2500),
        ]
    )
    facilities = _facilities(
        [
            ("C", "township", 700.0, "刘集镇", "刘集社区", 0, 100),
            ("S1", "station", 120.0, "刘集镇", "王村", 2000, 100),
            ("S2", "station", 120.0, "刘集镇", "李村", 0, 2600),
        ]
    )
    pairs = _pairs([("s", "C", 5.0), ("v1", "C", 20.0), ("v2", "C", 25.0), ("v1", "S1", 3.0), ("v2", "S2", 4.0)])
    return areas, facilities, pairs


def test_rural_township_served_through_its_stations(rural_township):
    areas, facilities, pairs = rural_township
    # "服务半径全覆盖" sets no distance; read in the 县-乡-村 network of the same clause, the centre's network
    # (the centre and the stations it leads) reaches every 村(社区) of the township: 3 of 3.
    result = check_compliance_pairs(areas, facilities, pairs, "dong_e")
    town = result.townships.set_index("township").loc["刘集镇"]
    assert (town["kind"], town["households_covered"], town["covered_share"]) == ("town", 600.0, 1.0)
    assert (town["communities"], town["communities_reached"]) == (3, 3)
    assert bool(town["catchment_ok"]) and bool(town["unit_ok"])
    r = _rules(result)
    assert r.loc["township_catchment", "verdict"] == "met"
    assert r.loc["township_catchment", "settings"].startswith("township_centre_catchment=communities_reached")
    assert r.loc["township_catchment", "detail"] == "按户计服务网络覆盖 100.0%"
    assert r.loc["town_centres", "verdict"] == "met"  # 单处面积不低于600平方米 … 覆盖率达到100%
    # The centre's own walk fails the same town: 300 of 600 households, 1 of 3 communities.
    own_walk = check_compliance_pairs(
        areas, facilities, pairs, load_profile("dong_e", {"township_centre_catchment": "centre_walk"})
    )
    assert own_walk.townships.loc[0, "covered_share"] == pytest.approx(0.5)
    assert own_walk.townships.loc[0, "communities_reached"] == 1
    assert _rules(own_walk).loc["township_catchment", "verdict"] == "not_met"
    # A village without a station is not reached: 2 of 3 communities, (300 + 200) of 600 households.
    gap = check_compliance_pairs(
        areas, facilities[facilities["facility_id"] != "S2"], pairs[pairs["facility_id"] != "S2"], "dong_e"
    )
    assert gap.townships.loc[0, "covered_share"] == pytest.approx(5 / 6)
    assert gap.townships.loc[0, "share_communities_reached"] == pytest.approx(2 / 3)
    assert _rules(gap).loc["township_catchment", "verdict"] == "not_met"
    assert _rules(gap).loc["township_catchment", "detail"] == "按户计服务网络覆盖 83.3%"
    # Stations alone are no centre: below 600 m² the town has no qualifying centre and nothing is covered.
    small = facilities.assign(floor_area_m2=[500.0, 120.0, 120.0])
    town = check_compliance_pairs(areas, small, pairs, "dong_e").townships.loc[0]
    assert not town["has_qualified_centre"] and town["households_covered"] == 0


def test_service_network_reaches_every_community_not_every_household(rural_township):
    """东政办字〔2023〕26号 第15条 "服务半径全覆盖的综合养老服务中心" sets no distance (issue 21 item 1): the 凤城街道
    case, a centre whose network reaches every community while some households are beyond the walk, is 达标;
    the share of households is reported beside the verdict, and a profile may ask for every household."""
    areas, facilities, pairs = rural_township
    far = _areas([("v3", 100.0, "existing", "刘集镇", "王村", 2000, 1500)])
    areas = pd.concat([areas, far], ignore_index=True)
    pairs = pd.concat([pairs, _pairs([("v3", "S1", 20.0)])], ignore_index=True)
    result = check_compliance_pairs(areas, facilities, pairs, "dong_e")
    town = result.townships.loc[0]
    assert (town["communities_reached"], town["households_covered"], town["households"]) == (3, 600.0, 700.0)
    r = _rules(result).loc["township_catchment"]
    assert (r["verdict"], r["detail"]) == ("met", "按户计服务网络覆盖 85.7%")
    assert r["detail_en"] == "households reached by the network: 85.7%"
    households = load_profile("dong_e", {"township_centre_catchment": "through_stations"})
    assert (
        _rules(check_compliance_pairs(areas, facilities, pairs, households)).loc["township_catchment", "verdict"]
        == "not_met"
    )


# --------------------------------------------------------------------------------------------------
# 聊政办字〔2024〕11号 二(二): 城市社区养老服务设施覆盖率达到100%
# --------------------------------------------------------------------------------------------------
def test_urban_community_and_village():
    areas = _areas(
        [
            ("a", 800.0, "existing", "城关街道", "东关社区", 0, 0),
            ("b", 200.0, "existing", "城关街道", "王村", 3000, 0),
        ]
    )
    facilities = _facilities([("K", "community", 350.0, "城关街道", "东关社区", 0, 50)])
    pairs = _pairs([("a", "K", 2.0)])
    units = pd.DataFrame(
        {
            "name": ["城关街道", "东关社区", "王村"],
            "level": ["township", "community", "community"],
            "parent": [None, "城关街道", "城关街道"],
            "unit_type": ["street", "community", "village"],
            "urban": pd.array([pd.NA, True, False], dtype="boolean"),
        }
    )
    result = check_compliance_pairs(areas, facilities, pairs, "liaocheng", units=units)
    comms = result.communities.set_index("community")
    assert comms["urban"].tolist() == [True, False]
    assert comms["unit_ok"].tolist() == [True, pd.NA]  # the village is not judged by an urban target
    r = _rules(result)
    # 1 urban community of 1 has a facility: met (the village without one does not count)
    assert (r.loc["community_facilities", "judged"], r.loc["community_facilities", "verdict"]) == (1, "met")
    assert r.loc["community_facilities", "by_year"] == 2026
    assert comms.loc["东关社区", "rules"] == "R10" and comms.loc["王村", "rules"] == ""
    # Every community counted instead: 1 of 2.
    every = load_profile("liaocheng", {"community_facility_scope": "all_communities"})
    r = _rules(check_compliance_pairs(areas, facilities, pairs, every, units=units))
    assert (r.loc["community_facilities", "actual"], r.loc["community_facilities", "verdict"]) == (0.5, "not_met")
    # A 社区 the units mark rural (a 农村社区) is a village for this rule; without units the name decides.
    rural = units.assign(urban=pd.array([pd.NA, False, False], dtype="boolean"))
    r = _rules(check_compliance_pairs(areas, facilities, pairs, "liaocheng", units=rural))
    assert (r.loc["community_facilities", "verdict"], r.loc["community_facilities", "reason"]) == (
        "not_checked",
        "no_units",
    )
    by_name = check_compliance_pairs(areas, facilities, pairs, "liaocheng").communities.set_index("community")
    assert by_name["urban"].tolist() == [True, False]


# --------------------------------------------------------------------------------------------------
# 曹县方案 附件2 四.2: 在镇(街)层面 … 区域性养老服务中心或镇综合养老服务中心覆盖率达到100%
# --------------------------------------------------------------------------------------------------
def test_cao_streets_are_judged_with_the_towns():
    areas = _areas(
        [
            ("a", 500.0, "existing", "曹城街道", "k1", 0, 0),
            ("b", 500.0, "existing", "磐石街道", "k2", 1000, 0),
            ("c", 500.0, "existing", "青岗集镇", "k3", 2000, 0),
        ]
    )
    facilities = _facilities(
        [("T1", "township", 800.0, "曹城街道", "k1", 0, 50), ("T3", "township", 800.0, "青岗集镇", "k3", 2000, 50)]
    )
    pairs = _pairs([("a", "T1", 2.0), ("c", "T3", 2.0)])
    result = check_compliance_pairs(areas, facilities, pairs, "cao")
    r = _rules(result)
    assert result.townships["kind"].tolist() == ["street", "street", "town"]
    # streets: 1 of 2 → not met; towns 1 of 1 → met; both cite 四.2 and the 2023 assessment
    assert (r.loc["street_centres", "actual"], r.loc["street_centres", "verdict"]) == (0.5, "not_met")
    assert r.loc["town_centres", "verdict"] == "met"
    assert "四.2" in r.loc["street_centres", "source"] and r.loc["street_centres", "by_year"] == 2023


# --------------------------------------------------------------------------------------------------
# 东政办字〔2023〕26号 第13条: 新建城镇居住区按照每百户不低于20平方米、单处不低于200平方米的标准配建，
# 并做到同步规划、同步建设、同步验收、同步交付
# --------------------------------------------------------------------------------------------------
@pytest.fixture
def new_area_next_to_old():
    """New area n (500 hh) and existing area e (1000 hh), both 3 minutes from the community centre K
    (400 m²) that stands in e."""
    areas = _areas(
        [("n", 500.0, "new", "城关街道", "k", 0, 0), ("e", 1000.0, "existing", "城关街道", "k", 300, 0)],
        polygons=True,
    )
    facilities = _facilities([("K", "community", 400.0, "城关街道", "k", 300, 0)])
    pairs = _pairs([("n", "K", 3.0), ("e", "K", 3.0)])
    return areas, facilities, pairs


def test_new_area_counts_its_own_floor_area_not_borrowed(new_area_next_to_old):
    areas, facilities, pairs = new_area_next_to_old
    # Borrowed: K is e's (it stands in e's polygon) and n built nothing, so n has no floor area of its own
    result = check_compliance_pairs(areas, facilities, pairs, "dong_e")
    out = result.areas.set_index("area_id")
    assert out["available_floor_area_m2"].tolist() == [0.0, 400.0]  # e keeps K whole: 40 m²/100hh ≥ 15
    assert out["floor_area_ok"].tolist() == [False, True]
    assert out.loc["n", "fail_reason"] == "no_own_facility"
    assert (
        _rules(result).loc["floor_area_new", "settings"]
        == "min_site_area_m2=200;new_area_counts=own;floor_area_scope=urban_areas;walk_minutes=15"
    )
    # Counting everything within the walk instead: K shared by 1500 households, n gets 500 × 400 / 1500.
    walk = check_compliance_pairs(areas, facilities, pairs, load_profile("dong_e", {"new_area_counts": "within_walk"}))
    assert walk.areas["available_floor_area_m2"].tolist() == pytest.approx([400 / 3, 800 / 3])
    assert walk.areas["floor_area_ok"].tolist() == [True, True]
    # Its own: a 200 m² station built with n (area_id) serves n alone, 40 m²/100hh; e does not share it.
    own = pd.concat([facilities, _facilities([("P", "station", 200.0, "城关街道", "k", 900, 900)])], ignore_index=True)
    own["area_id"] = [None, "n"]
    result = check_compliance_pairs(areas, own, pairs, "dong_e")
    out = result.areas.set_index("area_id")
    assert out["available_floor_area_m2"].tolist() == [200.0, 400.0]
    assert out["floor_area_ok"].tolist() == [True, True]
    assert result.facilities["built_with_area"].tolist() == ["e", "n"]
    # Standing inside n's polygon says the same without an area_id.
    inside = own.drop(columns="area_id").set_geometry([Point(300, 0), Point(10, 10)], crs=CRS)
    assert check_compliance_pairs(areas, inside, pairs, "dong_e").areas["available_floor_area_m2"].tolist() == [
        200.0,
        400.0,
    ]
    # 单处不低于200平方米: a 150 m² room built with n does not count.
    small = own.assign(floor_area_m2=[400.0, 150.0])
    out = check_compliance_pairs(areas, small, pairs, "dong_e").areas.set_index("area_id")
    assert out.loc["n", "available_floor_area_m2"] == 0 and out.loc["n", "fail_reason"] == "below_min_site_only"
    # The optimiser's question through the same function: "if P were built at the minimum size"
    profile = load_profile("dong_e")
    counts = pd.DataFrame({"counts_for_new": [True, True], "counts_for_existing": [True, True]}, index=small.index)
    shares = floor_area_shares(areas, small, pairs, profile, profile.walk_settings(), counts=counts)
    assert shares.matrix.toarray() == pytest.approx(np.array([[0.0, 1 / 500], [1 / 1000, 0.0]]))
    with pytest.raises(SitingInputError, match=r"area_id.*not among the areas.*\(rows: P\)"):
        check_compliance_pairs(areas, own.assign(area_id=[None, "zz"]), pairs, "dong_e")


# --------------------------------------------------------------------------------------------------
# 东政办发〔2024〕3号 第11条: 到2025年，完成已建成住宅小区养老服务设施整改配置，新建住宅小区配套建设养老服务
# 设施达标率达到100%
# --------------------------------------------------------------------------------------------------
def test_dongyang_compliance_rate_counts_new_areas_only(new_area_next_to_old):
    areas, facilities, pairs = new_area_next_to_old
    # n (500 hh, new) built a 200 m² station P; e (1000 hh, existing) holds only a 100 m² room: at 15 m²/100hh
    # e needs 150 m². Dongyang's 金华 rates are not retrieved, so the run states them (20 and 15).
    built = pd.concat(
        [facilities, _facilities([("P", "station", 200.0, "城关街道", "k", 900, 900)])], ignore_index=True
    )
    built = built.assign(floor_area_m2=[100.0, 200.0], area_id=[None, "n"])
    rates = {"new_area_m2_per_100hh": 20, "existing_area_m2_per_100hh": 15}
    result = check_compliance_pairs(areas, built, pairs, load_profile("dongyang", rates, assess_year=2025))
    assert result.areas["floor_area_ok"].tolist() == [True, False]
    r = _rules(result)
    # 新建住宅小区…达标率 100%: 1 of 1 new area, by areas and by households
    assert (r.loc["compliance_rate_areas", "actual"], r.loc["compliance_rate_areas", "verdict"]) == (1.0, "met")
    assert (r.loc["compliance_rate_households", "actual"], r.loc["compliance_rate_households", "verdict"]) == (
        1.0,
        "met",
    )
    assert r.loc["compliance_rate_areas", "settings"] == "floor_area_compliance_scope=new_areas"
    # read for every area (Jining's 全市…配建达标率), e counts: 1 of 2 areas, 500 of 1,500 households
    every = load_profile("dongyang", {**rates, "floor_area_compliance_scope": "all_areas"}, assess_year=2025)
    r = _rules(check_compliance_pairs(areas, built, pairs, every))
    assert (r.loc["compliance_rate_areas", "actual"], r.loc["compliance_rate_areas", "verdict"]) == (0.5, "not_met")
    assert r.loc["compliance_rate_households", "actual"] == pytest.approx(1 / 3)
    # assessed in 2024 the 2025 target is not yet due: 50% is 未到目标年份, while 100% already met is 达标
    early = check_compliance_pairs(areas, built, pairs, every.at_year(2024))
    assert _rules(early).loc["compliance_rate_areas", "verdict"] == "not_due"
    early = check_compliance_pairs(areas, built, pairs, load_profile("dongyang", rates, assess_year=2024))
    assert _rules(early).loc["compliance_rate_areas", ["verdict", "due"]].tolist() == ["met", False]


# --------------------------------------------------------------------------------------------------
# 聊政办字〔2024〕11号 三(四): 到2025年年底，养老机构护理型床位占比达到78%
# --------------------------------------------------------------------------------------------------
def test_a_2025_target_assessed_in_2024_and_2026(rural_township):
    areas, facilities, pairs = rural_township
    county = _facilities([("G", "county", 6000.0, "刘集镇", "刘集社区", 500, 500)])
    facilities = pd.concat([facilities, county], ignore_index=True).assign(
        beds=[0.0, 0.0, 0.0, 100.0], beds_nursing=[0.0, 0.0, 0.0, 70.0]
    )
    verdicts = {}
    for year in (2024, 2025, 2026):
        r = _rules(check_compliance_pairs(areas, facilities, pairs, load_profile("liaocheng", assess_year=year)))
        row = r.loc["nursing_bed_share"]
        assert (row["actual"], row["target"], row["by_year"]) == (0.7, 0.78, 2025)
        verdicts[year] = (row["verdict"], row["due"], row["met"])
    # 2024: the target is not due yet (and 70% would not meet it); from 2025 it is judged.
    assert verdicts == {2024: ("not_due", False, False), 2025: ("not_met", True, False), 2026: ("not_met", True, False)}
    # Dong'e sets 65% by end 2025 (东政办字〔2023〕26号 第16条: 全县养老机构护理型床位占比提高到65%以上). Liaocheng's
    # 78% is the city's figure (养老机构护理型床位占比达到78%, for 全市): the county report judges the county's own
    # target and shows the city's as 上级目标（参考） (issue 21 item 5).
    r = _rules(check_compliance_pairs(areas, facilities, pairs, load_profile("dong_e", assess_year=2026)))
    row = r.loc["nursing_bed_share"]
    assert (row["target"], row["defined_in"], row["verdict"]) == (0.65, "dong_e", "met")
    assert row["detail"].startswith("上级目标（参考）：78%（2025年）（聊政办字〔2024〕11号 三(四)")
    # Without beds by type the rule is not checked, and the report says which input is missing.
    r = _rules(check_compliance_pairs(areas, facilities.drop(columns="beds_nursing"), pairs, "liaocheng"))
    assert (r.loc["nursing_bed_share", "verdict"], r.loc["nursing_bed_share", "missing"]) == (
        "not_checked",
        "facilities.beds_nursing",
    )


# --------------------------------------------------------------------------------------------------
# 曹县方案 三(六): 确保养老服务设施覆盖半径不大于1000米
# --------------------------------------------------------------------------------------------------
def test_cao_1000_m_radius_is_judged():
    areas = _areas(
        [
            ("a", 300.0, "existing", "曹城街道", "k", 0, 0),
            ("b", 300.0, "existing", "曹城街道", "k", 1100, 0),
            ("c", 300.0, "existing", "曹城街道", "k", 0, 950),
        ],
        polygons=True,
    )
    facilities = _facilities(
        [("K", "community", 400.0, "曹城街道", "k", 0, 0), ("G", "county", 9000.0, "曹城街道", "k", 1100, 100)]
    )
    # c is 900 m from K in a straight line (its square's edge), 1150 m along the streets
    pairs = _pairs([("a", "K", 1.0), ("b", "K", 15.0), ("c", "K", 1150 / 66.7)], speed=66.7)
    result = check_compliance_pairs(areas, facilities, pairs, "cao", settings=load_profile("cao").walk_settings())
    # b: 1050 m from K; the county institution G beside it is no 社区养老服务设施
    assert result.areas["service_radius_ok"].tolist() == [True, False, True]
    r = _rules(result)
    assert (r.loc["service_radius", "passing"], r.loc["service_radius", "judged"]) == (2, 3)
    assert r.loc["service_radius", "verdict"] == "not_met" and r.loc["service_radius", "threshold"] == 1000
    assert result.areas["rules"].tolist() == ["R02, R11"] * 3
    along = load_profile("cao", {"service_radius_measure": "along_streets"})
    result = check_compliance_pairs(areas, facilities, pairs, along)
    assert result.areas["service_radius_ok"].tolist() == [True, False, False]
    # Dong'e states no radius: no verdict, no rule row.
    dong_e = check_compliance_pairs(areas, facilities, pairs, "dong_e")
    assert dong_e.areas["service_radius_ok"].isna().all() and "service_radius" not in dong_e.rules["rule"].tolist()


# --------------------------------------------------------------------------------------------------
# 东阳 东政办发〔2024〕3号 第2条 (认知障碍照护床位20张/万名老年人, 护理型床位60%), 第7条 (助餐村（社区）覆盖率80%),
# 第5条 (至少建有1所市级特困人员供养服务公办机构)
# --------------------------------------------------------------------------------------------------
def test_dongyang_meal_service_dementia_beds_and_nursing_share():
    areas = _areas(
        [
            ("a", 500.0, "existing", "吴宁街道", "东岘社区", 0, 0),
            ("b", 300.0, "existing", "吴宁街道", "西街社区", 1000, 0),
            ("c", 200.0, "existing", "南马镇", "花园村", 5000, 0),
            ("d", 100.0, "existing", "南马镇", "上安恬村", 8000, 0),
        ]
    )
    facilities = _facilities(
        [
            ("M", "station", 150.0, "南马镇", "花园村", 5000, 50),
            ("H", "community", 400.0, "吴宁街道", "西街社区", 1000, 50),
            ("G", "county", 8000.0, "吴宁街道", "东岘社区", 200, 200),
        ]
    )
    facilities["services"] = ["幸福食堂;日间照料", "日间照料", "长期托养、失智照护"]
    facilities["beds"] = [0.0, 0.0, 200.0]
    facilities["beds_nursing"] = [0.0, 0.0, 110.0]
    facilities["beds_dementia"] = [0.0, 0.0, 12.0]
    # the canteen M also serves area a of 东岘社区 (within the walk)
    pairs = _pairs([("c", "M", 2.0), ("a", "M", 14.0), ("b", "H", 2.0)])
    units = pd.DataFrame(
        {
            "name": ["吴宁街道", "南马镇", "东岘社区", "西街社区", "花园村", "上安恬村"],
            "level": ["township", "township", "community", "community", "community", "community"],
            "elderly": [np.nan, np.nan, 2000.0, 1500.0, 1200.0, 1300.0],
        }
    )
    result = check_compliance_pairs(areas, facilities, pairs, "dongyang", units=units)
    comms = result.communities.set_index("community")
    assert comms["meal_service"].to_dict() == {"东岘社区": True, "西街社区": False, "花园村": True, "上安恬村": False}
    r = _rules(result)
    # 助餐村（社区）: 2 of 4 = 50% < 80%
    assert (r.loc["meal_service", "actual"], r.loc["meal_service", "verdict"]) == (0.5, "not_met")
    assert r.loc["meal_service", "quote"] == "助餐村（社区）覆盖率达到80%"
    # 12 dementia-care beds / 6000 elderly (units' figure: the areas give none) × 10000 = 20 ≥ 20
    assert r.loc["dementia_beds", "actual"] == pytest.approx(20.0) and r.loc["dementia_beds", "verdict"] == "met"
    # nursing-type beds of institutions: 110 / 200 = 55% < 60%
    assert (r.loc["nursing_bed_share", "actual"], r.loc["nursing_bed_share", "verdict"]) == (0.55, "not_met")
    assert (r.loc["county_institutions", "actual"], r.loc["county_institutions", "verdict"]) == (1.0, "met")
    # Dongyang states no rate per 100 households: its 100% 达标率 has nothing to judge yet.
    assert r.loc["compliance_rate_areas", "reason"] == "no_units"
    # Without services the meal rule is not checked, input named.
    r = _rules(check_compliance_pairs(areas, facilities.drop(columns="services"), pairs, "dongyang", units=units))
    assert (r.loc["meal_service", "verdict"], r.loc["meal_service", "missing"]) == (
        "not_checked",
        "facilities.services",
    )


# --------------------------------------------------------------------------------------------------
# 东政办字〔2023〕26号 第15条: 县级层面至少建成1处…县级特困人员供养机构; 济政办发〔2023〕2号 第13条
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("profile", ["dong_e", "jining"])
def test_at_least_one_county_institution(rural_township, profile):
    areas, facilities, pairs = rural_township
    r = _rules(check_compliance_pairs(areas, facilities, pairs, profile))
    assert (r.loc["county_institutions", "actual"], r.loc["county_institutions", "verdict"]) == (0.0, "not_met")
    county = _facilities([("G", "county", 6000.0, "刘集镇", "刘集社区", 500, 500)])
    r = _rules(check_compliance_pairs(areas, pd.concat([facilities, county], ignore_index=True), pairs, profile))
    assert r.loc["county_institutions", "verdict"] == "met"


def test_single_site_minimum_cites_both_clauses(rural_township):
    areas, facilities, pairs = rural_township
    r = _rules(check_compliance_pairs(areas, facilities, pairs, "dong_e"))
    # the two 120 m² stations are below 单处不低于200平方米 for new and for existing areas: not counted
    for rule, words in (("min_site_new", "新建城镇居住区"), ("min_site_existing", "已建成的城镇居住区")):
        assert (r.loc[rule, "verdict"], r.loc[rule, "actual"]) == ("condition", 2.0)
        assert words in r.loc[rule, "source"]


def test_the_rules_table_drives_the_check(rural_township, monkeypatch):
    """Issue 12: each checkable rule is a row of siting.profiles.RULES with a measure; the check runs the rows."""
    assert {r.measure for r in RULES} <= set(MEASURES)
    areas, facilities, pairs = rural_township
    full = check_compliance_pairs(areas, facilities, pairs, "dong_e").rules
    dong_e = load_profile("dong_e")
    stated = [
        r.number for r in RULES if (rule := dong_e.rule(r.key)) and (rule.value, rule.reference_value) != (None,) * 2
    ]
    assert full["number"].tolist() == stated
    monkeypatch.setattr(compliance, "RULES", tuple(r for r in RULES if r.id != "township_catchment"))
    fewer = check_compliance_pairs(areas, facilities, pairs, "dong_e")
    assert "township_catchment" not in fewer.rules["rule"].tolist()
    assert len(fewer.rules) == len(full) - 1 and fewer.townships.loc[0, "rules"] == "R08"


# --------------------------------------------------------------------------------------------------
# The demo town, judged as issue 21 asks: scopes, whose target, and a workbook a county official reads
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_result():
    import warnings

    from siting.pipeline import demo_dir, run_scenario
    from siting.scenario import load_scenario

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_scenario(load_scenario(demo_dir() / "scenarios" / "baseline.yml"), progress=False)


def test_demo_floor_area_rates_judge_urban_areas_only(demo_result):
    """东政办字〔2023〕26号 第13条: 新建城镇居住区…已建成的城镇居住区…: the 13 小区 of the rural communities
    王庄社区 and 前营社区 (城乡 = 农村 in the units layer) are not judged by R01/R02, as R10 leaves them out."""
    areas = demo_result.compliance.areas
    rural = areas["urban"].eq(False).to_numpy()
    assert rural.sum() == 13 and set(areas.loc[rural, "community"]) == {"王庄社区", "前营社区"}
    assert areas.loc[rural, "floor_area_ok"].isna().all() and (areas.loc[rural, "fail_reason"] == "rural_area").all()
    assert areas.loc[rural, "shortfall_m2"].isna().all()
    assert (areas.loc[rural, "floor_area_rule"] == "floor_area_scope=urban_areas").all()
    assert areas.loc[rural, "floor_area_rule_source"].str.startswith("东政办字〔2023〕26号 第13条").all()
    r = _rules(demo_result.compliance)
    judged = int((areas["status"].eq("existing") & ~rural & (areas["households"] > 0)).sum())
    assert r.loc["floor_area_existing", "judged"] == judged == 51
    # and the urban areas share no floor area with the villages: each facility's households are urban ones
    rural_ids = set(areas.loc[rural, "area_id"])
    shares = floor_area_shares(
        areas,
        demo_result.compliance.facilities,
        demo_result.access.pairs,
        demo_result.profile,
        demo_result.access.settings,
    )
    rows = [i for i, a in enumerate(shares.area_ids) if a in rural_ids]
    assert shares.matrix[rows].nnz == 0


def test_demo_cao_radius_judges_existing_areas_only(demo_result):
    """曹县方案 三(六): 对老旧小区、已建成小区…确保养老服务设施覆盖半径不大于1000米: new areas are not in its scope."""
    access = demo_result.access
    cao = check_compliance_pairs(
        access.areas, access.facilities, access.pairs, "cao", settings=access.settings, units=demo_result.study.units
    )
    areas = cao.areas
    judged = areas["service_radius_ok"].notna()
    assert (areas.loc[judged, "status"] == "existing").all()
    assert judged.sum() == int((areas["status"].eq("existing") & (areas["households"] > 0)).sum())
    assert areas.loc[areas["status"].eq("new"), "service_radius_ok"].isna().all()
    r = _rules(cao)
    assert r.loc["service_radius", "judged"] == judged.sum() and r.loc["service_radius", "verdict"] == "met"
    # Cao's rates cover every 住宅小区, rural ones too (三(六) says 住宅小区, not 城镇居住区)
    assert areas["floor_area_ok"].notna().sum() == int((areas["households"] > 0).sum())
    # 附件2 四.2: F03 柳河镇综合养老服务中心 (520 m², 助餐;日间照料;长期托养) lacks 上门服务, and is named for it
    f03 = cao.facilities.set_index("facility_id").loc["F03"]
    assert (bool(f03["qualified_township_centre"]), f03["missing_functions"]) == (False, "上门服务")
    town = cao.townships.set_index("township").loc["柳河镇"]
    assert (bool(town["has_qualified_centre"]), town["missing_functions"]) == (False, "上门服务")
    # scoring targets of the 2023 检查验收 say so when judged later
    later = check_compliance_pairs(
        access.areas,
        access.facilities,
        access.pairs,
        load_profile("cao", assess_year=2030),
        settings=access.settings,
        units=demo_result.study.units,
    )
    assert _rules(later).loc["town_centres", "detail"] == "2023年创建验收评分指标"


@pytest.mark.slow  # a whole demo-sized run: in the second test command
def test_demo_workbook_rule_sheets_read_in_chinese(demo_result):
    """Issue 21 item 9: no cell of 规则核查 or 规则取值 holds a status code, "null", an English note or a file name."""
    import re

    from siting.report import _rules_table, rule_check_sheet

    check, _ = rule_check_sheet(demo_result.compliance, "zh")
    values = _rules_table(demo_result.profile, "zh")
    words = {"已核实", "二手来源", "未核实", "本次覆盖", "用户提供"}
    assert set(check["核实状态"]) <= words and set(values["核实状态"]) <= words
    for sheet in (check, values.drop(columns=["键"])):
        for column in sheet.columns:
            for cell in sheet[column].dropna().astype(str):
                assert cell not in {"C", "S", "U", "override", "user"}, (column, cell)
                assert "null" not in cell and "standards.md" not in cell and ".txt" not in cell, (column, cell)
                assert ".yaml" not in cell and not re.fullmatch(r"[a-z_]+", cell), (column, cell)
                # no English words (document numbers such as GB/T 50437-2020 are letters and digits; a missing
                # input names its column, e.g. 设施用地面积(land_area_m2), as the input file may head it)
                assert not re.search(r"[A-Za-z]{4,}", re.sub(r"\([a-z0-9_.]+\)", "", cell)), (column, cell)
    # 判定口径 in Chinese units; the 社区 sheet's count is of community facilities
    assert check.set_index("编号").loc["R01", "判定口径"].startswith("单处最小建筑面积(新建居住区): 200 平方米")
    assert "社区养老服务设施数(处)" in relabel_columns(demo_result.compliance.communities)
    # the 小区 sheet's 适用标准: no "≥ null"; a rural area names the scope that leaves it out
    from siting.report import _rule_text

    assert _rule_text("existing_area_m2_per_100hh=", "zh") == "已建成居住区每百户配置面积：规则未规定该类小区的标准"
    assert _rule_text("existing_area_m2_per_100hh=15", "zh") == "已建成居住区每百户配置面积 ≥ 15 平方米/百户"
    assert _rule_text("floor_area_scope=urban_areas", "zh") == "每百户配建标准适用的小区：仅城镇居住区"


def relabel_columns(frame):
    from siting.labels import column_label

    return [column_label(c, "zh") for c in frame.columns]


# --------------------------------------------------------------------------------------------------
# Facility type and function (issue 21 item 4), and the checks of item 7
# --------------------------------------------------------------------------------------------------
def _one_township(services: list[str], levels: list[str], floors: list[float], communities: list[str]):
    areas = _areas(
        [
            ("a", 400.0, "existing", "城关街道", "东关社区", 0, 0),
            ("b", 200.0, "existing", "城关街道", "东关社区", 600, 0),
            ("c", 300.0, "existing", "城关街道", "文昌社区", 3000, 0),
        ]
    )
    ids = [f"F{i}" for i in range(len(services))]
    rows = [(i, lvl, f, "城关街道", c, 0, 50) for i, lvl, f, c in zip(ids, levels, floors, communities, strict=True)]
    facilities = _facilities(rows).assign(services=services)
    return areas, facilities


def test_a_service_station_is_not_a_community_centre():
    """东政办字〔2023〕26号 第15条: 每个社区建设1处…社区养老服务中心，单处面积不低于300平方米: 文昌社区 with only a
    360 m² 养老服务站 (上门服务 only) has no 社区养老服务中心; a 社区养老服务设施 target (聊城 二(二)) counts it."""
    areas, facilities = _one_township(
        ["日间照料", "上门服务"], ["community", "station"], [400.0, 360.0], ["东关社区", "文昌社区"]
    )
    pairs = _pairs([("a", "F0", 2.0), ("c", "F1", 2.0)])
    r = _rules(check_compliance_pairs(areas, facilities, pairs, "dong_e"))
    assert (r.loc["community_facilities", "passing"], r.loc["community_facilities", "judged"]) == (1, 2)
    liaocheng = check_compliance_pairs(
        areas, facilities, pairs, load_profile("liaocheng", {"community_centre_min_m2": 300})
    )
    assert _rules(liaocheng).loc["community_facilities", "passing"] == 2


def test_township_centre_functions_and_a_regional_centre():
    """曹县方案 附件2 四.2: 具备长期托养、日托、上门服务、对下指导等功能的区域性养老服务中心或镇综合养老服务中心:
    a centre without 上门服务 does not count and the sheet says what it lacks; a 区域性 centre counts for the
    towns it serves."""
    areas = _areas([("a", 100.0, "existing", "甲镇", "甲村", 0, 0), ("b", 100.0, "existing", "乙镇", "乙村", 5000, 0)])
    facilities = _facilities([("R", "township", 800.0, "甲镇", "甲村", 0, 50)]).assign(
        services=["长期托养;日间照料"], serves_townships=["乙镇"]
    )
    pairs = _pairs([("a", "R", 2.0)])
    result = check_compliance_pairs(areas, facilities, pairs, "cao")
    towns = result.townships.set_index("township")
    assert towns["has_qualified_centre"].tolist() == [False, False]
    assert towns["missing_functions"].tolist() == ["上门服务", "上门服务"]
    full = facilities.assign(services=["长期托养;日托;上门服务"])
    result = check_compliance_pairs(areas, full, pairs, "cao")
    assert result.townships["has_qualified_centre"].tolist() == [True, True]  # 乙镇 through the 区域性 centre
    assert _rules(result).loc["town_centres", "actual"] == 1.0
    # the 区域性 centre's walk serves 乙镇 too: b, 10 minutes away, is covered for 乙镇's catchment (R09)
    reached = check_compliance_pairs(areas, full, _pairs([("a", "R", 2.0), ("b", "R", 10.0)]), "cao")
    assert reached.townships.set_index("township").loc[["甲镇", "乙镇"], "covered_share"].tolist() == [1.0, 1.0]
    assert result.townships.set_index("township").loc[["甲镇", "乙镇"], "covered_share"].tolist() == [1.0, 0.0]


def test_medical_care_home_care_and_meal_service_by_area():
    """东政办字〔2023〕26号 第18条: 养老机构医养结合服务覆盖率达到100%; 聊政办字〔2024〕11号 二(一): 各县（市、区）
    建有1处大中型医养结合养老机构; 三(四): 60%的养老机构开展居家上门服务;
    东政办发〔2024〕3号 第7条: 助餐村（社区）覆盖率."""
    areas, facilities = _one_township(
        ["长期托养;医养结合", "长期托养;上门服务", "助餐"],
        ["county", "township", "community"],
        [5000.0, 700.0, 300.0],
        ["东关社区", "东关社区", "东关社区"],
    )
    pairs = _pairs([("a", "F2", 3.0), ("b", "F2", 20.0), ("c", "F2", 25.0)])
    r = _rules(check_compliance_pairs(areas, facilities, pairs, "dong_e"))
    # two institutions (county level; residential care), one with 医养结合: 50% against 100%
    assert (r.loc["medical_care_coverage", "actual"], r.loc["medical_care_coverage", "verdict"]) == (0.5, "not_met")
    # the county sees the city's 60% 上门服务 share as a reference: 1 of 2 institutions
    row = r.loc["home_care_institutions"]
    assert (row["actual"], row["threshold"], row["verdict"]) == (0.5, 0.6, "reference")
    r = _rules(check_compliance_pairs(areas, facilities, pairs, "liaocheng"))
    assert (r.loc["medical_care_institutions", "actual"], r.loc["medical_care_institutions", "verdict"]) == (1.0, "met")
    assert r.loc["home_care_institutions", "verdict"] == "not_met"
    # meal service: 东关社区's meal service reaches a but not b, so 东关社区 is not covered; 文昌社区 has none
    meal = load_profile("dongyang")
    result = check_compliance_pairs(areas, facilities, pairs, meal)
    comms = result.communities.set_index("community")
    assert comms.loc["东关社区", "share_meal_areas"] == 0.5 and not comms.loc["东关社区", "meal_service"]
    row = _rules(result).loc["meal_service"]
    assert (row["actual"], row["detail"]) == (0.0, "步行范围内有助餐服务的小区 33.3%")


def test_dongyang_kangyang_consortia_and_named_town_centres():
    """东政办发〔2024〕3号 第9条: 到2025年，康养联合体实现镇乡街道全覆盖; 第10条: 加快推进…横店镇、巍山镇、南马镇等乡镇
    养老中心建设: the input says which facility is a 康养联合体 and which is a town's centre."""
    areas = _areas(
        [
            ("a", 100.0, "existing", "横店镇", "甲村", 0, 0),
            ("b", 100.0, "existing", "巍山镇", "乙村", 5000, 0),
            ("c", 100.0, "existing", "白云街道", "丙社区", 9000, 0),
        ]
    )
    facilities = _facilities(
        [("H", "township", 900.0, "横店镇", "甲村", 0, 50), ("W", "station", 200.0, "巍山镇", "乙村", 5000, 50)]
    ).assign(services=["日间照料;康养联合体", "助餐"])
    pairs = _pairs([("a", "H", 2.0), ("b", "W", 2.0)])
    r = _rules(check_compliance_pairs(areas, facilities, pairs, load_profile("dongyang", assess_year=2025)))
    assert (r.loc["kangyang", "passing"], r.loc["kangyang", "judged"], r.loc["kangyang", "verdict"]) == (
        1,
        3,
        "not_met",
    )
    row = r.loc["named_township_centres"]
    assert (row["passing"], row["judged"], row["verdict"]) == (1, 3, "not_met")
    assert (row["number"], row["detail"], row["threshold"]) == (
        "R23",
        "未建养老中心：巍山镇、南马镇",
        "横店镇、巍山镇、南马镇",
    )


def test_a_regional_centre_read_from_its_file(tmp_path):
    """A facilities table names the towns a 区域性养老服务中心 serves (服务乡镇); the reader keeps them as written."""
    from siting.inputs import read_facilities

    path = tmp_path / "facilities.csv"
    path.write_text(
        "编号,名称,等级,建筑面积,服务内容,服务乡镇,lon,lat\nR,甲镇区域性中心,乡镇综合养老服务中心,800,长期托养,乙镇;丙镇,116.2,36.3\n"
    )
    facilities = read_facilities(path)
    assert facilities.loc[0, "serves_townships"] == "乙镇;丙镇" and facilities.loc[0, "services"] == "长期托养"


def test_demo_plans_judge_the_areas_the_check_judges(demo_result):
    """The optimisers share floor area with the check's own function, so under 东阿 第13条 (城镇居住区) the
    plan's floor-area rule leaves the 13 rural 小区 out too: no rate, no share of any site."""
    from siting.compliance import floor_area_rates
    from siting.inputs import read_candidates
    from siting.pipeline import demo_dir

    study = demo_result.study
    rural = study.areas["urban"].eq(False).to_numpy()
    assert rural.sum() == 13
    assert (floor_area_rates(study.areas, study.profile)[rural] == 0).all()
    candidates = read_candidates(demo_dir() / "candidates.gpkg", layer="candidates")
    rule = study.problem(candidates).floor_area_rule
    assert np.isnan(rule.required_m2_per_household[rural]).all()
    assert not np.isnan(rule.required_m2_per_household[~rural & (study.areas["households"].to_numpy() > 0)]).any()
    assert rule.shares_counted[np.flatnonzero(rural)].nnz == 0
