"""Walking reachability: the 15-minute elderly service circle, the service radius, coverage rates.

For every residential area: the walking distance and time along the street network to its nearest
facility, whether that is within the walking cutoff (15 min by default) and the service radius
(1000 m), straight-line and along the network; and, as a sparse table, every facility within reach.

How distances are measured
--------------------------
An area leaves through its access points (entrances, or street-facing boundary points; see
:mod:`siting.snapping`), a facility is entered at the street point nearest to it. A walk is
``gap to the street + along the streets + gap from the street``, all at the same speed. Streets are
walked both ways, one-way or not. Two features on the same street segment walk along it directly.

How it is computed
------------------
Each access point becomes a virtual node joined to both ends of its street edge, facilities as
sources (edges out only) and areas as sinks (edges in only), so no walk can pass *through* a
feature. Nearest facilities come from one multi-source Dijkstra (``scipy.sparse.csgraph``,
``min_only=True``) over the whole network, unbounded. The table of every area–facility pair within
a distance limit comes from bounded single-source runs (``limit=``), each group of nearby sources on
the subgraph of the streets within the limit of them in a straight line (a walk is never shorter), so
the work follows the sources and their neighbourhoods, not the size of the network (see ``_pairs``;
networks without that straight-line bound are searched whole, in chunks of sources sized to keep
memory under ``memory_mb``).

Result columns (stable; Chinese labels in :mod:`siting.labels`)
---------------------------------------------------------------
``area_id``, ``households``, ``walk_min`` (NaN when no facility can be reached at all),
``within_walk``, ``within_<b>min`` for each band, ``nearest_facility``, ``dist_m_network``,
``within_radius_network``, ``dist_m_straight``, ``nearest_facility_straight``, ``within_radius``,
``reachable``, ``unreachable_reason`` (``no_street_nearby`` or ``no_facility_in_reach``), ``street_gap_m``
(metres from the area to the street: its nearest access point's gap; for an area beyond the snapping
distance, its distance to the nearest street). Facilities get ``attached`` and ``street_gap_m`` likewise.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from pyproj import CRS
from scipy.sparse.csgraph import dijkstra

from siting import defaults, validation
from siting.arrays import concat_ranges
from siting.errors import SitingInputError, SitingWarning
from siting.labels import msg, relabel
from siting.network import StreetNetwork, min_weight_matrix
from siting.snapping import (
    Attachment,
    attach_areas,
    attach_points,
    in_network_crs,
    nearest_streets,
    street_gap_m,
    street_position,
)

# Names other modules import from here; the values live in siting.defaults.
DEFAULT_MAX_SNAP_M = defaults.MAX_SNAP_M
FAR_OUTSIDE_M = defaults.FAR_OUTSIDE_M

#: How messages name the features of each id column.
_WHAT = {"area_id": "what_areas", "facility_id": "what_facilities", "candidate_id": "what_candidates"}
#: Floating-point slack when comparing a distance with a cutoff, metres: a facility exactly at the
#: cutoff is within it.
TOLERANCE_M = 1e-6


@dataclass(frozen=True)
class WalkSettings:
    """The walking circle: how fast, how far, which bands, and the one inclusive cutoff.

    Made once (from a rule profile with :meth:`siting.profiles.Profile.walk_settings`, or directly)
    and carried by :class:`Accessibility`, so that compliance checks, optimisers, service areas, maps
    and reports all use the same figures.

    Parameters
    ----------
    walk_speed_m_per_min : float
        Walking speed, metres per minute (60: an elderly pace, 1 m/s).
    walk_minutes : float
        The walking cutoff, minutes (15: the 15-minute elderly service circle).
    service_radius_m : float
        Service radius, metres, checked straight-line and along the network.
    bands_min : sequence of float
        Walking-time bands reported as ``within_<b>min`` columns and drawn as service areas;
        ``walk_minutes`` is always one of them.
    max_snap_m : float
        Largest distance from an area or facility to a street, metres.
    sources : mapping, optional
        Where each figure came from (profile clause, override, toolkit default), for reports.

    Raises
    ------
    SitingInputError
        A figure that is not a finite number within :data:`siting.validation.RANGES` (e.g. a speed of 0).
    """

    walk_speed_m_per_min: float = defaults.WALK_SPEED_M_PER_MIN
    walk_minutes: float = defaults.WALK_MINUTES
    service_radius_m: float = defaults.SERVICE_RADIUS_M
    bands_min: tuple[float, ...] = defaults.BANDS_MIN
    max_snap_m: float = defaults.MAX_SNAP_M
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        bands = (self.bands_min,) if isinstance(self.bands_min, (int, float)) else tuple(self.bands_min)
        for key, value in (
            ("walk_speed_m_per_min", self.walk_speed_m_per_min),
            ("walk_minutes", self.walk_minutes),
            ("service_radius_m", self.service_radius_m),
            ("max_snap_m", self.max_snap_m),
            *(("bands_min", b) for b in bands),
        ):
            # outside validation.RANGES a figure is a typing slip (a speed of 600, minutes given in
            # seconds), not a planning choice
            validation.check_setting(key, value, warn_unusual=True)
        object.__setattr__(self, "walk_speed_m_per_min", float(self.walk_speed_m_per_min))
        object.__setattr__(self, "walk_minutes", float(self.walk_minutes))
        object.__setattr__(self, "service_radius_m", float(self.service_radius_m))
        object.__setattr__(self, "max_snap_m", float(self.max_snap_m))
        object.__setattr__(self, "bands_min", tuple(sorted({float(b) for b in bands} | {self.walk_minutes})))
        object.__setattr__(self, "sources", dict(self.sources))

    @property
    def walk_distance_m(self) -> float:
        """The walking cutoff as a distance, metres."""
        return self.walk_minutes * self.walk_speed_m_per_min

    @property
    def cutoff_m(self) -> float:
        """The walking cutoff with its floating-point slack, metres: a walk of exactly
        ``walk_distance_m`` is within it (the one inclusive comparison every module uses)."""
        return self.walk_distance_m + TOLERANCE_M

    @property
    def cutoff_min(self) -> float:
        """:attr:`cutoff_m` in walking minutes."""
        return self.cutoff_m / self.walk_speed_m_per_min

    @property
    def limit_m(self) -> float:
        """Distance up to which an area–facility pair table must be complete, metres: the walk, the
        radius and the largest band."""
        return max(self.walk_distance_m, self.service_radius_m, max(self.bands_min) * self.walk_speed_m_per_min)

    def within_m(self, dist_m: Any, limit_m: float | None = None) -> np.ndarray:
        """Boolean array: distances (m; NaN = unreachable) within ``limit_m`` (default the walk), inclusive."""
        limit = self.walk_distance_m if limit_m is None else limit_m
        return np.nan_to_num(np.asarray(dist_m, dtype=float), nan=np.inf) <= limit + TOLERANCE_M

    def within_min(self, walk_min: Any) -> np.ndarray:
        """Boolean array: walking minutes (NaN = unreachable) within the walking cutoff, inclusive."""
        return np.nan_to_num(np.asarray(walk_min, dtype=float), nan=np.inf) <= self.cutoff_min

    def replace(self, **changes: Any) -> WalkSettings:
        """A copy with some figures changed (validated again)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain numbers (for summaries and reports)."""
        return {
            "walk_speed_m_per_min": self.walk_speed_m_per_min,
            "walk_minutes": self.walk_minutes,
            "service_radius_m": self.service_radius_m,
            "bands_min": list(self.bands_min),
            "max_snap_m": self.max_snap_m,
        }


def _virtual_graph(network: StreetNetwork, origins: Attachment, destinations: Attachment):
    """Street graph plus one source node per destination and one sink node per origin."""
    n, n_dest = network.n_nodes, destinations.n_owners
    total = n + n_dest + origins.n_owners
    edges = network.edges
    u = edges["u"].to_numpy()
    v = edges["v"].to_numpy()
    length = edges["length_m"].to_numpy()

    def legs(att: Attachment):
        e = att.edge
        return (
            np.concatenate([u[e], v[e]]),
            np.concatenate([att.gap_m + att.offset_m, att.gap_m + (length[e] - att.offset_m)]),
            np.concatenate([att.owner, att.owner]),
        )

    d_node, d_weight, d_owner = legs(destinations)
    o_node, o_weight, o_owner = legs(origins)
    rows = [n + d_owner, o_node]
    cols = [d_node, n + n_dest + o_owner]
    weights = [d_weight, o_weight]

    # features on the same edge also walk straight along it, not only via its end nodes
    same = pd.merge(
        pd.DataFrame({"edge": destinations.edge, "d": np.arange(len(destinations.edge))}),
        pd.DataFrame({"edge": origins.edge, "o": np.arange(len(origins.edge))}),
        on="edge",
    )
    if len(same):
        di, oi = same["d"].to_numpy(), same["o"].to_numpy()
        rows.append(n + destinations.owner[di])
        cols.append(n + n_dest + origins.owner[oi])
        weights.append(
            destinations.gap_m[di] + origins.gap_m[oi] + np.abs(destinations.offset_m[di] - origins.offset_m[oi])
        )
    # A point exactly on a street node has a leg of 0 m to it, and scipy's sparse sum below drops stored
    # zeros: the leg would vanish and the walk detour to the edge's far end and back (a planned centre
    # measured 888 + 2 × 449 m where its candidate site walked 888 m). The smallest normal float keeps
    # the leg and vanishes in any sum with a street length.
    leg_m = np.maximum(np.concatenate(weights), np.finfo(float).tiny)
    legs_matrix = min_weight_matrix(
        np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64), leg_m, total
    )
    # every leg touches a virtual node, so no entry of the street matrix repeats: a plain sum joins them
    street = network.csr
    indptr = np.concatenate([street.indptr, np.full(total - n, street.indptr[-1])])
    padded = sp.csr_matrix((street.data, street.indices, indptr), shape=(total, total))
    return padded + legs_matrix, n, n_dest


def nearest(network: StreetNetwork, origins: Attachment, destinations: Attachment) -> tuple[np.ndarray, np.ndarray]:
    """Network distance (m) from each origin to its nearest destination, and which one.

    Returns
    -------
    dist_m : numpy.ndarray
        Shape (n_origins,), ``inf`` where no destination can be reached.
    which : numpy.ndarray
        Position of the nearest destination, -1 where none.
    """
    return _nearest(_virtual_graph(network, origins, destinations), origins, destinations)


def _nearest(graph, origins: Attachment, destinations: Attachment) -> tuple[np.ndarray, np.ndarray]:
    matrix, n, n_dest = graph
    sources = np.unique(n + destinations.owner)
    if len(sources) == 0:
        return np.full(origins.n_owners, np.inf), np.full(origins.n_owners, -1)
    dist, _, source = dijkstra(matrix, directed=True, indices=sources, min_only=True, return_predecessors=True)
    sinks = slice(n + n_dest, n + n_dest + origins.n_owners)
    which = np.where(np.isfinite(dist[sinks]), source[sinks] - n, -1)
    return dist[sinks], which


def pair_distances(
    network: StreetNetwork, origins: Attachment, destinations: Attachment, limit_m: float, memory_mb: float = 64.0
) -> pd.DataFrame:
    """Every origin–destination pair within ``limit_m`` metres along the network.

    Parameters
    ----------
    network : StreetNetwork
    origins, destinations : Attachment
        Areas and facilities (or candidate sites) attached to the network.
    limit_m : float
        Largest network distance kept, metres; farther pairs are absent (not infinite).
    memory_mb : float
        Budget for one chunk of the dense distance block, MB.

    Returns
    -------
    pandas.DataFrame
        ``origin``, ``destination`` (positions) and ``dist_m``, sorted by origin then distance.
    """
    return _pairs(_virtual_graph(network, origins, destinations), origins, destinations, limit_m, memory_mb, network)


def _pairs(
    graph,
    origins: Attachment,
    destinations: Attachment,
    limit_m: float,
    memory_mb: float,
    network: StreetNetwork | None = None,
) -> pd.DataFrame:
    """The pair table; with `network`, each group of nearby sources searches only its own neighbourhood.

    A walk is never shorter than the straight line (up to :attr:`StreetNetwork.straight_line_slack_m`),
    so a source reaches within ``limit_m`` only street nodes within that distance of it. Sources are
    grouped by square cells of ``4 × limit_m``; each group runs its bounded Dijkstra on the subgraph of
    the street nodes within ``limit_m`` of its cell (and the areas attached to them), so the work grows
    with the sources and their neighbourhoods, not with the whole network. Without `network` (or when
    no straight-line bound holds) every source searches the whole graph.
    """
    matrix, n, n_dest = graph
    sources = np.unique(destinations.owner)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if network is not None and np.isfinite(network.straight_line_slack_m) and len(sources):
        radius_m = limit_m + network.straight_line_slack_m
        found = list(_local_pairs(matrix, n, n_dest, network.node_xy, destinations, radius_m, limit_m))
    else:
        width = matrix.shape[0]
        chunk = max(1, int(memory_mb * 1e6 // (8 * width)))
        sinks = slice(n + n_dest, n + n_dest + origins.n_owners)
        for start in range(0, len(sources), chunk):
            block_sources = sources[start : start + chunk]
            block = dijkstra(matrix, directed=True, indices=n + block_sources, limit=limit_m + TOLERANCE_M)[:, sinks]
            d_pos, o_pos = np.nonzero(np.isfinite(block))
            found.append((o_pos, block_sources[d_pos], block[d_pos, o_pos]))
    table = pd.DataFrame(
        {
            "origin": np.concatenate([f[0] for f in found]) if found else np.array([], dtype=np.int64),
            "destination": np.concatenate([f[1] for f in found]) if found else np.array([], dtype=np.int64),
            "dist_m": np.concatenate([f[2] for f in found]) if found else np.array([]),
        }
    )
    return table.sort_values(["origin", "dist_m", "destination"], kind="stable").reset_index(drop=True)


def _local_pairs(
    matrix: sp.csr_matrix,
    n: int,
    n_dest: int,
    node_xy: np.ndarray,
    destinations: Attachment,
    radius_m: float,
    limit_m: float,
):
    """Yield (origin, destination, dist_m) arrays per group of nearby sources, each on its own subgraph.

    A group's subgraph holds the street nodes of the grid cells that meet its box widened by
    ``radius_m``: every node within reach, and a few beyond it, which only add walks longer than the
    limit (a subgraph's distances are never shorter than the whole graph's, and the nodes of every
    walk within the limit are all in it). Cells a quarter of the radius wide keep those extra nodes
    few, and selecting whole cells needs no test of each node's coordinates.
    """
    xy = shapely.get_coordinates(destinations.points)
    owner = destinations.owner
    lo = np.full((destinations.n_owners, 2), np.inf)
    hi = np.full((destinations.n_owners, 2), -np.inf)
    np.minimum.at(lo, owner, xy)
    np.maximum.at(hi, owner, xy)
    sources = np.unique(owner)
    group_cell_m = max(4.0 * limit_m, 1.0)
    node_cell_m = max(radius_m / 4.0, 1.0)
    # per column: numpy reduces an (n, 2) array along its long axis 40x slower
    origin_xy = np.array([node_xy[:, 0].min(), node_xy[:, 1].min()])
    # street nodes sorted by (cell column, cell row): a block of cells is one slice per column
    node_cell = np.floor((node_xy - origin_xy) / node_cell_m).astype(np.int64)
    rows_per_col = int(node_cell[:, 1].max()) + 1
    node_key = node_cell[:, 0] * rows_per_col + node_cell[:, 1]
    node_order = np.argsort(node_key, kind="stable")
    node_key_sorted = node_key[node_order]
    _, source_key = np.unique(np.floor((lo[sources] - origin_xy) / group_cell_m), axis=0, return_inverse=True)
    source_key = source_key.ravel()
    group_order = np.argsort(source_key, kind="stable")
    cuts = np.flatnonzero(np.r_[True, source_key[group_order][1:] != source_key[group_order][:-1], True])
    # 32-bit positions, as scipy keeps a subgraph's indices (it would convert 64-bit ones on every group)
    local = np.full(matrix.shape[0], -1, dtype=np.int32)
    degree = np.diff(matrix.indptr)
    first_sink = n + n_dest
    for a, b in itertools.pairwise(cuts):
        group = sources[group_order[a:b]]
        c0 = np.maximum(np.floor((lo[group].min(axis=0) - radius_m - origin_xy) / node_cell_m).astype(np.int64), 0)
        c1 = np.floor((hi[group].max(axis=0) + radius_m - origin_xy) / node_cell_m).astype(np.int64)
        columns = np.arange(c0[0], c1[0] + 1) * rows_per_col
        first = np.searchsorted(node_key_sorted, columns + c0[1])
        last = np.searchsorted(node_key_sorted, columns + min(c1[1], rows_per_col - 1), side="right")
        keep = np.r_[node_order[concat_ranges(first, np.maximum(last - first, 0))], n + group]
        local[keep] = np.arange(len(keep))
        # the rows of those nodes: edges to kept nodes and to areas' sink nodes stay
        counts = degree[keep]
        flat = concat_ranges(matrix.indptr[keep], counts)
        col = matrix.indices[flat]
        row = np.repeat(np.arange(len(keep)), counts)
        sink = col >= first_sink
        sinks = np.unique(col[sink])
        local[sinks] = len(keep) + np.arange(len(sinks))
        target = local[col]
        ok = target >= 0
        size = len(keep) + len(sinks)
        # rows come in order and no (row, column) repeats: the CSR arrays directly, no conversion
        indptr = np.zeros(size + 1, dtype=np.int32)
        indptr[1 : len(keep) + 1] = np.cumsum(np.bincount(row[ok], minlength=len(keep)))
        indptr[len(keep) + 1 :] = indptr[len(keep)]
        sub = sp.csr_matrix((matrix.data[flat[ok]], target[ok], indptr), shape=(size, size))
        local[keep] = -1
        local[sinks] = -1
        dist = dijkstra(
            sub, directed=True, indices=np.arange(len(keep) - len(group), len(keep)), limit=limit_m + TOLERANCE_M
        )
        block = dist[:, len(keep) :]
        d_pos, o_pos = np.nonzero(np.isfinite(block))
        yield sinks[o_pos].astype(np.int64) - first_sink, group[d_pos], block[d_pos, o_pos]


def _pair_frame(
    table: pd.DataFrame, areas: pd.DataFrame, sites: pd.DataFrame, id_column: str, walk_speed_m_per_min: float
) -> pd.DataFrame:
    """Positions in a :func:`pair_distances` table replaced by ids, with walking minutes."""
    dist = table["dist_m"].to_numpy()
    return pd.DataFrame(
        {
            "area_id": areas["area_id"].to_numpy()[table["origin"].to_numpy()],
            id_column: sites[id_column].to_numpy()[table["destination"].to_numpy()],
            "dist_m": dist,
            "walk_min": dist / walk_speed_m_per_min,
        }
    )


def site_pairs(
    network: StreetNetwork,
    areas: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    id_column: str,
    settings: WalkSettings,
    limit_m: float | None = None,
    entrances: gpd.GeoDataFrame | None = None,
    area_attachment: Attachment | None = None,
    memory_mb: float = 64.0,
) -> pd.DataFrame:
    """Every area–site pair within ``limit_m`` metres along the network, e.g. for candidate sites.

    Parameters
    ----------
    network : StreetNetwork
    areas : GeoDataFrame
        Residential areas with ``area_id``.
    sites : GeoDataFrame
        Points with an id column ``id_column`` (e.g. ``candidate_id``).
    settings : WalkSettings
        Walking speed (for ``walk_min``) and the largest distance to a street.
    limit_m : float, optional
        Largest network distance kept, metres (default: the walking cutoff).
    entrances : GeoDataFrame, optional
        Gates of the areas (ignored when ``area_attachment`` is given).
    area_attachment : Attachment, optional
        The areas' attachment from an earlier run (``Accessibility.area_attachment``), reused as it is.
    memory_mb : float
        As in :func:`assess_access`.

    Returns
    -------
    DataFrame
        ``area_id``, ``<id_column>``, ``dist_m`` (m), ``walk_min`` (min).
    """
    if area_attachment is None:
        area_attachment = attach_areas(network, areas, entrances=entrances, max_snap_m=settings.max_snap_m)
    site_att = attach_points(network, sites, max_snap_m=settings.max_snap_m)
    _warn_unattached(site_att, sites, id_column, settings.max_snap_m)
    limit = settings.walk_distance_m if limit_m is None else limit_m
    table = pair_distances(network, area_attachment, site_att, limit, memory_mb=memory_mb)
    return _pair_frame(table, areas, sites, id_column, settings.walk_speed_m_per_min)


def check_within_network(network: StreetNetwork, features: gpd.GeoDataFrame, id_column: str) -> None:
    """Raise when features lie far outside the street network, which means a coordinate mistake.

    Facilities and candidate sites (``id_column`` ``facility_id`` or ``candidate_id``) from a list
    wider than the study area can be kept to those within reach with :func:`clip_to_network`,
    which the message says.
    """
    points = in_network_crs(network, features).geometry.representative_point().to_numpy()
    far = np.zeros(len(points), dtype=bool)
    # The hull of the street nodes farthest in eight directions lies inside the network's hull: a point
    # near it is near the network, and only the others need the whole hull (0.1 s for a city's million nodes).
    # 1 mm of slack keeps rounding from certifying a point the hull would not.
    unsure = np.flatnonzero(~(shapely.distance(points, _inner_hull(network.node_xy)) <= defaults.FAR_OUTSIDE_M - 1e-3))
    if len(unsure):
        far[unsure] = shapely.distance(points[unsure], network.hull) > defaults.FAR_OUTSIDE_M
    if far.any():
        fix = msg("far_outside_network_fix")
        raise SitingInputError(
            msg(
                "far_outside_network",
                what=msg(_WHAT[id_column]),
                km=f"{defaults.FAR_OUTSIDE_M / 1000:g}",
                network=network.source,
            ),
            column="geometry",
            rows=features.loc[far, id_column].tolist(),
            fix=fix if id_column == "area_id" else msg("far_outside_network_clip_fix", then=fix),
        )


def _inner_hull(node_xy: np.ndarray) -> shapely.Geometry:
    """Convex hull of the street nodes that lie farthest along x, y, x + y and x - y, both ways (metres):
    inside the hull of all nodes, and found in one pass over them."""
    if len(node_xy) == 0:
        return shapely.Polygon()
    x, y = node_xy[:, 0], node_xy[:, 1]
    corners = [key(v) for v in (x, y, x + y, x - y) for key in (np.argmin, np.argmax)]
    return shapely.convex_hull(shapely.multipoints(node_xy[corners]))


def clip_to_network(
    network: StreetNetwork,
    features: gpd.GeoDataFrame,
    id_column: str,
    *,
    max_snap_m: float = defaults.MAX_SNAP_M,
    source: str | None = None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Keep the features within reach of the street network: those within ``max_snap_m`` of a street.

    For a facility or candidate list wider than the study area (a city-wide list against one
    district's streets): what lies farther from every street could not be attached to it, so it
    could neither serve nor be proposed. A warning says how many were left out, and which.

    Parameters
    ----------
    network : StreetNetwork
    features : GeoDataFrame
        Facilities or candidate sites, any CRS.
    id_column : str
        ``facility_id`` or ``candidate_id``.
    max_snap_m : float
        Largest distance to a street, metres (:attr:`WalkSettings.max_snap_m` of the analysis).
    source : str, optional
        The file the features came from, named in the warning and the error.

    Returns
    -------
    kept : GeoDataFrame
        The features within reach, in their input order and CRS.
    left_out : list of str
        Ids of the features left out.

    Raises
    ------
    SitingInputError
        When every feature is left out: that is a coordinate-system mistake, not a study area.
    """
    near = np.nan_to_num(nearest_streets(network, features)[1], nan=np.inf) <= max_snap_m
    left_out = features.loc[~near, id_column].astype(str).tolist()
    what = msg(_WHAT[id_column])
    if not near.any():
        raise SitingInputError(
            msg("clip_all_out", what=what, n=len(features), max_snap_m=f"{max_snap_m:g}", network=network.source),
            source=source,
            column="geometry",
            rows=left_out,
            fix=msg("far_outside_network_fix"),
        )
    if left_out:
        warnings.warn(
            SitingWarning(
                msg("clip_left_out", what=what, n=len(left_out), total=len(features), max_snap_m=f"{max_snap_m:g}"),
                source=source,
                column=id_column,
                rows=left_out,
            ),
            stacklevel=2,
        )
    return features[near], left_out


