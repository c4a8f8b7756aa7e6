"""``exitwatch read`` and ``read_file``: JSON that validates against docs/read.schema.json, the text
rendering, metadata overrides, errors, and a store round trip of a real reading."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exitwatch.cli import main
from exitwatch.ingest.document import make_document
from exitwatch.read import read_document, read_documents, read_file, read_text

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs" / "read.schema.json").read_text(encoding="utf-8"))
TEXT = ("Security forces fired on protesters in Minsk on Monday, the opposition said.\n"
        "According to two diplomats cited by Reuters, the president could leave the country if the army defects.\n"
        "He denied that he had any such plan.")


@pytest.fixture()
def article(tmp_path) -> Path:
    path = tmp_path / "story.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def validate(data: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)


def test_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_cli_json_validates_and_has_the_documented_keys(article):
    result = CliRunner().invoke(main, ["read", str(article), "--mode", "lexical", "--outlet", "Test Wire",
                                       "--published", "2025-05-07"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    validate(data)
    assert {"document", "body", "removed", "sentences", "events", "claims"} <= set(data)
    assert data["document"]["outlet"] == "Test Wire" and data["document"]["published"] == "2025-05-07"
    assert len(data["sentences"]) == 3
    assault = [e for e in data["events"] if e["event_type"] == "ASSAULT"]
    assert assault and assault[0]["target"]["sector"] == "PRO"
    assert assault[0]["date"] == "2025-05-05"  # "on Monday" before Wednesday 7 May
    assert [s["text"] for s in assault[0]["attribution"]] == ["the opposition", "Test Wire"]


def test_claims_chain_modality_and_anonymity(article):
    reading = read_file(str(article), mode="lexical", outlet="Test Wire")
    by_sentence = {c.sentence_index: c for c in reading.claims}
    relayed = by_sentence[1]
    assert [s.text for s in relayed.attribution] == ["two diplomats", "Reuters", "Test Wire"]
    assert relayed.speaker.anonymous
    assert relayed.modality == "conditional" and relayed.conditions == ("the army defects",)
    assert by_sentence[2].modality == "denied"


def test_text_format(article):
    result = CliRunner().invoke(main, ["read", str(article), "--format", "text", "--mode", "lexical"])
    assert result.exit_code == 0, result.output
    assert "EVENT ASSAULT" in result.output and "CLAIM" in result.output and "chain:" in result.output


def test_bad_date_is_one_line_error(article):
    result = CliRunner().invoke(main, ["read", str(article), "--published", "someday", "--mode", "lexical"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_unknown_mode_is_refused(article):
    from exitwatch.errors import ConfigError

    with pytest.raises(ConfigError, match="lexical, model, fast, auto"):
        read_file(str(article), mode="turbo")


def test_unknown_actors_are_kept_as_text():
    reading = read_text("The Zorvian Liberation Front attacked a convoy near Qarth.", mode="lexical")
    event = reading.events[0]
    assert event.source.text == "Zorvian Liberation Front" and event.source.country is None


def test_reading_round_trips_through_the_store(article, store):
    reading = read_file(str(article), mode="lexical", outlet="Test Wire", published="2025-05-07")
    assert reading.events and reading.claims
    store.add_document(reading.document, reading=reading)
    again = store.reading(reading.document.id)
    assert again == reading
    validate(again.to_json())


def test_documents_read_together_read_as_each_alone():
    """Batched reading (``read_documents``, as ``eval coder`` reads) gives each document what
    ``read_document`` gives it, model mode included; facts and five-class labels come with it."""
    docs = [make_document(TEXT, outlet="Example"),
            make_document("Troops withdrew from the border town after talks in Geneva, the ministry said.", outlet="Other")]
    together = read_documents(docs, mode="auto")
    assert together == [read_document(doc, mode="auto") for doc in docs]
    assert together[0].mentions and together[0].cues
    if together[0].pipeline.split()[1] == "model":
        assert all(s.pentaclass is not None for r in together for s in r.sentences)


def test_country_mentions_are_the_actors_component_s_and_whole_names():
    """The indicators' mentions are the actors the reader found (one recogniser pass per
    document) plus country names; a name inside a word ("woman" holds Oman, "Laden" Aden) is none."""
    reading = read_text("The woman who admired Bin Laden said the Omani envoy met officials in Bahrain and Aden.\n"
                        "Iran's foreign minister said the United States had imposed new sanctions.", mode="lexical")
    found = [(m.sentence_index, m.text, m.country) for m in reading.mentions]
    assert found == [(0, "the Omani envoy", "OMN"), (0, "officials in Bahrain", "BHR"), (0, "Aden", "YEM"),
                     (1, "Iran's foreign minister", "IRN"), (1, "the United States", "USA")]
    assert all(reading.document.body[m.span[0]:m.span[1]] == m.text for m in reading.mentions)


def test_age_is_counted_from_the_publication_date():
    text = "Iran's supreme leader gave a speech. The 80-year-old leader could flee to Moscow."
    reading = read_text(text, mode="lexical", published="2019-06-01")
    flee = [e for e in reading.events if e.event_type == "RETREAT"]
    assert flee and flee[0].source.person == "Ali Khamenei"
    assert flee[0].modality == "hypothetical"


def _codes(actor):
    return (actor.country, actor.sector) if actor else None


@pytest.mark.parametrize("text, event_type, source, target", [
    ("Five protesters were killed in the square.", "ASSAULT", None, (None, "PRO")),
    ("A convoy was attacked by Zorvian gunmen.", "ASSAULT", (None, "REB"), None),
    ("Iranian riots spread through the city.", "PROTEST", ("IRN", None), None),
    ("Italy announced a suspension of flights to Serbia.", "SANCTION", ("ITA", "GOV"), ("SRB", "GOV")),
])
def test_actor_roles(text, event_type, source, target):
    event = max(read_text(text, mode="lexical").events, key=lambda e: e.confidence)
    assert event.event_type == event_type
    assert (_codes(event.source), _codes(event.target)) == (source, target)


def test_commitment_governs_the_action():
    events = read_text("Ruritania agreed to resign from the council.", mode="lexical").events
    assert [e.event_type for e in events] == ["AGREE"]


WORDS = ["Iran", "Israel", "the army", "protesters", "Tehran said", "attacked", "fled to Moscow", "if", "may", "not",
         "according to a diplomat", "“", "”", ",", ".", "\n", "he", "the 86-year-old leader", "in June", "Reuters"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=30))
def test_any_reading_validates_and_round_trips(words, tmp_path):
    """Readings of arbitrary word salads: valid JSON per the schema, offsets inside the body,
    and the same Reading back from the store."""
    from exitwatch.store import Store

    text = " ".join(words).strip() or "Iran"
    reading = read_text(text, mode="lexical", outlet="Test Wire", published="2025-07-01")
    data = reading.to_json()
    validate(data)
    body = data["body"]
    assert all(0 <= e["span"][0] <= e["span"][1] <= len(body) for e in data["events"])
    assert all(body[s["start"]:s["end"]] == s["text"] for s in data["sentences"])
    # A fresh store per example: bodies such as "“" and "”" normalise to the same document id.
    with Store(tmp_path / f"{uuid.uuid4().hex}.duckdb") as store:
        store.add_document(reading.document, reading=reading)
        assert store.reading(reading.document.id) == reading
