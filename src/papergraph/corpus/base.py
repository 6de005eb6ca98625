"""What every corpus reader shares: problem reports, line decoding, and record-to-Paper mapping.

Readers never raise on a bad record: they report it with its file and line number and go on, so one broken
line in a large snapshot costs one paper, not the run.
"""

from __future__ import annotations

import gzip
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from papergraph.models import Paper, title_id

log = logging.getLogger(__name__)

_WS = re.compile(r"\s+")
_SURROGATE = re.compile(r"[\udc80-\udcff]")
_ARXIV_NEW = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}(v\d+)?$")
_ARXIV_OLD = re.compile(r"^[a-z\-]+(\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}(v\d+)?$")
_YEAR = re.compile(r"(19|20)\d{2}")


@dataclass(frozen=True)
class ReadIssue:
    """One record that could not be read: where it is and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class ReadReport:
    """What a read produced besides papers: counts and the problems met."""

    files: int = 0
    records: int = 0
    duplicates: int = 0
    issues: list[ReadIssue] = field(default_factory=list)

    def problem(self, path: Path | str, line: int, message: str) -> None:
        issue = ReadIssue(str(path), line, message)
        self.issues.append(issue)
        log.warning("%s", issue)

    @property
    def bad(self) -> int:
        return len(self.issues)


def clean(text: Any) -> str:
    """Collapse whitespace (arXiv titles and abstracts carry hard line breaks)."""
    return _WS.sub(" ", str(text)).strip() if text is not None else ""


def has_bad_bytes(text: str) -> bool:
    """True when text decoded with ``surrogateescape`` holds bytes that were not valid UTF-8."""
    return bool(_SURROGATE.search(text))


def open_text(path: Path) -> str:
    """The whole file as text; invalid UTF-8 bytes survive as surrogates so each line can be judged."""
    if path.suffix == ".gz":
        with gzip.open(path) as fh:
            raw = fh.read()
    else:
        raw = path.read_bytes()
    return raw.decode("utf-8-sig", errors="surrogateescape")


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number from 1, line without its newline), streamed so huge snapshots fit in memory."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            yield number, raw.decode("utf-8", errors="surrogateescape").rstrip("\r\n")


def _authors(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [clean(a if not isinstance(a, list) else " ".join(reversed([x for x in a if x]))) for a in value]
    text = clean(value)
    parts = re.split(r";|,|\band\b", text) if ";" not in text else text.split(";")
    return [p.strip() for p in parts if p.strip()]


def _categories(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [clean(c) for c in value if clean(c)]
    return [c for c in re.split(r"[\s,;]+", str(value)) if c]


def _year(record: Mapping[str, Any], source_id: str | None) -> int | None:
    for key in ("year", "published", "date", "update_date"):
        value = record.get(key)
        if value is None or value == "":
            continue
        if key == "update_date":
            # the first version's date beats the last update for a paper's year
            versions = record.get("versions")
            if isinstance(versions, list) and versions and isinstance(versions[0], Mapping):
                found = _YEAR.search(str(versions[0].get("created", "")))
                if found:
                    return int(found.group(0))
            if source_id:
                m = _ARXIV_NEW.match(source_id) or _ARXIV_OLD.match(source_id)
                if m:
                    yy = int(m.group(1) if m.re is _ARXIV_NEW else m.group(2))
                    return 2000 + yy if yy < 90 else 1900 + yy
        found = _YEAR.search(str(value))
        if found:
            return int(found.group(0))
    return None


def _url(record: Mapping[str, Any], source_id: str | None, arxiv: bool) -> str | None:
    url = record.get("url") or record.get("link")
    if url:
        return clean(url)
    if arxiv and source_id:
        return f"https://arxiv.org/abs/{source_id}"
    return None


def record_to_paper(
    record: Mapping[str, Any], source: Path, line: int, report: ReadReport, *, arxiv: bool = False
) -> Paper | None:
    """Map a flat record (JSON object, CSV row) to a Paper, or report why it cannot be one."""
    report.records += 1
    if not isinstance(record, Mapping):
        report.problem(source, line, f"expected an object with title and abstract, got {type(record).__name__}")
        return None
    texts = [str(v) for v in record.values() if isinstance(v, str)]
    if any(has_bad_bytes(t) for t in texts):
        report.problem(source, line, "invalid UTF-8 bytes; record skipped")
        return None
    title = clean(record.get("title"))
    abstract = clean(record.get("abstract") or record.get("summary"))
    missing = [name for name, value in (("title", title), ("abstract", abstract)) if not value]
    if missing:
        report.problem(source, line, f"record without {' or '.join(missing)}; skipped")
        return None
    raw_id = record.get("id") or record.get("arxiv_id") or record.get("paper_id")
    source_id = clean(raw_id) or None
    try:
        return Paper(
            id=source_id or title_id(title),
            title=title,
            abstract=abstract,
            authors=_authors(record.get("authors")),
            year=_year(record, source_id),
            url=_url(record, source_id, arxiv),
            categories=_categories(record.get("categories")),
            sources=[source.name],
        )
    except ValueError as exc:  # pydantic validation of odd field values
        report.problem(source, line, f"invalid record: {exc}")
        return None
