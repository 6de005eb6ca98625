"""Readers for JSON lines (our own format and the arXiv metadata snapshot) and plain JSON arrays.

JSONL objects carry ``title``, ``abstract`` and optionally ``id``, ``authors``, ``year``, ``url``,
``categories``. The arXiv snapshot (``arxiv-metadata-oai-snapshot.json``) is JSON lines with ``id``, ``title``,
``abstract``, ``authors`` (one string), ``categories`` (space separated) and ``update_date``; its text has hard
line breaks and LaTeX, which are kept as LaTeX but with whitespace collapsed.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from papergraph.corpus.base import ReadReport, has_bad_bytes, iter_lines, open_text, record_to_paper
from papergraph.errors import json_problem
from papergraph.models import Paper

_ARXIV_KEYS = {"update_date", "versions", "submitter", "journal-ref"}


def read_jsonl(path: Path, report: ReadReport) -> Iterator[Paper]:
    """Papers from a JSON-lines file (``.gz`` too), one object a line; blank lines are ignored."""
    empty = True
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        empty = False
        if has_bad_bytes(line):
            report.records += 1
            report.problem(path, number, "invalid UTF-8 bytes; line skipped")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            report.records += 1
            report.problem(path, number, f"broken JSON ({json_problem(exc)}); line skipped")
            continue
        arxiv = isinstance(record, dict) and bool(_ARXIV_KEYS & record.keys())
        paper = record_to_paper(record, path, number, report, arxiv=arxiv)
        if paper is not None:
            yield paper
    if empty:
        report.problem(path, 0, "empty file, nothing read")


def read_json(path: Path, report: ReadReport) -> Iterator[Paper]:
    """A ``.json`` file: a JSON array of records, else JSON lines (the arXiv snapshot is JSON lines)."""
    with gzip.open(path) if path.suffix == ".gz" else open(path, "rb") as fh:
        head = fh.read(64).lstrip()
    if head.startswith(b"["):
        text = open_text(path)
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            report.problem(path, exc.lineno, f"broken JSON array ({json_problem(exc)}); file skipped")
            return
        for index, record in enumerate(records, start=1):
            paper = record_to_paper(record, path, index, report, arxiv=False)
            if paper is not None:
                yield paper
        return
    yield from read_jsonl(path, report)
