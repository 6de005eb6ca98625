"""Rules written for the field, not for one set: result attribution (extract/attribution.py) and datasets by
shape and place, on sentences written for the test with the real pipeline."""

from __future__ import annotations

import pytest

from papergraph.config import Settings
from papergraph.extract import Extractor
from papergraph.extract.attribution import clause_span
from papergraph.extract.convert import shape_lineage
from papergraph.extract.text import Sentences
from papergraph.models import Paper


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(Settings(extract_batch_size=4))


def _ties(extractor: Extractor, text: str) -> dict[str, tuple[str | None, str | None]]:
    return {m.surface: (m.hardware, m.baseline_hardware) for m in extractor.extract_text(text).metrics}


def test_each_clause_says_where_its_own_results_ran(extractor: Extractor) -> None:
    ties = _ties(
        extractor,
        "On the STM32H743 one inference takes 3 ms, whereas the same network on an ESP32-S3 takes 41 ms.",
    )
    assert ties["3 ms"][0] == "STM32H743"
    assert ties["41 ms"][0] == "ESP32-S3"


def test_a_respectively_list_pairs_results_with_hardware_in_order(extractor: Extractor) -> None:
    ties = _ties(extractor, "It is 2.6x, 3.1x and 2.2x faster on the A100, the H100 and the MI300X, respectively.")
    assert [ties[s][0] for s in ("2.6x", "3.1x", "2.2x")] == ["NVIDIA A100", "NVIDIA H100", "AMD Instinct MI300X"]
    baselines = _ties(
        extractor, "FooNet is 4.7x and 13.5x faster than PyG on an A6000 and DGL on an EPYC 7763, respectively."
    )
    assert baselines["4.7x"] == (None, "NVIDIA RTX A6000")
    assert baselines["13.5x"] == (None, "AMD EPYC 7763")


def test_model_properties_and_levels_take_no_hardware_or_baseline(extractor: Extractor) -> None:
    ties = _ties(extractor, "On a Jetson Orin Nano, FooNet reaches 76.1% accuracy with 8-bit weights in 12 ms.")
    assert ties["76.1%"] == (None, None)  # accuracy belongs to the model
    assert ties["8-bit"] == (None, None)
    assert ties["12 ms"][0] == "NVIDIA Jetson Orin Nano"
    level = _ties(extractor, "FooNet draws 23 W, against 140 W for the A4000 GPU.")
    assert level["140 W"][0] == "NVIDIA RTX A4000"  # the comparison cue before a result is its own
    assert level["23 W"] == (None, None)  # a level has no baseline


def test_named_hardware_listed_together_leaves_a_result_untied(extractor: Extractor) -> None:
    ties = _ties(extractor, "On a Pixel 8 and a Galaxy S24, FooLM prefills 1,024 tokens in 0.41 s.")
    assert ties["0.41 s"][0] is None


def test_an_opening_comparison_is_the_baseline_of_the_sentence(extractor: Extractor) -> None:
    ties = _ties(
        extractor, "Relative to FAISS on an NVIDIA L4, FooANN is 3.2x slower per query but indexes 14x more vectors."
    )
    assert ties["14x"] == (None, "NVIDIA L4")


def test_a_class_baseline_stays_the_class(extractor: Extractor) -> None:
    ties = _ties(extractor, "On the Intel Arc GPU, FooBot completes 18% more picks than a GPU-only deployment.")
    assert ties["18%"][1] == "GPU"


def test_sizes_and_bandwidths_tie_to_the_memory_or_link_they_measure(extractor: Extractor) -> None:
    ties = _ties(extractor, "Features stay in 94 KB of SRAM and move over 400 Gbps RoCE.")
    assert ties["94 KB"][0] == "SRAM"
    assert ties["400 Gbps"][0] == "RoCE"


def test_clause_span_cuts_at_clause_breaks_only() -> None:
    text = "A takes 3 ms, whereas B takes 4 ms while drawing 5 W; C is fast."
    sentences = Sentences(text, [(0, len(text))])
    assert text[slice(*clause_span(text, sentences, text.index("3 ms")))] == "A takes 3 ms"
    assert text[slice(*clause_span(text, sentences, text.index("5 W")))] == "B takes 4 ms while drawing 5 W"


# ---------------------------------------------------------------------------------------- datasets by shape