def _warn_unattached(att: Attachment, features: gpd.GeoDataFrame, id_column: str, max_snap_m: float) -> None:
    """Say which features are too far from every street to be attached, and so take no part."""
    if len(att.unattached):
        key = "areas_unattached" if id_column == "area_id" else "sites_unattached"
        warnings.warn(
            SitingWarning(
                msg(key, what=msg(_WHAT[id_column]), n=len(att.unattached), max_snap_m=f"{max_snap_m:g}"),
                column=id_column,
                rows=features[id_column].to_numpy()[att.unattached].tolist(),
                fix=msg("far_outside_network_fix") if id_column == "area_id" else None,
            ),
            stacklevel=3,
        )


@dataclass
class Accessibility:
    """Result of :func:`assess_access`.

    Attributes
    ----------
    areas : GeoDataFrame
        The input areas (input CRS) with the result columns listed in the module docstring.
    pairs : DataFrame
        ``area_id``, ``facility_id``, ``dist_m``, ``walk_min`` for every pair within
        :attr:`limit_m` along the network.
    facilities : GeoDataFrame
        The facilities used, with ``attached`` and ``street_gap_m`` (m).
    settings : WalkSettings
        The walking circle the distances were judged by; compliance checks, optimisers and maps
        take it from here.
    crs : pyproj.CRS
        The metric CRS the distances were measured in (the network's).
    area_attachment : Attachment
        How the areas were attached to the streets, for :func:`site_pairs` to reuse.
    """

    areas: gpd.GeoDataFrame
    pairs: pd.DataFrame
    facilities: gpd.GeoDataFrame
    settings: WalkSettings
    crs: CRS
    area_attachment: Attachment | None = field(default=None, repr=False)

    @property
    def limit_m(self) -> float:
        """Distance up to which :attr:`pairs` is complete, metres."""
        return self.settings.limit_m

    @property
    def unreachable(self) -> gpd.GeoDataFrame:
        """Areas outside the walking circle, with the reason when no facility is reachable at all."""
        return self.areas[~self.areas["within_walk"]]

    def coverage(self, by: str | None = None, language: str | None = None) -> pd.DataFrame:
        """Household-weighted coverage rates, overall or per ``by`` column (e.g. township, community).

        ``language`` ("zh" or "en") labels the columns as :meth:`ComplianceResult.summary_table
        <siting.compliance.ComplianceResult.summary_table>` does, for display; None keeps the column
        names (``share_within_walk``, ...) for scripts.
        """
        rates = coverage_rates(self.areas, by=by)
        return rates if language is None else relabel(rates, language)

    def coverage_by_level(self) -> pd.DataFrame:
        """Coverage rates counting only the facilities of each level (and all levels together)."""
        frames = [coverage_rates(self.areas).assign(level="all")]
        for level in sorted(self.facilities["level"].unique()):
            frames.append(coverage_rates(self.for_facilities(self.facilities["level"] == level)).assign(level=level))
        return pd.concat(frames, ignore_index=True).set_index("level")

    def for_facilities(self, mask: pd.Series | np.ndarray) -> gpd.GeoDataFrame:
        """Per-area results recomputed from :attr:`pairs` as if only the masked facilities existed.

        Exact for every distance up to :attr:`limit_m`; farther areas get NaN distance and count as
        not reachable (``no_facility_in_reach``).
        """
        kept = self.facilities.loc[np.asarray(mask), "facility_id"]
        pairs = self.pairs[self.pairs["facility_id"].isin(kept)]
        best = pairs.sort_values(["area_id", "dist_m"], kind="stable").drop_duplicates("area_id")
        areas = self.areas.drop(columns=["nearest_facility", "dist_m_network", "walk_min"])
        areas = areas.merge(
            best[["area_id", "facility_id", "dist_m"]].rename(
                columns={"facility_id": "nearest_facility", "dist_m": "dist_m_network"}
            ),
            on="area_id",
            how="left",
        )
        areas["walk_min"] = areas["dist_m_network"] / self.settings.walk_speed_m_per_min
        straight, which = _straight(areas, self.facilities[np.asarray(mask)], self.crs)
        areas["dist_m_straight"], areas["nearest_facility_straight"] = straight, which
        _flags(areas, self.settings)
        # beyond limit_m these facilities' distances are unknown here, so "reachable" means within it
        areas["reachable"] = areas["dist_m_network"].notna()
        no_street = areas["unreachable_reason"] == "no_street_nearby"
        reason = pd.Series(None, index=areas.index, dtype=object)
        reason[~areas["reachable"]] = "no_facility_in_reach"
        reason[no_street] = "no_street_nearby"
        areas["unreachable_reason"] = reason
        return gpd.GeoDataFrame(areas, geometry="geometry", crs=self.areas.crs)

    def catchments(self) -> pd.DataFrame:
        """Per facility: the areas that walk to it as their nearest, and all areas within the cutoff.

        Columns ``facility_id``, ``nearest_areas`` (list of area ids), ``households_nearest``,
        ``areas_within_walk`` (list), ``households_within_walk``.
        """
        within = self.pairs[self.settings.within_min(self.pairs["walk_min"])]
        hh = self.areas.set_index("area_id")["households"]
        served = self.areas[self.areas["within_walk"]]
        nearest = served.groupby("nearest_facility").agg(
            nearest_areas=("area_id", list), households_nearest=("households", "sum")
        )
        reach = (
            within.assign(households=within["area_id"].map(hh))
            .groupby("facility_id")
            .agg(areas_within_walk=("area_id", list), households_within_walk=("households", "sum"))
        )
        out = pd.DataFrame(index=pd.Index(self.facilities["facility_id"], name="facility_id"))
        out = out.join(nearest).join(reach)
        for column in ("nearest_areas", "areas_within_walk"):
            out[column] = out[column].apply(lambda v: v if isinstance(v, list) else [])
        for column in ("households_nearest", "households_within_walk"):
            out[column] = out[column].fillna(0.0)
        return out.reset_index()


