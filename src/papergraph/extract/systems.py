"""Finding the names of systems, frameworks and models that no gazetteer lists yet.

Papers coin names all the time ("BottleFit", "T-MAC", "Sarathi-Serve"), so a list of known systems is not
enough. These rules look for name-shaped words in the places authors put names: a title prefix before
":", the object of "we propose/present/introduce", after "called/named/dubbed", in appositions ("Presto, an
open-source ... engine"), after a descriptor noun ("the scheduler Sarathi-Serve") and in baseline lists
("such as FasterTransformer and Orca"). Mixed-case words ("QuantLLM") count anywhere; all-caps and plain
capitalized words only in those contexts, because "IQRE", "DOP" or "However" would otherwise flood the
graph. Generic acronyms and words come from ``not_systems.jsonl``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from papergraph.extract.spans import leftmost_longest
from papergraph.extract.text import Sentences, Word, delatex
from papergraph.extract.text import wordset as _wordset

PROPOSE_VERBS = _wordset(
    "propose proposes present presents introduce introduces develop develops design designs build builds "
    "introducing proposing presenting developing designing building "
    "implement implements release releases describe describes devise devises contribute contributes "
    "unveil unveils create creates proposed offer offers"
)
NAMING_WORDS = _wordset("called named dubbed termed entitled coined namely codenamed nicknamed")
SUBJECTS = _wordset("we i this our")
SUBJECT_WORDS = _wordset("we i paper work study article authors team it which that also then further here thus")
NOT_NAMED_THINGS = _wordset(
    "metric metrics measure score index ratio dataset datasets corpus phenomenon problem concept property effect "
    "law laws principle quantity task tasks"
)
DETERMINERS = _wordset("a an the our its this their that")
DESCRIPTORS = _wordset(
    "framework frameworks engine engines system systems library libraries tool tools toolkit toolchain compiler "
    "compilers platform platforms simulator simulators model models runtime runtimes accelerator accelerators "
    "scheduler schedulers benchmark benchmarks database databases service services protocol algorithm "
    "algorithms method methods approach approaches technique techniques strategy scheme architecture "
    "architectures work works solution solutions pipeline pipelines design designs network networks family "
    "suite server servers extension kernel kernels optimizer optimizers interface mechanism module agent "
    "agents language operator decoder encoder backbone head block unit format policy layer"
)
BASELINE_TRIGGERS = (
    ("such", "as"),
    ("like",),
    ("including",),
    ("e.g",),
    ("e.g.",),
    ("compared", "to"),
    ("compared", "with"),
    ("than",),
    ("over",),
    ("versus",),
    ("vs",),
    ("vs.",),
    ("outperforms",),
    ("outperform",),
    ("outperforming",),
    ("outperformed",),
    ("against",),
    ("beats",),
    ("surpasses",),
    ("baselines",),
    ("baseline",),
)
LIST_FILLERS = _wordset(
    "the state-of-the-art state of art existing popular prior previous recent widely used well-known "
    "open-source baseline baselines systems system frameworks framework methods method approaches models "
    "leading mainstream strong competitive other works work e.g i.e. i.e sota accelerators accelerator designs "
    "implementations solutions tools libraries engines compilers schemes techniques ("
)
# Nouns after a tool's name that say it is one: "the ESP-IDF framework", "the XLA compiler".
TOOL_NOUNS = _wordset(
    "framework frameworks library libraries toolkit toolchain compiler compilers simulator simulators runtime "
    "engine engines sdk"
)
# Descriptors that make a name containing a hardware name that hardware ("PULP-OPEN, a research platform").
HARDWARE_NOUNS = _wordset(
    "chip chips processor processors board boards soc socs microcontroller microcontrollers mcu platform "
    "platforms device devices testbed"
)
NOVEL_WORDS = _wordset("novel new first proposed")
_TOOL_DETERMINERS = _wordset("the a an previous prior existing open-source its their")
_CODE_NAME = re.compile(r"^[A-Z]{1,2}\d{2,4}[A-Za-z]?$")
STOP_AFTER_NAME = _wordset(
    "is are was were has have achieves achieved can which that to for with in on by at as from uses"
)
# Capitalized words that start sentences or titles and are never names on their own.
COMMON_CAPITALIZED = _wordset(
    "a an the this these those that our we it its in on for to of and or but however moreover furthermore "
    "additionally specifically finally first second third then thus therefore hence here recently existing "
    "experimental experiments extensive evaluation evaluations results our further overall unlike compared "
    "while although despite since because when where with without by from as at large small deep neural "
    "network networks model models language learning machine artificial intelligence data cloud edge mobile "
    "internet things graph vision transformer transformers inference training serving system systems "
    "framework frameworks survey review overview tutorial perspective perspectives position introduction "
    "towards toward efficient fast scalable accurate new novel beyond rethinking understanding exploring "
    "benchmarking characterizing optimizing accelerating enabling improving efficiently sustainable green "
    "both each all many most several various some such one two three four five six seven eight nine ten "
    "table figure section appendix case study studies lessons challenges opportunities approaches benchmark "
    "benchmarks dataset datasets unified automation efficiency performance design"
)
TITLE_DENY = _wordset("survey review overview tutorial position perspective introduction keynote report")
WEAK_SUFFIXES = _wordset(
    "based only aware level wise free specific scale style like centric friendly efficient intensive bound "
    "driven oriented enabled powered native agnostic optimized class grade sized size scaled time bit bits "
    "precision accelerated assisted capable compatible dependent independent heavy light side end"
)

_HAS_LOWER_THEN_UPPER = re.compile(r"[a-z][A-Z]|^[a-z]+[A-Z]|[A-Z]{2,}[a-z]{2,}")
_FORMAT = re.compile(
    r"^(?:U?INT\d+|FP\d+|BF\d+|TF\d+|MXFP\d+|NF\d+|E\dM\d|W\d+A\d+(?:KV\d+)?(?:-\w+)?|A\d+W\d+|KV\d+"
    r"|[LOPQRVx]\d+|W\d+A\w*|v\d+(?:\.\d+)*|sm_?\d+|[Tt]op-?\d+|COVID-19|\d+(?:st|nd|rd|th)|[A-Z]\d)$"
)
LOWER_PREFIXES = _wordset(
    "non pre post multi semi sub co re de anti inter intra cross self hyper ultra over under out in on off "
    "bi tri uni mid low high"
)
_SIZE = re.compile(r"^\d[\d.,]*[A-Za-z]{0,4}$")
_SIZE_TAIL = re.compile(r"[-_]?\d+(?:\.\d+)?[BMKbmk]$")
_GLUED = re.compile(
    r"(?:\dtimes|[A-Z\d](?:times|based|only|like|aware|level|free))$|^approx|^(?:b?float|u?int|fp|bf)\d", re.I
)
_NAME_FOLLOWERS = _wordset(
    ", . ; : ( ) [ is are was were to that which as for with in on by can has have achieves achieve "
    "enables uses leverages consists comprises reduces improves delivers supports runs outperforms provides "
    "employs introduces combines extends"
)
# A micro sign or Greek letter written as part of a name (not alone): read like a capital letter.
_GREEK = re.compile(r"(?<=[\w-])[\u00b5\u03b1-\u03c9\u0391-\u03a9]|[\u00b5\u03b1-\u03c9\u0391-\u03a9](?=[\w-])")
_GREEK_NUMBERED = re.compile(r"^[\u03b1-\u03c9\u0391-\u03a9]\d+(?:\.\d+)?$")
_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_-]{2,}\.(?:cpp|js|rs|jl|py|c)$")
_LOWER_VERSIONED = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-v\d+(?:\.\d+)*$")
_NAMEISH_CHARS = re.compile(r"^[\w.+#&\\'`\"^~{}-]+$")


_LETTER_RUN = re.compile(r"[^\W\d_]{4,}")


def named_alone(word: str) -> bool:
    """Whether a mixed-case word seen with no naming context is shaped like software or a model rather than a
    part code, a unit or a short acronym: a run of four letters ("Florence-2", "YOLOv8n"; not "nRF54L15",
    "SpO2", "BPI-F3") and, without digits, six letters ("NetAdapt"; not "CoE", "NeLF")."""
    letters = sum(c.isalpha() for c in word)
    if _GREEK_NUMBERED.match(word):
        return True  # "π0"
    if any(c.isdigit() for c in word):
        return _LETTER_RUN.search(word) is not None
    return letters >= 6


@dataclass
class SystemCandidate:
    """A system name found by a rule: offsets, written name, role, and whether the context was strong."""

    start: int
    end: int
    name: str
    role: str  # "proposed" | "mentioned"
    rule: str


def strip_possessive(text: str) -> str:
    for tail in ("'s", "\u2019s"):
        if text.endswith(tail):
            return text[: -len(tail)]
    return text


@dataclass
class _Scan:
    """One call of :meth:`SystemRules.find`: the field's words and what the rules have found so far."""

    rules: SystemRules
    ws: list[Word]
    sentences: Sentences
    taken: Callable[[int, int], str | None]
    title: bool  # in a title every word is capitalized, so a capitalized word says nothing there
    own_names: frozenset[str]  # the title's names: "FlowKV introduces the Load-Aware Scheduler"
    out: list[SystemCandidate] = field(default_factory=list)
    proposed_known: list[tuple[int, int]] = field(default_factory=list)
    hardware_variants: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.text = self.sentences.text
        self.si = [self.sentences.index(w.start) for w in self.ws]
        ws = self.ws
        self.defined_acronyms = {
            ws[k].text for k in range(1, len(ws) - 1) if ws[k - 1].text == "(" and ws[k + 1].text == ")"
        }

    def add(self, i: int, j: int, role: str, rule: str, strong_context: bool) -> None:
        """Keep words ``i:j`` as a candidate unless a gazetteer entity owns them (see ``SystemRules.find``)."""
        start, end = self.ws[i].start, self.ws[j - 1].end
        if self.title and all(self.rules.shape(w.text) == "cap" for w in self.ws[i:j]):
            return
        label = self.taken(start, end)
        name = strip_possessive(self.text[start:end])
        if label == "SYSTEM":
            if role == "proposed":
                self.proposed_known.append((start, end))
            return
        if name in self.hardware_variants or label in ("HARDWARE", "DATASET"):
            return
        if label in ("TECHNIQUE", "HARDWARE-PART") and not strong_context:
            return
        self.out.append(SystemCandidate(start, end, name, role, rule))


