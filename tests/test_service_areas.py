"""Street-following service areas on the hand-built T network (F1 stands 40 m north of y=0 at x=100)."""

from __future__ import annotations

import warnings

import pytest
import shapely

from siting.service_areas import service_areas
from tests.conftest import UTM50, X0, Y0, at


@pytest.fixture
def areas(t_network, t_facilities):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return service_areas(t_network, t_facilities, walk_speed_m_per_min=60, bands_min=(5, 15), buffer_m=50)


def _line(*points):
    return shapely.LineString([at(x, y) for x, y in points])


# Reached by hand. 5 min = 300 m: 40 m to the street, then 260 m either way along y=0 (x from 0, the
# street's end, to 360). 15 min = 900 m: node (500,0) is 440 m away; 460 m more east (to x=960) and
# north (to y=460).
REACHED = {
    5: [_line((100, 40), (100, 0)), _line((0, 0), (360, 0))],
    15: [_line((100, 40), (100, 0)), _line((0, 0), (960, 0)), _line((500, 0), (500, 460))],
}


def test_rows_and_crs(areas):
    assert areas[["facility_id", "minutes"]].values.tolist() == [["F1", 5.0], ["F1", 15.0], ["all", 5.0], ["all", 15.0]]
    assert areas.crs == UTM50  # the facilities' CRS; F2 (350 m from any street) has none


@pytest.mark.parametrize("minutes", [5, 15])
def test_contains_reached_streets_and_nothing_beyond(areas, minutes):
    poly = areas[(areas.facility_id == "F1") & (areas.minutes == minutes)].geometry.iloc[0]
    reached = shapely.union_all(REACHED[minutes])
    assert poly.buffer(1e-6).contains(reached)
    assert shapely.buffer(reached, 50 + 1e-6).contains(poly)
    # and it is that buffer, up to the polygonal approximation of round caps
    assert poly.area == pytest.approx(shapely.buffer(reached, 50, quad_segs=4).area, rel=1e-6)


def test_extent_by_hand(areas):
    poly = areas[(areas.facility_id == "F1") & (areas.minutes == 15)].geometry.iloc[0]
    xmin, ymin, xmax, ymax = poly.bounds
    assert (xmin - X0, ymin - Y0, xmax - X0, ymax - Y0) == pytest.approx((-50, -50, 1010, 510))
    assert not poly.intersects(shapely.Point(at(100, 2000)))  # the far piece is not reachable
