"""Which hardware a result was measured on, and which it was compared against.

A sentence ties a result to hardware by where the hardware stands: inside the result ("8 A100 GPUs"), after a
preposition of place ("on a Jetson Nano", "with 8 H100 GPUs"), as the subject ("the Gaudi 2 achieves ...") or
in a parenthesis right after it ("15x over TensorFlow (Raspberry Pi)"). Hardware after a comparison ("3x faster
than an Intel Xeon", "compared to ... on a CPU") is the result's ``baseline`` instead, never its ``hardware``.
"""

from __future__ import annotations

import re

from papergraph.extract.found import NUM, HardwareSpan, MetricFound
from papergraph.extract.text import Sentences, wordset

TIE_PREPOSITIONS = wordset("on using with across in per onto atop for from by")
BASELINE_CUES = wordset("compared than versus vs vs. relative against baseline baselines unlike")
DEVICE_COUNTS = frozenset({"GPUs", "NPUs", "CPUs", "TPUs", "nodes", "devices", "chips", "cores"})
COORDINATED_COUNTS = re.compile(
    rf"(?:\s*(?:,\s*(?:and|or)?|and|or|/)\s*{NUM}\s*(?:[KMBT]|(?i:thousand|million|billion|trillion))?)+\s+"
)
"""Counts listed before one counted noun: "1024 and 3072 MI250X GPUs" (matched after the first count)."""


def tie_hardware(text: str, sentences: Sentences, found: list[MetricFound], hardware: list[HardwareSpan]) -> None:
    """Set ``hardware``/``hardware_span`` and ``baseline`` of every result in ``found`` (one field)."""
    for metric in found:
        _tie_one(text, sentences, metric, hardware, found)


def _tie_one(
    text: str,
    sentences: Sentences,
    metric: MetricFound,
    hardware: list[HardwareSpan],
    found: list[MetricFound],
) -> None:
    """The hardware the sentence says a result was measured on, and the one it was compared against.

    "on a Jetson Nano", "8 A100 GPUs", "... achieves X" tie the result; hardware in a comparison ("3x faster
    than an Intel Xeon", "compared to ... on a CPU", "CPU-only") is its ``baseline`` instead, never its
    ``hardware``. Hardware inside a result ("GPU hours") is part of its unit; a count of devices ("128 GPUs")
    is tied only to the model it names ("8 A100 GPUs"); a parenthesized name belongs to the result just
    before it ("15x over TensorFlow (Raspberry Pi), 5.6x ... (Jetson AGX Orin)").
    """
    if _tie_inside(text, metric, hardware):
        return
    s, e = sentences.span(metric.start)
    device_counts = [m for m in found if m.unit in DEVICE_COUNTS]
    scored: list[tuple[int, int, HardwareSpan]] = []
    baselines: list[tuple[int, HardwareSpan]] = []
    for h in hardware:
        inside_other = any(
            m.start <= h.start and h.end <= m.end and (h.unresolved or m not in device_counts) for m in found
        )
        if not s <= h.start < e or h.type in ("memory", "storage", "network") or inside_other:
            continue
        dist = h.start - metric.end if h.start >= metric.end else metric.start - h.end
        rank = _tie_rank(text, s, metric, h, hardware, found)
        later_result = any(m is not metric and metric.end <= m.start and m.end <= h.start for m in found)
        if rank == _BASELINE:
            if not later_result:  # "2x and 3x faster than a Xeon": the Xeon is the 3x's baseline
                baselines.append((dist, h))
        elif rank is not None:
            scored.append((rank, dist, h))
    if scored:
        best = min(scored, key=lambda t: (t[0], t[1]))[2]
        metric.hardware, metric.hardware_span = best.name, best
    if baselines:
        metric.baseline = min(baselines, key=lambda t: t[0])[1]


_BASELINE = -100
"""What :func:`_tie_rank` says of hardware the result was compared against."""


def _tie_inside(text: str, metric: MetricFound, hardware: list[HardwareSpan]) -> bool:
    """Hardware named inside the result ("8 A100 GPUs") or right after a list of counts ("1024 and 3072 MI250X
    GPUs"); True when the result is settled (a count of devices ties only to the model it names)."""
    named = [h for h in hardware if metric.start <= h.start and h.end <= metric.end and not h.generic]
    if named:  # "192 Kunpeng CPUs": a line counts too (re-tied to its one named model later)
        metric.hardware, metric.hardware_span = named[0].name, named[0]
        return True
    if metric.unit not in DEVICE_COUNTS:
        return False
    shared = COORDINATED_COUNTS.match(text, metric.end)
    if shared:
        tail = next((h for h in hardware if h.start == shared.end() and not h.unresolved), None)
        if tail is not None:
            metric.hardware, metric.hardware_span = tail.name, tail
    return True


