"""The spaCy components of the extraction layer, registered by name (and by entry point).

``papergraph_entities`` finds hardware, techniques, systems and datasets; ``papergraph_metrics`` finds
number-bearing results and ties them to the hardware the sentence names. Both write plain dataclasses to
``Doc._`` extensions (``doc._.pg_entities``, ``doc._.pg_metrics``), like scispacy's components do; the
conversion to the pydantic contract happens in one place, :mod:`papergraph.extract.convert`.

This module is imported by spaCy for *every* pipeline created in the environment (entry points), so it
must stay cheap to import: rules are loaded when a component is constructed, not at import time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from papergraph.extract.found import HardwareSpan, MetricFound
from papergraph.extract.hardware import LABELS as HARDWARE_LABELS
from papergraph.extract.hardware import HardwareFound, HardwareGrammar
from papergraph.extract.lists import Item, NameLists, Taken
from papergraph.extract.matchers import Hit, RuleMatcher
from papergraph.extract.metrics import MetricFinder
from papergraph.extract.rules import Rule, entity_table, load_rules
from papergraph.extract.spans import any_overlap, holds, overlapping, overlaps, within
from papergraph.extract.systems import (
    COMMON_CAPITALIZED,
    SystemCandidate,
    SystemRules,
    named_alone,
    strip_possessive,
)
from papergraph.extract.text import Sentences, Words, doc_text, doc_words, mask_urls
from papergraph.models import slugify

logger = logging.getLogger(__name__)

ENTITY_FILES = (
    "hardware.jsonl",
    "datasets.jsonl",
    "systems.jsonl",
    "techniques.jsonl",
    "not_systems.jsonl",
    "units.jsonl",
)
METRIC_FILES = ("units.jsonl", "metric_kinds.jsonl")

# Version, size and variant tails a known model name may carry as written: "LLaMA-2-70B", "Qwen2.5-1.5B-Instruct",
# "Mixtral 8x7B", "DeepSeek R1", "BitNet-b1.58-3B", "MobileNetV3-Large".
_VARIANTS = (
    "Chat|Instruct|Base|Large|Small|Tiny|Mini|Nano|Medium|XL|XXL|Pro|Max|Ultra|Turbo|Coder|Code|Math|Vision|VL|"
    "Lite|Plus|Preview|MoE|Distill|Flash|flash|Beta|beta|Alpha|alpha|Exp|exp|Omni|omni|"
    "hf|HF|chat|instruct|base|large|small|tiny|mini|it|V|R|S|M|L|B|T|H"
)
_SUFFIX_PART = re.compile(
    r"(?:[-_]|(?<=\d)\.)?(?:v?\d+(?:\.\d+)*(?:[xX]\d+)?[A-Za-z]?(?![A-Za-z])|b\d+(?:\.\d+)?)"
    rf"|[-_](?:{_VARIANTS})(?![A-Za-z])"
)
# "GPT-2 medium", "BERT base": a size word written after the model, unless it starts a phrase ("GPT-2 large
# language model").
_SIZE_WORD = re.compile(
    r" (?:small|medium|large|base|tiny|XL|XXL)(?![\w-])(?! (?:language|models?|scale|vision|multimodal|datasets?)\b)"
)
# "ResNet50/101", "EfficientNetV2S/M", "DeepSeek-V3/R1", "YOLOv8n/s": a sibling variant written after a slash.
_SLASH_TAIL = re.compile(r"/([A-Za-z]{0,2}\d+(?:\.\d+)?[A-Za-z]?|[A-Za-z]{1,2})(?![\w/+-])")
_SPACE_PART = re.compile(r" (?:\d+(?:\.\d+)*(?:[xX]\d+)?[BMKb]?|[RVv]\d+(?:\.\d+)?)(?![\w%])")
_PARALLEL_WORD = r"(data|tensor|pipeline|sequence|context|expert)"
_ELLIPSIS_BEFORE = re.compile(
    rf"\b{_PARALLEL_WORD}((?:\s*(?:,|/|\band\b|\bor\b)\s*(?:(?:and|or)\s+)?{_PARALLEL_WORD})+)\s+parallel(?:ism)?\b"
)
_ELLIPSIS_AFTER = re.compile(
    rf"\bparallelism\s*\(\s*(?:e\.g\.,?|i\.e\.,?|such as|including)?\s*{_PARALLEL_WORD}"
    rf"((?:\s*(?:,|/|\band\b|\bor\b)\s*(?:(?:and|or)\s+)?{_PARALLEL_WORD})*)\s*\)"
)
_PARALLEL_TECHNIQUE = {
    "data": "technique:data-parallelism",
    "tensor": "technique:tensor-parallelism",
    "pipeline": "technique:pipeline-parallelism",
    "sequence": "technique:sequence-parallelism",
    "context": "technique:sequence-parallelism",
    "expert": "technique:mixture-of-experts",
}


@dataclass
class EntityMention:
    """One entity occurrence in a field: label, offsets, surface, canonical id/name, role and attributes."""

    label: str  # HARDWARE | TECHNIQUE | SYSTEM | DATASET
    start: int
    end: int
    surface: str
    id: str
    name: str
    role: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    in_title: bool = False


def _register_extensions() -> None:
    for name in ("pg_entities", "pg_metrics", "pg_known_systems", "pg_title_names"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Doc.has_extension("pg_field"):
        Doc.set_extension("pg_field", default="abstract")


_register_extensions()


def doc_sentences(doc: Doc) -> Sentences:
    """Sentence ranges of a doc (computed once, kept in ``doc.user_data``); the whole text when unset."""
    bounds = doc.user_data.get("pg_sentence_bounds")
    if bounds is None:
        if doc.has_annotation("SENT_START"):
            bounds = [(s.start_char, s.end_char) for s in doc.sents]
        else:
            bounds = [(0, len(doc_text(doc)))]
        doc.user_data["pg_sentence_bounds"] = bounds
    return Sentences(doc_text(doc), [tuple(b) for b in bounds])


class EntityRuler:
    """Gazetteer and rule matching of hardware, techniques, systems and datasets (``papergraph_entities``)."""

    def __init__(self, nlp: Language, name: str = "papergraph_entities", files: Iterable[str] = ENTITY_FILES) -> None:
        self.name = name
        self.nlp = nlp
        self.vocab = nlp.vocab
        self.rules: list[Rule] = []
        for filename in files:
            self.rules.extend(load_rules(filename))
        self._build()

    def add_patterns(self, rules: Iterable[Rule]) -> None:
        """Add rule rows in bulk (e.g. from :func:`~papergraph.extract.rules.load_rule_file`) and recompile."""
        self.rules.extend(rules)
        self._build()

    def _build(self) -> None:
        rules = self.rules
        self.meta = entity_table(rules)
        self.hardware = HardwareGrammar(self.nlp, [r for r in rules if r.label in HARDWARE_LABELS])
        self.entity_index = RuleMatcher(self.nlp, [r for r in rules if r.label in ("DATASET", "IGNORE")])
        self.system_index = RuleMatcher(
            self.nlp, [r for r in rules if r.label in ("SYSTEM", "IGNORE")] + _folded_systems(rules), plural=False
        )
        self.technique_index = RuleMatcher(self.nlp, [r for r in rules if r.label in ("TECHNIQUE", "IGNORE")])
        self.cue_index = RuleMatcher(self.nlp, [r for r in rules if r.label == "DATASET_CUE"])
        stops = {str(r.pattern).lower() for r in rules if r.label == "DATASET_STOP"}
        self.dataset_lists = NameLists(self._dataset_name, _plurals(stops))
        self.system_cue_index = RuleMatcher(self.nlp, [r for r in rules if r.label == "SYSTEM_CUE"])
        self.org_index = RuleMatcher(self.nlp, [r for r in rules if r.label == "SYSTEM_ORG"], plural=False)
        system_stops = {str(r.pattern).lower() for r in rules if r.label == "SYSTEM_STOP"}
        self.system_lists = NameLists(self._dataset_name, _plurals(system_stops), label="SYSTEM", max_words=4)
        # generic words and unit spellings never name a system on their own ("LLM", "FaaS", "TFLOPS", "kJ")
        self.not_systems = {
            r.pattern
            for r in rules
            if r.label in ("NOT_SYSTEM", "UNIT", "COUNT", "NOT_UNIT") and isinstance(r.pattern, str)
        }
        self.not_systems_folded = {w.casefold() for w in self.not_systems if r_is_word(w)}
        self.system_rules = SystemRules(self._is_generic)
        self._system_ids = {slugify(str(m["name"])): i for i, m in self.meta.items() if i.startswith("system:")}
        logger.debug("entity ruler compiled from %d rules", len(rules))

    def _is_generic(self, word: str) -> bool:
        w = strip_possessive(word)
        if w in self.not_systems or (w.endswith("s") and w[:-1] in self.not_systems):
            return True
        folded = w.casefold()
        return len(w) > 3 and (folded in self.not_systems_folded or folded.rstrip("s") in self.not_systems_folded)

    # ------------------------------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        masked = mask_urls(text)
        sentences = doc_sentences(doc)
        ws = doc_words(doc)
        mentions = self._known_mentions(doc, masked, ws, sentences)
        occupied = [(m.start, m.end, m.label) for m in mentions]
        techniques = [self._mention(h) for h in self.technique_index.find(doc) if h.label == "TECHNIQUE"]
        techniques += self._parallel_ellipsis(masked, techniques)
        spans = _Spans(occupied, [(m.start, m.end, "TECHNIQUE") for m in techniques])
        coined, proposed_spans = self._coined_systems(doc, masked, ws, sentences, spans)
        swallowed = [(c.start, c.end) for c in coined if c.rule in STRONG_RULES]
        mentions = [m for m in mentions if not (m.label == "HARDWARE" and _strictly_inside(m, swallowed))]
        for cand in map(_without_leading_word, coined):
            if _DESCRIBING_COMPOUND.search(cand.name):
                continue  # "LLM-Guided", "SLO-Aware": an adjective of a title, no name
            if cand.rule in STRONG_RULES or not _covers_hardware(cand, occupied):
                mentions.append(_coined_mention(text, cand))
        for mention in mentions:
            if mention.label == "SYSTEM" and any_overlap(proposed_spans, mention.start, mention.end):
                mention.role = "proposed"
        mentions += self._listed_systems(
            doc, ws, sentences, _Spans([(m.start, m.end, m.label) for m in mentions], spans.techniques)
        )
        mentions += _slash_variants(masked, [m for m in mentions if m.label == "SYSTEM"])
        mentions = self._org_prefixed(doc, text, mentions)
        mentions += techniques
        mentions += self._part_codes(ws, mentions)
        for mention in mentions:
            mention.in_title = doc._.pg_field == "title"
        mentions.sort(key=lambda m: (m.start, m.end))
        doc._.pg_entities = mentions
        return doc

    def _known_mentions(self, doc: Doc, masked: str, ws: Words, sentences: Sentences) -> list[EntityMention]:
        """Hardware by the grammar, then datasets and known systems where no earlier mention stands."""
        text = doc_text(doc)
        mentions = [self._hardware_mention(text, h) for h in self.hardware.find(doc)]
        occupied = [(m.start, m.end) for m in mentions]

        def free(start: int, end: int) -> bool:
            return not any_overlap(occupied, start, end)

        for hit in self.entity_index.find(doc):
            if hit.label == "DATASET" and free(hit.start, hit.end):
                mentions.append(self._mention(hit))
                occupied.append((hit.start, hit.end))
        system_hits = [h for h in self.system_index.find(doc) if h.label == "SYSTEM" and not _glued_prefix(ws, h)]
        known_systems = [(h.start, h.end, "SYSTEM") for h in system_hits]
        for mention in self._named_datasets(doc, masked, ws, sentences, mentions, known_systems):
            mentions.append(mention)
            occupied.append((mention.start, mention.end))
        for hit in system_hits:
            # "AWB-GCN", "Q-BERT": a name of its own that ends in a known one (the coined-name rules find it)
            if free(hit.start, hit.end):
                mention = self._system_mention(masked, hit, doc._.pg_field == "title")
                mentions.append(mention)
                occupied.append((mention.start, mention.end))
        return mentions

    def _coined_systems(
        self, doc: Doc, masked: str, ws: Words, sentences: Sentences, spans: _Spans
    ) -> tuple[list[Any], list[tuple[int, int]]]:
        """Names the gazetteer does not know (titles' "Foo: ..." names, coined names in the text), and the spans
        of known systems the paper proposes."""
        title = doc._.pg_field == "title"
        known = list(doc._.pg_known_systems or [])
        proposed_spans: list[tuple[int, int]] = []
        coined = []
        for cand in self._title_names(doc, masked) if title else []:
            label = spans.taken(cand.start, cand.end)
            if label == "SYSTEM":
                proposed_spans.append((cand.start, cand.end))
            elif label not in ("HARDWARE", "DATASET"):
                coined.append(cand)
                known.append(cand.name)
        found, proposed_known = self.system_rules.find(ws, sentences, spans.taken, known, title=title)
        coined_spans = {(c.start, c.end) for c in coined}
        coined += [c for c in found if (c.start, c.end) not in coined_spans and not _inside(c, coined)]
        return coined, proposed_spans + proposed_known

    def _part_codes(self, ws: Words, mentions: list[EntityMention]) -> list[EntityMention]:
        """Mixed-case codes named by no rule ("nRF54L15", "SpO2", "S7-1500"): no system, but a name whose digits
        are no result (label ``NAME``, left out of the extraction)."""
        taken = [(m.start, m.end) for m in mentions]
        return [
            EntityMention("NAME", w.start, w.end, w.text, "", w.text)
            for w in ws
            if self.system_rules.shape(w.text) == "strong"
            and not named_alone(w.text)
            and not any_overlap(taken, w.start, w.end)
        ]

    def _org_prefixed(self, doc: Doc, text: str, mentions: list[EntityMention]) -> list[EntityMention]:
        """A maker's name written right before a system is part of the system's name ("Intel oneMKL", "Apache TVM",
        ``SYSTEM_ORG`` rows); the name without it is its family. A mention of the maker alone there is dropped."""
        orgs = {h.end: h.start for h in self.org_index.find(doc)}
        grown: list[tuple[int, int]] = []
        for m in mentions:
            start = orgs.get(m.start - 1)
            if m.label != "SYSTEM" or start is None or text[m.start - 1] != " ":
                continue
            lineage = [m.name, *m.attrs.get("lineage", [])]
            m.name, m.start, m.surface, m.id = f"{text[start : m.start - 1]} {m.name}", start, text[start : m.end], ""
            m.attrs = {**m.attrs, "family": m.name[m.name.index(" ") + 1 :], "lineage": lineage}
            grown.append((m.start, m.end))
        kept = [m for m in mentions if not _strictly_inside(m, grown)]
        products = _org_products(text, orgs, kept)
        spans = [(p.start, p.end) for p in products]
        return [m for m in kept if not _strictly_inside(m, spans)] + products

    def _title_names(self, doc: Doc, masked: str) -> list[SystemCandidate]:
        """The names a title proposes: handed over by the :class:`~papergraph.extract.Extractor` (found once per
        paper), else read here."""
        named: list[SystemCandidate] | None = doc._.pg_title_names
        return named if named is not None else self.system_rules.title_names(masked)

    def _named_datasets(
        self,
        doc: Doc,
        text: str,
        ws: Words,
        sentences: Sentences,
        mentions: list[EntityMention],
        systems: list[tuple[int, int, str]],
    ) -> list[EntityMention]:
        """Datasets no gazetteer lists, named like one: "on COCO and TJU-DHD datasets", "the N-MNIST dataset",
        "the HELM benchmark", "ImageNet-22K"-shaped names. A known dataset written with a glued prefix is another
        dataset ("N-MNIST" is not MNIST); a benchmark the paper introduces is its system, not a dataset."""
        for m in mentions:
            if m.label == "DATASET":
                _respell_dataset(text, m)
        spans = [(m.start, m.end, m.label) for m in mentions]
        out = self._sized_datasets(ws, spans)
        spans += [(m.start, m.end, m.label) for m in out]
        if doc._.pg_field != "title":  # a title's Capitalized Words are not names
            out += _titled_datasets(text, spans)
            spans += [(m.start, m.end, m.label) for m in out]
        out += self._listed_datasets(doc, ws, sentences, spans, systems)
        spans += [(m.start, m.end, m.label) for m in out]
        if _DATASET_NOUN.search(text):
            out += self._headed_datasets(ws, sentences, spans, doc._.pg_field == "title")
        return out

    def _headed_datasets(
        self, ws: Words, sentences: Sentences, spans: list[tuple[int, int, str]], title: bool
    ) -> list[EntityMention]:
        """Names listed right before a data noun: "COCO, VOC and TJU-DHD datasets", "the Wake Vision dataset"."""
        out: list[EntityMention] = []
        for i, w in enumerate(ws):
            low = w.text.lower()
            if (low not in DATASET_NOUNS and low not in DATA_PART_NOUNS) or i == 0:
                continue
            if low in BENCHMARK_NOUNS and any(x.text.lower() in _OWN_WORDS for x in ws[max(0, i - 5) : i]):
                continue  # "we introduce the FooBench benchmark": the paper's own, a system
            found = self._named_before(ws, i, sentences, spans, part=low in DATA_PART_NOUNS)
            if not found and not title and low in DATASET_NOUNS:
                found = _capitalized_before(ws, i, sentences, _label_at(spans))
            for cand in found:
                out.append(EntityMention("DATASET", cand.start, cand.end, cand.text, "", cand.text))
                spans.append((cand.start, cand.end, "DATASET"))
        return out

    def _named_before(
        self, ws: Words, i: int, sentences: Sentences, spans: list[tuple[int, int, str]], part: bool
    ) -> list[Item]:
        """Names right before the data noun at ``i``. Before a part of a dataset ("the MPtrj test split", "the
        SuiteSparse collection", "FLAN-v2 subsets") the describing words ("test", "held-out") are stepped over and
        a generic word ("LLM", "GPU") names none."""
        head = i
        if part:
            if not ws[i].text.islower():
                return []  # a title's "Split Federated Fine-Tuning"
            while i > 1 and ws[i - 1].text.lower() in DATA_PART_MODIFIERS:
                i -= 1
        found = self.dataset_lists.before(ws, i, sentences, _label_at(spans))
        if not part or not found:
            return found
        if i == head and ws[head].text.lower() in _VERB_LIKE_PARTS:
            first = ws.first_from(found[-1].start)
            if first == 0 or ws[first - 1].text.lower() != "the":
                return []  # "NanoFlow splits ...", "X and Y set the standard": a verb
        return [f for f in found if not self._is_generic(f.text)]

    def _listed_datasets(
        self,
        doc: Doc,
        ws: Words,
        sentences: Sentences,
        spans: list[tuple[int, int, str]],
        systems: list[tuple[int, int, str]],
    ) -> list[EntityMention]:
        """Name-shaped lists after an evaluation cue: "experiments on ImageNet and LAION-5B", "On PACS, ..."."""
        taken = _Spans(spans + systems, []).taken
        return _listed(doc, self.cue_index, self.dataset_lists, ws, sentences, taken, "DATASET", None)

    def _listed_systems(self, doc: Doc, ws: Words, sentences: Sentences, spans: _Spans) -> list[EntityMention]:
        """Name-shaped lists after a toolchain cue: "deploying through ESP-DL and LiteRT", "built on X and Y"."""
        if doc._.pg_field == "title":  # a title's Capitalized Words are not names
            return []
        return _listed(doc, self.system_cue_index, self.system_lists, ws, sentences, spans.taken, "SYSTEM", "mentioned")

    def _sized_datasets(self, ws: Words, spans: list[tuple[int, int, str]]) -> list[EntityMention]:
        """Names with a size tail in thousands or millions: "Places-365K", "LMSYS-Chat-1M" (models carry a "B")."""
        out: list[EntityMention] = []
        for w in ws:
            if _SIZED_NAME.match(w.text) and not any_overlap(spans, w.start, w.end):
                out.append(EntityMention("DATASET", w.start, w.end, w.text, "", w.text))
        return out

    def _dataset_name(self, word: str) -> bool:
        """A word shaped like a dataset's name: "COCO", "TJU-DHD", "OpenEDS2020", "Places-365", "3ET+"."""
        shape = self.system_rules.shape(word)
        if shape in ("strong", "caps"):
            return not _FORMAT_LIKE.match(word)
        if shape == "cap":
            return "-" in word or any(c.isdigit() for c in word)
        return _DIGIT_NAME.match(word) is not None or _HYPHENED_TITLE.match(word) is not None

    @staticmethod
    def _hardware_mention(text: str, found: HardwareFound) -> EntityMention:
        surface = text[found.start : found.end]
        return EntityMention("HARDWARE", found.start, found.end, surface, "", found.name, None, found.attrs())

    def _mention(self, hit: Hit) -> EntityMention:
        rule = hit.rules[0]
        meta = self.meta.get(rule.id, {})
        name = str(meta.get("name") or rule.pattern)
        attrs: dict[str, Any] = {k: meta[k] for k in ("type", "family") if k in meta}
        return EntityMention(rule.label, hit.start, hit.end, hit.text, rule.id, name, None, attrs)

    def _system_mention(self, text: str, hit: Hit, title: bool = False) -> EntityMention:
        """A known system, named as written: the matched alias plus any version/size tail; with its lineage,
        the model families above it ("Llama-2-7B" -> "Llama 2" -> "Llama")."""
        rule = hit.rules[0]
        meta = self.meta.get(rule.id, {})
        end = _system_end(text, hit)
        written = text[hit.start : end]
        head = str(meta.get("name", rule.pattern))
        if written.lower() == (head + "s").lower() and not head.endswith("s"):
            written = written[:-1]
        matched = text[hit.start : hit.end]
        pattern = next(
            (str(r.pattern) for r in hit.rules if r.get("case", False) is False and r.get("fold") is None), ""
        )
        if pattern and matched != pattern and _same_letters(matched, pattern) and matched.islower():
            # "vllm", "llama 3 8b" typed in lower case: the name as the gazetteer writes it
            written = pattern + written[len(pattern) :]
        product = _PRODUCT_WORD.match(text, end) if not title else None  # a title's Words are all Capitalized
        if product and not _sentence_break(text, end):
            end = product.end()
            written, lineage = written + product.group(0), []
        else:
            lineage = self._system_lineage(meta, written, matched)
        attrs = {"family": lineage[0], "lineage": lineage} if lineage else {}
        id_ = "" if product and end == product.end() else rule.id
        return EntityMention("SYSTEM", hit.start, end, text[hit.start : end], id_, written, "mentioned", attrs)

    def _system_lineage(self, meta: dict[str, Any], written: str, matched: str) -> list[str]:
        """Families above a known model as written: its name with the last of its tuning suffix, size and version
        stripped, in turn ("Qwen2.5-1.5B-Instruct" -> "Qwen2.5-1.5B" -> "Qwen2.5" -> "Qwen"), then the families
        the gazetteer gives the model ("GPT-4o" -> "GPT-4" -> "GPT")."""
        base = strip_possessive(matched)
        cuts = [len(base) + m.end() for m in _TAIL_PART.finditer(written[len(base) :])]
        chain = [written[:cut] for cut in reversed(cuts[:-1])] + ([base] if cuts else [])
        family = meta.get("family")
        while family and len(chain) < 8:
            chain.append(str(family))
            family = self.meta.get(self._system_ids.get(slugify(str(family)), ""), {}).get("family")
        return [name for name in dict.fromkeys(chain) if name and slugify(name) != slugify(written)]

    def _parallel_ellipsis(self, text: str, found: list[EntityMention]) -> list[EntityMention]:
        """ "data, tensor and pipeline parallelism", "parallelism (e.g., data, tensor, pipeline)"."""
        out: list[EntityMention] = []
        lowered = text.lower()
        for regex in (_ELLIPSIS_BEFORE, _ELLIPSIS_AFTER):
            for m in regex.finditer(lowered):
                for wm in re.finditer(_PARALLEL_WORD, lowered[m.start() : m.end()]):
                    start, end = m.start() + wm.start(), m.start() + wm.end()
                    if any(holds(f, start) for f in found + out):
                        continue
                    id_ = _PARALLEL_TECHNIQUE[wm.group(1)]
                    meta = self.meta.get(id_, {})
                    attrs: dict[str, Any] = {"family": meta["family"]} if "family" in meta else {}
                    out.append(
                        EntityMention(
                            "TECHNIQUE", start, end, text[start:end], id_, str(meta.get("name", "")), None, attrs
                        )
                    )
        return [m for m in out if m.name]


@dataclass
class _Spans:
    """What already stands in a field, for the coined-name rules: entity spans, then technique spans."""

    occupied: list[tuple[int, int, str]]
    techniques: list[tuple[int, int, str]]

    def taken(self, start: int, end: int) -> str | None:
        """The label of a mention overlapping ``start:end``; "HARDWARE-PART" where the span strictly contains a
        hardware name ("CloudMatrix-Infer")."""
        for s, e, label in self.occupied:
            if overlaps(start, end, s, e):
                if label == "HARDWARE" and start <= s and e <= end and (start, end) != (s, e):
                    return "HARDWARE-PART"
                return label
        technique = overlapping(self.techniques, start, end)
        return str(technique[2]) if technique is not None else None


def _label_at(spans: list[tuple[int, int, str]]) -> Callable[[int, int], str | None]:
    """The label of the first of ``spans`` (read when called: the list may grow) overlapping a span."""

    def label(start: int, end: int) -> str | None:
        other = overlapping(spans, start, end)
        return str(other[2]) if other is not None else None

    return label


def _listed(
    doc: Doc,
    cues: RuleMatcher,
    lists: NameLists,
    ws: Words,
    sentences: Sentences,
    taken: Taken,
    label: str,
    role: str | None,
) -> list[EntityMention]:
    """The items of the lists after every cue ``cues`` finds in ``doc``, once per span, as ``label`` mentions."""
    hits = cues.candidates(doc)
    if not hits:
        return []
    weak = [h.end for h in hits if all(r.get("needs_known") for r in h.rules)]
    strong = [h.end for h in hits if not all(r.get("needs_known") for r in h.rules)]
    items = lists.find(ws, strong, sentences, taken) + lists.find(ws, weak, sentences, taken, need_known=True)
    unique = {(i.start, i.end): i for i in items}
    return [EntityMention(label, i.start, i.end, i.text, "", i.text, role) for i in unique.values()]


def _respell_dataset(text: str, m: EntityMention) -> None:
    """A known dataset written with a glued prefix ("N-MNIST") or a version tail ("Speech Commands v2") is
    another dataset: the mention takes the name as written."""
    prefix = _DATASET_PREFIX.search(text, max(0, m.start - 8), m.start) if text[m.start - 1 : m.start] == "-" else None
    tail = _DATASET_TAIL.match(text, m.end)
    if prefix is None and tail is None:
        return
    if prefix is not None:
        m.start, m.name = prefix.start(), text[prefix.start() : m.end]
    if tail is not None:
        m.end, m.name = tail.end(), m.name + text[m.end : tail.end()]
    m.id, m.surface = "", text[m.start : m.end]


def _titled_datasets(text: str, spans: list[tuple[int, int, str]]) -> list[EntityMention]:
    """Capitalized names whose last word is a data noun: "the SuiteSparse Matrix Collection", "the Open LLM
    Leaderboard"; not after "we introduce" (the paper's own is a system)."""
    out: list[EntityMention] = []
    for m in _TITLED_DATASET.finditer(text):
        words = m.group(0).split()
        while words and words[0].lower() in COMMON_CAPITALIZED:
            words.pop(0)
        start = m.end() - len(" ".join(words))
        own = re.search(r"\b(?:we|our|introduce|present|propose)\b[^.]{0,30}$", text[max(0, start - 40) : start], re.I)
        if len(words) < 2 or own or any_overlap(spans, start, m.end()):
            continue
        out.append(EntityMention("DATASET", start, m.end(), text[start : m.end()], "", text[start : m.end()]))
    return out


def _capitalized_before(ws: Words, i: int, sentences: Sentences, label: Callable[[int, int], str | None]) -> list[Any]:
    """A run of Capitalized words right before the data noun at ``i``, after "the": "the Wake Vision dataset"."""
    sent = sentences.index(ws[i].start)
    k = i - 1
    while (
        k >= 0
        and i - k <= 3
        and sentences.index(ws[k].start) == sent
        and _CAPITALIZED.match(ws[k].text)
        and ws[k].text.lower() not in ("the", "a", "an", "our", "this")
        and label(ws[k].start, ws[k].end) is None
    ):
        k -= 1
    if k == i - 1 or k < 0 or ws[k].text.lower() != "the" or ws[k + 1].text.lower() in COMMON_CAPITALIZED:
        return []
    start, end = ws[k + 1].start, ws[i - 1].end
    return [Item(start, end, sentences.text[start:end])]


# Capitalized words after a maker ending in a tool's head word: "Qualcomm AI Engine Direct", "Arm Performance
# Libraries", "AMD Ryzen AI Software".
_ORG_PRODUCT = re.compile(
    r" (?:(?:[A-Z][\w.+-]*|AI) ){1,3}"
    r"(?:SDK|Toolkit|Engine(?: Direct)?|Runtime|Librar(?:y|ies)|Compiler|Software|Direct)(?![\w-])"
)


def _org_products(text: str, orgs: dict[int, int], mentions: list[EntityMention]) -> list[EntityMention]:
    """Tools named by Capitalized words and a tool head word after their maker, where nothing else stands."""
    out: list[EntityMention] = []
    for end, start in orgs.items():
        m = _ORG_PRODUCT.match(text, end)
        if m is None or any(overlaps(start, m.end(), x.start, x.end) and x.label != "SYSTEM" for x in mentions):
            continue
        if any(x.start <= start and m.end() <= x.end for x in mentions):
            continue
        name = text[start : m.end()]
        out.append(EntityMention("SYSTEM", start, m.end(), name, "", name, "mentioned"))
    return out


def _plurals(words: set[str]) -> frozenset[str]:
    return frozenset(words | {w + "s" for w in words})


def _strictly_inside(mention: EntityMention, spans: list[tuple[int, int]]) -> bool:
    return any(within(mention, s, e) and (s, e) != (mention.start, mention.end) for s, e in spans)


BENCHMARK_NOUNS = frozenset({"benchmark", "benchmarks", "suite", "suites"})
DATA_PART_NOUNS = frozenset(
    {"collection", "collections", "split", "splits", "subset", "subsets", "set", "sets", "sequences", "tracks"}
)
"""Nouns of a part of a named dataset: "the Occ3D-Waymo split", "the SuiteSparse collection"."""
_VERB_LIKE_PARTS = frozenset({"set", "sets", "split", "splits", "tracks"})
DATA_PART_MODIFIERS = frozenset(
    {"test", "testing", "validation", "val", "dev", "held-out", "training", "train", "evaluation", "wake-word", "test-"}
)
DATASET_NOUNS = frozenset({"dataset", "datasets", "corpus", "corpora"}) | BENCHMARK_NOUNS
_DATASET_NOUN = re.compile(
    r"\b(?:datasets?|corpus|corpora|benchmarks?|suites?|collections?|splits?|subsets?|sets?|sequences|tracks)\b", re.I
)
# A version or variant written with a known dataset is part of its name: "Speech Commands v2", "Common Voice
# 17.0", "DataComp-1B", "Occ3D-Waymo" (a year is not: "COCO 2017" is COCO).
_DATASET_TAIL = re.compile(r"(?:\s+v\d+(?:\.\d+)*|\s+\d{1,3}\.\d+|-(?:\d+(?:\.\d+)?[KMBT]|[A-Z][A-Za-z0-9]+))(?![\w-])")
# Capitalized names that end in a data noun of their own: "SuiteSparse Matrix Collection", "AI City Challenge".
_TITLED_DATASET = re.compile(
    r"(?<![\w.-])(?:[A-Z][\w+-]*\s+){1,3}(?:Collection|Challenge|Leaderboard|Dataset|Corpus|Benchmark|Suite)(?![\w-])"
)
_CAPITALIZED = re.compile(r"^[A-Z][A-Za-z0-9+-]*$")
_HYPHENED_TITLE = re.compile(r"^[A-Z][A-Za-z0-9]*(?:-(?:of|the|in|on|and|for|to|at))+-[A-Z][A-Za-z0-9]*$")
"""Capitalized words joined by hyphens over a short function word: "View-of-Delft", "Learning-to-Rank"."""
_DIGIT_NAME = re.compile(r"^\d[A-Z]{2,}[A-Za-z0-9]*\+?$")  # "3ET+", "3DMatch"-like names led by a digit
_OWN_WORDS = frozenset({"our", "we", "new", "novel", "propose", "proposes", "introduce", "introduces", "present"})
_SIZED_NAME = re.compile(r"^[A-Z][A-Za-z]+(?:-[A-Za-z]+)*-\d+(?:\.\d+)?[KM]$")
_DATASET_PREFIX = re.compile(r"(?<![\w-])[A-Z][A-Za-z0-9]{0,5}-$")
_FORMAT_LIKE = re.compile(r"^(?:U?INT\d+|FP\d+|BF\d+|[A-Z]\d?|\d.*)$")


def _folded_systems(rules: list[Rule]) -> list[Rule]:
    """Known system names matched in any letter case ("vllm", "llama", "tensorrt-llm"), as users type them.

    Names that are ordinary words in lower case ("Spark", "Orca", "ZeRO", "Whisper") carry ``"fold": false`` and
    keep matching only as written.
    """
    out: list[Rule] = []
    for r in rules:
        pattern = r.pattern
        if r.label != "SYSTEM" or not isinstance(pattern, str) or r.get("fold") is False or not r.get("case", False):
            continue
        if len(pattern) < 3 or pattern.lower() == pattern:
            continue
        attrs = {k: v for k, v in r.attrs.items() if k != "name"}
        attrs["case"] = False
        out.append(Rule(r.label, pattern, r.id, attrs, r.source))
    return out


STRONG_RULES = frozenset({"title", "propose", "named", "known", "apposition", "baseline"})


def r_is_word(text: str) -> bool:
    """Whether a rule pattern is a word worth comparing case-insensitively (longer than three letters)."""
    return len(text) > 3 and text.replace("-", "").isalpha()


def _slash_variants(text: str, systems: list[EntityMention]) -> list[EntityMention]:
    """Sibling variants written after a slash: "ResNet50/101" also names ResNet101, "DeepSeek-V3/R1" DeepSeek-R1."""
    out: list[EntityMention] = []
    for m in systems:
        tail = _SLASH_TAIL.match(text, m.end)
        if tail is None:
            continue
        t = tail.group(1)
        name = m.name
        if t.isdigit():
            base = re.search(r"\d+$", name)
        elif t.isalpha():
            base = re.search(rf"(?<=\d)[A-Za-z]{{{len(t)}}}$", name)
        else:
            n_letters = len(re.match(r"[A-Za-z]*", t).group(0))  # type: ignore[union-attr]
            base = (
                re.search(rf"(?<![A-Za-z])[A-Za-z]{{{n_letters}}}\d+(?:\.\d+)?[A-Za-z]?$", name) if n_letters else None
            )
        if base is None or base.group(0) == t:
            continue
        variant = name[: base.start()] + t
        out.append(EntityMention("SYSTEM", tail.start(1), tail.end(1), t, "", variant, m.role))
    return out


def _glued_prefix(ws: Words, hit: Hit) -> bool:
    """Whether a hit is the end of a longer word joined by a hyphen: "GCN" in "AWB-GCN"."""
    k = ws.holding(hit.start)
    return k >= 0 and ws[k].start < hit.start < ws[k].end and ws[k].text[hit.start - ws[k].start - 1] == "-"


def _system_end(text: str, hit: Hit) -> int:
    """End of a known system's written name: the alias, then any version/size tail its row allows
    ("LLaMA-2-70B", "Qwen2.5-1.5B-Instruct", "GPT-2 medium"); a possessive "'s" left out."""
    end = hit.start + len(strip_possessive(text[hit.start : hit.end]))
    if not any(r.get("suffix") for r in hit.rules):
        end = _glued_name_end(text, end)
        release = _RELEASE.match(text, end)  # "TensorRT 10", "ROCm 6.2", "Vitis HLS 2024.1"
        return release.end() if release else end
    spaces = 0
    for _ in range(6):
        m = _SUFFIX_PART.match(text, end)
        if m is None and spaces < 2:
            m = _SPACE_PART.match(text, end)
            spaces += 1 if m else 0
        if m is None or m.end() == end:
            break
        end = m.end()
    size = _SIZE_WORD.match(text, end)
    return _glued_name_end(text, size.end() if size else end)


# A release written after a known tool: a dotted or "v" version, or a number of two digits before a clause word
# ("TensorRT 10 on an NVIDIA DRIVE Thor"); not a result ("vLLM 2.1x", "PyTorch 2.1 times").
_RELEASE = re.compile(
    r" (?:v?\d+\.\d+(?:\.\d+)*|v\d+)(?![\w%\u00d7]|\.\d|\s*(?:x|times|fold|%)(?!\w))"
    r"| \d{1,2}(?=\s+(?:to|on|and|in|with|for|as|is|was|via|under)\b|[,;)]|\.(?!\d))"
)
# A product built on a known tool and named after it: "ONNX Runtime GenAI", "PyTorch DataLoader", "Qiskit Runtime",
# "GPUDirect Storage" (its own system: no family); a collective operation is none ("NCCL AllReduce").
_PRODUCT_WORD = re.compile(
    r" (?!(?:All|Reduce)[A-Z]?[a-z]*(?![\w-]))"
    r"(?:[A-Z][a-z]+[A-Z][A-Za-z]*|Runtime|Serving|Storage|Server|Engine|Direct|Lite|Mobile|Micro|Pro|Edge)(?![\w-])"
)
# A name glued to a known one by a hyphen: "DLRM-DCNv2", "CUDA-Q", "Conformer-Transducer", "Whisper-large-v3-turbo";
# a lower-case word ("BERT-based", "GPT-style", "CUDA-enabled"), capitalized in a title, describes it instead.
_DESCRIBING = (
    "based|aware|like|style|driven|enabled|specific|oriented|free|friendly|level|scale|compatible|powered|"
    "assisted|guided|inspired|only|native|backed|accelerated|optimized|generated"
)
_GLUED_NAME = re.compile(
    rf"(?:-(?!(?i:{_DESCRIBING})(?![\w]))(?:[A-Z][\w.]*|[a-z]*\d[\w.]*|turbo|mini|lite|tiny))+(?![\w-])"
)


def _sentence_break(text: str, end: int) -> bool:
    """Whether a sentence ends right at ``end`` (the next word then starts a new sentence)."""
    return text[end - 1 : end] in ".!?"


# A compound ending in a describing word is an adjective ("LLM-Guided", "SLO-Aware", "Hardware-Efficient").
_DESCRIBING_COMPOUND = re.compile(rf"-(?i:{_DESCRIBING}|efficient|centric|agnostic|tolerant|adaptive)$")
# A coined name shaped like a benchmark or data set: "KernelBench", "MT-Bench", "Bench2Drive", "TriviaQA",
# "HumanEval", "DevSet", "MathCorpus" (one the paper proposes is its system, by the labelling rules).
_DATASET_SHAPED = re.compile(
    r"^(?:[A-Za-z0-9]+[-_]?(?:Bench|BENCH|Benchmark|QA|Eval|Corpus|Suite)(?:[-_ ]?(?:v?\d+(?:\.\d+)*|[A-Z][a-z]+))?"
    r"|Bench2[A-Z][A-Za-z]+)$"
)


# A sentence's opening preposition written before a name: "Against HP-GNN, ...", "Unlike FooNet, ...".
_LEADING_WORD = re.compile(r"^(?:Against|Compared|Unlike|Versus|Over|With|Using|On|In|For|From|Like|Beyond|Via)\s+")


def _without_leading_word(cand: SystemCandidate) -> SystemCandidate:
    """A coined name without the opening preposition a sentence wrote before it ("Against HP-GNN" -> "HP-GNN")."""
    lead = _LEADING_WORD.match(cand.name)
    if lead is None:
        return cand
    return replace(cand, start=cand.start + lead.end(), name=cand.name[lead.end() :])


def _coined_mention(text: str, cand: SystemCandidate) -> EntityMention:
    """A coined name as a mention: a system, or a dataset where it is shaped like a benchmark the paper only uses."""
    label = "DATASET" if cand.role != "proposed" and _DATASET_SHAPED.match(cand.name) else "SYSTEM"
    role = cand.role if label == "SYSTEM" else None
    return EntityMention(label, cand.start, cand.end, text[cand.start : cand.end], "", cand.name, role)


def _glued_name_end(text: str, end: int) -> int:
    m = _GLUED_NAME.match(text, end)
    return m.end() - (1 if m and text[m.end() - 1] == "." else 0) if m else end


# The elements of a model's tail, each one step down its family: a version glued or separated ("2.5", "-2", " 3",
# "v8"), a size ("-7B", " 8x7B", "50"), a tuning or variant suffix ("-Instruct", "n" of "YOLOv8n", " medium").
_TAIL_PART = re.compile(
    r"[-_ ]?(?:[vV]?\d+(?:\.\d+)*(?:[xX\u00d7]\d+(?:\.\d+)?)?[BMKbmk]?(?![\w.])|[vV]?\d+(?:\.\d+)*|[A-Za-z]+)"
)


def _same_letters(matched: str, pattern: str) -> bool:
    """Whether ``matched`` starts with ``pattern`` ignoring case, hyphens and spacing ("llama 3" / "Llama-3")."""

    def squash(t: str) -> str:
        return "".join(c for c in t.lower() if c.isalnum())

    return squash(matched).startswith(squash(pattern))


def _covers_hardware(cand: Any, occupied: list[tuple[int, int, str]]) -> bool:
    return any(label == "HARDWARE" and cand.start <= s and e <= cand.end for s, e, label in occupied)


def _inside(cand: Any, others: list[Any]) -> bool:
    return any(within(cand, o.start, o.end) for o in others)


class MetricMatcher:
    """Number-bearing results with units, kinds and hardware ties (``papergraph_metrics``)."""

    def __init__(self, nlp: Language, name: str = "papergraph_metrics", files: Iterable[str] = METRIC_FILES) -> None:
        self.name = name
        rules: list[Rule] = []
        for filename in files:
            rules.extend(load_rules(filename))
        self.finder = MetricFinder(nlp, rules, rules)

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        masked = mask_urls(text)
        entities: list[EntityMention] = doc._.pg_entities or []
        hardware = [
            HardwareSpan(
                m.start,
                m.end,
                m.name,
                level=str(m.attrs.get("level", "model")),
                type=str(m.attrs.get("type", "other")),
                family=m.attrs.get("family"),
                lineage=tuple(m.attrs.get("lineage", ())),
            )
            for m in entities
            if m.label == "HARDWARE"
        ]
        # numbers inside names are not results ("LLaMA-7B", "Gaudi 2"); inside a technique they are ("8-bit")
        blocked = [(m.start, m.end) for m in entities if m.label != "TECHNIQUE"]
        found: list[MetricFound] = self.finder.find(doc, masked, doc_sentences(doc), hardware, blocked)
        doc._.pg_metrics = found
        return doc


@Language.factory(
    "papergraph_entities",
    default_config={"files": list(ENTITY_FILES)},
    assigns=["doc._.pg_entities"],
)
def make_entity_ruler(nlp: Language, name: str, files: list[str]) -> EntityRuler:
    """Factory of the hardware/technique/system/dataset matcher."""
    return EntityRuler(nlp, name, files)


@Language.factory(
    "papergraph_metrics",
    default_config={"files": list(METRIC_FILES)},
    assigns=["doc._.pg_metrics"],
    requires=["doc._.pg_entities"],
)
def make_metric_matcher(nlp: Language, name: str, files: list[str]) -> MetricMatcher:
    """Factory of the number/unit/kind matcher; runs after ``papergraph_entities``."""
    return MetricMatcher(nlp, name, files)
