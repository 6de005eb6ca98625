"""Search indexes: FAISS vectors (with the paper store) and BM25 over the same papers."""

from papergraph.index.ann import AnnConfig, AnnKind
from papergraph.index.lexical import LexicalIndex
from papergraph.index.vector_index import Hit, VectorIndex, index_options

__all__ = ["AnnConfig", "AnnKind", "Hit", "LexicalIndex", "VectorIndex", "index_options"]
