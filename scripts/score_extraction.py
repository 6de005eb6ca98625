#!/usr/bin/env python
"""Score the rule-based extractor against hand-labelled papers (tests/data/extraction_*.jsonl).

Precision, recall and F1 per entity type, micro-averaged over papers. Names are compared leniently, as a person
would: case, punctuation and spacing, a trailing plural and, for hardware, a leading vendor or brand word and
a trailing type noun are ignored ("NVIDIA A100 GPUs" = "A100"). Metrics match by (value, unit) with 6
significant digits, units normalised and magnitudes multiplied out ("20 B parameters" = 2e10 parameters,
"tok/s" = "tokens/s"); a second row matches by value alone. On matches: hardware type, system role, metric
value_max, kind and hardware.

    python scripts/score_extraction.py                      # every table: dev, heldout, audit, frozen, LOSO
    python scripts/score_extraction.py --set dev [--verbose]
    python scripts/score_extraction.py --set frozen         # the frozen set, then by source, then LOSO
    python scripts/score_extraction.py --set frozen2        # the second frozen set; only ever named explicitly
    python scripts/score_extraction.py --set frozen3        # the third frozen set; only ever named explicitly
    python scripts/score_extraction.py --set frozen4        # the fourth frozen set; only ever named explicitly
    python scripts/score_extraction.py --set frozen5        # the fifth frozen set; only ever named explicitly
    python scripts/score_extraction.py --data DIR           # label files from another folder

Sets: ``dev`` (rules are tuned on it), ``heldout`` (only its aggregate is looked at), ``audit`` (labelled by
someone else), ``frozen`` (labelled before the rules changed; scored once, now development data), ``frozen2``
(written after ``frozen`` was scored; scored once, now development data, still named explicitly), ``frozen3``
(written after ``frozen2`` was scored; scored once by the lead, now development data), ``frozen4`` (written after
``frozen3`` was scored; scored by the lead before and after round 6, now development data) and ``frozen5`` (written
after ``frozen4`` was scored, never seen by rule writers; scored by the lead before and after round 7). None of
these is part of the default "every table" run. The frozen set's rows carry a ``source``; the leave-one-source-out
(LOSO) table scores the papers whose only source is the bundled dump file the rules were never tuned on
(``bundled:003``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from papergraph.extract import Extractor
from papergraph.models import Paper

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
HARDWARE_DATA = ROOT / "src" / "papergraph" / "extract" / "data" / "hardware.jsonl"
SETS = ("dev", "heldout", "audit", "frozen")
"""The sets the default run scores, in order."""
EXPLICIT_SETS = ("frozen2", "frozen3", "frozen4", "frozen5")
"""Sets scored only when ``--set`` names them (held out from the default run)."""
LOSO_SOURCE = "bundled:003"
TYPES = ("hardware", "techniques", "systems", "datasets", "metrics")
BRANDS = ("geforce", "tesla", "quadro", "habana", "mellanox")
"""Brand words ignored before a hardware name, like vendor names ("GeForce RTX 4090" = "RTX 4090")."""
TYPE_NOUNS = frozenset({"gpu", "cpu", "npu", "tpu", "fpga", "soc", "mcu", "board", "chip", "processor", "accelerator"})
"""Type nouns ignored after a hardware name ("A100 GPUs" = "A100")."""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    extra: dict[str, list[int]] = field(default_factory=dict)  # attribute -> [correct, total]

    def add_attr(self, name: str, ok: bool) -> None:
        slot = self.extra.setdefault(name, [0, 0])
        slot[0] += int(ok)
        slot[1] += 1

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


# --------------------------------------------------------------------------------------------------
# Lenient keys
# --------------------------------------------------------------------------------------------------


@cache
def vendor_words() -> tuple[tuple[str, ...], ...]:
    """Vendor names and spellings of this checkout's hardware data (whichever extractor is scored), as word
    sequences, longest first, plus brand words."""
    rows = [json.loads(line) for line in HARDWARE_DATA.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    names = {str(r["pattern"]) for r in rows if r["label"] == "VENDOR"} | {
        str(r["vendor"]) for r in rows if "vendor" in r
    }
    words = {tuple(_words(n)) for n in names} | {(b,) for b in BRANDS}
    return tuple(sorted((w for w in words if w), key=len, reverse=True))


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [w for w in re.split(r"[^0-9a-z]+", folded) if w]


def name_key(name: str, hardware: bool = False) -> str:
    """A name compared leniently: words only, no trailing plural, no leading vendor or brand (hardware)."""
    words = _words(name)
    if hardware:
        stripped = True
        while stripped and len(words) > 1:
            stripped = False
            for vendor in vendor_words():
                if tuple(words[: len(vendor)]) == vendor and len(words) > len(vendor):
                    words, stripped = words[len(vendor) :], True
                    break
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    if hardware and len(words) > 1 and words[-1] in TYPE_NOUNS:
        words = words[:-1]  # "A100 GPU" = "A100"
    return "".join(words)


_MAGNITUDES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9, "t": 1e12}
_MAGNITUDES["trillion"] = 1e12
_UNIT_SYNONYMS = {
    "params": "parameters",
    "param": "parameters",
    "parameter": "parameters",
    "tok/s": "tokens/s",
    "token/s": "tokens/s",
    "tokens per second": "tokens/s",
    "×": "x",
    "times": "x",
    "fold": "x",
    "percent": "%",
    "bit": "bits",
}
_COUNTED = frozenset({"gpu", "npu", "cpu", "tpu", "node", "device", "core", "token", "request", "expert", "task"})


def metric_key(value: float, unit: str) -> tuple[float, str]:
    """(value, unit) with the unit normalised and a magnitude word or letter multiplied out."""
    text = unit.strip()
    parts = text.split(maxsplit=1)
    if len(parts) == 2 and parts[0].casefold() in _MAGNITUDES:
        value *= _MAGNITUDES[parts[0].casefold()]
        text = parts[1]
    low = _UNIT_SYNONYMS.get(text.casefold(), text.casefold())
    if low in _COUNTED:
        low += "s"  # "1 GPU" = "1 GPUs"
    return float(f"{value:.6g}"), low


# --------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------


def load_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _names(items: Iterable[Any], hardware: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name = item if isinstance(item, str) else item["name"]
        out.setdefault(name_key(name, hardware), item)
    return out


def _label(item: Any) -> str:
    return str(item["name"] if isinstance(item, dict) else item)


def score_entities(gold: dict[str, Any], pred: dict[str, Any], counts: dict[str, Counts]) -> dict[str, Any]:
    """Update ``counts`` for the four entity types of one paper; return (false positives, false negatives)."""
    errors: dict[str, Any] = {}
    for type_ in ("hardware", "techniques", "systems", "datasets"):
        g, p = _names(gold.get(type_, []), type_ == "hardware"), _names(pred[type_], type_ == "hardware")
        c = counts[type_]
        hits = g.keys() & p.keys()
        c.tp += len(hits)
        c.fp += len(p.keys() - g.keys())
        c.fn += len(g.keys() - p.keys())
        for k in sorted(hits):
            if type_ == "systems":
                c.add_attr("role", g[k]["role"] == p[k]["role"])
            if type_ == "hardware":
                c.add_attr("type", g[k]["type"] == p[k]["type"])
        errors[type_] = (
            sorted(_label(p[k]) for k in p.keys() - g.keys()),
            sorted(_label(g[k]) for k in g.keys() - p.keys()),
        )
    return errors


def score_metrics(gold: dict[str, Any], pred: dict[str, Any], counts: dict[str, Counts]) -> dict[str, Any]:
    gold_m: dict[tuple[float, str], dict[str, Any]] = {}
    for m in gold.get("metrics", []):
        gold_m.setdefault(metric_key(m["value"], m["unit"]), m)
    pred_m: dict[tuple[float, str], list[dict[str, Any]]] = {}
    for m in pred["metrics"]:
        pred_m.setdefault(metric_key(m["value"], m["unit"]), []).append(m)
    c, v = counts["metrics"], counts["metrics (value)"]
    hits = gold_m.keys() & pred_m.keys()
    c.tp += len(hits)
    c.fp += len(pred_m.keys() - gold_m.keys())
    c.fn += len(gold_m.keys() - pred_m.keys())
    gold_v, pred_v = {k[0] for k in gold_m}, {k[0] for k in pred_m}
    v.tp, v.fp, v.fn = v.tp + len(gold_v & pred_v), v.fp + len(pred_v - gold_v), v.fn + len(gold_v - pred_v)
    wrong = [_attributes(gold_m[k], pred_m[k], c, f"{k[0]:g} {k[1]}") for k in sorted(hits)]
    fp = [
        f"{val:g} {unit} ({pred_m[(val, unit)][0]['surface']!r})" for val, unit in sorted(pred_m.keys() - gold_m.keys())
    ]
    fn = [f"{val:g} {unit}" for val, unit in sorted(gold_m.keys() - pred_m.keys())]
    return {"metrics": (fp, fn), "metric attributes": ([w for w in wrong if w], [])}


def _attributes(g: dict[str, Any], ps: list[dict[str, Any]], c: Counts, what: str) -> str:
    """Count a matched metric's attributes; a description of the ones that differ, or ""."""
    gmax = None if g.get("value_max") is None else metric_key(g["value_max"], g["unit"])[0]
    attrs = {
        "value_max": gmax in {None if p["value_max"] is None else metric_key(p["value_max"], p["unit"])[0] for p in ps},
        "kind": g.get("kind") in {p["kind"] for p in ps},
        "hardware": _hw_key(g.get("hardware")) in {_hw_key(p["hardware"]) for p in ps},
        "direction": g.get("direction") in {p.get("direction") for p in ps},
        "baseline": _hw_key(g.get("baseline_hardware")) in {_hw_key(p.get("baseline_hardware")) for p in ps},
    }
    fields = {"direction": "direction", "baseline": "baseline_hardware"}
    for name, ok in attrs.items():
        if fields.get(name, "value") in g or name in ("value_max", "kind", "hardware"):
            c.add_attr(name, ok)  # direction and baseline only where the labels have them
    if all(attrs.values()):
        return ""
    got = sorted({(p["kind"], p["hardware"], p.get("direction"), p.get("baseline_hardware")) for p in ps}, key=str)
    return (
        f"{what}: gold {(g.get('kind'), g.get('hardware'), g.get('direction'), g.get('baseline_hardware'))}, pred {got}"
    )


