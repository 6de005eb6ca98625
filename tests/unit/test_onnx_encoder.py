"""The ONNX Runtime encoder backend on a tiny BERT built in the test: export, int8, cache, pooling, identity."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from papergraph.config import Settings
from papergraph.embed import Encoder, onnx_encoder
from papergraph.errors import ConfigError

pytest.importorskip("onnxruntime")
torch = pytest.importorskip("torch")

WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [f"w{i}" for i in range(60)] + ["fpga", "gpu", "edge"]
TEXTS = ["w1 w2 w3 fpga", "gpu w7 w8", "edge w10 w11 w12 w13 w14 w15 w16 w17", "w3"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer, 32-wide BERT with a word-piece tokenizer and mean pooling, saved as sentence-transformers does."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(WORDS), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    BertModel(config).save_pretrained(folder)
    tokenizer = Tokenizer(models.WordPiece({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True}))
    modules = [{"path": "", "type": "sentence_transformers.models.Transformer"}]
    modules.append({"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"})
    (folder / "modules.json").write_text(json.dumps(modules))
    return folder


def torch_reference(model_path: Path, texts: list[str], max_len: int = 256) -> np.ndarray:
    from tokenizers import Tokenizer
    from transformers import BertModel

    tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_len)
    model = BertModel.from_pretrained(str(model_path), attn_implementation="eager").eval()
    out = []
    for text in texts:
        ids = torch.tensor([tokenizer.encode(text).ids])
        with torch.no_grad():
            hidden = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state[0]
        vector = hidden.mean(0).numpy()
        out.append(vector / np.linalg.norm(vector))
    return np.stack(out)


def encoder(model: Path, data_dir: Path, backend: str, **settings: object) -> Encoder:
    return Encoder(Settings(model=str(model), data_dir=data_dir, encoder_backend=backend, **settings))  # type: ignore[arg-type]


def test_onnx_fp32_matches_torch_and_int8_stays_close(tiny_model: Path, tmp_path: Path) -> None:
    reference = torch_reference(tiny_model, TEXTS)
    fp32 = encoder(tiny_model, tmp_path, "onnx").encode(TEXTS, batch_size=3)
    assert fp32.shape == (4, 32) and fp32.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(fp32, axis=1), 1.0, rtol=1e-5)
    assert np.min(np.sum(fp32 * reference, axis=1)) > 0.9999  # padding and batching change nothing
    int8 = encoder(tiny_model, tmp_path, "onnx-int8").encode(TEXTS)
    assert np.min(np.sum(int8 * reference, axis=1)) > 0.95
    assert encoder(tiny_model, tmp_path, "onnx").encode_query("w3").shape == (32,)


def test_artefacts_are_cached_in_the_data_dir(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = encoder(tiny_model, tmp_path, "onnx-int8")
    first.encode(TEXTS)
    folders = list((tmp_path / "cache" / "onnx").iterdir())
    assert len(folders) == 1 and sorted(p.name for p in folders[0].iterdir()) == ["model-int8.onnx", "model.onnx"]

    def refuse(*args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_encoder, "export_onnx", refuse)
    monkeypatch.setattr(onnx_encoder, "quantize_int8", refuse)
    np.testing.assert_allclose(encoder(tiny_model, tmp_path, "onnx-int8").encode(TEXTS), first.encode(TEXTS))


def test_artefacts_are_synced_to_disk_before_they_replace_anything(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written like every other file of the data dir (papergraph.atomic): a crash never leaves half a model."""
    import os

    from papergraph import atomic

    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")).name)
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    encoder(tiny_model, tmp_path, "onnx-int8").encode(TEXTS[:1])
    assert {name.split(".")[1] for name in synced if name.endswith(".tmp")} >= {"model", "model-int8"}


def test_identity_and_truncation(tiny_model: Path, tmp_path: Path) -> None:
    short = encoder(tiny_model, tmp_path, "onnx", max_seq_length=16)
    assert short.model_id == f"{tiny_model}@16+onnx" and short.dim == 32
    long_text = " ".join(f"w{i % 60}" for i in range(100))
    np.testing.assert_allclose(
        short.encode([long_text]), torch_reference(tiny_model, [long_text], max_len=16), atol=1e-5
    )
    assert encoder(tiny_model, tmp_path, "torch").model_id == f"{tiny_model}@256"


def test_unsupported_models_are_refused(tiny_model: Path, tmp_path: Path) -> None:
    (tmp_path / "max").mkdir()
    (tmp_path / "max" / "modules.json").write_text(json.dumps([{"path": "p", "type": "x.Pooling"}]))
    (tmp_path / "max" / "p").mkdir()
    (tmp_path / "max" / "p" / "config.json").write_text(json.dumps({"pooling_mode_max_tokens": True}))
    with pytest.raises(ConfigError, match="mean or CLS"):
        onnx_encoder.pooling_mode(tmp_path / "max")
    with pytest.raises(ConfigError, match="local model folder"):
        encoder(Path("no-such-model-anywhere"), tmp_path, "onnx").encode(["x"])
