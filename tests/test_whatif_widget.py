"""The live what-if map driven through its Python methods: simulated clicks edit the session and update the panel."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import pytest
from conftest import DEMO

from siting import Study
from siting.labels import language
from siting.maps import FLOOR_AREA_COLORS, WALK_COLORS
from siting.projection import WGS84

pytest.importorskip("ipyleaflet")
from siting.widgets import WhatIfMap  # after the skip: ipyleaflet is an optional extra


@pytest.fixture(scope="module")
def study():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Study.from_scenario(DEMO / "scenarios" / "baseline.yml")


@pytest.fixture
def live(study):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return WhatIfMap(study, language="en")


def street_point(study, where: str) -> tuple[float, float]:
    """Longitude and latitude of the street point nearest the area ``where`` (on the street itself)."""
    area = study.areas[study.areas["area_id"] == where].to_crs(study.network.crs).geometry.iloc[0]
    edges = study.network.edges.geometry
    street = edges.iloc[int(edges.distance(area.centroid).to_numpy().argmin())]
    point = gpd.GeoSeries([street.interpolate(street.project(area.centroid))], crs=study.network.crs)
    out = point.to_crs(WGS84).iloc[0]
    return out.x, out.y


def panel_figure(panel: str, label: str) -> tuple[str, str]:
    """The start and now cells of the panel's row ``label``."""
    row = re.search(re.escape(label) + r"</td><td>([^<]*)</td><td>→</td><td[^>]*>([^<]*)</td>", panel)
    assert row, f"no row {label!r} in the panel"
    return row.group(1), row.group(2)


def area_colours(live) -> list[str]:
    return [f["properties"]["style"]["fillColor"] for f in live._areas_layer.data["features"]]


def test_a_click_on_a_street_adds_a_centre_and_updates_the_panel(study, live):
    outside = live.session.verdicts.query("~within_walk").sort_values("households").iloc[-1]
    before = live.panel.value
    assert panel_figure(before, "Share within walking circle (households)") == ("59.4%", "59.4%")
    greens = area_colours(live).count(WALK_COLORS["within"])
    assert greens == int(live.session.verdicts["within_walk"].sum()) == 56
    lon, lat = street_point(study, outside["area_id"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        live.click(lon, lat)
    assert live.session.steps == 1 and live.selected == "N1"
    assert "Added N1 (400 m²)" in live.status.value
    now = live.session.summary["share_within_walk"]
    assert now > live.session.start_summary["share_within_walk"]
    assert panel_figure(live.panel.value, "Share within walking circle (households)") == ("59.4%", f"{100 * now:.1f}%")
    assert area_colours(live).count(WALK_COLORS["within"]) == int(live.session.verdicts["within_walk"].sum()) > greens
    # the new centre is drawn, selected (black ring), in the what-if colour
    drawn = {f["properties"]["id"]: f["properties"]["style"] for f in live._facilities_layer.data["features"]}
    assert drawn["N1"]["color"] == "#000000" and len(drawn) == len(study.facilities) + 1


def test_clicks_on_a_centre_enlarge_shrink_close_and_undo(study, live):
    facility = study.facilities.iloc[3]
    point = gpd.GeoSeries([facility.geometry], crs=study.facilities.crs).to_crs(WGS84).iloc[0]
    size = float(facility["floor_area_m2"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        live.click(point.x + 1e-5, point.y)  # a metre off: within the click tolerance of the marker
        assert live.selected == facility["facility_id"] and live.session.steps == 0
        live.step.value = 150
        live.enlarge()
        assert (
            live.session.facilities.set_index("facility_id").at[facility["facility_id"], "floor_area_m2"] == size + 150
        )
        live.shrink()
        live.shrink()
        assert (
            live.session.facilities.set_index("facility_id").at[facility["facility_id"], "floor_area_m2"] == size - 150
        )
        live.close()
        assert facility["facility_id"] not in set(live.session.facilities["facility_id"])
        assert live.session.steps == 4 and live.selected is None
        assert f"Closed {facility['facility_id']}" in live.status.value
        live.undo()
    assert facility["facility_id"] in set(live.session.facilities["facility_id"])
    assert "edits left: 3" in live.status.value and "edits: 3" in live.panel.value


def test_colour_toggle_export_and_refusals(study, live, tmp_path):
    live.colour_by.value = "floor_area"
    ok = live.session.verdicts["floor_area_ok"]
    assert area_colours(live).count(FLOOR_AREA_COLORS["ok"]) == int(ok.fillna(False).sum()) == 32
    live.shrink()  # nothing selected yet
    assert "Click a centre first" in live.status.value and live.session.steps == 0
    live.click(live.map.center[1] + 0.05, live.map.center[0])  # 4 km east of the town: no street
    assert "Click on a street" in live.status.value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = live.export(tmp_path / "what_if")
    assert path is not None and path.exists() and "Scenario written" in live.status.value


def test_the_map_reads_chinese_by_default(study):
    with language("zh"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        live = WhatIfMap(study)
    assert "推演：现状 → 调整后" in live.panel.value and "15分钟养老服务圈覆盖率(按户)" in live.panel.value
    assert live.buttons["undo"].description == "撤销" and live.buttons["export"].description == "导出为方案"
    assert "达标" in live.panel.value
    assert live.map.layers and all(type(layer).__name__ != "TileLayer" for layer in live.map.layers)  # offline


def test_hovering_a_xiaoqu_says_its_verdicts(study, live):
    verdicts = live.session.verdicts.set_index("area_id")
    short = verdicts[verdicts["floor_area_ok"].eq(False).fillna(False).to_numpy(bool)].index[0]
    text = live.describe(short)
    assert f"{verdicts.at[short, 'households']:,.0f} Households" in text
    assert "shortfall" in text.lower() and f"{verdicts.at[short, 'shortfall_m2']:,.0f}" in text
    assert live.hover.value.count("·") == 3
