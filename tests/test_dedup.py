"""Deduplication: exact repeats stored once; near-copies (MinHash + LSH) linked, not counted twice."""

from __future__ import annotations

import csv
import json
import random
import sys

import pytest

from exitwatch.app.ingest_pipeline import ingest
from exitwatch.ingest.dedup import NEAR_DUPLICATE_THRESHOLD, NearDuplicateIndex, from_signature, minhash, signature_bytes
from exitwatch.ingest.dedup_eval import make_near_copy, pair_similarities, threshold_table


@pytest.fixture(scope="module")
def guardian_texts(shared_data):
    csv.field_size_limit(sys.maxsize)
    with open(shared_data / "news" / "guardian_2019_sample.csv", encoding="utf-8") as f:
        return [row["text"] for row in csv.DictReader(f)]


def test_threshold_separates_real_near_copies_from_different_articles(guardian_texts):
    positives, negatives = pair_similarities(guardian_texts[:120], seed=7)
    [row] = threshold_table(positives, negatives, [NEAR_DUPLICATE_THRESHOLD])
    assert row.recall == 1.0 and row.precision == 1.0
    # margins on both sides, so the threshold is not sitting on an edge of the measurement
    assert min(positives) > NEAR_DUPLICATE_THRESHOLD + 0.1 and max(negatives) < NEAR_DUPLICATE_THRESHOLD - 0.1


def test_heavier_edits_still_found_and_tiny_overlap_not(guardian_texts):
    rng = random.Random(3)
    text = guardian_texts[5]
    heavy = make_near_copy(text, rng, max_trim=0.4, edit_rate=0.06)
    assert minhash(text).jaccard(minhash(heavy)) >= NEAR_DUPLICATE_THRESHOLD
    half = " ".join(text.split()[: len(text.split()) // 5])  # only the first fifth of the story
    assert minhash(text).jaccard(minhash(half)) < NEAR_DUPLICATE_THRESHOLD


def test_signature_round_trip():
    m = minhash("Security forces withdrew from the northern city on Tuesday evening after clashes.")
    assert from_signature(signature_bytes(m)).jaccard(m) == 1.0


def test_index_returns_best_match():
    a = "The army chief resigned on Monday after weeks of protests in the capital and the provinces alike."
    b = "Oil exports fell to a record low as sanctions on tankers were tightened again this month."
    index = NearDuplicateIndex()
    index.add("a", minhash(a))
    index.add("b", minhash(b))
    assert index.find(minhash(a + " Reporting by staff."))[0] == "a"
    assert index.find(minhash("Completely unrelated words about football results and weather today.")) is None


def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_near_copies_linked_to_first_and_not_counted(guardian_texts, tmp_path, store):
    rng = random.Random(11)
    originals = guardian_texts[:15]
    first = _write_jsonl(tmp_path / "a.jsonl", [{"text": t, "outlet": "Guardian"} for t in originals])
    copies = _write_jsonl(tmp_path / "b.jsonl", [{"text": make_near_copy(t, rng), "outlet": "Wire"} for t in originals[:5]])
    report_a = ingest([first], store=store, read=None)
    report_b = ingest([copies], store=store, read=None)  # a second run: the index is rebuilt from the store
    assert report_a.added == 15
    assert (report_b.added, report_b.near_duplicates) == (0, 5)
    links = store.duplicate_links()
    ids = {d.body: d.id for d in store.documents(limit=100)}
    assert {link["duplicate_of"] for link in links} == {ids[t.strip()] for t in originals[:5]}
    assert all(link["similarity"] >= NEAR_DUPLICATE_THRESHOLD for link in links)


def test_exact_duplicate_stored_once(tmp_path, store):
    body = "The ruling party expelled three senior members on Wednesday, state media said."
    path = _write_jsonl(tmp_path / "x.jsonl", [{"text": body}, {"text": "  " + body.replace(" ", "  ") + "\n"}])
    report = ingest([path, path], store=store, read=None)
    assert (report.added, report.duplicates, report.near_duplicates) == (1, 3, 0)
    assert store.table_counts()["documents"] == 1
