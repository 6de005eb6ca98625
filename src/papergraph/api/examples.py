"""Examples the OpenAPI schema publishes: real data of the bundled corpus (``data/corpus``).

Tools that read examples (Swagger UI's "Try it out", schemathesis, client generators) send them as they are, so
each one names something that exists, and examples sent together still find something: the search examples all
point at the BottleFit paper (its hardware, technique, system and dataset), the paper, question and graph
examples at TeLLMe v2. Both papers are in ``tests/fixtures/mini.jsonl``, over which the API tests check that
every example reaches data.
"""

from __future__ import annotations

PAPER_ID = "tf9a9dfb21d3d"
"""TeLLMe v2: An Efficient End-to-End Ternary LLM Prefill and Decode Accelerator ... on Edge FPGAs."""

QUESTION = "Which papers run LLM decoding on FPGAs, and how fast?"

SEARCH_HIT = "t7b07927b6a26"
"""BottleFit: Learning Compressed Representations in Deep Neural Networks ...: what the search examples find."""

QUERY = "split computing on Jetson"
HARDWARE = "NVIDIA Jetson Nano"
TECHNIQUE = "split computing"
SYSTEM = "BottleFit"
DATASET = "ImageNet"

ENTITY_TYPE = "hardware"
ENTITY_NAME = "FPGA"
ENTITY_SUBSTRING = "jetson"

NODE_ID = "hardware:fpga"
"""A graph node id: ``<type>:<slug>`` for entities, the paper id for papers."""
