"""``ingest --engine ray`` stores what the local engine stores: same stats, extractions, vectors and search results.

Both engines ingest the same papers with the real models (spaCy, MiniLM) into two data directories; the Ray one on
a local Ray with the machine's CPUs (2 in CI). A subset of the bundled corpus runs by default (several batches);
the whole bundled corpus is the ``slow`` variant.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from papergraph.cli import app
from papergraph.config import Settings
from papergraph.corpus import read_corpus
from papergraph.embed import Encoder
from papergraph.ingest import IngestReport, ingest
from papergraph.query import Engine

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ["LLM inference on edge devices", "FPGA accelerator for transformers", "quantization on mobile GPUs"]


def _corpus(tmp: Path, size: int | None) -> Path:
    papers, _ = read_corpus([ROOT / "data" / "corpus"])
    path = tmp / "papers.jsonl"
    with open(path, "w") as fh:
        for paper in papers[:size]:
            fh.write(json.dumps({"id": paper.id, "title": paper.title, "abstract": paper.abstract}) + "\n")
    return path


def _stats(data: Path) -> Any:
    result = CliRunner().invoke(app, ["--data-dir", str(data), "stats", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _extractions(data: Path) -> dict[str, str]:
    (cache,) = (data / "cache" / "extractions").glob("*.sqlite")
    with sqlite3.connect(cache) as conn:
        return dict(conn.execute("SELECT hash, payload FROM extractions").fetchall())


def _compare(local: Settings, ray: Settings, reports: tuple[IngestReport, IngestReport]) -> None:
    a, b = reports
    assert b.engine == "ray" and (a.added, a.bad, a.index_size) == (b.added, b.bad, b.index_size)
    assert _stats(local.data_dir) == _stats(ray.data_dir)
    assert _extractions(local.data_dir) == _extractions(ray.data_dir)
    encoder = Encoder(local)
    one, two = (Engine.load(s, warm=False, encoder=encoder) for s in (local, ray))
    try:
        ids = sorted(one.index.papers)
        assert ids == sorted(two.index.papers)
        np.testing.assert_allclose(one.index.vectors(ids), two.index.vectors(ids), atol=1e-5)
        assert [one.store.paper(pid) for pid in ids] == [two.store.paper(pid) for pid in ids]
        titles = [one.index.papers[pid].title for pid in ids[:: max(1, len(ids) // 10)]]
        for query in QUERIES + titles:
            x, y = (e.searcher.search(query, k=10).data for e in (one, two))
            assert [h.id for h in x] == [h.id for h in y], query
            np.testing.assert_allclose([h.score for h in x], [h.score for h in y], atol=1e-5)
    finally:
        one.close()
        two.close()


def _both(tmp: Path, size: int | None, checkpoint: int) -> None:
    corpus = _corpus(tmp, size)
    local = Settings(data_dir=tmp / "local", embed_checkpoint=checkpoint)
    ray = Settings(data_dir=tmp / "ray", embed_checkpoint=checkpoint)
    reports = (ingest([corpus], local, engine="local"), ingest([corpus], ray, engine="ray"))
    _compare(local, ray, reports)


def test_ray_engine_stores_what_the_local_engine_stores(tmp_path: Path) -> None:
    _both(tmp_path, 40, checkpoint=16)  # three batches: order and block boundaries matter


@pytest.mark.slow
def test_ray_engine_on_the_whole_bundled_corpus(tmp_path: Path) -> None:
    _both(tmp_path, None, checkpoint=256)
