"""Which hardware a result was measured on, and which it was compared against.

A sentence ties a result to hardware by where the hardware stands: inside the result ("8 A100 GPUs"), after a
preposition of place ("on a Jetson Nano", "with 8 H100 GPUs"), as the subject ("the Gaudi 2 achieves ...") or
in a parenthesis right after it ("15x over TensorFlow (Raspberry Pi)"). Hardware after a comparison ("3x faster
than an Intel Xeon", "compared to ... on a CPU") is the result's ``baseline`` instead, never its ``hardware``.
"""

from __future__ import annotations

import re

from papergraph.extract.found import JOINED_RESULTS, NUM, HardwareSpan, MetricFound
from papergraph.extract.spans import holds, within
from papergraph.extract.text import Sentences, wordset

TIE_PREPOSITIONS = wordset("on using with across in per onto atop for from by")
BASELINE_CUES = wordset("compared than versus vs vs. relative against baseline baselines unlike")
DEVICE_COUNTS = frozenset({"GPUs", "NPUs", "CPUs", "TPUs", "nodes", "devices", "chips", "cores"})
COORDINATED_COUNTS = re.compile(
    rf"(?:\s*(?:,\s*(?:and|or)?|and|or|/)\s*{NUM}\s*(?:[KMBT]|(?i:thousand|million|billion|trillion))?)+\s+"
)
"""Counts listed before one counted noun: "1024 and 3072 MI250X GPUs" (matched after the first count)."""


PASSIVE_TYPES = frozenset({"memory", "storage", "network"})
"""Types of hardware that hold or move data: a named model ties a result only after a preposition of place."""
UNTIED_KINDS = frozenset({"accuracy", "accuracy-loss", "compression", "model-size", "cost"})
"""Kinds of result that belong to a model, not to the hardware it ran on: accuracy, bit-widths, sizes, cost."""
# Where a sentence's clauses meet: each clause says where its own results ran.
_CLAUSE_BREAK = re.compile(
    r";|,?\s+(?:whereas|but|although|though)\s+|,?\s+while\s+(?![a-z]+ing\b)"
    r"|,\s+and\s+(?=(?:on|in|at|with|it|they|we|the|its|their|our|this|these)\b)",
    re.I,
)
# A sentence's opening phrase that places all of it: "On the SA8295P, ...", "Using eight H100 GPUs, ...".
_SCOPE_OPENING = re.compile(r"\s*(?:on|with|using|across|running\s+on|deployed\s+on)\b", re.I)
_COMPARISON_OPENING = re.compile(r"\s*(?:compared|relative|against|unlike|versus|over)\b", re.I)
# A clause whose subject points back at the one before: "The M4 Pro leads at 52 tokens/s, but it spends 1.4x ...".
_PRONOUN_SUBJECT = re.compile(r"\s*(?:it|they|this|these)\b", re.I)
# Hardware that is one part of a machine the result is measured on: "16 servers, each with four A100 GPUs".
_PART_OF_MACHINE = re.compile(r"\beach\s+(?:with|equipped\s+with|having|hosting)\s+(?:\w+\s+){0,2}$", re.I)
# Nouns before "of" that make it a preposition of place: "the NPU of a RK3588", "2,048 nodes of Aurora".
_OF_HEADS = wordset(
    "gpu gpus cpu cpus npu npus tpu tpus node nodes core cores chip chips processor processors board boards soc "
    "socs dsp dsps fpga fpgas mcu mcus accelerator accelerators"
)
_COORDINATED_HARDWARE = re.compile(r"\s*(?:,\s*)?(?:and|or|&)\s+(?:an?\s+|the\s+)?$", re.I)


def tie_hardware(text: str, sentences: Sentences, found: list[MetricFound], hardware: list[HardwareSpan]) -> None:
    """Set ``hardware``/``hardware_span`` and ``baseline`` of every result in ``found`` (one field).

    A "respectively" list pairs results with hardware in order first; the hardware it pairs belongs to those
    results only. Every other result is tied within its clause ("On X it takes 0.4 ms, whereas on Y it takes
    41 ms"), or to the hardware of the sentence's opening phrase ("On X, ...").
    """
    parts = _parts_in_parentheses(text, hardware)
    paired = _respectively(text, sentences, found, [h for h in hardware if id(h) not in parts])
    reserved = {id(h) for h, _ in paired.values()}
    free = [h for h in hardware if id(h) not in reserved]
    for metric in found:
        pair = paired.get(id(metric))
        if pair is None:
            _tie_one(text, sentences, metric, free, found)
        elif pair[1]:
            metric.baseline = pair[0]
        else:
            metric.hardware, metric.hardware_span = pair[0].name, pair[0]
        _to_owner(metric, parts)


