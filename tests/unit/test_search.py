"""Search: fusion, snippets, graph filters, more-like-this, and errors on bad requests."""

from __future__ import annotations

import pytest

from papergraph.errors import NotFoundError, QueryError
from papergraph.index import LexicalIndex
from papergraph.models import Paper
from papergraph.query import SearchFilters, SearchMode, rrf
from papergraph.query.search import snippet
from support import build_engine


def test_rrf_rewards_agreement() -> None:
    fused = rrf([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert [pid for pid, _ in fused] == ["b", "a", "c"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    weighted = rrf([["a", "b"], ["b", "a"]], k=10, weights=(0.3, 1.0))
    assert [pid for pid, _ in weighted] == ["b", "a"]  # the heavier ranking decides a tie of ranks


def test_lexical_matches_plural_acronyms_and_exact_names() -> None:
    papers = [
        Paper(id="a", title="TeLLMe", abstract="Ternary LLM decoding on edge FPGAs."),
        Paper(id="b", title="Other", abstract="GPU serving of transformers."),
    ]
    lex = LexicalIndex(papers)
    assert [h.paper_id for h in lex.search("fpga", 5)] == ["a"]
    assert [h.paper_id for h in lex.search("tellme", 5)] == ["a"]
    assert lex.search("zzzz unknownword", 5) == []
    assert lex.search("gpu", 5, allowed={"a"}) == []


def test_snippet_picks_sentence_sharing_query_words() -> None:
    p = Paper(id="x", title="t", abstract="First sentence here. The FPGA design reaches 25 tokens/s. Last one.")
    assert snippet(p, "fpga tokens") == "The FPGA design reaches 25 tokens/s."
    assert snippet(p, None) == "First sentence here."


def test_search_hybrid_ranks_named_paper_first_and_lists_entities() -> None:
    engine = build_engine()
    result = engine.searcher.search("TeLLMe ternary decoding", k=3)
    assert result.data[0].id == "p-fpga"
    assert result.data[0].entities["system"] == ["TeLLMe"]
    assert result.data[0].dense_rank == 1 and result.data[0].lexical_rank == 1


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(hardware=["FPGA"]), {"p-fpga"}),
        (SearchFilters(hardware=["nvidia jetson"]), {"p-jetson"}),
        (SearchFilters(hardware=["GPU", "FPGA"]), {"p-fpga", "p-gpu"}),
        (SearchFilters(hardware=["GPU"], technique=["quantization"]), {"p-gpu"}),
        (SearchFilters(hardware=["GPU"], dataset=["ImageNet"]), set()),
    ],
)
def test_graph_filters_restrict_results(filters: SearchFilters, expected: set[str]) -> None:
    engine = build_engine()
    result = engine.searcher.search("LLM inference", k=10, filters=filters)
    assert {h.id for h in result.data} == expected


def test_more_like_this_excludes_the_paper_itself() -> None:
    engine = build_engine()
    result = engine.searcher.search(paper_id="p-gpu", k=5)
    assert result.mode is SearchMode.DENSE
    assert "p-gpu" not in {h.id for h in result.data} and result.count == 2


def test_search_errors() -> None:
    engine = build_engine()
    with pytest.raises(QueryError):
        engine.searcher.search("   ")
    with pytest.raises(NotFoundError):
        engine.searcher.search(paper_id="nope")
