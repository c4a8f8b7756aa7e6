"""The learned coder: the multi-task model (``exitwatch.read.classifier``) decides the event type,
the five-class label and the source/target spans of each sentence that can carry an event.

Rules only do what the training data does not teach: the lexicon still finds triggers (the
modality cues are read around them), splits the model's YIELD into CONCEDE or RETREAT, adds the
sentence's further events, and gives the actors when the token head tags no span (the *position
fallback*, marked in the event's ``coder`` with ``FALLBACK_SUFFIX``). A named ruler's exit (flight,
capture: ``untaught_events.toml``) found by a trigger the model was not taught (an *untaught trigger*:
found in fewer than ``MIN_TRIGGER_SUPPORT`` of its training sentences, as its metadata's
``trigger_support`` counts them) is kept whatever the model reads there, as the lexicon coded it.

``mode="model"`` requires the model; ``mode="auto"`` uses it when it loads (``resolve_mode``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

from exitwatch.errors import ModelError
from exitwatch.kb import country_named_in, is_pronoun
from exitwatch.read.actors import Mention
from exitwatch.read.classifier import DEFAULT_MODEL_DIR, FAST_MODEL_DIR, SentenceClassifier, SentencePrediction
from exitwatch.read.classifier_data import YIELD, YIELD_TYPES
from exitwatch.read.events import EventDraft
from exitwatch.read.lexicon import load_toml, trigger_key
from exitwatch.read.tagging import ROLES, RoleSpan
from exitwatch.records import TAGGED_ROLES, Actor, Sentence, TaggedRole

MODEL_CODER = "exitwatch.events.v2/model"
#: Appended to ``coder`` when the source or target came from the rules, not from a tagged span.
FALLBACK_SUFFIX = "+position"
#: A further (lexical) event of another type is kept when the model gives its type at least this.
MIN_SECOND_PROBA = 0.05
#: A lexicon trigger found in fewer of the event head's training sentences than this is untaught:
#: the model cannot have learned what it reports, so its lexical event is kept.
MIN_TRIGGER_SUPPORT = 5
#: The model's YIELD is CONCEDE unless the lexicon finds a RETREAT trigger in the sentence.
DEFAULT_YIELD = "CONCEDE"
#: A sentence shorter than this (in words) is not read by the model.
MIN_WORDS = 4


@lru_cache(maxsize=4)
def load_classifier(model_dir: str | None = None) -> SentenceClassifier | None:
    """The packaged (or ``model_dir``) ``SentenceClassifier``, or None when it does not load."""
    try:
        return SentenceClassifier.load(model_dir)
    except ModelError:
        return None


def classifier_available() -> bool:
    return load_classifier() is not None


def model_folder(mode: str, model_dir: str | None = None) -> str | None:
    """The model a reading mode reads with: ``model_dir`` when given, else the packaged
    three-layer student for "fast" and the packaged model (None) for the others."""
    if model_dir is not None:
        return model_dir
    return str(FAST_MODEL_DIR) if mode == "fast" else None


def require_classifier(model_dir: str | None = None, mode: str = "model") -> SentenceClassifier:
    classifier = load_classifier(model_dir)
    if classifier is None:
        where = model_dir or DEFAULT_MODEL_DIR
        raise ModelError(f"read mode {mode!r} needs the event model in {where} (model.onnx, tokenizer.json, "
                         "metadata.json); rebuild it with recipes/event_classifier/train.py or use --mode lexical")
    return classifier


def candidates(sentences: Sequence[Sentence], mentions: Sequence[Mention],
               drafts: dict[int, list[EventDraft]]) -> list[Sentence]:
    """The sentences that can carry an event (the only ones the model reads): at least four words
    and an actor mention or a lexical trigger."""
    return [s for s in sentences
            if len(s.text.split()) >= MIN_WORDS
            and (drafts.get(s.index) or any(s.start <= m.start < s.end for m in mentions))]


def predict(batches: Sequence[Sequence[Sentence]], model_dir: str | None = None
            ) -> list[dict[int, SentencePrediction]]:
    """One encoder pass per sentence, for all the documents given: per document (a sequence
    of its candidate sentences), sentence index -> prediction."""
    texts = [s.text for sentences in batches for s in sentences]
    if not texts:
        return [{} for _ in batches]
    found = iter(require_classifier(model_dir).predict(texts))
    return [{s.index: next(found) for s in sentences} for sentences in batches]


def _in(mentions: Sequence[Mention], start: int, end: int) -> list[Mention]:
    return [m for m in mentions if start < m.end and m.start < end]


def resolve_span(sentence: Sentence, span: RoleSpan, mentions: Sequence[Mention]) -> Actor:
    """The actor of a tagged span: its text as written, with the codes (country, sector,
    person, organisation) of the most specific kb mention inside it; a span without a mention
    keeps its text and only a country its words name. A country word anywhere in the span gives
    the country when no mention does: the model has said the span is an actor, so "British" in
    "67 elderly British nationals" names the actor's country, not a thing's."""
    start, end = sentence.start + span.start, sentence.start + span.end
    text = sentence.text[span.start:span.end]
    inside = _in(mentions, start, end)
    if not inside:
        return Actor(text=text, country=country_named_in(text))
    best = max(inside, key=lambda m: (m.actor.person is not None, m.actor.country is not None,
                                      m.actor.sector is not None, m.end - m.start))
    codes = best.actor
    country = (codes.country or next((m.actor.country for m in inside if m.actor.country), None)
               or country_named_in(text))
    return Actor(text=text, country=country, sector=codes.sector, person=codes.person,
                 organisation=codes.organisation)


#: A tagged span of these words alone names nobody (the head sometimes tags just the article of a
#: phrase): it counts as untagged, so the rules give that role.
_EMPTY_WORDS = frozenset({"the", "a", "an", "this", "that", "these", "those"})


def _names_someone(sentence: Sentence, span: RoleSpan) -> bool:
    return not set(sentence.text[span.start:span.end].lower().strip(" .,;:'\"").split()) <= _EMPTY_WORDS


def _best_span(sentence: Sentence, spans: Sequence[RoleSpan], role: str) -> RoleSpan | None:
    tagged = [s for s in spans if s.role == role and _names_someone(sentence, s)]
    return max(tagged, key=lambda s: s.confidence) if tagged else None


#: The record's name of each tag role.
_ROLE_NAMES = dict(zip(ROLES, TAGGED_ROLES))


def tagged_roles(sentence: Sentence, spans: Sequence[RoleSpan], mentions: Sequence[Mention]) -> tuple[TaggedRole, ...]:
    """Every span the token head tagged in ``sentence`` that names someone, as a role of the
    sentence with its actor resolved by the kb (document offsets)."""
    return tuple(TaggedRole(role=_ROLE_NAMES[s.role], start=sentence.start + s.start, end=sentence.start + s.end,
                            actor=resolve_span(sentence, s, mentions), confidence=round(s.confidence, 3))
                 for s in spans if _names_someone(sentence, s))


def _backup_target(sentence: Sentence, backups: Sequence[RoleSpan],
                   mentions: Sequence[Mention]) -> tuple[RoleSpan | None, Actor | None]:
    """The most confident backup target (``SentencePrediction.backup_targets``) and its actor, if
    the kb resolves it to someone (a country, sector, person or organisation): an unresolved
    phrase read only under a prior ("a call for its peacekeeping forces") is weaker than the rules'
    kb mentions. ``(None, None)`` otherwise."""
    span = _best_span(sentence, backups, "T")
    actor = resolve_span(sentence, span, mentions) if span else None
    if actor and (actor.country or actor.sector or actor.person or actor.organisation):
        return span, actor
    return None, None


def _position_actors(sentence: Sentence, mentions: Sequence[Mention]) -> tuple[Actor | None, Actor | None]:
    """The fallback: the first actor mentioned is the source, the next different one the target."""
    inside = [m for m in mentions if sentence.start <= m.start < sentence.end]
    source = inside[0].actor if inside else None
    target = next((m.actor for m in inside[1:] if m.actor != source), None)
    return source, target


def _event_type(label: str, lexical: Sequence[EventDraft]) -> str:
    if label != YIELD:
        return label
    return next((d.event_type for d in lexical if d.event_type in YIELD_TYPES), DEFAULT_YIELD)


def _ruler_exit(draft: EventDraft, named: frozenset[str]) -> bool:
    """Whether ``draft`` is of a family in ``untaught_events.toml`` with its ruler named: by name,
    or by a pronoun that stands for a person in ``named``."""
    for family in load_toml("untaught_events.toml")["kept"]:
        if draft.event_type == family["type"] and draft.mode in family["modes"]:
            ruler: Actor | None = getattr(draft, family["ruler"])
            return ruler is not None and ruler.person is not None and (
                not is_pronoun(ruler.text) or ruler.person in named)
    return False


def named_people(sentence: Sentence, mentions: Sequence[Mention]) -> frozenset[str]:
    """The people the kb knows that ``sentence`` names (pronouns left out)."""
    return frozenset(m.actor.person for m in _in(mentions, sentence.start, sentence.end)
                     if m.actor.person and not is_pronoun(m.text))


def untaught(draft: EventDraft, trigger_support: Mapping[str, int] | None,
             named: frozenset[str] = frozenset()) -> bool:
    """Whether model mode keeps the lexical event ``draft`` whatever the model reads (see the
    module docstring): a named ruler's exit (``untaught_events.toml``) by a trigger the model was
    not taught. A pronoun names the ruler only when it stands for a person named in the same
    sentence (``named``: ``named_people``); across sentences pronouns are too often misread. Never
    for a model without ``trigger_support``."""
    return (trigger_support is not None and draft.pattern is not None
            and trigger_support.get(trigger_key(draft.event_type, draft.pattern), 0) < MIN_TRIGGER_SUPPORT
            and _ruler_exit(draft, named))


def code_sentence(sentence: Sentence, prediction: SentencePrediction, lexical: list[EventDraft],
                  mentions: Sequence[Mention], trigger_support: Mapping[str, int] | None = None
                  ) -> list[EventDraft]:
    """The events of one sentence the model read: its event type with the tagged actors (the
    target is the T span, else the R span: a recipient tagged alone is whom the event addressed,
    else a backup target the kb resolves; the lexical draft's actors, then the position rule, when
    a role is still not found), then the lexicon's events of other types the model does not rule
    out, with the model's calibrated probabilities of their types as confidences; and, whatever the
    model reads, the lexical events of untaught triggers (``untaught``), as the lexicon coded them
    but never more confident than the model's event."""
    # the sentence's named people matter only to an untaught draft, so most sentences skip the scan
    named = named_people(sentence, mentions) if lexical and trigger_support is not None else frozenset()
    kept = [d for d in lexical if untaught(d, trigger_support, named)]
    if prediction.event_type is None:
        return kept
    probability = dict(prediction.event_ranking)
    event_type = _event_type(prediction.event_type, lexical)
    same = next((d for d in lexical if d.event_type == event_type), None)
    source_span = _best_span(sentence, prediction.spans, "S")
    target_span = _best_span(sentence, prediction.spans, "T") or _best_span(sentence, prediction.spans, "R")
    source = resolve_span(sentence, source_span, mentions) if source_span else None
    target = resolve_span(sentence, target_span, mentions) if target_span else None
    if target_span is None:
        target_span, target = _backup_target(sentence, prediction.backup_targets, mentions)
    fallback = source_span is None or target_span is None
    if fallback:
        position_source, position_target = _position_actors(sentence, mentions)
        rule_source = (same.source if same else None) or position_source
        rule_target = (same.target if same else None) or position_target
        source = source if source_span else rule_source
        target = target if target_span else (rule_target if rule_target != source else None)
    position = same.position if same else (source_span.end if source_span else 0)
    events = [EventDraft(
        event_type=event_type, mode=same.mode if same else None, source=source, target=target,
        trigger=same.trigger if same else None,
        span=same.span if same else (sentence.start, sentence.end), position=position,
        confidence=round(prediction.event_proba, 3),
        location=same.location if same else None, location_country=same.location_country if same else None,
        coder=MODEL_CODER + (FALLBACK_SUFFIX if fallback else ""),
    )]
    for draft in lexical:
        label = YIELD if draft.event_type in YIELD_TYPES else draft.event_type
        if draft.event_type == event_type:
            continue
        if probability.get(label, 0.0) >= MIN_SECOND_PROBA:
            events.append(replace(draft, confidence=round(probability[label], 3), coder=MODEL_CODER + FALLBACK_SUFFIX))
        elif draft in kept:  # never above the model's own reading (the first of equals wins)
            events.append(replace(draft, confidence=min(draft.confidence, events[0].confidence)))
    return events


def apply_predictions(sentences: Sequence[Sentence], drafts: dict[int, list[EventDraft]], mentions: Sequence[Mention],
                      predictions: dict[int, SentencePrediction], trigger_support: Mapping[str, int] | None = None
                      ) -> tuple[dict[int, list[EventDraft]], list[Sentence]]:
    """The model's events replace the lexical ones in the sentences it read (the others keep
    theirs; ``code_sentence``, with the model's ``trigger_support``), and every sentence gets its
    five-class label (neutral when it cannot carry an event) and the roles the token head tagged in it."""
    coded = dict(drafts)
    labelled = []
    for sentence in sentences:
        prediction = predictions.get(sentence.index)
        if prediction is None:
            labelled.append(replace(sentence, pentaclass=0))
            continue
        coded[sentence.index] = code_sentence(sentence, prediction, drafts.get(sentence.index, []), mentions,
                                              trigger_support)
        labelled.append(replace(sentence, pentaclass=prediction.quad_class,
                                roles=tagged_roles(sentence, prediction.spans, mentions)))
    return coded, labelled
