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

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from siting.arrays import concat_ranges

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
    refs = np.asarray(store.refs)[concat_ranges(refs_off[kept], counts)]
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


#: The elements of a GraphML file as networkx (and so ``osmnx.save_graphml``) writes them: a node
#: with its id first, an edge with its source and target first, a data value, a key declaration.
_TOKENS = re.compile(
    r'<node\s+id="([^"]*)"[^>]*>'
    r'|<edge\s+source="([^"]*)"\s+target="([^"]*)"[^>]*>'
    r'|<data\s+key="([^"]*)"\s*>([^<]*)</data>'
    r"|<key\s([^>]*)>"
)
_ATTRIBUTE = re.compile(r'([\w.]+)="([^"]*)"')
#: Bytes read at a time: a city's file is streamed, never held whole.
_CHUNK_BYTES = 8 * 2**20


def read_graphml(path: Path) -> GraphmlEdges:
    """The nodes and edges of a GraphML file saved by ``osmnx.save_graphml``, streamed.

    The file is read in chunks (8 MB) cut after a whole node or edge, each chunk scanned by one regular
    expression for its nodes, edges and data values, which are assigned to their elements with
    numpy. An XML parser was measured first: ``xml.etree.ElementTree.iterparse`` takes 5 s of CPU
    for the generated county's 90 MB (108,900 nodes, 400,000 directed edges), expat with handlers
    3.7 s, this scan 0.5 s; a city's file is ten times that. The scan reads the layout networkx
    writes (a node's ``id`` and an edge's ``source``/``target`` first) and refuses other layouts.

    Raises ``ValueError`` when the file is not in that layout, when the nodes have no ``x``/``y``,
    or when ids are not integers (as OSMnx loads them): not a file OSMnx wrote.
    """
    keys: dict[str, tuple[str, str]] = {}  # key id -> (graph, node or edge; attribute name)
    graph: dict[str, str] = {}
    parts: dict[str, list[np.ndarray]] = {
        name: [] for name in ("node_id", "x", "y", "source", "target", *GRAPHML_EDGE_KEYS)
    }
    rest = ""
    with open(path, encoding="utf-8") as handle:
        while True:
            block = handle.read(_CHUNK_BYTES)
            text = rest + block
            cut = len(text) if not block else max(text.rfind("</node>"), text.rfind("</edge>"), -1)
            if cut < 0:  # no whole element yet (the header, or a long one): read on
                if not block:
                    break
                rest = text
                continue
            cut = cut if not block else text.index(">", cut) + 1
            chunk, rest = text[:cut], text[cut:]
            _scan(chunk, keys, graph, parts)
            if not block:
                break
    names = {name for _, name in keys.values()}
    if not {"x", "y"} <= names:
        raise ValueError("the nodes have no x/y coordinates: not a graph saved by osmnx.save_graphml")

    def joined(name: str, dtype: type) -> np.ndarray:
        return np.concatenate(parts[name]) if parts[name] else np.zeros(0, dtype=dtype)

    return GraphmlEdges(
        crs=graph.get("crs"),
        node_ids=joined("node_id", np.int64),
        node_xy=np.column_stack([joined("x", float), joined("y", float)]),
        source=joined("source", np.int64),
        target=joined("target", np.int64),
        values={key: joined(key, object) for key in GRAPHML_EDGE_KEYS},
    )


def _scan(
    chunk: str, keys: dict[str, tuple[str, str]], graph: dict[str, str], parts: dict[str, list[np.ndarray]]
) -> None:
    """Nodes, edges and their data values of one chunk of whole elements, appended to ``parts``."""
    import html

    import pandas as pd

    tokens = _TOKENS.findall(chunk)
    if not tokens:
        return
    # one (tokens, 6) table: three times faster than unzipping the tuples into columns
    table = np.array(tokens, dtype=object)
    node_id, source, target, key, value, declaration = table.T
    declarations = [d for d in declaration.tolist() if d]
    # the key column compared as codes, once: comparing object arrays once per key costs seconds
    key_code, key_ids = pd.factorize(key)
    is_node, is_edge = node_id.astype(bool), source.astype(bool)
    if is_node.sum() != chunk.count("<node") or is_edge.sum() != chunk.count("<edge"):
        raise ValueError("the nodes or edges are not written as networkx writes GraphML")
    for attributes in declarations:
        found = dict(_ATTRIBUTE.findall(attributes))
        keys[found.get("id", "")] = (found.get("for", ""), found.get("attr.name", ""))
    node_of = np.cumsum(is_node) - 1  # the node (edge) each data value follows, in this chunk
    edge_of = np.cumsum(is_edge) - 1
    n_nodes, n_edges = int(is_node.sum()), int(is_edge.sum())
    # ids as integers at once (OSMnx loads them so): a city's ids as text would take hundreds of MB
    parts["node_id"].append(node_id[is_node].astype(np.int64))
    parts["source"].append(source[is_edge].astype(np.int64))
    parts["target"].append(target[is_edge].astype(np.int64))
    wanted = {("node", "x"), ("node", "y")} | {("edge", k) for k in GRAPHML_EDGE_KEYS}
    code_of = {k: i for i, k in enumerate(key_ids.tolist()) if k != ""}
    for kid, (domain, name) in keys.items():
        rows = np.flatnonzero(key_code == code_of.get(kid, -2))
        if domain == "graph":
            graph.update((name, html.unescape(v)) for v in value[rows].tolist())
        if (domain, name) not in wanted:
            continue
        column = np.full(n_nodes if domain == "node" else n_edges, None, dtype=object)
        texts = pd.Series(value[rows], dtype=object)
        if "&" in chunk:  # entities (&amp;, &lt;, &#...;) only where the chunk has any
            escaped = texts.str.contains("&", regex=False).to_numpy(dtype=bool)
            texts[escaped] = texts[escaped].map(html.unescape)
        # one object per distinct text (a city's streets share a few names and classes)
        codes, distinct = pd.factorize(texts)
        column[(node_of if domain == "node" else edge_of)[rows]] = distinct.to_numpy(dtype=object)[codes]
        if domain == "node":
            column = pd.to_numeric(pd.Series(column, dtype=object), errors="coerce").to_numpy(dtype=float)
        parts[name].append(column)
    for domain, name in wanted:
        if (domain, name) not in keys.values():
            n = n_nodes if domain == "node" else n_edges
            parts[name].append(np.full(n, np.nan) if domain == "node" else np.full(n, None, dtype=object))
