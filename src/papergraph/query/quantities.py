"""What a reported number measures, in words and in units: how answers pick the numbers a question asks for.

* **Units of one dimension compare** (``data/units.json``): 6.9 uW is lower than 1.11 W, 1.6 ms faster than
  0.2 s. :class:`UnitTable` puts a value in its dimension's base unit; a unit it does not list is a dimension
  of its own (it compares only with itself).
* **The quantity a question names** ("the longest *context length*", "highest *model FLOPs utilization (MFU)*",
  "by what factor did X cut *communication bandwidth*") is matched against each number's own words: its
  ``metric`` phrase and the evidence around it, from the previous number to the next. :class:`QuantityIndex`
  holds those words for every stored number, built once when answering starts, and weighs a question word
  by how rare it is among the numbers (IDF), so "training" or "model" count little and "MFU" much.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from papergraph.errors import ConfigError
from papergraph.graph.query import MetricHit
from papergraph.models import MetricRecord

UNITS_FILE = "data/units.json"
RELATIVE = frozenset({"%", "x", "pp"})  # changes and shares: each its own dimension
WINDOW = 90  # characters of evidence read on each side of a number, at most
PHRASE_WEIGHT = 1.5  # a word of the number's own metric phrase counts more than one near it
NEAR_BEST = 0.6  # numbers scoring at least this share of the best score are about the quantity asked

_QUANTITY = re.compile(
    r"\b(?P<end>highest|lowest|largest|smallest|longest|shortest|biggest|greatest|maximum|minimum|peak)\s+"
    r"(?P<what>[\w()/-]+(?:\s+[\w()/-]+){0,5}?)"
    r"(?=\s+(?:for|on|over|among|across|reported|achieved|claimed|measured|when|while|by|to|than|that|which|any|"
    r"anyone|in\s+(?:the|these|this|a|an|any))\b|\s*[?.,;:!]|\s*$)",
    re.IGNORECASE,
)
_ASKS_NUMBER = re.compile(
    r"\b(what|which)\s+(fraction|share|proportion|percentage|portion|factor|ratio|speed-?up|rate|number)\b"
    r"|\bhow\s+(much|many|fast|far|big|large|small|long|low|high|quickly|often)\b"
    r"|\bby\s+(what|how)\b"
    # "what frame rate did ...", "what WAN bandwidth does ...": a measure named after what/which
    r"|\b(what|which)\s+(?:[\w-]+\s+){0,3}?(rate|bandwidth|throughput|latency|speed|accuracy|power|energy|"
    r"memory|cost|frequency|size|distance|range|efficiency|utili[sz]ation|perplexity|score)\b",
    re.IGNORECASE,
)
_MAX_WORDS = frozenset({"highest", "largest", "longest", "biggest", "greatest", "maximum", "peak"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(“\"])|\n\s*\n")
_VALUE = re.compile(r"(?<![\w.-])\d[\d,]*(?:\.\d+)?(?![\w-]*[A-Za-z]\d)")  # not the digits of "A100", "GPT-4"
_SUFFIXES = ("ing", "ed", "es", "s")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-/][A-Za-z0-9]+)*")
_NUMBER = re.compile(r"\d[\d,.]*")


@dataclass(frozen=True)
class UnitTable:
    """Unit -> (dimension, factor to the dimension's base unit)."""

    scales: dict[str, tuple[str, float]]

    def dimension(self, unit: str) -> str:
        return self.scales[unit][0] if unit in self.scales else f"unit:{unit}"

    def named(self, unit: str) -> str:
        """The dimension's name for a unit it lists ("Gbps" -> "data rate", "FPS" -> "frame rate"), else ""."""
        return self.scales[unit][0] if unit in self.scales else ""

    def dimensions_named(self, text: str) -> frozenset[str]:
        """The dimensions a text names in words ("the highest frame rate" -> frame rate; "lowest power draw" ->
        power): a number of another absolute dimension does not answer it."""
        folded = text.casefold()
        names = {dim for dim, _ in self.scales.values()}
        return frozenset(n for n in names if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", folded))

    def answers(self, unit: str, named: frozenset[str]) -> bool:
        """Whether a number in this unit can answer a question naming these dimensions: one of them, or a
        change or share (x, %), or any unit when none is named."""
        return not named or unit in RELATIVE or self.dimension(unit) in named

    def base(self, value: float, unit: str) -> float:
        """The value in its dimension's base unit (W, s, bytes, J ...)."""
        return value * self.scales[unit][1] if unit in self.scales else value


def parse_units(raw: dict[str, object]) -> UnitTable:
    dims = raw.get("dimensions")
    if not isinstance(dims, dict):
        raise ConfigError(f"{UNITS_FILE}: 'dimensions' is missing or not an object")
    scales: dict[str, tuple[str, float]] = {}
    for dim, units in dims.items():
        if not isinstance(units, dict):
            raise ConfigError(f"{UNITS_FILE}: dimension {dim!r} is not an object of unit -> factor")
        for unit, factor in units.items():
            if not isinstance(factor, int | float) or factor <= 0:
                raise ConfigError(f"{UNITS_FILE}: {dim}.{unit}: the factor must be a positive number")
            if unit in scales:
                raise ConfigError(f"{UNITS_FILE}: unit {unit!r} is in two dimensions")
            scales[unit] = (str(dim), float(factor))
    return UnitTable(scales)


@lru_cache(maxsize=1)
def unit_table() -> UnitTable:
    """The packaged unit table, loaded once."""
    text = resources.files("papergraph.query").joinpath(UNITS_FILE).read_text(encoding="utf-8")
    return parse_units(json.loads(text))


def words(text: str) -> set[str]:
    """Case-folded words, a plural ``s`` dropped from words over three letters ("GPUs" -> gpu, "MFU" -> mfu)."""
    out = set()
    for w in _WORD.findall(text):
        w = w.casefold()
        out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


class Quantity(NamedTuple):
    """A superlative's quantity: the end it wants, its words, and where they are in the question."""

    best: str
    phrase: str
    span: tuple[int, int]


def quantity_phrase(text: str) -> Quantity | None:
    """The quantity a superlative names and the end it wants: "the longest context length any paper handles"
    -> ("max", "context length"); "lowest power draw?" -> ("min", "power draw")."""
    m = _QUANTITY.search(text)
    if m is None:
        return None
    best = "max" if m["end"].casefold() in _MAX_WORDS else "min"
    return Quantity(best, m["what"].strip(), m.span())


def asks_number(question: str) -> bool:
    """Whether a question asks for a number ("what fraction of ...", "by what factor ...", "how far ...")."""
    return _ASKS_NUMBER.search(question) is not None


def window(m: MetricRecord) -> str:
    """The evidence around a number: back to the number before it, on to the number after it (each side at most
    :data:`WINDOW` characters); the whole sentence when the number's text is not found in it."""
    sentence = m.evidence
    at = sentence.find(m.surface) if m.surface else -1
    if at < 0:
        return sentence
    end = at + len(m.surface)
    start = max(0, at - WINDOW)
    before = sentence[start:at]
    if start > 0 and " " in before:  # whole words only
        before = before[before.index(" ") + 1 :]
    after = sentence[end : end + WINDOW]
    if end + WINDOW < len(sentence) and " " in after:
        after = after[: after.rindex(" ")]
    numbers = list(_NUMBER.finditer(before))
    if numbers:
        before = before[numbers[-1].end() :]
    following = _NUMBER.search(after)
    if following:
        after = after[: following.start()]
    return before + " " + m.surface + " " + after


class Stated(NamedTuple):
    """A sentence of a text that states a number, and the question words it shares."""

    sentence: str
    shared: frozenset[str]
    score: float


def stated_numbers(text: str, asked: Iterable[str]) -> Stated | None:
    """The sentence of a paper's text that states a number and shares the most question words with it, each
    word weighed by how few of the text's sentences have it ("how many A100 GPUs would training GPT-4 take"
    -> "training GPT-4 requires between 1,174 and 8,800 A100 GPUs"); None when no such sentence shares a word.
    Words match on a rough stem ("identified" ~ "identify" do not; "requests" ~ "request" do)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    stems = [{_stem(w) for w in words(p)} for p in parts]
    wanted = {_stem(w) for w in asked}
    best: Stated | None = None
    for sentence, have in zip(parts, stems, strict=True):
        if not _VALUE.search(sentence):
            continue
        shared = wanted & have
        score = sum(math.log(1 + len(parts) / sum(w in s for s in stems)) for w in shared)
        if shared and (best is None or score > best.score):
            best = Stated(sentence, frozenset(shared), score)
    return best


def values(text: str) -> set[str]:
    """The numbers a text states, as written less thousands commas ("1,174" -> 1174; not the 100 of "A100")."""
    return {v.replace(",", "") for v in _VALUE.findall(text)}


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _key(m: MetricRecord) -> str:
    return m.id or f"{m.metric}|{m.surface}|{m.evidence}"


def _describe(m: MetricRecord) -> tuple[frozenset[str], frozenset[str]]:
    """A number's own words (its metric phrase and what its unit measures: "64.47 FPS" is a frame rate), and
    those with the words near it."""
    own = frozenset(words(m.metric) | words(unit_table().named(m.unit)))
    return own, frozenset(words(window(m))) | own


@dataclass
class QuantityIndex:
    """The describing words of every stored number, and each word's rarity among numbers."""

    phrase: dict[str, frozenset[str]] = field(default_factory=dict)
    near: dict[str, frozenset[str]] = field(default_factory=dict)
    df: Counter[str] = field(default_factory=Counter)
    size: int = 0

    @classmethod
    def build(cls, hits: Iterable[MetricHit]) -> QuantityIndex:
        index = cls()
        for h in hits:
            index._add(h.metric)
        return index

    def _add(self, m: MetricRecord) -> str:
        key = _key(m)
        if key not in self.phrase:
            self.phrase[key], self.near[key] = _describe(m)
            self.df.update(self.near[key])
            self.size += 1
        return key

    def idf(self, word: str) -> float:
        """Rarity among the numbers; 0 for a word no number's words hold (it says nothing about numbers)."""
        n = self.df.get(word, 0)
        return math.log((self.size + 1) / n) if n else 0.0

    def _words(self, m: MetricRecord) -> tuple[frozenset[str], frozenset[str]]:
        """A number's own phrase words and the words near it (a number stored after the index was built is
        read on the spot, without changing the rarities)."""
        key = _key(m)
        own, near = self.phrase.get(key), self.near.get(key)
        if own is None or near is None:
            return _describe(m)
        return own, near

    def matches(self, m: MetricRecord, asked: Iterable[str]) -> set[str]:
        """The question's words a number's words hold."""
        return set(asked) & self._words(m)[1]

    def score(self, m: MetricRecord, asked: Iterable[str]) -> float:
        """How well a number's words match the quantity words of a question."""
        own, near = self._words(m)
        return sum(self.idf(w) * (PHRASE_WEIGHT if w in own else 1.0) for w in asked if w in near)

    def about(self, hits: Sequence[MetricHit], asked: set[str]) -> list[tuple[MetricHit, float]]:
        """The numbers about the quantity asked: those scoring near the best (none when nothing matches)."""
        scored = [(h, self.score(h.metric, asked)) for h in hits]
        best = max((s for _, s in scored), default=0.0)
        if best <= 0:
            return []
        return [(h, s) for h, s in scored if s >= NEAR_BEST * best]


__all__ = [
    "NEAR_BEST",
    "RELATIVE",
    "Quantity",
    "QuantityIndex",
    "Stated",
    "UnitTable",
    "asks_number",
    "parse_units",
    "quantity_phrase",
    "stated_numbers",
    "unit_table",
    "values",
    "window",
    "words",
]
