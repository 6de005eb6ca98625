"""The pydantic models the layers hand each other: papers in, extractions out, graph reads back.

Keep this module free of behaviour beyond small derived values: it is the contract between ``corpus``,
``extract``, ``embed``/``index``, ``graph``, ``query`` and the API.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# --------------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------------


class EntityType(StrEnum):
    """The kinds of entity extracted from an abstract; each is a node label in the graph."""

    HARDWARE = "hardware"
    TECHNIQUE = "technique"
    SYSTEM = "system"
    DATASET = "dataset"
    METRIC = "metric"

    @property
    def label(self) -> str:
        """The graph label (PascalCase) of this entity type."""
        return self.value.capitalize()


class HardwareType(StrEnum):
    GPU = "GPU"
    CPU = "CPU"
    FPGA = "FPGA"
    TPU = "TPU"
    NPU = "NPU"
    ASIC = "ASIC"
    SOC = "SoC"
    EDGE_BOARD = "edge-board"
    SMARTPHONE = "smartphone"
    LAPTOP = "laptop"
    DESKTOP = "desktop"
    WEARABLE = "wearable"
    MICROCONTROLLER = "microcontroller"
    NEUROMORPHIC = "neuromorphic"
    MEMORY = "memory"
    STORAGE = "storage"
    NETWORK = "network"
    SUPERCOMPUTER = "supercomputer"
    CLUSTER = "cluster"
    OTHER = "other"


class HardwareLevel(StrEnum):
    """How specific a hardware mention is: one product, a product line, or a generic class of device."""

    MODEL = "model"  # "NVIDIA Jetson Orin NX", "NVIDIA A100"
    FAMILY = "family"  # "NVIDIA Jetson Orin", "Intel Xeon", "AMD GPU"
    CLASS = "class"  # "GPU", "smartphone", "DRAM"


class MetricDirection(StrEnum):
    """Whether the text reports a number as a rise or a fall ("cuts latency by 35%" is a decrease)."""

    INCREASE = "increase"
    DECREASE = "decrease"


class MetricKind(StrEnum):
    THROUGHPUT = "throughput"
    LATENCY = "latency"
    SPEEDUP = "speedup"
    ENERGY = "energy"
    POWER = "power"
    MEMORY = "memory"
    MODEL_SIZE = "model-size"
    ACCURACY = "accuracy"
    ACCURACY_LOSS = "accuracy-loss"
    COST = "cost"
    COMPRESSION = "compression"
    SCALE = "scale"
    OTHER = "other"


class SearchMode(StrEnum):
    """Which ranking a search uses: dense vectors, BM25, or both fused."""

    HYBRID = "hybrid"
    DENSE = "dense"
    LEXICAL = "lexical"


class NodeLabel(StrEnum):
    """The labels of graph nodes (``graph/rows.py`` LABELS): a paper, an entity type, or a reported metric."""

    PAPER = "Paper"
    HARDWARE = "Hardware"
    TECHNIQUE = "Technique"
    SYSTEM = "System"
    DATASET = "Dataset"
    METRIC = "Metric"


class RelationshipType(StrEnum):
    """The relationship types of the graph (``graph/rows.py`` REL_TYPES)."""

    MENTIONS = "MENTIONS"
    PROPOSES = "PROPOSES"
    REPORTS = "REPORTS"
    MEASURED_ON = "MEASURED_ON"
    IN_FAMILY = "IN_FAMILY"  # a model to its family, a family to its vendor line (hardware, systems)


class SystemRole(StrEnum):
    PROPOSED = "proposed"  # the paper's own system ("We present X", "X: ..." titles)
    MENTIONED = "mentioned"  # a baseline or a tool the paper uses


# --------------------------------------------------------------------------------------------------
# Papers
# --------------------------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def normalize_title(title: str) -> str:
    """Title key used to merge duplicates: NFKC, case-folded, punctuation and spacing removed.

    Letters and digits of every script are kept ("Mélange", "大模型推理", "Трансформеры" keep their own keys);
    a title without any (only punctuation or symbols) keys on its case-folded text, so the key is never empty.
    """
    folded = unicodedata.normalize("NFKC", title).casefold()
    return _NOT_LETTER_OR_DIGIT.sub(" ", folded).strip() or _SPACE.sub(" ", folded).strip()


def title_id(title: str) -> str:
    """Stable id of a paper that has no source id: a short hash of its normalized title."""
    return "t" + hashlib.sha1(normalize_title(title).encode()).hexdigest()[:12]


def slugify(name: str) -> str:
    """Lower-case, hyphenated form of an entity name, used in node ids."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return _NON_WORD.sub("-", folded).strip("-") or "x"


