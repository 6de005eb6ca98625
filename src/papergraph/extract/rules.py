"""Rule rows as data: loading and validating ``data/*.jsonl`` files of ``{label, pattern, id}`` rows.

Every gazetteer entry, alias, unit and keyword the extractor knows is one JSON object per line, in the
spaCy ``SpanRuler`` shape (``label``, ``pattern``, ``id`` = ``kind:slug``) plus a few optional keys that say
how to match it (``case``, ``context``) or what it means (``name``, ``type``, ``unit``, ``kind``). Files are
read once (cached) through :mod:`importlib.resources`; a bad line raises :class:`PatternFileError` naming
the file and the line, so a typo in a data file is found at load time, not as a silent miss.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from papergraph.errors import PaperGraphError, json_problem
from papergraph.models import HardwareType, MetricKind

logger = logging.getLogger(__name__)

DATA_PACKAGE = "papergraph.extract.data"

LABELS = frozenset(
    {
        "HARDWARE",
        "VENDOR",
        "FAMILY",
        "CODE",
        "HEAD",
        "VARIANT",
        "TECHNIQUE",
        "SYSTEM",
        "DATASET",
        "DATASET_CUE",
        "DATASET_STOP",
        "SYSTEM_CUE",
        "SYSTEM_STOP",
        "SYSTEM_ORG",
        "IGNORE",
        "NOT_HARDWARE",
        "NOT_SYSTEM",
        "UNIT",
        "COUNT",
        "NOT_UNIT",
        "FORMAT",
        "NUMBER",
        "DIRECTION",
        "KIND",
    }
)

_ID = re.compile(r"^[a-z][a-z-]*:[0-9a-z][0-9a-z-]*$")

# Optional keys and the Python types their values must have.
_OPTIONAL: dict[str, type | tuple[type, ...]] = {
    "name": str,  # canonical name (first row of an id)
    "type": str,  # HardwareType value
    "family": str,  # broader family / technique
    "generic": bool,  # KIND: low-priority word ("better", "improvement")
    "case": bool,  # match case-sensitively (default: case-insensitive)
    "context": list,  # one of these words must be near the match
    "window": int,  # how many words either side ``context`` looks at (default 3)
    "side": str,  # "before", "after" or "both" (default) for ``context``
    "not_next": list,  # the match is dropped when the next word is one of these
    "suffix": bool,  # SYSTEM: the written name may carry a version/size suffix ("LLaMA-2-7B")
    "unit": str,  # UNIT/COUNT: normalized unit
    "kind": str,  # UNIT/COUNT/KIND: MetricKind value
    "scale": (int, float),  # COUNT: multiplier folded into the value ("GFLOPs" -> 1e9 FLOPs)
    "value": (int, float),  # NUMBER: the number a word names ("sixteen" -> 16)
    "magnitude": bool,  # NUMBER: needs a magnitude word ("one billion"); COUNT: false refuses one ("7B models")
    "hyphen": bool,  # NUMBER: counts only glued by a hyphen to its noun ("octa-core")
    "direction": str,  # DIRECTION/NUMBER: increase, decrease, or better (a rise of what is good)
    "keep": int,  # token patterns: only the last N matched tokens are the entity ("1MB Flash" -> "Flash")
    "fold": bool,  # SYSTEM: false keeps a case-sensitive name from also matching in other letter cases ("Spark")
    # hardware grammar (hardware.jsonl; see extract/hardware.py)
    "level": str,  # HARDWARE: model, family or class
    "vendor": str,  # FAMILY/HARDWARE: the maker's name ("NVIDIA")
    "parent": str,  # FAMILY: id of the family one level up ("family:nvidia-jetson")
    "prefix": str,  # FAMILY/CODE: what model names start with (default: the family name)
    "join": str,  # FAMILY: what joins the prefix and a model code ("-" in "Cortex-M4", "" in "HBM3e"; default " ")
    "glued": bool,  # FAMILY: the word may be glued to its model code ("RTX4090", "TPUv4")
    "standalone": bool,  # FAMILY with a parent: may be written without the parent word ("Orin Nano")
    "bare": bool,  # FAMILY: false when the word alone is no mention; it needs its vendor or a model code ("Core")
    "words": list,  # FAMILY: model words of this line ("Platinum", "Gold" after "Xeon")
    "keep_case": bool,  # FAMILY: model codes keep their letter case ("i9", "v4"); default: lower-case codes upper
    "letter_codes": bool,  # FAMILY: one capital letter or a roman numeral is a model code ("Stratix V")
    "version": str,  # SYSTEM: how a version joins the family name ("" for "Qwen2.5", " " for "Llama 2")
    "code_prefix": str,  # CODE: what the models this code shape names start with ("NVIDIA GeForce RTX")
    "series": str,  # CODE: regex whose groups name the code's series ("MI(\\d)" of "MI250X")
    "series_name": str,  # CODE: format of the series name from those groups ("AMD Instinct MI{0}00")
    "drop": str,  # FAMILY: regex of model words left out of names ("Model B" of Raspberry Pi boards)
    "isa": bool,  # VENDOR: an instruction set, not a maker ("RISC-V", "x86"): a qualifier with no vendor
    "named_products": bool,  # VENDOR: a maker that names products by words ("Clearpath Jackal", "DJI Mavic")
    "needs_known": bool,  # DATASET_CUE: a weak cue ("on"): its list counts only beside a known dataset
    "class_name": str,  # HEAD: the class a type noun names ("processor" -> "CPU")
}


_LEVELS = frozenset({"model", "family", "class"})


class PatternFileError(PaperGraphError, ValueError):
    """A rule data file has a line that is not a valid rule row; the message names file and line."""


@dataclass(frozen=True)
class Rule:
    """One validated row: what to match (``pattern``), what it is (``label``, ``id``) and extra attributes."""

    label: str
    pattern: str | tuple[dict[str, Any], ...]
    id: str
    attrs: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    source: str = field(default="", compare=False)

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrs.get(key, default)


def parse_rules(lines: list[str], source: str) -> list[Rule]:
    """Validate ``lines`` of one JSONL file; blank lines and ``//`` comment lines are skipped."""
    rules: list[Rule] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("//"):
            continue
        where = f"{source}:{number}"
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PatternFileError(f"{where}: not valid JSON ({json_problem(exc)})") from exc
        rules.append(_validate(row, where))
    return rules


