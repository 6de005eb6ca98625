"""Reader for CSV/TSV files with a header row naming at least ``title`` and ``abstract`` columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from papergraph.corpus.base import ReadReport, open_text, record_to_paper
from papergraph.models import Paper


def read_csv(path: Path, report: ReadReport) -> Iterator[Paper]:
    """Papers from a CSV (``.tsv``: tab separated). Column names are matched case-insensitively."""
    text = open_text(path)
    if not text.strip():
        report.problem(path, 0, "empty file, nothing read")
        return
    delimiter = "\t" if ".tsv" in path.suffixes else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    missing = {"title", "abstract"} - set(fields) - ({"abstract"} if "summary" in fields else set())
    if missing:
        report.problem(path, 1, f"header has no {' or '.join(sorted(missing))} column; file skipped")
        return
    reader.fieldnames = fields
    try:
        for row in reader:
            line = reader.line_num
            if None in row:  # more cells than header columns
                row.pop(None)
            paper = record_to_paper(row, path, line, report)
            if paper is not None:
                yield paper
    except csv.Error as exc:
        report.problem(path, reader.line_num, f"malformed CSV ({exc}); rest of file skipped")
