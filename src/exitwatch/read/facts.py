"""What the warning indicators need from each sentence, found once at read time: the countries'
actors and names (``Mention``) and the indicator cue words with their modality (``CueMatch``).

The store keeps both (tables ``mentions`` and ``cue_matches``), so computing indicators is a
query over stored rows: the actor recogniser and the modality rules never run at query time.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from collections.abc import Sequence
from functools import cache
from operator import attrgetter

from exitwatch.errors import DataFileError
from exitwatch.kb import ActorContext, ActorMention, find_actors
from exitwatch.kb.countries import country_tables
from exitwatch.read import actors as reader_actors
from exitwatch.read.lexicon import DATA, phrase_regex
from exitwatch.read.modality import is_author_opinion, modality_at
from exitwatch.read.sanitize import tokenizable
from exitwatch.records import Claim, CueMatch, Event, Mention, Reading, Sentence, replace

CUES_FILE = DATA / "indicator_cues.toml"
_NEVER = re.compile(r"(?!x)x")
#: Modalities from firmest to most cautious (lowest default weight last), to pick the most cautious.
CAUTION = ("asserted", "reported", "planned", "conditional", "hypothetical", "opinion", "denied")


@cache
def _country_words() -> dict[str, tuple[str, str]]:
    """Lower-case country name, alias, demonym or capital -> (ISO3, kind) (longer than 2 letters)."""
    return {k: v for k, v in country_tables().mentions.items() if len(k) > 2}


def _trie_regex(words: Sequence[str]) -> str:
    """An alternation of ``words`` that matches the longest word first, written as a trie:
    Python's ``re`` tries every branch of a flat alternation at every position (a thousand
    country words made the facts the slowest part of reading); in a trie only the branch of the
    next character goes on."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" not in node:
            return body
        return f"(?:{body})?" if len(branches) > 1 or len(branches[0]) > 1 else body + "?"

    return pattern(trie)


@cache
def _names_regex() -> str:
    # \b first: a name starts a word ("woman" does not name Oman)
    return r"\b(?:the\s+)?(" + _trie_regex(list(_country_words())) + r")(?:['’]s)?(?![\w-])"


def _cue_pattern(cues: list[str]) -> re.Pattern[str]:
    """One case-insensitive pattern for ``cues``; ``{country}`` is a capture group of country words."""
    parts = []
    for cue in sorted(cues, key=len, reverse=True):
        pieces = [phrase_regex(p.strip()) if p.strip() else "" for p in cue.split("{country}")]
        parts.append(rf"\s*\b{_names_regex()}\s*".join(pieces) if len(pieces) > 1 else pieces[0])
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE) if parts else _NEVER


