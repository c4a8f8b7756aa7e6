"""Readers for the public history files (Archigos, REIGN, peacesciencer tables).

Every reader takes a user-given path (a file, or for peacesciencer a folder), checks that the
file exists and has the columns the forecast needs, and returns a pandas DataFrame with parsed
dates. Problems raise :class:`~exitwatch.errors.DataFileError` naming the file and what is wrong,
so a user with a different download knows what to fix. ``default_data_dir()`` finds the shared
copy (``$EXITWATCH_DATA`` or ``../shared/data`` beside the project).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from exitwatch.errors import DataFileError
from exitwatch.kb.countries import gw_of_cow, iso3_of_gw
from exitwatch.records import Record
from exitwatch.shared_data import DATA_ENV, default_data_dir  # noqa: F401 - the forecast stage's data folder


ARCHIGOS_COLUMNS = ("obsid", "ccode", "idacr", "leader", "startdate", "enddate", "entry", "exit",
                    "exitcode", "posttenurefate", "yrborn", "prevtimesinoffice")
REIGN_LEADER_COLUMNS = ("ccode", "leader", "syear", "smonth", "eyear", "emonth", "birthyear",
                        "militarycareer")
REIGN_REGIME_COLUMNS = ("cowcode", "gwf_startdate", "gwf_enddate", "gwf_regimetype")

#: peacesciencer table name -> (file name, required columns).
PEACESCIENCER_TABLES = {
    "gw_states": ("gw_states.csv", ("gwcode", "stateabb", "statename", "startdate", "enddate")),
    "gw_capitals": ("gw_capitals.csv", ("gwcode", "capital", "lat", "lng")),
    "ucdp_acd": ("ucdp_acd.csv", ("year", "gwno_a", "intensity_level", "type_of_conflict")),
    "ucdp_onsets": ("ucdp_onsets.csv", ("gwcode", "year", "sumnewconf")),
    "cow_nmc": ("cow_nmc.csv", ("ccode", "year", "cinc", "tpop", "milper")),
    "creg": ("creg.csv", ("gwcode", "year", "ethfrac", "relfrac")),
    "hief": ("hief.csv", ("gwcode", "year", "efindex")),
    "atop": ("atop_alliance.csv.gz", ("ccode1", "ccode2", "year", "atop_defense", "atop_offense",
                                      "atop_neutral", "atop_nonagg", "atop_consul")),
    "mindist": ("gw_mindist_2019.csv.gz", ("gwcode1", "gwcode2", "mindist")),
    "lead": ("LEAD.csv", ("obsid", "leveledu", "milservice", "rebel")),
}


@dataclass(frozen=True)
class DataSource(Record):
    """A dataset the forecast uses: ``key``, ``dataset`` (name and version), ``files`` (paths
    under the data folder), ``url`` (public download location), ``licence``, ``citation``."""

    key: str
    dataset: str
    files: str
    url: str
    licence: str
    citation: str


def data_sources() -> list[DataSource]:
    """Every dataset, from ``data/sources.csv``."""
    with resources.files("exitwatch.forecast").joinpath("data/sources.csv").open() as handle:
        frame = pd.read_csv(handle, dtype=str).fillna("")
    return [DataSource(**row) for row in frame.to_dict("records")]


def _read_table(path: Path, required: tuple[str, ...], **read_opts) -> pd.DataFrame:
    """Read a CSV (or Stata .dta) and check that ``required`` columns are present."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(str(path), "file not found (`exitwatch data sources` says where to get it)")
    try:
        if path.suffix == ".dta":
            with warnings.catch_warnings():  # Archigos' .dta has a few latin-1 names; pandas falls back
                warnings.simplefilter("ignore", UnicodeWarning)
                frame = pd.read_stata(path, convert_categoricals=False)
        else:
            try:
                frame = pd.read_csv(path, **read_opts)
            except UnicodeDecodeError:  # older research files (REIGN) are Windows-1252
                frame = pd.read_csv(path, encoding="cp1252", encoding_errors="replace", **read_opts)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DataFileError(str(path), f"cannot be parsed: {error}") from error
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataFileError(str(path), f"missing columns {', '.join(missing)} "
                                       f"(found: {', '.join(map(str, frame.columns[:20]))})")
    return frame


