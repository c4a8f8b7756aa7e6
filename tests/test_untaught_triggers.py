"""Untaught triggers: a named ruler's exit that the event model was never taught (its trigger is
hardly in the training sentences) is kept in model mode as the lexicon codes it, whatever the
model reads; the lexicon's trigger support counts the training sentences."""

from __future__ import annotations

from dataclasses import replace

from exitwatch.read.actors import Mention
from exitwatch.read.classifier import SentencePrediction
from exitwatch.read.classifier_data import QUAD_CLASSES
from exitwatch.read.classify import MIN_TRIGGER_SUPPORT, MODEL_CODER, code_sentence, named_people, untaught
from exitwatch.read.events import EventDraft, code_events
from exitwatch.read.lexicon import trigger_key, trigger_support
from exitwatch.records import Actor, Sentence

# Our own sentence, with a fictional country and ruler.
TEXT = "President Rudolf Rassendyll fled to Zenda on the last plane out of Strelsau."
RULER = Actor("President Rudolf Rassendyll", "RUR", "GOV", person="Rudolf Rassendyll")
SENTENCE = Sentence(doc_id="d", index=0, start=0, end=len(TEXT), text=TEXT)
FLIGHT = EventDraft(event_type="RETREAT", mode="withdraw", source=RULER, target=None, trigger="fled",
                    span=(28, 32), position=28, confidence=0.5, pattern="fled")
FLED = trigger_key("RETREAT", "fled")


def _prediction(event_type: str | None, proba: float) -> SentencePrediction:
    return SentencePrediction(event_type=event_type, event_proba=proba, quad_class=0, quad_label=QUAD_CLASSES[0],
                              quad_proba=0.9, event_ranking=((event_type or "NONE", proba),))


def test_trigger_support_counts_each_sentence_once_per_lexicon_row():
    texts = ["Rebels fled the town and fled again.", "The army fled.", "Talks were held in the capital."]
    support = trigger_support(texts)
    assert support[FLED] == 2
    assert all(count > 0 for count in support.values())  # rows found nowhere are left out
    assert trigger_support([]) == {}


def test_a_department_is_no_departure_and_a_fleet_no_flight():
    for text in ("The State Department said the fleet would sail.", "The Beatles played in Hamburg."):
        assert code_events(text, 0, []) == []
    assert [d.event_type for d in code_events("The king departed the capital.", 0, [])] == ["RETREAT"]


def test_a_rulers_flight_by_an_untaught_trigger_is_kept_when_the_model_reads_no_event():
    events = code_sentence(SENTENCE, _prediction(None, 0.9), [FLIGHT], [], {FLED: MIN_TRIGGER_SUPPORT - 1})
    assert events == [FLIGHT]  # as the lexicon coded it, with its own coder and confidence
    assert not events[0].coder.startswith(MODEL_CODER)


def test_beside_the_models_event_it_is_never_the_more_confident():
    events = code_sentence(SENTENCE, _prediction("CONSULT", 0.3), [FLIGHT], [], {})
    assert [e.event_type for e in events] == ["CONSULT", "RETREAT"]
    assert events[1].confidence == 0.3 and events[1].source == RULER
    events = code_sentence(SENTENCE, _prediction("CONSULT", 0.8), [FLIGHT], [], {})
    assert events[1].confidence == FLIGHT.confidence


def test_a_taught_trigger_or_a_model_without_support_leaves_the_decision_to_the_model():
    assert code_sentence(SENTENCE, _prediction(None, 0.9), [FLIGHT], [], {FLED: MIN_TRIGGER_SUPPORT}) == []
    assert code_sentence(SENTENCE, _prediction(None, 0.9), [FLIGHT], [], None) == []


def test_only_a_named_rulers_exit_is_kept():
    assert untaught(FLIGHT, {})
    assert not untaught(replace(FLIGHT, source=Actor("refugees", "RUR", "CVL")), {})  # nobody the kb knows
    assert not untaught(replace(FLIGHT, source=replace(RULER, text="he")), {})  # a pronoun: too often misread
    assert not untaught(replace(FLIGHT, pattern=None), {})  # not the lexicon's
    capture = EventDraft(event_type="ASSAULT", mode="abduct", source=Actor("commandos"), target=RULER,
                         trigger="seizure of", span=(0, 10), position=0, confidence=0.6, pattern="seizure of")
    assert untaught(capture, {}) and not untaught(replace(capture, target=Actor("a tanker")), {})
    assert not untaught(replace(FLIGHT, event_type="PROTEST", mode="demo"), {})  # not an exit


def test_a_pronoun_names_the_ruler_only_when_the_sentence_names_him_too():
    text = "Rassendyll is not worried that the rebels will abduct him from Strelsau."
    sentence = Sentence(doc_id="d", index=0, start=100, end=100 + len(text), text=text)
    him = replace(RULER, text="him")
    capture = EventDraft(event_type="ASSAULT", mode="abduct", source=Actor("the rebels"), target=him,
                         trigger="abduct", span=(149, 155), position=149, confidence=0.6, pattern="abduct")
    named = Mention(100, 110, "Rassendyll", RULER)
    pronoun = Mention(156, 159, "him", him)
    assert named_people(sentence, [named, pronoun]) == {"Rudolf Rassendyll"}
    assert named_people(sentence, [pronoun]) == frozenset()  # a pronoun alone names nobody
    assert untaught(capture, {}, named_people(sentence, [named, pronoun]))
    assert not untaught(capture, {}, named_people(sentence, [pronoun]))  # his name is in another sentence
    assert code_sentence(sentence, _prediction(None, 0.9), [capture], [named, pronoun], {}) == [capture]
    assert code_sentence(sentence, _prediction(None, 0.9), [capture], [pronoun], {}) == []
