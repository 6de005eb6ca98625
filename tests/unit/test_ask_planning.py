"""Reading questions into query plans: intents, levels, corrections, roles, filters (no graph, no model).

The vocabulary is built from hand-made entity counts, a few gazetteer rows and three abstracts, so every
expectation below follows from data written here.
"""

from __future__ import annotations

import pytest

from papergraph.graph.query import GroupBy, NodeMatch
from papergraph.models import EntityType as E
from papergraph.models import Paper
from papergraph.query.linking import allowed_edits
from papergraph.query.plan import Intent, Level, MatchKind, QueryPlan, Role
from papergraph.query.planner import Planner
from papergraph.query.rules import question_rules
from papergraph.query.vocabulary import build_vocabulary, mine_abbreviations
from support import entity_count as entity

ENTITIES = [
    entity(E.HARDWARE, "GPU", 9, type="GPU"),
    entity(E.HARDWARE, "FPGA", 5, type="FPGA"),
    entity(E.HARDWARE, "NVIDIA A100", 4, type="GPU", family="NVIDIA Ampere"),
    entity(E.HARDWARE, "NVIDIA H100", 3, type="GPU", family="NVIDIA Hopper"),
    entity(E.HARDWARE, "AMD Instinct MI250X", 1, type="GPU", family="AMD Instinct"),
    entity(E.HARDWARE, "NVIDIA Jetson Orin Nano", 2, type="edge-board", family="NVIDIA Jetson Orin"),
    entity(E.HARDWARE, "NVIDIA Jetson Orin", 1, type="edge-board", family="NVIDIA Jetson", level="family"),
    entity(E.HARDWARE, "Intel Xeon", 2, type="CPU", family="Intel Xeon"),
    entity(E.HARDWARE, "smartphone", 3, type="smartphone"),
    entity(E.HARDWARE, "AMD GPU", 1, type="GPU", vendor="AMD", level="class"),  # a vendor's class
    entity(E.HARDWARE, "AMD Alveo U280", 1, type="FPGA", vendor="AMD", family="AMD Alveo"),
    entity(E.HARDWARE, "NVDLA", 1, type="NPU", vendor="NVIDIA", level="family"),
    entity(E.HARDWARE, "AMD ZCU102", 1, type="FPGA", vendor="AMD", family="AMD Zynq UltraScale+ boards"),
    entity(E.HARDWARE, "AMD Zynq UltraScale+ boards", 1, type="FPGA", family="AMD Zynq UltraScale+", level="family"),
    entity(E.HARDWARE, "NVIDIA Jetson Nano", 1, type="edge-board", vendor="NVIDIA", family="NVIDIA Jetson"),
    entity(E.TECHNIQUE, "quantization", 6, family="model compression"),
    entity(E.TECHNIQUE, "pruning", 3, family="model compression"),
    entity(E.TECHNIQUE, "post-training quantization", 2, family="quantization"),
    entity(E.TECHNIQUE, "knowledge distillation", 2, family="model compression"),
    entity(E.TECHNIQUE, "speculative decoding", 2),
    entity(E.TECHNIQUE, "federated learning", 2),
    entity(E.SYSTEM, "vLLM", 3),
    entity(E.SYSTEM, "SGLang", 2),
    entity(E.SYSTEM, "TeLLMe", 1),
    entity(E.SYSTEM, "MELTing", 1),
    entity(E.SYSTEM, "ResNet50", 1, family="ResNet"),
    entity(E.SYSTEM, "HAWQV3", 1),
    entity(E.SYSTEM, "Llama 2", 2, family="Llama"),
    entity(E.SYSTEM, "i.e.", 1),  # what extraction once made of "i.e."
    entity(E.DATASET, "ImageNet", 2),
]
GAZETTEER = [
    {
        "label": "TECHNIQUE",
        "pattern": "LoRA",
        "id": "technique:low-rank-adaptation",
        "name": "low-rank adaptation",
        "case": True,
    },
    {
        "label": "TECHNIQUE",
        "pattern": "PTQ",
        "id": "technique:post-training-quantization",
        "name": "post-training quantization",
        "case": True,
    },
    {
        "label": "HARDWARE",
        "pattern": "H200",
        "id": "hardware:nvidia-h200",
        "name": "NVIDIA H200",
        "type": "GPU",
        "case": True,
    },
    {
        "label": "HARDWARE",
        "pattern": "graphics card",
        "id": "hardware:gpu",
        "name": "GPU",
        "type": "GPU",
        "generic": True,
    },
    {"label": "VENDOR", "pattern": "Graphcore", "id": "vendor:graphcore", "name": "Graphcore"},
    {"label": "VENDOR", "pattern": "RISC-V", "id": "vendor:risc-v", "name": "RISC-V", "isa": True},
    {"label": "FAMILY", "pattern": "IPU", "id": "family:graphcore-ipu", "name": "Graphcore IPU", "case": True},
    {"label": "FAMILY", "pattern": "CS", "id": "family:cerebras-cs", "name": "Cerebras CS", "case": True},
    {"label": "FAMILY", "pattern": "Jetson Orin", "id": "family:jetson-orin", "name": "NVIDIA Jetson Orin"},
    {
        "label": "HARDWARE",
        "pattern": "Frontier",
        "id": "hardware:frontier",
        "name": "Frontier",
        "context": ["supercomputer"],
    },
]
PAPERS = [
    Paper(
        id="a",
        title="Distilling efficient models",
        abstract="We use knowledge distillation (KD) for efficient inference.",
        authors=["Ann Smith", "Bo Li"],
    ),
    Paper(
        id="b",
        title="Melting point",
        abstract="The melting of caches. Pruning and quantization of models.",
        authors=["Carla Gomez"],
    ),
    Paper(
        id="c",
        title="Serving",
        abstract="Serving large language models (LLMs) with vLLM: inference on efficient GPUs.",
        authors=[],
    ),
]


