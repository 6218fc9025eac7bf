"""The walking street network: built with OSMnx from any source, stored for fast shortest paths.

A :class:`StreetNetwork` holds what compiled shortest-path code needs: node coordinates, an edge
table with geometries oriented from ``u`` to ``v``, and a symmetric ``scipy.sparse`` CSR matrix of
edge lengths in metres. It keeps no networkx graph: a county's graph is a million Python objects
that every garbage collection would walk through; :meth:`StreetNetwork.to_graph` rebuilds one for
OSMnx plotting or export.

Sources: a place name or bounding box (online, through OSMnx/Overpass), OpenStreetMap XML
(``.osm``), OpenStreetMap PBF (``.osm.pbf``), GraphML, or a road-centreline layer (GeoPackage,
Shapefile, GeoJSON lines, such as CAD-derived centrelines), split at intersections. PBF and GraphML
files go straight into arrays (:mod:`siting.street_files`), without a networkx graph: a city's graph
alone takes 2.3 GB. Every reader ends in :func:`from_arrays`.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from scipy.sparse.csgraph import connected_components
from shapely.ops import substring

from siting import defaults
from siting.errors import SitingInputError, SitingWarning
from siting.labels import Message, msg
from siting.projection import utm_crs_for, utm_crs_for_xy

if TYPE_CHECKING:
    import networkx as nx

# osmnx (with scikit-learn and matplotlib), networkx and scipy.spatial take seconds to import; they are
# imported by the readers that use them, so that `siting profiles` and refused scenarios answer at once.

# OSM highway values a pedestrian cannot use (OSMnx's walk filter, plus motorways and trunk roads,
# which Chinese county towns fence off from pedestrians).
NOT_WALKABLE_HIGHWAY = frozenset(
    {
        "abandoned",
        "bus_guideway",
        "construction",
        "cycleway",
        "motor",
        "no",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "busway",
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
    }
)
NO_ACCESS = frozenset({"no", "private"})
PEDESTRIAN_OK = frozenset({"yes", "designated", "permissive"})

#: Zero-length edges (duplicated nodes in the source data) get this length, so that sparse-matrix
#: code does not mistake them for missing edges.
MIN_EDGE_LENGTH_M = 1e-6

LINE_SUFFIXES = {".gpkg", ".shp", ".geojson", ".json", ".fgb"}

#: Headers of a road-centreline layer's street name and road class, in order of preference
#: (case-insensitive): a planning office's Chinese headers, then OpenStreetMap's (Geofabrik's ``fclass``).
ROAD_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("道路名称", "路名", "名称", "name", "road_name"),
    "class": ("道路等级", "等级", "fclass", "highway", "类型", "道路类型", "road_class"),
}
#: Chinese road classes as OSM ``highway`` values, so that maps draw the hierarchy: 快速路 and 主干路 the
#: arterials, 次干路 the collectors, 支路 the local streets (GB/T 51328-2018); highway classes as OSM China
#: tags them. A class containing a key (城市主干路) takes its value; the longest key wins.
ROAD_CLASS_VALUES = {
    "高速公路": "motorway",
    "高速": "motorway",
    "快速路": "trunk",
    "主干路": "primary",
    "主干道": "primary",
    "次干路": "secondary",
    "次干道": "secondary",
    "支路": "residential",
    "国道": "primary",
    "省道": "secondary",
    "县道": "tertiary",
    "乡道": "unclassified",
    "村道": "unclassified",
    "步行": "pedestrian",
    "人行": "footway",
}


@dataclass
class StreetNetwork:
    """A projected, walkable street network with arrays for fast shortest-path computation.

    Build one with :func:`from_file`, :func:`from_place`, :func:`from_bbox`,
    :func:`from_graph`, :func:`from_lines` or :func:`from_arrays`.

    Attributes
    ----------
    crs : pyproj.CRS
        The projected (metric) CRS of the analysis, the local UTM zone unless the source was projected.
    node_ids : numpy.ndarray
        OSM (or generated) node id of each node index, shape (n,).
    node_xy : numpy.ndarray
        Node coordinates in metres, shape (n, 2).
    edges : geopandas.GeoDataFrame
        One row per street segment: ``u``, ``v`` (node indices), ``u_id``, ``v_id`` (node ids),
        ``length_m``, the OSM ``name`` and ``highway`` when known, and a LineString geometry that
        runs from ``u`` to ``v``.
    csr : scipy.sparse.csr_matrix
        Symmetric (n, n) matrix of the shortest segment length in metres between adjacent nodes.
    source : str
        Where the network came from (file path, place name, ...).
    dropped_nodes : int
        Nodes outside the largest connected part that were dropped.
    """

    crs: CRS
    node_ids: np.ndarray
    node_xy: np.ndarray
    edges: gpd.GeoDataFrame
    csr: sp.csr_matrix
    source: str = "graph"
    dropped_nodes: int = 0
    _tree: shapely.STRtree | None = field(default=None, repr=False)
    _hull: shapely.Geometry | None = field(default=None, repr=False)
    _slack_m: float | None = field(default=None, repr=False)

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def edge_tree(self) -> shapely.STRtree:
        """Spatial index of :attr:`edges` geometries, built on first use."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.edges.geometry.to_numpy())
        return self._tree

    @property
    def hull(self) -> shapely.Geometry:
        """Convex hull of the street nodes (metres), built on first use."""
        if self._hull is None:
            from scipy.spatial import ConvexHull, QhullError

            try:  # scipy's hull of the coordinates, without a million point objects
                corners = self.node_xy[ConvexHull(self.node_xy).vertices]
                self._hull = shapely.Polygon(corners)
            except QhullError:  # fewer than three nodes, or all on one line
                self._hull = shapely.convex_hull(shapely.multipoints(self.node_xy))
        return self._hull

    @property
    def straight_line_slack_m(self) -> float:
        """How much farther than the walk a street node can lie in a straight line, metres (cached).

        A walk from a point is never shorter than the straight line to where it ends when every
        street segment is at least as long as the straight line between its two nodes; the first
        leg, from the point along its segment's geometry to a node, can only gain the gap between
        the geometry's ends and the nodes (0 for networks built by OSMnx). That gap is returned,
        or ``inf`` when some segment is shorter than the straight line between its nodes (then no
        straight-line bound holds).
        """
        if self._slack_m is None:
            u = self.edges["u"].to_numpy()
            v = self.edges["v"].to_numpy()
            chord = np.hypot(*(self.node_xy[u] - self.node_xy[v]).T)
            if np.any(chord > self.edges["length_m"].to_numpy() + 1e-6):
                self._slack_m = float("inf")
            else:
                coords, which = shapely.get_coordinates(self.edges.geometry.to_numpy(), return_index=True)
                first = np.searchsorted(which, np.arange(len(u)))
                last = np.searchsorted(which, np.arange(len(u)), side="right") - 1
                ends = np.r_[
                    np.hypot(*(coords[first] - self.node_xy[u]).T), np.hypot(*(coords[last] - self.node_xy[v]).T)
                ]
                self._slack_m = float(ends.max(initial=0.0))
        return self._slack_m

    def to_graph(self) -> nx.MultiGraph:
        """A fresh undirected OSMnx-style graph of this network (for ``osmnx.plot_graph`` or export)."""
        import osmnx as ox

        nodes = gpd.GeoDataFrame(
            {"x": self.node_xy[:, 0], "y": self.node_xy[:, 1]},
            geometry=shapely.points(self.node_xy),
            crs=self.crs,
            index=pd.Index(self.node_ids, name="osmid"),
        )
        edges = self.edges.drop(columns=["u", "v"]).rename(columns={"u_id": "u", "v_id": "v", "length_m": "length"})
        edges["key"] = edges.groupby(["u", "v"]).cumcount()
        graph = ox.convert.graph_from_gdfs(nodes, edges.set_index(["u", "v", "key"]))
        return ox.convert.to_undirected(graph)

    def nodes_frame(self) -> gpd.GeoDataFrame:
        """Street nodes as points, with ``node_id``, in :attr:`crs`."""
        return gpd.GeoDataFrame({"node_id": self.node_ids}, geometry=shapely.points(self.node_xy), crs=self.crs)

    def summary(self) -> dict:
        """Node and edge counts and total street length (km)."""
        return {
            "source": self.source,
            "nodes": int(self.n_nodes),
            "edges": len(self.edges),
            "street_km": round(float(self.edges["length_m"].sum()) / 1000, 3),
            "dropped_nodes": int(self.dropped_nodes),
            "crs": self.crs.to_string(),
        }


