"""The Cypher builders as text, the message-size estimate, the value encodings and the schema probe (no server)."""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j.exceptions import ClientError, ServiceUnavailable
from pydantic import ValidationError

from papergraph.errors import ConfigError, GraphUnavailableError
from papergraph.graph import cypher
from papergraph.graph.neo4j_store import (
    Neo4jStore,
    _Packer,
    _Wire,
    exact_float,
    literal_size,
    message_size,
    packed_size,
)
from papergraph.graph.query import GroupBy, MetricQuery, NodeMatch, PaperQuery, TallyQuery
from papergraph.graph.rows import ENTITY_LABELS, LABELS, REL_TYPES
from papergraph.models import EntityType

SCHEMA = Path(__file__).parents[2] / "graph_schema" / "schema.cypher"

# --------------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------------


def test_merge_links_text() -> None:
    assert cypher.merge_links("MENTIONS", "Paper", "Hardware") == (
        "UNWIND $rows AS row\n"
        "MATCH (s:Paper {id: row.source})\n"
        "MATCH (t:Hardware {id: row.target})\n"
        "MERGE (s)-[r:MENTIONS]->(t)\n"
        "SET r = row.props"
    )


def test_merge_entities_keeps_the_first_version() -> None:
    text = cypher.merge_entities("Technique")
    assert text.startswith("UNWIND $rows AS row\nMERGE (n:Technique {id: row.id})")
    assert text.endswith("ON CREATE SET n += row")


def test_papers_replace_properties_but_keep_a_matching_embedding() -> None:
    assert "SET p = row" in cypher.MERGE_PAPERS
    assert "CASE WHEN p.content_hash = row.content_hash THEN p.embedding END" in cypher.MERGE_PAPERS


def test_floats_are_decoded_exactly() -> None:
    assert cypher.exact_float("v") == "v[0] * 2.0 ^ v[1] * 2.0 ^ v[2]"
    assert "SET m.value = row.value[0] * 2.0 ^ row.value[1] * 2.0 ^ row.value[2]" in cypher.MERGE_METRICS
    assert "[v IN row.embedding | v[0] * 2.0 ^ v[1] * 2.0 ^ v[2]]" in cypher.SET_EMBEDDINGS
    assert cypher.append_node_property("Paper", "embedding", floats=True).endswith(
        "SET n.`embedding` = n.`embedding` + [v IN row.part | v[0] * 2.0 ^ v[1] * 2.0 ^ v[2]]"
    )


def test_appends() -> None:
    assert cypher.append_node_property("Paper", "abstract") == (
        "UNWIND $rows AS row\nMATCH (n:Paper {id: row.id})\nSET n.`abstract` = n.`abstract` + row.part"
    )
    assert cypher.append_link_property("MENTIONS", "Paper", "System", "evidence").endswith(
        "MATCH (s:Paper {id: row.source})-[r:MENTIONS]->(t:System {id: row.target})\n"
        "SET r.`evidence` = r.`evidence` + row.part"
    )


