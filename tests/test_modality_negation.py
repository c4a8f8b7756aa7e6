"""Reader gaps from the indicators work: "no" + event noun, negated verbs in statements, and
events inside a condition clause (invented sentences)."""

from __future__ import annotations

import pytest

from exitwatch.read.modality import claim_modality, modality_at
from exitwatch.read.reader import read_document
from exitwatch.records import Document


def at(sentence, trigger):
    return modality_at(sentence, sentence.index(trigger), attributed=False, opinion=False)[0]


@pytest.mark.parametrize(("sentence", "trigger", "expected"), [
    ("Witnesses said there were no protests in the port city.", "protests", "denied"),
    ("No troops were deployed to the northern border.", "deployed", "denied"),
    ("There is no doubt that troops were deployed overnight.", "deployed", "asserted"),
    ("Troops were deployed overnight.", "deployed", "asserted"),
])
def test_no_before_event_noun_or_subject(sentence, trigger, expected):
    assert at(sentence, trigger) == expected


@pytest.mark.parametrize(("content", "expected"), [
    ("the general has not moved any assets abroad", "denied"),
    ("the minister hasn't left the country", "denied"),
    ("the family never sent money to Dubai", "denied"),
    ("the general moved assets abroad", "reported"),
    ("not only students but also workers joined the strike", "reported"),
])
def test_negated_main_verb_in_a_statement(content, expected):
    assert claim_modality(content)[0] == expected


def test_negation_inside_a_condition_does_not_deny_the_statement():
    modality, conditions = claim_modality("the guards will open fire unless the crowd does not disperse")
    assert modality == "conditional" and conditions == ("the crowd does not disperse",)


def test_event_inside_the_if_clause_is_conditional_and_the_plan_is_planned():
    sentence = "The ruler made plans to flee abroad if the protests keep growing."
    assert at(sentence, "protests") == "conditional"
    assert at(sentence, "flee") == "planned"


def test_end_to_end_no_protests_is_denied():
    events = read_document(Document(id="n", body="In Ruritania there were no protests on Friday."),
                           mode="lexical").events
    protests = [e for e in events if e.event_type == "PROTEST"]
    assert protests and all(e.modality == "denied" for e in protests)
