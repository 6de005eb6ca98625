"""PaperGraph: a knowledge graph and semantic search over research-paper abstracts.

Data flows one way: ``corpus`` (read) -> ``extract`` -> ``embed`` -> ``index`` / ``graph`` (store)
-> ``query`` -> ``api`` / ``cli``. Layers hand each other the pydantic models in :mod:`papergraph.models`.
"""

__version__ = "0.1.0"
