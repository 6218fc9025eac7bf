"""Attach points and residential polygons to the street network at the nearest street edge.

A feature is attached through one or more *access points*. Each access point is projected onto its
nearest street edge (not just the nearest node), so a walk starts where the street actually is: at
``offset_m`` metres along the edge from its ``u`` end, after walking ``gap_m`` metres straight from
the point to the street. Features farther than ``max_snap_m`` from every street are not attached and
are reported in :attr:`Attachment.unattached`, never silently moved.

Residential areas are reached through, in this order:

1. their entrances (gates), when the data has them;
2. a 小区 given as a point (not a polygon): the point itself, as a facility is;
3. otherwise the points of their boundary that face a street: the boundary is sampled every
   ``spacing_m`` metres and the samples within ``facing_m`` metres of the nearest boundary-to-street
   gap are kept (at most ``max_access_points``, spread along the boundary). A resident can leave a
   小区 on any side that faces a street, and a block's gates are on those sides.

An area with no access point within ``max_snap_m`` of a street is reported as unattached.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from siting import defaults
from siting.errors import SitingInputError
from siting.labels import msg
from siting.network import StreetNetwork

#: Edges whose distances to a point differ by at most this are equally near, metres: the tie goes to the
#: lowest edge index (the slack of coordinate transformations is ~1e-9 m).
TIE_M = 1e-6
#: Boxes this much wider than a feature find its nearest street directly when one lies within it, metres
#: (most features lie within a few metres of a street); the others take the nearest-neighbour search.
NEAR_BOX_M = 40.0
#: Query geometries made at a time, fewer than Python's first garbage-collection threshold (700): freed
#: before a collection can keep them, they never trigger a full collection, which walks every street
#: geometry (a quarter million boundary samples' queries made at once cost a full pass over a city's
#: 1.8 M edges, 0.15-0.3 s).
_QUERY_CHUNK = 512


@dataclass(frozen=True)
class Attachment:
    """Access points of a set of features, each on a street edge.

    Attributes
    ----------
    owner : numpy.ndarray
        Position (0..n_owners-1) of the feature each access point belongs to.
    edge : numpy.ndarray
        Row of ``network.edges`` the access point is on.
    offset_m : numpy.ndarray
        Distance along the edge from its ``u`` node to the projected point, metres.
    gap_m : numpy.ndarray
        Straight-line distance from the access point to the street, metres.
    points : numpy.ndarray
        The access points (shapely Points, network CRS).
    n_owners : int
        Number of features.
    unattached : numpy.ndarray
        Positions of features with no street within the snapping distance.
    """

    owner: np.ndarray
    edge: np.ndarray
    offset_m: np.ndarray
    gap_m: np.ndarray
    points: np.ndarray
    n_owners: int
    unattached: np.ndarray


def in_network_crs(network: StreetNetwork, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` in the network's metric CRS, projected only when it is not already."""
    return frame if frame.crs == network.crs else frame.to_crs(network.crs)


