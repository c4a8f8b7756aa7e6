"""Modality of events and claims, conditions, author opinion, and relative dates."""

from __future__ import annotations

import datetime as dt

import pytest

from exitwatch.read import read_text
from exitwatch.read.dates import find_date
from exitwatch.read.modality import (
    claim_modality,
    conditions,
    is_author_opinion,
    modality_at,
)

PUBLISHED = dt.date(2025, 9, 17)  # a Wednesday


@pytest.mark.parametrize("sentence, trigger, attributed, expected", [
    ("The army arrested forty students.", "arrested", False, "asserted"),
    ("The army arrested forty students, police said.", "arrested", True, "reported"),
    ("The general is preparing to flee the capital.", "flee", False, "planned"),
    ("The guards may abandon their posts.", "abandon", False, "hypothetical"),
    ("The army did not fire on the crowd.", "fire", False, "denied"),
    ("The president will resign if the unions strike.", "resign", False, "conditional"),
])
def test_modality_at(sentence, trigger, attributed, expected):
    modality, _ = modality_at(sentence, sentence.index(trigger), attributed=attributed, opinion=False)
    assert modality == expected


def test_conditions_are_split():
    found = conditions("He will go if the army defects or if the police refuse orders, aides said.")
    assert found == ("the army defects", "the police refuse orders")


@pytest.mark.parametrize("sentence, expected", [
    ("Is this really the end of the junta?", True),
    ("We should not be surprised.", True),
    ("The US imposed sanctions on the junta.", False),
    ("Troops entered the city on Monday.", False),
])
def test_author_opinion(sentence, expected):
    assert is_author_opinion(sentence) is expected


def test_claim_denied_by_its_verb():
    assert claim_modality("troops had fired on the crowd", verb="denied")[0] == "denied"
    assert claim_modality("troops had fired on the crowd", verb="said")[0] == "reported"


@pytest.mark.parametrize("sentence, when, text", [
    ("Protests began in June.", dt.date(2025, 6, 1), "in June"),
    ("Protests began in December.", dt.date(2024, 12, 1), "in December"),
    ("Troops moved in last week.", dt.date(2025, 9, 10), "last week"),
    ("The minister resigned on Monday.", dt.date(2025, 9, 15), "on Monday"),
    ("Days after the vote, crowds gathered.", PUBLISHED, "Days after"),
    ("The decree was signed on 3 March 2024.", dt.date(2024, 3, 3), "3 March 2024"),
    ("Nothing happened.", None, None),
])
def test_relative_dates(sentence, when, text):
    assert find_date(sentence, PUBLISHED) == (when, text)


def test_unresolvable_without_publication_date_keeps_the_text():
    assert find_date("Protests began in June.", None) == (None, "in June")


def test_events_carry_modality_and_conditions_end_to_end():
    text = "If the guards defect, the president will flee the country. Rebels did not attack the airport."
    reading = read_text(text, mode="lexical", published="2025-09-17")
    by_type = {e.event_type: e for e in reading.events}
    assert by_type["RETREAT"].modality == "conditional"
    assert by_type["RETREAT"].conditions == ("the guards defect",)
    assert by_type["ASSAULT"].modality == "denied"
