"""The words a question can name things with, gathered once per loaded graph.

* every entity node of the graph, under its name, its name without the vendor ("A100") and its name with
  qualifiers left out ("Jetson Orin" for "NVIDIA Jetson AGX Orin");
* the families, vendors and hardware types the nodes carry, as levels of their own;
* the extraction gazetteer's aliases (``extract/data/*.jsonl``: "LoRA", "A100 GPUs", "quantisation",
  "graphics cards"), read as data, so entities no paper mentions are still recognised (and said to have none);
* the corpus's own words (to tell a misspelling from a rare word), abbreviations ("knowledge distillation
  (KD)") and authors.

Keys are case-folded, with hyphens read as spaces, a possessive dropped and the last word singular
("FPGAs" = "fpga", "mixture-of-experts" = "mixture of expert"). Names that are also ordinary words of the
corpus ("Accordion", "Orca", "COmputation") only match as written.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any

import Stemmer

from papergraph.gazetteer import load_gazetteer
from papergraph.models import EntityCount, EntityType, Paper
from papergraph.query.plan import Level
from papergraph.query.rules import QuestionRules
from papergraph.query.textindex import TextIndex

log = logging.getLogger(__name__)

WORD = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9+.#_'’-]*[A-Za-z0-9+#])?")
_ALNUM = re.compile(r"[^\W_]+")
_POSSESSIVE = re.compile(r"['’]s?$")
_SPLIT = re.compile(r"[-_]+")
_LABEL_TYPES = {"HARDWARE": EntityType.HARDWARE, "TECHNIQUE": EntityType.TECHNIQUE}
_LABEL_TYPES |= {"SYSTEM": EntityType.SYSTEM, "DATASET": EntityType.DATASET}
_ABBREVIATION = re.compile(r"\(([A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*?)(s?)\)")
_MAKER_LABELS = ("VENDOR", "FAMILY")
MAKER_MIN_CHARS = 3
"""A maker or product-line spelling shorter than this ("CS") is not linked from the gazetteer alone."""
CORPUS_SAMPLE = 5000
"""Papers (evenly spaced) whose words and abbreviations are counted: enough to know the corpus's language."""
COMMON_WORD = 3
"""A word used this often in lower case in the corpus is an ordinary word: names spelled like it are guarded."""
GUARDED_TYPES = (EntityType.SYSTEM, EntityType.DATASET)
_WORDLIKE = re.compile(
    r"^[A-Za-z]+(ing|tion|sion|ment|ness|ity|ers?|ed|able|ible|al|ous|ive|ly|ism|ist|ure|ance|ence)$"
)


