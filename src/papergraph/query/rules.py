"""The question rules (``query/data/question_rules.json``) compiled once: rules as data, read by the planner.

A malformed rule fails loudly at load time with the rule's section and position, never at question time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from papergraph.errors import ConfigError
from papergraph.graph.query import GroupBy
from papergraph.models import EntityType, HardwareType
from papergraph.query.plan import Intent

RULES_FILE = "data/question_rules.json"


@dataclass(frozen=True)
class IntentRule:
    intent: Intent
    pattern: re.Pattern[str]
    needs: str | None  # entity | entity_next | two | not_two | metric | target | target_and_entity


@dataclass(frozen=True)
class Topic:
    """A qualifier outside the entity vocabulary ("language models"), matched in the paper's own text."""

    name: str
    question: re.Pattern[str]
    paper: re.Pattern[str]


@dataclass(frozen=True)
class TargetRule:
    pattern: re.Pattern[str]
    type: EntityType
    by: GroupBy
    level: str | None = None


@dataclass(frozen=True)
class Granularity:
    """Words right after a counted class that say at which level to count ("GPU models", "LLM families")."""

    pattern: re.Pattern[str]
    by: GroupBy
    level: str | None


@dataclass(frozen=True)
class QuestionRules:
    intents: tuple[IntentRule, ...]
    metric_words: tuple[tuple[str, re.Pattern[str]], ...]
    better: dict[str, str]
    best_words: tuple[tuple[str, re.Pattern[str]], ...]
    units: tuple[tuple[str, re.Pattern[str]], ...]
    years: tuple[re.Pattern[str], ...]
    authors: tuple[re.Pattern[str], ...]
    vendors: tuple[tuple[str, tuple[str, ...]], ...]
    type_words: tuple[tuple[HardwareType, re.Pattern[str]], ...]
    targets: tuple[TargetRule, ...]
    granularity: tuple[Granularity, ...]
    component_types: frozenset[str]
    example_words: re.Pattern[str]
    like_words: re.Pattern[str]
    excluding_words: re.Pattern[str]
    head_links: re.Pattern[str]
    relative_words: re.Pattern[str]
    compare_joins: re.Pattern[str]
    stopwords: frozenset[str]
    question_words: frozenset[str]
    topics: tuple[Topic, ...]
    directions: tuple[tuple[str, re.Pattern[str]], ...]
    limits: tuple[re.Pattern[str], ...]
    numbers: dict[str, int]
    both_words: re.Pattern[str]
    request_prefix: re.Pattern[str]
    coordination: re.Pattern[str]
    baseline_before: re.Pattern[str]
    baseline_after: re.Pattern[str]

    @cached_property
    def asking_words(self) -> frozenset[str]:
        """Function words and the vocabulary of asking together: words that name nothing in a question."""
        return self.stopwords | self.question_words


def _compile(row: dict[str, Any], where: str, key: str = "pattern") -> re.Pattern[str]:
    try:
        return re.compile(row[key], 0 if row.get("case") else re.IGNORECASE)
    except (KeyError, re.error) as exc:
        raise ConfigError(f"{RULES_FILE}, {where}: bad pattern ({exc})") from exc


def _rows(raw: dict[str, Any], section: str) -> list[tuple[str, dict[str, Any]]]:
    rows = raw.get(section)
    if not isinstance(rows, list):
        raise ConfigError(f"{RULES_FILE}: section {section!r} is missing or not a list")
    return [(f"{section}[{i}]", row) for i, row in enumerate(rows)]