@pytest.fixture(scope="module")
def planner() -> Planner:
    rules = question_rules()
    return Planner(build_vocabulary(ENTITIES, PAPERS, rules, gazetteer=GAZETTEER), rules)


def refs(plan: QueryPlan, role: Role | None = None) -> list[tuple[str, str, str]]:
    roles = (role,) if role else ()
    return [(e.name, e.level.value, e.words) for e in plan.entities(*roles)]


# --------------------------------------------------------------------------------------------------
# Intents: one question per class, phrased the way people do
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Which papers use quantization on GPUs?", Intent.LIST),
        ("Show me work on federated learning", Intent.LIST),
        ("How many papers use FPGAs?", Intent.COUNT),
        ("What throughput does TeLLMe reach?", Intent.FACT),
        ("How fast is vLLM on an A100?", Intent.FACT),
        ("vLLM vs SGLang", Intent.COMPARE),
        ("Compare the H100 and the A100", Intent.COMPARE),
        ("vLLM or SGLang: which is faster?", Intent.COMPARE),
        ("How does pruning differ from quantization?", Intent.COMPARE),
        ("Which hardware do the most papers use?", Intent.TOP_N),
        ("What are the most used datasets?", Intent.TOP_N),
        ("Which GPUs appear most often?", Intent.TOP_N),
        ("Which techniques co-occur with pruning?", Intent.COOCCURRENCE),
        ("What hardware is used together with speculative decoding?", Intent.COOCCURRENCE),
        ("What is the best tokens/s reported on an A100?", Intent.SUPERLATIVE),
        ("Which paper reports the lowest latency on FPGAs?", Intent.SUPERLATIVE),
        ("How many papers per year mention quantization?", Intent.TREND),
        ("How has work on speculative decoding grown over the years?", Intent.TREND),
        ("How can cold starts of serverless functions be reduced?", Intent.SEMANTIC),
        ("What ImageNet top-1 accuracy does ResNet50 reach?", Intent.FACT),  # top-1 is not a superlative
        ("FP8 versus INT8 for inference", Intent.SEMANTIC),  # nothing compared is in the graph
        ("How many federated learning papers appeared in 2023?", Intent.COUNT),
        ("vLLM or SGLang: what does each one reach on GPUs?", Intent.COMPARE),  # the subject first, then the ask
        ("vLLM against SGLang: which needs less memory?", Intent.COMPARE),
        ("By how much does TeLLMe cut latency?", Intent.FACT),
        ("For Llama 2 on an A100, what throughput does vLLM reach?", Intent.FACT),  # a clause before the ask
        ("Can you list the papers that use FPGAs?", Intent.LIST),  # politeness is not "can a phone ..."
        ("Could you tell me how many papers use FPGAs?", Intent.COUNT),
        ("Would you list papers by Ann Smith?", Intent.LIST),
        ("Can you find the paper with the highest tokens/s?", Intent.SUPERLATIVE),
        ("Do any papers use federated learning on smartphones?", Intent.LIST),  # yes/no about papers: a list
        ("Is vLLM faster than SGLang?", Intent.COMPARE),
        ("How many GPUs does vLLM use?", Intent.FACT),  # a count of something named, not of papers
        ("What hardware does TeLLMe run on?", Intent.COOCCURRENCE),  # a class, then a named entity
        ("What throughput does TeLLMe reach on GPUs?", Intent.FACT),  # a metric asked: still a fact
    ],
)
def test_intents(planner: Planner, question: str, intent: Intent) -> None:
    assert planner.plan(question).intent is intent


