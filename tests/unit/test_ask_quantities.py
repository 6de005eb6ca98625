"""Answers about numbers and kinds of systems: units compared within their dimension, quantities no metric
kind names matched on the numbers' own words, the number a fact or similarity answer states, and rankings
held to the kind of system asked for (networkx store, hashed-word encoder, no model)."""

from __future__ import annotations

import pytest

from papergraph.config import Settings
from papergraph.errors import ConfigError
from papergraph.graph.query import MetricHit
from papergraph.models import (
    ExtractedPaper,
    HardwareMention,
    HardwareType,
    MetricKind,
    MetricMention,
    MetricRecord,
    SystemMention,
    SystemRole,
)
from papergraph.query import Engine
from papergraph.query.answer import format_metric
from papergraph.query.categories import parse_categories, system_categories
from papergraph.query.plan import Intent
from papergraph.query.quantities import QuantityIndex, parse_units, quantity_phrase, unit_table, window
from papergraph.query.rules import question_rules
from support import build_engine, extracted


def number(what: str, value: float, unit: str, kind: MetricKind, sentence: str, surface: str = "") -> MetricMention:
    surface = surface or (f"{value:g}{unit}" if unit in "%x" else f"{value:g} {unit}")
    return MetricMention(metric=what, value=value, unit=unit, kind=kind, surface=surface, sentence=sentence)


def system(name: str, proposed: bool = False) -> SystemMention:
    role = SystemRole.PROPOSED if proposed else SystemRole.MENTIONED
    return SystemMention(name=name, role=role, surface=name)


doc = extracted


def corpus() -> list[ExtractedPaper]:
    return [
        doc(
            "radio",
            "WakeMod: a 6.9uW wake-up radio",
            "WakeMod idles at 6.9 uW while listening for a wake-up call.",
            systems=[system("WakeMod", proposed=True)],
            metrics=[number("power", 6.9, "uW", MetricKind.POWER, "WakeMod idles at 6.9 uW while listening.")],
        ),
        doc(
            "phone",
            "FemtoDet on a phone",
            "FemtoDet draws 1.11 W on a Snapdragon phone.",
            systems=[system("FemtoDet", proposed=True)],
            hardware=[HardwareMention(name="smartphone", type=HardwareType.SMARTPHONE, surface="phone")],
            metrics=[number("power", 1.11, "W", MetricKind.POWER, "FemtoDet draws 1.11 W on a Snapdragon phone.")],
        ),
        doc(
            "board",
            "A 5 W FPGA decoder",
            "The decoder fits a 5 W power budget on an FPGA and uses PyTorch and Llama 2.",
            systems=[system("PyTorch"), system("Llama 2")],
            metrics=[number("power budget", 5, "W", MetricKind.POWER, "The decoder fits a 5 W power budget.")],
        ),
        doc(
            "long",
            "ByteScale: training with a 2048K context length",
            "ByteScale trains LLMs with a context length of 2048K tokens on 12,000 GPUs with PyTorch and Llama.",
            systems=[system("ByteScale", proposed=True), system("PyTorch"), system("Llama")],
            metrics=[
                number(
                    "Context Length",
                    2_048_000,
                    "tokens",
                    MetricKind.SCALE,
                    "ByteScale trains LLMs with a context length of 2048K tokens on 12,000 GPUs.",
                    "2048K",
                ),
                number(
                    "scale",
                    12_000,
                    "GPUs",
                    MetricKind.SCALE,
                    "ByteScale trains LLMs with a context length of 2048K tokens on 12,000 GPUs.",
                    "12,000 GPUs",
                ),
            ],
        ),
        doc(
            "serve",
            "Serving 1,900K-token contexts",
            "Our system serves contexts of 1,900K tokens with vLLM and GPT-4 as baselines, built on TensorFlow.",
            systems=[system("vLLM"), system("GPT-4"), system("TensorFlow")],
            metrics=[
                number(
                    "scale",
                    1_900_000,
                    "tokens",
                    MetricKind.SCALE,
                    "Our system serves contexts of 1,900K tokens.",
                    "1,900K",
                )
            ],
        ),
        doc(
            "mfu",
            "MegaScale: training on 10,000 GPUs",
            "MegaScale achieves 55.2% Model FLOPs Utilization (MFU) when training a 175B LLM, using PyTorch.",
            systems=[system("MegaScale", proposed=True), system("PyTorch"), system("GPT")],
            metrics=[
                number(
                    "Utilization",
                    55.2,
                    "%",
                    MetricKind.OTHER,
                    "MegaScale achieves 55.2% Model FLOPs Utilization (MFU) when training a 175B model.",
                ),
                number(
                    "accuracy",
                    91.0,
                    "%",
                    MetricKind.ACCURACY,
                    "The model keeps 91% accuracy on the benchmark.",
                ),
            ],
        ),
    ]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine(corpus(), Settings(out_of_scope_similarity=0.0, weak_similarity=0.0))