def parse_rules(raw: dict[str, Any]) -> QuestionRules:
    """Rules from the JSON object; raises ConfigError naming the rule that is wrong."""
    try:
        intents, type_words, targets, granularity = _typed_rules(raw)
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"{RULES_FILE}: {exc}") from exc
    return QuestionRules(
        intents=intents,
        metric_words=tuple((row["kind"], _compile(row, where)) for where, row in _rows(raw, "metric_words")),
        better=dict(raw.get("better", {})),
        best_words=tuple((row["best"], _compile(row, where)) for where, row in _rows(raw, "best_words")),
        units=tuple((row["unit"], _compile(row, where)) for where, row in _rows(raw, "units")),
        years=tuple(_compile(row, where) for where, row in _rows(raw, "years")),
        authors=tuple(_compile(row, where) for where, row in _rows(raw, "authors")),
        vendors=tuple((row["name"], tuple(row.get("aliases", ()))) for _, row in _rows(raw, "vendors")),
        type_words=type_words,
        targets=targets,
        granularity=granularity,
        component_types=frozenset(raw.get("component_types", ())),
        example_words=re.compile(raw["example_words"], re.IGNORECASE),
        like_words=re.compile(raw["like_words"], re.IGNORECASE),
        excluding_words=re.compile(raw["excluding_words"], re.IGNORECASE),
        head_links=re.compile(raw["head_links"], re.IGNORECASE),
        relative_words=re.compile(raw["relative_words"], re.IGNORECASE),
        compare_joins=re.compile(raw["compare_joins"], re.IGNORECASE),
        stopwords=frozenset(w.casefold() for w in raw["stopwords"]),
        question_words=frozenset(w.casefold() for w in raw.get("question_words", ())),
        topics=_topics(raw),
        directions=tuple((d, re.compile(p, re.IGNORECASE)) for d, p in raw.get("direction_words", {}).items()),
        limits=tuple(_compile(row, where) for where, row in _rows(raw, "limits")),
        numbers={k.casefold(): int(v) for k, v in raw.get("numbers", {}).items()},
        both_words=re.compile(raw["both_words"], re.IGNORECASE),
        request_prefix=re.compile(raw.get("request_prefix", "^"), re.IGNORECASE),
        coordination=re.compile(raw["coordination"]),
        baseline_before=re.compile(raw["baseline_words"]["before"], re.IGNORECASE),
        baseline_after=re.compile(raw["baseline_words"]["after"], re.IGNORECASE),
    )


def _typed_rules(
    raw: dict[str, Any],
) -> tuple[
    tuple[IntentRule, ...],
    tuple[tuple[HardwareType, re.Pattern[str]], ...],
    tuple[TargetRule, ...],
    tuple[Granularity, ...],
]:
    """The rules whose rows name an enum value (intent, hardware type, entity type, grouping): a value no enum
    has raises ValueError, a missing field KeyError."""
    intents = tuple(
        IntentRule(Intent(row["intent"]), _compile(row, where), row.get("needs"))
        for where, row in _rows(raw, "intents")
    )
    type_words = tuple(
        (HardwareType(row["type"]), re.compile(rf"^(?:{row['pattern']})$", re.IGNORECASE))
        for _, row in _rows(raw, "type_words")
    )
    targets = tuple(
        TargetRule(_compile(row, where), EntityType(row["type"]), GroupBy(row.get("by", "entity")), row.get("level"))
        for where, row in _rows(raw, "targets")
    )
    granularity = tuple(
        Granularity(_compile(row, where), GroupBy(row.get("by", "entity")), row.get("level"))
        for where, row in _rows(raw, "granularity")
    )
    return intents, type_words, targets, granularity


def _topics(raw: dict[str, Any]) -> tuple[Topic, ...]:
    """Topic rules: the words that ask for a topic in a question, and those that show it in a paper."""
    return tuple(
        Topic(row["topic"], _compile(row, where, "question"), _compile(row, where, "paper"))
        for where, row in _rows(raw, "topics")
    )


@lru_cache(maxsize=1)
def question_rules() -> QuestionRules:
    """The packaged rules, loaded once."""
    text = resources.files("papergraph.query").joinpath(RULES_FILE).read_text(encoding="utf-8")
    return parse_rules(json.loads(text))


__all__ = ["Granularity", "IntentRule", "QuestionRules", "TargetRule", "Topic", "parse_rules", "question_rules"]
