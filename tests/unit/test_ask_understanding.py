"""Reading what a question is about when the graph does not name it: class nodes at their own level, subject
phrases matched in the paper text, names the corpus never uses, and the scored intent reading (no model)."""

from __future__ import annotations

from typing import Any

import pytest

from papergraph.errors import ConfigError
from papergraph.models import EntityType as E
from papergraph.models import Paper
from papergraph.query.intents import IntentClassifier, features, intent_classifier, parse_exemplars
from papergraph.query.plan import Intent, Level, MatchKind, Role
from papergraph.query.planner import Planner
from papergraph.query.rules import question_rules
from papergraph.query.textindex import TextIndex
from papergraph.query.vocabulary import build_vocabulary, mine_abbreviations
from support import entity_count as entity

ENTITIES = [
    entity(E.HARDWARE, "GPU", 9, type="GPU", level="class"),
    entity(E.HARDWARE, "RDMA", 2, type="network", level="class"),
    entity(E.HARDWARE, "NIC", 2, type="network", level="class"),
    entity(E.HARDWARE, "SSD", 2, type="storage", level="class"),
    entity(E.HARDWARE, "NVMe SSD", 2, type="storage", level="class"),
    entity(E.HARDWARE, "single-board computer", 1, type="edge-board", level="class"),
    entity(E.HARDWARE, "NVIDIA A100", 4, type="GPU", family="NVIDIA Ampere"),
    entity(E.TECHNIQUE, "quantization", 3),
    entity(E.SYSTEM, "vLLM", 3),
]
ABSTRACTS = {
    "web1": ("WebLLM", "An LLM engine that runs inside the web browser with WebGPU."),
    "web2": ("In-browser inference", "Deep learning inference in-browser, with JIT kernels."),
    "radio": ("WakeMod", "A wake-up radio module for IoT nodes that sleeps at microwatts."),
    "pim": ("PIM-GPT", "A processing-in-memory (PIM) accelerator for transformer decoding."),
    "gpu1": ("Serving", "Serving LLMs with vLLM on NVIDIA A100 GPUs with quantization for deep learning inference."),
    "gpu2": ("Offload", "Offloading activations to NVMe SSDs beyond GPU memory in deep learning inference."),
    "net": ("Fabric", "RDMA NICs move tensors between GPU servers for deep learning inference."),
    "edge": ("Edge", "Deep learning inference on small boards."),
}
PAPERS = [Paper(id=pid, title=title, abstract=abstract) for pid, (title, abstract) in ABSTRACTS.items()]


@pytest.fixture(scope="module")
def planner() -> Planner:
    rules = question_rules()
    return Planner(build_vocabulary(ENTITIES, PAPERS, rules, gazetteer=[]), rules)


def refs(plan: Any, role: Role) -> list[tuple[str, str]]:
    return [(e.name, e.level.value) for e in plan.entities(role)]


# --- class nodes: at the level the words name ---------------------------------------------------------


def test_a_class_spelled_otherwise_than_its_type_is_that_node(planner: Planner) -> None:
    plan = planner.plan("How many papers use RDMA?")
    assert refs(plan, Role.FILTER) == [("RDMA", "model")]  # not every network device
    node = plan.entities(Role.FILTER)[0].node
    assert node is not None and node.ids == ("hardware:rdma",) and node.hw_type is None
    gpus = planner.plan("How many papers use GPUs?")
    assert refs(gpus, Role.FILTER) == [("GPU", "type")]  # the type word itself stays the type
    boards = planner.plan("Which papers use single-board computers?")
    assert refs(boards, Role.FILTER) == [("edge-board", "type")]  # a type word of the rules


def test_the_distinctive_word_of_a_class_names_it(planner: Planner) -> None:
    plan = planner.plan("Which papers offload to NVMe storage?")
    assert ("NVMe SSD", "model") in refs(plan, Role.FILTER)


def test_a_type_beside_specific_devices_is_context(planner: Planner) -> None:
    plan = planner.plan("papers that spill activations to SSD / NVMe storage to get around GPU memory limits")
    assert refs(plan, Role.FILTER) == [("SSD", "model"), ("NVMe SSD", "model")]
    assert refs(plan, Role.RANK) == [("GPU", "type")]


