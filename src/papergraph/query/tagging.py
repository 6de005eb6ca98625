"""Parts of speech of a question (spaCy's tagger), loaded on first use: only questions whose subject is no
graph entity need them, so graph questions never load the pipeline."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy (and torch below it) is imported on first use, never by importing this module
    from spacy.language import Language

log = logging.getLogger(__name__)

_UNUSED = ("parser", "ner", "lemmatizer", "senter")


class LazyTagger:
    """``tagger(text)`` -> {character offset of each word: universal part of speech}; {} when the configured
    pipeline is not installed (every word is then read as a possible subject word)."""

    def __init__(self, model: str) -> None:
        self.model = model
        self._nlp: Language | None = None
        self._failed = False
        self._lock = threading.Lock()

    def _pipeline(self) -> Language | None:
        if self._nlp is None and not self._failed:
            with self._lock:
                if self._nlp is None and not self._failed:
                    import spacy

                    try:
                        self._nlp = spacy.load(self.model, exclude=list(_UNUSED))
                    except OSError:
                        log.warning("spaCy pipeline %r not installed: question phrases are read untagged", self.model)
                        self._failed = True
        return self._nlp

    def __call__(self, text: str) -> dict[int, str]:
        nlp = self._pipeline()
        if nlp is None:
            return {}
        return {t.idx: t.pos_ for t in nlp(text)}


__all__ = ["LazyTagger"]