@pytest.mark.parametrize(
    ("text", "datasets"),
    [
        (
            "It reaches 95.8% on Google Speech Commands v2 and 9.8% WER on Common Voice 17.0.",
            ["Speech Commands v2", "Common Voice 17.0"],
        ),
        ("We train CLIP on LAION-2B and DataComp-1B.", ["LAION-2B", "DataComp-1B"]),
        ("It is evaluated on 64 matrices from the SuiteSparse Matrix Collection.", ["SuiteSparse Matrix Collection"]),
        ("The Wake Vision dataset made person detection on MCUs practical.", ["Wake Vision"]),
        ("Across 18 models from the TorchBench and MLPerf Tiny suites, it wins.", ["TorchBench", "MLPerf Tiny"]),
        ("On MS MARCO, BEIR (13 datasets) and LoTTE, it matches the baseline.", ["MS MARCO", "BEIR", "LoTTE"]),
        ("It is evaluated on the LPW and 3ET+ benchmarks.", ["LPW", "3ET+"]),
    ],
)
def test_datasets_are_found_by_shape_and_place(extractor: Extractor, text: str, datasets: list[str]) -> None:
    assert [d.name for d in extractor.extract_text(text).datasets] == datasets


def test_a_benchmark_the_paper_introduces_is_no_dataset(extractor: Extractor) -> None:
    assert extractor.extract_text("We introduce the Foo Energy Leaderboard for LLM serving.").datasets == []


# ---------------------------------------------------------------------------------------- systems


@pytest.mark.parametrize(
    ("text", "name", "family"),
    [
        ("We deploy it with TensorRT 10 on an NVIDIA DRIVE AGX Thor.", "TensorRT 10", "TensorRT"),
        ("It runs on top of ROCm 6.2 and Triton kernels.", "ROCm 6.2", "ROCm"),
        ("Inference uses ONNX Runtime GenAI on the laptop.", "ONNX Runtime GenAI", None),
        ("Batches are loaded with PyTorch DataLoader workers.", "PyTorch DataLoader", None),
    ],
)
def test_known_tools_keep_their_release_and_products_named_after_them(
    extractor: Extractor, text: str, name: str, family: str | None
) -> None:
    systems = {s.name: s.family for s in extractor.extract_text(text).systems}
    assert name in systems
    assert systems[name] == family


def test_plain_names_in_tool_and_baseline_phrases(extractor: Extractor) -> None:
    names = {s.name for s in extractor.extract_text("Models are compiled with the Vela compiler.").systems}
    assert "Vela" in names
    names = {s.name for s in extractor.extract_text("Against Vespa and Weaviate on a GH200, FooDB is faster.").systems}
    assert {"Vespa", "Weaviate"} <= names


# ---------------------------------------------------------------------------------------- metrics


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("We distil a 1.2M-parameter teacher into a student.", 1_200_000, "parameters"),
        ("One 128K-token prompt can stall decoding.", 128_000, "tokens"),
        ("It serves 52,000 queries per second.", 52_000, "QPS"),
        ("It improves accuracy by 3.1 percentage points.", 3.1, "%"),
        ("It reaches 39.4 mIoU, 1.3 points above FlashOcc.", 1.3, "mIoU"),
        ("Its success rate is 95.8%, 1.1 points below the baseline.", 1.1, "%"),
        ("It reaches 52.7 NDS on nuScenes.", 52.7, "NDS"),
    ],
)
def test_compound_counts_score_units_and_points(extractor: Extractor, text: str, value: float, unit: str) -> None:
    assert (value, unit) in {(m.value, m.unit) for m in extractor.extract_text(text).metrics}


def test_points_that_count_things_are_no_result(extractor: Extractor) -> None:
    assert extractor.extract_text("The cloud has 10,000 points.").metrics == []


# ---------------------------------------------------------------------------------------- hardware


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("On an Alif Ensemble E3 board, it runs in 2.7 ms.", "Alif Ensemble E3"),
        ("We evaluate it on the SpacemiT K1 SoC.", "SpacemiT K1"),
        ("It serves queries from four Micron 9400 SSDs.", "Micron 9400"),
        ("It sustains 11,800 QPS on four Samsung 990 Pro drives.", "Samsung 990 Pro"),
        ("It runs on the Qualcomm AR1 Gen 1 platform inside the glasses.", "Qualcomm AR1 Gen 1"),
        ("We use an AMD VCK190 evaluation kit.", "AMD Versal VCK190"),
        ("The design runs on a Xilinx ZCU102 board.", "AMD Zynq UltraScale+ ZCU102"),
    ],
)
def test_unseen_models_by_shape(extractor: Extractor, text: str, name: str) -> None:
    hardware = extractor.extract_text(text).hardware
    assert name in [h.name for h in hardware]
    assert not [h for h in hardware if h.level.value == "class" and h.name != "FPGA"]  # the head noun is the model's