def test_units_of_one_dimension_compare_and_the_winner_keeps_its_unit(engine: Engine) -> None:
    result = engine.asker.ask("Which paper reports the lowest power draw?")
    assert result.intent is Intent.SUPERLATIVE and result.value is not None
    assert (result.value.paper, result.value.value, result.value.unit) == ("radio", 6.9, "uW")  # not 1.11 W
    assert "6.9 uW" in result.answer and "compared across W, uW" in result.answer
    table = unit_table()
    assert table.base(6.9, "uW") < table.base(1.11, "W") < table.base(5, "W")
    assert table.dimension("ms") == table.dimension("s") != table.dimension("W")
    assert table.dimension("furlongs") == "unit:furlongs"  # an unknown unit compares only with itself


def test_a_quantity_no_kind_names_is_matched_on_the_numbers_own_words(engine: Engine) -> None:
    longest = engine.asker.ask("Which paper handles the longest context length?")
    assert longest.intent is Intent.SUPERLATIVE and longest.value is not None
    assert (longest.value.paper, longest.value.value) == ("long", 2_048_000)  # not 12,000 GPUs, nor 1.9M
    assert longest.interpretation.metric is not None and longest.interpretation.metric.phrase == "context length"
    mfu = engine.asker.ask("highest model FLOPs utilization (MFU) reported for LLM training?")
    assert mfu.value is not None and (mfu.value.paper, mfu.value.value) == ("mfu", 55.2)  # not the 91% accuracy
    assert "55.2% Utilization" in mfu.answer  # a level, not "a 55.2% change in"


def test_quantity_phrases_and_windows() -> None:
    assert quantity_phrase("What's the longest context length any paper handles?") == (
        "max",
        "context length",
        (11, 33),
    )
    found = quantity_phrase("Which piece of hardware reports the lowest power draw?")
    assert found is not None and (found.best, found.phrase) == ("min", "power draw")
    assert quantity_phrase("Which frameworks are used most?") is None
    m = MetricRecord(
        id="m",
        metric="communication bandwidth",
        value=400,
        unit="x",
        kind="throughput",
        surface="400x",
        evidence="Using DiLoCo and int8 all-reduce, we achieve a 400x reduction in bandwidth over 3 continents.",
    )
    assert window(m).split() == ["all-reduce,", "we", "achieve", "a", "400x", "reduction", "in", "bandwidth", "over"]


def test_rare_words_weigh_more_than_common_ones() -> None:
    def hit(i: int, what: str, sentence: str) -> MetricHit:
        m = MetricRecord(id=f"m{i}", metric=what, value=1, unit="%", kind="other", surface="1%", evidence=sentence)
        return MetricHit(paper_id=f"p{i}", paper_title="t", metric=m)

    hits = [hit(i, "speed", f"Training is 1% faster in run {i}.") for i in range(5)]
    hits.append(hit(9, "MFU", "Training reaches 1% MFU."))
    index = QuantityIndex.build(hits)
    assert index.idf("mfu") > index.idf("training") > 0 and index.idf("nowhere") == 0
    about = index.about(hits, {"mfu", "training"})
    assert [h.paper_id for h, _ in about] == ["p9"]
    assert index.about(hits, {"nowhere"}) == []


def test_a_similarity_answer_states_the_number_asked_for(engine: Engine) -> None:
    result = engine.asker.ask("How far does ByteScale stretch the context length it trains with?")
    assert "2.048M tokens" in result.answer and "context length of 2048K tokens" in result.answer
    fact = engine.asker.ask("By what factor does ByteScale stretch the context length it trains with?")
    assert fact.intent is Intent.FACT and "2.048M tokens" in fact.answer  # a named system's number: a fact


