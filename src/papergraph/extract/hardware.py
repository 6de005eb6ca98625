"""The hardware grammar: vendor + product line + model code + head noun, and the hierarchy each mention sits in.

Hardware is named by a shape, not from a list: a vendor or family word, then a model code, then maybe a
type noun ("NVIDIA Jetson Orin NX board", "Xeon Platinum 8480+", "RTX 4060 Ti GPUs", "EPYC 9654"). The
data (``hardware.jsonl``) says which words are vendors and product lines and how lines nest; the shape of a
model code is generic, so a chip released next year is found under its family without a new row.

Rows (``label``):

* ``VENDOR``: a maker's name and spellings ("NVIDIA", "Nvidia", "GeForce" -> NVIDIA).
* ``FAMILY``: a product line: ``name`` ("NVIDIA Jetson Orin"), ``vendor``, ``type``, ``parent`` (the line above,
  by id), ``words`` (model words of the line: "Platinum" after "Xeon"), and how model names are written
  (``prefix``, ``join``, ``glued``, ``keep_case``, ``letter_codes``); ``bare: false`` when the word alone is
  no mention ("Core" needs "Intel", a code or a noun of its type: "Pixel phones"), ``standalone`` when a
  sub-line appears without its parent ("Orin Nano").
* ``CODE``: a token regex that names a model of a line on its own ("A100" -> NVIDIA Ampere, "MI300X" -> AMD
  Instinct), with ``context`` words for short, ambiguous codes ("T4").
* ``HEAD``: type nouns that may follow a model ("GPU", "board", "MCU", "SmartNIC"), with their ``type``.
* ``VARIANT``: model words any line may use ("Ti", "Super", "Pro", "Max", "Nano", "NX", "Gen").
* ``HARDWARE``: fixed entries: device classes ("GPU", "smartphone", "DRAM", ``level: class``) and named
  machines or standards that have no model codes ("Frontier", "PIM").
* ``NOT_HARDWARE``: words that look like hardware and are not ("GPU-less", "DSP slices").

Grammar, read left to right over spaCy tokens from the anchors the :class:`~.matchers.RuleMatcher` finds::

    mention := VENDOR? line model? HEAD*            line := FAMILY (VARIANT* FAMILY')*   (FAMILY' a sub-line)
             | VENDOR? CODE model? HEAD*
             | VENDOR code HEAD* | VENDOR HEAD      ("Moore Threads S4000 GPU", "AMD GPUs")
             | code HEAD                           ("MAX78000 MCU": a model of an unknown maker)
             | HARDWARE
    model   := (code | VARIANT | line word) ... ("/" code)*    ("Jetson Orin NX/Nano" names two models)

A mention is a ``model`` when it has a model code or word, else a ``family`` (or the fixed row's level).
Its name is the line's prefix and the model words in the vendor's spelling ("A100 GPUs", "NVIDIA A100" ->
``NVIDIA A100``); its ``lineage`` lists the lines above it, nearest first, for the graph's ``IN_FAMILY`` edges.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from papergraph.extract.matchers import Hit, RuleMatcher
from papergraph.extract.rules import Rule, entity_table
from papergraph.extract.spans import any_overlap, within
from papergraph.extract.text import doc_text, token_offsets, wordset

LABELS = frozenset({"VENDOR", "FAMILY", "CODE", "HEAD", "VARIANT", "HARDWARE", "NOT_HARDWARE"})
ANCHOR_LABELS = frozenset({"VENDOR", "FAMILY", "CODE", "HARDWARE", "NOT_HARDWARE"})
GLUED_TAIL = r"(?:v?[0-9][A-Za-z0-9.+]*)"

# A model code: letters and digits with at least one digit ("4060", "910B", "i9", "MI300X", "8480+").
_CODE = re.compile(r"^(?=[A-Za-z0-9.+]*[0-9])[A-Za-z]{0,5}[0-9](?:[A-Za-z0-9.]*[A-Za-z0-9])?\+?$")
_LETTER_CODE = re.compile(r"^(?:[A-Z]|I{2,3}|IV|VI{0,3}|IX|X)$")
# A model of an unknown maker before a type noun: starts with a capital, has a digit ("S4000", "KV260").
_UNKNOWN_CODE = re.compile(r"^[A-Z][A-Za-z]{0,5}[0-9][0-9A-Za-z]*$")
_NOT_A_CODE = re.compile(
    r"^(?:U?INT[0-9]+|FP[0-9]+|BF[0-9]+|TF[0-9]+|MXFP[0-9]+|NF[0-9]+|W[0-9]+A[0-9]+\w*|[0-9.]+[KMGT]i?B|[0-9]+D"
    r"|SXM[0-9]*|PCIE[0-9.]*|NVL[0-9]*|[0-9]+(?:ST|ND|RD|TH))$",
    re.I,
)
_GLUED_TAIL = re.compile(r"^(?:\+|[A-Z]{1,2})$")
# Packaging of a model, dropped from its name: form factors ("A100 PCIe", "H100 SXM5", "PCIe A100") and memory
# capacities before a type noun ("A100 80GB GPUs", "A100 (80 GB) GPU").
_FORM_FACTOR = re.compile(r"^(?:PCIe|PCIE|SXM[0-9]?|NVL[0-9]*|OAM)$")
_CAPACITY_UNITS = wordset("gb gib tb mb")
# Units after a number: the number is a quantity ("8 cores", "4 GB"), not a model code.
_QUANTITY_WORDS = wordset("gb mb kb tb gib mib w mw kw ghz mhz nm cores core threads tops tflops bit bits x %")
_DETERMINERS = wordset("the this that these those its our their each every same")
# Words after a class noun that show it heads its phrase ("the GPU is", "the GPU, ...") rather than modifying the
# next noun ("the GPU memory").
_AFTER_HEAD = wordset(
    "is are was were has have can could will would may might must does do did to for with and or in on"
)
_AFTER_HEAD |= wordset("of by at from as that which while than but via achieves reaches runs executes performs")


@dataclass(frozen=True)
class Family:
    """A product line as the data describes it (inherited fields already filled from the parent)."""

    id: str
    name: str
    vendor: str | None
    type: str
    parent: str | None
    prefix: str
    join: str
    word: str
    words: dict[str, str]
    keep_case: bool
    letter_codes: bool
    bare: bool
    drop: str


@dataclass
class HardwareFound:
    """One hardware mention: offsets (characters, tokens), canonical name and its place in the hierarchy."""

    start: int
    end: int
    name: str
    type: str
    level: str
    vendor: str | None = None
    family: str | None = None
    lineage: list[str] = field(default_factory=list)
    anaphoric: bool = False  # a singular class word after "the"/"this"/"each": it points back at a named model

    def attrs(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "level": self.level,
            "vendor": self.vendor,
            "family": self.family,
            "lineage": list(self.lineage),
            "anaphoric": self.anaphoric,
        }


class Catalogue:
    """Vendors, product lines, head nouns and model words from the hardware rows."""

    def __init__(self, rules: list[Rule]) -> None:
        self.meta = entity_table(rules)
        self.vendors = {r.id: str(self.meta[r.id].get("name", r.pattern)) for r in rules if r.label == "VENDOR"}
        self.variants = {str(r.pattern).lower(): str(r.pattern) for r in rules if r.label == "VARIANT"}
        self.isas = {r.id for r in rules if r.label == "VENDOR" and self.meta[r.id].get("isa")}
        self.named = {r.id for r in rules if r.label == "VENDOR" and self.meta[r.id].get("named_products")}
        self.heads: dict[str, tuple[str, str | None]] = {}  # type noun -> (type, the class it names)
        for r in rules:
            if r.label == "HEAD" and isinstance(r.pattern, str):
                head = (str(self.meta[r.id].get("type", "other")), self.meta[r.id].get("class_name"))
                for form in (r.pattern.lower(), r.pattern.lower() + "s", r.pattern.lower() + "es"):
                    self.heads.setdefault(form, head)
        self.families: dict[str, Family] = {}
        for r in rules:
            if r.label == "FAMILY" and r.id not in self.families:
                self._family(r.id, set())

    def _family(self, id_: str, seen: set[str]) -> Family:
        """The family ``id_`` with vendor, type and prefix inherited from its parent when not its own."""
        known = self.families.get(id_)
        if known is not None:
            return known
        if id_ in seen or id_ not in self.meta:
            raise ValueError(f"hardware family {id_!r} is unknown or its parents form a cycle")
        meta = self.meta[id_]
        parent = self._family(str(meta["parent"]), seen | {id_}) if meta.get("parent") else None
        name = str(meta.get("name", id_))
        word = name[len(parent.name) + 1 :] if parent and name.startswith(parent.name + " ") else name
        fam = Family(
            id=id_,
            name=name,
            vendor=meta.get("vendor") or (parent.vendor if parent else None),
            type=str(meta.get("type") or (parent.type if parent else "other")),
            parent=parent.id if parent else None,
            prefix=str(meta.get("prefix", name)),
            join=str(meta.get("join", " ")),
            word=word,
            words={w.lower(): w for w in [*meta.get("words", []), *(parent.words.values() if parent else [])]},
            keep_case=bool(meta.get("keep_case", parent.keep_case if parent else False)),
            letter_codes=bool(meta.get("letter_codes", parent.letter_codes if parent else False)),
            bare=bool(meta.get("bare", True)),
            drop=str(meta.get("drop", parent.drop if parent else "")),
        )
        self.families[id_] = fam
        return fam

    def lineage(self, fam: Family) -> list[Family]:
        """``fam`` and every line above it, nearest first."""
        out = [fam]
        while out[-1].parent:
            out.append(self.families[out[-1].parent])
        return out

    def root(self, fam: Family) -> Family:
        return self.lineage(fam)[-1]


@dataclass
class _Piece:
    text: str
    role: str  # family | code | variant | sep


@dataclass
class _Parse:
    """What a mention has read so far."""

    start_tok: int
    end_tok: int
    vendor: str | None = None
    families: list[Family] = field(default_factory=list)
    pieces: list[_Piece] = field(default_factory=list)
    head_type: str | None = None
    head_class: str | None = None
    isa: bool = False  # the qualifier is an instruction set ("RISC-V"), not a maker
    named: bool = False  # the maker names its products by words ("Clearpath Jackal"), not only by codes
    code: Rule | None = None  # the CODE row that named the model, when one did
    text_end: int | None = None  # where the mention's words end, when a capacity sits before its type noun

    @property
    def family(self) -> Family | None:
        return self.families[-1] if self.families else None

    @property
    def has_model(self) -> bool:
        return any(p.role in ("code", "variant") for p in self.pieces)


class HardwareGrammar:
    """Finds hardware mentions in a doc with the grammar of the module docstring."""

    def __init__(self, nlp: Language, rules: list[Rule]) -> None:
        self.catalogue = Catalogue(rules)
        anchors = [r for r in rules if r.label in ANCHOR_LABELS]
        self.matcher = RuleMatcher(nlp, anchors, glued_tail=GLUED_TAIL)

    def find(self, doc: Doc) -> list[HardwareFound]:
        by_start = _anchors(self.matcher.candidates(doc))
        anchors = {i: hits[0] for i, hits in by_start.items()}
        out: list[HardwareFound] = []
        covered = -1
        for i in sorted(by_start):
            if i < covered:
                continue
            for hit in by_start[i]:  # the longest anchor first; a shorter one when the longer reads as nothing
                found = self._mention(doc, hit, anchors)
                if found:
                    break
            for mention, end_tok in found:
                if mention.level != "ignore":  # a NOT_HARDWARE row only keeps its words from matching
                    out.append(mention)
                covered = max(covered, end_tok)
        unknown = self._unknown_makers(doc, out)
        out = [m for m in out if not any(within(m, u.start, u.end) for u in unknown)] + unknown
        out += _repeated_codes(doc, out)
        out.sort(key=lambda m: m.start)
        return out

    # ------------------------------------------------------------------------------------------ anchors
    def _mention(self, doc: Doc, hit: Hit, anchors: dict[int, Hit]) -> list[tuple[HardwareFound, int]]:
        labels = {r.label for r in hit.rules}
        if "NOT_HARDWARE" in labels:
            return [(HardwareFound(hit.start, hit.end, "", "other", "ignore"), hit.j)]
        if hit.j - hit.i == 1 and _FORM_FACTOR.match(doc[hit.i].text) and _rule(anchors.get(hit.j), "CODE"):
            return []  # "PCIe A100", "SXM4 H100": the form factor qualifies the model that follows
        parse = self._read(doc, hit, anchors)
        if parse is not None:
            return list(self._build(doc, parse, anchors))
        fixed = next((r for r in hit.rules if r.label == "HARDWARE"), None)
        if fixed is None:
            return []
        return [(self._fixed(doc, hit, fixed), hit.j)]

    def _fixed(self, doc: Doc, hit: Hit, rule: Rule) -> HardwareFound:
        meta = self.catalogue.meta.get(rule.id, {})
        level = str(meta.get("level", "model"))
        family = meta.get("family")
        found = HardwareFound(
            hit.start,
            hit.end,
            str(meta.get("name", rule.pattern)),
            str(meta.get("type", "other")),
            level,
            vendor=meta.get("vendor"),
            family=family,
            lineage=[family] if family else [],
        )
        if level == "class":
            found.anaphoric = _anaphoric(doc, hit.i, hit.j)
        return found

    def _read(self, doc: Doc, hit: Hit, anchors: dict[int, Hit]) -> _Parse | None:
        """Vendor, line and model words from an anchor; None when the anchor starts no grammar mention."""
        parse = _Parse(hit.i, hit.j)
        vendor = self._vendor(hit, anchors.get(hit.j))
        if vendor is not None:
            parse.vendor = vendor
            parse.isa = any(r.id in self.catalogue.isas for r in hit.rules)
            parse.named = any(r.id in self.catalogue.named for r in hit.rules)
            nxt = anchors.get(hit.j)
            while nxt is not None and self._vendor(nxt, anchors.get(nxt.j)) is not None:
                nxt = anchors.get(nxt.j)  # "AMD Xilinx Alveo": the last vendor word owns the line
            if nxt is None or not (_rule(nxt, "FAMILY") or _rule(nxt, "CODE")):
                parse.end_tok = hit.j if nxt is None else nxt.i
                return self._vendor_only(doc, parse)
            hit = nxt
        if not self._line(doc, hit, anchors, parse):
            return None
        self._model(doc, parse, anchors)
        self._heads(doc, parse, anchors)
        fam = parse.family
        needy = fam is not None and not fam.bare and parse.vendor is None and not parse.has_model
        if needy and parse.head_type != fam.type:  # type: ignore[union-attr]
            return None  # "Core", "Tensor cores": the word needs its vendor, a model code or its type noun
        return parse

    def _vendor(self, hit: Hit, nxt: Hit | None) -> str | None:
        """The vendor an anchor names, if it reads as a vendor here: a word that is both a vendor and a line
        ("Cerebras", "Raspberry Pi") is the vendor only before another line of that vendor ("Cerebras CS-2")."""
        names = [
            self.catalogue.vendors[r.id] for r in hit.rules if r.label == "VENDOR" and r.id in self.catalogue.vendors
        ]
        if not names:
            return None
        following = self._lines_of(nxt)
        if _rule(hit, "FAMILY") or _rule(hit, "CODE"):
            return next((n for n in names if n in following), None)
        return next((n for n in names if n in following), names[0])

    def _lines_of(self, hit: Hit | None) -> set[str | None]:
        """Vendors of the lines an anchor names (a FAMILY or CODE anchor), or of the vendors it names."""
        if hit is None:
            return set()
        out: set[str | None] = set()
        for r in hit.rules:
            fam = self.catalogue.families.get(r.id) if r.label in ("FAMILY", "CODE") else None
            if fam is not None:
                out.add(fam.vendor)
        return out

    def _vendor_only(self, doc: Doc, parse: _Parse) -> _Parse | None:
        """ "Moore Threads S4000 GPU", "Qualcomm QCS6490", and a vendor or instruction set qualifying a class
        ("AMD GPUs", "Arm cores", "a RISC-V-based 8-core MCU")."""
        k = parse.end_tok
        code = k < len(doc) and not _NOT_A_CODE.match(doc[k].text) and self._vendor_code(doc, k)
        line_end = None if parse.isa else _unknown_line(doc, k)
        if line_end is not None:  # "Broadcom Tomahawk 5", "Renesas R-Car V4H": a line no row names, and its model
            parse.pieces.append(_Piece(doc[k:line_end].text, "word"))
            parse.pieces.append(_Piece(_canonical_code(doc[line_end].text, True), "code"))
            parse.end_tok = line_end + 1
        elif code and not parse.isa:  # an instruction set makes no products: "RISC-V RV32" is no model
            parse.pieces.append(_Piece(_canonical_code(doc[k].text, False), "code"))
            parse.end_tok = self._model_words(doc, k + 1, parse.pieces)  # "Qualcomm AR1 Gen 1", "Samsung 990 Pro"
        elif (words_end := self._product_words(doc, k, parse)) is not None:  # "Clearpath Jackal", "Amiga robot"
            parse.pieces.append(_Piece(doc[k:words_end].text, "word"))
            counted = words_end + 1 < len(doc) and doc[words_end + 1].lower_ in _COUNTED_AFTER
            if words_end < len(doc) and _GENERATION_NUMBER.fullmatch(doc[words_end].text) and not counted:
                parse.pieces.append(_Piece(doc[words_end].text, "code"))  # "ModalAI VOXL 2"
                words_end += 1
            parse.end_tok = self._model_words(doc, words_end, parse.pieces)
        else:
            while k < len(doc) and k - parse.end_tok < 9 and _modifier(doc, k):
                if self._head_at(doc, k) is not None and doc[k - 1].text != "-":
                    break  # "Arm cores": the noun itself; "8-core MCU": part of a modifier
                k += 1  # "RISC-V-based 8+1-core MCU", "Arm 64-bit cores"
            parse.end_tok = k
        self._heads(doc, parse)
        if parse.pieces or parse.head_class is not None:
            return parse
        return None

    def _product_words(self, doc: Doc, k: int, parse: _Parse) -> int | None:
        """End of a product named by Capitalized words after its maker (up to four tokens, "Ray-Ban" is three):
        before a head noun of :data:`PRODUCT_CLASSES` ("Farm-ng Amiga robot", "Meta Ray-Ban Display glasses"),
        or alone after a maker that names its products so ("Clearpath Jackal", "Bitcraze AI-deck")."""
        if parse.isa:
            return None
        j = k
        while j < len(doc) and j - k < 4 and _product_word(doc, j) and self._head_at(doc, j) is None:
            j += 3 if _hyphenated(doc, j) else 1
        if j == k:
            return None
        head = self._head_at(doc, j)
        if head is not None and head[0][1] in PRODUCT_CLASSES:
            return j
        return j if parse.named and head is None else None

    def _line(self, doc: Doc, hit: Hit, anchors: dict[int, Hit], parse: _Parse) -> bool:
        """The product line: a FAMILY or CODE anchor and the sub-lines after it ("Jetson AGX Orin")."""
        code = _rule(hit, "CODE")
        family = _rule(hit, "FAMILY")
        if code is not None and (family is None or (hit.j - hit.i == 1 and _CODE.match(doc[hit.i].text))):
            line = self.catalogue.families[code.id]
            if parse.vendor and line.vendor and line.vendor != parse.vendor:
                return False
            parse.families.append(line)
            parse.pieces.append(_Piece(_canonical_code(doc[hit.i].text, line.keep_case), "code"))
            parse.end_tok = hit.j
            parse.code = code
            return True
        fam = self._pick_family(hit, parse.vendor) if family is not None else None
        if fam is None:
            return False
        parse.families.append(fam)
        if fam.parent and not parse.pieces:
            parse.pieces.append(_Piece(fam.word, "family"))  # a sub-line written alone: "Orin Nano"
        parse.end_tok = hit.j
        glued = doc[hit.i].text[hit.end - doc[hit.i].idx :] if hit.j - hit.i == 1 else ""
        if glued:  # "RTX4090", "TPUv4", "HBM3e"
            parse.pieces.append(_Piece(_canonical_code(glued, fam.keep_case), "code"))
            return True
        self._sub_lines(doc, anchors, parse)
        return True

    def _pick_family(self, hit: Hit, vendor: str | None) -> Family | None:
        """The line an anchor names; with a vendor written before it, preferably that vendor's."""
        options = [self.catalogue.families[r.id] for r in hit.rules if r.label == "FAMILY"]
        fitting = [f for f in options if vendor is None or f.vendor in (None, vendor)] or options
        return fitting[0] if fitting else None

    def _sub_lines(self, doc: Doc, anchors: dict[int, Hit], parse: _Parse) -> None:
        """Sub-lines after the line, possibly behind model words: "Jetson Orin", "Jetson AGX Xavier"."""
        while parse.family is not None:
            k = parse.end_tok
            words: list[_Piece] = []
            while k < len(doc) and self._model_word(parse.family, doc[k].text) is not None and k not in anchors:
                words.append(_Piece(str(self._model_word(parse.family, doc[k].text)), "variant"))
                k += 1
            nxt = anchors.get(k)
            child = self._child(nxt, parse.family) if nxt is not None else None
            if child is None:
                return
            parse.pieces += [*words, _Piece(child.word, "family")]
            parse.families.append(child)
            parse.end_tok = nxt.j  # type: ignore[union-attr]

    def _child(self, hit: Hit, parent: Family) -> Family | None:
        for r in hit.rules:
            fam = self.catalogue.families.get(r.id) if r.label == "FAMILY" else None
            if fam is not None and fam.parent == parent.id:
                return fam
        return None

    def _model_word(self, fam: Family, text: str) -> str | None:
        low = text.lower()
        word = fam.words.get(low) or self.catalogue.variants.get(low)
        if word is None and low.endswith("s") and len(low) > 3:  # "Jetson Nanos"
            word = fam.words.get(low[:-1]) or self.catalogue.variants.get(low[:-1])
        return word

    # ------------------------------------------------------------------------------------------ model words
    def _model(self, doc: Doc, parse: _Parse, anchors: dict[int, Hit]) -> None:
        """Model codes and words after the line: "4060 Ti", "Platinum 8480+", "8 Gen 3", "i9-13900K"."""
        fam = parse.family
        if fam is None:
            return
        k = parse.end_tok
        while k < len(doc):
            piece = self._model_piece(doc, k, fam, bool(parse.pieces) and parse.pieces[-1].role != "family")
            if piece is not None:
                code_line = self._code_line(anchors.get(k), fam)
                if code_line is not None and not parse.has_model:
                    # "RTX 4090" -> NVIDIA Ada Lovelace, "Instinct MI300X", "Cortex M4": the code's line names it
                    parse.families, parse.pieces, parse.code = [code_line], [], _rule(anchors.get(k), "CODE")
                parse.pieces.append(piece)
                k += 1
            elif self._glued_sep(doc, k) and self._model_piece(doc, k + 1, fam, True) is not None:
                parse.pieces.append(_Piece(doc[k].text, "sep"))  # "i9-13900K", "Cortex-M4"
                k += 1
            elif parse.has_model and not doc[k - 1].whitespace_ and _GLUED_TAIL.match(doc[k].text):
                parse.pieces[-1].text += doc[k].text  # "8480+", "13900K" (spaCy splits the "K")
                k += 1
            else:
                break
        parse.end_tok = k
        if parse.has_model:
            self._packaging(doc, parse)

    def _packaging(self, doc: Doc, parse: _Parse) -> None:
        """Form factors after a model belong to it ("A100 PCIe", "H100 SXM5"); a memory capacity does when a type
        noun follows ("A100 80GB GPUs"), though its number stays outside the mention (it may be a result)."""
        k = parse.end_tok
        while k < len(doc) and _FORM_FACTOR.match(doc[k].text):
            k += 1
        parse.end_tok = k
        paren = k < len(doc) and doc[k].text == "("
        j = k + 1 if paren else k
        if not (j + 1 < len(doc) and doc[j].like_num and doc[j + 1].lower_ in _CAPACITY_UNITS):
            return
        j += 2
        if paren and (j >= len(doc) or doc[j].text != ")"):
            return
        j += 1 if paren else 0
        if self._head_at(doc, j) is not None:
            parse.text_end, parse.end_tok = k, j

    def _model_piece(self, doc: Doc, k: int, fam: Family, after_model: bool) -> _Piece | None:
        text = doc[k].text
        word = self._model_word(fam, text)
        if word is not None and after_model and self._head_at(doc, k) is not None:
            return None  # after a code a type noun heads the mention: "BlueField-3 DPU", "Hexagon 698 DSP"
        if word is not None:
            return _Piece(word, "variant")
        if _NOT_A_CODE.match(text):
            return None
        if _CODE.match(text) and not _quantity(doc, k):
            return _Piece(_canonical_code(text, fam.keep_case), "code")
        if _LETTER_CODE.match(text) and (fam.letter_codes or after_model) and doc[k - 1].whitespace_:
            return _Piece(text, "code")  # "Stratix V", "Raspberry Pi 4 Model B"
        return None

    def _code_line(self, hit: Hit | None, fam: Family) -> Family | None:
        """The line a model code names on its own, when it takes over from ``fam``: a sub-line of it
        ("Cortex" + "M4" -> Cortex-M) or the same vendor's line of the same type ("RTX A6000" -> NVIDIA
        A6000), never another kind of product ("DGX A100" stays a DGX)."""
        rule = _rule(hit, "CODE") if hit is not None else None
        line = self.catalogue.families.get(rule.id) if rule is not None else None
        if line is None or line.id == fam.id:
            return None
        below = fam in self.catalogue.lineage(line)
        return line if below or (line.vendor == fam.vendor and line.type == fam.type) else None

    @staticmethod
    def _glued_sep(doc: Doc, k: int) -> bool:
        return (
            0 < k < len(doc) - 1
            and doc[k].text in ("-", "\u2010", "\u2011")
            and not doc[k - 1].whitespace_
            and not doc[k].whitespace_
        )

    def _heads(self, doc: Doc, parse: _Parse, anchors: dict[int, Hit] | None = None) -> None:
        """Type nouns after the model or line: "GPU", "boards", "system-on-chip microcontroller" (two at most);
        a class phrase right after it is its head too ("Loihi 2 neuromorphic processor")."""
        for _ in range(2):
            got = self._head_at(doc, parse.end_tok)
            nxt = anchors.get(parse.end_tok) if anchors is not None and got is None else None
            if nxt is not None and parse.family is not None:
                fixed = _rule(nxt, "HARDWARE")
                if fixed is not None and self.catalogue.meta.get(fixed.id, {}).get("level") == "class":
                    parse.end_tok = nxt.j
                    continue
            if got is None:
                return
            (kind, class_name), end = got
            if parse.head_type is None:
                parse.head_type, parse.head_class = kind, class_name
            parse.end_tok = end
            acronym = self._head_at(doc, end + 1) if end + 2 < len(doc) and doc[end].text == "(" else None
            if acronym is not None and acronym[1] < len(doc) and doc[acronym[1]].text == ")":
                parse.end_tok = acronym[1] + 1  # "Cortex-M4 microcontroller (MCU)"

    def _head_at(self, doc: Doc, k: int) -> tuple[tuple[str, str | None], int] | None:
        for size in (5, 3, 2, 1):  # "system-on-chip" is five tokens with its hyphens
            if k + size > len(doc):
                continue
            phrase = "".join(t.text_with_ws for t in doc[k : k + size]).strip().lower()
            head = self.catalogue.heads.get(phrase)
            if head is not None:
                return head, k + size
        return None

    # ------------------------------------------------------------------------------------------ building
    def _build(self, doc: Doc, parse: _Parse, anchors: dict[int, Hit]) -> Iterator[tuple[HardwareFound, int]]:
        span = doc[parse.start_tok : parse.end_tok]
        found = self._compose(parse)
        found.start, found.end = span.start_char, span.end_char
        if parse.text_end is not None:
            found.end = doc[parse.text_end - 1].idx + len(doc[parse.text_end - 1].text)
        if found.level != "model":
            found.anaphoric = _anaphoric(doc, parse.start_tok, parse.end_tok)
        yield found, parse.end_tok
        yield from self._siblings(doc, parse, anchors)

    def _compose(self, parse: _Parse) -> HardwareFound:
        fam = parse.family
        if fam is None:  # vendor + code/head only
            return self._vendor_line(parse)
        lineage = [f.name for f in self.catalogue.lineage(fam)]
        kind = fam.type if fam.type != "other" or parse.head_type is None else parse.head_type
        if not parse.has_model:
            parent = lineage[1] if len(lineage) > 1 else None
            return HardwareFound(0, 0, fam.name, kind, "family", fam.vendor, parent, lineage[1:])
        root = self.catalogue.root(fam) if fam.prefix == fam.name else fam
        prefix = str(parse.code.get("code_prefix", root.prefix)) if parse.code is not None else root.prefix
        join = " " if parse.code is not None and parse.code.get("code_prefix") else root.join  # "AMD Versal VCK190"
        name = _drop(_join(prefix, join, parse.pieces), fam, prefix)
        series = _series(parse.code, parse.pieces)
        if series and series not in lineage:
            lineage.insert(0, series)  # "STM32H743" -> STM32H7 -> STM32
        return HardwareFound(0, 0, name, kind, "model", fam.vendor, lineage[0], lineage)

    @staticmethod
    def _vendor_line(parse: _Parse) -> HardwareFound:
        """A maker's model with no known line ("Moore Threads S4000"), or a class a vendor or an instruction
        set qualifies ("NVIDIA GPU", "Arm CPU", "RISC-V microcontroller"; level class)."""
        qualifier = parse.vendor or ""
        vendor = None if parse.isa else parse.vendor
        kind = parse.head_type or "other"
        if parse.pieces:
            name = _join(qualifier, " ", parse.pieces)
            return HardwareFound(0, 0, name, kind, "model", vendor)
        return HardwareFound(0, 0, f"{qualifier} {parse.head_class}", kind, "class", vendor)

    def _siblings(self, doc: Doc, parse: _Parse, anchors: dict[int, Hit]) -> Iterator[tuple[HardwareFound, int]]:
        """ "Jetson Orin NX/Nano", "RTX 3090/4090": each model after a slash replaces the last model word (and
        takes the line its own code names: the 4090 is Ada Lovelace, the 3090 Ampere)."""
        k = parse.end_tok if parse.head_type is None else -1
        fam = parse.family
        while fam is not None and parse.has_model and 0 < k < len(doc) - 1 and doc[k].text == "/":
            piece = self._model_piece(doc, k + 1, fam, True)
            if piece is None or piece.role != parse.pieces[-1].role:
                return
            sibling = _Parse(k + 1, k + 2, parse.vendor, list(parse.families), [*parse.pieces[:-1], piece])
            own = _rule(anchors.get(k + 1), "CODE")
            sibling.code = parse.code
            if own is not None and parse.code is not None and own.get("code_prefix") == parse.code.get("code_prefix"):
                sibling.families, sibling.code = [self.catalogue.families[own.id]], own
            self._heads(doc, sibling)  # "RTX 3090/4090 GPUs"
            found = self._compose(sibling)
            found.start, found.end = doc[k + 1].idx, doc[k + 1].idx + len(doc[k + 1].text)
            yield found, sibling.end_tok
            k = sibling.end_tok

    def _vendor_code(self, doc: Doc, k: int) -> bool:
        """A model code after a vendor: letters and digits ("S4000", "AR1"), or a number of three digits or more
        followed by a model word or a type noun ("Samsung 990 Pro drives", "Micron 9400 SSDs")."""
        text = doc[k].text
        if _UNKNOWN_CODE.match(text):
            return True
        if not _NUMBER_CODE.fullmatch(text) or k + 1 >= len(doc):
            return False
        return doc[k + 1].lower_ in self.catalogue.variants or self._head_at(doc, k + 1) is not None

    def _model_words(self, doc: Doc, k: int, pieces: list[_Piece]) -> int:
        """Model words after a code ("Pro", "Gen 1", "Ultra"), appended to ``pieces``; the end token."""
        while k < len(doc) and doc[k].lower_ in self.catalogue.variants:
            pieces.append(_Piece(self.catalogue.variants[doc[k].lower_], "variant"))
            k += 1
            if k < len(doc) and pieces[-1].text == "Gen" and re.fullmatch(r"[0-9]{1,2}", doc[k].text):
                pieces.append(_Piece(doc[k].text, "code"))
                k += 1
        return k

    def _unknown_makers(self, doc: Doc, found: list[HardwareFound]) -> list[HardwareFound]:
        """A code-shaped word right before a type noun, outside every other mention: "a MAX78000 MCU", with the
        maker's and line's Capitalized words before it ("an Alif Ensemble E3 board", "the SpacemiT K1 SoC")."""
        taken = [(m.start, m.end) for m in found]
        text = doc_text(doc)
        offsets = token_offsets(doc)
        out: list[HardwareFound] = []
        for k, (start, end, _) in enumerate(offsets[:-1]):
            word = text[start:end]
            number = _NUMBER_CODE.match(word) is not None
            if not (_UNKNOWN_CODE.match(word) or number) or _NOT_A_CODE.match(word):
                continue
            first = _maker_words(doc, k)
            if number and first == k:
                continue  # a number is a model code only after its maker's name: "Micron 9400 SSDs"
            if any_overlap(taken, start, end):
                continue
            head = self._head_at(doc, k + 1)
            if head is None or head[0][0] in ("other", "ASIC"):
                continue
            name = text[offsets[first][0] : end]
            out.append(HardwareFound(offsets[first][0], offsets[head[1] - 1][1], name, head[0][0], "model"))
        return out