def test_a_result_is_credited_to_the_system_of_its_clause(extractor: Extractor) -> None:
    x = extractor.extract_text(
        "We present FooServe. On the A100, vLLM reaches 20 tokens/s, whereas our design reaches 31 tokens/s."
    )
    credit = {m.surface: m.system for m in x.metrics}
    assert credit["20 tokens/s"] == "vLLM"
    assert credit["31 tokens/s"] == "FooServe"  # not vLLM: its clause names no system, so the paper's own


# ---------------------------------------------------------------------------------------- techniques


@pytest.mark.parametrize(
    ("text", "technique"),
    [
        ("It decodes action tokens speculatively with a draft head.", "speculative decoding"),
        ("It combines chunking with speculative action decoding.", "speculative decoding"),
        ("HumSense is co-designed with the Neural-ART NPU of the MCU.", "hardware-software co-design"),
        ("TensorMD generates fused tensor-product kernels for each model.", "kernel generation"),
        ("Mosaic: Communication-Avoiding Distributed GNN Training on 256 GPUs", "distributed training"),
        ("It caches verified kernels across sessions.", "caching"),
    ],
)
def test_techniques_named_by_their_verbs(extractor: Extractor, text: str, technique: str) -> None:
    assert technique in {t.name for t in extractor.extract_text(text).techniques}


# ---------------------------------------------------------------------------------------- round 6: datasets by shape


@pytest.mark.parametrize(
    ("text", "dataset"),
    [
        ("Errors stay below 2% on the QM7x test split.", "QM7x"),
        ("It is evaluated zero-shot on the Argo-Night split.", "Argo-Night"),
        ("Accuracy is 88% on the Ok-Robo wake-word set.", "Ok-Robo"),
        ("We sample 300 matrices from the FloridaMat collection.", "FloridaMat"),
        ("Across 120 tasks from CudaBench and HipBench, FooGen writes correct kernels.", "CudaBench"),
        ("Our planner is scored on Bench2Fly in closed loop.", "Bench2Fly"),
    ],
)
def test_datasets_by_shape_and_part_nouns(extractor: Extractor, text: str, dataset: str) -> None:
    x = extractor.extract_text(text)
    assert dataset in {d.name for d in x.datasets}
    assert dataset not in {s.name for s in x.systems}


def test_a_benchmark_the_paper_proposes_stays_its_system(extractor: Extractor) -> None:
    x = extractor.extract_text("We introduce RoboBench, a suite of 40 manipulation tasks.")
    assert "RoboBench" not in {d.name for d in x.datasets}


@pytest.mark.parametrize(
    "text",
    [
        "BEVNet and OccNet set the accuracy standard on driving scenes.",
        "FlowServe splits each request into chunks.",
    ],
)
def test_verbs_shaped_like_part_nouns_name_no_dataset(extractor: Extractor, text: str) -> None:
    assert extractor.extract_text(text).datasets == []


def test_describing_compounds_in_titles_are_no_systems(extractor: Extractor) -> None:
    x = next(
        extractor.extract(
            [Paper(id="t", title="FooGen: LLM-Guided Kernel Generation for SLO-Aware Serving", abstract="")]
        )
    )
    names = {s.name for s in x.systems}
    assert "FooGen" in names
    assert not names & {"LLM-Guided", "SLO-Aware"}


# ---------------------------------------------------------------------------------------- round 6: metric kinds


def _kinds(extractor: Extractor, text: str) -> dict[str, str]:
    return {m.surface: m.kind for m in extractor.extract_text(text).metrics}


