"""Answering plans: every intent over a small hand-built graph (networkx store, hashed-word encoder, no model).

The answers are checked against what the graph holds, read through the same store: counts agree with
/entities, k cuts lists with "and N more", numbers are credited to the system that produced them, reductions
read as reductions, and a question about nothing in the corpus gets no papers.
"""

from __future__ import annotations

from typing import Any

import pytest

from papergraph.config import Settings
from papergraph.graph import cypher
from papergraph.graph.query import TallyQuery
from papergraph.models import (
    DatasetMention,
    ExtractedPaper,
    HardwareMention,
    HardwareType,
    MetricKind,
    MetricMention,
    MetricRecord,
    SystemMention,
    SystemRole,
    TechniqueMention,
)
from papergraph.models import EntityType as E
from papergraph.query import Engine
from papergraph.query.answer import format_metric
from papergraph.query.ask import Asker
from papergraph.query.plan import Confidence, Intent
from papergraph.query.rules import question_rules
from papergraph.query.vocabulary import build_vocabulary
from support import build_engine, extracted

GAZETTEER = [
    {
        "label": "HARDWARE",
        "pattern": "H200",
        "id": "hardware:nvidia-h200",
        "name": "NVIDIA H200",
        "type": "GPU",
        "case": True,
    },
    {"label": "VENDOR", "pattern": "Cerebras", "id": "vendor:cerebras", "name": "Cerebras"},
]


def hw(name: str, type_: HardwareType, family: str | None = None) -> HardwareMention:
    return HardwareMention(name=name, type=type_, family=family, surface=name, sentence=f"We run on {name}.")


def tech(name: str, family: str | None = None) -> TechniqueMention:
    return TechniqueMention(name=name, family=family, surface=name, sentence=f"We apply {name}.")


def metric(
    what: str, value: float, unit: str, kind: MetricKind, hardware: str | None = None, sentence: str = ""
) -> MetricMention:
    surface = f"{value:g}{unit}" if unit in "%x" else f"{value:g} {unit}"
    return MetricMention(
        metric=what,
        value=value,
        unit=unit,
        kind=kind,
        hardware=hardware,
        surface=surface,
        sentence=sentence or f"It reaches {surface}.",
    )


doc = extracted


A100 = ("NVIDIA A100", HardwareType.GPU, "NVIDIA Ampere")
H100 = ("NVIDIA H100", HardwareType.GPU, "NVIDIA Hopper")


def corpus() -> list[ExtractedPaper]:
    return [
        doc(
            "p1",
            "TeLLMe: ternary LLM decoding on edge FPGAs",
            "We present TeLLMe, a ternary quantization accelerator for LLM decoding on an AMD KV260 FPGA.",
            authors=("Ann Smith",),
            hardware=[hw("AMD KV260", HardwareType.FPGA, "AMD Kria")],
            techniques=[tech("ternary quantization", "quantization")],
            systems=[SystemMention(name="TeLLMe", role=SystemRole.PROPOSED, surface="TeLLMe")],
            metrics=[metric("decoding throughput", 25, "tokens/s", MetricKind.THROUGHPUT, "AMD KV260")],
        ),
        doc(
            "p2",
            "vLLM: paged attention for LLM serving",
            "We present vLLM, an LLM serving engine with paged attention, on NVIDIA A100 GPUs.",
            year=2023,
            hardware=[hw(*A100)],
            systems=[SystemMention(name="vLLM", role=SystemRole.PROPOSED, surface="vLLM")],
            metrics=[metric("serving throughput", 120, "tokens/s", MetricKind.THROUGHPUT, "NVIDIA A100")],
        ),
        doc(
            "p3",
            "SGLang: fast structured LLM programs",
            "We present SGLang and compare it with vLLM on NVIDIA H100 GPUs; SGLang reduces latency by 9.16%.",
            systems=[
                SystemMention(name="SGLang", role=SystemRole.PROPOSED, surface="SGLang"),
                SystemMention(name="vLLM", surface="vLLM"),
            ],
            hardware=[hw(*H100)],
            metrics=[
                metric(
                    "latency", 9.16, "%", MetricKind.LATENCY, "NVIDIA H100", "SGLang reduces latency by 9.16% on H100."
                )
            ],
        ),
        doc(
            "p4",
            "Pruning and quantization on a Jetson Orin Nano",
            "We combine pruning and quantization of vision models on an NVIDIA Jetson Orin Nano board.",
            year=2022,
            authors=("Bo Li", "Ann Smith"),
            hardware=[hw("NVIDIA Jetson Orin Nano", HardwareType.EDGE_BOARD, "NVIDIA Jetson Orin")],
            techniques=[tech("pruning", "model compression"), tech("quantization", "model compression")],
        ),
        doc(
            "p5",
            "Quantized LLM inference on A100 and H100",
            "We benchmark quantization for LLM inference on NVIDIA A100 and NVIDIA H100 GPUs.",
            hardware=[hw(*A100), hw(*H100)],
            techniques=[tech("quantization", "model compression")],
            metrics=[metric("decoding throughput", 300, "tokens/s", MetricKind.THROUGHPUT, "NVIDIA H100")],
        ),
        doc(
            "p6",
            "Federated learning on smartphones",
            "We train with federated learning across smartphones and report energy.",
            year=2023,
            hardware=[hw("smartphone", HardwareType.SMARTPHONE)],
            techniques=[tech("federated learning")],
            datasets=[DatasetMention(name="CIFAR-10", surface="CIFAR-10")],
        ),
        doc(
            "p7",
            "Pruned CNN accelerators on FPGA",
            "We prune convolutional networks for an FPGA accelerator with 3 ms latency.",
            year=None,
            hardware=[hw("FPGA", HardwareType.FPGA)],
            techniques=[tech("pruning", "model compression")],
            metrics=[metric("latency", 3, "ms", MetricKind.LATENCY, "FPGA")],
        ),
    ]


