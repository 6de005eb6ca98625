"""A list or count question's subject written as several joined phrases (alternatives, examples in parentheses),
and misspellings of ordinary words (no model)."""

from __future__ import annotations

import pytest

from papergraph.models import EntityType as E
from papergraph.models import Paper
from papergraph.query.plan import Role
from papergraph.query.planner import Planner
from papergraph.query.rules import question_rules
from papergraph.query.subject import Part, clusters, example, subject
from papergraph.query.vocabulary import build_vocabulary
from support import entity_count as entity

ENTITIES = [
    entity(E.HARDWARE, "GPU", 10, type="GPU", level="class"),
    entity(E.HARDWARE, "Intel Loihi 2", 1, type="neuromorphic", vendor="Intel"),
    entity(E.TECHNIQUE, "quantization", 2),
    entity(E.HARDWARE, "NVIDIA P100", 1, type="GPU", vendor="NVIDIA", family="NVIDIA Pascal"),
    entity(E.HARDWARE, "NVIDIA A100", 2, type="GPU", vendor="NVIDIA", family="NVIDIA Ampere"),
]
ABSTRACTS = {
    "snn": ("Spiking nets", "Spiking neural networks trained with surrogate gradients."),
    "loihi": ("QUBO on Loihi 2", "Solving QUBO problems on the Loihi 2 processor."),
    "brain": ("Memristors", "Brain-inspired computing with memristor crossbars."),
    "carbon1": ("Footprint", "The carbon footprint of training large models."),
    "carbon2": ("Emissions", "Carbon emissions of data centres running training jobs."),
    "quant1": ("Quantized caches", "Quantization of caches and activations for serving."),
    "quant2": ("Quantized weights", "Quantization of weights for serving on phones."),
    "test": ("Test-time compute", "Scaling test-time compute for reasoning."),
}
SERVING = "Scaling deep learning inference on GPU servers, calling kernels in a test harness."
FILLER = {f"gpu{i}": (f"Serving {i}", SERVING) for i in range(10)}
PAPERS = [Paper(id=pid, title=t, abstract=a) for pid, (t, a) in {**ABSTRACTS, **FILLER}.items()]


@pytest.fixture(scope="module")
def planner() -> Planner:
    rules = question_rules()
    return Planner(build_vocabulary(ENTITIES, PAPERS, rules, gazetteer=[]), rules)


def part(text: str, words: str, specific: bool = True, ref: int | None = None) -> Part:
    start = text.index(words)
    return Part(start, start + len(words), words, specific, ref)


# --- clusters of parts ----------------------------------------------------------------------------------


def test_alternatives_and_examples_join_one_cluster() -> None:
    text = "work on spiking or brain-inspired computing (e.g. Loihi chips) for robots"
    parts = [part(text, "spiking"), part(text, "brain-inspired computing"), part(text, "Loihi", ref=0)]
    parts.append(part(text, "robots"))
    grouped = clusters(text, parts)
    assert [[p.words for p in c] for c in grouped] == [["spiking", "brain-inspired computing", "Loihi"], ["robots"]]
    chosen = subject(text, parts)
    assert chosen is not None and [p.words for p in chosen] == ["spiking", "brain-inspired computing", "Loihi"]
    assert example(text, chosen, chosen[2]) and not example(text, chosen, chosen[1])


def test_a_verb_and_its_object_are_not_alternatives() -> None:
    text = "papers that prune weights"
    assert len(clusters(text, [part(text, "prune", ref=0), part(text, "weights")])) == 2


def test_one_specific_part_is_no_joined_subject() -> None:
    text = "carbon or deep learning"
    assert subject(text, [part(text, "carbon"), part(text, "deep learning", specific=False)]) is None


# --- the planner ----------------------------------------------------------------------------------------


def test_a_subject_of_several_phrases_is_one_group_of_alternatives(planner: Planner) -> None:
    plan = planner.plan("Which papers work on spiking or brain-inspired computing (e.g. Loihi 2 chips)?")
    group = plan.text_group()
    assert group is not None and group.role is Role.FILTER
    assert [e.name for e in group.entities] == ["Intel Loihi 2"]  # the example widens the subject
    assert plan.phrases == ["spiking", "brain-inspired computing"]
    assert plan.paper_query().all_of == ()  # matched outside the graph, as alternatives
    assert plan.phrase_shown("spiking") == "text: spiking"


def test_two_phrases_joined_by_or_are_both_read(planner: Planner) -> None:
    plan = planner.plan("How many papers study carbon emissions or carbon footprint?")
    assert plan.phrases == ["carbon emissions", "carbon footprint"]
    assert plan.loose_phrases == ["emissions", "footprint"]  # their rare head nouns, needing a closer abstract


def test_the_objects_of_a_named_subject_do_not_widen_it(planner: Planner) -> None:
    plan = planner.plan("Which papers apply quantization to weights, activations or caches?")
    assert plan.text_group() is None and plan.phrases == []
    assert [e.name for e in plan.entities(Role.FILTER)] == ["quantization"]


def test_a_line_before_its_maker_and_type_is_the_line(planner: Planner) -> None:
    plan = planner.plan("How many papers use Pascal-generation NVIDIA GPUs?")
    assert [(e.name, e.level.value) for e in plan.entities(Role.FILTER)] == [("NVIDIA Pascal", "family")]


# --- misspelled ordinary words --------------------------------------------------------------------------


def test_a_slip_keeps_the_first_letter_and_a_short_word_only_swaps(planner: Planner) -> None:
    plan = planner.plan("How many papers deal with tset-time compute scalling?")
    fixed = {(c.original, c.corrected) for c in plan.corrections}
    assert ("scalling", "scaling") in fixed  # not "calling", one edit away too
    assert ("tset", "test") in fixed
    assert "scaling" in plan.text and "test-time" in plan.text
