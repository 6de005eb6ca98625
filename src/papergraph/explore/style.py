"""The Neo4j Browser style sheet (``papergraph.grass``) read into colours, sizes and captions per label.

One source for both looks: the file Neo4j Browser users drag onto Browser is the one the explorer page draws
with. It ships inside the package (see ``pyproject.toml``); a source checkout reads ``graph_schema/browser/``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

from papergraph.errors import ConfigError
from papergraph.explore.models import GraphStyle, NodeStyle, RelationshipStyle
from papergraph.graph.rows import LABELS, REL_TYPES

GRASS = "papergraph.grass"
_RULE = re.compile(r'([\w.]+)\s*\{((?:[^{}"]|"[^"]*")*)\}', re.S)  # braces inside quotes: caption: "{title}"
_DECLARATION = re.compile(r"([\w-]+)\s*:\s*([^;]+);")


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """``{selector: {property: value}}`` of a grass file; quotes around values removed."""
    rules: dict[str, dict[str, str]] = {}
    for selector, body in _RULE.findall(text):
        props = rules.setdefault(selector, {})
        for key, value in _DECLARATION.findall(body):
            props[key] = value.strip().strip('"')
    return rules


def _px(value: str) -> float:
    return float(value.removesuffix("px"))


def style_from_grass(text: str) -> GraphStyle:
    """Node and relationship styles per label and type; each selector inherits ``node`` / ``relationship``."""
    rules = parse_grass(text)
    nodes = {}
    for label in LABELS:
        props = {**rules.get("node", {}), **rules.get(f"node.{label}", {})}
        nodes[label] = NodeStyle(
            color=props.get("color", "#A5ABB6"),
            border_color=props.get("border-color", "#9AA1AC"),
            text_color=props.get("text-color-internal", "#FFFFFF"),
            diameter=_px(props.get("diameter", "50px")),
            caption=props.get("caption", "{name}"),
        )
    relationships = {}
    for rel in REL_TYPES:
        props = {**rules.get("relationship", {}), **rules.get(f"relationship.{rel}", {})}
        relationships[rel] = RelationshipStyle(
            color=props.get("color", "#A5ABB6"), width=_px(props.get("shaft-width", "1px"))
        )
    return GraphStyle(nodes=nodes, relationships=relationships)


def grass_path() -> Path:
    """The packaged style sheet, or the source checkout's."""
    packaged = resources.files("papergraph.explore").joinpath(GRASS)
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "graph_schema" / "browser" / GRASS
    if checkout.is_file():
        return checkout
    raise ConfigError(f"{GRASS} is missing from the package and the checkout; reinstall papergraph")


@cache
def graph_style() -> GraphStyle:
    """The style the explorer page draws with (read once per process)."""
    return style_from_grass(grass_path().read_text(encoding="utf-8"))
