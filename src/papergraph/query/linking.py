"""Entity linking that tolerates people: the question's words tied to the graph's vocabulary.

Three passes over the question's words, each on what the previous left:

1. exact: the longest phrases that are keys of the vocabulary (names, aliases, families, vendors, types;
   case, hyphens and plurals aside);
2. corrected: a word the corpus never uses, alone or with its neighbours, within an edit distance that grows
   with its length (optimal string alignment, so a swap of two letters is one edit) of an entity key;
   acronyms and short words are never corrected;
3. abbreviations: an acronym the corpus defines ("NAS" -> neural architecture search) linked by its long form.

Words no pass links may still be misspellings of ordinary corpus words: those are corrected for the
similarity search only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rapidfuzz import process
from rapidfuzz.distance import OSA

from papergraph.models import EntityType
from papergraph.query.plan import Level, MatchKind
from papergraph.query.vocabulary import WORD, Sense, Vocabulary, norm, stem_key

_NAME = re.compile(r"^[A-Z][a-z]{2,}$")  # a capitalised word (acronyms and codes are left to the other passes)
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*$")
_WORDISH = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_JOINING_GAP = re.compile(r"^[\s-]*$")
_LEVEL_ORDER = (Level.FAMILY, Level.MODEL, Level.VENDOR, Level.TYPE)
MIN_CORRECTED = 5
"""Shortest word a misspelling correction touches (shorter ones are too often acronyms or other words)."""


def allowed_edits(length: int) -> int:
    """Edits tolerated in a word or phrase of this many characters: none up to 4, then 1, 2 from 12, 3 from 20.

    An edit is an insertion, a deletion, a substitution or a swap of neighbours (people's typos); a word that
    is off by more is more often another word ("recycling" is not "ReCycle", "watching" not "caching").
    """
    if length < MIN_CORRECTED:
        return 0
    return 1 if length < 12 else 2 if length < 20 else 3


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def folded(self) -> str:
        return self.text.casefold()


_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9+.#_'’]*[A-Za-z0-9+#])?")


def tokenize(text: str) -> list[Token]:
    """Words and numbers; hyphenated words are split ("TPU-like" -> TPU, like), phrases join them back."""
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


@dataclass
class Link:
    """Words of the question tied to one or more senses (several: the same key names several nodes)."""

    first: int  # token indices [first, last)
    last: int
    start: int  # character offsets
    end: int
    words: str
    senses: list[Sense]
    match: MatchKind
    original: str | None = None  # the words as typed, when corrected or expanded


@dataclass
class Linked:
    links: list[Link] = field(default_factory=list)
    spelling: list[tuple[str, str]] = field(default_factory=list)  # (typed, corrected) ordinary words
    # misspelled corpus words inside a name corrected as a whole ("enegry use" -> energy efficiency): read as the
    # word first ("energy use"), the name may link exactly, as in the clean question
    inside: list[tuple[str, str]] = field(default_factory=list)


def resolve(senses: Sequence[Sense]) -> list[Sense]:
    """The senses a key stands for: in-graph before unknown, own names before aliases, broadest level kept.

    A key that is both a node and a family ("quantization") is the family (it includes the node); several
    models under one key ("Jetson Orin" for two boards) are all kept, as alternatives.
    """
    pool = [s for s in senses if s.in_graph] or list(senses)
    pool = [s for s in pool if not s.alias] or pool
    types = sorted({s.type for s in pool}, key=lambda t: t.value)
    out: list[Sense] = []
    for type_ in types:
        of_type = [s for s in pool if s.type is type_]
        level = next(lv for lv in _LEVEL_ORDER if any(s.level is lv for s in of_type))
        out += [s for s in dict.fromkeys(of_type) if s.level is level]
    return list(dict.fromkeys(_plain(s) for s in out))


def _plain(sense: Sense) -> Sense:
    """A sense without how it was reached, so aliases and own names of one thing compare equal."""
    return replace(sense, alias=False)


class Linker:
    def __init__(
        self,
        vocab: Vocabulary,
        stopwords: frozenset[str],
        coordination: re.Pattern[str] | None = None,
        question_words: frozenset[str] = frozenset(),
    ) -> None:
        self.vocab = vocab
        self.stopwords = stopwords  # never at the edge of a linked phrase
        self.question_words = question_words  # never linked alone, never corrected
        self.coordination = coordination
        self._word_list: list[str] | None = None
        self._asking_list: list[str] | None = None

    def link(self, text: str, tokens: Sequence[Token], blocked: set[int]) -> Linked:
        taken = set(blocked)
        out = Linked()
        for pass_ in (self._coordinated, self._exact, self._corrected, self._abbreviations):
            for link in pass_(text, tokens, taken):
                out.links.append(link)
                taken.update(range(link.first, link.last))
        out.links += self._unknown_names(text, tokens, taken, out.links)
        out.links.sort(key=lambda lk: lk.first)
        out.spelling = self._ordinary_words(tokens, taken)
        corrected = {i for lk in out.links if lk.match is MatchKind.CORRECTED for i in range(lk.first, lk.last)}
        out.inside = self._ordinary_words(tokens, set(range(len(tokens))) - corrected)
        return out

    # --- passes ---------------------------------------------------------------------------------------
    def _windows(self, text: str, tokens: Sequence[Token], taken: set[int], i: int, longest: int) -> list[int]:
        """Lengths of the joined, free token runs starting at ``i``, longest first."""
        sizes = []
        for size in range(1, longest + 1):
            j = i + size - 1
            if j >= len(tokens) or j in taken:
                break
            if size > 1 and not _JOINING_GAP.match(text[tokens[j - 1].end : tokens[j].start]):
                break
            sizes.append(size)
        return sizes[::-1]

    def _linkable(self, window: Sequence[Token]) -> bool:
        edges = (window[0].folded, window[-1].folded)
        if len(window) == 1 and (len(window[0].text) < 2 or window[0].folded in self.question_words):
            return False
        return not any(w in self.stopwords for w in edges)

    def _coordinated(self, text: str, tokens: Sequence[Token], taken: set[int]) -> list[Link]:
        """'binary or ternary neural networks': the first term read with the shared head ("binary neural networks")."""
        if self.coordination is None:
            return []
        links = []
        for m in self.coordination.finditer(text):
            first = [i for i, t in enumerate(tokens) if m.start("first") <= t.start < m.end("first")]
            if not first or any(i in taken for i in first):
                continue
            head = tokenize(m.group("head"))
            for size in range(len(head), 0, -1):
                words = [tokens[i].text for i in first] + [t.text for t in head[:size]]
                senses = self.vocab.lookup(words)
                if senses:
                    link = _link(text, tokens, first[0], first[-1] + 1, resolve(senses), MatchKind.EXACT)
                    link.original = link.words
                    link.words = " ".join(words)
                    links.append(link)
                    break
        return links

    def _exact(self, text: str, tokens: Sequence[Token], taken: set[int]) -> list[Link]:
        links = []
        i = 0
        while i < len(tokens):
            found = None
            for size in self._windows(text, tokens, taken, i, self.vocab.max_words):
                window = tokens[i : i + size]
                if not self._linkable(window):
                    continue
                words = [t.text for t in window]
                senses = self.vocab.lookup(words, sentence_start=i == 0)
                kind = MatchKind.ALIAS if all(s.alias for s in senses) else MatchKind.EXACT
                if not senses:
                    senses, kind = self.vocab.lookup_stem(words), MatchKind.INFLECTION
                if not senses:
                    continue
                link = _link(text, tokens, i, i + size, resolve(senses), kind)
                if any(s.in_graph for s in senses):
                    found = link
                    break
                found = found or link  # named, but no paper: a shorter phrase may name something that has papers
            if found is None:
                i += 1
            else:
                links.append(found)
                i = found.last
        return links

    def _misspelled(self, token: Token) -> bool:
        """A word the corpus never uses, long enough to correct (short words and acronyms never are)."""
        word = token.text
        return (
            len(word) >= MIN_CORRECTED
            and _WORDISH.fullmatch(word) is not None
            and sum(c.isalpha() for c in word) >= MIN_CORRECTED - 1
            and token.folded not in self.stopwords
            and token.folded not in self.question_words
            and not self.vocab.is_word(word)
        )

    def _swapped_short(self, token: Token) -> bool:
        """A four-letter lower-case word the corpus never uses ("tset"): corrected only if two letters swapped."""
        word = token.text
        return (
            len(word) == MIN_CORRECTED - 1
            and word.isalpha()
            and word.islower()
            and token.folded not in self.stopwords
            and token.folded not in self.question_words
            and not self.vocab.is_word(word)
        )

    def _asking_word(self, folded: str, distance: int, corrected: str) -> bool:
        """A misspelled word of asking ("modles" for models, not modules): at least as close as the entity name
        it would be corrected to, the longer common beginning deciding a tie (typos rarely hit the first letters)."""
        hit = process.extractOne(folded, self._asking(), scorer=OSA.distance, score_cutoff=distance)
        if hit is None:
            return False
        return (int(hit[1]), -_prefix(folded, str(hit[0]))) <= (distance, -_prefix(folded, corrected))

    def _asking(self) -> list[str]:
        if self._asking_list is None:
            self._asking_list = sorted(w for w in self.stopwords | self.question_words if len(w) >= 4)
        return self._asking_list

    def _corrected(self, text: str, tokens: Sequence[Token], taken: set[int]) -> list[Link]:
        links: list[Link] = []
        for c, token in enumerate(tokens):
            if c in taken or not self._misspelled(token) or any(lk.first <= c < lk.last for lk in links):
                continue
            best: tuple[int, int, int, str, bool] | None = None  # (distance, -size, first, key, stemmed)
            for first in range(max(0, c - 2), c + 1):
                for size in self._windows(text, tokens, taken, first, 3):
                    window = tokens[first : first + size]
                    if first + size <= c or not self._linkable(window):
                        continue
                    typed = norm([t.text for t in window])
                    for stems, form in ((False, typed), (True, stem_key(typed.split()))):
                        hit = _closest(form, self.vocab.fuzzy_keys(size, stems))
                        if hit is not None:
                            candidate = (hit[1], -size, first, hit[0], stems)
                            best = candidate if best is None or candidate < best else best
            if best is not None and not (best[1] == -1 and self._asking_word(token.folded, best[0], best[3])):
                _distance, neg_size, first, corrected, stemmed = best
                link = _link(
                    text,
                    tokens,
                    first,
                    first - neg_size,
                    resolve(self.vocab.senses_of(corrected, stemmed)),
                    MatchKind.CORRECTED,
                )
                link.original = link.words
                link.words = corrected
                links.append(link)
                taken.update(range(link.first, link.last))
        return links

    def _abbreviations(self, text: str, tokens: Sequence[Token], taken: set[int]) -> list[Link]:
        links = []
        for i, token in enumerate(tokens):
            if i in taken or not _ACRONYM.match(token.text.rstrip("s")) or len(token.text) > 10:
                continue
            long_form = self.vocab.abbreviation(token.text)
            senses = self.vocab.lookup(WORD.findall(long_form)) if long_form else []
            if long_form and senses:
                link = _link(text, tokens, i, i + 1, resolve(senses), MatchKind.ABBREVIATION)
                link.original = token.text
                link.words = long_form
                links.append(link)
        return links

    def _unknown_names(self, text: str, tokens: Sequence[Token], taken: set[int], links: Sequence[Link]) -> list[Link]:
        """Proper names the corpus never uses ("Aurora", "Argonne"): capitalised words inside the question, no
        word of the corpus nor a slip of one. Named, but in no paper: a question about them is not answered
        with near misses. Typed as hardware before a hardware word ("the Aurora supercomputer"), else a system."""
        hardware_at = {lk.first for lk in links if lk.senses and lk.senses[0].type is EntityType.HARDWARE}
        out = []
        for i, token in enumerate(tokens):
            word = token.text
            if i == 0 or i in taken or not _NAME.match(word) or self.vocab.is_word(word):
                continue
            if token.folded in self.stopwords or token.folded in self.question_words or self._near_word(token):
                continue
            if text[max(0, token.start - 2) : token.start].strip() in (".", "?", "!", ":"):
                continue  # a sentence's first word
            if text[token.start - 1 : token.start] == "-" or text[token.end : token.end + 1] == "-":
                continue  # part of a compound name ("ZeRO-Infinty"): the other passes read it
            type_ = EntityType.HARDWARE if i + 1 in hardware_at else EntityType.SYSTEM
            sense = Sense(type_, Level.MODEL, word, in_graph=False)
            out.append(_link(text, tokens, i, i + 1, [sense], MatchKind.UNSEEN))
            taken.add(i)
        return out

    def _near_word(self, token: Token) -> bool:
        """A slip of a corpus word ("Aple" for Apple): one edit away from a word the corpus uses."""
        hit = process.extractOne(token.folded, self._words(), scorer=OSA.distance, score_cutoff=1)
        return hit is not None

    def _ordinary_words(self, tokens: Sequence[Token], taken: set[int]) -> list[tuple[str, str]]:
        """Misspelled ordinary words, corrected to a word the corpus uses at least twice (for the search)."""
        out = []
        for i, token in enumerate(tokens):
            if i in taken or not (self._misspelled(token) or self._swapped_short(token)):
                continue
            word = _nearest_word(token.folded, self._words())
            if word is not None:
                out.append((token.text, word))
        return out

    def _words(self) -> list[str]:
        if self._word_list is None:
            self._word_list = sorted(w for w, n in self.vocab.words.items() if n >= 2 and len(w) >= 4 and w.isalpha())
        return self._word_list


def _closest(typed: str, keys: Sequence[str]) -> tuple[str, int] | None:
    """The key a misspelling stands for: fewest edits, keeping the first letter; a slip ("NVDIA" -> nvidia, a
    letter dropped) before a replaced letter (nvdla) at the same distance."""
    hits = process.extract(typed, keys, scorer=OSA.distance, score_cutoff=allowed_edits(len(typed)), limit=None)
    ranked = sorted(
        (int(distance), not _slip(typed, str(k)), str(k)) for k, distance, _ in hits if _same_start(typed, str(k))
    )
    return (ranked[0][2], ranked[0][0]) if ranked else None


def _nearest_word(typed: str, words: Sequence[str]) -> str | None:
    """The corpus word a misspelled ordinary word stands for: fewest edits among the slips that keep the first
    letter ("scalling" is scaling, not calling); a short word only by two letters swapped ("tset" -> test)."""
    if len(typed) < MIN_CORRECTED:
        hits = process.extract(typed, words, scorer=OSA.distance, score_cutoff=1, limit=None)
        swaps = sorted(str(k) for k, _, _ in hits if len(k) == len(typed) and sorted(k) == sorted(typed))
        return swaps[0] if len(swaps) == 1 and _same_start(typed, swaps[0]) else None
    hits = process.extract(typed, words, scorer=OSA.distance, score_cutoff=allowed_edits(len(typed)), limit=None)
    ranked = sorted((int(d), str(k)) for k, d, _ in hits if _same_start(typed, str(k)) and _slip(typed, str(k)))
    return ranked[0][1] if ranked else None


def _slip(typed: str, word: str) -> bool:
    """A letter missing, doubled or swapped ("effcient", "inferrence", "teh"), not a letter replaced: a word
    one letter off another ("contest", "teams") is usually a different word the corpus happens to lack."""
    return len(typed) != len(word) or sorted(typed) == sorted(word)


def _same_start(typed: str, word: str) -> bool:
    """Typos rarely hit the first letter: a correction keeps it ("catch" is not a misspelled "batch")."""
    return typed[:1].casefold() == word[:1].casefold()


def _prefix(a: str, b: str) -> int:
    """Length of the common beginning of two words."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _link(text: str, tokens: Sequence[Token], first: int, last: int, senses: list[Sense], kind: MatchKind) -> Link:
    start, end = tokens[first].start, tokens[last - 1].end
    return Link(first, last, start, end, text[start:end], senses, kind)


__all__ = ["Link", "Linked", "Linker", "Token", "allowed_edits", "resolve", "tokenize"]