@pytest.mark.parametrize(
    "question",
    [
        "How can quantization run so often that GPUs never stall?",  # "often" and "most" words in passing
        "Can a phone run vLLM quicker than the max a GPU manages?",  # "quicker", "max": no ranking asked
        "Could federated learning work across phones?",
        "Why do GPUs need so much memory?",
        "How many hearts does a squid have?",  # counts no papers
        "How many kilograms of copper go into a GPU?",
    ],
)
def test_how_to_and_yes_no_questions_are_similarity_questions(planner: Planner, question: str) -> None:
    assert planner.plan(question).intent is Intent.SEMANTIC


def test_the_word_before_a_counted_class_qualifies_it(planner: Planner) -> None:
    plan = planner.plan("Which two parallelism strategies come up most?")
    assert plan.target is not None and (plan.target.type, plan.target.qualifier) == (E.TECHNIQUE, "parallelism")
    assert "parallelism" not in plan.ignored
    assert planner.plan("Which two techniques come up most?").target.qualifier is None  # type: ignore[union-attr]
    compound = planner.plan("Which deep learning frameworks come up most often?").target
    assert compound is not None and compound.qualifier == "deep learning"


def test_what_a_top_n_question_counts(planner: Planner) -> None:
    # a ranking within the papers of something named is a co-occurrence: the class counted is still the target
    named = planner.plan("What hardware comes up most in the model compression papers?")  # the class asked first
    assert named.intent is Intent.COOCCURRENCE and named.target is not None and named.target.type is E.HARDWARE
    assert refs(named, Role.FILTER) == [("model compression", "family", "model compression")]
    clause = planner.plan("In the papers on quantization, which GPUs show up most?")  # a clause before 'which'
    assert clause.intent is Intent.COOCCURRENCE and clause.target is not None and clause.target.words == "GPUs"
    assert refs(clause, Role.FILTER) == [("quantization", "family", "quantization")]
    top = planner.plan("Which GPUs come up most? top 2")  # "top 2" asks for two, not for a metric's best
    assert (top.intent, top.limit) == (Intent.TOP_N, 2)


def test_how_questions_comparing_two_references_stay_comparisons(planner: Planner) -> None:
    assert planner.plan("How does pruning differ from quantization?").intent is Intent.COMPARE


def test_a_misspelled_asking_word_reads_like_the_clean_question(planner: Planner) -> None:
    clean, typo = (
        planner.plan("Which models do the most papers use?"),
        planner.plan("Which modles do the most papers use?"),
    )
    assert (typo.intent, typo.target) == (clean.intent, clean.target) == (Intent.TOP_N, clean.target)
    assert [(c.original, c.corrected) for c in typo.corrections] == [("modles", "models")]
    assert typo.question == "Which modles do the most papers use?"  # the question as asked


# --------------------------------------------------------------------------------------------------
# Levels: model, family, vendor, type
# --------------------------------------------------------------------------------------------------


def test_levels(planner: Planner) -> None:
    assert refs(planner.plan("Which papers use FPGAs?")) == [("FPGA", "type", "FPGAs")]
    assert refs(planner.plan("Which papers use graphics cards?")) == [("GPU", "type", "graphics cards")]
    assert refs(planner.plan("Which papers use an A100?")) == [("NVIDIA A100", "model", "A100")]
    amd = planner.plan("Which papers run on AMD GPUs?")
    assert refs(amd) == [("AMD GPU", "vendor", "AMD GPUs")]
    node = amd.entities()[0].node
    assert node == NodeMatch(type=E.HARDWARE, vendor="AMD", hw_type="GPU")
    intel = planner.plan("Which papers use Intel CPUs?").entities()[0]
    assert intel.node == NodeMatch(type=E.HARDWARE, vendor="Intel", hw_type="CPU")
    orin = planner.plan("Which papers use Jetson Orin boards?").entities()[0]
    assert (orin.name, orin.level) == ("NVIDIA Jetson Orin", Level.FAMILY)  # the type word is the head noun
    assert orin.node is not None and orin.node.family == ("NVIDIA Jetson Orin",)
    module = planner.plan("Which papers use any Orin module?").entities()[0]  # the name inside its family
    assert (module.name, module.level) == ("NVIDIA Jetson Orin", Level.FAMILY)


