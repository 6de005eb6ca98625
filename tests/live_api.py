"""The real service as users run it: ``papergraph serve`` (uvicorn) on loopback over bundled-corpus papers.

The data is ``tests/fixtures/mini.jsonl`` (ten papers of ``data/corpus``, the TeLLMe v2 paper of the API examples
among them) ingested with the real models.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from papergraph.config import Settings
from papergraph.ingest import ingest

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "mini.jsonl"
START_SECONDS = 180
ADMIN_TOKEN = "test-admin-token"
"""PAPERGRAPH_ADMIN_TOKEN of the served app: DELETE /papers/{id} with ``Authorization: Bearer <it>`` works."""


def ingest_fixture(data_dir: Path) -> Path:
    """Ingest the fixture corpus with the real models (spaCy, MiniLM) into ``data_dir``."""
    report = ingest([CORPUS], Settings(data_dir=data_dir))
    assert report.bad == 0 and report.index_size == 10, report.issues
    return data_dir


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"papergraph serve exited with {proc.returncode}: {proc.communicate()[0][-4000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).json().get("status") == "ok":
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"papergraph serve did not answer /health in {START_SECONDS} s")


@contextmanager
def serve(data_dir: Path, workdir: Path) -> Iterator[str]:
    """Serve a copy of ``data_dir`` (a test may change it) with ``papergraph serve``; yields the base URL."""
    copy = workdir / "data"
    shutil.copytree(data_dir, copy)
    port = _free_port()
    env = {**os.environ, "PAPERGRAPH_DATA_DIR": str(copy), "PAPERGRAPH_ADMIN_TOKEN": ADMIN_TOKEN}
    command = [sys.executable, "-m", "papergraph.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
