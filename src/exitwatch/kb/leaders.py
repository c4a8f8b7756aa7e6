"""People: current leaders (a table we maintain), other key people, and past leaders imported from
Archigos 4.1 or REIGN files given by the user.

``data/current_leaders.csv`` is written and maintained by the project (as of the ``as_of`` date
in each row); ``data/people.tsv`` holds other people who matter (heirs, security chiefs,
opposition leaders, deposed rulers). Past leaders are never shipped: load them with
:func:`load_leaders_from_archigos` / :func:`load_leaders_from_reign` from the public files
(Goemans, Gleditsch & Chiozza 2009; Bell, Besaw & Frank 2021).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from exitwatch.errors import DataFileError, NotFoundError
from exitwatch.kb._data import data_path, read_table, split_aliases
from exitwatch.kb.countries import gw_of_cow, iso3_of_gw, resolve_country
from exitwatch.records import Record

ENTRY_KINDS = ("regular", "irregular", "foreign")


@dataclass(frozen=True)
class CurrentLeader(Record):
    """A country's current effective leader: ``country_iso3``, ``gwcode``, ``leader`` (canonical
    name), ``aliases`` (other spellings and surnames), ``title``, ``in_office_since`` (date),
    ``birth_year`` (or None), ``entry`` (regular / irregular / foreign), ``regime_type``,
    ``as_of`` (date the row was last checked), ``source_note``, ``military_career`` (1 when the
    leader had a military career as REIGN codes it, 0 when not, None when not recorded),
    ``pronoun`` ("he" or "she", None when not recorded)."""

    country_iso3: str
    gwcode: int | None
    leader: str
    aliases: tuple[str, ...]
    title: str
    in_office_since: dt.date
    birth_year: int | None
    entry: str
    regime_type: str
    as_of: dt.date
    source_note: str = ""
    military_career: int | None = None
    pronoun: str | None = None


@dataclass(frozen=True)
class Person(Record):
    """A person the actor recogniser knows: ``name`` (canonical), ``aliases``, ``country_iso3``,
    ``sector`` (agent code, GOV for rulers), ``role`` (title), ``birth_year``, ``start``/``end``
    (dates in the role, None when open or unknown), ``organisation``, ``is_leader`` (True for a
    country's ruler), ``note``, ``pronoun`` ("he" or "she": which pronouns can refer to the
    person; None when not recorded, then both can)."""

    name: str
    aliases: tuple[str, ...] = ()
    country_iso3: str | None = None
    sector: str | None = "GOV"
    role: str = ""
    birth_year: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    organisation: str | None = None
    is_leader: bool = False
    note: str = ""
    pronoun: str | None = None


PRONOUNS = ("he", "she")


def _pronoun(path: str, row: dict[str, str]) -> str | None:
    """A row's ``pronoun`` cell ("he", "she", empty when not recorded)."""
    cell = (row.get("pronoun") or "").strip().lower()
    if cell and cell not in PRONOUNS:
        raise DataFileError(path, f"{row.get('leader') or row.get('name')}: pronoun {cell!r} is not one of {PRONOUNS}")
    return cell or None


def _int(cell: str) -> int | None:
    return int(float(cell)) if cell and cell.upper() != "NA" else None


