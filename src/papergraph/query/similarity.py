"""Answers by similarity, and refusals: similarity questions, the fallback to similarity when the graph holds
no answer, and the out-of-scope answer.

A question is refused (intent ``out_of_scope``, no papers) when what it asks about is in no paper, or when it
names nothing of the graph and no abstract is close to it; the answer says which.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from papergraph.query.answer import amount, join, plural, unknown_note
from papergraph.query.numbers import asked, quoted
from papergraph.query.plan import EntityRef, Intent, MatchKind, QueryPlan
from papergraph.query.quantities import asks_number, window
from papergraph.query.response import AskPaper, AskResult

if TYPE_CHECKING:
    from papergraph.query.executor import Executor, Run

FALLBACK_PAPERS = 10  # a similarity fallback is a pointer, not an answer set: whatever k says
STATED_WORDS = 2  # question words a similarity answer's number must share with its sentence to be stated


def blocked(ex: Executor, run: Run) -> AskResult | None:
    """A refusal when the question cannot be answered from this corpus; None when it can be tried."""
    return _unanswerable(ex, run) or _unanchored(ex, run) or _unsure(ex, run)


def _unanswerable(ex: Executor, run: Run) -> AskResult | None:
    """Filters the corpus cannot satisfy (an unknown author, years the papers do not carry)."""
    f = run.plan.filters
    if f.author_words and not f.authors:
        why = (
            f"No paper in the corpus lists an author matching “{f.author_words}”."
            if ex.vocab.authors
            else f"The papers in this corpus carry no author names, so “by {f.author_words}” cannot be answered."
        )
        return ex.result(run, why, [], matched=0)
    unknown = [e for e in run.plan.unknown if not _in_text(ex, e.words)]
    anchored = run.plan.entities() or run.plan.topics or f.any
    named = [e for e in unknown if e.match is not MatchKind.UNSEEN or run.plan.intent is not Intent.SEMANTIC]
    if named and not anchored:  # (a capitalised word alone in a similarity question may be a paraphrase's)
        return refuse(ex, run)  # it names only things no abstract mentions: "the Cerebras wafer-scale engine"
    if any(_required(run.plan, e) for e in unknown):
        return refuse(ex, run)  # "LLMs trained on the Aurora supercomputer": no paper has the subject
    return None


def _required(plan: QueryPlan, ref: EntityRef) -> bool:
    """An unknown name the answer cannot do without: a side of a comparison, or in a list, count or fact
    the only thing of its type named (not beside a known one: "H200 or A100", "Cerebras chips or phones")."""
    if plan.intent is Intent.COMPARE:
        return True
    if plan.intent is Intent.SEMANTIC:  # "How does the Cerebras engine compare with GPU clusters?": its subject
        known = plan.entities()
        return bool(known) and all(ref.start < e.start for e in known)
    if plan.intent not in (Intent.LIST, Intent.COUNT, Intent.FACT, Intent.TREND):
        return False
    return not any(e.type is ref.type for e in plan.entities())


def _in_text(ex: Executor, words: str) -> bool:
    """Whether the abstracts use a name word of these, at a word's start ("RTX" of "GeForce RTX graphics
    cards"): the graph may lack a name the text has. Name words have a capital or a digit, else all count."""
    parts = re.findall(r"[^\W_]+", words)
    names = [w for w in parts if w != w.lower() or any(c.isdigit() for c in w)] or parts
    stems = [w.removesuffix("s") if len(w) > 3 else w for w in names]  # "IPUs" -> IPU, "YOLO" in "YOLOv8"
    return any(ex.vocab.starts_a_word(s) for s in stems)  # a sorted word list, built once


def out_of_scope(ex: Executor, run: Run, *, despite_entities: bool = False) -> bool:
    """No abstract is close to the question, or only middling close while most of its words are foreign to the
    corpus ("a feeding schedule for a sourdough starter"), and it names nothing of the graph (or, for a
    similarity question, whatever it names: "the statue of Zeus" is not about the Zeus paper)."""
    plan = run.plan
    named = bool(plan.entities() or plan.unknown) and not despite_entities
    if named or plan.filters.any or run.top_similarity is None:
        return False
    s = ex.settings
    foreign = plan.foreign >= s.out_of_scope_foreign_share and run.top_similarity < s.out_of_scope_foreign_similarity
    return run.top_similarity < s.out_of_scope_similarity or foreign