def test_reads_are_parameterised() -> None:
    assert cypher.papers_linked_to("Hardware") == (
        "MATCH (n:Hardware)\n"
        "WHERE n.id IN $ids OR any(k IN n.match_keys WHERE k IN $keys)\n"
        "MATCH (m)-[:IN_FAMILY*0..]->(n)\n"
        "MATCH (m)<-[:MENTIONS|PROPOSES]-(p)\n"
        "RETURN DISTINCT p.id AS id"
    )
    assert cypher.papers_linked_to("Dataset") == (  # no hierarchy: the node itself
        "MATCH (n:Dataset)\n"
        "WHERE n.id IN $ids OR any(k IN n.match_keys WHERE k IN $keys)\n"
        "WITH n, n AS m\n"
        "MATCH (m)<-[:MENTIONS|PROPOSES]-(p)\n"
        "RETURN DISTINCT p.id AS id"
    )
    assert "WHERE $q IS NULL OR n.name_key CONTAINS $q" in cypher.entity_counts("Dataset")
    assert "ORDER BY papers DESC, n.name_key, n.id\nLIMIT $limit" in cypher.entity_counts("Dataset")
    assert cypher.total_entities("Dataset") == (
        "MATCH (n:Dataset)\nWHERE $q IS NULL OR n.name_key CONTAINS $q\nRETURN count(n) AS count"
    )
    assert "WHERE n.id = $id OR n.name_key = $key" in cypher.find_entity("System")
    assert "collect([other, other_label])[..$k]" in cypher.adjacent("Paper")
    assert "abstract" not in cypher.node_properties("Paper") and "embedding" not in cypher.node_properties("Paper")
    assert cypher.node_properties("Metric").endswith("RETURN n.id AS id, properties(n) AS props")
    assert cypher.degree("Hardware") == (
        "MATCH (a:Hardware {id: $id})--(b)\nWHERE labels(b)[0] IN $labels\nRETURN count(DISTINCT b.id) AS degree"
    )
    assert "p {.`id`, .`title`, .`authors`" in cypher.PAPER_PROPERTIES
    assert "substring(p.abstract, start, $step)" in cypher.PAPER_ABSTRACT


def test_hierarchy_statements() -> None:
    """A family counts, lists and finds the papers of every member below it; orphans go up the chain."""
    counts = cypher.entity_counts("Hardware")
    assert "OPTIONAL MATCH (m)-[:IN_FAMILY*0..]->(n)\nOPTIONAL MATCH (m)<-[:MENTIONS|PROPOSES]-(p)" in counts
    assert "WITH n, count(DISTINCT p) AS papers" in counts
    assert "WITH n, count(p) AS papers" in cypher.entity_counts("Technique")
    assert "MATCH (m)-[:IN_FAMILY*0..]->(n)" in cypher.entity_count("System")
    papers = cypher.entity_papers("Hardware")
    assert "CASE WHEN m.id = $id THEN '' ELSE m.id END AS rank" in papers  # direct evidence first
    assert "WHERE NOT o.id IN own" in cypher.cooccurring("Hardware")
    orphans = cypher.delete_orphans("Hardware")
    assert "OPTIONAL MATCH (m)-[:IN_FAMILY]->(n)\nWITH n, count(m) AS members\nWHERE members = 0" in orphans
    assert orphans.endswith("DETACH DELETE n\nRETURN families")
    assert cypher.merge_links("IN_FAMILY", "Hardware", "Hardware").startswith(
        "UNWIND $rows AS row\nMATCH (s:Hardware {id: row.source})\nMATCH (t:Hardware {id: row.target})"
    )
    text, params = cypher.papers_query({EntityType.HARDWARE: ["Jetson Orin"], EntityType.DATASET: ["COCO"]})
    assert text.splitlines()[:4] == [
        "MATCH (p:Paper)-[:MENTIONS|PROPOSES]->(h:Hardware)-[:IN_FAMILY*0..]->(hf:Hardware) "
        "WHERE any(k IN hf.match_keys WHERE k IN $hardware)",
        "WITH DISTINCT p",
        "MATCH (p:Paper)-[:MENTIONS|PROPOSES]->(d:Dataset) WHERE any(k IN d.match_keys WHERE k IN $dataset)",
        "WITH DISTINCT p",
    ]
    assert params == {"hardware": ["jetson orin"], "dataset": ["coco"]}


def test_every_builder_accepts_every_schema_name() -> None:
    for label in LABELS:
        assert f":{label} " in cypher.node_exists(label)
        assert cypher.count_nodes(label) == f"MATCH (n:{label}) RETURN count(n) AS count"
        assert cypher.id_index(label) == f"CREATE INDEX FOR (n:{label}) ON (n.id)"
    for label in ENTITY_LABELS:
        for build in (
            cypher.entity_counts,
            cypher.total_entities,
            cypher.entity_papers,
            cypher.cooccurring,
            cypher.delete_orphans,
        ):
            assert f"(n:{label}" in build(label)
    for rel in REL_TYPES:
        assert cypher.count_relationships(rel) == f"MATCH ()-[r:{rel}]->() RETURN count(r) AS count"


