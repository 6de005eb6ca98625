"""The hardware grammar: vendor + product line + model code + type noun, and the hierarchy of each mention."""

from __future__ import annotations

import pytest
import spacy

from papergraph.config import Settings
from papergraph.extract import Extractor
from papergraph.extract.hardware import HardwareGrammar
from papergraph.extract.rules import Rule, entity_table, load_rules
from papergraph.extract.text import tune_tokenizer
from papergraph.models import HardwareMention


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(Settings(extract_batch_size=4))


def _hw(extractor: Extractor, text: str) -> list[HardwareMention]:
    return extractor.extract_text(text).hardware


def _names(extractor: Extractor, text: str) -> list[str]:
    return list(dict.fromkeys(h.name for h in _hw(extractor, text)))


# ---------------------------------------------------------------------------------------- a grammar, not a list


def _row(label: str, pattern: object, id_: str, **attrs: object) -> Rule:
    return Rule(label, pattern, id_, dict(attrs))  # type: ignore[arg-type]


def test_the_grammar_reads_names_it_has_never_seen() -> None:
    """A made-up vendor and product line: every model name below comes from the shape, none from a list."""
    rules = [
        _row("VENDOR", "Acme", "vendor:acme", name="Acme"),
        _row("FAMILY", "Rocket", "family:acme-rocket", name="Acme Rocket", vendor="Acme", type="ASIC"),
        _row(
            "FAMILY",
            "Nova",
            "family:acme-rocket-nova",
            name="Acme Rocket Nova",
            parent="family:acme-rocket",
            standalone=True,
        ),
        _row("VARIANT", "Ultra", "variant:ultra"),
        _row("HEAD", "chip", "head:chip", type="other"),
        _row("HEAD", "GPU", "head:gpu", type="GPU"),
    ]
    nlp = tune_tokenizer(spacy.blank("en"))
    grammar = HardwareGrammar(nlp, rules)
    doc = nlp("Acme Rocket R7-200 chips beat the Nova 3 Ultra, a Rocket, the Rocket Nova and a ZX9000 GPU.")
    found = [(m.name, m.level, m.family, m.lineage) for m in grammar.find(doc)]
    assert found == [
        ("Acme Rocket R7-200", "model", "Acme Rocket", ["Acme Rocket"]),
        ("Acme Rocket Nova 3 Ultra", "model", "Acme Rocket Nova", ["Acme Rocket Nova", "Acme Rocket"]),
        ("Acme Rocket", "family", None, []),
        ("Acme Rocket Nova", "family", "Acme Rocket", ["Acme Rocket"]),
        ("ZX9000", "model", None, []),  # an unknown maker's model before a type noun
    ]


def test_bundled_hardware_rows_hold_together() -> None:
    rules = load_rules("hardware.jsonl")
    meta = entity_table(rules)
    for rule in rules:
        if rule.label == "CODE":
            assert rule.id.startswith("family:") and meta[rule.id].get("name"), rule.source
        parent = rule.get("parent")
        if parent:
            assert parent in meta and meta[parent].get("name"), rule.source
    assert len(rules) < 1000  # a grammar over product lines, not an enumeration of models


# ---------------------------------------------------------------------------------------- models as named


