"""Every third-party package that src/, tests/ and scripts/ import is declared in pyproject.toml (deptry).

A package that arrives only through another one (transformers through sentence-transformers, starlette through
FastAPI) can vanish or change under us with the next release of its parent: what we import, we declare.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
SCANNED = ("src", "tests", "scripts")


def local_modules() -> set[str]:
    """Helper modules the tests and scripts import by file name (``support``, ``live_api``, ``bolt_server``...)."""
    return {path.stem for folder in ("tests", "scripts") for path in (ROOT / folder).rglob("*.py")}


def test_nothing_is_imported_that_pyproject_does_not_declare() -> None:
    deptry = Path(sys.executable).parent / "deptry"
    first_party = [arg for name in sorted(local_modules()) for arg in ("--known-first-party", name)]
    done = subprocess.run(
        [str(deptry), *SCANNED, *first_party, "--no-ansi"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success! No dependency issues found." in done.stdout + done.stderr
