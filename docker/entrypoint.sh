#!/bin/sh
# Ingest the corpus, then serve. Ingest is incremental: on later starts it finds every paper already in the
# vector index and in the graph and does (almost) nothing, and if the Neo4j volume was wiped it writes the
# graph again. Any arguments replace the corpus folder.
set -eu

corpus="${PAPERGRAPH_CORPUS_DIR:-/app/corpus}"

echo "papergraph: ingesting ${*:-$corpus} into ${PAPERGRAPH_GRAPH:-networkx} (${NEO4J_URI:-embedded})"
if [ "$#" -gt 0 ]; then
    papergraph ingest "$@"
else
    papergraph ingest "$corpus"
fi

exec papergraph serve --host 0.0.0.0 --port 8000
