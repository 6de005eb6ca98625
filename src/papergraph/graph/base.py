"""The one interface every graph store implements, so the query layer works unchanged on any backend.

Schema (documented in ``graph_schema/schema.md``)::

    (:Paper)-[:MENTIONS {evidence, surface, field, start, end, count}]->(:Hardware|:Technique|:Dataset|:System)
    (:Paper)-[:PROPOSES {evidence, surface, field, start, end, count}]->(:System)
    (:Paper)-[:REPORTS {evidence, surface, field, start, end}]->(:Metric)-[:MEASURED_ON]->(:Hardware)
    (:Hardware)-[:IN_FAMILY]->(:Hardware)   (:System)-[:IN_FAMILY]->(:System)   model -> family -> parent family

Filters name entities loosely, the way people do: a value matches an entity whose ``name``, ``family`` or
(for hardware) ``type`` equals it, case-insensitively (hardware also by its name without the vendor, and by
"<vendor> <type>"), and then every node below a matched one through ``IN_FAMILY``: "NVIDIA Jetson" and
"Jetson Orin" match every board of those lines, "AMD GPU" every AMD GPU, "FPGA" every FPGA, "Jetson" nothing.
Values of one type are OR'd, types are AND'ed. A family's paper count and papers cover its members too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from papergraph.graph.query import MetricHit, MetricQuery, PaperQuery, Tally, TallyQuery, YearCount
from papergraph.models import (
    EntityCount,
    EntityDetail,
    EntityType,
    ExtractedPaper,
    GraphStats,
    PaperRecord,
    Subgraph,
    WriteStats,
)

EntityFilters = Mapping[EntityType, Sequence[str]]
"""Entity constraints: AND across types, OR within a type. ``METRIC`` values are metric kinds."""


@runtime_checkable
class GraphStore(Protocol):
    """A property graph of papers and the entities extracted from them."""

    # --- writes -------------------------------------------------------------------------------------
    def upsert(self, papers: Sequence[ExtractedPaper]) -> WriteStats:
        """Write papers with their entities and links; a paper already stored is replaced. Idempotent."""
        ...

    def delete_papers(self, paper_ids: Sequence[str]) -> int:
        """Remove papers, their links and metrics, and entities no paper links to any more."""
        ...

    def commit(self) -> None:
        """Make writes durable (the embedded store saves its file; Neo4j commits per batch already)."""
        ...

    def close(self) -> None: ...

    # --- reads --------------------------------------------------------------------------------------
    def paper_ids(self) -> set[str]:
        """Ids of every stored paper."""
        ...

    def paper_hashes(self) -> dict[str, str]:
        """Every stored paper's content hash by id (what ingest compares to repair a graph that fell behind)."""
        ...

    def paper(self, paper_id: str) -> PaperRecord | None:
        """A paper with its entity links (evidence included) and metrics; None when unknown."""
        ...

    def papers_for(self, filters: EntityFilters) -> set[str]:
        """Ids of the papers satisfying every filter (see the module docstring for matching): papers linked to
        a matched entity or to any member below it ("papers on Jetson Orin" include every Orin model's)."""
        ...

    def entities(self, type_: EntityType | None = None, q: str | None = None, limit: int = 50) -> list[EntityCount]:
        """Entities with their paper counts (a family's includes its members'), most-linked first; ``q`` is a
        case-insensitive substring."""
        ...

    def total_entities(self, type_: EntityType | None = None, q: str | None = None) -> int:
        """How many entities :meth:`entities` would list without a limit."""
        ...

    def entity(self, type_: EntityType, name: str, limit: int = 50) -> EntityDetail | None:
        """One entity by canonical name (case-insensitive) or id: its papers (a family's include its members'),
        and the entities co-occurring with them."""
        ...

    def neighbours(self, node_id: str, depth: int = 1, limit: int = 100) -> Subgraph | None:
        """The nodes within ``depth`` hops of a node and the edges among them; None when unknown."""
        ...

    def degree(self, node_id: str) -> int | None:
        """How many distinct nodes are adjacent to a node, in either direction; None when unknown."""
        ...

    def stats(self) -> GraphStats:
        """Node counts per label and relationship counts per type."""
        ...

    # --- question reads (meaning in papergraph.graph.query; Cypher in papergraph.graph.cypher) -----------
    def papers_where(self, query: PaperQuery) -> set[str]:
        """Ids of the papers matching a level-aware query (exact node ids, families, vendors, types, years)."""
        ...

    def count_entities(self, tally: TallyQuery) -> list[Tally]:
        """Distinct papers per entity of ``tally.type`` (or per family/vendor/type) among the papers ``within``.

        Counted like :meth:`entities` (distinct papers linked to the node), most papers first, except that a
        family counts only the papers naming it, not its members' (a ranking lists each paper's own nodes; a
        family no paper names is left out). ``include`` keeps the entities it matches, ``exclude`` drops those
        they match.
        """
        ...

    def metric_values(self, numbers: MetricQuery) -> list[MetricHit]:
        """Reported numbers of these kinds (no kinds: every kind) among the papers ``within``, by value, then
        paper and metric id."""
        ...

    def papers_per_year(self, within: PaperQuery | None = None) -> list[YearCount]:
        """Papers matching ``within`` per publication year, oldest first; papers without a year not counted."""
        ...
