"""Schemathesis against the real app, as an outside tool runs it: every check, every phase, zero failures.

``schemathesis run <url>/openapi.json --checks all`` with the examples, coverage, fuzzing and stateful phases,
against uvicorn on loopback serving the real models over ten bundled-corpus papers. Seeded, without the example
database, on one worker: the same cases every run. The default run keeps a small number of examples per
operation; the ``slow`` one generates ten times more. The one rule OpenAPI cannot state for query strings (GET
/search needs q or paper_id) comes from ``schemathesis.toml`` -> ``tests/api/schemathesis_hooks.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from live_api import ADMIN_TOKEN

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
SEED = 20261201
PHASES = "examples,coverage,fuzzing,stateful"


def schemathesis_run(url: str, max_examples: int, report_dir: Path) -> tuple[int, str]:
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    command = [
        exe,
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        PHASES,
        "--seed",
        str(SEED),
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--header",  # the admin operations (DELETE /papers/{id}) are exercised too, use-after-free check included
        f"Authorization: Bearer {ADMIN_TOKEN}",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    return done.returncode, done.stdout + done.stderr


def summary(output: str) -> str:
    cases = re.search(r"Test cases:\s*\n\s*(.+)", output)
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return f"{cases.group(1).strip() if cases else '?'} | {last.strip('= ')}"


def check_run(url: str, max_examples: int, report_dir: Path) -> None:
    code, output = schemathesis_run(url, max_examples, report_dir)
    print(f"schemathesis --checks all --phases {PHASES} -n {max_examples}: {summary(output)}")
    assert code == 0, output[-12000:]
    assert "No issues found" in output, output[-12000:]
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert re.search(rf"✅\s+{phase}", output), f"phase {phase} did not run and pass:\n{output[-6000:]}"
    assert "Configuration:" in output and "schemathesis.toml" in output  # the hooks were loaded


def test_schemathesis_all_checks_all_phases(live_url: str, tmp_path: Path) -> None:
    check_run(live_url, 25, tmp_path)


@pytest.mark.slow
def test_schemathesis_all_checks_all_phases_long(live_url: str, tmp_path: Path) -> None:
    check_run(live_url, 250, tmp_path)
