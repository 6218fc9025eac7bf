"""The coordinate system a layer needs: which of a Chinese planning office's usual CRSs puts it on the streets.

A layer without a CRS (a Shapefile without ``.prj``), or with a wrong one, lands far from the study's
street network. Its coordinates tell the kind of CRS: degrees are WGS84, GCJ-02 (Amap, Tencent) or
BD-09 (Baidu); metres are a Gauss-Krüger zone of CGCS2000, Xi'an 80 or Beijing 54, 3° or 6° wide,
with the zone number in front of the easting (39 500 000) or without it (500 000). Each candidate is
tried (:func:`candidates`), and the one that puts the layer's features nearest the streets is
proposed as the scenario line ``crs: "EPSG:4548"`` (:func:`propose_crs`). Metre coordinates never get a
geographic CRS, nor degrees a projected one.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from siting.network import StreetNetwork
from siting.projection import CHINESE_DATUMS, WGS84, bd09_to_wgs84, gcj02_to_wgs84

#: Gauss-Krüger families by datum: (name, zone width in degrees, EPSG of the first zone with the zone
#: prefix, its zone number, EPSG of the first zone without it). Zones run east in steps of one code;
#: the first central meridian is 75°E, the last 135°E. CGCS2000 (the national standard since 2008)
#: first, then Xi'an 80 and Beijing 54: of equally fitting datums, the first is proposed.
GAUSS_KRUGER = (
    ("CGCS2000", 3, 4513, 25, 4534),
    ("CGCS2000", 6, 4491, 13, 4502),
    ("Xi'an 80", 3, 2349, 25, 2370),
    ("Xi'an 80", 6, 2327, 13, 2338),
    ("Beijing 54", 3, 2401, 25, 2422),
    ("Beijing 54", 6, 21413, 13, 21453),
)
FIRST_MERIDIAN_DEG, LAST_MERIDIAN_DEG = 75, 135
#: Degree coordinates: plain WGS84 (GPS, OpenStreetMap, CGCS2000 lon/lat, which differ by centimetres),
#: then the Chinese map datums.
DEGREE_CANDIDATES = ("EPSG:4326", "gcj02", "bd09")
#: A CRS fits when the median feature lies within this distance of a street, metres (a 小区's inside
#: point is seldom more than a few hundred metres from one; a wrong zone puts it hundreds of kilometres away).
FIT_M = 2000.0
#: Fits within this much of the best count as equally good, metres (Xi'an 80 and Beijing 54 differ
#: from CGCS2000 by tens of metres); the first of them in :func:`candidates` order is proposed.
TIE_M = 30.0
#: Features sampled to test a CRS (evenly through the layer).
SAMPLE = 400


@dataclass(frozen=True)
class CrsFit:
    """How well one CRS puts a layer on the street network.

    Attributes
    ----------
    crs : str
        As a scenario writes it: ``EPSG:4548``, ``gcj02`` or ``bd09``.
    name : str
        The CRS's name (``CGCS2000 / 3-degree Gauss-Kruger CM 117E``).
    median_m : float
        Median distance of the layer's features to the nearest street, metres.
    """

    crs: str
    name: str
    median_m: float

    @property
    def line(self) -> str:
        """The scenario line that sets it."""
        return f'crs: "{self.crs}"' if self.crs.startswith("EPSG:") else f"crs: {self.crs}"


def is_degrees(xy: np.ndarray) -> bool:
    """Whether coordinates (n, 2) can be longitude/latitude in degrees."""
    return bool(len(xy)) and bool((np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all())


def candidates(xy: np.ndarray) -> list[str]:
    """The CRSs a planning office's coordinates ``xy`` (n, 2) may be in, most usual first.

    Degrees give :data:`DEGREE_CANDIDATES`. Metres with the zone in front of the easting (x ≥ 10⁷)
    give that zone of each 3° or 6° family it can belong to; metres without it give every central
    meridian of China (75°E to 135°E) of each family.
    """
    if is_degrees(xy):
        return list(DEGREE_CANDIDATES)
    zones = np.unique(np.floor(xy[:, 0] / 1e6).astype(int))
    codes: list[int] = []
    for _, width, prefixed, first_zone, plain in GAUSS_KRUGER:
        count = (LAST_MERIDIAN_DEG - FIRST_MERIDIAN_DEG) // width + 1
        if (xy[:, 0] >= 1e7).all():
            codes += [prefixed + z - first_zone for z in zones if first_zone <= z < first_zone + count]
        else:
            codes += [plain + k for k in range(count)]
    return [f"EPSG:{code}" for code in dict.fromkeys(codes)]


def _sample(geometries: np.ndarray) -> np.ndarray:
    """Coordinates (n, 2) of up to :data:`SAMPLE` features' inside points, evenly through the layer."""
    present = geometries[~(shapely.is_missing(geometries) | shapely.is_empty(geometries))]
    picked = present[np.unique(np.linspace(0, len(present) - 1, min(SAMPLE, len(present))).astype(int))]
    xy = shapely.get_coordinates(shapely.point_on_surface(picked)) if len(picked) else np.empty((0, 2))
    return xy[np.isfinite(xy).all(axis=1)]