@pytest.mark.parametrize(
    ("text", "name", "type_", "vendor", "family"),
    [
        ("two RTX 4060 Ti cards", "NVIDIA GeForce RTX 4060 Ti", "GPU", "NVIDIA", "NVIDIA Ada Lovelace"),
        ("an Intel Xeon Platinum 8480+ host", "Intel Xeon Platinum 8480+", "CPU", "Intel", "Intel Xeon"),
        ("on an EPYC 9654", "AMD EPYC 9654", "CPU", "AMD", "AMD EPYC"),
        ("a Xilinx Kria KV260 board", "AMD Kria KV260", "FPGA", "AMD", "AMD Kria"),
        ("the Orin Nano Super", "NVIDIA Jetson Orin Nano Super", "edge-board", "NVIDIA", "NVIDIA Jetson Orin"),
        ("Ascend 310P NPUs", "Huawei Ascend 310P", "NPU", "Huawei", "Huawei Ascend"),
        ("Gaudi 3 accelerators", "Intel Gaudi 3", "ASIC", "Intel", "Intel Gaudi"),
        ("a Dimensity 9300 phone", "MediaTek Dimensity 9300", "SoC", "MediaTek", "MediaTek Dimensity"),
        ("a MAX78000 MCU", "MAX78000", "microcontroller", "Analog Devices", "Analog Devices MAX7800x"),
        ("Snapdragon 8 Gen 3", "Qualcomm Snapdragon 8 Gen 3", "SoC", "Qualcomm", "Qualcomm Snapdragon"),
        ("MI300X GPUs", "AMD Instinct MI300X", "GPU", "AMD", "AMD Instinct MI300"),
        ("Hailo-15 and", "Hailo-15", "NPU", "Hailo", "Hailo"),
        ("LPDDR5X memory", "LPDDR5X", "memory", None, "LPDDR"),
        ("an STM32F746 MCU", "STM32F746", "microcontroller", "STMicroelectronics", "STM32F7"),
        ("a Core i9-13900K", "Intel Core i9-13900K", "CPU", "Intel", "Intel Core"),
        ("Cortex M4 cores", "Arm Cortex-M4", "microcontroller", "Arm", "Arm Cortex-M"),
        ("Tesla V100 GPUs", "NVIDIA V100", "GPU", "NVIDIA", "NVIDIA Volta"),
        ("TPUv4 chips", "Google TPU v4", "TPU", "Google", "Google TPU"),
        ("an M2-Ultra", "Apple M2 Ultra", "SoC", "Apple", "Apple M2"),
        ("a DGX A100", "NVIDIA DGX A100", "other", "NVIDIA", "NVIDIA DGX"),
    ],
)
def test_models_keep_their_name_and_sit_under_their_line(
    extractor: Extractor, text: str, name: str, type_: str, vendor: str | None, family: str
) -> None:
    (mention,) = _hw(extractor, f"We run on {text} today.")
    assert (mention.name, mention.type, mention.vendor, mention.family) == (name, type_, vendor, family)
    assert mention.level == "model"


def test_one_chip_spelled_many_ways_is_one_name(extractor: Extractor) -> None:
    assert _names(extractor, "NVIDIA A100 GPUs, 8 A100s, an A100-80GB and a100 nodes.") == ["NVIDIA A100"]
    assert _names(extractor, "Hailo 8 and Hailo-8; GAP-8 and GAP8.") == ["Hailo-8", "GreenWaves GAP8"]


def test_models_never_fold_into_their_family_or_a_sibling(extractor: Extractor) -> None:
    names = _names(extractor, "Jetson Orin NX, Jetson Orin Nano, Hailo-8, Hailo-15, MI300X, MI250X and LPDDR5.")
    assert names == [
        "NVIDIA Jetson Orin NX",
        "NVIDIA Jetson Orin Nano",
        "Hailo-8",
        "Hailo-15",
        "AMD Instinct MI300X",
        "AMD Instinct MI250X",
        "LPDDR5",
    ]


def test_lineage_is_the_chain_of_lines_above(extractor: Extractor) -> None:
    (nx,) = _hw(extractor, "We deploy on a Jetson AGX Orin.")
    assert (nx.name, nx.family, nx.lineage) == (
        "NVIDIA Jetson AGX Orin",
        "NVIDIA Jetson Orin",
        ["NVIDIA Jetson Orin", "NVIDIA Jetson"],
    )
    (line,) = _hw(extractor, "Jetson Orin modules are popular.")
    assert (line.name, line.level, line.family) == ("NVIDIA Jetson Orin", "family", "NVIDIA Jetson")


def test_a_slash_names_sibling_models(extractor: Extractor) -> None:
    names = _names(extractor, "We test Jetson Orin NX/Nano and RTX 3090/4090 GPUs.")
    assert names == [
        "NVIDIA Jetson Orin NX",
        "NVIDIA Jetson Orin Nano",
        "NVIDIA GeForce RTX 3090",
        "NVIDIA GeForce RTX 4090",
    ]


