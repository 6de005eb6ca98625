"""Reading a corpus in two passes, so that no more than a batch of papers is ever held in memory.

The newest version of a paper wins (same id, or same normalized title under another id), and it may be the last
line of the last file. So a first pass (:func:`scan_corpus`) reads every record and keeps only what identity needs
in a :class:`Ledger`: for each distinct paper its id, a 64-bit digest of its title key, which record is its newest
version, and the files it came from when there are several. The second pass (:func:`stream_corpus`) reads the
files again and yields exactly those newest versions, in the order ``read_corpus`` has always returned them (the
order of each paper's newest record).

Memory: about 0.25 kB per distinct paper (two dict entries, an id string and two ints): ~0.7 GB for the 2.8M papers
of the arXiv snapshot, against ~2.7 kB per ``Paper`` held. Two distinct title keys share a digest with probability
about n^2 / 2^65 (2e-7 at 2.8M papers); they would then count as one paper.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from papergraph.corpus.base import ReadReport
from papergraph.errors import CorpusFormatError
from papergraph.models import Paper, normalize_title

_ORDINAL_BITS = 40
_ORDINAL_MASK = (1 << _ORDINAL_BITS) - 1


def title_digest(title: str) -> int:
    """64 bits of the title key: what the ledger keeps instead of the key itself."""
    return int.from_bytes(hashlib.blake2b(normalize_title(title).encode(), digest_size=8).digest(), "big")


@dataclass
class Ledger:
    """The identity of every distinct paper read: its newest record and its sources (first pass)."""

    files: list[Path] = field(default_factory=list)
    stats: list[tuple[int, int]] = field(default_factory=list)
    """(size, mtime) of each file when it was scanned: the second pass checks nothing changed in between."""
    records: int = 0
    """Papers the readers yielded (each gets the next ordinal)."""
    _by_id: dict[str, int] = field(default_factory=dict)  # id -> title digest << 40 | ordinal of the newest record
    _by_title: dict[int, str] = field(default_factory=dict)  # title digest -> id
    _sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # only papers merged from several records
    _starts: list[int] = field(default_factory=list)  # first ordinal of each source name in _names
    _names: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self._by_id

    def add(self, paper: Paper) -> bool:
        """Record ``paper`` as the newest version of itself; True when it replaces a version read before."""
        ordinal = self.records
        self.records += 1
        source = paper.sources[0] if paper.sources else ""
        if not self._names or self._names[-1] != source:
            self._starts.append(ordinal)
            self._names.append(source)
        digest = title_digest(paper.title)
        known = {paper.id} & self._by_id.keys()
        other = self._by_title.get(digest)
        if other is not None:
            known.add(other)
        sources: list[str] = []
        for old in sorted(known):
            packed = self._by_id.pop(old)
            if self._by_title.get(packed >> _ORDINAL_BITS) == old:
                del self._by_title[packed >> _ORDINAL_BITS]
            for name in self._sources.pop(old, None) or (self._source_of(packed & _ORDINAL_MASK),):
                if name not in sources:
                    sources.append(name)
        sources += [name for name in paper.sources if name not in sources]
        self._by_id[paper.id] = digest << _ORDINAL_BITS | ordinal
        self._by_title[digest] = paper.id
        if sources != list(paper.sources):
            self._sources[paper.id] = tuple(sources)
        return bool(known)

    def _source_of(self, ordinal: int) -> str:
        return self._names[bisect.bisect_right(self._starts, ordinal) - 1]

    def newest(self, ordinal: int, paper: Paper) -> Paper | None:
        """``paper`` (the record of that ordinal, second pass) with all its sources when it is the newest version."""
        packed = self._by_id.get(paper.id)
        if packed is None or packed & _ORDINAL_MASK != ordinal:
            return None
        sources = self._sources.get(paper.id)
        return paper.model_copy(update={"sources": list(sources)}) if sources else paper


Reader = Callable[[Path, ReadReport], Iterator[Paper]]


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


TICK = 1000
"""Records between two calls of a scan's ``tick`` (progress)."""


def scan_corpus(
    files: list[Path], read: Reader, report: ReadReport, tick: Callable[[int], None] | None = None
) -> Ledger:
    """First pass: read every record of ``files`` (problems go to ``report``), keep only identities.

    ``tick(n)`` is told every TICK papers read (and the rest at the end), for a progress bar.
    """
    ledger = Ledger(files=list(files))
    told = 0
    for path in files:
        ledger.stats.append(_stat(path))
        for paper in read(path, report):
            report.duplicates += ledger.add(paper)
            if tick is not None and ledger.records - told == TICK:
                tick(TICK)
                told = ledger.records
    if tick is not None and ledger.records > told:
        tick(ledger.records - told)
    return ledger


def stream_corpus(ledger: Ledger, read: Reader) -> Iterator[tuple[Paper, str]]:
    """Second pass: the newest version of each paper, with where it was read (``path:line``), in ledger order.

    Raises CorpusFormatError when a file changed since the first pass (the identities would not hold).
    """
    quiet = ReadReport(keep_origin=False, quiet=True)
    ordinal = 0
    for path, seen in zip(ledger.files, ledger.stats, strict=True):
        if _stat(path) != seen:
            raise CorpusFormatError(f"{path} changed while it was being ingested: run the ingest again")
        for paper in read(path, quiet):
            newest = ledger.newest(ordinal, paper)
            ordinal += 1
            if newest is not None:
                yield newest, quiet.last_origin
    if ordinal != ledger.records:
        raise CorpusFormatError(f"{ledger.files[-1]} changed while it was being ingested: run the ingest again")
