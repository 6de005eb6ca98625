"""Typed request bodies of the API (responses are the query layer's and the graph's models)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from papergraph.errors import QueryError
from papergraph.models import SearchMode
from papergraph.query.search import SearchFilters

MAX_QUERY_CHARS = 1000
MAX_K = 100

QueryText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_QUERY_CHARS)]
FilterValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def describe_errors(errors: Sequence[Mapping[str, Any]]) -> str:
    """One line from pydantic's error list: 'q: String should have at least 1 character; k: ...'."""
    problems = []
    for err in errors:
        where = ".".join(str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path"))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        problems.append(f"{where}: {msg}" if where else msg)
    return "; ".join(problems) or "invalid request"


ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_request(model: type[ModelT], **fields: Any) -> ModelT:
    """Validate a request built outside FastAPI's body parsing (query strings, CLI flags) into ``model``;
    invalid input raises QueryError with the same one-line message the API gives."""
    try:
        return model(**fields)
    except ValidationError as exc:
        raise QueryError(describe_errors(exc.errors())) from exc


class ErrorBody(BaseModel):
    """Every error answer: one human-readable message."""

    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Unreadable request body"},
    404: {"model": ErrorBody, "description": "Unknown paper, entity or node"},
    422: {"model": ErrorBody, "description": "Invalid request"},
    503: {"model": ErrorBody, "description": "No index loaded, or the graph backend is unreachable"},
}


class SearchRequest(BaseModel):
    """A similarity search: by text (``q``) or "more like this" (``paper_id``), optionally filtered."""

    model_config = ConfigDict(extra="forbid")

    q: QueryText | None = Field(None, description="Query text.")
    paper_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        None, description="Find papers like this one."
    )
    k: int = Field(10, ge=1, le=MAX_K, description="Number of results.")
    mode: SearchMode = SearchMode.HYBRID
    hardware: list[FilterValue] = Field(default_factory=list, max_length=20)
    technique: list[FilterValue] = Field(default_factory=list, max_length=20)
    system: list[FilterValue] = Field(default_factory=list, max_length=20)
    dataset: list[FilterValue] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _needs_query(self) -> SearchRequest:
        if not self.q and not self.paper_id:
            raise ValueError("give a query (q) or a paper_id")
        return self

    @property
    def filters(self) -> SearchFilters:
        return SearchFilters(hardware=self.hardware, technique=self.technique, system=self.system, dataset=self.dataset)


class AskRequest(BaseModel):
    """A natural-language question."""

    model_config = ConfigDict(extra="forbid")

    question: QueryText = Field(description="e.g. 'which papers run LLM decoding on FPGAs, and how fast?'")
    k: int = Field(10, ge=1, le=MAX_K, description="Most papers to return.")
