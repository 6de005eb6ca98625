"""The graph as files for other tools (``papergraph export --format ...``).

* ``graphml`` and ``gexf``: one file for Gephi, Cytoscape, yEd or ``networkx.read_graphml``. Each node has
  ``labels`` (its label, e.g. ``Paper``), ``label`` (its caption: title, name or measured value, what Gephi
  shows) and its properties; each relationship has ``label`` (its type) and its properties. List properties
  (authors, categories) are JSON arrays in a string: both formats hold only scalars.
* ``jsonl``: one JSON object per line, nodes first, in the shape of APOC's JSON export:
  ``{"type": "node", "id", "labels", "properties"}`` and
  ``{"type": "relationship", "label", "start": {"id", "labels"}, "end": {...}, "properties"}``.
* ``neo4j-import``: a folder of CSV files with headers for ``neo4j-admin database import full`` (one node file
  per label, one relationship file per type) and ``import.sh`` holding the exact command. Entity nodes carry
  the ``name_key`` / ``match_keys`` lookup properties the Neo4j store reads, so ``papergraph --graph neo4j``
  serves the imported database as it is.

Everything is written from :class:`~papergraph.graph.rows.GraphRows` in a stable order (nodes by label then
id, relationships by type, source, target), so two exports of one graph are byte-identical.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papergraph.atomic import atomic_write
from papergraph.errors import PaperGraphError

if TYPE_CHECKING:
    import networkx as nx

from papergraph.graph.rows import (
    ENTITY_LABELS,
    LABELS,
    MATCH_KEYS,
    MEASURED_ON,
    METRIC,
    NAME_KEY,
    PAPER,
    REL_TYPES,
    GraphRows,
    graph_node,
    match_keys,
)


class ExportError(PaperGraphError):
    """The graph cannot be written where or how it was asked."""


class ExportFormat(StrEnum):
    GRAPHML = "graphml"
    GEXF = "gexf"
    JSONL = "jsonl"
    NEO4J_IMPORT = "neo4j-import"

    @property
    def default_path(self) -> str:
        return "neo4j-import" if self is ExportFormat.NEO4J_IMPORT else f"papergraph.{self.value}"


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class Relationship:
    source: str
    source_label: str
    target: str
    target_label: str
    type: str
    properties: dict[str, Any]


def nodes_of(rows: GraphRows) -> Iterator[Node]:
    """Every node, by label (schema order) then id; entities with the Neo4j store's lookup keys."""
    for props in sorted(rows.papers, key=lambda p: p["id"]):
        yield Node(props["id"], PAPER, dict(props))
    for label in ENTITY_LABELS:
        for node_id in sorted(rows.entities.get(label, {})):
            props = rows.entities[label][node_id]
            keys = {NAME_KEY: str(props["name"]).casefold(), MATCH_KEYS: list(match_keys(label, props))}
            yield Node(node_id, label, {**props, **keys})
    for props in sorted(rows.metrics, key=lambda m: m["id"]):
        yield Node(props["id"], METRIC, dict(props))


def relationships_of(rows: GraphRows) -> Iterator[Relationship]:
    """Every relationship, by type (schema order), source, target."""
    order = {rel: i for i, rel in enumerate(REL_TYPES)}
    for link in sorted(rows.links, key=lambda x: (order[x.type], x.source, x.target)):
        source_label = METRIC if link.type == MEASURED_ON else PAPER
        yield Relationship(link.source, source_label, link.target, link.target_label, link.type, dict(link.properties))


# --------------------------------------------------------------------------------------------------
# GraphML, GEXF (through networkx)
# --------------------------------------------------------------------------------------------------

_LOOKUP_KEYS = frozenset({NAME_KEY, MATCH_KEYS})


