"""A ranking counted within papers the question names by their words ("in the test-time scaling papers"), and a
technique narrowed by the modifier it is written with ("mixed-precision quantization"); no model."""

from __future__ import annotations

import pytest

from papergraph.graph.query import NodeMatch
from papergraph.models import EntityType as E
from papergraph.models import Paper
from papergraph.query.narrowing import modified_phrases
from papergraph.query.plan import ConstraintGroup, EntityRef, Intent, Level, MatchKind, Role
from papergraph.query.planner import Planner
from papergraph.query.rules import question_rules
from papergraph.query.scope import papers_phrase
from papergraph.query.textindex import TextIndex
from papergraph.query.vocabulary import build_vocabulary
from support import entity_count as entity

ABSTRACTS = {
    "tts1": ("Reasoning budgets", "Test-time scaling of LLM reasoning evaluated on AIME and GPQA."),
    "tts2": ("Thinking longer", "We study test-time scaling with more samples on AIME."),
    "mp": ("Bit widths", "Mixed-precision quantization picks a bit width per layer for CNNs on ImageNet."),
    "q1": ("Int8", "Post-training quantization of vision models evaluated on ImageNet at a high top-1 accuracy."),
    "q2": ("Low bits", "Quantization of LLM weights to four bits."),
    "other": ("Serving", "Serving LLMs with batching on GPUs."),
    **{f"filler{i}": (f"Systems {i}", "Scheduling training jobs on GPU clusters.") for i in range(4)},
}
PAPERS = [Paper(id=pid, title=title, abstract=abstract) for pid, (title, abstract) in ABSTRACTS.items()]
ENTITIES = [
    entity(E.DATASET, "AIME", 2),
    entity(E.DATASET, "ImageNet", 2),
    entity(E.TECHNIQUE, "quantization", 3),
]


@pytest.fixture(scope="module")
def index() -> TextIndex:
    return TextIndex.build(((p.id, p.text) for p in PAPERS), question_rules().stopwords, {})


@pytest.fixture(scope="module")
def planner() -> Planner:
    rules = question_rules()
    return Planner(build_vocabulary(ENTITIES, PAPERS, rules, gazetteer=[]), rules)


def test_the_papers_a_ranking_counts_in_can_be_named_by_their_words(index: TextIndex) -> None:
    stop = question_rules().stopwords
    text = "Which benchmark appears most in the test-time scaling papers?"
    found = papers_phrase(text, index, stop)
    assert found is not None and found[0] == "test-time scaling" and text[found[1] : found[2]] == found[0]
    assert papers_phrase("Which datasets do papers about test-time scaling use most?", index, stop) is not None
    assert papers_phrase("Which hardware do the most papers use?", index, stop) is None  # no subject named
    assert papers_phrase("Which datasets appear most in the sourdough papers?", index, stop) is None  # no paper


def test_a_ranking_within_a_text_subject_is_a_cooccurrence(planner: Planner) -> None:
    plan = planner.plan("Which benchmark appears most in the test-time scaling papers?")
    assert plan.intent is Intent.COOCCURRENCE and plan.target is not None
    assert plan.phrases == ["test-time scaling"] and "scaling" not in plan.ignored


def _technique(words: str, name: str = "quantization", match: MatchKind = MatchKind.EXACT) -> ConstraintGroup:
    node = NodeMatch(type=E.TECHNIQUE, ids=("technique:quantization",))
    ref = EntityRef(type=E.TECHNIQUE, name=name, level=Level.FAMILY, words=words, match=match, node=node)
    return ConstraintGroup(entities=[ref], role=Role.FILTER)


def test_a_modifier_before_a_technique_narrows_it_when_papers_have_the_phrase(index: TextIndex) -> None:
    assert modified_phrases([_technique("mixed-precision quantization")], index) == {
        "mixed-precision quantization": "mixed-precision quantization"
    }
    assert modified_phrases([_technique("quantization")], index) == {}  # no modifier
    assert modified_phrases([_technique("quantize", match=MatchKind.INFLECTION)], index) == {}
    assert modified_phrases([_technique("sourdough quantization")], index) == {}  # no paper has the phrase
    ranked = _technique("mixed-precision quantization").model_copy(update={"role": Role.RANK})
    assert modified_phrases([ranked], index) == {}  # only filters narrow


def test_a_superlative_keeps_its_subject_phrase_but_not_its_quantity(planner: Planner) -> None:
    plan = planner.plan("Which test-time scaling paper reports the highest accuracy?")
    assert plan.intent is Intent.SUPERLATIVE and plan.phrases == ["test-time scaling"]
    assert planner.plan("What is the highest top-1 accuracy reported?").phrases == []  # the quantity is no subject


def test_the_words_of_the_class_counted_do_not_narrow_its_papers(planner: Planner) -> None:
    families = planner.plan("Which three LLM families are mentioned in the most papers?")
    assert families.intent is Intent.TOP_N and families.topics == []  # every paper naming an LLM counts
    assert "LLM" not in families.ignored
    datasets = planner.plan("Which datasets do LLM papers use most?")
    assert datasets.topics == ["language models"]  # a topic outside the class counted still narrows
