"""From ``Doc._`` results of a paper's fields to one :class:`~papergraph.models.Extraction`.

Per-field matches become paper-level facts here, where title and abstract are seen together:

* a product line pointed back at ("the Jetson" in a paper on the Jetson Nano) is the one model of it the paper
  names; spoken of in general ("Jetson boards") it stays the line;
* a class word that points back at a named model ("the GPU" in a paper on the A100) is no mention of its own;
  a class spoken of in general ("GPUs", "a smartphone") stays. A result tied to a class or a line is re-tied
  to the paper's one named model of it;
* a system keeps one written form per paper, loses plural "s" when the singular is also named, and is
  ``proposed`` everywhere once any mention proposes it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc

from papergraph.extract.attribution import clause_span
from papergraph.extract.components import EntityMention, doc_sentences
from papergraph.extract.found import HardwareSpan, MetricFound
from papergraph.extract.spans import within
from papergraph.extract.text import Sentences, delatex
from papergraph.models import (
    DatasetMention,
    Extraction,
    Field_,
    HardwareLevel,
    HardwareMention,
    HardwareType,
    MetricDirection,
    MetricKind,
    MetricMention,
    SystemMention,
    SystemRole,
    TechniqueMention,
    slugify,
)


@dataclass
class FieldView:
    """What the components found in one field (title or abstract), its pieces put back together."""

    field: Field_
    sentences: Sentences
    entities: list[EntityMention]
    metrics: list[MetricFound]


def field_view(field_name: Field_, text: str, pieces: list[tuple[int, Doc]]) -> FieldView:
    """One field from the docs of its pieces (``offset`` of each piece in ``text``), offsets made field-wide."""
    bounds: list[tuple[int, int]] = []
    entities: list[EntityMention] = []
    metrics: list[MetricFound] = []
    for offset, doc in pieces:
        bounds += [(s + offset, e + offset) for s, e in doc_sentences(doc).bounds]
        for mention in doc._.pg_entities or []:
            mention.start, mention.end = mention.start + offset, mention.end + offset
            entities.append(mention)
        for metric in doc._.pg_metrics or []:
            metric.start, metric.end = metric.start + offset, metric.end + offset
            metrics.append(metric)
    return FieldView(field_name, Sentences(text, bounds), entities, metrics)


_Item = tuple[Field_, Sentences, EntityMention]


def to_extraction(paper_id: str, fields: list[FieldView]) -> Extraction:
    """The paper's extraction from its fields (title first, then abstract)."""
    items = [(f.field, f.sentences, m) for f in fields for m in f.entities]
    extraction = Extraction(paper_id=paper_id)
    by_type = _add_hardware(extraction, [i for i in items if i[2].label == "HARDWARE"])
    for field_name, sentences, m in items:
        if m.label == "TECHNIQUE":
            extraction.techniques.append(
                TechniqueMention(**_span(field_name, sentences, m), name=m.name, family=m.attrs.get("family"))
            )
        elif m.label == "DATASET":
            extraction.datasets.append(DatasetMention(**_span(field_name, sentences, m), name=m.name))
    systems = [i for i in items if i[2].label == "SYSTEM"]
    _add_systems(extraction, systems)
    credit = _Credit([(f, m) for f, _, m in systems], extraction.systems)
    for f in fields:
        for metric in f.metrics:
            extraction.metrics.append(_metric(f.field, f.sentences, metric, by_type, credit))
    return extraction


def _add_hardware(extraction: Extraction, hardware: list[_Item]) -> dict[str, list[EntityMention]]:
    """Hardware mentions, anaphora resolved to the model they stand for; returns the names by type."""
    rename, by_type = _resolve_hardware([m for _, _, m in hardware])
    for field_name, sentences, m in hardware:
        target = rename.get(id(m), m)
        if target is None:
            continue
        extraction.hardware.append(
            HardwareMention(
                **_span(field_name, sentences, m),
                name=target.name,
                type=HardwareType(target.attrs.get("type", "other")),
                vendor=target.attrs.get("vendor"),
                family=target.attrs.get("family"),
                level=HardwareLevel(target.attrs.get("level", "model")),
                lineage=list(target.attrs.get("lineage", [])),
            )
        )
    return by_type


def _add_systems(extraction: Extraction, systems: list[_Item]) -> None:
    """System mentions under one name and role per system; none that names hardware or a dataset found."""
    taken = {slugify(h.name) for h in extraction.hardware} | {slugify(d.name) for d in extraction.datasets}
    names, roles = _resolve_systems([m for _, _, m in systems])
    lineages = _system_lineages([m for _, _, m in systems], names, roles)
    for field_name, sentences, m in systems:
        name = names[id(m)]
        if slugify(name) in taken:
            continue
        lineage = lineages.get(slugify(name), [])
        extraction.systems.append(
            SystemMention(
                **_span(field_name, sentences, m),
                name=name,
                role=SystemRole(roles[slugify(name)]),
                family=lineage[0] if lineage else None,
                lineage=lineage,
            )
        )


