"""The test harness itself: every wait of a test on the Bolt server or on a child process is bounded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from commands import run_python
from integration.bolt_server import BoltRelay, BoltServerError, BoltTarget, query, uri_host_port

pytestmark = pytest.mark.integration


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