def test_plurals_and_possessives() -> None:
    from papergraph.query.vocabulary import key

    assert [key(w) for w in ("FPGAs", "GPUs", "TPUs", "MCUs", "boards", "libraries", "NVIDIA's", "virus")] == [
        "fpga",
        "gpu",
        "tpu",
        "mcu",
        "board",
        "library",
        "nvidia",
        "virus",
    ]


def test_family_closure_follows_the_family_property(planner: Planner) -> None:
    plan = planner.plan("Which papers use model compression?")
    node = plan.entities()[0].node
    assert node is not None and set(node.family) == {"model compression", "quantization"}
    quant = planner.plan("Which papers use quantization?").entities()[0]
    assert quant.level is Level.FAMILY  # a node that is also a family: the family (includes the node)


def test_aliases_and_unknown_entities(planner: Planner) -> None:
    lora = planner.plan("Which papers use LoRA?")
    assert lora.unknown[0].name == "low-rank adaptation" and lora.groups == []  # known, but no paper
    ptq = planner.plan("Which papers use PTQ?").entities()[0]
    assert (ptq.name, ptq.match) == ("post-training quantization", MatchKind.ALIAS)
    assert planner.plan("Which papers use H200 GPUs?").unknown[0].name == "NVIDIA H200"
    assert planner.plan("papers on the frontier of efficiency").entities() == []  # context-only alias


def test_makers_no_paper_mentions_are_named_as_unknown(planner: Planner) -> None:
    ipu = planner.plan("How fast is training on Graphcore IPUs?")
    assert [(e.name, e.level) for e in ipu.unknown] == [("Graphcore", Level.VENDOR), ("Graphcore IPU", Level.FAMILY)]
    assert [e.name for e in planner.plan("Which papers use Graphcore chips?").unknown] == ["Graphcore"]
    orin = planner.plan("Which papers use Jetson Orin boards?")  # in the graph: its graph sense stays
    assert orin.unknown == [] and orin.entities()[0].name == "NVIDIA Jetson Orin"
    assert planner.plan("Which CS papers use RISC-V CPUs?").unknown == []  # a short code, an instruction set
    example = planner.plan("papers on video generators (think Graphcore-made ones)")
    assert example.unknown == []  # an example no paper has says nothing about the question


# --------------------------------------------------------------------------------------------------
# People's spelling
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Which papers use quantizaton?", "quantization"),
        ("papers on specualtive decoding", "speculative decoding"),
        ("Which papers use prunning?", "pruning"),
        ("federated lerning on phones", "federated learning"),
    ],
)
def test_misspellings_are_corrected(planner: Planner, question: str, name: str) -> None:
    plan = planner.plan(question)
    assert name in [e.name for e in plan.entities()]
    assert any(c.corrected == name and c.kind is MatchKind.CORRECTED for c in plan.corrections)


def test_what_is_never_corrected(planner: Planner) -> None:
    assert planner.plan("Which papers use DPUs?").entities() == []  # a short acronym is not a misspelled TPU/GPU
    assert planner.plan("Which papers use SGLng?").entities()[0].name == "SGLang"  # a long name: corrected
    assert planner.plan("Which three GPU modles are used most?").entities()[0].name == "GPU"  # models, not modules
    assert planner.plan("melting caches").entities() == []  # a corpus word; MELTing only matches as written
    assert planner.plan("Does MELTing run on phones?").entities()[0].name == "MELTing"
    assert [allowed_edits(n) for n in (3, 4, 5, 11, 12, 19, 20)] == [0, 0, 1, 1, 2, 2, 3]


def test_ordinary_words_are_corrected_for_the_search(planner: Planner) -> None:
    plan = planner.plan("effcient infrence of models")
    assert [(c.original, c.corrected) for c in plan.corrections] == [
        ("effcient", "efficient"),
        ("infrence", "inference"),
    ]
    assert plan.text == "efficient inference of models"
    assert planner.plan("Which contest asked teams to serve models?").corrections == []  # other words, not typos