@pytest.mark.parametrize(
    ("text", "surface", "kind"),
    [
        ("The rover completes the course with a 91% success rate.", "91%", "accuracy"),
        ("The recogniser reaches 6.2% WER on noisy speech.", "6.2%", "accuracy"),
        ("Retrieval improves NDCG by 4.1% over BM25.", "4.1%", "accuracy"),
        ("Its mean accuracy is 80.1%, 1.2 points below the FP32 model.", "1.2 points", "accuracy-loss"),
        ("The quantised model stays within 0.6% of its teacher's accuracy.", "0.6%", "accuracy-loss"),
        ("The student is distilled on 9,000 hours of transcribed speech.", "9,000 hours", "other"),
        ("Each query covers a 3 s window of sensor data.", "3 s", "other"),
        ("With duty cycling, battery life reaches 19 hours.", "19 hours", "other"),
        ("Inference takes 3 s per image.", "3 s", "latency"),
        ("Quantization gives a 24 MB model that runs on the board.", "24 MB", "model-size"),
        ("Distillation shrinks the model to 96 KB of flash.", "96 KB", "model-size"),
        ("The kernel keeps 96 KB of SRAM busy.", "96 KB", "memory"),
        ("The backbone is pruned by 55% without retraining.", "55%", "model-size"),
        ("The agent writes a correct program for 64% of problems.", "64%", "accuracy"),
    ],
)
def test_metric_kind_from_the_words_around_it(extractor: Extractor, text: str, surface: str, kind: str) -> None:
    assert _kinds(extractor, text)[surface] == kind


def test_battery_capacity_is_a_unit_not_a_system(extractor: Extractor) -> None:
    x = extractor.extract_text("The drone carries a 450 mAh battery and spends 12 mWh per flight.")
    assert {(m.value, m.unit) for m in x.metrics} >= {(450.0, "mAh"), (12.0, "mWh")}
    assert x.systems == []


# ---------------------------------------------------------------------------------------- round 6: named products


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Trials ran on a Farm-ng Amiga robot in an orchard.", "Farm-ng Amiga"),  # maker + words + robot noun
        ("The policy drives a Clearpath Husky through the warehouse.", "Clearpath Husky"),  # a maker of robots alone
        ("A Unitree Go2 quadruped carries the board.", "Unitree Go2"),
        ("It flies a Bitcraze Crazyflie 2.1 with the Bitcraze AI-deck.", "Bitcraze AI-deck"),
        ("The pipeline runs on the ModalAI VOXL 2 flight computer.", "ModalAI VOXL 2"),
        ("Captions appear on Vuzix Blade glasses.", "Vuzix Blade"),
    ],
)
def test_products_named_by_words_after_their_maker(extractor: Extractor, text: str, name: str) -> None:
    assert name in {h.name for h in extractor.extract_text(text).hardware}


def test_a_class_after_a_chip_maker_is_no_product(extractor: Extractor) -> None:
    names = {h.name for h in extractor.extract_text("We train on an NVIDIA GPU cluster.").hardware}
    assert "NVIDIA GPU" in names  # the class, as before: a chip maker's Capitalized word is no product


# ---------------------------------------------------------------------------------------- round 6: measured-on hardware


def test_a_model_code_written_again_alone_is_the_same_model(extractor: Extractor) -> None:
    x = extractor.extract_text("We port it to a Moore Threads S4000 GPU. The S4000 then reaches 30 tokens/s.")
    assert {m.surface: m.hardware for m in x.metrics}["30 tokens/s"] == "Moore Threads S4000"


def test_parts_in_a_parenthesis_after_a_model_are_the_model(extractor: Extractor) -> None:
    ties = _ties(extractor, "On an Ampere Altra Q80-30 (80 Neoverse N1 cores), decoding reaches 12 tokens/s.")
    assert ties["12 tokens/s"][0] == "Ampere Altra Q80-30"
    assert ties["80 Neoverse N1 cores"][0] == "Ampere Altra Q80-30"


def test_results_placed_on_a_drive_tie_to_it(extractor: Extractor) -> None:
    ties = _ties(extractor, "The index serves 9,100 QPS on a single Kioxia CM7 SSD.")
    assert ties["9,100 QPS"][0] is not None and "CM7" in str(ties["9,100 QPS"][0])


@pytest.mark.parametrize(
    "text",
    [
        "Nodes are AMD Instinct MI300A APUs with unified HBM3 memory and reach 1.9x the throughput of rocBLAS.",
        "It reaches 2.1x the QPS of DiskANN running on Samsung PM9A3 drives.",
    ],
)
def test_memory_or_drives_of_another_thing_take_no_result(extractor: Extractor, text: str) -> None:
    hardware = [m.hardware for m in extractor.extract_text(text).metrics if m.unit == "x"]
    assert hardware and not any(h and ("HBM" in h or "PM9A3" in h) for h in hardware)


