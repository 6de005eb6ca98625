"""Every Cypher statement the Neo4j store sends, as text builders; values only ever travel as ``$parameters``.

Labels, relationship types and property names cannot be parameters in Cypher, so they are spliced into the
text, but only after checking them against the schema constants of :mod:`papergraph.graph.rows` (never
from user or corpus text). Writes take ``UNWIND $rows`` batches.

The data statements stay inside the openCypher subset that both Neo4j 5 and FalkorDB (the CI Bolt server)
run: no ``EXISTS {}``/``COUNT {}`` subqueries (FalkorDB rejects them), no ``elementId()``, no
``shortestPath``; case-insensitive matching uses keys case-folded in Python (``name_key``, ``match_keys``)
because ``toLower`` differs between servers for non-ASCII text. Schema statements are Neo4j-only and live in
``graph_schema/schema.cypher``.

Floats travel as exact ``[mantissa, e1, e2]`` integer triples decoded by :func:`exact_float` (value =
mantissa * 2^e1 * 2^e2): FalkorDB's Bolt layer prints float parameters with six decimals, which would turn a
metric of 1e-7 into 0. The decoding is exact on every server, so one statement serves both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from papergraph.graph.query import FAMILY_DEPTH, GroupBy, MetricQuery, NodeMatch, PaperQuery, TallyQuery
from papergraph.graph.rows import (
    ENTITY_LABELS,
    HIERARCHY_LABELS,
    IN_FAMILY,
    LABELS,
    MATCH_KEYS,
    NAME_KEY,
    PAPER,
    PAPER_KEYS,
    PROPOSES,
    REL_TYPES,
)
from papergraph.models import EntityType

_PROPERTY = re.compile(r"^[a-z][a-z0-9_]*$")


def _label(label: str) -> str:
    if label not in LABELS:
        raise ValueError(f"unknown node label {label!r}; expected one of {', '.join(LABELS)}")
    return label


def _entity_label(label: str) -> str:
    if label not in ENTITY_LABELS:
        raise ValueError(f"unknown entity label {label!r}; expected one of {', '.join(ENTITY_LABELS)}")
    return label


def _rel(rel: str) -> str:
    if rel not in REL_TYPES:
        raise ValueError(f"unknown relationship type {rel!r}; expected one of {', '.join(REL_TYPES)}")
    return rel


def _prop(name: str) -> str:
    if not _PROPERTY.match(name):
        raise ValueError(f"invalid property name {name!r}")
    return f"`{name}`"


def _projection(var: str, keys: Iterable[str]) -> str:
    return var + " {" + ", ".join(f".{_prop(k)}" for k in keys) + "}"


def exact_float(expr: str) -> str:
    """Cypher decoding a float sent as an integer triple (see the module docstring)."""
    return f"{expr}[0] * 2.0 ^ {expr}[1] * 2.0 ^ {expr}[2]"


LINKED_BY_PAPERS = "MENTIONS|PROPOSES"
"""The relationships from a paper to an entity: only papers have them, one per (paper, entity), so counting
them counts papers, without a label check or DISTINCT."""

BELOW = f"[:{IN_FAMILY}*0..]"
"""A node and everything below it in its hierarchy: ``(m)-[:IN_FAMILY*0..]->(n)`` binds ``m`` to ``n`` and to
every member of ``n`` (models of a family, families of a parent family)."""


def _members(var: str, of: str, label: str) -> str:
    """``MATCH`` binding ``var`` to ``of`` and, for labels with a hierarchy, to every node below it."""
    if label in HIERARCHY_LABELS:
        return f"MATCH ({var})-{BELOW}->({of})"
    return f"WITH {of}, {of} AS {var}"


PAPER_READ_KEYS = tuple(k for k in PAPER_KEYS if k != "abstract")
"""Paper properties read back with a node: everything but the abstract (read apart, in slices)."""

# --------------------------------------------------------------------------------------------------
# Server probe and schema
# --------------------------------------------------------------------------------------------------

PROBE = "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"
"""Answers on Neo4j; FalkorDB (which calls itself Neo4j in its Bolt HELLO) fails it."""

ECHO = "RETURN $text AS text"
"""Do string parameters arrive intact? FalkorDB's Bolt layer splices them into query text unescaped."""