def test_abbreviations_defined_in_the_corpus(planner: Planner) -> None:
    plan = planner.plan("Which papers use KD?")
    assert refs(plan) == [("knowledge distillation", "model", "KD")]
    assert plan.corrections[0].kind is MatchKind.ABBREVIATION
    assert mine_abbreviations(["a large language model (LLM) and neural architecture search (NAS)"]) == {
        "LLM": "large language model",
        "NAS": "neural architecture search",
    }


# --------------------------------------------------------------------------------------------------
# Roles: what filters, what only ranks
# --------------------------------------------------------------------------------------------------


def test_alternatives_are_or_and_both_is_and(planner: Planner) -> None:
    either = planner.plan("Which papers use GPUs or FPGAs?")
    assert [[e.name for e in g.entities] for g in either.groups] == [["GPU", "FPGA"]]
    slash = planner.plan("Which papers use quantization/pruning?")
    assert [[e.name for e in g.entities] for g in slash.groups] == [["quantization", "pruning"]]
    both = planner.plan("Which papers use both quantization and pruning?")
    assert [[e.name for e in g.entities] for g in both.groups] == [["quantization"], ["pruning"]]
    across = planner.plan("Which papers use quantization on FPGAs?")
    assert [g.role for g in across.groups] == [Role.FILTER, Role.FILTER]


def test_loose_words_only_rank(planner: Planner) -> None:
    plan = planner.plan("Which papers accelerate CNN / ResNet50 inference on FPGAs?")
    assert refs(plan, Role.FILTER) == [("FPGA", "type", "FPGAs")]
    assert refs(plan, Role.RANK) == [("ResNet50", "model", "ResNet50")]
    example = planner.plan("Which papers serve models with engines such as vLLM on GPUs?")
    assert refs(example, Role.RANK) == [("vLLM", "model", "vLLM")]
    like = planner.plan("Which papers use TPU-like ASICs or GPUs?")
    assert [e.name for e in like.entities(Role.FILTER)] == ["ASIC", "GPU"]
    assert [e.name for e in like.entities(Role.RANK)] == ["TPU"]  # "TPU-like" describes the ASICs
    semantic = planner.plan("How can serving on GPUs be made cheaper?")
    assert semantic.intent is Intent.SEMANTIC and [g.role for g in semantic.groups] == [Role.RANK]


def test_compare_sides_and_targets(planner: Planner) -> None:
    compare = planner.plan("Compare vLLM and SGLang on A100 GPUs")
    assert refs(compare, Role.COMPARE) == [("vLLM", "model", "vLLM"), ("SGLang", "model", "SGLang")]
    assert refs(compare, Role.FILTER) == [("NVIDIA A100", "model", "A100 GPUs")]
    top = planner.plan("Which GPUs appear most often?")
    assert top.target is not None and top.target.include == NodeMatch(type=E.HARDWARE, hw_type="GPU")
    vendors = planner.plan("Which hardware vendors are most common?")
    assert vendors.target is not None and vendors.target.by is GroupBy.VENDOR
    co = planner.plan("Which techniques co-occur with pruning?")
    assert (
        co.target is not None
        and co.target.type is E.TECHNIQUE
        and refs(co, Role.FILTER) == [("pruning", "model", "pruning")]
    )
    assert planner.plan("What are the top 3 techniques?").limit == 3
    assert planner.plan("Name the five most used datasets").limit == 5


def test_superlative_metric(planner: Planner) -> None:
    plan = planner.plan("What is the best tokens/s reported on an A100?")
    assert (plan.metric.kinds, plan.metric.best, plan.metric.unit) == (["throughput"], "better", "tokens/s")
    low = planner.plan("Which paper reports the lowest latency on FPGAs?")
    assert (low.metric.kinds, low.metric.best) == (["latency"], "min")


# --------------------------------------------------------------------------------------------------
# Paper filters and what is left over
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("Which papers from 2024 use quantization?", (2024, 2024)),
        ("quantization papers in 2023", (2023, 2023)),
        ("quantization papers since 2023", (2023, None)),
        ("quantization papers after 2023", (2024, None)),
        ("quantization papers before 2024", (None, 2023)),
        ("quantization papers between 2022 and 2023", (2022, 2023)),
        ("quantization papers 2021-2023", (2021, 2023)),
        ("quantization papers in 2023 or later", (2023, None)),
        ("quantization papers from 2022 onwards", (2022, None)),
        ("quantization papers in 2022 or earlier", (None, 2022)),
        ("How many quantization papers are from 2019 or 2020?", (2019, 2020)),
    ],
)
def test_years(planner: Planner, question: str, years: tuple[int | None, int | None]) -> None:
    f = planner.plan(question).filters
    assert (f.year_min, f.year_max) == years


