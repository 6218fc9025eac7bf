"""Service areas (isochrones) that follow the streets: what can be walked to within 5/10/15 minutes.

A service area is the set of street stretches reachable from a facility within the time band,
cut exactly where the time runs out along each street, buffered by ``buffer_m`` metres on both sides
(the depth of the buildings that line a street). Unlike a convex hull or a circle it does not fill
across rivers, railways or blocks with no way through.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring

from siting.network import StreetNetwork
from siting.reachability import TOLERANCE_M, WalkSettings, _virtual_graph, walk_settings
from siting.snapping import Attachment, attach_points

DEFAULT_BUFFER_M = 50.0


def _reached_segments(
    network: StreetNetwork, node_dist: np.ndarray, reach_m: float, own: Attachment, owner: int
) -> list:
    """Street stretches within ``reach_m`` of one facility, as LineStrings."""
    edges = network.edges
    u = edges["u"].to_numpy()
    v = edges["v"].to_numpy()
    length = edges["length_m"].to_numpy()
    geoms = network.edge_tree.geometries
    from_u = np.clip(reach_m - node_dist[u], 0, None)
    from_v = np.clip(reach_m - node_dist[v], 0, None)
    whole = from_u + from_v >= length
    parts = list(geoms[whole])
    for i in np.flatnonzero(~whole & (from_u > 0)):
        parts.append(substring(geoms[i], 0.0, from_u[i]))
    for i in np.flatnonzero(~whole & (from_v > 0)):
        parts.append(substring(geoms[i], length[i] - from_v[i], length[i]))
    # along the facility's own street, and the short walk from the facility to it
    mine = own.owner == owner
    for edge, offset, gap, point in zip(
        own.edge[mine], own.offset_m[mine], own.gap_m[mine], own.points[mine], strict=True
    ):
        left = reach_m - gap
        if left <= 0:
            continue
        parts.append(substring(geoms[edge], max(0.0, offset - left), min(length[edge], offset + left)))
        foot = shapely.line_interpolate_point(geoms[edge], offset)
        if gap > 0:
            parts.append(shapely.LineString([point, foot]))
    return [p for p in parts if not p.is_empty]


def service_areas(
    network: StreetNetwork,
    facilities: gpd.GeoDataFrame,
    settings: WalkSettings | None = None,
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
    merged: bool = True,
    memory_mb: float = 64.0,
    **walk: Any,
) -> gpd.GeoDataFrame:
    """Street-following service areas of each facility for each walking-time band.

    Parameters
    ----------
    network : StreetNetwork
    facilities : GeoDataFrame
        Points with ``facility_id`` (any CRS).
    settings : WalkSettings, optional
        Walking speed, the bands drawn (minutes; each band's polygon contains the smaller ones) and
        the largest distance from a facility to a street (farther facilities get no service area);
        e.g. ``access.settings``. Without it, made from the keyword figures ``walk``.
    buffer_m : float
        Half-width of the area around each reached street, metres.
    merged : bool
        Also return, per band, the union of all facilities' areas (``facility_id`` = ``"all"``).
    memory_mb : float
        Budget for one chunk of facilities' distance rows, MB.
    **walk
        ``walk_speed_m_per_min``, ``bands_min``, ... of :class:`~siting.reachability.WalkSettings`.

    Returns
    -------
    GeoDataFrame
        ``facility_id``, ``minutes``, ``reach_m`` and polygon geometry, in the facilities' CRS.
    """
    settings = walk_settings(settings, **walk)
    speed = settings.walk_speed_m_per_min
    bands = settings.bands_min
    attached = attach_points(network, facilities, max_snap_m=settings.max_snap_m)
    no_origins = Attachment(
        np.array([], dtype=np.int64),
        np.array([], dtype=np.int64),
        np.array([]),
        np.array([]),
        np.array([], dtype=object),
        0,
        np.array([], dtype=np.int64),
    )
    matrix, n, _ = _virtual_graph(network, no_origins, attached)
    ids = facilities["facility_id"].to_numpy()
    sources = np.unique(attached.owner)
    records = []
    limit = bands[-1] * speed + TOLERANCE_M
    chunk = max(1, int(memory_mb * 1e6 // (8 * matrix.shape[0])))
    for start in range(0, len(sources), chunk):
        block = sources[start : start + chunk]
        dist = dijkstra(matrix, directed=True, indices=n + block, limit=limit)[:, :n]
        for row, owner in enumerate(block):
            for band in bands:
                reach = band * speed
                lines = _reached_segments(network, dist[row], reach, attached, owner)
                polygon = shapely.buffer(shapely.multilinestrings(lines), buffer_m, quad_segs=4)
                records.append((ids[owner], band, reach, polygon))
    frame = gpd.GeoDataFrame(
        pd.DataFrame(records, columns=["facility_id", "minutes", "reach_m", "geometry"]),
        geometry="geometry",
        crs=network.crs,
    )
    if merged and len(frame):
        union = frame.dissolve(by="minutes", as_index=False, aggfunc="first")
        union["facility_id"] = "all"
        frame = pd.concat([frame, union[["facility_id", "minutes", "reach_m", "geometry"]]], ignore_index=True)
    return frame.to_crs(facilities.crs)
