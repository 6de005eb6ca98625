"""Reader for plain-text dumps of a "daily papers" listing page: page chrome, then title/abstract lines.

Format (``data/corpus/README.md``): a few header lines ("Daily Papers", "Subscribe", a date), then each paper
as a title line followed by an abstract line, with or without blank lines between; one header may be glued to
the first title ("SubscribeIntra-Query ..."). There are no ids, so a paper's id is a hash of its title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from papergraph.corpus.base import ReadReport, clean, has_bad_bytes, iter_lines
from papergraph.models import Paper, title_id

_CHROME = re.compile(
    r"^(new|subscribe|daily papers|by\s*ak and the research community"
    r"|get trending papers in your email inbox.*|[a-z]{3,9}\.? \d{1,2}(, \d{4})?)$",
    re.IGNORECASE,
)
_GLUED = re.compile(r"^Subscribe(?=[A-Z0-9])")
MAX_TITLE_CHARS = 400


def read_dailypapers(path: Path, report: ReadReport) -> Iterator[Paper]:
    """Papers of one dump, in file order. Chrome is dropped only before the first paper."""
    lines = [(n, clean(text)) for n, text in iter_lines(path)]
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
        title_line, title = body[i]
        if len(title) > MAX_TITLE_CHARS:
            report.problem(path, title_line, "expected a title line, found a long paragraph; skipped")
            i += 1
            continue
        if i + 1 >= len(body):
            report.problem(path, title_line, "title without an abstract at end of file; skipped")
            break
        abstract = body[i + 1][1]
        i += 2
        report.records += 1
        if has_bad_bytes(title) or has_bad_bytes(abstract):
            report.problem(path, title_line, "invalid UTF-8 bytes; paper skipped")
            continue
        yield Paper(id=title_id(title), title=title, abstract=abstract, sources=[path.name])