def test_authors(planner: Planner) -> None:
    assert planner.plan("Which papers by Smith use quantization?").filters.authors == ["Ann Smith"]
    assert planner.plan("papers by B. Li").filters.authors == ["Bo Li"]
    assert planner.plan("How many papers did Carla Gomez publish in 2023?").filters.authors == ["Carla Gomez"]
    both = planner.plan("Which papers did Ann Smith co-author with Bo Li?").filters
    assert (both.authors, both.coauthors) == (["Ann Smith"], ["Bo Li"])
    assert planner.plan("papers by Ann Smith and Bo Li").filters.coauthors == ["Bo Li"]
    named = planner.plan("What did Carla Gomez and Ann Smith write together?").filters  # no "by": named in full
    assert (named.authors, named.coauthors) == (["Carla Gomez"], ["Ann Smith"])
    unknown = planner.plan("papers by Nobody Known").filters
    assert unknown.author_words == "Nobody Known" and unknown.authors == []
    assert planner.plan("List Carla Gomez's papers").filters.authors == ["Carla Gomez"]  # a verb before the name
    typo = planner.plan("List Carlla Gomez's papers").filters
    assert (typo.authors, typo.author_words) == (["Carla Gomez"], "Carlla Gomez")
    assert planner.plan("papers by Carl Gomes").filters.authors == []  # one typo per word of five letters or more
    vendor = planner.plan("Which papers use GPUs made by NVIDIA?")
    assert vendor.filters.author_words is None  # an entity, not an author


def test_ignored_words_and_search_text(planner: Planner) -> None:
    plan = planner.plan("Which papers use quantization for edge robotics?")
    assert plan.ignored == ["edge", "robotics"]
    assert planner.plan("How can serving be cheaper?").ignored == []  # similarity uses every word
    out = planner.plan("What is the melting point of tungsten?")
    assert out.intent is Intent.SEMANTIC and out.entities() == [] and out.unknown == []


# --------------------------------------------------------------------------------------------------
# Phrasing found in researchers' questions
# --------------------------------------------------------------------------------------------------


def test_parentheses_list_examples_and_restatements(planner: Planner) -> None:
    boards = planner.plan("Which papers use GPUs (A100, H100 and the like)?")
    assert refs(boards, Role.FILTER) == [("GPU", "type", "GPUs")]
    assert [e.name for e in boards.entities(Role.RANK)] == ["NVIDIA A100", "NVIDIA H100"]
    restated = planner.plan("How many papers use NVIDIA (Nvidia) GPUs?").entities(Role.FILTER)[0]
    assert restated.node == NodeMatch(type=E.HARDWARE, vendor="NVIDIA", hw_type="GPU")
    jetson = planner.plan("Which papers use Jetson-class boards?").entities(Role.FILTER)
    assert [(e.name, e.level) for e in jetson] == [("NVIDIA Jetson", Level.FAMILY)]  # the type word is its head


def test_exceptions_never_filter(planner: Planner) -> None:
    plan = planner.plan("Which papers use GPUs other than the A100?")
    assert refs(plan, Role.FILTER) == [("GPU", "type", "GPUs")]
    assert refs(plan, Role.RANK) == [("NVIDIA A100", "model", "A100")]


def test_inflections_and_repeated_names(planner: Planner) -> None:
    prune = planner.plan("Which papers prune their networks?").entities()[0]
    assert (prune.name, prune.match) == ("pruning", MatchKind.INFLECTION)
    assert planner.plan("Which papers prnue their networks?").entities()[0].name == "pruning"  # a slip in a verb
    same = planner.plan("Which papers use PTQ or post-training quantization?")
    assert [len(g.entities) for g in same.groups] == [1]  # two names of one thing: one reference


def test_compared_sides_must_be_joined(planner: Planner) -> None:
    assert planner.plan("Is vLLM as fast as SGLang?").intent is Intent.COMPARE
    served = planner.plan("Which is better for serving TeLLMe in vLLM?")
    assert served.intent is not Intent.COMPARE  # "TeLLMe in vLLM" are not two sides


# --------------------------------------------------------------------------------------------------
# The hardware hierarchy: vendor classes, makers bought by others, what a ranking counts
# --------------------------------------------------------------------------------------------------


