"""What the metric rules find: a result and the hardware mentions it may be tied to (plain dataclasses)."""

from __future__ import annotations

import re
from dataclasses import dataclass

NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
"""A number as written: "12", "1,024", "3.5", ".5"."""
JOINED_RESULTS = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+)")
"""What stands between two results of one list: "4.7x and 13.5x", "2.6x, 3.1x, and 2.2x"."""


@dataclass(frozen=True)
class HardwareSpan:
    """What the metric matcher needs to know about a hardware mention in the same field."""

    start: int
    end: int
    name: str
    level: str = "model"
    type: str = "other"
    family: str | None = None
    lineage: tuple[str, ...] = ()

    @property
    def generic(self) -> bool:
        return self.level == "class"

    @property
    def unresolved(self) -> bool:
        """A class or family name that the paper may resolve to one named model."""
        return self.level in ("class", "family")


@dataclass
class MetricFound:
    """One result as found in a field: offsets of the whole expression and its parsed parts."""

    start: int
    end: int
    value: float
    value_max: float | None
    unit: str
    kind: str
    metric: str = ""
    hardware: str | None = None
    hardware_span: HardwareSpan | None = None
    fixed_kind: bool = False
    unit_start: int = 0
    direction: str | None = None
    baseline: HardwareSpan | None = None
