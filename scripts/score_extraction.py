#!/usr/bin/env python
"""Score the rule-based extractor against the hand-labelled papers in tests/data/extraction_*.jsonl.

Precision, recall and F1 per entity type, micro-averaged over papers:

* hardware by canonical name, techniques by name, datasets by name, systems by name (names compared as
  ``slugify`` keys, the graph's node identity), plus role accuracy on matched systems;
* metrics by (value, unit), plus value_max, kind and hardware accuracy on matched metrics.

Each paper's gold and predicted names are sets: a name counts once per paper, as in the graph.

    python scripts/score_extraction.py [--set dev|heldout|audit|both|all] [--verbose]

``both`` is dev + held-out; ``all`` adds the independent audit set (``extraction_audit.jsonl``: 25 papers
labelled by someone other than the rules' author, across the whole field).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from papergraph.extract import Extractor
from papergraph.models import Extraction, Paper, slugify

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = ("dev", "heldout", "audit")
TYPES = ("hardware", "techniques", "systems", "datasets", "metrics")


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


def load_set(name: str) -> list[dict[str, Any]]:
    path = DATA / f"extraction_{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _num(v: float) -> float:
    return float(f"{v:.6g}")


def _names(items: Iterable[Any], key: str = "name") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name = item if isinstance(item, str) else item[key]
        out.setdefault(slugify(name), item)
    return out


def score_paper(gold: dict[str, Any], pred: Extraction, counts: dict[str, Counts]) -> dict[str, tuple[list, list]]:
    """Update ``counts`` with one paper; return (false positives, false negatives) per type."""
    contract = pred.to_contract()
    errors: dict[str, tuple[list, list]] = {}
    for type_ in ("hardware", "techniques", "systems", "datasets"):
        g = _names(gold[type_])
        p = _names(contract[type_])
        c = counts[type_]
        hits = g.keys() & p.keys()
        c.tp += len(hits)
        c.fp += len(p.keys() - g.keys())
        c.fn += len(g.keys() - p.keys())
        if type_ == "systems":
            wrong_roles = []
            for k in sorted(hits):
                c.add_attr("role", g[k]["role"] == p[k]["role"])
                if g[k]["role"] != p[k]["role"]:
                    wrong_roles.append(f"{g[k]['name']}: gold {g[k]['role']}, pred {p[k]['role']}")
            errors["system roles"] = (wrong_roles, [])
        if type_ == "hardware":
            for k in hits:
                c.add_attr("type", g[k]["type"] == p[k]["type"])
        errors[type_] = (
            sorted(p[k]["name"] if isinstance(p[k], dict) else p[k] for k in p.keys() - g.keys()),
            sorted(g[k]["name"] if isinstance(g[k], dict) else g[k] for k in g.keys() - p.keys()),
        )
    gold_m: dict[tuple[float, str], dict[str, Any]] = {}
    for m in gold["metrics"]:
        gold_m.setdefault((_num(m["value"]), m["unit"]), m)
    pred_m: dict[tuple[float, str], list[dict[str, Any]]] = {}
    for m in contract["metrics"]:
        pred_m.setdefault((_num(m["value"]), m["unit"]), []).append(m)
    c = counts["metrics"]
    hits = gold_m.keys() & pred_m.keys()
    c.tp += len(hits)
    c.fp += len(pred_m.keys() - gold_m.keys())
    c.fn += len(gold_m.keys() - pred_m.keys())
    wrong_attrs = []
    for k in sorted(hits):
        g, ps = gold_m[k], pred_m[k]
        gmax = None if g.get("value_max") is None else _num(g["value_max"])
        maxes = {None if p["value_max"] is None else _num(p["value_max"]) for p in ps}
        kinds = {p["kind"] for p in ps}
        hws = {p["hardware"] for p in ps}
        c.add_attr("value_max", gmax in maxes)
        c.add_attr("kind", g["kind"] in kinds)
        c.add_attr("hardware", g.get("hardware") in hws)
        if gmax not in maxes or g["kind"] not in kinds or g.get("hardware") not in hws:
            wrong_attrs.append(
                f"{k[0]:g} {k[1]}: gold max={g.get('value_max')} kind={g['kind']} hw={g.get('hardware')}; "
                f"pred max={sorted(maxes, key=str)} kind={sorted(kinds)} hw={sorted(hws, key=str)}"
            )
    errors["metrics"] = (
        [f"{v:g} {u} ({pred_m[(v, u)][0]['surface']!r})" for v, u in sorted(pred_m.keys() - gold_m.keys())],
        [f"{v:g} {u}" for v, u in sorted(gold_m.keys() - pred_m.keys())],
    )
    errors["metric attributes"] = (wrong_attrs, [])
    return errors


def run(name: str, extractor: Extractor, verbose: bool) -> dict[str, Counts]:
    rows = load_set(name)
    papers = [Paper(id=r["id"], title=r["title"], abstract=r["abstract"]) for r in rows]
    start = time.perf_counter()
    predictions = list(extractor.extract(papers))
    elapsed = time.perf_counter() - start
    counts = {t: Counts() for t in TYPES}
    for row, pred in zip(rows, predictions, strict=True):
        errors = score_paper(row, pred, counts)
        if verbose and any(fp or fn for fp, fn in errors.values()):
            print(f"\n--- {row['id']}  {row['title'][:90]}")
            for type_, (fp, fn) in errors.items():
                if fp:
                    print(f"  {type_:<17} FP: {fp}")
                if fn:
                    print(f"  {type_:<17} FN: {fn}")
    print(f"\n== {name}: {len(rows)} papers ({elapsed:.2f} s)")
    print(f"{'type':<12}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}   attributes on matches")
    for type_ in TYPES:
        c = counts[type_]
        p, r, f = c.prf()
        attrs = "  ".join(f"{k} {ok / tot:.2f} ({ok}/{tot})" for k, (ok, tot) in c.extra.items() if tot)
        print(f"{type_:<12}{p:7.3f}{r:7.3f}{f:7.3f}{c.tp:6d}{c.fp:6d}{c.fn:6d}   {attrs}")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=(*SETS, "both", "all"), default="dev")
    parser.add_argument("--verbose", action="store_true", help="list false positives/negatives per paper")
    args = parser.parse_args(argv)
    extractor = Extractor()
    names = {"both": ("dev", "heldout"), "all": SETS}.get(args.set, (args.set,))
    for name in names:
        run(name, extractor, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
