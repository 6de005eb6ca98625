"""What every corpus reader shares: problem reports, line decoding, and record-to-Paper mapping.

Readers never raise on a bad record: they report it with its file and line number and go on, so one broken
line in a large snapshot costs one paper, not the run.
"""

from __future__ import annotations

import gzip
import logging
import math
import re
import zlib
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
    """One record that could not be read (or was read with a change): where it is and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class RecordLimits:
    """Sizes past which a record is cut (abstract) or skipped (title, id); see ``Settings``."""

    max_title_chars: int = 1_000
    max_abstract_chars: int = 20_000
    max_id_chars: int = 200
    """Ids longer than this could not be asked for (``GET /papers/{id}`` takes 200 characters)."""


@dataclass
class ReadReport:
    """What a read produced besides papers: counts, records skipped (issues), records changed (warnings)."""

    files: int = 0
    records: int = 0
    duplicates: int = 0
    issues: list[ReadIssue] = field(default_factory=list)
    warnings: list[ReadIssue] = field(default_factory=list)
    limits: RecordLimits = field(default_factory=RecordLimits)
    origin: dict[str, str] = field(default_factory=dict)
    """Where each paper's kept version was read (``path:line``), to name it in later errors (``keep_origin``)."""
    keep_origin: bool = True
    """False for a streamed read: ``origin`` would hold a string per paper; ``last_origin`` names the last one."""
    last_origin: str = ""
    quiet: bool = False
    """Collect issues without logging them (a second pass over files whose issues were reported already)."""

    def problem(self, path: Path | str, line: int, message: str) -> None:
        """A record (or the rest of a file) that is skipped."""
        issue = ReadIssue(str(path), line, message)
        self.issues.append(issue)
        if not self.quiet:
            log.warning("%s", issue)

    def warn(self, path: Path | str, line: int, message: str) -> None:
        """A record that is kept, changed (an abstract cut at the limit)."""
        issue = ReadIssue(str(path), line, message)
        self.warnings.append(issue)
        if not self.quiet:
            log.warning("%s", issue)

    def issues_for(self, path: Path | str) -> list[ReadIssue]:
        return [issue for issue in self.issues if issue.path == str(path)]

    @property
    def bad(self) -> int:
        return len(self.issues)


class FieldError(ValueError):
    """A record field of the wrong type or size: the record is reported and skipped."""


def clean(text: Any) -> str:
    """Collapse whitespace (arXiv titles and abstracts carry hard line breaks)."""
    return _WS.sub(" ", str(text)).strip() if text is not None else ""


def has_bad_bytes(text: str) -> bool:
    """True when text decoded with ``surrogateescape`` holds bytes that were not valid UTF-8."""
    return bool(_SURROGATE.search(text))


def _damaged(path: Path, report: ReadReport, line: int, exc: BaseException) -> None:
    report.problem(
        path,
        line,
        f"compressed file damaged or truncated after line {line} ({exc or type(exc).__name__}); "
        "the records before it were kept, the rest of the file is lost",
    )


_GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def read_bytes(path: Path, report: ReadReport) -> bytes:
    """The file's bytes (decompressed for ``.gz``); from a damaged ``.gz``, the complete lines before the damage."""
    if path.suffix != ".gz":
        return path.read_bytes()
    chunks: list[bytes] = []
    with gzip.open(path) as fh:
        try:
            while chunk := fh.read(1 << 20):
                chunks.append(chunk)
        except _GZIP_ERRORS as exc:
            data = b"".join(chunks)
            data = data[: data.rfind(b"\n") + 1]  # a cut line would be read as a shorter record
            _damaged(path, report, data.count(b"\n"), exc)
            return data
    return b"".join(chunks)


def open_text(path: Path, report: ReadReport) -> str:
    """The whole file as text; invalid UTF-8 bytes survive as surrogates so each record can be judged."""
    return read_bytes(path, report).decode("utf-8-sig", errors="surrogateescape")


def iter_lines(path: Path, report: ReadReport) -> Iterator[tuple[int, str]]:
    """(line number from 1, line without its newline), streamed so huge snapshots fit in memory.

    A damaged ``.gz`` ends the lines at the damage, reported with the file and the last good line.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    number = 0
    with opener(path, "rb") as fh:
        try:
            for number, raw in enumerate(fh, start=1):
                if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                yield number, raw.decode("utf-8", errors="surrogateescape").rstrip("\r\n")
        except _GZIP_ERRORS as exc:
            _damaged(path, report, number, exc)


def kind_of(value: Any) -> str:
    """How a JSON value reads to a user: 'a number', 'a list', 'NaN', ..."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _text(record: Mapping[str, Any], *keys: str) -> str:
    """The first non-empty of ``keys`` as text; a non-string value raises FieldError (never stringified)."""
    for key in keys:
        value = record.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise FieldError(f"{key} is {kind_of(value)}, expected text")
        return clean(value)
    return ""


