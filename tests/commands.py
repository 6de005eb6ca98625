"""Python child processes for the tests (the CLI, the ingest driver), each with a deadline that explains itself.

A child that is still running at its deadline prints the stack of every one of its threads (faulthandler)
and exits; the test then fails with that stack, so a hung CI run says where the child waited: which
Bolt call, which lock. Without it, pytest-timeout would kill the whole test and show only the parent.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

COMMAND_TIMEOUT_S = 120.0
"""Deadline of one child: well above what a CLI run takes on a loaded machine, well under pytest-timeout."""
_GRACE_S = 30.0
"""How long after its deadline a child gets to write its stacks before it is killed."""
_WATCHDOG = """\
import faulthandler, os, runpy, sys
faulthandler.dump_traceback_later(float(sys.argv[1]), exit=True)
target = sys.argv[2]
sys.argv = sys.argv[2:]
if target.endswith(".py"):
    sys.path.insert(0, os.path.dirname(os.path.abspath(target)))
    runpy.run_path(target, run_name="__main__")
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""


def run_python(
    target: str | Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = COMMAND_TIMEOUT_S,
) -> subprocess.CompletedProcess[str]:
    """``python -m target args`` (a module name) or ``python target args`` (a ``.py`` path), run to its end.

    Output is captured as text. Past ``timeout`` seconds the test fails, naming the command and showing
    the child's stderr, which ends with the stacks of its threads at the deadline.
    """
    command = [sys.executable, "-c", _WATCHDOG, str(timeout), str(target), *args]
    started = time.monotonic()
    proc = subprocess.Popen(
        command, env=dict(env) if env is not None else None, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        out, err = proc.communicate(timeout=timeout + _GRACE_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    elapsed = time.monotonic() - started
    stdout, stderr = out.decode(errors="replace"), err.decode(errors="replace")
    if elapsed >= timeout and proc.returncode != 0:
        shown = " ".join([str(target), *args])
        pytest.fail(
            f"`{shown}` did not finish within {timeout:g} s; its stderr, ending with where each thread "
            f"waited:\n{stderr[-12_000:]}",
            pytrace=False,
        )
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)