def _scalar(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def to_networkx(rows: GraphRows) -> nx.DiGraph:
    """The graph as a networkx DiGraph with scalar attributes only (what GraphML and GEXF can hold)."""
    import networkx as nx

    g = nx.DiGraph()
    for node in nodes_of(rows):
        attrs = {k: _scalar(v) for k, v in node.properties.items() if k not in _LOOKUP_KEYS and v is not None}
        attrs.pop("id", None)
        g.add_node(node.id, labels=node.label, label=graph_node(node.label, node.properties).name, **attrs)
    for rel in relationships_of(rows):
        attrs = {k: _scalar(v) for k, v in rel.properties.items() if v is not None}
        g.add_edge(rel.source, rel.target, label=rel.type, **attrs)
    return g


def _graphml(rows: GraphRows) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(to_networkx(rows), buffer, encoding="utf-8")
    return buffer.getvalue()


def _gexf(rows: GraphRows) -> bytes:
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_gexf(to_networkx(rows), buffer, encoding="utf-8")
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------
# JSON lines
# --------------------------------------------------------------------------------------------------


def _jsonl(rows: GraphRows) -> bytes:
    lines = []
    for node in nodes_of(rows):
        props = {k: v for k, v in node.properties.items() if k not in _LOOKUP_KEYS}
        lines.append({"type": "node", "id": node.id, "labels": [node.label], "properties": props})
    for rel in relationships_of(rows):
        lines.append(
            {
                "type": "relationship",
                "label": rel.type,
                "start": {"id": rel.source, "labels": [rel.source_label]},
                "end": {"id": rel.target, "labels": [rel.target_label]},
                "properties": rel.properties,
            }
        )
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


# --------------------------------------------------------------------------------------------------
# neo4j-admin import CSVs
# --------------------------------------------------------------------------------------------------

ARRAY_DELIMITERS = (";", "|", "\u001f")
"""Candidates for ``--array-delimiter``: the first that no list element contains is used."""


def _csv_type(values: Sequence[Any]) -> str:
    """The neo4j-admin header type of a column: int, double, boolean, string[], or '' for string."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, list) for v in present):
        return "string[]"
    if present and all(isinstance(v, bool) for v in present):
        return "boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "double"
    return ""


def _csv_value(value: Any, kind: str, delimiter: str) -> str:
    if value is None:
        return ""
    if kind == "string[]":
        return delimiter.join(str(v) for v in value)
    if kind == "double" and not math.isfinite(float(value)):
        return "NaN" if math.isnan(float(value)) else ("Infinity" if value > 0 else "-Infinity")
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)


def _array_delimiter(rows: Sequence[Mapping[str, Any]]) -> str:
    items = {str(x) for row in rows for v in row.values() if isinstance(v, list) for x in v}
    for candidate in ARRAY_DELIMITERS:
        if not any(candidate in item for item in items):
            return candidate
    raise ExportError("every array delimiter candidate occurs inside a list value; cannot write neo4j-admin CSVs")


def _table(header: list[str], kinds: list[str], rows: Sequence[Sequence[Any]], delimiter: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(_csv_value(v, kind, delimiter) for v, kind in zip(row, kinds, strict=True))
    return buffer.getvalue().encode()


def _columns(records: Sequence[Mapping[str, Any]], skip: frozenset[str]) -> list[tuple[str, str]]:
    """(property, header type) of every property the records carry, first-seen order."""
    keys = list(dict.fromkeys(k for r in records for k in r if k not in skip))
    return [(k, _csv_type([r.get(k) for r in records])) for k in keys]


def _header(name: str, kind: str) -> str:
    return f"{name}:{kind}" if kind else name


def neo4j_import_files(rows: GraphRows) -> dict[str, bytes]:
    """File name -> CSV bytes for ``neo4j-admin database import full``, plus ``import.sh`` with the command."""
    nodes = list(nodes_of(rows))
    rels = list(relationships_of(rows))
    delimiter = _array_delimiter([n.properties for n in nodes])
    files: dict[str, bytes] = {}
    for label in LABELS:
        records = [n.properties for n in nodes if n.label == label]
        columns = _columns(records, frozenset({"id"}))
        header = ["id:ID", *(_header(k, t) for k, t in columns), ":LABEL"]
        kinds = ["", *(t for _, t in columns), ""]
        table = [[r["id"], *(r.get(k) for k, _ in columns), label] for r in records]
        files[f"nodes_{label}.csv"] = _table(header, kinds, table, delimiter)
    for rel in REL_TYPES:
        records = [r.properties for r in rels if r.type == rel]
        columns = _columns(records, frozenset())
        header = [":START_ID", ":END_ID", *(_header(k, t) for k, t in columns), ":TYPE"]
        kinds = ["", "", *(t for _, t in columns), ""]
        chosen = [r for r in rels if r.type == rel]
        table = [[r.source, r.target, *(r.properties.get(k) for k, _ in columns), rel] for r in chosen]
        files[f"relationships_{rel}.csv"] = _table(header, kinds, table, delimiter)
    files["import.sh"] = import_command(sorted(files), delimiter).encode()
    return files


def import_command(names: Sequence[str], delimiter: str, database: str = "neo4j") -> str:
    """A shell script running neo4j-admin over the CSVs (run it with the database stopped)."""
    args = [f"  --nodes={n} \\" for n in names if n.startswith("nodes_")]
    args += [f"  --relationships={n} \\" for n in names if n.startswith("relationships_")]
    quoted = "$'\\x1f'" if delimiter == "\u001f" else f"'{delimiter}'"
    return "\n".join(
        [
            "#!/bin/sh",
            "# Load these CSVs into an empty, stopped Neo4j 5 database (neo4j-admin replaces the database).",
            "# Then start Neo4j and apply PaperGraph's schema: cypher-shell -f graph_schema/schema.cypher",
            'cd "$(dirname "$0")"',
            "neo4j-admin database import full \\",
            *args,
            f"  --array-delimiter={quoted} --multiline-fields=true --overwrite-destination=true \\",
            f"  {database}",
            "",
        ]
    )


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------


def export_files(rows: GraphRows, fmt: ExportFormat, out: Path) -> list[Path]:
    """Write the graph in ``fmt`` to ``out`` (a file; a folder for neo4j-import); the files written."""
    if fmt is ExportFormat.NEO4J_IMPORT:
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out} is a file; neo4j-import writes a folder of CSV files")
        written = []
        for name, data in neo4j_import_files(rows).items():
            atomic_write(out / name, data, mode=0o755 if name.endswith(".sh") else 0o644)
            written.append(out / name)
        return written
    if out.is_dir():
        raise ExportError(f"{out} is a folder; give a file name, e.g. {out / fmt.default_path}")
    writers = {ExportFormat.GRAPHML: _graphml, ExportFormat.GEXF: _gexf, ExportFormat.JSONL: _jsonl}
    atomic_write(out, writers[fmt](rows))
    return [out]