def _repeated_codes(doc: Doc, found: list[HardwareFound]) -> list[HardwareFound]:
    """A model code written again on its own after the model was named in full: "a Moore Threads S4000 GPU ...
    the S4000 reaches ..." (the same model: its name and place in the hierarchy are copied)."""
    models: dict[str, HardwareFound] = {}
    for m in found:
        code = m.name.rsplit(" ", 1)[-1]
        if m.level == "model" and code != m.name and _UNKNOWN_CODE.match(code) and not _NOT_A_CODE.match(code):
            models.setdefault(code, m)
    if not models:
        return []
    taken = [(m.start, m.end) for m in found]
    out: list[HardwareFound] = []
    for start, end, _ in token_offsets(doc):
        model = models.get(doc_text(doc)[start:end])
        if model is not None and not any_overlap(taken, start, end):
            out.append(replace(model, start=start, end=end, lineage=list(model.lineage), anaphoric=False))
    return out


_MAKER_WORD = re.compile(r"^[A-Z][A-Za-z]{2,}$")
_NUMBER_CODE = re.compile(r"^[0-9]{3,5}$")
_NOT_MAKER = wordset("The This These Our Its Their Each On In With For From Using At By And Or To Of A An We Both")


_PRODUCT_WORD = re.compile(r"^(?:[A-Z][a-z]+(?:[A-Z][a-z]*)*|[A-Z]{2,}[a-z]*)$")
_GENERATION_NUMBER = re.compile(r"[0-9]{1,2}(?:\.[0-9])?")
PRODUCT_CLASSES = frozenset({"robot", "drone", "smart glasses", "headset", "smartwatch"})
"""Classes of device whose products are named by words, not codes: a maker's Capitalized words before one of
their head nouns are a model ("Farm-ng Amiga robot", "Meta Ray-Ban Display glasses")."""


