"""Knowledge base: countries, Gleditsch-Ward codes, mentions, leaders, lexicons and importers."""

from __future__ import annotations

import datetime as dt

import pytest

from exitwatch.errors import DataFileError, NotFoundError, UnknownCountryError
from exitwatch.kb import (
    agent_patterns,
    all_countries,
    country_named_in,
    country_of_mention,
    current_leader,
    current_leaders,
    known_people,
    load_leaders_from_archigos,
    load_leaders_from_reign,
    load_petrarch_agents,
    organisations,
    outlets,
    resolve_country,
    sectors,
)
from exitwatch.kb._data import data_path


@pytest.mark.parametrize(
    "query, iso3, gw",
    [
        ("Iran", "IRN", 630),
        ("IRN", "IRN", 630),
        ("ir", "IRN", 630),
        (630, "IRN", 630),
        ("630", "IRN", 630),
        ("Russia", "RUS", 365),
        ("Russian Federation", "RUS", 365),
        ("Syria", "SYR", 652),
        ("Venezuela", "VEN", 101),
        ("North Korea", "PRK", 731),
        ("South Korea", "KOR", 732),
        ("the US", "USA", 2),
        ("U.S.", "USA", 2),
        ("United States of America", "USA", 2),
        ("Britain", "GBR", 200),
        ("Yemen", "YEM", 678),  # GW exception (country_converter says 680)
        ("Vietnam", "VNM", 816),  # GW exception (country_converter says 817)
        ("Germany", "DEU", 260),
        ("Burma", "MMR", 775),
        ("Turkiye", "TUR", 640),
        ("Islamic Republic of Iran", "IRN", 630),
    ],
)
def test_resolve_country(query, iso3, gw):
    country = resolve_country(query)
    assert (country.iso3, country.gwcode) == (iso3, gw)


def test_resolve_country_fields():
    iran = resolve_country("Iran")
    assert iran.name == "Iran" and iran.region == "Southern Asia"
    assert resolve_country("Hong Kong").gwcode is None  # not a GW state


def test_unknown_country_suggests_close_matches():
    with pytest.raises(UnknownCountryError) as info:
        resolve_country("Venezuala")
    assert "Venezuela" in str(info.value)
    with pytest.raises(UnknownCountryError):
        resolve_country("Atlantis")
    with pytest.raises(UnknownCountryError, match="Gleditsch-Ward"):
        resolve_country(999)


def test_all_countries_covers_un_members():
    codes = {c.iso3 for c in all_countries()}
    assert len(codes) > 190 and {"IRN", "RUS", "ERI", "TKM", "SSD"} <= codes


@pytest.mark.parametrize(
    "mention, iso3",
    [
        ("Iranian", "IRN"),
        ("Iranians", "IRN"),
        ("Tehran", "IRN"),
        ("Moscow", "RUS"),
        ("the Kremlin", "RUS"),
        ("Washington", "USA"),
        ("Caracas", "VEN"),
        ("Damascus", "SYR"),
        ("Pyongyang", "PRK"),
        ("Israel's", "ISR"),
        ("Belarusian", "BLR"),
        ("Kyiv", "UKR"),
        ("Venezuela", "VEN"),
    ],
)
def test_country_of_mention(mention, iso3):
    assert country_of_mention(mention) == iso3


@pytest.mark.parametrize(
    "phrase, iso3",
    [
        ("67 elderly British nationals, most of the Asians,", "GBR"),
        ("the offices of the Palestinian administrators of Muslim property", "PSE"),
        ("the deputy chief of Israel's militia ally", "ISR"),
        ("Bosnia and Herzegovina forces", "BIH"),
        ("Iraq.", "IRQ"),
        ("the U.S. embassy staff", "USA"),
        ("most West Africans", None),
        ("a turkey farm", None),  # a country's name counts only with its capital
    ],
)
def test_country_named_in_a_phrase(phrase, iso3):
    assert country_named_in(phrase) == iso3


def test_country_of_mention_unknown():
    assert country_of_mention("Springfield") is None
    assert country_of_mention("the regime") is None


def test_current_leaders_table():
    rows = current_leaders()
    assert len(rows) >= 60
    assert len({r.country_iso3 for r in rows}) == len(rows)  # one row per country
    for r in rows:
        assert r.entry in ("regular", "irregular", "foreign")
        assert r.in_office_since <= r.as_of
        assert resolve_country(r.country_iso3).gwcode == r.gwcode, r.country_iso3
    autocracies = {"IRN", "RUS", "VEN", "SYR", "PRK", "BLR", "CUB", "NIC", "ERI", "TKM", "TJK", "EGY", "SAU", "CHN"}
    assert autocracies <= {r.country_iso3 for r in rows}