def test_phone_makers_written_with_a_code(extractor: Extractor) -> None:
    x = extractor.extract_text("On a vivo X200 and an OPPO Find X8, decoding runs at 11 tokens/s. Cells grow in vivo.")
    names = {h.name for h in x.hardware}
    assert {"vivo X200", "OPPO Find X8"} <= names
    assert {m.surface: m.hardware for m in x.metrics}["11 tokens/s"] is None  # two phones named together


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Against FooGNN, the prior FPGA design, it is 2x faster.", "FooGNN", "Against FooGNN"),
        ("The simulator is built on Flower 1.9.", "Flower 1.9", "Flower"),
        ("For NCCL AllReduce at 1 GB messages it is faster.", "NCCL", "NCCL AllReduce"),
    ],
)
def test_coined_and_known_names_as_written(extractor: Extractor, text: str, present: str, absent: str) -> None:
    names = {s.name for s in extractor.extract_text(text).systems}
    assert present in names and absent not in names


def test_codecs_and_vector_extensions_are_no_systems(extractor: Extractor) -> None:
    x = extractor.extract_text("It saves 21% bitrate over VVC and H.266 using RVV and SVE2 kernels.")
    assert not {s.name for s in x.systems} & {"VVC", "H.266", "RVV", "SVE2"}


def test_unseen_model_families_by_the_shape_of_their_names(extractor: Extractor) -> None:
    x = extractor.extract_text("We compare FooServe against Zorro-3-8B-Instruct and Quokka2.5-1.5B served by vLLM.")
    lineages = {s.name: s.lineage for s in x.systems}
    assert lineages["Zorro-3-8B-Instruct"] == ["Zorro-3-8B", "Zorro-3", "Zorro"]
    assert lineages["Quokka2.5-1.5B"] == ["Quokka2.5", "Quokka"]
    assert lineages["FooServe"] == []


@pytest.mark.parametrize("name", ["HP-GNN", "Edge-small", "GPT-4o", "X-1"])
def test_names_without_a_numbered_tail_have_no_shape_family(name: str) -> None:
    assert shape_lineage(name) == []


@pytest.mark.parametrize(
    ("text", "datasets"),
    [
        ("The teacher is trained on the Oulu-Radar and Edge-of-Town datasets.", {"Oulu-Radar", "Edge-of-Town"}),
        ("For GNN training with DGL on Flickr and ogbn-arxiv, epochs take 2 s.", {"Flickr", "ogbn-arxiv"}),
        ("On MovieLens-1M and ML-20M the recommender wins.", {"MovieLens-1M", "MovieLens-20M"}),
    ],
)
def test_datasets_in_lists_and_sized_variants(extractor: Extractor, text: str, datasets: set[str]) -> None:
    assert datasets <= {d.name for d in extractor.extract_text(text).datasets}


def test_a_weak_cue_needs_a_known_dataset_in_its_list(extractor: Extractor) -> None:
    assert extractor.extract_text("We run FooNet on BarNet and BazNet.").datasets == []


def test_rates_in_hertz_and_scores_written_before_their_value(extractor: Extractor) -> None:
    x = extractor.extract_text("The planner runs at 12 Hz, with an RTF of 0.2, a MOS of 3.9 and an AUC of 0.91.")
    got = {(m.value, m.unit, m.kind) for m in x.metrics}
    assert {
        (12.0, "Hz", "throughput"),
        (0.2, "RTF", "latency"),
        (3.9, "MOS", "accuracy"),
        (0.91, "AUC", "accuracy"),
    } <= got


def test_hyphenated_durations_are_results(extractor: Extractor) -> None:
    x = extractor.extract_text("The phones stay below 40 °C during a 15-minute chat and a 3-day soak test.")
    assert {(15.0, "min"), (3.0, "days")} <= {(m.value, m.unit) for m in x.metrics}


def test_a_number_after_a_plain_word_is_no_score(extractor: Extractor) -> None:
    assert extractor.extract_text("We use version 2 of the tool, whose size is 3.").metrics == []


def test_a_type_noun_after_a_model_code_is_no_part_of_its_name(extractor: Extractor) -> None:
    names = {h.name for h in extractor.extract_text("Work moves to BlueField-3 DPUs and the Hexagon 698 DSP.").hardware}
    assert {"NVIDIA BlueField-3", "Qualcomm Hexagon 698"} <= names


def test_a_count_of_cores_ties_to_the_model_right_after_it(extractor: Extractor) -> None:
    ties = _ties(
        extractor, "The baseline runs on a 64-core AMD EPYC 9554 and on the 850,000 cores of a Cerebras WSE-2."
    )
    assert ties["64-core"][0] == "AMD EPYC 9554"
    assert ties["850,000 cores"][0] == "Cerebras WSE-2"