def _span(field_name: Field_, sentences: Sentences, m: EntityMention) -> dict[str, Any]:
    sentence = sentences.sentence(m.start) if field_name == "abstract" else sentences.text.strip()
    return {"surface": m.surface, "field": field_name, "start": m.start, "end": m.end, "sentence": sentence}


def _level(m: EntityMention) -> str:
    return str(m.attrs.get("level", "model"))


def _resolve_hardware(
    mentions: list[EntityMention],
) -> tuple[dict[int, EntityMention | None], dict[str, list[EntityMention]]]:
    """Lines resolved to their one named model, anaphoric class words dropped; the named hardware by type."""
    members: dict[str, dict[str, EntityMention]] = {}
    for m in mentions:
        if _level(m) == "model":
            for line in m.attrs.get("lineage", []):
                members.setdefault(str(line), {})[m.name] = m
    rename: dict[int, EntityMention | None] = {}
    for m in mentions:  # "the Jetson" after naming one Jetson model: that model
        named = members.get(m.name, {}) if _level(m) == "family" and m.attrs.get("anaphoric") else {}
        if len(named) == 1:
            rename[id(m)] = next(iter(named.values()))
    by_type: dict[str, dict[str, EntityMention]] = {}
    for m in mentions:
        target = rename.get(id(m), m)
        if target is None or _level(target) == "class" or (_level(target) == "family" and members.get(target.name)):
            continue
        by_type.setdefault(str(target.attrs.get("type")), {})[target.name] = target
    for m in mentions:
        if _level(m) == "class" and m.attrs.get("anaphoric") and str(m.attrs.get("type")) in by_type:
            rename[id(m)] = None
    return rename, {t: list(v.values()) for t, v in by_type.items()}


def _resolve_systems(mentions: list[EntityMention]) -> tuple[dict[int, str], dict[str, str]]:
    """One written form per system, plurals folded into the singular, and the paper-level role."""
    written = {id(m): delatex(m.name).strip() for m in mentions}
    slugs = {slugify(n) for n in written.values()}
    for key, name in written.items():
        if name.endswith("s") and len(name) > 3 and slugify(name[:-1]) in slugs:
            written[key] = name[:-1]
    # "TeLLMe v2" in the title, "TeLLMe" in the abstract: one system
    for key, name in written.items():
        parts = name.rsplit(" ", 1)
        versioned = len(parts) == 2 and parts[1][:1] in "vV" and parts[1][1:].replace(".", "").isdigit()
        if versioned and slugify(parts[0]) in slugs:
            written[key] = parts[0]
    forms: dict[str, Counter[str]] = {}
    for name in written.values():
        forms.setdefault(slugify(name), Counter())[name] += 1
    chosen = {slug: counter.most_common(1)[0][0] for slug, counter in forms.items()}
    names = {key: chosen[slugify(name)] for key, name in written.items()}
    roles: dict[str, str] = {}
    for m in mentions:
        slug = slugify(names[id(m)])
        proposed = m.role == "proposed" or (m.in_title and not m.id)  # a coined name in the title is the paper's
        if proposed or slug not in roles:
            roles[slug] = "proposed" if proposed else roles.get(slug, "mentioned")
    # variants of a proposed system are the paper's too: "EEEA-Net-C2" of "EEEA-Net", "MobileNetV3-Large"
    own = [chosen[s] for s, r in roles.items() if r == "proposed"]
    for slug in roles:
        name = chosen[slug]
        if any(name != o and name.startswith(o) and name[len(o) : len(o) + 1] in "-_ " for o in own):
            roles[slug] = "proposed"
    return names, roles


class _Credit:
    """The system a number is credited to: a system named before it in its clause and not in a comparison
    ("vLLM reaches 2x"), else the paper's own proposed system."""

    def __init__(self, mentions: list[tuple[Field_, EntityMention]], systems: list[SystemMention]) -> None:
        self.mentions = mentions
        self.proposed = next((s.name for s in systems if s.role is SystemRole.PROPOSED), None)
        self.names = {(s.field, s.start): s.name for s in systems}

    def __call__(self, field_name: Field_, sentences: Sentences, metric: MetricFound) -> str | None:
        start, _ = clause_span(sentences.text, sentences, metric.start)  # "..., whereas vLLM reaches 2x": vLLM
        named = [m for f, m in self.mentions if f == field_name and within(m, start, metric.start)]
        for m in reversed(named):
            between = sentences.text[m.end : metric.start].lower()
            clause = sentences.text[start : m.start].lower()
            if not _COMPARISON.search(clause) and not _COMPARISON.search(between):
                return self.names.get((field_name, m.start), m.name)
        return self.proposed


