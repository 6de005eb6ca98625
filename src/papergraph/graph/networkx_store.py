"""The embedded graph store: a networkx DiGraph in memory, saved as one JSON file in the data directory.

It is the default when no Neo4j is configured. Saving writes a temp file and renames it over the old one,
so a crash mid-save leaves the previous graph readable.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from papergraph.atomic import atomic_write
from papergraph.errors import GraphUnavailableError
from papergraph.graph.base import EntityFilters
from papergraph.graph.rows import (
    ENTITY_LABELS,
    METRIC,
    PAPER,
    REL_TYPES,
    REPORTS,
    GraphRows,
    to_rows,
)
from papergraph.models import (
    EntityCount,
    EntityDetail,
    EntityLink,
    EntityType,
    ExtractedPaper,
    GraphEdge,
    GraphNode,
    GraphStats,
    MetricRecord,
    PaperRecord,
    PaperRef,
    Subgraph,
    WriteStats,
)

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
GRAPH_FILE = "graph.json"
_LABEL_TYPE = {t.label: t for t in EntityType}


def _keys(label: str, props: dict[str, Any]) -> Iterable[str]:
    """The lower-cased values a filter may use to name this entity: name, family, hardware type."""
    for key in ("name", "family", "type") if label == "Hardware" else ("name", "family"):
        value = props.get(key)
        if value:
            yield str(value).casefold()


class NetworkxStore:
    """GraphStore over a networkx DiGraph; ``path`` is the folder holding ``graph.json`` (None: memory only)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.g: nx.DiGraph = nx.DiGraph()
        self._lookup: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._dirty = False
        if path is not None and (path / GRAPH_FILE).exists():
            self._load(path / GRAPH_FILE)

    # --- persistence ----------------------------------------------------------------------------------
    def _load(self, file: Path) -> None:
        try:
            data = orjson.loads(file.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise GraphUnavailableError(f"cannot read the graph file {file}: {exc}") from exc
        if data.get("version") != FORMAT_VERSION:
            raise GraphUnavailableError(f"{file} has format {data.get('version')}, expected {FORMAT_VERSION}")
        self.g.add_nodes_from((n, attrs) for n, attrs in data["nodes"])
        self.g.add_edges_from((u, v, attrs) for u, v, attrs in data["edges"])
        for node, attrs in self.g.nodes(data=True):
            self._index(node, attrs)

    def commit(self) -> None:
        """Save the graph atomically (temp file, fsync, rename), nodes and edges in sorted order."""
        if self.path is None or not self._dirty:
            return
        self.path.mkdir(parents=True, exist_ok=True)
        data = {
            "version": FORMAT_VERSION,
            "nodes": sorted(([n, a] for n, a in self.g.nodes(data=True)), key=lambda x: x[0]),
            "edges": sorted(([u, v, a] for u, v, a in self.g.edges(data=True)), key=lambda x: (x[0], x[1])),
        }
        atomic_write(self.path / GRAPH_FILE, orjson.dumps(data))
        self._dirty = False

    def close(self) -> None:
        """Nothing to release: the graph is in memory and saved on :meth:`commit`."""

    # --- writes ---------------------------------------------------------------------------------------
    def _index(self, node: str, attrs: dict[str, Any]) -> None:
        label = attrs.get("label")
        if label in _LABEL_TYPE and label not in (PAPER, METRIC):
            for key in _keys(label, attrs):
                self._lookup[(label, key)].add(node)

    def _unindex(self, node: str) -> None:
        attrs = self.g.nodes[node]
        for key in _keys(attrs.get("label", ""), attrs):
            self._lookup[(attrs["label"], key)].discard(node)

    def upsert(self, papers: Sequence[ExtractedPaper]) -> WriteStats:
        return self.write_rows(to_rows(papers))

    def write_rows(self, rows: GraphRows) -> WriteStats:
        """Write prepared rows; papers already stored lose their old links and metrics first."""
        g = self.g
        replaced = [p["id"] for p in rows.papers if p["id"] in g]
        touched = self._drop_links(replaced)
        for props in rows.papers:
            g.add_node(props["id"], label=PAPER, **props)
        for label, nodes in rows.entities.items():
            for nid, props in nodes.items():
                if nid not in g:
                    g.add_node(nid, label=label, **props)
                    self._index(nid, g.nodes[nid])
        for props in rows.metrics:
            g.add_node(props["id"], label=METRIC, **props)
        for link in rows.links:
            g.add_edge(link.source, link.target, type=link.type, **link.properties)
        self._drop_orphans(touched)
        self._dirty = True
        return WriteStats(papers=len(rows.papers), nodes=rows.node_count, relationships=len(rows.links))

    def _drop_links(self, paper_ids: Iterable[str]) -> set[str]:
        """Remove the papers' outgoing links and metric nodes; return the entities that were linked."""
        touched: set[str] = set()
        for pid in paper_ids:
            for target in list(self.g.successors(pid)):
                if self.g.nodes[target].get("label") == METRIC:
                    touched.update(self.g.successors(target))
                    self.g.remove_node(target)
                else:
                    touched.add(target)
                    self.g.remove_edge(pid, target)
        return touched

    def _drop_orphans(self, candidates: Iterable[str]) -> None:
        for node in candidates:
            if node in self.g and not any(self.g.nodes[p].get("label") == PAPER for p in self.g.predecessors(node)):
                self._unindex(node)
                self.g.remove_node(node)

    def delete_papers(self, paper_ids: Sequence[str]) -> int:
        present = [pid for pid in paper_ids if self.g.nodes.get(pid, {}).get("label") == PAPER]
        touched = self._drop_links(present)
        self.g.remove_nodes_from(present)
        self._drop_orphans(touched)
        self._dirty = self._dirty or bool(present)
        return len(present)

    # --- reads ----------------------------------------------------------------------------------------
    def paper_ids(self) -> set[str]:
        return {n for n, label in self.g.nodes(data="label") if label == PAPER}

    def _paper_count(self, node: str) -> int:
        return sum(1 for p in self.g.predecessors(node) if self.g.nodes[p].get("label") == PAPER)

    def _count(self, node: str) -> EntityCount:
        attrs = self.g.nodes[node]
        props = {k: v for k, v in attrs.items() if k not in ("label", "id", "name")}
        return EntityCount(
            type=_LABEL_TYPE[attrs["label"]],
            id=node,
            name=attrs["name"],
            papers=self._paper_count(node),
            properties=props,
        )

    def paper(self, paper_id: str) -> PaperRecord | None:
        attrs = self.g.nodes.get(paper_id)
        if attrs is None or attrs.get("label") != PAPER:
            return None
        entities: list[EntityLink] = []
        metrics: list[MetricRecord] = []
        for target, edge in self.g[paper_id].items():
            node = self.g.nodes[target]
            if edge["type"] == REPORTS:
                metrics.append(
                    MetricRecord(
                        id=target,
                        metric=node["metric"],
                        value=node["value"],
                        value_max=node.get("value_max"),
                        unit=node["unit"],
                        kind=node["kind"],
                        hardware=node.get("hardware"),
                        surface=node.get("surface", ""),
                        evidence=edge.get("evidence", ""),
                    )
                )
            else:
                entities.append(
                    EntityLink(
                        type=_LABEL_TYPE[node["label"]],
                        id=target,
                        name=node["name"],
                        relationship=edge["type"],
                        properties={k: v for k, v in node.items() if k not in ("label", "id", "name")},
                        evidence=edge.get("evidence", ""),
                        surface=edge.get("surface", ""),
                        field=edge.get("field", "abstract"),
                        start=edge.get("start", 0),
                        end=edge.get("end", 0),
                    )
                )
        entities.sort(key=lambda e: (e.type.value, e.start, e.name))
        metrics.sort(key=lambda m: int(m.id.rsplit(":", 1)[1]))
        return PaperRecord(
            **{k: v for k, v in attrs.items() if k in PaperRecord.model_fields},
            entities=entities,
            metrics=metrics,
        )

    def _matching(self, type_: EntityType, value: str) -> set[str]:
        key = value.casefold().strip()
        if type_ is EntityType.METRIC:
            return {n for n, a in self.g.nodes(data=True) if a.get("label") == METRIC and a.get("kind") == key}
        found = set(self._lookup.get((type_.label, key), ()))
        node = self.g.nodes.get(value)
        if node is not None and node.get("label") == type_.label:
            found.add(value)
        return found

    def papers_for(self, filters: EntityFilters) -> set[str]:
        result: set[str] | None = None
        for type_, values in filters.items():
            papers: set[str] = set()
            for value in values:
                for node in self._matching(type_, value):
                    papers.update(p for p in self.g.predecessors(node) if self.g.nodes[p].get("label") == PAPER)
            result = papers if result is None else result & papers
            if not result:
                return set()
        return result if result is not None else self.paper_ids()

    def entities(self, type_: EntityType | None = None, q: str | None = None, limit: int = 50) -> list[EntityCount]:
        labels = {type_.label} if type_ else set(ENTITY_LABELS) | {METRIC}
        needle = q.casefold() if q else None
        found = [
            self._count(n)
            for n, a in self.g.nodes(data=True)
            if a.get("label") in labels
            and a.get("label") != METRIC
            and (needle is None or needle in str(a.get("name", "")).casefold())
        ]
        found.sort(key=lambda e: (-e.papers, e.name.casefold()))
        return found[:limit]

    def _resolve(self, type_: EntityType, name: str) -> str | None:
        node = self.g.nodes.get(name)
        if node is not None and node.get("label") == type_.label:
            return name
        key = name.casefold().strip()
        exact = [n for n in self._lookup.get((type_.label, key), ()) if self.g.nodes[n]["name"].casefold() == key]
        return exact[0] if exact else None

    def entity(self, type_: EntityType, name: str, limit: int = 50) -> EntityDetail | None:
        node = self._resolve(type_, name) if type_ is not EntityType.METRIC else None
        if node is None:
            return None
        papers = [
            (p, self.g.edges[p, node]) for p in self.g.predecessors(node) if self.g.nodes[p].get("label") == PAPER
        ]
        papers.sort(key=lambda pe: self.g.nodes[pe[0]]["title"].casefold())
        co: Counter[str] = Counter()
        for p, _ in papers:
            co.update(t for t in self.g.successors(p) if t != node and self.g.nodes[t]["label"] != METRIC)
        cooccurring = [self._count(n).model_copy(update={"papers": c}) for n, c in co.items()]
        cooccurring.sort(key=lambda e: (-e.papers, e.name.casefold()))
        return EntityDetail(
            entity=self._count(node),
            papers=[
                PaperRef(id=p, title=self.g.nodes[p]["title"], evidence=e.get("evidence", ""))
                for p, e in papers[:limit]
            ],
            cooccurring=cooccurring[:limit],
        )

    def _node(self, node: str) -> GraphNode:
        attrs = self.g.nodes[node]
        label = attrs["label"]
        caption = attrs.get("title") if label == PAPER else attrs.get("name")
        if label == METRIC:
            caption = attrs.get("surface") or f"{attrs.get('value')} {attrs.get('unit')}"
        props = {k: v for k, v in attrs.items() if k not in ("label", "abstract")}
        return GraphNode(id=node, label=label, name=str(caption), properties=props)

    def neighbours(self, node_id: str, depth: int = 1, limit: int = 100) -> Subgraph | None:
        if node_id not in self.g:
            return None
        seen = {node_id: 0}
        frontier = [node_id]
        for hop in range(1, depth + 1):
            nxt: list[str] = []
            for node in frontier:
                around = sorted(set(self.g.successors(node)) | set(self.g.predecessors(node)))
                for other in around:
                    if other not in seen and len(seen) < limit:
                        seen[other] = hop
                        nxt.append(other)
            frontier = nxt
        edges = [
            GraphEdge(source=u, target=v, type=a["type"], properties={k: x for k, x in a.items() if k != "type"})
            for u, v, a in self.g.subgraph(seen).edges(data=True)
        ]
        edges.sort(key=lambda e: (e.source, e.target))
        return Subgraph(nodes=[self._node(n) for n in seen], edges=edges)

    def stats(self) -> GraphStats:
        nodes = Counter(label for _, label in self.g.nodes(data="label"))
        rels = Counter(t for _, _, t in self.g.edges(data="type"))
        return GraphStats(
            nodes={label: nodes.get(label, 0) for label in (PAPER, *ENTITY_LABELS, METRIC)},
            relationships={t: rels.get(t, 0) for t in REL_TYPES},
        )
