"""What kind of thing a system is (``data/system_categories.json``), for rankings that name one.

The graph stores systems without a category: PyTorch, Llama and vLLM are all ``System`` nodes. A question that
ranks "deep learning frameworks", "open-weight LLM families" or "serving engines" ranks within the categories
its words ask for; a system belongs to a category by its name, its family's name, or its shape ("foo.cpp").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from papergraph.errors import ConfigError

CATEGORIES_FILE = "data/system_categories.json"


@dataclass(frozen=True)
class Category:
    name: str
    question: re.Pattern[str]
    systems: frozenset[str]  # case-folded names
    shapes: tuple[re.Pattern[str], ...]
    line: bool  # counted by family line ("LLM families": Llama once, with its models)
    excluded: frozenset[str] = frozenset()  # case-folded names never in it, whatever their shape
    known: frozenset[str] = field(init=False)  # listed or excluded (built once)
    extends_excluded: re.Pattern[str] | None = field(init=False)  # an excluded name and more ("GPT-5" of "GPT")

    def __post_init__(self) -> None:
        object.__setattr__(self, "known", self.excluded | self.systems)
        alternatives = "|".join(re.escape(x) for x in sorted(self.excluded))
        object.__setattr__(self, "extends_excluded", re.compile(rf"(?:{alternatives})[\s-]") if alternatives else None)

    @property
    def plural(self) -> str:
        """ "deep learning frameworks", "LLMs", "inference engines"."""
        if self.name.endswith("y"):
            return self.name[:-1] + "ies"
        return self.name + ("es" if self.name.endswith(("s", "sh", "ch")) else "s")

    def holds(self, name: str, family: str | None = None) -> bool:
        """Listed by name, else by family, else not excluded by a name it extends ("GPT-5" is a GPT), else by
        shape; an exclusion wins over everything but a name listed outright ("GPT-J" is open-weight)."""
        folded = name.casefold()
        line = family.casefold() if family else None
        if folded in self.excluded:
            return False
        if folded in self.systems:
            return True
        if line is not None and line in self.known:
            return line in self.systems
        if self.extends_excluded is not None and self.extends_excluded.match(folded):
            return False
        return any(s.search(name) for s in self.shapes)


@dataclass(frozen=True)
class SystemCategories:
    categories: tuple[Category, ...]

    def asked(self, question: str) -> list[Category]:
        """The categories a question's words ask for (several: "frameworks or training libraries")."""
        found = [c for c in self.categories if c.question.search(question)]
        names = {c.name for c in found}
        # "open-weight LLM families" asks for the narrower category, not for every LLM as well
        return [c for c in found if not (c.name == "LLM" and "open-weight LLM" in names)]


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(f"{CATEGORIES_FILE}, {where}: bad pattern ({exc})") from exc


def parse_categories(raw: dict[str, Any]) -> SystemCategories:
    rows = raw.get("categories")
    if not isinstance(rows, list):
        raise ConfigError(f"{CATEGORIES_FILE}: 'categories' is missing or not a list")
    by_name = {str(row.get("category")): row for row in rows if isinstance(row, dict)}
    out = []
    for i, row in enumerate(rows):
        where = f"categories[{i}]"
        try:
            members = {str(s).casefold() for s in row.get("systems", ())}
            shapes = [_compile(p, where) for p in row.get("shapes", ())]
            if "like" in row:
                base = by_name[row["like"]]
                members |= {str(s).casefold() for s in base.get("systems", ())}
                shapes += [_compile(p, where) for p in base.get("shapes", ())]
            excluded = frozenset(str(s).casefold() for s in row.get("except", ()))
            out.append(
                Category(
                    name=str(row["category"]),
                    question=_compile(row["question"], where),
                    systems=frozenset(members - excluded),
                    shapes=tuple(shapes),
                    line=bool(row.get("line", False)),
                    excluded=excluded,
                )
            )
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"{CATEGORIES_FILE}, {where}: missing or bad key ({exc})") from exc
    return SystemCategories(tuple(out))


@lru_cache(maxsize=1)
def system_categories() -> SystemCategories:
    """The packaged categories, loaded once."""
    text = resources.files("papergraph.query").joinpath(CATEGORIES_FILE).read_text(encoding="utf-8")
    return parse_categories(json.loads(text))


__all__ = ["Category", "SystemCategories", "parse_categories", "system_categories"]
