"""Street files read into arrays: OpenStreetMap PBF ways and OSMnx GraphML, without a networkx graph.

A city's street graph in networkx costs gigabytes of Python objects before
:mod:`siting.network` reads it into arrays; these readers go from the file to the arrays
directly. They parse only: which ways are walkable and how the network is built from them is
:mod:`siting.network`'s job.

PBF is decoded by pyrosm's compiled block decoder (``pyrosm.pbfreader.parse_osm_data``), which
gives the nodes and the ways as flat arrays (ids, coordinates, node references and tag string
indices with offsets), so no Python runs per node or per way. pyosmium was measured first: its
C++ decoding is fast, but a way's nodes reach Python one wrapped object at a time, about 7 µs per
node reference, i.e. 1.9 s of CPU for the generated county's 224,000 references against 0.17 s for
pyrosm's decoder; a city would have taken 15-20 s. pyrosm's decoder also keeps a node's coordinates
as the file gives them, so an impossible latitude of 999° is named as written (libosmium stores
coordinates in 32 bits and wraps it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: The OSM way tags a walking network reads: the walking filter's and the edges' columns.
WAY_TAGS = (
    "highway",
    "area",
    "access",
    "foot",
    "service",
    "sidewalk",
    "sidewalk:both",
    "sidewalk:left",
    "sidewalk:right",
    "maxspeed",
    "name",
)


@dataclass
class PbfWays:
    """The kept ways of a PBF file with their nodes, flat, and every node of the file.

    Attributes
    ----------
    way_ids : ndarray of shape (w,)
        OSM way ids.
    tags : dict of str to ndarray of shape (w,)
        The :data:`WAY_TAGS` of each way, None where absent.
    offsets : ndarray of shape (w + 1,)
        Way ``i``'s nodes are ``node_rows[offsets[i]:offsets[i + 1]]``.
    node_rows : ndarray of shape (r,)
        The ways' nodes, as rows of :attr:`node_ids`, in way order (nodes the file does not hold,
        where the extract cut a way, are left out, as pyrosm leaves them out).
    node_ids : ndarray of shape (n,)
        Every node of the file, ascending.
    node_lonlat : ndarray of shape (n, 2)
        Their longitude/latitude in degrees, as written in the file.
    """

    way_ids: np.ndarray
    tags: dict[str, np.ndarray]
    offsets: np.ndarray
    node_rows: np.ndarray
    node_ids: np.ndarray
    node_lonlat: np.ndarray


def read_pbf_ways(path: Path, keep: Callable[[Mapping[str, np.ndarray]], np.ndarray]) -> PbfWays:
    """The ways with a ``highway`` tag that ``keep`` accepts (given their :data:`WAY_TAGS` as
    arrays, returning a boolean per way), with their nodes, and every node of the file.

    Raises whatever pyrosm's decoder raises on a file it cannot read.
    """
    from pyrosm.pbfreader import parse_osm_data

    decoded = parse_osm_data(str(path), None, True, None, keep_metadata=False)
    nodes, store = decoded[0], decoded[1]
    blocks = [nodes] if isinstance(nodes, dict) else list(nodes)
    node_ids = np.concatenate([np.asarray(b["id"], dtype=np.int64) for b in blocks])
    node_lonlat = np.column_stack(
        [np.concatenate([np.asarray(b[axis], dtype=float) for b in blocks]) for axis in ("lon", "lat")]
    )
    order = np.argsort(node_ids, kind="stable")
    node_ids, node_lonlat = node_ids[order], node_lonlat[order]
    # each way's value of each tag, as a row of the string table (the last row: None, for absent)
    strings = np.array([*store.strings, None], dtype=object)
    where = {text: i for i, text in enumerate(store.strings) if text in WAY_TAGS}
    way_of_tag = np.repeat(np.arange(len(store.ids)), np.diff(store.tags_off))
    tags = {}
    for key in WAY_TAGS:
        value = np.full(len(store.ids), -1, dtype=np.int64)
        has = np.asarray(store.keys) == where.get(key, -2)
        value[way_of_tag[has]] = np.asarray(store.vals)[has]
        tags[key] = strings[value]
    kept = np.flatnonzero((tags["highway"] != None) & keep(tags))  # noqa: E711 (elementwise)
    refs_off = np.asarray(store.refs_off)
    counts = np.diff(refs_off)[kept]
    starts = np.repeat(refs_off[kept] - np.r_[0, np.cumsum(counts)[:-1]], counts)
    refs = np.asarray(store.refs)[np.arange(counts.sum()) + starts]
    way_of_ref = np.repeat(np.arange(len(kept)), counts)
    rows = np.minimum(np.searchsorted(node_ids, refs), max(len(node_ids) - 1, 0))
    held = node_ids[rows] == refs if len(node_ids) else np.zeros(len(refs), dtype=bool)
    offsets = np.zeros(len(kept) + 1, dtype=np.int64)
    np.cumsum(np.bincount(way_of_ref[held], minlength=len(kept)), out=offsets[1:])
    return PbfWays(
        way_ids=np.asarray(store.ids, dtype=np.int64)[kept],
        tags={key: values[kept] for key, values in tags.items()},
        offsets=offsets,
        node_rows=rows[held],
        node_ids=node_ids,
        node_lonlat=node_lonlat,
    )


#: The edge attributes of an OSMnx GraphML file a walking network reads.
GRAPHML_EDGE_KEYS = ("osmid", "geometry", "name", "highway", "area", "foot", "access")

_GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@dataclass
class GraphmlEdges:
    """An OSMnx GraphML file's nodes and directed edges as arrays.

    Attributes
    ----------
    crs : str or None
        The graph's ``crs`` attribute.
    node_ids : ndarray of shape (n,)
        Node ids (integers, as OSMnx loads them).
    node_xy : ndarray of shape (n, 2)
        Node ``x``/``y`` in ``crs``, NaN where missing or not a number.
    source, target : ndarray of shape (m,)
        Each edge's end node ids.
    values : dict of str to ndarray of shape (m,)
        The :data:`GRAPHML_EDGE_KEYS` as written (text, None where absent).
    """

    crs: str | None
    node_ids: np.ndarray
    node_xy: np.ndarray
    source: np.ndarray
    target: np.ndarray
    values: dict[str, np.ndarray]


def read_graphml(path: Path) -> GraphmlEdges:
    """The nodes and edges of a GraphML file saved by ``osmnx.save_graphml``, streamed.

    Elements are cleared as soon as they are read, so that a city's file never stands in memory
    as a tree. Raises ``ValueError`` when the nodes have no ``x``/``y`` or ids that are not
    integers (not a file OSMnx wrote), and what the XML parser raises on a broken file.
    """
    from xml.etree.ElementTree import iterparse

    keys: dict[str, tuple[str, str]] = {}  # key id -> (graph, node or edge; attribute name)
    graph: dict[str, str | None] = {}
    node_ids: list[str] = []
    xs: list[str | None] = []
    ys: list[str | None] = []
    ends: list[tuple[str | None, str | None]] = []
    values: dict[str, list[str | None]] = {key: [] for key in GRAPHML_EDGE_KEYS}
    data: dict[str, str | None] = {}
    parent = None
    for event, element in iterparse(path, events=("start", "end")):
        tag = element.tag.removeprefix(_GRAPHML)
        if event == "start":
            if tag == "graph":
                parent = element
            continue
        if tag == "data":
            domain, name = keys.get(element.get("key", ""), ("", ""))
            (graph if domain == "graph" else data)[name] = element.text
        elif tag == "key":
            keys[element.get("id", "")] = (element.get("for", ""), element.get("attr.name", ""))
        elif tag in ("node", "edge"):
            if tag == "node":
                node_ids.append(element.get("id", ""))
                xs.append(data.get("x"))
                ys.append(data.get("y"))
            else:
                ends.append((element.get("source"), element.get("target")))
                for key, column in values.items():
                    column.append(data.get(key))
            data = {}
            if parent is not None:
                parent.clear()  # the graph element would keep every node and edge read
    names = {name for _, name in keys.values()}
    if not {"x", "y"} <= names:
        raise ValueError("the nodes have no x/y coordinates: not a graph saved by osmnx.save_graphml")
    ids = np.array(node_ids, dtype=object)
    pairs = np.array(ends, dtype=object).reshape(-1, 2)
    return GraphmlEdges(
        crs=graph.get("crs"),
        node_ids=ids.astype(np.int64),
        node_xy=np.column_stack([_numbers(xs), _numbers(ys)]),
        source=pairs[:, 0].astype(np.int64),
        target=pairs[:, 1].astype(np.int64),
        values={key: np.array(column, dtype=object) for key, column in values.items()},
    )


def _numbers(texts: list[str | None]) -> np.ndarray:
    """Texts as floats, NaN where missing or not a number."""
    import pandas as pd

    return pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce").to_numpy(dtype=float)