def _tie_rank(
    text: str, s: int, metric: MetricFound, h: HardwareSpan, hardware: list[HardwareSpan], found: list[MetricFound]
) -> int | None:
    """How strongly the sentence ties ``metric`` to ``h`` (lower is stronger), :data:`_BASELINE` when ``h`` is
    what it was compared against, None when ``h`` is unrelated."""
    following = h.start >= metric.end
    close_paren = _close_paren(text, metric, h, hardware, found)
    if _is_baseline(text, s, metric, h, close_paren):
        return _BASELINE
    placed = _parenthesized(text, h) or _localized_between(text, metric.end, h.start, hardware)
    later_result = any(m is not metric and metric.end <= m.start and m.end <= h.start for m in found)
    if placed and following and later_result:
        return None  # "46.3 AP on PASCAL VOC and 1.11 W on Snapdragon 865": the W ran there, not the AP
    if _parenthesized(text, h) and not following:
        owner = [m for m in found if s <= m.start and m.end <= h.start]
        if owner and owner[-1] is not metric:
            return None  # the parenthesis belongs to the result just before it
    before = re.findall(r"[\w.]+", text[max(s, h.start - 80) : h.start].lower())[-7:]
    prep = any(w in TIE_PREPOSITIONS for w in before[-4:])
    if close_paren:
        rank = -1
    elif prep:
        rank = 0 if following else 1
    elif following:
        return None  # "... by 77%, making heterogeneity-aware GPU provisioning": a modifier, not a tie
    else:
        rank = 2
    return rank + 3 if re.match(r"\s*-\s*based\b", text[h.end : h.end + 12].lower()) else rank


def _close_paren(
    text: str, metric: MetricFound, h: HardwareSpan, hardware: list[HardwareSpan], found: list[MetricFound]
) -> bool:
    """A parenthesis right after a result says where it ran: "15 times speedup over TensorFlow (Raspberry Pi)"."""
    return (
        _parenthesized(text, h)
        and h.start >= metric.end
        and h.start - metric.end < 80
        and not re.search(r"[;.]", text[metric.end : h.start])
        and not any(metric.end <= o.start and o.end <= h.start for o in hardware if o is not h)
        and not any(m is not metric and metric.end <= m.start and m.end <= h.start for m in found)
    )


def _is_baseline(text: str, s: int, metric: MetricFound, h: HardwareSpan, close_paren: bool) -> bool:
    """Hardware the result is compared against: after "than", "compared to", "over" (not "over 8 GPUs") unless
    a parenthesis right after the result names it, in a leading "Compared to ..." clause, after a comparison
    that follows the result, or written "CPU-only"."""
    before = re.findall(r"[\w.]+", text[max(s, h.start - 80) : h.start].lower())[-7:]
    cue = any(w in BASELINE_CUES for w in before) or (
        "over" in before[-3:] and not any(w[:1].isdigit() for w in before[before.index("over") :])
    )
    if (cue and not close_paren) or re.match(r"\s*-?\s*only\b|\s+baselines?\b", text[h.end : h.end + 12].lower()):
        return True
    if h.end <= metric.start and _comparison_clause(text, s, h, metric):
        return True
    return h.start >= metric.end and _baseline_between(text, metric.end, h.start)


_BASELINE_BETWEEN = re.compile(
    r"\b(?:compared|comparing|than|versus|vs\.?|relative|against|unlike|baselines?|previous\s+works?|prior\s+works?)\b",
    re.I,
)


def _baseline_between(text: str, start: int, end: int) -> bool:
    """A comparison between a result and a later hardware name: that hardware ran the baseline ("161x speedup
    compared to the previous work on many-core CPUs"), as the labelling guide reads "compared to ... on a CPU"."""
    return _BASELINE_BETWEEN.search(text, start, end) is not None


def _localized_between(text: str, start: int, end: int, hardware: list[HardwareSpan]) -> bool:
    """ "on PASCAL VOC", "on ImageNet" between a result and a later hardware name: the result is placed already."""
    for m in re.finditer(r"\b(?:on|for)\s+(?:the\s+)?([A-Z][\w-]*)", text[start:end]):
        pos = start + m.start(1)
        if not any(h.start <= pos < h.end for h in hardware):
            return True
    return False


def _parenthesized(text: str, h: HardwareSpan) -> bool:
    return bool(re.search(r"\(\s*$", text[max(0, h.start - 3) : h.start])) and bool(re.match(r"\s*\)", text[h.end :]))


def _comparison_clause(text: str, sent_start: int, h: HardwareSpan, metric: MetricFound) -> bool:
    """Hardware in a leading "compared to ..." clause: "Compared to GPU-only and NPU+PIM designs, X achieves 3x"."""
    before = text[sent_start : h.start].lower()
    between = text[h.end : metric.start]
    return bool(re.search(r"\b(?:compared|relative|unlike|versus)\b", before)) and "," in between
