"""Answer text: numbers worded the way they were measured, credited to who produced them, and plain counts.

A relative number (a percentage or a factor) is a change, never a level: "cuts latency by 35%", not "35%
latency". Its direction comes from extraction (``MetricRecord.direction``) when stored, else from the words
of its evidence sentence around the number (``direction_words`` in the question rules). A comparison chip
(``baseline_hardware``) is named as what the number was compared against, never as where it was measured.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from papergraph.graph.query import PaperQuery
from papergraph.models import MetricRecord, PaperRecord
from papergraph.query.plan import EntityRef, Intent, Level, QueryPlan, Role
from papergraph.query.rules import QuestionRules

RELATIVE_UNITS = frozenset({"%", "x", "pp"})
# kinds whose % or x with no change word is a level ("55.2% utilization", "2.1x speedup"), not a change
_LEVEL_KINDS = frozenset({"accuracy", "accuracy-loss", "speedup", "compression", "scale", "other"})
_BEFORE, _AFTER = 120, 30  # characters of evidence around a number searched for a direction word


def number(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 and value == int(value) else f"{value:g}"


_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"))


def counted(unit: str) -> bool:
    """Whether a unit is a counted noun ("parameters", "GPUs", "tokens"), not a unit of measure."""
    return unit.isalpha() and len(unit) > 3 and unit.endswith("s")


def _scaled(value: float, unit: str) -> str:
    """ "13B" for 13,000,000,000 parameters, "2.048M" tokens: large counts as people write them."""
    if counted(unit):
        for size, suffix in _SCALES:
            if abs(value) >= size:
                return f"{value / size:g}{suffix}"
    return number(value)


def amount(m: MetricRecord) -> str:
    """ "25 tokens/s", "40%", "2.4x", "$3", "13B parameters" (units glued where people glue them)."""
    unit = m.unit
    value = _scaled(m.value, unit) + (f"–{_scaled(m.value_max, unit)}" if m.value_max is not None else "")
    return f"{value}{unit}" if unit in {"%", "x"} else (f"{unit}{value}" if unit == "$" else f"{value} {unit}")


def direction(m: MetricRecord, rules: QuestionRules) -> str | None:
    """'increase' | 'decrease' for a relative number: extraction's, else its phrase ("latency reduction"),
    else the direction word nearest the number in its evidence ("2x lower latency", "cuts cost by 75%")."""
    if m.direction:
        return m.direction
    if m.unit not in RELATIVE_UNITS:
        return None
    for d, pattern in rules.directions:
        if pattern.search(m.metric):
            return d
    sentence = m.evidence
    at = sentence.find(m.surface) if m.surface else -1
    if at < 0:
        return None
    end = at + len(m.surface)
    best: tuple[int, str] | None = None
    for d, pattern in rules.directions:
        for match in pattern.finditer(sentence, max(0, at - _BEFORE), min(len(sentence), end + _AFTER)):
            gap = at - match.end() if match.end() <= at else match.start() - end
            if gap >= 0 and (best is None or gap < best[0]):
                best = (gap, d)
    return best[1] if best else None


def format_metric(m: MetricRecord, rules: QuestionRules | None = None) -> str:
    """ "25 tokens/s decoding throughput on AMD KV260"; "cuts latency by 40%"; "2.1x speedup (vs. NVIDIA V100)"."""
    what = m.metric.strip()
    value = amount(m)
    where = f" on {m.hardware}" if m.hardware and m.hardware != m.baseline_hardware else ""
    versus = f" (vs. {m.baseline_hardware})" if m.baseline_hardware else ""
    way = direction(m, rules) if rules is not None else m.direction
    if m.unit in RELATIVE_UNITS and way is not None:
        thing = _strip_change_words(what) or m.kind
        verb = "cuts" if way == "decrease" else "raises"
        if m.unit == "x":
            text = f"{value} {'lower' if way == 'decrease' else 'higher'} {thing}"
        else:
            text = f"{verb} {thing} by {value}"
        return text + where + versus
    if m.unit in RELATIVE_UNITS and m.kind not in _LEVEL_KINDS:
        text = f"a {value} change in {what}" if what else value
        return text + where + versus
    if counted(m.unit) and what.casefold() in (m.kind, "other", "scale"):  # "13B parameters", not "... model-size"
        what = ""
    text = f"{value} {what}".strip() if what and what.casefold() not in value.casefold() else value
    return text + where + versus


def claim(subject: str, m: MetricRecord, rules: QuestionRules | None = None) -> str:
    """ "TeLLMe reaches 25 tokens/s ...", "SGLang cuts latency by 9.16%", "X reports a 3% change in power"."""
    text = format_metric(m, rules)
    if text.startswith(("cuts ", "raises ")):
        return f"{subject} {text}"
    if m.unit == "x" and re.match(r"\S+ (lower|higher) ", text):
        return f"{subject} achieves {text}"
    if text.startswith("a "):
        return f"{subject} reports {text}"
    return f"{subject} reaches {text}"


def _strip_change_words(what: str) -> str:
    return re.sub(
        r"\b(reduction|reductions|improvements?|improves?|increases?|decreases?|reduces?|boosts?|savings?|gains?)\b",
        "",
        what,
    ).strip()


def credited(record: PaperRecord | None, m: MetricRecord, title: str) -> str:
    """Who a number belongs to: the system extraction credits, else the paper's proposed system, else the paper."""
    if m.system:
        return m.system
    proposed = [e.name for e in record.entities if e.relationship == "PROPOSES"] if record else []
    return proposed[0] if proposed else f"“{title}”"


