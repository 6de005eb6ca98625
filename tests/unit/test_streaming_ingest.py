"""Streaming ingest with the fake models: engines, overlap, worker processes, the two-pass reader, progress."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from papergraph.config import Settings
from papergraph.corpus import scan, stream
from papergraph.errors import ConfigError, CorpusFormatError
from papergraph.ingest import ingest
from papergraph.models import Extraction, Paper
from papergraph.pipeline import Batch, LocalEngine
from support import HashEncoder, PaperExtractor, observable


def write(path: Path, n: int, start: int = 0) -> Path:
    rows = [
        {"id": f"p{i:03d}", "title": f"Paper {i} on FPGAs", "abstract": f"We decode LLMs on FPGAs ({i})."}
        for i in range(start, start + n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


class Clock:
    """Records when each fake model call starts and ends."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, float]] = []
        self.lock = threading.Lock()

    def mark(self, what: str, edge: str) -> None:
        with self.lock:
            self.events.append((what, edge, time.perf_counter()))

    def at(self, what: str, edge: str, nth: int) -> float:
        return [t for w, e, t in self.events if w == what and e == edge][nth]


class SlowEncoder(HashEncoder):
    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        self.clock.mark("embed", "start")
        time.sleep(0.3)
        out = super().encode(texts, batch_size)
        self.clock.mark("embed", "end")
        return out


class TimedExtractor(PaperExtractor):
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def extract(self, papers: Iterable[Paper]) -> Iterator[Extraction]:
        self.clock.mark("extract", "start")
        out = list(super().extract(papers))
        self.clock.mark("extract", "end")
        return iter(out)


def test_the_next_batch_is_extracted_while_this_one_embeds(tmp_path: Path) -> None:
    clock = Clock()
    settings = Settings(data_dir=tmp_path / "data", embed_checkpoint=4)
    report = ingest(
        [write(tmp_path / "a.jsonl", 12)], settings, encoder=SlowEncoder(clock), extractor=TimedExtractor(clock)
    )
    assert report.added == 12
    # batch 2's extraction starts before batch 1's embedding ends (and batch 3's before batch 2's)
    assert clock.at("extract", "start", 1) < clock.at("embed", "end", 0)
    assert clock.at("extract", "start", 2) < clock.at("embed", "end", 1)


def test_worker_processes_store_what_one_process_stores(tmp_path: Path) -> None:
    corpus = write(tmp_path / "a.jsonl", 30)
    results = []
    for workers in (0, 2):
        settings = Settings(data_dir=tmp_path / f"w{workers}", embed_checkpoint=8)
        report = ingest([corpus], settings, encoder=HashEncoder(), extractor=PaperExtractor(), workers=workers)
        assert report.added == 30
        results.append(observable(settings))
    assert results[0] == results[1]


def test_a_failed_extraction_in_a_worker_costs_only_its_paper(tmp_path: Path) -> None:
    corpus = write(tmp_path / "a.jsonl", 6)
    rows = corpus.read_text().splitlines()
    rows[2] = rows[2].replace("We decode", "EXPLODE We decode")
    corpus.write_text("\n".join(rows) + "\n")
    report = ingest(
        [corpus], Settings(data_dir=tmp_path / "d"), encoder=HashEncoder(), extractor=PaperExtractor(), workers=1
    )
    assert (report.added, report.bad) == (5, 1) and report.issues[0].startswith(f"{corpus}:3: extraction failed")


def test_engine_keeps_batch_order_and_shuts_down_its_pool_on_error() -> None:
    class Boom(HashEncoder):
        def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
            raise RuntimeError("encoder died")

    papers = [Paper(id=f"p{i}", title=f"t{i}", abstract="a") for i in range(6)]
    engine = LocalEngine(Settings(), HashEncoder(), PaperExtractor())
    batches = [Batch(n, to_extract=papers[n * 2 : n * 2 + 2], to_embed=papers[n * 2 : n * 2 + 2]) for n in range(3)]
    done = list(engine.run(iter(batches)))
    assert [b.number for b in done] == [0, 1, 2] and all(b.embedded is not None for b in done)
    assert [e.paper_id for b in done for e in b.extracted if isinstance(e, Extraction)] == [p.id for p in papers]
    with pytest.raises(RuntimeError, match="encoder died"):
        list(LocalEngine(Settings(), Boom(), PaperExtractor()).run(iter(batches)))


def test_the_second_pass_yields_the_newest_versions_in_order_and_notices_a_changed_file(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", 3)
    b = tmp_path / "b.jsonl"
    b.write_text(json.dumps({"id": "x1", "title": "Paper 0 on FPGAs", "abstract": "newer"}) + "\n")
    ledger, report = scan([a, b])
    assert (len(ledger), report.records, report.duplicates) == (3, 4, 1)
    kept = list(stream(ledger))
    assert [(p.id, p.sources) for p, _ in kept] == [
        ("p001", ["a.jsonl"]),
        ("p002", ["a.jsonl"]),
        ("x1", ["a.jsonl", "b.jsonl"]),
    ]
    assert kept[2][1] == f"{b}:1"
    b.write_text(b.read_text() + json.dumps({"title": "late", "abstract": "added meanwhile"}) + "\n")
    with pytest.raises(CorpusFormatError, match="changed while it was being ingested"):
        list(stream(ledger))


def test_progress_counts_every_paper_once(tmp_path: Path) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.totals: dict[str, int | None] = {}
            self.done: dict[str, int] = {}
            self.stage = ""

        def start(self, stage: str, total: int | None) -> None:
            self.stage, self.totals[stage], self.done[stage] = stage, total, 0

        def advance(self, n: int = 1) -> None:
            self.done[self.stage] += n

        def finish(self) -> None:
            pass

    settings = Settings(data_dir=tmp_path / "data", embed_checkpoint=3)
    ingest([write(tmp_path / "a.jsonl", 8)], settings, encoder=HashEncoder(), extractor=PaperExtractor())
    progress = Recorder()
    ingest(
        [write(tmp_path / "a.jsonl", 10)],
        settings,
        encoder=HashEncoder(),
        extractor=PaperExtractor(),
        progress=progress,  # type: ignore[arg-type]
    )
    assert progress.totals == {"read": None, "ingest": 10} and progress.done == {"read": 10, "ingest": 10}


def test_the_ray_engine_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ConfigError, match=r"pip install -e '\.\[ray\]'"):
        ingest(
            [write(tmp_path / "a.jsonl", 2)],
            Settings(data_dir=tmp_path / "d"),
            encoder=HashEncoder(),
            extractor=PaperExtractor(),
            engine="ray",
        )


def test_cli_refuses_an_unknown_engine(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from papergraph.cli import app

    args = ["--data-dir", str(tmp_path), "ingest", str(write(tmp_path / "a.jsonl", 1)), "--engine", "spark"]
    result: Any = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "'spark'" in result.output and "local" in result.output