def test_a_vendors_class_is_vendor_and_type(planner: Planner) -> None:
    amd = planner.plan("Which papers use AMD GPUs?").entities()[0]  # the node "AMD GPU" itself, not every GPU
    assert (amd.name, amd.level) == ("AMD GPU", Level.VENDOR)
    assert amd.node == NodeMatch(type=E.HARDWARE, vendor="AMD", hw_type="GPU")
    xilinx = planner.plan("How many papers use Xilinx (AMD) FPGAs?")  # Xilinx parts are stored as AMD's
    assert [e.node for e in xilinx.entities(Role.FILTER)] == [NodeMatch(type=E.HARDWARE, vendor="AMD", hw_type="FPGA")]


@pytest.mark.parametrize(
    ("question", "by", "level", "include"),
    [
        ("Which three GPU models are mentioned in the most papers?", GroupBy.ENTITY, "model", "GPU"),
        ("Which three GPU modles are mentioned in the most papers?", GroupBy.ENTITY, "model", "GPU"),  # corrected
        ("Which edge boards appear most often?", GroupBy.LINE, None, "edge-board"),
        ("Which GPUs do the most papers use?", GroupBy.LINE, None, "GPU"),
    ],
)
def test_a_counted_class_says_its_level(
    planner: Planner, question: str, by: GroupBy, level: str | None, include: str
) -> None:
    target = planner.plan(question).target
    assert target is not None and (target.by, target.level) == (by, level)
    assert target.include == NodeMatch(type=E.HARDWARE, hw_type=include)


def test_families_and_family_members_are_counted(planner: Planner) -> None:
    llm = planner.plan("Which LLM families are quantized most often? Top two.")
    assert llm.intent is Intent.COOCCURRENCE and llm.limit == 2  # ranked within the quantization papers
    assert llm.target is not None and (llm.target.type, llm.target.by, llm.target.level) == (
        E.SYSTEM,
        GroupBy.LINE,
        "family",
    )
    assert refs(llm, Role.FILTER) == [("quantization", "family", "quantized")]
    compression = planner.plan("Top three model-compression techniques by number of papers?")
    assert compression.target is not None and compression.target.include is not None
    assert compression.target.include.family[0] == "model compression"
    listed = planner.plan("Which serving engines (vLLM, SGLang, ...) are named most often?")
    assert refs(listed, Role.FILTER) == [] and [e.name for e in listed.entities(Role.RANK)] == ["vLLM", "SGLang"]
    restated = planner.plan("Which papers train one shared model across sites (federated learning)?")
    assert [e.name for e in restated.entities(Role.FILTER)] == ["federated learning"]  # one term: the topic


def test_a_slip_beats_a_replaced_letter(planner: Planner) -> None:
    plan = planner.plan("Which papers use NVDIA edge boards?")  # "nvidia" (a letter dropped), not "nvdla"
    assert [e.node for e in plan.entities(Role.FILTER)] == [
        NodeMatch(type=E.HARDWARE, vendor="NVIDIA", hw_type="edge-board")
    ]


def test_abbreviations_and_units_are_not_entities(planner: Planner) -> None:
    mixed = planner.plan("How many papers use quantization, i.e. fewer bits per layer?")
    assert [e.name for e in mixed.entities()] == ["quantization"]
    days = planner.plan("Which method needs the fewest GPU-days to search?")
    assert days.entities() == [] and (days.metric.unit, days.metric.best) == ("GPU days", "min")


def test_an_owner_is_required(planner: Planner) -> None:
    plan = planner.plan("What ImageNet accuracy does HAWQV3's ResNet50 reach?")
    systems = [[e.name for e in g.entities] for g in plan.groups if g.entities[0].type is E.SYSTEM]
    assert systems == [["HAWQV3"], ["ResNet50"]]  # the HAWQV3 paper's ResNet50, not either of them


@pytest.mark.parametrize(
    "question",
    ["vLLM or SGLang: which engine is faster?", "Is vLLM really as fast as a plain SGLang on GPUs?"],
)
def test_comparisons_without_vs(planner: Planner, question: str) -> None:
    plan = planner.plan(question)
    assert plan.intent is Intent.COMPARE and [e.name for e in plan.entities(Role.COMPARE)] == ["vLLM", "SGLang"]


def test_a_baseline_is_required_but_not_its_own_paper(planner: Planner) -> None:
    plan = planner.plan("How many papers compare their system against vLLM as a baseline?")
    vllm = plan.entities(Role.FILTER)[0].node
    assert vllm is not None and plan.paper_query().not_proposing == (vllm,)
    assert planner.plan("How many papers use vLLM?").paper_query().not_proposing == ()


