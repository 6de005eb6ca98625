"""Answering facts, superlatives and rankings over a small hand-built graph (networkx store, hashed-word encoder).

A fact states the number asked even when extraction did not store it (the paper's sentence is quoted), a
superlative asking for the largest cut compares cuts, a unit's dimension names what its numbers measure
("frame rate" is FPS), and a top-N answer takes N from a number word and says when places tie.
"""

from __future__ import annotations

import pytest

from papergraph.config import Settings
from papergraph.models import DatasetMention, ExtractedPaper, MetricKind, MetricMention, SystemMention, SystemRole
from papergraph.query import Engine
from papergraph.query.categories import parse_categories
from papergraph.query.quantities import stated_numbers, values, words
from support import build_engine, extracted


def number(
    what: str, value: float, unit: str, kind: MetricKind, sentence: str, direction: str | None = None
) -> MetricMention:
    surface = f"{value:g}{unit}" if unit in "%x" else f"{value:g} {unit}"
    return MetricMention(
        metric=what, value=value, unit=unit, kind=kind, surface=surface, sentence=sentence, direction=direction
    )


def proposed(name: str) -> SystemMention:
    return SystemMention(name=name, role=SystemRole.PROPOSED, surface=name)


def dataset(name: str) -> DatasetMention:
    return DatasetMention(name=name, surface=name)


RADIO = (
    "WakeMod idles at 6.9 uW while it listens. "
    "Reception of a wake-up call is possible from up to 130m of distance with a small antenna."
)


def corpus() -> list[ExtractedPaper]:
    return [
        extracted(
            "radio",
            "WakeMod: a wake-up radio module",
            RADIO,
            systems=[proposed("WakeMod")],
            metrics=[number("idle power", 6.9, "uW", MetricKind.POWER, "WakeMod idles at 6.9 uW while it listens.")],
            datasets=[dataset("ImageNet")],
        ),
        extracted(
            "fabric",
            "A cheaper network fabric for training clusters",
            "Our network design cuts network cost by 75% for large training clusters.",
            metrics=[
                number(
                    "network cost",
                    75,
                    "%",
                    MetricKind.COST,
                    "Our network design cuts network cost by 75% for large training clusters.",
                    "decrease",
                )
            ],
            datasets=[dataset("ImageNet")],
        ),
        extracted(
            "budget",
            "Training a large model for a quarter billion dollars",
            "Training the model costs $250,000,000 in total on a large cluster.",
            metrics=[
                number("cost", 250_000_000, "$", MetricKind.COST, "Training the model costs $250,000,000 in total.")
            ],
            datasets=[dataset("ImageNet"), dataset("COCO")],
        ),
        extracted(
            "detector",
            "FemtoDet: a tiny object detector",
            "FemtoDet detects objects at 64.47 FPS on a phone.",
            systems=[proposed("FemtoDet")],
            metrics=[
                number("throughput", 64.47, "FPS", MetricKind.THROUGHPUT, "FemtoDet detects objects at 64.47 FPS.")
            ],
            datasets=[dataset("CIFAR-10")],
        ),
        extracted(
            "video",
            "Video generation with a long frame budget",
            "The video generator renders 26 frames at a high frame quality.",
            metrics=[number("frames", 26, "frames", MetricKind.THROUGHPUT, "The video generator renders 26 frames.")],
        ),
    ]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine(corpus(), Settings(out_of_scope_similarity=0.0, weak_similarity=0.0))


def test_a_number_the_graph_does_not_store_is_quoted_from_the_paper(engine: Engine) -> None:
    result = engine.asker.ask("From how far away can WakeMod receive a wake-up call?")
    assert result.papers[0].id == "radio"
    assert "130m" in result.answer and "The abstract of WakeMod says" in result.answer


def test_a_number_already_stated_is_not_quoted_again(engine: Engine) -> None:
    result = engine.asker.ask("What idle power does WakeMod draw?")
    assert "6.9 uW" in result.answer
    assert "The abstract" not in result.answer  # its sentence says nothing the answer has not


def test_the_largest_cut_of_a_lower_is_better_quantity_compares_cuts_not_levels(engine: Engine) -> None:
    result = engine.asker.ask("Which network design cuts the interconnect cost the most?")
    assert result.intent.value == "superlative"
    assert result.value is not None and (result.value.paper, result.value.value, result.value.unit) == (
        "fabric",
        75,
        "%",
    )


def test_a_frame_rate_is_frames_per_second_not_a_count_of_frames(engine: Engine) -> None:
    result = engine.asker.ask("Which detector reaches the highest frame rate?")
    assert result.value is not None and (result.value.paper, result.value.unit) == ("detector", "FPS")


def test_top_n_takes_n_from_a_number_word_and_lists_ties_at_the_cut(engine: Engine) -> None:
    result = engine.asker.ask("Which two datasets are used in the most papers?")
    assert [t.name for t in result.ranking] == ["ImageNet", "CIFAR-10", "COCO"]  # 3 papers, then a tie at 1
    assert "CIFAR-10 and COCO tie at 1 paper: 3 are listed, not the 2 asked for." in result.answer
    assert "two" not in result.interpretation.ignored


def test_a_tie_for_the_most_is_said() -> None:
    docs = [extracted(f"p{i}", f"Paper {i}", "We test.", datasets=[dataset(d)]) for i, d in enumerate("AABB")]
    engine = build_engine(docs, Settings(out_of_scope_similarity=0.0, weak_similarity=0.0))
    result = engine.asker.ask("Which datasets are used in the most papers?")
    assert [(t.name, t.papers) for t in result.ranking] == [("A", 2), ("B", 2)]
    assert "A and B tie for the most, 2 papers each." in result.answer


