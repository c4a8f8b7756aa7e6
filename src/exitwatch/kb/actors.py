"""Actor recognition: who is mentioned, with country, sector, person and organisation.

Rule-based on spaCy's tokenizer and PhraseMatcher (``spacy.blank("en")``, no model download).
Two matchers are built once and cached: a case-sensitive one for proper names (countries and
their alternates, demonyms, capitals, people, organisations, outlets) and a lower-case one for
agent words ("security forces", "protesters", "supreme leader"). Matches are then composed:

- country word + modifiers + agent word: "Iranian security forces" -> IRN MIL;
- agent word + in/of/from + country or capital: "protesters in Tehran" -> IRN PRO;
- descriptor + known person: "Venezuelan leader Nicolas Maduro" -> VEN GOV, Nicolás Maduro;
- leader titles resolved against the current-leaders table and the context: "the supreme
  leader", "the 86-year-old leader" (age from the publication date), "he" (the last person);
- a country name alone is its government ("Israel" -> ISR GOV), a capital used as a subject is a
  metonym ("Tehran said" -> IRN GOV) but "in Tehran" is a place, not an actor;
- runs of capitalised words that match nothing are kept as text (country None), never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from exitwatch.kb._data import data_path, read_table
from exitwatch.kb.countries import country_tables, mention_kind
from exitwatch.kb.leaders import Person, known_people
from exitwatch.kb.lexicons import agent_patterns, foreign_qualifiers, modifiers, organisations, outlets
from exitwatch.kb.names import (
    leading_country,
    merge_titled_names,
    part_of_name,
    with_focus_country,
)
from exitwatch.records import Actor, Record

#: Name and version of this recogniser (recorded by the reader in ``Event.coder``).
RECOGNISER = "exitwatch.actors.v1"

_LOCATIVE = {"in", "to", "from", "at", "near", "across", "outside", "around", "inside", "into", "via", "toward", "towards"}
_LINKS = {"in", "of", "from", "across", "inside"}
#: The personal pronouns resolved to a person, each with the person pronoun ("he" / "she", as in
#: the people tables) it refers to.
_PERSON_PRONOUN = {"he": "he", "him": "he", "she": "she", "her": "she"}
_PRONOUNS = set(_PERSON_PRONOUN)
_STOP_CAPS = {
    "The", "A", "An", "In", "On", "At", "But", "And", "Or", "If", "He", "She", "It", "They", "We", "I",
    "This", "That", "These", "Those", "His", "Her", "Its", "Their", "Our", "My", "As", "For", "With",
    "After", "Before", "While", "When", "Why", "How", "What", "Who", "Where", "According", "Mr", "Mrs",
    "Ms", "Dr", "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday", "Yet", "So", "Now", "Then", "There", "Here", "Some", "Many", "One", "Two",
}


def is_pronoun(text: str) -> bool:
    """Whether an actor's text is a personal pronoun the recogniser resolves to a person ("him")."""
    return text.strip().lower() in _PRONOUNS


# "a US strike" uses the country as an adjective: only agents take "a"; people take none.
_DETERMINERS = {"agent": ("the", "a", "an"), "country": ("the",), "org": ("the",), "outlet": ("the",), "person": ()}
_AGE = re.compile(r"(\d{2,3})[- ]year[- ]old\s+(?:[a-z-]+\s+)?$")


@dataclass(frozen=True)
class ActorMention(Record):
    """One actor mention: ``start``/``end`` character offsets in the text, ``text`` as written,
    ``actor`` (records.Actor with country ISO3, sector, person, organisation when resolved)."""

    start: int
    end: int
    text: str
    actor: Actor


@dataclass
class ActorContext:
    """What the recogniser remembers across the sentences of one document (mutable on purpose:
    pass the same object for each sentence, in order).

    Fields: ``published`` (publication date, for "the 86-year-old leader"; today when None),
    ``last_person`` (the previous sentence's main resolved person, for "he"),
    ``country_counts`` (countries mentioned so far; the most frequent is the document's focus
    country, used for "the president" without a country).
    """

    published: dt.date | None = None
    last_person: Person | None = None
    country_counts: Counter = field(default_factory=Counter)

    @property
    def focus_country(self) -> str | None:
        """The most mentioned country so far, or None."""
        return self.country_counts.most_common(1)[0][0] if self.country_counts else None


@dataclass(frozen=True)
class _Match:
    """A raw lexicon match over tokens [start, end): ``kind`` (country, person, org, outlet,
    agent) and ``payload`` (the table row)."""

    start: int
    end: int
    kind: str
    payload: object


