"""The example article (../shared/examples, never copied here) must come out right, in lexical
mode, in model mode (the default) and in fast mode: the plan-B claim with its full attribution chain,
conditional modality, the capture of Maduro, the strikes, the experts' statements, the author's
commentary, and nothing from the removed promo block.

Checks look for short keywords, never for the article's sentences."""

from __future__ import annotations

import pytest

from exitwatch.read import read_file

OUTLET = "Hot Air"


@pytest.fixture(scope="module", params=["lexical", "model", "fast"])
def reading(example_article, request):
    """The article as each reading mode gives it: the learned modes must get it right too."""
    return read_file(str(example_article), mode=request.param, outlet=OUTLET, published="2026-01-06")


def _sentence(reading, *words):
    found = [s for s in reading.sentences if all(w in s.text for w in words)]
    assert found, f"no sentence with {words}"
    return found[0].index


def _chain(record):
    return [s.text for s in record.attribution]


def test_plan_b_claim_has_the_full_chain(reading):
    index = _sentence(reading, "contingency plan", "according to")
    claim = next(c for c in reading.claims if c.sentence_index == index)
    chain = claim.attribution
    assert [s.kind for s in chain] == ["anonymous", "document", "outlet", "outlet", "outlet"]
    assert chain[0].anonymous and "intelligence source" in chain[0].text
    assert "intelligence assessment" in chain[1].text
    assert _chain(claim)[2:] == ["The Times", "picked up by other outlets", OUTLET]
    assert claim.modality in ("planned", "conditional")
    assert any("security forces" in c for c in claim.conditions)


def test_departure_with_20_people_is_conditional_on_defection(reading):
    index = _sentence(reading, "20 people")
    retreat = [e for e in reading.events if e.sentence_index == index and e.event_type == "RETREAT"]
    assert retreat, "the planned departure is not coded"
    event = retreat[0]
    assert event.source.person == "Ali Khamenei"  # "the 86-year-old leader"
    assert event.modality == "conditional"
    assert any("defect" in c for c in event.conditions)
    assert "intelligence assessment" in " ".join(_chain(event))
    assert _chain(event)[-1] == OUTLET


def test_khamenei_mentions_resolve_to_one_person(reading):
    people = {e.source.person for e in reading.events if e.source and e.source.text.lower().startswith(
        ("iran's supreme leader", "the 86-year-old", "supreme leader", "khamenei", "the country"))}
    assert people == {"Ali Khamenei"}
    pronoun = [e.target for e in reading.events if e.target and e.target.text == "him"]
    assert pronoun and pronoun[0].person == "Ali Khamenei"


def test_assad_flight_and_maduro_capture(reading):
    assad = [e for e in reading.events if e.event_type == "RETREAT" and e.source and e.source.country == "SYR"]
    assert assad and assad[0].source.person == "Bashar al-Assad"
    captures = [e for e in reading.events if e.mode == "abduct" and e.target and e.target.country == "VEN"]
    assert captures and any(e.source and e.source.country == "USA" for e in captures)


def test_last_plane_out_is_coded_as_khamenei_fleeing(reading):
    index = _sentence(reading, "last plane out")
    fled = [e for e in reading.events if e.sentence_index == index and e.event_type == "RETREAT"]
    assert fled, "the flight on the last plane out is not coded"
    assert fled[0].source is not None and fled[0].source.person == "Ali Khamenei"


def test_strikes_between_israel_us_and_iran(reading):
    dyads = {(e.source.country, e.target.country) for e in reading.events
             if e.event_type == "ASSAULT" and e.source and e.target}
    assert {("ISR", "IRN"), ("USA", "IRN"), ("IRN", "ISR")} <= dyads


def test_experts_statements_and_their_chains(reading):
    by_speaker = {c.speaker.text: c for c in reading.claims if c.speaker}
    assert by_speaker["Beni Sabti"].speaker.description.startswith("a former Israeli intelligence official")
    aliabadi = [c for c in reading.claims if c.speaker and c.speaker.text == "Roozbeh Aliabadi"]
    assert len(aliabadi) >= 2  # the indirect statement and the quotes after "he said"
    assert all(_chain(c) == ["Roozbeh Aliabadi", "The Wall Street Journal", OUTLET] for c in aliabadi)
    assert any(c.quote for c in aliabadi)


def test_author_commentary_is_opinion(reading):
    rhetorical = _sentence(reading, "It is?")
    assert any(c.sentence_index == rhetorical and c.modality == "opinion" and c.speaker is None for c in reading.claims)
    opinions = [c for c in reading.claims if c.modality == "opinion"]
    assert len(opinions) >= 8


def test_relative_date_resolved(reading):
    june = [e for e in reading.events if e.date_text == "in June"]
    assert june and june[0].date.isoformat() == "2025-06-01"


def test_promo_block_removed_and_not_coded(reading):
    assert reading.document.removed
    assert "promo code" not in reading.document.body
    assert all("VIP" not in s.text for s in reading.sentences)