@pytest.fixture(scope="module")
def engine() -> Engine:
    built = build_engine(corpus(), Settings(out_of_scope_similarity=0.4, weak_similarity=0.5))
    rules = question_rules()
    vocab = build_vocabulary(built.store.entities(limit=1000), built.index.papers.values(), rules, GAZETTEER)
    built._asker = Asker(built.searcher, built.store, built.settings, rules, vocab)
    return built


def ask(engine: Engine, question: str, k: int = 10) -> Any:
    return engine.asker.ask(question, k=k)


def ids(result: Any) -> set[str]:
    return {p.id for p in result.papers}


# --------------------------------------------------------------------------------------------------
# Lists and counts
# --------------------------------------------------------------------------------------------------


def test_count_agrees_with_entities(engine: Engine) -> None:
    result = ask(engine, "How many papers mention vLLM?")
    listed = next(e for e in engine.store.entities(E.SYSTEM) if e.name == "vLLM")
    assert result.intent is Intent.COUNT and result.matched == listed.papers == 2
    assert result.answer.startswith("2 papers mention vLLM")


def test_count_over_a_type_explains_its_nodes(engine: Engine) -> None:
    result = ask(engine, "How many papers use FPGAs?")
    assert result.matched == 2 and ids(result) == {"p1", "p7"}
    assert "(counted over AMD KV260: 1, FPGA: 1)" in result.answer  # each node as /entities counts it
    assert result.interpretation.entities[0].level.value == "type"
    assert (
        result.graph_queries[0].cypher == cypher.count_papers_where(engine.asker.plan(result.question).paper_query())[0]
    )


def test_k_cuts_lists_and_says_how_many_more(engine: Engine) -> None:
    result = ask(engine, "Which papers use quantization?", k=2)
    assert result.matched == 3 and result.count == 2 and result.more == 1
    assert "and 1 more" in result.answer
    assert ids(ask(engine, "Which papers use quantization?")) == {"p1", "p4", "p5"}  # the family: ternary too


def test_typos_give_the_clean_answer(engine: Engine) -> None:
    clean = ask(engine, "Which papers use quantization on Jetson boards?")
    typo = ask(engine, "Which papers use quantizaton on jetson boards?")
    assert ids(typo) == ids(clean) == {"p4"}
    assert [(c.original, c.corrected) for c in typo.interpretation.corrections] == [("quantizaton", "quantization")]


def test_filters_years_and_authors(engine: Engine) -> None:
    assert ids(ask(engine, "Which papers from 2024 use quantization?")) == {"p1", "p5"}
    assert ids(ask(engine, "Which papers by Bo Li use pruning?")) == {"p4"}
    assert ids(ask(engine, "Which papers did Ann Smith co-author with Bo Li?")) == {"p4"}
    nobody = ask(engine, "Which papers by Zed Nobody use pruning?")
    assert nobody.papers == [] and "No paper in the corpus lists an author matching “Zed Nobody”" in nobody.answer