class SystemRules:
    """The coined-name rules, parameterized by the generic-word list and a hook that says what is taken.

    ``is_generic(word)`` is true for generic acronyms and words ("LLM", "GPU", "FaaS") that never name a
    system on their own.
    """

    def __init__(self, is_generic: Callable[[str], bool]) -> None:
        self.is_generic = is_generic
        self._shapes: dict[str, str] = {}

    # ---------------------------------------------------------------------------------- word shapes
    def shape(self, text: str) -> str:
        """'strong' (mixed case, letters+digits), 'caps' (all caps), 'cap' (Capitalized) or ''."""
        cached = self._shapes.get(text)
        if cached is None:
            if len(self._shapes) > 100_000:  # a long-running service sees unbounded vocabulary
                self._shapes.clear()
            cached = self._shapes[text] = self._shape(text)
        return cached

    def _shape(self, text: str) -> str:
        t = strip_possessive(text)
        if _SOURCE_NAME.match(t) or _LOWER_VERSIONED.match(t):
            return "strong"  # "llama.cpp", "transformers.js", "bge-large-en-v1.5": lower-case project names
        if _GREEK_NUMBERED.match(t):
            return "strong"  # "π0", "π0.5": a Greek letter with a version
        if _GREEK.search(t):
            return self._shape(_GREEK.sub("X", t))  # "µKWS-Net", "PulseFormer-µ", "μTVM": the letter as a capital
        if self._never_a_name(t):
            return ""
        parts = [p for p in re.split(r"[-.]", t) if p]
        alpha_parts = [p for p in parts if re.search(r"[A-Za-z]", p)]
        letters = sum(c.isalpha() for c in t)
        if any(_HAS_LOWER_THEN_UPPER.search(p) for p in t.split("-") if not self.is_generic(p)):
            return "strong"
        coded = any(c.isdigit() for c in t) and letters >= 3 and re.search(r"[A-Za-z]", t[:1] + t[-1:])
        if coded and re.search(r"[A-Z]", _SIZE_TAIL.sub("", t)):  # "Qwen2", "T5X"; not "7B"
            return "strong"
        if (
            len(parts) > 1
            and any(p.isupper() and len(p) >= 2 for p in parts)
            and any(any(c.islower() for c in p) for p in parts)
        ):
            return "strong"
        if t.replace("-", "").replace(".", "").isupper() and letters >= 2:
            return "caps"
        if t[0].isupper() and (t[1:].islower() or "\\" in t) and letters >= 3:
            return "" if t.lower() in COMMON_CAPITALIZED else "cap"
        if len(parts) > 1 and all(p[:1].isupper() for p in alpha_parts):
            return "cap"
        return ""

    def _never_a_name(self, t: str) -> bool:
        """Words no name is shaped like: generic words, numbers and sizes, formats, "-based"-like compounds,
        a lower-case word before a generic one ("edge-AI")."""
        if not t or not _NAMEISH_CHARS.match(t) or self.is_generic(t) or self.is_generic(delatex(t)):
            return True
        if t[0].isdigit() or _GLUED.search(t) or _FORMAT.match(t) or _SIZE.match(t):
            return True
        if not any(c.isalpha() for c in t):
            return True
        hyphen_parts = t.split("-")
        if len(hyphen_parts) > 1 and hyphen_parts[-1].islower():
            return True
        alpha_parts = [p for p in re.split(r"[-.]", t) if p and re.search(r"[A-Za-z]", p)]
        if (
            len(hyphen_parts) > 1
            and hyphen_parts[0].islower()
            and not any(any(c.isupper() for c in p) and not self.is_generic(p) for p in alpha_parts[1:])
        ):
            return True  # "edge-AI", "dual-CNN", "bipolar-INT"
        return bool(alpha_parts) and all(
            self.is_generic(p) or self.is_generic(p.rstrip("s")) or p in LOWER_PREFIXES for p in alpha_parts
        )

    def _weak_name(self, text: str) -> bool:
        """A word that is a name only where the context says so: "nn-JIT.web", "prima.cpp"."""
        t = strip_possessive(text)
        if self.is_generic(t) or t[:1].isdigit() or not _NAMEISH_CHARS.match(t):
            return False
        return re.search(r"[A-Za-z]\.[a-z]", t) is not None

    # ---------------------------------------------------------------------------------- title
    def title_names(self, title: str) -> list[SystemCandidate]:
        """Names a title proposes: "X: ...", "X -- ...", "... -- X", "... (X)"."""
        out: list[SystemCandidate] = []
        m = re.match(r"\s*(.{1,60}?)\s*(?::\s|\s--?\s|\s[\u2013\u2014]\s)", title)
        if m:
            prefix = m.group(1)
            cand = self._title_prefix(prefix)
            if cand:
                out.append(SystemCandidate(m.start(1), m.end(1), cand, "proposed", "title"))
        m = re.search(r"\s(?:--|-|\u2013|\u2014)\s*([A-Za-z][\w.+-]{1,30})\s*$", title)
        if m and self.shape(m.group(1)) in ("strong", "caps"):
            out.append(SystemCandidate(m.start(1), m.end(1), m.group(1), "proposed", "title"))
        m = re.search(r"\(([A-Za-z][\w.+-]{1,20})\)\s*$", title)
        if m and self.shape(m.group(1)) in ("strong", "caps"):
            out.append(SystemCandidate(m.start(1), m.end(1), m.group(1), "proposed", "title"))
        return out

    def _title_prefix(self, prefix: str) -> str | None:
        tokens = prefix.split()
        if not tokens or len(tokens) > 4 or prefix.endswith("?"):
            return None
        shapes = [self.shape(t) for t in tokens]
        if len(tokens) == 1:
            word = tokens[0]
            if word.lower() in TITLE_DENY or not shapes[0]:
                return None
            return word
        for tok, sh in zip(tokens, shapes, strict=True):
            if not sh and not re.fullmatch(r"v\d+(?:\.\d+)?|\d+(?:\.\d+)?|[A-Z]\w*", tok):
                return None
        if any(sh in ("strong", "caps") for sh in shapes):
            return prefix
        return None

    # ---------------------------------------------------------------------------------- body
    def find(
        self,
        ws: list[Word],
        sentences: Sentences,
        taken: Callable[[int, int], str | None],
        known: Iterable[str] = (),
        title: bool = False,
    ) -> tuple[list[SystemCandidate], list[tuple[int, int]]]:
        """Candidates among the words ``ws`` of a field, and the spans of known systems a proposing context
        introduces.

        ``taken(start, end)`` returns the label of a gazetteer entity overlapping the span, if any: a coined
        name never overrides hardware, a dataset or a known system, and overrides a technique alias only in
        a strong context ("we propose PagedAttention").
        """
        scan = _Scan(self, ws, sentences, taken, title, frozenset(k for k in known if k))
        for i in range(len(ws)):
            self._cues_at(scan, i)
        self._appositions(scan)
        for i, w in enumerate(ws):  # mixed-case words anywhere ("QuantLLM", "NetAdapt")
            if self.shape(w.text) == "strong" and named_alone(w.text) and not _defined_acronym(ws, i, scan.si):
                scan.add(i, i + 1, "mentioned", "shape", False)
        self._known_again(scan, known)
        return _dedupe(scan.out), scan.proposed_known

    def _cues_at(self, scan: _Scan, i: int) -> None:
        """The rules that start at word ``i``: a proposing verb, a naming word, a descriptor noun, a tool noun,
        a baseline trigger."""
        ws, si = scan.ws, scan.si
        low = ws[i].text.lower()
        # "we propose X", "we present a new framework called X", "the proposed X"
        if low in PROPOSE_VERBS and ws[i].text == low and self._has_subject(ws, i, si, low, scan.own_names):
            got = self._after_verb(scan, i + 1, si[i])
            if got:
                scan.add(*got, "proposed", "propose", True)
            return
        if low in NAMING_WORDS:
            before = {ws[k].text.lower() for k in range(max(0, i - 3), i) if si[k] == si[i]}
            if not before & NOT_NAMED_THINGS:
                got = self._name_at(scan, self._skip(ws, i + 1, DETERMINERS), si[i], multi=True)
                if got:
                    scan.add(*got, "mentioned" if self._baseline_sentence(ws, i, si) else "proposed", "named", True)
            return
        if low in DESCRIPTORS and ws[i].text.islower() and i + 1 < len(ws) and si[i + 1] == si[i]:
            self._after_descriptor(scan, i)
        if low in TOOL_NOUNS and ws[i].text == low and i > 0 and si[i - 1] == si[i]:
            self._before_tool_noun(scan, i)
        trig = _trigger_len(ws, i)
        if trig:
            self._baseline_list(scan, i, trig)

    def _after_descriptor(self, scan: _Scan, i: int) -> None:
        """ "the scheduler Sarathi-Serve"; "a lightweight training system, Tiny Training Engine, which ..."."""
        ws, si = scan.ws, scan.si
        sh = self.shape(ws[i + 1].text)
        if sh and (sh != "cap" or not _sentence_start(ws, i + 1, si)):
            got = self._name_at(scan, i + 1, si[i], multi=sh == "cap")
            if got:
                role = "proposed" if self._proposing_sentence(ws, i, si) else "mentioned"
                scan.add(*got, role, "descriptor", sh != "cap")
        elif ws[i + 1].text == "," and i + 2 < len(ws) and si[i + 2] == si[i]:
            got = self._name_at(scan, i + 2, si[i], multi=True)
            closed = got is not None and (got[1] >= len(ws) or ws[got[1]].text in (",", ".", "(", ";", ":"))
            if got and closed and (got[1] - got[0] > 1 or self.shape(ws[got[0]].text) in ("strong", "caps")):
                role = "proposed" if self._own_sentence(ws, i, si) else "mentioned"
                scan.add(*got, role, "apposition", True)

    def _before_tool_noun(self, scan: _Scan, i: int) -> None:
        """ "the ESP-IDF framework", "an XLA compiler": an acronym or mixed-case word naming the tool; not a
        shorthand defined for a description ("Text-to-Video (T2V) ... a T2V framework")."""
        ws = scan.ws
        prev = ws[i - 1]
        if prev.text in scan.defined_acronyms or (i > 1 and ws[i - 2].text == "-"):
            return
        shape = self.shape(prev.text)
        # a plain Capitalized word names the tool only after a determiner: "the Vela compiler", "the previous
        # Orbit framework" (not "Existing frameworks", not a title's Words)
        named = shape == "cap" and not scan.title and i > 1 and ws[i - 2].text.lower() in _TOOL_DETERMINERS
        if shape in ("strong", "caps") or named:
            role = "proposed" if self._verb_before(ws, i - 1, scan.si) else "mentioned"
            scan.add(i - 1, i, role, "descriptor", named)

    def _baseline_list(self, scan: _Scan, i: int, trig: int) -> None:
        """ "such as FasterTransformer and Orca", "compared with vLLM": the names listed after a trigger."""
        ws = scan.ws
        items = self._list_after(ws, i + trig, scan.si[i], scan.si)
        solid = [
            (a, b)
            for a, b in items
            if self.shape(ws[a].text) in ("strong", "caps") or scan.taken(ws[a].start, ws[b - 1].end) == "SYSTEM"
        ]
        # plain Capitalized words only beside a name or in a list of them: "against Vespa and Weaviate"
        for a, b in items:
            if solid or self.shape(ws[a].text) != "cap" or b - a > 1 or len(items) > 1:
                scan.add(a, b, "mentioned", "baseline", True)

    def _appositions(self, scan: _Scan) -> None:
        """ "X, a/an/the ... <descriptor>": X names a system; proposed when introduced as new or the paper's."""
        ws, si = scan.ws, scan.si
        for i in range(len(ws) - 2):
            if ws[i + 1].text != "," or ws[i + 2].text.lower() not in ("a", "an", "the"):
                continue
            start_i = self._name_start(ws, i, si)
            if start_i is None:
                continue
            sh = self.shape(ws[i].text)
            at_start = _sentence_start(ws, start_i, si)
            tail = [ws[k].text.lower() for k in range(i + 2, min(len(ws), i + 12)) if si[k] == si[i]]
            head = next((t for t in tail if t in DESCRIPTORS), None)
            if (at_start and sh == "cap") or head is None:
                continue
            if head in HARDWARE_NOUNS and scan.taken(ws[start_i].start, ws[i].end) == "HARDWARE-PART":
                # "PULP-OPEN, a research platform": a variant of the hardware, not a system, anywhere in the text
                variant = strip_possessive(scan.text[ws[start_i].start : ws[i].end])
                scan.hardware_variants.add(variant)
                scan.out = [c for c in scan.out if c.name != variant]
                continue
            novel = any(t in ("first", "novel", "new", "our", "proposed") for t in tail[:6])
            # "X, a novel ... strategy", "X, the first ...": the paper's own, wherever the sentence starts
            introduced = len(tail) > 1 and tail[1] in NOVEL_WORDS and not self._baseline_sentence(ws, start_i, si)
            proposed = (at_start and novel) or introduced or self._verb_before(ws, start_i, si)
            scan.add(start_i, i + 1, "proposed" if proposed else "mentioned", "apposition", sh != "cap" or not at_start)

    def _known_again(self, scan: _Scan, known: Iterable[str]) -> None:
        """Every other occurrence of a name accepted in this paper (and of its plural)."""
        known_set = {k for k in known if k} | {c.name for c in scan.out if c.rule != "shape"}
        plurals = {k[:-1] for k in known_set | {c.name for c in scan.out} if k.endswith("s") and len(k) > 3}
        if not known_set and not plurals:
            return
        for i, w in enumerate(scan.ws):
            word = strip_possessive(w.text)
            if word in known_set or (word in plurals and self.shape(word) in ("strong", "caps")):
                scan.add(i, i + 1, "mentioned", "known", True)

    # ---------------------------------------------------------------------------------- helpers
    @staticmethod
    def _skip(ws: list[Word], j: int, skip: frozenset[str]) -> int:
        while j < len(ws) and ws[j].text.lower() in skip:
            j += 1
        return j

    def _after_verb(self, scan: _Scan, j: int, sent: int) -> tuple[int, int] | None:
        """The name a proposing verb introduces, directly or after a short descriptor phrase."""
        ws, si = scan.ws, scan.si
        j = self._skip(ws, j, DETERMINERS)
        got = self._name_at(scan, j, sent, multi=True)
        if got:
            return got
        seen_comma = False
        for k in range(j, min(len(ws), j + 9)):
            if si[k] != sent:
                return None
            t = ws[k].text
            low = t.lower()
            if low in NAMING_WORDS:
                return self._name_at(scan, self._skip(ws, k + 1, DETERMINERS), sent, multi=True)
            if t == ",":
                if seen_comma or k == j:
                    return None
                seen_comma = True
                if k > 0 and ws[k - 1].text.lower() in DESCRIPTORS:
                    got = self._name_at(scan, k + 1, sent, multi=True)
                    if got:
                        return got
                return None
            if low in ("for", "to", "that", "which", "with", "in", "on", "by", "and", "of", "where", "as", "."):
                return None
            sh = self.shape(t)
            if sh and k > j and ws[k - 1].text.lower() in DESCRIPTORS:
                return self._name_at(scan, k, sent, multi=sh == "cap")
            if not (t.islower() or self.is_generic(t) or (sh == "" and t[:1].isupper())):
                return None
        return None

    def _name_at(self, scan: _Scan, j: int, sent: int, *, multi: bool) -> tuple[int, int] | None:
        """A name starting at word ``j``: one name-shaped word or a run of capitalized words."""
        ws, si = scan.ws, scan.si
        if j >= len(ws) or si[j] != sent:
            return None
        if multi and (acronym := self._long_name_acronym(scan, j, sent)) is not None:
            return acronym
        sh = self.shape(ws[j].text)
        if not sh or (scan.title and sh == "cap"):
            return self._unshaped_name(scan, j, multi=multi)
        k = self._name_run_end(scan, j, sent) if multi else j + 1
        # "Long Name (ACR)" -> ACR ; "ACR (Long Name)" -> ACR
        bracket = k - j > 1 and k + 2 < len(ws) and ws[k].text == "(" and ws[k + 2].text == ")"
        if bracket and self.shape(ws[k + 1].text) in ("strong", "caps"):
            return (k + 1, k + 2)
        if k - j == 1 and sh == "cap":
            if ws[j].text.lower() in COMMON_CAPITALIZED:
                return None
            plain = "-" not in ws[j].text and "\\" not in ws[j].text
            if plain and k < len(ws) and si[k] == sent and ws[k].text.lower() not in _NAME_FOLLOWERS:
                return None
        return (j, k)

    def _long_name_acronym(self, scan: _Scan, j: int, sent: int) -> tuple[int, int] | None:
        """ "Hybrid Data Parallelism (HDP)", "an Early Exit Population Initialisation (EE-PI)" -> the acronym."""
        ws, si = scan.ws, scan.si
        k = j
        while (
            k < len(ws)
            and si[k] == sent
            and k - j < 9
            and (ws[k].text[:1].isupper() or (k > j and ws[k].text in ("of", "for", "and", "-", "&")))
        ):
            k += 1
        long_name = k - j > 1 or (k - j == 1 and ws[j].text.count("-") >= 1 and ws[j].text[:1].isupper())
        acronym = long_name and k + 2 < len(ws) and ws[k].text == "(" and ws[k + 2].text == ")"
        return (k + 1, k + 2) if acronym and self.shape(ws[k + 1].text) in ("strong", "caps") else None

    def _unshaped_name(self, scan: _Scan, j: int, *, multi: bool) -> tuple[int, int] | None:
        """A word without a name's shape that is one all the same: a known system, or a code name or weak name
        introduced with a comma or bracket ("we introduce T800, a low-resource packet filter")."""
        ws = scan.ws
        if scan.taken(ws[j].start, ws[j].end) == "SYSTEM":
            return (j, j + 1)
        word = ws[j].text
        if (
            multi
            and _CODE_NAME.match(strip_possessive(word))
            and (j + 1 >= len(ws) or ws[j + 1].text in (",", "(", ".", ":"))
        ):
            return (j, j + 1)
        if multi and self._weak_name(word) and (j + 1 >= len(ws) or ws[j + 1].text in (",", "(", ".")):
            return (j, j + 1)
        return None

    def _name_run_end(self, scan: _Scan, j: int, sent: int) -> int:
        """End of a run of name words glued by single spaces from word ``j``: "Megatron LM v2", "Deep Speed"."""
        ws, si = scan.ws, scan.si
        k = j + 1
        while (
            k < len(ws)
            and si[k] == sent
            and k - j < 7
            and ws[k].start - ws[k - 1].end <= 1
            and (
                self.shape(ws[k].text)
                or re.fullmatch(r"v\d+(?:\.\d+)?", ws[k].text)
                or (ws[k].text[:1].isupper() and not _sentence_start(ws, k, si))
            )
            and ws[k].text.lower() not in STOP_AFTER_NAME
        ):
            k += 1
        return k

    def _name_start(self, ws: list[Word], i: int, si: list[int]) -> int | None:
        """Start of a (possibly multi-word) name that ends at word ``i``."""
        if not self.shape(ws[i].text):
            return None
        j = i
        while j - 1 >= 0 and si[j - 1] == si[i] and i - j < 3 and self.shape(ws[j - 1].text) == "cap":
            if ws[j - 1].text.lower() in COMMON_CAPITALIZED:
                break
            j -= 1
        return j

    def _list_after(self, ws: list[Word], j: int, sent: int, si: list[int]) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        k = j
        while k < len(ws) and si[k] == sent and ws[k].text.lower() in LIST_FILLERS | {",", "the"}:
            k += 1
        while k < len(ws) and si[k] == sent:
            sh = self.shape(ws[k].text)
            if not sh:
                break
            if sh == "cap" and _sentence_start(ws, k, si):
                break
            end = k + 1
            # "Llama 3", "Octopus v2": a version word belongs to the name
            if end < len(ws) and re.fullmatch(r"v?\d+(?:\.\d+)?", ws[end].text) and ws[end].start - ws[k].end == 1:
                end += 1
            out.append((k, end))
            k = end
            if k < len(ws) and (ws[k].text in (",", "/") or ws[k].text.lower() in ("and", "or")):
                k += 1
                if k < len(ws) and ws[k].text.lower() in ("and", "or"):
                    k += 1
                continue
            break
        return out

    @staticmethod
    def _has_subject(ws: list[Word], i: int, si: list[int], verb: str, own_names: frozenset[str] = frozenset()) -> bool:
        """ "We present X", "this paper introduces X", "FlowKV introduces X" (the paper's own system), "by
        introducing X", "the proposed X"; not "Design X"."""
        if verb == "proposed":
            return i > 0 and ws[i - 1].text.lower() == "the"
        if verb.endswith("ing"):
            return True
        for k in range(i - 1, max(-1, i - 5), -1):
            if si[k] != si[i]:
                break
            if ws[k].text.lower() in SUBJECT_WORDS or strip_possessive(ws[k].text) in own_names:
                return True
        return False

    @staticmethod
    def _verb_before(ws: list[Word], i: int, si: list[int]) -> bool:
        k = i - 1
        while k >= 0 and si[k] == si[i] and ws[k].text.lower() in DETERMINERS:
            k -= 1
        return k >= 0 and si[k] == si[i] and ws[k].text.lower() in PROPOSE_VERBS

    @staticmethod
    def _proposing_sentence(ws: list[Word], i: int, si: list[int]) -> bool:
        k = i - 1
        while k >= 0 and si[k] == si[i]:
            low = ws[k].text.lower()
            if low in PROPOSE_VERBS and low != "proposed":
                return True
            if low in ("than", "over", "compared", "such", "like", "existing", "prior", "previous"):
                return False
            k -= 1
        return False

    @staticmethod
    def _own_sentence(ws: list[Word], i: int, si: list[int]) -> bool:
        """Whether the sentence around word ``i`` speaks of the authors' own work."""
        own = {
            "we",
            "our",
            "proposed",
            "implemented",
            "novel",
            "new",
            "present",
            "introduce",
            "propose",
            "first",
            "second",
        }
        own |= {"third"}
        k = i
        while k >= 0 and si[k] == si[i]:
            k -= 1
        k += 1
        while k < len(ws) and si[k] == si[i]:
            if ws[k].text.lower() in own:
                return True
            k += 1
        return False

    @staticmethod
    def _baseline_sentence(ws: list[Word], i: int, si: list[int]) -> bool:
        k = i - 1
        while k >= 0 and si[k] == si[i] and i - k < 12:
            if ws[k].text.lower() in ("prior", "previous", "existing", "alternative", "conventional", "traditional"):
                return True
            k -= 1
        return False