def _author(item: Any, position: int) -> str:
    if isinstance(item, str):
        return clean(item)
    if isinstance(item, list) and all(isinstance(x, str) for x in item):
        # the arXiv snapshot's authors_parsed: [last, first, suffix]
        last, first, *rest = [*item, "", ""]
        return clean(" ".join(x for x in (first, last, *rest) if x))
    raise FieldError(f"authors: entry {position} is {kind_of(item)}, expected a name or [last, first]")


def _authors(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [name for i, item in enumerate(value, start=1) if (name := _author(item, i))]
    if not isinstance(value, str):
        raise FieldError(f"authors is {kind_of(value)}, expected text or a list of names")
    text = clean(value)
    parts = re.split(r";|,|\band\b", text) if ";" not in text else text.split(";")
    return [p.strip() for p in parts if p.strip()]


def _categories(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        if not all(isinstance(c, str) for c in value):
            raise FieldError("categories: expected text or a list of texts")
        return [clean(c) for c in value if clean(c)]
    if not isinstance(value, str):
        raise FieldError(f"categories is {kind_of(value)}, expected text")
    return [c for c in re.split(r"[\s,;]+", value) if c]


def _year(record: Mapping[str, Any], source_id: str | None) -> int | None:
    for key in ("year", "published", "date", "update_date"):
        value = record.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise FieldError(f"{key} is {kind_of(value)}, expected a year or a date")
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
    url = _text(record, "url", "link")
    if url:
        return url
    if arxiv and source_id:
        return f"https://arxiv.org/abs/{source_id}"
    return None


def _cut(text: str, limit: int) -> str:
    """``text`` cut at the last word boundary before ``limit`` characters, with an ellipsis."""
    head = text[:limit]
    space = head.rfind(" ", limit // 2)
    return (head[:space] if space > 0 else head).rstrip() + " …"


def _bad_bytes_anywhere(value: Any) -> bool:
    if isinstance(value, str):
        return has_bad_bytes(value)
    if isinstance(value, list):
        return any(_bad_bytes_anywhere(v) for v in value)
    return False


def record_to_paper(
    record: Mapping[str, Any], source: Path, line: int, report: ReadReport, *, arxiv: bool = False
) -> Paper | None:
    """Map a flat record (JSON object, CSV row) to a Paper, or report why it cannot be one."""
    report.records += 1
    if not isinstance(record, Mapping):
        report.problem(source, line, f"expected an object with title and abstract, got {kind_of(record)}")
        return None
    if any(_bad_bytes_anywhere(v) for v in record.values()):
        report.problem(source, line, "invalid UTF-8 bytes; record skipped")
        return None
    limits = report.limits
    try:
        title = _text(record, "title")
        abstract = _text(record, "abstract", "summary")
        missing = [name for name, value in (("title", title), ("abstract", abstract)) if not value]
        if missing:
            raise FieldError(f"record without {' or '.join(missing)}")
        source_id = _text(record, "id", "arxiv_id", "paper_id") or None
        if source_id and len(source_id) > limits.max_id_chars:
            raise FieldError(f"id of {len(source_id)} characters (the limit is {limits.max_id_chars})")
        if len(title) > limits.max_title_chars:
            raise FieldError(f"title of {len(title)} characters (the limit is {limits.max_title_chars})")
        fields = {
            "authors": _authors(record.get("authors")),
            "year": _year(record, source_id),
            "url": _url(record, source_id, arxiv),
            "categories": _categories(record.get("categories")),
        }
    except FieldError as exc:
        report.problem(source, line, f"{exc}; record skipped")
        return None
    if len(abstract) > limits.max_abstract_chars:
        report.warn(
            source,
            line,
            f"abstract of {len(abstract)} characters cut to {limits.max_abstract_chars} "
            "(PAPERGRAPH_MAX_ABSTRACT_CHARS)",
        )
        abstract = _cut(abstract, limits.max_abstract_chars)
    try:
        paper = Paper(id=source_id or title_id(title), title=title, abstract=abstract, sources=[source.name], **fields)
    except ValueError as exc:  # pydantic validation of odd field values
        report.problem(source, line, f"invalid record: {exc}")
        return None
    report.last_origin = f"{source}:{line}"
    if report.keep_origin:
        report.origin[paper.id] = report.last_origin
    return paper
