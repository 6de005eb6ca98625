"""Question -> :class:`~papergraph.query.plan.QueryPlan`: the question rules (data) and entity linking.

The steps, each small and pure:

1. paper filters (years, authors) and the metric the question asks about, from the rules;
2. entity linking (:mod:`papergraph.query.linking`), then composition of adjacent references
   (:mod:`papergraph.query.references`): "AMD" + "GPUs" is one reference: AMD-made GPUs; "Jetson" + "boards"
   is the Jetson family, the type word being its head;
3. what a top-N or co-occurrence question counts (its target);
4. the intent: the first intent rule that matches and whose needs the references meet;
5. roles: which references filter, which only rank (examples, "TPU-like", an alternative that is not in the
   graph, everything in a semantic question), which are compared or counted;
6. what is left: topics, content words that matched nothing (reported as ignored), the N of a top-N question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

from papergraph.graph.query import GroupBy, NodeMatch
from papergraph.models import EntityType
from papergraph.query.authors import author_named, authors_matching
from papergraph.query.intents import IntentClassifier, intent_classifier
from papergraph.query.linking import Link, Linked, Linker, Token, tokenize
from papergraph.query.narrowing import modified_phrases
from papergraph.query.plan import (
    ConstraintGroup,
    Correction,
    EntityRef,
    Intent,
    IntentReading,
    Level,
    MatchKind,
    MetricAsk,
    PaperFilters,
    QueryPlan,
    Role,
    Target,
)
from papergraph.query.quantities import quantity_phrase
from papergraph.query.references import adjacent, entity_ref, lists_examples, merged_ref, parenthesised
from papergraph.query.respelling import Respelled, respelled, search_text, within
from papergraph.query.rules import QuestionRules
from papergraph.query.scope import papers_phrase
from papergraph.query.subject import LINKING_WORDS, Part, example, subject
from papergraph.query.textindex import TextIndex
from papergraph.query.vocabulary import Vocabulary

_EXCEPTION_GAP = 5  # words between a reference and the exception taken out of it ("accelerators other than")
_OWNER = re.compile(r"['’]s$")
_AND_GAP = re.compile(r"^\s*(,\s*)?and\s*$", re.IGNORECASE)
_INFLECTIONS = ("s", "es", "d", "ed", "ing")
_LAST_WORD = re.compile(r"([\w][\w-]*)\s+$")
_WHICH = re.compile(r"^\W*(which|what|list|name|top|show)\b", re.IGNORECASE)
_CLAUSE_WHICH = re.compile(r"^[^,:;?]{1,80}[,:;]\s*(which|what)\b", re.IGNORECASE)
_AXIS_ORDER = (EntityType.SYSTEM, EntityType.HARDWARE, EntityType.TECHNIQUE, EntityType.DATASET)
QUALIFIER_WORDS = 2  # words before a counted class read as its qualifier ("deep learning frameworks")
DEFAULT_TOP = 10
NAMING_TAGS = frozenset({"NOUN", "PROPN", "ADJ", "X", "NUM"})  # words a subject phrase is made of (no verbs)
_OR_GAP = re.compile(r"\s*(,\s*)?(or|and/or|/)\s*((a|an|the)\s+)?([a-z]+\s*-\s*)?", re.IGNORECASE)  # "X or in-memory Y"
Tagger = Callable[[str], dict[int, str]]  # text -> universal part of speech by character offset of each word
_ASKING = re.compile(
    r"\?\s*$|^\W*(who|what|which|when|where|why|how|is|are|do|does|did|can|could|has|have|any|list|show|find|"
    r"give|name|count|compare|tell)\b",
    re.IGNORECASE,
)
_PAPERS = re.compile(r"\b(papers?|works?|studies|articles|publications|abstracts)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_NUMBER = re.compile(r"\b\d+(\.\d+)?\b")
INTENT_MIN_SCORE = 0.2  # the examples' best score that decides a question no cue rule reads
INTENT_OVERRULE = 0.15  # how much better the examples must like another intent to overrule a cue rule
UNREAD_WORDS = 3  # content words left unread above which an unsure example-read fact is a similarity question
SURE = 0.3  # an intent the examples prefer by this margin stands on its own
STRONG_RULES = frozenset(
    {Intent.TREND, Intent.COUNT, Intent.SEMANTIC, Intent.COMPARE}
)  # "per year", "how many papers", "why"
FEW_PAPERS = 3  # a phrase this few papers have is never generic, however small the corpus
GENERIC_SHARE = 0.06  # a phrase more papers than this have is context ("deep learning"), not a subject
RARE_WORD_SHARE = 0.05  # one word of a longer phrase stands for it only when this few papers have it
ENTITY_SHARE = 0.12  # an entity more papers have than this is context, not one of a subject's several phrases
JOINABLE = frozenset(  # why a reference only ranks, when it is still one of a subject's alternatives
    {"listed in parentheses, as examples", "named as an example", "an alternative next to it is not in the graph"}
)


@dataclass
class _Ref:
    """A reference being planned: the plan's EntityRef plus why it may only rank."""

    ref: EntityRef
    rank_only: str = ""  # the reason, when set


@dataclass
class _Spans:
    """Character ranges of the question that some rule used (their words are not 'ignored')."""

    ranges: list[tuple[int, int]] = field(default_factory=list)

    def add(self, m: re.Match[str] | None) -> None:
        if m is not None:
            self.ranges.append(m.span())

    def covers(self, token: Token) -> bool:
        return any(a <= token.start and token.end <= b for a, b in self.ranges)


class _Read(NamedTuple):
    used: _Spans
    filters: PaperFilters
    metric: MetricAsk
    tokens: list[Token]
    linked: Linked


class _Cues(NamedTuple):
    """What the intent is read from: the cue rules' intent, the question, its slot form, its references, the
    metric it names and the class it ranks (with the reference that named it)."""

    ruled: Intent | None
    text: str
    form: str
    refs: Sequence[_Ref]
    metric: MetricAsk
    target: Target | None
    target_ref: _Ref | None