def entity_id(type_: EntityType, name: str) -> str:
    """Graph node id of a canonical entity: ``"<type>:<slug>"``, e.g. ``hardware:nvidia-a100``."""
    return f"{type_.value}:{slugify(name)}"


class Paper(BaseModel):
    """One paper as read from a corpus, before extraction."""

    model_config = ConfigDict(frozen=False)

    id: str = Field(description="Source id (arXiv id) when there is one, else `t` + hash of the title.")
    title: str
    abstract: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    url: str | None = None
    categories: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="Corpus files the paper was read from.")

    @property
    def text(self) -> str:
        """What is embedded and searched: the title, a blank line, the abstract."""
        return f"{self.title}\n\n{self.abstract}"

    @property
    def content_hash(self) -> str:
        """Hash of what extraction and embedding see; unchanged hash means nothing to recompute."""
        return hashlib.sha1(self.text.encode()).hexdigest()


# --------------------------------------------------------------------------------------------------
# Extractions
# --------------------------------------------------------------------------------------------------

Field_ = Literal["title", "abstract"]


class Span(BaseModel):
    """Where an extraction was found: exact text, offsets in its field, and the evidence sentence."""

    surface: str = Field(description="The exact text matched.")
    field: Field_ = "abstract"
    start: int = Field(0, ge=0, description="Character offset of `surface` in the field.")
    end: int = Field(0, ge=0, description="End offset (exclusive) of `surface` in the field.")
    sentence: str = Field("", description="The sentence the match sits in: the evidence.")


class HardwareMention(Span):
    name: str = Field(description="Canonical name, e.g. 'NVIDIA A100', or a generic class such as 'FPGA'.")
    type: HardwareType
    vendor: str | None = Field(None, description="The maker, e.g. 'NVIDIA'; null for a class or an unknown maker.")
    family: str | None = Field(
        None, description="The product line one level up, e.g. 'NVIDIA Jetson Orin' for 'NVIDIA Jetson Orin NX'."
    )
    level: HardwareLevel = Field(HardwareLevel.MODEL, description="model, family or class.")
    lineage: list[str] = Field(
        default_factory=list,
        description="Every family above, nearest first (lineage[0] == family): the graph's IN_FAMILY chain.",
    )


class TechniqueMention(Span):
    name: str = Field(description="Canonical technique from the controlled vocabulary.")
    family: str | None = Field(None, description="Broader technique, e.g. quantization for PTQ.")


class SystemMention(Span):
    name: str
    role: SystemRole = SystemRole.MENTIONED
    family: str | None = Field(None, description="The model family one level up: 'Llama 2' for 'Llama-2-7B'.")
    lineage: list[str] = Field(
        default_factory=list, description="Every family above, nearest first: ['Llama 2', 'Llama'] for 'Llama-2-7B'."
    )


class DatasetMention(Span):
    name: str


class MetricMention(Span):
    metric: str = Field(description="What was measured, e.g. 'decoding throughput'.")
    value: float
    value_max: float | None = Field(None, description="Upper end of a range ('0.45--0.96 s').")
    unit: str = Field(description="Normalized unit: %, x, tokens/s, ms, s, W, J, GB, FPS, ...")
    kind: MetricKind = MetricKind.OTHER
    hardware: str | None = Field(None, description="Canonical hardware the sentence says the result was measured on.")
    direction: MetricDirection | None = Field(
        None, description="increase or decrease when the text says which ('cuts latency by 35%': decrease)."
    )
    baseline_hardware: str | None = Field(
        None, description="Hardware the result is compared against ('3x faster than an Intel Xeon'), never `hardware`."
    )
    system: str | None = Field(None, description="The system the number is credited to (the paper's own by default).")


