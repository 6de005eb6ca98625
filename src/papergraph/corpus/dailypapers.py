"""Reader for plain-text dumps of a "daily papers" listing page: page chrome, then title/abstract lines.

Format (``data/corpus/README.md``): a few header lines ("Daily Papers", "Subscribe", a date), then each paper
as a title line followed by an abstract line, with or without blank lines between; one header may be glued to
the first title ("SubscribeIntra-Query ..."). There are no ids, so a paper's id is a hash of its title.

A dump that is out of step (a title line missing, a paragraph where a title should be, two titles in a row)
is never paired blindly: a title is a short line, its abstract the next line when it reads as one (longer
than any title, or longer than the title and ending a sentence). Every line that fits no pair is reported
with its line number, and pairing picks up again at the next title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from papergraph.corpus.base import ReadReport, clean, iter_lines, record_to_paper
from papergraph.models import Paper

_CHROME = re.compile(
    r"^(new|subscribe|daily papers|by\s*ak and the research community"
    r"|get trending papers in your email inbox.*|[a-z]{3,9}\.? \d{1,2}(, \d{4})?)$",
    re.IGNORECASE,
)
_GLUED = re.compile(r"^Subscribe(?=[A-Z0-9])")
MAX_TITLE_CHARS = 400
"""Longest line read as a title in a dump (the bundled titles stop at 179 characters, abstracts start at 601)."""
_SENTENCE_END = re.compile(r"[.!?)\]]\s*$")


def _is_title(line: str) -> bool:
    return len(line) <= MAX_TITLE_CHARS


def _is_abstract(line: str, title: str) -> bool:
    return len(line) > MAX_TITLE_CHARS or (len(line) > len(title) and bool(_SENTENCE_END.search(line)))


def read_dailypapers(path: Path, report: ReadReport) -> Iterator[Paper]:
    """Papers of one dump, in file order. Chrome is dropped only before the first paper."""
    lines = [(n, clean(text)) for n, text in iter_lines(path, report)]
    lines = [(n, text) for n, text in lines if text]
    if not lines:
        report.problem(path, 0, "empty file, nothing read")
        return
    start = 0
    while start < len(lines) and _CHROME.match(lines[start][1]):
        start += 1
    body = lines[start:]
    if body:
        body[0] = (body[0][0], _GLUED.sub("", body[0][1]))

    i = 0
    while i < len(body):
        number, title = body[i]
        if not _is_title(title):
            report.records += 1
            report.problem(
                path, number, f"expected a title line, found a {len(title)}-character paragraph; line skipped"
            )
            i += 1
            continue
        if i + 1 >= len(body):
            report.records += 1
            report.problem(path, number, "title without an abstract at end of file; skipped")
            break
        next_number, abstract = body[i + 1]
        if not _is_abstract(abstract, title):
            report.records += 1
            report.problem(
                path, number, f"title without an abstract (line {next_number} reads as another title); skipped"
            )
            i += 1
            continue
        i += 2
        paper = record_to_paper({"title": title, "abstract": abstract}, path, number, report)
        if paper is not None:
            yield paper
