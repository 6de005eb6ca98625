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
IN_FAMILY = "IN_FAMILY"
"""Entity -> its family node (hardware and systems; written by extraction's hierarchy, read by questions)."""
ENTITY_LABELS = tuple(t.label for t in EntityType if t is not EntityType.METRIC)
LABELS = (PAPER, *ENTITY_LABELS, METRIC)
REL_TYPES = (MENTIONS, PROPOSES, REPORTS, MEASURED_ON, IN_FAMILY)
HIERARCHY_LABELS = ("Hardware", "System")
"""Labels whose nodes chain to their families with ``IN_FAMILY`` (model -> family -> parent family)."""
FAMILY_LEVEL = "family"


NAME_KEY = "name_key"
MATCH_KEYS = "match_keys"
"""Lookup properties a server-side store adds to entity nodes (case-folded in Python; see :func:`match_keys`)."""

PAPER_KEYS = ("id", "title", "abstract", "authors", "categories", "sources", "content_hash", "year", "url")
"""Every property a Paper node may carry (``year`` and ``url`` only when known)."""


def metric_id(paper_id: str, index: int) -> str:
    return f"metric:{paper_id}:{index}"


def match_keys(label: str, props: Mapping[str, Any]) -> Iterator[str]:
    """The case-folded values a filter may use to name an entity: name, family and, for hardware, type.

    Shared by both stores so that "fpga", "NVIDIA Jetson" or "A100" match the same nodes everywhere. Hardware
    also answers to its name without the vendor ("Jetson Orin" for the family node "NVIDIA Jetson Orin") and to
    vendor + type ("amd gpu": every AMD part of type GPU). A hardware model also answers to its name with
    qualifiers left out, as long as the model word stays: "NVIDIA Jetson AGX Orin" is found by "Jetson Orin".
    Members of a family are found through ``IN_FAMILY`` edges, not keys (see ``GraphStore.papers_for``).
    """
    for key in ("name", "family", "type") if label == "Hardware" else ("name", "family"):
        value = props.get(key)
        if value:
            yield str(value).casefold()
    if label != "Hardware":
        return
    name, vendor = str(props.get("name") or ""), str(props.get("vendor") or "")
    if vendor and name.casefold().startswith(vendor.casefold() + " "):
        yield name[len(vendor) + 1 :].casefold()
    if vendor and props.get("type"):
        yield f"{vendor} {props['type']}".casefold()
    if props.get("name"):
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
    families: dict[tuple[str, str], Link] = {}
    for doc in docs:
        if latest[doc.paper.id] is not doc:
            continue
        rows.papers.append(paper_properties(doc))
        links: dict[tuple[str, str], Link] = {}
        hw_ids = _hardware_rows(rows, families, links, doc)
        _entity_rows(rows, families, links, doc)
        rows.links.extend(links.values())
        _metric_rows(rows, doc, hw_ids)
    rows.links.extend(families.values())
    return rows


def _hardware_rows(
    rows: GraphRows, families: dict[tuple[str, str], Link], links: dict[tuple[str, str], Link], doc: ExtractedPaper
) -> dict[str, str]:
    """The paper's hardware nodes, their families and mention links; returns the node id of each name."""
    ids: dict[str, str] = {}
    for h in doc.extraction.hardware:
        hid = entity_id(EntityType.HARDWARE, h.name)
        props = _present(id=hid, name=h.name, type=h.type.value, vendor=h.vendor, family=h.family, level=h.level.value)
        rows.entities["Hardware"].setdefault(hid, props)
        ids[h.name] = hid
        _link(links, doc.paper.id, hid, "Hardware", MENTIONS, h)
        chain = h.lineage or ([h.family] if h.family else [])
        extra = {"type": h.type.value, "vendor": h.vendor, "level": FAMILY_LEVEL}
        _families(rows, families, "Hardware", EntityType.HARDWARE, hid, chain, extra)
    return ids


def _entity_rows(
    rows: GraphRows, families: dict[tuple[str, str], Link], links: dict[tuple[str, str], Link], doc: ExtractedPaper
) -> None:
    """The paper's technique, system (with families) and dataset nodes and their mention/proposal links."""
    pid, ex = doc.paper.id, doc.extraction
    for t in ex.techniques:
        tid = entity_id(EntityType.TECHNIQUE, t.name)
        rows.entities["Technique"].setdefault(tid, _present(id=tid, name=t.name, family=t.family or None))
        _link(links, pid, tid, "Technique", MENTIONS, t)
    proposed = {s.name for s in ex.systems if s.role is SystemRole.PROPOSED}
    for s in ex.systems:
        sid = entity_id(EntityType.SYSTEM, s.name)
        rows.entities["System"].setdefault(sid, _present(id=sid, name=s.name, family=s.family))
        chain = s.lineage or ([s.family] if s.family else [])
        _families(rows, families, "System", EntityType.SYSTEM, sid, chain, {})
        rel = PROPOSES if s.name in proposed else MENTIONS
        # Evidence for PROPOSES should be the proposing sentence, not an earlier mention.
        if rel is PROPOSES and s.role is not SystemRole.PROPOSED and (sid, rel) not in links:
            continue
        _link(links, pid, sid, "System", rel, s)
    for d in ex.datasets:
        did = entity_id(EntityType.DATASET, d.name)
        rows.entities["Dataset"].setdefault(did, {"id": did, "name": d.name})
        _link(links, pid, did, "Dataset", MENTIONS, d)


def _metric_rows(rows: GraphRows, doc: ExtractedPaper, hw_ids: dict[str, str]) -> None:
    """The paper's metric nodes, REPORTS links and MEASURED_ON links to hardware the paper names."""
    pid = doc.paper.id
    for i, m in enumerate(doc.extraction.metrics):
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
        if m.hardware and m.hardware in hw_ids:
            rows.links.append(Link(mid, hw_ids[m.hardware], MEASURED_ON, "Hardware", {}))


def _present(**props: Any) -> dict[str, Any]:
    """Properties without the unknown ones: a missing property is absent, never null (as in every store)."""
    return {k: v for k, v in props.items() if v is not None}


def _families(
    rows: GraphRows,
    links: dict[tuple[str, str], Link],
    label: str,
    type_: EntityType,
    member: str,
    chain: Sequence[str],
    extra: Mapping[str, Any],
) -> None:
    """Family nodes of ``chain`` (nearest first) and the ``IN_FAMILY`` edges member -> family -> parent."""
    child = member
    for n, name in enumerate(chain):
        fid = entity_id(type_, name)
        if fid == child:
            continue
        parent = chain[n + 1] if n + 1 < len(chain) else None
        rows.entities[label].setdefault(fid, _present(id=fid, name=name, family=parent, **extra))
        links.setdefault((child, fid), Link(child, fid, IN_FAMILY, label, {}))
        child = fid


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


def entity_scope(type_: EntityType | None, q: str | None) -> tuple[list[str], str | None]:
    """What an entity listing covers: the labels (one type's, or every entity label) and the case-folded
    name substring (None: every name)."""
    return ([type_.label] if type_ else list(ENTITY_LABELS)), (q.casefold() if q else None)


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
