"""Turn extracted papers into the node and relationship rows every store writes.

Written once so that the embedded and the Neo4j store hold exactly the same graph: one node per canonical
entity, one link per (paper, entity) pair carrying the first mention as evidence and the number of mentions,
one Metric node per reported number. The read models are built here too (bottom of the module), so both
stores return identical results from identical properties.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from papergraph.models import (
    EntityCount,
    EntityLink,
    EntityType,
    ExtractedPaper,
    GraphEdge,
    GraphNode,
    MetricRecord,
    PaperRecord,
    Span,
    SystemRole,
    entity_id,
)

PAPER = "Paper"
METRIC = "Metric"
MENTIONS = "MENTIONS"
PROPOSES = "PROPOSES"
REPORTS = "REPORTS"
MEASURED_ON = "MEASURED_ON"
ENTITY_LABELS = tuple(t.label for t in EntityType if t is not EntityType.METRIC)
LABELS = (PAPER, *ENTITY_LABELS, METRIC)
REL_TYPES = (MENTIONS, PROPOSES, REPORTS, MEASURED_ON)
IN_FAMILY = "IN_FAMILY"
"""Entity -> its family node (hardware and systems; written by extraction's hierarchy, read by questions)."""


NAME_KEY = "name_key"
MATCH_KEYS = "match_keys"
"""Lookup properties a server-side store adds to entity nodes (case-folded in Python; see :func:`match_keys`)."""

PAPER_KEYS = ("id", "title", "abstract", "authors", "categories", "sources", "content_hash", "year", "url")
"""Every property a Paper node may carry (``year`` and ``url`` only when known)."""


def metric_id(paper_id: str, index: int) -> str:
    return f"metric:{paper_id}:{index}"


def match_keys(label: str, props: Mapping[str, Any]) -> Iterator[str]:
    """The case-folded values a filter may use to name an entity: name, family and, for hardware, type.

    Shared by both stores so that "fpga", "NVIDIA Jetson" or "A100" match the same nodes everywhere. A hardware
    model also answers to its name with qualifiers left out, as long as the model word stays: "NVIDIA Jetson
    AGX Orin" is found by "NVIDIA Jetson Orin" and "Jetson Orin".
    """
    for key in ("name", "family", "type") if label == "Hardware" else ("name", "family"):
        value = props.get(key)
        if value:
            yield str(value).casefold()
    if label == "Hardware" and props.get("name"):
        words = str(props["name"]).casefold().split()
        if 3 <= len(words) <= 6:
            *qualifiers, model = words
            for size in range(1, len(qualifiers)):
                for kept in combinations(qualifiers, size):
                    yield " ".join((*kept, model))


@dataclass
class Link:
    """A relationship row: source id, target id, type, target label, properties."""

    source: str
    target: str
    type: str
    target_label: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class GraphRows:
    papers: list[dict[str, Any]] = field(default_factory=list)
    entities: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # label -> id -> props
    metrics: list[dict[str, Any]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    @property
    def node_count(self) -> int:
        return len(self.papers) + sum(len(v) for v in self.entities.values()) + len(self.metrics)


def _evidence(span: Span) -> dict[str, Any]:
    return {
        "evidence": span.sentence,
        "surface": span.surface,
        "field": span.field,
        "start": span.start,
        "end": span.end,
    }


def paper_properties(doc: ExtractedPaper) -> dict[str, Any]:
    p = doc.paper
    props: dict[str, Any] = {
        "id": p.id,
        "title": p.title,
        "abstract": p.abstract,
        "authors": list(p.authors),
        "categories": list(p.categories),
        "sources": list(p.sources),
        "content_hash": p.content_hash,
    }
    if p.year is not None:
        props["year"] = p.year
    if p.url:
        props["url"] = p.url
    return props


def _link(links: dict[tuple[str, str], Link], source: str, target: str, label: str, rel: str, span: Span) -> None:
    """One link per (entity, relationship type); later mentions only raise its count."""
    key = (target, rel)
    if key in links:
        links[key].properties["count"] += 1
    else:
        links[key] = Link(source, target, rel, label, {**_evidence(span), "count": 1})


def to_rows(docs: Sequence[ExtractedPaper]) -> GraphRows:
    """Nodes (deduplicated by id) and links for a batch of papers, in a stable order.

    A paper given twice in one batch is written once, as its last version (an upsert of both in turn would
    leave the last one too).
    """
    rows = GraphRows(entities={label: {} for label in ENTITY_LABELS})
    latest = {doc.paper.id: doc for doc in docs}
    for doc in docs:
        if latest[doc.paper.id] is not doc:
            continue
        pid = doc.paper.id
        ex = doc.extraction
        rows.papers.append(paper_properties(doc))
        links: dict[tuple[str, str], Link] = {}
        hw_types: dict[str, dict[str, Any]] = {}
        for h in ex.hardware:
            hid = entity_id(EntityType.HARDWARE, h.name)
            props: dict[str, Any] = {"id": hid, "name": h.name, "type": h.type.value}
            if h.family:
                props["family"] = h.family
            rows.entities["Hardware"].setdefault(hid, props)
            hw_types[h.name] = props
            _link(links, pid, hid, "Hardware", MENTIONS, h)
        for t in ex.techniques:
            tid = entity_id(EntityType.TECHNIQUE, t.name)
            props = {"id": tid, "name": t.name}
            if t.family:
                props["family"] = t.family
            rows.entities["Technique"].setdefault(tid, props)
            _link(links, pid, tid, "Technique", MENTIONS, t)
        proposed = {s.name for s in ex.systems if s.role is SystemRole.PROPOSED}
        for s in ex.systems:
            sid = entity_id(EntityType.SYSTEM, s.name)
            rows.entities["System"].setdefault(sid, {"id": sid, "name": s.name})
            rel = PROPOSES if s.name in proposed else MENTIONS
            # Evidence for PROPOSES should be the proposing sentence, not an earlier mention.
            if rel is PROPOSES and s.role is not SystemRole.PROPOSED and (sid, rel) not in links:
                continue
            _link(links, pid, sid, "System", rel, s)
        for d in ex.datasets:
            did = entity_id(EntityType.DATASET, d.name)
            rows.entities["Dataset"].setdefault(did, {"id": did, "name": d.name})
            _link(links, pid, did, "Dataset", MENTIONS, d)
        rows.links.extend(links.values())

        for i, m in enumerate(ex.metrics):
            mid = metric_id(pid, i)
            props = {
                "id": mid,
                "paper_id": pid,
                "metric": m.metric,
                "value": m.value,
                "unit": m.unit,
                "kind": m.kind.value,
                "surface": m.surface,
            }
            if m.value_max is not None:
                props["value_max"] = m.value_max
            if m.hardware:
                props["hardware"] = m.hardware
            rows.metrics.append(props)
            rows.links.append(Link(pid, mid, REPORTS, METRIC, _evidence(m)))
            if m.hardware and m.hardware in hw_types:
                rows.links.append(Link(mid, hw_types[m.hardware]["id"], MEASURED_ON, "Hardware", {}))
    return rows


# --------------------------------------------------------------------------------------------------
# Reading back: both stores turn stored properties into the read models here
# --------------------------------------------------------------------------------------------------

_LABEL_TYPE = {t.label: t for t in EntityType}
_NOT_ENTITY_PROPERTIES = frozenset({"label", "id", "name", NAME_KEY, MATCH_KEYS})
_NOT_DISPLAYED = frozenset({"label", "abstract", "embedding", NAME_KEY, MATCH_KEYS})


def entity_properties(props: Mapping[str, Any]) -> dict[str, Any]:
    """An entity node's own properties (type, family), without id, name and lookup keys."""
    return {k: v for k, v in props.items() if k not in _NOT_ENTITY_PROPERTIES}


def entity_count(label: str, props: Mapping[str, Any], papers: int) -> EntityCount:
    return EntityCount(
        type=_LABEL_TYPE[label],
        id=props["id"],
        name=props["name"],
        papers=papers,
        properties=entity_properties(props),
    )


def entity_rank(papers: int, name_key: str, node_id: str) -> tuple[int, str, str]:
    """Most-linked first, then by case-folded name, then id (a total order: both stores agree)."""
    return (-papers, name_key, node_id)


def entity_order(entity: EntityCount) -> tuple[int, str, str]:
    return entity_rank(entity.papers, entity.name.casefold(), entity.id)


def title_order(title: str, paper_id: str) -> tuple[str, str]:
    return (title.casefold(), paper_id)


def metric_record(node: Mapping[str, Any], edge: Mapping[str, Any]) -> MetricRecord:
    """A Metric node and its REPORTS link as the read model (direction, baseline and system when stored)."""
    return MetricRecord(
        id=node["id"],
        metric=node["metric"],
        value=node["value"],
        value_max=node.get("value_max"),
        unit=node["unit"],
        kind=node["kind"],
        hardware=node.get("hardware"),
        surface=node.get("surface", ""),
        evidence=edge.get("evidence", ""),
        direction=node.get("direction"),
        baseline_hardware=node.get("baseline_hardware"),
        system=node.get("system"),
    )


def paper_record(
    props: Mapping[str, Any],
    links: Iterable[tuple[str, str, Mapping[str, Any], Mapping[str, Any]]],
) -> PaperRecord:
    """A paper from its properties and its outgoing links as (relationship, target label, target, edge)."""
    entities: list[EntityLink] = []
    metrics: list[MetricRecord] = []
    for rel, label, node, edge in links:
        if rel == REPORTS:
            metrics.append(metric_record(node, edge))
        else:
            entities.append(
                EntityLink(
                    type=_LABEL_TYPE[label],
                    id=node["id"],
                    name=node["name"],
                    relationship=rel,
                    properties=entity_properties(node),
                    evidence=edge.get("evidence", ""),
                    surface=edge.get("surface", ""),
                    field=edge.get("field", "abstract"),
                    start=edge.get("start", 0),
                    end=edge.get("end", 0),
                )
            )
    entities.sort(key=lambda e: (e.type.value, e.start, e.name, e.id))
    metrics.sort(key=lambda m: int(m.id.rsplit(":", 1)[1]))
    return PaperRecord(
        **{k: v for k, v in props.items() if k in PaperRecord.model_fields},
        entities=entities,
        metrics=metrics,
    )


def graph_node(label: str, props: Mapping[str, Any]) -> GraphNode:
    """A node for display: captioned by title, name or measured value; no abstract, embedding or keys."""
    if label == PAPER:
        caption = props.get("title")
    elif label == METRIC:
        caption = props.get("surface") or f"{props.get('value')} {props.get('unit')}"
    else:
        caption = props.get("name")
    shown = {k: v for k, v in props.items() if k not in _NOT_DISPLAYED}
    return GraphNode(id=props["id"], label=label, name=str(caption), properties=shown)


def graph_edge(source: str, target: str, type_: str, props: Mapping[str, Any]) -> GraphEdge:
    return GraphEdge(
        source=source, target=target, type=type_, properties={k: v for k, v in props.items() if k != "type"}
    )