_TRIGGERS_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _trig in BASELINE_TRIGGERS:
    _TRIGGERS_BY_FIRST.setdefault(_trig[0], []).append(_trig)


def _trigger_len(ws: list[Word], i: int) -> int:
    options = _TRIGGERS_BY_FIRST.get(ws[i].text.lower())
    if not options:
        return 0
    for trig in options:
        if all(i + k < len(ws) and ws[i + k].text.lower() == t for k, t in enumerate(trig)):
            return len(trig)
    return 0


def _defined_acronym(ws: list[Word], i: int, si: list[int]) -> bool:
    """An acronym defined for a lower-case description: "a recursive warm-restart (RecWR)", not a name."""
    if i < 2 or i + 1 >= len(ws) or ws[i - 1].text != "(" or ws[i + 1].text != ")":
        return False
    letters = [c.lower() for c in ws[i].text if c.isupper()]
    if len(letters) < 2:
        return False
    initials: list[str] = []
    k = i - 2
    while k >= 0 and si[k] == si[i] and len(initials) < len(letters):
        if not re.fullmatch(r"[a-z][a-z-]*", ws[k].text):
            break
        initials = [p[0] for p in ws[k].text.split("-") if p] + initials
        k -= 1
    return initials[-len(letters) :] == letters


def _sentence_start(ws: list[Word], i: int, si: list[int]) -> bool:
    if i == 0 or si[i - 1] != si[i]:
        return True
    prev = ws[i - 1].text
    return prev in ('"', "(", "\u201c") and (i < 2 or si[i - 2] != si[i])


def _dedupe(cands: list[SystemCandidate]) -> list[SystemCandidate]:
    """One candidate per span; a proposing rule wins over a mentioning one."""
    best: dict[tuple[int, int], SystemCandidate] = {}
    for c in cands:
        cur = best.get((c.start, c.end))
        if cur is None or (c.role == "proposed" and cur.role != "proposed"):
            best[(c.start, c.end)] = c
    return leftmost_longest(best.values(), lambda c: (c.start, c.end), on_drop=_pass_role)


def _pass_role(kept: SystemCandidate, dropped: SystemCandidate) -> None:
    """A name proposed in a shorter candidate is proposed in the longer one that covers it."""
    if dropped.role == "proposed" and kept.role == "mentioned":
        kept.role = "proposed"