def _product_word(doc: Doc, k: int) -> bool:
    """A Capitalized word that may name a product ("Jackal", "Amiga", "Ray-Ban", "AI-deck"), not a function word
    or the start of a sentence."""
    text = doc[k].text
    if _hyphenated(doc, k):
        return bool(_PRODUCT_WORD.match(text)) and doc[k + 2].text[:1].isalpha()
    return bool(_PRODUCT_WORD.match(text)) and text not in _NOT_MAKER and not doc[k].is_sent_start


def _hyphenated(doc: Doc, k: int) -> bool:
    """Whether the word at ``k`` is glued to the next by a hyphen ("Ray-Ban", "AI-deck": three tokens)."""
    return k + 2 < len(doc) and doc[k + 1].text == "-" and not doc[k].whitespace_ and not doc[k + 1].whitespace_


def _maker_words(doc: Doc, k: int) -> int:
    """First token of up to two Capitalized words (a maker, a line) written right before the code at ``k``."""
    first = k
    while (
        first > 0
        and k - first < 2
        and _MAKER_WORD.match(doc[first - 1].text)
        and doc[first - 1].text not in _NOT_MAKER
        and not doc[first - 1].is_sent_start
        and doc[first - 1].whitespace_
    ):
        first -= 1
    return first


def _anchors(hits: list[Hit]) -> dict[int, list[Hit]]:
    """Hits by start token, longest first; hits of one span (a case-sensitive and a case-insensitive row) merged."""
    spans: dict[tuple[int, int], Hit] = {}
    for h in hits:
        same = spans.get((h.i, h.j))
        spans[(h.i, h.j)] = (
            h if same is None else Hit(h.start, max(h.end, same.end), same.rules + h.rules, same.text, h.i, h.j)
        )
    by_start: dict[int, list[Hit]] = {}
    for (i, _), h in sorted(spans.items(), key=lambda kv: (kv[0][0], -(kv[0][1] - kv[0][0]))):
        by_start.setdefault(i, []).append(h)
    return by_start