def _not_countries(forms: set[str]) -> set[str]:
    """A person's or organisation's forms less those that name a country: "Montenegro" alone is
    the country, not Portugal's prime minister Luís Montenegro."""
    return {form for form in forms if mention_kind(form) is None}


class ActorRecogniser:
    """Finds actors in text; build once (it compiles the matchers) and reuse.

    ``extra_people``: more Person records to recognise (for example leaders loaded with
    ``load_leaders_from_archigos``); built-in people win when an alias is shared.
    """

    def __init__(self, extra_people: tuple[Person, ...] = ()):
        import spacy
        from spacy.matcher import PhraseMatcher

        self.nlp = spacy.blank("en")
        self._payloads: dict[str, tuple[str, object]] = {}
        self._proper = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self._lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._people = (*known_people(), *extra_people)
        self._pronoun_of = {person.name: person.pronoun for person in reversed(self._people)}  # built-in wins
        self._add_countries()
        for person in self._people:
            self._add(self._proper, "person", person, _not_countries({person.name, *person.aliases}))
        for org in organisations():
            self._add(self._proper, "org", org, _not_countries({org.name, *org.aliases}))
        for outlet in outlets():
            self._add(self._proper, "outlet", outlet, {outlet.name, *outlet.aliases})
        for agent in agent_patterns():
            forms = {agent.pattern}
            if not agent.pattern.endswith("s") and agent.sector not in ("IGO",):
                forms.add(agent.pattern + ("es" if agent.pattern.endswith(("ch", "sh")) else "s"))
            self._add(self._lower, "agent", agent, forms)
        self._modifiers = modifiers() | foreign_qualifiers()  # "Western diplomats": the mark stays in the span
        self._pronoun_ids = self._ids(_PRONOUNS)
        self._stop_caps_ids = self._ids(_STOP_CAPS)

    def _ids(self, words) -> np.ndarray:
        """The string ids of ``words``, as token attribute arrays hold them (``doc.to_array``)."""
        return np.array([self.nlp.vocab.strings.add(word) for word in words], dtype=np.uint64)

    def _add_countries(self) -> None:
        tables = country_tables()
        forms: dict[str, tuple[str, str]] = {}
        for country in tables.by_iso3.values():
            forms.setdefault(country.name, (country.iso3, "name"))

        rank = {"name": 0, "alias": 0, "capital": 1, "demonym": 2}
        for row in read_table(data_path("demonyms_capitals.tsv")):
            old = forms.get(row["text"])
            if old is None or rank[row["kind"]] < rank[old[1]]:  # "US": the country, not the adjective
                forms[row["text"]] = (row["iso3"], row["kind"])
        for text, payload in forms.items():
            self._add(self._proper, "country", payload, {text})

    def _add(self, matcher, kind: str, payload: object, forms: set[str]) -> None:
        key = f"{kind}:{len(self._payloads)}"
        self._payloads[key] = (kind, payload)
        docs = []
        for form in forms:
            docs.append(self.nlp.make_doc(form))
            if form.startswith("The "):
                docs.append(self.nlp.make_doc("the " + form[4:]))
        matcher.add(key, docs)

    # -- matching --------------------------------------------------------------------------
    def _matches(self, doc) -> list[_Match]:
        raw = []
        for matcher in (self._proper, self._lower):
            for match_id, start, end in matcher(doc):
                kind, payload = self._payloads[self.nlp.vocab.strings[match_id]]
                raw.append(_Match(start, end, kind, payload))
        # Longest first; among equal spans proper names beat agent words (list order).
        order = {"person": 0, "org": 1, "outlet": 2, "country": 3, "agent": 4}
        raw.sort(key=lambda m: (-(m.end - m.start), order[m.kind], m.start))
        taken: set[int] = set()
        kept = []
        for m in raw:
            if m.kind == "agent" and part_of_name(doc, m.start, taken):
                continue
            if not taken.intersection(range(m.start, m.end)):
                kept.append(m)
                taken.update(range(m.start, m.end))
        return sorted(kept, key=lambda m: m.start)

    def find(self, text: str, context: ActorContext | None = None) -> list[ActorMention]:
        """Actor mentions in ``text`` in order (see module docstring for the rules)."""
        doc = self.nlp.make_doc(text)
        return self.find_in_doc(doc, context, text=text)

    def find_in_doc(self, doc, context: ActorContext | None = None, *, text: str | None = None) -> list[ActorMention]:
        """Like :meth:`find` on an already tokenised spaCy Doc (``text``: its text, when known)."""
        matches = self._matches(doc)
        mentions: list[ActorMention] = []
        persons_here: list[Person] = []
        i = 0
        while i < len(matches):
            used, mention, person = self._compose(doc, matches, i, context, persons_here)
            if mention is not None:
                mentions.append(mention)
                if person is not None:
                    persons_here.append(person)
            i += used
        text = doc.text if text is None else text
        unknown, speakers = self._unknown_names(doc, mentions)
        strangers = sorted([m.start for m in unknown if _may_be_a_person(text, m)] + speakers)
        mentions += self._pronouns(doc, mentions, strangers, context)
        mentions += unknown
        mentions = merge_titled_names(text, sorted(mentions, key=lambda m: m.start))
        context = context if context is not None else ActorContext()
        known = [m.start for m in mentions if m.actor.person and not is_pronoun(m.text)]
        if strangers and (not known or strangers[0] < known[0]):
            context.last_person = None  # the sentence is about someone the kb does not know
        elif persons_here:
            context.last_person = persons_here[0]
        # Outlets ("The Guardian") say where the news was published, not where it happened.
        context.country_counts.update(m.actor.country for m in mentions if m.actor.country and m.actor.sector != "MED")
        return with_focus_country(mentions, context.focus_country)

    # -- composition ----------------------------------------------------------------------
    def _compose(self, doc, matches, i, context, persons_here):
        """Actor starting at match i: returns (matches consumed, ActorMention or None, Person)."""
        m = matches[i]
        nxt = matches[i + 1] if i + 1 < len(matches) else None
        start, end = m.start, m.end
        country = sector = person = org = None
        used = 1
        if m.kind == "country":
            country, how = m.payload
            possessive = end < len(doc) and doc[end].text in ("'s", "’s")
            gap_end = end + (1 if possessive else 0)
            if nxt and nxt.kind in ("agent", "person", "org") and self._only_modifiers(doc, gap_end, nxt.start, how, possessive):
                used, end = 2, nxt.end
                sector, person, org, country = self._describe(nxt, country, doc, context)
                if nxt.kind == "agent" and i + 2 < len(matches) and matches[i + 2].kind == "person" and matches[i + 2].start == nxt.end:
                    p = matches[i + 2].payload
                    used, end, person, country = 3, matches[i + 2].end, p, p.country_iso3 or country
                    sector = p.sector or sector
            elif how == "capital" and start > 0 and doc[start - 1].lower_ in _LOCATIVE:
                return 1, None, None  # a place ("protests in Tehran"), not an actor
            elif how == "demonym" and not doc[start].text.endswith(("s", "ese")):
                return 1, None, None  # an adjective on a thing ("Iranian missiles")
            else:
                sector = "CVL" if how == "demonym" else "GOV"
            if how == "demonym" and start > 0 and doc[start - 1].lower_ == "ethnic":
                country = None  # "ethnic Albanians in Macedonia": a people, not a state's citizens
        elif m.kind == "agent":
            agent = m.payload
            sector = agent.sector
            linked = self._linked_place(doc, matches, i)
            if linked is not None:
                country, used, end = linked
            if nxt and nxt.kind == "person" and nxt.start == m.end:
                person, used, end = nxt.payload, 2, nxt.end
                country, sector = person.country_iso3, person.sector or sector
            elif agent.role == "leader" and doc[m.start : m.end].text.lower() == agent.pattern:
                person = self._leader_by_role(doc, m, agent, country, context, persons_here)
                if person is not None:
                    country = country or person.country_iso3
            if country is None and person is None and not agent.standalone:
                return used, None, None
        elif m.kind == "person":
            person = m.payload
            country, sector, org = person.country_iso3, person.sector, person.organisation
        elif m.kind == "org":
            org, country, sector = m.payload.name, m.payload.country_iso3, m.payload.sector
        elif m.kind == "outlet":
            org, country, sector = m.payload.name, m.payload.country_iso3, "MED"
        if m.kind in ("org", "person") and nxt and nxt.kind == "agent" and nxt.start == end:
            # "Hezbollah guerrillas", "the Bush administration": the group, in the name's country
            used, end, sector, person = 2, nxt.end, nxt.payload.sector, None
        start = self._extend_left(doc, start, determiners=_DETERMINERS["agent" if used > 1 else m.kind])
        if isinstance(person, Person):
            country = country or person.country_iso3
        span = doc[start:end]
        actor = Actor(
            text=span.text,
            country=country,
            sector=sector,
            person=person.name if isinstance(person, Person) else None,
            organisation=org,
        )
        return used, ActorMention(span.start_char, span.end_char, span.text, actor), person if isinstance(person, Person) else None

    def _extend_left(self, doc, start: int, determiners: tuple[str, ...]) -> int:
        """Include preceding modifiers, an age ("86-year-old") and a determiner in the span."""
        while start > 0 and (doc[start - 1].lower_ in self._modifiers or doc[start - 1].lower_ in ("year", "old", "-") or doc[start - 1].like_num):
            start -= 1
        if start > 0 and doc[start - 1].lower_ in determiners:
            start -= 1
        return start

    def _only_modifiers(self, doc, start: int, stop: int, how: str, possessive: bool) -> bool:
        """True when tokens [start, stop) may sit between a country word and an agent word."""
        if stop == start:
            return True
        if stop - start > 3 or not (possessive or how == "demonym"):
            return False
        if possessive:  # "Iran's religious leader": any lower-case qualifier
            return all(t.is_lower and t.is_alpha or t.lower_ in self._modifiers for t in doc[start:stop])
        return all(t.lower_ in self._modifiers for t in doc[start:stop])

    def _describe(self, m: _Match, country: str, doc, context):
        """(sector, person, organisation, country) of the agent/person/org after a country word."""
        if m.kind == "person":
            p = m.payload
            return p.sector, p, p.organisation, p.country_iso3 or country
        if m.kind == "org":
            return m.payload.sector, None, m.payload.name, m.payload.country_iso3 or country
        agent = m.payload
        singular = doc[m.start : m.end].text.lower() == agent.pattern
        person = self._leader_of(country, agent) if agent.role == "leader" and singular else None
        return agent.sector, person, None, country

    def _linked_place(self, doc, matches, i):
        """(country, matches consumed, end token) for "agent in/of/from <country|capital>"."""
        m = matches[i]
        if i + 1 >= len(matches):
            return None
        nxt = matches[i + 1]
        if nxt.kind != "country" or nxt.start - m.end not in (1, 2):
            return None
        between = [t.lower_ for t in doc[m.end : nxt.start]]
        if between[0] not in _LINKS or (len(between) == 2 and between[1] != "the"):
            return None
        return nxt.payload[0], 2, nxt.end

    # -- people ---------------------------------------------------------------------------
    def _leader_of(self, country: str | None, agent) -> Person | None:
        """The current leader of ``country`` when the title fits ("Iran's supreme leader")."""
        for p in self._people:
            current = p.is_leader and p.end is None and p.country_iso3 == country and p.start is not None
            if current and (agent.pattern in ("leader", "ruler", "dictator", "head of state") or agent.pattern in p.role.lower()):
                return p
        for p in self._people:  # "Iran's president" is not the leader: look among other people
            if p.country_iso3 == country and agent.pattern in p.role.lower():
                return p
        return None

    def _leader_by_role(self, doc, m, agent, country, context, persons_here) -> Person | None:
        """Resolve "the supreme leader", "the 86-year-old leader", "the president"."""
        before = doc[max(0, m.start - 8) : m.start].text + " "  # doc.text would rebuild the whole text
        age = _AGE.search(before)
        focus = country or (context.focus_country if context else None)
        recent = [*reversed(persons_here), *([context.last_person] if context and context.last_person else [])]
        if age:
            today = (context.published if context and context.published else None) or dt.date.today()
            born = today.year - int(age[1])
            fits = [p for p in (*recent, *self._people) if p.birth_year in (born, born - 1) and p.is_leader]
            return fits[0] if fits else None
        if country or focus:
            found = self._leader_of(country or focus, agent)
            if found is not None:
                return found
        exact = [p for p in self._people if p.is_leader and p.role.lower() == agent.pattern]
        if len(exact) == 1:
            return exact[0]
        fitting = [p for p in recent if p.is_leader and (agent.pattern in ("leader", "ruler", "dictator") or agent.pattern in p.role.lower())]
        return fitting[0] if fitting else None

    def _pronouns(self, doc, mentions, strangers, context) -> list[ActorMention]:
        """"he"/"she" resolved to the closest earlier person in the text, else the context's; only
        to a person the pronoun can refer to ("she" is never a man the people tables call "he"),
        and not when an unknown name that may be a person's (``strangers``: their start offsets)
        comes closer before it ("Ben Quinn said help was slow in the towns he visited")."""
        found = []
        for token in _tokens_where(doc, np.isin(doc.to_array("LOWER"), self._pronoun_ids)):
            if token.lower_ in ("him", "her") and token.i == 0:
                continue
            wanted = _PERSON_PRONOUN[token.lower_]
            earlier = [m for m in mentions if m.actor.person and m.end <= token.idx
                       and self._pronoun_of.get(m.actor.person) in (None, wanted)]
            closer = [start for start in strangers if start < token.idx]
            if closer and (not earlier or closer[-1] > earlier[-1].start):
                continue
            if earlier:
                a = earlier[-1].actor
            elif context is not None and context.last_person is not None \
                    and context.last_person.pronoun in (None, wanted):
                p = context.last_person
                a = Actor(token.text, p.country_iso3, p.sector, p.name, p.organisation)
            else:
                continue
            found.append(ActorMention(token.idx, token.idx + len(token), token.text, Actor(token.text, a.country, a.sector, a.person, a.organisation)))
        return found

    def _unknown_names(self, doc, mentions) -> tuple[list[ActorMention], list[int]]:
        """Runs of two or more capitalised words that matched nothing, kept as text only; and
        where a single such word speaks ("Yakovenko says": a surname the kb does not know; start
        offsets)."""
        covered = np.array([i for m in mentions for i in range(m.start, m.end)], dtype=np.uint64)  # characters
        title, alpha, start, orth = doc.to_array(["IS_TITLE", "IS_ALPHA", "IDX", "ORTH"]).T
        named = (title == 1) & (alpha == 1) & ~np.isin(start, covered)
        stop = np.isin(orth, self._stop_caps_ids).tolist()
        found, speakers, run = [], [], []  # run: token indices
        for i in [*np.flatnonzero(named).tolist(), None]:
            if run and (i is None or i != run[-1] + 1):  # a token in between ends the run
                found += _name_run(doc[run[0] : run[-1] + 1])
                if len(run) == 1 and run[0] + 1 < len(doc) and doc[run[0] + 1].lower_ in _SPEECH_VERBS:
                    speakers.append(int(start[run[0]]))
                run = []
            if i is not None and (run or not stop[i]):
                run.append(i)
        return found, speakers