_COMPARISON = re.compile(r"\b(?:than|compared|versus|vs\.?|over|relative|against|unlike|baselines?)\b")


def _system_lineages(
    mentions: list[EntityMention], names: dict[int, str], roles: dict[str, str]
) -> dict[str, list[str]]:
    """Each system's families: from the gazetteer ("Llama-2-7B" -> Llama 2 -> Llama), or the paper's own system
    a proposed variant extends ("EEEA-Net-C2" -> "EEEA-Net")."""
    out: dict[str, list[str]] = {}
    for m in mentions:
        lineage = [str(f) for f in m.attrs.get("lineage", [])]
        if lineage:
            out.setdefault(slugify(names[id(m)]), lineage)
    own = sorted({names[id(m)] for m in mentions if roles[slugify(names[id(m)])] == "proposed"}, key=len)
    for m in mentions:
        name = names[id(m)]
        base = next((o for o in reversed(own) if name != o and name.startswith(o) and name[len(o)] in "-_ "), None)
        if base is not None:
            out.setdefault(slugify(name), [base, *out.get(slugify(base), [])])
        elif roles[slugify(name)] != "proposed" and (chain := shape_lineage(name)):
            out.setdefault(slugify(name), chain)
    return out


# One step down a model family, at the end of a name: a tuning or size word ("-Instruct", "-small"), a size
# ("-7B", "-350M") or a version written after a hyphen, a space or glued to letters ("-2", " 3", "2.5").
_FAMILY_STEP = re.compile(
    r"(?:[-_ ](?:Instruct|Chat|Base|it|hf|small|base|large|tiny|mini|medium|Small|Large|Tiny|Mini|Medium)"
    r"|[-_ ]v?\d+(?:\.\d+)*[BMK]?|(?<=[a-z])\d+(?:\.\d+)*)$"
)


def shape_lineage(name: str) -> list[str]:
    """Families of a model no gazetteer knows, read from the shape of its name: the last tuning word, size or
    version stripped in turn ("Foo-2-7B-Instruct" -> "Foo-2-7B" -> "Foo-2" -> "Foo"); none unless a size or
    version is among them (a bare "X-small" or "HP-GNN" is no family of "X" or "HP")."""
    chain: list[str] = []
    rest = name
    while (step := _FAMILY_STEP.search(rest)) is not None and sum(c.isalpha() for c in rest[: step.start()]) >= 3:
        rest = rest[: step.start()]
        chain.append(rest)
    numbered = any(any(c.isdigit() for c in name[len(f) :]) for f in chain[-1:])
    return chain if numbered else []


def _metric(
    field_name: Field_,
    sentences: Sentences,
    metric: MetricFound,
    by_type: dict[str, list[EntityMention]],
    credit: _Credit,
) -> MetricMention:
    text = sentences.text
    hardware = metric.hardware
    if metric.hardware_span is not None and metric.hardware_span.unresolved:
        hardware = _retie(metric.hardware_span, by_type)
    baseline = metric.baseline.name if metric.baseline is not None else None
    if metric.baseline is not None and metric.baseline.unresolved and not metric.baseline.generic:
        baseline = _retie(metric.baseline, by_type)  # a class stays: "than a GPU-only deployment" is any GPU
    sentence = sentences.sentence(metric.start) if field_name == "abstract" else text.strip()
    return MetricMention(
        surface=text[metric.start : metric.end],
        field=field_name,
        start=metric.start,
        end=metric.end,
        sentence=sentence,
        metric=metric.metric or metric.kind,
        value=metric.value,
        value_max=metric.value_max,
        unit=metric.unit,
        kind=MetricKind(metric.kind),
        hardware=hardware,
        direction=MetricDirection(metric.direction) if metric.direction else None,
        baseline_hardware=baseline if baseline != hardware else None,
        system=credit(field_name, sentences, metric),
    )


def _retie(span: HardwareSpan, by_type: dict[str, list[EntityMention]]) -> str | None:
    """A result tied to a generic class or a family goes to the one named model of that class, if any."""
    if span.generic:
        named = by_type.get(span.type, [])
        if not named:
            return span.name
        return named[0].name if len(named) == 1 else None
    members = [m for ms in by_type.values() for m in ms if span.name in m.attrs.get("lineage", [])]
    if len(members) == 1:
        return members[0].name
    return span.name
