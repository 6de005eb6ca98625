"""Corpus readers: files in, :class:`~papergraph.models.Paper` records out, problems reported not raised.

Supported: the bundled daily-papers text dumps (``.txt``), JSON lines (``.jsonl``, ``.ndjson``), the arXiv
metadata snapshot (``.json`` JSON lines), JSON arrays (``.json``) and CSV/TSV with a header row; each may be
gzipped. Folders are read recursively. Papers seen twice (same id or same normalized title) are one paper:
the version read last wins (files in the order given, folders sorted), and it remembers every file it came from.
Large corpora are read in two passes that hold identities, never papers (:mod:`papergraph.corpus.ledger`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path

from papergraph.corpus.base import ReadIssue, ReadReport, RecordLimits
from papergraph.corpus.dailypapers import read_dailypapers
from papergraph.corpus.jsonl import read_json, read_jsonl
from papergraph.corpus.ledger import Ledger, Reader, scan_corpus, stream_corpus
from papergraph.corpus.tabular import read_csv
from papergraph.errors import CorpusFormatError
from papergraph.models import Paper

__all__ = [
    "FORMATS",
    "CorpusFormat",
    "Ledger",
    "ReadIssue",
    "ReadReport",
    "RecordLimits",
    "corpus_files",
    "read_corpus",
    "read_file",
    "scan",
    "stream",
]

FORMATS: dict[str, Reader] = {
    "dailypapers": read_dailypapers,
    "jsonl": read_jsonl,
    "json": read_json,
    "csv": read_csv,
}


class CorpusFormat(StrEnum):
    """The formats by name, as ``papergraph ingest --format`` takes them (the keys of FORMATS)."""

    DAILYPAPERS = "dailypapers"
    JSONL = "jsonl"
    JSON = "json"
    CSV = "csv"


_BY_SUFFIX = {
    ".txt": "dailypapers",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
}
_SKIP_NAMES = {"readme.md", "readme.txt", "readme", "license", "license.txt"}


def _format_of(path: Path) -> str | None:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    return _BY_SUFFIX.get(suffixes[-1]) if suffixes else None


def corpus_files(paths: Iterable[Path]) -> list[Path]:
    """Every readable corpus file under ``paths`` (folders recursively), sorted for a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p for p in path.rglob("*") if p.is_file() and p.name.lower() not in _SKIP_NAMES and _format_of(p)
                )
            )
        elif path.is_file():
            found.append(path)
        else:
            raise CorpusFormatError(f"{path}: no such file or folder")
    return found


def _check_format(fmt: str | None) -> None:
    if fmt is not None and fmt not in FORMATS:
        raise CorpusFormatError(f"unknown corpus format {fmt!r}; choose one of: {', '.join(sorted(FORMATS))}")


def read_file(path: Path, report: ReadReport, fmt: str | None = None) -> Iterator[Paper]:
    """Papers of one file, read by ``fmt`` or by the file's extension."""
    _check_format(fmt)
    name = fmt or _format_of(path)
    if name is None:
        known = ", ".join(sorted(_BY_SUFFIX))
        raise CorpusFormatError(
            f"{path}: unknown file extension (known: {known}, optionally .gz); "
            f"or name the format: {', '.join(sorted(FORMATS))}"
        )
    try:
        yield from FORMATS[name](path, report)
    except OSError as exc:
        report.problem(path, 0, f"cannot read file: {exc.strerror or exc}")


def _reader(fmt: str | None) -> Reader:
    def read(path: Path, report: ReadReport) -> Iterator[Paper]:
        return read_file(path, report, fmt)

    return read


def scan(
    paths: Iterable[Path],
    fmt: str | None = None,
    limits: RecordLimits | None = None,
    tick: Callable[[int], None] | None = None,
) -> tuple[Ledger, ReadReport]:
    """First pass over files and folders: who is who (a :class:`Ledger`), and the problems met; formats checked.

    ``tick(n)``: n more papers read (for a progress bar).
    """
    report = ReadReport(limits=limits or RecordLimits(), keep_origin=False)
    files = corpus_files(paths)
    report.files = len(files)
    _check_format(fmt)
    for path in files:
        if fmt is None and _format_of(path) is None:
            known = ", ".join(sorted(_BY_SUFFIX))
            raise CorpusFormatError(f"{path}: unknown file extension (known: {known}, optionally .gz)")
    return scan_corpus(files, _reader(fmt), report, tick), report


def stream(ledger: Ledger, fmt: str | None = None, limits: RecordLimits | None = None) -> Iterator[tuple[Paper, str]]:
    """Second pass: the newest version of each paper and where it was read (``path:line``), one at a time."""
    read = _reader(fmt)

    def limited(path: Path, report: ReadReport) -> Iterator[Paper]:
        report.limits = limits or RecordLimits()
        return read(path, report)

    return stream_corpus(ledger, limited)


def read_corpus(
    paths: Iterable[Path], fmt: str | None = None, limits: RecordLimits | None = None
) -> tuple[list[Paper], ReadReport]:
    """Read and merge papers from files and folders into a list; unknown formats and missing paths raise.

    Holds every paper: for small corpora and scripts. Ingest streams (:func:`scan` then :func:`stream`).
    """
    ledger, report = scan(paths, fmt, limits)
    papers = []
    for paper, origin in stream(ledger, fmt, limits):
        papers.append(paper)
        report.origin[paper.id] = origin
    return papers, report
