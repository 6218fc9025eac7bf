"""Files shaped like a planning office's: headers the tool should read or propose, and its own outputs
read back as inputs (issue 22)."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from siting import inputs
from siting.errors import SitingInputError
from tests.conftest import UTM50, box


def _xlsx(path, rows):
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


LON0, LAT0 = 116.40, 39.90


def _xiaoqu_rows(households_header):
    return [
        ["小区名称", households_header, "经度", "纬度"],
        ["幸福里", 320, LON0, LAT0],
        ["建设小区", 180, LON0 + 0.002, LAT0 + 0.001],
    ]


@pytest.mark.parametrize("header", ["户数(户)", "户数（户）", "居民户数", "总户数"])
def test_households_headers_of_planners_and_of_the_tool_are_read(tmp_path, header):
    areas = inputs.read_areas(_xlsx(tmp_path / "小区.xlsx", _xiaoqu_rows(header)))
    assert areas["households"].tolist() == [320.0, 180.0]
    assert areas["households_source"].tolist() == ["input", "input"]


def test_a_households_column_the_tool_does_not_guess_is_proposed(tmp_path):
    path = _xlsx(tmp_path / "小区.xlsx", _xiaoqu_rows("套数"))
    with pytest.raises(SitingInputError) as caught:
        inputs.read_areas(path)
    text = str(caught.value)
    assert "columns are: 小区名称, 套数" in text  # the file's own headers (经度/纬度 became the points)
    assert "likeliest is '套数'" in text
    assert "residential: {columns: {households: 套数}}" in text
    # the line it shows works
    areas = inputs.read_areas(path, columns={"households": "套数"})
    assert areas["households"].sum() == 500.0


def test_a_wrong_mapping_proposes_the_likeliest_column(tmp_path):
    path = _xlsx(tmp_path / "小区.xlsx", _xiaoqu_rows("户数(户)"))
    with pytest.raises(SitingInputError) as caught:
        inputs.read_areas(path, columns={"households": "户数"})
    text = str(caught.value)
    assert "column '户数' (mapped to households) is not in the layer" in text
    assert "likeliest is '户数(户)'" in text
    assert 'residential: {columns: {households: "户数(户)"}}' not in text  # brackets need no quotes in YAML
    assert "residential: {columns: {households: 户数(户)}}" in text


def test_facilities_without_a_level_column_are_told_which_to_name(tmp_path):
    path = _xlsx(
        tmp_path / "设施.xlsx",
        [["设施名称", "设施类别", "建筑面积", "经度", "纬度"], ["东城站", "养老服务站", 200, LON0, LAT0]],
    )
    with pytest.raises(SitingInputError) as caught:
        inputs.read_facilities(path)
    text = str(caught.value)
    assert "required column 'level' is missing" in text and "columns are: name, 设施类别, floor_area_m2" not in text
    assert "columns are: 设施名称, 设施类别, 建筑面积" in text
    assert "facilities: {columns: {level: 设施类别}}" in text


def test_nothing_like_the_column_says_so(tmp_path):
    path = _xlsx(tmp_path / "小区.xlsx", [["小区名称", "备注", "经度", "纬度"], ["幸福里", "无", LON0, LAT0]])
    with pytest.raises(SitingInputError, match=r"no column looks like households.*<列名/column>"):
        inputs.read_areas(path)


def test_column_hint_quotes_what_yaml_would_misread():
    frame = pd.DataFrame(columns=["户数: 合计", "名称"])
    text = str(inputs.column_hint(frame, "households", ("户数",), "residential"))
    assert 'residential: {columns: {households: "户数: 合计"}}' in text


# -- the tool's own outputs read back as inputs ------------------------------------------------------------


def test_written_areas_and_facilities_are_read_back_as_inputs(tmp_path, t_network, t_areas, t_facilities):
    from siting.plan import Study
    from siting.report import write_csv, write_gpkg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = Study.create(t_network, inputs.read_areas(t_areas), inputs.read_facilities(t_facilities)).check()
    write_gpkg(result.areas, tmp_path / "areas.gpkg", "areas")
    write_csv(result.areas, tmp_path / "areas.csv")
    write_gpkg(result.facilities, tmp_path / "facilities.gpkg", "facilities")
    expected = t_areas.set_index("area_id")["households"]
    for path in (tmp_path / "areas.gpkg", tmp_path / "areas.csv"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            again = inputs.read_areas(path)
        assert again["area_id"].tolist() == expected.index.tolist()
        assert again["households"].tolist() == expected.tolist()
        assert (again["households_source"] == "input").all() and (again["status"] == "existing").all()
    # the CSV gives each area as a point inside it (lon/lat in WGS84)
    points = inputs.read_areas(tmp_path / "areas.csv").to_crs(UTM50)
    assert shapely.contains(t_areas.geometry.to_numpy(), points.geometry.to_numpy()).all()
    facilities = inputs.read_facilities(tmp_path / "facilities.gpkg")
    assert facilities["facility_id"].tolist() == ["F1", "F2"]
    assert facilities["level"].tolist() == ["community", "station"]
    assert facilities["floor_area_m2"].tolist() == [400.0, 150.0]
    np.testing.assert_allclose(
        shapely.get_coordinates(facilities.geometry.to_numpy()),
        shapely.get_coordinates(t_facilities.geometry.to_numpy()),
    )


# -- did you mean ----------------------------------------------------------------------------------------


def test_a_misspelt_file_layer_or_sheet_gets_a_did_you_mean(tmp_path):
    from siting import network

    book = _xlsx(tmp_path / "养老设施.xlsx", _xiaoqu_rows("户数"))
    with pytest.raises(SitingInputError, match=r"file not found.*did you mean '养老设施\.xlsx'"):
        inputs.read_facilities(tmp_path / "养老设施.xslx")
    with pytest.raises(SitingInputError, match=r"did you mean '养老设施\.xlsx'"):
        inputs.read_facilities(tmp_path / "养老设 施.xlsx")
    with pytest.raises(SitingInputError, match=r"file not found\. Fix: check the path"):
        inputs.read_facilities(tmp_path / "道路.shp")  # nothing alike
    with pytest.raises(SitingInputError, match=r"no sheet 'Sheet1' in this workbook \(did you mean 'Sheet'\?\)"):
        inputs.read_areas(book, sheet="Sheet1")
    frame = gpd.GeoDataFrame({"households": [1.0]}, geometry=[box(0, 0, 10, 10)], crs=UTM50)
    frame.to_file(tmp_path / "xiaoqu.gpkg", layer="xiaoqu")
    frame.to_file(tmp_path / "xiaoqu.gpkg", layer="entrances")
    with pytest.raises(SitingInputError, match=r"no layer 'xiaoqo' in this file \(did you mean 'xiaoqu'\?\)"):
        inputs.read_areas(tmp_path / "xiaoqu.gpkg", layer="xiaoqo")
    with pytest.raises(SitingInputError, match=r"did you mean 'xiaoqu\.gpkg'"):
        network.from_file(tmp_path / "xiaoqu.gpkq")


def test_coordinate_columns_the_tool_does_not_know_are_proposed(tmp_path):
    path = _xlsx(
        tmp_path / "设施.xlsx", [["设施名称", "等级", "建筑面积", "X坐标", "Y坐标"], ["东城站", "站", 200, LON0, LAT0]]
    )
    with pytest.raises(SitingInputError) as caught:
        inputs.read_facilities(path)
    assert "write facilities: {lon: X坐标, lat: Y坐标} in the scenario file" in str(caught.value)
    assert len(inputs.read_facilities(path, lon="X坐标", lat="Y坐标")) == 1
    # a unit in brackets does not hide a known header
    bracketed = _xlsx(
        tmp_path / "b.xlsx", [["名称", "等级", "建筑面积", "经度(°)", "纬度(°)"], ["站", "站", 1, LON0, LAT0]]
    )
    assert inputs.read_facilities(bracketed).geometry.x.tolist() == [LON0]
