"""Turn extracted papers into the node and relationship rows every store writes.

Written once so that the embedded and the Neo4j store hold exactly the same graph: one node per canonical
entity, one link per (paper, entity) pair carrying the first mention as evidence and the number of mentions,
one Metric node per reported number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from papergraph.models import EntityType, ExtractedPaper, Span, SystemRole, entity_id

PAPER = "Paper"
METRIC = "Metric"
MENTIONS = "MENTIONS"
PROPOSES = "PROPOSES"
REPORTS = "REPORTS"
MEASURED_ON = "MEASURED_ON"
ENTITY_LABELS = tuple(t.label for t in EntityType if t is not EntityType.METRIC)
LABELS = (PAPER, *ENTITY_LABELS, METRIC)
REL_TYPES = (MENTIONS, PROPOSES, REPORTS, MEASURED_ON)


def metric_id(paper_id: str, index: int) -> str:
    return f"metric:{paper_id}:{index}"


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
    """Nodes (deduplicated by id) and links for a batch of papers, in a stable order."""
    rows = GraphRows(entities={label: {} for label in ENTITY_LABELS})
    for doc in docs:
        pid = doc.paper.id
        ex = doc.extraction
        rows.papers.append(paper_properties(doc))
        links: dict[tuple[str, str], Link] = {}
        hw_types: dict[str, dict[str, Any]] = {}
        for h in ex.hardware:
            hid = entity_id(EntityType.HARDWARE, h.name)
            props = {"id": hid, "name": h.name, "type": h.type.value}
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
            props: dict[str, Any] = {
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