@pytest.mark.parametrize(
    "build",
    [
        lambda: cypher.merge_entities("Paper"),  # not an entity label
        lambda: cypher.merge_entities("Hardware {id: 1}) DETACH DELETE (x"),
        lambda: cypher.node_exists("paper"),
        lambda: cypher.merge_links("KNOWS", "Paper", "Hardware"),
        lambda: cypher.append_node_property("Paper", "x` = 1 SET n.`y"),
        lambda: cypher.append_node_property("Paper", "Abstract"),
        lambda: cypher.delete_orphans("Metric"),
    ],
)
def test_names_outside_the_schema_are_refused(build: Any) -> None:
    with pytest.raises(ValueError):
        build()


def test_no_subqueries_falkordb_rejects() -> None:
    texts = [v for v in vars(cypher).values() if isinstance(v, str) and ("MATCH" in v or "RETURN" in v)]
    texts += [
        f(label) for f in (cypher.entity_counts, cypher.cooccurring, cypher.delete_orphans) for label in ENTITY_LABELS
    ]
    assert texts
    for text in texts:
        assert "EXISTS {" not in text and "COUNT {" not in text and "elementId" not in text


def test_split_statements() -> None:
    text = "// a comment; with a semicolon\nCREATE A;\n\nCREATE B\n  ON x;\n// trailing\n"
    assert cypher.split_statements(text) == ["CREATE A", "CREATE B\n  ON x"]


def test_schema_file() -> None:
    statements = cypher.split_statements(SCHEMA.read_text())
    assert len(statements) >= 15
    for statement in statements:
        assert statement.startswith("CREATE ") and "IF NOT EXISTS" in statement, statement
    joined = "\n".join(statements)
    for label in LABELS:
        assert f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" in joined
    assert "CREATE FULLTEXT INDEX paper_text IF NOT EXISTS FOR (n:Paper) ON EACH [n.title, n.abstract]" in joined
    assert "`vector.dimensions`: 384" in joined and "`vector.similarity_function`: 'cosine'" in joined


# --------------------------------------------------------------------------------------------------
# Sizes and encodings
# --------------------------------------------------------------------------------------------------

