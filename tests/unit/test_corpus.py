"""Corpus readers: the bundled dumps, JSONL, arXiv snapshot, CSV, and bad input reported not raised."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from papergraph.corpus import read_corpus
from papergraph.errors import CorpusFormatError
from papergraph.models import title_id

CORPUS = Path(__file__).parents[2] / "data" / "corpus"


def test_bundled_corpus_has_362_distinct_papers_without_chrome() -> None:
    papers, report = read_corpus([CORPUS])
    assert report.records == 469
    assert len(papers) == 362
    assert report.duplicates == 107
    assert report.issues == []
    titles = {p.title for p in papers}
    assert "Intra-Query Runtime Elasticity for Cloud-Native Data Analysis" in titles  # glued to "Subscribe"
    chrome = ("Subscribe", "Daily Papers", "new", "Get trending papers in your email inbox!")
    assert not titles & set(chrome)
    assert all(len(p.abstract) > 200 for p in papers)
    assert sum(len(p.sources) > 1 for p in papers) > 50  # papers listed on several pages remember each


def test_dump_with_blank_lines_and_dangling_title(tmp_path: Path) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text(
        "new\n\nSubscribe\n\nDaily Papers\n\nby AK and the research community\n\nAug 25\n\n"
        "Paper One\n\nAbstract one is here.\n\nPaper Two\n\nAbstract two.\n\nOrphan Title\n"
    )
    papers, report = read_corpus([dump])
    assert [p.title for p in papers] == ["Paper One", "Paper Two"]
    assert papers[0].id == title_id("Paper One")
    assert len(report.issues) == 1 and report.issues[0].line == 19


def test_jsonl_reports_bad_lines_with_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "papers.jsonl"
    lines = [
        json.dumps({"id": "2401.00001", "title": "Good", "abstract": "Fine abstract.", "year": 2024}),
        "{broken json",
        json.dumps({"title": "No abstract"}),
        "",
        json.dumps({"title": "Second good", "abstract": "Text.", "authors": ["A. B", "C. D"], "categories": "cs.LG"}),
        json.dumps(["not", "an", "object"]),
    ]
    f.write_bytes("\n".join(lines).encode() + b"\n" + b'{"title": "Bad \xff bytes", "abstract": "x"}\n')
    papers, report = read_corpus([f])
    assert [p.id for p in papers] == ["2401.00001", title_id("Second good")]
    assert papers[1].authors == ["A. B", "C. D"] and papers[1].categories == ["cs.LG"]
    assert [(i.line, i.path) for i in report.issues] == [(2, str(f)), (3, str(f)), (6, str(f)), (7, str(f))]
    assert "broken JSON" in report.issues[0].message
    assert "without abstract" in report.issues[1].message
    assert "UTF-8" in report.issues[3].message


def test_arxiv_snapshot_collapses_newlines_and_takes_year_from_first_version(tmp_path: Path) -> None:
    record = {
        "id": "2305.12345",
        "submitter": "X",
        "authors": "Ada Lovelace, Alan Turing and Grace Hopper",
        "title": "Fast $\\mathcal{O}(n)$\n  Inference on\n  FPGAs",
        "abstract": "  We show\nthings.\n",
        "categories": "cs.LG cs.AR",
        "versions": [{"version": "v1", "created": "Mon, 22 May 2023 10:00:00 GMT"}],
        "update_date": "2024-01-05",
    }
    f = tmp_path / "arxiv-metadata-oai-snapshot.json.gz"
    with gzip.open(f, "wt") as fh:
        fh.write(json.dumps(record) + "\n")
    (paper,), report = read_corpus([f])
    assert report.issues == []
    assert paper.id == "2305.12345"
    assert paper.title == "Fast $\\mathcal{O}(n)$ Inference on FPGAs"
    assert paper.abstract == "We show things."
    assert paper.year == 2023
    assert paper.authors == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert paper.categories == ["cs.LG", "cs.AR"]
    assert paper.url == "https://arxiv.org/abs/2305.12345"


def test_csv_with_header_quoted_newlines_and_missing_fields(tmp_path: Path) -> None:
    f = tmp_path / "papers.csv"
    f.write_text(
        'Title,Abstract,Year,Authors\n"A, quoted title","Line one\nline two",2021,"A; B"\n,missing title,2020,\n'
    )
    papers, report = read_corpus([f])
    assert len(papers) == 1
    assert papers[0].title == "A, quoted title" and papers[0].abstract == "Line one line two"
    assert papers[0].year == 2021 and papers[0].authors == ["A", "B"]
    assert len(report.issues) == 1 and report.issues[0].line == 4


def test_csv_without_abstract_column_is_reported(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("name,text\nx,y\n")
    papers, report = read_corpus([f])
    assert papers == [] and "no abstract or title column" in report.issues[0].message


def test_empty_file_is_reported(tmp_path: Path) -> None:
    f = tmp_path / "empty.jsonl"
    f.write_text("")
    papers, report = read_corpus([f])
    assert papers == [] and "empty file" in report.issues[0].message


def test_duplicates_merge_across_formats_and_keep_sources(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps({"title": "Same Paper!", "abstract": "x"}) + "\n")
    (tmp_path / "b.csv").write_text("title,abstract\nsame paper,x\n")
    papers, report = read_corpus([tmp_path])
    assert len(papers) == 1 and papers[0].sources == ["a.jsonl", "b.csv"] and report.duplicates == 1


def test_unknown_format_and_missing_path_raise(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_text("%PDF")
    with pytest.raises(CorpusFormatError, match="unknown file extension"):
        read_corpus([tmp_path / "x.pdf"])
    with pytest.raises(CorpusFormatError, match="unknown corpus format 'xml'; choose one of: csv, dailypapers, json,"):
        read_corpus([tmp_path / "x.pdf"], "xml")
    with pytest.raises(CorpusFormatError, match="no such file"):
        read_corpus([tmp_path / "nope.jsonl"])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"title": "A', "broken JSON (unterminated string starting at column 11); line skipped"),
        ('{"title": "A", }', "broken JSON (expecting property name enclosed in double quotes at column 16)"),
        ('{"title": "a\x01"}', "broken JSON (invalid control character at column 13)"),
    ],
)
def test_broken_json_lines_are_reported_in_plain_words(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    _, report = read_corpus([path])
    assert message in report.issues[0].message and " at at " not in report.issues[0].message
