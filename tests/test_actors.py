"""Actor recognition: compounds, metonyms, people, roles, pronouns, unknown names, spaCy factory."""

from __future__ import annotations

import datetime as dt

import pytest

from exitwatch.kb import ActorContext, ActorRecogniser, Person, find_actors


def actors(text, context=None):
    """{text: (country, sector, person, organisation)} of the mentions in ``text``."""
    return {
        m.text: (m.actor.country, m.actor.sector, m.actor.person, m.actor.organisation)
        for m in find_actors(text, context=context)
    }


def test_compound_country_agent():
    found = actors("Iranian security forces opened fire on a crowd in Shiraz.")
    assert found["Iranian security forces"][:2] == ("IRN", "MIL")
    found = actors("Belarusian riot police detained dozens.")
    assert found["Belarusian riot police"][:2] == ("BLR", "POL")
    found = actors("Russia's elite troops were sent north.")
    assert found["Russia's elite troops"][:2] == ("RUS", "MIL")


def test_a_countrys_people_are_civilians_not_its_state():
    found = actors("A Saudi national and an Iraqi woman fled, and two British nationals stayed.")
    assert found["A Saudi national"][:2] == ("SAU", "CVL")
    assert found["an Iraqi woman"][:2] == ("IRQ", "CVL")
    assert found["two British nationals"][:2] == ("GBR", "CVL")
    assert "national" not in actors("The national team lost.")  # only a country makes it an actor


def test_agent_in_place():
    found = actors("Thousands of protesters in Tehran chanted against the clerics.")
    assert found["protesters in Tehran"][:2] == ("IRN", "PRO")
    found = actors("Students from Caracas marched on Monday.")
    assert found["Students from Caracas"][:2] == ("VEN", "EDU")


def test_country_names_are_governments_and_us_alias():
    found = actors("Israel and the US launched strikes after Iran fired missiles.")
    assert found["Israel"][:2] == ("ISR", "GOV")
    assert found["the US"][:2] == ("USA", "GOV")
    assert found["Iran"][:2] == ("IRN", "GOV")


def test_capital_metonym_versus_place():
    found = actors("Moscow rejected the offer, while Washington stayed silent.")
    assert found["Moscow"][:2] == ("RUS", "GOV") and found["Washington"][:2] == ("USA", "GOV")
    found = actors("Crowds gathered in Tehran and the envoy flew to Caracas.")
    assert "Tehran" not in found and "Caracas" not in found  # places, not actors


def test_a_country_name_beats_a_surname_that_spells_it():
    found = actors("Serbia lifted a curfew in Montenegro, where riots had killed 28.")
    assert found["Montenegro"][:3] == ("MNE", "GOV", None)
    found = actors("Portuguese Prime Minister Luís Montenegro met the envoy.")
    assert found["Portuguese Prime Minister Luís Montenegro"][:3] == ("PRT", "GOV", "Luís Montenegro")


def test_demonym_adjective_on_a_thing_is_not_an_actor():
    assert actors("Iranian missiles hit the base.") == {}
    assert actors("Many Venezuelans crossed the border.")["Venezuelans"][:2] == ("VEN", "CVL")


def test_person_with_descriptor():
    found = actors("Venezuelan leader Nicolas Maduro appeared in court.")
    assert found["Venezuelan leader Nicolas Maduro"] == ("VEN", "GOV", "Nicolás Maduro", None)
    found = actors("Syrian President Ahmed al-Sharaa visited Riyadh.")
    assert found["Syrian President Ahmed al-Sharaa"][:3] == ("SYR", "GOV", "Ahmed al-Sharaa")


def test_name_variants_resolve_to_one_person():
    names = ["Khamenei", "Ayatollah Ali Khamenei", "Ali Khamenei"]
    for name in names:
        found = actors(f"{name} spoke on television.")
        assert found[name][2] == "Ali Khamenei"
    assert actors("Lukashenka met Putin.")["Lukashenka"][2] == "Alexander Lukashenko"


def test_roles_age_and_pronoun_resolve_to_the_leader():
    context = ActorContext(published=dt.date(2026, 1, 20))
    first = actors("The supreme leader has not appeared in public for weeks.", context)
    assert first["The supreme leader"][2] == "Ali Khamenei"
    second = actors("He is said to be ill.", context)
    assert second["He"][:3] == ("IRN", "GOV", "Ali Khamenei")
    third = actors("Aides say the 86-year-old leader trusts only his son.", context)
    assert third["the 86-year-old leader"][2] == "Ali Khamenei"
    assert actors("Iran's supreme leader gave a speech.")["Iran's supreme leader"][2] == "Ali Khamenei"


def test_age_uses_publication_date():
    context = ActorContext(published=dt.date(2025, 12, 1))
    found = actors("The 71-year-old president hosted the summit.", context)
    assert found["The 71-year-old president"][2] == "Alexander Lukashenko"


def test_pronoun_without_context_is_not_an_actor():
    assert "he" not in actors("Nobody knows where he is.")