class Planner:
    """Reads questions against one vocabulary (one loaded graph)."""

    def __init__(
        self,
        vocab: Vocabulary,
        rules: QuestionRules,
        tagger: Tagger | None = None,
        classifier: IntentClassifier | None = None,
    ) -> None:
        self.vocab = vocab
        self.rules = rules
        self.classifier = classifier or intent_classifier()
        self.tagger = tagger  # parts of speech, for the subject phrase of a question naming no entity
        self.linker = Linker(vocab, rules.stopwords, rules.coordination, rules.question_words)

    def plan(self, question: str) -> QueryPlan:
        asked = question.strip()
        text, read, refs, spelling = self._respelled_read(asked)
        used, filters, metric, tokens, linked = read
        counted = _Spans()  # the words a ranking counts: read only if the question is a ranking
        target, target_ref = self._target(text, refs, counted, linked.spelling)
        ruled = self._intent(text, refs, metric, target, target_ref, used)
        form = _form(text, refs, used, filters, self._metric_spans(text))
        intent, reading = self._read_intent(_Cues(ruled, text, form, refs, metric, target, target_ref))
        intent, reading = _unsure_fact(intent, reading, unread=len(self._ignored(tokens, linked.links, used)))
        if intent is not Intent.TOP_N and intent is not Intent.COOCCURRENCE:
            target, target_ref = None, None
        else:
            used.ranges += counted.ranges
        groups, unknown = self._groups(intent, text, refs, target_ref)
        topics = self._topics(text, intent, groups, used, filters.any, target.words if target else "")
        groups, phrases, loose, sources = self._subject(text, intent, groups, tokens, linked.links, used)
        within = self._ranked_within(text, intent, groups, used)
        if within is not None:  # "which benchmark appears most in the test-time scaling papers"
            intent, phrases, sources = Intent.COOCCURRENCE, [within], {within: within}
        limit = self._limit(text, used)
        return QueryPlan(
            question=asked,
            intent=intent,
            groups=groups,
            filters=filters,
            metric=metric,
            target=target,
            limit=limit,
            topics=topics,
            phrases=phrases,
            loose_phrases=loose,
            phrase_words=sources,
            unknown=unknown,
            corrections=_corrections(refs, [*spelling, *linked.spelling]),
            ignored=[] if intent is Intent.SEMANTIC else self._ignored(tokens, linked.links, used),
            intent_reading=reading,
            foreign=self._foreign(tokens),
            text=search_text(text, linked.links, linked.spelling),
        )

    def _respelled_read(self, asked: str) -> tuple[str, _Read, list[_Ref], list[tuple[str, str]]]:
        """The question without its request prefix and with misspelled ordinary words respelled, its reading,
        its references (those respelled marked corrected), and the (typed, word) respellings outside them."""
        request = self.rules.request_prefix.sub("", asked, count=1)  # "Could you tell me how many ..."
        first = self._read(request)
        spelling = [*first.linked.spelling, *first.linked.inside]  # misspelled ordinary words, read first
        text, fixes = respelled(request, spelling)  # "framworks" asks like "frameworks": intent, target, metric
        read = first if text == request else self._read(text)
        refs = _marked_corrected(self._compose(text, read.linked.links), fixes)
        inside_refs = [(r.ref.start, r.ref.end) for r in refs if r.ref.match is MatchKind.CORRECTED]
        outside = [(typed, word) for a, b, typed, word in fixes if not within(a, b, inside_refs)]
        return text, read, refs, outside

    def _read(self, text: str) -> _Read:
        """Filters, metric and links of a text. Read once as asked, for its misspelled ordinary words, and
        again only when correcting them changed the text, so a typo changes nothing but the correction listed."""
        used = _Spans()
        filters = self._filters(text, used)
        metric = self._metric(text, used)
        tokens = tokenize(text)
        blocked = {i for i, t in enumerate(tokens) if used.covers(t)}
        return _Read(used, filters, metric, tokens, self.linker.link(text, tokens, blocked))

    # --- 1. filters and metric ------------------------------------------------------------------------
    def _filters(self, text: str, used: _Spans) -> PaperFilters:
        filters = PaperFilters()
        for pattern in self.rules.years:
            m = pattern.search(text)
            if m is None:
                continue
            found = {k: int(v) for k, v in m.groupdict().items() if v}
            filters.year_min = found.get("min", found.get("min2", found.get("year")))
            filters.year_max = found.get("max", found.get("year"))
            if "after" in found:
                filters.year_min = found["after"] + 1
            if "before" in found:
                filters.year_max = found["before"] - 1
            used.add(m)
            break
        for pattern in self.rules.authors:
            for m in pattern.finditer(text):
                named = m.groupdict()
                words = (named.get("author") or "").strip()
                if words and not filters.author_words:
                    if self.vocab.lookup(words.split()) and not authors_matching(words, self.vocab.authors):
                        continue  # "by NVIDIA": an entity, not an author
                    words, authors = author_named(words, self.vocab.authors, self.rules.question_words)
                    filters.author_words = words
                    filters.authors = authors
                    used.add(m)
                other = (named.get("coauthor") or "").strip()
                if other and filters.author_words and other not in filters.author_words:
                    matching = authors_matching(other, self.vocab.authors)
                    filters.coauthors += matching[:1] or [other]  # an unknown co-author: no paper has them
                    filters.author_words += f" and {other}"
                    used.add(m)
        if not filters.author_words:
            self._named_authors(text, filters, used)
        return filters

    def _named_authors(self, text: str, filters: PaperFilters, used: _Spans) -> None:
        """Authors of the corpus named in full however the question is worded ("what did Jane Roe and John Doe
        write together"): the first is the author, the others co-authors."""
        found = sorted((m.start(), m.end(), name) for name, m in self._author_mentions(text))
        if not found:
            return
        filters.authors = [found[0][2]]
        filters.coauthors += [name for _, _, name in found[1:]]
        filters.author_words = " and ".join(text[a:b] for a, b, _ in found)
        used.ranges += [(a, b) for a, b, _ in found]

    def _author_mentions(self, text: str) -> list[tuple[str, re.Match[str]]]:
        folded = text.casefold()
        out = []
        candidates = {n for w in re.findall(r"[\w.-]+", folded) for n in self.vocab.authors_by_word.get(w, ())}
        for name in sorted(candidates):  # full names only, found by their last word: a surname alone is too
            if name.casefold() not in folded:  # often another word
                continue
            m = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
            if m is not None:
                out.append((name, m))
        return out

    def _metric(self, text: str, used: _Spans) -> MetricAsk:
        kinds = []
        words = _Spans()  # metric words may also name entities ("energy efficiency"): they never block linking
        for kind, pattern in self.rules.metric_words:
            m = pattern.search(text)
            if m is not None:
                kinds.append(kind)
                words.add(m)
        best = None
        for value, pattern in self.rules.best_words:
            m = pattern.search(text)
            if m is not None:
                best = value
                words.add(m)
                break
        unit = None
        for value, pattern in self.rules.units:
            m = pattern.search(text)
            if m is not None:
                unit = value
                used.add(m)  # "GPU-days" is a unit, not a GPU
                break
        quantity = quantity_phrase(text)  # "the longest context length": a quantity no kind names
        if quantity is not None:
            words.ranges.append(quantity.span)
            best = best or quantity.best
        used.ranges += words.ranges
        return MetricAsk(kinds=kinds, best=best, unit=unit, phrase=quantity.phrase if quantity else None)

    def _metric_spans(self, text: str) -> list[tuple[int, int]]:
        """Where the question names a metric kind ("frame rate", "power draw"): a {metric} slot of its form."""
        return [m.span() for _, p in self.rules.metric_words for m in p.finditer(text)]

    # --- 2. references --------------------------------------------------------------------------------
    def _compose(self, text: str, links: Sequence[Link]) -> list[_Ref]:
        """References from links; adjacent vendor + type, name + type-head and vendor + name become one.

        What a parenthesis lists after a reference ("edge boards (Raspberry Pi, Jetson, ...)", "Xilinx (AMD)")
        restates or exemplifies it: those references only rank, and the words around the parenthesis still
        compose ("Xilinx (AMD) FPGAs" is Xilinx-made FPGAs; "Hopper-generation GPUs" the Hopper family).
        """
        inside = parenthesised(text)
        refs: list[_Ref] = []
        aside: list[_Ref] = []
        for link in links:
            ref = entity_ref(link, self.vocab)
            if any(
                a < ref.start < b and (refs or lists_examples(text[a:b], text[:a], self._names_class))
                for a, b in inside
            ):
                aside.append(_Ref(ref, "listed in parentheses, as examples"))
                continue
            refs.append(_Ref(ref))
            while len(refs) > 1 and adjacent(text, refs[-2].ref, refs[-1].ref, self.rules.head_links):
                merged = merged_ref(text, refs[-2].ref, refs[-1].ref)  # "Pascal-generation" + "NVIDIA" + "GPUs"
                if merged is None:
                    break
                refs[-2:] = [_Ref(merged)]
        for i, r in enumerate(refs):
            before = text[max(0, r.ref.start - 24) : r.ref.start]
            after = text[r.ref.end :]
            if self.rules.excluding_words.search(before):
                r.rank_only = "named as an exception"
            elif self.rules.example_words.search(before):
                r.rank_only = "named as an example"
            elif self.rules.like_words.match(after):
                r.rank_only = f"'{r.ref.words}-like' describes something else"
            elif self._loose_alternative(text, refs, i):
                r.rank_only = "an alternative next to it is not in the graph"
        refs = _exceptions_applied(text, refs)
        seen: set[NodeMatch] = set()
        unique = []
        for r in sorted([*refs, *aside], key=lambda r: r.ref.start):  # "FP8, INT8 or INT4": quantization once
            if r.ref.node is None or r.ref.node not in seen:
                unique.append(r)
                seen.update([r.ref.node] if r.ref.node else [])
        return unique

    def _names_class(self, before: str) -> bool:
        """Whether the words before a parenthesis name what it lists ("CNN families (MobileNet, ResNet)")."""
        before = before.rstrip()
        return any(m.end() == len(before) for rule in self.rules.targets for m in rule.pattern.finditer(before))

    def _loose_alternative(self, text: str, refs: Sequence[_Ref], i: int) -> bool:
        """'CNN / ResNet': an alternative that links to nothing makes the linked one a mere preference."""
        ref = refs[i].ref
        spans = [(r.ref.start, r.ref.end) for r in refs]
        after = re.match(r"\s*(?:/|\bor\b)\s*([A-Za-z][\w-]*)", text[ref.end :])
        before = re.search(r"([A-Za-z][\w-]*)\s*(?:/|\bor\b)\s*$", text[: ref.start])
        for m, base in ((after, ref.end), (before, 0)):
            if m is None:
                continue
            start, word = base + m.start(1), m.group(1)
            linked = any(a <= start < b for a, b in spans)
            content = word.casefold() not in self.rules.asking_words
            if not linked and content and len(word) > 1:
                return True
        return False

    # --- 3. target ------------------------------------------------------------------------------------
    def _target(
        self, text: str, refs: Sequence[_Ref], used: _Spans, spelling: Sequence[tuple[str, str]] = ()
    ) -> tuple[Target | None, _Ref | None]:
        """What a top-N or co-occurrence question counts: a class named first ("which GPUs", "top three
        model-compression techniques": what it includes), else the earliest target word ("hardware", "datasets")."""
        lead = _WHICH.match(text) or _CLAUSE_WHICH.match(text)  # "In the Frontier papers, which GPUs ..."
        after = [r for r in refs if lead and r.ref.start >= lead.end()]
        if lead and after:
            r = after[0]
            broad = r.ref.level is Level.FAMILY or (
                r.ref.type is EntityType.HARDWARE and r.ref.level in (Level.TYPE, Level.VENDOR)
            )
            before = text[lead.end() : r.ref.start]
            between = before.split()
            asking = self.rules.asking_words
            near = len(between) <= 2 or all(w.casefold() in asking for w in between)  # "what are the most common"
            named = any(rule.pattern.search(before) for rule in self.rules.targets)  # "what hardware ... in X papers"
            if broad and r.ref.node is not None and near and not named:
                return self._counted_class(search_text(text[r.ref.end :], [], spelling), r), r
        found = []
        for order, rule in enumerate(self.rules.targets):
            for m in rule.pattern.finditer(text):
                if not any(x.ref.start <= m.start() < x.ref.end for x in refs):
                    found.append((m.start(), order, m, rule))
                    break
        if not found:
            return None, None
        _, _, m, rule = min(found, key=lambda f: (f[0], f[1]))
        used.add(m)
        qualifier = self._qualifier(text, m.start(), refs, used)
        target = Target(type=rule.type, by=rule.by, level=rule.level, words=m.group(0), qualifier=qualifier)
        return target, None

    def _qualifier(self, text: str, at: int, refs: Sequence[_Ref], used: _Spans) -> str | None:
        """The words right before a counted class that are neither asking nor an entity: "parallelism" in "which
        three parallelism strategies", "deep learning" in "deep learning frameworks" (the ranking keeps the
        names that hold it, when any does)."""
        asking = self.rules.asking_words | set(self.rules.numbers)
        start = at
        for _ in range(QUALIFIER_WORDS):  # "deep learning frameworks": the compound, not just "learning"
            m = _LAST_WORD.search(text, 0, start)
            if m is None or any(r.ref.start <= m.start() < r.ref.end for r in refs):
                break
            word = m.group(1)
            if word.casefold() in asking or word.isdigit() or not word[:1].isalpha():
                break
            start = m.start(1)
        if start == at:
            return None
        used.ranges.append((start, at))
        return text[start:at].strip()

    def _counted_class(self, after: str, r: _Ref) -> Target:
        """What 'which GPUs', 'which GPU models', 'top model-compression techniques' count: a type or vendor by
        line (the top of each hierarchy: Raspberry Pi, NVIDIA Jetson), a family by its members; the words after
        it (``after``, misspellings corrected) may say the level ("GPU models": models only; "edge-board
        families": lines)."""
        ref = r.ref
        by = GroupBy.LINE if ref.level in (Level.TYPE, Level.VENDOR) else GroupBy.ENTITY
        level = None
        for rule in self.rules.granularity:
            if rule.pattern.match(after):
                by, level = rule.by, rule.level
                break
        return Target(type=ref.type, include=ref.node, by=by, level=level, words=ref.words)

    # --- 4. intent ------------------------------------------------------------------------------------
    def _intent(
        self,
        text: str,
        refs: Sequence[_Ref],
        metric: MetricAsk,
        target: Target | None,
        target_ref: _Ref | None,
        used: _Spans,
    ) -> Intent | None:
        known = [r for r in refs if r.ref.node is not None]
        others = [r for r in known if r is not target_ref]
        two = _compare_axis(known, text, self.rules.compare_joins) is not None
        needs = {
            None: True,
            "entity": bool(known),
            "two": two,
            "not_two": not two,
            "metric": bool(metric.kinds or metric.unit or metric.phrase),
            "target": target is not None,
            "target_and_entity": target is not None and bool(others),
        }
        for rule in self.rules.intents:
            m = rule.pattern.search(text)
            if m is not None and rule.needs == "entity_next":  # "how many GPUs does ...": a fact about a count
                needs["entity_next"] = any(r.ref.start == m.end() for r in known)
            if m is not None and needs.get(rule.needs, False):
                used.add(m)
                return rule.intent
        return None

    def _read_intent(self, cues: _Cues) -> tuple[Intent, IntentReading]:
        """The intent from the cue rules and the example bank together. The examples decide where no rule
        matched, and overrule a rule when they prefer another intent by a clear margin; either way only an
        intent the question can be answered as (two sides to compare, a class to count, a metric to rank)."""
        others = [r for r in cues.refs if r.ref.node is not None and r is not cues.target_ref]
        scores = self.classifier.classify(cues.form)
        best, score, margin = scores.best(self._answerable(cues))
        rule_score = scores.scores.get(cues.ruled, 0.0) if cues.ruled is not None else 0.0
        chosen, source = _chosen(cues.ruled, cues.text, cues.form, best, score, rule_score)
        if chosen is Intent.TOP_N and any(not r.rank_only for r in others):
            chosen = Intent.COOCCURRENCE  # "which datasets do pruning papers use most": ranked within X's papers
        return chosen, IntentReading(
            form=cues.form,
            source=source,
            score=round(scores.scores.get(chosen, 0.0), 3),
            margin=round(margin if chosen is best else scores.scores.get(chosen, 0.0) - score, 3),
            runner_up=best if chosen is not best else None,
        )

    def _answerable(self, cues: _Cues) -> list[Intent]:
        """The intents the question can be answered as: a list or similarity always, and each other intent when
        the question has what it needs (a time cue, papers named, two sides, a class to count, a metric)."""
        known = [r for r in cues.refs if r.ref.node is not None]
        others = [r for r in known if r is not cues.target_ref]
        allowed = [Intent.LIST, Intent.SEMANTIC] + ([Intent.TREND] if cues.ruled is Intent.TREND else [])  # a time cue
        if _PAPERS.search(cues.form):  # "how many kilograms of ore ...": a count of papers names papers
            allowed.append(Intent.COUNT)
        if _compare_axis(known, cues.text, self.rules.compare_joins) is not None:  # two sides, joined as sides
            allowed.append(Intent.COMPARE)
        if cues.target is not None:
            allowed.append(Intent.TOP_N)
            if others:
                allowed.append(Intent.COOCCURRENCE)
        if cues.metric.kinds or cues.metric.unit:
            allowed.append(Intent.SUPERLATIVE)
        if known or any(r.ref.node is None for r in cues.refs):
            allowed.append(Intent.FACT)
        return allowed

    # --- 5. roles and groups --------------------------------------------------------------------------
    def _groups(
        self, intent: Intent, text: str, refs: Sequence[_Ref], target_ref: _Ref | None
    ) -> tuple[list[ConstraintGroup], list[EntityRef]]:
        unknown = [r.ref for r in refs if r.ref.node is None and not r.rank_only]  # not "Sora-style", "e.g. X"
        seen: set[NodeMatch] = set()
        known = []
        for r in refs:  # "FP8, INT8 or INT4" all name quantization: one reference
            if r.ref.node is not None and r is not target_ref and r.ref.node not in seen:
                seen.add(r.ref.node)
                known.append(r)
        groups: list[ConstraintGroup] = []
        if target_ref is not None:
            groups.append(ConstraintGroup(entities=[target_ref.ref], role=Role.TARGET))
        if intent is Intent.SEMANTIC:
            return groups + _by_type(known, Role.RANK, "entities rank, not filter, in a similarity question"), unknown
        axis = _compare_axis(known, text, self.rules.compare_joins) if intent is Intent.COMPARE else None
        compared = [r for r in known if r.ref.type is axis] if axis else []
        for r in compared:
            groups.append(ConstraintGroup(entities=[r.ref], role=Role.COMPARE))
        rest = [r for r in known if r not in compared]
        for r in _broad_beside_specific(rest):  # "SSD / NVMe storage ... around GPU memory limits": not every GPU
            r.rank_only = "a whole hardware type named beside specific devices: context, not a filter"
        loose = [r for r in rest if r.rank_only]
        firm = [r for r in rest if not r.rank_only]
        both = self.rules.both_words.search(text) is not None
        owners = [r for r in firm if _OWNER.search(r.ref.words)]  # "HAWQV3's ResNet50": HAWQV3's paper, not either
        groups += [ConstraintGroup(entities=[r.ref], role=Role.FILTER) for r in owners]
        firm = [r for r in firm if r not in owners]
        if intent in (Intent.LIST, Intent.COUNT):  # "against vLLM as a baseline": not vLLM's own paper
            baselines = [r for r in firm if self._baseline(text, r.ref)]
            groups += [ConstraintGroup(entities=[r.ref], role=Role.FILTER, baseline=True) for r in baselines]
            firm = [r for r in firm if r not in baselines]
        groups += _by_type(firm, Role.FILTER, "", separate=both and _joined_by_and(text, firm))
        for r in loose:
            groups.append(ConstraintGroup(entities=[r.ref], role=Role.RANK, reason=r.rank_only))
        return groups, unknown

    def _baseline(self, text: str, ref: EntityRef) -> bool:
        before, after = text[max(0, ref.start - 40) : ref.start], text[ref.end :]
        return bool(self.rules.baseline_before.search(before) or self.rules.baseline_after.match(after))

    # --- 6. the rest ----------------------------------------------------------------------------------
    def _topics(
        self,
        text: str,
        intent: Intent,
        groups: Sequence[ConstraintGroup],
        used: _Spans,
        filtered: bool = False,
        counted: str = "",
    ) -> list[str]:
        """Qualifiers matched in the papers' text: they narrow what is compared, and a graph answer's papers
        (an entity, a year or an author already selects them: "LLM papers from 2024"); not the words of the
        class a ranking counts ("LLM families": every paper naming an LLM counts, whatever it is about)."""
        at = text.find(counted) if counted else -1
        ranked = (Intent.SUPERLATIVE, Intent.TOP_N, Intent.COOCCURRENCE)
        if intent not in (Intent.LIST, Intent.COUNT, Intent.TREND, *ranked):
            return []
        selects = filtered or intent is Intent.TREND or any(g.role is Role.FILTER for g in groups)
        if intent not in ranked and not selects:
            return []
        names = []
        for topic in self.rules.topics:
            m = topic.question.search(text)
            if m is not None and not self.rules.excluding_words.search(text[max(0, m.start() - 24) : m.start()]):
                used.add(m)
                if not (at >= 0 and at <= m.start() and m.end() <= at + len(counted)):
                    names.append(topic.name)
        return names

    def _subject(
        self,
        text: str,
        intent: Intent,
        groups: list[ConstraintGroup],
        tokens: Sequence[Token],
        links: Sequence[Link],
        used: _Spans,
    ) -> tuple[list[ConstraintGroup], list[str], list[str], dict[str, str]]:
        """The subject of a list, count or trend question where the graph alone does not name it: written as
        several joined phrases (entities and paper-text phrases, any of them), else as one paper-text phrase."""
        index = self.vocab.text
        if index is not None and intent is Intent.SUPERLATIVE:  # "the highest MFU for LLM training"
            if not self._ignored(tokens, links, used):  # every word read: no subject left (and no tagging)
                return groups, [], [], {}
            quantity = quantity_phrase(text)
            cut = _Spans([quantity.span] if quantity else [])  # "highest frame rate": not a subject
            unread = _split_at(self._runs(text, tokens, links, used), cut)
            phrases, _, sources = self._phrases(text, unread, index, used)
            return groups, phrases, [], sources
        if index is None or intent not in (Intent.LIST, Intent.COUNT, Intent.TREND):
            return groups, [], [], {}
        runs = self._runs(text, tokens, links, used)
        if intent is not Intent.TREND:
            joined = self._joined_subject(text, groups, runs, index, used)
            if joined is not None:
                return joined
        filters = [g for g in groups if g.role is Role.FILTER]
        if filters:  # "mixed-precision quantization": the technique, narrowed by its modifier in the text
            modified = modified_phrases(filters, index) if intent is not Intent.TREND else {}
            return groups, list(modified), [], modified
        phrases, loose, sources = self._phrases(text, runs, index, used)
        return groups, phrases, loose, sources

    def _ranked_within(self, text: str, intent: Intent, groups: Sequence[ConstraintGroup], used: _Spans) -> str | None:
        """The phrase naming the papers a ranking counts in ("in the test-time scaling papers"), when no entity
        names them: the ranking is then a co-occurrence with it."""
        index = self.vocab.text
        ranked = (Intent.TOP_N, Intent.COOCCURRENCE)
        if index is None or intent not in ranked or any(g.role is Role.FILTER for g in groups):
            return None
        found = papers_phrase(text, index, self.rules.stopwords)
        if found is None:
            return None
        used.ranges.append((found[1], found[2]))
        return found[0]

    def _joined_subject(
        self, text: str, groups: list[ConstraintGroup], runs: Sequence[list[Token]], index: TextIndex, used: _Spans
    ) -> tuple[list[ConstraintGroup], list[str], list[str], dict[str, str]] | None:
        """The subject as several phrases joined as alternatives or examples ("neuromorphic or spiking hardware,
        e.g. Loihi-style chips or SNNs"): one group, a paper needing one of its entities or phrases. The groups
        of its entities join it whole (their alternatives stay alternatives)."""
        texts = {t.part.start: t for run in runs if (t := _text_part(text, run, index)) is not None}
        refs = [
            (gi, e)
            for gi, g in enumerate(groups)
            if (g.role is Role.FILTER and not g.baseline) or (g.role is Role.RANK and g.reason in JOINABLE)
            for e in g.entities
        ]
        for i, (_, e) in enumerate(refs):
            if self._entity_share(e) <= ENTITY_SHARE:
                texts[e.start] = _TextPart(Part(e.start, e.end, e.words, True, i), e.words, None)
            elif 0 < index.rarity(words := text[e.start : e.end]) <= GENERIC_SHARE:  # "carbon emissions": its words
                texts[e.start] = _TextPart(Part(e.start, e.end, words, True), words, None)
        parts = [t.part for t in texts.values()]
        chosen = subject(text, parts)
        if chosen is None:
            return None
        moved = {refs[p.ref][0] for p in chosen if p.ref is not None}
        firm = [gi for gi, g in enumerate(groups) if g.role is Role.FILTER]
        if firm and not moved.intersection(firm):
            return None  # the objects of a named subject ("prune weights, filters or whole layers"), not alternatives
        members = [e for gi in sorted(moved) for e in groups[gi].entities]
        kept = [g for gi, g in enumerate(groups) if gi not in moved]
        reason = "the subject, written as several phrases: any of them"
        kept.append(ConstraintGroup(entities=members, role=Role.FILTER, text=True, reason=reason))
        used.ranges += [(p.start, p.end) for p in chosen]
        phrases, loose, sources = _subject_phrases(text, chosen, texts)
        return kept, phrases, loose, sources

    def _entity_share(self, ref: EntityRef) -> float:
        """The share of papers a reference selects: its nodes' papers, else (a family, type or vendor) the share
        of papers whose text has its words."""
        index = self.vocab.text
        size = index.size if index is not None else 0
        ids = ref.node.ids if ref.node is not None else ()
        if ids and size:
            return sum(self.vocab.node_papers.get(i, 0) for i in ids) / size
        families = ref.node.family if ref.node is not None else ()
        if families and size:  # at most the papers of its members together
            return sum(self.vocab.name_papers.get((ref.type, f.casefold()), 0) for f in families) / size
        return index.rarity(ref.words) if index is not None else 0.0

    def _phrases(
        self, text: str, runs: Sequence[list[Token]], index: TextIndex, used: _Spans
    ) -> tuple[list[str], list[str], dict[str, str]]:
        """The subject of a question that names no graph entity, as paper-text words: of the runs of content
        words left, the rarest one the corpus has (a run the corpus lacks as a whole is read by its longest part
        it has); runs most papers have ("deep learning inference") are context."""
        found = []
        for run in runs:
            best = _best_part(run, index.rarity, FEW_PAPERS / index.size if index.size else 1.0)
            if best is not None and (best[1] <= GENERIC_SHARE or best[1] * index.size <= FEW_PAPERS):
                found.append((*best, best[0] != (run[0], run[-1])))
        if not found:
            return [], [], {}
        # the rarest; at a tie a run the corpus has whole before a part of one, then the longer
        (first, last), _share, _part = min(found, key=lambda f: (f[1], f[2], f[0][0].start - f[0][1].end))
        chosen = [(first, last)] + [
            (a, b) for (a, b), _, _ in found if (a, b) != (first, last) and _alternative(text, (first, last), (a, b))
        ]
        chosen.sort(key=lambda p: p[0].start)  # as the question orders them
        used.ranges += [(a.start, b.end) for a, b in chosen]
        phrases = [text[a.start : b.end] for a, b in chosen]
        rare = max(RARE_WORD_SHARE, FEW_PAPERS / index.size) if index.size else RARE_WORD_SHARE
        heads = [b.text for a, b in chosen if a is not b]
        loose = [h for h in heads if 0 < index.rarity(h) <= rare]  # "browser" of "web browser": "in-browser"
        return phrases, loose, {p: p for p in phrases}

    def _runs(self, text: str, tokens: Sequence[Token], links: Sequence[Link], used: _Spans) -> list[list[Token]]:
        """Runs of content words: not linked, not read by a rule, not asking; a function word inside a
        hyphenated word ("wake-up", "processing-in-memory") stays in its run."""
        linked = {i for lk in links for i in range(lk.first, lk.last)}
        tags: dict[int, str] | None = None  # parts of speech, read only when some word may be content

        def naming(t: Token) -> bool:
            nonlocal tags
            if tags is None:
                tags = self.tagger(text) if self.tagger is not None else {}
            return tags.get(t.start, "NOUN") in NAMING_TAGS

        metric = self._metric_spans(text)  # words, not rules
        runs: list[list[Token]] = []
        current: list[Token] = []
        for i, t in enumerate(tokens):
            hyphened = (i and text[tokens[i - 1].end : t.start] == "-") or (
                i + 1 < len(tokens) and text[t.end : tokens[i + 1].start] == "-"
            )
            content = (
                i not in linked
                and (not used.covers(t) or any(a <= t.start and t.end <= b for a, b in metric))
                and not t.text.isdigit()
                and len(t.text) > 1
                and t.folded not in LINKING_WORDS
                and (
                    hyphened
                    or (
                        t.folded not in self.rules.stopwords
                        and not _asking(t.folded, self.rules.question_words)
                        and naming(t)
                    )
                )
            )
            joined = bool(current) and re.fullmatch(r"[\s-]*", text[current[-1].end : t.start]) is not None
            if content and (joined or not current):
                current.append(t)
                continue
            if current:
                runs.append(current)
            current = [t] if content else []
        if current:
            runs.append(current)
        return [trimmed for r in runs if (trimmed := _trimmed(r, text, self.rules.stopwords))]

    def _foreign(self, tokens: Sequence[Token]) -> float:
        """The share of content words the corpus never uses ("sourdough", "feeding", "starter")."""
        asking = self.rules.asking_words
        content = [t for t in tokens if t.folded not in asking and len(t.text) > 2 and not t.text.isdigit()]
        return round(sum(not self.vocab.is_word(t.text) for t in content) / len(content), 3) if content else 0.0

    def _limit(self, text: str, used: _Spans) -> int | None:
        for pattern in self.rules.limits:
            m = pattern.search(text)
            if m is not None:
                n = m.group("n").casefold()
                used.add(m)
                return int(n) if n.isdigit() else self.rules.numbers.get(n)
        return None

    def _ignored(self, tokens: Sequence[Token], links: Sequence[Link], used: _Spans) -> list[str]:
        linked = {i for lk in links for i in range(lk.first, lk.last)}
        return [
            t.text
            for i, t in enumerate(tokens)
            if i not in linked
            and not used.covers(t)
            and t.folded not in self.rules.stopwords
            and not _asking(t.folded, self.rules.question_words)
            and len(t.text) > 2
            and not t.text.isdigit()
        ]


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