def _date(cell: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(cell) if cell and cell.upper() != "NA" else None
    except ValueError:
        return None


@lru_cache(maxsize=1)
def _current_leaders(path: str) -> tuple[CurrentLeader, ...]:
    rows = []
    for row in read_table(path):
        if row["entry"] not in ENTRY_KINDS:
            raise DataFileError(path, f"{row['country_iso3']}: entry {row['entry']!r} is not one of {ENTRY_KINDS}")
        rows.append(
            CurrentLeader(
                country_iso3=row["country_iso3"],
                gwcode=_int(row["gwcode"]),
                leader=row["leader"],
                aliases=split_aliases(row["aliases"]),
                title=row["title"],
                in_office_since=dt.date.fromisoformat(row["in_office_since"]),
                birth_year=_int(row["birth_year"]),
                entry=row["entry"],
                regime_type=row["regime_type"],
                as_of=dt.date.fromisoformat(row["as_of"]),
                source_note=row["source_note"],
                military_career=_int(row.get("military_career") or ""),
                pronoun=_pronoun(path, row),
            )
        )
    return tuple(rows)


def current_leaders(path: str | Path | None = None) -> list[CurrentLeader]:
    """All rows of the current-leaders table (``data/current_leaders.csv`` unless ``path``)."""
    return list(_current_leaders(str(path or data_path("current_leaders.csv"))))


def current_leader(country: str | int) -> CurrentLeader:
    """The current leader of ``country`` (ISO3, name or GW code). Raises UnknownCountryError for
    an unknown country and NotFoundError when the table has no row for it."""
    iso3 = resolve_country(country).iso3
    for row in current_leaders():
        if row.country_iso3 == iso3:
            return row
    known = ", ".join(sorted(r.country_iso3 for r in current_leaders()))
    raise NotFoundError(f"no current leader recorded for {iso3}; the table covers {known}")


@lru_cache(maxsize=1)
def known_people() -> tuple[Person, ...]:
    """Current leaders plus the other people of ``data/people.tsv``."""
    people = [
        Person(
            name=r.leader,
            aliases=r.aliases,
            country_iso3=r.country_iso3,
            sector="GOV",
            role=r.title,
            birth_year=r.birth_year,
            start=r.in_office_since,
            is_leader=True,
            note=r.source_note,
            pronoun=r.pronoun,
        )
        for r in current_leaders()
    ]
    for row in read_table(data_path("people.tsv")):
        people.append(
            Person(
                name=row["name"],
                aliases=split_aliases(row["aliases"]),
                country_iso3=row["country_iso3"] or None,
                sector=row["sector"] or None,
                role=row["role"],
                birth_year=_int(row["birth_year"]),
                organisation=row["organisation"] or None,
                note=row["note"],
                pronoun=_pronoun(str(data_path("people.tsv")), row),
            )
        )
    return tuple(people)


def _ymd(year: int | None, month: str, day: str) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, _int(month.strip()) or 1, _int(day.strip()) or 1)
    except ValueError:
        return dt.date(year, 1, 1)


def _require(path: Path, rows: list[dict[str, str]], columns: set[str]) -> None:
    if rows and not columns <= rows[0].keys():
        missing = ", ".join(sorted(columns - rows[0].keys()))
        raise DataFileError(str(path), f"missing columns {missing}")


def load_leaders_from_archigos(path: str | Path) -> list[Person]:
    """Leader spells from an Archigos 4.1 CSV (``archigos_4.1.csv``: columns ccode, leader,
    startdate, enddate, yrborn, ...), as Person records with is_leader=True. Archigos names are
    surnames ("Khamenei"), which become both the name and an alias."""
    path = Path(path)
    rows = list(read_table(path, delimiter=","))
    _require(path, rows, {"ccode", "leader", "startdate", "enddate", "yrborn"})
    return [
        Person(
            name=row["leader"],
            aliases=(row["leader"],),
            country_iso3=iso3_of_gw(gw_of_cow(_int(row["ccode"]))),
            sector="GOV",
            role="leader",
            birth_year=_int(row["yrborn"]),
            start=_date(row["startdate"]),
            end=_date(row["enddate"]),
            is_leader=True,
            note=f"Archigos {row.get('obsid', '')}: entry {row.get('entry', '')}, exit {row.get('exit', '')}",
        )
        for row in rows
    ]


def load_leaders_from_reign(path: str | Path) -> list[Person]:
    """Leader spells from REIGN's ``leaderlist_3_21.csv`` (columns ccode, leader, sdate, smonth,
    syear, emonth, eyear, birthyear) as Person records with is_leader=True."""
    path = Path(path)
    rows = list(read_table(path, delimiter=","))
    _require(path, rows, {"ccode", "leader", "syear", "eyear", "birthyear"})
    people = []
    for row in rows:
        start_year, end_year = _int(row["syear"]), _int(row["eyear"])
        start = _ymd(start_year, row.get("smonth", ""), row.get("sdate", ""))
        end = _ymd(end_year, row.get("emonth", ""), "")
        people.append(
            Person(
                name=row["leader"],
                aliases=(row["leader"],),
                country_iso3=iso3_of_gw(gw_of_cow(_int(row["ccode"]))),
                sector="GOV",
                role="leader",
                birth_year=_int(row["birthyear"]),
                start=start,
                end=end,
                is_leader=True,
                note=f"REIGN {row.get('leadid', '')}",
            )
        )
    return people
