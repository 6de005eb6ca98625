"""References: linked words as :class:`~papergraph.query.plan.EntityRef` values, and their composition.

A link's senses become one reference with its graph node (several models: any of them; a family: its closure);
two adjacent references that name one thing merge ("AMD" + "GPUs": AMD-made GPUs; "Jetson" + "boards": the
Jetson family); a parenthesis after a class word that lists several things lists examples.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from papergraph.graph.query import NodeMatch
from papergraph.models import EntityType
from papergraph.query.linking import Link
from papergraph.query.plan import EntityRef, Level
from papergraph.query.vocabulary import Sense, Vocabulary

_PARENTHESIS = re.compile(r"\([^()]*\)")
_TRAILING = re.compile(r"\.\.\.|…|\betc\b", re.IGNORECASE)


def node_match(senses: Sequence[Sense], vocab: Vocabulary) -> NodeMatch | None:
    """The graph nodes of a link's senses of one type (several models: any of them; families: their closures)."""
    live = [s for s in senses if s.in_graph]
    if not live:
        return None
    first = live[0]
    if first.level is Level.MODEL:
        return NodeMatch(type=first.type, ids=tuple(s.node_id for s in live if s.node_id))
    if first.level is Level.FAMILY:
        names = tuple(dict.fromkeys(n for s in live for n in vocab.family_closure(s.type, s.name)))
        return NodeMatch(type=first.type, family=names)
    if first.level is Level.VENDOR:  # a maker, or a maker's class ("AMD GPU": vendor and type)
        return NodeMatch(type=first.type, vendor=first.vendor or first.name, hw_type=first.hw_type)
    return NodeMatch(type=first.type, hw_type=first.hw_type)


def entity_ref(link: Link, vocab: Vocabulary) -> EntityRef:
    """The reference a link makes: its first sense's type, the names of its senses in the graph, and their node."""
    senses = [s for s in link.senses if s.type is link.senses[0].type]
    live = [s for s in senses if s.in_graph] or senses
    name = " or ".join(dict.fromkeys(s.name for s in live))
    return EntityRef(
        type=senses[0].type,
        name=name,
        level=live[0].level,
        words=link.original or link.words,
        start=link.start,
        end=link.end,
        match=link.match,
        node=node_match(senses, vocab),
    )


def adjacent(text: str, a: EntityRef, b: EntityRef, links: re.Pattern[str]) -> bool:
    """Nothing between two references but spaces, a hyphen, a parenthesis or a linking word ("-generation")."""
    gap = _PARENTHESIS.sub(" ", text[a.end : b.start]) if b.start >= a.end else None
    return gap is not None and (re.fullmatch(r"[\s-]*", gap) is not None or links.fullmatch(gap) is not None)


def parenthesised(text: str) -> list[tuple[int, int]]:
    """The character spans of the parentheses in ``text``."""
    return [m.span() for m in _PARENTHESIS.finditer(text)]


def lists_examples(inside: str, before: str, names_class: Callable[[str], bool]) -> bool:
    """A parenthesis with no reference before it lists examples when it lists several things after a class
    word, or trails off ("CNN families (MobileNet, ResNet, ...)"); one term alone restates ("(cloud-edge
    collaboration)")."""
    return "," in inside and (names_class(before) or _TRAILING.search(inside) is not None)


def merged_ref(text: str, a: EntityRef, b: EntityRef) -> EntityRef | None:
    """One reference for two adjacent ones that name one thing, else None."""
    if a.type is not EntityType.HARDWARE or b.type is not EntityType.HARDWARE or b.node is None:
        return None
    span = {"start": a.start, "end": b.end, "words": text[a.start : b.end]}
    if a.node is None:  # "H200 GPUs": the type word heads a model no paper mentions
        return a.model_copy(update=span) if b.level is Level.TYPE and a.level is not Level.TYPE else None
    if a.level is Level.VENDOR and b.level is Level.TYPE:  # "AMD GPUs"
        node = NodeMatch(type=a.type, vendor=a.node.vendor, hw_type=b.node.hw_type)
        return a.model_copy(update={**span, "name": f"{a.name} {b.name}", "node": node})
    if a.level is Level.VENDOR and b.level in (Level.FAMILY, Level.MODEL):  # "NVIDIA Orin"
        return b.model_copy(update=span)
    if b.level is Level.TYPE and a.level in (Level.FAMILY, Level.MODEL, Level.VENDOR):  # "Jetson boards"
        return a.model_copy(update=span)
    if b.level is Level.VENDOR and b.node.hw_type and a.level in (Level.FAMILY, Level.MODEL):
        return a.model_copy(update=span)  # "Pascal-generation NVIDIA GPUs": the line names maker and type
    return None