def test_vendor_and_type_together(engine: Engine) -> None:
    assert ids(ask(engine, "Which papers use NVIDIA GPUs?")) == {"p2", "p3", "p5"}
    assert ids(ask(engine, "Which papers use AMD FPGAs?")) == {"p1"}
    none = ask(engine, "Which papers use AMD GPUs?")
    assert none.fallback and none.answer.startswith("No paper in the corpus mentions AMD GPU hardware")


def test_an_entity_without_papers_is_said_so(engine: Engine) -> None:
    result = ask(engine, "Which papers use H200 GPUs?")
    assert result.fallback and result.answer.startswith("No paper in the corpus mentions NVIDIA H200.")
    assert result.interpretation.unknown == ["NVIDIA H200"]


# --------------------------------------------------------------------------------------------------
# Aggregations
# --------------------------------------------------------------------------------------------------


def test_top_n(engine: Engine) -> None:
    result = ask(engine, "Which hardware do the most papers use?")
    assert result.intent is Intent.TOP_N
    assert [(t.name, t.papers) for t in result.ranking[:2]] == [("NVIDIA A100", 2), ("NVIDIA H100", 2)]
    assert result.ranking == engine.store.count_entities(TallyQuery(type=E.HARDWARE, limit=10))
    top3 = ask(engine, "What are the top 2 techniques?")
    assert [t.name for t in top3.ranking] == ["pruning", "quantization"]  # a tie: by name


def test_a_class_is_ranked_by_line_or_by_model(engine: Engine) -> None:
    lines = ask(engine, "Which GPUs do the most papers use?")  # each GPU counts for its line
    assert [(t.name, t.papers) for t in lines.ranking] == [("NVIDIA Ampere", 2), ("NVIDIA Hopper", 2)]
    assert lines.answer.startswith("GPUs used by the most papers: NVIDIA Ampere (2 papers)")
    assert ids(lines) == {"p2", "p5"}  # the papers of the first line, any model of it
    models = ask(engine, "Which GPU models are mentioned most?")
    assert [(t.name, t.papers) for t in models.ranking] == [("NVIDIA A100", 2), ("NVIDIA H100", 2)]
    boards = ask(engine, "Which Jetson Orin boards are used most?")  # the family's members, not the family
    assert [t.name for t in boards.ranking] == ["NVIDIA Jetson Orin Nano"]
    members = ask(engine, "Which model-compression techniques are used most?")
    assert "model compression" not in [t.name for t in members.ranking]  # the family is not its own member
    assert [t.name for t in members.ranking][:2] == ["pruning", "quantization"]


def test_compared_against_leaves_out_the_own_paper(engine: Engine) -> None:
    result = ask(engine, "How many papers compare against vLLM as a baseline?")
    assert (result.matched, ids(result)) == (1, {"p3"})  # SGLang's paper, not vLLM's own
    assert "its own papers left out" in result.interpretation.filters[0]
    vision = ask(engine, "Which techniques are used most in vision models?")  # the topic narrows the ranking
    assert [t.name for t in vision.ranking][:2] == [
        "pruning",
        "quantization",
    ] and "about vision models" in vision.answer


def test_cooccurrence(engine: Engine) -> None:
    result = ask(engine, "Which techniques co-occur with pruning?")
    assert result.intent is Intent.COOCCURRENCE
    assert [(t.name, t.papers) for t in result.ranking] == [("quantization", 1)]
    hardware = ask(engine, "What hardware is used together with pruning?")
    assert {t.name for t in hardware.ranking} == {"FPGA", "NVIDIA Jetson Orin Nano"}


def test_superlative_and_credit(engine: Engine) -> None:
    best = ask(engine, "What is the highest throughput in tokens/s?")
    assert best.intent is Intent.SUPERLATIVE and best.value is not None
    assert (best.value.paper, best.value.value, best.value.unit) == ("p5", 300.0, "tokens/s")
    on_a100 = ask(engine, "What is the best tokens/s reported on an A100?")
    assert on_a100.value is not None and (on_a100.value.paper, on_a100.value.credited_to) == ("p2", "vLLM")
    fastest = ask(engine, "Which paper reports the lowest latency in ms?")
    assert fastest.value is not None and fastest.value.paper == "p7"


