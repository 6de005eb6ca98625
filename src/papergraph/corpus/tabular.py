"""Reader for CSV/TSV files with a header row naming at least ``title`` and ``abstract`` columns.

Fields may be as large as a record can be (the csv module's 128 kB default would end the file at the first
long abstract). Problems are reported at the line where the row starts, and reading goes on with the next row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from papergraph.corpus.base import ReadReport, open_text, record_to_paper
from papergraph.models import Paper

FIELD_LIMIT = 2**31 - 1


def read_csv(path: Path, report: ReadReport) -> Iterator[Paper]:
    """Papers from a CSV (``.tsv``: tab separated). Column names are matched case-insensitively."""
    text = open_text(path, report)
    if not text.strip():
        if not report.issues_for(path):
            report.problem(path, 0, "empty file, nothing read")
        return
    csv.field_size_limit(FIELD_LIMIT)
    delimiter = "\t" if ".tsv" in path.suffixes else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows)
    except csv.Error as exc:
        report.problem(path, 1, f"unreadable CSV header ({exc}); file skipped")
        return
    fields = [f.strip().lower() for f in header]
    missing = {"title", "abstract"} - set(fields) - ({"abstract"} if "summary" in fields else set())
    if missing:
        report.problem(path, 1, f"header has no {' or '.join(sorted(missing))} column; file skipped")
        return
    while True:
        start = rows.line_num + 1
        try:
            cells = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            report.records += 1
            report.problem(path, start, f"malformed CSV row ({exc}); row skipped")
            if rows.line_num < start:  # nothing consumed: stop rather than loop
                return
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(fields) and any(cell.strip() for cell in cells[len(fields) :]):
            report.records += 1
            report.problem(
                path, start, f"row has {len(cells)} cells, the header {len(fields)} (an unquoted delimiter?); skipped"
            )
            continue
        paper = record_to_paper(dict(zip(fields, cells, strict=False)), path, start, report)
        if paper is not None:
            yield paper