@cache
def _cue_file() -> dict:
    try:
        return tomllib.loads(CUES_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise DataFileError(f"cannot read indicator cues {CUES_FILE}: {e}") from e


def _literal(cue: str) -> str:
    """The longest run of letters or digits that every match of ``cue`` holds (case-folded;
    "" when the cue is only a ``{country}`` slot)."""
    runs = [run for word in cue.split() if word != "..." and "{country}" not in word
            for run in re.findall(r"[^\W_]+", word.rstrip("*"))]
    return max(runs, key=len, default="").casefold()


@cache
def _cue_literals() -> dict[str, tuple[str, ...]]:
    """Per indicator, the literals of its cues: a sentence that holds none of them (case-folded)
    cannot match, and is not searched (most sentences hold no cue; the searches were half the
    time of the facts)."""
    return {name: tuple({_literal(cue) for cue in cues}) for name, cues in _cue_file().get("cues", {}).items()}


@cache
def _all_cue_literals() -> frozenset[str]:
    """The literals of all the indicators' cues (each looked for once per sentence)."""
    return frozenset(literal for literals in _cue_literals().values() for literal in literals)


@cache
def cue_lexicon() -> tuple[dict[str, re.Pattern[str]], dict]:
    """The cue patterns per indicator name and the ``[cue_modality]`` rules of ``indicator_cues.toml``."""
    raw = _cue_file()
    rules = raw.get("cue_modality", {})
    negations = "|".join(re.escape(w) for w in rules.get("negations", ())) or r"(?!x)x"
    denial = [phrase_regex(p) for p in rules.get("denial_verbs", ())]
    compiled = {
        "after_words": int(rules.get("after_words", 3)),
        "denial": re.compile("|".join(denial), re.IGNORECASE) if denial else _NEVER,
        "negation": re.compile(rf"\b(?:{negations})\b(?:\W+\w+){{0,{int(rules.get('negation_window', 3))}}}\W*$",
                               re.IGNORECASE),
    }
    return {name: _cue_pattern(list(cues)) for name, cues in raw.get("cues", {}).items()}, compiled


def _kind(actor_person: str | None, text: str) -> str:
    if actor_person:
        return "person"
    found = country_tables().mentions.get(re.sub(r"^the ", "", re.sub(r"['’]s$", "", text.strip().lower())))
    if found is None:
        return "agent"
    return "demonym" if found[1] == "demonym" else "place"


def sentence_mentions(sentence: Sentence, actors: Sequence[ActorMention | reader_actors.Mention]) -> list[Mention]:
    """The countries' actors among ``actors`` (the kb recogniser's mentions of the document,
    offsets in the body) that start in ``sentence``, and any other country names in it."""
    found = [
        Mention(sentence.doc_id, sentence.index, m.actor.country, m.text, _kind(m.actor.person, m.text),
                m.actor.sector, (m.start, m.end))
        for m in actors if m.actor.country and sentence.start <= m.start < sentence.end
    ]
    taken = [m.span for m in found]
    for name in re.finditer(_names_regex(), sentence.text, re.IGNORECASE):
        span = (sentence.start + name.start(), sentence.start + name.end())
        if not any(a < span[1] and span[0] < b for a, b in taken):
            iso3, kind = _country_words()[name.group(1).lower()]
            found.append(Mention(sentence.doc_id, sentence.index, iso3, name.group(0), "demonym" if kind == "demonym"
                                 else "place", None, span))
    return sorted(found, key=lambda m: m.span)


def _cue_modality(sentence: Sentence, cue: re.Match, claims: list[Claim], events: list[Event],
                  rules: dict) -> tuple[str, tuple]:
    """The most cautious modality at the cue (covering claim, reader rules, denial or negation
    before it) and the attribution chain of the covering claim (else the sentence's first event
    or claim)."""
    text, offset = sentence.text, sentence.start
    covering = [c for c in claims if c.span[0] - offset <= cue.start() < c.span[1] - offset]
    source = covering[0] if covering else (events[0] if events else None) or (claims[0] if claims else None)
    chain = source.attribution if source is not None else ()
    attributed = len(chain) > 1
    opinion = not attributed and is_author_opinion(text)
    after = re.match(r"(?:\W*\w+){0,%d}" % rules["after_words"], text[cue.end():])
    positions = (cue.start(), cue.end() + (after.end() if after else 0))
    found = [modality_at(text, p, attributed=attributed, opinion=opinion)[0] for p in positions]
    if covering:
        found.append(covering[0].modality)
    if rules["denial"].search(text[: cue.start()]) or rules["negation"].search(text[: cue.start()]):
        found.append("denied")
    return max(found, key=CAUTION.index), chain


def sentence_cues(sentence: Sentence, claims: list[Claim], events: list[Event]) -> list[CueMatch]:
    """Every indicator cue in ``sentence`` (each match, left to right, per indicator), with its modality."""
    patterns, rules = cue_lexicon()
    literals = _cue_literals()
    folded = sentence.text.casefold()
    present = {literal for literal in _all_cue_literals() if literal in folded}
    found = []
    for indicator, pattern in patterns.items():
        if present.isdisjoint(literals[indicator]):
            continue
        for cue in pattern.finditer(sentence.text):
            named = next((g for g in cue.groups() if g), None)
            modality, chain = _cue_modality(sentence, cue, claims, events, rules)
            found.append(CueMatch(
                doc_id=sentence.doc_id, sentence_index=sentence.index, indicator=indicator,
                text=re.sub(r"\s+", " ", cue.group(0).lower()).strip(),
                span=(sentence.start + cue.start(), sentence.start + cue.end()), modality=modality,
                attribution=chain, object_country=_country_words()[named.lower()][0] if named else None,
            ))
    return found


def with_sentence_facts(reading: Reading, actors: Sequence[ActorMention | reader_actors.Mention] | None = None) -> Reading:
    """``reading`` with its ``mentions`` and ``cues`` filled in (what the indicators query).
    ``actors``: the kb recogniser's actor mentions of the whole document (what the reader's
    actors component found); None runs the recogniser on the body once."""
    if actors is None:
        # the recogniser tokenizes: give it the sanitised text (same length, same offsets)
        actors = find_actors(tokenizable(reading.document.body), context=ActorContext(published=reading.document.published))
    # each sentence gets its own actors, claims and events, found once (not by a scan of the
    # document's for every sentence)
    actors = sorted(actors, key=attrgetter("start"))
    starts = [actor.start for actor in actors]
    claims, events = _by_sentence(reading.claims), _by_sentence(reading.events)
    mentions, cues = [], []
    for sentence in reading.sentences:
        inside = actors[bisect_left(starts, sentence.start):bisect_left(starts, sentence.end)]
        mentions += sentence_mentions(sentence, inside)
        cues += sentence_cues(sentence, claims.get(sentence.index, []), events.get(sentence.index, []))
    return replace(reading, mentions=tuple(mentions), cues=tuple(cues))


def _by_sentence(records: Sequence[Claim | Event]) -> dict[int, list]:
    """``records`` by their sentence index, in order."""
    grouped: dict[int, list] = {}
    for record in records:
        grouped.setdefault(record.sentence_index, []).append(record)
    return grouped