def _parts_in_parentheses(text: str, hardware: list[HardwareSpan]) -> dict[int, HardwareSpan]:
    """Hardware named in a parenthesis right after a model, as its parts: "a SpacemiT K1 (8 X60 cores)", "the
    Orin (Ampere GPU)" (id of the part -> the model). A model inside a class's parenthesis names the class
    instead ("a GPU (A100)") and is no part."""
    parts: dict[int, HardwareSpan] = {}
    for owner in hardware:
        opening = _OPEN_PAREN.match(text, owner.end)
        close = text.find(")", owner.end, owner.end + _PAREN_CHARS) if opening else -1
        if owner.unresolved or close < 0:
            continue
        for h in hardware:
            if h is not owner and within(h, opening.end(), close):  # type: ignore[union-attr]
                parts[id(h)] = owner
    return parts


def _to_owner(metric: MetricFound, parts: dict[int, HardwareSpan]) -> None:
    """A result tied to a part of a model ("8 X60 cores") is the model's."""
    span = metric.hardware_span
    if span is not None and id(span) in parts:
        owner = parts[id(span)]
        metric.hardware, metric.hardware_span = owner.name, owner
    if metric.baseline is not None and id(metric.baseline) in parts:
        metric.baseline = parts[id(metric.baseline)]


_OPEN_PAREN = re.compile(r"\s*\(")
_PAREN_CHARS = 60
"""How far (characters) a parenthesis of parts after a model may reach."""


def clause_span(text: str, sentences: Sentences, pos: int) -> tuple[int, int]:
    """The clause of the sentence holding character ``pos``: the sentence cut at ";", "whereas", "but", a
    finite "while" and ", and" opening a new clause."""
    start, end = sentences.span(pos)
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            return start, m.start()
    return start, end


def _opening_scope(
    text: str, sentences: Sentences, pos: int, hardware: list[HardwareSpan], opening: re.Pattern[str]
) -> list[HardwareSpan]:
    """Hardware in the opening phrase of the sentence holding ``pos`` when ``opening`` matches its first words
    ("On the SA8295P, ...", "Compared with X on an A100, ..."), up to its comma."""
    start, end = sentences.span(pos)
    if not opening.match(text, start):
        return []
    comma = text.find(",", start, end)
    return [h for h in hardware if within(h, start, comma)] if comma > 0 else []


def _tie_one(
    text: str,
    sentences: Sentences,
    metric: MetricFound,
    hardware: list[HardwareSpan],
    found: list[MetricFound],
) -> None:
    """The hardware the clause says a result was measured on, and the one it was compared against.

    "on a Jetson Nano", "8 A100 GPUs", "... achieves X" tie the result; hardware in a comparison ("3x faster
    than an Intel Xeon", "compared to ... on a CPU") is its ``baseline`` instead, never its ``hardware``.
    Hardware inside a result ("GPU hours") is part of its unit; a count of devices ("128 GPUs") is tied only to
    the model it names ("8 A100 GPUs"); a parenthesized name belongs to the result just before it ("15x over
    TensorFlow (Raspberry Pi), 5.6x ... (Jetson AGX Orin)"). Accuracy, bit-widths, sizes and costs belong to a
    model, not to hardware; two pieces of hardware named together ("on a Xiaomi 14 Pro and a vivo X100") leave
    the result untied.
    """
    if _tie_inside(text, metric, hardware) or _tie_adjacent(text, metric, hardware):
        return
    s, e = clause_span(text, sentences, metric.start)
    scored, baselines = _candidates(text, s, e, metric, hardware, found)
    if not scored:
        scored = _outside_clause(text, sentences, s, metric, hardware, found)
    if metric.kind in UNTIED_KINDS:  # a model's property: only "13B parameters on a single GPU" says where
        scored = [c for c in scored if c[0] == 0 and c[1] < 40 and metric.kind != "compression"]
    if scored:
        best = min(scored, key=lambda t: (t[0], t[1]))[2]
        if not _coordinated(text, best, hardware):
            metric.hardware, metric.hardware_span = best.name, best
    if not _relative(text, metric):
        return
    if not baselines:  # "Relative to FAISS on an NVIDIA L4, NearANN is 3.2x slower ... but indexes 14x more"
        opening = _opening_scope(text, sentences, metric.start, hardware, _COMPARISON_OPENING)
        baselines = [(abs(metric.start - h.end), h) for h in opening]
    if baselines:
        metric.baseline = min(baselines, key=lambda t: t[0])[1]


