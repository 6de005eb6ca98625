"""A corpus of good records mixed with every kind of malformed one, generated here (issue 10's table).

Every good record must be stored, every bad one named with its file and line, and the run must exit 0.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from papergraph.config import Settings
from papergraph.ingest import ingest
from support import HashEncoder, PaperExtractor, load_engine

ABSTRACT = (
    "We present a method for efficient inference of neural networks on edge devices. It combines pruning, "
    "quantization and careful scheduling, and it is evaluated on several boards with a range of models. The "
    "results show lower latency and energy than strong baselines while accuracy stays within one point, which "
    "makes the method practical for deployment in the field on battery powered hardware of many kinds and sizes."
)
NON_LATIN = ["大模型推理优化", "大模型训练方法", "Трансформеры на FPGA", "ニューラルネットワークの量子化", "تعلم عميق"]


@dataclass
class Corpus:
    """The files written, the ids that must be stored, and the (file, line) of every bad record."""

    folder: Path
    good: set[str] = field(default_factory=set)
    bad: set[tuple[str, int]] = field(default_factory=set)
    cut: set[tuple[str, int]] = field(default_factory=set)
    gz_ids: list[str] = field(default_factory=list)

    def ok(self, pid: str, **more: Any) -> dict[str, Any]:
        self.good.add(pid)
        return {"id": pid, "title": f"Good paper {pid}", "abstract": f"{ABSTRACT} ({pid})", **more}


def _jsonl(c: Corpus) -> None:
    name = "mixed.jsonl"
    lines: list[bytes] = []

    def good(pid: str, **more: Any) -> None:
        lines.append(json.dumps(c.ok(pid, **more)).encode())

    def bad(line: str | bytes) -> None:
        lines.append(line if isinstance(line, bytes) else line.encode())
        c.bad.add((name, len(lines)))

    good("j01", authors=["A. Author", "B. Author"])
    bad(json.dumps({"id": "b1", "title": 12345, "abstract": ABSTRACT}))  # a number as title
    bad(json.dumps({"id": "b2", "title": ["a", "list"], "abstract": ABSTRACT}))
    bad(json.dumps({"id": "b3", "title": "A dict abstract", "abstract": {"text": ABSTRACT}}))
    bad(json.dumps({"id": "b4", "title": "NaN abstract", "abstract": float("nan")}))
    bad(json.dumps({"id": 2401.1, "title": "A numeric id", "abstract": ABSTRACT}))
    bad(json.dumps({"id": "x" * 300, "title": "A huge id", "abstract": ABSTRACT}))
    bad(json.dumps({"id": "b7", "title": "T" * 5000, "abstract": ABSTRACT}))  # a huge title
    bad(json.dumps({"id": "b8", "title": "Authors nested", "abstract": ABSTRACT, "authors": [[["deep"]]]}))
    bad(json.dumps({"id": "b9", "title": "Authors numbers", "abstract": ABSTRACT, "authors": [[1, 2]]}))
    bad(json.dumps({"id": "b10", "title": "Year object", "abstract": ABSTRACT, "year": {"y": 2020}}))
    bad('{"id": "b11", "title": "deep", "abstract": ' + "[" * 100_000 + "]" * 100_000 + "}")
    bad('{"id": "b12", "title": "broken json", ')
    bad(b'{"id": "b13", "title": "bad \xff bytes", "abstract": "x"}')
    bad("[1, 2, 3]")
    bad(json.dumps({"id": "b15", "title": "EXPLODE", "abstract": "EXPLODE " + ABSTRACT}))  # extraction fails
    good("j02", authors=[["Turing", "Alan", ""], ["Hopper", "Grace", ""]])  # arXiv authors_parsed: fine
    good("j03", abstract="A" * 100 + " " + "word " * 210_000)  # a 1 MiB abstract: cut, kept
    c.cut.add((name, len(lines)))
    for i, title in enumerate(NON_LATIN):
        good(f"nl{i}", title=title)
    good("j04", year=2024, categories=["cs.LG", "cs.AR"])
    (c.folder / name).write_bytes(b"\n".join(lines) + b"\n")


def _csv(c: Corpus, name: str, delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    line = 1
    writer.writerow(["id", "title", "abstract", "year"])
    rows: list[tuple[list[str], str]] = [
        ([f"{name}-1", f"First of {name}", ABSTRACT, "2021"], "good"),
        ([f"{name}-2", f"Huge field in {name}", "x " * 100_000, "2022"], "cut"),  # a 200 kB field
        ([f"{name}-3", f"Multi\nline title in {name}", ABSTRACT + "\nsecond line", "2023"], "good"),
        ([f"{name}-4", f"No abstract in {name}", "", "2023"], "bad"),
        ([f"{name}-5", f"Too many cells in {name}", ABSTRACT, "2023", "extra", "cells"], "bad"),
        ([f"{name}-6", f"After the problems in {name}", ABSTRACT, ""], "good"),
    ]
    for cells, kind in rows:
        start = line + 1
        writer.writerow(cells)
        line = buffer.getvalue().count("\n")
        if kind == "bad":
            c.bad.add((name, start))
        else:
            c.good.add(cells[0])
            if kind == "cut":
                c.cut.add((name, start))
    (c.folder / name).write_text(buffer.getvalue())


def _json_array(c: Corpus) -> None:
    name = "array.json"
    parts = [
        json.dumps(c.ok("a1")),
        json.dumps({"id": "ab1", "title": 3.5, "abstract": ABSTRACT}),
        '{"id": "ab2", "nested": ' + "[" * 50_000 + "]" * 50_000 + "}",
        json.dumps(c.ok("a2")),
    ]
    (c.folder / name).write_text("[\n" + ",\n".join(parts) + "\n]\n")
    c.bad |= {(name, 3), (name, 4)}


def _dump(c: Corpus) -> None:
    name = "page.txt"
    lines = ["Daily Papers", "Subscribe", "Aug 25", ""]
    titles: list[str] = []
    for i in range(4):
        titles.append(f"Dump paper {i}: efficient inference")
        lines += [titles[-1], f"{ABSTRACT} (dump {i})", ""]
    lines[7] = "An absurd title line " + "x" * 10_000  # paper 1's title line: out of step from here
    c.bad |= {(name, 8), (name, 9)}
    lines += ["Dump paper bad bytes", "Z" * 500 + "\udcff", ""]
    c.bad.add((name, len(lines) - 2))
    (c.folder / name).write_bytes("\n".join(lines).encode("utf-8", errors="surrogateescape"))
    from papergraph.models import title_id

    c.good |= {title_id(t) for i, t in enumerate(titles) if i != 1}


def _truncated_gz(c: Corpus) -> None:
    name = "part.jsonl.gz"
    records = [{"id": f"gz{i:03d}", "title": f"Compressed {i}", "abstract": f"{ABSTRACT} {i}"} for i in range(400)]
    c.gz_ids = [r["id"] for r in records]
    data = gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode())
    (c.folder / name).write_bytes(data[: len(data) // 2])


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    c = Corpus(tmp_path / "corpus")
    c.folder.mkdir()
    _jsonl(c)
    _csv(c, "table.csv", ",")
    _csv(c, "table.tsv", "\t")
    _json_array(c)
    _dump(c)
    _truncated_gz(c)
    return c


def _where(issues: list[str]) -> set[tuple[str, int]]:
    found = set()
    for issue in issues:
        match = re.match(r"^(.*?):(\d+): ", issue)
        assert match, issue
        found.add((Path(match.group(1)).name, int(match.group(2))))
    return found


def test_every_good_record_is_stored_and_every_bad_one_named(corpus: Corpus, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    report = ingest([corpus.folder], settings, encoder=HashEncoder(), extractor=PaperExtractor())
    stored = set(load_engine(settings).index.papers)

    gz = [pid for pid in corpus.gz_ids if pid in stored]
    assert 0 < len(gz) < len(corpus.gz_ids) and gz == corpus.gz_ids[: len(gz)]  # the records before the damage
    assert stored - set(gz) == corpus.good
    damaged = [i for i in report.issues if "part.jsonl.gz" in i]
    assert len(damaged) == 1 and "truncated" in damaged[0]
    assert _where([i for i in report.issues if i not in damaged]) == corpus.bad
    assert report.bad == len(corpus.bad) + 1
    assert _where(report.warnings) == corpus.cut
    assert all("PAPERGRAPH_MAX_ABSTRACT_CHARS" in w for w in report.warnings)
    engine = load_engine(settings)
    assert max(len(p.abstract) for p in engine.index.papers.values()) <= settings.max_abstract_chars + 2
    assert len({engine.index.papers[f"nl{i}"].title for i in range(len(NON_LATIN))}) == len(NON_LATIN)


def test_cli_exits_0_and_counts_the_bad_records(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papergraph.ingest as ingest_module
    import papergraph.pipeline as pipeline_module
    from papergraph.cli import app

    monkeypatch.setattr(ingest_module, "Encoder", HashEncoder)
    monkeypatch.setattr(pipeline_module, "default_extractor", lambda settings: PaperExtractor())
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "data"), "ingest", str(corpus.folder), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["bad"] == len(corpus.bad) + 1 and body["added"] == body["index_size"]
    assert body["index_size"] >= len(corpus.good)