class Extraction(BaseModel):
    """Everything extracted from one paper (or one question). Entity lists may repeat a name."""

    paper_id: str
    hardware: list[HardwareMention] = Field(default_factory=list)
    techniques: list[TechniqueMention] = Field(default_factory=list)
    systems: list[SystemMention] = Field(default_factory=list)
    datasets: list[DatasetMention] = Field(default_factory=list)
    metrics: list[MetricMention] = Field(default_factory=list)

    def to_contract(self) -> dict[str, Any]:
        """The stable `papergraph extract` output: one entry per distinct name, every metric."""

        def first(items: list[Any], keys: tuple[str, ...]) -> list[dict[str, Any]]:
            seen: set[str] = set()
            out = []
            for item in items:
                if item.name not in seen:
                    seen.add(item.name)
                    out.append({k: _plain(getattr(item, k)) for k in keys})
            return out

        metric_keys = (
            "metric",
            "value",
            "value_max",
            "unit",
            "kind",
            "hardware",
            "surface",
            "direction",
            "baseline_hardware",
            "system",
        )
        return {
            "id": self.paper_id,
            "hardware": first(self.hardware, ("name", "type", "surface", "vendor", "family", "level")),
            "techniques": first(self.techniques, ("name", "surface")),
            "systems": first(self.systems, ("name", "role", "surface", "family")),
            "datasets": first(self.datasets, ("name", "surface")),
            "metrics": [{k: _plain(getattr(m, k)) for k in metric_keys} for m in self.metrics],
        }


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


class ExtractedPaper(BaseModel):
    """A paper with its extraction: the unit the graph stores upsert."""

    paper: Paper
    extraction: Extraction


# --------------------------------------------------------------------------------------------------
# Graph reads (both stores return these)
# --------------------------------------------------------------------------------------------------


class WriteStats(BaseModel):
    papers: int = 0
    nodes: int = 0
    relationships: int = 0


class GraphNode(BaseModel):
    id: str
    label: NodeLabel
    name: str = Field(description="Display caption: the paper title or the entity name.")
    properties: dict[str, Any] = Field(default_factory=dict)


class GraphEdge(BaseModel):
    source: str
    target: str
    type: RelationshipType
    properties: dict[str, Any] = Field(default_factory=dict)


class Subgraph(BaseModel):
    nodes: list[GraphNode] = Field(default_factory=list)
    edges: list[GraphEdge] = Field(default_factory=list)


class EntityLink(BaseModel):
    """A paper's link to one entity, with the evidence kept on the relationship."""

    type: EntityType
    id: str
    name: str
    relationship: RelationshipType
    properties: dict[str, Any] = Field(default_factory=dict, description="Node properties (type, family).")
    evidence: str = ""
    surface: str = ""
    field: str = "abstract"
    start: int = 0
    end: int = 0


class MetricRecord(BaseModel):
    id: str
    metric: str
    value: float
    value_max: float | None = None
    unit: str
    kind: str
    hardware: str | None = None
    surface: str = ""
    evidence: str = ""
    direction: str | None = Field(None, description="increase | decrease, when extraction says (e.g. 'cuts by').")
    baseline_hardware: str | None = Field(None, description="The chip the result was compared against.")
    system: str | None = Field(None, description="The system the number is credited to, when extraction says.")


class PaperRecord(BaseModel):
    """A paper as the graph holds it: properties, entity links and metrics."""

    id: str
    title: str
    abstract: str = ""
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    url: str | None = None
    categories: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    entities: list[EntityLink] = Field(default_factory=list)
    metrics: list[MetricRecord] = Field(default_factory=list)


class EntityCount(BaseModel):
    type: EntityType
    id: str
    name: str
    papers: int = Field(description="Number of distinct papers linked to the entity.")
    properties: dict[str, Any] = Field(default_factory=dict)


class PaperRef(BaseModel):
    id: str
    title: str
    evidence: str = ""


class EntityDetail(BaseModel):
    entity: EntityCount
    papers: list[PaperRef] = Field(default_factory=list)
    cooccurring: list[EntityCount] = Field(
        default_factory=list, description="Entities sharing papers with this one; `papers` = shared count."
    )


class GraphStats(BaseModel):
    nodes: dict[str, int] = Field(default_factory=dict, description="Node count per label.")
    relationships: dict[str, int] = Field(default_factory=dict, description="Count per relationship type.")