def _straight(areas: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, crs) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line distance (m) from each area polygon to its nearest facility point (0 inside),
    measured in the analysis' metric ``crs``."""
    if len(facilities) == 0:
        return np.full(len(areas), np.nan), np.full(len(areas), None, dtype=object)
    polys = (areas if areas.crs == crs else areas.to_crs(crs)).geometry.to_numpy()
    points = (facilities if facilities.crs == crs else facilities.to_crs(crs)).geometry.to_numpy()
    (area_idx, fac_idx), dist = shapely.STRtree(points).query_nearest(polys, return_distance=True, all_matches=False)
    out_d = np.full(len(areas), np.nan)
    out_w = np.full(len(areas), None, dtype=object)
    out_d[area_idx] = dist
    out_w[area_idx] = facilities["facility_id"].to_numpy()[fac_idx]
    return out_d, out_w


def _flags(areas: pd.DataFrame, settings: WalkSettings) -> None:
    """Set the boolean columns from the distances (in place)."""
    dist = areas["dist_m_network"].to_numpy(dtype=float)
    areas["within_walk"] = settings.within_m(dist)
    for band in settings.bands_min:
        areas[f"within_{band:g}min"] = settings.within_m(dist, band * settings.walk_speed_m_per_min)
    areas["within_radius_network"] = settings.within_m(dist, settings.service_radius_m)
    areas["within_radius"] = settings.within_m(areas["dist_m_straight"], settings.service_radius_m)