def _unanchored(ex: Executor, run: Run) -> AskResult | None:
    """A fact, comparison or superlative that names nothing: refused when nothing in the corpus is close."""
    plan = run.plan
    graph_free = plan.intent in (Intent.FACT, Intent.COMPARE, Intent.SUPERLATIVE)
    if not graph_free or plan.entities() or plan.unknown or plan.filters.any or plan.metric.unit:
        return None  # a unit ("tokens/s") anchors a superlative in the corpus's numbers
    _, top = ex.closest(run)  # the answer itself comes from the graph: only how close the corpus is matters
    run.weak = top < ex.settings.weak_similarity
    return refuse(ex, run) if out_of_scope(ex, run) else None


def _unsure(ex: Executor, run: Run) -> AskResult | None:
    """A question no cue rule read (its intent came from the example bank alone) is answered only when
    some abstract is close to it, as a similarity question is: "How venomous is the black mamba?" names
    Mamba, but is not about it."""
    plan = run.plan
    if plan.intent_reading.source not in ("examples", "default") or plan.filters.any:
        return None
    ex.closest(run)
    return refuse(ex, run) if out_of_scope(ex, run, despite_entities=True) else None


def fallback(ex: Executor, run: Run, why: str, seen: set[str] | None = None) -> AskResult:
    """No graph answer: rank by similarity (leaving out the papers ``seen`` not to answer), say so; nothing at
    all when the question is out of scope."""
    ranked = ex.similar(run, set(ex.searcher.index.papers) - seen if seen else None)
    if out_of_scope(ex, run):
        return refuse(ex, run)
    run.fallback = True
    papers = [ex.paper(run, pid, score) for pid, score in ranked[:FALLBACK_PAPERS]]
    text = f"{why} Showing the {plural(len(papers), 'most similar paper')} instead"
    text += "; the matches are weak." if run.weak else "."
    if run.plan.intent is Intent.FACT:  # the number asked, from the closest paper, when it states one
        text = join(text, _stated(ex, run.plan, papers))
    return ex.result(run, text, papers, matched=0)


def refuse(ex: Executor, run: Run) -> AskResult:
    """The out-of-scope answer: no papers, and why (the names no paper has, or the closest similarity)."""
    run.plan = run.plan.model_copy(update={"intent": Intent.OUT_OF_SCOPE})
    named = ", ".join(e.name for e in run.plan.entities())
    missing = " or ".join(dict.fromkeys(e.name for e in run.plan.unknown))
    text = "Nothing in the corpus matches this question: "
    if missing and (not named or run.top_similarity is None):
        return ex.result(run, text + f"no paper mentions {missing}.", [], matched=0)
    if named:
        text += f"it mentions {named}, but "
    else:
        text += "it names no hardware, technique, system or dataset, and "
    text += f"no abstract is close to it (best similarity {run.top_similarity:.2f})."
    return ex.result(run, text, [], matched=0)


def answer_semantic(ex: Executor, run: Run) -> AskResult:
    """Papers ranked by similarity to the question, within its paper filters; refused when nothing is close."""
    plan = run.plan
    query = plan.paper_query()
    allowed = ex.ids(run, query) if query.paper_filters else None
    ranked = ex.similar(run, allowed)
    if out_of_scope(ex, run, despite_entities=True):
        return refuse(ex, run)
    papers = [ex.paper(run, pid, score) for pid, score in ranked]
    top = "; ".join(p.title for p in papers[:3])
    text = f"The most relevant papers, by similarity to the question: {top}." if papers else "No papers found."
    text = join(_stated(ex, plan, papers), text)
    if run.weak and papers:
        text = "Only weak matches: " + text[0].lower() + text[1:]
    return ex.result(run, join(unknown_note(plan), text), papers, matched=len(allowed or ()))


def _stated(ex: Executor, plan: QueryPlan, papers: Sequence[AskPaper]) -> str:
    """A similarity answer to a question asking for a number: the number the closest paper states, when
    its sentence shares at least two of the question's words with it (one may be chance); else the sentence
    of its text that states a number and shares the most words with the question (the graph may not store it)."""
    if not papers:
        return ""
    top = papers[0]
    if top.metrics and len(ex.quantities.matches(top.metrics[0], asked(ex, plan))) >= STATED_WORDS:
        around = " ".join(window(top.metrics[0]).split()).strip(" ,;:")
        return f"{top._subject} reports {amount(top.metrics[0])}: “…{around}…”."
    return quoted(ex, plan, top, least=STATED_WORDS) if asks_number(plan.text or plan.question) else ""


__all__ = ["FALLBACK_PAPERS", "answer_semantic", "blocked", "fallback", "out_of_scope", "refuse"]