def test_a_pronoun_refers_only_to_a_person_it_can_name():
    found = actors("Angela Merkel met Vladimir Putin, and she warned him about Ukraine.")
    assert found["she"][2] == "Angela Merkel" and found["him"][2] == "Vladimir Putin"
    assert "she" not in actors("Putin said she would not come.")  # not Putin: someone the kb does not know
    context = ActorContext()
    actors("Vladimir Putin spoke for an hour.", context)
    assert "She" not in actors("She left early.", context) and actors("He left early.", context)["He"][2] == "Vladimir Putin"
    # someone the kb does not know, named closer before the pronoun, is whom it refers to
    context = ActorContext()
    actors("Donald Trump spoke on Monday.", context)
    assert "he" not in actors("Ben Quinn, reporting from Burao, said help was slow in the towns he visited.", context)
    assert "He" not in actors("He was tired.", context)  # the last sentence was about Ben Quinn
    assert actors("Trump spoke in Rakhine State, where he met soldiers.")["he"][2] == "Donald Trump"  # a place
    assert "he" not in actors("After Trump spoke, Yakovenko said he was not surprised.")  # a surname that speaks
    assert actors("After Trump spoke, Putin said he was not surprised.")["he"][2] == "Vladimir Putin"
    unrecorded = Person("Ann Example", country_iso3="RUR", is_leader=True)  # no pronoun recorded: either fits
    found = {m.text: m.actor.person for m in ActorRecogniser((unrecorded,)).find("Ann Example said she would stay.")}
    assert found["she"] == "Ann Example"


def test_plural_titles_do_not_resolve_to_one_person():
    found = actors("Iranian leaders met in Qom.")
    assert found["Iranian leaders"] == ("IRN", "GOV", None, None)


def test_organisations_and_outlets():
    found = actors("The IRGC and the Basij were put on alert, Reuters reported.")
    assert found["The IRGC"] == ("IRN", "MIL", None, "IRGC")
    assert found["the Basij"][3] == "Basij"
    assert found["Reuters"][1:] == ("MED", None, "Reuters")
    found = actors("Wagner fighters left Mali, according to the Wall Street Journal.")
    assert found["Wagner fighters"][3] == "Wagner"  # an organisation's agent word joins its mention
    assert found["the Wall Street Journal"][3] == "The Wall Street Journal"


def test_description_of_an_anonymous_source():
    found = actors("A senior Egyptian intelligence officer told reporters the plan existed.")
    assert found["A senior Egyptian intelligence officer"][:2] == ("EGY", "SPY")
    assert found["reporters"][1] == "MED"


def test_unknown_actors_kept_as_text():
    found = actors("Farid Qasemi, a local organiser, denied it.")
    assert found["Farid Qasemi"] == (None, None, None, None)
    assert actors("The protesters scattered.")["The protesters"] == (None, "PRO", None, None)


def test_weak_agent_words_need_a_country():
    assert "forces" not in actors("The forces of nature are strong.")
    assert actors("Syrian forces advanced.")["Syrian forces"][:2] == ("SYR", "MIL")


def test_offsets_point_into_the_text():
    text = "Yesterday Iranian security forces fired on protesters in Tehran."
    for m in find_actors(text):
        assert text[m.start : m.end] == m.text


def test_extra_people_from_a_past_leaders_table():
    recogniser = ActorRecogniser(extra_people=(Person("Ceausescu", ("Ceausescu",), "ROU", "GOV", "leader", 1918, is_leader=True),))
    [mention] = recogniser.find("Ceausescu fled by helicopter.")
    assert mention.actor.person == "Ceausescu" and mention.actor.country == "ROU"


def test_spacy_factory():
    import spacy

    from exitwatch.kb.spacy_component import FACTORY

    nlp = spacy.blank("en")
    nlp.add_pipe(FACTORY)
    doc = nlp("Cuban police arrested protesters in Havana.")
    spans = {s.text: s._.actor for s in doc.spans["actors"]}
    assert spans["Cuban police"].country == "CUB" and spans["Cuban police"].sector == "POL"
    assert spans["protesters in Havana"].sector == "PRO"
    assert spacy.registry.misc.get("exitwatch.actors.v1")() is not None


def test_example_article(example_article):
    text = example_article.read_text(encoding="utf-8")
    mentions = find_actors(text, context=ActorContext(published=dt.date(2026, 1, 20)))
    people = {m.actor.person for m in mentions}
    countries = {m.actor.country for m in mentions}
    organisations = {m.actor.organisation for m in mentions}
    assert {"Ali Khamenei", "Nicolás Maduro"} <= people
    assert {"IRN", "ISR", "USA"} <= countries
    assert {"The Times", "The Wall Street Journal"} <= organisations
    assert any(m.text == "the US" and m.actor.country == "USA" for m in mentions)
    assert any(m.text == "Israel" and m.actor.sector == "GOV" for m in mentions)


def test_an_agent_marked_foreign_does_not_take_the_story_country():
    context = ActorContext()
    context.country_counts.update(["IRQ"] * 3)  # a story about Iraq
    found = {m.text: m.actor.country for m in
             find_actors("Western diplomats and one European intelligence source said the army had left.",
                         context=context)}
    assert found == {"Western diplomats": None, "one European intelligence source": None, "the army": "IRQ"}
