"""The command line reads as carefully as the API: help on every command and flag, format names by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from papergraph.cli import app
from papergraph.corpus import FORMATS, CorpusFormat

runner = CliRunner()


def commands() -> dict[str, object]:
    group = typer.main.get_command(app)
    return {"": group, **group.commands}  # type: ignore[attr-defined]


def rendered_help(name: str) -> str:
    done = runner.invoke(app, [*([name] if name else []), "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert done.exit_code == 0, done.output
    return re.sub(r"\s+", " ", done.output)


@pytest.mark.parametrize("name", list(commands()))
def test_every_command_and_flag_has_help_that_shows(name: str) -> None:
    command = commands()[name]
    shown = rendered_help(name)
    assert name == "" or command.help, f"command {name}: add a docstring"  # type: ignore[attr-defined]
    for param in command.params:  # type: ignore[attr-defined]
        if param.name == "help":
            continue
        text = getattr(param, "help", None)
        assert text, f"{name or 'papergraph'} {param.opts or param.name}: add help="
        # rich markup swallows '[env: X]'-style text: what was written must be what the user sees
        first_words = " ".join(text.split()[:4])
        assert first_words in shown, f"{name} {param.opts}: help {text!r} is not shown"


def test_format_names_are_listed_by_name() -> None:
    assert {f.value for f in CorpusFormat} == set(FORMATS)
    assert "<dailypapers|jsonl|json|csv>" in rendered_help("ingest")
    done = runner.invoke(app, ["ingest", "--format", "xml", "x.xml"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert done.exit_code == 2
    message = re.sub(r"[\s│╭╮╰╯─]+", " ", done.output)
    assert "'xml' is not one of 'dailypapers', 'jsonl', 'json', 'csv'" in message
    assert ".jsonl" not in message


def test_search_without_query_or_paper_id_says_what_to_give() -> None:
    done = runner.invoke(app, ["search"])
    assert done.exit_code == 1
    assert "give a query text, --paper-id ID (more like this) or both" in str(done.exception)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["search", "LLM", "--k", "13"], {"PAPERGRAPH_MAX_K": "12"}, "--k: Input should be less than or equal to 12"),
        (["ask", "Which papers use FPGAs?"], {"PAPERGRAPH_MAX_QUERY_CHARS": "10"}, "QUESTION: String should have at"),
        (["search", "LLM", "--k", "101"], {}, "--k: Input should be less than or equal to 100 (limit PAPERGRAPH_MAX_K"),
    ],
)
def test_search_and_ask_limits_come_from_settings(
    args: list[str], env: dict[str, str], message: str, tmp_path: Path
) -> None:
    done = runner.invoke(app, ["--data-dir", str(tmp_path), *args], env=env)
    assert done.exit_code == 1
    assert message in str(done.exception)