def _dates(frame: pd.DataFrame, path: Path, columns: tuple[str, ...], fmt: str | None = None) -> None:
    """Parse date columns in place; a column with no parseable value is a malformed file."""
    for column in columns:
        parsed = pd.to_datetime(frame[column], errors="coerce", format=fmt)
        if parsed.notna().sum() == 0 and len(frame):
            raise DataFileError(str(path), f"column {column} holds no readable dates")
        frame[column] = parsed


def load_archigos(path: str | Path) -> pd.DataFrame:
    """Archigos 4.1 leader spells from the CSV or the original Stata ``.dta`` file.

    Returns one row per leader spell with ``startdate``/``enddate`` as timestamps and ``ccode``
    (a Gleditsch-Ward number) as int.
    """
    path = Path(path)
    frame = _read_table(path, ARCHIGOS_COLUMNS)
    _dates(frame, path, ("startdate", "enddate"))
    frame = frame.dropna(subset=["startdate", "enddate"]).copy()
    frame["ccode"] = frame["ccode"].astype(int)
    frame["yrborn"] = pd.to_numeric(frame["yrborn"], errors="coerce")
    for column in ("entry", "exit", "exitcode", "posttenurefate", "leader", "idacr", "obsid"):
        frame[column] = frame[column].astype(str)
    return frame.reset_index(drop=True)


def load_reign_leaders(path: str | Path) -> pd.DataFrame:
    """REIGN leader list (leaders to 2021 with birth year and military career)."""
    frame = _read_table(Path(path), REIGN_LEADER_COLUMNS)
    return frame.loc[:, [c for c in frame.columns if c and not str(c).startswith("Unnamed")]]


def load_reign_regimes(path: str | Path) -> pd.DataFrame:
    """REIGN regime spells: ``gwcode``, ``start``, ``end``, ``regime_type`` (Geddes-Wright-Frantz)."""
    path = Path(path)
    frame = _read_table(path, REIGN_REGIME_COLUMNS)
    _dates(frame, path, ("gwf_startdate", "gwf_enddate"), fmt="%m/%d/%Y")
    out = pd.DataFrame({
        "gwcode": frame["cowcode"].map(lambda c: gw_of_cow(int(c))),
        "start": frame["gwf_startdate"],
        "end": frame["gwf_enddate"],
        "regime_type": frame["gwf_regimetype"].astype(str).str.strip(),
    })
    return out.dropna(subset=["start", "end"]).reset_index(drop=True)


def load_peacesciencer(name: str, folder: str | Path) -> pd.DataFrame:
    """One peacesciencer table by name (keys of ``PEACESCIENCER_TABLES``) from ``folder``."""
    if name not in PEACESCIENCER_TABLES:
        raise DataFileError(name, f"unknown peacesciencer table; choose one of {', '.join(PEACESCIENCER_TABLES)}")
    file_name, required = PEACESCIENCER_TABLES[name]
    frame = _read_table(Path(folder) / file_name, required)
    # peacesciencer writes codes and years as floats (2.0); make them ints where complete.
    for column in ("gwcode", "ccode", "year", "gwcode1", "gwcode2", "ccode1", "ccode2", "gwno_a"):
        if column in frame.columns and frame[column].notna().all():
            frame[column] = frame[column].astype(int)
    return frame


def gw_to_iso3(gw_states: pd.DataFrame) -> dict[int, str]:
    """Map every Gleditsch-Ward number in ``gw_states`` to an ISO3 code (the kb's
    ``iso3_of_gw``), else to the state's own abbreviation (``stateabb``)."""
    return {int(gwcode): iso3_of_gw(int(gwcode)) or str(abb)
            for gwcode, abb in gw_states[["gwcode", "stateabb"]].itertuples(index=False)}
