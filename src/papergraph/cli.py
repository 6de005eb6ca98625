"""The ``papergraph`` command: ingest, extract, search, ask, stats, serve, export, export-neo4j.

Thin on purpose: each command builds Settings from flags and environment, calls the library, and prints.
Expected failures (PaperGraphError) print one line on stderr and exit 1, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from papergraph.config import GraphBackend, IngestEngine, Settings, settings_with
from papergraph.corpus import CorpusFormat
from papergraph.errors import ConfigError, PaperGraphError, QueryError
from papergraph.graph.export_files import ExportFormat
from papergraph.models import SearchMode

if TYPE_CHECKING:
    from papergraph.query import Engine

app = typer.Typer(
    name="papergraph",
    help="Knowledge graph and semantic search over research-paper abstracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

CLI_NAMES = {"q": "QUERY", "question": "QUESTION", "paper_id": "--paper-id", "k": "--k", "mode": "--mode"} | {
    name: f"--{name}" for name in ("hardware", "technique", "system", "dataset")
}
"""Request fields as the command line names them, for validation messages."""


# --------------------------------------------------------------------------------------------------
# Global options
# --------------------------------------------------------------------------------------------------


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Index, graph and caches (env PAPERGRAPH_DATA_DIR).")
    ] = None,
    graph: Annotated[GraphBackend | None, typer.Option("--graph", help="Graph backend (env PAPERGRAPH_GRAPH).")] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Embedding model name or path (env PAPERGRAPH_MODEL).")
    ] = None,
    neo4j_uri: Annotated[
        str | None, typer.Option("--neo4j-uri", help="Neo4j Bolt URI, e.g. bolt://localhost:7687 (env NEO4J_URI).")
    ] = None,
    neo4j_user: Annotated[
        str | None, typer.Option("--neo4j-user", help="Neo4j user name (env NEO4J_USER; default neo4j).")
    ] = None,
    neo4j_password: Annotated[
        str | None, typer.Option("--neo4j-password", help="Neo4j password (env NEO4J_PASSWORD).")
    ] = None,
    neo4j_database: Annotated[
        str | None,
        typer.Option("--neo4j-database", help="Neo4j database name (env NEO4J_DATABASE; default: the server's)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at INFO level.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not verbose:  # the driver logs each failed connection; PaperGraph's own error says what happened
        logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    ctx.obj = {
        "data_dir": data_dir,
        "graph": graph,
        "model": model,
        "neo4j_uri": neo4j_uri,
        "neo4j_user": neo4j_user,
        "neo4j_password": neo4j_password,
        "neo4j_database": neo4j_database,
    }


def _settings(ctx: typer.Context, **more: Any) -> Settings:
    return settings_with(**{**(ctx.obj or {}), **more})


# --------------------------------------------------------------------------------------------------
# ingest
# --------------------------------------------------------------------------------------------------


class _Rate(ProgressColumn):
    """Items per second of a task (records read, papers ingested)."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.1f}/s" if task.speed else "", style="progress.data.speed")