class _TextPart(NamedTuple):
    """A run of content words as a possible part of a subject: the part, the phrase the corpus has, the rare
    head noun of a longer phrase (or None)."""

    part: Part
    phrase: str
    head: str | None


def _text_part(text: str, run: Sequence[Token], index: TextIndex) -> _TextPart | None:
    """A run read as the corpus has it; specific when few papers have it (one word alone: rarely)."""
    few = FEW_PAPERS / index.size if index.size else 1.0
    best = _best_part(run, index.rarity, few)
    if best is None:
        return None
    (a, b), share = best
    specific = share <= (GENERIC_SHARE if a is not b else max(RARE_WORD_SHARE, few))
    specific = specific and (a is not b or b is run[-1])  # one word of several: the head ("whole" of "whole layers")
    compound = text[b.start - 1 : b.start] == "-"  # "forward" of "forward-forward" is no head noun of its own
    head = b.text if a is not b and not compound and 0 < index.rarity(b.text) <= max(RARE_WORD_SHARE, few) else None
    part = Part(run[0].start, run[-1].end, text[run[0].start : run[-1].end], specific)
    return _TextPart(part, text[a.start : b.end], head)


def _split_at(runs: Sequence[list[Token]], used: _Spans) -> list[list[Token]]:
    """Runs of content words cut at the words ``used`` covers (a superlative's quantity)."""
    out: list[list[Token]] = []
    for run in runs:
        current: list[Token] = []
        for t in run:
            if used.covers(t):
                out += [current] if current else []
                current = []
            else:
                current.append(t)
        out += [current] if current else []
    return out


