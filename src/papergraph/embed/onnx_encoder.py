"""A sentence-transformers model run by ONNX Runtime: fp32, or int8 weights quantised dynamically.

On first use the model's local copy is exported with ``torch.onnx`` (the transformer and its pooling in one graph),
and for int8 quantised with ``onnxruntime.quantization.quantize_dynamic``. Both artefacts are cached in
``<data_dir>/cache/onnx/<model>-<key>/`` (the key changes with the model files, the pooling, the exporter and the
quantiser), so later runs only load them. Nothing is downloaded. At run time only ``tokenizers`` and
``onnxruntime`` are used; torch is needed for the one-time export. Install with ``pip install -e '.[onnx]'``.

Supported: BERT-like models (inputs ``input_ids``, ``attention_mask``, ``token_type_ids``) with mean or CLS
pooling, which covers all-MiniLM-L6-v2. Output vectors are L2-normalised, as the torch backend returns them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from papergraph.atomic import atomic_write_with
from papergraph.config import Settings
from papergraph.embed.encoder import Vectors
from papergraph.errors import ConfigError
from papergraph.models import slugify

log = logging.getLogger(__name__)


OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Dynamic quantisation, chosen with scripts/bench_encoder.py: signed 8-bit weights with one scale per output
# channel keep MiniLM's vectors at cosine ~0.995 to fp32 (one scale per tensor: ~0.94; unsigned: ~0.98).
QUANT = {"weight_type": "QInt8", "per_channel": True, "reduce_range": False}


def pooling_mode(model_path: Path) -> str:
    """``mean`` or ``cls``, from the sentence-transformers Pooling module (mean when there is none)."""
    modules = model_path / "modules.json"
    if not modules.exists():
        return "mean"
    for module in json.loads(modules.read_text()):
        if module.get("type", "").endswith("Pooling"):
            config = json.loads((model_path / module["path"] / "config.json").read_text())
            if config.get("pooling_mode_mean_tokens"):
                return "mean"
            if config.get("pooling_mode_cls_token"):
                return "cls"
            raise ConfigError(f"{model_path}: only mean or CLS pooling can run on ONNX Runtime, not {config}")
    return "mean"


def model_max_tokens(model_path: Path) -> int:
    """The model's own token limit (sentence-transformers' ``max_seq_length``, else 512), as torch applies it."""
    config = model_path / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text()).get("max_seq_length") or 512)
    return 512


def artefact_key(model_path: Path, pooling: str) -> str:
    """Changes whenever the exported or quantised graph could differ."""
    import onnxruntime

    digest = hashlib.sha1(f"{pooling}|{OPSET}|{QUANT}|{onnxruntime.__version__}".encode())
    for name in ("config.json", "tokenizer.json"):
        if (model_path / name).exists():
            digest.update((model_path / name).read_bytes())
    for weights in sorted(model_path.glob("*.safetensors")) + sorted(model_path.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return digest.hexdigest()[:12]


def export_onnx(model_path: Path, out: Path, pooling: str) -> None:
    """The transformer and its pooling as one ONNX graph: token ids in, one (unnormalised) vector per text out."""
    import torch
    import transformers
    from transformers import AutoModel

    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    model = AutoModel.from_pretrained(str(model_path), local_files_only=True, attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            if pooling == "cls":
                return hidden[:, 0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    dummy = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {"embedding": {0: "batch"}}

    def write(tmp: Path) -> None:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about shapes fixed at export (checked by the tests)
            torch.onnx.export(
                Pooled(),
                (dummy, dummy, torch.zeros_like(dummy)),
                str(tmp),
                input_names=list(INPUTS),
                output_names=["embedding"],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,
            )

    atomic_write_with(out, write)
    log.info("exported %s to %s", model_path, out)


class _DropHint(logging.Filter):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


def quantize_int8(fp32: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    def write(tmp: Path) -> None:
        quantize_dynamic(
            str(fp32),
            str(tmp),
            weight_type=getattr(QuantType, str(QUANT["weight_type"])),
            per_channel=bool(QUANT["per_channel"]),
            reduce_range=bool(QUANT["reduce_range"]),
        )

    hint = _DropHint("pre-processing before quantization")  # onnxruntime's advice for vision models, on root
    logging.getLogger().addFilter(hint)
    try:
        atomic_write_with(out, write)
    finally:
        logging.getLogger().removeFilter(hint)
    log.info("quantised %s to int8 at %s", fp32, out)


class OnnxRunner:
    """Tokenizer plus an ONNX Runtime session over the exported (and maybe quantised) model."""

    def __init__(self, model_path: Path, settings: Settings, int8: bool) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ConfigError(
                f"encoder backend {settings.encoder_backend!r} needs onnxruntime: pip install -e '.[onnx]'"
            ) from exc
        if not (model_path / "tokenizer.json").exists():
            raise ConfigError(f"{model_path} has no tokenizer.json: the ONNX backend needs a fast tokenizer")
        pooling = pooling_mode(model_path)
        folder = settings.cache_dir / "onnx" / f"{slugify(settings.model)}-{artefact_key(model_path, pooling)}"
        path = folder / "model.onnx"
        if not path.exists():
            export_onnx(model_path, path, pooling)
        if int8:
            fp32, path = path, folder / "model-int8.onnx"
            if not path.exists():
                quantize_int8(fp32, path)
        self.path = path
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        if settings.torch_threads:
            options.intra_op_num_threads = settings.torch_threads
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self.max_tokens = min(settings.max_seq_length, model_max_tokens(model_path))
        self.tokenizer.enable_truncation(max_length=self.max_tokens)
        self.tokenizer.no_padding()
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.dim = int(self.session.get_outputs()[0].shape[-1] or self.encode_batch(["dimension probe"]).shape[1])

    def encode_batch(self, texts: Sequence[str]) -> Vectors:
        encodings = self.tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        feeds = {name: np.full((len(encodings), width), 0, dtype=np.int64) for name in INPUTS}
        feeds["input_ids"][:] = self.pad_id
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            feeds["input_ids"][row, :n] = enc.ids
            feeds["attention_mask"][row, :n] = enc.attention_mask
            feeds["token_type_ids"][row, :n] = enc.type_ids
        (vectors,) = self.session.run(["embedding"], feeds)
        vectors = np.asarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)

    def encode(self, texts: Sequence[str], batch_size: int) -> Vectors:
        """Batches of similar lengths (less padding), returned in the input order."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for lo in range(0, len(texts), batch_size):
            rows = order[lo : lo + batch_size]
            out[rows] = self.encode_batch([texts[i] for i in rows])
        return out
