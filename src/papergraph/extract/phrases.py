"""Phrase matching of many rule patterns at once: one trie-shaped regex per case mode.

A gazetteer of a few thousand aliases is compiled into a single regular expression whose alternatives share
their prefixes (a trie), so a scan of an abstract costs about as much as one small regex, not one per alias.
Matching runs on a folded copy of the text (:func:`~papergraph.extract.text.fold`) where hyphens equal
spaces, so "edge-cloud", "edge cloud" and "edge–cloud" are one alias; the copy has the text's length, so
offsets are those of the original. Leftmost-longest matches win; rows may require context words nearby.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from papergraph.extract.rules import Rule
from papergraph.extract.text import fold, fold_case_sensitive

_WORDS = re.compile(r"[^\W_]+")
_SPACES = re.compile(r" +")


@dataclass(frozen=True, slots=True)
class Hit:
    """A matched alias: offsets in the field, the rows it stands for, and the matched (raw) text."""

    start: int
    end: int
    rules: tuple[Rule, ...]
    text: str

    @property
    def label(self) -> str:
        return self.rules[0].label


def _key(pattern: str, case: bool) -> str:
    folded = fold_case_sensitive(pattern) if case else fold(pattern)
    return _SPACES.sub(" ", folded.strip())


def _trie_regex(keys: Iterable[str]) -> str:
    """A regex alternation of ``keys`` factored as a trie (greedy: longer keys are tried first)."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:  # type: ignore[type-arg]
        alts = [(" +" if ch == " " else re.escape(ch)) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class PhraseIndex:
    """String-pattern rules compiled into case-sensitive and case-insensitive trie regexes.

    ``suffix`` is the optional tail a match may carry (plural ``s``, possessive ``'s``); ``right`` is the
    character class that must not follow a match (by default any word character, so "A100" does not match
    inside "A1000").
    """

    def __init__(
        self,
        rules: Iterable[Rule],
        *,
        suffix: str = r"(?:'s|s)?",
        right: str = r"\w",
    ) -> None:
        self._by_key: dict[tuple[bool, str], list[Rule]] = {}
        for rule in rules:
            if not isinstance(rule.pattern, str):
                continue
            case = bool(rule.get("case", False))
            self._by_key.setdefault((case, _key(rule.pattern, case)), []).append(rule)
        self._regex: dict[bool, re.Pattern[str] | None] = {}
        for case in (False, True):
            keys = sorted({k for c, k in self._by_key if c is case})
            if not keys:
                self._regex[case] = None
                continue
            pattern = rf"(?<!\w)({_trie_regex(keys)}){suffix}(?!{right})"
            self._regex[case] = re.compile(pattern)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_key.values())

    def find(self, text: str, folded: str | None = None, folded_cs: str | None = None) -> list[Hit]:
        """Leftmost-longest, non-overlapping hits in ``text`` (context rules applied)."""
        candidates: list[Hit] = []
        for case in (False, True):
            regex = self._regex[case]
            if regex is None:
                continue
            haystack = (
                (folded_cs if folded_cs is not None else fold_case_sensitive(text))
                if case
                else (folded if folded is not None else fold(text))
            )
            for m in regex.finditer(haystack):
                key = _SPACES.sub(" ", m.group(1))
                rules = self._by_key.get((case, key))
                if not rules:
                    continue
                kept = tuple(r for r in rules if _context_ok(r, haystack, m.start(), m.end()))
                if kept:
                    candidates.append(Hit(m.start(), m.end(), kept, text[m.start() : m.end()]))
        return resolve_overlaps(candidates)


_PRIORITY = {"HARDWARE": 0, "DATASET": 1, "SYSTEM": 2, "TECHNIQUE": 3, "IGNORE": 4}


def resolve_overlaps(hits: list[Hit]) -> list[Hit]:
    """Greedy leftmost-longest selection; on equal spans the higher-priority label wins (IGNORE last)."""
    hits.sort(key=lambda h: (h.start, -(h.end - h.start), _PRIORITY.get(h.label, 9)))
    out: list[Hit] = []
    last_end = -1
    for hit in hits:
        if hit.start >= last_end:
            out.append(hit)
            last_end = hit.end
    return out


def _context_ok(rule: Rule, haystack: str, start: int, end: int) -> bool:
    not_next = rule.get("not_next")
    if not_next:
        following = _WORDS.findall(haystack, end, min(len(haystack), end + 40))
        if following and following[0].lower() in {w.lower() for w in not_next}:
            return False
    context = rule.get("context")
    if not context:
        return True
    window = int(rule.get("window", 3))
    side = rule.get("side", "both")
    wanted = {fold(w) for w in context}
    near: list[str] = []
    if side in ("both", "before"):
        near += _WORDS.findall(haystack, max(0, start - 12 * window), start)[-window:]
    if side in ("both", "after"):
        near += _WORDS.findall(haystack, end, min(len(haystack), end + 12 * window))[:window]
    return any(w.lower() in wanted for w in near)
