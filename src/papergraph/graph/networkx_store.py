"""The embedded graph store: a networkx DiGraph in memory, saved as one JSON file in the data directory.

It is the default when no Neo4j is configured. The ingest job saves it into each new generation of the data
directory (:meth:`NetworkxStore.save`, see :mod:`papergraph.atomic`), so the graph and the vector index are
committed together; :meth:`commit` saves it in place (temp file, fsync, rename) for stores used on their own.

Reads that would otherwise walk the whole graph (paper counts per entity, nodes per label, papers per metric
kind, sorted neighbours) use indexes built lazily on the first read after a write, so a graph of 100k papers
answers in milliseconds.
"""

from __future__ import annotations

import heapq
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from papergraph.atomic import atomic_write
from papergraph.errors import GraphUnavailableError
from papergraph.graph.base import EntityFilters
from papergraph.graph.query import (
    FAMILY_DEPTH,
    GroupBy,
    MetricHit,
    MetricQuery,
    NodeMatch,
    PaperQuery,
    Tally,
    TallyQuery,
    YearCount,
    metric_order,
    tally_order,
)
from papergraph.graph.rows import (
    ENTITY_LABELS,
    IN_FAMILY,
    LABELS,
    MEASURED_ON,
    METRIC,
    PAPER,
    PROPOSES,
    REL_TYPES,
    GraphRows,
    Link,
    entity_count,
    entity_rank,
    entity_scope,
    graph_edge,
    graph_node,
    match_keys,
    metric_record,
    paper_record,
    title_order,
    to_rows,
)
from papergraph.models import (
    EntityCount,
    EntityDetail,
    EntityType,
    ExtractedPaper,
    GraphStats,
    PaperRecord,
    PaperRef,
    Subgraph,
    WriteStats,
)

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
GRAPH_FILE = "graph.json"


@dataclass
class _ReadIndex:
    """Derived lookups for reads; rebuilt after any write (cheap next to the reads it saves)."""

    by_label: dict[str, list[str]]
    paper_counts: Counter[str]
    papers_by_metric_kind: dict[str, set[str]]
    name_keys: dict[str, str]  # entity -> case-folded name
    sorted_around: dict[str, list[str]] = field(default_factory=dict)
    papers_of: dict[str, frozenset[str]] = field(default_factory=dict)
    papers_on: dict[str, frozenset[str]] = field(default_factory=dict)
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    title_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    families: dict[str, frozenset[str]] = field(default_factory=dict)
    tops: dict[str, tuple[str, ...]] = field(default_factory=dict)