def test_trend(engine: Engine) -> None:
    result = ask(engine, "How many papers per year mention quantization?")
    assert result.intent is Intent.TREND
    assert [(y.year, y.papers) for y in result.trend] == [(2022, 1), (2024, 2)]
    assert result.answer.startswith("Papers that mention quantization, per year: 2022: 1; 2024: 2.")


def test_compare_credits_numbers_to_their_system(engine: Engine) -> None:
    result = ask(engine, "vLLM or SGLang: which is faster?")
    assert result.intent is Intent.COMPARE
    vllm, sglang = result.answer.split(" vs. ")
    assert vllm.startswith("vLLM: 2 papers") and "9.16" not in vllm  # SGLang's number, measured against vLLM
    assert "SGLang cuts latency by 9.16%" in sglang
    assert {p.group for p in result.papers} == {"both", "vLLM"}
    assert result.answer.endswith("Where both appear: SGLang cuts latency by 9.16% on NVIDIA H100.")


# --------------------------------------------------------------------------------------------------
# Similarity, out of scope, wording
# --------------------------------------------------------------------------------------------------


def test_out_of_scope_gets_no_papers(engine: Engine) -> None:
    result = ask(engine, "What is the melting point of tungsten?")
    assert result.intent is Intent.OUT_OF_SCOPE and result.papers == []
    assert result.answer.startswith("Nothing in the corpus matches this question")
    assert result.interpretation.top_similarity is not None and result.interpretation.top_similarity < 0.4


def test_a_question_naming_only_what_no_abstract_mentions_is_refused(engine: Engine) -> None:
    refused = ask(engine, "Which papers benchmark the Cerebras wafer-scale engine?")
    assert refused.intent is Intent.OUT_OF_SCOPE and refused.papers == []
    assert refused.answer == "Nothing in the corpus matches this question: no paper mentions Cerebras."
    assert refused.interpretation.unknown == ["Cerebras"]
    anchored = ask(engine, "Which papers run quantization on Cerebras chips or smartphones?")
    assert anchored.intent is not Intent.OUT_OF_SCOPE  # it also names what the corpus has


def test_semantic_entities_rank_but_do_not_filter(engine: Engine) -> None:
    result = ask(engine, "How do federated learning systems train across smartphones and report energy?")
    assert result.intent is Intent.SEMANTIC and result.papers[0].id == "p6"
    assert all(e.role.value == "rank" for e in result.interpretation.entities)
    assert len(result.papers) > 1  # papers without those entities still rank


def test_reductions_read_as_reductions() -> None:
    rules = question_rules()
    cut = MetricRecord(
        id="m",
        metric="latency",
        value=9.16,
        unit="%",
        kind="latency",
        evidence="It reduces latency by 9.16%.",
        surface="9.16%",
    )
    assert format_metric(cut, rules) == "cuts latency by 9.16%"
    stored = cut.model_copy(update={"direction": "increase", "evidence": ""})
    assert format_metric(stored, rules) == "raises latency by 9.16%"
    unknown = cut.model_copy(update={"evidence": "Latency is 9.16% of the baseline."})
    assert format_metric(unknown, rules) == "a 9.16% change in latency"  # never "9.16% latency"
    faster = MetricRecord(
        id="m",
        metric="speedup",
        value=2.1,
        unit="x",
        kind="speedup",
        hardware="NVIDIA H100",
        baseline_hardware="NVIDIA A100",
    )
    assert format_metric(faster, rules) == "2.1x speedup on NVIDIA H100 (vs. NVIDIA A100)"
    lower = MetricRecord(
        id="m",
        metric="latency",
        value=2,
        unit="x",
        kind="latency",
        surface="2x",
        evidence="It delivers 2.3x higher throughput and 2x lower latency on average.",
    )
    assert format_metric(lower, rules) == "2x lower latency"  # the word nearest the number, after it
    absolute = MetricRecord(
        id="m", metric="decoding throughput", value=25, unit="tokens/s", kind="throughput", hardware="AMD KV260"
    )
    assert format_metric(absolute, rules) == "25 tokens/s decoding throughput on AMD KV260"


