"""The hand-labelled extraction sets (tests/data/extraction_*.jsonl) are well-formed; nothing here scores them.

Checks every line of every set: it parses, its ids are unique across all sets, hardware types, levels, metric kinds,
directions and system roles are valid values, metric hardware refers to the paper's own hardware labels, techniques
come from the controlled vocabulary of tests/data/LABELLING.md, and bundled papers exist in the bundled corpus with
the same title and abstract. Every set carries the issue-8 fields: vendor, family and level on each hardware item,
family on each system, baseline_hardware and direction on each metric (null where they do not apply, never missing);
source is checked when present. The fourth and fifth frozen sets are checked for their make-up (size, written share,
w4-/w5- ids, a source on every line). Failure messages name the file, line and field, never the abstract.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from papergraph.corpus import read_corpus
from papergraph.models import HardwareType, MetricKind, Paper, SystemRole, title_id

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
CORPUS = ROOT / "data" / "corpus"
SETS = sorted(DATA.glob("extraction_*.jsonl"))

# Hardware types LABELLING.md adds until papergraph.models.HardwareType has them.
EXTRA_HARDWARE_TYPES = {"laptop", "desktop", "wearable"}
HARDWARE_TYPES = {t.value for t in HardwareType} | EXTRA_HARDWARE_TYPES
METRIC_KINDS = {k.value for k in MetricKind}
ROLES = {r.value for r in SystemRole}
LEVELS = {"model", "family", "class"}
DIRECTIONS = {"increase", "decrease", None}
TECHNIQUES = {
    "quantization", "post-training quantization", "quantization-aware training", "pruning", "knowledge distillation",
    "low-rank adaptation", "parameter-efficient fine-tuning", "neural architecture search", "split computing",
    "early exiting", "federated learning", "split learning", "model compression", "mixture of experts",
    "speculative decoding", "kv cache management", "offloading", "activation checkpointing", "pipeline parallelism",
    "tensor parallelism", "data parallelism", "sequence parallelism", "continuous batching",
    "prefill-decode disaggregation", "paged attention", "flash attention", "operator fusion", "kernel generation",
    "compiler optimization", "serverless computing", "autoscaling", "scheduling", "load balancing", "caching",
    "edge-cloud collaboration", "on-device inference", "distributed training", "fault tolerance", "checkpointing",
    "power management", "energy efficiency", "homomorphic encryption", "differential privacy",
    "trusted execution environment", "reinforcement learning", "retrieval-augmented generation", "sparsity",
    "binarization", "ternary weights", "table lookup", "dataflow architecture", "hardware-software co-design",
    "benchmarking", "simulation", "performance modeling",
}  # fmt: skip
REQUIRED = ("id", "title", "abstract", "hardware", "techniques", "systems", "datasets", "metrics")
OPTIONAL = ("source", "notes")
HARDWARE_FIELDS = {"name", "type", "vendor", "family", "level"}
SYSTEM_FIELDS = {"name", "role", "family"}
METRIC_FIELDS = {"value", "value_max", "unit", "kind", "hardware", "baseline_hardware", "direction"}
SOURCE = re.compile(r"^(bundled:\d{3}|written:[a-z0-9-]+)$")
WRITTEN_ID = re.compile(r"^w[2345]?-[a-z0-9-]+$")
"""Written ids: ``w-<slug>`` (first frozen set), ``w2-`` ... ``w5-<slug>`` (frozen2 ... frozen5)."""
FROZEN4 = DATA / "extraction_frozen4.jsonl"
FROZEN5 = DATA / "extraction_frozen5.jsonl"
LOWEST_FILE_SETS = {FROZEN4.name, FROZEN5.name}
"""Sets whose bundled papers may sit in several corpus files; ``source`` then names the lowest-numbered one."""


def records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each non-blank line; a line that is not a JSON object fails with its place."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"{path.name}:{number}: not JSON ({exc.msg})")
        assert isinstance(record, dict), f"{path.name}:{number}: not a JSON object"
        yield number, record


@cache
def bundled_papers() -> dict[str, Paper]:
    papers, _ = read_corpus([CORPUS])
    return {paper.id: paper for paper in papers}


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def optional_str(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == value and value != "")


def test_every_set_is_found() -> None:
    names = {path.name for path in SETS}
    expected = {"dev", "heldout", "audit", "frozen", "frozen2", "frozen3", "frozen4", "frozen5"}
    assert {f"extraction_{name}.jsonl" for name in expected} <= names


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_lines_parse_with_the_required_fields(path: Path) -> None:
    count = 0
    for number, record in records(path):
        where = f"{path.name}:{number}"
        missing = [key for key in REQUIRED if key not in record]
        assert not missing, f"{where}: missing {missing}"
        unknown = sorted(set(record) - set(REQUIRED) - set(OPTIONAL))
        assert not unknown, f"{where}: unknown fields {unknown}"
        assert "notes" not in record or optional_str(record["notes"]), f"{where}: notes must be a non-empty string"
        assert isinstance(record["id"], str) and record["id"], f"{where}: empty id"
        assert isinstance(record["title"], str) and record["title"].strip(), f"{where}: empty title"
        assert isinstance(record["abstract"], str) and record["abstract"].strip(), f"{where}: empty abstract"
        for key in ("hardware", "techniques", "systems", "datasets", "metrics"):
            assert isinstance(record[key], list), f"{where}: {key} is not a list"
        count += 1
    assert count > 0, f"{path.name}: no records"


def test_ids_are_unique_across_all_sets() -> None:
    seen: dict[str, str] = {}
    for path in SETS:
        for number, record in records(path):
            where = f"{path.name}:{number}"
            assert record["id"] not in seen, f"{where}: id {record['id']} already at {seen[record['id']]}"
            seen[record["id"]] = where


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_hardware_labels_use_valid_values(path: Path) -> None:
    for number, record in records(path):
        names = [item["name"] for item in record["hardware"]]
        assert len(names) == len(set(names)), f"{path.name}:{number}: a hardware name is listed twice"
        for item in record["hardware"]:
            where = f"{path.name}:{number}: hardware {item.get('name')!r}"
            assert set(item) == HARDWARE_FIELDS, f"{where}: fields {sorted(item)}, expected {sorted(HARDWARE_FIELDS)}"
            assert optional_str(item["name"]) and item["name"], f"{where}: bad name"
            assert item["type"] in HARDWARE_TYPES, f"{where}: type {item['type']!r}"
            assert item["level"] in LEVELS, f"{where}: level {item['level']!r}"
            for key in ("vendor", "family"):
                assert optional_str(item[key]), f"{where}: {key} {item[key]!r}"
            if item["level"] == "class":
                assert item["family"] is None, f"{where}: a class has no family"


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_techniques_systems_and_datasets_use_valid_values(path: Path) -> None:
    for number, record in records(path):
        where = f"{path.name}:{number}"
        unknown = sorted(set(record["techniques"]) - TECHNIQUES)
        assert not unknown, f"{where}: techniques outside the vocabulary {unknown}"
        assert len(record["techniques"]) == len(set(record["techniques"])), f"{where}: a technique is listed twice"
        names = [item["name"] for item in record["systems"]]
        assert len(names) == len(set(names)), f"{where}: a system is listed twice"
        for item in record["systems"]:
            expected = sorted(SYSTEM_FIELDS)
            assert set(item) == SYSTEM_FIELDS, f"{where}: system fields {sorted(item)}, expected {expected}"
            assert optional_str(item["name"]) and item["name"], f"{where}: bad system name"
            assert item["role"] in ROLES, f"{where}: system {item['name']!r} role {item['role']!r}"
            assert optional_str(item["family"]), f"{where}: system {item['name']!r} family {item['family']!r}"
        assert all(optional_str(name) and name for name in record["datasets"]), f"{where}: bad dataset name"
        assert len(record["datasets"]) == len(set(record["datasets"])), f"{where}: a dataset is listed twice"


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_metrics_use_valid_values(path: Path) -> None:
    for number, record in records(path):
        hardware = {item["name"] for item in record["hardware"]}
        pairs: set[tuple[float, str]] = set()
        for item in record["metrics"]:
            where = f"{path.name}:{number}: metric {item.get('value')!r} {item.get('unit')!r}"
            assert set(item) == METRIC_FIELDS, f"{where}: fields {sorted(item)}, expected {sorted(METRIC_FIELDS)}"
            assert is_number(item["value"]), f"{where}: value is not a number"
            assert item.get("value_max") is None or is_number(item["value_max"]), f"{where}: bad value_max"
            if item.get("value_max") is not None:
                assert item["value_max"] > item["value"], f"{where}: value_max not above value"
            assert optional_str(item.get("unit")) and item["unit"], f"{where}: empty unit"
            assert item["kind"] in METRIC_KINDS, f"{where}: kind {item['kind']!r}"
            assert item["direction"] in DIRECTIONS, f"{where}: direction {item['direction']!r}"
            for key in ("hardware", "baseline_hardware"):
                if item[key] is not None:
                    assert item[key] in hardware, f"{where}: {key} {item[key]!r} is not among the paper's hardware"
            pair = (float(f"{item['value']:.6g}"), item["unit"])
            assert pair not in pairs, f"{where}: the same (value, unit) is listed twice"
            pairs.add(pair)


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_ids_and_sources_match_the_bundled_corpus(path: Path) -> None:
    papers = bundled_papers()
    for number, record in records(path):
        where = f"{path.name}:{number}: {record['id']}"
        source = record.get("source")
        if source is not None:
            assert isinstance(source, str) and SOURCE.match(source), f"{where}: source {source!r}"
        if source is not None and source.startswith("written:"):
            assert WRITTEN_ID.match(record["id"]), f"{where}: written ids are w-, w2-, w3-, w4- or w5-<slug>"
            assert record["id"] not in papers, f"{where}: a written id collides with a bundled paper"
            continue
        assert record["id"] == title_id(record["title"]), f"{where}: id is not title_id(title)"
        paper = papers.get(record["id"])
        assert paper is not None, f"{where}: not in the bundled corpus"
        assert paper.title == record["title"], f"{where}: title differs from the corpus"
        assert paper.abstract == record["abstract"], f"{where}: abstract differs from the corpus"
        if source is not None:
            prefix = source.removeprefix("bundled:") + "_"
            files = sorted(Path(s).name for s in paper.sources)
            named = files[:1] if path.name in LOWEST_FILE_SETS else files
            assert all(name.startswith(prefix) for name in named), f"{where}: corpus files {files} vs {source}"


@pytest.mark.parametrize(("path", "prefix"), [(FROZEN4, "w4-"), (FROZEN5, "w5-")], ids=lambda v: getattr(v, "name", v))
def test_the_fourth_and_fifth_frozen_sets_have_their_make_up(path: Path, prefix: str) -> None:
    rows = [record for _, record in records(path)]
    written = [r for r in rows if str(r.get("source", "")).startswith("written:")]
    bundled = [r for r in rows if str(r.get("source", "")).startswith("bundled:")]
    assert len(rows) >= 65, f"{path.name}: {len(rows)} papers, expected at least 65"
    assert len(written) >= 30, f"{path.name}: {len(written)} written abstracts, expected at least 30"
    assert len(written) + len(bundled) == len(rows), f"{path.name}: every line needs a bundled: or written: source"
    wrong = [r["id"] for r in written if not r["id"].startswith(prefix)]
    assert not wrong, f"{path.name}: written ids must start with {prefix}: {wrong}"