_MODIFIERS = wordset("- based + multi single low power bit core cores")


_GENERATION = re.compile(r"^(?:[0-9]{1,2}(?:\.[0-9])?|[A-Z][A-Za-z]{0,5}[0-9][0-9A-Za-z]*)$")
_LINE_WORD = re.compile(r"^[A-Z][a-z]{2,}$")


def _unknown_line(doc: Doc, k: int) -> int | None:
    """End of a Capitalized product-line word no row names ("Tomahawk", "R-Car") when a model code or a
    generation number follows it ("Tomahawk 5", "R-Car V4H", "Crazyflie 2.1"); else None."""
    j = k
    while j + 2 < len(doc) and doc[j + 1].text == "-" and not doc[j].whitespace_ and not doc[j + 1].whitespace_:
        j += 2  # "R-Car": one word in three tokens
    if j >= len(doc) - 1 or not _LINE_WORD.match(doc[j].text) or not doc[j].whitespace_:
        return None
    nxt = doc[j + 1].text
    if not _GENERATION.match(nxt) or _NOT_A_CODE.match(nxt):
        return None
    if j + 2 < len(doc) and doc[j + 2].text.lower() in _COUNTED_AFTER:
        return None  # "Intel Labs 2 times", "NVIDIA Research 3 GPUs": a count, not a model
    return j + 1