class NetworkxStore:
    """GraphStore over a networkx DiGraph; ``path`` is the folder holding ``graph.json`` (None: memory only).

    A folder without ``graph.json`` gives an empty graph.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.g: nx.DiGraph = nx.DiGraph()
        self._lookup: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._read_index: _ReadIndex | None = None
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
        """Save the graph in place atomically (temp file, fsync, rename), nodes and edges in sorted order."""
        if self.path is None or not self._dirty:
            return
        self.save(self.path)
        self._dirty = False

    def save(self, folder: Path) -> None:
        """Write ``graph.json`` into ``folder`` (a new generation's folder, or the store's own)."""
        folder.mkdir(parents=True, exist_ok=True)
        data = {
            "version": FORMAT_VERSION,
            "nodes": sorted(([n, a] for n, a in self.g.nodes(data=True)), key=lambda x: x[0]),
            "edges": sorted(([u, v, a] for u, v, a in self.g.edges(data=True)), key=lambda x: (x[0], x[1])),
        }
        atomic_write(folder / GRAPH_FILE, orjson.dumps(data))

    def close(self) -> None:
        """Nothing to release: the graph is in memory and saved on :meth:`commit`."""

    # --- writes ---------------------------------------------------------------------------------------
    def _index(self, node: str, attrs: dict[str, Any]) -> None:
        label = attrs.get("label", "")
        if label in ENTITY_LABELS:
            for key in match_keys(label, attrs):
                self._lookup[(label, key)].add(node)

    def _unindex(self, node: str) -> None:
        attrs = self.g.nodes[node]
        for key in match_keys(attrs.get("label", ""), attrs):
            self._lookup[(attrs["label"], key)].discard(node)

    def upsert(self, papers: Sequence[ExtractedPaper]) -> WriteStats:
        return self.write_rows(to_rows(papers))

    def write_rows(self, rows: GraphRows) -> WriteStats:
        """Write prepared rows; papers already stored lose their old links, metrics and properties first."""
        g = self.g
        nodes = g.nodes
        replaced = [p["id"] for p in rows.papers if p["id"] in nodes]
        touched = self._drop_links(replaced)
        for props in rows.papers:
            attrs = nodes.get(props["id"])
            if attrs is None:
                g.add_node(props["id"], label=PAPER, **props)
            else:  # a replaced paper keeps nothing of its old version (e.g. a year no longer known)
                attrs.clear()
                attrs.update(props, label=PAPER)
        for label, entities in rows.entities.items():
            for nid, props in entities.items():
                if nid not in nodes:
                    g.add_node(nid, label=label, **props)
                    self._index(nid, nodes[nid])
        for props in rows.metrics:
            g.add_node(props["id"], label=METRIC, **props)
        g.add_edges_from((link.source, link.target, {"type": link.type, **link.properties}) for link in rows.links)
        self._drop_orphans(touched)
        self._changed()
        return WriteStats(papers=len(rows.papers), nodes=rows.node_count, relationships=len(rows.links))

    def export_rows(self) -> GraphRows:
        """The whole graph as rows, the inverse of :meth:`write_rows` (what ``export-neo4j`` sends)."""
        rows = GraphRows(entities={label: {} for label in ENTITY_LABELS})
        nodes = self.g.nodes
        for node, attrs in sorted(nodes(data=True), key=lambda na: na[0]):
            props = {k: v for k, v in attrs.items() if k != "label"}
            label = attrs.get("label")
            if label == PAPER:
                rows.papers.append(props)
            elif label == METRIC:
                rows.metrics.append(props)
            elif label in ENTITY_LABELS:
                rows.entities[label][node] = props
        for u, v, attrs in sorted(self.g.edges(data=True), key=lambda e: (e[0], e[1])):
            props = {k: x for k, x in attrs.items() if k != "type"}
            rows.links.append(Link(u, v, attrs["type"], nodes[v]["label"], props))
        return rows

    def _changed(self) -> None:
        self._dirty = True
        self._read_index = None

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
        """Remove entities no paper links to and no member points at; a removed node's families are next."""
        todo = list(candidates)
        while todo:
            node = todo.pop()
            if node not in self.g or any(
                self.g.nodes[p].get("label") == PAPER or self.g.edges[p, node].get("type") == IN_FAMILY
                for p in self.g.predecessors(node)
            ):
                continue
            todo.extend(f for f, a in self.g.succ[node].items() if a.get("type") == IN_FAMILY)
            self._unindex(node)
            self.g.remove_node(node)

    def delete_papers(self, paper_ids: Sequence[str]) -> int:
        present = [pid for pid in dict.fromkeys(paper_ids) if self.g.nodes.get(pid, {}).get("label") == PAPER]
        touched = self._drop_links(present)
        self.g.remove_nodes_from(present)
        self._drop_orphans(touched)
        if present:
            self._changed()
        return len(present)

    # --- read indexes ---------------------------------------------------------------------------------
    def _reads(self) -> _ReadIndex:
        if self._read_index is None:
            by_label: dict[str, list[str]] = {label: [] for label in LABELS}
            for node, label in self.g.nodes(data="label"):
                by_label.setdefault(label, []).append(node)
            counts: Counter[str] = Counter()
            by_kind: dict[str, set[str]] = defaultdict(set)
            nodes = self.g.nodes
            for pid in by_label[PAPER]:
                targets = self.g.successors(pid)
                counts.update(targets)
            for mid in by_label[METRIC]:
                for pid in self.g.predecessors(mid):
                    if nodes[pid].get("label") == PAPER:
                        by_kind[nodes[mid].get("kind", "")].add(pid)
            names = {n: str(nodes[n].get("name", "")).casefold() for label in ENTITY_LABELS for n in by_label[label]}
            self._read_index = _ReadIndex(by_label, counts, dict(by_kind), names)
        return self._read_index

    def _around(self, node: str) -> list[str]:
        """A node's neighbours in either direction, sorted (cached until the next write)."""
        cache = self._reads().sorted_around
        around = cache.get(node)
        if around is None:
            around = sorted(set(self.g.successors(node)) | set(self.g.predecessors(node)))
            cache[node] = around
        return around

    # --- reads ----------------------------------------------------------------------------------------
    def paper_ids(self) -> set[str]:
        return set(self._reads().by_label[PAPER])

    def paper_hashes(self) -> dict[str, str]:
        nodes = self.g.nodes
        return {pid: str(nodes[pid].get("content_hash", "")) for pid in self._reads().by_label[PAPER]}

    def _members(self, node: str) -> tuple[str, ...]:
        """Every node below ``node`` through ``IN_FAMILY`` edges, sorted (cached until the next write)."""
        cache = self._reads().members
        members = cache.get(node)
        if members is None:
            found: set[str] = set()
            todo = [node]
            while todo:
                for child, attrs in self.g.pred[todo.pop()].items():
                    if attrs.get("type") == IN_FAMILY and child not in found:
                        found.add(child)
                        todo.append(child)
            members = cache[node] = tuple(sorted(found - {node}))
        return members

    def _paper_count(self, node: str) -> int:
        """Papers linked to ``node`` or to a member of it."""
        if not self._members(node):
            return self._reads().paper_counts[node]
        return len(self._papers_on(node))

    def _count(self, node: str) -> EntityCount:
        attrs = self.g.nodes[node]
        return entity_count(attrs["label"], attrs, self._paper_count(node))

    def paper(self, paper_id: str) -> PaperRecord | None:
        attrs = self.g.nodes.get(paper_id)
        if attrs is None or attrs.get("label") != PAPER:
            return None
        nodes = self.g.nodes
        links = (
            (edge["type"], nodes[target]["label"], nodes[target], edge) for target, edge in self.g[paper_id].items()
        )
        return paper_record(attrs, links)

    def _matching(self, type_: EntityType, value: str) -> set[str]:
        key = value.casefold().strip()
        found = set(self._lookup.get((type_.label, key), ()))
        node = self.g.nodes.get(value)
        if node is not None and node.get("label") == type_.label:
            found.add(value)
        return found

    def _papers_of(self, node: str) -> frozenset[str]:
        """The papers linked to a node (cached until the next write)."""
        cache = self._reads().papers_of
        papers = cache.get(node)
        if papers is None:
            nodes = self.g.nodes
            papers = frozenset(p for p in self.g.predecessors(node) if nodes[p].get("label") == PAPER)
            cache[node] = papers
        return papers

    def _papers_on(self, node: str) -> frozenset[str]:
        """The papers linked to a node or to any member below it: the papers on a family (cached)."""
        members = self._members(node)
        if not members:
            return self._papers_of(node)
        cache = self._reads().papers_on
        papers = cache.get(node)
        if papers is None:
            papers = cache[node] = frozenset().union(*(self._papers_of(n) for n in (node, *members)))
        return papers

    def _title_key(self, paper_id: str) -> tuple[str, str]:
        cache = self._reads().title_keys
        key = cache.get(paper_id)
        if key is None:
            key = cache[paper_id] = title_order(str(self.g.nodes[paper_id]["title"]), paper_id)
        return key

    def _top(self, counts: Iterable[tuple[str, int]], limit: int) -> list[EntityCount]:
        """The first ``limit`` entities by :func:`entity_rank`, ranked on tuples before any model is built."""
        names = self._reads().name_keys
        best = heapq.nsmallest(limit, (entity_rank(c, names[n], n) for n, c in counts))
        return [self._count(n).model_copy(update={"papers": -c}) for c, _, n in best]

    def papers_for(self, filters: EntityFilters) -> set[str]:
        result: set[str] | None = None
        for type_, values in filters.items():
            papers: set[str] = set()
            for value in values:
                if type_ is EntityType.METRIC:
                    papers |= self._reads().papers_by_metric_kind.get(value.casefold().strip(), set())
                    continue
                for node in self._matching(type_, value):
                    papers.update(self._papers_on(node))
            result = papers if result is None else result & papers
            if not result:
                return set()
        return result if result is not None else self.paper_ids()

    def entities(self, type_: EntityType | None = None, q: str | None = None, limit: int = 50) -> list[EntityCount]:
        if type_ is EntityType.METRIC or limit <= 0:
            return []
        labels, needle = entity_scope(type_, q)
        reads = self._reads()
        found = (
            (n, self._paper_count(n))
            for label in labels
            for n in reads.by_label[label]
            if needle is None or needle in reads.name_keys[n]
        )
        return self._top(found, limit)

    def total_entities(self, type_: EntityType | None = None, q: str | None = None) -> int:
        if type_ is EntityType.METRIC:
            return 0
        labels, needle = entity_scope(type_, q)
        reads = self._reads()
        return sum(
            1 for label in labels for n in reads.by_label[label] if needle is None or needle in reads.name_keys[n]
        )

    def _resolve(self, type_: EntityType, name: str) -> str | None:
        node = self.g.nodes.get(name)
        if node is not None and node.get("label") == type_.label:
            return name
        key = name.casefold().strip()
        exact = [n for n in self._lookup.get((type_.label, key), ()) if self.g.nodes[n]["name"].casefold() == key]
        return min(exact) if exact else None

    def entity(self, type_: EntityType, name: str, limit: int = 50) -> EntityDetail | None:
        node = self._resolve(type_, name) if type_ is not EntityType.METRIC else None
        if node is None:
            return None
        limit = max(limit, 0)
        nodes = self.g.nodes
        own = (node, *self._members(node))
        linked = self._papers_on(node)
        first = heapq.nsmallest(limit, linked, key=self._title_key)
        co: Counter[str] = Counter()
        for p in linked:
            co.update(t for t in self.g.succ[p] if t not in own and nodes[t]["label"] != METRIC)
        return EntityDetail(
            entity=self._count(node),
            papers=[PaperRef(id=p, title=nodes[p]["title"], evidence=self._evidence(p, own)) for p in first],
            cooccurring=self._top(co.items(), limit),
        )

    def _evidence(self, paper: str, own: Sequence[str]) -> str:
        """The evidence of a paper's link to the entity, else to its first member (by id) the paper names."""
        edges = self.g.succ[paper]
        target = next(n for n in own if n in edges)
        return str(edges[target].get("evidence", ""))

    def neighbours(self, node_id: str, depth: int = 1, limit: int = 100) -> Subgraph | None:
        if node_id not in self.g:
            return None
        seen = {node_id: 0}
        frontier = [node_id]
        for hop in range(1, depth + 1):
            if len(seen) >= limit:
                break
            nxt: list[str] = []
            for node in frontier:
                for other in self._around(node):
                    if len(seen) >= limit:
                        break
                    if other not in seen:
                        seen[other] = hop
                        nxt.append(other)
            frontier = nxt
        nodes = self.g.nodes
        edges = [graph_edge(u, v, a["type"], a) for u in seen for v, a in self.g.succ[u].items() if v in seen]
        edges.sort(key=lambda e: (e.source, e.target))
        return Subgraph(nodes=[graph_node(nodes[n]["label"], nodes[n]) for n in seen], edges=edges)

    # --- question reads (their meaning is written in papergraph.graph.query) ----------------------------
    def _families(self, node: str) -> frozenset[str]:
        """Names of the same-label nodes ``node`` reaches by 1 to FAMILY_DEPTH IN_FAMILY hops (cached)."""
        cache = self._reads().families
        found = cache.get(node)
        if found is None:
            nodes = self.g.nodes
            label = nodes[node].get("label")
            seen: set[str] = set()
            frontier = [node]
            for _ in range(FAMILY_DEPTH):
                frontier = [
                    up
                    for n in frontier
                    for up, edge in self.g.succ[n].items()
                    if edge.get("type") == IN_FAMILY and up not in seen and nodes[up].get("label") == label
                ]
                seen.update(frontier)
            found = cache[node] = frozenset(str(nodes[n].get("name", "")) for n in seen)
        return found

    def _tops(self, node: str) -> tuple[str, ...]:
        """The same-label nodes at the top of ``node``'s IN_FAMILY chains (``node`` itself when it has none)."""
        cache = self._reads().tops
        found = cache.get(node)
        if found is None:
            label = self.g.nodes[node].get("label")
            tops: set[str] = set()
            seen = {node}
            todo = [node]
            while todo:
                current = todo.pop()
                ups = [
                    up
                    for up, edge in self.g.succ[current].items()
                    if edge.get("type") == IN_FAMILY and self.g.nodes[up].get("label") == label
                ]
                if not ups:
                    tops.add(current)
                todo += [up for up in ups if up not in seen]
                seen.update(ups)
            found = cache[node] = tuple(sorted(tops))
        return found

    def _node_matches(self, node: str, m: NodeMatch) -> bool:
        attrs = self.g.nodes[node]
        if attrs.get("label") != m.type.label or (m.ids and node not in m.ids):
            return False
        if m.family and not (
            attrs.get("name") in m.family or attrs.get("family") in m.family or self._families(node) & set(m.family)
        ):
            return False
        if m.vendor is not None:
            vendor = attrs.get("vendor")
            named = vendor is None and str(attrs.get("name", "")).startswith(m.vendor + " ")
            if vendor != m.vendor and not named:
                return False
        if m.level is not None and attrs.get("level") != m.level:
            return False
        if m.not_hw_type is not None and attrs.get("type") == m.not_hw_type:
            return False
        return m.hw_type is None or attrs.get("type") == m.hw_type

    def _nodes_matching(self, m: NodeMatch) -> list[str]:
        candidates = [n for n in m.ids if n in self.g] if m.ids else self._reads().by_label[m.type.label]
        return [n for n in candidates if self._node_matches(n, m)]

    def _paper_ok(self, paper_id: str, query: PaperQuery) -> bool:
        if query.papers is not None and paper_id not in query.papers:
            return False
        if query.not_proposing and any(
            edge.get("type") == PROPOSES and any(self._node_matches(node, m) for m in query.not_proposing)
            for node, edge in self.g.succ[paper_id].items()
        ):
            return False
        attrs = self.g.nodes[paper_id]
        year = attrs.get("year")
        if query.year_min is not None and (year is None or year < query.year_min):
            return False
        if query.year_max is not None and (year is None or year > query.year_max):
            return False
        names = attrs.get("authors") or ()
        return (not query.authors or any(a in query.authors for a in names)) and all(
            a in names for a in query.coauthors
        )

    def papers_where(self, query: PaperQuery) -> set[str]:
        result: set[str] | None = None
        for group in query.all_of:
            papers: set[str] = set()
            for m in group:
                for node in self._nodes_matching(m):
                    papers.update(self._papers_of(node))
            result = papers if result is None else result & papers
            if not result:
                return set()
        if query.metric_kinds:
            by_kind = self._reads().papers_by_metric_kind
            reporting = set().union(*(by_kind.get(k, set()) for k in query.metric_kinds))
            result = reporting if result is None else result & reporting
        if result is None:
            result = self.paper_ids()
        return {p for p in result if self._paper_ok(p, query)} if query.paper_filters else result

    def count_entities(self, tally: TallyQuery) -> list[Tally]:
        type_, include, exclude, by = tally.type, tally.include, tally.exclude, tally.by
        if type_ is EntityType.METRIC:
            return []
        papers = self.papers_where(tally.within) if tally.within is not None else None
        nodes = self.g.nodes
        groups: dict[str, set[str]] = defaultdict(set)
        lines: dict[str, set[str]] = defaultdict(set)
        tallies: list[Tally] = []
        for node in self._reads().by_label[type_.label]:
            if include is not None and not self._node_matches(node, include):
                continue
            if any(self._node_matches(node, m) for m in exclude):
                continue
            linked = self._papers_of(node) if papers is None else self._papers_of(node) & papers
            if not linked:
                continue
            if by is GroupBy.LINE:
                for top in self._tops(node):
                    lines[top].update(linked)
            elif by.property is None:
                tallies.append(self._tally(node, len(linked)))
            elif nodes[node].get(by.property) is not None:
                groups[str(nodes[node][by.property])].update(linked)
        tallies += [Tally(type=type_, group=by, name=key, papers=len(ids)) for key, ids in groups.items()]
        tallies += [self._tally(top, len(ids)).model_copy(update={"group": by}) for top, ids in lines.items()]
        tallies.sort(key=tally_order)
        return tallies if tally.limit is None else tallies[: max(tally.limit, 0)]

    def _tally(self, node: str, papers: int) -> Tally:
        count = entity_count(self.g.nodes[node]["label"], self.g.nodes[node], papers)
        return Tally(type=count.type, name=count.name, papers=papers, id=count.id, properties=count.properties)

    def metric_values(self, numbers: MetricQuery) -> list[MetricHit]:
        kinds, unit, measured_on, descending = numbers.kinds, numbers.unit, numbers.measured_on, numbers.descending
        papers = self.papers_where(numbers.within) if numbers.within is not None else None
        nodes = self.g.nodes
        hits: list[MetricHit] = []
        for mid in self._reads().by_label[METRIC]:
            attrs = nodes[mid]
            if (kinds and attrs.get("kind") not in kinds) or (unit is not None and attrs.get("unit") != unit):
                continue
            if measured_on is not None and not any(
                edge.get("type") == MEASURED_ON and self._node_matches(h, measured_on)
                for h, edge in self.g.succ[mid].items()
            ):
                continue
            for pid in self.g.predecessors(mid):
                if nodes[pid].get("label") == PAPER and (papers is None or pid in papers):
                    record = metric_record(attrs, self.g.edges[pid, mid])
                    hits.append(MetricHit(paper_id=pid, paper_title=nodes[pid]["title"], metric=record))
        hits.sort(key=lambda h: metric_order(h, descending))
        return hits if numbers.limit is None else hits[: max(numbers.limit, 0)]

    def papers_per_year(self, within: PaperQuery | None = None) -> list[YearCount]:
        papers = self.papers_where(within) if within is not None else self.paper_ids()
        years = Counter(self.g.nodes[p].get("year") for p in papers)
        return [YearCount(year=y, papers=n) for y, n in sorted((y, n) for y, n in years.items() if y is not None)]

    def degree(self, node_id: str) -> int | None:
        return len(self._around(node_id)) if node_id in self.g else None

    def stats(self) -> GraphStats:
        by_label = self._reads().by_label
        rels = Counter(t for _, _, t in self.g.edges(data="type"))
        return GraphStats(
            nodes={label: len(by_label.get(label, ())) for label in LABELS},
            relationships={t: rels.get(t, 0) for t in REL_TYPES},
        )
