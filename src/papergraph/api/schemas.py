"""The HTTP contract: request bodies, shared parameter types, the error body and the errors each route documents.

Rules every route follows (``tests/api/test_contract.py`` checks them on every route, including new ones):
a typed ``response_model``; a description and an example on every parameter and body, the examples naming real
data of the bundled corpus (``api/examples.py``); closed vocabularies as enums; integers that refuse ``true``;
every error status a route can answer documented with :class:`ErrorBody`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from papergraph.api import examples
from papergraph.errors import QueryError
from papergraph.models import EntityType, SearchMode
from papergraph.query.search import SearchFilters

MAX_QUERY_CHARS = 1000
MAX_K = 100
MAX_FILTER_VALUES = 20
MAX_FILTER_CHARS = 200
MAX_ID_CHARS = 200

_SPACES = " \t\n\r\f\v"
NOT_BLANK = r"[^ \t\n\r\f\v]"
"""JSON-schema pattern of a text that is not blank: one character other than ASCII white space."""


# --------------------------------------------------------------------------------------------------
# Vocabularies and value types shared by the routes
# --------------------------------------------------------------------------------------------------


class BrowsableType(StrEnum):
    """Entity types with their own listing; metrics are listed per paper (GET /papers/{paper_id})."""

    HARDWARE = "hardware"
    TECHNIQUE = "technique"
    SYSTEM = "system"
    DATASET = "dataset"

    @property
    def entity_type(self) -> EntityType:
        return EntityType(self.value)


def _not_blank(value: str) -> str:
    text = value.strip(_SPACES)
    if not text:
        raise ValueError("is blank; send some words")
    return text


def _json_integer(value: Any) -> Any:
    """JSON-schema integers only: ``true`` and ``"10"`` are refused (pydantic's lax mode would take them)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a JSON integer such as 10, not {type(value).__name__}")
    return value


def text_schema(max_length: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": NOT_BLANK}


QueryText = Annotated[
    str,
    StringConstraints(max_length=MAX_QUERY_CHARS),
    AfterValidator(_not_blank),
    WithJsonSchema(text_schema(MAX_QUERY_CHARS)),
]
"""Free text: at most 1000 characters, not blank; surrounding white space is dropped."""

PaperId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS)]
JsonInt = Annotated[int, BeforeValidator(_json_integer)]
FilterValue = Annotated[str, StringConstraints(max_length=MAX_FILTER_CHARS)]


def _drop_blank(values: list[str]) -> list[str]:
    return [v.strip() for v in values if v.strip()]


FilterValues = Annotated[list[FilterValue], Field(max_length=MAX_FILTER_VALUES), AfterValidator(_drop_blank)]
"""Repeatable entity filter: OR among its values; blank values are ignored."""

FILTER_HELP = {
    "hardware": ("Hardware name, family or type, e.g. FPGA, NVIDIA Jetson, NVIDIA A100.", examples.HARDWARE),
    "technique": ("Technique name, e.g. quantization, split computing.", examples.TECHNIQUE),
    "system": ("System (framework, engine or model) name, e.g. vLLM, TeLLMe.", examples.SYSTEM),
    "dataset": ("Dataset or benchmark name, e.g. ImageNet.", examples.DATASET),
}
FILTER_RULE = " Repeatable: OR among values of one filter, AND across filters; matching ignores case."

Q_HELP = "Query text. Send q, paper_id or both: a search needs at least one of them."
PAPER_ID_HELP = (
    "More like this: papers similar to this paper id (the paper itself is left out). "
    "Send q, paper_id or both: a search needs at least one of them."
)
K_HELP = "How many results to return (1-100)."
MODE_HELP = "Ranking: hybrid (dense + BM25, fused), dense (embeddings only) or lexical (BM25 only)."
NEEDS_QUERY = "send q (query text), paper_id (more like this) or both; neither was given"


# --------------------------------------------------------------------------------------------------
# Request bodies
# --------------------------------------------------------------------------------------------------