def _subject_phrases(
    text: str, chosen: Sequence[Part], texts: Mapping[int, _TextPart]
) -> tuple[list[str], list[str], dict[str, str]]:
    """The text phrases of a joined subject: examples (and rare head nouns) as loose phrases, the rest exact."""
    phrases: list[str] = []
    loose: list[str] = []
    sources: dict[str, str] = {}
    for p in chosen:
        found = texts.get(p.start)
        if p.ref is not None or found is None:
            continue
        (loose if example(text, chosen, p) else phrases).append(found.phrase)
        sources[found.phrase] = p.words
        if found.head is not None:  # "diffusion" of "video diffusion": "diffusion-based video generation"
            loose.append(found.head)
            sources[found.head] = p.words
    return phrases, loose, sources


def _asking(word: str, question_words: frozenset[str]) -> bool:
    """A word of asking, inflected or not ("appeared", "evaluating" as "appear", "evaluate")."""
    if word in question_words:
        return True
    bases = [word[: -len(end)] for end in _INFLECTIONS if word.endswith(end) and len(word) - len(end) > 2]
    return any(b in question_words or b + "e" in question_words for b in bases)


def _exceptions_applied(text: str, refs: list[_Ref]) -> list[_Ref]:
    """'Intel accelerators other than CPUs': a hardware type named as an exception right after a hardware
    reference is taken out of it (Intel hardware of any type but CPU), instead of ranking."""
    out: list[_Ref] = []
    for r in refs:
        prev = out[-1] if out else None
        node, prior = r.ref.node, prev.ref.node if prev is not None else None
        if (
            r.rank_only == "named as an exception"
            and prev is not None
            and not prev.rank_only
            and r.ref.level is Level.TYPE
            and node is not None
            and node.hw_type
            and prior is not None
            and prior.type is EntityType.HARDWARE
            and not prior.hw_type
            and len(text[prev.ref.end : r.ref.start].split()) <= _EXCEPTION_GAP
        ):
            narrowed = prior.model_copy(update={"not_hw_type": node.hw_type})
            prev.ref = prev.ref.model_copy(update={"node": narrowed, "name": f"{prev.ref.name} (not {r.ref.name})"})
            continue
        out.append(r)
    return out


