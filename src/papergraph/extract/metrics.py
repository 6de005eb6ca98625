"""Number-bearing results: value, range, normalized unit, what was measured, and the hardware it ran on.

A result is a number followed by a unit from ``units.jsonl`` ("25~tokens/s", "2.08\\%", "1.2$\\times$",
"6times", "0.45--0.96 s"), a count of something (``COUNT`` rows: "5.7M parameters", "8 A100 GPUs") or a
money amount ("$1.2M"). A number with no unit is not a result, which keeps years, section numbers,
citations, enumerators and model names ("LLaMA-7B") out; ``NOT_UNIT`` rows reject bit widths and similar
settings ("4-bit", "1.58~bits", "8-node"). The kind of a ratio or percentage comes from the words around it
(``metric_kinds.jsonl``): first the words right after it ("4x higher throughput"), then a coordinated
neighbour ("3x, 2.4x and 1.6x throughput"), "respectively" lists, the object of the verb before it
("reduces deployment costs by 77%"), and finally the unit's default. Which hardware a result ran on is read
by :mod:`papergraph.extract.attribution`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from papergraph.extract.attribution import COORDINATED_COUNTS, tie_hardware
from papergraph.extract.found import JOINED_RESULTS, NUM, HardwareSpan, MetricFound
from papergraph.extract.matchers import Hit, RuleMatcher
from papergraph.extract.rules import Rule, entity_table
from papergraph.extract.spans import holds, within
from papergraph.extract.text import Sentences, Words, doc_words, wordset

_EXPONENT = r"\s*\^\s*\{?\s*(?P<exp>[-\u2212]?\d+)\s*\}?"
# "1.2e-3", "1e^{-3}" (scientific notation), "3 \times 10^{4}", "3×10^4" (a mantissa times a power of ten)
_SCIENTIFIC = r"[eE]\^?\{?(?P<sci>[-+\u2212]?\d+)\}?(?![A-Za-z])"
_TIMES_TEN = rf"\s*(?:\$?\\times\$?|\u00d7|\\cdot|x)\s*\$?10{_EXPONENT.replace('exp', 'exp2')}"
_NUMBER = re.compile(rf"10{_EXPONENT}|(?P<num>{NUM})(?:{_SCIENTIFIC}|{_TIMES_TEN})?")
_MAGNITUDE = re.compile(r"(?:(?P<word>\s*(?i:thousand|million|billion|trillion)\b)|(?P<letter>[KkMBT])(?![A-Za-z0-9]))")
_MAG_VALUES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9, "t": 1e12}
_MAG_VALUES["trillion"] = 1e12
_GAP = re.compile(r"(?:\s|~|\\[,;: !]|\$(?!\d)|\{|\})*")
# "\sim" loses its backslash in many abstracts: "3.65 sim 39.14times", "1.6sim14.6times"
_RANGE = re.compile(r"\s*(?:--|-|\u2013|\u2014|~(?=\s*\d)|\u223c(?=\s*\d)|to\b|\\sim|\$\\sim\$|sim(?=\s*\d)|and\b)\s*")
_MONEY = re.compile(r"(?:US)?\\?\$\s*$")
_DIMENSION = re.compile(r"\s*\d")
_FRACTION = re.compile(r"\s*/\s*(\d+)(?=\s+of\b)")

CLAUSE_STOPS = wordset(
    ", ; . : ( ) and or while compared than on with for over versus vs vs. at when under using across "
    "respectively whereas but which per within without against relative"
)
CHANGE_VERBS = wordset(
    "improve improves improved improving reduce reduces reduced reducing increase increases increased "
    "increasing decrease decreases decreased decreasing boost boosts boosted cut cuts lower lowers lowered "
    "save saves saved saving accelerate accelerates accelerated speed speeds outperform outperforms "
    "outperformed achieve achieves achieved achieving deliver delivers delivering attain attains reach reaches "
    "raise raises enhance enhances enhancing retain retains retaining maintain maintains consume consumes "
    "consuming sustain sustains sustaining yield yields"
)
SPEED_VERBS = wordset("accelerate accelerates accelerated speeds speed")
# "outperform the strongest baselines by 8x": a bare ratio over baselines is a speedup
OUTPERFORM_VERBS = wordset("outperform outperforms outperformed outperforming surpass surpasses surpassed beats")
LOSS_CUES = wordset(
    "loss losses lose loses losing lost drop drops dropped degradation degradations degrade degrades degraded "
    "decline declines decrease decreases"
)
COUNT_FILLERS = wordset(
    "user input output total active concurrent trainable additional heterogeneous edge mobile client prompt "
    "distinct unique individual simultaneous parallel physical virtual model training inference query "
    "context cloud new different commercial popular representative diverse public real-world open-source "
    "standard large small"
)
_NAME_WORD = re.compile(r"^[A-Z][a-z]+[A-Z][\w.-]*$|^[A-Z]{2,}[\w.-]*$")  # "MobileNet", "LLaMA", "BERT"
FLEXIBLE_UNITS = frozenset({"%", "x"})
LOWER_IS_BETTER = frozenset({"latency", "energy", "power", "memory", "model-size", "cost", "accuracy-loss"})
_MAGNITUDE_CUES = (
    (re.compile(r"\b(?:model\s+sizes?|parameters?|params|parameter\s+counts?)\b", re.I), "parameters", "model-size"),
    (re.compile(r"\b(?:context(?:\s+window)?|sequence|input|prompt)\s+lengths?\b", re.I), "tokens", "scale"),
)


_Unit = tuple[int, str, str, float, str]  # (end, unit, kind, scale, label) of a unit or counted noun


@dataclass
class _Reading:
    """A number being read: where it starts, its value and magnitude, the unit found so far and where it ends."""

    start: int
    value: float
    mag: float
    pos: int  # where the unit may start
    unit: _Unit | None = None
    value_max: float | None = None
    end: int = 0


def _trie_regex(keys: set[str]) -> str:
    """A regex alternation of ``keys`` factored as a trie (greedy: longer keys are tried first)."""
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alts = [(" +" if ch == " " else re.escape(ch)) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class _UnitTable:
    """Unit aliases compiled for anchored, longest-first matching at a position."""

    def __init__(self, rules: list[Rule]) -> None:
        self.meta = meta = entity_table(rules)
        self.no_magnitude = {str(m["unit"]) for m in meta.values() if m.get("magnitude") is False and "unit" in m}
        self.info: dict[tuple[str, bool, str], tuple[str, str, str, float]] = {}
        keys: dict[tuple[str, bool], set[str]] = {}
        for rule in rules:
            if rule.label not in ("UNIT", "COUNT", "NOT_UNIT") or not isinstance(rule.pattern, str):
                continue
            case = bool(rule.get("case", False))
            m = meta.get(rule.id, {})
            pattern = rule.pattern if case else rule.pattern.lower()
            self.info[(rule.label, case, pattern)] = (
                rule.id,
                str(m.get("unit", "")),
                str(m.get("kind", "other")),
                float(m.get("scale", 1.0)),
            )
            keys.setdefault((rule.label, case), set()).add(pattern)
        self.regex: dict[tuple[str, bool], re.Pattern[str]] = {}
        for (label, case), ks in keys.items():
            body = _trie_regex(ks)
            self.regex[(label, case)] = re.compile(f"(?:{body})", 0 if case else re.IGNORECASE)

    def match(self, label: str, text: str, pos: int) -> tuple[int, str, str, float] | None:
        """Longest alias of ``label`` at ``pos``: (end, unit, kind, scale)."""
        best: tuple[int, str, str, float] | None = None
        for case in (True, False):
            regex = self.regex.get((label, case))
            if regex is None:
                continue
            m = regex.match(text, pos)
            while m:
                end = m.end()
                matched = re.sub(" +", " ", m.group(0))
                if _right_ok(text, end, matched):
                    key = (label, case, matched if case else matched.lower())
                    info = self.info.get(key)
                    if info and (best is None or end > best[0]):
                        best = (end, info[1], info[2], info[3])
                    break
                # a shorter alias may still end on a boundary: retry with the match shortened
                m = regex.match(text[: end - 1], pos) if end - 1 > pos else None
        return best


def _right_ok(text: str, end: int, matched: str) -> bool:
    if end >= len(text):
        return True
    nxt = text[end]
    if matched[-1:].isalnum():
        return not nxt.isalnum() and nxt != "_"
    return True


def _to_float(num: str, exp: str | None, times_exp: str | None = None) -> float | None:
    """The value of a number match: a power of ten, or a mantissa with an optional power of ten."""
    try:
        if exp is not None:
            return float(Decimal(10) ** int(exp.replace("\u2212", "-")))
        value = Decimal(num.replace(",", ""))
        if times_exp is not None:
            value *= Decimal(10) ** int(times_exp.replace("\u2212", "-"))
        return float(value)
    except (InvalidOperation, ValueError):
        return None


def _number_value(m: re.Match[str]) -> float | None:
    return _to_float(m.group("num") or "", m.group("exp"), m.group("sci") or m.group("exp2"))


def _mul(value: float, factor: float) -> float:
    return float(Decimal(repr(value)) * Decimal(repr(factor)))


class MetricFinder:
    """Finds every number-bearing result in a field; built once from the unit and keyword rules."""

    def __init__(self, nlp: Language, unit_rules: list[Rule], kind_rules: list[Rule]) -> None:
        self.units = _UnitTable(unit_rules)
        self.kinds = RuleMatcher(nlp, [r for r in kind_rules if r.label == "KIND"])
        self.directions = RuleMatcher(nlp, [r for r in kind_rules if r.label == "DIRECTION"], plural=False)
        self.formats = RuleMatcher(nlp, [r for r in unit_rules if r.label == "FORMAT"])
        numbers = [r for r in unit_rules if r.label == "NUMBER" and isinstance(r.pattern, str)]
        self.words = {str(r.pattern).lower(): r for r in numbers}
        alternation = "|".join(re.escape(w) for w in sorted(self.words, key=len, reverse=True)) or "(?!)"
        self.word_numbers = re.compile(rf"\b(?i:{alternation})\b")

    # ------------------------------------------------------------------------------------------------
    def find(
        self,
        doc: Doc,
        masked: str,
        sentences: Sentences,
        hardware: list[HardwareSpan],
        blocked: list[tuple[int, int]],
    ) -> list[MetricFound]:
        """All results in ``doc``; ``masked`` is its text with URLs blanked; numbers inside ``blocked`` spans are
        names."""
        found: list[MetricFound] = []
        consumed_until = -1
        numbers = sorted([*_NUMBER.finditer(masked), *self.word_numbers.finditer(masked)], key=lambda m: m.start())
        for m in numbers:
            if m.start() < consumed_until or not self._left_ok(masked, m.start()):
                continue
            if any(s <= m.start() < e for s, e in blocked):
                continue
            if re.search(r"\b(?:per|every|each)\s+$", masked[max(0, m.start() - 8) : m.start()], re.I):
                continue
            got = self._parse_at(masked, m, hardware) if m.re is _NUMBER else self._parse_word(masked, m, hardware)
            if got is None:
                continue
            found.append(got)
            consumed_until = got.end
        found = _resolve_points(masked, sentences, self._with_formats(doc, found))
        if found:
            self._assign_kinds(doc, masked, sentences, found)
            self._assign_directions(doc, masked, sentences, found)
            tie_hardware(masked, sentences, found, hardware)
        return found

    def _assign_directions(self, doc: Doc, masked: str, sentences: Sentences, found: list[MetricFound]) -> None:
        """Rise or fall of a change: the cue right after the number ("35% lower latency", "2x faster", "a 40%
        reduction"), else the change verb of "... by N" ("cuts latency by 35%") or, for a ratio, the nearest cue
        before it in its clause. "Better" cues ("improves", "speedup") rise for a quantity where more is better
        and fall for one where less is ("improves latency by 20%" is a decrease); a bare ratio of a quantity
        where less is better is a fall ("10x over the baseline's latency"). Levels get none."""
        cues = self.directions.find(doc)
        ws = doc_words(doc)
        for i, metric in enumerate(found):
            by = re.search(
                r"\bby\s*(?:up\s+to\s+|about\s+|nearly\s+|over\s+)?$", masked[max(0, metric.start - 16) : metric.start]
            )
            if metric.direction is not None or (metric.unit not in FLEXIBLE_UNITS and not by):
                continue
            cue = self._direction_cue(cues, ws, sentences, found, i, bool(by) or metric.unit == "x")
            if cue is not None:
                metric.direction = self._polarity(metric) if cue == "better" else cue
            elif metric.unit == "x" and metric.kind not in ("other", "compression", "scale"):
                metric.direction = self._polarity(metric)

    @staticmethod
    def _direction_cue(
        cues: list[Hit],
        ws: Words,
        sentences: Sentences,
        found: list[MetricFound],
        i: int,
        look_back: bool,
    ) -> str | None:
        metric = found[i]
        sent_start, sent_end = sentences.span(metric.start)
        k = ws.first_from(metric.end)
        after_end = metric.end
        for w in ws[k : k + 3]:
            if w.start >= sent_end or w.text.lower() in CLAUSE_STOPS - {"in"} or _NUMBER.match(w.text):
                break
            after_end = w.end
        after = [c for c in cues if within(c, metric.end, after_end)]
        floor = max(sent_start, found[i - 1].end if i else 0)
        before = [c for c in cues if within(c, floor, metric.start)] if look_back else []
        cue = after[0] if after else before[-1] if before else None
        return None if cue is None else str(cue.rules[0].get("direction"))

    @staticmethod
    def _polarity(metric: MetricFound) -> str:
        """Which way an improvement of the metric's quantity goes: down for latency, energy, memory, cost."""
        efficiency = "efficien" in metric.metric.lower()
        return "decrease" if metric.kind in LOWER_IS_BETTER and not efficiency else "increase"

    def _with_formats(self, doc: Doc, found: list[MetricFound]) -> list[MetricFound]:
        """Bit widths named by a number format ("FP8 activations", "INT4 weights"), in text order."""
        extra: list[MetricFound] = []
        for hit in self.formats.find(doc):
            taken = any(holds(m, hit.start) for m in found)
            digits = re.search(r"\d+", hit.text)
            if taken or digits is None:
                continue
            rule = hit.rules[0]
            meta = self.units.meta.get(rule.id, {})
            unit, kind = str(meta.get("unit", "bits")), str(meta.get("kind", "compression"))
            extra.append(MetricFound(hit.start, hit.end, float(digits.group(0)), None, unit, kind, fixed_kind=True))
        return sorted(found + extra, key=lambda m: m.start) if extra else found

    @staticmethod
    def _left_ok(text: str, start: int) -> bool:
        if start == 0:
            return True
        prev = text[start - 1]
        if prev.isalnum() or prev in "_.":
            return False
        if prev in "-/+" and start >= 2 and (text[start - 2].isalnum() or text[start - 2] in ".-"):
            return False
        if prev == "^":
            return False
        return not (prev == "(" and start >= 2 and text[start - 2].isalnum())

    def _magnitude(self, text: str, pos: int) -> tuple[int, float]:
        mm = _MAGNITUDE.match(text, pos)
        if not mm:
            return pos, 1.0
        token = (mm.group("word") or mm.group("letter") or "").strip().lower()
        return mm.end(), _MAG_VALUES.get(token, 1.0)

    def _unit_at(self, text: str, pos: int) -> _Unit | None:
        """(end, unit, kind, scale, label) of a unit or count noun right after ``pos`` (spacing allowed)."""
        gap = _GAP.match(text, pos)
        positions = {pos, gap.end() if gap else pos}
        if text[pos : pos + 1] == "-" and text[pos + 1 : pos + 2].isalpha():
            positions.add(pos + 1)  # a compound modifier: "a 1.2M-parameter teacher", "a 20-minute run", "220-Hz"
        best: _Unit | None = None
        for p in sorted(positions):
            for label in ("NOT_UNIT", "UNIT", "COUNT"):
                if label == "COUNT" and p == pos and not text[p : p + 1].isspace() and text[p : p + 1] != "-":
                    continue  # a counted noun follows a space ("8 GPUs") or a hyphen ("a 64-GPU cluster")
                got = self.units.match(label, text, p)
                if got and (best is None or got[0] > best[0]):
                    best = (got[0], got[1], got[2], got[3], label)
        if best is None or best[4] == "NOT_UNIT":
            return None
        return best

    @staticmethod
    def _singular_count(text: str, pos: int, unit: _Unit, value: float) -> bool:
        """A counted noun in the singular after a number other than 1, not glued by a hyphen ("8-node" is)."""
        if unit[4] != "COUNT" or value == 1 or text[unit[0] - 1 : unit[0]].lower() == "s":
            return False
        return "-" not in text[pos : unit[0]].lstrip()[:1]

    def _count_after(self, text: str, pos: int, hardware: list[HardwareSpan]) -> tuple[int, str, str, float] | None:
        """A count noun after filler words or a hardware name: "8 A100 GPUs", "85 billion user requests"."""
        p = pos
        for _ in range(3):
            while p < len(text) and text[p] == " ":
                p += 1
            if p == pos:
                return None
            hit = self.units.match("COUNT", text, p)
            if hit:
                return hit
            hw = next((h for h in hardware if h.start == p), None)
            if hw is not None:
                # the hardware name may itself end in the counted noun: "192 Kunpeng CPUs"
                for part in re.finditer(r"\S+", text[hw.start : hw.end]):
                    inner = self.units.match("COUNT", text, hw.start + part.start())
                    if inner and inner[0] == hw.end:
                        return inner
                p = hw.end
                continue
            wm = re.match(r"[A-Za-z][\w.-]*", text[p:])
            if wm and (wm.group(0).lower() in COUNT_FILLERS or _NAME_WORD.match(wm.group(0))):
                p += wm.end()  # "85 billion user requests", "two new MobileNet models"
                continue
            return None
        return None

    def _parse_word(self, text: str, m: re.Match[str], hardware: list[HardwareSpan]) -> MetricFound | None:
        """A number written as a word: "sixteen cores", "an eight-accelerator setup", "a trillion parameters",
        "octa-core"; or a word that is a number and its unit ("twice" is 2 x, "halves" 50 %, a decrease)."""
        row = self.words[m.group(0).lower()]
        value = float(row.get("value"))
        if row.get("unit"):
            kind = str(row.get("kind", "other"))
            return MetricFound(
                m.start(), m.end(), value, None, str(row.get("unit")), kind, direction=row.get("direction")
            )
        pos, mag = self._magnitude(text, m.end())
        hyphen = text[pos : pos + 1] == "-"
        if (row.get("magnitude") and mag == 1.0) or (row.get("hyphen") and not hyphen):
            return None  # "one" alone is a pronoun; "dual" alone no count
        unit = self._unit_at(text, pos)
        if unit is None and not hyphen:
            count = self._count_after(text, pos, hardware)
            unit = (*count, "COUNT") if count is not None else None
        if unit is None or (mag != 1.0 and unit[1] in self.units.no_magnitude):
            return None
        if unit[4] == "COUNT" and not hyphen and text[unit[0] - 1 : unit[0]].lower() != "s":
            return None  # "three core ideas": a number word counts a plural noun or a hyphenated one
        factor = mag * unit[3] if unit[4] == "COUNT" else mag
        return MetricFound(
            m.start(), unit[0], _mul(value, factor), None, unit[1], unit[2], fixed_kind=unit[1] not in FLEXIBLE_UNITS
        )

    def _parse_at(self, text: str, m: re.Match[str], hardware: list[HardwareSpan]) -> MetricFound | None:
        value = _number_value(m)
        if value is None:
            return None
        start = m.start()
        money = _MONEY.search(text, max(0, start - 4), start)
        latex_math = money is not None and "$" in text[m.end() : m.end() + 12]
        if money and not latex_math and (money.start() == 0 or not text[money.start() - 1].isalnum()):
            return self._money(text, m, value, money.start())
        frac = _FRACTION.match(text, m.end())  # "1/1000 of the memory"
        if frac and value and float(frac.group(1)):
            return MetricFound(
                start, frac.end(), value / float(frac.group(1)), None, "x", "other", unit_start=frac.end()
            )
        pos, mag = self._magnitude(text, m.end())
        if text[pos : pos + 1] == "+" and not text[pos + 1 : pos + 2].isalnum():
            pos += 1  # "50+ languages": at least 50
        r = _Reading(start, value, mag, pos)
        if self._read_unit(text, r, hardware):
            return None  # "7B models", "70B-scale models": a size, no count
        r.end = r.unit[0] if r.unit else r.pos
        self._read_range(text, r, hardware)
        if r.unit is not None and r.mag != 1.0 and r.unit[1] in self.units.no_magnitude:
            return None  # "30B-70B models"
        if r.unit is None:
            self._read_shared_unit(text, r, hardware)
        if r.unit is None:
            return self._bare_magnitude(text, r)
        u_end, u_name, u_kind, u_scale, label = r.unit
        if u_name == "x" and _DIMENSION.match(text, u_end):
            return None
        val = _mul(r.value, r.mag * u_scale if label == "COUNT" else r.mag)
        value_max = r.value_max
        if value_max is not None and label == "COUNT" and u_scale != 1.0:
            value_max = _mul(value_max, u_scale)
        fixed = u_name not in FLEXIBLE_UNITS
        return MetricFound(start, u_end, val, value_max, u_name, u_kind, fixed_kind=fixed, unit_start=r.pos)

    def _read_unit(self, text: str, r: _Reading, hardware: list[HardwareSpan]) -> bool:
        """The unit or counted noun right after the number; True where it makes the number a size, no result."""
        unit = self._unit_at(text, r.pos)
        if unit is not None and r.mag != 1.0 and unit[1] in self.units.no_magnitude:
            return True
        if unit is not None and self._singular_count(text, r.pos, unit, r.value):
            unit = None  # "85 billion user requests": "user" qualifies the counted noun
        if unit is None:
            count = self._count_after(text, r.pos, hardware)
            unit = (*count, "COUNT") if count is not None else None
        r.unit = unit
        return False

    def _read_range(self, text: str, r: _Reading, hardware: list[HardwareSpan]) -> None:
        """Ranges: "2-4x", "30-40%", "0.45--0.96~s", "59% to 72%", "from 7B to 141B"."""
        rng = _RANGE.match(text, r.end)
        if not rng or (rng.group(0).strip() == "and" and not _between_before(text, r.start)):
            return
        m2 = _NUMBER.match(text, rng.end())
        v2 = _to_float(m2.group("num"), None) if m2 and m2.group("num") else None
        if m2 is None or v2 is None:
            return
        pos2, mag2 = self._magnitude(text, m2.end())
        unit2 = self._unit_at(text, pos2)
        if unit2 is None and r.unit is None:
            count2 = self._count_after(text, pos2, hardware)
            unit2 = (*count2, "COUNT") if count2 is not None else None
        compatible = unit2 is not None and (r.unit is None or unit2[1] == r.unit[1])
        if not compatible and not (r.unit is None and unit2 is None and mag2 != 1.0):
            return
        if r.mag == 1.0 and mag2 != 1.0:
            r.mag = mag2
        hi = _mul(v2, mag2)
        if hi > _mul(r.value, r.mag):
            r.value_max = hi
            r.unit = unit2 if unit2 is not None else r.unit
            r.end = unit2[0] if unit2 is not None else pos2
            r.pos = pos2

    def _read_shared_unit(self, text: str, r: _Reading, hardware: list[HardwareSpan]) -> None:
        """ "7B and 70B parameters", "1,174 and 8,800 A100 GPUs": the unit after the last number is shared."""
        shared = COORDINATED_COUNTS.match(text, r.end)
        if not shared:
            return
        after = shared.end()
        got = self._unit_at(text, after - 1) if r.mag == 1.0 else None
        count = self.units.match("COUNT", text, after) or self._count_after(text, after - 1, hardware)
        if count is not None:
            r.unit = (r.end, count[1], count[2], count[3], "COUNT")
        elif got is not None and got[4] == "UNIT" and got[1] not in FLEXIBLE_UNITS:
            r.unit = (r.end, got[1], got[2], got[3], "UNIT")

    def _bare_magnitude(self, text: str, r: _Reading) -> MetricFound | None:
        """A number with a magnitude and no unit ("7B"), a result only where the phrase says what it counts; a
        plain number after a named score is that score ("an RTF of 0.11", "AUC of 0.94")."""
        cue = self._magnitude_cue(text, r.start, r.end) if r.mag != 1.0 else None
        if cue is None:
            return self._named_score(text, r) if r.mag == 1.0 else None
        value = _mul(r.value, r.mag)
        return MetricFound(r.start, r.end, value, r.value_max, cue[0], cue[1], fixed_kind=True, unit_start=r.end)

    def _named_score(self, text: str, r: _Reading) -> MetricFound | None:
        """A number written after a score that is a unit of its own: "a MOS of 4.02", "an RTF of 0.11"."""
        before = _SCORE_BEFORE.search(text, max(0, r.start - 30), r.start)
        unit = self.units.match("UNIT", text, before.start(1)) if before else None
        if unit is None or unit[0] != before.end(1):  # type: ignore[union-attr]
            return None
        return MetricFound(r.start, r.end, r.value, r.value_max, unit[1], unit[2], fixed_kind=True, unit_start=r.end)

    def _money(self, text: str, m: re.Match[str], value: float, money_start: int) -> MetricFound | None:
        pos, mag = self._magnitude(text, m.end())
        end = pos
        unit = "$"
        per_hour = re.match(r"\s*(?:/|per\s+)(?:hour|hr|h)\b", text[pos:])
        if per_hour:
            unit, end = "$/h", pos + per_hour.end()
        return MetricFound(money_start, end, _mul(value, mag), None, unit, "cost", fixed_kind=True, unit_start=pos)

    @staticmethod
    def _magnitude_cue(text: str, start: int, end: int) -> tuple[str, str] | None:
        """A bare "7B"/"2048K" is a parameter or token count only when the phrase around says so."""
        after = text[end : end + 30]
        before = text[max(0, start - 40) : start]
        for regex, unit, kind in _MAGNITUDE_CUES:
            if regex.match(after.strip()) or regex.search(before):
                return unit, kind
        return None

    # ------------------------------------------------------------------------------------------------
    def _assign_kinds(self, doc: Doc, masked: str, sentences: Sentences, found: list[MetricFound]) -> None:
        kw_hits = self.kinds.find(doc)
        ws = doc_words(doc)
        after = [self._after_window(ws, ws.first_from(x.end), kw_hits, sentences, x) for x in found]
        for group in _groups(found, ws, sentences, kw_hits):
            last_kw, last_generic = after[group[-1]]
            resp = self._respectively(masked, ws, sentences, found, group, kw_hits)
            for pos_in_group, idx in enumerate(group):
                metric = found[idx]
                kw, generic = after[idx]
                if metric.fixed_kind:
                    self._name_fixed(masked, ws, found, idx, kw_hits, None if generic else kw)
                    if metric.kind == "accuracy" and self._loss_cue(ws, metric, sentences):
                        metric.kind = "accuracy-loss"  # "0.4 NDS below the FP16 model"
                    continue
                chosen: Hit | None = None
                if kw is not None and not generic:
                    chosen = kw
                elif last_kw is not None and not last_generic and len(group) > 1:
                    chosen = last_kw
                elif kw is not None and metric.unit == "x":
                    chosen = kw  # "2.77x improvement": a bare ratio of a generic gain is a speedup
                elif resp:
                    chosen = resp[pos_in_group % len(resp)]
                elif resp_kind := self._respectively_earlier(masked, sentences, found, idx):
                    # "1.61x runtime improvement and 37% energy reduction ..., up to 32.09x and 99%, respectively"
                    metric.kind, metric.metric = resp_kind
                    continue
                else:
                    prev_end = _previous_end(found, group[0], sentences)
                    chosen = self._before(ws, found[group[0]].start, prev_end, sentences, kw_hits, metric)
                    prev = found[group[0] - 1] if prev_end > 0 else None
                    if prev is not None and prev.unit == metric.unit and (chosen is None or chosen.start < prev_end):
                        metric.kind, metric.metric = prev.kind, prev.metric
                        continue
                self._apply_kind(masked, ws, sentences, metric, chosen or kw)

    def _name_fixed(
        self, masked: str, ws: Words, found: list[MetricFound], idx: int, kw_hits: list[Hit], kw: Hit | None
    ) -> None:
        """A result whose unit fixes its kind ("GB", "J") is named by the keyword after it, if one is there."""
        metric = found[idx]
        metric.metric = _phrase(masked, ws, kw, metric.end) if kw is not None else metric.kind
        if metric.kind == "memory" and self._model_size_cue(masked, found, idx, kw_hits, kw):
            metric.kind = "model-size"  # "smaller model sizes (< 7MB)"
        if metric.unit in DURATION_UNITS and _not_a_wait(masked, metric):
            metric.kind = "other"  # "22,000 hours of audio", "2 s windows", "battery life of 19 hours"

    def _apply_kind(
        self, masked: str, ws: Words, sentences: Sentences, metric: MetricFound, chosen: Hit | None
    ) -> None:
        """The kind and name the chosen keyword gives a result; without one a speedup for "x" or a speed verb."""
        if chosen is not None:
            kind = str(chosen.rules[0].get("kind", "other"))
            if chosen.rules[0].get("generic"):
                kind = "speedup" if metric.unit == "x" else "other"
            metric.kind = kind
            metric.metric = _phrase(masked, ws, chosen, metric.end if chosen.start >= metric.end else 0)
        else:
            index = ws.first_from(metric.start)
            speed = self._speed_verb(ws, index, sentences, metric)
            metric.kind = "speedup" if metric.unit == "x" or speed else "other"
            metric.metric = metric.kind
        if metric.kind == "accuracy" and self._loss_cue(ws, metric, sentences):
            metric.kind = "accuracy-loss"

    def _after_window(
        self, ws: Words, i: int, kw_hits: list[Hit], sentences: Sentences, metric: MetricFound
    ) -> tuple[Hit | None, bool]:
        """The first keyword in the few words after a result, up to a clause boundary."""
        limit = _after_end(ws, i, sentences, metric)
        generic: Hit | None = None
        specific = [h for h in kw_hits if h.start >= metric.end and h.end <= limit and not h.rules[0].get("generic")]
        if specific:
            first = specific[0]
            # "performance speedup": the vaguer "other" word yields to the head noun after it
            better = [h for h in specific[1:] if h.rules[0].get("kind") != "other"]
            if first.rules[0].get("kind") == "other" and better:
                first = better[0]
            if first.rules[0].get("kind") == "speedup":
                first = self._speedup_of(ws, first, kw_hits, sentences) or first
            return first, False
        for hit in kw_hits:
            if hit.start >= metric.end and hit.end <= limit:
                generic = generic or hit
        return generic, generic is not None

    @staticmethod
    def _speedup_of(ws: Words, hit: Hit, kw_hits: list[Hit], sentences: Sentences) -> Hit | None:
        """ "5.5x speedup in median and P95 latency": a speedup of a named quantity takes that quantity's kind."""
        k = ws.first_from(hit.end)
        if k >= len(ws) or ws[k].text.lower() not in ("in", "of"):
            return None
        sent = sentences.index(hit.start)
        end = ws[k].end
        for j in range(k + 1, min(len(ws), k + 9)):
            if sentences.index(ws[j].start) != sent or ws[j].text.lower() in (
                ",",
                ";",
                "than",
                "over",
                "compared",
                "versus",
            ):
                break
            end = ws[j].end
        for h in kw_hits:
            kind = h.rules[0].get("kind")
            if (
                ws[k].end <= h.start
                and h.end <= end
                and not h.rules[0].get("generic")
                and kind not in ("speedup", "other")
            ):
                return h
        return None

    def _before(
        self,
        ws: Words,
        anchor: int,
        prev_end: int,
        sentences: Sentences,
        kw_hits: list[Hit],
        metric: MetricFound,
    ) -> Hit | None:
        """What the words before a result say it measures.

        A keyword between the previous result of the sentence and this one wins ("latency by 30% and energy
        by 40%"); then the object of the nearest change verb ("improves serving throughput ... by 2.6x");
        then the nearest keyword within eight words.
        """
        sent_start, _ = sentences.span(metric.start)
        candidates = [h for h in kw_hits if within(h, sent_start, anchor) and not h.rules[0].get("generic")]
        if prev_end > sent_start:
            between = [h for h in candidates if h.start >= prev_end]
            if between:
                return between[-1]
        idx = [k for k, w in enumerate(ws) if max(sent_start, prev_end) <= w.start < anchor]
        verb_pos = None
        for k in reversed(idx[-18:]):
            if ws[k].text.lower() in CHANGE_VERBS:
                verb_pos = ws[k].end
                break
        if verb_pos is not None:
            after_verb = [h for h in candidates if h.start >= verb_pos]
            if after_verb:
                return after_verb[0]
            verb = ws[[k for k in idx if ws[k].end == verb_pos][-1]].text.lower()
            if verb in OUTPERFORM_VERBS and metric.unit == "x":
                return None  # a bare "outperforms X by 8x" is a speedup; "by 4.5%" may well be accuracy
        window_start = ws[idx[-8]].start if len(idx) >= 8 else sent_start
        near = [h for h in candidates if h.start >= window_start]
        return near[-1] if near else None

    def _respectively(
        self,
        masked: str,
        ws: Words,
        sentences: Sentences,
        found: list[MetricFound],
        group: list[int],
        kw_hits: list[Hit],
    ) -> list[Hit]:
        """Keywords listed before a "respectively" group, in order: "power and latency ... 49% and 89%"."""
        first = found[group[0]]
        s, e = sentences.span(first.start)
        if "respectively" not in masked[s:e].lower() or len(group) < 2:
            return []
        idx = [k for k, w in enumerate(ws) if s <= w.start < first.start]
        verb_pos = s
        for k in reversed(idx):
            if ws[k].text.lower() in CHANGE_VERBS:
                verb_pos = ws[k].end
                break
        kws = [h for h in kw_hits if within(h, verb_pos, first.start) and not h.rules[0].get("generic")]
        out: list[Hit] = []
        for h in kws:
            if not out or out[-1].rules[0].get("kind") != h.rules[0].get("kind"):
                out.append(h)
        return out if len(out) >= 2 else []

    @staticmethod
    def _respectively_earlier(
        masked: str, sentences: Sentences, found: list[MetricFound], idx: int
    ) -> tuple[str, str] | None:
        """The kind of a result in a bare "X and Y, respectively" list: that of the sentence's earlier result in
        the same position and unit ("1.61x runtime improvement and 37% energy reduction ..., while ... reaches
        up to 32.09x and 99%, respectively")."""
        s, e = sentences.span(found[idx].start)
        a = b = idx
        while a > 0 and s <= found[a - 1].start and JOINED_RESULTS.fullmatch(masked, found[a - 1].end, found[a].start):
            a -= 1
        while (
            b + 1 < len(found)
            and found[b + 1].start < e
            and JOINED_RESULTS.fullmatch(masked, found[b].end, found[b + 1].start)
        ):
            b += 1
        if b == a or not _RESPECTIVELY.match(masked, found[b].end):
            return None
        run = found[a : b + 1]
        earlier = [m for m in found[:a] if s <= m.start][-len(run) :]
        if len(earlier) < len(run) or [m.unit for m in earlier] != [m.unit for m in run]:
            return None
        source = earlier[idx - a]
        return source.kind, source.metric

    def _model_size_cue(
        self, masked: str, found: list[MetricFound], idx: int, kw_hits: list[Hit], after: Hit | None
    ) -> bool:
        """A size in bytes that measures a model: "model size of 7MB", "smaller model sizes (< 7MB)", "a 15 MB
        model", "shrinks the model to 18 KB"."""
        metric = found[idx]
        if _sized_model(masked, metric):
            return True
        if after is not None:
            return bool(after.rules[0].get("kind") == "model-size")
        floor = max(found[idx - 1].end if idx > 0 else 0, metric.start - 40)
        before = [h for h in kw_hits if within(h, floor, metric.start) and not h.rules[0].get("generic")]
        return bool(before) and before[-1].rules[0].get("kind") == "model-size"

    @staticmethod
    def _speed_verb(ws: Words, i: int, sentences: Sentences, metric: MetricFound) -> bool:
        sent = sentences.index(metric.start)
        for k in range(i - 1, max(-1, i - 12), -1):
            if sentences.index(ws[k].start) != sent:
                break
            low = ws[k].text.lower()
            if low in SPEED_VERBS:
                return True
        return False

    @staticmethod
    def _loss_cue(ws: Words, metric: MetricFound, sentences: Sentences) -> bool:
        """Whether an accuracy figure is a loss: a loss word near it, or a gap to a reference right around it
        ("1.1 points below the FP16 model", "within 0.8% of its teacher", "a drop of only 0.4 NDS")."""
        text = sentences.text
        if _GAP_AFTER.match(text, metric.end) or _GAP_BEFORE.search(text, max(0, metric.start - 40), metric.start):
            return True
        sent = sentences.index(metric.start)
        around = [
            w.text.lower()
            for w in ws
            if sentences.index(w.start) == sent and metric.start - 40 <= w.start <= metric.end + 40
        ]
        return any(w in LOSS_CUES for w in around)


# A named score right before its value: "an RTF of 0.11", "a MOS of 4.02", "AUC is 0.94".
_SCORE_BEFORE = re.compile(
    r"\b([A-Za-z][\w@-]{1,15})\s+(?:score\s+)?(?:of|is|was|=|:|reaches|at)\s+(?:about\s+|only\s+|up\s+to\s+|~\s*)?$"
)
DURATION_UNITS = frozenset({"s", "min", "h", "days"})
"""Time units that may measure something other than a wait: an amount of data, a window, a battery's life."""
# A duration that is an amount of recorded data ("22,000 hours of pseudo-labelled audio", "10 minutes of speech")
# or the length of a piece of input ("2 s chunks", "a 2.56 s window").
_DATA_AMOUNT = re.compile(
    r"\s+of\s+(?:[\w-]+\s+){0,2}?(?:audio|speech|video|videos|footage|data|recordings?|driving|flights?|text|"
    r"logs?|traces?|trajectories|demonstrations?|conversations?|music|telemetry)\b"
    r"|\s*-?\s*(?:long\s+)?(?:windows?|chunks?|segments?|clips?|frames?\s+of\s+audio|horizons?)\b",
    re.I,
)
# A duration a device lasts: "battery life improves from 1.6 h to 3.9 h", "extends runtime by 2.1 hours".
_LIFETIME_BEFORE = re.compile(
    r"\b(?:battery(?:\s+|-)(?:life|lifetime|runtime)|flight\s+time|endurance|lifetime|extends?\s+(?:the\s+)?"
    r"(?:battery\s+)?(?:runtime|life)|run\s+for|lasts?|operates?\s+for)\b[^.;]{0,40}$",
    re.I,
)


# A size in bytes written as a model's: before the model noun ("a 15 MB model", "18 KB autoencoders") or after the
# model shrinks or fits ("shrinks the model to 18 KB", "the variant fits in 512 KB"), not a memory's ("of SRAM").
_MODEL_NOUN_AFTER = re.compile(
    r"\s*(?:[\w-]+\s+)?(?:models?|networks?|autoencoders?|binary|binaries|checkpoints?)\b(?!\s+(?:memory|weights?))",
    re.I,
)
_MODEL_BEFORE = re.compile(
    r"(?:\b(?:model|network|weights|binary|checkpoint)\b[^.;,]{0,25}\bto|\bfits\s+(?:in|into|within))\s*$", re.I
)
_MEMORY_AFTER = re.compile(r"\s+of\s+(?:[\w-]+\s+)?(?:SRAM|DRAM|RAM|memory|HBM\w*|cache|LPDDR\w*)\b", re.I)


def _sized_model(text: str, metric: MetricFound) -> bool:
    """Whether a size in bytes measures a model by the words right around it."""
    if _MEMORY_AFTER.match(text, metric.end):
        return False
    before = _MODEL_BEFORE.search(text, max(0, metric.start - 40), metric.start)
    return bool(_MODEL_NOUN_AFTER.match(text, metric.end) or before)


def _not_a_wait(text: str, metric: MetricFound) -> bool:
    """Whether a duration measures data, an input window or a device's life rather than a latency or a job."""
    return bool(
        _DATA_AMOUNT.match(text, metric.end) or _LIFETIME_BEFORE.search(text, max(0, metric.start - 80), metric.start)
    )


# A score written as a gap to a reference: after it "below", "behind", "short of"; before it "within", "a drop of".
_GAP_AFTER = re.compile(r"\s*(?:below|behind|short\s+of|lower\s+than|worse\s+than)\b", re.I)
_GAP_BEFORE = re.compile(
    r"\b(?:within|drop\s+of|loss\s+of|degrades?\s+by|costs?)\s+(?:(?:only|just|at\s+most|less\s+than|about|up\s+to)\s+)?$",
    re.I,
)
_RESPECTIVELY = re.compile(r"\s*,?\s*respectively\b", re.I)


# "1.1 points below", "loses 0.4 points relative to", "by 3.9 points": a difference of a score
_POINTS_CHANGE = re.compile(
    r"\s*(?:below|above|over|of|higher|lower|better|worse|less|more|gain|drop|improvement|increase|decrease|"
    r"relative|behind|ahead|in|on|on\s+average|lead)\b",
    re.I,
)
_SCORE_WORD = re.compile(r"\b(mIoU|NDS|mAP|AP|F1|BLEU|ROUGE-L|AUC)\b")


def _resolve_points(text: str, sentences: Sentences, found: list[MetricFound]) -> list[MetricFound]:
    """ "Points" are a difference of the score the sentence names before them ("39.4 mIoU, 1.3 points above",
    "vehicle AP by 3.9 points"), else percentage points; "points" that count something are no result."""
    out: list[MetricFound] = []
    for metric in found:
        if metric.unit == "points":
            by = re.search(r"\bby\s*$", text[max(0, metric.start - 8) : metric.start])
            if not by and not _POINTS_CHANGE.match(text, metric.end):
                continue
            start, _ = sentences.span(metric.start)
            scores = _SCORE_WORD.findall(text, start, metric.start)
            metric.unit = {"AP": "mAP"}.get(scores[-1], scores[-1]) if scores else "%"
        out.append(metric)
    return out


def _between_before(text: str, start: int) -> bool:
    return bool(re.search(r"\bbetween\s*$", text[max(0, start - 12) : start], re.I))


def _groups(found: list[MetricFound], ws: Words, sentences: Sentences, kw_hits: list[Hit]) -> list[list[int]]:
    """Coordinated results: same unit, same sentence, a few words apart with no verb or keyword between."""
    groups: list[list[int]] = []
    for i, metric in enumerate(found):
        if groups:
            prev = found[groups[-1][-1]]
            same_sentence = sentences.index(prev.start) == sentences.index(metric.start)
            between = re.findall(r"[\w.]+", _slice_words(ws, prev.end, metric.start))
            no_verb = not any(w.lower() in CHANGE_VERBS for w in between)
            no_keyword = not any(within(h, prev.end, metric.start) for h in kw_hits)
            if same_sentence and prev.unit == metric.unit and len(between) <= 5 and no_verb and no_keyword:
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


def _after_end(ws: Words, i: int, sentences: Sentences, metric: MetricFound) -> int:
    """End of the few words (up to six) after a result, from word ``i``, that may name its quantity: stops at a
    clause word or another number; a short parenthesis is stepped over ("3.7x lower (token-level) tail latency")."""
    sent = sentences.index(metric.start)
    limit = metric.end
    count = 0
    j = i
    while j < len(ws) and count < 6 and sentences.index(ws[j].start) == sent:
        low = ws[j].text.lower()
        if low == "(" and count > 0:
            close = next((k for k in range(j + 1, min(len(ws), j + 5)) if ws[k].text == ")"), None)
            if close is not None:
                j = close + 1
                continue
        if low in CLAUSE_STOPS and not (count == 0 and low == "in"):
            break
        if _NUMBER.match(ws[j].text) and count > 0:
            break
        limit = ws[j].end
        count += 1
        j += 1
    return limit


def _previous_end(found: list[MetricFound], i: int, sentences: Sentences) -> int:
    """End of the result before ``found[i]`` in the same sentence, or -1."""
    if i == 0 or sentences.index(found[i - 1].start) != sentences.index(found[i].start):
        return -1
    return found[i - 1].end


def _slice_words(ws: Words, start: int, end: int) -> str:
    return " ".join(w.text for w in ws if within(w, start, end))


_PHRASE_STOP = wordset(
    "the a an of in by and or to with on for lower higher less more better fewer up over than its their our "
    "this that is are was were be been achieves achieve improves reduces increase increases reduction times x"
)


def _phrase(text: str, ws: Words, hit: Hit, floor: int = 0) -> str:
    """The keyword with one modifier before it when there is one: "decoding throughput"."""
    phrase = text[hit.start : hit.end]
    prev = [w for w in ws if within(w, floor, hit.start) and hit.start - w.end <= 1]
    if prev:
        w = prev[-1]
        if re.fullmatch(r"[a-z][a-z0-9-]*", w.text) and w.text not in _PHRASE_STOP:
            phrase = f"{w.text} {phrase}"
    return phrase
