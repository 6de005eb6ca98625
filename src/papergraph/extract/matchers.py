"""Rule rows run by spaCy's own matchers.

Phrase rows go to two ``PhraseMatcher`` s: one on ``NORM`` (lower case, dashes and quotes unified) for rows that
match in any letter case, one on ``ORTH`` for rows marked ``"case": true``. Token-pattern rows go to a
``Matcher``. Patterns are tokenized by the same pipeline as the text, so spaCy's tokens are the only
tokenization. Spelling variants are generated, not listed: a phrase also matches with any mix of hyphens and
spaces between its words ("key-value cache" = "key value cache"), and with a plural last word ("Jetson Nanos",
"A100s"); a possessive "'s" is a token of its own anyway. Overlaps resolve leftmost-longest.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from papergraph.extract.rules import Rule
from papergraph.extract.spans import leftmost_longest
from papergraph.extract.text import doc_text, token_offsets

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Hit:
    """A matched rule: character offsets in the field, token offsets, the rows it stands for, the text."""

    start: int
    end: int
    rules: tuple[Rule, ...]
    text: str
    i: int = 0
    j: int = 0

    @property
    def label(self) -> str:
        return self.rules[0].label


_SEPARATOR = re.compile(r"(?<=[^\s-])([ -])(?=[^\s-])")
_MAX_MIXED = 4  # separators up to which every mix of hyphens and spaces is generated (2**4 forms)


def spelling_variants(pattern: str, plural: bool = True) -> list[str]:
    """The written forms a phrase row stands for: every mix of hyphens and spaces between its words
    ("key-value cache" = "key value cache" = "key-value-cache"), each also with a plural last word."""
    parts = _SEPARATOR.split(pattern)
    words, seps = parts[0::2], parts[1::2]
    if len(seps) <= _MAX_MIXED:
        mixes = [list(m) for m in itertools.product(" -", repeat=len(seps))]
    else:
        mixes = [[" "] * len(seps), ["-"] * len(seps)]
    joined = ["".join(w + s for w, s in zip(words, [*mix, ""], strict=True)) for mix in mixes]
    forms = dict.fromkeys([pattern, *joined])
    if plural:
        for form in list(forms):
            last = form.rsplit(" ", 1)[-1]
            if last[-1:].isalnum() and not last.endswith("s"):
                forms[form + ("es" if last.endswith(("x", "ch", "sh")) else "s")] = None
            if len(last) > 3 and last.endswith("y") and last[-2:-1] not in "aeiou" and last.islower():
                forms[form[:-1] + "ies"] = None
    return [f for f in forms if f.strip()]


_PRIORITY = {"HARDWARE": 0, "DATASET": 1, "SYSTEM": 2, "TECHNIQUE": 3, "IGNORE": 4}


def resolve_overlaps(hits: Iterable[Hit]) -> list[Hit]:
    """Greedy leftmost-longest selection; on equal spans the higher-priority label wins (IGNORE last)."""
    return leftmost_longest(hits, lambda h: (h.start, h.end), lambda h: _PRIORITY.get(h.label, 9))


class RuleMatcher:
    """Phrase and token-pattern rows compiled into spaCy matchers; :meth:`find` returns resolved hits."""

    def __init__(
        self, nlp: Language, rules: Iterable[Rule], *, plural: bool = True, glued_tail: str = r"(?:[0-9][A-Za-z0-9.]*)"
    ) -> None:
        rules = list(rules)
        self.vocab = nlp.vocab
        self._phrases = {
            False: PhraseMatcher(nlp.vocab, attr="NORM"),
            True: PhraseMatcher(nlp.vocab, attr="ORTH"),
        }
        self._tokens = Matcher(nlp.vocab)
        self._rules: dict[int, tuple[Rule, ...]] = {}
        grouped: dict[tuple[bool, str], list[Rule]] = {}
        token_rules: list[Rule] = []
        for rule in rules:
            if isinstance(rule.pattern, str):
                case = bool(rule.get("case", False))
                grouped.setdefault((case, _key(rule.pattern, case)), []).append(rule)
            else:
                token_rules.append(rule)
        for (case, key), group in grouped.items():
            name = f"{int(case)}:{key}"
            self._phrases[case].add(name, _phrase_docs(nlp, group, case=case, plural=plural))
            self._rules[self.vocab.strings.add(name)] = tuple(group)
        self._one_token = _OneTokenTests([r for r in token_rules if _single_regex(r) is not None], rules, glued_tail)
        token_rules = [r for r in token_rules if _single_regex(r) is None]
        for n, rule in enumerate(token_rules):
            name = f"tok:{n}:{rule.id}"
            self._tokens.add(name, [list(rule.pattern)])  # type: ignore[arg-type]
            self._rules[self.vocab.strings.add(name)] = (rule,)
        logger.debug("rule matcher: %d phrase keys, %d token patterns", len(grouped), len(token_rules))

    def candidates(self, doc: Doc) -> list[Hit]:
        """Every match, overlapping ones included, with context rules applied."""
        found: list[tuple[int, int, int]] = []
        for phrases in self._phrases.values():
            if len(phrases):
                found.extend(phrases(doc))
        if len(self._tokens):
            found.extend(self._tokens(doc))
        hits: list[Hit] = []
        for i, rules, glued in self._one_token.matches(doc):
            if glued is not None:
                hits.append(glued)
            elif _keep(rules, doc, i, i + 1):
                start, end, _ = token_offsets(doc)[i]
                hits.append(Hit(start, end, _keep(rules, doc, i, i + 1), doc_text(doc)[start:end], i, i + 1))
        for match_id, i, j in found:
            rules = self._rules[match_id]
            kept = _keep(rules, doc, i, j)
            if not kept:
                continue
            keep = kept[0].get("keep")
            if keep:
                i = max(i, j - int(keep))
            span = doc[i:j]
            hits.append(Hit(span.start_char, span.end_char, kept, span.text, i, j))
        return hits

    def find(self, doc: Doc) -> list[Hit]:
        """Leftmost-longest, non-overlapping hits."""
        return resolve_overlaps(self.candidates(doc))


def _single_regex(rule: Rule) -> tuple[str, str] | None:
    """(attribute, regex) of a row whose pattern is one token tested by one regex: ``[{"TEXT": {"REGEX": ..}}]``."""
    pattern = rule.pattern
    if isinstance(pattern, str) or len(pattern) != 1 or len(pattern[0]) != 1:
        return None
    ((attr, test),) = pattern[0].items()
    if attr in ("TEXT", "ORTH", "LOWER", "NORM") and isinstance(test, dict) and set(test) == {"REGEX"}:
        return ("TEXT" if attr == "ORTH" else attr), str(test["REGEX"])
    return None


class _OneTokenTests:
    """Rows tested on one token at a time, once per distinct word (cached), not once per token as spaCy's
    Matcher would test a ``REGEX`` predicate:

    * one-token regex rows (``[{"TEXT": {"REGEX": ...}}]``), e.g. model-code shapes;
    * rows marked ``suffix`` or ``glued`` (a name that may carry a version, size or model code) written glued to
      it in one token ("Qwen2.5", "LLaMA2", "RTX4090", "HBM3e"): the hit covers the head; the caller reads the
      tail.
    """

    _LIMIT = 200_000

    def __init__(self, regex_rules: list[Rule], rules: list[Rule], glued_tail: str) -> None:
        self.regexes: list[tuple[str, re.Pattern[str], Rule]] = []
        for rule in regex_rules:
            attr, regex = _single_regex(rule)  # type: ignore[misc]
            self.regexes.append((attr, re.compile(regex), rule))
        self.tail = re.compile(glued_tail)
        self.heads: dict[bool, dict[str, tuple[Rule, ...]]] = {True: {}, False: {}}
        for rule in rules:
            pattern = rule.pattern
            glued = rule.get("suffix") or rule.get("glued")
            if glued and isinstance(pattern, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", pattern):
                case = bool(rule.get("case", False))
                key = pattern if case else pattern.lower()
                self.heads[case][key] = (*self.heads[case].get(key, ()), rule)
        self._cache: dict[str, tuple[tuple[Rule, ...], tuple[int, tuple[Rule, ...]] | None]] = {}

    def matches(self, doc: Doc) -> list[tuple[int, tuple[Rule, ...], Hit | None]]:
        """(token index, regex rows matching it, glued-head hit) for every token something matches."""
        if not self.regexes and not any(self.heads.values()):
            return []
        text = doc_text(doc)
        out: list[tuple[int, tuple[Rule, ...], Hit | None]] = []
        for i, (start, end, _) in enumerate(token_offsets(doc)):
            word = text[start:end]
            rules, glued = self._test(word)
            if rules:
                out.append((i, rules, None))
            if glued is not None:
                size, heads = glued
                out.append((i, (), Hit(start, start + size, heads, word[:size], i, i + 1)))
        return out

    def _test(self, word: str) -> tuple[tuple[Rule, ...], tuple[int, tuple[Rule, ...]] | None]:
        cached = self._cache.get(word)
        if cached is None:
            if len(self._cache) > self._LIMIT:
                self._cache.clear()
            lower = word.lower()
            rules = tuple(r for attr, rx, r in self.regexes if rx.search(lower if attr in ("LOWER", "NORM") else word))
            cached = self._cache[word] = (rules, self._glued(word))
        return cached

    def _glued(self, word: str) -> tuple[int, tuple[Rule, ...]] | None:
        for case, heads in self.heads.items():
            probe = word if case else word.lower()
            for size in range(len(probe) - 1, 0, -1):
                rules = heads.get(probe[:size])
                if rules and self.tail.fullmatch(probe[size:]):
                    return size, rules
        return None


def _phrase_docs(nlp: Language, group: list[Rule], *, case: bool, plural: bool) -> list[Doc]:
    """The token sequences a group of rows with one key matches: every spelling variant of every row and, where
    case does not matter, its lower- and upper-case forms too, because the tokenizer may split a word
    differently by case ("ImageNet-1K" is ImageNet - 1 K, "imagenet-1k" is imagenet - 1k)."""
    docs: dict[tuple[str, ...], Doc] = {}
    for rule in group:
        for form in spelling_variants(str(rule.pattern), plural):
            for written in (form,) if case else (form, form.lower(), form.upper()):
                doc = nlp.make_doc(written)
                docs.setdefault(tuple(t.orth_ if case else t.norm_ for t in doc), doc)
    return list(docs.values())


def _keep(rules: tuple[Rule, ...], doc: Doc, i: int, j: int) -> tuple[Rule, ...]:
    return tuple(r for r in rules if _context_ok(r, doc, i, j))


def _key(pattern: str, case: bool) -> str:
    text = pattern if case else pattern.lower()
    for dash in "\u2010\u2011\u2012\u2013\u2014\u2212":
        text = text.replace(dash, "-")
    return " ".join(text.replace("-", " ").split())


def _alnum_words(doc: Doc, start: int, stop: int, step: int, limit: int) -> list[str]:
    out: list[str] = []
    k = start
    while 0 <= k < len(doc) and k != stop and len(out) < limit:
        tok = doc[k]
        if any(c.isalnum() for c in tok.text):
            out.append(tok.lower_)
        k += step
    return out


def _context_ok(rule: Rule, doc: Doc, i: int, j: int) -> bool:
    """A row's ``not_next`` and ``context`` conditions, read on the words around tokens ``i:j``."""
    not_next: Sequence[str] | None = rule.get("not_next")
    if not_next:
        following = _alnum_words(doc, j, len(doc), 1, 1)
        if following and following[0] in {w.lower() for w in not_next}:
            return False
    context: Sequence[str] | None = rule.get("context")
    if not context:
        return True
    window = int(rule.get("window", 3))
    side = rule.get("side", "both")
    wanted = {w.lower() for w in context}
    near: list[str] = []
    if side in ("both", "before"):
        near += _alnum_words(doc, i - 1, -1, -1, window)
    if side in ("both", "after"):
        near += _alnum_words(doc, j, len(doc), 1, window)
    return any(w in wanted for w in near)