@pytest.mark.parametrize(
    ("text", "datasets"),
    [
        ("Training on 2 PB of SatFoo-3 and BarCast fields reaches 1 EFLOPS.", {"SatFoo-3", "BarCast"}),
        ("It processes 12 hours of QuuxEgo video per second.", {"QuuxEgo"}),
        ("We pretrain on a mix of ZetaScan and our own scans.", {"ZetaScan"}),
        ("It reaches 41.2 mAP on Zeta365 and a 71% success rate on ROBOWORLD.", {"Zeta365", "ROBOWORLD"}),
        ("With 50 tasks from FooWorld, the planner is 2x faster.", {"FooWorld"}),
    ],
)
def test_datasets_after_amounts_results_and_drawn_items(extractor: Extractor, text: str, datasets: set[str]) -> None:
    found = extractor.extract_text(text)
    assert datasets <= {d.name for d in found.datasets}
    assert not datasets & {s.name for s in found.systems}


def test_a_makers_name_before_a_system_is_part_of_its_name(extractor: Extractor) -> None:
    found = extractor.extract_text("We compare against Intel FooBLAS and Apache QuuxDB, and Meta's BarLib.").systems
    names = {s.name: s for s in found}
    assert {"Intel FooBLAS", "Apache QuuxDB", "BarLib"} <= set(names)
    assert names["Intel FooBLAS"].family == "FooBLAS"
    assert not {"Intel", "FooBLAS", "Meta"} & set(names)


@pytest.mark.parametrize(
    ("text", "technique"),
    [
        ("The detector's backbone is pruned by 60% of its channels.", "pruning"),
        ("FooRT fuses the gather step with the following matmul.", "operator fusion"),
        ("Each decode phase is scheduled on the NPU while prefill runs on the GPU.", "scheduling"),
        ("BarOS schedules clients by predicted battery drain.", "scheduling"),
        ("FooFlow compiles GPTQ-quantized decoders into one bitstream.", "compiler optimization"),
    ],
)
def test_technique_verbs_in_any_frame(extractor: Extractor, text: str, technique: str) -> None:
    assert technique in {t.name for t in extractor.extract_text(text).techniques}


def test_pruning_a_computation_graph_is_no_model_pruning(extractor: Extractor) -> None:
    assert "pruning" not in {t.name for t in extractor.extract_text("It prunes the backward graph.").techniques}


def test_compile_time_is_no_compiler_technique(extractor: Extractor) -> None:
    found = extractor.extract_text("Kernels are specialised at compile time for each layer.").techniques
    assert "compiler optimization" not in {t.name for t in found}


def test_names_with_a_micro_sign_or_greek_letter(extractor: Extractor) -> None:
    found = extractor.extract_text("We propose µFooNet-S, and compare it with BarFormer-μ and the ψ2 policy.").systems
    assert {"µFooNet-S", "BarFormer-μ", "ψ2"} <= {s.name for s in found}


def test_part_codes_seen_alone_are_no_systems_and_no_results(extractor: Extractor) -> None:
    found = extractor.extract_text("A ring reads SpO2 on an xQ78K12 node, and QuuxAdapt tunes the filter.")
    assert {s.name for s in found.systems} == {"QuuxAdapt"}
    assert found.metrics == []


def test_wearables_named_by_product_line(extractor: Extractor) -> None:
    found = extractor.extract_text("It runs on a Pixel Watch 4, Galaxy Buds 5 Pro earbuds and AirPods Pro 3.").hardware
    names = {h.name: h for h in found}
    assert {"Google Pixel Watch 4", "Samsung Galaxy Buds 5 Pro", "Apple AirPods Pro 3"} <= set(names)
    assert names["Google Pixel Watch 4"].type.value == "wearable"


def test_lower_case_project_names_by_shape(extractor: Extractor) -> None:
    found = extractor.extract_text("We compare quux.cpp, foolm.js and the zeta-small-en-v2.1 encoder.").systems
    assert {"quux.cpp", "foolm.js", "zeta-small-en-v2.1"} <= {s.name for s in found}


def test_a_makers_tool_named_by_capitalized_words_and_a_tool_noun(extractor: Extractor) -> None:
    found = extractor.extract_text("Kernels run through Qualcomm Foo Engine Direct and Intel Bar Toolkit.").systems
    assert {"Qualcomm Foo Engine Direct", "Intel Bar Toolkit"} <= {s.name for s in found}
