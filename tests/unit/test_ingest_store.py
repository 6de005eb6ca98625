"""The ingest job over a data directory, with fake models: commit point, updates, identity, sync, delete.

The central property (issue 10): after any sequence of ingests, updates and deletes, the data directory answers
exactly like a fresh ingest of the final input (stats, searches, answers, entity counts, stored papers).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from papergraph.atomic import CommitPoint, WriterLock
from papergraph.config import Settings
from papergraph.errors import IndexMismatchError, IndexNotFoundError, WriterBusyError
from papergraph.ingest import IngestReport, delete, ingest, status
from papergraph.models import title_id
from support import HashEncoder, PaperExtractor, load_engine, observable

TOPICS = [
    "ternary LLM decoding on an FPGA accelerator",
    "split computing of MobileNetV2 on a Jetson board with ImageNet",
    "vLLM serving with quantization on GPU clusters",
    "federated learning on smartphones",
    "TPU training of large models",
    "energy of LLM decoding on Jetson and GPU",
]


def record(i: int, version: int = 1, **more: Any) -> dict[str, Any]:
    topic = TOPICS[i % len(TOPICS)]
    body = {
        "id": f"p{i:03d}",
        "title": f"Paper {i}: {topic}",
        "abstract": f"We study {topic} (version {version}). It reaches {i + version} tokens/s on the board.",
    }
    return {**body, **more}


def write(path: Path, records: Sequence[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def run(paths: Sequence[Path], settings: Settings, **kwargs: Any) -> IngestReport:
    return ingest(list(paths), settings, encoder=HashEncoder(), extractor=PaperExtractor(), **kwargs)


def test_first_ingest_commits_one_generation_and_unchanged_reruns_commit_none(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    a = write(tmp_path / "a.jsonl", [record(i) for i in range(6)])
    first = run([a], settings)
    assert (first.added, first.updated, first.skipped, first.generation) == (6, 0, 0, 1)
    commit = CommitPoint(settings.index_dir).require()
    assert sorted(p.name for p in commit.folder.iterdir()) == ["bm25", "graph.json", "papers.sqlite", "vectors.faiss"]
    assert set(commit.manifest["parts"]) == {"index", "bm25", "networkx"} and commit.manifest["papers"] == 6
    again = run([a], settings)
    assert (again.added, again.updated, again.skipped, again.generation) == (0, 0, 6, 1)
    assert status(settings).consistency.agree


def test_newest_version_wins_across_runs_by_id_and_by_title(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    run([write(tmp_path / "a.jsonl", [record(i) for i in range(4)])], settings)
    newer = [record(1, version=2), {**record(2, version=3), "id": "2402.00002"}]  # same title, another id
    report = run([write(tmp_path / "b.jsonl", newer)], settings)
    assert (report.added, report.updated, report.skipped) == (0, 2, 0)
    engine = load_engine(settings)
    assert sorted(engine.index.papers) == ["2402.00002", "p000", "p001", "p003"]
    assert "version 2" in engine.index.papers["p001"].abstract
    assert engine.index.papers["p001"].sources == ["a.jsonl", "b.jsonl"]
    assert engine.store.paper("p002") is None and engine.store.paper("2402.00002") is not None
    assert status(settings).consistency.agree


def test_titles_of_every_script_keep_distinct_papers(tmp_path: Path) -> None:
    titles = [
        "大模型推理优化",
        "大模型训练方法",
        "Трансформеры на FPGA",
        "ニューラルネットワークの量子化",
        "!!!",
        "???",
    ]
    records = [{"title": t, "abstract": f"An abstract about {t} and GPUs."} for t in titles]
    records += [{"id": f"x{i}", "title": t, "abstract": "Same papers with explicit ids."} for i, t in enumerate(titles)]
    settings = Settings(data_dir=tmp_path / "data")
    report = run([write(tmp_path / "a.jsonl", records)], settings)
    assert report.papers == 6 and report.duplicates == 6
    assert len({title_id(t) for t in titles}) == 6
    assert sorted(load_engine(settings).index.papers) == [f"x{i}" for i in range(6)]  # the version read last


def test_sync_and_delete_remove_papers_everywhere(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    run([write(tmp_path / "a.jsonl", [record(i) for i in range(6)])], settings)
    kept = write(tmp_path / "a.jsonl", [record(i) for i in range(4)])  # two papers dropped from the list
    report = run([kept], settings, sync=True)
    assert (report.deleted, report.skipped) == (2, 4)
    gone = delete(["p001", "nope"], settings)
    assert gone.deleted == ["p001"] and gone.unknown == ["nope"] and gone.papers == 3
    engine = load_engine(settings)
    assert sorted(engine.index.papers) == ["p000", "p002", "p003"]
    assert engine.store.paper_ids() == {"p000", "p002", "p003"}
    assert status(settings).consistency.agree
    with pytest.raises(IndexNotFoundError):
        delete(["p000"], Settings(data_dir=tmp_path / "empty"))


def test_any_history_answers_like_a_fresh_ingest_of_the_final_input(tmp_path: Path) -> None:
    history = Settings(data_dir=tmp_path / "history")
    a = write(tmp_path / "a.jsonl", [record(i) for i in range(10)])
    b = write(tmp_path / "b.jsonl", [record(i) for i in range(8, 16)])
    a2 = write(tmp_path / "a2.jsonl", [record(3, version=2), record(4, version=5)])
    run([a], history)
    run([b], history)
    run([a2], history)  # two abstracts corrected
    delete(["p005", "p012"], history)
    run([a, b, a2], history, sync=True)  # the inputs again: the deleted papers come back, the updates stay
    delete(["p000"], history)
    c = write(tmp_path / "c.jsonl", [r for r in (record(i) for i in range(16)) if r["id"] not in {"p000"}])
    run([c, a2], history, sync=True)

    fresh = Settings(data_dir=tmp_path / "fresh")
    run([c, a2], fresh)
    assert observable(history) == observable(fresh)


def test_rebuild_drops_papers_gone_from_the_input(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    run([write(tmp_path / "a.jsonl", [record(i) for i in range(5)])], settings)
    report = run([write(tmp_path / "b.jsonl", [record(i) for i in range(4)])], settings, rebuild=True)
    assert report.index_size == 4 and report.graph.nodes["Paper"] == 4
    assert status(settings).consistency.agree


def test_a_paper_whose_extraction_fails_is_reported_and_the_rest_stored(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    bad = {**record(2), "abstract": "EXPLODE " + record(2)["abstract"]}
    path = write(tmp_path / "a.jsonl", [record(0), record(1), bad, record(3)])
    report = run([path], settings)
    assert report.bad == 1 and report.added == 3
    assert report.issues == [
        f"{path}:3: extraction failed (ValueError: [E088] Text of length 1000001 exceeds "
        "maximum of 1000000); paper skipped"
    ]
    assert sorted(load_engine(settings).index.papers) == ["p000", "p001", "p003"]


def test_a_failed_commit_leaves_the_previous_generation_and_a_rerun_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    a = write(tmp_path / "a.jsonl", [record(i) for i in range(4)])
    run([a], settings)
    before = observable(settings)
    b = write(tmp_path / "b.jsonl", [record(i) for i in range(4, 8)])

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(CommitPoint, "commit", disk_full)
    with pytest.raises(OSError, match="disk full"):
        run([b], settings)
    monkeypatch.undo()
    assert observable(settings) == before
    assert run([b], settings).added == 4
    assert len(load_engine(settings).index) == 8


def test_embeddings_are_checkpointed_so_a_killed_run_redoes_one_checkpoint(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embed_checkpoint=3)

    class Dies(HashEncoder):
        def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:  # type: ignore[override]
            if self.calls == 2:
                raise KeyboardInterrupt  # the run is killed during its third checkpoint
            return super().encode(texts, batch_size)

    a = write(tmp_path / "a.jsonl", [record(i) for i in range(10)])
    with pytest.raises(KeyboardInterrupt):
        ingest([a], settings, encoder=Dies(), extractor=PaperExtractor())
    counting = HashEncoder()
    ingest([a], settings, encoder=counting, extractor=PaperExtractor())
    assert counting.calls == 2  # 4 papers left: one short checkpoint of 3 and one of 1, 6 were cached


def test_a_second_writer_waits_or_fails_with_no_wait(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    a = write(tmp_path / "a.jsonl", [record(0)])
    lock = WriterLock(settings.data_dir)
    lock.acquire()
    try:
        with pytest.raises(WriterBusyError, match="--no-wait"):
            run([a], settings, wait=0)
        with pytest.raises(WriterBusyError):
            delete(["p000"], settings, wait=0)
    finally:
        lock.release()
    assert run([a], settings, wait=0).added == 1


def test_a_data_directory_of_the_old_layout_is_rebuilt(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    (settings.index_dir).mkdir(parents=True)
    (settings.index_dir / "manifest.json").write_text(json.dumps({"format": 1, "generation": 4}))
    (settings.index_dir / "faiss-000004.index").write_bytes(b"old")
    (settings.index_dir / "papers-000004.jsonl").write_text("{}\n")
    (settings.data_dir / "graph").mkdir()
    (settings.data_dir / "graph" / "graph.json").write_text("{}")
    (settings.data_dir / "ingest-state.json").write_text("{}")
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        load_engine(settings)
    report = run([write(tmp_path / "a.jsonl", [record(i) for i in range(3)])], settings)
    assert report.added == 3 and report.generation == 1
    assert not (settings.data_dir / "graph" / "graph.json").exists()
    assert not (settings.data_dir / "ingest-state.json").exists()
    assert sorted(p.name for p in settings.index_dir.iterdir()) == ["gen-000001", "manifest.json"]


def test_a_generation_with_the_paper_store_of_the_first_layout_is_read_and_upgraded(tmp_path: Path) -> None:
    import sqlite3

    settings = Settings(data_dir=tmp_path / "data")
    run([write(tmp_path / "a.jsonl", [record(i) for i in range(4)])], settings)
    before = observable(settings)
    commit = CommitPoint(settings.index_dir).require()
    with sqlite3.connect(commit.folder / "papers.sqlite") as conn:  # write it back as index format 1 had it
        rows = conn.execute("SELECT fid, hash, paper FROM papers ORDER BY id").fetchall()
    (commit.folder / "papers.jsonl").write_text(
        "".join(json.dumps({"fid": f, "hash": h, "paper": json.loads(p)}) + "\n" for f, h, p in rows)
    )
    (commit.folder / "papers.sqlite").unlink()
    manifest = json.loads((settings.index_dir / "manifest.json").read_text())
    manifest["parts"]["index"].update(format=1, files={"faiss": "vectors.faiss", "papers": "papers.jsonl"})
    (settings.index_dir / "manifest.json").write_text(json.dumps(manifest))
    assert observable(settings) == before
    report = run([write(tmp_path / "b.jsonl", [record(9)])], settings)
    assert report.added == 1 and report.generation == 2
    assert (CommitPoint(settings.index_dir).require().folder / "papers.sqlite").exists()
    assert len(load_engine(settings).index) == 5