_COUNTED_AFTER = frozenset({"times", "x", "%", "gpus", "cpus", "nodes", "cores", "years", "months", "days"})


def _modifier(doc: Doc, k: int) -> bool:
    """A word between a qualifier and its class noun ("-based", "8+1-core"); a number only inside such a
    hyphenated modifier ("NVIDIA 8 GPUs" is a count, not a modifier)."""
    tok = doc[k]
    glued = not tok.whitespace_ and k + 1 < len(doc) and doc[k + 1].text in ("-", "+")
    return tok.lower_ in _MODIFIERS or (tok.like_num and glued)


def _rule(hit: Hit | None, label: str) -> Rule | None:
    if hit is None:
        return None
    return next((r for r in hit.rules if r.label == label), None)


def _quantity(doc: Doc, k: int) -> bool:
    """A number followed by a unit or counted noun: "8 cores", "4 GB"."""
    return doc[k].like_num and k + 1 < len(doc) and doc[k + 1].lower_ in _QUANTITY_WORDS


def _canonical_code(text: str, keep_case: bool) -> str:
    """A model code as the vendor writes it: a plural "s" dropped ("A100s"), lower-case letters raised ("a100")."""
    if len(text) > 2 and text.endswith("s") and text[-2].isdigit():
        text = text[:-1]
    if not keep_case and any(c.islower() for c in text) and not any(c.isupper() for c in text):
        text = text.upper()
    return text


