"""Rule data files and the model-free matching helpers of the extraction layer (no spaCy pipeline needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from papergraph.errors import PaperGraphError
from papergraph.extract.matchers import RuleMatcher, spelling_variants
from papergraph.extract.rules import PatternFileError, Rule, entity_table, load_rule_file, load_rules
from papergraph.extract.spans import holds, within
from papergraph.extract.text import TOKENIZER_CACHE, Word, delatex, doc_words, mask_urls, tune_tokenizer

BUNDLED = (
    "hardware.jsonl",
    "techniques.jsonl",
    "systems.jsonl",
    "datasets.jsonl",
    "not_systems.jsonl",
    "units.jsonl",
    "metric_kinds.jsonl",
)


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "rules.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------- loader


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_rule_files_load_and_agree(name: str) -> None:
    rules = load_rules(name)
    assert rules, name
    entity_table(rules)  # raises on two rows that disagree about one id


def test_loader_reads_rows_and_skips_comments(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            "// a comment",
            json.dumps({"label": "HARDWARE", "pattern": "A100", "id": "hardware:nvidia-a100", "name": "NVIDIA A100"}),
            "",
            json.dumps({"label": "HARDWARE", "pattern": "A100s", "id": "hardware:nvidia-a100", "case": True}),
        ],
    )
    rules = load_rule_file(path)
    assert [r.pattern for r in rules] == ["A100", "A100s"]
    assert rules[1].get("case") is True
    assert entity_table(rules)["hardware:nvidia-a100"]["name"] == "NVIDIA A100"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"label": "HARDWARE", "pattern": "A100"', "not valid JSON"),
        ('{"label": "HARDWARE", "pattern": "A100"}', "missing id"),
        ('{"label": "GADGET", "pattern": "A100", "id": "hardware:a100"}', "unknown label"),
        ('{"label": "HARDWARE", "pattern": "A100", "id": "NVIDIA A100"}', "kind:slug"),
        ('{"label": "HARDWARE", "pattern": "", "id": "hardware:a100"}', "empty pattern"),
        ('{"label": "HARDWARE", "pattern": "A100", "id": "hardware:a100", "colour": "green"}', "unknown key"),
        ('{"label": "HARDWARE", "pattern": "A100", "id": "hardware:a100", "type": "quantum"}', "hardware type"),
        ('{"label": "UNIT", "pattern": "ms", "id": "unit:ms", "kind": "speed"}', "metric kind"),
        ('{"label": "HARDWARE", "pattern": "A100", "id": "hardware:a100", "case": "yes"}', "wrong type"),
        ('["HARDWARE", "A100"]', "JSON object"),
    ],
)
def test_loader_names_file_and_line_of_a_bad_row(tmp_path: Path, line: str, message: str) -> None:
    good = json.dumps({"label": "HARDWARE", "pattern": "GPU", "id": "hardware:gpu"})
    path = _write(tmp_path, [good, good, line])
    with pytest.raises(PatternFileError) as info:
        load_rule_file(path)
    text = str(info.value)
    assert f"{path}:3:" in text
    assert message in text
    assert isinstance(info.value, PaperGraphError)


def test_conflicting_names_for_one_id_are_an_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            json.dumps({"label": "HARDWARE", "pattern": "A100", "id": "hardware:a100", "name": "NVIDIA A100"}),
            json.dumps({"label": "HARDWARE", "pattern": "A800", "id": "hardware:a100", "name": "NVIDIA A800"}),
        ],
    )
    with pytest.raises(PatternFileError, match=r"rules\.jsonl:2: hardware:a100 already has name"):
        entity_table(load_rule_file(path))


def test_missing_bundled_file_is_reported() -> None:
    with pytest.raises(PatternFileError, match="no such rule file"):
        load_rules("no-such-file.jsonl")


# ---------------------------------------------------------------------------------------- spaCy matchers


@pytest.fixture(scope="module")
def nlp() -> Language:
    return tune_tokenizer(spacy.blank("en"))


def _rule(pattern: str, id_: str, **attrs: object) -> Rule:
    return Rule(label="HARDWARE", pattern=pattern, id=id_, attrs=dict(attrs))


def test_spelling_variants_cover_hyphens_spaces_and_plurals() -> None:
    assert spelling_variants("edge-cloud") == ["edge-cloud", "edge cloud", "edge-clouds", "edge clouds"]
    assert "memories" in spelling_variants("memory")
    assert spelling_variants("GPUs") == ["GPUs"]
    mixed = spelling_variants("key value cache", plural=False)
    assert {"key-value cache", "key value-cache", "key-value-cache"} <= set(mixed)


def test_tokenizer_cache_outlasts_the_rule_patterns(nlp: Language) -> None:
    # spaCy caches 10,000 chunks by default: the patterns alone use most of them, and then every chunk of a
    # corpus is split afresh
    assert getattr(nlp.tokenizer, "max_cache_size", 0) >= TOKENIZER_CACHE >= 100_000


def test_case_free_rows_match_whatever_the_tokenizer_does_with_case(nlp: Language) -> None:
    # the tokenizer splits "1K" but not "1k": a case-free row written either way matches both
    matcher = RuleMatcher(
        nlp, [Rule("DATASET", "ImageNet-1k", "dataset:imagenet"), Rule("TECHNIQUE", "kv cache", "t:kv")]
    )
    hits = matcher.find(nlp("ImageNet-1K, IMAGENET-1k and a KV-cache"))
    assert [h.text for h in hits] == ["ImageNet-1K", "IMAGENET-1k", "KV-cache"]


def test_rule_matcher_longest_match_plurals_and_hyphen_variants(nlp: Language) -> None:
    matcher = RuleMatcher(
        nlp,
        [
            _rule("Jetson Nano", "hardware:jetson-nano"),
            _rule("Jetson", "hardware:jetson"),
            _rule("edge-cloud", "hardware:edge-cloud"),
            _rule("A100", "hardware:a100", case=True),
        ],
    )
    text = "Two Jetson Nanos, a Jetson, edge cloud and edge–cloud setups, 8 A100s, no A1000 and no a100."
    hits = matcher.find(nlp(text))
    assert [(h.text, h.rules[0].id) for h in hits] == [
        ("Jetson Nanos", "hardware:jetson-nano"),
        ("Jetson", "hardware:jetson"),
        ("edge cloud", "hardware:edge-cloud"),
        ("edge–cloud", "hardware:edge-cloud"),
        ("A100s", "hardware:a100"),
    ]
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text


def test_rule_matcher_context_and_not_next_rules(nlp: Language) -> None:
    matcher = RuleMatcher(
        nlp, [_rule("Frontier", "hardware:frontier", case=True, context=["on", "supercomputer"], not_next=["models"])]
    )
    assert [h.text for h in matcher.find(nlp("We train on Frontier."))] == ["Frontier"]
    assert matcher.find(nlp("Frontier models are large.")) == []
    assert matcher.find(nlp("Frontier is a machine.")) == []  # no context word nearby


def test_rule_matcher_token_patterns_and_glued_versions(nlp: Language) -> None:
    rules = [
        Rule("SYSTEM", "Qwen", "system:qwen", {"case": True, "suffix": True}),
        Rule("HARDWARE", ({"LIKE_NUM": True}, {"LOWER": "mb"}, {"LOWER": "flash"}), "hardware:flash", {"keep": 1}),
    ]
    hits = RuleMatcher(nlp, rules).find(nlp("Qwen2.5-7B fits in 1 MB flash; Qwenchat does not."))
    assert [(h.text, h.rules[0].id) for h in hits] == [("Qwen", "system:qwen"), ("flash", "hardware:flash")]


# ---------------------------------------------------------------------------------------- text helpers


def test_tuned_tokenizer_splits_hyphens_before_digits_and_slashes_between_numbers(nlp: Language) -> None:
    assert [t.text for t in nlp("LLaMA-2-70B, ResNet50/101 and CPU+FPGA")] == [
        "LLaMA", "-", "2", "-", "70B", ",", "ResNet50", "/", "101", "and", "CPU", "+", "FPGA",
    ]  # fmt: skip


def test_urls_are_masked_without_moving_offsets() -> None:
    text = "Code at https://github.com/x/T-MAC and www.example.com now."
    masked = mask_urls(text)
    assert len(masked) == len(text)
    assert "T-MAC" not in masked
    assert masked.endswith("now.")


def test_words_join_glued_tokens_and_skip_urls(nlp: Language) -> None:
    doc = nlp("nn-JIT.web, prima.cpp and M\\'elange (ours) on LLaMA-2-70B; see https://x.io/a.")
    assert [w.text for w in doc_words(doc)] == [
        "nn-JIT.web", ",", "prima.cpp", "and", "M\\'elange", "(", "ours", ")", "on", "LLaMA-2-70B", ";", "see", ".",
    ]  # fmt: skip
    assert delatex("M\\'elange") == "Mélange"


def test_words_look_up_by_offset(nlp: Language) -> None:
    ws = doc_words(nlp("Run AWB-GCN on 8 GPUs."))
    assert [w.text for w in ws] == ["Run", "AWB-GCN", "on", "8", "GPUs", "."]
    assert ws.first_from(4) == 1  # "AWB-GCN" starts at 4
    assert ws.first_from(5) == 2  # the next word starting at or after 5 is "on"
    assert ws.holding(8) == 1  # "GCN" (offset 8) lies inside "AWB-GCN"
    assert ws.holding(0) == 0 and ws.first_from(99) == len(ws)


def test_span_containment_helpers() -> None:
    word = Word(4, 11, "AWB-GCN")
    assert within(word, 4, 11) and within(word, 0, 20)
    assert not within(word, 5, 20) and not within(word, 0, 10)
    assert holds(word, 4) and holds(word, 10) and not holds(word, 11)


# ---------------------------------------------------------------------------------------- letter-case variants


def test_fold_flag_must_be_a_boolean(tmp_path: Path) -> None:
    row = {"label": "SYSTEM", "pattern": "Spark", "id": "system:spark", "case": True, "fold": "no"}
    with pytest.raises(PatternFileError, match="wrong type"):
        load_rule_file(_write(tmp_path, [json.dumps(row)]))


def test_lower_case_variants_of_system_names() -> None:
    from papergraph.extract.components import _folded_systems

    rules = [
        Rule("SYSTEM", "vLLM", "system:vllm", {"case": True, "name": "vLLM"}),
        Rule("SYSTEM", "Spark", "system:spark", {"case": True, "fold": False}),
    ]
    folded = _folded_systems(rules)
    assert [(r.pattern, r.get("case")) for r in folded] == [("vLLM", False)]


def test_common_word_systems_stay_case_sensitive() -> None:
    rules = [r for r in load_rules("systems.jsonl") if r.get("fold") is False]
    assert rules and all(r.get("case") for r in rules)
    patterns = {r.pattern for r in rules}
    assert {"Spark", "Orca", "ZeRO", "Whisper", "Ray"} <= patterns