def test_rankings_hold_to_the_kind_of_system_asked_for(engine: Engine) -> None:
    frameworks = engine.asker.ask("Which deep learning frameworks are mentioned most?")
    assert [t.name for t in frameworks.ranking] == ["PyTorch", "TensorFlow"]  # not Llama, GPT-4 or vLLM
    assert frameworks.answer.startswith("Deep learning frameworks used by the most papers")
    categories = system_categories()
    asked = categories.asked("top 2 open-weight LLM families")
    assert [c.name for c in asked] == ["open-weight LLM"]
    assert asked[0].holds("Llama 2", "Llama") and not asked[0].holds("GPT-4") and not asked[0].holds("GPT-5")
    llms = categories.asked("Which LLM families are named most?")[0]
    assert llms.holds("GPT-5") and llms.holds("Qwen2.5") and not llms.holds("PyTorch")
    both = categories.asked("top 3 deep-learning frameworks or training libraries")
    assert [c.name for c in both] == ["deep learning framework", "training library"]


def test_bad_data_files_name_what_is_wrong() -> None:
    with pytest.raises(ConfigError, match="two dimensions"):
        parse_units({"dimensions": {"a": {"W": 1}, "b": {"W": 2}}})
    with pytest.raises(ConfigError, match="positive"):
        parse_units({"dimensions": {"a": {"W": 0}}})
    with pytest.raises(ConfigError, match=r"categories\[0\]: bad pattern"):
        parse_categories({"categories": [{"category": "x", "question": "("}]})
    with pytest.raises(ConfigError, match=r"categories\[0\]: missing or bad key"):
        parse_categories({"categories": [{"question": "x"}]})


def test_large_counts_read_as_people_write_them() -> None:
    rules = question_rules()
    size = MetricRecord(id="m", metric="model-size", value=13e9, unit="parameters", kind="model-size")
    assert format_metric(size, rules) == "13B parameters"
    gpus = MetricRecord(id="m", metric="scale", value=12_000, unit="GPUs", kind="scale")
    assert format_metric(gpus, rules) == "12,000 GPUs"


def test_a_range_competes_by_its_top_and_a_chip_compared_against_is_not_where_it_ran() -> None:
    def sped(pid: str, value: float, top: float | None, on: str | None, versus: str | None) -> ExtractedPaper:
        sentence = f"Our accelerator is {value:g}x faster than a GPU."
        m = number("speedup", value, "x", MetricKind.SPEEDUP, sentence)
        m = m.model_copy(update={"value_max": top, "hardware": on, "baseline_hardware": versus})
        gpu = HardwareMention(name="GPU", type=HardwareType.GPU, surface="GPU", sentence=sentence)
        return doc(pid, f"Accelerator {pid}", sentence, hardware=[gpu], metrics=[m])

    built = build_engine(
        [
            sped("range", 41, 137, None, "GPU"),  # "41-137x over a GPU"
            sped("single", 100, None, None, "GPU"),
            sped("ongpu", 300, None, "GPU", None),  # measured on a GPU: not a gain over one
        ],
        Settings(),
    )
    best = built.asker.ask("Which accelerator claims the largest speedup over a GPU?")
    assert best.value is not None and (best.value.paper, best.value.value) == ("range", 137.0)
    assert "41–137x" in best.answer
    anywhere = built.asker.ask("Which paper reports the largest speedup on a GPU?")
    assert anywhere.value is not None and anywhere.value.paper == "ongpu"


def test_queries_per_second_is_the_extractors_qps_unit_not_requests() -> None:
    """Extraction writes "queries per second" as QPS, apart from requests/s; questions read it the same way."""
    from papergraph.query.rules import question_rules

    def unit(text: str) -> list[str]:
        return [name for name, pattern in question_rules().units if pattern.search(text)]

    assert unit("highest queries per second on a CPU") == ["QPS"] and unit("best QPS") == ["QPS"]
    assert unit("most requests per second served") == ["requests/s"]


def test_a_quantity_named_by_its_dimension_is_answered_only_in_that_dimension(engine: Engine) -> None:
    table = unit_table()
    assert table.dimensions_named("the highest frame rate on a Jetson") == frozenset({"frame rate"})
    assert table.answers("FPS", frozenset({"frame rate"})) and table.answers("%", frozenset({"frame rate"}))
    assert not table.answers("tokens/s", frozenset({"frame rate"})) and table.answers("tokens/s", frozenset())
    result = engine.asker.ask("Which paper reports the highest frame rate?")  # the corpus has no FPS at all
    assert result.value is None or result.value.unit == "FPS"
    assert "uW" not in result.answer and "tokens" not in result.answer
