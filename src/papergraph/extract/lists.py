"""Names by where they stand: the list after a cue (datasets after evaluation cues, systems after toolchain cues)
and the list before a head noun ("COCO, VOC and TJU-DHD datasets"). One walker reads both; what joins the items
(",", "and", "as well as") is data (:class:`Joiners`).

"experiments on ImageNet and LAION-5B", "On EuRoC MAV and TUM-VI, ...", "train X on ToyADMOS and MIMII",
"circuits from QASMBench and MQT Bench": a cue (``DATASET_CUE`` rows of ``datasets.jsonl``, spaCy token patterns
ending in the preposition) opens a list of name-shaped items joined by ",", "and", "or". Each item is one to three
words; a plain Capitalized word counts only beside a name-shaped or known item ("ogbn-arxiv, Reddit and Yelp").
A list that runs into a model, hardware or method noun (``DATASET_STOP`` rows: "on ResNet models") is not a
list of datasets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from papergraph.extract.text import Sentences, Words


@dataclass(frozen=True)
class Joiners:
    """What stands between two items of a list: ``words`` (at most ``max_words`` of them in a row, None: any
    number), of which ``last`` open the list's last item ("..., X and Y")."""

    words: frozenset[str]
    last: frozenset[str] = frozenset({"and", "or", "&"})
    max_words: int | None = None


AFTER_CUE = Joiners(frozenset({",", "and", "or", "&", "as", "well"}))
"""Joiners of a list after a cue: "on ImageNet, COCO as well as LVIS"."""
BEFORE_NOUN = Joiners(frozenset({",", "&", "and", "or"}), max_words=2)
"""Joiners of a list before its head noun: "COCO, VOC, and TJU-DHD datasets"."""
_DATA_TAIL = frozenset(
    {
        "dataset",
        "datasets",
        "benchmark",
        "benchmarks",
        "suite",
        "suites",
        "corpus",
        "corpora",
        "data",
        "set",
        "sets",
        "split",
        "splits",
        "subset",
        "subsets",
        "test",
        "validation",
        "trace",
        "traces",
        "workload",
        "workloads",
        "collection",
        "collections",
        "multi-camera",
    }
)
_VERSION = re.compile(r"^(?:v?\d{1,2}(?:\.\d+)?|\d+(?:\.\d+)?(?:TB|GB|[KMB]))$")
_CAP = re.compile(r"^[A-Z][A-Za-z]+$")

Taken = Callable[[int, int], str | None]


@dataclass(frozen=True)
class Item:
    """A dataset name found in a list: character offsets and the text."""

    start: int
    end: int
    text: str


@dataclass
class _Walk:
    """A list being read: where the walk is, its items (with whether each is name-shaped), known items met."""

    k: int
    article: bool  # the list opened with "the"
    items: list[tuple[Item, bool]] = field(default_factory=list)
    known: int = 0
    last: bool = False  # after "and"/"or" comes the list's last item
    first: list[tuple[Item, bool]] | None = None  # items before the first comma: "On X, Cumulo's ..." is X
    tailed: bool = False  # an item had a data tail ("test set")


