"""The HTTP contract: request bodies, shared parameter types, the error body and the errors each route documents.

Rules every route follows (``tests/api/test_contract.py`` checks them on every route, including new ones):
a typed ``response_model``; a description and an example on every parameter and body, the examples naming real
data of the bundled corpus (``api/examples.py``); closed vocabularies as enums; integers that refuse ``true``;
every error status a route can answer documented with :class:`ErrorBody`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from papergraph.api import examples
from papergraph.config import Settings
from papergraph.errors import QueryError
from papergraph.models import EntityType, SearchMode
from papergraph.query.search import SearchFilters

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


# --------------------------------------------------------------------------------------------------
# Limits set by Settings: checked once the settings are known, written into the schema when the app is built
# --------------------------------------------------------------------------------------------------

LIMIT_KEY = "x-papergraph-limit"
"""Marks a schema node bounded by a Settings field; :func:`apply_limits` replaces it with the bound."""

LIMITS = {
    "max_query_chars": ("maxLength", "String should have at most {limit} characters"),
    "max_k": ("maximum", "Input should be less than or equal to {limit}"),
}
"""The Settings fields that bound requests: the JSON-schema keyword each becomes, and the message past it."""


def limited_by(setting: str) -> dict[str, Any]:
    """``json_schema_extra`` of a field whose bound is the Settings field ``setting``."""
    assert setting in LIMITS, setting
    return {LIMIT_KEY: setting}


def apply_limits(node: Any, settings: Settings) -> Any:
    """Write the bounds of ``settings`` into a JSON schema in place, where :func:`limited_by` marked them."""
    if isinstance(node, dict):
        setting = node.pop(LIMIT_KEY, None)
        if setting is not None:
            node[LIMITS[setting][0]] = getattr(settings, setting)
        for value in node.values():
            apply_limits(value, settings)
    elif isinstance(node, list):
        for value in node:
            apply_limits(value, settings)
    return node


def _past_limit(field: str, setting: str, settings: Settings, got: str) -> str:
    message = LIMITS[setting][1].format(limit=getattr(settings, setting))
    return f"{field}: {message} (limit PAPERGRAPH_{setting.upper()}; got {got})"


class LimitedRequest(BaseModel):
    """A request whose text length and ``k`` are bounded by Settings (``max_query_chars``, ``max_k``).

    Validation takes any length and any positive ``k``; :meth:`within` then checks them against the settings
    of the server or the command that received the request. The text is measured as sent, before its
    surrounding white space is dropped, as the schema's ``maxLength`` says.
    """

    TEXT_FIELD: ClassVar[str]
    k: int
    _sent_chars: int = PrivateAttr(0)

    @model_validator(mode="wrap")
    @classmethod
    def _measure_text(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        request = handler(data)
        text = data.get(cls.TEXT_FIELD) if isinstance(data, dict) else None
        request._sent_chars = len(text) if isinstance(text, str) else 0
        return request

    def within(self, settings: Settings, names: Mapping[str, str] | None = None) -> Self:
        """This request, or QueryError naming each limit it passes (fields renamed by ``names``, as the CLI says)."""
        names = names or {}
        problems = []
        if self._sent_chars > settings.max_query_chars:
            field = names.get(self.TEXT_FIELD, self.TEXT_FIELD)
            problems.append(_past_limit(field, "max_query_chars", settings, f"{self._sent_chars} characters"))
        if self.k > settings.max_k:
            problems.append(_past_limit(names.get("k", "k"), "max_k", settings, str(self.k)))
        if problems:
            raise QueryError("; ".join(problems))
        return self


QUERY_TEXT_SCHEMA = {"type": "string", "minLength": 1, "pattern": NOT_BLANK, **limited_by("max_query_chars")}

QueryText = Annotated[str, AfterValidator(_not_blank), WithJsonSchema(QUERY_TEXT_SCHEMA)]
"""Free text: not blank, at most ``max_query_chars`` (checked by :meth:`LimitedRequest.within`); surrounding white
space is dropped."""

SentQueryText = Annotated[str, WithJsonSchema(QUERY_TEXT_SCHEMA)]
"""QueryText as sent, for a query-string parameter that a :class:`LimitedRequest` validates and measures."""

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
K_HELP = "How many results to return (from 1 up to the server's limit, PAPERGRAPH_MAX_K)."
MODE_HELP = "Ranking: hybrid (dense + BM25, fused), dense (embeddings only) or lexical (BM25 only)."
NEEDS_QUERY = "send q (query text), paper_id (more like this) or both; neither was given"


# --------------------------------------------------------------------------------------------------
# Request bodies
# --------------------------------------------------------------------------------------------------


class SearchRequest(LimitedRequest):
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
    TEXT_FIELD = "q"

    q: QueryText | None = Field(None, description=Q_HELP, examples=[examples.QUERY])
    paper_id: PaperId | None = Field(None, description=PAPER_ID_HELP, examples=[examples.PAPER_ID])
    k: JsonInt = Field(10, ge=1, description=K_HELP, examples=[5], json_schema_extra=limited_by("max_k"))
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


class AskRequest(LimitedRequest):
    """A natural-language question."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": examples.QUESTION, "k": 5}]},
    )
    TEXT_FIELD = "question"

    question: QueryText = Field(description="The question, in plain English.", examples=[examples.QUESTION])
    k: JsonInt = Field(
        10,
        ge=1,
        description="Most papers to return (from 1 up to the server's limit, PAPERGRAPH_MAX_K).",
        examples=[5],
        json_schema_extra=limited_by("max_k"),
    )


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """Every error answer: one message saying what was wrong and what to send instead."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"detail": "k: Input should be less than or equal to 100 (limit PAPERGRAPH_MAX_K; got 500)"}]
        }
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
