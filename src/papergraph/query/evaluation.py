"""Question-answering evaluation: the labelled question sets and the metrics that score answers against them.

Pure functions with no model or index, so the arithmetic is unit-tested on its own and reused by any script
(``scripts/eval_qa.py`` is the main one). A question's ``answers`` are the papers that must be found;
``acceptable`` are papers that are not wrong to return (surveys, borderline cases) but are not required, so they
count toward precision and never toward recall or hits. A count is right when the number is the gold count, or when
the papers counted are exactly the answers plus some acceptable ones (the same rule as a list answer), and a trend
likewise when the years are off only by the acceptable papers it returned; superlative
values are compared in base units ("68.77 k parameters" is 68,770 parameters; "GPU-days" is "GPU days").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

INTENTS = (
    "list",
    "count",
    "fact",
    "compare",
    "top_n",
    "superlative",
    "cooccurrence",
    "trend",
    "semantic",
    "out_of_scope",
)
SET_INTENTS = ("list", "count")  # scored as a returned set: precision and recall
RANK_INTENTS = ("fact", "compare", "semantic")  # scored as a ranking: hit@k
NEEDS_ANSWERS = ("list", "fact", "semantic")


@dataclass(frozen=True)
class QAItem:
    """One labelled question (a line of ``tests/data/questions_*.jsonl`` or the older ``qa_*.jsonl``).

    ``answers`` are the papers that must be found; ``acceptable`` are not wrong to return. Aggregate
    questions carry their gold elsewhere: ``count``, ``entities`` (top-N, co-occurrence; ``n`` of them),
    ``value`` (superlative: paper, value, unit), ``trend`` (papers per year), ``compare`` (the two sides).
    ``variant_of`` names the clean question a misspelled variant must answer alike.
    """

    id: str
    question: str
    intent: str
    answers: tuple[str, ...]
    acceptable: tuple[str, ...] = ()
    expect: tuple[str, ...] = ()
    notes: str = ""
    klass: str = ""
    corpus: str = "bundled"
    count: int | None = None
    entities: tuple[str, ...] = ()
    acceptable_entities: tuple[str, ...] = ()
    n: int | None = None
    value: tuple[str, float | None, str] | None = None
    trend: tuple[tuple[int, int], ...] = ()
    compare: tuple[tuple[str, ...], ...] = ()
    variant_of: str | None = None

    @property
    def gold(self) -> frozenset[str]:
        return frozenset(self.answers)

    @property
    def allowed(self) -> frozenset[str]:
        """Papers that are not false positives: the answers plus the acceptable ones."""
        return frozenset(self.answers) | frozenset(self.acceptable)

    @property
    def group(self) -> str:
        """The class the question is reported under (its intent when the file names none)."""
        return self.klass or self.intent


def _strings(value: object, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of strings")
    return tuple(value)


def _value(raw: object) -> tuple[str, float | None, str] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError("value must be an object {paper, value, unit}")
    number = raw.get("value")
    return (str(raw.get("paper") or ""), None if number is None else float(number), str(raw.get("unit") or ""))


def _trend(raw: object) -> tuple[tuple[int, int], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ValueError("trend must be an object {year: count}")
    return tuple(sorted((int(y), int(n)) for y, n in raw.items()))


def _compare(raw: object) -> tuple[tuple[str, ...], ...]:
    """The papers about each side of a comparison: ``{"left": [ids], "right": [ids]}``."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ValueError("compare must be an object {left: [paper ids], right: [paper ids]}")
    return tuple(_strings(raw.get(side, []), f"compare.{side}") for side in ("left", "right"))


