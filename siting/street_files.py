"""Street files read into arrays: OpenStreetMap PBF ways and OSMnx GraphML, without a networkx graph.

A city's street graph in networkx costs gigabytes of Python objects before
:mod:`siting.network` reads it into arrays; these readers go from the file to the arrays
directly. They parse only: which ways are walkable and how the network is built from them is
:mod:`siting.network`'s job.

PBF is read with pyosmium (libosmium), which decodes the file in C++ and keeps a node location
index, so that every way arrives with its nodes' coordinates. Python sees only the ways with a
``highway`` tag (a C++ filter drops the rest) and, of those, reads the nodes of the ways the caller
keeps: on a generated city of a million street nodes that is under a second (measured in
``benchmarks/optimize.py``, step ``read``), where a hand-written numpy decoder of the protobuf
blocks would have to re-implement what libosmium already does well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

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

#: libosmium's coordinate of a node that the file does not hold (a way clipped by the extract).
_UNDEFINED = 2**31 - 1


@dataclass
class PbfWays:
    """The kept ways of a PBF file with their nodes, flat.

    Attributes
    ----------
    way_ids : ndarray of shape (w,)
        OSM way ids.
    tags : dict of str to ndarray of shape (w,)
        The :data:`WAY_TAGS` of each way, None where absent.
    offsets : ndarray of shape (w + 1,)
        Way ``i``'s nodes are ``node_refs[offsets[i]:offsets[i + 1]]``.
    node_refs : ndarray of shape (r,)
        OSM node ids along the ways, in way order.
    node_lonlat : ndarray of shape (r, 2)
        Their longitude/latitude in degrees, as libosmium stores them (1e-7° integers; a
        coordinate beyond ±214.7° does not fit and arrives wrapped, see :attr:`invalid`).
    invalid : ndarray of shape (r,) of bool
        Nodes whose location libosmium holds as invalid (beyond ±180°/±90° once decoded).
    """

    way_ids: np.ndarray
    tags: dict[str, np.ndarray]
    offsets: np.ndarray
    node_refs: np.ndarray
    node_lonlat: np.ndarray
    invalid: np.ndarray


def read_pbf_ways(path: Path, keep: Callable[[Mapping[str, str | None]], bool]) -> PbfWays:
    """The ways with a ``highway`` tag that ``keep`` accepts (given their :data:`WAY_TAGS`), with
    their nodes' ids and coordinates, in one pass over the file.

    Nodes the file does not hold (ways cut by the extract's edge) are left out of their ways, as
    pyrosm leaves them out. Raises whatever pyosmium raises on a file it cannot read.
    """
    import osmium

    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    way_ids: list[int] = []
    values: dict[str, list[str | None]] = {key: [] for key in WAY_TAGS}
    counts: list[int] = []
    nodes: list[tuple[int, int, int]] = []
    for obj in processor:
        way = cast("osmium.osm.Way", obj)  # the entity filter passes ways only
        tags = {key: way.tags.get(key) for key in WAY_TAGS}
        if not keep(tags):
            continue
        way_ids.append(way.id)
        for key, value in tags.items():
            values[key].append(value)
        before = len(nodes)
        nodes.extend([(n.ref, n.x, n.y) for n in way.nodes])
        counts.append(len(nodes) - before)
    table = np.array(nodes, dtype=np.int64).reshape(-1, 3)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    missing = table[:, 1] == _UNDEFINED
    if missing.any():
        way_of = np.repeat(np.arange(len(counts)), counts)[~missing]
        table = table[~missing]
        np.cumsum(np.bincount(way_of, minlength=len(counts)), out=offsets[1:])
    lonlat = table[:, 1:] / 1e7
    invalid = (np.abs(lonlat[:, 0]) > 180) | (np.abs(lonlat[:, 1]) > 90)
    return PbfWays(
        way_ids=np.asarray(way_ids, dtype=np.int64),
        tags={key: np.array(column, dtype=object) for key, column in values.items()},
        offsets=offsets,
        node_refs=table[:, 0].copy(),
        node_lonlat=lonlat,
        invalid=invalid,
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