# --- subject phrases in the paper text -----------------------------------------------------------------


def test_text_index_matches_phrases_by_stem_and_abbreviation() -> None:
    index = TextIndex.build(
        ((p.id, p.text) for p in PAPERS), question_rules().stopwords, mine_abbreviations(p.text for p in PAPERS)
    )
    assert index.papers("web browsers") == {"web1"}
    assert index.papers("browser") == {"web1", "web2"}  # "in-browser": the hyphen splits
    assert index.papers("wake-up radios") == {"radio"}
    assert index.papers("PIM") == {"pim"} and index.papers("processing in memory") == {"pim"}
    assert index.papers("sourdough starter") == set()
    assert index.rarity("browser") == pytest.approx(2 / len(PAPERS)) and index.rarity("sourdough") == -1.0


def test_a_subject_no_entity_names_becomes_a_text_phrase(planner: Planner) -> None:
    plan = planner.plan("How many papers run deep learning inference inside a web browser?")
    assert plan.intent is Intent.COUNT and plan.groups == []
    assert plan.phrases == ["web browser"] and plan.loose_phrases == ["browser"]  # and its rare head noun alone
    assert "web" not in plan.ignored and "browser" not in plan.ignored


def test_alternatives_are_each_a_phrase(planner: Planner) -> None:
    plan = planner.plan("Which papers build a wake-up radio or a processing-in-memory chip?")
    assert plan.phrases == ["wake-up radio", "processing-in-memory"]


def test_an_entity_subject_leaves_no_text_phrase(planner: Planner) -> None:
    plan = planner.plan("Which papers use quantization inside a web browser?")
    assert refs(plan, Role.FILTER) == [("quantization", "model")] and plan.phrases == []


# --- names the corpus never uses -----------------------------------------------------------------------


def test_a_capitalised_name_the_corpus_never_uses_is_unknown(planner: Planner) -> None:
    plan = planner.plan("Which papers train LLMs on the Aurora cluster?")
    assert [(u.name, u.match) for u in plan.unknown] == [("Aurora", MatchKind.UNSEEN)]
    slip = planner.plan("Which papers use the Webllm engine or Quantizaton?")  # near corpus words: not names
    assert slip.unknown == []


# --- the intent, read from cue rules and example questions ---------------------------------------------


def test_the_example_bank_loads_and_covers_every_answerable_intent() -> None:
    classifier = intent_classifier()
    answerable = set(Intent) - {Intent.OUT_OF_SCOPE}
    assert set(classifier.intents) == answerable


def test_a_bad_example_names_its_line() -> None:
    with pytest.raises(ConfigError, match=":2:"):
        parse_exemplars(['{"intent": "list", "text": "Which papers use {hardware}?"}', '{"intent": "nope"}'])


def test_the_classifier_reads_the_form_not_the_topic() -> None:
    classifier = IntentClassifier(
        [
            (Intent.COUNT, "How many papers use {hardware}?"),
            (Intent.FACT, "By what factor does {system} cut {metric}?"),
            (Intent.LIST, "Which papers use {hardware}?"),
        ]
    )
    best, _, margin = classifier.classify("By what factor did {system} reduce the bandwidth?").best(list(Intent))
    assert best is Intent.FACT and margin > 0
    assert features("How many")["^how many"] == 1


def test_the_plan_says_how_the_intent_was_read(planner: Planner) -> None:
    ruled = planner.plan("How many papers use RDMA?")
    assert ruled.intent_reading.source.startswith("rules") and "{hardware}" in ruled.intent_reading.form
    examples = planner.plan("Has anyone built a wake-up radio? List the papers.")
    assert examples.intent is Intent.LIST and examples.intent_reading.source == "examples"
    assert examples.phrases == ["wake-up radio"]


def test_a_ranking_within_the_papers_of_something_named_is_a_cooccurrence(planner: Planner) -> None:
    plan = planner.plan("Which hardware do the quantization papers use most?")
    assert plan.intent is Intent.COOCCURRENCE and refs(plan, Role.FILTER) == [("quantization", "model")]


def test_levels_are_plain_enum_values() -> None:
    assert Level.MODEL.value == "model"  # the interpretation's level of a class node read as one node
