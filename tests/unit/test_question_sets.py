"""The /ask question sets (tests/data/questions_{heldout,dev,heldout2..heldout6}.jsonl): format, coverage, gold.

These tests read the files as plain JSON on purpose: they check the data, not the planner, and import nothing from
papergraph.query. Format and procedure: tests/data/QA_LABELLING.md.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from papergraph.corpus import read_corpus

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
META = ROOT / "tests" / "fixtures" / "papers_meta.jsonl"
FILES = {
    "heldout": (DATA / "questions_heldout.jsonl", "h"),
    "dev": (DATA / "questions_dev.jsonl", "d"),
    "heldout2": (DATA / "questions_heldout2.jsonl", "g"),
    "heldout3": (DATA / "questions_heldout3.jsonl", "k"),
    "heldout4": (DATA / "questions_heldout4.jsonl", "q"),
    "heldout5": (DATA / "questions_heldout5.jsonl", "v"),
    "heldout6": (DATA / "questions_heldout6.jsonl", "s"),
}
# the later held-out sets are smaller: 5-6 per class (heldout2), 3 (heldout3), 6 (heldout4..heldout6; QA_LABELLING.md)
MIN_PER_CLASS = {"heldout": 8, "dev": 8, "heldout2": 5, "heldout3": 3, "heldout4": 6, "heldout5": 6, "heldout6": 6}

CLASSES = {
    "list", "count", "fact", "compare", "top_n", "superlative", "cooccurrence",
    "year_author", "level", "misspelled", "paraphrase", "out_of_scope",
}  # fmt: skip
INTENTS = {
    "list", "count", "fact", "compare", "top_n", "superlative", "cooccurrence", "trend", "semantic", "out_of_scope",
}  # fmt: skip
FIELDS = {
    "id", "class", "intent", "question", "corpus", "answers", "acceptable", "count", "entities", "acceptable_entities",
    "n", "value", "trend", "expect", "compare", "variant_of", "notes",
}  # fmt: skip
# the intent each class may carry (misspelled inherits its clean question's intent)
CLASS_INTENTS = {
    "paraphrase": {"semantic"},
    "out_of_scope": {"out_of_scope"},
    "year_author": {"list", "count", "trend"},
    "level": {"list", "count"},
}
PAPER_INTENTS = {"list", "count", "fact", "compare", "superlative", "trend", "semantic"}
ENTITY_INTENTS = {"top_n", "cooccurrence"}
GOLD_FIELDS = (
    "answers", "acceptable", "count", "entities", "acceptable_entities", "n", "value", "trend", "expect", "compare",
)  # fmt: skip


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The paraphrase check: a question shares no content word with the abstracts it targets.
STOPWORDS = _words(
    """a an the and or but if then else of in on at to for from by with without within into onto over under about as
    is are was were be been being do does did done have has had having can could should would may might must will
    shall i me my we our you your he she it its they them their this that these those there here what which who whom
    whose when where why how whether not no nor so than too very just also only own same such both each few more most
    other some any all one two up down out off again further once per via vs versus e g eg ie etc new way ways get use
    using used make makes much many well yet still even ever s t let lets like"""
)
SUFFIXES = (
    "ational", "ization", "isation", "ations", "ation", "ments", "ment", "ness", "ings", "ing", "ities", "ity", "ies",
    "ied", "ers", "er", "est", "ly", "ed", "es", "s", "al", "ive", "ous", "able", "ible",
)  # fmt: skip


def stem(word: str) -> str:
    """A crude stemmer: strip one common suffix (keeping 3 letters), then keep 6 characters."""
    word = word.lower()
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:6]


def content_stems(text: str) -> set[str]:
    tokens = re.findall(r"[A-Za-z][A-Za-z0-9]*", text)
    return {stem(t) for t in tokens if t.lower() not in STOPWORDS and len(t) > 1}


def load(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            row = json.loads(line)
            assert isinstance(row, dict), f"{path.name}:{number}: not a JSON object"
            row["_line"] = f"{path.name}:{number}"
            rows.append(row)
    return rows


@pytest.fixture(scope="module")
def sets() -> dict[str, list[dict[str, Any]]]:
    return {name: load(path) for name, (path, _) in FILES.items()}


@pytest.fixture(scope="module")
def bundled() -> dict[str, str]:
    papers, _ = read_corpus([ROOT / "data" / "corpus"])
    return {p.id: f"{p.title}\n{p.abstract}" for p in papers}


@pytest.fixture(scope="module")
def meta_ids() -> set[str]:
    papers, report = read_corpus([META])
    assert not report.issues, report.issues
    return {p.id for p in papers}


def test_meta_fixture_loads_with_the_corpus_reader() -> None:
    papers, report = read_corpus([META])
    assert not report.issues
    assert len(papers) == 80
    assert all(p.id.startswith("meta-") and p.year and 2019 <= p.year <= 2025 and p.authors for p in papers)
    authors = Counter(a for p in papers for a in p.authors)
    assert sum(1 for n in authors.values() if n >= 3) >= 6, "several authors must have several papers"


@pytest.mark.parametrize("name", FILES)
def test_rows_are_well_formed(name: str, sets: dict[str, list[dict[str, Any]]]) -> None:
    prefix = FILES[name][1]
    for row in sets[name]:
        where = row["_line"]
        assert set(row) - {"_line"} <= FIELDS, f"{where}: unknown fields {set(row) - FIELDS - {'_line'}}"
        assert re.fullmatch(prefix + r"\d{3}", row["id"]), f"{where}: id {row['id']!r} should be {prefix}###"
        assert row["class"] in CLASSES and row["intent"] in INTENTS, where
        assert row["intent"] in CLASS_INTENTS.get(row["class"], INTENTS), f"{where}: class/intent mismatch"
        assert row["question"].strip() and row["notes"].strip(), where
        assert row["corpus"] in {"bundled", "meta"}, where
        assert (row["corpus"] == "meta") == (row["class"] == "year_author" or _is_meta_typo(row, sets[name])), where


def _is_meta_typo(row: dict[str, Any], rows: list[dict[str, Any]]) -> bool:
    if row["class"] != "misspelled":
        return False
    return next(r for r in rows if r["id"] == row["variant_of"])["corpus"] == "meta"


@pytest.mark.parametrize("name", FILES)
def test_each_class_has_enough_questions(name: str, sets: dict[str, list[dict[str, Any]]]) -> None:
    counts = Counter(row["class"] for row in sets[name])
    assert set(counts) == CLASSES
    assert min(counts.values()) >= MIN_PER_CLASS[name], counts


def test_at_least_sixteen_per_class_overall(sets: dict[str, list[dict[str, Any]]]) -> None:
    counts = Counter(row["class"] for rows in sets.values() for row in rows)
    assert min(counts[c] for c in CLASSES) >= 16, counts
    assert sum(counts.values()) >= 192


def test_ids_are_unique_and_questions_not_shared(sets: dict[str, list[dict[str, Any]]]) -> None:
    ids = [row["id"] for rows in sets.values() for row in rows]
    assert len(ids) == len(set(ids))
    questions = {name: {row["question"].casefold() for row in rows} for name, rows in sets.items()}
    for name, texts in questions.items():
        assert len(texts) == len(sets[name]), f"{name}: a question is repeated"
        others = set().union(*(t for other, t in questions.items() if other != name))
        shared = len(texts & others)  # a count only: the message must not print another set's questions
        assert shared == 0, f"{name} shares {shared} question(s) with another set"


@pytest.mark.parametrize("name", FILES)
def test_gold_papers_exist_in_the_corpus_the_question_names(
    name: str, sets: dict[str, list[dict[str, Any]]], bundled: dict[str, str], meta_ids: set[str]
) -> None:
    for row in sets[name]:
        known = meta_ids if row["corpus"] == "meta" else set(bundled)
        answers, acceptable = row.get("answers", []), row.get("acceptable", [])
        papers = set(answers) | set(acceptable)
        if "compare" in row:
            papers |= set(row["compare"]["left"]) | set(row["compare"]["right"])
        if "value" in row:
            papers.add(row["value"]["paper"])
        assert papers <= known, f"{row['_line']}: unknown ids {sorted(papers - known)}"
        assert len(answers) == len(set(answers)) and not set(answers) & set(acceptable), row["_line"]


@pytest.mark.parametrize("name", FILES)
def test_intent_specific_gold(name: str, sets: dict[str, list[dict[str, Any]]]) -> None:
    for row in sets[name]:
        where, intent, answers = row["_line"], row["intent"], row.get("answers", [])
        if intent in PAPER_INTENTS:
            assert answers, f"{where}: a {intent} question needs answers"
        if intent == "count":
            assert row["count"] == len(answers), where
        if intent in ENTITY_INTENTS:
            assert row["entities"] and row["n"] == len(row["entities"]), where
            assert not set(row["entities"]) & set(row.get("acceptable_entities", [])), where
        if intent == "superlative":
            value = row["value"]
            assert value["paper"] in answers and isinstance(value["value"], float) and value["unit"], where
        if intent == "trend":
            assert row["trend"] and sum(row["trend"].values()) == len(answers), where
            assert all(re.fullmatch(r"20\d\d", y) for y in row["trend"]), where
        if intent == "compare":
            assert row["compare"]["left"] and row["compare"]["right"], where
        if intent == "fact":
            assert row["expect"], where
        if intent == "out_of_scope":
            assert answers == [] and not row.get("acceptable"), where


@pytest.mark.parametrize("name", FILES)
def test_misspelled_variants_point_into_their_own_file_with_the_same_gold(
    name: str, sets: dict[str, list[dict[str, Any]]]
) -> None:
    by_id = {row["id"]: row for row in sets[name]}
    typos = [row for row in sets[name] if row["class"] == "misspelled"]
    for row in typos:
        clean = by_id.get(row["variant_of"])
        assert clean is not None, f"{row['_line']}: variant_of {row['variant_of']!r} is not in {name}"
        assert clean["class"] != "misspelled" and clean["intent"] == row["intent"], row["_line"]
        assert all(row.get(f) == clean.get(f) for f in GOLD_FIELDS), f"{row['_line']}: gold differs from {clean['id']}"
        assert row["question"] != clean["question"], row["_line"]
    assert all("variant_of" not in row for row in sets[name] if row["class"] != "misspelled")


@pytest.mark.parametrize("name", FILES)
def test_paraphrases_share_no_content_word_with_their_answers(
    name: str, sets: dict[str, list[dict[str, Any]]], bundled: dict[str, str]
) -> None:
    for row in (r for r in sets[name] if r["class"] == "paraphrase"):
        question = content_stems(row["question"])
        for paper in row["answers"]:
            shared = question & content_stems(bundled[paper])
            assert not shared, f"{row['_line']}: shares {sorted(shared)} with {paper}"


def test_the_paraphrase_check_catches_shared_words() -> None:
    text = "Serverless Cold Starts and Where to Find Them: a trace of 11.9 million cold starts"
    assert content_stems("How slow are cold starts?") & content_stems(text) == {"cold", "start"}
    assert not content_stems("How long does a dormant function take to wake?") & content_stems(text)
    assert stem("Accelerators") == stem("accelerator") == "accele"
