"""Countries of actors (issue 3 follow-up): past heads of state, titles inside names, organisation
agents, ethnic groups, the document's country for bare agents, protest addressees, gold codes."""

from __future__ import annotations

import json

from exitwatch.kb import ActorContext, find_actors
from exitwatch.read.evaluate import load_gold
from exitwatch.read.reader import read_document
from exitwatch.records import Document


def actors(text, context=None):
    """{text: (country, sector, person, organisation)} of the mentions in ``text``."""
    return {m.text: (m.actor.country, m.actor.sector, m.actor.person, m.actor.organisation)
            for m in find_actors(text, context=context)}


def events(text):
    return read_document(Document(id="t", body=text), mode="lexical").events


def test_past_heads_of_state_with_titles():
    found = actors("President Ronald Reagan met Chancellor Helmut Kohl, and later Saddam spoke.")
    assert found["President Ronald Reagan"][:3] == ("USA", "GOV", "Ronald Reagan")
    assert found["Chancellor Helmut Kohl"][:3] == ("DEU", "GOV", "Helmut Kohl")
    assert found["Saddam"][0] == "IRQ"


def test_past_officeholders_are_not_todays_office_holders():
    # "the Iraqi president" must not become a past president of Iraq.
    found = actors("The Iraqi president met the Egyptian president.")
    assert all(person not in ("Saddam Hussein", "Hosni Mubarak") for _, _, person, _ in found.values())


def test_possessive_country_with_adjective_before_title():
    found = actors("Iran's religious leader Ayatollah Ruhollah Khomeini spoke.")
    (value,) = found.values()
    assert value[:3] == ("IRN", "GOV", "Ruhollah Khomeini")


def test_capitalised_agent_word_inside_a_name_is_a_surname():
    found = actors("Yesterday, Ruritanian Trade Envoy Anna King signed the deal with Norway.")
    assert "Ruritanian Trade Envoy Anna King" in found
    assert not any(text == "King" for text in found)


def test_organisation_followed_by_agent_word():
    found = actors("Hezbollah guerrillas fired rockets.")
    assert found["Hezbollah guerrillas"] == ("LBN", "REB", None, "Hezbollah")


def test_ethnic_group_takes_the_country_of_the_story():
    found = actors("Ethnic Albanians in Macedonia clashed with police.")
    assert found["Albanians"][0] == "MKD"
    assert found["Macedonia"][0] == "MKD"


def test_bare_agents_take_the_focus_country_but_outlets_do_not_count():
    found = actors("Police in the capital beat students, Syrian state media said, and Syria closed schools.")
    assert found["Police"][0] == "SYR" and found["students"][0] == "SYR"
    found = actors("The army refused orders, The Guardian reported.")
    assert found["The army"][0] is None  # only the outlet names a country
    context = ActorContext()
    find_actors("Tanks entered Belarus.", context=context)
    assert actors("Troops fired on the crowd.", context)["Troops"][0] == "BLR"


def test_international_bodies_and_unknown_names_stay_without_country():
    found = actors("UN peacekeepers and Zorblax Group members met officials in Kenya.")
    assert found["Zorblax Group"][0] is None


def test_border_guards_and_old_country_names():
    assert actors("Iranian border guards shot a smuggler.")["Iranian border guards"][:2] == ("IRN", "MIL")
    found = actors("Macedonia and Zaire and the Soviet Union and the Ivory Coast signed.")
    assert [found[k][0] for k in ("Macedonia", "Zaire", "the Soviet Union", "the Ivory Coast")] == \
        ["MKD", "COD", "RUS", "CIV"]


def test_protest_is_addressed_to_the_state_named_after_it():
    found = events("Students staged a hunger strike to demand the release of prisoners held by the Ruritanian "
                   "government and the Egyptian authorities.")
    protest = next(e for e in found if e.event_type == "PROTEST")
    assert protest.target is not None and protest.target.country == "EGY"


def test_aid_recipient_skips_agent_word_used_as_modifier():
    found = events("Norway will send military aid to Mozambique.")
    aid = next(e for e in found if e.event_type == "AID")
    assert aid.target.country == "MOZ"


def test_gold_cameo_codes_are_mapped_and_non_states_dropped(tmp_path):
    gold = [{"text": "Italy hosted talks.", "event": "CONSULT", "source": [{"actorText": "Italy", "code": "ITL"}],
             "target": [{"actorText": "rebels", "code": "IMG"}, {"actorText": "Japan", "code": "JAP"}]}]
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    _, records = load_gold(path)
    assert records[0].source_countries == ("ITA",) and records[0].target_countries == ("JPN",)


def test_weapons_platforms_take_their_country_word():
    found = actors("An Ruritanian convoy was hit; Israeli tanks and a Syrian helicopter fired, think tanks said.")
    assert found["Israeli tanks"][:2] == ("ISR", "MIL")
    assert found["a Syrian helicopter"][:2] == ("SYR", "MIL")
    assert not any("think" in text for text in found)


def test_protest_place_is_not_its_addressee():
    found = events("Thousands of people blocked streets in Hong Kong in defiance of Chinese authorities.")
    protest = next(e for e in found if e.event_type == "PROTEST")
    assert protest.target is not None and protest.target.country == "CHN"


def test_person_followed_by_agent_word_is_the_group():
    found = actors("The Reagan administration and Gaddafi loyalist forces traded threats.")
    assert found["The Reagan administration"] == ("USA", "GOV", None, None)
