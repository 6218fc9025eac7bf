"""Readers: schema, Chinese headers, GCJ-02, household estimates, and every kind of bad input."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from siting import households, inputs
from siting.errors import SitingInputError
from siting.projection import wgs84_to_gcj02
from tests.conftest import UTM50, box, gcj02_to_bd09

LON0, LAT0 = 116.25, 36.33


def _areas_frame(n=3, **columns):
    base = {
        "小区编号": [f"XQ{i:02d}" for i in range(n)],
        "小区名称": [f"花园{i}" for i in range(n)],
        "总户数": [100 * (i + 1) for i in range(n)],
        "类型": ["新建", "已建", None][:n] + ["已建"] * (n - 3),
    }
    base.update(columns)
    geoms = [box(100 * i, 0, 100 * i + 60, 60) for i in range(n)]
    return gpd.GeoDataFrame(base, geometry=geoms, crs=UTM50)


def test_chinese_headers_recognised(tmp_path):
    path = tmp_path / "xiaoqu.gpkg"
    _areas_frame().to_file(path, layer="xiaoqu")
    before = path.read_bytes()
    areas = inputs.read_areas(path, layer="xiaoqu")
    assert path.read_bytes() == before  # never written
    assert list(areas.columns[:7]) == [
        "area_id",
        "name",
        "households",
        "households_source",
        "status",
        "population",
        "elderly",
    ]
    assert areas["area_id"].tolist() == ["XQ00", "XQ01", "XQ02"]
    assert areas["households"].tolist() == [100.0, 200.0, 300.0]
    assert areas["status"].tolist() == ["new", "existing", "existing"]  # missing status means existing
    assert areas.crs == UTM50


def test_explicit_column_mapping_and_generated_ids():
    frame = _areas_frame().rename(columns={"总户数": "HH_2023"}).drop(columns=["小区编号"])
    areas = inputs.read_areas(frame, columns={"households": "HH_2023"})
    assert areas["households"].tolist() == [100.0, 200.0, 300.0]
    assert areas["area_id"].tolist() == ["A001", "A002", "A003"]


def test_households_estimated_from_population_and_marked():
    frame = _areas_frame(总户数=[100, None, None], 人口=[None, 262, 524])
    with pytest.warns(UserWarning, match="estimated households for 2 area"):
        areas = inputs.read_areas(frame)
    assert areas["households"].tolist() == [100.0, 100.0, 200.0]  # 262 / 2.62, 524 / 2.62
    assert areas["households_source"].tolist() == ["input", "population", "population"]
    with pytest.warns(UserWarning):
        shandong = inputs.read_areas(frame, household_size=2.70)
    assert shandong["households"].tolist() == [100.0, 97.0, 194.0]


def test_households_estimated_from_buildings():
    frame = _areas_frame(总户数=[None, 200, 300])
    # two 6-storey blocks of 20 m x 50 m in area XQ00: 2 x 1000 m2 x 6 = 12000 m2 gross
    bldg = gpd.GeoDataFrame({"floors": [6, 6]}, geometry=[box(5, 5, 25, 55), box(30, 5, 50, 55)], crs=UTM50)
    with pytest.warns(UserWarning):
        areas = inputs.read_areas(frame, buildings=bldg)
    assert areas.loc[0, "households"] == round(12000 * 0.85 / 92.17)  # 111
    assert areas.loc[0, "households_source"] == "buildings"
    est = households.from_buildings(frame, bldg, residential_share=1.0, floor_area_per_household_m2=100)
    assert est.iloc[0] == 120


@pytest.mark.parametrize(
    "change, pattern",
    [
        ({"总户数": ["100", "abc", "300"]}, r"column '总户数'.*not numbers.*rows: XQ01"),
        ({"总户数": [100, -5, 300]}, r"column '总户数'.*negative.*rows: XQ01"),
        ({"小区编号": ["XQ00", "XQ00", "XQ02"]}, r"column '小区编号'.*not unique.*rows: XQ00"),
        ({"类型": ["新建", "拆迁", "已建"]}, r"column '类型'.*unrecognised.*rows: XQ01.*新建"),
        ({"总户数": [None, 100, 200]}, r"households.*missing and cannot be estimated.*rows: XQ00"),
    ],
)
def test_bad_values_name_column_and_rows(change, pattern):
    with pytest.raises(SitingInputError, match=pattern):
        inputs.read_areas(_areas_frame(**change))


def test_bad_geometry(tmp_path):
    frame = _areas_frame()
    frame.loc[1, "geometry"] = shapely.Polygon()
    with pytest.raises(SitingInputError, match=r"missing or empty.*rows: XQ01"):
        inputs.read_areas(frame)
    frame = _areas_frame()
    frame.loc[2, "geometry"] = shapely.LineString([(0, 0), (1, 1)])
    with pytest.raises(SitingInputError, match=r"must be one of Polygon, MultiPolygon, Point, found LineString.*XQ02"):
        inputs.read_areas(frame)


def test_self_intersection_repaired_with_warning():
    frame = _areas_frame()
    x, y = 500_000.0, 4_000_000.0
    frame.loc[0, "geometry"] = shapely.Polygon([(x, y), (x + 60, y + 60), (x + 60, y), (x, y + 60)])  # bow-tie
    with pytest.warns(UserWarning, match="repaired invalid geometry.*XQ00"):
        areas = inputs.read_areas(frame)
    assert areas.geometry.is_valid.all()
    assert areas.geometry.iloc[0].area == pytest.approx(1800.0)  # two triangles of 900 m2


def test_file_layer_and_crs_errors(tmp_path):
    with pytest.raises(SitingInputError, match=r"file .*nope.gpkg: file not found"):
        inputs.read_areas(tmp_path / "nope.gpkg")
    path = tmp_path / "two.gpkg"
    _areas_frame().to_file(path, layer="xiaoqu")
    _areas_frame().to_file(path, layer="other")
    with pytest.raises(
        SitingInputError,
        match=r"layer 'xq': no layer 'xq' in this file \(did you mean 'xiaoqu'\?\); it has: xiaoqu, other",
    ):
        inputs.read_areas(path, layer="xq")
    with pytest.raises(SitingInputError, match=r"several layers \(xiaoqu, other\)"):
        inputs.read_areas(path)
    no_crs = _areas_frame().set_crs(None, allow_override=True)
    with pytest.raises(SitingInputError, match="no coordinate reference system"):
        inputs.read_areas(no_crs)
    empty = tmp_path / "empty.geojson"
    _areas_frame().iloc[:0].to_file(empty)
    with pytest.raises(SitingInputError, match=r"empty\.geojson.*the layer is empty"):
        inputs.read_areas(empty)
    with pytest.raises(SitingInputError, match=r"column 'HH' \(mapped to households\) is not in the layer"):
        inputs.read_areas(_areas_frame(), columns={"households": "HH"})


def _facility_csv(path, lon, lat, **extra):
    frame = pd.DataFrame(
        {
            "编号": ["F1", "F2"],
            "名称": ["城关中心", "幸福站"],
            "等级": ["乡镇（街道）综合养老服务中心", "养老服务站"],
            "建筑面积": [650, 120],
            "床位": [20, None],
            "lon": lon,
            "lat": lat,
            **extra,
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def test_facilities_csv_in_gcj02(tmp_path):
    wgs_lon, wgs_lat = np.array([LON0, LON0 + 0.01]), np.array([LAT0, LAT0 + 0.005])
    gcj_lon, gcj_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    path = tmp_path / "facilities.csv"
    _facility_csv(path, gcj_lon, gcj_lat)
    fac = inputs.read_facilities(path, crs="gcj02")
    assert fac["level"].tolist() == ["township", "station"]
    assert fac["floor_area_m2"].tolist() == [650.0, 120.0]
    assert np.isnan(fac.loc[1, "beds"])
    # back within 1 cm of the true WGS84 points (GCJ-02 is offset by ~500 m here)
    metric = fac.to_crs(UTM50)
    truth = gpd.GeoSeries(gpd.points_from_xy(wgs_lon, wgs_lat), crs=4326).to_crs(UTM50)
    assert metric.distance(truth, align=False).max() < 0.01
    raw = inputs.read_facilities(path)  # read as if WGS84: lands hundreds of metres off
    assert raw.to_crs(UTM50).distance(truth, align=False).min() > 100


def test_facilities_errors(tmp_path):
    path = tmp_path / "f.csv"
    _facility_csv(path, [LON0, LON0], [LAT0, None])
    with pytest.raises(SitingInputError, match=r"f.csv, column 'lon/lat': missing or non-numeric.*rows: 3"):
        inputs.read_facilities(path)
    _facility_csv(path, [LON0, LON0], [LAT0, LAT0], 等级x=1)
    frame = pd.read_csv(path).drop(columns=["等级"])
    frame.to_csv(path, index=False)
    with pytest.raises(SitingInputError, match="required column 'level' is missing"):
        inputs.read_facilities(path)
    pd.DataFrame({"name": ["a"], "x": [1.0]}).to_csv(path, index=False)
    with pytest.raises(SitingInputError, match="no coordinate columns found"):
        inputs.read_facilities(path)


def test_gbk_csv_and_polygon_facility(tmp_path):
    path = tmp_path / "gbk.csv"
    pd.DataFrame(
        {"名称": ["敬老院"], "等级": ["县级养老机构"], "建筑面积": [3000], "经度": [LON0], "纬度": [LAT0]}
    ).to_csv(path, index=False, encoding="gb18030")
    fac = inputs.read_facilities(path)
    assert fac.loc[0, "name"] == "敬老院" and fac.loc[0, "level"] == "county" and fac.loc[0, "facility_id"] == "F001"
    poly = gpd.GeoDataFrame({"level": ["community"], "floor_area_m2": [300.0]}, geometry=[box(0, 0, 40, 40)], crs=UTM50)
    pt = inputs.read_facilities(poly).geometry.iloc[0]
    assert pt.geom_type == "Point" and box(0, 0, 40, 40).contains(pt)


def test_units_and_assignment():
    comm = gpd.GeoDataFrame(
        {"社区名称": ["东关", "西关", "南关"], "街道名称": ["新城街道", "新城街道", "铜城街道"]},
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100), box(0, -100, 200, 0)],
        crs=UTM50,
    )
    units = inputs.read_units(comm)
    assert units[["name", "level", "parent"]].values.tolist() == [
        ["新城街道", "township", None],
        ["铜城街道", "township", None],
        ["东关", "community", "新城街道"],
        ["西关", "community", "新城街道"],
        ["南关", "community", "铜城街道"],
    ]
    assert units.loc[0, "geometry"].area == pytest.approx(20_000)
    areas = inputs.read_areas(_areas_frame())  # x=0..60, 100..160, 200..260 at y=0..60
    got = inputs.assign_units(areas, units)
    assert got["community"].tolist()[:2] == ["东关", "西关"]
    assert got["township"].tolist()[:2] == ["新城街道", "新城街道"]
    assert got["community"].isna().tolist()[2]


def _two_communities() -> gpd.GeoDataFrame:
    """城关镇 of two communities: 东关社区 (x 0–100 m, 城市社区) and 西河村 (x 100–200 m, 村)."""
    comm = gpd.GeoDataFrame(
        {"社区名称": ["东关社区", "西河村"], "街道名称": ["城关镇", "城关镇"]},
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
        crs=UTM50,
    )
    return inputs.read_units(comm)


def test_prepare_inputs_by_hand():
    """Three areas (in 东关社区, in 西河村, outside both) and three facilities, one with a services text
    worked out by hand: 日间托养 is day care and not residential care, 、 separates like ;."""
    units = _two_communities()
    areas = inputs.read_areas(_areas_frame())  # x = 0–60, 100–160, 200–260 m
    facilities = gpd.GeoDataFrame(
        {
            "facility_id": ["F1", "F2", "F3"],
            "level": ["township", "community", "county"],
            "floor_area_m2": [600.0, 300.0, 3000.0],
            "services": ["助餐;日间托养、上门服务;医养结合", "", "敬老院"],
        },
        geometry=[shapely.Point(500_050, 4_000_050), shapely.Point(500_150, 4_000_050), shapely.Point(500_900, 0)],
        crs=UTM50,
    )
    areas_before, facilities_before = areas.copy(), facilities.copy()
    got_areas, got_facilities = inputs.prepare_inputs(areas, facilities, units)
    pd.testing.assert_frame_equal(areas, areas_before)  # nothing a user gave is modified
    pd.testing.assert_frame_equal(facilities, facilities_before)

    assert got_areas["township"].fillna("-").tolist() == ["城关镇", "城关镇", "-"]  # "-": in no unit
    assert got_areas["community"].fillna("-").tolist() == ["东关社区", "西河村", "-"]
    assert got_areas["urban"].tolist() == [True, False, pd.NA]  # 社区 urban, 村 rural, unplaced unknown
    assert got_facilities["township"].fillna("-").tolist() == ["城关镇", "城关镇", "-"]
    assert got_facilities["community"].fillna("-").tolist() == ["东关社区", "西河村", "-"]
    offered = got_facilities[list(inputs.SERVICE_COLUMNS.values())]
    assert list(offered.columns) == [
        "offers_meal",
        "offers_day_care",
        "offers_residential_care",
        "offers_dementia_care",
        "offers_home_care",
        "offers_medical_care",
        "offers_kangyang",
    ]
    assert offered.to_numpy().tolist() == [
        [True, True, False, False, True, True, False],
        [False] * 7,
        [False, False, True, False, False, False, False],
    ]


def test_prepare_keeps_what_is_given_and_missing_only_derives_nothing_twice():
    """A planner's own township and urban are kept; ``missing_only`` leaves a prepared frame as it is
    (the check's reading), while a full preparation reads the services text again."""
    units = _two_communities()
    areas = inputs.read_areas(_areas_frame()).assign(township=["甲镇", None, None], urban=[False, None, None])
    got = inputs.prepare_areas(areas, units)
    assert got["township"].fillna("-").tolist() == ["甲镇", "城关镇", "-"]
    assert got["community"].fillna("-").tolist() == ["东关社区", "西河村", "-"]
    assert got["urban"].tolist() == [False, pd.NA, pd.NA]  # given, so not read from the communities

    facilities = gpd.GeoDataFrame(
        {"facility_id": ["F1"], "level": ["community"], "floor_area_m2": [300.0], "services": ["助餐"]},
        geometry=[shapely.Point(500_050, 4_000_050)],
        crs=UTM50,
    )
    prepared = inputs.prepare_facilities(facilities, units)
    prepared["services"] = "上门服务"  # edited after preparation
    assert inputs.prepare_facilities(prepared, units, missing_only=True)[["offers_meal", "offers_home_care"]].to_numpy(
        bool
    ).tolist() == [[True, False]]
    assert inputs.prepare_facilities(prepared, units)[["offers_meal", "offers_home_care"]].to_numpy(bool).tolist() == [
        [False, True]
    ]
    # a row appended to the prepared frame is derived on its own: placed, its services read
    appended = pd.concat(
        [
            prepared,
            gpd.GeoDataFrame(
                {"facility_id": ["F2"], "level": ["station"], "floor_area_m2": [80.0], "services": ["日间照料;助餐"]},
                geometry=[shapely.Point(500_150, 4_000_050)],
                crs=UTM50,
            ),
        ],
        ignore_index=True,
    )
    again = inputs.prepare_facilities(appended, units, missing_only=True)
    assert again["community"].tolist() == ["东关社区", "西河村"]
    assert again[["offers_meal", "offers_day_care", "offers_home_care"]].to_numpy().tolist() == [
        [True, False, False],  # the prepared row as it was derived
        [True, True, False],
    ]
    # without units nothing is placed and no unit column appears; without services no service column
    bare = inputs.prepare_facilities(facilities.drop(columns="services"))
    assert list(bare.columns) == list(facilities.drop(columns="services").columns)


def test_entrances(tmp_path):
    gates = gpd.GeoDataFrame(
        {"小区编号": ["XQ00", "XQ01"]},
        geometry=[shapely.Point(500_010, 4_000_000), shapely.Point(500_110, 4_000_000)],
        crs=UTM50,
    )
    got = inputs.read_entrances(gates)
    assert got["area_id"].tolist() == ["XQ00", "XQ01"]


def test_polygon_collapsing_to_a_line_is_an_error():
    frame = _areas_frame()
    x, y = 500_000.0, 4_000_000.0
    frame.loc[2, "geometry"] = shapely.Polygon([(x, y), (x + 60, y), (x + 30, y), (x, y)])  # zero area
    with pytest.raises(SitingInputError, match=r"collapse to lines or points.*rows: XQ02"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs.read_areas(frame)


def test_csv_ids_keep_leading_zeros_and_swapped_coordinates(tmp_path):
    path = tmp_path / "f.csv"
    pd.DataFrame(
        {
            "编号": ["001", "002"],
            "等级": ["养老服务站"] * 2,
            "建筑面积": ["120", "80"],
            "lon": [LON0, LON0],
            "lat": [LAT0, LAT0],
        }
    ).to_csv(path, index=False)
    fac = inputs.read_facilities(path)
    assert fac["facility_id"].tolist() == ["001", "002"]
    assert fac["floor_area_m2"].tolist() == [120.0, 80.0]
    pd.DataFrame({"编号": ["001"], "等级": ["养老服务站"], "建筑面积": [120], "lon": [LAT0], "lat": [LON0]}).to_csv(
        path, index=False
    )
    with pytest.raises(SitingInputError, match=r"'lon' holds latitudes.*swap"):
        inputs.read_facilities(path)


def test_entrances_of_unknown_areas_are_an_error(t_network):
    from siting.snapping import attach_areas

    areas = inputs.read_areas(_areas_frame())
    gates = gpd.GeoDataFrame({"area_id": ["XQ00", "xq01"]}, geometry=[shapely.Point(500_010, 4_000_000)] * 2, crs=UTM50)
    with pytest.raises(SitingInputError, match=r"entrances.*do not exist.*rows: xq01"):
        attach_areas(t_network, areas, entrances=gates)


def test_gbk_shapefile_without_cpg(tmp_path):
    path = tmp_path / "xiaoqu.shp"
    _areas_frame().to_file(path, encoding="gb18030")
    path.with_suffix(".cpg").unlink()  # as many Chinese ArcGIS exports come
    with pytest.warns(UserWarning, match="no .cpg file.*GB18030"):
        areas = inputs.read_areas(path)
    assert areas["name"].tolist() == ["花园0", "花园1", "花园2"]
    assert areas["households"].tolist() == [100.0, 200.0, 300.0]


# -- spreadsheets, 小区 as points, zero households ------------------------------------------------------

XLS = Path(__file__).parent / "data" / "facilities.xls"


def _workbook(path, sheets):
    """An .xlsx written with openpyxl: {sheet name: list of rows}."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_xlsx_facilities_with_a_title_row_read_like_the_csv(tmp_path):
    wgs_lon, wgs_lat = np.array([LON0, LON0 + 0.01]), np.array([LAT0, LAT0 + 0.005])
    gcj_lon, gcj_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    header = ["编号", "设施名称", "等级", "建筑面积", "经度", "纬度"]
    rows = [
        ["001", "凤城街道综合养老服务中心", "乡镇(街道)综合养老服务中心", 1350, gcj_lon[0], gcj_lat[0]],
        [12, "新华社区养老服务站", "养老服务站", 120.5, gcj_lon[1], gcj_lat[1]],
    ]
    path = tmp_path / "设施.xlsx"
    # as offices keep them: a title row, an empty row, the table; a second sheet of candidate sites
    _workbook(
        path,
        {
            "现有设施": [["东阿县养老服务设施一览表"], [], header, *rows, []],
            "备选点": [["编号", "名称", "可建面积", "lon", "lat"], ["C1", "原粮站", 800, LON0, LAT0]],
        },
    )
    before = path.read_bytes()
    fac = inputs.read_facilities(path, crs="gcj02")
    assert path.read_bytes() == before
    csv = tmp_path / "设施.csv"
    pd.DataFrame([header, *rows]).to_csv(csv, index=False, header=False, encoding="utf-8-sig")
    from_csv = inputs.read_facilities(csv, crs="gcj02")
    pd.testing.assert_frame_equal(fac.drop(columns="geometry"), from_csv.drop(columns="geometry"))
    # the same points to within float round-off of the stored decimals
    assert fac.to_crs(UTM50).distance(from_csv.to_crs(UTM50)).max() < 1e-6
    assert fac["facility_id"].tolist() == ["001", "12"]
    assert fac["level"].tolist() == ["township", "station"]
    assert fac["floor_area_m2"].tolist() == [1350.0, 120.5]
    truth = gpd.GeoSeries(gpd.points_from_xy(wgs_lon, wgs_lat), crs=4326).to_crs(UTM50)
    assert fac.to_crs(UTM50).distance(truth, align=False).max() < 0.01
    cand = inputs.read_candidates(path, sheet="备选点")
    assert cand["candidate_id"].tolist() == ["C1"] and cand["max_floor_area_m2"].tolist() == [800.0]


def test_xls_workbook():
    fac = inputs.read_facilities(XLS, crs="gcj02")
    assert fac["facility_id"].tolist() == ["001", "002"]
    assert fac["level"].tolist() == ["township", "community"]
    assert fac["floor_area_m2"].tolist() == [1350.0, 420.5]


def test_spreadsheet_errors_name_the_sheet_and_its_rows(tmp_path):
    path = tmp_path / "设施.xlsx"
    header = ["编号", "等级", "建筑面积", "经度", "纬度"]
    _workbook(
        path,
        {"表1": [["设施一览"], header, ["F1", "养老服务站", 100, LON0, LAT0], [None, "合计", 100, None, None]]},
    )
    # the total row at sheet row 4 has no coordinates
    with pytest.raises(SitingInputError, match=r"设施.xlsx, sheet '表1', column '经度/纬度': missing.*\(rows: 4\)"):
        inputs.read_facilities(path)
    with pytest.raises(
        SitingInputError, match=r"no sheet '表2' in this workbook \(did you mean '表1'\?\); it has: 表1"
    ):
        inputs.read_facilities(path, sheet="表2")
    with pytest.raises(SitingInputError, match="drop layer; name the sheet"):
        inputs.read_facilities(path, layer="表1")
    csv = tmp_path / "设施.csv"
    csv.write_text("编号,等级,建筑面积,lon,lat\nF1,养老服务站,100,116.25,36.33\n", encoding="utf-8")
    with pytest.raises(SitingInputError, match="only spreadsheets"):
        inputs.read_facilities(csv, sheet="x")
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(SitingInputError, match=r"broken.xlsx: could not read the file.*Excel or WPS"):
        inputs.read_facilities(tmp_path / "broken.xlsx")
    _workbook(path, {"表1": [header, ["F1", "养老服务站", "一百", LON0, LAT0]]})
    with pytest.raises(SitingInputError, match=r"sheet '表1', column '建筑面积': values are not numbers \(rows: F1\)"):
        inputs.read_facilities(path)


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_point_areas_in_chinese_datums(tmp_path, datum):
    wgs_lon, wgs_lat = np.array([LON0, LON0 + 0.004, LON0 + 0.008]), np.array([LAT0, LAT0 + 0.002, LAT0])
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    if datum == "bd09":
        lon, lat = gcj02_to_bd09(lon, lat)
    path = tmp_path / "小区.csv"
    pd.DataFrame(
        {
            "小区名称": ["阳光小区", "幸福家园", "东苑"],
            "户数": [320, 0, 510],
            "经度": lon,
            "纬度": lat,
            "类型": ["已建"] * 3,
        }
    ).to_csv(path, index=False, encoding="utf-8-sig")
    areas = inputs.read_areas(path, crs=datum)
    assert areas.geom_type.tolist() == ["Point"] * 3
    assert areas["households"].tolist() == [320.0, 0.0, 510.0]  # one 小区 with no households yet is kept
    truth = gpd.GeoSeries(gpd.points_from_xy(wgs_lon, wgs_lat), crs=4326).to_crs(UTM50)
    # GCJ-02 is undone within a centimetre; BD-09's published inverse is approximate, within a metre
    assert areas.to_crs(UTM50).distance(truth, align=False).max() < (0.01 if datum == "gcj02" else 1.0)


def test_point_areas_without_households_are_not_estimated_from_buildings():
    frame = _areas_frame(总户数=[None, 200, 300])
    frame.loc[0, "geometry"] = shapely.Point(500_030.0, 4_000_030.0)
    bldg = gpd.GeoDataFrame({"floors": [6]}, geometry=[box(5, 5, 55, 55)], crs=UTM50)
    with pytest.raises(SitingInputError, match=r"households.*cannot be estimated.*rows: XQ00"):
        inputs.read_areas(frame, buildings=bldg)


def test_all_zero_households_is_an_error(tmp_path):
    with pytest.raises(SitingInputError, match=r"column '总户数': all 3 areas have 0 households"):
        inputs.read_areas(_areas_frame(总户数=[0, 0, 0]))
    assert inputs.read_areas(_areas_frame(总户数=[0, 5, 0]))["households"].tolist() == [0.0, 5.0, 0.0]


def test_candidates_name_the_area_they_belong_to():
    # a new development's 配套用房 listed as a candidate (配建小区编号): read as area_id, empty cells empty
    sites = gpd.GeoDataFrame(
        {"编号": ["C1", "C2"], "名称": ["御景华府配套用房", "空地"], "配建小区编号": ["XQ017", ""]},
        geometry=[shapely.Point(500_000, 4_000_000), shapely.Point(500_100, 4_000_000)],
        crs=UTM50,
    )
    cand = inputs.read_candidates(sites)
    assert cand["area_id"].iloc[0] == "XQ017" and pd.isna(cand["area_id"].iloc[1])
    assert "area_id" not in inputs.read_candidates(sites.drop(columns="配建小区编号")).columns