def _by_type(refs: Sequence[_Ref], role: Role, reason: str, separate: bool = False) -> list[ConstraintGroup]:
    """One OR-group per entity type (each reference its own group when the question says 'both')."""
    if separate:
        return [ConstraintGroup(entities=[r.ref], role=role, reason=reason) for r in refs]
    by_type: dict[EntityType, list[EntityRef]] = {}
    for r in refs:
        by_type.setdefault(r.ref.type, []).append(r.ref)
    return [ConstraintGroup(entities=entities, role=role, reason=reason) for entities in by_type.values()]


def _broad_beside_specific(refs: Sequence[_Ref]) -> list[_Ref]:
    """Hardware-type references ("GPU") in a question whose firm references of the same entity type also name
    specific devices (a model, a family, one class such as "SSD"): the specific ones are the subject, the
    type is context. The words at the most specific level filter; a type filters only as the subject itself."""
    firm = [r for r in refs if not r.rank_only and r.ref.node is not None]
    out = []
    for r in firm:
        if r.ref.level is not Level.TYPE:
            continue
        specific = [x for x in firm if x.ref.type is r.ref.type and x.ref.level in (Level.MODEL, Level.FAMILY)]
        if specific:
            out.append(r)
    return out


def _form(
    text: str, refs: Sequence[_Ref], used: _Spans, filters: PaperFilters, metrics: Sequence[tuple[int, int]] = ()
) -> str:
    """The question with each recognised reference replaced by its slot ("{system}"), metric words by {metric},
    numbers by {n}: what the intent examples are written in."""
    spans = [(r.ref.start, r.ref.end, "{" + r.ref.type.value + "}") for r in refs]
    spans += [(a, b, "{metric}") for a, b in metrics if not any(r.ref.start < b and a < r.ref.end for r in refs)]
    if filters.author_words:
        at = text.find(filters.author_words.split(" and ")[0])
        if at >= 0:
            spans.append((at, at + len(filters.author_words.split(" and ")[0]), "{author}"))
    out, at = [], 0
    for start, end, slot in sorted(spans):
        if start < at:
            continue
        out += [text[at:start], slot]
        at = end
    out.append(text[at:])
    return _YEAR.sub(
        "{year}", _NUMBER.sub(lambda m: m.group(0) if _YEAR.fullmatch(m.group(0)) else "{n}", "".join(out))
    )