def _walkable(highway: np.ndarray, area: np.ndarray, foot: np.ndarray, access: np.ndarray) -> np.ndarray:
    """Which edges a pedestrian may use, by their OSM tags (the first value of a merged edge's list):
    a street (``highway``) not in :data:`NOT_WALKABLE_HIGHWAY`, not an area, not ``foot=no``, and
    open (``access``) or open to pedestrians (``foot``)."""

    def first(values: np.ndarray) -> pd.Series:
        column = pd.Series(values, dtype=object)
        lists = column.map(type).eq(list).to_numpy()
        column[lists] = column[lists].map(lambda x: x[0] if x else None)
        return column

    road, on_foot, open_to = first(highway), first(foot), first(access)
    return (
        road.notna()
        & ~road.isin(NOT_WALKABLE_HIGHWAY)
        & (pd.Series(area, dtype=object) != "yes")
        & (on_foot != "no")
        & (~open_to.isin(NO_ACCESS) | on_foot.isin(PEDESTRIAN_OK))
    ).to_numpy()


def _walkable_subgraph(graph: nx.MultiDiGraph, source: str) -> nx.MultiDiGraph:
    """A copy without the ways a pedestrian cannot use (rivers, motorways, private roads, ...)."""
    graph = graph.copy()
    edges = list(graph.edges(keys=True, data=True))
    tags = {key: np.array([d.get(key) for *_, d in edges], dtype=object) for key in _WALK_TAGS}
    walkable = _walkable(**tags)
    graph.remove_edges_from([(u, v, k) for (u, v, k, _), ok in zip(edges, walkable, strict=True) if not ok])
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    if graph.number_of_edges() == 0:
        raise SitingInputError(msg("network_not_walkable"), source=_where(source), fix=msg("network_not_walkable_fix"))
    return graph


_WALK_TAGS = ("highway", "area", "foot", "access")


def _where(source: str) -> Message:
    """Where a network came from, in messages: a file, a place, a bounding box or a graph."""
    return msg("where_network", source=source)


