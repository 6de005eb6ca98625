"""Reading questions: intents, metric kinds, constraints, topics; answers built from graph facts."""

from __future__ import annotations

import pytest

from papergraph.models import EntityType, Extraction, HardwareMention, HardwareType, MetricRecord, TechniqueMention
from papergraph.query.ask import Intent, expand_coordination, format_metric, parse_question
from support import KeywordExtractor, build_engine

X = KeywordExtractor()


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Which papers run LLM decoding on FPGAs, and how fast?", Intent.LIST),
        ("List work on quantization", Intent.LIST),
        ("How many papers use Jetson boards?", Intent.COUNT),
        ("How many tokens per second does TeLLMe reach?", Intent.FACT),
        ("What throughput does TeLLMe reach?", Intent.FACT),
        ("GPU vs FPGA for LLM serving", Intent.COMPARE),
        ("FP8 versus INT8 for inference", Intent.SEMANTIC),  # nothing compared is in the graph
        ("How can cold starts of serverless functions be reduced?", Intent.SEMANTIC),
        ("How can latency on FPGAs be reduced?", Intent.SEMANTIC),
    ],
)
def test_intents(question: str, intent: Intent) -> None:
    assert parse_question(question, X.extract_text(question)).intent is intent


def test_metric_kinds_and_topics() -> None:
    parsed = parse_question("Which papers run language models on FPGAs, and how fast?", X.extract_text("fpga"))
    assert {"throughput", "latency", "speedup"} <= set(parsed.metric_kinds)
    assert [t.name for t in parsed.topics] == ["language models"]
    assert parse_question("Which papers run language models?", Extraction(paper_id="q")).topics == []


def test_model_and_its_class_in_one_phrase_keeps_the_model() -> None:
    q = "How many papers use Huawei Ascend NPUs?"
    ex = Extraction(
        paper_id="q",
        hardware=[
            HardwareMention(
                name="Huawei Ascend",
                type=HardwareType.NPU,
                family="Huawei Ascend",
                surface="Huawei Ascend",
                start=20,
                end=33,
            ),
            HardwareMention(name="NPU", type=HardwareType.NPU, surface="NPUs", start=34, end=38),
        ],
    )
    assert parse_question(q, ex).constraints == {EntityType.HARDWARE: ["Huawei Ascend"]}


def test_class_named_apart_is_kept() -> None:
    q = "Which papers use LoRA or other parameter-efficient fine-tuning methods?"
    ex = Extraction(
        paper_id="q",
        techniques=[
            TechniqueMention(
                name="low-rank adaptation", family="parameter-efficient fine-tuning", surface="LoRA", start=17, end=21
            ),
            TechniqueMention(name="parameter-efficient fine-tuning", surface="p", start=31, end=62),
        ],
    )
    assert len(parse_question(q, ex).constraints[EntityType.TECHNIQUE]) == 2


def test_coordination_expansion() -> None:
    assert expand_coordination("binary or ternary neural networks") == ["binary neural networks"]
    assert expand_coordination("papers on FPGAs") == []


def test_format_metric() -> None:
    m = MetricRecord(
        id="m", metric="decoding throughput", value=25, unit="tokens/s", kind="throughput", hardware="FPGA"
    )
    assert format_metric(m) == "25 tokens/s decoding throughput on FPGA"
    r = MetricRecord(id="m", metric="time-to-first-token", value=0.45, value_max=0.96, unit="s", kind="latency")
    assert format_metric(r) == "0.45–0.96 s time-to-first-token"
    assert format_metric(MetricRecord(id="m", metric="latency", value=40, unit="%", kind="latency")) == "40% latency"


def test_topic_filter_narrows_list_answers() -> None:
    engine = build_engine()
    plain = engine.asker.ask("Which papers use GPUs or FPGAs?")
    assert {p.id for p in plain.papers} == {"p-fpga", "p-gpu"}
    narrowed = engine.asker.ask("Which papers run language models on GPUs or FPGAs?")
    assert narrowed.constraints["topic"] == ["language models"]
    assert {p.id for p in narrowed.papers} == {"p-fpga", "p-gpu"}  # both abstracts mention LLMs
    vision = engine.asker.ask("Which papers run vision models on GPUs or FPGAs?")
    assert vision.fallback and "about vision models" in vision.answer
