"""Natural-language questions."""

from __future__ import annotations

from fastapi import APIRouter

from papergraph.api.deps import EngineDep, SettingsDep
from papergraph.api.schemas import AskRequest, errors
from papergraph.query.ask import AskResult

router = APIRouter(prefix="/ask", tags=["ask"])

LINKS = {"GetPaper": {"operationId": "get_paper", "parameters": {"paper_id": "$response.body#/papers/0/id"}}}


@router.post(
    "",
    response_model=AskResult,
    responses={200: {"links": LINKS}, **errors(422, 503)},
    summary="Answer a question from the graph and the index",
)
def ask(engine: EngineDep, settings: SettingsDep, req: AskRequest) -> AskResult:
    """Entities in the question become graph constraints; matching papers are ranked by similarity.

    The answer carries the papers with their evidence sentences, the entities recognised, and the graph query
    as Cypher (paste it into Neo4j Browser).
    """
    req = req.within(settings)
    return engine.asker.ask(req.question, k=req.k)
