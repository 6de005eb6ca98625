"""Text helpers over spaCy's tokens: the domain's tokenizer rules, word chunks, sentences, LaTeX accents.

spaCy's tokens are the only tokenization. Two small additions make them fit the field's names:

* :func:`tune_tokenizer` splits a hyphen before a digit and a slash between digits ("LLaMA-2" -> ``LLaMA - 2``,
  "ResNet50/101" -> ``ResNet50 / 101``), so every hyphen and slash is a token of its own and a phrase pattern
  written "CIFAR-10" tokenizes like the text does;
* :func:`doc_words` joins tokens written without a space between them back into the names people write
  ("LLaMA-2-70B", "nn-JIT.web", "TULIP-PE"), as :class:`Word` chunks with character offsets. The coined-name
  and metric rules read these chunks.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.attrs import IDX, LENGTH, SPACY
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_suffix_regex

# A hyphen or dash before a digit ("LLaMA-2", "Ascend-910B", "CIFAR-10") and a slash before a digit
# ("ResNet50/101"): spaCy's English rules split them only before a letter. A plus between names: "CPU+FPGA".
DOMAIN_INFIXES = (
    r"(?<=[A-Za-z0-9])[-\u2010\u2011\u2013\u2014](?=[0-9])",
    r"(?<=[A-Za-z0-9])/(?=[0-9])",
    r"(?<=[A-Za-z0-9])\+(?=[A-Za-z])",
)
# A full stop after a capitalized code or acronym ends the sentence: "MI250X.", "NVIDIA." (spaCy keeps it on
# the token, as for abbreviations).
DOMAIN_SUFFIXES = (r"(?<=[A-Z0-9][A-Z])\.", r"(?<=[A-Z][a-z][A-Z])\.")  # "MI250X.", "SoC."
_TUNED = "papergraph_tokenizer"


# Chunks (whitespace-separated strings) the tokenizer keeps the tokens of. spaCy's default, 10,000, is used up by
# the rule patterns and a few hundred abstracts, after which every new chunk is split afresh (about 3x slower).
TOKENIZER_CACHE = 200_000


def tune_tokenizer(nlp: Language) -> Language:
    """Add :data:`DOMAIN_INFIXES` and :data:`DOMAIN_SUFFIXES` to ``nlp``'s tokenizer and raise its chunk cache
    to :data:`TOKENIZER_CACHE` (once; noted in ``nlp.meta``)."""
    if nlp.meta.get(_TUNED):
        return nlp
    tokenizer = nlp.tokenizer
    if not isinstance(tokenizer, Tokenizer):  # a custom tokenizer: left as it is
        return nlp
    infixes = list(nlp.Defaults.infixes or ()) + list(DOMAIN_INFIXES)
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    suffixes = list(nlp.Defaults.suffixes or ()) + list(DOMAIN_SUFFIXES)
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    tokenizer.max_cache_size = max(tokenizer.max_cache_size, TOKENIZER_CACHE)
    nlp.meta[_TUNED] = True
    return nlp


_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+@[\w-]+\.[\w.]+|\b[\w-]+\.(?:com|org|io|ai|net)/\S*", re.I)


def mask_urls(text: str) -> str:
    """URLs and e-mail addresses blanked with spaces (same length), so no number or name is read inside them."""
    return _URL.sub(lambda m: " " * len(m.group(0)), text)


def wordset(text: str) -> frozenset[str]:
    """A frozen set of the space-separated words of ``text`` (keeps long word lists readable)."""
    return frozenset(text.split())


_LATEX_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    '"': "\u0308",
    "^": "\u0302",
    "~": "\u0303",
    "c": "\u0327",
}
_LATEX_ACCENT = re.compile(r"\\(['`\"^~c])\{?([A-Za-z])\}?")


def delatex(name: str) -> str:
    """LaTeX accents in a name resolved: ``M\\'elange`` -> ``Mélange`` (arXiv abstracts keep them)."""
    if "\\" not in name:
        return name
    out = _LATEX_ACCENT.sub(lambda m: m.group(2) + _LATEX_ACCENTS[m.group(1)], name)
    return unicodedata.normalize("NFC", out).replace("\\", "")