class _Bars:
    """Ingest progress as one rich bar per stage, with its rate and (when the total is known) an ETA."""

    COLUMNS = (
        TextColumn("{task.description:>8}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: Any = None

    def start(self, stage: str, total: int | None) -> None:
        self.task = self.progress.add_task(stage, total=total)

    def advance(self, n: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)

    def finish(self) -> None:
        if self.task is not None:
            task = self.progress.tasks[-1]
            self.progress.update(self.task, total=task.completed, completed=task.completed)
        self.task = None


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Corpus files or folders (default: <data-dir>/corpus).")
    ] = None,
    fmt: Annotated[
        CorpusFormat | None,
        typer.Option("--format", help="Read every file in this format (default: by file extension, see the README)."),
    ] = None,
    rebuild: Annotated[
        bool, typer.Option(help="Build the index and graph again from the inputs alone (implies --sync).")
    ] = False,
    sync: Annotated[bool, typer.Option("--sync", help="Remove stored papers that the inputs no longer hold.")] = False,
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Fail at once if another ingest is writing (default: wait for it).")
    ] = False,
    engine: Annotated[
        IngestEngine | None,
        typer.Option(
            "--engine",
            help="Where extraction and embedding run: local, or ray (the cluster at PAPERGRAPH_RAY_ADDRESS, else a "
            "local Ray; pip install -e '.\\[ray]') (env PAPERGRAPH_INGEST_ENGINE).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=0, help="Local engine: extraction processes (0: a thread) (env PAPERGRAPH_INGEST_WORKERS)."
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Read papers, extract entities, embed, and store them in the vector index and the graph.

    Everything one run writes becomes visible at once (a running `serve` switches to it by itself). Bad
    records are reported with file and line and skipped; the exit status is 0 when every good record is stored.
    """
    from papergraph.ingest import ingest as run_ingest

    settings = _settings(ctx, ingest_engine=engine, ingest_workers=workers)
    with Progress(*_Bars.COLUMNS, console=err, transient=False, disable=json_out) as progress:
        report = run_ingest(
            paths or None,
            settings,
            progress=_Bars(progress),
            rebuild=rebuild,
            sync=sync,
            fmt=fmt.value if fmt else None,
            wait=0 if no_wait else None,
        )
    if json_out:
        out.print_json(report.model_dump_json())
        return
    _print_problems("skipped", report.issues)
    _print_problems("changed", report.warnings)
    table = Table(title="ingest summary", show_header=False)
    table.add_row("files read", str(report.files))
    table.add_row("papers", f"{report.papers} distinct ({report.records} records, {report.duplicates} duplicates)")
    table.add_row(
        "added / updated / unchanged / deleted",
        f"{report.added} / {report.updated} / {report.skipped} / {report.deleted}",
    )
    table.add_row("bad records (skipped) / cut abstracts", f"{report.bad} / {len(report.warnings)}")
    if report.repaired:
        table.add_row("graph papers repaired", str(report.repaired))
    table.add_row("extracted", ", ".join(f"{k} {v}" for k, v in report.extracted.items()) or "-")
    table.add_row("graph nodes", ", ".join(f"{k} {v}" for k, v in report.graph.nodes.items()))
    table.add_row("graph links", ", ".join(f"{k} {v}" for k, v in report.graph.relationships.items()))
    table.add_row("links written", str(report.links_written))
    table.add_row("index size", str(report.index_size))
    table.add_row("generation", str(report.generation) if report.generation is not None else "-")
    table.add_row("seconds", ", ".join(f"{k} {v:.2f}" for k, v in report.seconds.items()))
    out.print(table)


def _print_problems(what: str, problems: list[str], shown: int = 50) -> None:
    for problem in problems[:shown]:
        err.print(f"[yellow]{what}[/] {problem}", highlight=False)
    if len(problems) > shown:
        err.print(f"... and {len(problems) - shown} more {what} records")


# --------------------------------------------------------------------------------------------------
# delete
# --------------------------------------------------------------------------------------------------


@app.command()
def delete(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(help="Ids of the papers to remove (as `search --json` shows them).")],
    no_wait: Annotated[
        bool, typer.Option("--no-wait", help="Fail at once if an ingest is writing (default: wait for it).")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Remove papers from the index and the graph (exit status 1 when an id names no paper)."""
    from papergraph.ingest import delete as run_delete

    report = run_delete(ids, _settings(ctx), wait=0 if no_wait else None)
    if json_out:
        out.print_json(report.model_dump_json())
    else:
        out.print(f"deleted {len(report.deleted)} papers; {report.papers} stored (generation {report.generation})")
    if report.unknown:
        err.print(f"[red]error:[/] no paper with id {', '.join(report.unknown)}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)


# --------------------------------------------------------------------------------------------------
# extract
# --------------------------------------------------------------------------------------------------


@contextmanager
def _open_out(path: str) -> Iterator[Any]:
    if path == "-":
        yield sys.stdout
    else:
        with open(path, "w", encoding="utf-8") as fh:
            yield fh


@app.command()
def extract(
    ctx: typer.Context,
    src: Annotated[Path, typer.Argument(help="JSONL with id, title, abstract per line.")],
    dst: Annotated[str, typer.Argument(help="Output JSONL, one object per paper in input order ('-': stdout).")],
) -> None:
    """Extract hardware, techniques, systems, datasets and metrics from papers (no index, no graph)."""
    from papergraph.corpus import ReadReport, read_file
    from papergraph.extract import Extractor

    settings = _settings(ctx)
    report = ReadReport()
    papers = list(read_file(src, report, "jsonl"))
    for issue in report.issues:
        err.print(f"[yellow]skipped[/] {issue}", highlight=False)
    extractor = Extractor(settings)
    with _open_out(dst) as fh:
        for extraction in extractor.extract(papers):
            fh.write(json.dumps(extraction.to_contract(), ensure_ascii=False) + "\n")
    err.print(f"extracted {len(papers)} papers, skipped {report.bad}")


# --------------------------------------------------------------------------------------------------
# search / ask
# --------------------------------------------------------------------------------------------------


ResultT = TypeVar("ResultT", bound=BaseModel)


def _answer(
    settings: Settings,
    local: bool,
    endpoint: tuple[str, dict[str, Any], type[ResultT]],
    here: Callable[[Engine], ResultT],
) -> ResultT:
    """A running server's answer (PAPERGRAPH_URL, or one on host:port serving the same index) to ``endpoint``
    (path, JSON body, response model); else, or with ``local``, what ``here`` finds in the index loaded here."""
    if not local:
        from papergraph.api.client import find_server, post

        server = find_server(settings)
        if server is not None:
            path, body, model = endpoint
            return model.model_validate(post(server, path, body))
    from papergraph.query import Engine

    engine = Engine.load(settings, warm=False)
    try:
        return here(engine)
    finally:
        engine.close()


_LOCAL = typer.Option("--local", help="Answer here even when a server is running (env PAPERGRAPH_URL names one).")


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="Query text.")] = None,
    k: Annotated[int, typer.Option("--k", "-k", min=1, help="Number of results (at most PAPERGRAPH_MAX_K).")] = 10,
    paper_id: Annotated[
        str | None, typer.Option("--paper-id", help="More like this: papers similar to this paper id.")
    ] = None,
    hardware: Annotated[
        list[str] | None, typer.Option("--hardware", help="Only papers on this hardware (name, family or type).")
    ] = None,
    technique: Annotated[
        list[str] | None, typer.Option("--technique", help="Only papers using this technique.")
    ] = None,
    system: Annotated[list[str] | None, typer.Option("--system", help="Only papers naming this system.")] = None,
    dataset: Annotated[list[str] | None, typer.Option("--dataset", help="Only papers using this dataset.")] = None,
    mode: Annotated[
        SearchMode, typer.Option(help="Ranking: hybrid (dense + BM25), dense or lexical (BM25).")
    ] = SearchMode.HYBRID,
    json_out: Annotated[bool, typer.Option("--json", help="Print the /search response body.")] = False,
    local: Annotated[bool, _LOCAL] = False,
) -> None:
    """Similarity search over abstracts (the same code path as GET /search; a running server answers it).

    Give a query text, --paper-id or both; filters repeat (OR within one, AND across them).
    """
    from papergraph.api.schemas import SearchRequest, parse_request
    from papergraph.query.search import SearchResult

    if query is None and paper_id is None:
        raise QueryError("give a query text, --paper-id ID (more like this) or both")
    settings = _settings(ctx)
    req = parse_request(
        SearchRequest,
        names=CLI_NAMES,
        q=query,
        paper_id=paper_id,
        k=k,
        mode=mode,
        hardware=hardware or [],
        technique=technique or [],
        system=system or [],
        dataset=dataset or [],
    ).within(settings, CLI_NAMES)
    result = _answer(
        settings,
        local,
        ("/search", req.model_dump(mode="json", exclude_none=True), SearchResult),
        lambda engine: engine.searcher.search(
            req.q, k=req.k, paper_id=req.paper_id, filters=req.filters, mode=req.mode
        ),
    )
    if json_out:
        out.print(result.model_dump_json(indent=2), highlight=False, soft_wrap=True)
        return
    table = Table(title=f"{result.count} results ({result.took_ms:.0f} ms)")
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("paper")
    for rank, hit in enumerate(result.data, start=1):
        table.add_row(str(rank), f"{hit.score:.3f}", f"[bold]{hit.title}[/]\n{hit.snippet}\n[dim]{hit.id}[/]")
    out.print(table)


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="e.g. 'which papers run LLM decoding on FPGAs, and how fast?'")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, help="Most papers to list (at most PAPERGRAPH_MAX_K).")] = 10,
    json_out: Annotated[bool, typer.Option("--json", help="Print the /ask response body.")] = False,
    local: Annotated[bool, _LOCAL] = False,
) -> None:
    """Answer a question from the graph and the index (the same code path as POST /ask; a running server answers it).

    Graph questions (list, count, top-N, trends, ...) load no model; similarity questions do, unless a server runs.
    """
    from papergraph.api.schemas import AskRequest, parse_request
    from papergraph.query.response import AskResult

    settings = _settings(ctx)
    req = parse_request(AskRequest, names=CLI_NAMES, question=question, k=k).within(settings, CLI_NAMES)
    result = _answer(
        settings,
        local,
        ("/ask", req.model_dump(mode="json"), AskResult),
        lambda engine: engine.asker.ask(req.question, k=req.k),
    )
    if json_out:
        out.print(result.model_dump_json(indent=2), highlight=False, soft_wrap=True)
        return
    _print_answer(result)