VALUES: list[Any] = [
    None,
    True,
    0,
    -16,
    -17,
    127,
    128,
    -129,
    40_000,
    2**31,
    -(2**40),
    1.5,
    "",
    "a" * 15,
    "a" * 16,
    "é☃" * 200,
    "x" * 70_000,
    [1] * 15,
    [1] * 16,
    {"a": [1, "b", None]},
    {str(i): i for i in range(300)},
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_packed_size_is_the_drivers_encoding(value: Any) -> None:
    packstream = pytest.importorskip("neo4j._codec.packstream.v1")
    buffer = io.BytesIO()
    packstream.Packer(buffer).pack(value)
    assert packed_size(value) == len(buffer.getvalue())


def test_literal_size() -> None:
    assert literal_size([1, 22, "ab"]) == len("[1, 22, 'ab']")
    assert literal_size({"k": [True, None]}) == len("{k: [false, null]}") + 1  # booleans counted as 5
    assert literal_size(1 / 3) == len("0.333333")


def test_message_size_weighs_the_larger_encoding() -> None:
    query = "RETURN size($a) AS n"
    big_ints = {"a": [10**15] * 226}  # 2 KB in Bolt, 4 KB printed: what crashes FalkorDB's Bolt layer
    assert message_size(query, big_ints) > 4000
    bolt = 2 + packed_size(query) + packed_size({"a": "x" * 1000}) + 1  # RUN struct, text, params, extra
    assert bolt <= message_size(query, {"a": "x" * 1000}) <= bolt + 8  # a string is about the same either way


@pytest.mark.parametrize(
    "value", [0.0, 1 / 3, -2.5e-300, 5e-324, 1.7976931348623157e308, 17.333333333333332, 1e-10, -42.0]
)
def test_exact_float_round_trips(value: float) -> None:
    m, e1, e2 = exact_float(value)
    assert m * 2.0**e1 * 2.0**e2 == value
    assert all(isinstance(x, int) for x in (m, e1, e2))


def test_exact_float_non_finite() -> None:
    assert exact_float(math.inf) == [1, 1024, 1024]
    assert exact_float(-math.inf) == [-1, 1024, 1024]
    assert exact_float(math.nan) == [0, 1024, 1024]


def test_wire_escapes_only_when_needed() -> None:
    value = {"t": "it's C:\\dir", "l": ["a'b", 1], "n": None, "z": "x\x00y"}
    assert _Wire(escape=False)(value) is value
    assert _Wire(escape=True)(value) == {"t": "it\\'s C:\\\\dir", "l": ["a\\'b", 1], "n": None, "z": "xy"}


@pytest.mark.parametrize("escape", [False, True])
def test_wire_split_strings(escape: bool) -> None:
    wire = _Wire(escape)
    text = ("it's \\ ☃ é " * 300)[:3001]
    pieces = wire.split(text, 100)
    assert "".join(pieces) == text
    assert all(sum(wire.char_size(c) for c in piece) <= 100 for piece in pieces)
    assert all(len(wire(piece).encode()) <= 100 for piece in pieces)


def test_wire_split_lists_and_too_small_rooms() -> None:
    wire = _Wire(False)
    items = [exact_float(x / 7) for x in range(384)]
    pieces = wire.split(items, 500)
    assert [x for piece in pieces for x in piece] == items and len(pieces) > 1
    with pytest.raises(ConfigError):
        wire.split("x" * 100, 10)


def test_packer_bounds_every_message_and_keeps_order() -> None:
    packer = _Packer(1024)
    rows = [{"id": f"p{i}", "title": "t" * (i % 50)} for i in range(200)]
    statements = packer.pack(cypher.MERGE_PAPERS, rows)
    assert len(statements) > 5
    assert [row for st in statements for row in st.params["rows"]] == rows
    for st in statements:
        assert message_size(st.query, st.params) <= 1024
    with pytest.raises(ConfigError, match="neo4j_batch_bytes"):
        packer.pack(cypher.MERGE_PAPERS, [{"id": "x", "abstract": "a" * 2000}])


def test_packer_with_fixed_parameters() -> None:
    packer = _Packer(600)
    statements = packer.pack(cypher.adjacent("Paper"), [f"id-{i}" for i in range(100)], key="ids", params={"k": 200})
    assert all(st.params["k"] == 200 and message_size(st.query, st.params) <= 600 for st in statements)


# --------------------------------------------------------------------------------------------------
# The store against a fake driver: probe, schema, errors
# --------------------------------------------------------------------------------------------------


class FakeResult:
    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records

    def consume(self) -> None:
        return None

    def single(self, strict: bool = False) -> dict[str, Any] | None:
        return self.records[0] if self.records else None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records)


class FakeSession:
    def __init__(self, driver: FakeDriver) -> None:
        self.driver = driver

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def run(self, query: str, parameters: dict[str, Any] | None = None, **kwargs: Any) -> FakeResult:
        self.driver.queries.append(query)
        if query in self.driver.failing:
            raise ClientError(f"refused: {query[:20]}")
        params = {**(parameters or {}), **kwargs}
        if query == cypher.ECHO:
            return FakeResult([{"text": params["text"] if self.driver.intact else "mangled"}])
        return FakeResult([])


class FakeDriver:
    """Just enough of ``neo4j.Driver`` for the probe and the schema."""

    def __init__(self, failing: set[str], intact: bool = True) -> None:
        self.failing = failing
        self.intact = intact
        self.queries: list[str] = []
        self.closed = False

    def verify_connectivity(self) -> None:
        return None

    def session(self, database: str | None = None) -> FakeSession:
        return FakeSession(self)

    def close(self) -> None:
        self.closed = True