@dataclass(frozen=True, slots=True)
class Word:
    """Tokens written together as one name or word, with character offsets (``nn-JIT.web``, ``LLaMA-2-70B``)."""

    start: int
    end: int
    text: str


_CONNECTORS = frozenset({"-", ".", "'", "\u2019", "\u2010", "\u2011"})
_TRAILING = frozenset({"+", "++"})


def _wordish(text: str) -> bool:
    first = text[:1]
    return first.isalnum() or first == "\\"


def token_offsets(doc: Doc) -> list[tuple[int, int, bool]]:
    """(start, end, followed by whitespace) per token, read from spaCy's arrays (no Token objects); cached."""
    cached: list[tuple[int, int, bool]] | None = doc.user_data.get("pg_offsets")
    if cached is None:
        rows = doc.to_array([IDX, LENGTH, SPACY]).tolist() if len(doc) else []
        cached = doc.user_data["pg_offsets"] = [(s, s + n, bool(space)) for s, n, space in rows]
    return cached


def _token_spans(doc: Doc) -> list[tuple[str, bool]]:
    text = doc_text(doc)
    return [(text[start:end], space) for start, end, space in token_offsets(doc)]


class Words(list[Word]):
    """A field's words in text order with their start offsets, computed once, for lookups by offset."""

    def __init__(self, words: list[Word]) -> None:
        super().__init__(words)
        self.starts = [w.start for w in words]

    def first_from(self, offset: int) -> int:
        """Index of the first word starting at or after character ``offset`` (``len(self)`` if none)."""
        return bisect.bisect_left(self.starts, offset)

    def holding(self, offset: int) -> int:
        """Index of the last word starting at or before character ``offset`` (-1 if none)."""
        return bisect.bisect_right(self.starts, offset) - 1


def doc_words(doc: Doc) -> Words:
    """The doc's tokens with glued pieces joined: a word continues over a connector ("-", ".", "'") followed,
    without a space, by another word, and over a trailing "+"/"++" ("C++"). URLs, e-mail addresses and
    whitespace tokens are left out; every other punctuation token is a word of its own. Cached per doc."""
    cached: Words | None = doc.user_data.get("pg_words")
    if cached is not None:
        return cached
    tokens = _token_spans(doc)
    starts = [start for start, _, _ in token_offsets(doc)]
    text = doc_text(doc)
    out: list[Word] = []
    n = len(tokens)
    i = 0
    while i < n:
        tok, _ = tokens[i]
        if tok.isspace() or _URL.match(tok):
            i += 1
            continue
        j = i + 1
        if _wordish(tok):
            j = _glued_end(tokens, i)
        start = starts[i]
        end = starts[j - 1] + len(tokens[j - 1][0])
        out.append(Word(start, end, text[start:end]))
        i = j
    words = doc.user_data["pg_words"] = Words(out)
    return words


def _glued_end(tokens: list[tuple[str, bool]], i: int) -> int:
    """End (exclusive) of the word starting at token ``i``: tokens written together with it."""
    n = len(tokens)
    j = i + 1
    while j < n and not tokens[j - 1][1]:
        nxt, spaced = tokens[j]
        if _wordish(nxt):
            j += 1
        elif nxt in _CONNECTORS and j + 1 < n and not spaced and _wordish(tokens[j + 1][0]):
            j += 2
        elif nxt in _TRAILING and (j + 1 >= n or spaced or not _wordish(tokens[j + 1][0])):
            return j + 1
        else:
            break
    return j


def doc_text(doc: Doc) -> str:
    """``doc.text``, which spaCy rebuilds from the tokens on every access, read once per doc."""
    text: str | None = doc.user_data.get("pg_text")
    if text is None:
        text = doc.user_data["pg_text"] = doc.text
    return text


class Sentences:
    """Sentence boundaries of one field as character ranges, with a fast lookup by offset."""

    def __init__(self, text: str, bounds: list[tuple[int, int]]) -> None:
        self.text = text
        self.bounds = bounds or [(0, len(text))]
        self._starts = [s for s, _ in self.bounds]

    def index(self, offset: int) -> int:
        """Index of the sentence holding character ``offset``."""
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def span(self, offset: int) -> tuple[int, int]:
        return self.bounds[self.index(offset)]

    def sentence(self, offset: int) -> str:
        start, end = self.span(offset)
        return self.text[start:end].strip()

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(self.bounds)
