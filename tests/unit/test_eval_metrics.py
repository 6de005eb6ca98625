"""QA evaluation: metric arithmetic, gold-file validity against the bundled corpus, and a smoke run of the script."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from papergraph.corpus import read_corpus
from papergraph.query.evaluation import (
    QAItem,
    Returned,
    count_score,
    expect_ok,
    first_rank,
    hit_at,
    judge,
    load_questions,
    macro_pr,
    mean,
    micro_pr,
    out_of_scope_pr,
    parse_item,
    recall_at,
    reciprocal_rank,
    same_entity,
    set_score,
)
from support import build_engine

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


# --- set metrics -----------------------------------------------------------------------------------


def test_set_score_counts_acceptable_for_precision_only() -> None:
    s = set_score(["a", "b", "x", "y"], gold=["a", "b", "c"], acceptable=["x"])
    assert (s.returned, s.correct, s.found, s.gold) == (4, 3, 2, 3)
    assert s.precision == pytest.approx(0.75)
    assert s.recall == pytest.approx(2 / 3)


def test_set_score_ignores_duplicates_and_handles_empty_answers() -> None:
    assert set_score(["a", "a"], gold=["a"]).precision == 1.0
    empty = set_score([], gold=["a"])
    assert (empty.precision, empty.recall) == (0.0, 0.0)


def test_micro_pools_counts_and_macro_averages_questions() -> None:
    big = set_score(["a", "b", "c", "d"], gold=["a", "b", "c", "d"])  # P=1, R=1
    small = set_score(["x"], gold=["y"])  # P=0, R=0
    micro, macro = micro_pr([big, small]), macro_pr([big, small])
    assert micro.precision == pytest.approx(4 / 5)
    assert micro.recall == pytest.approx(4 / 5)
    assert macro.precision == pytest.approx(0.5)
    assert macro.recall == pytest.approx(0.5)
    assert macro_pr([]).recall == 0.0


# --- ranking metrics -------------------------------------------------------------------------------


def test_ranking_metrics() -> None:
    ranked = ["d", "a", "b", "c"]
    assert first_rank(ranked, {"b", "c"}) == 3
    assert first_rank(ranked, {"z"}) is None
    assert hit_at(ranked, ["a"], 1) is False
    assert hit_at(ranked, ["a"], 2) is True
    assert reciprocal_rank(ranked, ["b"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, ["c"], k=3) == 0.0
    assert recall_at(ranked, ["a", "c", "z"], 2) == pytest.approx(1 / 3)
    assert mean([1.0, 0.0, 0.5]) == pytest.approx(0.5)
    assert mean([]) == 0.0


def test_expected_values_and_counts() -> None:
    text = "CloudMatrix-Infer reaches 1943 tokens/s decode throughput per NPU."
    assert expect_ok(text, ["1,943|1943", "TOKENS/S"])
    assert not expect_ok(text, ["6,688|6688"])
    assert expect_ok(text, [])
    c = count_score(5, 7)
    assert (c.diff, c.exact) == (2, False)
    assert count_score(3, 3).exact


def test_parse_item_rejects_bad_lines() -> None:
    good = {"id": "q", "question": "?", "intent": "list", "answers": ["a"]}
    assert parse_item(good).allowed == {"a"}
    for bad in (
        {**good, "intent": "opinion"},
        {**good, "answers": []},
        {**good, "answers": "a"},
        {**good, "acceptable": ["a"]},
        {"id": "q", "intent": "list", "answers": ["a"]},
        {"id": "q", "question": "?", "intent": "count", "answers": []},
        {**good, "trend": [2024]},
    ):
        with pytest.raises(ValueError):
            parse_item(bad, "x.jsonl:1")


def test_parse_item_reads_the_aggregate_fields() -> None:
    item = parse_item(
        {
            "id": "t1",
            "class": "trend",
            "intent": "trend",
            "question": "papers per year on pruning?",
            "corpus": "meta",
            "answers": [],
            "trend": {"2024": 3, "2023": 1},
            "value": {"paper": "p", "value": 25, "unit": "tokens/s"},
            "compare": {"left": ["a"], "right": ["b", "c"]},
            "entities": ["GPU"],
            "n": 3,
            "variant_of": "t0",
        }
    )
    assert (item.group, item.corpus, item.trend, item.value) == (
        "trend",
        "meta",
        ((2023, 1), (2024, 3)),
        ("p", 25.0, "tokens/s"),
    )
    assert (item.compare, item.entities, item.n, item.variant_of) == ((("a",), ("b", "c")), ("GPU",), 3, "t0")
    assert parse_item({"id": "o", "question": "?", "intent": "out_of_scope", "answers": []}).group == "out_of_scope"


def test_judge_each_intent() -> None:
    def item(**kw: object) -> QAItem:
        return parse_item({"id": "q", "question": "?", "answers": [], **kw})

    listing = item(intent="list", answers=["a", "b"], acceptable=["c"])
    assert judge(listing, Returned("list", ("a", "b", "c"))).right
    assert not judge(listing, Returned("list", ("a",))).right
    count = item(intent="count", count=7)
    assert (
        judge(count, Returned("count", (), matched=7)).right
        and not judge(count, Returned("count", (), matched=6)).right
    )
    counted = item(intent="count", answers=["a"], acceptable=["b"], count=1)  # "b" is not wrong to count
    assert judge(counted, Returned("count", ("a", "b"), matched=2)).right
    assert judge(counted, Returned("count", ("a",), matched=1)).right
    assert not judge(counted, Returned("count", ("a", "c"), matched=2)).right  # "c" is wrong
    assert not judge(counted, Returned("count", ("a", "b"), matched=3)).right  # a paper counted but not shown
    assert not judge(counted, Returned("count", ("a", "b"), matched=2)).count_exact
    top = item(intent="top_n", entities=["GPU", "CPU"], acceptable_entities=["FPGA"], n=2)
    assert judge(top, Returned("top_n", (), ranking=("gpu", "CPU", "TPU"))).right
    assert not judge(top, Returned("top_n", (), ranking=("GPU", "TPU"))).right
    best = item(intent="superlative", value={"paper": "p", "value": 25, "unit": "tokens/s"})
    assert judge(best, Returned("superlative", ("p",), value=("p", 25.0, "tokens/s"))).right
    assert not judge(best, Returned("superlative", ("q",), value=("q", 25.0, "tokens/s"))).right
    small = item(intent="superlative", value={"paper": "p", "value": 68.77, "unit": "k parameters"})
    assert judge(small, Returned("superlative", ("p",), value=("p", 68770.0, "parameters"))).right  # same amount
    assert not judge(small, Returned("superlative", ("p",), value=("p", 68.77, "parameters"))).right
    days = item(intent="superlative", value={"paper": "p", "value": 0.1, "unit": "GPU-days"})
    assert judge(days, Returned("superlative", ("p",), value=("p", 0.1, "GPU days"))).right
    trend = item(intent="trend", trend={"2024": 2})
    assert judge(trend, Returned("trend", (), trend=((2024, 2),))).right
    dated = item(intent="trend", trend={"2024": 1}, answers=["a"], acceptable=["b"])
    assert judge(dated, Returned("trend", ("a", "b"), trend=((2024, 2),))).right  # "b" is not wrong to count
    assert not judge(dated, Returned("trend", ("a", "b"), trend=((2024, 3),))).right
    assert not judge(dated, Returned("trend", ("a", "c"), trend=((2024, 2),))).right
    compare = item(intent="compare", compare={"left": ["p", "l"], "right": ["p", "r"]}, answers=["p"])
    assert judge(compare, Returned("compare", ("l", "p", "r"))).right
    assert not judge(compare, Returned("compare", ("l", "x"))).right
    fact = item(intent="fact", answers=["p"], expect=["25"])
    assert judge(fact, Returned("fact", ("p",), answer="TeLLMe reaches 25 tokens/s")).right
    assert not judge(fact, Returned("fact", ("p",), answer="TeLLMe is fast")).right
    oos = item(intent="out_of_scope")
    assert judge(oos, Returned("out_of_scope", ())).right and not judge(oos, Returned("semantic", ("p",))).right
    pairs = [(oos, Returned("out_of_scope", ())), (listing, Returned("out_of_scope", ())), (oos, Returned("list", ()))]
    pr = out_of_scope_pr(pairs)
    assert (pr.precision, pr.recall) == (0.5, 0.5)


def test_names_and_units_are_judged_leniently_but_not_loosely() -> None:
    def item(**kw: object) -> QAItem:
        return parse_item({"id": "q", "question": "?", "answers": [], **kw})

    assert same_entity("H100", "NVIDIA H100") and same_entity("AMD MI250X", "AMD Instinct MI250X")
    assert not same_entity("Llama 2", "Code Llama 2") and not same_entity("H100", "H200")
    assert not same_entity("GPU", "NVIDIA GPU")  # a class is not a model code
    top = item(intent="top_n", entities=["H100", "A100"], n=2)
    assert judge(top, Returned("top_n", (), ranking=("NVIDIA H100", "NVIDIA A100"))).right
    assert not judge(top, Returned("top_n", (), ranking=("NVIDIA H100", "NVIDIA V100"))).right
    mfu = item(intent="superlative", value={"paper": "p", "value": 55.2, "unit": "% MFU"})
    assert judge(mfu, Returned("superlative", ("p",), value=("p", 55.2, "%"))).right
    assert not judge(mfu, Returned("superlative", ("p",), value=("p", 55.2, "x"))).right


# --- the gold files --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_ids() -> set[str]:
    papers, _ = read_corpus([ROOT / "data" / "corpus"])
    return {p.id for p in papers}


@pytest.mark.parametrize(("name", "minimum"), [("qa_dev.jsonl", 26), ("qa_heldout.jsonl", 12)])
def test_gold_files_are_valid_and_point_at_corpus_papers(name: str, minimum: int, corpus_ids: set[str]) -> None:
    items = load_questions(DATA / name)
    assert len(items) >= minimum
    assert {i.intent for i in items} == {"list", "count", "fact", "compare", "semantic"}
    for item in items:
        assert set(item.answers) | set(item.acceptable) <= corpus_ids, item.id
        assert item.notes, f"{item.id} says nothing about how its gold set was decided"


def test_dev_and_heldout_do_not_share_questions() -> None:
    dev = {i.question.casefold() for i in load_questions(DATA / "qa_dev.jsonl")}
    held = {i.question.casefold() for i in load_questions(DATA / "qa_heldout.jsonl")}
    assert not dev & held


# --- the script, on the small test engine ----------------------------------------------------------


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_qa", ROOT / "scripts" / "eval_qa.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_eval_script_scores_the_test_engine(capsys: pytest.CaptureFixture[str]) -> None:
    script = _script()
    rows = [
        {
            "id": "a",
            "class": "list",
            "question": "Which papers use quantization?",
            "intent": "list",
            "answers": ["p-gpu"],
        },
        {
            "id": "a2",
            "class": "typo",
            "question": "Which papers use quantizaton?",
            "intent": "list",
            "answers": ["p-gpu"],
            "variant_of": "a",
        },
        {"id": "b", "question": "How many papers use Jetson boards?", "intent": "count", "answers": ["p-jetson"]},
        {
            "id": "c",
            "question": "What throughput does TeLLMe reach?",
            "intent": "fact",
            "answers": ["p-fpga"],
            "expect": ["25"],
        },
        {
            "id": "d",
            "question": "serving LLMs with vLLM on datacenter GPUs",
            "intent": "semantic",
            "answers": ["p-gpu"],
        },
    ]
    items = [parse_item(json.loads(json.dumps(r))) for r in rows]
    args = script.parse_args(["--verbose", "--calibrate"])
    result = script.evaluate_set({"bundled": build_engine()}, "tiny", items, args)
    out = capsys.readouterr().out
    assert result["list_r"] == 1.0 and result["intent_acc"] == 1.0 and result["typo"] == 1.0
    assert "class" in out and "typo" in out and "out-of-scope P" in out


def test_eval_script_exits_1_without_an_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        _script().load_engine(tmp_path)
    assert exc.value.code == 1
    assert "papergraph" in capsys.readouterr().err


def test_items_are_hashable_values() -> None:
    item = QAItem(id="q", question="?", intent="semantic", answers=("a",), acceptable=("b",))
    assert item.allowed == {"a", "b"} and item.gold == {"a"}