def test_current_leader_iran_and_venezuela():
    iran = current_leader("Iran")
    assert iran.leader == "Ali Khamenei" and iran.title == "Supreme Leader"
    assert iran.in_office_since == dt.date(1989, 6, 4) and iran.birth_year == 1939
    assert "Khamenei" in iran.aliases
    assert current_leader(630) == iran
    venezuela = current_leader("VEN")
    assert venezuela.leader == "Delcy Rodríguez" and "Maduro" in venezuela.source_note
    assert current_leader("Syria").in_office_since == dt.date(2024, 12, 8)
    assert current_leader("Russia").leader == "Vladimir Putin"
    assert current_leader("Liechtenstein").regime_type == "monarchy"
    assert current_leader("Egypt").military_career == 1 and current_leader("FRA").military_career == 0
    assert current_leader("COL").military_career is None
    assert (current_leader("VEN").pronoun, current_leader("RUS").pronoun, current_leader("COL").pronoun) == ("she", "he", None)


def test_current_leader_errors():
    with pytest.raises(NotFoundError, match="IRN"):
        current_leader("Vatican")  # in no Gleditsch-Ward list, so no row
    with pytest.raises(UnknownCountryError):
        current_leader("Narnia")


def test_known_people_include_former_leaders():
    by_name = {p.name: p for p in known_people()}
    maduro = by_name["Nicolás Maduro"]
    assert maduro.country_iso3 == "VEN" and not maduro.is_leader and "Maduro" in maduro.aliases
    assert by_name["Ali Khamenei"].is_leader
    # every person has the pronoun that refers to them, except an unverified current leader
    assert {p.name for p in known_people() if p.pronoun is None} == {r.leader for r in current_leaders() if r.pronoun is None}
    assert by_name["Angela Merkel"].pronoun == "she" and by_name["Bashar al-Assad"].pronoun == "he"


def test_a_pronoun_other_than_he_or_she_is_a_data_error(tmp_path):
    path = tmp_path / "leaders.csv"
    rows = (data_path("current_leaders.csv")).read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([rows[0], rows[1].rsplit(",", 1)[0] + ",it"]) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="pronoun 'it' is not one of"):
        current_leaders(path)


def test_lexicons_use_known_sector_codes():
    codes = set(sectors())
    assert {"GOV", "MIL", "POL", "PRO", "SPY", "REB", "OPP", "CVL", "MED", "IGO"} <= codes
    assert {a.sector for a in agent_patterns()} <= codes
    assert {o.sector for o in organisations() if o.sector} <= codes
    patterns = {a.pattern: a for a in agent_patterns()}
    assert patterns["protesters"].sector == "PRO" and patterns["riot police"].sector == "POL"
    assert patterns["supreme leader"].role == "leader" and not patterns["people"].standalone
    orgs = {o.name: o for o in organisations()}
    assert orgs["IRGC"].country_iso3 == "IRN" and "Revolutionary Guards" in orgs["IRGC"].aliases
    assert orgs["Wagner"].country_iso3 == "RUS"
    assert {"The Times", "The Wall Street Journal", "Reuters"} <= {o.name for o in outlets()}


def test_load_petrarch_agents_from_own_sample(tmp_path):
    sample = tmp_path / "agents.txt"
    sample.write_text(
        "# comment\n!OFFICER! = OFFICER, OFFICERS\nARMY_!OFFICER! [~MIL]\nRIOT_COP {RIOT_COPS} [~COP]\n"
        "STRANGE_THING [~JNK]\nMINISTER_OF_FOOD [~GOVAGR] # trailing comment\n",
        encoding="utf-8",
    )
    patterns = {a.pattern: a.sector for a in load_petrarch_agents(sample)}
    assert patterns == {
        "army officer": "MIL",
        "army officers": "MIL",
        "riot cop": "POL",
        "riot cops": "POL",
        "minister of food": "GOV",
    }


def test_load_petrarch_agents_rejects_other_files(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("hello world\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="no agent entries"):
        load_petrarch_agents(bad)
    with pytest.raises(DataFileError):
        load_petrarch_agents(tmp_path / "missing.txt")


def test_load_petrarch_agents_shared_file(shared_data):
    patterns = {a.pattern: a.sector for a in load_petrarch_agents(shared_data / "plover" / "PLOVER_agents.txt")}
    assert len(patterns) > 2000
    assert patterns["defense minister"] == "GOV" and patterns["riot police"] == "POL"


def test_archigos_and_reign_importers(shared_data):
    archigos = load_leaders_from_archigos(shared_data / "archigos" / "archigos_4.1.csv")
    assert len(archigos) > 3000
    khamenei = [p for p in archigos if p.name == "Khamenei" and p.country_iso3 == "IRN"]
    assert khamenei and any(p.start and p.start.year == 1989 for p in khamenei)
    reign = load_leaders_from_reign(shared_data / "reign" / "leaderlist_3_21.csv")
    assert len(reign) > 2000 and all(p.is_leader for p in reign[:50])
    assert any(p.country_iso3 == "BLR" and p.birth_year == 1954 for p in reign)


def test_archigos_importer_checks_columns(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="missing columns"):
        load_leaders_from_archigos(bad)