def _store(driver: FakeDriver, **kwargs: Any) -> Neo4jStore:
    return Neo4jStore(driver, schema_path=SCHEMA, **kwargs)  # type: ignore[arg-type]


def test_neo4j_gets_the_schema_file_statement_by_statement(caplog: pytest.LogCaptureFixture) -> None:
    statements = cypher.split_statements(SCHEMA.read_text())
    vector = next(s for s in statements if "VECTOR INDEX" in s)
    driver = FakeDriver(failing={vector})
    store = _store(driver)
    with caplog.at_level(logging.INFO, logger="papergraph.graph.neo4j_store"):
        store.ensure_schema()
        store.ensure_schema()
    assert store.is_neo4j is True
    assert driver.queries == [cypher.ECHO, cypher.PROBE, *statements]  # once, all of them, in order
    assert "schema statement skipped" in caplog.text and "VECTOR INDEX" in caplog.text
    assert store.wire.escape is False


def test_other_servers_get_id_indexes_and_escaped_strings() -> None:
    driver = FakeDriver(failing={cypher.PROBE}, intact=False)
    store = _store(driver)
    store.ensure_schema()
    assert store.is_neo4j is False
    # a server that splices parameters into text is never sent the probe that fails there
    expected = [cypher.ECHO, cypher.INDEXED_PROPERTIES, *(cypher.id_index(label) for label in LABELS)]
    assert driver.queries == expected
    assert store.wire.escape is True


def test_other_servers_with_intact_strings_are_probed() -> None:
    driver = FakeDriver(failing={cypher.PROBE})
    store = _store(driver)
    store.ensure_schema()
    assert store.is_neo4j is False and store.wire.escape is False
    assert driver.queries[:3] == [cypher.ECHO, cypher.PROBE, cypher.INDEXED_PROPERTIES]


def test_store_closes_only_a_driver_it_owns() -> None:
    driver = FakeDriver(failing=set())
    _store(driver).close()
    assert not driver.closed
    _store(driver, owns_driver=True).close()
    assert driver.closed


@pytest.fixture
def store() -> Iterator[Neo4jStore]:
    yield _store(FakeDriver(failing=set()), location="bolt://db:7687")


def test_error_messages(store: Neo4jStore) -> None:
    gone = store._error(ServiceUnavailable("connection refused"), "writing")
    assert isinstance(gone, GraphUnavailableError)
    assert str(gone).startswith("cannot reach bolt://db:7687 while writing: connection refused")
    assert "run the same command again" in str(gone)
    refused = store._error(ClientError("bad credentials"), "connecting")
    assert "NEO4J_PASSWORD" in str(refused)
    broken = store._error(ClientError("syntax"), "reading")
    assert str(broken).startswith("bolt://db:7687 failed while reading")


# --------------------------------------------------------------------------------------------------
# Question reads (level-aware matching, aggregations)
# --------------------------------------------------------------------------------------------------


def _q() -> PaperQuery:
    jetson = NodeMatch(type=EntityType.HARDWARE, family=("NVIDIA Jetson",))
    amd_gpu = NodeMatch(type=EntityType.HARDWARE, vendor="AMD", hw_type="GPU")
    quant = NodeMatch(type=EntityType.TECHNIQUE, ids=("technique:quantization",))
    return PaperQuery(all_of=((jetson, amd_gpu), (quant,)), year_min=2023, authors=("Ann Smith",))


