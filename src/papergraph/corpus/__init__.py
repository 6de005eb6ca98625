"""Corpus readers: files in, :class:`~papergraph.models.Paper` records out, problems reported not raised.

Supported: the bundled daily-papers text dumps (``.txt``), JSON lines (``.jsonl``, ``.ndjson``), the arXiv
metadata snapshot (``.json`` JSON lines), JSON arrays (``.json``) and CSV/TSV with a header row; each may be
gzipped. Folders are read recursively. Papers seen twice (same id or same normalized title) are one paper:
the version read last wins (files in the order given, folders sorted), and it remembers every file it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path

from papergraph.corpus.base import ReadIssue, ReadReport, RecordLimits
from papergraph.corpus.dailypapers import read_dailypapers
from papergraph.corpus.jsonl import read_json, read_jsonl
from papergraph.corpus.tabular import read_csv
from papergraph.errors import CorpusFormatError
from papergraph.models import Paper, normalize_title

__all__ = [
    "FORMATS",
    "CorpusFormat",
    "ReadIssue",
    "ReadReport",
    "RecordLimits",
    "corpus_files",
    "read_corpus",
    "read_file",
]

Reader = Callable[[Path, ReadReport], Iterator[Paper]]

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


def read_file(path: Path, report: ReadReport, fmt: str | None = None) -> Iterator[Paper]:
    """Papers of one file, read by ``fmt`` or by the file's extension."""
    if fmt is not None and fmt not in FORMATS:
        raise CorpusFormatError(f"unknown corpus format {fmt!r}; choose one of: {', '.join(sorted(FORMATS))}")
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


class _Merged:
    """Papers by id and by title key; a paper seen again replaces the version kept (the newest wins)."""

    def __init__(self) -> None:
        self.by_id: dict[str, Paper] = {}
        self.id_by_title: dict[str, str] = {}

    def add(self, paper: Paper) -> bool:
        """Keep ``paper``; True when it replaced a version seen before (same id or same title key)."""
        key = normalize_title(paper.title)
        known = {paper.id} & self.by_id.keys()
        if key in self.id_by_title:
            known.add(self.id_by_title[key])
        sources: list[str] = []
        for old_id in sorted(known):
            old = self.by_id.pop(old_id)
            self.id_by_title.pop(normalize_title(old.title), None)
            sources += [s for s in old.sources if s not in sources]
        sources += [s for s in paper.sources if s not in sources]
        self.by_id[paper.id] = paper.model_copy(update={"sources": sources})
        self.id_by_title[key] = paper.id
        return bool(known)


def read_corpus(
    paths: Iterable[Path], fmt: str | None = None, limits: RecordLimits | None = None
) -> tuple[list[Paper], ReadReport]:
    """Read and merge papers from files and folders; unknown formats and missing paths raise."""
    report = ReadReport(limits=limits or RecordLimits())
    files = corpus_files(paths)
    report.files = len(files)
    if fmt is not None and fmt not in FORMATS:
        raise CorpusFormatError(f"unknown corpus format {fmt!r}; choose one of: {', '.join(sorted(FORMATS))}")
    for path in files:
        if fmt is None and _format_of(path) is None:
            known = ", ".join(sorted(_BY_SUFFIX))
            raise CorpusFormatError(f"{path}: unknown file extension (known: {known}, optionally .gz)")
    merged = _Merged()
    for path in files:
        for paper in read_file(path, report, fmt):
            report.duplicates += merged.add(paper)
    return list(merged.by_id.values()), report
