"""Knowledge base: countries, leaders and people, agents, organisations, outlets, and the actor
recogniser built on them (see docs/kb.md).

Public API: ``resolve_country``, ``country_of_mention``, ``country_named_in``, ``all_countries``, ``current_leaders``,
``current_leader``, ``known_people``, ``load_leaders_from_archigos``, ``load_leaders_from_reign``,
``load_petrarch_agents``, ``agent_patterns``, ``organisations``, ``outlets``, ``sectors``,
``find_actors``, ``ActorContext``, ``ActorMention``, ``ActorRecogniser``. Importing
``exitwatch.kb.spacy_component`` registers the spaCy factory ``exitwatch.actors.v1``.
"""

from exitwatch.kb.actors import (
    ActorContext,
    ActorMention,
    ActorRecogniser,
    default_recogniser,
    find_actors,
    is_pronoun,
)
from exitwatch.kb.countries import (
    Country,
    all_countries,
    country_named_in,
    country_of_mention,
    resolve_country,
)
from exitwatch.kb.leaders import (
    CurrentLeader,
    Person,
    current_leader,
    current_leaders,
    known_people,
    load_leaders_from_archigos,
    load_leaders_from_reign,
)
from exitwatch.kb.lexicons import (
    AgentPattern,
    Organisation,
    Outlet,
    agent_patterns,
    load_petrarch_agents,
    organisations,
    outlets,
    sectors,
)

__all__ = [
    "ActorContext",
    "ActorMention",
    "ActorRecogniser",
    "AgentPattern",
    "Country",
    "CurrentLeader",
    "Organisation",
    "Outlet",
    "Person",
    "agent_patterns",
    "all_countries",
    "country_named_in",
    "country_of_mention",
    "current_leader",
    "current_leaders",
    "default_recogniser",
    "find_actors",
    "is_pronoun",
    "known_people",
    "load_leaders_from_archigos",
    "load_leaders_from_reign",
    "load_petrarch_agents",
    "organisations",
    "outlets",
    "resolve_country",
    "sectors",
]
