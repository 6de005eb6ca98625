"""The commit point and the writer lock: a crash at any step leaves one whole generation; one writer at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papergraph.atomic import CommitPoint, WriterLock, atomic_write, atomic_write_with, remove_old_layout
from papergraph.errors import IndexMismatchError, IndexNotFoundError, WriterBusyError


def _generation(point: CommitPoint, text: str) -> int:
    number, folder = point.begin()
    atomic_write(folder / "a.txt", text.encode())
    atomic_write(folder / "b.txt", text.encode())
    point.commit(number, folder, {"demo": {"text": text}})
    point.clean()
    return number


def _read(point: CommitPoint) -> tuple[str, str, str]:
    commit = point.require()
    part = commit.part("demo") or {}
    return part["text"], (commit.folder / "a.txt").read_text(), (commit.folder / "b.txt").read_text()


def test_generations_commit_as_a_unit_and_old_ones_are_cleaned(tmp_path: Path) -> None:
    point = CommitPoint(tmp_path)
    assert point.current() is None and point.generation() is None
    with pytest.raises(IndexNotFoundError, match="papergraph ingest"):
        point.require()
    for i in range(1, 5):
        assert _generation(point, f"v{i}") == i
        assert _read(point) == (f"v{i}",) * 3
    assert point.generation() == 4
    # the current generation and the one before it (a reader may still be loading it)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen-000003", "gen-000004", "manifest.json"]


def test_a_crash_before_the_switch_leaves_the_previous_generation(tmp_path: Path) -> None:
    point = CommitPoint(tmp_path)
    _generation(point, "old")
    number, folder = point.begin()
    atomic_write(folder / "a.txt", b"new")
    (tmp_path / ".manifest.json.x1.tmp").write_bytes(b"{half")  # a manifest write killed half way
    assert _read(point) == ("old", "old", "old")  # the uncommitted folder is invisible
    point.clean()  # what the next writer does first
    assert not folder.exists() and not list(tmp_path.glob(".*.tmp"))
    assert _generation(point, "next") == number


def test_a_writer_that_fails_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "model.onnx"
    atomic_write_with(target, lambda tmp: tmp.write_bytes(b"v1"))

    def half_then_fail(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("exporter crashed")

    with pytest.raises(RuntimeError, match="exporter crashed"):
        atomic_write_with(target, half_then_fail)
    assert target.read_bytes() == b"v1" and [p.name for p in tmp_path.iterdir()] == ["model.onnx"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_the_old_layout_is_removed_in_one_place_and_nothing_else(tmp_path: Path) -> None:
    old = ["index/faiss-000004.index", "index/papers-000004.jsonl", "graph/graph.json", "ingest-state.json"]
    kept = ["index/manifest.json", "index/gen-000001/graph.json", "index/gen-000001/papers.sqlite", "corpus/a.jsonl"]
    for name in old + kept:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    remove_old_layout(tmp_path)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == sorted(kept)


def test_old_layout_asks_for_a_rebuild(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 1, "generation": 3}))
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        CommitPoint(tmp_path).current()
    assert CommitPoint(tmp_path).generation() is None


HOLD = """
import sys, time
from pathlib import Path
from papergraph.atomic import WriterLock
lock = WriterLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_writer_lock_waits_or_fails_and_dies_with_its_holder(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path), "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        lock = WriterLock(tmp_path)
        with pytest.raises(WriterBusyError, match=f"pid {holder.pid}"):
            lock.acquire(wait=0)
        started = time.monotonic()
        with pytest.raises(WriterBusyError):
            lock.acquire(wait=0.5)
        assert time.monotonic() - started >= 0.5
        os.kill(holder.pid, 9)  # kill -9: the kernel releases the lock
        holder.wait(timeout=10)
        lock.acquire(wait=5)
        lock.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