def _print_answer(result: Any) -> None:
    out.print(f"[bold]{result.answer}[/]", highlight=False)
    it = result.interpretation
    read = [f"intent {it.intent.value}"]
    read += [f"{e.type.value} {e.name} ({e.level.value}, {e.role.value}, from “{e.words}”)" for e in it.entities]
    read += [f"“{c.original}” -> {c.corrected}" for c in it.corrections]
    read += [f"no papers: {', '.join(it.unknown)}"] if it.unknown else []
    read += [f"filter {f}" for f in it.filters if not f.startswith(("hardware ", "technique ", "system ", "dataset "))]
    read += [f"ignored: {', '.join(it.ignored)}"] if it.ignored else []
    read += (
        [f"similarity {it.top_similarity:.2f}{' (weak)' if it.weak else ''}"] if it.top_similarity is not None else []
    )
    read += [f"confidence {it.confidence.value}"]
    out.print(f"[dim]read as: {'; '.join(read)}[/]", highlight=False)
    for tally in result.ranking:
        out.print(f"  {tally.papers:>5}  {tally.name}", highlight=False)
    for year in result.trend:
        out.print(f"  {year.year}  {year.papers}", highlight=False)
    for rank, paper in enumerate(result.papers, start=1):
        side = f" [{paper.group}]" if paper.group else ""
        out.print(f"{rank:>3}. {paper.title}{side} [dim]({paper.id})[/]", highlight=False)
        for ev in paper.evidence[:3]:
            out.print(f"       [dim]{ev.type} {ev.name}:[/] {ev.sentence}", highlight=False)
    if result.more:
        out.print(f"     … and {result.more} more (--k to show more)", highlight=False)
    for query in result.graph_queries:
        out.print(f"\n[dim]Cypher:[/]\n{query.cypher}\n[dim]params: {json.dumps(query.params)}[/]", highlight=False)


