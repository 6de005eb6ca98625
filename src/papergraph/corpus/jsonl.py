"""Readers for JSON lines (our own format and the arXiv metadata snapshot) and plain JSON arrays.

JSONL objects carry ``title``, ``abstract`` and optionally ``id``, ``authors``, ``year``, ``url``,
``categories``. The arXiv snapshot (``arxiv-metadata-oai-snapshot.json``) is JSON lines with ``id``, ``title``,
``abstract``, ``authors`` (one string), ``categories`` (space separated) and ``update_date``; its text has hard
line breaks and LaTeX, which are kept as LaTeX but with whitespace collapsed.

A JSON array is read element by element, so a broken or absurdly nested element is reported with its line and
the elements before it are kept.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from papergraph.corpus.base import ReadReport, has_bad_bytes, iter_lines, open_text, record_to_paper
from papergraph.errors import json_problem
from papergraph.models import Paper

_ARXIV_KEYS = {"update_date", "versions", "submitter", "journal-ref"}
_WHITESPACE = " \t\r\n"


def _parse_line(line: str) -> tuple[Any, str | None]:
    """A JSON value, or None and why it could not be read."""
    try:
        return json.loads(line), None
    except json.JSONDecodeError as exc:
        return None, f"broken JSON ({json_problem(exc)}); line skipped"
    except RecursionError:
        return None, "JSON nested too deeply; line skipped"


def read_jsonl(path: Path, report: ReadReport) -> Iterator[Paper]:
    """Papers from a JSON-lines file (``.gz`` too), one object a line; blank lines are ignored."""
    empty = True
    for number, line in iter_lines(path, report):
        if not line.strip():
            continue
        empty = False
        if has_bad_bytes(line):
            report.records += 1
            report.problem(path, number, "invalid UTF-8 bytes; line skipped")
            continue
        record, error = _parse_line(line)
        if error is not None:
            report.records += 1
            report.problem(path, number, error)
            continue
        arxiv = isinstance(record, dict) and bool(_ARXIV_KEYS & record.keys())
        paper = record_to_paper(record, path, number, report, arxiv=arxiv)
        if paper is not None:
            yield paper
    if empty and not report.issues_for(path):
        report.problem(path, 0, "empty file, nothing read")


def _skip_value(text: str, pos: int) -> int | None:
    """End of the JSON object or array starting at ``pos`` (brackets counted, strings skipped), or None."""
    depth = 0
    in_string = escaped = False
    for i in range(pos, len(text)):
        char = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _array_elements(path: Path, text: str, report: ReadReport) -> Iterator[tuple[int, Any]]:
    """(line, element) of a JSON array; a broken element ends the file, a too deeply nested one is skipped."""
    decoder = json.JSONDecoder()
    pos = len(text) - len(text.lstrip(_WHITESPACE)) + 1  # after "["
    line, counted = 1, 0
    while True:
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            if pos >= len(text):
                report.problem(path, line, "JSON array not closed; the elements before it were kept")
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            report.records += 1
            report.problem(
                path, exc.lineno, f"broken JSON ({json_problem(exc)}); this element and the rest of the file skipped"
            )
            return
        except RecursionError:
            skipped = _skip_value(text, pos)
            report.records += 1
            report.problem(path, line, "JSON nested too deeply; element skipped")
            if skipped is None:
                return
            end = skipped
        else:
            yield line, value
        pos = end
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos < len(text) and text[pos] != "]":
            line += text.count("\n", counted, pos)
            counted = pos
            report.problem(path, line, "expected ',' or ']' between array elements; the rest of the file skipped")
            return


def read_json(path: Path, report: ReadReport) -> Iterator[Paper]:
    """A ``.json`` file: a JSON array of records, else JSON lines (the arXiv snapshot is JSON lines)."""
    with gzip.open(path) if path.suffix == ".gz" else open(path, "rb") as fh:
        try:
            head = fh.read(64).lstrip()
        except (EOFError, OSError):
            head = b""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    if head.startswith(b"["):
        text = open_text(path, report)
        for line, record in _array_elements(path, text, report):
            paper = record_to_paper(record, path, line, report, arxiv=False)
            if paper is not None:
                yield paper
        return
    yield from read_jsonl(path, report)
