"""Countries: ISO codes, Gleditsch-Ward numbers, names, demonyms and capitals used as metonyms.

Names and codes come from maintained libraries: ``pycountry`` (ISO 3166) and the country table
that ships with ``country_converter`` (short/official names, regions, its ``GWcode`` column). We
read country_converter's TSV directly because its ``CountryConverter`` class fails to start with
pandas 3 (Namibia's ISO2 code "NA" is read as a missing value). Our own files add the
Gleditsch-Ward exceptions (``data/gw_exceptions.tsv``: current states whose GW number differs),
the GW numbers of historical or oddly named states (``data/gw_states_iso3.csv``), the COW numbers
that differ from GW (``COW_TO_GW``) and the alternates, demonyms and capitals journalists use
(``data/demonyms_capitals.tsv``). This module is the one home of country codes: ``iso3_of_gw``
and ``gw_of_cow`` serve the kb, the forecast panel and the importers alike.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry

from exitwatch.errors import UnknownCountryError
from exitwatch.kb._data import data_path, read_table
from exitwatch.records import Record


@dataclass(frozen=True)
class Country(Record):
    """A country: ``iso3`` (ISO 3166 alpha-3), ``gwcode`` (Gleditsch-Ward number or None for
    non-states such as Hong Kong), ``name`` (short English name), ``region`` (UN sub-region)."""

    iso3: str
    gwcode: int | None
    name: str
    region: str


@dataclass(frozen=True)
class CountryTables:
    """Lookup tables built once: ``by_iso3``, ``by_gw`` (gwcode -> iso3), ``names`` (lower-case
    name or alternate -> iso3) and ``mentions`` (lower-case name, alternate, demonym or capital ->
    (iso3, kind) with kind one of ``name``, ``alias``, ``demonym``, ``capital``)."""

    by_iso3: dict[str, Country]
    by_gw: dict[int, str]
    names: dict[str, str]
    mentions: dict[str, tuple[str, str]]
    regexes: tuple[tuple[re.Pattern, str], ...]


def _converter_table() -> list[dict[str, str]]:
    import country_converter

    path = Path(country_converter.__file__).with_name("country_data.tsv")
    return list(read_table(path))


def _norm(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip().lower())
    return re.sub(r"^the ", "", text)


@lru_cache(maxsize=1)
def country_tables() -> CountryTables:
    """The cached lookup tables (see :class:`CountryTables`)."""
    gw_fix = {r["iso3"]: int(r["gwcode"]) for r in read_table(data_path("gw_exceptions.tsv"))}
    by_iso3: dict[str, Country] = {}
    names: dict[str, str] = {}
    regexes = []
    for row in _converter_table():
        iso3 = row["ISO3"]
        if not iso3 or row.get("obsolete"):
            continue
        gw = gw_fix.get(iso3) or (int(float(row["GWcode"])) if row["GWcode"] else None)
        by_iso3[iso3] = Country(iso3, gw, row["name_short"], row["UNregion"])
        for name in (row["name_short"], row["name_official"]):
            names.setdefault(_norm(name), iso3)
        regexes.append((re.compile(row["regex"], re.IGNORECASE), iso3))
    for c in pycountry.countries:
        if c.alpha_3 not in by_iso3:
            continue
        for attr in ("name", "official_name", "common_name"):
            if getattr(c, attr, None):
                names.setdefault(_norm(getattr(c, attr)), c.alpha_3)
    mentions = {name: (iso3, "name") for name, iso3 in names.items()}
    for row in read_table(data_path("demonyms_capitals.tsv")):
        key = _norm(row["text"])
        if row["kind"] == "alias":
            names[key] = row["iso3"]
        mentions[key] = (row["iso3"], row["kind"])
    by_gw = {c.gwcode: c.iso3 for c in by_iso3.values() if c.gwcode is not None}
    return CountryTables(by_iso3, by_gw, names, mentions, tuple(regexes))


def all_countries() -> list[Country]:
    """Every known country, sorted by ISO3."""
    tables = country_tables()
    return [tables.by_iso3[k] for k in sorted(tables.by_iso3)]


def resolve_country(text: str | int) -> Country:
    """The country named by ``text``: ISO3 (``IRN``), ISO2 (``IR``), a Gleditsch-Ward number
    (``630`` or ``"630"``), an English name or common alternate (``Iran``, ``the US``,
    ``North Korea``). Raises UnknownCountryError listing close matches otherwise."""
    tables = country_tables()
    query = str(text).strip()
    if re.fullmatch(r"\d{1,3}(\.0)?", query):
        iso3 = tables.by_gw.get(int(float(query)))
        if iso3:
            return tables.by_iso3[iso3]
        raise UnknownCountryError(query, "no country has that Gleditsch-Ward number")
    upper = query.upper()
    if upper in tables.by_iso3:
        return tables.by_iso3[upper]
    if len(upper) == 2 and upper.isalpha():
        found = pycountry.countries.get(alpha_2=upper)
        if found and found.alpha_3 in tables.by_iso3:
            return tables.by_iso3[found.alpha_3]
    key = _norm(query)
    if key in tables.names:
        return tables.by_iso3[tables.names[key]]
    if len(key) > 3:
        hits = {iso3 for rx, iso3 in tables.regexes if rx.search(key)}
        if len(hits) == 1:
            return tables.by_iso3[hits.pop()]
    close = difflib.get_close_matches(key, list(tables.names), n=4, cutoff=0.75)
    hint = "did you mean " + ", ".join(repr(tables.by_iso3[tables.names[c]].name) for c in close) if close else ""
    raise UnknownCountryError(query, hint)


#: Correlates of War state numbers that differ from Gleditsch-Ward numbers for the same state
#: (Archigos, REIGN and COW tables use COW numbers): COW 255 Germany = GW 260, COW 679 Yemen = GW 678.
COW_TO_GW = {255: 260, 679: 678}


def gw_of_cow(ccode: int) -> int:
    """The Gleditsch-Ward number of a Correlates of War state number."""
    return COW_TO_GW.get(ccode, ccode)


@lru_cache(maxsize=1)
def _gw_states_iso3() -> dict[int, str]:
    return {int(r["gwcode"]): r["iso3"] for r in read_table(data_path("gw_states_iso3.csv"))}


def iso3_of_gw(gwcode: int | None) -> str | None:
    """ISO3 code of a Gleditsch-Ward state number (None: None) (historical states included: 265 is ``DDR``),
    or None when no code is known."""
    if gwcode is None:
        return None
    return _gw_states_iso3().get(gwcode) or country_tables().by_gw.get(gwcode)


def country_of_mention(text: str) -> str | None:
    """ISO3 of the country a mention points to, or None: names and alternates (``Iran``,
    ``the US``), demonyms (``Iranian``, ``Iranians``) and capitals or seats of power used as
    metonyms (``Tehran``, ``the Kremlin``)."""
    found = mention_kind(text)
    return found[0] if found else None


_PHRASE_WORD = re.compile(r"[\w'’.-]+")
#: Longest country mention looked for inside a phrase, in words ("Bosnia and Herzegovina").
_MAX_MENTION_WORDS = 4


def country_named_in(text: str) -> str | None:
    """ISO3 of the first country a phrase names anywhere in it, or None: the whole phrase as
    :func:`country_of_mention` reads it, else the first run of up to four words starting with a
    capital that is a country's name, alias, demonym or capital ("67 elderly British nationals":
    GBR; "the offices of the Palestinian administrators": PSE). For a phrase already known to be
    an actor; in running text an adjective does not make an actor ("Iranian missiles")."""
    found = mention_kind(text)
    if found:
        return found[0]
    words = _PHRASE_WORD.findall(text)
    for i, word in enumerate(words):
        if not word[:1].isupper():
            continue
        for size in range(min(_MAX_MENTION_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + size])
            found = mention_kind(phrase) or mention_kind(phrase.rstrip(".,"))
            if found:
                return found[0]
    return None


def mention_kind(text: str) -> tuple[str, str] | None:
    """``(iso3, kind)`` for a country mention (kind: name, alias, demonym, capital) or None."""
    tables = country_tables()
    key = _norm(re.sub(r"['’]s$", "", text.strip()))
    if key in tables.mentions:
        return tables.mentions[key]
    if key.endswith("s") and key[:-1] in tables.mentions and tables.mentions[key[:-1]][1] == "demonym":
        return tables.mentions[key[:-1]]
    return None