def _nearest_within(
    network: StreetNetwork, points: np.ndarray, limit_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest edge of each point among the edges within its own ``limit_m`` (ties as :func:`_nearest_per_point`);
    (point, edge, distance in metres) sorted by point.

    Most features lie within a few metres of a street, where :func:`_box_pairs` finds every edge
    near enough to be the nearest or tie with it. The other points take the index's nearest-neighbour
    search, which finds each point's least distance without measuring every edge nearby (a point
    keeps it only within its own limit); the edges within :data:`TIE_M` of it are then gathered, so
    that a tie is decided the same way however the point's coordinates were rounded on their way here.
    """
    if len(points) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    limit_m = np.asarray(limit_m)
    tree = network.edge_tree
    reach = float(np.max(limit_m))
    hit, edge, dist = _box_pairs(network, points, min(NEAR_BOX_M, reach))
    best = np.full(len(points), np.inf)
    np.minimum.at(best, hit, dist)
    # every edge within TIE_M of the least distance meets the widened box: the nearest is among them
    settled = best + 2 * TIE_M <= min(NEAR_BOX_M, reach)
    mine = (settled & (best <= limit_m))[hit]
    rest = np.flatnonzero(~settled)
    # unbounded: a bounded search measures every edge within the bound, the unbounded one prunes
    (far, _), far_dist = tree.query_nearest(points[rest], return_distance=True, all_matches=False)
    near = far_dist <= limit_m[rest[far]]
    far, far_dist = rest[far[near]], far_dist[near]
    found, far_edge = tree.query(points[far], predicate="dwithin", distance=far_dist + TIE_M)
    far = far[found]
    return _nearest_per_point(
        np.r_[hit[mine], far],
        np.r_[edge[mine], far_edge],
        np.r_[dist[mine], shapely.distance(points[far], tree.geometries[far_edge])],
    )


def _box_pairs(
    network: StreetNetwork, geoms: np.ndarray, reach_m: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(geometry, edge, distance) of every edge whose box meets a geometry's box widened by ``reach_m``.

    Every edge within ``reach_m`` (metres; one value, or one per geometry) of a geometry is among them.
    The index query compares boxes only (no distance measured twice, as a ``dwithin`` query would),
    so for features a few metres from their streets this is the cheapest way to their nearest edges.
    """
    tree = network.edge_tree
    low_x, low_y, high_x, high_y = shapely.bounds(geoms).T
    # Without a predicate the query compares envelopes only, and the diagonal of the widened box has
    # that box as its envelope: it is made in two thirds of the time of the box. Empty geometries (no
    # bounds) query nothing.
    corners = np.stack([np.c_[low_x - reach_m, low_y - reach_m], np.c_[high_x + reach_m, high_y + reach_m]], axis=1)
    bounded = np.flatnonzero(np.isfinite(corners).all(axis=(1, 2)))
    found = [(np.zeros(0, np.int64), np.zeros(0, np.int64))]
    for start in range(0, len(bounded), _QUERY_CHUNK):
        which = bounded[start : start + _QUERY_CHUNK]
        hit, edge = tree.query(shapely.linestrings(corners[which]))
        found.append((which[hit], edge))
    hit, edge = np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])
    return hit, edge, shapely.distance(geoms[hit], tree.geometries[edge])