def _validate(row: Any, where: str) -> Rule:
    if not isinstance(row, dict):
        raise PatternFileError(f"{where}: a rule must be a JSON object, got {type(row).__name__}")
    missing = [k for k in ("label", "pattern", "id") if k not in row]
    if missing:
        raise PatternFileError(f"{where}: missing {', '.join(missing)}")
    label, pattern, id_ = row["label"], row["pattern"], row["id"]
    if label not in LABELS:
        raise PatternFileError(f"{where}: unknown label {label!r} (expected one of {sorted(LABELS)})")
    if not isinstance(id_, str) or not _ID.match(id_):
        raise PatternFileError(f"{where}: id {id_!r} is not of the form 'kind:slug'")
    if isinstance(pattern, str):
        if not pattern.strip():
            raise PatternFileError(f"{where}: empty pattern")
        pat: str | tuple[dict[str, Any], ...] = pattern
    elif isinstance(pattern, list) and pattern and all(isinstance(t, dict) for t in pattern):
        pat = tuple(pattern)
    else:
        raise PatternFileError(f"{where}: pattern must be a string or a non-empty list of token objects")
    attrs: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("label", "pattern", "id"):
            continue
        expected = _OPTIONAL.get(key)
        if expected is None:
            raise PatternFileError(f"{where}: unknown key {key!r}")
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            raise PatternFileError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")
        attrs[key] = value
    if "type" in attrs and attrs["type"] not in {t.value for t in HardwareType}:
        raise PatternFileError(f"{where}: unknown hardware type {attrs['type']!r}")
    if "kind" in attrs and attrs["kind"] not in {k.value for k in MetricKind}:
        raise PatternFileError(f"{where}: unknown metric kind {attrs['kind']!r}")
    if attrs.get("side", "both") not in ("before", "after", "both"):
        raise PatternFileError(f"{where}: side must be 'before', 'after' or 'both'")
    if attrs.get("direction", "increase") not in ("increase", "decrease", "better"):
        raise PatternFileError(f"{where}: direction must be 'increase', 'decrease' or 'better'")
    if attrs.get("level", "model") not in _LEVELS:
        raise PatternFileError(f"{where}: level must be one of {sorted(_LEVELS)}")
    for key in ("context", "not_next", "words"):
        if key in attrs and not all(isinstance(w, str) for w in attrs[key]):
            raise PatternFileError(f"{where}: {key!r} must be a list of strings")
    return Rule(label=label, pattern=pat, id=id_, attrs=attrs, source=where)


def load_rule_file(path: str | Path) -> list[Rule]:
    """Rules of a JSONL file on disk (tests, user-supplied pattern files)."""
    p = Path(path)
    return parse_rules(p.read_text(encoding="utf-8").splitlines(), str(p))


@cache
def load_rules(name: str) -> tuple[Rule, ...]:
    """Rules of a data file bundled with the package (``hardware.jsonl``), read once per process."""
    resource = resources.files(DATA_PACKAGE).joinpath(name)
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PatternFileError(f"{name}: no such rule file in {DATA_PACKAGE}") from exc
    rules = parse_rules(text.splitlines(), name)
    logger.debug("loaded %d rules from %s", len(rules), name)
    return tuple(rules)


_META_KEYS = (
    "name",
    "type",
    "family",
    "generic",
    "unit",
    "kind",
    "scale",
    "level",
    "vendor",
    "parent",
    "prefix",
    "join",
    "words",
    "keep_case",
    "letter_codes",
    "bare",
    "version",
    "drop",
    "isa",
    "named_products",
    "needs_known",
    "class_name",
    "magnitude",
)


def entity_table(rules: list[Rule] | tuple[Rule, ...]) -> dict[str, dict[str, Any]]:
    """Per-id metadata (name, type, family, flags) merged from the rows that carry it.

    The first row of an id names the entity; a later row that gives a different name or type is an error,
    so two aliases can never silently disagree about what they map to.
    """
    table: dict[str, dict[str, Any]] = {}
    for rule in rules:
        meta = table.setdefault(rule.id, {})
        for key in _META_KEYS:
            if key not in rule.attrs:
                continue
            if key in meta and meta[key] != rule.attrs[key] and key in ("name", "type", "unit"):
                raise PatternFileError(
                    f"{rule.source}: {rule.id} already has {key} {meta[key]!r}, this row says {rule.attrs[key]!r}"
                )
            meta.setdefault(key, rule.attrs[key])
    return table
