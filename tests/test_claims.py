"""Claims and attribution: speakers, descriptions, relayed chains, anonymous sources, quotes."""

from __future__ import annotations

import pytest

from exitwatch.read import read_text
from exitwatch.read.claims import find_attribution
from exitwatch.read.sources import parse_chain, parse_source


def _texts(chain):
    return [s.text for s in chain]


@pytest.mark.parametrize("sentence, speaker, content", [
    ("The army will stay neutral, said Lina Haddad, a retired general who served in Aleppo.",
     "Lina Haddad", "The army will stay neutral"),
    ("Omar Aziz, a veteran opposition organiser, said the strike would spread to the ports.",
     "Omar Aziz", "the strike would spread to the ports"),
    ("“We will not leave,” he said.", "he", "We will not leave"),
])
def test_speaker_and_content(sentence, speaker, content):
    found = find_attribution(sentence, 0, [])
    assert found.speaker.text == speaker
    start, end = found.content
    assert sentence[start:end].strip(" ,") == content


def test_collective_speaker_after_the_last_comma():
    reading = read_text("Police fired tear gas at students, the opposition said.", mode="lexical")
    claim = reading.claims[0]
    assert claim.speaker.text == "the opposition" and claim.speaker.kind == "organisation"
    assert claim.text == "Police fired tear gas at students"
    assert reading.events[0].source.sector == "POL"  # the event is not hidden by the attribution


def test_capital_as_speaker_is_the_government():
    claim = read_text("Moscow said the sanctions would fail.", mode="lexical").claims[0]
    assert claim.speaker.kind == "organisation"
    assert (claim.speaker.actor.country, claim.speaker.actor.sector) == ("RUS", "GOV")


def test_description_is_kept_and_clause_cut():
    source = parse_source("Lina Haddad, a retired general who served in Aleppo")
    assert source.kind == "official" and source.description == "a retired general"
    assert not source.anonymous


def test_relayed_chain_innermost_first():
    chain = parse_chain("a leaked cabinet memo cited by Reuters")
    assert _texts(chain) == ["a leaked cabinet memo", "Reuters"]
    assert [s.kind for s in chain] == ["document", "outlet"]


def test_quoted_as_saying():
    found = find_attribution("“The palace is packing,” Reuters quoted a presidential aide as saying.", 0, [])
    assert _texts(found.chain) == ["a presidential aide", "Reuters"]
    assert found.chain[0].anonymous and found.quote


def test_long_clauses_are_not_sources():
    assert parse_source("rebels killed ten soldiers and burned the depot in the hills near the border") is None


def test_document_chain_is_completed_across_sentences():
    text = ("According to an army memo seen by the BBC, the general plans to resign if the talks fail.\n"
            "“The memo is real,” an army source told the BBC.\n"
            "The memo, per the BBC, says the general will leave by June.")
    reading = read_text(text, mode="lexical", outlet="Coast Daily", published="2025-02-01")
    last = reading.claims[-1]
    assert _texts(last.attribution) == ["an army source", "an army memo", "BBC", "Coast Daily"]
    assert last.attribution[0].anonymous
    first = reading.claims[0]
    assert first.modality == "planned" and first.conditions == ("the talks fail",)


def test_quote_continuation_keeps_the_speaker():
    text = "“The regime is finished,” said Mara Velez, an exiled judge. “Nobody will defend it.”"
    reading = read_text(text, mode="lexical", outlet="Coast Daily")
    assert [c.speaker.text for c in reading.claims] == ["Mara Velez", "Mara Velez"]
    assert all(c.quote for c in reading.claims)