def _outside_clause(
    text: str, sentences: Sentences, s: int, metric: MetricFound, hardware: list[HardwareSpan], found: list[MetricFound]
) -> list[tuple[int, int, HardwareSpan]]:
    """Where a clause that names no hardware ran (its clause starts at ``s``): the clause before it ("..., while
    ZeRO-Infinity achieves 45 TFLOPS"), else the sentence's opening phrase ("On the SA8295P, ...; ...")."""
    if sentences.span(metric.start)[0] >= s:
        return []
    scored = _candidates(text, *clause_span(text, sentences, s - 2), metric, hardware, found)[0]
    if scored:
        return scored
    scope = _opening_scope(text, sentences, metric.start, hardware, _SCOPE_OPENING)
    return [(1, abs(metric.start - h.end), h) for h in scope if not h.unresolved or len(scope) == 1]


def _relative(text: str, metric: MetricFound) -> bool:
    """Whether a result is a change against something (a ratio, a percentage, "extends runtime by 2.1 hours",
    "from 180 ms to 37 ms"): only those have a baseline; a level does not ("140 W for the GPU")."""
    if metric.kind in ("compression", "model-size"):
        return False
    change = _CHANGE_BEFORE.search(text, max(0, metric.start - 24), metric.start)
    return metric.unit in ("x", "%") or metric.direction is not None or change is not None


_CHANGE_BEFORE = re.compile(r"\b(?:by|from)\s+(?:up\s+to\s+|about\s+|nearly\s+|over\s+|~\s*)?$", re.I)


def _candidates(
    text: str, s: int, e: int, metric: MetricFound, hardware: list[HardwareSpan], found: list[MetricFound]
) -> tuple[list[tuple[int, int, HardwareSpan]], list[tuple[int, HardwareSpan]]]:
    """(rank, distance, hardware) the clause ``s:e`` may tie ``metric`` to, and (distance, hardware) it was
    compared against."""
    device_counts = [m for m in found if m.unit in DEVICE_COUNTS]
    scored: list[tuple[int, int, HardwareSpan]] = []
    baselines: list[tuple[int, HardwareSpan]] = []
    for h in hardware:
        inside_other = any(within(h, m.start, m.end) and (h.unresolved or m not in device_counts) for m in found)
        passive = h.type in PASSIVE_TYPES
        if not s <= h.start < e or (passive and h.unresolved) or inside_other:
            continue
        dist = h.start - metric.end if h.start >= metric.end else metric.start - h.end
        rank = _tie_rank(text, s, metric, h, hardware, found)
        if passive and rank != _BASELINE and not _placed_on(text, s, metric, h):
            continue  # a drive or a link ties a result only when it is "on" it: "4,300 QPS on a single Optane"
        later_result = _result_between(metric, h, found)
        if rank == _BASELINE:
            if not later_result:  # "2x and 3x faster than a Xeon": the Xeon is the 3x's baseline
                baselines.append((dist, h))
        elif rank is not None and not _PART_OF_MACHINE.search(text, max(s, h.start - 40), h.start):
            scored.append((rank, dist, h))
    return scored, baselines


def _placed_on(text: str, s: int, metric: MetricFound, h: HardwareSpan) -> bool:
    """Whether a result is placed on a drive, memory or link ``h``: "on" or "across" right before it (not "with":
    "APUs with unified HBM3"), and, when it follows the result, no other name between them ("the QPS of
    DiskANN running on PM9A3 drives" ran DiskANN there)."""
    near = _words_before(text, s, h.start)[-_PREPOSITION_WORDS:]
    if not any(w in _PLACING for w in near) or "with" in near:
        return False
    return h.start < metric.end or _OTHER_NAME.search(text, metric.end, h.start) is None


_PLACING = frozenset({"on", "onto", "across", "atop"})
_OTHER_NAME = re.compile(r"\b(?:[A-Z][a-z0-9]+[A-Z][\w-]*|[A-Z]{5,}\b)")
"""A coined name ("DiskANN", "SPANN"), not a unit or short acronym ("QPS", "GB")."""


def _coordinated(text: str, h: HardwareSpan, hardware: list[HardwareSpan]) -> bool:
    """Whether another named model stands in a list with ``h``: "on a Xiaomi 14 Pro and a vivo X100"."""
    for o in hardware:
        if o is h or o.unresolved or h.unresolved:
            continue
        first, second = (h, o) if h.end <= o.start else (o, h)
        if second.start - first.end < 20 and _COORDINATED_HARDWARE.fullmatch(text, first.end, second.start):
            return True
    return False


