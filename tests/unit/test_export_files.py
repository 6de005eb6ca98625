"""Graph exports: GraphML/GEXF read back by networkx, APOC-shaped JSON lines, neo4j-admin import CSVs, the CLI."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from papergraph.atomic import CommitPoint
from papergraph.cli import app
from papergraph.config import Settings
from papergraph.graph.export_files import ExportError, ExportFormat, export_files, neo4j_import_files
from papergraph.graph.networkx_store import NetworkxStore
from papergraph.graph.rows import GraphRows
from papergraph.ingest import ingest
from papergraph.models import GraphStats
from support import HashEncoder, PaperExtractor, sample_docs

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def store() -> NetworkxStore:
    s = NetworkxStore()
    s.upsert(sample_docs())
    return s


def counts(labels: list[str]) -> dict[str, int]:
    return {k: v for k, v in Counter(labels).items() if v}


def nonzero(stats: GraphStats) -> tuple[dict[str, int], dict[str, int]]:
    return (
        {k: v for k, v in stats.nodes.items() if v},
        {k: v for k, v in stats.relationships.items() if v},
    )


@pytest.mark.parametrize("fmt", [ExportFormat.GRAPHML, ExportFormat.GEXF])
def test_graphml_and_gexf_read_back_equal_the_stored_graph(
    store: NetworkxStore, fmt: ExportFormat, tmp_path: Path
) -> None:
    out = tmp_path / f"g.{fmt.value}"
    assert export_files(store.export_rows(), fmt, out) == [out]
    g = nx.read_graphml(out) if fmt is ExportFormat.GRAPHML else nx.read_gexf(out)
    nodes, rels = nonzero(store.stats())
    assert counts([d["labels"] for _, d in g.nodes(data=True)]) == nodes
    edge_types = [d["label"] for *_, d in g.edges(data=True)] if fmt is ExportFormat.GRAPHML else None
    if edge_types is not None:
        assert counts(edge_types) == rels
    assert g.number_of_edges() == sum(rels.values())
    paper = g.nodes["p-fpga"]
    assert paper["label"] == "TeLLMe: ternary LLM decoding on edge FPGAs"  # the caption Gephi shows
    assert json.loads(paper["sources"]) == ["test.jsonl"]
    assert g.nodes["metric:p-fpga:0"]["label"] == "25 tokens/s"
    assert g.nodes["hardware:amd-kv260"]["family"] == "AMD Kria"


def test_graphml_keeps_edge_properties(store: NetworkxStore, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    export_files(store.export_rows(), ExportFormat.GRAPHML, out)
    edge = nx.read_graphml(out).edges["p-fpga", "hardware:amd-kv260"]
    assert (edge["label"], edge["field"], edge["count"]) == ("MENTIONS", "abstract", 1)
    assert edge["evidence"].startswith("We present TeLLMe")


def test_jsonl_is_apoc_shaped(store: NetworkxStore, tmp_path: Path) -> None:
    out = tmp_path / "g.jsonl"
    export_files(store.export_rows(), ExportFormat.JSONL, out)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    nodes = [x for x in lines if x["type"] == "node"]
    rels = [x for x in lines if x["type"] == "relationship"]
    expected_nodes, expected_rels = nonzero(store.stats())
    assert counts([x["labels"][0] for x in nodes]) == expected_nodes
    assert counts([x["label"] for x in rels]) == expected_rels
    assert lines.index(rels[0]) == len(nodes)  # nodes first: a streaming reader has both ends of every link
    measured = next(x for x in rels if x["label"] == "MEASURED_ON")
    assert measured["start"] == {"id": "metric:p-fpga:0", "labels": ["Metric"]}
    assert measured["end"] == {"id": "hardware:amd-kv260", "labels": ["Hardware"]}
    paper = next(x for x in nodes if x["id"] == "p-fpga")
    assert paper["properties"]["authors"] == [] and "name_key" not in paper["properties"]


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_neo4j_import_headers_follow_the_neo4j_admin_format(store: NetworkxStore) -> None:
    files = neo4j_import_files(store.export_rows())
    assert sorted(files) == sorted(
        [f"nodes_{label}.csv" for label in ("Paper", "Hardware", "Technique", "System", "Dataset", "Metric")]
        + [f"relationships_{rel}.csv" for rel in ("MENTIONS", "PROPOSES", "REPORTS", "MEASURED_ON", "IN_FAMILY")]
        + ["import.sh"]
    )
    assert read_csv(files["nodes_Paper.csv"])[0] == [
        "id:ID",
        "title",
        "abstract",
        "authors:string[]",
        "categories:string[]",
        "sources:string[]",
        "content_hash",
        ":LABEL",
    ]
    assert read_csv(files["nodes_Hardware.csv"])[0] == [
        "id:ID",
        "name",
        "type",
        "level",
        "name_key",
        "match_keys:string[]",
        "family",
        ":LABEL",
    ]
    metric_header = read_csv(files["nodes_Metric.csv"])[0]
    assert metric_header[0] == "id:ID" and metric_header[-1] == ":LABEL" and "value:double" in metric_header
    assert read_csv(files["relationships_MENTIONS.csv"])[0] == [
        ":START_ID",
        ":END_ID",
        "evidence",
        "surface",
        "field",
        "start:int",
        "end:int",
        "count:int",
        ":TYPE",
    ]
    assert read_csv(files["relationships_MEASURED_ON.csv"])[0] == [":START_ID", ":END_ID", ":TYPE"]


def test_neo4j_import_rows_are_complete_and_consistent(store: NetworkxStore) -> None:
    files = neo4j_import_files(store.export_rows())
    ids: dict[str, str] = {}
    for name, data in files.items():
        if name.startswith("nodes_"):
            header, *rows = read_csv(data)
            assert all(len(row) == len(header) for row in rows)
            ids.update((row[0], row[-1]) for row in rows)
    nodes, rels = nonzero(store.stats())
    assert counts(list(ids.values())) == nodes
    seen: Counter[str] = Counter()
    for name, data in files.items():
        if name.startswith("relationships_"):
            header, *rows = read_csv(data)
            for row in rows:
                assert len(row) == len(header) and row[0] in ids and row[1] in ids
                seen[row[-1]] += 1
    assert dict(seen) == rels
    hardware = {row[0]: row for row in read_csv(files["nodes_Hardware.csv"])[1:]}
    assert hardware["hardware:amd-kv260"][4:6] == ["amd kv260", "amd kv260;amd kria;fpga"]
    script = files["import.sh"].decode()
    assert "neo4j-admin database import full" in script and "--array-delimiter=';'" in script
    assert all(f"={name}" in script for name in files if name.endswith(".csv"))


def test_neo4j_import_picks_a_delimiter_no_value_contains(store: NetworkxStore) -> None:
    rows: GraphRows = store.export_rows()
    rows.papers[0]["authors"] = ["Doe; Jane", "Roe, Richard"]
    files = neo4j_import_files(rows)
    assert "--array-delimiter='|'" in files["import.sh"].decode()
    paper = next(r for r in read_csv(files["nodes_Paper.csv"]) if r[0] == rows.papers[0]["id"])
    assert paper[3] == "Doe; Jane|Roe, Richard"


def test_export_refuses_a_folder_for_a_file_and_a_file_for_a_folder(store: NetworkxStore, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a folder"):
        export_files(store.export_rows(), ExportFormat.GRAPHML, tmp_path)
    (tmp_path / "f").write_text("x")
    with pytest.raises(ExportError, match="is a file"):
        export_files(store.export_rows(), ExportFormat.NEO4J_IMPORT, tmp_path / "f")


def test_cli_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command reads the committed generation's embedded graph."""
    settings = Settings(data_dir=tmp_path / "data")
    ingest([FIXTURES / "mini.jsonl"], settings, encoder=HashEncoder(), extractor=PaperExtractor())
    graph = NetworkxStore(CommitPoint(settings.index_dir).require().folder)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["--data-dir", "data", "export", "--format", "graphml"])
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(tmp_path / "papergraph.graphml").number_of_nodes() == graph.export_rows().node_count
    result = runner.invoke(app, ["--data-dir", "data", "export", "-f", "neo4j-import", "-o", "csv"])
    assert result.exit_code == 0 and "csv/import.sh" in result.output
    assert (tmp_path / "csv" / "nodes_Paper.csv").is_file()
    missing = runner.invoke(app, ["--data-dir", "nowhere", "export", "-f", "jsonl"])
    assert missing.exit_code != 0 and "papergraph ingest" in str(missing.exception)
    bad = runner.invoke(app, ["export", "-f", "csv"])
    assert bad.exit_code == 2 and "neo4j-import" in bad.output