ECHO_TEXT = "a\\nb"
"""What ECHO sends: a backslash (read as an escape where parameters are spliced into text) and no quote, which
would make the statement fail there."""


INDEXED_PROPERTIES = "CALL db.indexes() YIELD label, properties RETURN label, properties"
"""Indexes on servers other than Neo4j 5 (FalkorDB answers it), so only missing ``id`` indexes are created."""


def id_index(label: str) -> str:
    """A plain index on ``id``, the one schema statement other Bolt servers get, so MERGE does not scan."""
    return f"CREATE INDEX FOR (n:{_label(label)}) ON (n.id)"


def split_statements(text: str) -> list[str]:
    """The statements of a ``.cypher`` file: ``//`` comment lines dropped, split on ``;`` at line ends."""
    lines = [line for line in text.splitlines() if not line.strip().startswith("//")]
    statements = re.split(r";\s*(?:\n|$)", "\n".join(lines))
    return [s.strip() for s in statements if s.strip()]


# --------------------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------------------

DROP_ENTITY_LINKS = """UNWIND $ids AS id
MATCH (p:Paper {id: id})-[r]->(n)
WHERE NOT n:Metric
WITH r, labels(n)[0] AS label, n.id AS node
DELETE r
RETURN DISTINCT label, node"""
"""Remove papers' links to entities; returns the entities that were linked (orphan candidates)."""

DROP_METRICS = """UNWIND $ids AS id
MATCH (p:Paper {id: id})-[:REPORTS]->(m:Metric)
OPTIONAL MATCH (m)-[:MEASURED_ON]->(h:Hardware)
WITH m, h.id AS node
DETACH DELETE m
RETURN DISTINCT node"""
"""Remove papers' Metric nodes; returns the hardware they were measured on (orphan candidates)."""

DELETE_PAPERS = """UNWIND $ids AS id
MATCH (p:Paper {id: id})
DETACH DELETE p
RETURN count(*) AS deleted"""

MERGE_PAPERS = """UNWIND $rows AS row
MERGE (p:Paper {id: row.id})
WITH p, row, CASE WHEN p.content_hash = row.content_hash THEN p.embedding END AS embedding
SET p = row
SET p.embedding = embedding"""
"""Create or replace papers; an embedding survives only while the paper's text is unchanged."""

MERGE_METRICS = f"""UNWIND $rows AS row
MERGE (m:Metric {{id: row.id}})
SET m = row.props
SET m.value = {exact_float("row.value")}, m.value_max = {exact_float("row.value_max")}"""
"""Metrics: properties in ``row.props``, the two floats as exact triples (``value_max`` may be null)."""

SET_EMBEDDINGS = f"""UNWIND $rows AS row
MATCH (p:Paper {{id: row.id}})
SET p.embedding = [v IN row.embedding | {exact_float("v")}]
RETURN count(p) AS papers"""

DELETE_ALL_BATCH = """MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted"""
"""Wipe the database in bounded pieces (tests, benchmarks); loop until it deletes nothing."""


def merge_entities(label: str) -> str:
    """Create entities not seen before; an existing entity keeps its first name (as in the embedded store)."""
    return f"""UNWIND $rows AS row
MERGE (n:{_entity_label(label)} {{id: row.id}})
ON CREATE SET n += row"""


def merge_links(rel: str, source_label: str, target_label: str) -> str:
    """One relationship per (source, target, type), its properties replaced by the row's ``props``."""
    return f"""UNWIND $rows AS row
MATCH (s:{_label(source_label)} {{id: row.source}})
MATCH (t:{_label(target_label)} {{id: row.target}})
MERGE (s)-[r:{_rel(rel)}]->(t)
SET r = row.props"""