def _hw_key(name: str | None) -> str | None:
    return None if name is None else name_key(name, True)


def score(rows: list[dict[str, Any]], extractor: Extractor, verbose: bool = False) -> dict[str, Counts]:
    """Counts per type over ``rows`` (label rows with their title and abstract)."""
    papers = [Paper(id=r["id"], title=r["title"], abstract=r["abstract"]) for r in rows]
    counts = {t: Counts() for t in (*TYPES, "metrics (value)")}
    for row, extraction in zip(rows, extractor.extract(papers), strict=True):
        pred = extraction.to_contract()
        errors = {**score_entities(row, pred, counts), **score_metrics(row, pred, counts)}
        shown = verbose and source_of(row) != LOSO_SOURCE  # the leave-one-source-out papers are never shown
        if shown and any(fp or fn for fp, fn in errors.values()):
            print(f"\n--- {row['id']}  {row['title'][:90]}")
            for type_, (fp, fn) in errors.items():
                if fp:
                    print(f"  {type_:<17} FP: {fp}")
                if fn:
                    print(f"  {type_:<17} FN: {fn}")
    return counts


def print_table(title: str, counts: dict[str, Counts], papers: int, seconds: float | None = None) -> None:
    took = f" ({seconds:.2f} s)" if seconds is not None else ""
    print(f"\n== {title}: {papers} papers{took}")
    print(f"{'type':<16}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}   attributes on matches")
    for type_, c in counts.items():
        p, r, f = c.prf()
        attrs = "  ".join(f"{k} {ok / tot:.2f} ({ok}/{tot})" for k, (ok, tot) in c.extra.items() if tot)
        print(f"{type_:<16}{p:7.3f}{r:7.3f}{f:7.3f}{c.tp:6d}{c.fp:6d}{c.fn:6d}   {attrs}")


