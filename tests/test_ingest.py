"""Ingestion of every format, the example article's boilerplate, and idempotent re-runs."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys

import pytest

from exitwatch.app.ingest_pipeline import ingest
from exitwatch.ingest import iter_documents, make_document, sample_corpus_path
from exitwatch.ingest.document import document_id


def _docs(paths, **opts):
    problems = []
    docs = list(iter_documents(paths, on_problem=problems.append, **opts))
    return docs, problems


def test_example_article_ends_at_last_real_paragraph(example_article):
    doc = make_document(example_article.read_text(encoding="utf-8"))
    assert doc.body.endswith("has to start thinking about timing.")
    assert "promo code" not in doc.body and "VIP" not in doc.body
    [span] = doc.removed
    assert span.reason == "editors_note"
    assert span.text.startswith("Editor’s Note") and span.text.endswith("VIP Member")
    assert "promo code" in span.text


def test_removed_span_offsets_point_into_the_original_text(example_article):
    text = example_article.read_text(encoding="utf-8")
    [span] = make_document(text).removed
    assert text[span.start : span.end] == span.text


def test_example_article_stored_with_removed_span(example_article, store):
    report = ingest([example_article], store=store, read=None)
    assert (report.added, report.problems) == (1, ())
    assert store.table_counts()["removed_spans"] == 1
    [doc] = store.documents()
    assert doc.body.endswith("timing.") and doc.removed[0].reason == "editors_note"


def test_id_is_stable_across_whitespace_and_quotes():
    assert document_id("He said ‘no’.\r\n  Then left.") == document_id("he said 'no'. then left.")
    assert make_document("Same body.").id == make_document("Same body.", title="Another title").id


def test_plain_text_with_header_block(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Title: Strike spreads\nOutlet: Test Wire\nDate: 2026-01-02\n\nWorkers at the port walked out on Monday.\n")
    [doc], problems = _docs([path])
    assert (doc.title, doc.outlet, doc.published) == ("Strike spreads", "Test Wire", dt.date(2026, 1, 2))
    assert doc.body == "Workers at the port walked out on Monday." and problems == []


def test_html_keeps_metadata_and_drops_chrome():
    path = sample_corpus_path() / "syria_ally_withdraws.html"
    [doc], problems = _docs([path])
    assert doc.title == "Key ally begins withdrawing troops from Syria"
    assert doc.outlet == "Levant Sample Times" and doc.author == "Sample Correspondent"
    assert doc.url == "https://samples.exitwatch.invalid/syria-ally-withdraws"
    assert doc.published == dt.date(2026, 1, 10)
    assert "Home" not in doc.body and "Copyright" not in doc.body and "50% off" not in doc.body
    assert doc.body.endswith("withdrew without a fight.")
    assert [s.reason for s in doc.removed] == ["editors_note"]


def test_json_object_and_list(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps({"text": "Protesters gathered in the square.", "title": "One"}))
    (tmp_path / "many.json").write_text(json.dumps([{"text": "First story here."}, {"text": "Second story here.", "link": "https://x.invalid/2"}]))
    docs, problems = _docs([tmp_path / "one.json", tmp_path / "many.json"])
    assert [d.body for d in docs] == ["Protesters gathered in the square.", "First story here.", "Second story here."]
    assert docs[0].title == "One" and docs[2].url == "https://x.invalid/2"
    assert docs[2].source_path.endswith("many.json#2") and problems == []


def test_jsonl_and_custom_columns(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"body": "Troops left the base.", "headline": "H1", "when": "3 March 2025"}\n\n{"body": "Talks collapsed."}\n')
    docs, problems = _docs([path], text_column="body", title_column="headline", date_column="when")
    assert [d.body for d in docs] == ["Troops left the base.", "Talks collapsed."]
    assert docs[0].title == "H1" and docs[0].published == dt.date(2025, 3, 3) and problems == []


def test_csv_columns(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('story,date,source,link\n"Sanctions hit, exports fell.",2024-05-01,Daily Test,https://t.invalid/1\n')
    [doc], problems = _docs([path], text_column="story")
    assert (doc.body, doc.outlet, doc.url, doc.published) == ("Sanctions hit, exports fell.", "Daily Test", "https://t.invalid/1", dt.date(2024, 5, 1))


def test_rss_feed_entries():
    docs, problems = _docs([sample_corpus_path() / "opinion_feed.xml"])
    assert len(docs) == 3 and problems == []
    assert docs[0].outlet == "Sample Opinion Review" and docs[0].published == dt.date(2026, 1, 20)
    assert docs[0].body.count("\n") == 1  # two <p> paragraphs
    assert docs[1].url == "https://samples.exitwatch.invalid/opinion/caracas-shortages"


def test_atom_feed(tmp_path):
    path = tmp_path / "a.atom"
    path.write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Test</title>'
        "<entry><title>T</title><link href='https://a.invalid/1'/><updated>2025-02-03T00:00:00Z</updated>"
        "<content type='html'>&lt;p&gt;The ruling party split on Tuesday.&lt;/p&gt;</content></entry></feed>"
    )
    [doc], problems = _docs([path])
    assert (doc.body, doc.outlet, doc.published) == ("The ruling party split on Tuesday.", "Atom Test", dt.date(2025, 2, 3))


def test_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"text": "From a pipe."}\n{"text": "Second."}\n')))
    docs, problems = _docs(["-"])
    assert [d.body for d in docs] == ["From a pipe.", "Second."] and docs[0].source_path == "<stdin>#1"


def test_sample_corpus_mixed_formats_with_a_near_copy(store):
    report = ingest([sample_corpus_path()], store=store, read=None)
    assert (report.added, report.near_duplicates, report.duplicates, report.problems) == (10, 1, 0, ())
    suffixes = {p.suffix for p in sample_corpus_path().iterdir()}
    assert {".txt", ".html", ".jsonl", ".xml"} <= suffixes


def test_guardian_csv_rerun_adds_nothing(shared_data, store):
    path = shared_data / "news" / "guardian_2019_sample.csv"
    first = ingest([path], store=store, read=None)
    counts = store.table_counts()
    second = ingest([path], store=store, read=None)
    assert first.added + first.near_duplicates == 249 and first.problems == ()
    assert (second.added, second.near_duplicates, second.duplicates) == (0, 0, 249)
    assert store.table_counts() == counts
    assert {d.outlet for d in store.documents(limit=300)} == {"Guardian"}


def test_reader_hook_is_used(store, tmp_path):
    from exitwatch.records import Reading

    path = tmp_path / "a.txt"
    path.write_text("The general resigned on Friday.")
    seen = []
    report = ingest([path], store=store, read=lambda doc: seen.append(doc) or Reading(document=doc, pipeline="test"))
    assert report.read == 1 and len(seen) == 1 and store.read_doc_ids() == {seen[0].id}


def test_cli_ingest_summary_and_exit_codes(tmp_path):
    from click.testing import CliRunner

    from exitwatch.cli import main

    good = tmp_path / "a.txt"
    good.write_text("The army withdrew from the capital.")
    db = str(tmp_path / "c.duckdb")
    result = CliRunner().invoke(main, ["ingest", str(good), str(tmp_path / "missing.txt"), "--db", db, "--no-read"])
    assert result.exit_code == 0, result.output
    assert "1 added, 0 duplicates, 0 near-duplicates, 1 problems" in result.output
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "missing.txt"), "--db", db, "--no-read"])
    assert result.exit_code == 1 and "no such file" in result.output