# --------------------------------------------------------------------------------------------------
# stats / serve
# --------------------------------------------------------------------------------------------------


@app.command()
def stats(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Counts of papers, entities and links in the index and the graph, and any difference between them."""
    from papergraph.ingest import status

    body = status(_settings(ctx))
    if json_out:
        out.print_json(body.model_dump_json())
        return
    index, check = body.index, body.consistency
    table = Table(title="papergraph stats", show_header=False)
    table.add_row("index", f"{index.get('count') or 0} papers, {index.get('kind') or '-'}, {index.get('model') or '-'}")
    table.add_row("graph", body.graph_backend)
    for label, count in body.graph.nodes.items():
        table.add_row(f"  {label}", str(count))
    for rel, count in body.graph.relationships.items():
        table.add_row(f"  {rel}", str(count))
    if check.agree:
        table.add_row("index and graph", "agree")
    else:
        table.add_row(
            "index and graph differ",
            f"{check.only_in_index} only in the index, {check.only_in_graph} only in the graph, "
            f"{check.different} with other text (e.g. {', '.join(check.examples[:3])}); "
            "the next `papergraph ingest` repairs this",
        )
    out.print(table)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Bind address (env PAPERGRAPH_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (env PAPERGRAPH_PORT).")] = None,
) -> None:
    """Run the HTTP API (uvicorn); OpenAPI docs at /docs."""
    import uvicorn

    from papergraph.api.app import create_app

    settings = _settings(ctx, host=host, port=port)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info", access_log=False)


def _embedded_graph(settings: Settings) -> tuple[Any, Any]:
    """The committed generation and its embedded graph (what the export commands read)."""
    from papergraph.atomic import CommitPoint
    from papergraph.graph.networkx_store import NetworkxStore

    commit = CommitPoint(settings.index_dir).require()
    if commit.part("networkx") is None:
        raise ConfigError(
            f"generation {commit.generation} in {settings.index_dir} holds no embedded graph (its last ingest "
            "wrote to Neo4j): run `papergraph ingest` with the embedded store first"
        )
    return commit, NetworkxStore(commit.folder)


@app.command("export-neo4j")
def export_neo4j(
    ctx: typer.Context,
    with_embeddings: Annotated[
        bool, typer.Option("--with-embeddings", help="Store each paper's vector (for a Neo4j vector index).")
    ] = False,
) -> None:
    """Push the embedded graph (and optionally the embeddings) to the Neo4j server named by NEO4J_URI.

    Idempotent: a run that stops (the server went away, a deadline passed) is completed by running it again.
    """
    from papergraph.errors import GraphUnavailableError
    from papergraph.graph.export import export_graph
    from papergraph.graph.neo4j_store import Neo4jStore
    from papergraph.index import VectorIndex, index_options

    settings = _settings(ctx)
    commit, source = _embedded_graph(settings)
    embeddings = None
    if with_embeddings:
        index = VectorIndex.load_commit(commit, **index_options(settings))
        ids = sorted(index.papers)
        embeddings = dict(zip(ids, index.vectors(ids).tolist(), strict=True))
    target = Neo4jStore.from_settings(settings)
    done = [0, len(source.paper_ids())]
    columns = (TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("export", total=done[1])

            def advance(written: int, total: int) -> None:
                done[0] = written
                progress.update(task, completed=written, total=total)

            stats = export_graph(source, target, embeddings, progress=advance)
    except GraphUnavailableError as exc:
        raise GraphUnavailableError(f"export stopped after {done[0]} of {done[1]} papers: {exc}") from exc
    finally:
        target.close()
    extra = f", {len(embeddings)} embeddings" if embeddings else ""
    out.print(
        f"exported {stats.papers} papers, {stats.nodes} nodes, {stats.relationships} links{extra} "
        f"to {settings.neo4j_uri}"
    )


@app.command("export")
def export_files(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="File format.")],
    dest: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output file (a folder for neo4j-import); default papergraph.<format>."),
    ] = None,
) -> None:
    """Write the embedded graph as GraphML or GEXF (Gephi, Cytoscape), JSON lines, or neo4j-admin import CSVs."""
    from papergraph.graph.export_files import export_files as write_files

    _, graph = _embedded_graph(_settings(ctx))
    rows = graph.export_rows()
    target = dest or Path(fmt.default_path)
    written = write_files(rows, fmt, target)
    where = f"{target}/ ({len(written)} files; run {target / 'import.sh'})" if len(written) > 1 else str(target)
    out.print(f"wrote {rows.node_count} nodes and {len(rows.links)} relationships to {where}", highlight=False)


def main() -> None:
    """Console entry point: expected errors become one line on stderr and exit status 1."""
    try:
        app()
    except PaperGraphError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
