"""A technique named with a modifier the graph has no node for ("mixed-precision quantization", "structured
pruning"): the reference links to the broader technique, and the modifier narrows it. A paper must then also
have the modified phrase in its title or abstract, when some paper has it (else the broader technique stands).
"""

from __future__ import annotations

from collections.abc import Sequence

from papergraph.models import EntityType
from papergraph.query.plan import ConstraintGroup, Level, MatchKind, Role
from papergraph.query.textindex import TextIndex, stems

NARROWED = (Level.MODEL, Level.FAMILY)
READ_AS = (MatchKind.EXACT, MatchKind.ALIAS, MatchKind.CORRECTED)


def modified_phrases(groups: Sequence[ConstraintGroup], index: TextIndex) -> dict[str, str]:
    """Phrase -> the question's words, for each filtering technique written with modifier words before its
    name ("mixed-precision quantization" for quantization) that some paper has as a phrase."""
    out: dict[str, str] = {}
    for g in groups:
        if g.role is not Role.FILTER or g.text or len(g.entities) != 1:
            continue
        e = g.entities[0]
        if e.type is not EntityType.TECHNIQUE or e.level not in NARROWED or e.match not in READ_AS:
            continue
        said, name = stems(e.words, index.stopwords), stems(e.name, index.stopwords)
        if len(said) <= len(name) or said[-len(name) :] != name:
            continue  # no modifier, or the words do not end with the name ("quantize", "LLM pruning")
        extra = e.words.split()[: len(e.words.split()) - len(e.name.split())]
        phrase = " ".join([*extra, e.name])
        if extra and index.rarity(phrase) > 0:
            out[phrase] = e.words
    return out


__all__ = ["modified_phrases"]
