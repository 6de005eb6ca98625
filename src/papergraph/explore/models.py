"""What the explorer page asks for and gets back: search hits, expansions, paths, subgraphs, the overview."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from papergraph.models import EntityType, GraphEdge, GraphNode

NodeId = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class ViewNode(GraphNode):
    """A node as the page draws it: a graph node plus its number of papers (the node's size)."""

    papers: int = Field(0, ge=0, description="Papers linked to an entity; 1 for a paper; 0 for a metric.")


class ViewGraph(BaseModel):
    """Nodes and the relationships among them, ready for a graph view."""

    nodes: list[ViewNode] = Field(default_factory=list)
    edges: list[GraphEdge] = Field(default_factory=list)


class GraphHit(BaseModel):
    """One search result: a paper or an entity, with what matched and how well."""

    id: str
    label: str = Field(description="Paper, Hardware, Technique, System or Dataset.")
    name: str = Field(description="The paper title or the entity name.")
    papers: int = Field(description="Papers linked to an entity; 1 for a paper.")
    matched: str = Field(description="The text that matched the query: a name, an alias or a title.")
    score: float = Field(description="Similarity of `matched` to the query, 0-100 (100: exact).")
    properties: dict[str, str | int] = Field(default_factory=dict, description="type and family, or year.")


class GraphHits(BaseModel):
    data: list[GraphHit]
    count: int


class Expansion(ViewGraph):
    """A page of a node's neighbours (the node first), and how many there are in all."""

    node: str = Field(description="The node expanded.")
    total: int = Field(description="Distinct neighbours of the node.")
    offset: int = Field(description="Neighbours skipped (earlier pages).")
    more: int = Field(description="Neighbours after this page: what 'N more' offers.")


class GraphPath(ViewGraph):
    """A shortest path between two nodes, nodes in path order; empty when none was found within the limits."""

    source: str
    target: str
    found: bool
    hops: int = Field(description="Relationships on the path; 0 when none was found.")
    explored: int = Field(description="Nodes whose neighbours were read while searching.")


class EntityRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: EntityType
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SubgraphRequest(BaseModel):
    """Nodes to show together, by id or by entity type and canonical name (as /ask names them)."""

    model_config = ConfigDict(extra="forbid")

    ids: list[NodeId] = Field(
        default_factory=list, max_length=500, description="Node ids: paper ids or '<type>:<slug>' entity ids."
    )
    entities: list[EntityRef] = Field(
        default_factory=list, max_length=200, description="Entities by type and canonical name, as /ask names them."
    )


class Subview(ViewGraph):
    missing: list[str] = Field(default_factory=list, description="Requested ids or names not in the graph.")


class NodeStyle(BaseModel):
    color: str
    border_color: str
    text_color: str
    diameter: float = Field(description="Diameter in Neo4j Browser pixels.")
    caption: str = Field(description="The caption template, e.g. '{title}'.")


class RelationshipStyle(BaseModel):
    color: str
    width: float


class GraphStyle(BaseModel):
    """Colours, sizes and captions per label and relationship type, read from ``papergraph.grass``."""

    nodes: dict[str, NodeStyle]
    relationships: dict[str, RelationshipStyle]


class YearRange(BaseModel):
    min: int
    max: int


class Overview(BaseModel):
    """What the page needs to start: counts, facets for the filters, the style, the most linked entities."""

    nodes: dict[str, int] = Field(description="Node count per label.")
    relationships: dict[str, int] = Field(description="Relationship count per type.")
    hardware_types: list[str] = Field(description="Hardware types present in the graph.")
    years: YearRange | None = Field(description="Publication years of the papers, when the corpus has them.")
    style: GraphStyle
    top: list[GraphHit] = Field(description="The most linked entities, most first.")
