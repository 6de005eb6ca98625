"""``papergraph ingest --engine ray``: extraction and embedding as Ray Data ``map_batches`` stages on a cluster.

The ingest driver plans the batches as usual; this engine puts each batch's model work in Ray's object store (one
block per batch, spilled to disk by Ray when it outgrows memory) and runs it through two actor pools: extraction
actors (each loads spaCy once) and embedding actors (each loads the encoder once; one GPU each, by
``PAPERGRAPH_RAY_EMBED_GPUS``, when the cluster has GPUs). The results come back to the driver in batch order,
which writes the caches, the index and the graph exactly as with the local engine: a batch is embedded as the
same texts in the same call, so both engines store the same papers, extractions and vectors.

The cluster is ``PAPERGRAPH_RAY_ADDRESS`` (``ray start --head`` on one machine, ``ray start --address=HEAD:6379``
on the others, papergraph installed on each); unset, a Ray is started in this process for the run.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from papergraph.config import Settings
from papergraph.errors import ConfigError
from papergraph.models import Extraction, Paper
from papergraph.pipeline import Batch, DocumentEncoder, Extracted, PaperExtractor, default_extractor, extract_each

log = logging.getLogger(__name__)

INSTALL_HINT = "the Ray engine needs Ray Data: pip install -e '.[ray]' (or pip install 'ray[data]')"


def _ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc
    return ray


# --------------------------------------------------------------------------------------------------
# The actors (each loads its model once, then gets one batch of rows per call)
# --------------------------------------------------------------------------------------------------


class ExtractActor:
    """Runs extraction over the rows flagged ``x``: adds ``extraction`` (JSON) or ``error``, and ``extract_s``."""

    def __init__(self, settings: Settings, extractor: PaperExtractor | None = None) -> None:
        self.extractor = extractor or default_extractor(settings)

    def __call__(self, rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        wanted = np.flatnonzero(rows["x"])
        papers = [Paper.model_validate_json(rows["paper"][i]) for i in wanted]
        started = time.perf_counter()
        results = extract_each(self.extractor, papers)
        extractions = np.full(len(rows["x"]), "", dtype=object)
        errors = np.full(len(rows["x"]), "", dtype=object)
        for i, result in zip(wanted, results, strict=True):
            if isinstance(result, str):
                errors[i] = result
            else:
                extractions[i] = result.model_dump_json()
        rows["extraction"], rows["error"] = extractions, errors
        rows["extract_s"] = np.full(len(rows["x"]), (time.perf_counter() - started) / max(1, len(rows["x"])))
        return rows


class EmbedActor:
    """Embeds the texts of the rows flagged ``e`` in one call: adds ``vector`` (float32 bytes) and ``embed_s``."""

    def __init__(self, settings: Settings, encoder: DocumentEncoder | None = None) -> None:
        if encoder is None:
            from papergraph.embed import Encoder

            encoder = Encoder(settings)
        self.encoder = encoder

    def __call__(self, rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        wanted = np.flatnonzero(rows["e"])
        vectors = np.full(len(rows["e"]), b"", dtype=object)
        started = time.perf_counter()
        if wanted.size:
            texts = [Paper.model_validate_json(rows["paper"][i]).text for i in wanted]
            for i, vector in zip(wanted, self.encoder.encode(texts), strict=True):
                vectors[i] = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
        rows["vector"] = vectors
        rows["embed_s"] = np.full(len(rows["e"]), (time.perf_counter() - started) / max(1, len(rows["e"])))
        return rows


# --------------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------------


def _rows(batch: Batch) -> dict[str, list[Any]]:
    """One row per paper with model work: its JSON and what to do (``x`` extract, ``e`` embed)."""
    extract = {p.id for p in batch.to_extract}
    embed = {p.id for p in batch.to_embed}
    papers = {p.id: p for p in [*batch.to_extract, *batch.to_embed]}
    ids = list(papers)
    return {
        "batch": [batch.number] * len(ids),
        "id": ids,
        "paper": [papers[pid].model_dump_json() for pid in ids],
        "x": [pid in extract for pid in ids],
        "e": [pid in embed for pid in ids],
    }


class RayEngine:
    """Extraction and embedding of ingest batches on Ray Data actor pools; batches come back in order."""

    def __init__(
        self,
        settings: Settings,
        *,
        encoder: DocumentEncoder | None = None,
        extractor: PaperExtractor | None = None,
    ) -> None:
        from papergraph.embed import Encoder

        self.ray = _ray()
        self.settings = settings
        self.encoder = None if encoder is None or isinstance(encoder, Encoder) else encoder  # fakes travel along
        self.extractor = extractor
        self.seconds: dict[str, float] = {"extract": 0.0, "embed": 0.0}

    def run(self, batches: Iterable[Batch]) -> Iterator[Batch]:
        started_here = not self.ray.is_initialized()
        if started_here:
            self._init()
        try:
            yield from self._run(batches)
        finally:
            if started_here:
                self.ray.shutdown()

    def _init(self) -> None:
        address = self.settings.ray_address
        logging.getLogger("ray").setLevel(logging.WARNING)
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        if address:
            try:
                self.ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError, SystemExit) as exc:  # Ray exits when GCS is unreachable
                raise ConfigError(
                    f"cannot reach the Ray cluster at PAPERGRAPH_RAY_ADDRESS={address!r} ({exc}); start it with "
                    "`ray start --head`, or unset PAPERGRAPH_RAY_ADDRESS for a local Ray"
                ) from exc
        else:
            self.ray.init(num_cpus=os.cpu_count(), include_dashboard=False, logging_level=logging.WARNING)
        log.info("Ray cluster: %s", self.ray.cluster_resources())

    def _pools(self) -> tuple[int, int, float]:
        """Extraction actors, embedding actors, GPUs per embedding actor, from the cluster and the settings."""
        resources = self.ray.cluster_resources()
        cpus, gpus = int(resources.get("CPU", 1)), float(resources.get("GPU", 0))
        per_gpu = self.settings.ray_embed_gpus if gpus > 0 else 0.0
        embedders = self.settings.ray_embed_actors or (max(1, int(gpus / per_gpu)) if per_gpu else max(1, cpus // 2))
        extractors = self.settings.ray_extract_actors or max(1, cpus - (0 if per_gpu else embedders))
        return extractors, embedders, per_gpu

    def _run(self, batches: Iterable[Batch]) -> Iterator[Batch]:
        import pyarrow as pa

        ray = self.ray
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        held: dict[int, Any] = {}  # batch number -> the batch, in the object store
        blocks = []
        expected: dict[int, int] = {}
        order: list[int] = []
        for batch in batches:
            order.append(batch.number)
            rows = _rows(batch)
            expected[batch.number] = len(rows["id"])
            if rows["id"]:
                blocks.append(ray.put(pa.table(rows)))
            batch_ref = ray.put(batch)
            held[batch.number] = batch_ref
        done = self._results(blocks) if blocks else iter(())
        results: dict[int, dict[str, Any]] = {}
        for number in order:
            while expected[number] and len(results.get(number, {})) < expected[number]:
                for row in next(done):
                    results.setdefault(int(row["batch"]), {})[str(row["id"])] = row
            batch = ray.get(held.pop(number))
            yield self._fill(batch, results.pop(number, {}))

    def _results(self, blocks: list[Any]) -> Iterator[list[dict[str, Any]]]:
        extractors, embedders, gpus = self._pools()
        ray = self.ray
        log.info("Ray engine: %d extraction and %d embedding actors (%s GPU each)", extractors, embedders, gpus)
        settings = self.settings.model_copy(update={"device": "cuda"}) if gpus else self.settings
        dataset = (
            ray.data.from_arrow_refs(blocks)
            .map_batches(
                ExtractActor,
                batch_size=None,  # one block is one ingest batch
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=extractors),
                num_cpus=1,
                fn_constructor_kwargs={"settings": self.settings, "extractor": self.extractor},
            )
            .map_batches(
                EmbedActor,
                batch_size=None,
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=embedders),
                num_cpus=1,
                num_gpus=gpus,
                fn_constructor_kwargs={"settings": settings, "encoder": self.encoder},
            )
        )
        for block in dataset.iter_batches(batch_size=None, batch_format="numpy"):
            n = len(block["id"])
            self.seconds["extract"] += float(np.sum(block["extract_s"]))
            self.seconds["embed"] += float(np.sum(block["embed_s"]))
            yield [{key: block[key][i] for key in ("batch", "id", "extraction", "error", "vector")} for i in range(n)]

    @staticmethod
    def _fill(batch: Batch, rows: dict[str, dict[str, Any]]) -> Batch:
        extracted: list[Extracted] = []
        for paper in batch.to_extract:
            row = rows[paper.id]
            extracted.append(str(row["error"]) or Extraction.model_validate_json(row["extraction"]))
        batch.extracted = extracted
        if batch.to_embed:
            batch.embedded = np.stack([np.frombuffer(rows[p.id]["vector"], dtype=np.float32) for p in batch.to_embed])
        return batch
