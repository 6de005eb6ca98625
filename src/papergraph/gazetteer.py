"""The extraction gazetteers read as data: their rows and the aliases they give each entity.

``src/papergraph/extract/data/{hardware,techniques,systems,datasets}.jsonl`` hold ``{label, pattern, id}`` rows
(see :mod:`papergraph.extract.rules`, which validates them for the extractor). Readers outside extraction (the
explorer's search, the question vocabulary) need only the rows, not spaCy: this module reads them without importing
the extraction package. A line that is not JSON is skipped with a warning naming file and line.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from functools import cache
from importlib import resources
from typing import Any

from papergraph.models import EntityType

log = logging.getLogger(__name__)

GAZETTEERS = (
    ("hardware.jsonl", EntityType.HARDWARE),
    ("techniques.jsonl", EntityType.TECHNIQUE),
    ("systems.jsonl", EntityType.SYSTEM),
    ("datasets.jsonl", EntityType.DATASET),
)
"""The four entity gazetteers and the entity type each one names."""


def load_gazetteer() -> list[dict[str, Any]]:
    """The gazetteer rows, one dict per line of the four entity files (a missing file: a warning, no rows)."""
    folder = resources.files("papergraph").joinpath("extract", "data")
    rows: list[dict[str, Any]] = []
    for name, _ in GAZETTEERS:
        path = folder.joinpath(name)
        if not path.is_file():
            log.warning("gazetteer %s not found: its aliases are not used", name)
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip() and not line.lstrip().startswith("//"):
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    log.warning("%s:%d skipped (%s)", name, number, exc)
    return rows


@cache
def gazetteer_aliases() -> dict[str, tuple[str, ...]]:
    """Entity id -> the phrases the gazetteers spell it with ("quantisation", "GPGPU"), in file order, once each."""
    aliases: dict[str, list[str]] = defaultdict(list)
    for row in load_gazetteer():
        if isinstance(row, dict) and isinstance(row.get("pattern"), str) and isinstance(row.get("id"), str):
            aliases[row["id"]].append(row["pattern"])
    return {node: tuple(dict.fromkeys(found)) for node, found in aliases.items()}
