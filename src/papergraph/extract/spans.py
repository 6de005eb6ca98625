"""Character spans: the one overlap test and the one leftmost-longest selection every rule shares.

A span is a half-open range ``start:end`` of character offsets in a field. Two spans overlap when they share a
character; a selection keeps, left to right, the longest span that starts first and drops what overlaps it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Spanned(Protocol):
    """Anything with character offsets ``start:end`` (a mention, a result, a matched rule, a word)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


def within(item: Spanned, start: int, end: int) -> bool:
    """Whether ``item`` lies inside ``start:end`` (it may fill it)."""
    return start <= item.start and item.end <= end


def holds(item: Spanned, pos: int) -> bool:
    """Whether character ``pos`` lies inside ``item``."""
    return item.start <= pos < item.end


def overlaps(start: int, end: int, other_start: int, other_end: int) -> bool:
    """Whether ``start:end`` and ``other_start:other_end`` share a character."""
    return other_start < end and start < other_end


def overlapping(spans: Iterable[Sequence[Any]], start: int, end: int) -> Sequence[Any] | None:
    """The first of ``spans`` (tuples that begin with start and end) overlapping ``start:end``, or None."""
    return next((s for s in spans if overlaps(start, end, s[0], s[1])), None)


def any_overlap(spans: Iterable[Sequence[Any]], start: int, end: int) -> bool:
    """Whether any of ``spans`` (tuples that begin with start and end) overlaps ``start:end``."""
    return overlapping(spans, start, end) is not None


def leftmost_longest(
    items: Iterable[T],
    span: Callable[[T], tuple[int, int]],
    rank: Callable[[T], Any] | None = None,
    on_drop: Callable[[T, T], None] | None = None,
) -> list[T]:
    """Non-overlapping items, greedily: the earliest start first, then the longest, then the lowest ``rank``
    (input order on ties). ``on_drop(kept, dropped)`` is called for an item dropped because ``kept`` overlaps it."""

    def key(item: T) -> tuple[int, int, Any]:
        start, end = span(item)
        return start, start - end, rank(item) if rank is not None else 0

    out: list[T] = []
    last_end = -1
    for item in sorted(items, key=key):
        start, end = span(item)
        if start >= last_end:
            out.append(item)
            last_end = end
        elif on_drop is not None and out:
            on_drop(out[-1], item)
    return out