def source_of(row: dict[str, Any]) -> str:
    """A frozen row's source: ``bundled:<file>`` or where an outside paper came from."""
    return str(row.get("source") or "unknown")


def run_set(name: str, data: Path, extractor: Extractor, verbose: bool) -> None:
    path = data / f"extraction_{name}.jsonl"
    if not path.exists():
        print(f"\n== {name}: {path} is not there")
        return
    rows = load_rows(path)
    start = time.perf_counter()
    print_table(name, score(rows, extractor, verbose), len(rows), time.perf_counter() - start)
    if name != "frozen":
        return
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(source_of(row).split(":", 1)[0], []).append(row)
    for group, members in sorted(groups.items()):
        print_table(f"frozen, {group} papers", score(members, extractor), len(members))
    loso = [row for row in rows if source_of(row) == LOSO_SOURCE]
    print_table(f"leave-one-source-out: frozen papers only in {LOSO_SOURCE}", score(loso, extractor), len(loso))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    choices = (*SETS, *EXPLICIT_SETS, "both", "all")
    parser.add_argument("--set", choices=choices, default="all", help="default: every set but the explicit frozen2-5")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the extraction_<set>.jsonl files")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help=f"list false positives/negatives per paper (never for papers only in {LOSO_SOURCE})",
    )
    args = parser.parse_args(argv)
    extractor = Extractor()
    names = {"both": ("dev", "heldout"), "all": SETS}.get(args.set, (args.set,))
    for name in names:
        run_set(name, args.data, extractor, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
