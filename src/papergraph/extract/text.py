"""Text helpers shared by the matchers: length-preserving folding, URL masking, words and sentences.

Every matcher works on character offsets of the original field text, so each helper here keeps the text's
length: offsets found in a folded or masked copy are offsets in the original.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# Hyphens, dashes and odd spaces all fold to a plain space: "GPU-based", "edge–cloud", "edge cloud" match alike.
_FOLD_TABLE = str.maketrans(
    {
        "-": " ",
        "\u2010": " ",
        "\u2011": " ",
        "\u2012": " ",
        "\u2013": " ",
        "\u2014": " ",
        "\u2212": " ",
        "\u00a0": " ",
        "\t": " ",
        "\n": " ",
        "\r": " ",
        "~": " ",
        "\u2019": "'",
        "\u2018": "'",
    }
)

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+@[\w-]+\.[\w.]+|\b[\w-]+\.(?:com|org|io|ai|net)/\S*", re.I)


def wordset(text: str) -> frozenset[str]:
    """A frozen set of the space-separated words of ``text`` (keeps long word lists readable)."""
    return frozenset(text.split())


def fold_case_sensitive(text: str) -> str:
    """Dashes, odd spaces and curly quotes normalized; same length as ``text``."""
    return text.translate(_FOLD_TABLE)


def fold(text: str) -> str:
    """Lower-cased :func:`fold_case_sensitive`; same length as ``text`` (per-character fallback if needed)."""
    folded = fold_case_sensitive(text)
    lower = folded.lower()
    if len(lower) == len(folded):
        return lower
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)


def mask_urls(text: str) -> str:
    """URLs and e-mail addresses blanked with spaces, so no rule matches inside them."""
    return _URL.sub(lambda m: " " * len(m.group(0)), text)


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
    """A word-like chunk of text with its offsets (names keep inner hyphens and dots: ``nn-JIT.web``)."""

    start: int
    end: int
    text: str


_WORD = re.compile(
    r"(?:\\['`\"^~]\{?[A-Za-z]\}?|[^\W_])"
    r"(?:[\w+#&]|\\['`\"^~]\{?[A-Za-z]\}?|[-.'\u2019](?=[^\W_]))*"
    r"(?:\+\+|\+(?![\w+]))?"
    r"|[^\w\s]"
)


def words(text: str) -> list[Word]:
    """The text split into word chunks and single punctuation characters, with offsets."""
    return [Word(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]


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