def _respectively(
    text: str, sentences: Sentences, found: list[MetricFound], hardware: list[HardwareSpan]
) -> dict[int, tuple[HardwareSpan, bool]]:
    """Results paired in order with the hardware a "respectively" list names: "2.6x, 3.1x and 2.2x on the A64FX,
    Grace and Graviton4, respectively" (each result, its hardware, whether that is its baseline)."""
    out: dict[int, tuple[HardwareSpan, bool]] = {}
    for r in re.finditer(r"\brespectively\b", text, re.I):
        s, _ = sentences.span(r.start())
        before = [m for m in found if within(m, s, r.start())]
        group = _joined_run(text, before)
        if not group:
            continue
        named = [h for h in hardware if not any(within(h, m.start, m.end) for m in found)]
        listed = [h for h in named if within(h, group[-1].end, r.start())]
        baseline = bool(listed) and _baseline_between(text, group[-1].end, listed[0].start)
        if not listed:  # "measured on a Wormhole n300 and an MI250X, where it is within 6.8% and 9.1%, respectively"
            listed = [h for h in named if within(h, s, group[0].start)][-len(group) :]
            baseline = bool(listed) and _compared_before(text, s, listed[0].start)
        if len(listed) != len(group) or len(group) < 2:
            continue
        out.update({id(m): (h, baseline) for m, h in zip(group, listed, strict=True)})
    return out


def _compared_before(text: str, start: int, pos: int) -> bool:
    """Whether the words before ``pos`` (back to ``start``) say "compared to" before they say "on" or "with"."""
    for word in reversed(re.findall(r"[\w.]+", text[start:pos].lower())[-8:]):
        if word in BASELINE_CUES:
            return True
        if word in TIE_PREPOSITIONS:
            return False
    return False


def _joined_run(text: str, results: list[MetricFound]) -> list[MetricFound]:
    """The first run of results of one unit joined by ",", "and" among ``results`` ("4.7x and 13.5x")."""
    for i, first in enumerate(results):
        run = [first]
        for m in results[i + 1 :]:
            if m.unit != run[-1].unit or not JOINED_RESULTS.fullmatch(text, run[-1].end, m.start):
                break
            run.append(m)
        if len(run) > 1:
            return run
    return []


def _result_between(metric: MetricFound, h: HardwareSpan, found: list[MetricFound]) -> bool:
    """Whether another result stands between ``metric`` and the later hardware ``h``: "2x and 3x faster than a Xeon"."""
    return any(m is not metric and within(m, metric.end, h.start) for m in found)


_BASELINE = -100
"""What :func:`_tie_rank` says of hardware the result was compared against."""


def _tie_inside(text: str, metric: MetricFound, hardware: list[HardwareSpan]) -> bool:
    """Hardware named inside the result ("8 A100 GPUs") or right after a list of counts ("1024 and 3072 MI250X
    GPUs"); True when the result is settled (a count of devices ties only to the model it names)."""
    named = [h for h in hardware if within(h, metric.start, metric.end) and not h.generic]
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
    owner = next(
        (h for h in hardware if h.start >= metric.end and _ADJACENT.fullmatch(text, metric.end, h.start)), None
    )
    if owner is not None:  # "a 96-core Intel Xeon 8568Y+", "the 900,000 cores of the Cerebras WSE-3"
        metric.hardware, metric.hardware_span = owner.name, owner
    return True


def _tie_adjacent(text: str, metric: MetricFound, hardware: list[HardwareSpan]) -> bool:
    """A size or bandwidth written right before the memory, storage or link it measures: "94 KB of SRAM",
    "8 GB of on-card HBM2", "eight 400 Gb/s ConnectX-7 NICs", "over 400 Gbps RoCE"."""
    for h in hardware:
        if h.start < metric.end or not _ADJACENT.fullmatch(text, metric.end, h.start):
            continue
        if metric.unit in _SIZE_UNITS or h.type in ("memory", "storage", "network"):
            metric.hardware, metric.hardware_span = h.name, h
            return True
    return False


_ADJACENT = re.compile(r"\s*(?:of\s+)?(?:(?:the|an?|on-chip|on-card|off-chip|local|its)\s+)?", re.I)
_SIZE_UNITS = frozenset({"KB", "MB", "GB", "TB", "Kb", "Mb", "Gb", "GB/s", "TB/s", "MB/s", "Gbps", "Tbps", "Mbps"})