def _lonlat(xy: np.ndarray, crs: str) -> np.ndarray:
    """Coordinates in ``crs`` as longitude/latitude on that CRS's own datum.

    The shift between datums (CGCS2000 and WGS84 agree to centimetres, Xi'an 80 and Beijing 54 differ
    by tens of metres) is left out: it never decides which zone fits, and a transformer across datums
    costs a search of PROJ's database, a fifth of a second for each of some hundred candidates.
    """
    datum = CHINESE_DATUMS.get(crs)
    if datum is not None:
        lon, lat = (gcj02_to_wgs84 if datum == "gcj02" else bd09_to_wgs84)(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])
    projected = CRS.from_user_input(crs)
    if projected.is_geographic:
        return xy
    lon, lat = Transformer.from_crs(projected, projected.geodetic_crs, always_xy=True).transform(
        xy[:, 0], xy[:, 1], errcheck=False
    )
    return np.column_stack([lon, lat])


def fits(geometries: gpd.GeoSeries | np.ndarray, network: StreetNetwork) -> list[CrsFit]:
    """Every candidate CRS of the geometries' coordinates (taken as they are, whatever CRS they claim)
    that puts their median feature within :data:`FIT_M` of a street, best first.

    Parameters
    ----------
    geometries : GeoSeries or array of shapely geometries
        The layer's geometries with the coordinates of its file.
    network : StreetNetwork
        The study's streets.

    Returns
    -------
    list of CrsFit
        The proposed CRS first: the first in :func:`candidates` order within :data:`TIE_M` of the best
        median; the others after it by median. Empty when none fits.
    """
    xy = _sample(np.asarray(geometries.values if isinstance(geometries, gpd.GeoSeries) else geometries))
    if not len(xy):
        return []
    found: list[CrsFit] = []
    to_network = Transformer.from_crs(WGS84, network.crs, always_xy=True)
    for crs in candidates(xy):
        lonlat = _lonlat(xy, crs)
        moved = np.column_stack(to_network.transform(lonlat[:, 0], lonlat[:, 1], errcheck=False))
        ok = np.isfinite(moved).all(axis=1)
        if not ok.any():
            continue
        _, gap = network.edge_tree.query_nearest(shapely.points(moved[ok]), return_distance=True, all_matches=False)
        median = float(np.median(np.r_[gap, np.full(int((~ok).sum()), np.inf)]))
        if median <= FIT_M:
            name = {"gcj02": "GCJ-02", "bd09": "BD-09"}.get(crs) or CRS.from_user_input(crs).name
            found.append(CrsFit(crs, name, median))
    if not found:
        return []
    best = min(f.median_m for f in found)
    chosen = next(f for f in found if f.median_m <= best + TIE_M)
    return [chosen, *sorted((f for f in found if f is not chosen), key=lambda f: f.median_m)]


def far_from(geometries: gpd.GeoSeries, network: StreetNetwork, far_m: float, *, near_share: float = 0.1) -> bool:
    """Whether a layer lies elsewhere: none of its features, or fewer than ``near_share`` of them, within
    ``far_m`` of the streets' hull (a wrong CRS moves them all; a list wider than the study area, to be
    clipped, is checked with ``near_share=0``: some of a city's facilities lie in the district)."""
    points = geometries.to_crs(network.crs).representative_point().to_numpy()
    near = shapely.distance(points, network.hull) <= far_m
    return bool(len(points)) and (not near.any() or near.mean() < near_share)