def append_node_property(label: str, prop: str, floats: bool = False) -> str:
    """Append ``row.part`` to a string or list property: how a value too big for one message is written.

    ``floats``: the part is a list of exact float triples (an embedding).
    """
    p = _prop(prop)
    part = f"[v IN row.part | {exact_float('v')}]" if floats else "row.part"
    return f"""UNWIND $rows AS row
MATCH (n:{_label(label)} {{id: row.id}})
SET n.{p} = n.{p} + {part}"""


def append_link_property(rel: str, source_label: str, target_label: str, prop: str) -> str:
    """Append ``row.part`` to a relationship property (a very long evidence sentence)."""
    p = _prop(prop)
    return f"""UNWIND $rows AS row
MATCH (s:{_label(source_label)} {{id: row.source}})-[r:{_rel(rel)}]->(t:{_label(target_label)} {{id: row.target}})
SET r.{p} = r.{p} + row.part"""


def delete_orphans(label: str) -> str:
    """Delete the given entities when no paper links to them and no member points at them any more; returns
    the families of each deleted node (the next orphan candidates)."""
    return f"""UNWIND $ids AS id
MATCH (n:{_entity_label(label)} {{id: id}})
OPTIONAL MATCH (p:Paper)-->(n)
WITH n, count(p) AS papers
WHERE papers = 0
OPTIONAL MATCH (m)-[:{IN_FAMILY}]->(n)
WITH n, count(m) AS members
WHERE members = 0
OPTIONAL MATCH (n)-[:{IN_FAMILY}]->(f)
WITH n, collect(f.id) AS families
DETACH DELETE n
RETURN families"""


# --------------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------------

PAPER_IDS = "MATCH (p:Paper) RETURN p.id AS id"

PAPER_HASHES = "MATCH (p:Paper) RETURN p.id AS id, p.content_hash AS hash"
"""Every paper's content hash: what ingest compares with the index to repair a graph that fell behind."""

PAPER_PROPERTIES = f"""MATCH (p:Paper {{id: $id}})
RETURN {_projection("p", PAPER_READ_KEYS)} AS props, size(coalesce(p.abstract, '')) AS abstract_size"""
"""A paper's properties without its abstract, and the abstract's length (read apart: records stay small)."""

PAPER_ABSTRACT = """MATCH (p:Paper {id: $id})
UNWIND range(0, $size - 1, $step) AS start
RETURN start, substring(p.abstract, start, $step) AS part
ORDER BY start"""
"""A paper's abstract in slices of ``$step`` characters, one record each."""

PAPER_LINKS = """MATCH (p:Paper {id: $id})-[r]->(n)
RETURN type(r) AS rel, properties(r) AS rel_props, labels(n)[0] AS label, properties(n) AS props"""
"""A paper's outgoing links, one record per link, with the linked node."""

PAPERS_WITH_METRIC_KIND = """MATCH (p:Paper)-[:REPORTS]->(m:Metric)
WHERE m.kind IN $kinds
RETURN DISTINCT p.id AS id"""


def papers_linked_to(label: str) -> str:
    """Papers linked to an entity named by id or by one of its case-folded match keys, or to a member below it."""
    return f"""MATCH (n:{_entity_label(label)})
WHERE n.id IN $ids OR any(k IN n.{MATCH_KEYS} WHERE k IN $keys)
{_members("m", "n", label)}
MATCH (m)<-[:{LINKED_BY_PAPERS}]-(p)
RETURN DISTINCT p.id AS id"""


def _paper_count(label: str) -> str:
    """Papers linked to ``n`` or to a member below it, as ``papers`` (a family counts its models' papers)."""
    if label not in HIERARCHY_LABELS:
        return f"""OPTIONAL MATCH (n)<-[:{LINKED_BY_PAPERS}]-(p)
WITH n, count(p) AS papers"""
    return f"""OPTIONAL MATCH (m)-{BELOW}->(n)
OPTIONAL MATCH (m)<-[:{LINKED_BY_PAPERS}]-(p)
WITH n, count(DISTINCT p) AS papers"""