def test_papers_where_text() -> None:
    text, params = cypher.papers_where(_q())
    assert text == (
        "MATCH (p:Paper)\n"
        "WHERE p.year >= $year_min AND any(a IN coalesce(p.authors, []) WHERE a IN $authors)\n"
        "MATCH (p)-[:MENTIONS|PROPOSES]->(n0:Hardware)\n"
        "WHERE ((n0.name IN $g0_0_family OR coalesce(n0.family IN $g0_0_family, false) OR "
        "(n0)-[:IN_FAMILY*1..4]->(:Hardware {name: $g0_0_family_0}))) OR "
        "((coalesce(n0.vendor = $g0_1_vendor, false) OR (n0.vendor IS NULL AND n0.name STARTS WITH "
        "$g0_1_vendor_prefix)) AND coalesce(n0.type = $g0_1_type, false))\n"
        "WITH DISTINCT p\n"
        "MATCH (p)-[:MENTIONS|PROPOSES]->(n1:Technique)\n"
        "WHERE (n1.id IN $g1_0_ids)\n"
        "WITH DISTINCT p\n"
        "RETURN p.id AS id"
    )
    assert params == {
        "year_min": 2023,
        "authors": ["Ann Smith"],
        "g0_0_family": ["NVIDIA Jetson"],
        "g0_0_family_0": "NVIDIA Jetson",
        "g0_1_vendor": "AMD",
        "g0_1_vendor_prefix": "AMD ",
        "g0_1_type": "GPU",
        "g1_0_ids": ["technique:quantization"],
    }


