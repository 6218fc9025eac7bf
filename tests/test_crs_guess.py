"""The CRS a layer needs: a 小区 Shapefile without .prj, or with a wrong crs: claim, gets the scenario line
that puts it on the streets (issue 22)."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from siting import crs_guess, inputs, network, reachability
from siting.errors import SitingInputError
from siting.pipeline import run_scenario
from siting.scenario import scenario_from_dict
from tests.conftest import UTM50, at, box, one_centre


@pytest.fixture
def streets(t_lines):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return network.from_lines(t_lines.iloc[:2])


def _areas(t_areas, crs):
    """The fixture's 小区 (near the streets, in UTM 50N) with their coordinates in ``crs``."""
    return t_areas.iloc[[0, 1, 3, 4]].to_crs(crs)


def test_candidates_follow_the_coordinates():
    degrees = np.array([[116.3, 39.9]])
    assert crs_guess.candidates(degrees) == ["EPSG:4326", "gcj02", "bd09"]
    plain = crs_guess.candidates(np.array([[440_000.0, 4_400_000.0]]))
    # every central meridian 75–135°E: 21 3° and 11 6° per datum, three datums
    assert len(plain) == 3 * (21 + 11) and plain[0] == "EPSG:4534" and "EPSG:4548" in plain
    prefixed = crs_guess.candidates(np.array([[39_440_000.0, 4_400_000.0]]))
    # zone 39 is a 3° zone (CM 117°E) of each datum; no 6° zone has that number
    assert prefixed == ["EPSG:4527", "EPSG:2363", "EPSG:2415"]
    assert all(CRS.from_user_input(c).is_projected for c in plain + prefixed)  # never degrees for metres


@pytest.mark.parametrize(("truth", "raw_crs"), [("EPSG:4548", "EPSG:4548"), ("EPSG:4527", "EPSG:4527")])
def test_a_layer_without_a_crs_is_put_on_the_streets(streets, t_areas, truth, raw_crs):
    geoms = _areas(t_areas, raw_crs).geometry.to_numpy()  # as a Shapefile without .prj holds them
    found = crs_guess.fits(geoms, streets)
    assert found[0].crs == truth
    assert found[0].line == f'crs: "{truth}"'
    # the fixture's areas lie 20–80 m from the streets: the median is theirs (to the metre, datums aside)
    direct = np.median(
        shapely.distance(
            t_areas.iloc[[0, 1, 3, 4]].geometry.representative_point().to_numpy(),
            shapely.union_all(streets.edges.geometry.to_numpy()),
        )
    )
    assert found[0].median_m == pytest.approx(direct, abs=1.0)
    assert all(not CRS.from_user_input(f.crs).is_geographic for f in found)


def test_degrees_from_amap_are_told_apart_from_wgs84(streets, t_areas):
    from siting.projection import wgs84_to_gcj02_gdf

    amap = wgs84_to_gcj02_gdf(_areas(t_areas, 4326))
    assert crs_guess.fits(amap.geometry.to_numpy(), streets)[0].crs == "gcj02"


def test_nothing_fits_far_away(streets, t_areas):
    geoms = shapely.transform(_areas(t_areas, "EPSG:4548").geometry.to_numpy(), lambda xy: xy + np.array([0, 900_000]))
    assert crs_guess.fits(geoms, streets) == []


# -- in a scenario --------------------------------------------------------------------------------------


def _scenario(tmp_path, t_lines, t_areas, areas_crs, residential=None):
    t_lines.iloc[:2].to_file(tmp_path / "道路.gpkg", layer="roads")
    xiaoqu = _areas(t_areas, areas_crs)
    xiaoqu.to_file(tmp_path / "小区.shp", encoding="utf-8")
    (tmp_path / "小区.prj").unlink()  # as a CAD export comes
    facilities = one_centre()
    facilities.to_file(tmp_path / "设施.gpkg")
    config = {
        "name": "坐标系",
        "network": {"path": "道路.gpkg"},
        "residential": {"path": "小区.shp", **(residential or {})},
        "facilities": {"path": "设施.gpkg"},
    }
    return scenario_from_dict(config, base_dir=tmp_path)


def test_a_scenario_proposes_the_crs_of_a_shapefile_without_prj(tmp_path, t_lines, t_areas):
    scenario = _scenario(tmp_path, t_lines, t_areas, "EPSG:4548")
    with pytest.raises(SitingInputError) as caught:
        run_scenario(scenario, progress=False)
    text = str(caught.value)
    assert "key 'residential.crs'" in text and "has no coordinate reference system" in text
    assert "CGCS2000 / 3-degree Gauss-Kruger CM 117E" in text
    assert 'write crs: "EPSG:4548" under residential:' in text
    # the line, and the number alone, work: the walks are those of the areas in their true place
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = network.from_lines(t_lines.iloc[:2])
        facility = gpd.read_file(tmp_path / "设施.gpkg")
        direct = reachability.assess_access(net, inputs.read_areas(_areas(t_areas, "EPSG:4548")), facility).areas
        for crs in ("EPSG:4548", 4548):
            result = run_scenario(_scenario(tmp_path, t_lines, t_areas, "EPSG:4548", {"crs": crs}), progress=False)
            assert result.areas.crs.to_epsg() == 4548
            np.testing.assert_allclose(result.areas["dist_m_network"], direct["dist_m_network"], atol=0.01)


def test_a_wrong_crs_claim_gets_the_same_proposal(tmp_path, t_lines, t_areas):
    # the planner guessed the neighbouring zone (114°E): the 小区 land 250 km west of the streets
    scenario = _scenario(tmp_path, t_lines, t_areas, "EPSG:4548", {"crs": "EPSG:4547"})
    with pytest.raises(SitingInputError) as caught:
        run_scenario(scenario, progress=False)
    text = str(caught.value)
    assert "the whole layer lies more than 5 km from the street network" in text and "EPSG:4547" in text
    assert 'write crs: "EPSG:4548" under residential:' in text


def test_an_unknown_crs_is_an_input_error(tmp_path):
    frame = gpd.GeoDataFrame({"households": [10.0]}, geometry=[box(0, 0, 10, 10)], crs=None)
    with pytest.raises(SitingInputError, match=r"unknown coordinate system 'EPSG:45480'.*crs: 4548"):
        inputs.read_areas(frame, crs="EPSG:45480")
    assert inputs.read_areas(frame, crs=4548).crs.to_epsg() == 4548


def test_a_city_wide_list_to_clip_is_not_taken_for_a_wrong_crs(streets):
    # one of twenty facilities in the study area, the rest 50 km away (a city's list against a district)
    points = [shapely.Point(at(100, 40))] + [shapely.Point(at(50_000 + 100 * k, 0)) for k in range(19)]
    layer = gpd.GeoSeries(points, crs=UTM50)
    assert crs_guess.far_from(layer, streets, 5000.0)  # without clip: 5% near is a layer elsewhere
    assert not crs_guess.far_from(layer, streets, 5000.0, near_share=0.0)  # with clip: some are near
    assert crs_guess.far_from(layer.iloc[1:], streets, 5000.0, near_share=0.0)  # none near