def _as_text(value) -> str | None:
    """OSM tags after simplification may be lists (merged ways); show their distinct values as one text.

    OSMnx builds those lists from sets, whose order changes from one Python process to the next;
    sorting keeps the text the same on every run.
    """
    if isinstance(value, list):
        return ";".join(sorted(set(map(str, value))))
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _graph_edges(graph: nx.MultiGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Edge ends (indices of the nodes in the graph's order), geometries (None where missing) and
    name/highway of an undirected graph, in one pass each."""
    # the edges in networkx's own order (each from the endpoint met first), read from the adjacency
    # dicts directly: a million-node graph's edge view costs several times more
    visited = {n: i for i, n in enumerate(graph.nodes)}
    u, v, data = [], [], []
    for n, neighbours in graph.adjacency():
        here = visited[n]
        for m, keyed in neighbours.items():
            there = visited[m]
            if there >= here:
                for d in keyed.values():
                    u.append(here)
                    v.append(there)
                    data.append(d)
    geoms = np.array([d.get("geometry") for d in data], dtype=object)
    attributes = {}
    for key in ("name", "highway"):
        values = [d.get(key) for d in data]
        attributes[key] = np.array([x if x is None or type(x) is str else _as_text(x) for x in values], dtype=object)
    return np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64), geoms, attributes


def _node_xy(graph: nx.MultiGraph | nx.MultiDiGraph) -> tuple[np.ndarray, np.ndarray]:
    """The graph's node ids and their x/y (NaN where missing or not a number)."""
    ids, xy = zip(*((n, (_number(d.get("x")), _number(d.get("y")))) for n, d in graph.nodes(data=True)), strict=True)
    return np.asarray(ids), np.array(xy, dtype=float)


def from_graph(
    graph: nx.MultiDiGraph | nx.MultiGraph,
    *,
    source: str = "graph",
    keep_largest: bool = True,
    walk_filter: bool = True,
) -> StreetNetwork:
    """Build a :class:`StreetNetwork` from an OSMnx graph in any CRS.

    Parameters
    ----------
    graph : networkx.MultiDiGraph or MultiGraph
        An OSMnx-style graph: nodes with ``x``/``y``, a ``crs`` graph attribute, optional edge
        ``geometry``; one-way streets are walked both ways.
    source : str
        Description of where the graph came from, used in messages.
    keep_largest : bool
        Keep only the largest connected part (a warning says how many nodes were dropped).
    walk_filter : bool
        Drop edges a pedestrian cannot use (by their OSM ``highway``/``foot``/``access`` tags);
        off for road-centreline layers, which carry no such tags.

    Returns
    -------
    StreetNetwork
    """
    import networkx as nx
    import osmnx as ox

    # any edge at all (number_of_edges() would count a million-node graph's adjacency in Python)
    if next(iter(graph.edges), None) is None:
        raise SitingInputError(msg("network_no_edges"), source=_where(source), fix=msg("network_no_edges_fix"))
    if "crs" not in graph.graph:
        raise SitingInputError(msg("network_no_crs"), source=_where(source), fix=msg("network_no_crs_fix"))
    if walk_filter:
        graph = _walkable_subgraph(graph, source)
    crs = _parse_crs(graph.graph["crs"], source)
    node_ids, node_xy = _node_xy(graph)
    # before OSMnx draws the missing lines from the nodes' x/y
    _refuse_bad_nodes(node_ids, node_xy, geographic=crs.is_geographic, source=source)
    # a one-way pair of directed edges is one street (OSMnx tells them from true parallels by osmid and line);
    # the undirected copy keeps the nodes in their order
    undirected = ox.convert.to_undirected(graph) if isinstance(graph, nx.MultiDiGraph) else graph
    u, v, geoms, attributes = _graph_edges(undirected)
    return from_arrays(
        node_ids, node_xy, crs, u, v, geoms, attributes, source=source, keep_largest=keep_largest, stacklevel=3
    )


def _parse_crs(value: Any, source: str) -> CRS:
    try:
        return CRS.from_user_input(value)
    except CRSError as exc:
        raise SitingInputError(
            msg("network_crs_unknown", crs=value, error=exc),
            source=_where(source),
            fix=msg("network_no_crs_fix"),
        ) from None


def from_arrays(
    node_ids: np.ndarray,
    node_xy: np.ndarray,
    crs: CRS,
    u: np.ndarray,
    v: np.ndarray,
    geoms: np.ndarray | None,
    attributes: Mapping[str, np.ndarray],
    *,
    source: str,
    keep_largest: bool = True,
    from_nodes: bool = False,
    stacklevel: int = 2,
) -> StreetNetwork:
    """Build a :class:`StreetNetwork` from node and edge arrays: the one step every reader ends with.

    Refuses nodes at impossible coordinates, projects a geographic CRS to the local UTM zone (nodes
    and lines in one transformation each), draws missing lines straight, orients every line from its
    ``u`` node to its ``v`` node, measures the lengths on the lines, keeps the largest connected part
    and builds the CSR matrix. The arrays given are not modified.

    Parameters
    ----------
    node_ids : ndarray of shape (n,)
        Node ids (OSM or generated), unique.
    node_xy : ndarray of shape (n, 2)
        Node x/y in ``crs`` (degrees for a geographic CRS, else metres).
    crs : pyproj.CRS
        The CRS of ``node_xy`` and ``geoms``.
    u, v : ndarray of shape (m,)
        Each undirected edge's end nodes, as row indices of ``node_ids``.
    geoms : ndarray of shape (m,) of LineString or None, optional
        Each edge's line in ``crs``, in either direction; None (or ``geoms`` None) for a straight line.
    attributes : mapping of str to ndarray of shape (m,)
        Edge columns kept as given (``name``, ``highway``).
    source : str
        Where the network came from, used in messages.
    keep_largest : bool
        Keep only the largest connected part (a warning says how many nodes were dropped).
    from_nodes : bool
        Every line is drawn from its ``u`` node's point to its ``v`` node's point (as a PBF's
        ways are): orienting them and measuring their ends is skipped.
    stacklevel : int
        Of the warning about dropped parts, so that it names the caller's caller.

    Returns
    -------
    StreetNetwork
    """
    # the nodes in id order, so that every reader gives the same node index to the same node
    order = np.argsort(node_ids, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    node_ids, node_xy, u, v = node_ids[order], np.asarray(node_xy, dtype=float)[order], rank[u], rank[v]
    _refuse_bad_nodes(node_ids, node_xy, geographic=crs.is_geographic, source=source)
    geoms = np.full(len(u), None, dtype=object) if geoms is None else geoms.copy()
    if not crs.is_projected:
        metric, project = _to_metric(crs, node_xy)
        node_xy = project(node_xy)
        given = np.flatnonzero(~shapely.is_missing(geoms))
        geoms[given] = shapely.transform(geoms[given], project)
        crs = metric
    missing = np.flatnonzero(shapely.is_missing(geoms))
    geoms[missing] = shapely.linestrings(np.stack([node_xy[u[missing]], node_xy[v[missing]]], axis=1))
    geoms, slack = (geoms, 0.0) if from_nodes else _oriented(geoms, node_xy, u, v)
    u_ids, v_ids = node_ids[u], node_ids[v]
    # a street line of a GraphML file or a road layer may hold points the projection could not place
    length = shapely.length(geoms)
    off = ~np.isfinite(length)
    if off.any():
        raise SitingInputError(
            msg("network_coordinates_bad"),
            source=_where(source),
            rows=[f"{a}-{b}" for a, b in zip(u_ids[off], v_ids[off], strict=True)],
            fix=msg("network_coordinates_bad_fix"),
        )
    length = np.maximum(length, MIN_EDGE_LENGTH_M)

    dropped = 0
    attributes = dict(attributes)
    csr = _csr(u, v, length, len(node_ids))
    if keep_largest:
        n_parts, labels = connected_components(csr, directed=False)
        if n_parts > 1:
            largest = np.bincount(labels).argmax()
            keep_node = labels == largest
            dropped = int((~keep_node).sum())
            warnings.warn(
                SitingWarning(msg("network_parts_dropped", nodes=dropped, parts=n_parts - 1), source=_where(source)),
                stacklevel=stacklevel,
            )
            keep_edge = keep_node[u]
            new_index = np.cumsum(keep_node) - 1
            node_ids, node_xy = node_ids[keep_node], node_xy[keep_node]
            u, v, length, geoms = new_index[u[keep_edge]], new_index[v[keep_edge]], length[keep_edge], geoms[keep_edge]
            u_ids, v_ids = u_ids[keep_edge], v_ids[keep_edge]
            attributes = {key: values[keep_edge] for key, values in attributes.items()}
            # the kept part's rows and columns: no edge leaves a connected part
            kept = np.flatnonzero(keep_node)
            csr = csr[kept][:, kept].tocsr()

    edges = gpd.GeoDataFrame(
        {
            "u": u.astype(np.int64),
            "v": v.astype(np.int64),
            "u_id": u_ids,
            "v_id": v_ids,
            "length_m": length,
            **attributes,
        },
        geometry=geoms,
        crs=crs,
    )
    return StreetNetwork(
        crs=crs,
        node_ids=node_ids,
        node_xy=node_xy,
        edges=edges,
        csr=csr,
        source=source,
        dropped_nodes=dropped,
        _slack_m=slack if np.all(np.hypot(*(node_xy[u] - node_xy[v]).T) <= length + 1e-6) else float("inf"),
    )


def _to_metric(crs: CRS, node_xy: np.ndarray) -> tuple[CRS, Callable[[np.ndarray], np.ndarray]]:
    """The UTM zone at the centre of the nodes (x/y in the unprojected ``crs``) and the projection
    of (k, 2) coordinates into it, metres."""
    from pyproj import Transformer

    metric = utm_crs_for_xy(node_xy, crs)
    transform = Transformer.from_crs(crs, metric, always_xy=True).transform

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(transform(xy[:, 0], xy[:, 1]))

    return metric, project


def _oriented(geoms: np.ndarray, node_xy: np.ndarray, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, float]:
    """The lines oriented from their ``u`` node to their ``v`` node, and how far their ends lie from
    those nodes, metres (see :attr:`StreetNetwork.straight_line_slack_m`)."""
    coords, which = shapely.get_coordinates(geoms, return_index=True)
    first = np.searchsorted(which, np.arange(len(geoms)))
    last = np.searchsorted(which, np.arange(len(geoms)), side="right") - 1
    flip = np.hypot(*(coords[last] - node_xy[u]).T) < np.hypot(*(coords[first] - node_xy[u]).T)
    geoms[flip] = shapely.reverse(geoms[flip])
    start = np.where(flip[:, None], coords[last], coords[first])
    end = np.where(flip[:, None], coords[first], coords[last])
    slack = float(np.r_[np.hypot(*(start - node_xy[u]).T), np.hypot(*(end - node_xy[v]).T)].max(initial=0.0))
    return geoms, slack


def min_weight_matrix(rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, n: int) -> sp.csr_matrix:
    """Directed (n, n) CSR matrix keeping the smallest weight where a (row, col) pair repeats.

    scipy sums duplicate entries when it builds a sparse matrix; for parallel streets the walker takes
    the shorter one, so duplicates must be reduced by minimum first.
    """
    # one int64 key per (row, col), sorted once; the CSR arrays come straight from the sorted keys
    key = rows.astype(np.int64) * n + cols
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(first)
    smallest = np.minimum.reduceat(weights[order], starts) if len(starts) else weights[:0]
    key = key[starts]
    indptr = np.searchsorted(key // n, np.arange(n + 1)) if n else np.zeros(1, dtype=np.int64)
    return sp.csr_matrix((smallest, key % n, indptr), shape=(n, n))


def _refuse_bad_nodes(ids: np.ndarray, xy: np.ndarray, *, geographic: bool, source: str) -> None:
    """Refuse nodes without finite coordinates, or (``geographic``) beyond ±180° longitude / ±90°
    latitude, naming each node id and its coordinates (``99 (116.3005, 999)``).

    Parameters
    ----------
    ids : ndarray
        Node ids, one per row of ``xy``.
    xy : ndarray of shape (n, 2)
        x/y (longitude/latitude in degrees when ``geographic``).
    """
    bad = ~np.isfinite(xy).all(axis=1)
    if geographic:
        bad |= (np.abs(np.nan_to_num(xy[:, 0])) > 180) | (np.abs(np.nan_to_num(xy[:, 1])) > 90)
    if bad.any():
        raise SitingInputError(
            msg("network_coordinates_bad"),
            source=_where(source),
            rows=[f"{ids[i]} ({xy[i, 0]:.10g}, {xy[i, 1]:.10g})" for i in np.flatnonzero(bad).tolist()],
            fix=msg("network_coordinates_bad_fix"),
        )


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _csr(u: np.ndarray, v: np.ndarray, length: np.ndarray, n: int) -> sp.csr_matrix:
    """Symmetric adjacency matrix: every street walkable both ways."""
    return min_weight_matrix(np.concatenate([u, v]), np.concatenate([v, u]), np.concatenate([length, length]), n)


def _require_file(path: Path) -> None:
    from siting.files import missing_file_fix, refuse_special_file

    if not path.exists():
        raise SitingInputError(msg("network_file_not_found"), source=str(path), fix=missing_file_fix(path))
    # a device or FIFO would be read forever, or wait for a writer
    refuse_special_file(path, str(path))
    if path.is_dir() and path.suffix.lower() != ".gdb":
        raise SitingInputError(msg("path_is_folder"), source=str(path), fix=msg("path_is_folder_fix"))


def from_osm_xml(path: str | Path, *, keep_largest: bool = True) -> StreetNetwork:
    """Walking network from an OpenStreetMap XML file (``.osm``), via ``osmnx.graph_from_xml``."""
    import osmnx as ox

    path = Path(path)
    _require_file(path)
    tags = ox.settings.useful_tags_way
    ox.settings.useful_tags_way = list(dict.fromkeys([*tags, "foot", "access", "area"]))
    try:
        # graph_from_xml keeps every way (rivers, walls, ...): filter before simplifying, or
        # simplification would merge a river into the streets it touches
        graph = ox.graph_from_xml(path, bidirectional=True, simplify=False, retain_all=True)
    except Exception as exc:  # OSMnx raises bare parser errors; say which file
        raise SitingInputError(
            msg("network_osm_unreadable", error=exc), source=str(path), fix=msg("network_osm_unreadable_fix")
        ) from exc
    finally:
        ox.settings.useful_tags_way = tags
    # before simplifying: the nodes inside a street become points of its line and are no longer checked
    _refuse_bad_nodes(*_node_xy(graph), geographic=True, source=str(path))
    graph = ox.simplify_graph(_walkable_subgraph(graph, str(path)))
    return from_graph(graph, source=str(path), keep_largest=keep_largest, walk_filter=False)


def from_pbf(path: str | Path, *, keep_largest: bool = True) -> StreetNetwork:
    """Walking network from an OpenStreetMap PBF extract (``.osm.pbf``), read without a networkx graph.

    The file is decoded into arrays (:func:`siting.street_files.read_pbf_ways`), the ways filtered
    for walking (:func:`_pbf_walkable`, the filter of pyrosm's ``network_type="walking"``), cut into
    segments between consecutive nodes and simplified as pyrosm and OSMnx simplify
    (:func:`_simplified`): the network pyrosm's graph gave, node for node, without the graph. A
    node at an impossible coordinate anywhere in the file is refused, named with its coordinates.
    """
    path = Path(path)
    _require_file(path)
    # the decoded file and the segments are dropped before the network is built from the edges
    node_ids, node_xy, crs, u, v, lines, attributes = _pbf_edges(path)
    return from_arrays(
        node_ids,
        node_xy,
        crs,
        u,
        v,
        lines,
        attributes,
        source=str(path),
        keep_largest=keep_largest,
        from_nodes=True,
        stacklevel=3,
    )


def _pbf_edges(path: Path) -> tuple[np.ndarray, np.ndarray, CRS, np.ndarray, np.ndarray, np.ndarray, dict]:
    """The walking network's nodes (ids, x/y in metres), CRS, edges (ends, lines, name and
    highway) of a PBF file, the edges oriented from ``u`` to ``v`` (see :func:`from_pbf`)."""
    from siting.street_files import read_pbf_ways

    try:
        ways = read_pbf_ways(path, _pbf_walkable)
    except Exception as exc:  # the decoder's errors on a file that is not PBF
        raise SitingInputError(
            msg("network_pbf_unreadable", error=exc), source=str(path), fix=msg("network_pbf_unreadable_fix")
        ) from exc
    _refuse_bad_nodes(ways.node_ids, ways.node_lonlat, geographic=True, source=str(path))
    if len(ways.way_ids) == 0:
        raise SitingInputError(msg("network_not_walkable"), source=str(path), fix=msg("network_not_walkable_fix"))
    # segments between consecutive nodes of each way (not from the end of one way to the next)
    inside = np.ones(len(ways.node_rows), dtype=bool)
    inside[ways.offsets[1:] - 1] = False
    starts = np.flatnonzero(inside)
    way_of_node = np.repeat(np.arange(len(ways.way_ids)), np.diff(ways.offsets))
    a, b, way = ways.node_rows[starts], ways.node_rows[starts + 1], way_of_node[starts]
    keep = (a != b) & ~_drawn_again(a, b, way, len(ways.node_ids))
    a, b, way = a[keep], b[keep], way[keep]
    if len(a) == 0:  # walkable ways of one node each
        raise SitingInputError(msg("network_not_walkable"), source=str(path), fix=msg("network_not_walkable_fix"))
    # tag values as codes, found once per way
    codes = {key: pd.factorize(ways.tags[key], use_na_sentinel=False) for key in ("highway", "maxspeed", "name")}
    u, v, points, point_edge, segment_edge = _simplified(
        a, b, [codes["highway"][0][way], codes["maxspeed"][0][way]], len(ways.node_ids)
    )
    if len(u) == 0:  # walkable ways that only close on themselves
        raise SitingInputError(msg("network_not_walkable"), source=str(path), fix=msg("network_not_walkable_fix"))
    # the network's nodes: the ends of its edges
    is_end = np.zeros(len(ways.node_ids), dtype=bool)
    is_end[u] = is_end[v] = True
    used = np.flatnonzero(is_end)
    index = np.cumsum(is_end) - 1
    # projected before the lines are drawn: each point once, not once per line through it
    crs, project = _to_metric(CRS.from_epsg(4326), ways.node_lonlat[used])
    node_xy = np.zeros_like(ways.node_lonlat)
    on_line = np.zeros(len(node_xy), dtype=bool)
    on_line[points] = True
    node_xy[on_line] = project(ways.node_lonlat[on_line])
    lines = shapely.linestrings(node_xy[points], indices=point_edge)
    name_code, names = codes["name"]
    first = _first_of(segment_edge)
    attributes = {
        "name": _chain_text(name_code[way], np.asarray(names, dtype=object), segment_edge, first),
        "highway": ways.tags["highway"][way][first],
    }
    return ways.node_ids[used], node_xy[used], crs, index[u], index[v], lines, attributes


def _drawn_again(a: np.ndarray, b: np.ndarray, way: np.ndarray, n_nodes: int) -> np.ndarray:
    """Segments a way draws a second time between the same two nodes (either direction): one
    street, as OSMnx's undirected graph has it. Only the rare pairs that repeat are compared by way."""
    pair = np.minimum(a, b).astype(np.int64) * n_nodes + np.maximum(a, b)
    order = np.argsort(pair, kind="stable")
    repeated = np.zeros(len(pair) + 1, dtype=bool)
    repeated[1:-1] = pair[order][1:] == pair[order][:-1]
    rows = np.sort(order[repeated[1:] | repeated[:-1]])
    again = np.zeros(len(pair), dtype=bool)
    again[rows] = pd.DataFrame({"pair": pair[rows], "way": way[rows]}).duplicated().to_numpy()
    return again


def _pbf_walkable(tags: Mapping[str, np.ndarray]) -> np.ndarray:
    """Which ways a pedestrian may use, by pyrosm's own walking filter (OSMnx's ``walk``, with OSM's
    access rules: the ``foot`` tag, else ``access``, closes a way), the filter pyrosm's network
    reader applies: a way is dropped when one of its tags holds a listed value, also as one of several
    (``access=private;delivery``).

    Parameters
    ----------
    tags : mapping of str to ndarray
        Each way's value (None where absent) of every tag the filter reads
        (:data:`siting.street_files.WAY_TAGS`).
    """
    from pyrosm.config.osm_filters import AccessRule, walking_filter

    def listed(values: np.ndarray, drops: Callable[[str], bool]) -> np.ndarray:
        # a file has few distinct values: each is looked at once
        column = pd.Series(values, dtype=object)
        verdict = {x: drops(x) for x in column.dropna().unique()}
        return column.map(verdict).fillna(False).to_numpy(dtype=bool)

    dropped = np.zeros(len(tags["highway"]), dtype=bool)
    for key, rule in walking_filter().items():
        if isinstance(rule, AccessRule):
            # the most specific access tag a way carries decides
            deciding = tags[rule.keys[-1]]
            for more_specific in reversed(rule.keys[:-1]):
                deciding = np.where(pd.isna(tags[more_specific]), deciding, tags[more_specific])
            dropped |= listed(deciding, partial(_closes, rule))
        else:
            dropped |= listed(tags[key], rule.__contains__)
    return ~dropped


def _closes(rule: Any, value: str) -> bool:
    """Whether the access value ``value`` of the tag deciding (pyrosm's ``AccessRule``) closes a way."""
    return bool(rule.closes({rule.keys[-1]: value}))


def _simplified(
    a: np.ndarray, b: np.ndarray, same_along: list[np.ndarray], n_nodes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Chains of segments through nodes that only carry a street's shape, merged into one edge each.

    OSMnx's and pyrosm's simplification, vectorized, for streets walked both ways: a node stays
    when it closes a loop, when it does not join exactly two segments to two different neighbours,
    or when its segments differ in a code of ``same_along`` (road class, speed limit); the other
    nodes become points of the lines. A closed ring of such nodes alone is dropped (it joins no other street).

    Parameters
    ----------
    a, b : ndarray of shape (s,)
        Each segment's two nodes (indices below ``n_nodes``), no segment from a node to itself.
    same_along : list of ndarray of shape (s,)
        Integer codes of values each merged edge has one of (road class, speed limit).
    n_nodes : int
        Number of nodes.

    Returns
    -------
    u, v : ndarray of shape (e,)
        Each merged edge's end nodes.
    points : ndarray
        The nodes of the edges' lines, edge after edge, each from ``u`` to ``v``.
    point_edge : ndarray
        The edge of each point (non-decreasing).
    segment_edge : ndarray of shape (s,)
        The edge each segment became part of, -1 for the dropped rings.
    """
    from scipy.sparse.csgraph import dijkstra

    n_segments = len(a)
    ends = np.r_[a, b]
    degree = np.bincount(ends, minlength=n_nodes)
    low, high = np.minimum(a, b), np.maximum(a, b)
    # distinct neighbour pairs (sorted: numpy's hashed np.unique is ten times slower)
    pairs = np.sort(low * n_nodes + high)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    neighbours = np.bincount(pairs // n_nodes, minlength=n_nodes) + np.bincount(pairs % n_nodes, minlength=n_nodes)
    endpoint = (degree != 2) | (neighbours != 2)
    for values in same_along:
        codes = np.tile(values, 2)
        lowest = np.full(n_nodes, np.iinfo(np.int64).max)
        highest = np.full(n_nodes, -1)
        np.minimum.at(lowest, ends, codes)
        np.maximum.at(highest, ends, codes)
        endpoint |= highest > lowest
    # the two segments of each inner node are links of one chain
    by_node = np.argsort(ends, kind="stable")
    inner = ~endpoint[ends[by_node]]
    pair = (by_node[inner] % n_segments).reshape(-1, 2)
    links = sp.coo_matrix((np.ones(len(pair)), (pair[:, 0], pair[:, 1])), shape=(n_segments, n_segments)).tocsr()
    _, chain = connected_components(links, directed=False)
    at_end = endpoint[a] | endpoint[b]
    # each chain is walked from its lowest segment at a kept node; a chain without one is a ring
    first = np.full(chain.max() + 1, n_segments)
    np.minimum.at(first, chain[at_end], np.flatnonzero(at_end))
    ring = first[chain] == n_segments
    starts = np.sort(first[first < n_segments])
    step = dijkstra(links, directed=False, indices=starts, unweighted=True, min_only=True)
    order = np.lexsort((step, chain))
    order = order[~ring[order]]
    if len(order) == 0:  # lone rings only: no street left
        none = np.zeros(0, dtype=np.int64)
        return none, none, none, none, np.full(n_segments, -1)
    seg_a, seg_b, seg_chain = a[order], b[order], chain[order]
    opens = np.r_[True, seg_chain[1:] != seg_chain[:-1]]
    # a chain's first segment enters at its kept node; each next one where it meets the one before
    entry = np.where(endpoint[seg_a], seg_a, seg_b)
    prev_a, prev_b = np.r_[-1, seg_a[:-1]], np.r_[-1, seg_b[:-1]]
    meets_a = (seg_a == prev_a) | (seg_a == prev_b)
    entry = np.where(opens, entry, np.where(meets_a, seg_a, seg_b))
    exit_ = np.where(entry == seg_a, seg_b, seg_a)
    edge_of = np.cumsum(opens) - 1
    closes = np.r_[opens[1:], True]
    n_edges = int(opens.sum())
    points = np.empty(len(order) + n_edges, dtype=np.int64)
    points[np.arange(len(order)) + edge_of] = entry
    points[np.flatnonzero(closes) + edge_of[closes] + 1] = exit_[closes]
    # each edge's points: one per segment, and its last node
    point_edge = np.repeat(np.arange(n_edges), np.bincount(edge_of, minlength=n_edges) + 1)
    segment_edge = np.full(n_segments, -1)
    segment_edge[order] = edge_of
    return entry[opens], exit_[closes], points, point_edge, segment_edge


def _first_of(group: np.ndarray) -> np.ndarray:
    """For each group 0..g-1 (every one present in ``group``; -1 ignored), its first row."""
    rows = np.flatnonzero(group >= 0)
    first = np.full(group.max() + 1, len(group))
    np.minimum.at(first, group[rows], rows)
    return first


def _chain_text(codes: np.ndarray, texts: np.ndarray, group: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Per group (``first``: its first row, :func:`_first_of`), its text, or its distinct texts sorted
    and joined by ``;`` when they differ (as a simplified OSMnx edge's list reads, :func:`_as_text`);
    the rows' texts are ``texts[codes]``."""
    rows = np.flatnonzero(group >= 0)
    lowest = np.full(group.max() + 1, np.iinfo(np.int64).max)
    highest = np.full(group.max() + 1, -1)
    np.minimum.at(lowest, group[rows], codes[rows])
    np.maximum.at(highest, group[rows], codes[rows])
    text = texts[codes[first]]
    mixed = np.flatnonzero(highest > lowest)
    if len(mixed):
        by_group = rows[np.argsort(group[rows], kind="stable")]
        starts = np.searchsorted(group[by_group], mixed)
        stops = np.searchsorted(group[by_group], mixed, side="right")
        for g, start, stop in zip(mixed.tolist(), starts.tolist(), stops.tolist(), strict=True):
            text[g] = _as_text([x for x in texts[codes[by_group[start:stop]]].tolist() if x is not None])
    return text


def from_graphml(path: str | Path, *, keep_largest: bool = True) -> StreetNetwork:
    """Network from a GraphML file saved by OSMnx (``osmnx.save_graphml``), read without a networkx graph.

    The file is streamed into arrays (:func:`siting.street_files.read_graphml`) and read as OSMnx
    reads it: list values (``['主干路', '支路']``) as lists, lines from their WKT, the walking filter
    when the edges carry ``highway`` tags, and a pair of edges that are one street walked both ways
    (same ``osmid``, same line reversed) as one edge, as :func:`osmnx.convert.to_undirected` does.
    """
    path = Path(path)
    _require_file(path)
    # the file's columns are dropped before the network is built from the edges kept
    node_ids, node_xy, crs, u, v, geoms, attributes = _graphml_edges(path)
    return from_arrays(
        node_ids, node_xy, crs, u, v, geoms, attributes, source=str(path), keep_largest=keep_largest, stacklevel=3
    )


def _graphml_edges(path: Path) -> tuple[np.ndarray, np.ndarray, CRS, np.ndarray, np.ndarray, np.ndarray, dict]:
    """The nodes (ids, x/y), CRS and undirected walkable edges (ends, lines, name and highway) of an
    OSMnx GraphML file (see :func:`from_graphml`)."""
    from siting.street_files import read_graphml

    source = str(path)

    def unreadable(exc: Exception) -> SitingInputError:
        return SitingInputError(
            msg("network_graphml_unreadable", error=exc), source=source, fix=msg("network_graphml_unreadable_fix")
        )

    try:
        read = read_graphml(path)
        u, v = np.split(_index_of(read.node_ids, np.r_[read.source, read.target]), 2)
        geoms = shapely.from_wkt(read.values["geometry"])
    except Exception as exc:  # the XML parser's, shapely's and our own ValueError: say which file
        raise unreadable(exc) from exc
    if len(u) == 0:
        raise SitingInputError(msg("network_no_edges"), source=_where(source), fix=msg("network_no_edges_fix"))
    if read.crs is None:
        raise SitingInputError(msg("network_no_crs"), source=_where(source), fix=msg("network_no_crs_fix"))
    crs = _parse_crs(read.crs, source)
    tags = {key: _graphml_lists(read.values[key]) for key in (*_WALK_TAGS, "name")}
    node_ids, node_xy = read.node_ids, read.node_xy
    if any(x is not None for x in tags["highway"]):
        keep = _walkable(*(tags[key] for key in _WALK_TAGS))
        if not keep.any():
            raise SitingInputError(
                msg("network_not_walkable"), source=_where(source), fix=msg("network_not_walkable_fix")
            )
        u, v, geoms = u[keep], v[keep], geoms[keep]
        tags = {key: values[keep] for key, values in tags.items()}
        osmid = read.values["osmid"][keep]
        # the nodes left without a street go with them
        used = np.zeros(len(node_ids), dtype=bool)
        used[u] = used[v] = True
        index = np.cumsum(used) - 1
        node_ids, node_xy, u, v = node_ids[used], node_xy[used], index[u], index[v]
    else:
        osmid = read.values["osmid"]
    once = _one_way_each(u, v, osmid, geoms)
    attributes = {key: _texts(tags[key][once]) for key in ("name", "highway")}
    return node_ids, node_xy, crs, u[once], v[once], geoms[once], attributes


def _index_of(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Row of each of ``wanted`` in ``ids``; ValueError naming an id that is not there."""
    order = np.argsort(ids, kind="stable")
    at = np.minimum(np.searchsorted(ids, wanted, sorter=order), len(ids) - 1)
    rows = order[at] if len(ids) else np.zeros(len(wanted), dtype=np.int64)
    absent = np.flatnonzero(ids[rows] != wanted) if len(ids) else np.arange(len(wanted))
    if len(absent):
        raise ValueError(f"an edge ends at node {wanted[absent[0]]}, which the file does not hold")
    return rows


def _graphml_lists(values: np.ndarray) -> np.ndarray:
    """GraphML texts as OSMnx loads them: ``[...]`` as a list (merged edges), the rest as given."""
    import ast

    # a city's edges share a few texts: each distinct one is looked at once
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    distinct = np.asarray(distinct, dtype=object)
    for i, text in enumerate(distinct.tolist()):
        if isinstance(text, str) and text.startswith("[") and text.endswith("]"):
            with contextlib.suppress(SyntaxError, ValueError):
                distinct[i] = ast.literal_eval(text)
    return distinct[codes]


def _texts(values: np.ndarray) -> np.ndarray:
    """Values as :func:`_as_text` shows them; only the lists (merged edges) need it."""
    out = values.copy()
    lists = np.flatnonzero(pd.Series(values, dtype=object).map(type).eq(list).to_numpy())
    out[lists] = [_as_text(x) for x in values[lists].tolist()]
    return out


def _one_way_each(u: np.ndarray, v: np.ndarray, osmid: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Rows of directed edges to keep as undirected ones: of the edges between the same two nodes
    with the same ``osmid`` (as a set, for merged edges) and the same line in either direction
    (or both without one), the first; as :func:`osmnx.convert.to_undirected` keeps them."""
    ids = _texts(
        pd.Series(_graphml_lists(osmid), dtype=object)
        .map(lambda x: sorted(set(x)) if isinstance(x, list) else x)
        .to_numpy(dtype=object)
    )
    line = np.full(len(geoms), b"", dtype=object)
    given = np.flatnonzero(~shapely.is_missing(geoms))
    forward, backward = shapely.to_wkb(geoms[given]), shapely.to_wkb(shapely.reverse(geoms[given]))
    line[given] = np.where(forward <= backward, forward, backward)
    table = pd.DataFrame({"a": np.minimum(u, v), "b": np.maximum(u, v), "osmid": ids, "line": line})
    return np.flatnonzero(~table.duplicated().to_numpy())


def from_lines(
    lines: str | Path | gpd.GeoDataFrame,
    *,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    snap_tolerance_m: float = defaults.LINE_GAP_M,
    keep_largest: bool = True,
) -> StreetNetwork:
    """Network from road centrelines (GeoPackage, Shapefile, GeoJSON or a GeoDataFrame of lines).

    Lines are noded, i.e. split wherever they cross or touch, so that crossing streets connect;
    endpoints closer than ``snap_tolerance_m`` are merged, which closes the small gaps that
    CAD-drawn centrelines often have. Each segment keeps the street name and road class of the line
    it was cut from (:func:`road_attributes`); a warning says when the layer names no street.

    Parameters
    ----------
    lines : path or GeoDataFrame
        LineString/MultiLineString features with a CRS.
    layer : str, optional
        Layer name for multi-layer files.
    columns : mapping, optional
        ``{"name": 道路名称列, "class": 道路等级列}`` when the headers are none of :data:`ROAD_COLUMNS`.
    snap_tolerance_m : float
        Endpoints within this distance (metres) become one node.
    """
    import networkx as nx
    from scipy.spatial import cKDTree

    source = str(lines) if not isinstance(lines, gpd.GeoDataFrame) else "GeoDataFrame argument"
    where = msg("where_argument", name="lines") if isinstance(lines, gpd.GeoDataFrame) else source
    if not isinstance(lines, gpd.GeoDataFrame):
        path = Path(lines)
        _require_file(path)
        from siting.inputs import read_layer

        lines = read_layer(path, layer=layer)
    if lines.crs is None:
        raise SitingInputError(msg("layer_no_crs"), source=where, layer=layer, fix=msg("layer_no_crs_fix"))
    geoms = lines.geometry.values
    types = shapely.get_type_id(geoms)
    bad = np.flatnonzero(~np.isin(types, [1, 5]))  # LineString, MultiLineString
    if len(bad):
        raise SitingInputError(
            msg("network_not_lines"),
            source=where,
            layer=layer,
            column="geometry",
            rows=lines.index[bad].tolist(),
            fix=msg("network_not_lines_fix"),
        )
    names, classes = road_attributes(lines, columns, where=where, layer=layer)
    metric = lines.to_crs(lines.crs if lines.crs.is_projected else utm_crs_for(lines))
    # union_all splits lines at every crossing and touch: its parts are the street segments
    segments = shapely.get_parts(shapely.union_all(metric.geometry.values))
    segments = segments[shapely.length(segments) > 0]
    # a closed loop (a cul-de-sac ring) would join a node to itself; halve it so both halves stay streets
    loop = shapely.distance(shapely.get_point(segments, 0), shapely.get_point(segments, -1)) <= snap_tolerance_m
    if loop.any():
        halves = [substring(g, a, b, normalized=True) for g in segments[loop] for a, b in ((0, 0.5), (0.5, 1))]
        segments = np.concatenate([segments[~loop], np.array(halves, dtype=object)])
    ends = np.vstack(
        [
            shapely.get_coordinates(shapely.get_point(segments, 0)),
            shapely.get_coordinates(shapely.get_point(segments, -1)),
        ]
    )
    # endpoints within the tolerance are one node (closes the small gaps of hand-drawn centrelines)
    close = cKDTree(ends).query_pairs(snap_tolerance_m, output_type="ndarray")
    same = sp.coo_matrix((np.ones(len(close)), (close[:, 0], close[:, 1])), shape=(len(ends), len(ends)))
    _, node_of_end = connected_components(same, directed=False)
    xy = np.zeros((node_of_end.max() + 1, 2))
    np.add.at(xy, node_of_end, ends)
    xy /= np.bincount(node_of_end)[:, None]
    u, v = node_of_end[: len(segments)], node_of_end[len(segments) :]
    # a segment lies on the line it was cut from: the line nearest its midpoint gives its attributes
    middle = shapely.line_interpolate_point(segments, 0.5, normalized=True)
    _, line_of = shapely.STRtree(metric.geometry.values).query_nearest(middle, all_matches=False)
    graph = nx.MultiDiGraph(crs=metric.crs)
    graph.add_nodes_from((i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(xy))
    # OSMnx tells parallel edges apart by 'osmid': two lines between the same two nodes are two streets
    graph.add_edges_from(
        (int(a), int(b), {"geometry": g, "length": float(ln), "osmid": i, "name": nm, "highway": cl})
        for i, (a, b, g, ln, nm, cl) in enumerate(
            zip(u, v, segments, shapely.length(segments), names[line_of], classes[line_of], strict=True)
        )
        if a != b
    )
    return from_graph(graph, source=source, keep_largest=keep_largest, walk_filter=False)


def road_attributes(
    lines: gpd.GeoDataFrame, columns: Mapping[str, str] | None, *, where: str | Message, layer: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each line's street name and road class (an OSM ``highway`` value), None where unknown.

    The columns are ``columns["name"]``/``columns["class"]`` when given, else the first header of
    :data:`ROAD_COLUMNS` the layer has. Chinese classes become OSM values (:data:`ROAD_CLASS_VALUES`);
    other values (OSM's own, from Geofabrik's ``fclass``) are kept. Warns when no line has a name.
    """
    from siting.inputs import column_hint

    columns = dict(columns or {})
    unknown = sorted(set(columns) - set(ROAD_COLUMNS))
    if unknown:
        raise SitingInputError(
            msg("mapping_unknown", names=unknown),
            source=where,
            layer=layer,
            fix=msg("mapping_unknown_fix", names=list(ROAD_COLUMNS)),
        )
    headers = {str(c).strip().lower(): c for c in lines.columns if c != lines.geometry.name}
    found: dict[str, Any] = {}
    for target, synonyms in ROAD_COLUMNS.items():
        if target in columns:
            if columns[target] not in lines.columns:
                raise SitingInputError(
                    msg(
                        "mapping_missing",
                        column=columns[target],
                        target=target,
                        columns=list(map(str, headers.values())),
                    ),
                    source=where,
                    layer=layer,
                    column=columns[target],
                    fix=column_hint(lines, target, synonyms, section="network"),
                )
            found[target] = columns[target]
        else:
            found[target] = next((headers[s.lower()] for s in synonyms if s.lower() in headers), None)
    values = {}
    for target, column in found.items():
        text = pd.Series(None, index=lines.index, dtype=object) if column is None else lines[column]
        text = text.where(text.notna(), "").astype(str).str.strip().to_numpy(dtype=object)
        text[text == ""] = None
        values[target] = text
    if not any(values["name"]):
        warnings.warn(
            SitingWarning(
                msg("network_no_names", columns=list(map(str, headers.values())) or "—"),
                source=where,
                layer=layer,
                fix=column_hint(lines, "name", ROAD_COLUMNS["name"], section="network"),
            ),
            stacklevel=3,
        )
    # a county's layer has a few classes over many lines: each distinct one is read once
    known = {c: _road_class(c) for c in set(values["class"]) - {None}}
    return values["name"], np.array([known.get(c) for c in values["class"]], dtype=object)


def _road_class(value: str) -> str:
    """A road class as an OSM ``highway`` value: 城市主干路 → primary; OSM values and others as given."""
    for key in sorted(ROAD_CLASS_VALUES, key=len, reverse=True):
        if key in value:
            return ROAD_CLASS_VALUES[key]
    return value.lower() if value.isascii() else value


def _require_online(url: str, description: Message) -> None:
    """Fail in seconds, not after OSMnx's minute of retries, when the OSM servers cannot be reached."""
    import socket
    from urllib.parse import urlparse

    host = urlparse(url).hostname or url
    try:
        socket.create_connection((host, 443), timeout=5).close()
    except OSError as exc:
        raise SitingInputError(
            msg("network_offline", what=description, host=host, error=exc), fix=msg("network_offline_fix")
        ) from exc


def _download(fetch, description: Message, url: str) -> nx.MultiDiGraph:
    _require_online(url, description)
    try:
        return fetch(network_type="walk", simplify=True, retain_all=False)
    except Exception as exc:  # requests' ConnectionError, Overpass errors, geocoder errors
        raise SitingInputError(
            msg("network_download_failed", what=description, error=f"{type(exc).__name__}: {exc}"),
            fix=msg("network_download_failed_fix"),
        ) from exc


def from_place(place: str, *, keep_largest: bool = True) -> StreetNetwork:
    """Walking network of a named place (e.g. ``"东阿县, 聊城市, 山东省"``), downloaded with OSMnx.

    Needs internet access (Nominatim and Overpass); fails with a clear :class:`SitingInputError` offline.
    """
    import osmnx as ox

    graph = _download(
        lambda **kw: ox.graph_from_place(place, **kw), msg("network_place", place=place), ox.settings.nominatim_url
    )
    return from_graph(graph, source=f"place: {place}", keep_largest=keep_largest)


def from_bbox(bbox: tuple[float, float, float, float], *, keep_largest: bool = True) -> StreetNetwork:
    """Walking network inside a WGS84 bounding box ``(west, south, east, north)`` in degrees, via OSMnx."""
    import osmnx as ox

    west, south, east, north = map(float, bbox)
    if not (west < east and south < north):
        raise SitingInputError(
            msg("network_bbox_invalid", bbox=bbox),
            source=msg("where_argument", name="bbox"),
            fix=msg("network_bbox_invalid_fix"),
        )
    graph = _download(
        lambda **kw: ox.graph_from_bbox((west, south, east, north), **kw),
        msg("network_bbox", bbox=bbox),
        ox.settings.overpass_url,
    )
    return from_graph(graph, source=f"bbox: {bbox}", keep_largest=keep_largest)


def from_file(
    path: str | Path,
    *,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    keep_largest: bool = True,
) -> StreetNetwork:
    """Walking network from a local file, the format told by its name.

    ``.osm``/``.xml``: OpenStreetMap XML; ``.osm.pbf``/``.pbf``: OpenStreetMap PBF; ``.graphml``:
    OSMnx GraphML; ``.gpkg``/``.shp``/``.geojson``/``.json``/``.fgb``: road centrelines, whose
    street name and class columns ``columns`` may name (see :func:`from_lines`).
    """
    from siting.files import refuse_special_file, similar_files

    path = Path(path)
    refuse_special_file(path)
    name = path.name.lower()
    if columns and path.suffix.lower() not in LINE_SUFFIXES:
        raise SitingInputError(
            msg("network_columns_lines_only"), source=str(path), fix=msg("network_columns_lines_only_fix")
        )
    if name.endswith(".pbf"):
        return from_pbf(path, keep_largest=keep_largest)
    if name.endswith((".osm", ".xml", ".osm.bz2")):
        return from_osm_xml(path, keep_largest=keep_largest)
    if name.endswith(".graphml"):
        return from_graphml(path, keep_largest=keep_largest)
    if path.suffix.lower() in LINE_SUFFIXES:
        return from_lines(path, layer=layer, columns=columns, keep_largest=keep_largest)
    if not path.exists() and similar_files(path):
        _require_file(path)  # a misspelt extension (.gpkq): the file meant is beside it
    raise SitingInputError(
        msg("network_format_unknown", suffix=path.suffix), source=str(path), fix=msg("network_format_unknown_fix")
    )