def test_a_vendor_or_instruction_set_qualifies_a_class(extractor: Extractor) -> None:
    found = [(h.name, h.level, h.vendor, h.type) for h in _hw(extractor, "It beats AMD GPUs and Intel CPUs.")]
    assert found == [("AMD GPU", "class", "AMD", "GPU"), ("Intel CPU", "class", "Intel", "CPU")]
    found = [(h.name, h.vendor) for h in _hw(extractor, "It runs on Arm cores and a RISC-V-based 8-core MCU.")]
    assert found == [("Arm CPU", "Arm"), ("RISC-V microcontroller", None)]  # an instruction set is no vendor
    assert _names(extractor, "Intel Habana and SambaNova systems") == ["Intel Gaudi", "SambaNova"]


# ---------------------------------------------------------------------------------------- classes


def test_device_classes_in_plain_words(extractor: Extractor) -> None:
    text = (
        "It runs on phones, laptops, consumer PCs, smartwatches and NPUs, spilling to host memory, SSDs and disks "
        "from DRAM and on-chip SRAM."
    )
    found = [(h.name, h.level) for h in _hw(extractor, text)]
    assert found == [
        ("smartphone", "class"),
        ("laptop", "class"),
        ("desktop", "class"),
        ("smartwatch", "class"),
        ("NPU", "class"),
        ("host memory", "class"),
        ("SSD", "class"),
        ("disk", "class"),
        ("DRAM", "class"),
        ("SRAM", "class"),
    ]


def test_a_class_spoken_of_in_general_stays_next_to_a_named_model(extractor: Extractor) -> None:
    assert _names(extractor, "GPUs are costly; we use an H100 GPU.") == ["GPU", "NVIDIA H100"]
    # "the GPU" points back at the H100: no class of its own
    assert _names(extractor, "We use an H100. The GPU is fast.") == ["NVIDIA H100"]
    assert _names(extractor, "We use an H100. The GPU memory is small.") == ["NVIDIA H100", "GPU"]  # not the head
    # a line spoken of in general stays; pointed back at, it is the one model named
    assert _names(extractor, "Jetson boards are common; we use a Jetson Orin NX.") == [
        "NVIDIA Jetson",
        "NVIDIA Jetson Orin NX",
    ]
    assert _names(extractor, "We use a Jetson Orin NX. The Jetson is fast.") == ["NVIDIA Jetson Orin NX"]


def test_type_nouns_of_a_model_are_part_of_it_and_negated_classes_are_none(extractor: Extractor) -> None:
    text = "It runs at 64 FPS on the Snapdragon 865 CPU and on the ESP32 system-on-chip microcontroller."
    assert _names(extractor, text) == ["Qualcomm Snapdragon 865", "ESP32"]
    assert _names(extractor, "We evaluate on GPU-less and CPU-free devices.") == []
    assert _names(extractor, "It runs on a large Ascend NPU cluster.") == ["Huawei Ascend"]


def test_form_factors_and_capacities_are_packaging_of_the_model(extractor: Extractor) -> None:
    text = "A PCIe A100, the H100 SXM5 GPUs, an MI250X OAM module and RTX 4090 24GB cards, linked over PCIe 4.0."
    assert _names(extractor, text) == [
        "NVIDIA A100",
        "NVIDIA H100",
        "AMD Instinct MI250X",
        "NVIDIA GeForce RTX 4090",
        "PCIe 4.0",
    ]
    x = extractor.extract_text("Training on A100 (80 GB) GPUs.")
    assert [h.surface for h in x.hardware] == ["A100"]  # the capacity stays a number of its own
    assert [(m.value, m.unit) for m in x.metrics] == [(80.0, "GB")]


def test_words_that_need_their_vendor_code_or_type_noun(extractor: Extractor) -> None:
    assert _names(extractor, "Tensor Cores and the Core idea of Pascal's law.") == []
    assert _names(extractor, "Intel Core processors and Pixel phones.") == ["Intel Core", "Google Pixel"]


def test_a_vendor_line_no_row_names_with_its_model(extractor: Extractor) -> None:
    names = _names(extractor, "Switches use the Broadcom Tomahawk 5 and Renesas R-Car V4H parts; Intel Labs 2 times.")
    assert "Broadcom Tomahawk 5" in names and "Renesas R-Car V4H" in names
    assert not any("Labs" in n for n in names)