def _alternative(text: str, a: tuple[Token, Token], b: tuple[Token, Token]) -> bool:
    """Two phrases written as alternatives ("blockchain or distributed-ledger technology", "X / Y")."""
    first, second = sorted((a, b), key=lambda p: p[0].start)
    return _OR_GAP.fullmatch(text[first[1].end : second[0].start]) is not None


def _trimmed(run: list[Token], text: str, stopwords: frozenset[str]) -> list[Token]:
    """A run without function words at its edges."""
    while run and run[0].folded in stopwords:
        run = run[1:]
    while run and run[-1].folded in stopwords:
        run = run[:-1]
    return run


def _best_part(
    run: Sequence[Token], share: Callable[[str], float], few: float = 0.0
) -> tuple[tuple[Token, Token], float] | None:
    """The run as the corpus has it: whole, else its longest part (rarest first) that some paper has (``share``
    is -1 for none); one word alone only when rare ("checkpointing", not "communication")."""
    for size in range(len(run), 0, -1):
        parts = []
        for first in range(len(run) - size + 1):
            words = " ".join(t.text for t in run[first : first + size])
            found = share(words)
            if found > 0 and (size > 1 or size == len(run) or found <= max(RARE_WORD_SHARE, few)):
                parts.append(((run[first], run[first + size - 1]), found))
        if parts:
            return min(parts, key=lambda p: p[1])
    return None


