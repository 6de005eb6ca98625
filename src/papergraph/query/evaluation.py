"""Question-answering evaluation: the labelled question sets and the metrics that score answers against them.

Pure functions with no model or index, so the arithmetic is unit-tested on its own and reused by any script
(``scripts/eval_qa.py`` is the main one). A question's ``answers`` are the papers that must be found;
``acceptable`` are papers that are not wrong to return (surveys, borderline cases) but are not required, so they
count toward precision and never toward recall or hits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

INTENTS = ("list", "count", "fact", "compare", "semantic")
SET_INTENTS = ("list", "count")  # scored as a returned set: precision and recall
RANK_INTENTS = ("fact", "compare", "semantic")  # scored as a ranking: hit@k


@dataclass(frozen=True)
class QAItem:
    """One labelled question (a line of ``tests/data/qa_*.jsonl``)."""

    id: str
    question: str
    intent: str
    answers: tuple[str, ...]
    acceptable: tuple[str, ...] = ()
    expect: tuple[str, ...] = ()
    notes: str = ""

    @property
    def gold(self) -> frozenset[str]:
        return frozenset(self.answers)

    @property
    def allowed(self) -> frozenset[str]:
        """Papers that are not false positives: the answers plus the acceptable ones."""
        return frozenset(self.answers) | frozenset(self.acceptable)


def _strings(value: object, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of strings")
    return tuple(value)


def parse_item(raw: dict[str, object], where: str = "") -> QAItem:
    """A validated item; raises ValueError naming the line, so a typo in a gold file fails loudly."""
    try:
        item = QAItem(
            id=str(raw["id"]),
            question=str(raw["question"]),
            intent=str(raw["intent"]),
            answers=_strings(raw["answers"], "answers"),
            acceptable=_strings(raw.get("acceptable", []), "acceptable"),
            expect=_strings(raw.get("expect", []), "expect"),
            notes=str(raw.get("notes", "")),
        )
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{where}: malformed question ({exc})") from exc
    if item.intent not in INTENTS:
        raise ValueError(f"{where}: unknown intent {item.intent!r}")
    if not item.answers:
        raise ValueError(f"{where}: question {item.id} has no answers")
    if item.gold & set(item.acceptable):
        raise ValueError(f"{where}: question {item.id} lists a paper as both answer and acceptable")
    return item


def load_questions(path: Path) -> list[QAItem]:
    """All questions of one JSONL file, ids unique."""
    items: list[QAItem] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            items.append(parse_item(json.loads(line), f"{path.name}:{number}"))
    ids = [i.id for i in items]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path.name}: duplicate question ids")
    return items


# --------------------------------------------------------------------------------------------------
# Set metrics (list and count questions)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetScore:
    """Counts behind precision and recall of one returned set."""

    returned: int
    correct: int  # returned papers that are answers or acceptable
    found: int  # answers that were returned
    gold: int

    @property
    def precision(self) -> float:
        """Share of returned papers that are right; an empty answer to a non-empty question scores 0."""
        if self.returned == 0:
            return 1.0 if self.gold == 0 else 0.0
        return self.correct / self.returned

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0


def set_score(returned: Iterable[str], gold: Iterable[str], acceptable: Iterable[str] = ()) -> SetScore:
    """Precision counts answers and acceptable papers as correct; recall only the answers."""
    got = set(returned)
    must = set(gold)
    ok = must | set(acceptable)
    return SetScore(returned=len(got), correct=len(got & ok), found=len(got & must), gold=len(must))


@dataclass(frozen=True)
class PR:
    precision: float
    recall: float


def micro_pr(scores: Sequence[SetScore]) -> PR:
    """Pooled over all questions: large gold sets weigh more."""
    returned = sum(s.returned for s in scores)
    correct = sum(s.correct for s in scores)
    found = sum(s.found for s in scores)
    gold = sum(s.gold for s in scores)
    return PR(precision=correct / returned if returned else 0.0, recall=found / gold if gold else 0.0)


def macro_pr(scores: Sequence[SetScore]) -> PR:
    """Mean over questions: every question weighs the same."""
    if not scores:
        return PR(0.0, 0.0)
    return PR(
        precision=sum(s.precision for s in scores) / len(scores),
        recall=sum(s.recall for s in scores) / len(scores),
    )


# --------------------------------------------------------------------------------------------------
# Ranking metrics (fact, compare, semantic questions; search comparisons; title self-retrieval)
# --------------------------------------------------------------------------------------------------


def first_rank(ranked: Sequence[str], relevant: Iterable[str]) -> int | None:
    """1-based rank of the first relevant item, or None when none is ranked."""
    wanted = set(relevant)
    return next((r for r, item in enumerate(ranked, start=1) if item in wanted), None)


def hit_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> bool:
    """Whether a relevant item is in the top k."""
    rank = first_rank(ranked[:k], relevant)
    return rank is not None


def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str], k: int = 10) -> float:
    """1/rank of the first relevant item within the top k, else 0 (averaged, this is MRR@k)."""
    rank = first_rank(ranked[:k], relevant)
    return 1.0 / rank if rank else 0.0


def recall_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """Share of the relevant items found in the top k."""
    wanted = set(relevant)
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 1.0


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean; 0 for no values (a table cell, not an error)."""
    items = list(values)
    return sum(items) / len(items) if items else 0.0


# --------------------------------------------------------------------------------------------------
# Answer text
# --------------------------------------------------------------------------------------------------


def expect_ok(text: str, expect: Sequence[str]) -> bool:
    """Every expected string occurs in the text (case-insensitive); ``"1,943|1943"`` means either spelling."""
    folded = text.casefold()
    return all(any(alt.strip().casefold() in folded for alt in item.split("|")) for item in expect)


@dataclass(frozen=True)
class CountScore:
    """How far a count answer is from the gold count."""

    predicted: int
    gold: int
    diff: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "diff", abs(self.predicted - self.gold))

    @property
    def exact(self) -> bool:
        return self.diff == 0


def count_score(predicted: int, gold: int) -> CountScore:
    return CountScore(predicted=predicted, gold=gold)


__all__ = [
    "INTENTS",
    "PR",
    "RANK_INTENTS",
    "SET_INTENTS",
    "CountScore",
    "QAItem",
    "SetScore",
    "count_score",
    "expect_ok",
    "first_rank",
    "hit_at",
    "load_questions",
    "macro_pr",
    "mean",
    "micro_pr",
    "parse_item",
    "recall_at",
    "reciprocal_rank",
    "set_score",
]
