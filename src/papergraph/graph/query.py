"""Structured reads behind questions: which papers, counted how, ranked by what.

The question planner (:mod:`papergraph.query`) resolves a question's words to exact stored values (node ids,
family names, vendor names, hardware types, author names) and hands a store these small models. Both stores
give them the meaning written here, the embedded one in Python and the Neo4j one as Cypher
(:mod:`papergraph.graph.cypher`); the contract suite holds them equal.

Matching one entity node (:class:`NodeMatch`, every field given must hold on the same node):

* ``ids``: the node is one of these (a named model, technique, system or dataset).
* ``family``: the node is named one of these, or its ``family`` property is one of these, or a node it
  reaches by 1 to :data:`FAMILY_DEPTH` ``IN_FAMILY`` hops is named one of these ("NVIDIA Jetson" matches the
  Jetson family node, every board in it, and the boards of its sub-families).
* ``vendor``: the node's ``vendor`` property is this; on a graph written before vendors were stored, a node
  without the property matches when its name starts with the vendor and a space ("NVIDIA A100").
* ``hw_type``: the hardware node's ``type`` ("GPU", "edge-board").
* ``level``: the hardware node's ``level`` (``model``, ``family`` or ``class``: "GPU models" are not the class
  "GPU" nor the "NVIDIA Ampere" line).
* ``not_hw_type``: the hardware node's ``type`` is not this one (an exception: "Intel accelerators other than
  CPUs"); only next to another field.

A paper matches a :class:`PaperQuery` when it links (``MENTIONS`` or ``PROPOSES``) to a node matching one
alternative of every group, reports a metric of one of ``metric_kinds`` (when given), has a year inside the
bounds (when given: papers without a year are then left out), lists one of ``authors`` and every one of
``coauthors`` (when given), is one of ``papers`` (when given) and proposes (``PROPOSES``) no node that one of
``not_proposing`` matches: a paper comparing against vLLM, not vLLM's own paper.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from papergraph.models import EntityType, MetricRecord

FAMILY_DEPTH = 4
"""Most ``IN_FAMILY`` hops followed from a node to a family it belongs to."""


class NodeMatch(BaseModel):
    """Entity nodes of one type that satisfy every field given (exact stored values)."""

    model_config = ConfigDict(frozen=True)

    type: EntityType
    ids: tuple[str, ...] = Field((), description="Node ids (model level).")
    family: tuple[str, ...] = Field((), description="Family names: the family node and everything below it.")
    vendor: str | None = Field(None, description="Vendor as stored, e.g. 'NVIDIA' (hardware).")
    hw_type: str | None = Field(None, description="Hardware type as stored, e.g. 'GPU' (hardware).")
    level: str | None = Field(None, description="Hardware level as stored: 'model', 'family' or 'class'.")
    not_hw_type: str | None = Field(None, description="Hardware of any type but this ('Intel, other than CPUs').")

    @model_validator(mode="after")
    def _check(self) -> NodeMatch:
        if self.type is EntityType.METRIC:
            raise ValueError("metrics are matched by kind (PaperQuery.metric_kinds), not as nodes")
        if not (self.ids or self.family or self.vendor or self.hw_type or self.level):
            raise ValueError("a NodeMatch needs ids, family, vendor, hw_type or level")
        if (self.vendor or self.hw_type or self.level or self.not_hw_type) and self.type is not EntityType.HARDWARE:
            raise ValueError("vendor, hw_type, level and not_hw_type apply to hardware only")
        return self


class PaperQuery(BaseModel):
    """Papers satisfying every group (one alternative each), the metric kinds, years and authors."""

    model_config = ConfigDict(frozen=True)

    all_of: tuple[tuple[NodeMatch, ...], ...] = Field((), description="AND over groups, OR within a group.")
    metric_kinds: tuple[str, ...] = Field((), description="The paper reports a metric of one of these kinds.")
    year_min: int | None = None
    year_max: int | None = None
    authors: tuple[str, ...] = Field((), description="Author names as stored; any of them.")
    coauthors: tuple[str, ...] = Field((), description="Author names as stored; every one of them.")
    papers: frozenset[str] | None = Field(
        None, description="Only these papers (ids): a restriction found outside the graph, e.g. in the paper text."
    )
    not_proposing: tuple[NodeMatch, ...] = Field(
        (), description="Papers proposing a node these match are left out ('against vLLM as a baseline')."
    )

    @property
    def paper_filters(self) -> bool:
        """Whether the query restricts paper properties (years, authors, ids)."""
        return (
            self.year_min is not None
            or self.year_max is not None
            or bool(self.authors or self.coauthors or self.not_proposing)
            or self.papers is not None
        )


class GroupBy(StrEnum):
    """What an aggregation counts papers per: each entity node, the top of its hierarchy, or a property.

    ``LINE``: every node counts for the nodes at the top of its ``IN_FAMILY`` chains (itself when it belongs to
    no family): "Raspberry Pi" holds the papers naming any Raspberry Pi, "Llama" those naming any Llama model.
    """

    ENTITY = "entity"
    LINE = "line"
    FAMILY = "family"
    VENDOR = "vendor"
    TYPE = "type"

    @property
    def property(self) -> str | None:
        """The node property grouped on (None: nodes themselves, ``ENTITY`` or ``LINE``)."""
        return None if self in (GroupBy.ENTITY, GroupBy.LINE) else self.value


class TallyQuery(BaseModel):
    """Which entities a tally counts papers for, among which papers, grouped how and how many come back.

    ``type``: the entity type counted. ``within``: the papers counted in (None: every paper). ``include`` keeps
    the entities it matches, ``exclude`` drops those they match (co-occurrence: the entities a question names
    are not their own neighbours). ``by``: per entity node, per top of its line, or per property value.
    ``limit``: the most tallies returned (None: every one).
    """

    model_config = ConfigDict(frozen=True)

    type: EntityType
    within: PaperQuery | None = None
    include: NodeMatch | None = None
    exclude: tuple[NodeMatch, ...] = ()
    by: GroupBy = GroupBy.ENTITY
    limit: int | None = 10


class MetricQuery(BaseModel):
    """Which reported numbers to read, among which papers, in which order and how many come back.

    ``kinds``: metric kinds (none: every kind). ``within``: the papers (None: every paper). ``unit``: numbers
    in this unit only. ``measured_on``: numbers tied (``MEASURED_ON``) to matching hardware. ``descending``:
    largest value first. ``limit``: the most numbers returned (None: every one).
    """

    model_config = ConfigDict(frozen=True)

    kinds: tuple[str, ...] = ()
    within: PaperQuery | None = None
    unit: str | None = None
    measured_on: NodeMatch | None = None
    descending: bool = True
    limit: int | None = 10


class Tally(BaseModel):
    """Distinct papers per entity (``id`` set) or per property value of entities (``id`` None)."""

    type: EntityType
    group: GroupBy = GroupBy.ENTITY
    name: str = Field(description="The entity name, or the family/vendor/type value.")
    papers: int
    id: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)


class MetricHit(BaseModel):
    """A reported number with its paper."""

    paper_id: str
    paper_title: str
    metric: MetricRecord


class YearCount(BaseModel):
    year: int
    papers: int


def tally_order(tally: Tally) -> tuple[int, str, str]:
    """Most papers first, then by case-folded name, then id (a total order: both stores agree)."""
    return (-tally.papers, tally.name.casefold(), tally.id or "")


def metric_order(hit: MetricHit, descending: bool) -> tuple[float, str, str]:
    """By value (largest first when ``descending``), then paper id, then metric id."""
    return (-hit.metric.value if descending else hit.metric.value, hit.paper_id, hit.metric.id)


__all__ = [
    "FAMILY_DEPTH",
    "GroupBy",
    "MetricHit",
    "MetricQuery",
    "NodeMatch",
    "PaperQuery",
    "Tally",
    "TallyQuery",
    "YearCount",
    "metric_order",
    "tally_order",
]