def _joined_by_and(text: str, refs: Sequence[_Ref]) -> bool:
    return any(_AND_GAP.match(text[a.ref.end : b.ref.start]) for a, b in pairwise(refs))


def _compare_axis(refs: Sequence[_Ref], text: str = "", joins: re.Pattern[str] | None = None) -> EntityType | None:
    """The type compared: the first (systems, hardware, techniques, datasets) with two references joined as
    sides ("X or Y", "X against the Y", "X compared with Y"; not "Llama in vLLM")."""
    for t in _AXIS_ORDER:
        of_type = [r for r in refs if r.ref.type is t]
        if len(of_type) < 2:
            continue
        if joins is None or any(joins.search(text[a.ref.end : b.ref.start]) for a, b in pairwise(of_type)):
            return t
    return None


def _marked_corrected(refs: list[_Ref], respelled: Sequence[Respelled]) -> list[_Ref]:
    """References whose words were respelled before linking are corrections, shown with the words as typed."""
    out = []
    for r in refs:
        fixes = [f for f in respelled if r.ref.start <= f[0] and f[1] <= r.ref.end]
        if fixes and r.ref.match in (MatchKind.EXACT, MatchKind.ALIAS, MatchKind.INFLECTION):
            words = r.ref.words
            for _, _, typed, word in fixes:
                words = words.replace(word, typed, 1)
            r = _Ref(r.ref.model_copy(update={"match": MatchKind.CORRECTED, "words": words}), r.rank_only)
        out.append(r)
    return out


