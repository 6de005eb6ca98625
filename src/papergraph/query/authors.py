"""Author names as a question types them: every word given, case aside, a long word one edit (a swap counted
as one) away."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rapidfuzz.distance import OSA

AUTHOR_TYPO_CHARS = 5  # an author's name word this long may be typed one edit away ("Okafr")


def authors_matching(words: str, authors: Sequence[str], typos: bool = False) -> list[str]:
    """Authors whose name has every word given ("Smith", "J. Smith", "Jane Smith"), case aside; with
    ``typos``, a word of AUTHOR_TYPO_CHARS or more may be one edit away ("Okafr" for Okafor)."""
    wanted = [w.casefold().rstrip(".") for w in words.split()]
    found = []
    for author in authors:
        parts = [p.casefold().rstrip(".") for p in author.replace(".", ". ").split()]
        if all(_name_part(w, parts, typos) for w in wanted):
            found.append(author)
    return found


def _name_part(word: str, parts: Sequence[str], typos: bool) -> bool:
    if word in parts or (len(word) == 1 and any(p.startswith(word) for p in parts)):
        return True
    return typos and len(word) >= AUTHOR_TYPO_CHARS and any(OSA.distance(word, p) <= 1 for p in parts)


def author_named(words: str, authors: Sequence[str], asking: Collection[str]) -> tuple[str, list[str]]:
    """The authors a capitalised run of words names, each word as typed or one edit away: all of it, else
    without the words of asking before it ("List Hana Okafor's papers": a capitalised verb opened it)."""
    parts = words.split()
    for start in range(len(parts)):
        if start and parts[start - 1].casefold() not in asking:
            break
        named = " ".join(parts[start:])
        found = authors_matching(named, authors) or authors_matching(named, authors, typos=True)
        if found:
            return named, found
    return words, []


__all__ = ["AUTHOR_TYPO_CHARS", "author_named", "authors_matching"]
