"""Cypher text for the graph constraints of a question, shown to users so they can paste it into Neo4j Browser.

Labels come from the EntityType enum, values only ever travel as parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from papergraph.models import EntityType

_KEYS = {EntityType.HARDWARE: ("name", "family", "type")}


def papers_query(
    constraints: Mapping[EntityType, Sequence[str]],
    metric_kinds: Sequence[str] = (),
    count: bool = False,
    topics: Mapping[str, str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """(cypher, params) selecting papers that satisfy every constraint (OR within a type) and topic regex."""
    params: dict[str, Any] = {}
    conditions = []
    for type_, values in constraints.items():
        if type_ is EntityType.METRIC:
            continue
        key = type_.value
        params[key] = sorted({v.casefold() for v in values})
        tests = " OR ".join(
            f"toLower(coalesce(e.{prop}, '')) IN ${key}" for prop in _KEYS.get(type_, ("name", "family"))
        )
        conditions.append(f"EXISTS {{ MATCH (p)-[:MENTIONS|PROPOSES]->(e:{type_.label}) WHERE {tests} }}")
    for i, pattern in enumerate((topics or {}).values()):
        params[f"topic_{i}"] = f"(?is).*({pattern}).*"
        conditions.append(f"(p.title =~ $topic_{i} OR p.abstract =~ $topic_{i})")
    lines = ["MATCH (p:Paper)"]
    if conditions:
        lines.append("WHERE " + "\n  AND ".join(conditions))
    if count:
        lines.append("RETURN count(p) AS papers")
        return "\n".join(lines), params
    if metric_kinds:
        params["metric_kinds"] = list(metric_kinds)
        lines.append("OPTIONAL MATCH (p)-[:REPORTS]->(m:Metric) WHERE m.kind IN $metric_kinds")
        lines.append("RETURN p.id AS id, p.title AS title, collect(m.surface) AS metrics")
    else:
        lines.append("RETURN p.id AS id, p.title AS title")
    lines.append("ORDER BY title")
    return "\n".join(lines), params
