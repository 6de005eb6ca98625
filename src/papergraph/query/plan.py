"""The query plan: the one form a question takes between reading it and answering it.

``planner.plan_question`` turns a question into a :class:`QueryPlan` (rules as data, entity linking against the
graph's vocabulary); ``executor.Executor`` answers the plan from the graph store and the indexes. Everything the
answer did is visible in the plan, and the response shows it as its ``interpretation``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from papergraph.graph.query import GroupBy, NodeMatch, PaperQuery
from papergraph.models import EntityType


class Intent(StrEnum):
    """What a question asks for."""

    LIST = "list"  # the papers that satisfy the constraints
    COUNT = "count"  # how many papers satisfy them
    FACT = "fact"  # a number a named system or paper reports
    COMPARE = "compare"  # two or more entities side by side
    TOP_N = "top_n"  # the entities most papers use ("most used datasets")
    SUPERLATIVE = "superlative"  # the best reported number of a metric ("highest tokens/s on an A100")
    COOCCURRENCE = "cooccurrence"  # entities found together with the named ones
    TREND = "trend"  # papers per year
    SEMANTIC = "semantic"  # anything else: ranked by similarity, entities as a preference
    OUT_OF_SCOPE = "out_of_scope"  # nothing in the corpus matches


class Level(StrEnum):
    """How broad an entity reference is: one node, a product line, a maker, or a kind of device."""

    MODEL = "model"
    FAMILY = "family"
    VENDOR = "vendor"
    TYPE = "type"


class MatchKind(StrEnum):
    """How the words were tied to the entity."""

    EXACT = "exact"  # the entity's name, case and plural aside
    ALIAS = "alias"  # another name the extraction rules know (LoRA, A100 GPUs, quantisation)
    ABBREVIATION = "abbreviation"  # an acronym the corpus defines ("KD" -> knowledge distillation)
    CORRECTED = "corrected"  # a misspelling within the edit distance allowed for its length
    INFLECTION = "inflection"  # another form of a technique's words ("prune" -> pruning, "quantize")
    UNSEEN = "unseen"  # a capitalised name neither the corpus nor the gazetteer has ("Aurora")


class Role(StrEnum):
    """What a recognised entity does in the answer."""

    FILTER = "filter"  # papers must mention it
    RANK = "rank"  # papers mentioning it rank higher (semantic questions, loose matches)
    COMPARE = "compare"  # one side of a comparison
    TARGET = "target"  # what is counted or ranked (top-N, co-occurrence)
    MEASURED_ON = "measured_on"  # the hardware a superlative's numbers were measured on


class Confidence(StrEnum):
    """How far to trust an answer, from how the question was read."""

    HIGH = "high"  # every content word read, the graph answered
    MEDIUM = "medium"  # words left unused, a misspelling corrected, a name no paper has, or ranked by similarity
    LOW = "low"  # nothing in the graph matched (similarity fallback), only weak matches, or refused


class EntityRef(BaseModel):
    """One entity the question refers to, at its level, with the words it came from."""

    model_config = ConfigDict(frozen=True)

    type: EntityType
    name: str = Field(description="The entity, family, vendor or hardware type, as the graph spells it.")
    level: Level
    words: str = Field(description="The words of the question it came from.")
    start: int = 0
    end: int = 0
    match: MatchKind = MatchKind.EXACT
    papers: int = Field(0, description="Papers in the graph linked to it (0: named, but no paper mentions it).")
    node: NodeMatch | None = Field(None, description="The graph nodes it selects (None when nothing is stored).")


class ConstraintGroup(BaseModel):
    """Alternatives ("GPUs or FPGAs", "CNN / ResNet"): a paper needs one of them."""

    entities: list[EntityRef]
    role: Role = Role.FILTER
    reason: str = Field("", description="Why the group only ranks, when it does.")
    baseline: bool = Field(False, description="Compared against: papers proposing it are left out.")
    text: bool = Field(
        False,
        description="The plan's text phrases are further alternatives of this group (a subject written as several "
        "joined phrases): a paper mentions one of its entities or has one of the phrases.",
    )


class Correction(BaseModel):
    original: str
    corrected: str
    kind: MatchKind


class MetricAsk(BaseModel):
    """The numbers a question asks about."""

    kinds: list[str] = Field(default_factory=list, description="Metric kinds (throughput, latency, ...).")
    best: str | None = Field(None, description="'max' or 'min': which end of the values a superlative wants.")
    unit: str | None = Field(None, description="The unit named in the question (tokens/s), if any.")
    phrase: str | None = Field(
        None,
        description="The words naming the quantity a superlative ranks ('context length', 'model FLOPs utilization"
        " (MFU)'); numbers are matched on their own words when no kind or unit names it.",
    )


class PaperFilters(BaseModel):
    """Paper properties the question restricts (only where the corpus has them)."""

    year_min: int | None = None
    year_max: int | None = None
    authors: list[str] = Field(default_factory=list, description="Author names as stored; any of them.")
    coauthors: list[str] = Field(default_factory=list, description="Co-authors as stored; every one of them.")
    author_words: str | None = Field(None, description="The words naming the author in the question.")

    @property
    def any(self) -> bool:
        return self.year_min is not None or self.year_max is not None or bool(self.authors or self.author_words)


class Target(BaseModel):
    """What a top-N or co-occurrence question counts."""

    type: EntityType
    by: GroupBy = GroupBy.ENTITY
    include: NodeMatch | None = None
    level: str | None = Field(
        None, description="Only models ('GPU models': hardware of level 'model') or only families ('LLM families')."
    )
    words: str = ""
    qualifier: str | None = Field(
        None, description="A word right before the class counted ('parallelism strategies'): names must hold it."
    )


class IntentReading(BaseModel):
    """How the intent was decided: the question's form, what decided, how sure."""

    form: str = Field("", description="The question with its references as slots, as the examples are written.")
    source: str = Field("rules", description="rules, examples, rules and examples, examples over rules, default.")
    score: float = Field(0.0, description="The example bank's score for the intent chosen (cosine, 0-1).")
    margin: float = Field(0.0, description="Its lead over the best other intent (negative: a rule kept it).")
    runner_up: Intent | None = Field(None, description="The intent the examples preferred, when not chosen.")


