"""The gazetteers read as data, by readers outside extraction (the explorer's search, the question vocabulary)."""

from __future__ import annotations

import subprocess
import sys

from papergraph.gazetteer import gazetteer_aliases, load_gazetteer


def test_aliases_by_entity_id() -> None:
    aliases = gazetteer_aliases()
    assert "quantisation" in aliases["technique:quantization"]
    assert all(len(found) == len(set(found)) for found in aliases.values())


def test_the_rows_are_those_the_question_vocabulary_reads() -> None:
    """query/vocabulary.py has its own copy of the reader for now; both must read the same rows."""
    from papergraph.query.vocabulary import load_gazetteer as vocabulary_rows

    rows = load_gazetteer()
    assert rows == vocabulary_rows() and len(rows) > 1000


def test_reading_the_gazetteers_imports_neither_spacy_nor_the_extractor() -> None:
    code = (
        "import sys, papergraph.gazetteer as g; g.gazetteer_aliases(); "
        "print('spacy' in sys.modules, 'papergraph.extract' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