class SearchRequest(BaseModel):
    """A similarity search: by text (``q``), "more like this" (``paper_id``) or both, optionally filtered."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "description": "A similarity search. Send q, paper_id or both (at least one, as a string).",
            "allOf": [  # inside allOf, so that client generators keep one model with every property
                {
                    "anyOf": [
                        {"required": ["q"], "properties": {"q": {"type": "string"}}},
                        {"required": ["paper_id"], "properties": {"paper_id": {"type": "string"}}},
                    ]
                }
            ],
            "examples": [
                {"q": examples.QUERY, "k": 5, "hardware": [examples.HARDWARE]},
                {"paper_id": examples.PAPER_ID, "k": 5},
            ],
        },
    )

    q: QueryText | None = Field(None, description=Q_HELP, examples=[examples.QUERY])
    paper_id: PaperId | None = Field(None, description=PAPER_ID_HELP, examples=[examples.PAPER_ID])
    k: JsonInt = Field(10, ge=1, le=MAX_K, description=K_HELP, examples=[5])
    mode: SearchMode = Field(SearchMode.HYBRID, description=MODE_HELP, examples=["hybrid"])
    hardware: FilterValues = Field(
        default_factory=list, description=FILTER_HELP["hardware"][0] + FILTER_RULE, examples=[[examples.HARDWARE]]
    )
    technique: FilterValues = Field(
        default_factory=list, description=FILTER_HELP["technique"][0] + FILTER_RULE, examples=[[examples.TECHNIQUE]]
    )
    system: FilterValues = Field(
        default_factory=list, description=FILTER_HELP["system"][0] + FILTER_RULE, examples=[[examples.SYSTEM]]
    )
    dataset: FilterValues = Field(
        default_factory=list, description=FILTER_HELP["dataset"][0] + FILTER_RULE, examples=[[examples.DATASET]]
    )

    @model_validator(mode="after")
    def _needs_query(self) -> SearchRequest:
        if self.q is None and self.paper_id is None:
            raise ValueError(NEEDS_QUERY)
        return self

    @property
    def filters(self) -> SearchFilters:
        return SearchFilters(hardware=self.hardware, technique=self.technique, system=self.system, dataset=self.dataset)


class AskRequest(BaseModel):
    """A natural-language question."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": examples.QUESTION, "k": 5}]},
    )

    question: QueryText = Field(description="The question, in plain English.", examples=[examples.QUESTION])
    k: JsonInt = Field(10, ge=1, le=MAX_K, description="Most papers to return (1-100).", examples=[5])


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """Every error answer: one message saying what was wrong and what to send instead."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "k: Input should be less than or equal to 100 (got 500)"}]}
    )

    detail: str = Field(description="What was wrong and what to send instead.")


ERROR_DESCRIPTIONS: dict[int, str] = {
    404: "Not found: the id or name matches nothing; the detail says where to look it up.",
    422: "Invalid request: the detail names each wrong parameter or field, what it got and what to send.",
    503: "Not ready: no index is loaded (run `papergraph ingest`), or the graph backend is unreachable.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entry documenting the error statuses a route can answer, all with :class:`ErrorBody`."""
    return {code: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[code]} for code in codes}


ERRORS = errors(404, 422, 503)
"""Every error status at once, for routers whose routes can answer all of them."""


def describe_errors(errors: Sequence[Mapping[str, Any]], names: Mapping[str, str] | None = None) -> str:
    """One line from pydantic's error list: 'k: Input should be less than or equal to 100 (got 500); ...'.

    An optional parameter is a union with None: its "Input should be None" branch says nothing useful and is
    left out, and the union member tags pydantic adds to locations ('str-enum[BrowsableType]') are dropped.
    ``names`` renames fields (the CLI says QUERY and --paper-id where the API says q and paper_id).
    """
    kept = [
        err
        for err in errors
        if not (err.get("type") == "none_required" and tuple(err.get("loc", ()))[-1:] == ("none",))
    ]
    return "; ".join(_describe(err, names or {}) for err in kept or errors) or "invalid request"


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and (part == "none" or any(c in part for c in "[-"))


BODY_HINT = "send a JSON object with Content-Type: application/json (see the examples at /docs)"


def _describe(err: Mapping[str, Any], names: Mapping[str, str]) -> str:
    loc = tuple(err.get("loc", ()))
    kind = str(err.get("type", ""))
    if kind == "json_invalid":
        at = f" at character {loc[1]}" if len(loc) > 1 else ""
        reason = str((err.get("ctx") or {}).get("error", "JSON decode error"))
        return f"request body is not valid JSON ({reason}{at}); {BODY_HINT}"
    if loc == ("body",):
        if kind == "missing":
            return f"request body is missing; {BODY_HINT}"
        if kind in {"model_attributes_type", "dict_type", "model_type"}:
            return f"request body must be a JSON object; {BODY_HINT}"
    parts = [str(part) for part in loc if part not in ("body", "query", "path") and not _is_union_tag(part)]
    where = ".".join([names.get(parts[0], parts[0]), *parts[1:]] if parts else [])
    msg = _message(kind, str(err.get("msg", "invalid")))
    shown = _shown(err.get("input")) if kind not in {"missing", "extra_forbidden"} else None
    if shown is not None:
        msg = f"{msg} (got {shown})"
    if kind == "enum" and err.get("input") == EntityType.METRIC.value:
        msg += "; metrics are listed per paper: GET /papers/{paper_id}"
    return f"{where}: {msg}" if where else msg


def _message(kind: str, msg: str) -> str:
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field of this request (see the schema at /docs)"
    return msg.removeprefix("Value error, ")


def _shown(value: Any) -> str | None:
    """A short JSON rendering of a rejected scalar, or None for long or structured values."""
    if value is None or isinstance(value, bool | int | float):
        return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    if isinstance(value, str) and len(value) <= 60:
        return repr(value)
    return None


ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_request(model: type[ModelT], *, names: Mapping[str, str] | None = None, **fields: Any) -> ModelT:
    """Validate a request built outside FastAPI's body parsing (query strings, CLI flags) into ``model``;
    invalid input raises QueryError with the same one-line message the API gives (fields renamed by ``names``)."""
    try:
        return model(**fields)
    except ValidationError as exc:
        raise QueryError(describe_errors(exc.errors(), names)) from exc