def entity_counts(label: str) -> str:
    """Entities of one label, optionally filtered by a case-folded substring, most-linked first."""
    return f"""MATCH (n:{_entity_label(label)})
WHERE $q IS NULL OR n.{NAME_KEY} CONTAINS $q
{_paper_count(label)}
ORDER BY papers DESC, n.{NAME_KEY}, n.id
LIMIT $limit
RETURN properties(n) AS props, papers"""


def total_entities(label: str) -> str:
    """How many entities of one label :func:`entity_counts` would list without a limit."""
    return f"""MATCH (n:{_entity_label(label)})
WHERE $q IS NULL OR n.{NAME_KEY} CONTAINS $q
RETURN count(n) AS count"""


def find_entity(label: str) -> str:
    """An entity by exact id, else by case-folded name."""
    return f"""MATCH (n:{_entity_label(label)})
WHERE n.id = $id OR n.{NAME_KEY} = $key
RETURN n.id AS id
ORDER BY CASE WHEN n.id = $id THEN 0 ELSE 1 END, n.id
LIMIT 1"""


def entity_count(label: str) -> str:
    return f"""MATCH (n:{_entity_label(label)} {{id: $id}})
{_paper_count(label)}
RETURN properties(n) AS props, papers"""


def entity_papers(label: str) -> str:
    """An entity's papers (its members' too) with the evidence of the link to it, else to its first member by
    id; by title (re-sorted by case-folded title)."""
    return f"""MATCH (n:{_entity_label(label)} {{id: $id}})
{_members("m", "n", label)}
MATCH (m)<-[r:{LINKED_BY_PAPERS}]-(p)
WITH p, r, CASE WHEN m.id = $id THEN '' ELSE m.id END AS rank
ORDER BY rank
WITH p, collect(r.evidence)[0] AS evidence
RETURN p.id AS id, p.title AS title, evidence
ORDER BY toLower(p.title), p.id
LIMIT $limit"""


def cooccurring(label: str) -> str:
    """Entities sharing papers with one entity (or its members), by number of shared papers."""
    return f"""MATCH (n:{_entity_label(label)} {{id: $id}})
{_members("m", "n", label)}
WITH collect(DISTINCT m.id) AS own
MATCH (x)<-[:{LINKED_BY_PAPERS}]-(p)
WHERE x.id IN own
WITH DISTINCT p, own
MATCH (p)-[:{LINKED_BY_PAPERS}]->(o)
WHERE NOT o.id IN own
WITH o, count(p) AS papers
ORDER BY papers DESC, o.{NAME_KEY}, o.id
LIMIT $limit
RETURN labels(o)[0] AS label, properties(o) AS props, papers"""


def node_exists(label: str) -> str:
    return f"MATCH (n:{_label(label)} {{id: $id}}) RETURN n.id AS id"


def adjacent(label: str) -> str:
    """The first ``$k`` neighbours (either direction, by id) of each node: one BFS hop, one record each."""
    return f"""UNWIND $ids AS id
MATCH (a:{_label(label)} {{id: id}})--(b)
WITH DISTINCT id, b.id AS other, labels(b)[0] AS other_label
ORDER BY other
WITH id, collect([other, other_label])[..$k] AS around
UNWIND around AS pair
RETURN id, pair[0] AS other, pair[1] AS label"""


def degree(label: str) -> str:
    """How many distinct PaperGraph nodes are adjacent (either direction) to one node ("N more" in a view)."""
    return f"""MATCH (a:{_label(label)} {{id: $id}})--(b)
WHERE labels(b)[0] IN $labels
RETURN count(DISTINCT b.id) AS degree"""


def outgoing(label: str) -> str:
    """Outgoing relationships of nodes (few per node: papers, metrics, and members to their family)."""
    return f"""UNWIND $ids AS id
MATCH (a:{_label(label)} {{id: id}})-[r]->(b)
RETURN a.id AS source, b.id AS target, type(r) AS type, properties(r) AS props"""


def node_properties(label: str) -> str:
    """Properties of nodes for display; papers without abstract or embedding."""
    props = _projection("n", PAPER_READ_KEYS) if label == PAPER else "properties(n)"
    return f"""UNWIND $ids AS id
MATCH (n:{_label(label)} {{id: id}})
RETURN n.id AS id, {props} AS props"""


