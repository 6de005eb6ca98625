"""The extraction scorer, on label files built in the test (never on the team's label sets)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "score_extraction.py"


@pytest.fixture(scope="module")
def scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_extraction", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["score_extraction"] = module
    spec.loader.exec_module(module)
    return module


def test_names_are_compared_leniently(scorer: ModuleType) -> None:
    key = scorer.name_key
    assert key("NVIDIA A100 GPUs", hardware=True) == key("A100 GPU", hardware=True) == key("a100", hardware=True)
    assert key("GeForce RTX 4090", hardware=True) == key("NVIDIA RTX-4090", hardware=True)
    assert key("Analog Devices MAX78000", hardware=True) == key("MAX78000", hardware=True)
    assert key("Raspberry Pi 4B", hardware=True) == key("raspberry pi 4 b", hardware=True)
    assert key("NVIDIA", hardware=True) == "nvidia"  # a vendor alone stays a name
    assert key("Hailo-8", hardware=True) != key("Hailo-15", hardware=True)
    assert key("LLaMA-2") == key("Llama 2") and key("GPTs") == key("GPT")
    assert key("pruning") == key("Pruning") and key("class") != key("clas")


def test_metrics_are_compared_with_units_normalised(scorer: ModuleType) -> None:
    key = scorer.metric_key
    assert key(20, "B parameters") == key(2e10, "parameters") == key(20e9, "params")
    assert key(3, "times") == key(3.0, "x") and key(25, "tok/s") == key(25, "tokens/s")
    assert key(1, "GPU") == key(1, "GPUs")
    assert key(1 / 3, "x") == key(0.333333, "x")
    assert key(5, "ms") != key(5, "s")


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _row(pid: str, abstract: str, source: str, **labels: object) -> dict[str, object]:
    row: dict[str, object] = {"id": pid, "title": f"Paper {pid}", "abstract": abstract, "source": source}
    row.update({t: labels.get(t, []) for t in ("hardware", "techniques", "systems", "datasets", "metrics")})
    return row


def test_frozen_set_by_source_and_leave_one_source_out(
    scorer: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a100 = {"name": "A100", "type": "GPU"}
    speed = {"value": 2, "value_max": None, "unit": "times", "kind": "speedup", "hardware": "A100 GPU"}
    rows = [
        _row("a", "It is 2x faster on an NVIDIA A100.", "bundled:003", hardware=[a100], metrics=[speed]),
        _row("b", "It runs on a Jetson Nano with 20B parameters.", "bundled:001",
             hardware=[{"name": "Jetson Nano", "type": "edge-board"}],
             metrics=[{"value": 20, "unit": "B parameters", "kind": "model-size", "hardware": None}]),
        _row("c", "We use PyTorch on the ImageNet dataset.", "written",
             systems=[{"name": "PyTorch", "role": "mentioned"}, {"name": "TensorFlow", "role": "mentioned"}],
             datasets=["ImageNet"]),
    ]  # fmt: skip
    _write(tmp_path / "extraction_frozen.jsonl", rows)
    assert scorer.main(["--data", str(tmp_path), "--set", "frozen"]) == 0
    out = capsys.readouterr().out
    assert "== frozen: 3 papers" in out
    assert "== frozen, bundled papers: 2 papers" in out and "== frozen, written papers: 1 papers" in out
    loso = out.split("== leave-one-source-out: frozen papers only in bundled:003: 1 papers")[1]
    hardware = next(line for line in loso.splitlines() if line.startswith("hardware"))
    assert hardware.split()[1:7] == ["1.000", "1.000", "1.000", "1", "0", "0"]
    frozen = out.split("== frozen: 3 papers")[1]
    systems = next(line for line in frozen.splitlines() if line.startswith("systems"))
    assert systems.split()[4:7] == ["1", "0", "1"]  # PyTorch found, TensorFlow missed


def test_a_missing_set_is_reported_not_scored(
    scorer: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scorer.main(["--data", str(tmp_path), "--set", "heldout"]) == 0
    assert "is not there" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["frozen2", "frozen3"])
def test_later_frozen_sets_are_scored_only_when_named(
    scorer: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    row = _row("w3-a", "We use PyTorch.", "written:compilers", systems=[{"name": "PyTorch", "role": "mentioned"}])
    _write(tmp_path / f"extraction_{name}.jsonl", [row])
    assert scorer.main(["--data", str(tmp_path)]) == 0
    assert f"== {name}" not in capsys.readouterr().out
    assert scorer.main(["--data", str(tmp_path), "--set", name]) == 0
    out = capsys.readouterr().out
    assert f"== {name}: 1 papers" in out and "leave-one-source-out" not in out
