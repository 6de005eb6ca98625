"""Every paper title and entity name (with the gazetteer's aliases) in memory, searched as people type.

Matching is rapidfuzz's weighted ratio over lower-cased, punctuation-free text, so misspellings ("jetsn
nano"), other word orders and fragments of a title all find their node. The catalog also knows each entity's
paper count (the size a node is drawn at), the hardware types and the publication years present: the facets
of the page's filters. It is built from a GraphStore and the indexed papers, once per loaded generation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process, utils

from papergraph.explore.models import GraphHit, YearRange
from papergraph.gazetteer import gazetteer_aliases
from papergraph.graph.base import GraphStore
from papergraph.graph.rows import PAPER
from papergraph.models import EntityCount, Paper

log = logging.getLogger(__name__)

MAX_ENTITIES = 1_000_000
MIN_SCORE = 60.0
MIN_FRAGMENT = 4  # shorter queries are found inside too many titles
FRAGMENT_WEIGHT = 0.9
WORD_SIMILARITY = 80.0


@dataclass(frozen=True)
class Entry:
    """One searchable node."""

    id: str
    label: str
    name: str
    papers: int
    properties: dict[str, str | int] = field(default_factory=dict)


def _entity_entry(e: EntityCount) -> Entry:
    props: dict[str, str | int] = {
        k: v for k, v in e.properties.items() if k in ("type", "family") and isinstance(v, str)
    }
    return Entry(id=e.id, label=e.type.label, name=e.name, papers=e.papers, properties=props)


def _paper_entry(p: Paper) -> Entry:
    return Entry(id=p.id, label=PAPER, name=p.title, papers=1, properties={"year": p.year} if p.year else {})


@dataclass
class _Pool:
    """Texts searched with one scorer: as matched (lower case, no punctuation), as written, and whose."""

    texts: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    owners: list[Entry] = field(default_factory=list)

    def add(self, text: str, entry: Entry) -> None:
        processed = utils.default_process(text)
        if processed:
            self.texts.append(processed)
            self.shown.append(text)
            self.owners.append(entry)


class Catalog:
    """Searchable names of every node, paper counts, and the facets of the filters."""

    def __init__(
        self,
        entities: Iterable[EntityCount],
        papers: Iterable[Paper],
        aliases: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.entries: dict[str, Entry] = {}
        for entry in (*map(_entity_entry, entities), *map(_paper_entry, papers)):
            self.entries[entry.id] = entry
        self._names = _Pool()  # entity names and aliases: short, matched whole
        self._titles = _Pool()  # paper titles: long, matched whole or by a fragment
        for entry in self.entries.values():
            if entry.label == PAPER:
                self._titles.add(entry.name, entry)
                continue
            for text in (entry.name, *(aliases or {}).get(entry.id, ())):
                self._names.add(text, entry)

    @classmethod
    def build(cls, store: GraphStore, papers: Iterable[Paper]) -> Catalog:
        """The catalog of a store's entities and the indexed papers, gazetteer aliases included."""
        catalog = cls(store.entities(None, None, MAX_ENTITIES), papers, gazetteer_aliases())
        log.info("explorer catalog: %d nodes, %d names and aliases", len(catalog.entries), len(catalog._names.texts))
        return catalog

    # --- lookups ------------------------------------------------------------------------------------
    def papers_of(self, node_id: str) -> int:
        """Papers linked to a node: an entity's count, 1 for a paper, 0 for a metric or an unknown id."""
        entry = self.entries.get(node_id)
        return entry.papers if entry else 0

    # --- facets: computed once, on first use (a catalog is built once per loaded generation) ---------------
    @cached_property
    def hardware_types(self) -> list[str]:
        """The hardware types present, in case-insensitive order."""
        types = {
            str(e.properties["type"]) for e in self.entries.values() if e.label == "Hardware" and "type" in e.properties
        }
        return sorted(types, key=str.casefold)

    @cached_property
    def years(self) -> YearRange | None:
        """The first and last publication years of the papers, or None when no paper has a year."""
        years = [
            int(e.properties["year"]) for e in self.entries.values() if e.label == PAPER and "year" in e.properties
        ]
        return YearRange(min=min(years), max=max(years)) if years else None

    @cached_property
    def _ranked(self) -> list[GraphHit]:
        """Every entity (papers excluded), the most linked first."""
        entities = (e for e in self.entries.values() if e.label != PAPER)
        return [_hit(e, e.name, 100.0) for e in sorted(entities, key=lambda e: (-e.papers, e.name.casefold(), e.id))]

    def top(self, limit: int) -> list[GraphHit]:
        """The ``limit`` most linked entities (papers excluded), most first."""
        return self._ranked[:limit]

    # --- search -------------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 10, labels: set[str] | None = None) -> list[GraphHit]:
        """Nodes whose name, alias or title resembles ``query``, best first; ``labels`` keeps only those.

        Names and aliases are scored whole (weighted ratio); titles also by the query's words found among
        theirs (token set ratio, weighted 0.9), since a title is usually found by a few of its words.
        """
        best: dict[str, tuple[float, str]] = {}
        exact = self.entries.get(query.strip())  # a node id, pasted
        if exact is not None:
            best[exact.id] = (100.0, exact.id)
        wanted = utils.default_process(query)
        if wanted:
            n = limit * 8 + 50
            self._score(
                best,
                self._names,
                process.extract(
                    wanted, self._names.texts, scorer=fuzz.WRatio, processor=None, limit=n, score_cutoff=MIN_SCORE
                ),
            )
            self._score(
                best,
                self._titles,
                process.extract(
                    wanted, self._titles.texts, scorer=fuzz.WRatio, processor=None, limit=n, score_cutoff=MIN_SCORE
                ),
            )
            if len(wanted) >= MIN_FRAGMENT:
                fragments = process.extract(
                    wanted,
                    self._titles.texts,
                    scorer=fuzz.token_set_ratio,
                    processor=None,
                    limit=n,
                    score_cutoff=MIN_SCORE / FRAGMENT_WEIGHT,
                )
                self._score(best, self._titles, [(t, s * FRAGMENT_WEIGHT, i) for t, s, i in fragments])
        found = [n for n in best if not labels or self.entries[n].label in labels]
        words = wanted.split()
        covered = {n: _coverage(words, best[n][1]) for n in found}
        found.sort(
            key=lambda n: (-round(best[n][0]), -covered[n], -self.entries[n].papers, self.entries[n].name.casefold(), n)
        )
        return [_hit(self.entries[n], best[n][1], best[n][0]) for n in found[:limit]]

    @staticmethod
    def _score(best: dict[str, tuple[float, str]], pool: _Pool, matches: Iterable[tuple[str, float, int]]) -> None:
        """Keep each node's best score and the text that earned it."""
        for _, score, i in matches:
            entry = pool.owners[i]
            if score > best.get(entry.id, (-1.0, ""))[0]:
                best[entry.id] = (float(score), pool.shown[i])


def _coverage(words: Sequence[str], text: str) -> int:
    """How many of the query's words appear, give or take a typo, in ``text`` (breaks ties between hits)."""
    theirs = utils.default_process(text).split()
    return sum(any(fuzz.ratio(word, other) >= WORD_SIMILARITY for other in theirs) for word in words)


def _hit(entry: Entry, matched: str, score: float) -> GraphHit:
    return GraphHit(
        id=entry.id,
        label=entry.label,
        name=entry.name,
        papers=entry.papers,
        matched=matched,
        score=round(score, 1),
        properties=entry.properties,
    )
