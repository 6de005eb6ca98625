"""A graph store seen through one generation's paper set, so readers never meet a paper the index lacks.

The embedded graph is committed with the index and always agrees with it. A Neo4j graph is written before the
index generation is committed and may run ahead of it (a killed ingest, another process writing): it may hold
papers the index does not, or miss papers the index holds. Readers go through :class:`IndexedView`: papers
outside the index are skipped (and logged once each), a paper the graph lacks reads as a paper without
entities, and nothing fails. ``papergraph stats`` reports the difference; the next ingest repairs it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence

from papergraph.graph.base import EntityFilters, GraphStore
from papergraph.graph.query import MetricHit, MetricQuery, PaperQuery, Tally, TallyQuery, YearCount
from papergraph.graph.rows import PAPER, paper_properties, paper_record
from papergraph.models import (
    EntityCount,
    EntityDetail,
    EntityType,
    ExtractedPaper,
    Extraction,
    GraphStats,
    Paper,
    PaperRecord,
    Subgraph,
    WriteStats,
)

log = logging.getLogger(__name__)


class IndexedView:
    """``store`` restricted to ``papers`` (the paper store of the generation being served, by id)."""

    def __init__(self, store: GraphStore, papers: Mapping[str, Paper]) -> None:
        self.inner = store
        self.papers = papers
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    def _skip(self, ids: Iterable[str]) -> None:
        with self._lock:
            new = sorted(set(ids) - self._warned)
            self._warned.update(new)
        if new:
            shown = ", ".join(new[:5]) + (", ..." if len(new) > 5 else "")
            log.warning(
                "the graph holds %d paper(s) the index does not (%s): skipped; the next ingest repairs this",
                len(new),
                shown,
            )

    def _within(self, ids: set[str]) -> set[str]:
        kept = {pid for pid in ids if pid in self.papers}
        if len(kept) != len(ids):
            self._skip(ids - kept)
        return kept

    # --- writes go straight through -------------------------------------------------------------------
    def upsert(self, papers: Sequence[ExtractedPaper]) -> WriteStats:
        return self.inner.upsert(papers)

    def delete_papers(self, paper_ids: Sequence[str]) -> int:
        return self.inner.delete_papers(paper_ids)

    def commit(self) -> None:
        self.inner.commit()

    def close(self) -> None:
        self.inner.close()

    # --- reads ----------------------------------------------------------------------------------------
    def paper_ids(self) -> set[str]:
        return self._within(self.inner.paper_ids())

    def paper_hashes(self) -> dict[str, str]:
        hashes = self.inner.paper_hashes()
        return {pid: hashes[pid] for pid in self._within(set(hashes))}

    def paper(self, paper_id: str) -> PaperRecord | None:
        """The graph's record of an indexed paper; one the graph lacks reads as a paper without entities."""
        paper = self.papers.get(paper_id)
        if paper is None:
            return None
        record = self.inner.paper(paper_id)
        if record is None:
            log.info("paper %s is not in the graph yet: shown without entities", paper_id)
            props = paper_properties(ExtractedPaper(paper=paper, extraction=Extraction(paper_id=paper_id)))
            record = paper_record(props, [])
        return record

    def papers_for(self, filters: EntityFilters) -> set[str]:
        return self._within(self.inner.papers_for(filters))

    def entities(self, type_: EntityType | None = None, q: str | None = None, limit: int = 50) -> list[EntityCount]:
        return self.inner.entities(type_, q, limit)

    def total_entities(self, type_: EntityType | None = None, q: str | None = None) -> int:
        return self.inner.total_entities(type_, q)

    def entity(self, type_: EntityType, name: str, limit: int = 50) -> EntityDetail | None:
        detail = self.inner.entity(type_, name, limit)
        if detail is None:
            return None
        kept = self._within({p.id for p in detail.papers})
        return detail.model_copy(update={"papers": [p for p in detail.papers if p.id in kept]})

    def neighbours(self, node_id: str, depth: int = 1, limit: int = 100) -> Subgraph | None:
        sub = self.inner.neighbours(node_id, depth, limit)
        if sub is None:
            return None
        shown = {n.id for n in sub.nodes if n.label == PAPER}
        gone = shown - self._within(shown)
        if not gone:
            return sub
        if node_id in gone:
            return None
        return Subgraph(
            nodes=[n for n in sub.nodes if n.id not in gone],
            edges=[e for e in sub.edges if e.source not in gone and e.target not in gone],
        )

    def degree(self, node_id: str) -> int | None:
        """The graph's count (a paper outside the index reads as unknown; its links are still counted from
        the entities' side until the next ingest repairs the graph)."""
        if node_id not in self.papers:
            sub = self.inner.neighbours(node_id, 0, 1)
            if sub is None or (sub.nodes and sub.nodes[0].label == PAPER):
                return None
        return self.inner.degree(node_id)

    def stats(self) -> GraphStats:
        return self.inner.stats()

    # --- question reads: papers outside the index are skipped, counts pass through as entities() does ---
    def papers_where(self, query: PaperQuery) -> set[str]:
        return self._within(self.inner.papers_where(query))

    def count_entities(self, tally: TallyQuery) -> list[Tally]:
        return self.inner.count_entities(tally)

    def metric_values(self, numbers: MetricQuery) -> list[MetricHit]:
        hits = self.inner.metric_values(numbers.model_copy(update={"limit": None}))
        kept = self._within({h.paper_id for h in hits})
        hits = [h for h in hits if h.paper_id in kept]
        return hits if numbers.limit is None else hits[: max(numbers.limit, 0)]

    def papers_per_year(self, within: PaperQuery | None = None) -> list[YearCount]:
        return self.inner.papers_per_year(within)
