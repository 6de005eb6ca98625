"""Search indexes: FAISS vectors (with the paper store) and BM25 over the same papers."""

from papergraph.index.lexical import LexicalIndex
from papergraph.index.vector_index import Hit, VectorIndex

__all__ = ["Hit", "LexicalIndex", "VectorIndex"]