def singular(word: str) -> str:
    """A plural's last letters off ("fpgas" -> "fpga", "boards" -> "board", "libraries" -> "library")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if len(word) == 4 and word.endswith("us"):  # acronym plurals: GPUs, TPUs, MCUs
        return word[:-1]
    return word


def norm(words: Sequence[str], fold: bool = True) -> str:
    """The lookup key of a phrase given as words (see the module docstring)."""
    parts: list[str] = []
    for word in words:
        word = _POSSESSIVE.sub("", word.casefold() if fold else word)
        parts.extend(p for p in _SPLIT.split(word) if p)
    if parts:
        parts[-1] = singular(parts[-1])
    return " ".join(parts)


def key(text: str, fold: bool = True) -> str:
    return norm(WORD.findall(text), fold)


_STEMMER = Stemmer.Stemmer("english")


def stem_key(words: Sequence[str]) -> str:
    """A phrase as Snowball stems ("pruning" and "prune" -> "prune"; "quantization", "quantize" -> "quantiz")."""
    parts = norm(words).split()
    return " ".join(_STEMMER.stemWords(parts)) if parts else ""


@dataclass(frozen=True)
class Sense:
    """One thing a key can name: an entity node, a family, a vendor or a hardware type."""

    type: EntityType
    level: Level
    name: str
    node_id: str | None = None
    hw_type: str | None = None
    alias: bool = False  # reached through another name than its own
    in_graph: bool = True  # False: known to the gazetteer, but no paper mentions it
    vendor: str | None = None  # a class made by one vendor ("AMD GPU"): vendor and type together


@dataclass
class Vocabulary:
    """Keys to senses, plus what the linker needs about the corpus."""

    folded: dict[str, list[Sense]] = field(default_factory=lambda: defaultdict(list))
    cased: dict[str, list[Sense]] = field(default_factory=lambda: defaultdict(list))
    sub_families: dict[tuple[EntityType, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    families: set[tuple[EntityType, str]] = field(default_factory=set)  # names some node has as its family
    words: Counter[str] = field(default_factory=Counter)  # corpus words, case-folded
    lower_words: Counter[str] = field(default_factory=Counter)  # corpus words written in lower case
    authors: list[str] = field(default_factory=list)
    guarded: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # key -> names typed as words
    max_words: int = 1
    texts: list[str] = field(default_factory=list)
    stemmed: dict[str, list[Sense]] = field(default_factory=lambda: defaultdict(list))  # technique keys, stemmed
    text: TextIndex | None = None  # every paper's title and abstract by stem, for subjects that are no entity
    word_starts: list[str] = field(default_factory=list)  # the corpus's words (letters and digits), sorted
    authors_by_word: dict[str, list[str]] = field(default_factory=dict)  # last name word -> full names
    node_papers: dict[str, int] = field(default_factory=dict)  # node id -> papers linked to it
    name_papers: dict[tuple[EntityType, str], int] = field(default_factory=dict)  # (type, folded name) -> papers
    _abbreviations: dict[str, str] | None = None
    _fuzzy: dict[tuple[int, bool], list[str]] | None = None

    # --- building -----------------------------------------------------------------------------------
    def add(self, phrase: str, sense: Sense, cased: bool = False) -> None:
        words = WORD.findall(phrase)
        k = norm(words, fold=not cased)
        if not k:
            return
        table = self.cased if cased else self.folded
        if sense not in table[k]:
            table[k].append(sense)
        self.max_words = max(self.max_words, len(k.split()))
        self._fuzzy = None

    # --- reading ------------------------------------------------------------------------------------
    def lookup(self, words: Sequence[str], sentence_start: bool = False) -> list[Sense]:
        """Senses of a phrase: as written first (case-sensitive names), else case-folded.

        A name spelled like an ordinary word ("MELTing", "Transformer") only matches when typed with a
        capital somewhere (a capital that only starts the sentence does not count).
        """
        cased = self.cased.get(norm(words, fold=False))
        if cased:
            return list(cased)
        k = norm(words)
        senses = list(self.folded.get(k, ()))
        typed = "".join(words)
        names = self.guarded.get(k)
        if names and (typed.islower() or (sentence_start and typed[1:].islower())):
            senses = [s for s in senses if s.name not in names]
        return senses

    def lookup_stem(self, words: Sequence[str]) -> list[Sense]:
        """Techniques named by another form of their words ("prune" -> pruning, "quantize" -> quantization)."""
        return list(self.stemmed.get(stem_key(words), ()))

    def family_closure(self, type_: EntityType, name: str) -> tuple[str, ...]:
        """A family and every family below it by the ``family`` property ("model compression" -> quantization)."""
        seen = [name]
        for current in seen:
            seen += sorted(self.sub_families.get((type_, current), set()) - set(seen))
        return tuple(seen)

    def is_word(self, token: str) -> bool:
        """Whether the corpus uses this word (a rare word is not a misspelling)."""
        return self.words.get(token.casefold(), 0) > 0

    def fuzzy_keys(self, n_words: int, stems: bool = False) -> list[str]:
        """Keys with ``n_words`` words that a misspelling may be corrected to (entities with papers): the
        case-folded keys, or with ``stems`` the stemmed technique keys (for misspelled verbs: "prnue")."""
        if self._fuzzy is None:
            by_size: dict[tuple[int, bool], list[str]] = defaultdict(list)
            for stemmed, table in ((False, self.folded), (True, self.stemmed)):
                for k, senses in table.items():
                    if len(k) >= 5 and any(s.in_graph for s in senses):
                        by_size[(len(k.split()), stemmed)].append(k)
            self._fuzzy = {key: sorted(keys) for key, keys in by_size.items()}
        return self._fuzzy.get((n_words, stems), [])

    def senses_of(self, k: str, stems: bool = False) -> list[Sense]:
        """The senses of a key from :meth:`fuzzy_keys`."""
        return list((self.stemmed if stems else self.folded).get(k, ()))

    def starts_a_word(self, prefix: str) -> bool:
        """Whether some corpus word begins with this (case aside): "RTX" of "RTX4090", "YOLO" of "YOLOv8"."""
        folded = prefix.casefold()
        at = bisect_left(self.word_starts, folded)
        return at < len(self.word_starts) and self.word_starts[at].startswith(folded)

    def abbreviation(self, token: str) -> str | None:
        """The long form the corpus defines for an acronym ("KD" -> "knowledge distillation"), if any."""
        if self._abbreviations is None:
            self._abbreviations = mine_abbreviations(self.texts)
        found = self._abbreviations.get(token) or self._abbreviations.get(singular(token))
        return found


# --------------------------------------------------------------------------------------------------
# Building from the graph, the gazetteers and the corpus
# --------------------------------------------------------------------------------------------------


def build_vocabulary(
    entities: Sequence[EntityCount],
    papers: Iterable[Paper],
    rules: QuestionRules,
    gazetteer: Sequence[dict[str, Any]] | None = None,
) -> Vocabulary:
    vocab = Vocabulary()
    papers = list(papers)
    step = max(1, len(papers) // CORPUS_SAMPLE)
    for paper in papers[::step]:
        text = paper.text
        vocab.texts.append(text)
        for word in WORD.findall(text):
            vocab.words[word.casefold()] += 1
            if word.islower():
                vocab.lower_words[word] += 1
    vocab.authors = sorted({a for paper in papers for a in paper.authors})
    vocab.word_starts = sorted({w.casefold() for text in vocab.texts for w in _ALNUM.findall(text)})
    by_word: dict[str, list[str]] = defaultdict(list)
    for author in vocab.authors:
        parts = author.casefold().split()
        if len(parts) >= 2:
            by_word[parts[-1]].append(author)
    vocab.authors_by_word = dict(by_word)
    vocab._abbreviations = mine_abbreviations(vocab.texts)
    vocab.text = TextIndex.build(((p.id, p.text) for p in papers), rules.stopwords, vocab._abbreviations)
    vendors = _vendors(entities, rules)
    graph_senses = _add_graph(vocab, entities, vendors, _type_keys(rules))
    _add_types(vocab, rules)
    for name, spellings in vendors.items():
        for spelling in spellings:
            vocab.add(spelling, Sense(EntityType.HARDWARE, Level.VENDOR, name))
    rows = gazetteer if gazetteer is not None else load_gazetteer()
    _add_gazetteer(vocab, rows, graph_senses)
    _add_lines(vocab, entities, vendors)
    _add_makers(vocab, rows, graph_senses)
    _add_stems(vocab)
    log.debug("vocabulary: %d keys, %d cased keys", len(vocab.folded), len(vocab.cased))
    return vocab


def _add_stems(vocab: Vocabulary) -> None:
    """Technique keys by their stems, for the verbs and adjectives people use ("prune", "distilled")."""
    for k, senses in list(vocab.folded.items()):
        techniques = [s for s in senses if s.type is EntityType.TECHNIQUE]
        stemmed = stem_key(k.split())
        if techniques and len(stemmed) >= 4:
            for sense in techniques:
                alias = replace(sense, alias=True)
                if alias not in vocab.stemmed[stemmed]:
                    vocab.stemmed[stemmed].append(alias)


def _vendors(entities: Sequence[EntityCount], rules: QuestionRules) -> dict[str, set[str]]:
    """Vendor name as the graph spells it -> the words naming it (stored vendors, else name prefixes)."""
    found: dict[str, set[str]] = defaultdict(set)
    aliases = {alias.casefold(): name for name, spellings in rules.vendors for alias in (name, *spellings)}
    for e in entities:
        if e.type is not EntityType.HARDWARE:
            continue
        stored = e.properties.get("vendor")
        first = e.name.split(" ", 1)[0]
        if stored:
            found[str(stored)].add(str(stored))
        elif " " in e.name and first.casefold() in aliases:
            found[first].add(first)
    for name in list(found):
        canonical = aliases.get(name.casefold())
        if canonical:
            found[name].update(a for a, n in aliases.items() if n == canonical)
    return found


def _node_sense(
    e: EntityCount, family_values: set[tuple[EntityType, str]], type_keys: Mapping[str, str] | None = None
) -> Sense:
    props = e.properties
    bucket = props.get("type") == "other"  # a class filed under "other" (DSP, ECU) is itself, not the bucket
    if (
        e.type is EntityType.HARDWARE
        and not bucket
        and (e.name.casefold() == str(props.get("type", "")).casefold() or _type_named(e, type_keys))
    ):
        if props.get("vendor"):  # "AMD GPU": the vendor's GPUs, whatever model
            return Sense(e.type, Level.VENDOR, e.name, hw_type=str(props["type"]), vendor=str(props["vendor"]))
        return Sense(e.type, Level.TYPE, str(props["type"]), hw_type=str(props["type"]))
    if props.get("level") == "family" or (e.type, e.name) in family_values:
        return Sense(e.type, Level.FAMILY, e.name)
    return Sense(e.type, Level.MODEL, e.name, node_id=e.id)


def _type_named(e: EntityCount, type_keys: Mapping[str, str] | None) -> bool:
    """A class node that names its whole type ("GPU", "single-board computer" as a type word of the rules; a
    vendor's class, "AMD GPU"), not one kind of it: a class spelled otherwise ("RDMA", "PIM", "NVMe SSD" of the
    types network, memory, storage) is that node only, so a question naming it is not widened to every network,
    memory or storage device."""
    props = e.properties
    if props.get("level") != "class":
        return False
    hw_type = str(props.get("type", "")).casefold()
    if type_keys is not None and type_keys.get(key(e.name), "").casefold() == hw_type:
        return True
    vendor = str(props.get("vendor") or "").casefold()
    return bool(vendor) and e.name.casefold() == f"{vendor} {hw_type}"


def _add_lines(vocab: Vocabulary, entities: Sequence[EntityCount], vendors: Mapping[str, set[str]]) -> None:
    """Product lines named by the words before a model code ("GeForce RTX" of "NVIDIA GeForce RTX 4090") where
    no name, family, type or vendor already has those words: any of the models under them."""
    spellings = {s.casefold() for names in vendors.values() for s in names}
    lines: dict[str, list[Sense]] = defaultdict(list)
    for e in entities:
        if e.type is not EntityType.HARDWARE or e.properties.get("level") != "model":
            continue
        words = e.name.split()
        words = words[1:] if words and words[0].casefold() in spellings else words
        for size in range(1, len(words)):
            line = " ".join(words[:size])
            if _named(line) and any(c.isalpha() for c in line) and line.casefold() not in spellings:
                lines[line].append(Sense(e.type, Level.MODEL, e.name, node_id=e.id, alias=True))
    for line, senses in lines.items():
        k = key(line)
        if k in vocab.folded or key(line, fold=False) in vocab.cased or _ordinary(vocab, line):
            continue
        for sense in senses:
            vocab.add(line, sense)


def _short_names(name: str, vendors: Mapping[str, set[str]], parent: str | None = None) -> list[str]:
    """Other ways to write a hardware name: without its vendor or its parent family ("Orin" in the
    "NVIDIA Jetson" family), and with qualifiers left out ("Jetson Orin" for "NVIDIA Jetson AGX Orin")."""
    words = name.split()
    out: list[str] = []
    if parent and parent != name and name.startswith(parent + " "):
        rest = name[len(parent) + 1 :]
        if len(rest) >= 3 and any(c.isalpha() for c in rest):
            out.append(rest)
    if len(words) > 1 and any(words[0] in spellings for spellings in vendors.values()):
        rest = " ".join(words[1:])
        if len(rest) >= 3 or any(c.isdigit() for c in rest):
            out.append(rest)
    if 3 <= len(words) <= 6:
        *qualifiers, last = words
        out += [
            " ".join((*kept, last)) for size in range(1, len(qualifiers)) for kept in combinations(qualifiers, size)
        ]
    return [short for short in out if _named(short)]


def _class_modifier(e: EntityCount) -> list[str]:
    """The name word that sets a class node apart ("NVMe" of "NVMe SSD"): people write it alone ("NVMe storage")."""
    words = e.name.split()
    if e.properties.get("level") != "class" or len(words) < 2 or not _named(words[0]) or len(words[0]) < 3:
        return []
    return [words[0]]


def _named(short: str) -> bool:
    """A short name still names a product: a capital or a digit in it ("Orin", "A100"), not only common words
    ("boards" left of "AMD Zynq UltraScale+ boards" is every board)."""
    return any(c.isupper() or c.isdigit() for c in short)


def _add_graph(
    vocab: Vocabulary,
    entities: Sequence[EntityCount],
    vendors: Mapping[str, set[str]],
    type_keys: Mapping[str, str] | None = None,
) -> dict[Any, Sense]:
    """Graph names, families and short names; returns the sense of each (type, folded name) for the gazetteer."""
    family_values = {(e.type, str(e.properties["family"])) for e in entities if e.properties.get("family")}
    vocab.families = family_values
    for e in entities:
        family = e.properties.get("family")
        if family and family != e.name and (e.type, e.name) in family_values:
            vocab.sub_families[(e.type, str(family))].add(e.name)
    parents = {(e.type, e.name): str(e.properties.get("family") or "") for e in entities}
    senses: dict[Any, Sense] = {}
    for type_, family in sorted(family_values):
        sense = Sense(type_, Level.FAMILY, family)
        vocab.add(family, sense)
        senses[(type_, family.casefold())] = sense
        if type_ is EntityType.HARDWARE:
            shorts = _short_names(family, vendors, parents.get((type_, family)))
            for short in shorts[:2]:
                vocab.add(short, Sense(type_, Level.FAMILY, family, alias=True))
                if _ordinary(vocab, short):  # "Silicon" of Apple Silicon: only as a name
                    vocab.guarded[key(short)].add(family)
    for e in entities:
        vocab.node_papers[e.id] = e.papers
        vocab.name_papers[(e.type, e.name.casefold())] = e.papers
        sense = _node_sense(e, family_values, type_keys)
        senses.setdefault((e.type, e.name.casefold()), sense)
        vocab.add(e.name, sense)
        if e.type in GUARDED_TYPES and _ordinary(vocab, e.name):
            vocab.guarded[key(e.name)].add(sense.name)
        if e.type is EntityType.HARDWARE and sense.level is Level.MODEL:
            for short in _short_names(e.name, vendors) + _class_modifier(e):
                vocab.add(short, Sense(e.type, Level.MODEL, e.name, node_id=e.id, alias=True))
                if _ordinary(vocab, short):
                    vocab.guarded[key(short)].add(e.name)
    return senses


def _ordinary(vocab: Vocabulary, name: str) -> bool:
    """A one-word name spelled like an ordinary word ("HELP", "MELTing", "Transformer"): the corpus uses it in
    lower case, or it is built like an English word (an acronym only in the first case)."""
    if not name.isalpha() or name.islower():
        return False
    used = vocab.lower_words.get(name.casefold(), 0) + vocab.lower_words.get(name.casefold() + "s", 0)
    return used >= COMMON_WORD or (not name.isupper() and bool(_WORDLIKE.match(name)))


def _add_types(vocab: Vocabulary, rules: QuestionRules) -> None:
    """Type words of the rules (device classes; "network" or "memory" are not, as words)."""
    for hw_type, pattern in rules.type_words:
        for alternative in _alternatives(pattern.pattern):
            sense = Sense(EntityType.HARDWARE, Level.TYPE, hw_type.value, hw_type=hw_type.value, alias=True)
            vocab.add(alternative, sense)


def _type_keys(rules: QuestionRules) -> dict[str, str]:
    """Key of each type word of the rules -> its hardware type ("single board computer" -> edge-board)."""
    return {key(alt): hw_type.value for hw_type, pattern in rules.type_words for alt in _alternatives(pattern.pattern)}


def _alternatives(pattern: str) -> list[str]:
    """The phrases a simple type-word pattern spells out ("edge boards?|dev(elopment)? boards?")."""
    body = pattern.removeprefix("^(?:").removesuffix(")$")
    out: list[str] = []
    for alt in body.split("|"):
        stripped = re.sub(r"\(([^()]*)\)\?", "", alt)
        full = re.sub(r"\(([^()|]*)\)\??", r"\1", alt)
        for variant in {stripped, full}:
            text = re.sub(r"\[- \]|\[ -\]", " ", variant).replace("?", "").replace("\\", "")
            text = re.sub(r"\s+", " ", text).strip()
            if text and not re.search(r"[\[\]()|*+{}]", text):
                out.append(text)
    return out


def _add_gazetteer(vocab: Vocabulary, rows: Sequence[dict[str, Any]], graph: Mapping[Any, Sense]) -> None:
    """Aliases that resolve to a graph sense, a type, or an entity no paper mentions."""
    heads: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.get("name") and row.get("id") not in heads:
            heads[row["id"]] = row
    for row in rows:
        type_ = _LABEL_TYPES.get(str(row.get("label")))
        head = heads.get(str(row.get("id")))
        if type_ is None or head is None or not isinstance(row.get("pattern"), str) or row.get("context"):
            continue
        sense = _gazetteer_sense(type_, head, graph)
        pattern = row["pattern"]
        case = bool(row.get("case"))
        if type_ is EntityType.SYSTEM:
            case = row.get("fold") is False
        elif type_ is EntityType.HARDWARE and case and len(pattern) >= 4 and any(c.isdigit() for c in pattern):
            case = False  # model codes are typed in lower case too ("a100")
        existing = (vocab.cased if case else vocab.folded).get(norm(WORD.findall(pattern), fold=not case), [])
        if not any(not s.alias for s in existing):  # a graph name owns its key
            vocab.add(pattern, sense, cased=case)


def _add_makers(vocab: Vocabulary, rows: Sequence[dict[str, Any]], graph: Mapping[Any, Sense]) -> None:
    """Hardware makers and product lines the gazetteer knows but no paper mentions ("Cerebras", "Graphcore
    IPU"): names with no papers, so a question about them says so instead of listing near misses. Read
    last: a key anything else already has (a graph name, a line of models) keeps its senses; short codes
    ("CS") are left out, too often another word, and so are instruction sets ("RISC-V"), not makers."""
    heads = {r["id"]: r for r in rows if r.get("label") in _MAKER_LABELS and r.get("name") and not r.get("isa")}
    for row in rows:
        head = heads.get(str(row.get("id")))
        pattern = row.get("pattern")
        if head is None or not isinstance(pattern, str) or row.get("context") or len(pattern) < MAKER_MIN_CHARS:
            continue
        name = str(head["name"])
        if (EntityType.HARDWARE, name.casefold()) in graph or vocab.lookup(WORD.findall(pattern)):
            continue
        level = Level.VENDOR if row.get("label") == "VENDOR" else Level.FAMILY
        sense = Sense(EntityType.HARDWARE, level, name, alias=True, in_graph=False)
        vocab.add(pattern, sense, cased=bool(row.get("case")))


def _gazetteer_sense(type_: EntityType, head: Mapping[str, Any], graph: Mapping[Any, Sense]) -> Sense:
    name = str(head["name"])
    known = graph.get((type_, name.casefold()))
    if head.get("generic") and type_ is EntityType.HARDWARE:
        return Sense(type_, Level.TYPE, str(head["type"]), hw_type=str(head["type"]), alias=True)
    if known is not None:
        return replace(known, alias=True)
    if head.get("family_level"):
        return Sense(type_, Level.FAMILY, name, alias=True, in_graph=False)
    return Sense(type_, Level.MODEL, name, alias=True, in_graph=False)


def mine_abbreviations(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms the texts define ("knowledge distillation (KD)"): the most frequent long form of each.

    A long form is the shortest run of words before the parenthesis whose initials spell the acronym's
    capitals in order, starting with its first letter (a simplified Schwartz & Hearst, 2003).
    """
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for m in _ABBREVIATION.finditer(text):
            acronym = m.group(1)
            letters = [c.casefold() for c in acronym if c.isupper()]
            before = WORD.findall(text[max(0, m.start() - 120) : m.start()])
            long_form = _long_form(before, letters)
            if long_form:
                found[acronym][long_form] += 1
    return {a: forms.most_common(1)[0][0] for a, forms in found.items()}


def _long_form(before: Sequence[str], letters: Sequence[str]) -> str | None:
    for size in range(1, min(len(before), len(letters) + 2) + 1):
        words = before[-size:]
        initials = [p[0].casefold() for w in words for p in _SPLIT.split(w) if p]
        if initials and initials[0] == letters[0] and _subsequence(letters, initials):
            return " ".join(words)
    return None


def _subsequence(needle: Sequence[str], hay: Sequence[str]) -> bool:
    it = iter(hay)
    return all(c in it for c in needle)


__all__ = ["Sense", "Vocabulary", "build_vocabulary", "key", "load_gazetteer", "mine_abbreviations", "norm"]