def count_nodes(label: str) -> str:
    return f"MATCH (n:{_label(label)}) RETURN count(n) AS count"


def count_relationships(rel: str) -> str:
    return f"MATCH ()-[r:{_rel(rel)}]->() RETURN count(r) AS count"


# --------------------------------------------------------------------------------------------------
# The graph query behind a question, shown to users (paste it into Neo4j Browser)
# --------------------------------------------------------------------------------------------------


def papers_query(
    constraints: Mapping[EntityType, Sequence[str]],
    metric_kinds: Sequence[str] = (),
    count: bool = False,
    topics: Mapping[str, str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """(cypher, params) for the papers satisfying every constraint: the same matching as ``papers_for``.

    One ``MATCH ... WITH DISTINCT p`` step per entity type (values of a type are OR'ed through ``match_keys``),
    then the topic regexes on the paper text, then the metrics of the kinds asked about.
    """
    params: dict[str, Any] = {}
    lines: list[str] = []
    for type_, values in constraints.items():
        if type_ is EntityType.METRIC:
            continue
        key = type_.value
        params[key] = sorted({v.casefold().strip() for v in values})
        var = key[0]
        label = _entity_label(type_.label)
        below = f"-{BELOW}->({var}f:{label})" if label in HIERARCHY_LABELS else ""
        named = f"{var}f" if below else var
        lines.append(
            f"MATCH (p:{PAPER})-[:{LINKED_BY_PAPERS}]->({var}:{label}){below} "
            f"WHERE any(k IN {named}.{MATCH_KEYS} WHERE k IN ${key})"
        )
        lines.append("WITH DISTINCT p")
    if not lines:
        lines.append(f"MATCH (p:{PAPER})")
    for i, pattern in enumerate((topics or {}).values()):
        params[f"topic_{i}"] = f"(?is).*({pattern}).*"
        lines.append(f"WITH p WHERE p.title =~ $topic_{i} OR p.abstract =~ $topic_{i}")
    if count:
        lines.append("RETURN count(p) AS papers")
        return "\n".join(lines), params
    if metric_kinds:
        params["metric_kinds"] = list(metric_kinds)
        lines.append("OPTIONAL MATCH (p)-[:REPORTS]->(m:Metric) WHERE m.kind IN $metric_kinds")
        lines.append("RETURN p.id AS id, p.title AS title, collect(m.surface) AS metrics")
    else:
        lines.append("RETURN p.id AS id, p.title AS title")
    lines.append("ORDER BY title")
    return "\n".join(lines), params


# --------------------------------------------------------------------------------------------------
# Question reads: level-aware paper matching and the aggregations behind top-N, co-occurrence,
# superlative and trend questions (semantics in papergraph.graph.query). Each builder returns
# (cypher, params); the Neo4j store runs exactly what the answer shows.
# --------------------------------------------------------------------------------------------------


class _Params:
    """Parameter names handed out in order (``$g0_ids``, ``$x1_family`` ...), values collected alongside."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, name: str, value: Any) -> str:
        if not _PROPERTY.match(name) or name in self.values:
            raise ValueError(f"invalid or repeated parameter name {name!r}")
        self.values[name] = value
        return f"${name}"


def node_predicate(var: str, match: NodeMatch, params: _Params, key: str) -> str:
    """The WHERE text true for the nodes ``match`` selects (every given field, on ``var``)."""
    label = _entity_label(match.type.label)
    parts: list[str] = []
    if match.ids:
        parts.append(f"{var}.id IN {params.add(f'{key}_ids', list(match.ids))}")
    if match.family:
        names = params.add(f"{key}_family", list(match.family))
        alternatives = [f"{var}.name IN {names}", f"coalesce({var}.family IN {names}, false)"]
        for i, family in enumerate(match.family):
            ref = params.add(f"{key}_family_{i}", family)
            alternatives.append(f"({var})-[:{IN_FAMILY}*1..{FAMILY_DEPTH}]->(:{label} {{name: {ref}}})")
        parts.append("(" + " OR ".join(alternatives) + ")")
    if match.vendor:
        vendor = params.add(f"{key}_vendor", match.vendor)
        prefix = params.add(f"{key}_vendor_prefix", match.vendor + " ")
        parts.append(
            f"(coalesce({var}.vendor = {vendor}, false) OR ({var}.vendor IS NULL AND {var}.name STARTS WITH {prefix}))"
        )
    if match.hw_type:
        parts.append(f"coalesce({var}.type = {params.add(f'{key}_type', match.hw_type)}, false)")
    if match.level:
        parts.append(f"coalesce({var}.level = {params.add(f'{key}_level', match.level)}, false)")
    if match.not_hw_type:
        parts.append(f"NOT coalesce({var}.type = {params.add(f'{key}_not_type', match.not_hw_type)}, false)")
    return " AND ".join(parts)


def _group_pattern(var: str, group: Sequence[NodeMatch], params: _Params, key: str) -> tuple[str, str]:
    """(node pattern, WHERE text) for one OR-group: the label in the pattern when all share one."""
    labels = sorted({m.type.label for m in group})
    predicates = []
    for i, match in enumerate(group):
        text = node_predicate(var, match, params, f"{key}{i}")
        if len(labels) > 1:
            text = f"{var}:{_entity_label(match.type.label)} AND {text}"
        predicates.append(f"({text})")
    pattern = f"({var}:{_entity_label(labels[0])})" if len(labels) == 1 else f"({var})"
    return pattern, " OR ".join(predicates) if predicates else "false"


def _paper_lines(query: PaperQuery | None, params: _Params) -> list[str]:
    """``MATCH (p:Paper)`` narrowed by ``query``; the last line leaves one row per paper in ``p``."""
    lines = [f"MATCH (p:{PAPER})"]
    if query is None:
        return lines
    where = []
    if query.year_min is not None:
        where.append(f"p.year >= {params.add('year_min', query.year_min)}")
    if query.year_max is not None:
        where.append(f"p.year <= {params.add('year_max', query.year_max)}")
    if query.authors:
        where.append(f"any(a IN coalesce(p.authors, []) WHERE a IN {params.add('authors', list(query.authors))})")
    if query.coauthors:
        names = params.add("coauthors", list(query.coauthors))
        where.append(f"all(a IN {names} WHERE a IN coalesce(p.authors, []))")
    if query.papers is not None:
        where.append(f"p.id IN {params.add('papers', sorted(query.papers))}")
    if where:
        lines.append("WHERE " + " AND ".join(where))
    for g, group in enumerate(query.all_of):
        pattern, predicate = _group_pattern(f"n{g}", group, params, f"g{g}_")
        lines.append(f"MATCH (p)-[:{LINKED_BY_PAPERS}]->{pattern}")
        lines.append(f"WHERE {predicate}")
        lines.append("WITH DISTINCT p")
    if query.metric_kinds:
        kinds = params.add("kinds", list(query.metric_kinds))
        lines.append(f"MATCH (p)-[:REPORTS]->(k:Metric) WHERE k.kind IN {kinds}")
        lines.append("WITH DISTINCT p")
    if query.not_proposing:
        pattern, predicate = _group_pattern("x", query.not_proposing, params, "own")
        lines.append(f"OPTIONAL MATCH (p)-[:{PROPOSES}]->{pattern} WHERE {predicate}")
        lines.append("WITH p, count(x) AS own WHERE own = 0")
    return lines


def papers_where(query: PaperQuery) -> tuple[str, dict[str, Any]]:
    """Ids of the papers matching ``query``."""
    params = _Params()
    lines = [*_paper_lines(query, params), "RETURN p.id AS id"]
    return "\n".join(lines), params.values


def count_papers_where(query: PaperQuery) -> tuple[str, dict[str, Any]]:
    """How many papers match ``query`` (what a count answer shows)."""
    params = _Params()
    lines = [*_paper_lines(query, params), "RETURN count(DISTINCT p) AS papers"]
    return "\n".join(lines), params.values


def count_entities(tally: TallyQuery) -> tuple[str, dict[str, Any]]:
    """Distinct papers per entity of ``tally.type`` (or per its family/vendor/type) among the papers ``within``.

    ``include`` keeps only entities it matches, ``exclude`` drops the ones they match (co-occurrence: the
    entities a question names are not their own neighbours). Grouped by a property, entities without it are
    left out and every group comes back (the store sorts them); by entity, the first ``limit``; by line, the
    first ``limit`` nodes at the top of the matched nodes' hierarchies, each with the papers below it.
    """
    params = _Params()
    label = _entity_label(tally.type.label)
    lines = [*_paper_lines(tally.within, params), f"MATCH (p)-[:{LINKED_BY_PAPERS}]->(o:{label})"]
    where = []
    if tally.include is not None:
        where.append(f"({node_predicate('o', tally.include, params, 'inc')})")
    where += [f"NOT ({node_predicate('o', m, params, f'exc{i}')})" for i, m in enumerate(tally.exclude)]
    if where:
        lines.append("WHERE " + " AND ".join(where))
    by, limit = tally.by, tally.limit
    prop = by.property
    if by is GroupBy.LINE:  # each node counts for the tops of its hierarchy (itself when it has no family)
        lines.append(f"MATCH (o)-{BELOW}->(top:{label})")
        lines.append(f"OPTIONAL MATCH (top)-[up:{IN_FAMILY}]->(:{label})")
        lines.append("WITH p, top AS o, up WHERE up IS NULL")
    if prop is None:
        lines.append("WITH o, count(DISTINCT p) AS papers")
        lines.append(f"ORDER BY papers DESC, o.{NAME_KEY}, o.id")
        if limit is not None:
            lines.append(f"LIMIT {params.add('limit', limit)}")
        lines.append("RETURN properties(o) AS props, papers")
    else:
        lines.append(f"WITH o.{_prop(prop)} AS key, count(DISTINCT p) AS papers")
        lines.append("WHERE key IS NOT NULL")
        lines.append("RETURN key, papers")
    return "\n".join(lines), params.values


def metric_values(numbers: MetricQuery) -> tuple[str, dict[str, Any]]:
    """Reported numbers of the given kinds among the papers ``within``, best first by value.

    No kinds means every kind (a question that names only a unit: "the highest TFLOPS"). ``unit`` keeps one
    unit (values in different units do not compare); ``measured_on`` keeps numbers tied to matching hardware
    (the ``MEASURED_ON`` link). Ties go by paper id, then metric id.
    """
    params = _Params()
    kinds, unit, measured_on, limit = numbers.kinds, numbers.unit, numbers.measured_on, numbers.limit
    lines = [*_paper_lines(numbers.within, params), "MATCH (p)-[r:REPORTS]->(m:Metric)"]
    where = [f"m.kind IN {params.add('metric_kinds', list(kinds))}"] if kinds else []
    if unit is not None:
        where.append(f"m.unit = {params.add('unit', unit)}")
    if where:
        lines.append("WHERE " + " AND ".join(where))
    if measured_on is not None:
        lines.append("MATCH (m)-[:MEASURED_ON]->(h:Hardware)")
        lines.append(f"WHERE {node_predicate('h', measured_on, params, 'on')}")
    lines.append("WITH DISTINCT p, m, r.evidence AS evidence")
    lines.append(f"ORDER BY m.value {'DESC' if numbers.descending else 'ASC'}, p.id, m.id")
    if limit is not None:
        lines.append(f"LIMIT {params.add('limit', limit)}")
    lines.append("RETURN p.id AS paper, p.title AS title, properties(m) AS metric, evidence")
    return "\n".join(lines), params.values


def papers_per_year(within: PaperQuery | None = None) -> tuple[str, dict[str, Any]]:
    """Papers matching ``within`` per publication year (papers without a year are not counted)."""
    params = _Params()
    lines = [
        *_paper_lines(within, params),
        "WITH p WHERE p.year IS NOT NULL",
        "RETURN p.year AS year, count(DISTINCT p) AS papers",
        "ORDER BY year",
    ]
    return "\n".join(lines), params.values