def test_topics_narrow_rankings(planner: Planner) -> None:
    plan = planner.plan("Which datasets do LLM papers use most often?")
    assert plan.intent is Intent.TOP_N and plan.topics == ["language models"]
    families = planner.plan("Which LLM families appear most often?")  # the class counted names the topic:
    assert families.intent is Intent.TOP_N and families.topics == []  # every paper naming an LLM counts
    trailing = planner.plan("Which models are used most as baselines (ResNet50, vLLM, ...)?")
    assert refs(trailing, Role.FILTER) == [] and len(trailing.entities(Role.RANK)) == 2


def test_a_type_named_as_an_exception_is_taken_out(planner: Planner) -> None:
    plan = planner.plan("Which papers use Intel accelerators other than CPUs?")
    assert [(e.name, e.node) for e in plan.entities()] == [
        ("Intel (not CPU)", NodeMatch(type=E.HARDWARE, vendor="Intel", not_hw_type="CPU"))
    ]
    far = planner.plan("Which papers use Intel hardware for training large models, but not CPUs?")
    assert [e.name for e in far.entities(Role.RANK)] == ["CPU"]  # too far from Intel to qualify it: it ranks


def test_short_names_keep_a_name(planner: Planner) -> None:
    # "AMD Zynq UltraScale+ boards" shortened to "boards" would be every board
    jetson = planner.plan("Which papers use Jetson boards?").entities()[0]
    assert (jetson.name, jetson.level) == ("NVIDIA Jetson", Level.FAMILY)
    assert planner.plan("Which papers use Zynq UltraScale+ boards?").entities()[0].name == "AMD Zynq UltraScale+ boards"


def test_a_class_asked_for_after_asking_words(planner: Planner) -> None:
    plan = planner.plan("What are the most common NVIDIA boards?")
    assert plan.intent is Intent.TOP_N and plan.target is not None
    assert plan.target.include == NodeMatch(type=E.HARDWARE, vendor="NVIDIA", hw_type="edge-board")


def test_a_misspelled_word_inside_a_name_is_read_as_the_word_first() -> None:
    rules = question_rules()
    papers = [
        Paper(id="e1", title="Energy of training", abstract="We measure the energy use of GPUs."),
        Paper(id="e2", title="Energy of serving", abstract="Serving energy drops by half."),
    ]
    entities = [entity(E.TECHNIQUE, "energy efficiency", 2), entity(E.HARDWARE, "GPU", 2, type="GPU")]
    alias = {"label": "TECHNIQUE", "pattern": "energy use", "id": "technique:energy-efficiency"}
    alias["name"] = "energy efficiency"
    planner = Planner(build_vocabulary(entities, papers, rules, gazetteer=[alias]), rules)
    clean = planner.plan("Which paper cuts GPU energy use by the largest percentage?")
    typo = planner.plan("Which paper cuts GPU enegry use by the largest percentage?")
    assert (typo.intent, typo.metric.kinds) == (clean.intent, clean.metric.kinds) == (Intent.SUPERLATIVE, ["energy"])
    assert [(c.original, c.corrected) for c in typo.corrections] == [("enegry", "energy")]


def test_a_product_line_and_a_class_filed_under_other_are_named_as_written() -> None:
    rules = question_rules()
    entities = [
        entity(E.HARDWARE, "GPU", 5, type="GPU"),
        entity(E.HARDWARE, "NVIDIA GeForce RTX 4090", 2, type="GPU", vendor="NVIDIA", level="model"),
        entity(E.HARDWARE, "NVIDIA GeForce RTX 4060", 1, type="GPU", vendor="NVIDIA", level="model"),
        entity(E.HARDWARE, "NVIDIA A100", 3, type="GPU", vendor="NVIDIA", level="model"),
        entity(E.HARDWARE, "DSP", 2, type="other", level="class"),
        entity(E.HARDWARE, "ECU", 1, type="other", level="class"),
    ]
    planner = Planner(build_vocabulary(entities, PAPERS, rules, gazetteer=[]), rules)
    line = planner.plan("Which papers use GeForce RTX cards?").entities()
    assert len(line) == 1 and line[0].node is not None
    assert set(line[0].name.split(" or ")) == {"NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4060"}  # not the A100
    dsp = planner.plan("How many papers deploy on DSPs?").entities()
    assert [(e.name, e.level) for e in dsp] == [("DSP", Level.MODEL)]  # the DSP class, not every "other" device