def parse_item(raw: dict[str, object], where: str = "") -> QAItem:
    """A validated item; raises ValueError naming the line, so a typo in a gold file fails loudly."""
    try:
        count = raw.get("count")
        n = raw.get("n")
        variant = raw.get("variant_of")
        item = QAItem(
            id=str(raw["id"]),
            question=str(raw["question"]),
            intent=str(raw["intent"]),
            answers=_strings(raw.get("answers", []), "answers"),
            acceptable=_strings(raw.get("acceptable", []), "acceptable"),
            expect=_strings(raw.get("expect", []), "expect"),
            notes=str(raw.get("notes", "")),
            klass=str(raw.get("class", "")),
            corpus=str(raw.get("corpus", "bundled")),
            count=None if count is None else int(str(count)),
            entities=_strings(raw.get("entities", []), "entities"),
            acceptable_entities=_strings(raw.get("acceptable_entities", []), "acceptable_entities"),
            n=None if n is None else int(str(n)),
            value=_value(raw.get("value")),
            trend=_trend(raw.get("trend")),
            compare=_compare(raw.get("compare")),
            variant_of=None if variant is None else str(variant),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"{where}: malformed question ({exc})") from exc
    if item.intent not in INTENTS:
        raise ValueError(f"{where}: unknown intent {item.intent!r}")
    if not item.answers and item.intent in NEEDS_ANSWERS and item.variant_of is None:
        raise ValueError(f"{where}: question {item.id} has no answers")
    if item.intent == "count" and not item.answers and item.count is None:
        raise ValueError(f"{where}: count question {item.id} has neither answers nor count")
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


# --------------------------------------------------------------------------------------------------
# One question, judged whole
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Returned:
    """What the system answered, reduced to what scoring reads."""

    intent: str
    papers: tuple[str, ...]
    matched: int = 0
    ranking: tuple[str, ...] = ()
    value: tuple[str, float, str] | None = None
    trend: tuple[tuple[int, int], ...] = ()
    answer: str = ""
    compared: tuple[str, ...] = ()

    @property
    def signature(self) -> tuple[object, ...]:
        """What must not change when the question is misspelled."""
        return (self.intent, frozenset(self.papers), self.matched, self.ranking, self.value, self.trend)


@dataclass(frozen=True)
class Verdict:
    right: bool
    papers: SetScore | None = None
    count_exact: bool | None = None
    hit1: bool | None = None
    hit5: bool | None = None
    entities: SetScore | None = None


def _words(name: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[^0-9a-z]+", name.casefold()) if w)


def same_entity(a: str, b: str) -> bool:
    """Names of one entity, written leniently: case and punctuation aside, and a model code with or without the
    vendor or product line before it ("H100" = "NVIDIA H100", "AMD MI250X" = "AMD Instinct MI250X")."""
    x, y = sorted((_words(a), _words(b)), key=len)
    if x == y:
        return True
    code = x[-1] if x else ""
    if not (any(c.isdigit() for c in code) and any(c.isalpha() for c in code)):
        return False  # only a model code ("H100", "MI250X") stands for its longer name; "Llama 2" is no "Code Llama 2"
    return y[-len(x) :] == x or (len(x) > 1 and y[0] == x[0] and y[-len(x) + 1 :] == x[1:])


def _folded(names: Iterable[str], gold: Sequence[str] = ()) -> list[str]:
    """Names case-folded, each written as the gold name it is the same entity as, where there is one."""
    folded = []
    for name in names:
        match = next((g for g in gold if same_entity(name, g)), name)
        folded.append(match.casefold())
    return folded


VALUE_TOLERANCE = 1e-6


def judge(item: QAItem, got: Returned) -> Verdict:
    """Whether the answer is fully right for its intent, with the figures the tables report."""
    papers = set_score(got.papers, item.answers, item.acceptable) if item.answers else None
    hits = (hit_at(got.papers, item.answers, 1), hit_at(got.papers, item.answers, 5)) if item.answers else None
    expected = expect_ok(got.answer, item.expect)
    intent = item.intent
    if intent == "out_of_scope":
        return Verdict(right=got.intent == "out_of_scope" and not got.papers)
    if intent == "list":
        assert papers is not None
        return Verdict(right=papers.precision == 1.0 and papers.recall == 1.0 and expected, papers=papers)
    if intent == "count":  # the number exact, or the papers counted exactly the answers plus acceptable ones
        gold = item.count if item.count is not None else len(item.answers)
        exact = got.matched == gold
        settled = (
            papers is not None
            and papers.precision == 1.0
            and papers.recall == 1.0
            and got.matched == len(set(got.papers))
        )
        return Verdict(right=(exact or settled) and expected, papers=papers, count_exact=exact)
    if intent in ("top_n", "cooccurrence"):
        n = item.n or len(item.entities)
        names = [*item.entities, *item.acceptable_entities]
        top = set_score(_folded(got.ranking[:n], names), _folded(item.entities), _folded(item.acceptable_entities))
        return Verdict(right=top.recall == 1.0 and top.precision == 1.0 and expected, entities=top)
    if intent == "superlative":
        return Verdict(right=_value_ok(item, got) and expected, hit1=hits[0] if hits else None)
    if intent == "trend":  # exact, or off only by the acceptable papers it counted (as a count answer may be)
        return Verdict(right=(got.trend == item.trend or _trend_settled(item, got, papers)) and expected)
    h1, h5 = hits if hits else (None, None)
    if intent == "compare":  # the comparison's papers in the top 5, and a paper of each side among those returned
        sides = all(set(side) & set(got.papers) for side in item.compare if side)
        return Verdict(right=sides and h5 is not False and expected, hit1=h1, hit5=h5)
    if intent == "fact":
        return Verdict(right=bool(h1) and expected, hit1=h1, hit5=h5)
    return Verdict(right=bool(h5) and expected, hit1=h1, hit5=h5)


def _trend_settled(item: QAItem, got: Returned, papers: SetScore | None) -> bool:
    if papers is None or papers.precision != 1.0 or papers.recall != 1.0:
        return False
    want, have = dict(item.trend), dict(got.trend)
    extra = len(set(got.papers) & set(item.acceptable))
    more = [have.get(year, 0) - n for year, n in want.items()] + [n for y, n in have.items() if y not in want]
    return all(m >= 0 for m in more) and sum(more) == extra


_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}