def test_question_reads_share_the_paper_match() -> None:

    head = cypher.papers_where(_q())[0].rsplit("\n", 1)[0]
    exclude = [NodeMatch(type=EntityType.TECHNIQUE, ids=("technique:quantization",))]
    counted, params = cypher.count_entities(
        TallyQuery(type=EntityType.TECHNIQUE, within=_q(), exclude=exclude, limit=5)
    )
    assert counted.startswith(head)
    assert counted.endswith(
        "MATCH (p)-[:MENTIONS|PROPOSES]->(o:Technique)\n"
        "WHERE NOT (o.id IN $exc0_ids)\n"
        "WITH o, count(DISTINCT p) AS papers\n"
        "ORDER BY papers DESC, o.name_key, o.id\n"
        "LIMIT $limit\n"
        "RETURN properties(o) AS props, papers"
    )
    assert params["limit"] == 5 and params["exc0_ids"] == ["technique:quantization"]
    by_vendor, _ = cypher.count_entities(TallyQuery(type=EntityType.HARDWARE, by=GroupBy.VENDOR))
    assert by_vendor == (
        "MATCH (p:Paper)\n"
        "MATCH (p)-[:MENTIONS|PROPOSES]->(o:Hardware)\n"
        "WITH o.`vendor` AS key, count(DISTINCT p) AS papers\n"
        "WHERE key IS NOT NULL\n"
        "RETURN key, papers"
    )
    own = NodeMatch(type=EntityType.SYSTEM, ids=("system:vllm",))
    against, params = cypher.papers_where(PaperQuery(all_of=((own,),), not_proposing=(own,), papers=frozenset("ba")))
    assert against == (
        "MATCH (p:Paper)\n"
        "WHERE p.id IN $papers\n"
        "MATCH (p)-[:MENTIONS|PROPOSES]->(n0:System)\n"
        "WHERE (n0.id IN $g0_0_ids)\n"
        "WITH DISTINCT p\n"
        "OPTIONAL MATCH (p)-[:PROPOSES]->(x:System) WHERE (x.id IN $own0_ids)\n"
        "WITH p, count(x) AS own WHERE own = 0\n"
        "RETURN p.id AS id"
    )
    assert params == {"papers": ["a", "b"], "g0_0_ids": ["system:vllm"], "own0_ids": ["system:vllm"]}
    not_cpu = NodeMatch(type=EntityType.HARDWARE, vendor="Intel", not_hw_type="CPU")
    assert cypher.node_predicate("o", not_cpu, cypher._Params(), "k") == (
        "(coalesce(o.vendor = $k_vendor, false) OR (o.vendor IS NULL AND o.name STARTS WITH $k_vendor_prefix))"
        " AND NOT coalesce(o.type = $k_not_type, false)"
    )
    boards = NodeMatch(type=EntityType.HARDWARE, hw_type="edge-board", level="model")
    by_line, params = cypher.count_entities(
        TallyQuery(type=EntityType.HARDWARE, include=boards, by=GroupBy.LINE, limit=2)
    )
    assert by_line == (
        "MATCH (p:Paper)\n"
        "MATCH (p)-[:MENTIONS|PROPOSES]->(o:Hardware)\n"
        "WHERE (coalesce(o.type = $inc_type, false) AND coalesce(o.level = $inc_level, false))\n"
        "MATCH (o)-[:IN_FAMILY*0..]->(top:Hardware)\n"
        "OPTIONAL MATCH (top)-[up:IN_FAMILY]->(:Hardware)\n"
        "WITH p, top AS o, up WHERE up IS NULL\n"
        "WITH o, count(DISTINCT p) AS papers\n"
        "ORDER BY papers DESC, o.name_key, o.id\n"
        "LIMIT $limit\n"
        "RETURN properties(o) AS props, papers"
    )
    assert params == {"inc_type": "edge-board", "inc_level": "model", "limit": 2}
    values, params = cypher.metric_values(
        MetricQuery(
            kinds=("throughput",),
            within=_q(),
            unit="tokens/s",
            measured_on=NodeMatch(type=EntityType.HARDWARE, hw_type="FPGA"),
        )
    )
    assert values.startswith(head)
    assert values.endswith(
        "MATCH (p)-[r:REPORTS]->(m:Metric)\n"
        "WHERE m.kind IN $metric_kinds AND m.unit = $unit\n"
        "MATCH (m)-[:MEASURED_ON]->(h:Hardware)\n"
        "WHERE coalesce(h.type = $on_type, false)\n"
        "WITH DISTINCT p, m, r.evidence AS evidence\n"
        "ORDER BY m.value DESC, p.id, m.id\n"
        "LIMIT $limit\n"
        "RETURN p.id AS paper, p.title AS title, properties(m) AS metric, evidence"
    )
    assert "ORDER BY m.value ASC" in cypher.metric_values(MetricQuery(kinds=("latency",), descending=False))[0]
    any_kind, params = cypher.metric_values(MetricQuery(unit="TFLOPS"))  # a unit alone: numbers of every kind
    assert "MATCH (p)-[r:REPORTS]->(m:Metric)\nWHERE m.unit = $unit\n" in any_kind
    assert "metric_kinds" not in params
    assert "WHERE" not in cypher.metric_values(MetricQuery())[0].split("(m:Metric)")[1]
    per_year, _ = cypher.papers_per_year(_q())
    assert per_year.startswith(head)
    assert per_year.endswith(
        "WITH p WHERE p.year IS NOT NULL\nRETURN p.year AS year, count(DISTINCT p) AS papers\nORDER BY year"
    )
    assert cypher.count_papers_where(_q())[0].endswith("RETURN count(DISTINCT p) AS papers")


def test_mixed_label_groups_check_labels_in_where() -> None:

    group = (
        NodeMatch(type=EntityType.SYSTEM, ids=("system:resnet",)),
        NodeMatch(type=EntityType.HARDWARE, hw_type="GPU"),
    )
    text, _ = cypher.papers_where(PaperQuery(all_of=(group,)))
    assert "MATCH (p)-[:MENTIONS|PROPOSES]->(n0)\n" in text
    assert "WHERE (n0:System AND n0.id IN $g0_0_ids) OR (n0:Hardware AND coalesce(n0.type = $g0_1_type, false))" in text


def test_node_match_needs_a_field() -> None:

    with pytest.raises(ValidationError):
        NodeMatch(type=EntityType.HARDWARE)
    with pytest.raises(ValidationError):
        NodeMatch(type=EntityType.TECHNIQUE, vendor="NVIDIA")
    with pytest.raises(ValidationError):
        NodeMatch(type=EntityType.METRIC, ids=("m",))