class NameLists:
    """Lists of names after a cue; ``is_name`` says whether one word is shaped like a name, ``label`` which
    mentions already found count as items of the list ("DATASET": "on ImageNet and Foo-7"), ``stop_words``
    which next words make it a list of something else, ``max_words`` how many words one item may have."""

    def __init__(
        self,
        is_name: Callable[[str], bool],
        stop_words: frozenset[str],
        label: str = "DATASET",
        max_words: int = 3,
        joiners: Joiners = AFTER_CUE,
    ) -> None:
        self.is_name = is_name
        self.stop_words = stop_words
        self.label = label
        self.max_words = max_words
        self.joiners = joiners

    def find(
        self, ws: Words, cue_ends: list[int], sentences: Sentences, taken: Taken, need_known: bool = False
    ) -> list[Item]:
        """Items of every list starting at a cue end (character offset just after the cue); ``need_known``: only
        lists holding an item already known with this list's label (after a weak cue: "on Reddit and Cora")."""
        out: list[Item] = []
        for end in cue_ends:
            k = ws.first_from(end)
            if k < len(ws):
                out.extend(self._list(ws, k, sentences, taken, need_known))
        return out

    def _list(self, ws: Words, k: int, sentences: Sentences, taken: Taken, need_known: bool = False) -> list[Item]:
        sent = sentences.index(ws[k].start)
        n = len(ws)

        def inside(i: int) -> bool:
            return i < n and sentences.index(ws[i].start) == sent

        walk = _Walk(k, article=ws[k].text.lower() == "the")  # "on the TDA4VM" names a device
        while inside(walk.k):
            item = self._item(ws, walk, inside, taken)
            if item is None:
                return []
            if not item:
                break  # "On PACS, our models ...": the list ended at the comma
            if not self._joined(ws, walk, inside):
                break
        return [] if need_known and not walk.known else self._verdict(ws, walk, inside)

    def _item(self, ws: Words, walk: _Walk, inside: Callable[[int], bool], taken: Taken) -> bool | None:
        """Read the item at ``walk.k`` and what follows it (a parenthesis, a data tail); False where the list
        ended before it, None where no list starts."""
        k = walk.k + 1 if ws[walk.k].text.lower() == "the" else walk.k
        label = taken(ws[k].start, ws[k].end) if inside(k) else "END"
        if label == self.label:
            walk.known += 1
            k = self._past_known(ws, k, taken)
        elif label is None and inside(k) and (self.is_name(ws[k].text) or _CAP.match(ws[k].text)):
            j = self._item_end(ws, k, inside, taken)
            strong = any(self.is_name(w.text) for w in ws[k:j])
            walk.items.append((Item(ws[k].start, ws[j - 1].end, " ".join(w.text for w in ws[k:j])), strong))
            k = j
        else:
            walk.k = k
            return False if walk.items or walk.known else None
        k = _past_parenthesis(ws, k, inside)  # "BEIR (13 datasets) and LoTTE"
        tail = self._past_tail(ws, k, inside)  # "the FLEURS test set"
        walk.tailed, walk.k = walk.tailed or tail > k, tail
        return True

    def _joined(self, ws: Words, walk: _Walk, inside: Callable[[int], bool]) -> bool:
        """Past the joiners after an item; whether another item follows."""
        if walk.last:
            return False
        k = walk.k
        j = past_joiners(ws, k, 1, self.joiners, inside)
        walk.last = any(ws[x].text.lower() in self.joiners.last for x in range(k, j))
        if walk.first is None and j > k and not walk.last:
            walk.first = list(walk.items)
        if j == k or not inside(j):
            return False
        walk.k = j
        return True

    def _verdict(self, ws: Words, walk: _Walk, inside: Callable[[int], bool]) -> list[Item]:
        """The items of a finished walk: none where the list runs into a stop word ("on ResNet models") or a
        lone "the X" has no data tail; the items before the first comma where no "and" closes the list."""
        if (inside(walk.k) and ws[walk.k].text.lower() in self.stop_words) or (walk.article and not walk.tailed):
            return []
        items = walk.first if not walk.last and walk.first is not None else walk.items
        if not any(strong for _, strong in items) and not walk.known:
            return []
        return [item for item, strong in items if strong or walk.known or len(items) > 1]

    def before(self, ws: Words, i: int, sentences: Sentences, taken: Taken) -> list[Item]:
        """Name-shaped words listed right before word ``i`` (a head noun), last first: "COCO, VOC and TJU-DHD
        datasets". Known items (``label``) continue the list; anything else ends it."""
        sent = sentences.index(ws[i].start)

        def inside(k: int) -> bool:
            return k >= 0 and sentences.index(ws[k].start) == sent

        out: list[Item] = []
        k = i - 1
        while inside(k):
            label = taken(ws[k].start, ws[k].end)
            if label is None and self.is_name(ws[k].text):
                out.append(Item(ws[k].start, ws[k].end, ws[k].text))
            elif label != self.label:
                break
            while inside(k - 1) and label == self.label and taken(ws[k - 1].start, ws[k - 1].end) == label:
                k -= 1  # the first word of a known name of several: "MLPerf Tiny"
            j = past_joiners(ws, k - 1, -1, BEFORE_NOUN, inside)
            if j == k - 1:
                break
            k = j
        return out

    def _item_end(self, ws: Words, k: int, inside: Callable[[int], bool], taken: Taken) -> int:
        """End of an item starting at ``k``: more Capitalized, name-shaped or version words, up to ``max_words``."""
        j = k + 1
        while j < k + self.max_words and inside(j) and taken(ws[j].start, ws[j].end) in (None, "TECHNIQUE"):
            t = ws[j].text  # a Capitalized technique word inside a name: "NVPL Sparse"
            if not (self.is_name(t) or _CAP.match(t) or _VERSION.match(t)):
                break
            j += 1
        return j

    def _past_known(self, ws: Words, k: int, taken: Taken) -> int:
        j = k + 1
        while j < len(ws) and taken(ws[j].start, ws[j].end) == self.label and ws[j].start <= ws[j - 1].end + 1:
            j += 1
        return j

    @staticmethod
    def _past_tail(ws: Words, k: int, inside: Callable[[int], bool]) -> int:
        """Past up to three lower-case words ending in a data noun, the longest: "test set", "multi-camera data"."""
        end = k
        for j in range(k + 1, k + 4):
            if not inside(j - 1) or not ws[j - 1].text.islower():
                break
            if ws[j - 1].text.lower() in _DATA_TAIL:
                end = j
        return end


def _past_parenthesis(ws: Words, k: int, inside: Callable[[int], bool]) -> int:
    """Past a short parenthesis at ``k`` (up to eight words), else ``k``."""
    if not inside(k) or ws[k].text != "(":
        return k
    for j in range(k + 1, k + 10):
        if not inside(j) or ws[j].text == "(":
            return k
        if ws[j].text == ")":
            return j + 1
    return k


def past_joiners(ws: Words, k: int, step: int, joiners: Joiners, inside: Callable[[int], bool]) -> int:
    """The first word from ``k`` on (going by ``step``, +1 or -1) that is no joiner, within ``max_words``."""
    j = k
    while inside(j) and ws[j].text.lower() in joiners.words:
        if joiners.max_words is not None and abs(j - k) >= joiners.max_words:
            break
        j += step
    return j
