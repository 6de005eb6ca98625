"""Embeddings: a sentence-transformers encoder (offline, packaged model) and a content-hash cache."""

from papergraph.embed.batcher import QueryEncoder
from papergraph.embed.cache import EmbeddingCache, text_key
from papergraph.embed.encoder import Encoder, QueryEmbedder, Vectors, resolve_model

__all__ = ["EmbeddingCache", "Encoder", "QueryEmbedder", "QueryEncoder", "Vectors", "resolve_model", "text_key"]