def test_the_sentence_stating_the_number_asked_is_the_one_sharing_the_rarest_words() -> None:
    text = (
        "The elemental composition of the GPU was analyzed, which identified 32 elements. "
        "Training GPT-4 requires between 1,174 and 8,800 A100 GPUs. The GPU is a GPU."
    )
    found = stated_numbers(text, words("how many A100 GPUs would training GPT-4 take") - {"how", "many", "would"})
    assert found is not None and found.sentence.startswith("Training GPT-4 requires")
    assert values(found.sentence) == {"1174", "8800"}  # the digits of "A100" and "GPT-4" are names, not numbers
    assert stated_numbers("No numbers here. None at all.", {"number"}) is None


def test_a_category_excludes_names_extending_an_excluded_one() -> None:
    raw = {"categories": [{"category": "LLM", "question": "LLMs?", "shapes": ["^GPT"], "except": ["GPT"]}]}
    llm = parse_categories(raw).categories[0]
    assert not llm.holds("GPT-5") and not llm.holds("GPT 4o") and not llm.holds("GPT")
    assert llm.holds("GPTQ")  # a shape match that extends no excluded name with a space or hyphen


def test_the_highest_level_is_not_outranked_by_a_change_of_it() -> None:
    docs = [
        extracted(
            "level",
            "MegaScale",
            "MegaScale reaches 55.2% utilization.",
            metrics=[number("utilization", 55.2, "%", MetricKind.OTHER, "MegaScale reaches 55.2% utilization.")],
        ),
        extracted(
            "change",
            "A utilization study",
            "Our scheduler improves utilization by 70% over the baseline.",
            metrics=[number("utilization", 70, "%", MetricKind.OTHER, "It improves utilization by 70%.", "increase")],
        ),
    ]
    engine = build_engine(docs, Settings(out_of_scope_similarity=0.0, weak_similarity=0.0))
    level = engine.asker.ask("What is the highest utilization reported?")
    assert level.value is not None and (level.value.paper, level.value.value) == ("level", 55.2)
    gain = engine.asker.ask("What is the largest utilization gain reported?")
    assert gain.value is not None and gain.value.paper == "change"


def test_an_accelerator_near_a_number_is_not_a_rise() -> None:
    from papergraph.models import MetricRecord
    from papergraph.query.answer import direction
    from papergraph.query.rules import question_rules

    m = MetricRecord(
        id="m", metric="MFU", value=90, unit="%", kind="other", surface="90%",
        evidence="The Gaudi 2 accelerator frequently exceeds 90% MFU.",
    )  # fmt: skip
    assert direction(m, question_rules()) is None


def test_a_fact_states_every_quantity_the_question_names() -> None:
    text = "FemtoDet draws 1.11 W on a phone. It runs at 64.47 FPS. It has 68.77k parameters."
    docs = [
        extracted(
            "femto",
            "FemtoDet: a tiny detector",
            text,
            systems=[proposed("FemtoDet")],
            metrics=[
                number("power", 1.11, "W", MetricKind.POWER, "FemtoDet draws 1.11 W on a phone."),
                number("throughput", 64.47, "FPS", MetricKind.THROUGHPUT, "It runs at 64.47 FPS."),
                number("model size", 68770, "parameters", MetricKind.MODEL_SIZE, "It has 68.77k parameters."),
            ],
        )
    ]
    engine = build_engine(docs, Settings(out_of_scope_similarity=0.0, weak_similarity=0.0))
    result = engine.asker.ask("What power draw and frame rate does FemtoDet reach?")
    assert result.intent.value == "fact"
    assert "1.11 W" in result.answer and "64.47 FPS" in result.answer and "parameters" not in result.answer
    assert "The abstract" not in result.answer  # both stated from the graph, not quoted


def test_a_change_reads_without_its_verb_twice() -> None:
    from papergraph.models import MetricRecord
    from papergraph.query.answer import format_metric

    m = MetricRecord(
        id="m", metric="improve throughput", value=9.16, unit="%", kind="throughput", surface="9.16%",
        evidence="It can improve throughput by 9.16%.", direction="increase",
    )  # fmt: skip
    assert format_metric(m) == "raises throughput by 9.16%"


def test_a_fact_the_named_papers_do_not_state_falls_back_to_the_closest_paper_and_its_number() -> None:
    docs = [
        extracted(
            "survey",
            "A survey of collective libraries",
            "We survey collective communication libraries such as Foo and their designs.",
            systems=[SystemMention(name="Foo", surface="Foo")],
        ),
        extracted(
            "links",
            "Collective communication over wide-area links",
            "Our library achieves up to 45 Gbit/s of bandwidth across Europe over wide-area links.",
            metrics=[
                number(
                    "bandwidth",
                    45,
                    "Gbps",
                    MetricKind.THROUGHPUT,
                    "Our library achieves up to 45 Gbit/s of bandwidth across Europe over wide-area links.",
                )
            ],
        ),
    ]
    engine = build_engine(docs, Settings(out_of_scope_similarity=0.0, weak_similarity=0.0))
    result = engine.asker.ask("What bandwidth does Foo reach across Europe?")
    assert result.intent.value == "fact" and result.fallback
    assert result.answer.startswith("1 paper mentions Foo, but none states a matching number.")
    assert [p.id for p in result.papers][:1] == ["links"], result.answer
    assert "45 Gbps" in result.answer, [(p.id, p.metrics) for p in result.papers]
