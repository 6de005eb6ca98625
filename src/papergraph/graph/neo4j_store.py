"""The Neo4j graph store: the same :class:`~papergraph.graph.base.GraphStore` over Bolt, with the official driver.

Writes go in managed transactions (``execute_write``, retried by the driver on transient failures). One
transaction holds whole papers (at most ``batch_rows`` rows: papers, entities, metrics, links), so a server
that goes away mid-ingest leaves no half-written paper behind, and a re-run completes the graph. Every
message inside a transaction stays under ``batch_bytes`` (see :func:`message_size`): small Bolt servers such
as the FalkorDB one the tests use fail on larger messages. A value too big for one message on its own (a
long abstract, a 384-float embedding under a 4 KB budget) is written empty, then appended in parts in the
same transaction. Reads keep records small as well: one record per link, the abstract in slices.

Values travel so that every server stores them exactly: floats as integer triples (see
:mod:`papergraph.graph.cypher`), and strings escaped for servers found to splice parameters into query text.
All Cypher lives in :mod:`papergraph.graph.cypher`. The Neo4j-only schema (``graph_schema/schema.cypher``)
is applied once, before the first write, after a probe that tells Neo4j from other Bolt servers.

Nothing waits forever: connecting and getting a pooled connection have the driver's timeouts, and every call
to the server (the probe, the schema, each transaction) runs under a deadline (``timeout``, the setting
``neo4j_timeout_s``), past which the caller gets :class:`GraphUnavailableError` saying what to do. Reads are
bounded like writes: a long filter list is split over several queries, each message under ``batch_bytes``.
"""

from __future__ import annotations