__all__ = ["Planner"]


def _chosen(
    ruled: Intent | None, text: str, form: str, best: Intent, score: float, rule_score: float
) -> tuple[Intent, str]:
    """The intent chosen from the rule's (``ruled``) and the examples' best, and its source."""
    if ruled is None:  # a search query that asks nothing ("serving LLMs on GPUs") is a similarity question,
        # unless it names papers ("mixture-of-experts papers published in 2025")
        asks = _ASKING.search(text) is not None or _PAPERS.search(form) is not None
        asking = asks and score >= INTENT_MIN_SCORE
        return (best, "examples") if asking else (Intent.SEMANTIC, "default")
    if best is not ruled and score - rule_score >= INTENT_OVERRULE and ruled not in STRONG_RULES:
        return best, "examples over rules"
    return ruled, "rules" if best is not ruled else "rules and examples"


def _unsure_fact(intent: Intent, reading: IntentReading, unread: int) -> tuple[Intent, IntentReading]:
    """A fact the examples read without a clear margin, with more than a few content words left unread, is a
    number asked about things the graph does not hold: read by similarity instead."""
    if reading.source == "examples" and intent is Intent.FACT and unread > UNREAD_WORDS and reading.margin < SURE:
        reading = reading.model_copy(update={"source": "default", "runner_up": intent})
        intent = Intent.SEMANTIC  # a number asked about things the graph does not hold: read by similarity
    return intent, reading


def _corrections(refs: Sequence[_Ref], spelling: Sequence[tuple[str, str]]) -> list[Correction]:
    """What the plan corrected: references respelled or expanded, then ordinary words respelled."""
    corrections = [
        Correction(original=r.ref.words, corrected=r.ref.name, kind=r.ref.match)
        for r in refs
        if r.ref.match in (MatchKind.CORRECTED, MatchKind.ABBREVIATION)
    ]
    corrections += [Correction(original=a, corrected=b, kind=MatchKind.CORRECTED) for a, b in spelling]
    return corrections