def describe(refs: Sequence[EntityRef]) -> str:
    """ "FPGA hardware", "the NVIDIA Jetson family", "AMD GPU hardware", "quantization or pruning"."""
    return " or ".join(dict.fromkeys(_one(r) for r in refs))


def _one(ref: EntityRef) -> str:
    if ref.level is Level.FAMILY:
        return f"the {ref.name} family" if ref.type.value == "hardware" else ref.name
    if ref.level in (Level.TYPE, Level.VENDOR):
        return f"{ref.name} hardware"
    return ref.name


def what(plan: QueryPlan, roles: tuple[Role, ...] = (Role.FILTER,)) -> str:
    """ "quantization and FPGA hardware (about language models), by Ann Smith, published in 2024"."""
    parts = [describe(g.entities) for g in plan.groups if g.role in roles and not g.text]
    subject = plan.text_group()
    if subject is not None and plan.intent is not Intent.OUT_OF_SCOPE:  # entities or paper-text phrases
        words = [f"“{p}”" for p in [*plan.phrases, *plan.loose_phrases]]
        parts.insert(0, " or ".join(filter(None, [describe(subject.entities), *words])))
    elif plan.phrases:  # the subject matched in the paper text (alone, or narrowing a wide filter)
        parts.append(" or ".join(f"“{p}”" for p in plan.phrases) + " in their title or abstract")
    text = " and ".join(parts) if parts else "the question's terms"
    text += "".join(f" (about {t})" for t in plan.topics)
    f = plan.filters
    if f.authors:
        text += ", by " + " or ".join(f.authors) + "".join(f" with {c}" for c in f.coauthors)
    if f.year_min is not None or f.year_max is not None:
        text += ", " + years(f.year_min, f.year_max)
    return text


def among(plan: QueryPlan, within: PaperQuery | None) -> str:
    """ " among papers that mention pruning (about language models)", " among papers about vision models"."""
    if within is None:
        return ""
    if within.all_of or within.year_min is not None or within.year_max is not None or within.authors:
        return f" among papers that mention {what(plan)}"
    return " among papers about " + " and ".join(plan.topics) if plan.topics else ""


def unknown_note(plan: QueryPlan) -> str:
    """ "No paper in the corpus mentions Cerebras." for the names no paper has ("" when there are none)."""
    if not plan.unknown:
        return ""
    names = " or ".join(dict.fromkeys(e.name for e in plan.unknown))
    return f"No paper in the corpus mentions {names}."


def years(lo: int | None, hi: int | None) -> str:
    if lo is not None and lo == hi:
        return f"published in {lo}"
    if lo is not None and hi is not None:
        return f"published in {lo}–{hi}"
    return f"published from {lo} on" if lo is not None else f"published up to {hi}"


def join(*parts: str) -> str:
    """Sentences joined by a space, empty ones left out."""
    return " ".join(p for p in parts if p)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def listing(items: Sequence[str], more: int = 0) -> str:
    """ "a; b; c" with "and N more" when the list was cut."""
    text = "; ".join(items)
    return text + (f"; and {more} more" if more > 0 else "")


__all__ = [
    "among",
    "amount",
    "claim",
    "counted",
    "credited",
    "describe",
    "direction",
    "format_metric",
    "join",
    "listing",
    "number",
    "plural",
    "unknown_note",
    "what",
    "years",
]