def _nearest_per_point(
    hit: np.ndarray, edge: np.ndarray, dist: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of (point, edge, distance) matches, each point's nearest edge: of the edges within :data:`TIE_M` of
    the least distance, the lowest edge index; (point, edge, distance) sorted by point.

    A point on a street node is at distance 0 from every street meeting there, and a coordinate
    transformation moves it by ~1e-9 m: without the tolerance the same place would be attached to one
    street as a candidate site and to another as the facility planned on it.
    """
    if len(hit) == 0:
        return hit.astype(np.int64), edge.astype(np.int64), dist.astype(float)
    best = np.full(int(hit.max()) + 1, np.inf)
    np.minimum.at(best, hit, dist)
    tied = dist <= best[hit] + TIE_M
    hit, edge, dist = hit[tied], edge[tied], dist[tied]
    order = np.lexsort((edge, hit))
    hit, edge, dist = hit[order], edge[order], dist[order]
    first = np.ones(len(hit), dtype=bool)
    first[1:] = hit[1:] != hit[:-1]
    return hit[first], edge[first], dist[first]


def _nearest_on_rings(
    network: StreetNetwork, samples: np.ndarray, limit_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_nearest_within` for boundary samples, each with its own limit (negative: not searched),
    with each attached sample's distance to its edge, metres.

    The limits are tight (a few tens of metres beyond the ring's own gap), so the edges whose boxes
    meet each sample's box widened by its limit are few, and every edge within the limit is among
    them; the nearest-neighbour search of :func:`_nearest_within`, which must first find each point's
    least distance, is not needed. The boxes' slack only widens the search: the kept edges are those
    whose measured distance is within the limit, as in :func:`_nearest_within`.
    """
    searched = np.flatnonzero(limit_m >= 0)
    hit, edge, dist = _box_pairs(network, samples[searched], limit_m[searched] + TIE_M)
    hit = searched[hit]
    near = dist <= limit_m[hit]
    return _nearest_per_point(hit[near], edge[near], dist[near])


def _project(
    network: StreetNetwork,
    points: np.ndarray,
    owner: np.ndarray,
    n_owners: int,
    max_snap_m: float | np.ndarray,
    nearest: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Attachment:
    """Nearest edge of each point within ``max_snap_m`` (one value, or one per point); farther points are dropped.

    `nearest` gives the (point, edge, distance) triples already found (the access points kept of the
    boundary samples).
    """
    if len(points) == 0:
        empty = np.array([], dtype=np.int64)
        return Attachment(
            empty, empty, np.array([]), np.array([]), np.array([], dtype=object), n_owners, np.arange(n_owners)
        )
    hit, edge_idx, gap = nearest or _nearest_within(network, points, np.broadcast_to(max_snap_m, len(points)))
    kept_points = points[hit]
    offset = shapely.line_locate_point(network.edge_tree.geometries[edge_idx], kept_points)
    kept_owner = owner[hit]
    unattached = np.setdiff1d(np.arange(n_owners), kept_owner)
    return Attachment(
        kept_owner.astype(np.int64), edge_idx.astype(np.int64), offset, gap, kept_points, n_owners, unattached
    )


def attach_points(
    network: StreetNetwork, points: gpd.GeoSeries | gpd.GeoDataFrame, max_snap_m: float = defaults.MAX_SNAP_M
) -> Attachment:
    """Attach point features (facilities, candidates) to their nearest street edge.

    Parameters
    ----------
    network : StreetNetwork
    points : GeoSeries or GeoDataFrame
        Points in any CRS (projected to ``network.crs`` here).
    max_snap_m : float
        Largest straight-line distance from a point to a street, metres.
    """
    geoms = in_network_crs(network, points).geometry.to_numpy()
    return _project(network, geoms, np.arange(len(geoms)), len(geoms), max_snap_m)


def attach_areas(
    network: StreetNetwork,
    areas: gpd.GeoDataFrame,
    *,
    entrances: gpd.GeoDataFrame | None = None,
    max_snap_m: float = defaults.MAX_SNAP_M,
    spacing_m: float = defaults.BOUNDARY_SAMPLE_M,
    facing_m: float = defaults.FACING_M,
    max_access_points: int = defaults.MAX_ACCESS_POINTS,
) -> Attachment:
    """Attach residential areas through their entrances, their point, or street-facing boundary points.

    Parameters
    ----------
    network : StreetNetwork
    areas : GeoDataFrame
        Polygons or points with ``area_id``, any CRS.
    entrances : GeoDataFrame, optional
        Gate points with ``area_id``; areas that have any are reached only through them.
    max_snap_m : float
        Largest distance from an access point to a street, metres.
    spacing_m : float
        Spacing of boundary samples, metres.
    facing_m : float
        A boundary sample faces a street when its gap to the street is at most this much more than
        the area's smallest gap, metres.
    max_access_points : int
        Most access points kept per area (evenly spread among the facing samples).
    """
    polys = in_network_crs(network, areas).geometry.to_numpy()
    n = len(polys)
    owner_of_gate = np.array([], dtype=np.int64)
    gate_points = np.array([], dtype=object)
    if entrances is not None and len(entrances):
        position = {aid: i for i, aid in enumerate(areas["area_id"].astype(str))}
        known = entrances["area_id"].astype(str).map(position)
        if known.isna().any():
            raise SitingInputError(
                msg("entrances_unknown_areas"),
                source=msg("where_layer_of", what=msg("what_entrances")),
                column="area_id",
                rows=sorted(set(entrances.loc[known.isna(), "area_id"])),
                fix=msg("entrances_unknown_areas_fix"),
            )
        gates = in_network_crs(network, entrances[known.notna()])
        owner_of_gate = known[known.notna()].to_numpy(dtype=np.int64)
        gate_points = gates.geometry.to_numpy()
    has_gate = np.zeros(n, dtype=bool)
    has_gate[owner_of_gate] = True

    # an area given as a point is its own access point
    is_point = shapely.get_type_id(polys) == shapely.GeometryType.POINT
    located = np.flatnonzero(~has_gate & is_point)
    points = _project(network, polys[located], located, n, max_snap_m)

    # boundary samples of the other areas, vectorised over all rings at once
    rest = np.flatnonzero(~has_gate & ~is_point)
    # one ring per part: a MultiPolygon's (or a courtyard's) rings are sampled each on its own
    rings, ring_owner = shapely.get_parts(shapely.boundary(polys[rest]), return_index=True)
    lengths = shapely.length(rings)
    # a reprojected 240 m ring measures 240.0000000013 m: without the slack it would get a 13th sample and
    # the same area would walk differently in another CRS
    counts = np.maximum(4, np.ceil(lengths / spacing_m - 1e-6).astype(np.int64))
    sample_owner = np.repeat(rest[ring_owner], counts)
    ring_of_sample = np.repeat(np.arange(len(rings)), counts)
    start = np.repeat(np.cumsum(counts) - counts, counts)
    fraction = (np.arange(counts.sum()) - start) / np.repeat(counts, counts)
    samples = shapely.line_interpolate_point(rings[ring_of_sample], fraction, normalized=True)

    # A sample can face a street only if it is within (its ring's gap + facing_m + spacing_m / 2) of one:
    # the samples are at most a spacing apart along the ring, so one lies within half a spacing of the
    # ring's nearest point, and the area's nearest sample is at most that much farther than any of its
    # rings. Each sample's search is bounded by that (plus 1 m for rounding, more than the TIE_M a tie
    # needs): the spatial index skips the samples on the far side of every area, and every sample that
    # faces a street still finds its nearest edges.
    # each ring's distance to its nearest street (inf beyond max_snap_m)
    ring_hit, _, hit_gap = _nearest_within(network, rings, np.full(len(rings), float(max_snap_m)))
    ring_gap = np.full(len(rings), np.inf)
    ring_gap[ring_hit] = hit_gap
    reach = ring_gap + facing_m + spacing_m / 2 + 1.0
    limit = np.where(np.isfinite(ring_gap), np.minimum(reach, max_snap_m), -1.0)
    hit, edge, gap = _nearest_on_rings(network, samples, limit[ring_of_sample])
    # only the samples kept as access points are located along their edges
    keep = _facing(sample_owner[hit], gap, n, facing_m, max_access_points)
    sampled = _project(network, samples, sample_owner, n, max_snap_m, (hit[keep], edge[keep], gap[keep]))
    gates = _project(network, gate_points, owner_of_gate, n, max_snap_m)

    parts = (gates, points, sampled)
    owner = np.concatenate([att.owner for att in parts])
    unattached = np.setdiff1d(np.arange(n), owner)
    order = np.argsort(owner, kind="stable")
    return Attachment(
        owner[order],
        np.concatenate([att.edge for att in parts])[order],
        np.concatenate([att.offset_m for att in parts])[order],
        np.concatenate([att.gap_m for att in parts])[order],
        np.concatenate([att.points for att in parts])[order],
        n,
        unattached,
    )


def nearest_streets(
    network: StreetNetwork, features: gpd.GeoDataFrame | gpd.GeoSeries, *, named: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The street nearest each feature, however far, and the distance to it.

    Parameters
    ----------
    network : StreetNetwork
    features : GeoDataFrame or GeoSeries
        Any geometries, any CRS (projected to ``network.crs`` here).
    named : bool
        Only streets with a ``name`` (the name of the nearest street of any kind may be empty).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Row of ``network.edges`` of each feature's street (-1 when there is none, or the geometry is
        empty) and the straight-line distance to it in metres (NaN then).
    """
    geoms = in_network_crs(network, features).geometry.to_numpy()
    edges = np.arange(len(network.edges))
    tree = network.edge_tree
    if named:
        names = network.edges["name"] if "name" in network.edges else pd.Series(None, index=network.edges.index)
        edges = np.flatnonzero(names.notna().to_numpy() & (names.astype(str).str.strip() != "").to_numpy())
        tree = shapely.STRtree(network.edges.geometry.to_numpy()[edges])
    row = np.full(len(geoms), -1, dtype=np.int64)
    dist = np.full(len(geoms), np.nan)
    if len(edges) and len(geoms):
        (hit, found), gap = tree.query_nearest(geoms, return_distance=True, all_matches=False)
        row[hit], dist[hit] = edges[found], gap
    return row, dist


def street_position(network: StreetNetwork, attachment: Attachment) -> pd.DataFrame:
    """Where each point feature meets the street: its edge's end nodes and the offset from the first, metres.

    One row per feature of a point attachment (one access point each; facilities, candidate sites):
    ``street_u_id`` and ``street_v_id`` (the edge's node ids in the network's source), ``street_offset_m``
    (along the edge from ``street_u_id``). Features not attached get missing values. A candidate site
    and the centre planned on it carry the same position, which the plan's re-check compares.
    """
    u_id = np.full(attachment.n_owners, None, dtype=object)
    v_id = np.full(attachment.n_owners, None, dtype=object)
    offset = np.full(attachment.n_owners, np.nan)
    edges = network.edges
    # as text: OSM ids, a road layer's ids and missing values all fit one GeoPackage column; only the
    # attached edges are converted (the whole column of a city's 1.8 M edges took most of a second)
    u_id[attachment.owner] = edges["u_id"].iloc[attachment.edge].astype(str).to_numpy()
    v_id[attachment.owner] = edges["v_id"].iloc[attachment.edge].astype(str).to_numpy()
    offset[attachment.owner] = attachment.offset_m
    return pd.DataFrame({"street_u_id": u_id, "street_v_id": v_id, "street_offset_m": offset})


def street_gap_m(network: StreetNetwork, features: gpd.GeoDataFrame, attachment: Attachment) -> np.ndarray:
    """Distance from each feature to the street, metres: the smallest gap of its access points, and for a
    feature that could not be attached (farther than the snapping distance) the distance to the nearest street."""
    gap = np.full(attachment.n_owners, np.inf)
    np.minimum.at(gap, attachment.owner, attachment.gap_m)
    missing = attachment.unattached
    if len(missing):
        gap[missing] = nearest_streets(network, features.iloc[missing])[1]
    return np.where(np.isinf(gap), np.nan, gap)


def _facing(owner: np.ndarray, gap_m: np.ndarray, n_owners: int, facing_m: float, max_points: int) -> np.ndarray:
    """Mask of boundary samples that face a street, thinned to ``max_points`` per area.

    ``owner`` (sorted) is the area of each attached sample and ``gap_m`` its distance to the street, metres.
    """
    if len(owner) == 0:
        return np.zeros(0, dtype=bool)
    best = np.full(n_owners, np.inf)
    np.minimum.at(best, owner, gap_m)
    facing = gap_m <= best[owner] + facing_m
    idx = np.flatnonzero(facing)
    owners = owner[idx]
    # rank of each facing sample within its area, and how many each area has
    first = np.searchsorted(owners, owners, side="left")
    rank = np.arange(len(idx)) - first
    total = np.bincount(owners, minlength=n_owners)[owners]
    step = np.maximum(1, np.ceil(total / max_points)).astype(np.int64)
    keep = np.zeros(len(owner), dtype=bool)
    keep[idx[rank % step == 0]] = True
    return keep
