"""Crash-safe files: atomic replacement, the commit point of the data directory, and the one-writer lock.

Every file one ingest writes (vectors, the paper store, the embedded graph) goes into a new *generation*
folder that nobody reads yet; then one small manifest naming that folder replaces the old manifest
atomically (the pattern of Lucene's ``segments_N`` commit point)::

    <data>/index/manifest.json        the commit point: generation number, folder, and what each part holds
    <data>/index/gen-000007/          one generation's files, never changed once committed
    <data>/index/gen-000006/          the previous generation (readers may still be loading it)

A kill at any instant leaves the manifest naming either the previous generation or the new one, never a mix.
Whatever a killed writer left behind (temp files, an uncommitted generation folder) and generations older
than the previous one are removed by the next writer. Only one process writes a data directory at a time:
:class:`WriterLock` (``flock``, released by the kernel when the holder dies, ``kill -9`` included).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papergraph.errors import IndexMismatchError, IndexNotFoundError, WriterBusyError

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT_VERSION = 2
KEEP_GENERATIONS = 2
"""The current generation and the one before it: a reader that read the old manifest can still load it."""
_PREFIX = "gen-"


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (POSIX: fsync the directory)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` atomically (same-directory temp file + ``os.replace``)."""
    atomic_write_with(path, lambda tmp: tmp.write_bytes(data), mode)


def atomic_write_with(path: Path, write: Callable[[Path], object], mode: int = 0o644) -> None:
    """Replace ``path`` atomically with the file ``write(tmp)`` writes at a temp path beside it (for writers that
    take a path, such as ``torch.onnx.export``); the temp file is synced to disk before the rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_temp_files(folder: Path) -> int:
    """Delete temp files a killed :func:`atomic_write` left in ``folder``; how many."""
    stale = list(folder.glob(".*.tmp")) if folder.is_dir() else []
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


# --------------------------------------------------------------------------------------------------
# Commit point
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commit:
    """One committed generation: its number, its folder, and the manifest that names it."""

    generation: int
    folder: Path
    manifest: dict[str, Any]

    def part(self, name: str) -> dict[str, Any] | None:
        """What the manifest records for one part (``index``, ``graph``), or None when absent."""
        value = self.manifest.get("parts", {}).get(name)
        return value if isinstance(value, dict) else None


class CommitPoint:
    """The generations under ``root`` and the manifest that says which one is current."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / MANIFEST

    def generation(self) -> int | None:
        """The current generation number (reads only the small manifest), or None when nothing is committed."""
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return None
        value = data.get("generation") if isinstance(data, dict) and data.get("format") == FORMAT_VERSION else None
        return value if isinstance(value, int) else None

    def current(self) -> Commit | None:
        """The committed generation, or None when the directory has none yet."""
        if not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError) as exc:
            raise IndexNotFoundError(f"cannot read {self.path}: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
            found = data.get("format") if isinstance(data, dict) else None
            raise IndexMismatchError(
                f"{self.root} holds an index of format {found}, this version reads format {FORMAT_VERSION}: "
                "run `papergraph ingest --rebuild` (cached embeddings and extractions are reused)"
            )
        folder = self.root / str(data["folder"])
        return Commit(int(data["generation"]), folder, data)

    def require(self) -> Commit:
        """The committed generation; raises IndexNotFoundError with what to do when there is none."""
        commit = self.current()
        if commit is None:
            raise IndexNotFoundError(f"no index in {self.root}: run `papergraph ingest` first")
        return commit

    # --- writer side (call only while holding the WriterLock) ------------------------------------------
    def folder_for(self, generation: int) -> Path:
        return self.root / f"{_PREFIX}{generation:06d}"

    def begin(self) -> tuple[int, Path]:
        """An empty folder for the next generation (a killed writer's leftover of that number is removed)."""
        current = self._current_or_none()
        number = (current.generation if current else 0) + 1
        folder = self.folder_for(number)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        return number, folder

    def _current_or_none(self) -> Commit | None:
        """The current generation, or None when there is none or it is unreadable (a writer starts over)."""
        try:
            return self.current()
        except (IndexNotFoundError, IndexMismatchError):
            return None

    def commit(self, generation: int, folder: Path, parts: dict[str, Any], **extra: Any) -> Commit:
        """Make ``folder`` the current generation: fsync its files, then switch the manifest atomically."""
        for path in sorted(folder.rglob("*")):  # a part may be a folder of files (BM25)
            if path.is_dir():
                fsync_dir(path)
                continue
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        fsync_dir(folder)
        manifest = {
            "format": FORMAT_VERSION,
            "generation": generation,
            "folder": folder.name,
            "committed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "parts": parts,
            **extra,
        }
        atomic_write(self.path, json.dumps(manifest, indent=2).encode())
        fsync_dir(self.root)
        log.info("committed generation %d (%s)", generation, folder)
        return Commit(generation, folder, manifest)

    def clean(self) -> None:
        """Remove temp files, uncommitted generation folders and generations older than the previous one."""
        if not self.root.is_dir():
            return
        remove_temp_files(self.root)
        current = self._current_or_none()
        keep = {self.folder_for(current.generation - i).name for i in range(KEEP_GENERATIONS)} if current else set()
        for folder in sorted(self.root.glob(f"{_PREFIX}*")):
            if folder.is_dir() and folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)
                log.info("removed generation folder %s", folder.name)


OLD_LAYOUT = ("index/faiss-*.index", "index/papers-*.jsonl", "graph/graph.json", "ingest-state.json")
"""What the format-1 layout kept outside generation folders, relative to the data directory: the vectors and papers
beside the manifest, the graph and the ingest state beside the index folder."""


def remove_old_layout(data_dir: Path) -> None:
    """Delete what is left of the format-1 layout in ``data_dir`` (a writer does, holding the WriterLock)."""
    for pattern in OLD_LAYOUT:
        for path in data_dir.glob(pattern):
            path.unlink(missing_ok=True)
            log.info("removed %s (the format-1 layout)", path)


def link_or_copy(src: Path, dst: Path) -> None:
    """Share an unchanged file with the next generation: a hard link, or a copy where links are refused."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


# --------------------------------------------------------------------------------------------------
# One writer per data directory
# --------------------------------------------------------------------------------------------------


class WriterLock:
    """An exclusive ``flock`` on ``<data>/.writer.lock``; the holder's pid is written in it for messages."""

    FILE = ".writer.lock"

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / self.FILE
        self._fd: int | None = None

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "another process"
        except OSError:
            return "another process"

    def acquire(self, wait: float | None = None, poll: float = 0.2) -> None:
        """Take the lock; ``wait`` seconds at most (None: as long as it takes, 0: not at all).

        Raises WriterBusyError when the time is up. While waiting, says once who holds it.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if wait is None else time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    os.close(fd)
                    raise WriterBusyError(
                        f"{self.holder()} is writing to {self.path.parent} (ingest or delete); "
                        "try again when it is done, or drop --no-wait to wait for it"
                    ) from None
                if not told:
                    log.warning("waiting for %s to finish writing to %s ...", self.holder(), self.path.parent)
                    told = True
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, f"papergraph pid {os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @contextlib.contextmanager
    def held(self, wait: float | None = None) -> Iterator[None]:
        self.acquire(wait)
        try:
            yield
        finally:
            self.release()
