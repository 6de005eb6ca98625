"""The ONNX Runtime backends on the real packaged MiniLM: fp32 equals torch, int8 stays close and ranks alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from papergraph.config import Settings
from papergraph.corpus import read_corpus
from papergraph.embed import Encoder

pytest.importorskip("onnxruntime")
pytestmark = pytest.mark.integration

CORPUS = Path(__file__).parents[2] / "data" / "corpus"


@pytest.fixture(scope="module")
def papers() -> list[tuple[str, str]]:
    found, _ = read_corpus([CORPUS])
    return [(p.title, p.text) for p in found[:40]]


def test_int8_minilm_keeps_vectors_and_rankings(papers: list[tuple[str, str]], tmp_path: Path) -> None:
    texts = [text for _, text in papers]
    titles = [title for title, _ in papers]
    encoders = {b: Encoder(Settings(data_dir=tmp_path, encoder_backend=b)) for b in ("torch", "onnx", "onnx-int8")}
    vectors = {b: e.encode(texts) for b, e in encoders.items()}
    assert np.min(np.sum(vectors["onnx"] * vectors["torch"], axis=1)) > 0.9999
    cosine = np.sum(vectors["onnx-int8"] * vectors["torch"], axis=1)
    assert cosine.mean() > 0.99 and cosine.min() > 0.98
    # each title still finds its own paper first, as often as with torch
    hits = {
        b: int(np.sum(np.argmax(e.encode(titles) @ vectors[b].T, axis=1) == np.arange(len(titles))))
        for b, e in encoders.items()
    }
    assert hits["onnx-int8"] >= hits["torch"] - 1
    assert encoders["onnx-int8"].model_id.endswith("@256+onnx-int8")
