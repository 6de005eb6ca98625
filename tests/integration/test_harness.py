"""The test harness itself: the Bolt relay keeps FalkorDB answering, and every wait of a test is bounded."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from neo4j.exceptions import Neo4jError

from commands import run_python
from integration.bolt_server import (
    BoltRelay,
    BoltServerError,
    BoltTarget,
    clean_database,
    query,
    split_messages,
    start_test_server,
    uri_host_port,
)

pytestmark = pytest.mark.integration

RUN = b"\x00\x05\xb3\x10\x80\xa0\xa0\x00\x00"  # RUN "" {} {}
PULL = b"\x00\x04\xb1\x3f\xa1\x80\x00\x00"  # a one-chunk message (the map body is not parsed)


def test_split_messages_finds_whole_messages_only() -> None:
    long_pull = b"\x00\x02\xb1\x3f\x00\x02\xa1\x80\x00\x00"  # one message in two chunks
    data = b"\x00\x00" + RUN + long_pull + PULL[:5]  # a NOOP first, then half of a PULL
    found = split_messages(data)
    assert [body for body, _ in found] == [RUN[2:7], b"\xb1\x3f\xa1\x80"]
    assert [end for _, end in found] == [2 + len(RUN), 2 + len(RUN) + len(long_pull)]
    assert split_messages(b"") == [] and split_messages(PULL[:3]) == []


def test_failed_statements_are_answered_through_a_relay_that_lags(bolt_target: BoltTarget) -> None:
    """FalkorDB never answers a RESET that reaches it in one read with the message before it. The relay used
    to forward message by message: when it lagged between a failed statement's RUN and PULL (as a loaded
    machine makes it), the PULL reached the server with the driver's RESET, and the driver waited for ever.
    With this lag, that relay wedged 8 of 10 failed statements; forwarding each client write whole, none."""
    if not bolt_target.is_falkordb:
        pytest.skip("a FalkorDB quirk: Neo4j answers every message")
    relay = BoltRelay(uri_host_port(bolt_target.uri))
    relay.lag_after_run_s = 0.05
    target = BoltTarget(relay.uri, bolt_target.auth, bolt_target.database)
    driver = target.driver()
    try:
        for _ in range(10):
            with pytest.raises(Neo4jError):
                query(target, driver, "RETURN 1 +", timeout=10)
            assert query(target, driver, "RETURN 1 AS one", timeout=10)[0]["one"] == 1
    finally:
        relay.close()
        driver.close()


def test_a_query_without_an_answer_fails_the_test_naming_it(bolt_target: BoltTarget) -> None:
    relay = BoltRelay(uri_host_port(bolt_target.uri), parse=bolt_target.is_falkordb)
    target = BoltTarget(relay.uri, bolt_target.auth, bolt_target.database)
    driver = target.driver()
    try:
        query(target, driver, "RETURN 1")
        relay.stalled = True
        started = time.monotonic()
        with pytest.raises(BoltServerError, match=r"did not answer within 1 s: 'RETURN 2'"):
            query(target, driver, "RETURN 2", timeout=1)
        assert time.monotonic() - started < 5
    finally:
        relay.stalled = False
        relay.close()
        driver.close()


def test_a_child_past_its_deadline_fails_the_test_with_its_stacks(tmp_path: Path) -> None:
    script = tmp_path / "stuck.py"
    script.write_text("import threading\n\ndef wait_for_ever():\n    threading.Event().wait()\n\nwait_for_ever()\n")
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match=r"(?s)did not finish within 1 s.*in wait_for_ever"):
        run_python(script, timeout=1)
    assert time.monotonic() - started < 20


def test_clean_database_drops_the_graph_and_restarts_a_stuck_server(bolt_target: BoltTarget, tmp_path: Path) -> None:
    """The database is emptied with GRAPH.DELETE (no index garbage left behind, see FalkorBoltServer.delete_graphs);
    a server that does not answer (here: stopped with SIGSTOP, as a deadlocked one looks) comes back empty."""
    if not bolt_target.is_falkordb:
        pytest.skip("FalkorDB only: a Neo4j server is wiped node by node")
    server, relay = start_test_server(tmp_path / "falkordb")
    target = BoltTarget(relay.uri, bolt_target.auth, None, server, relay)
    driver = target.driver()
    try:
        query(target, driver, "CREATE INDEX FOR (n:Paper) ON (n.id)")
        query(target, driver, "UNWIND range(1, 50) AS i CREATE (:Paper {id: toString(i)})")
        clean_database(target, driver)
        assert query(target, driver, "MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
        assert query(target, driver, "CALL db.indexes() YIELD label RETURN label") == []

        query(target, driver, "CREATE (:Paper {id: 'x'})")
        assert server.proc is not None
        os.kill(server.proc.pid, signal.SIGSTOP)
        with pytest.warns(UserWarning, match="restarting it"):
            clean_database(target, driver)
        assert query(target, driver, "MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
    finally:
        driver.close()
        relay.close()
        server.stop()
