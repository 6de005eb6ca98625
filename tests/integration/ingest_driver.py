"""Run one ingest (or delete) with the fake models in this process, and kill it (SIGKILL) where asked.

Used by the fault-injection and concurrency tests::

    python tests/integration/ingest_driver.py --data-dir D [--kill SPEC] [--sync] [--delete] [--slow S]
        [--hold-until FILE] ARGS...

``--kill`` takes ``before:NAME`` / ``after:NAME`` (NAME: a step of the run, see STEPS), ``write:N`` (just before
the N-th file write of the run: an atomic file replacement or a SQLite checkpoint), ``tx:N`` (after the N-th Neo4j write
transaction) or ``random:SECONDS`` (at that instant after the run starts). Neo4j settings come from the
usual environment variables. Prints the report as JSON when the run ends.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: support

import papergraph.atomic
import papergraph.embed.cache
import papergraph.graph.networkx_store
import papergraph.index.paper_store
import papergraph.index.vector_index
from papergraph import ingest as ingest_module
from papergraph.atomic import CommitPoint
from papergraph.config import Settings
from support import HashEncoder, PaperExtractor

STEPS: dict[str, tuple[Any, str]] = {  # the per-batch steps die after their first batch
    "plan": (ingest_module._Run, "plan_batch"),
    "extract": (ingest_module._Run, "take_extractions"),
    "embed": (ingest_module._Run, "take_vectors"),
    "graph": (ingest_module._Run, "write_graph"),
    "index": (ingest_module._Run, "update_index"),
    "removals": (ingest_module._Run, "finish_removals"),
    "save-generation": (ingest_module._Run, "commit_generation"),
    "switch": (CommitPoint, "commit"),
    "clean": (CommitPoint, "clean"),
}
WRITERS = (papergraph.atomic, papergraph.graph.networkx_store, papergraph.index.vector_index)
CHECKPOINTS = (papergraph.embed.cache, papergraph.index.paper_store, papergraph.ingest)  # SQLite commits


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _wrap(owner: Any, name: str, before: Callable[[], None] | None, after: Callable[[], None] | None) -> None:
    real = getattr(owner, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if before:
            before()
        result = real(*args, **kwargs)
        if after:
            after()
        return result

    setattr(owner, name, wrapped)


def arm(spec: str) -> None:
    kind, _, value = spec.partition(":")
    if kind in ("before", "after"):
        owner, name = STEPS[value]
        _wrap(owner, name, die if kind == "before" else None, die if kind == "after" else None)
    elif kind == "write":
        count = [0]

        def count_write() -> None:
            count[0] += 1
            if count[0] == int(value):
                die()

        for module in WRITERS:
            _wrap(module, "atomic_write", count_write, None)
        for module in CHECKPOINTS:
            _wrap(module, "checkpoint", count_write, None)
    elif kind == "tx":
        from papergraph.graph.neo4j_store import Neo4jStore

        done = [0]

        def count_tx() -> None:
            done[0] += 1
            if done[0] == int(value):
                die()

        real = Neo4jStore._execute

        def execute(self: Neo4jStore, work: Any, *, write: bool) -> Any:
            result = real(self, work, write=write)
            if write:
                count_tx()
            return result

        Neo4jStore._execute = execute  # type: ignore[method-assign]
    elif kind == "random":
        threading.Timer(float(value), die).start()
    else:
        raise SystemExit(f"unknown kill spec {spec!r}")


class SlowEncoder(HashEncoder):
    """Sleeps ``delay`` per batch and, given a gate file, blocks each batch until the file exists (at most 120 s)."""

    def __init__(self, delay: float, gate: Path | None = None) -> None:
        super().__init__()
        self.delay = delay
        self.gate = gate

    def encode(self, texts: Any, batch_size: int | None = None) -> Any:
        time.sleep(self.delay)
        deadline = time.monotonic() + 120
        while self.gate is not None and not self.gate.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return super().encode(texts, batch_size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--kill")
    parser.add_argument("--sync", action="store_true")
    parser.add_argument("--delete", action="store_true", help="ARGS are paper ids to delete")
    parser.add_argument("--no-wait", action="store_true")
    parser.add_argument("--slow", type=float, default=0.0, help="seconds each embedding batch takes")
    parser.add_argument("--hold-until", type=Path, help="embedding blocks until this file exists (holds the lock)")
    parser.add_argument("args", nargs="*")
    opts = parser.parse_args()
    settings = Settings(data_dir=opts.data_dir, embed_checkpoint=2)
    if opts.kill:
        arm(opts.kill)
    wait = 0 if opts.no_wait else None
    if opts.delete:
        report: Any = ingest_module.delete(opts.args, settings, wait=wait)
    else:
        report = ingest_module.ingest(
            [Path(a) for a in opts.args],
            settings,
            sync=opts.sync,
            wait=wait,
            encoder=SlowEncoder(opts.slow, opts.hold_until),
            extractor=PaperExtractor(),
        )
    print(report.model_dump_json())


if __name__ == "__main__":
    main()
