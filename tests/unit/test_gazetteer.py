"""The gazetteers read as data, by readers outside extraction (the explorer's search, the question vocabulary)."""

from __future__ import annotations

import subprocess
import sys

from papergraph.gazetteer import gazetteer_aliases, load_gazetteer


def test_aliases_by_entity_id() -> None:
    aliases = gazetteer_aliases()
    assert "quantisation" in aliases["technique:quantization"]
    assert all(len(found) == len(set(found)) for found in aliases.values())


def test_the_question_vocabulary_reads_the_same_rows() -> None:
    from papergraph.query import vocabulary

    assert vocabulary.load_gazetteer is load_gazetteer and len(load_gazetteer()) > 1000


def test_reading_the_gazetteers_imports_neither_spacy_nor_the_extractor() -> None:
    code = (
        "import sys, papergraph.gazetteer as g; g.gazetteer_aliases(); "
        "print('spacy' in sys.modules, 'papergraph.extract' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