class QueryPlan(BaseModel):
    """A question, read: intent, entity constraints, filters, metric, sort and limit."""

    question: str
    intent: Intent
    groups: list[ConstraintGroup] = Field(default_factory=list)
    filters: PaperFilters = Field(default_factory=PaperFilters)
    metric: MetricAsk = Field(default_factory=MetricAsk)
    target: Target | None = None
    limit: int | None = Field(None, description="N of a top-N question, when the question says it.")
    topics: list[str] = Field(default_factory=list, description="Qualifiers matched in the paper text.")
    phrases: list[str] = Field(
        default_factory=list,  # source words of each: ``phrase_words``
        description="The subject as words of the paper text (title and abstract, by stem), when it is no graph "
        "entity ('web browser'; alternatives: 'blockchain or distributed-ledger technology'): papers must have "
        "one of them.",
    )
    loose_phrases: list[str] = Field(
        default_factory=list,
        description="Looser forms of the subject: examples in parentheses, the phrase's rare head noun alone "
        "('browser' of 'web browser', for 'in-browser'): a paper with only these needs an abstract closer to the "
        "question.",
    )
    phrase_words: dict[str, str] = Field(
        default_factory=dict, description="The question's words each phrase (and loose phrase) was read from."
    )
    unknown: list[EntityRef] = Field(
        default_factory=list, description="Entities the question names that no paper mentions."
    )
    corrections: list[Correction] = Field(default_factory=list)
    ignored: list[str] = Field(default_factory=list, description="Content words that matched nothing.")
    text: str = Field("", description="The question as searched: corrections and expansions applied.")
    intent_reading: IntentReading = Field(default_factory=IntentReading)
    foreign: float = Field(0.0, description="Share of the question's content words that no abstract uses.")

    def entities(self, *roles: Role) -> list[EntityRef]:
        return [e for g in self.groups if not roles or g.role in roles for e in g.entities]

    def phrase_shown(self, phrase: str) -> str:
        """A text phrase as the interpretation shows it: 'text: carbon (from "carbon emissions")'."""
        words = self.phrase_words.get(phrase, phrase)
        return f"text: {phrase}" + (f" (from “{words}”)" if words != phrase else "")

    def text_group(self) -> ConstraintGroup | None:
        """The group whose alternatives include the text phrases, if the subject was read as one."""
        return next((g for g in self.groups if g.text), None)

    def paper_query(self, roles: tuple[Role, ...] = (Role.FILTER,)) -> PaperQuery:
        """The graph query of the groups with these roles, and the paper filters (a group with text alternatives
        is left out: it is matched with the paper text, outside the graph)."""
        groups = tuple(
            tuple(e.node for e in g.entities if e.node is not None)
            for g in self.groups
            if g.role in roles and not g.text
        )
        baselines = tuple(
            e.node for g in self.groups if g.role in roles and g.baseline for e in g.entities if e.node is not None
        )
        return PaperQuery(
            all_of=groups,
            not_proposing=baselines,
            year_min=self.filters.year_min,
            year_max=self.filters.year_max,
            authors=tuple(self.filters.authors) if self.filters.author_words else (),
            coauthors=tuple(self.filters.coauthors),
        )


__all__ = [
    "ConstraintGroup",
    "Correction",
    "EntityRef",
    "Intent",
    "IntentReading",
    "Level",
    "MatchKind",
    "MetricAsk",
    "PaperFilters",
    "QueryPlan",
    "Role",
    "Target",
]