def _tokens_where(doc, chosen) -> list:
    """The tokens of ``doc`` where the boolean array ``chosen`` (one value per token) is true:
    reading token attributes as arrays spares making a Python Token for every token."""
    return [doc[i] for i in np.flatnonzero(chosen).tolist()]


#: Verbs right after a lone capitalised word that make it a speaker's surname ("Yakovenko says").
_SPEECH_VERBS = {"said", "says", "told", "tells", "added", "adds", "wrote", "writes", "explained", "insisted"}
#: Last words of a capitalised run that make it a place or a body, not a person ("Rakhine State").
_NOT_A_PERSON_END = {
    "state", "province", "district", "square", "street", "road", "city", "region", "valley", "sea", "river",
    "gulf", "coast", "island", "islands", "mountains", "camp", "airport", "hospital", "prison", "base",
    "council", "party", "army", "forces", "force", "guard", "corps", "brigade", "brigades", "division",
    "police", "service", "services", "organisation", "organization", "ministry", "department", "office",
    "agency", "committee", "commission", "court", "university", "institute", "centre", "center",
    "foundation", "fund", "bank", "company", "group", "network", "front", "movement", "union", "alliance",
    "league", "assembly", "parliament", "congress", "senate", "house", "republic", "kingdom", "emirates",
    "nations", "news", "times", "post", "journal", "day", "war", "accord", "agreement", "deal", "act",
}


def _may_be_a_person(text: str, mention: ActorMention) -> bool:
    """Whether an unknown capitalised run of ``text`` may name a person: not right after a
    locative word ("in Hama Province") and not ending in a place or body noun."""
    words = mention.text.split()
    before = text[max(0, mention.start - 20):mention.start].split()
    return (words[-1].lower() not in _NOT_A_PERSON_END
            and not (before and before[-1].lower() in _LOCATIVE))


def _name_run(span) -> list[ActorMention]:
    """A run of two or more capitalised tokens as a name known as text only ("British Defence
    Secretary Tom King": a leading demonym or country gives the country)."""
    if len(span) < 2:
        return []
    return [ActorMention(span.start_char, span.end_char, span.text, Actor(span.text, country=leading_country(span)))]


@lru_cache(maxsize=1)
def default_recogniser() -> ActorRecogniser:
    """The shared recogniser over the shipped tables (built on first use, about a second)."""
    return ActorRecogniser()


def find_actors(text: str, *, context: ActorContext | None = None) -> list[ActorMention]:
    """Actor mentions in ``text``, in order. Pass one ActorContext per document, sentence by
    sentence, to resolve "he" and "the 86-year-old leader"."""
    return default_recogniser().find(text, context)