def _quantity(value: float, unit: str) -> tuple[float, str]:
    """A value in its base unit, spelling aside: (68.77, "k parameters") -> (68770, "parameters");
    "GPU-days" is "gpu days"."""
    words = unit.casefold().replace("-", " ").split()
    if len(words) > 1 and words[0] in _SCALE:
        return value * _SCALE[words[0]], " ".join(words[1:])
    return value, " ".join(words)


def _value_ok(item: QAItem, got: Returned) -> bool:
    if item.value is None or got.value is None:
        return item.value is None and got.value is None
    paper, value, unit = item.value
    ok = not paper or paper == got.value[0]
    if value is None or not unit:
        ok = ok and (value is None or abs(value - got.value[1]) <= VALUE_TOLERANCE * max(1.0, abs(value)))
        return ok and (not unit or unit.casefold() == got.value[2].casefold())
    want, got_value = _quantity(value, unit), _quantity(got.value[1], got.value[2])
    return (
        ok
        and _same_unit(want[1], got_value[1])
        and abs(want[0] - got_value[0]) <= VALUE_TOLERANCE * max(1.0, abs(want[0]))
    )


def _same_unit(gold: str, got: str) -> bool:
    """The answer's unit is the gold one, or the gold one with words describing the measure ("%" = "% MFU",
    "x" = "x faster checkpointing")."""
    return gold == got or (bool(got) and gold.startswith(got + " "))


def out_of_scope_pr(pairs: Sequence[tuple[QAItem, Returned]]) -> PR:
    """Precision and recall of refusing: gold out-of-scope questions vs answers that refused."""
    flagged = [i for i, g in pairs if g.intent == "out_of_scope"]
    gold = [i for i, _ in pairs if i.intent == "out_of_scope"]
    hit = [i for i in flagged if i.intent == "out_of_scope"]
    return PR(
        precision=len(hit) / len(flagged) if flagged else 1.0,
        recall=len(hit) / len(gold) if gold else 1.0,
    )


__all__ = [
    "INTENTS",
    "PR",
    "RANK_INTENTS",
    "SET_INTENTS",
    "CountScore",
    "QAItem",
    "Returned",
    "SetScore",
    "Verdict",
    "count_score",
    "expect_ok",
    "first_rank",
    "hit_at",
    "judge",
    "load_questions",
    "macro_pr",
    "mean",
    "micro_pr",
    "out_of_scope_pr",
    "parse_item",
    "recall_at",
    "reciprocal_rank",
    "set_score",
]
