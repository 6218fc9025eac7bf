"""Coordinate systems: the metric CRS for analysis, WGS84 for maps, and China's GCJ-02 / BD-09.

Metric work (snapping, distances, buffers) happens in the local UTM zone picked for the data;
maps are drawn in WGS84. Points from Amap/Tencent (GCJ-02) or Baidu (BD-09) are converted to WGS84
with ``prcoords`` (the precise, iterative inverse), never by a rough offset.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import prcoords
import shapely
from pyproj import CRS

WGS84 = CRS.from_epsg(4326)

#: Names a user may give for a coordinate system that is not a real CRS (GCJ-02, BD-09).
CHINESE_DATUMS = {
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj": "gcj02",
    "amap": "gcj02",
    "火星坐标": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "baidu": "bd09",
    "百度坐标": "bd09",
}


def utm_crs_for(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> CRS:
    """The UTM zone CRS (WGS84 datum) that contains the centre of the data.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data with a CRS set (geographic or projected).

    Returns
    -------
    pyproj.CRS
        A projected CRS with metres as unit.
    """
    return utm_crs_for_xy(shapely.get_coordinates(gdf.geometry.values), gdf.crs)


def utm_crs_for_xy(xy: np.ndarray, crs: CRS | str | int) -> CRS:
    """The UTM zone CRS that contains the centre of points ``xy`` (shape (k, 2), in ``crs``)."""
    from pyproj import Transformer

    lon, lat = xy[:, 0], xy[:, 1]
    if not CRS.from_user_input(crs).equals(WGS84):
        lon, lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(lon, lat)
    return utm_crs_at((np.min(lon) + np.max(lon)) / 2, (np.min(lat) + np.max(lat)) / 2)


def utm_crs_at(lon: float, lat: float) -> CRS:
    """The UTM zone CRS (EPSG:326xx north, 327xx south) at a WGS84 longitude/latitude in degrees."""
    zone = int(np.floor((lon + 180) / 6) % 60) + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def to_metric(gdf: gpd.GeoDataFrame, crs: CRS | None = None) -> gpd.GeoDataFrame:
    """Project to ``crs`` (default: the UTM zone of the data) unless already in it."""
    target = crs or (gdf.crs if gdf.crs is not None and gdf.crs.is_projected else utm_crs_for(gdf))
    return gdf if gdf.crs == target else gdf.to_crs(target)


def _apply_lonlat(
    func: Callable[[tuple[float, float]], tuple[float, float]], lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.array([func((la, lo)) for lo, la in zip(lon.ravel(), lat.ravel(), strict=True)], dtype=float).reshape(
        -1, 2
    )
    return out[:, 1].reshape(lon.shape), out[:, 0].reshape(lat.shape)


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 (Amap, Tencent) longitude/latitude in degrees to WGS84, precise to ~1e-8 degrees."""
    return _apply_lonlat(lambda c: prcoords.gcj_wgs_bored(c, False), lon, lat)


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude in degrees to GCJ-02 (what Amap tiles are drawn in)."""
    return _apply_lonlat(lambda c: prcoords.wgs_gcj(c, False), lon, lat)


def bd09_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 (Baidu) longitude/latitude in degrees to WGS84."""
    return _apply_lonlat(lambda c: prcoords.bd_wgs_bored(c, False), lon, lat)


_TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}


def transform_geometries(
    geoms: gpd.GeoSeries | np.ndarray, func: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
) -> np.ndarray:
    """Apply a lon/lat transform to every vertex of shapely geometries (vectorised over vertices)."""
    values = np.asarray(geoms.values if isinstance(geoms, gpd.GeoSeries) else geoms)

    def _vertices(coords: np.ndarray) -> np.ndarray:
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(values, _vertices)


def chinese_datum_to_wgs84(gdf: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    """A copy of ``gdf`` whose lon/lat coordinates, given in GCJ-02 or BD-09, are moved to WGS84.

    Parameters
    ----------
    gdf : GeoDataFrame
        Geometries holding GCJ-02 or BD-09 longitude/latitude in degrees (CRS set to EPSG:4326 or unset).
    datum : str
        ``"gcj02"`` or ``"bd09"`` (aliases in :data:`CHINESE_DATUMS`).
    """
    key = CHINESE_DATUMS[datum.lower()]
    out = gdf.copy()
    out.geometry = transform_geometries(gdf.geometry, _TO_WGS84[key])
    return out.set_crs(WGS84, allow_override=True)


def wgs84_to_gcj02_gdf(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of ``gdf`` (any CRS) in WGS84 and then shifted to GCJ-02, to overlay Amap tiles."""
    out = gdf.to_crs(WGS84)
    out.geometry = transform_geometries(out.geometry, wgs84_to_gcj02)
    return out
