"""One error root, so the API and the CLI can turn every expected failure into a clear message."""

from __future__ import annotations

import json


class PaperGraphError(Exception):
    """Root of every error PaperGraph raises on purpose (bad input, missing data, unreachable server)."""


class CorpusFormatError(PaperGraphError):
    """A corpus file cannot be read at all (unknown format, unreadable file)."""


class IndexNotFoundError(PaperGraphError):
    """No vector index in the data directory: run ``papergraph ingest`` first."""


class IndexMismatchError(PaperGraphError):
    """The saved index was built with another model or dimension than the one configured."""


class GraphUnavailableError(PaperGraphError):
    """The graph store cannot be reached or refused the credentials."""


class QueryError(PaperGraphError):
    """A query the caller sent is invalid (empty, too long, unknown entity type, unknown id)."""


class NotFoundError(QueryError):
    """The paper or entity the caller named does not exist."""


class ConfigError(PaperGraphError):
    """A setting has a value PaperGraph cannot use."""


class WriterBusyError(PaperGraphError):
    """Another process is writing to the data directory (an ingest or a delete holds its lock)."""


class PermissionDeniedError(PaperGraphError):
    """The caller may not do this (an admin endpoint without the right token, or with none configured)."""


def json_problem(exc: json.JSONDecodeError) -> str:
    """json's message with its column: 'unterminated string starting at column 5' (json's own message ends in
    a dangling 'at' for some errors, 'Expecting value' in none)."""
    msg = exc.msg[:1].lower() + exc.msg[1:]
    return f"{msg}{' ' if msg.endswith(' at') else ' at '}column {exc.colno}"