import importlib.resources
import logging
import math
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from neo4j import Driver, GraphDatabase, ManagedTransaction, Result, Session
from neo4j.exceptions import (
    AuthError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from papergraph.config import Settings
from papergraph.errors import ConfigError, GraphUnavailableError, QueryError
from papergraph.graph import cypher
from papergraph.graph.base import EntityFilters
from papergraph.graph.query import (
    MetricHit,
    MetricQuery,
    PaperQuery,
    Tally,
    TallyQuery,
    YearCount,
    metric_order,
    tally_order,
)
from papergraph.graph.rows import (
    ENTITY_LABELS,
    HIERARCHY_LABELS,
    IN_FAMILY,
    LABELS,
    MATCH_KEYS,
    MEASURED_ON,
    METRIC,
    NAME_KEY,
    PAPER,
    REL_TYPES,
    GraphRows,
    Link,
    entity_count,
    entity_order,
    entity_scope,
    graph_edge,
    graph_node,
    match_keys,
    metric_record,
    paper_record,
    title_order,
    to_rows,
)
from papergraph.models import (
    EntityCount,
    EntityDetail,
    EntityType,
    ExtractedPaper,
    GraphStats,
    PaperRecord,
    PaperRef,
    Subgraph,
    WriteStats,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

CONNECTION_TIMEOUT_S = 5.0
RETRY_TIME_S = 15.0
"""How long the driver retries a transaction on connection loss before the store gives up."""
DEFAULT_TIMEOUT_S = 60.0
"""Deadline of one call to the server (``neo4j_timeout_s``)."""


DRIVER_GRACE_S = 1.0
"""How far past the store's deadline the driver's own timeouts lie when they would otherwise equal it."""


def connect_timeout(deadline_s: float) -> float:
    """The driver's own connection timeout: CONNECTION_TIMEOUT_S, but past the store's deadline when that is
    shorter. With the acquisition timeout also past the deadline, a server that accepts and never answers the
    handshake always meets the deadline first and its message ("did not answer within N s ...
    PAPERGRAPH_NEO4J_TIMEOUT_S"), never a race between the two."""
    return CONNECTION_TIMEOUT_S if deadline_s > CONNECTION_TIMEOUT_S else deadline_s + DRIVER_GRACE_S


class _DeadlinePassed(Exception):
    """A call to the server got no answer in time (becomes GraphUnavailableError once no retry is left)."""


_SLACK = 16
"""Bytes kept free in every message for what the estimate leaves out (RUN's extra map, header growth)."""
_ENTITY_PREFIXES = {t.value: t.label for t in EntityType}
_FRONTIER_CHUNK = 4


# --------------------------------------------------------------------------------------------------
# Message size
# --------------------------------------------------------------------------------------------------


def _header(n: int) -> int:
    return 1 if n < 16 else 2 if n < 256 else 3 if n < 65_536 else 5


def packed_size(value: Any) -> int:
    """Bytes ``value`` takes in PackStream, the encoding of Bolt messages."""
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, int):
        if -16 <= value <= 127:
            return 1
        if -128 <= value <= 127:
            return 2
        if -32_768 <= value <= 32_767:
            return 3
        return 5 if -(2**31) <= value < 2**31 else 9
    if isinstance(value, float):
        return 9
    if isinstance(value, str):
        n = len(value.encode())
        return _header(n) + n
    if isinstance(value, Mapping):
        return _header(len(value)) + sum(packed_size(k) + packed_size(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return _header(len(value)) + sum(packed_size(v) for v in value)
    raise TypeError(f"cannot send a {type(value).__name__} to Neo4j")


def literal_size(value: Any) -> int:
    """Bytes ``value`` takes written as a Cypher literal (``[1, 'a']``, ``{k: 2}``), strings as sent."""
    if value is None or isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, float):
        return len(f"{value:f}") if math.isfinite(value) else 9
    if isinstance(value, str):
        return len(value.encode()) + 2
    if isinstance(value, Mapping):
        items = [len(str(k).encode()) + 2 + literal_size(v) for k, v in value.items()]
        return 2 + sum(items) + 2 * max(len(items) - 1, 0)
    if isinstance(value, list | tuple):
        return 2 + sum(literal_size(v) for v in value) + 2 * max(len(value) - 1, 0)
    raise TypeError(f"cannot send a {type(value).__name__} to Neo4j")


def _bolt_size(query: str, params: Mapping[str, Any]) -> int:
    return 2 + packed_size(query) + packed_size(params) + 1  # RUN struct, text, parameters, empty extra


def _text_size(query: str, params: Mapping[str, Any]) -> int:
    prefix = 7 + sum(len(k) + 2 + literal_size(v) for k, v in params.items()) if params else 0  # "CYPHER k=v "
    return prefix + len(query.encode())


def message_size(query: str, params: Mapping[str, Any]) -> int:
    """What ``query`` with ``params`` weighs against the byte budget.

    The larger of the Bolt RUN message and the query with its parameters written out as Cypher literals:
    FalkorDB's Bolt layer prints parameters into the query text before parsing, and its ~4 KB limit holds
    for that text (a list of 226 16-digit integers is 2 KB in Bolt and 4 KB as text).
    """
    return max(_bolt_size(query, params), _text_size(query, params))


@dataclass
class Statement:
    query: str
    params: dict[str, Any]


class _Packer:
    """Cuts rows into ``UNWIND`` statements whose messages stay under the byte budget (see message_size)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget - _SLACK
        self._bases: dict[tuple[str, str], tuple[int, int]] = {}

    def _base(self, query: str, key: str, params: Mapping[str, Any]) -> tuple[int, int]:
        """Bolt and text sizes of the message without its rows (an empty list's header and brackets off)."""
        cached = None if params else self._bases.get((query, key))
        if cached is None:
            empty = {**params, key: []}
            cached = (_bolt_size(query, empty) - 1, _text_size(query, empty) - 2)
            if not params:
                self._bases[(query, key)] = cached
        return cached

    @staticmethod
    def _total(base: tuple[int, int], n: int, bolt: int, text: int) -> int:
        return max(base[0] + _header(n) + bolt, base[1] + 2 + text + 2 * max(n - 1, 0))

    def fits(self, query: str, row: Any, key: str = "rows") -> bool:
        return self._total(self._base(query, key, {}), 1, packed_size(row), literal_size(row)) <= self.budget

    def pack(
        self, query: str, rows: Sequence[Any], key: str = "rows", params: Mapping[str, Any] | None = None
    ) -> list[Statement]:
        fixed = dict(params or {})
        base = self._base(query, key, fixed)
        out: list[Statement] = []
        current: list[Any] = []
        bolt = text = 0
        for row in rows:
            row_bolt, row_text = packed_size(row), literal_size(row)
            if self._total(base, 1, row_bolt, row_text) > self.budget:
                raise ConfigError(
                    f"one row of {max(row_bolt, row_text)} bytes does not fit the batch byte budget "
                    f"{self.budget + _SLACK} (neo4j_batch_bytes)"
                )
            if current and self._total(base, len(current) + 1, bolt + row_bolt, text + row_text) > self.budget:
                out.append(Statement(query, {**fixed, key: current}))
                current, bolt, text = [], 0, 0
            current.append(row)
            bolt += row_bolt
            text += row_text
        if current:
            out.append(Statement(query, {**fixed, key: current}))
        return out

    def room(self, query: str, row: Mapping[str, Any]) -> int:
        """Bytes left for ``row["part"]`` in a one-row message (``row`` holds an empty part)."""
        return self.budget - message_size(query, {"rows": [row]}) - 8


def exact_float(value: float) -> list[int]:
    """``value`` as integers ``[m, e1, e2]`` with value == m * 2^e1 * 2^e2 exactly (decoded by Cypher).

    Infinities and NaN become ``[±1 or 0, 1024, 1024]``: 2^1024 overflows to infinity on every server.
    """
    if not math.isfinite(value):
        return [0 if math.isnan(value) else (1 if value > 0 else -1), 1024, 1024]
    fraction, exponent = math.frexp(value)
    exponent -= 53
    half = exponent // 2
    return [int(fraction * 2**53), half, exponent - half]


def _item_size(item: Any) -> int:
    """What one more list item adds to a message, in the larger of the two measures of message_size."""
    return max(packed_size(item), literal_size(item) + 2)


class _Wire:
    """How values travel: strings escaped for servers that splice parameters into query text.

    FalkorDB's Bolt layer pastes string parameters into a Cypher string literal: a quote breaks the query
    and backslashes are read as escapes. Escaping ``\\`` and ``'`` there brings every string through
    intact, except NUL, which ends a string there and is dropped.
    """

    def __init__(self, escape: bool) -> None:
        self.escape = escape

    def __call__(self, value: Any) -> Any:
        if not self.escape:
            return value
        if isinstance(value, str):
            return value.replace("\\", "\\\\").replace("'", "\\'").replace("\x00", "")
        if isinstance(value, list | tuple):
            return [self(v) for v in value]
        if isinstance(value, Mapping):
            return {k: self(v) for k, v in value.items()}
        return value

    def char_size(self, char: str) -> int:
        return len(char.encode()) + (1 if self.escape and char in "\\'" else 0)

    def split(self, value: Any, room: int) -> list[Any]:
        """A string or list in pieces whose encoding takes at most ``room`` bytes (strings cut between characters)."""
        if room < 64:
            raise ConfigError("the batch byte budget (neo4j_batch_bytes) is too small for PaperGraph's statements")
        pieces: list[Any] = []
        current: list[Any] = []
        size = 0
        for item in value:
            item_size = self.char_size(item) if isinstance(value, str) else _item_size(self(item))
            if item_size > room:
                raise ConfigError(f"a list item of {item_size} bytes does not fit the batch byte budget")
            if current and size + item_size > room:
                pieces.append("".join(current) if isinstance(value, str) else current)
                current, size = [], 0
            current.append(item)
            size += item_size
        if current:
            pieces.append("".join(current) if isinstance(value, str) else current)
        return pieces


# --------------------------------------------------------------------------------------------------
# Write plans
# --------------------------------------------------------------------------------------------------


@dataclass
class _Unit:
    """Rows that must land in one transaction: a paper with its metrics, links and the entities they need."""

    paper: dict[str, Any]
    metrics: list[dict[str, Any]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    entities: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return 1 + len(self.metrics) + len(self.links) + sum(map(len, self.entities.values()))


def _units(rows: GraphRows) -> list[_Unit]:
    """Group rows by paper, in paper order; each unit names the entities its links need."""
    units: dict[str, _Unit] = {}
    for props in rows.papers:
        units[props["id"]] = _Unit(paper=props)
    paper_of_metric: dict[str, str] = {}
    for props in rows.metrics:
        paper_of_metric[props["id"]] = props["paper_id"]
        units[props["paper_id"]].metrics.append(props)
    unit_of_entity: dict[str, _Unit] = {}  # an IN_FAMILY edge goes with the first paper that needs its member
    for link in sorted(rows.links, key=lambda link: link.type == IN_FAMILY):  # paper links first, then the chains
        if link.type == IN_FAMILY:
            owner = unit_of_entity.get(link.source)
        else:
            owner = units.get(link.source) or units.get(paper_of_metric.get(link.source, ""))
        if owner is None:
            raise ValueError(f"link {link.source} -> {link.target} belongs to no paper of the batch")
        owner.links.append(link)
        if link.target_label in ENTITY_LABELS:
            entity = rows.entities.get(link.target_label, {}).get(link.target)
            if entity is None:
                raise ValueError(f"link {link.source} -> {link.target}: no entity row for {link.target}")
            owner.entities.setdefault(link.target_label, {})[link.target] = entity
            unit_of_entity.setdefault(link.target, owner)
    return list(units.values())


def _entity_row(label: str, props: Mapping[str, Any]) -> dict[str, Any]:
    return {**props, NAME_KEY: str(props["name"]).casefold(), MATCH_KEYS: list(match_keys(label, props))}


def _metric_row(props: Mapping[str, Any]) -> dict[str, Any]:
    value_max = props.get("value_max")
    return {
        "id": props["id"],
        "props": {k: v for k, v in props.items() if k not in ("value", "value_max")},
        "value": exact_float(float(props["value"])),
        "value_max": None if value_max is None else exact_float(float(value_max)),
    }


def _link_labels(link: Link) -> tuple[str, str, str]:
    """(type, source label, target label): metrics are measured on hardware, members point at their family."""
    source = {MEASURED_ON: METRIC, IN_FAMILY: link.target_label}.get(link.type, PAPER)
    return (link.type, source, link.target_label)


def _clean(props: Mapping[str, Any]) -> dict[str, Any]:
    """Properties as the embedded store holds them: a missing property is absent, never None."""
    return {k: v for k, v in props.items() if v is not None}


def default_schema_path() -> Path | None:
    """``schema.cypher``: packaged next to this module when the wheel carries it, else the source checkout's."""
    packaged = importlib.resources.files("papergraph.graph").joinpath("schema.cypher")
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "graph_schema" / "schema.cypher"
    return checkout if checkout.is_file() else None


class Neo4jStore:
    """GraphStore over a Neo4j (or other Bolt) server through an injected ``neo4j.Driver``.

    The store closes the driver only when it made it (:meth:`from_settings`); an injected driver stays the
    caller's. ``batch_rows`` bounds the rows of one transaction, ``batch_bytes`` each message in it.
    """

    def __init__(
        self,
        driver: Driver,
        database: str | None = None,
        *,
        batch_rows: int = 500,
        batch_bytes: int = 1_000_000,
        schema_path: Path | None = None,
        location: str | None = None,
        owns_driver: bool = False,
        verify: bool = True,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._driver = driver
        self.timeout = timeout
        self._database = database
        self.batch_rows = max(1, batch_rows)
        self.batch_bytes = batch_bytes
        self._packer = _Packer(batch_bytes)
        self._read_chars = max(64, (batch_bytes - 512) // 4)  # a UTF-8 character takes up to 4 bytes
        self._schema_path = schema_path if schema_path is not None else default_schema_path()
        self._schema_applied = False
        self._wire: _Wire | None = None
        self.is_neo4j: bool | None = None
        self.location = location or "the Neo4j server"
        self._owns_driver = owns_driver
        if verify:
            try:
                self._within_deadline(driver.verify_connectivity, "connecting")
            except (Neo4jError, DriverError, OSError) as exc:
                error = self._error(exc, "connecting")
                self.close()
                raise error from exc
            except GraphUnavailableError:
                self.close()
                raise

    @classmethod
    def from_settings(cls, settings: Settings) -> Neo4jStore:
        """A store on ``NEO4J_URI`` with ``NEO4J_USER``/``NEO4J_PASSWORD``, owning its driver."""
        if not settings.neo4j_uri:
            raise ConfigError("graph backend 'neo4j' needs NEO4J_URI, e.g. bolt://localhost:7687")
        try:
            driver = GraphDatabase.driver(
                settings.neo4j_uri,
                auth=(settings.neo4j_user, settings.neo4j_password),
                connection_timeout=connect_timeout(settings.neo4j_timeout_s),
                connection_acquisition_timeout=settings.neo4j_timeout_s + DRIVER_GRACE_S,
                max_transaction_retry_time=min(RETRY_TIME_S, settings.neo4j_timeout_s),
            )
        except (ValueError, ConfigurationError) as exc:
            raise ConfigError(f"invalid NEO4J_URI {settings.neo4j_uri!r}: {exc}") from exc
        return cls(
            driver,
            settings.neo4j_database,
            batch_rows=settings.neo4j_batch_rows,
            batch_bytes=settings.neo4j_batch_bytes,
            location=settings.neo4j_uri,
            owns_driver=True,
            timeout=settings.neo4j_timeout_s,
        )

    # --- plumbing -------------------------------------------------------------------------------------
    def _error(self, exc: BaseException, doing: str) -> GraphUnavailableError:
        """A domain error whose message says what happened and what to do (the CLI prints only this)."""
        code = getattr(exc, "code", None) or ""
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if isinstance(exc, AuthError) or "Security" in code:
            text = f"{self.location} refused the credentials (check NEO4J_USER and NEO4J_PASSWORD): {message}"
        elif isinstance(exc, Neo4jError) and doing == "connecting":
            # Some Bolt servers report bad credentials as a generic failure during the handshake.
            text = (
                f"{self.location} refused the connection ({code or 'error'}: {message}); "
                "check NEO4J_USER and NEO4J_PASSWORD"
            )
        elif isinstance(exc, ServiceUnavailable | SessionExpired | OSError):
            text = f"cannot reach {self.location} while {doing}: {message}"
            if doing == "writing":
                text += (
                    ". The batch in flight was not committed (one batch is one transaction); run the same "
                    "command again to complete the graph"
                )
        elif isinstance(exc, Neo4jError):
            text = f"{self.location} failed while {doing}: {code or 'error'}: {message}"
        else:
            text = f"Neo4j driver error while {doing} ({self.location}): {message}"
        return GraphUnavailableError(text)

    def _session(self) -> Session:
        return self._driver.session(database=self._database)

    def _within_deadline(self, call: Callable[[], T], doing: str, *, retry: bool = False) -> T:
        """``call()`` in a worker thread, given up after ``timeout`` seconds with GraphUnavailableError.

        The driver has no read timeout of its own: a server that accepts a query and never answers (or never
        answers the RESET after a failure) would block the caller for good. A call past its deadline is
        abandoned, with the connection it holds (its daemon thread ends when that connection does).
        ``retry``: a call that only reads or is idempotent is tried once more, on another connection.
        """
        try:
            return self._once_within_deadline(call, doing)
        except _DeadlinePassed as exc:
            if not retry:
                raise GraphUnavailableError(str(exc)) from None
            log.warning("%s; trying once more on a new connection", exc)
        try:
            return self._once_within_deadline(call, doing)
        except _DeadlinePassed as exc:
            raise GraphUnavailableError(str(exc)) from None

    def _once_within_deadline(self, call: Callable[[], T], doing: str) -> T:
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                outcome["value"] = call()
            except BaseException as exc:  # handed to the caller below
                outcome["error"] = exc
            finally:
                done.set()

        threading.Thread(target=run, name="neo4j-call", daemon=True).start()
        if not done.wait(self.timeout):
            text = (
                f"{self.location} did not answer within {self.timeout:g} s while {doing}: the server is "
                "overloaded or stuck. Check it (or raise PAPERGRAPH_NEO4J_TIMEOUT_S), then run the command again"
            )
            if doing == "writing":
                text += "; writes are idempotent, so a re-run completes the graph"
            raise _DeadlinePassed(text)
        if "error" in outcome:
            raise outcome["error"]
        value: T = outcome["value"]
        return value

    def _execute(self, work: Callable[[ManagedTransaction], T], *, write: bool) -> T:
        """Run ``work`` in one managed transaction (retried by the driver on transient failures), under the
        deadline."""
        self._probe()
        doing = "writing" if write else "reading"

        def call() -> T:
            with self._session() as session:
                if write:
                    return session.execute_write(work)
                return session.execute_read(work)

        try:
            return self._within_deadline(call, doing, retry=not write)
        except (Neo4jError, DriverError, OSError) as exc:
            raise self._error(exc, doing) from exc

    @property
    def wire(self) -> _Wire:
        if self._wire is None:
            self._probe()
        assert self._wire is not None
        return self._wire

    def _run(self, tx: ManagedTransaction, query: str, **params: Any) -> Result:
        """One read statement; parameters encoded for the server here, the message checked against the budget."""
        encoded = self.wire(params)
        size = message_size(query, encoded)
        if size > self.batch_bytes:
            raise QueryError(
                f"this request makes a {size}-byte query, over the graph server's message budget of "
                f"{self.batch_bytes} bytes (neo4j_batch_bytes): use shorter or fewer values"
            )
        return tx.run(query, encoded)

    def _split(
        self, query: str, values: Sequence[str], params: Callable[[list[str]], dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """``params`` for ``values`` cut into chunks whose messages fit the budget (one value per chunk at least)."""
        chunks: list[dict[str, Any]] = []
        current: list[str] = []
        for value in values:
            if current and message_size(query, self.wire(params([*current, value]))) > self._packer.budget:
                chunks.append(params(current))
                current = []
            current.append(value)
        if current:
            chunks.append(params(current))
        return chunks

    @staticmethod
    def _run_all(tx: ManagedTransaction, statements: Iterable[Statement]) -> list[dict[str, Any]]:
        """Planned statements (parameters already encoded); all their records."""
        records: list[dict[str, Any]] = []
        for st in statements:
            records.extend(record.data() for record in tx.run(st.query, st.params))
        return records

    def commit(self) -> None:
        """Nothing to do: every batch commits as it is written."""

    def close(self) -> None:
        if self._owns_driver:
            self._driver.close()

    # --- server probe and schema ----------------------------------------------------------------------
    def _probe(self) -> None:
        """Learn once what the server is: whether string parameters arrive intact, and Neo4j or not (schema).

        A server that splices parameters into query text (FalkorDB) is not Neo4j, and it is never sent the
        Neo4j probe: a statement that fails there can leave its Bolt layer unresponsive. Only a server whose
        parameters arrive intact is asked ``dbms.components()`` (where a failure is harmless).
        """
        if self._wire is not None:
            return
        text = cypher.ECHO_TEXT

        def probe() -> tuple[bool, bool]:
            with self._session() as session:
                try:
                    intact = session.run(cypher.ECHO, text=text).single(strict=True)["text"] == text
                except Neo4jError:
                    intact = False
                if not intact:
                    return False, False
                try:
                    session.run(cypher.PROBE).consume()
                    return True, True
                except Neo4jError:
                    return False, True

        try:
            self.is_neo4j, intact = self._within_deadline(probe, "connecting", retry=True)
        except (DriverError, OSError) as exc:
            raise self._error(exc, "connecting") from exc
        if not intact:
            log.info("%s mangles string parameters: escaping them", self.location)
        self._wire = _Wire(escape=not intact)

    def _indexed_labels(self) -> set[str]:
        """Labels that already have an ``id`` index on a server other than Neo4j (none if it cannot say)."""

        def read() -> set[str]:
            with self._session() as session:
                records = session.run(cypher.INDEXED_PROPERTIES)
                return {r["label"] for r in records if "id" in (r["properties"] or [])}

        try:
            return self._within_deadline(read, "reading the schema", retry=True)
        except (Neo4jError, DriverError, OSError, GraphUnavailableError) as exc:
            log.info("cannot list the indexes of %s (%s): creating them", self.location, exc)
            return set()

    def ensure_schema(self) -> None:
        """On Neo4j apply ``schema.cypher``, elsewhere only ``id`` indexes; once per store, before writing.

        Each statement runs on its own; what the server refuses (an older Neo4j without vector indexes, an
        index that already exists) is logged and skipped.
        """
        if self._schema_applied:
            return
        self._probe()
        if self.is_neo4j:
            if self._schema_path is None:
                log.warning("graph_schema/schema.cypher not found: Neo4j schema not applied")
                statements = []
            else:
                statements = cypher.split_statements(self._schema_path.read_text())
        else:
            log.info("%s is not Neo4j: only id indexes, no Neo4j schema", self.location)
            indexed = self._indexed_labels()
            statements = [cypher.id_index(label) for label in LABELS if label not in indexed]

        def apply() -> None:
            with self._session() as session:
                for statement in statements:
                    try:
                        session.run(statement).consume()
                    except Neo4jError as exc:
                        log.info("schema statement skipped (%s): %s", exc.message or exc.code, statement)

        try:
            self._within_deadline(apply, "applying the schema", retry=True)
        except (DriverError, OSError) as exc:
            raise self._error(exc, "applying the schema") from exc
        self._schema_applied = True

    # --- write plans ----------------------------------------------------------------------------------
    def _statements(
        self,
        query: str,
        rows: Iterable[dict[str, Any]],
        append_query: Callable[[str], str],
        ends: Callable[[dict[str, Any]], dict[str, Any]],
        nested: bool = False,
    ) -> list[Statement]:
        """``UNWIND`` statements for rows; a row too big for one message is written slim, then appended to.

        ``nested``: the row's own values sit in ``row["props"]`` (links, metrics). ``ends`` gives what the
        append statement matches on (the id, or a link's two ends).
        """
        wire = self.wire
        fitted: list[dict[str, Any]] = []
        appends: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            encoded = wire(row)
            if self._packer.fits(query, encoded):
                fitted.append(encoded)
                continue
            values: dict[str, Any] = row["props"] if nested else row
            slim, moved = self._slim(query, row, values, nested)
            fitted.append(wire(slim))
            head = wire(ends(row))
            for prop in moved:
                room = self._packer.room(append_query(prop), {**head, "part": ""})
                appends[prop].extend({**head, "part": wire(piece)} for piece in wire.split(values[prop], room))
        statements = self._packer.pack(query, fitted)
        for prop, parts in appends.items():
            statements += self._packer.pack(append_query(prop), parts)
        return statements

    def _slim(
        self, query: str, row: dict[str, Any], values: dict[str, Any], nested: bool
    ) -> tuple[dict[str, Any], list[str]]:
        """``row`` with its biggest strings and lists emptied until it fits one message; the emptied keys."""
        slim = dict(values)

        def whole() -> dict[str, Any]:
            return {**row, "props": slim} if nested else slim

        big = sorted(
            ((packed_size(self.wire(v)), k) for k, v in values.items() if isinstance(v, str | list) and k != "id"),
            reverse=True,
        )
        moved: list[str] = []
        for _, prop in big:
            if self._packer.fits(query, self.wire(whole())):
                break
            slim[prop] = "" if isinstance(values[prop], str) else []
            moved.append(prop)
        if not self._packer.fits(query, self.wire(whole())):
            raise ConfigError(f"neo4j_batch_bytes={self.batch_bytes} is too small even for an emptied row")
        return whole(), moved

    def _node_statements(self, query: str, label: str, rows: Iterable[dict[str, Any]]) -> list[Statement]:
        return self._statements(
            query, rows, lambda prop: cypher.append_node_property(label, prop), lambda row: {"id": row["id"]}
        )

    def _link_statements(self, key: tuple[str, str, str], links: Sequence[Link]) -> list[Statement]:
        rel, source, target = key
        return self._statements(
            cypher.merge_links(rel, source, target),
            ({"source": link.source, "target": link.target, "props": link.properties} for link in links),
            lambda prop: cypher.append_link_property(rel, source, target, prop),
            lambda row: {"source": row["source"], "target": row["target"]},
            nested=True,
        )

    def _transactions(self, units: Sequence[_Unit]) -> Iterable[list[_Unit]]:
        """Units cut into transactions of at most ``batch_rows`` rows (one unit may exceed it alone)."""
        batch: list[_Unit] = []
        size = 0
        for unit in units:
            if batch and size + unit.rows > self.batch_rows:
                yield batch
                batch, size = [], 0
            batch.append(unit)
            size += unit.rows
        if batch:
            yield batch

    def _ids(self, query: str, ids: Sequence[str], **params: Any) -> list[Statement]:
        return self._packer.pack(query, self.wire(list(ids)), key="ids", params=params)

    def _plan(self, batch: Sequence[_Unit]) -> tuple[list[Statement], list[Statement]]:
        """Statements of one transaction: drops of the papers' old links, then the writes."""
        ids = [unit.paper["id"] for unit in batch]
        drops = self._ids(cypher.DROP_ENTITY_LINKS, ids) + self._ids(cypher.DROP_METRICS, ids)
        writes = self._node_statements(cypher.MERGE_PAPERS, PAPER, (u.paper for u in batch))
        entities: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for unit in batch:
            for label, nodes in unit.entities.items():
                entities[label].update(nodes)
        for label in ENTITY_LABELS:
            if entities.get(label):
                rows = [self.wire(_entity_row(label, props)) for props in entities[label].values()]
                writes += self._packer.pack(cypher.merge_entities(label), rows)
        writes += self._statements(
            cypher.MERGE_METRICS,
            (_metric_row(m) for u in batch for m in u.metrics),
            lambda prop: cypher.append_node_property(METRIC, prop),
            lambda row: {"id": row["id"]},
            nested=True,
        )
        links: dict[tuple[str, str, str], list[Link]] = defaultdict(list)
        for unit in batch:
            for link in unit.links:
                links[_link_labels(link)].append(link)
        for key in sorted(links, key=lambda k: (REL_TYPES.index(k[0]), k[1], k[2])):
            writes += self._link_statements(key, links[key])
        return drops, writes

    def _delete_orphans(self, tx: ManagedTransaction, touched: Iterable[tuple[str, str]], keep: set[str]) -> None:
        """Delete orphaned entities, then the families they leave orphaned, up the hierarchy."""
        pending = list(touched)
        while pending:
            by_label: dict[str, list[str]] = defaultdict(list)
            for label, node in sorted(set(pending)):
                if label in ENTITY_LABELS and node not in keep:
                    by_label[label].append(node)
            pending = []
            for label, nodes in by_label.items():
                for record in self._run_all(tx, self._ids(cypher.delete_orphans(label), nodes)):
                    pending += [(label, family) for family in record.get("families") or []]

    @staticmethod
    def _touched(records: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
        """(label, id) of the entities dropped links pointed at (metrics point at hardware)."""
        return [(r.get("label") or "Hardware", r["node"]) for r in records if r.get("node") is not None]

    # --- writes ---------------------------------------------------------------------------------------
    def upsert(self, papers: Sequence[ExtractedPaper]) -> WriteStats:
        return self.write_rows(to_rows(papers))

    def write_rows(self, rows: GraphRows, progress: Callable[[int, int], None] | None = None) -> WriteStats:
        """Write prepared rows, whole papers per transaction; stored papers lose their old links first.

        ``progress(done, total)`` is called after each transaction (papers written so far, papers in all).
        """
        self.ensure_schema()
        # Entities this call links are linked again by its end: never delete them as orphans mid-call.
        keep = {nid for nodes in rows.entities.values() for nid in nodes}
        done = 0
        for batch in self._transactions(_units(rows)):
            drops, writes = self._plan(batch)

            def work(tx: ManagedTransaction, drops: list[Statement] = drops, writes: list[Statement] = writes) -> None:
                touched = self._touched(self._run_all(tx, drops))
                self._run_all(tx, writes)
                self._delete_orphans(tx, touched, keep)

            self._execute(work, write=True)
            done += len(batch)
            log.debug("wrote %d/%d papers to %s", done, len(rows.papers), self.location)
            if progress is not None:
                progress(done, len(rows.papers))
        return WriteStats(papers=len(rows.papers), nodes=rows.node_count, relationships=len(rows.links))

    def delete_papers(self, paper_ids: Sequence[str]) -> int:
        self.ensure_schema()
        ids = list(dict.fromkeys(paper_ids))
        deleted = 0
        for lo in range(0, len(ids), self.batch_rows):
            chunk = ids[lo : lo + self.batch_rows]
            drops = self._ids(cypher.DROP_ENTITY_LINKS, chunk) + self._ids(cypher.DROP_METRICS, chunk)
            deletes = self._ids(cypher.DELETE_PAPERS, chunk)

            def work(tx: ManagedTransaction, drops: list[Statement] = drops, deletes: list[Statement] = deletes) -> int:
                touched = self._touched(self._run_all(tx, drops))
                count = sum(int(r["deleted"]) for r in self._run_all(tx, deletes))
                self._delete_orphans(tx, touched, set())
                return count

            deleted += self._execute(work, write=True)
        return deleted

    def set_embeddings(self, embeddings: Mapping[str, Sequence[float]]) -> int:
        """Store vectors on Paper nodes (``embedding``, for a vector index); returns the papers updated.

        Unknown paper ids are skipped. A vector bigger than one message is written in parts, in one
        transaction; values are exact (see :func:`exact_float`).
        """
        self.ensure_schema()
        items = list(embeddings.items())
        updated = 0
        for lo in range(0, len(items), self.batch_rows):
            rows = [
                {"id": pid, "embedding": [exact_float(float(x)) for x in vec]}
                for pid, vec in items[lo : lo + self.batch_rows]
            ]
            statements = self._statements(
                cypher.SET_EMBEDDINGS,
                rows,
                lambda prop: cypher.append_node_property(PAPER, prop, floats=True),
                lambda row: {"id": row["id"]},
            )

            def work(tx: ManagedTransaction, statements: list[Statement] = statements) -> int:
                return sum(int(r.get("papers") or 0) for r in self._run_all(tx, statements))

            updated += self._execute(work, write=True)
        return updated

    # --- reads ----------------------------------------------------------------------------------------
    def _read(self, work: Callable[[ManagedTransaction], T]) -> T:
        return self._execute(work, write=False)

    def paper_ids(self) -> set[str]:
        return self._read(lambda tx: {r["id"] for r in self._run(tx, cypher.PAPER_IDS)})

    def paper_hashes(self) -> dict[str, str]:
        return self._read(lambda tx: {r["id"]: str(r["hash"] or "") for r in self._run(tx, cypher.PAPER_HASHES)})

    def paper(self, paper_id: str) -> PaperRecord | None:
        def work(tx: ManagedTransaction) -> PaperRecord | None:
            record = self._run(tx, cypher.PAPER_PROPERTIES, id=paper_id).single()
            if record is None:
                return None
            props = _clean(record["props"])
            size = int(record["abstract_size"] or 0)
            if size:
                parts = self._run(tx, cypher.PAPER_ABSTRACT, id=paper_id, size=size, step=self._read_chars)
                props["abstract"] = "".join(r["part"] for r in parts)
            links = [
                (r["rel"], r["label"], r["props"], r["rel_props"])
                for r in self._run(tx, cypher.PAPER_LINKS, id=paper_id)
            ]
            return paper_record(props, links)

        return self._read(work)

    def papers_for(self, filters: EntityFilters) -> set[str]:
        if not filters:
            return self.paper_ids()

        def work(tx: ManagedTransaction) -> set[str]:
            result: set[str] | None = None
            for type_, values in filters.items():
                papers: set[str] = set()  # values of one type are OR'd: chunks of them are unioned
                for params in self._filter_chunks(type_, values):
                    query = params.pop("query")
                    papers.update(r["id"] for r in self._run(tx, query, **params))
                result = papers if result is None else result & papers
                if not result:
                    return set()
            return result or set()

        return self._read(work)

    def _filter_chunks(self, type_: EntityType, values: Sequence[str]) -> list[dict[str, Any]]:
        """The queries (and parameters) answering one filter type, its values split to fit the byte budget."""
        if type_ is EntityType.METRIC:
            metric = cypher.PAPERS_WITH_METRIC_KIND
            return [
                {"query": metric, **p}
                for p in self._split(metric, values, lambda vs: {"kinds": [v.casefold().strip() for v in vs]})
            ]
        linked = cypher.papers_linked_to(type_.label)
        return [
            {"query": linked, **p}
            for p in self._split(linked, values, lambda vs: {"ids": vs, "keys": [v.casefold().strip() for v in vs]})
        ]

    def entities(self, type_: EntityType | None = None, q: str | None = None, limit: int = 50) -> list[EntityCount]:
        if type_ is EntityType.METRIC or limit <= 0:
            return []
        labels, needle = entity_scope(type_, q)

        def work(tx: ManagedTransaction) -> list[EntityCount]:
            return [
                entity_count(label, r["props"], r["papers"])
                for label in labels
                for r in self._run(tx, cypher.entity_counts(label), q=needle, limit=limit)
            ]

        found = self._read(work)
        found.sort(key=entity_order)
        return found[:limit]

    def total_entities(self, type_: EntityType | None = None, q: str | None = None) -> int:
        if type_ is EntityType.METRIC:
            return 0
        labels, needle = entity_scope(type_, q)

        def work(tx: ManagedTransaction) -> int:
            return sum(
                int(self._run(tx, cypher.total_entities(label), q=needle).single(strict=True)["count"])
                for label in labels
            )

        return self._read(work)

    def entity(self, type_: EntityType, name: str, limit: int = 50) -> EntityDetail | None:
        if type_ is EntityType.METRIC:
            return None
        label = type_.label
        limit = max(limit, 0)

        def work(tx: ManagedTransaction) -> EntityDetail | None:
            found = self._run(tx, cypher.find_entity(label), id=name, key=name.casefold().strip()).single()
            if found is None:
                return None
            node = found["id"]
            counted = self._run(tx, cypher.entity_count(label), id=node).single()
            if counted is None:
                return None
            papers = [
                PaperRef(id=r["id"], title=r["title"], evidence=r["evidence"] or "")
                for r in self._run(tx, cypher.entity_papers(label), id=node, limit=limit)
            ]
            papers.sort(key=lambda p: title_order(p.title, p.id))
            co = [
                entity_count(r["label"], r["props"], r["papers"])
                for r in self._run(tx, cypher.cooccurring(label), id=node, limit=limit)
            ]
            co.sort(key=entity_order)
            return EntityDetail(
                entity=entity_count(label, counted["props"], counted["papers"]), papers=papers, cooccurring=co
            )

        return self._read(work)

    @staticmethod
    def _label_candidates(node_id: str) -> list[str]:
        """Labels a node id may have: entity and metric ids start with their type; others are papers."""
        prefix = node_id.split(":", 1)[0] if ":" in node_id else ""
        label = _ENTITY_PREFIXES.get(prefix)
        return [label, PAPER] if label else [PAPER]

    def _by_label(
        self,
        tx: ManagedTransaction,
        query: Callable[[str], str],
        ids_by_label: Mapping[str, Sequence[str]],
        **params: Any,
    ) -> list[dict[str, Any]]:
        """A per-label ``UNWIND $ids`` read over nodes of several labels, ids chunked under the budget."""
        records: list[dict[str, Any]] = []
        for label, ids in ids_by_label.items():
            if ids:
                records += self._run_all(tx, self._ids(query(label), ids, **params))
        return records

    def neighbours(self, node_id: str, depth: int = 1, limit: int = 100) -> Subgraph | None:
        def work(tx: ManagedTransaction) -> Subgraph | None:
            start = next(
                (
                    label
                    for label in self._label_candidates(node_id)
                    if self._run(tx, cypher.node_exists(label), id=node_id).single() is not None
                ),
                None,
            )
            if start is None:
                return None
            labels = {node_id: start}
            seen = {node_id: 0}
            frontier = [node_id]
            for hop in range(1, depth + 1):
                nxt: list[str] = []
                # Frontier nodes in BFS order, a few per query, until the limit is reached: the first hub
                # often fills it. Per node, the first 2*limit sorted neighbours hold every node BFS adds.
                for lo in range(0, len(frontier), _FRONTIER_CHUNK):
                    if len(seen) >= limit:
                        break
                    chunk = frontier[lo : lo + _FRONTIER_CHUNK]
                    groups: dict[str, list[str]] = defaultdict(list)
                    for node in chunk:
                        groups[labels[node]].append(node)
                    around: dict[str, list[tuple[str, str]]] = defaultdict(list)
                    for r in self._by_label(tx, cypher.adjacent, groups, k=2 * limit):
                        if r["label"] in LABELS:  # nodes PaperGraph did not write are not part of its graph
                            around[r["id"]].append((r["other"], r["label"]))
                    for node in chunk:
                        for other, label in sorted(around[node]):
                            if len(seen) >= limit:
                                break
                            if other not in seen:
                                seen[other] = hop
                                labels[other] = label
                                nxt.append(other)
                frontier = nxt
            members: dict[str, list[str]] = defaultdict(list)
            for node in seen:
                members[labels[node]].append(node)
            props = {r["id"]: _clean(r["props"]) for r in self._by_label(tx, cypher.node_properties, members)}
            sources = {label: ids for label, ids in members.items() if label in (PAPER, METRIC, *HIERARCHY_LABELS)}
            edges = [
                graph_edge(r["source"], r["target"], r["type"], r["props"])
                for r in self._by_label(tx, cypher.outgoing, sources)
                if r["target"] in seen
            ]
            edges.sort(key=lambda e: (e.source, e.target))
            return Subgraph(nodes=[graph_node(labels[n], props[n]) for n in seen], edges=edges)

        return self._read(work)

    # --- question reads (their meaning is written in papergraph.graph.query) ----------------------------
    def _records(self, built: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
        query, params = built
        return self._read(lambda tx: [r.data() for r in self._run(tx, query, **params)])

    def papers_where(self, query: PaperQuery) -> set[str]:
        return {r["id"] for r in self._records(cypher.papers_where(query))}

    def count_entities(self, tally: TallyQuery) -> list[Tally]:
        type_, by = tally.type, tally.by
        if type_ is EntityType.METRIC:
            return []
        built = cypher.count_entities(tally)
        tallies = []
        for r in self._records(built):
            if by.property is None:
                count = entity_count(type_.label, r["props"], int(r["papers"]))
                tallies.append(
                    Tally(
                        type=type_,
                        group=by,
                        name=count.name,
                        papers=count.papers,
                        id=count.id,
                        properties=count.properties,
                    )
                )
            else:
                tallies.append(Tally(type=type_, group=by, name=str(r["key"]), papers=int(r["papers"])))
        tallies.sort(key=tally_order)
        return tallies if tally.limit is None else tallies[: max(tally.limit, 0)]

    def metric_values(self, numbers: MetricQuery) -> list[MetricHit]:
        built = cypher.metric_values(numbers)
        hits = [
            MetricHit(
                paper_id=r["paper"],
                paper_title=r["title"],
                metric=metric_record(_clean(r["metric"]), {"evidence": r["evidence"] or ""}),
            )
            for r in self._records(built)
        ]
        hits.sort(key=lambda h: metric_order(h, numbers.descending))
        return hits

    def papers_per_year(self, within: PaperQuery | None = None) -> list[YearCount]:
        rows = self._records(cypher.papers_per_year(within))
        return [YearCount(year=int(r["year"]), papers=int(r["papers"])) for r in rows]

    def degree(self, node_id: str) -> int | None:
        def work(tx: ManagedTransaction) -> int | None:
            for label in self._label_candidates(node_id):
                if self._run(tx, cypher.node_exists(label), id=node_id).single() is not None:
                    record = self._run(tx, cypher.degree(label), id=node_id, labels=list(LABELS)).single()
                    return int(record["degree"]) if record is not None else 0
            return None

        return self._read(work)

    def stats(self) -> GraphStats:
        def work(tx: ManagedTransaction) -> GraphStats:
            nodes = {
                label: int(self._run(tx, cypher.count_nodes(label)).single(strict=True)["count"]) for label in LABELS
            }
            rels = {
                rel: int(self._run(tx, cypher.count_relationships(rel)).single(strict=True)["count"])
                for rel in REL_TYPES
            }
            return GraphStats(nodes=nodes, relationships=rels)

        return self._read(work)