def _series(code: Rule | None, pieces: list[_Piece]) -> str | None:
    """The series a CODE row reads off its code (``series`` regex, ``series_name`` format): MI250X -> "AMD
    Instinct MI200", STM32H743 -> "STM32H7"."""
    if code is None or not code.get("series") or not pieces:
        return None
    m = re.search(str(code.get("series")), pieces[0].text)
    return str(code.get("series_name", "{0}")).format(*m.groups()) if m else None


def _drop(name: str, fam: Family, prefix: str) -> str:
    """The model words a line leaves out of its names ("Raspberry Pi 4 Model B" -> "Raspberry Pi 4")."""
    if not fam.drop or not name.startswith(prefix):
        return name
    return prefix + re.sub(fam.drop, "", name[len(prefix) :]).rstrip()


def _join(prefix: str, join: str, pieces: list[_Piece]) -> str:
    """The model name: the line's prefix, then the model words. A hyphen written between two codes stays
    ("i9-13900K", "E5-2680"); one right after the line word becomes the line's own joiner ("Hailo 8" and "Hailo-8" ->
    ``Hailo-8``, "GAP-8" -> ``GAP8``), one before a model word a space ("M2-Ultra" -> ``M2 Ultra``)."""
    if pieces and pieces[0].role == "sep":
        if join == " ":
            join = pieces[0].text  # "DGX-1"
        pieces = pieces[1:]
    out = prefix
    for n, piece in enumerate(pieces):
        if piece.role == "sep":
            continue
        if n == 0:
            out = f"{out}{join}{piece.text}" if out else piece.text
        elif pieces[n - 1].role == "sep" and piece.role == "code" and pieces[n - 2].role != "family":
            out += pieces[n - 1].text + piece.text
        else:
            out += " " + piece.text
    return out


def _anaphoric(doc: Doc, i: int, j: int) -> bool:
    """A class or line word heading a phrase with a definite, demonstrative, possessive or distributive
    determiner ("the GPU", "these boards", "the world's first exascale supercomputer"): it points back at a
    device named elsewhere. Not when it modifies the next noun ("the GPU memory")."""
    if (
        j < len(doc)
        and doc[j].is_alpha
        and doc[j].lower_ not in _AFTER_HEAD
        and not doc[j].lower_.endswith(("ed", "ing"))
    ):
        return False
    k = i - 1
    while k >= 0 and i - k <= 5:
        word = doc[k].lower_
        if word in _DETERMINERS:
            return True
        if not (doc[k].is_alpha or word in ("'s", "-", "\u2019s") or doc[k].like_num) or word in _AFTER_HEAD:
            return False
        k -= 1
    return False