def _tie_rank(
    text: str, s: int, metric: MetricFound, h: HardwareSpan, hardware: list[HardwareSpan], found: list[MetricFound]
) -> int | None:
    """How strongly the sentence ties ``metric`` to ``h`` (lower is stronger), :data:`_BASELINE` when ``h`` is
    what it was compared against, None when ``h`` is unrelated."""
    following = h.start >= metric.end
    parenthesized = _parenthesized(text, h)
    close_paren = parenthesized and _close_paren(text, metric, h, hardware, found)
    if _is_baseline(text, s, metric, h, close_paren):
        return _BASELINE
    placed = parenthesized or _localized_between(text, metric.end, h.start, hardware)
    later_result = _result_between(metric, h, found)
    if placed and following and later_result:
        return None  # "46.3 AP on PASCAL VOC and 1.11 W on Snapdragon 865": the W ran there, not the AP
    if parenthesized and not following:
        owner = [m for m in found if within(m, s, h.start)]
        if owner and owner[-1] is not metric:
            return None  # the parenthesis belongs to the result just before it
    if close_paren:
        rank = -1
    elif _placed_by_preposition(_words_before(text, s, h.start)):
        rank = 0 if following else 1
    elif following:
        return None  # "... by 77%, making heterogeneity-aware GPU provisioning": a modifier, not a tie
    else:
        rank = 2
    return rank + 3 if re.match(r"\s*-\s*based\b", text[h.end : h.end + 12].lower()) else rank


def _placed_by_preposition(before: list[str]) -> bool:
    """Whether a preposition of place stands among the last few ``before`` words: "on a", "the NPU of a"."""
    near = before[-_PREPOSITION_WORDS:]
    return any(w in TIE_PREPOSITIONS for w in near) or any(
        w == "of" and k > 0 and near[k - 1] in _OF_HEADS for k, w in enumerate(near)
    )


def _words_before(text: str, floor: int, pos: int) -> list[str]:
    """The last :data:`_WINDOW_WORDS` words (lower case) before ``pos``, not reaching back past ``floor``."""
    return re.findall(r"[\w.]+", text[max(floor, pos - _WINDOW_CHARS) : pos].lower())[-_WINDOW_WORDS:]


_WINDOW_WORDS = 7
"""How many words before a hardware name are read for a tie or comparison cue."""
_WINDOW_CHARS = 80
"""How far back (characters) those words are looked for."""
_PREPOSITION_WORDS = 4
"""How close (words) before a hardware name a preposition of place must stand."""


def _close_paren(
    text: str, metric: MetricFound, h: HardwareSpan, hardware: list[HardwareSpan], found: list[MetricFound]
) -> bool:
    """A parenthesized name right after a result says where it ran: "15 times speedup over TensorFlow (Raspberry
    Pi)" (``h`` is known to stand in a parenthesis)."""
    return (
        h.start >= metric.end
        and h.start - metric.end < 80
        and not re.search(r"[;.]", text[metric.end : h.start])
        and not any(within(o, metric.end, h.start) for o in hardware if o is not h)
        and not _result_between(metric, h, found)
    )


def _is_baseline(text: str, s: int, metric: MetricFound, h: HardwareSpan, close_paren: bool) -> bool:
    """Hardware the result is compared against: after "than", "compared to", "over" (not "over 8 GPUs") unless
    a parenthesis right after the result names it, in a leading "Compared to ..." clause, after a comparison
    that follows the result, or written "CPU-only"."""
    # a cue before the result is the result's own ("against 140 W for the GPU"): after it, only what lies between
    floor = max(s, metric.end) if h.start >= metric.end else s
    before = _words_before(text, floor, h.start)
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
        if not any(holds(h, pos) for h in hardware):
            return True
    return False


def _parenthesized(text: str, h: HardwareSpan) -> bool:
    return bool(re.search(r"\(\s*$", text[max(0, h.start - 3) : h.start])) and bool(re.match(r"\s*\)", text[h.end :]))


def _comparison_clause(text: str, sent_start: int, h: HardwareSpan, metric: MetricFound) -> bool:
    """Hardware in a leading "compared to ..." clause: "Compared to GPU-only and NPU+PIM designs, X achieves 3x"."""
    before = text[sent_start : h.start].lower()
    between = text[h.end : metric.start]
    return bool(re.search(r"\b(?:compared|relative|unlike|versus)\b", before)) and "," in between