def assess_access(
    network: StreetNetwork,
    areas: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    settings: WalkSettings | None = None,
    *,
    entrances: gpd.GeoDataFrame | None = None,
    memory_mb: float = 64.0,
    **walk: Any,
) -> Accessibility:
    """Walking time and distance from each residential area to the elderly-care facilities.

    Parameters
    ----------
    network : StreetNetwork
        The walking network (:mod:`siting.network`).
    areas : GeoDataFrame
        Residential areas from :func:`siting.inputs.read_areas` (``area_id``, ``households``, polygons).
    facilities : GeoDataFrame
        Facilities from :func:`siting.inputs.read_facilities` (``facility_id``, points).
    settings : WalkSettings, optional
        The walking circle, e.g. ``load_profile("dong_e").walk_settings()``. Without it, one is made
        from the keyword figures ``walk``.
    entrances : GeoDataFrame, optional
        Gates of the areas (``area_id``, points), from :func:`siting.inputs.read_entrances`.
    memory_mb : float
        Memory budget for the pair table computation, MB.
    **walk
        ``walk_speed_m_per_min``, ``walk_minutes``, ``service_radius_m``, ``bands_min``,
        ``max_snap_m`` (see :class:`WalkSettings`), when no ``settings`` are given; giving both is
        an error, as two definitions of the walk would disagree.

    Returns
    -------
    Accessibility
        ``.areas`` (GeoDataFrame, input CRS), ``.pairs`` (sparse table), coverage helpers.
    """
    settings = walk_settings(settings, **walk)
    # project once; every step below works in the network's metric CRS
    areas_m, facilities_m = in_network_crs(network, areas), in_network_crs(network, facilities)
    check_within_network(network, areas_m, "area_id")
    check_within_network(network, facilities_m, "facility_id")
    area_att = attach_areas(network, areas_m, entrances=entrances, max_snap_m=settings.max_snap_m)
    fac_att = attach_points(network, facilities_m, max_snap_m=settings.max_snap_m)
    _warn_unattached(area_att, areas, "area_id", settings.max_snap_m)
    _warn_unattached(fac_att, facilities, "facility_id", settings.max_snap_m)
    result = Accessibility(areas=areas, pairs=pd.DataFrame(), facilities=facilities, settings=settings, crs=network.crs)

    graph = _virtual_graph(network, area_att, fac_att)
    dist, which = _nearest(graph, area_att, fac_att)
    table = _pairs(graph, area_att, fac_att, result.limit_m, memory_mb, network)
    fac_ids = facilities["facility_id"].to_numpy()
    result.pairs = _pair_frame(table, areas, facilities, "facility_id", settings.walk_speed_m_per_min)
    result.area_attachment = area_att

    out = areas.copy()
    finite = np.isfinite(dist)
    out["dist_m_network"] = np.where(finite, dist, np.nan)
    out["walk_min"] = out["dist_m_network"] / settings.walk_speed_m_per_min
    nearest_id = np.full(len(out), None, dtype=object)
    nearest_id[finite] = fac_ids[which[finite]]
    out["nearest_facility"] = nearest_id
    out["dist_m_straight"], out["nearest_facility_straight"] = _straight(areas_m, facilities_m, network.crs)
    _flags(out, settings)
    out["reachable"] = finite
    reason = np.full(len(out), None, dtype=object)
    reason[~finite] = "no_facility_in_reach"
    reason[area_att.unattached] = "no_street_nearby"
    out["unreachable_reason"] = reason
    out["street_gap_m"] = street_gap_m(network, areas_m, area_att)
    result.areas = out
    facilities_out = facilities.copy()
    facilities_out["attached"] = ~np.isin(np.arange(len(facilities)), fac_att.unattached)
    facilities_out["street_gap_m"] = street_gap_m(network, facilities_m, fac_att)
    # the layer carries where each facility meets the street (a planned centre: where its candidate did)
    for column, values in street_position(network, fac_att).items():
        facilities_out[column] = values.to_numpy()
    result.facilities = facilities_out
    return result


