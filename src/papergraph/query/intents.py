"""A scored intent classifier: the question's form compared with a bank of example questions per intent.

The bank (``query/data/intent_exemplars.jsonl``, ``{intent, text}`` per line) holds many phrasings of each
intent, written generically with slots (``{system}``, ``{hardware}``, ``{technique}``, ``{dataset}``,
``{metric}``, ``{topic}``, ``{author}``, ``{year}``, ``{n}``). A question is read the same way: the planner puts
the slot of each reference it recognised in place of its words, so "What latency does EfficientFormer get on
an iPhone?" reads "what latency does {system} get on an {hardware}": what the question asks, not its topic.

Both sides become TF-IDF vectors of words, word pairs and the opening word (the form lives in function words and
their order: "how many", "by what factor", "per year", "which ... most"); an intent scores the mean cosine of
its ``NEIGHBOURS`` closest examples. The planner combines the scores with the cue rules and the references the
question holds (a comparison needs two sides, a ranking a class to count), and reports the margin.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from papergraph.errors import ConfigError
from papergraph.query.plan import Intent

EXEMPLARS_FILE = "data/intent_exemplars.jsonl"
NEIGHBOURS = 2
_SLOT = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"\{\w+\}|[a-z0-9]+(?:['’][a-z]+)?|[?:,/]")


def features(text: str) -> Counter[str]:
    """Words, neighbouring word pairs and the opening word of a question form (slots kept as tokens)."""
    words = _WORD.findall(text.casefold())
    feats: Counter[str] = Counter(words)
    feats.update(f"{a} {b}" for a, b in pairwise(words))
    if words:
        feats[f"^{words[0]}"] += 1
    if len(words) > 1:
        feats[f"^{words[0]} {words[1]}"] += 1
    return feats


@dataclass(frozen=True)
class IntentScores:
    """The classifier's reading of one question form."""

    scores: dict[Intent, float]

    def best(self, allowed: Iterable[Intent]) -> tuple[Intent, float, float]:
        """The best intent among those allowed, its score and its margin over the next one."""
        ranked = sorted(((self.scores.get(i, 0.0), i) for i in allowed), reverse=True)
        if not ranked:
            return Intent.SEMANTIC, 0.0, 0.0
        top, intent = ranked[0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        return intent, top, top - second


class IntentClassifier:
    """Nearest examples by TF-IDF cosine over question forms."""

    def __init__(self, exemplars: Sequence[tuple[Intent, str]]) -> None:
        if not exemplars:
            raise ConfigError(f"{EXEMPLARS_FILE}: no examples")
        bags = [features(text) for _, text in exemplars]
        df: Counter[str] = Counter(f for bag in bags for f in bag)
        n = len(bags)
        self.idf = {f: math.log((1 + n) / (1 + c)) + 1.0 for f, c in df.items()}
        self.intents = [intent for intent, _ in exemplars]
        self.vectors = [self._vector(bag) for bag in bags]

    def _vector(self, bag: Counter[str]) -> dict[str, float]:
        vec = {f: (1.0 + math.log(c)) * self.idf[f] for f, c in bag.items() if f in self.idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {f: v / norm for f, v in vec.items()}

    def classify(self, form: str) -> IntentScores:
        query = self._vector(features(form))
        by_intent: dict[Intent, list[float]] = {}
        for intent, vec in zip(self.intents, self.vectors, strict=True):
            cosine = sum(w * vec.get(f, 0.0) for f, w in query.items())
            by_intent.setdefault(intent, []).append(cosine)
        scores = {
            intent: sum(sorted(values, reverse=True)[:NEIGHBOURS]) / min(NEIGHBOURS, len(values))
            for intent, values in by_intent.items()
        }
        return IntentScores(scores)


def parse_exemplars(lines: Iterable[str]) -> list[tuple[Intent, str]]:
    """``{intent, text}`` rows; a bad row raises ConfigError naming its line."""
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append((Intent(row["intent"]), str(row["text"])))
        except (json.JSONDecodeError, KeyError, ValueError, TypeError) as exc:
            raise ConfigError(f"{EXEMPLARS_FILE}:{number}: bad example ({exc})") from exc
    return out


@lru_cache(maxsize=1)
def intent_classifier() -> IntentClassifier:
    """The packaged bank, loaded once."""
    text = resources.files("papergraph.query").joinpath(EXEMPLARS_FILE).read_text(encoding="utf-8")
    return IntentClassifier(parse_exemplars(text.splitlines()))


__all__ = ["IntentClassifier", "IntentScores", "features", "intent_classifier", "parse_exemplars"]