def test_similarity_questions_about_something_else_are_refused() -> None:
    strict = build_engine(corpus(), Settings(out_of_scope_similarity=0.99))  # every abstract is "far" here
    trap = strict.asker.ask("Which temple housed the statue of vLLM?")  # names a system, means something else
    assert trap.intent is Intent.OUT_OF_SCOPE and trap.papers == []
    assert "it mentions vLLM, but no abstract is close to it" in trap.answer
    bare = strict.asker.ask("What is the fastest way to get over a common cold?")  # a superlative naming nothing
    assert bare.intent is Intent.OUT_OF_SCOPE
    graph = strict.asker.ask("How many papers mention vLLM?")  # a graph answer does not depend on similarity
    assert graph.intent is Intent.COUNT and graph.matched == 2


def test_a_fact_keeps_the_named_system_when_nothing_meets_everything(engine: Engine) -> None:
    result = ask(engine, "What decoding throughput does TeLLMe reach on CIFAR-10?")
    assert result.papers[0].id == "p1" and "25 tokens/s" in result.answer
    assert "left out: CIFAR-10" in result.answer


def test_the_largest_gain_is_an_improvement_and_a_unit_alone_asks_for_numbers() -> None:
    def mem(pid: str, value: float, unit: str, kind: MetricKind, sentence: str) -> ExtractedPaper:
        what = "memory footprint" if kind is MetricKind.MEMORY else "training throughput"
        return doc(pid, f"Paper {pid}", sentence, metrics=[metric(what, value, unit, kind, sentence=sentence)])

    built = build_engine(
        [
            mem("m1", 90, "%", MetricKind.MEMORY, "Sharding increases memory footprint by 90% on each device."),
            mem("m2", 60, "%", MetricKind.MEMORY, "Offloading cuts memory footprint by 60% during training."),
            mem("m3", 156, "TFLOPS", MetricKind.THROUGHPUT, "Training reaches 156 TFLOPS on one GPU."),
        ],
        Settings(),
    )
    saving = built.asker.ask("Which paper reports the largest memory saving?")
    assert saving.value is not None and saving.value.paper == "m2"  # a 90% rise is a cost, not a saving
    per_gpu = built.asker.ask("Which paper reports the highest TFLOPS?")  # a unit, no metric word
    assert per_gpu.intent is Intent.SUPERLATIVE and per_gpu.value is not None
    assert (per_gpu.value.paper, per_gpu.value.value, per_gpu.value.unit) == ("m3", 156.0, "TFLOPS")


def test_a_word_before_the_class_counted_narrows_the_ranking_by_name(engine: Engine) -> None:
    ternary = ask(engine, "Which ternary techniques are used most?")
    assert ternary.intent is Intent.TOP_N and [t.name for t in ternary.ranking] == ["ternary quantization"]
    exotic = ask(engine, "Which exotic techniques are used most?")  # in no name: every technique, and it says so
    assert len(exotic.ranking) > 1 and "“exotic” is in none of the names ranked" in exotic.answer


def test_confidence_says_what_the_reading_left_out(engine: Engine) -> None:
    sure = ask(engine, "How many papers mention vLLM?").interpretation
    assert (sure.confidence, sure.caveats) == (Confidence.HIGH, [])
    loose = ask(engine, "Which papers use quantizaton for robotics?")
    assert loose.interpretation.confidence is Confidence.MEDIUM
    assert "words not used: robotics" in loose.interpretation.caveats
    assert "Read “quantizaton” as quantization." in loose.answer and "Words not used: robotics." in loose.answer
    similar = ask(engine, "How can phones learn together without sharing their data?").interpretation
    assert similar.similarity and similar.confidence is not Confidence.HIGH
    assert similar.caveats[0].startswith("read as a similarity question")


def test_topics_narrow_papers_a_year_selects_and_a_trend_needs_something_to_count(engine: Engine) -> None:
    llm = ask(engine, "Which LLM papers came out in 2023?")
    assert ids(llm) == {"p2"}  # p6 (2023) is not about language models
    assert llm.interpretation.ignored == []  # "came out": words of asking
    nothing = ask(engine, "How many papers per year study robotics?")  # names nothing the graph holds
    assert nothing.trend == [] and (nothing.fallback or nothing.intent is Intent.OUT_OF_SCOPE)
    every = ask(engine, "How many papers per year?")  # nothing asked: the whole corpus
    assert sum(y.papers for y in every.trend) == 6  # p7 has no year


def test_what_hardware_a_named_system_runs_on_is_ranked(engine: Engine) -> None:
    result = ask(engine, "What hardware does TeLLMe run on?")
    assert result.intent is Intent.COOCCURRENCE and [t.name for t in result.ranking] == ["AMD KV260"]
