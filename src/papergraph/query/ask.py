"""Natural-language questions: read into a query plan, answered from the graph, with evidence and the Cypher run.

``Asker.ask`` = ``Planner.plan`` (question rules + entity linking against the graph's vocabulary, no model)
then ``Executor.run`` (the plan's graph reads on whichever store is loaded, papers ordered by BM25 or, for
similarity questions, by dense-led hybrid ranking). The response carries the plan as its ``interpretation``.
"""

from __future__ import annotations

import threading
import time

from papergraph.config import Settings
from papergraph.graph import GraphStore
from papergraph.query.executor import Executor
from papergraph.query.plan import Intent, QueryPlan
from papergraph.query.planner import Planner
from papergraph.query.response import AskEntity, AskPaper, AskResult, Evidence, GraphQuery, Interpretation
from papergraph.query.rules import QuestionRules, question_rules
from papergraph.query.search import Searcher
from papergraph.query.vocabulary import Vocabulary, build_vocabulary

VOCABULARY_LIMIT = 10_000_000  # entities read into the vocabulary: all of them


class Asker:
    """Plans and answers questions over one loaded graph and index (the vocabulary is built on first use)."""

    def __init__(
        self,
        searcher: Searcher,
        store: GraphStore,
        settings: Settings,
        rules: QuestionRules | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.searcher = searcher
        self.store = store
        self.settings = settings
        self.rules = rules or question_rules()
        self._vocabulary = vocabulary
        self._parts: tuple[Planner, Executor] | None = None
        self._lock = threading.Lock()

    def _ready(self) -> tuple[Planner, Executor]:
        if self._parts is None:
            with self._lock:
                if self._parts is None:
                    vocab = self._vocabulary or build_vocabulary(
                        self.store.entities(limit=VOCABULARY_LIMIT), self.searcher.index.papers.values(), self.rules
                    )
                    self._vocabulary = vocab
                    planner = Planner(vocab, self.rules)
                    executor = Executor(self.store, self.searcher, self.rules, self.settings, vocab)
                    executor.prepare()
                    self._parts = (planner, executor)
        return self._parts

    @property
    def vocabulary(self) -> Vocabulary:
        self._ready()
        assert self._vocabulary is not None
        return self._vocabulary

    def plan(self, question: str) -> QueryPlan:
        """How a question is read (no graph or index access beyond the vocabulary)."""
        return self._ready()[0].plan(question)

    def ask(self, question: str, k: int = 10) -> AskResult:
        t0 = time.perf_counter()
        planner, executor = self._ready()
        result = executor.run(planner.plan(question), k)
        result.took_ms = round((time.perf_counter() - t0) * 1000, 2)
        return result


__all__ = [
    "AskEntity",
    "AskPaper",
    "AskResult",
    "Asker",
    "Evidence",
    "GraphQuery",
    "Intent",
    "Interpretation",
]
