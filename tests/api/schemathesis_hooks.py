"""Schemathesis hooks: the one rule of the API that OpenAPI cannot write down for query parameters.

GET /search needs q or paper_id (or both). POST /search says so in its body schema (``anyOf``); for the query
string the rule lives in the parameter descriptions, and here: a generated GET /search that carries neither
gets the documented example query, as a client following the description would send. Loaded through
``schemathesis.toml`` at the repository root, so a plain ``schemathesis run .../openapi.json`` from the checkout
applies it too.
"""

from __future__ import annotations

from typing import Any

import schemathesis

EXAMPLE_QUERY = "ternary LLM decoding on edge FPGAs"  # papergraph.api.examples.QUERY


@schemathesis.hook("map_case").apply_to(method="GET", path="/search")
def search_needs_q_or_paper_id(ctx: Any, case: Any) -> Any:
    query = case.query if isinstance(case.query, dict) else {}
    if "q" not in query and "paper_id" not in query:
        case.query = {**query, "q": EXAMPLE_QUERY}
    return case