def walk_settings(settings: WalkSettings | None = None, **walk: Any) -> WalkSettings:
    """``settings`` as given, or new ones from the keyword figures; both at once is an error.

    Every public function that measures walks takes its settings through here, so a walk is never
    defined twice.
    """
    if settings is None:
        return WalkSettings(**walk)
    if walk:
        raise SitingInputError(
            msg("walk_settings_twice", keys=sorted(walk)),
            fix=msg("walk_settings_twice_fix"),
        )
    if not isinstance(settings, WalkSettings):
        raise SitingInputError(
            msg("argument_not_walk_settings", got=type(settings).__name__),
            source=msg("where_argument", name="settings"),
            fix=msg("argument_not_walk_settings_fix"),
        )
    return settings


def coverage_rates(areas: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Household-weighted coverage rates of assessed areas, overall or per group.

    Parameters
    ----------
    areas : DataFrame
        ``Accessibility.areas`` (needs ``households``, ``within_walk``, ``within_radius``,
        ``within_radius_network``).
    by : str, optional
        Column to group by (``township``, ``community``, ...).

    Returns
    -------
    DataFrame
        ``households_total``, ``households_within_walk``, ``share_within_walk``,
        ``households_within_radius``, ``share_within_radius``, ``households_within_radius_network``,
        ``share_within_radius_network``, ``areas_total``, ``areas_within_walk``; shares are 0–1
        (NaN where a group has no households).
    """
    frame = pd.DataFrame(
        {
            "group": areas[by].fillna("(none)") if by else "all",
            "households_total": areas["households"].astype(float),
            "households_within_walk": areas["households"].where(areas["within_walk"], 0.0),
            "households_within_radius": areas["households"].where(areas["within_radius"], 0.0),
            "households_within_radius_network": areas["households"].where(areas["within_radius_network"], 0.0),
            "areas_total": 1,
            "areas_within_walk": areas["within_walk"].astype(int),
        }
    )
    out = frame.groupby("group", sort=True).sum()
    total = out["households_total"].where(out["households_total"] > 0)
    for key in ("within_walk", "within_radius", "within_radius_network"):
        out[f"share_{key}"] = out[f"households_{key}"] / total
    columns = [
        "households_total",
        "households_within_walk",
        "share_within_walk",
        "households_within_radius",
        "share_within_radius",
        "households_within_radius_network",
        "share_within_radius_network",
        "areas_total",
        "areas_within_walk",
    ]
    out = out[columns]
    out.index.name = by or "scope"
    return out
