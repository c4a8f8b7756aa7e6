"""History importers: real files load with parsed dates; missing files and columns fail clearly."""

from __future__ import annotations

import pandas as pd
import pytest

from exitwatch.errors import DataFileError
from exitwatch.forecast import importers


def test_archigos_csv_and_dta_agree(shared_data):
    csv = importers.load_archigos(shared_data / "archigos" / "archigos_4.1.csv")
    dta = importers.load_archigos(shared_data / "archigos" / "Archigos_4.1_stata14.dta")
    assert len(csv) > 3000 and len(csv) == len(dta)
    assert pd.api.types.is_datetime64_any_dtype(csv["startdate"])
    assert set(csv["obsid"]) == set(dta["obsid"])
    castro = csv[csv["leader"].str.contains("Castro") & (csv["ccode"] == 40)].iloc[0]
    assert castro["startdate"].year == 1959


def test_reign_and_peacesciencer_tables_load(shared_data):
    regimes = importers.load_reign_regimes(shared_data / "reign" / "regime_list.csv")
    assert {"gwcode", "start", "end", "regime_type"} <= set(regimes.columns)
    assert (regimes["start"] <= regimes["end"]).mean() > 0.99
    leaders = importers.load_reign_leaders(shared_data / "reign" / "leaderlist_3_21.csv")
    assert leaders["birthyear"].notna().mean() > 0.8
    states = importers.load_peacesciencer("gw_states", shared_data / "peacesciencer")
    iso = importers.gw_to_iso3(states)
    assert iso[630] == "IRN" and iso[365] == "RUS" and iso[101] == "VEN"


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(DataFileError, match="file not found") as info:
        importers.load_archigos(tmp_path / "nope.csv")
    assert "nope.csv" in str(info.value)


def test_missing_columns_are_listed(tmp_path):
    path = tmp_path / "archigos.csv"
    path.write_text("obsid,ccode,leader,startdate\nX-1,2,Someone,1950-01-01\n")
    with pytest.raises(DataFileError, match="missing columns idacr, enddate"):
        importers.load_archigos(path)


def test_unreadable_dates_are_a_malformed_file(tmp_path):
    columns = ",".join(importers.ARCHIGOS_COLUMNS)
    values = "X-1,2,XX,Someone,soon,later,Regular,Regular,Regular,OK,1900,0"
    path = tmp_path / "archigos.csv"
    path.write_text(f"{columns}\n{values}\n")
    with pytest.raises(DataFileError, match="no readable dates"):
        importers.load_archigos(path)


def test_binary_garbage_cannot_be_parsed(tmp_path):
    path = tmp_path / "regime_list.csv"
    path.write_bytes(b"\x00\xff\xfe garbage \x00" * 10)
    with pytest.raises(DataFileError):
        importers.load_reign_regimes(path)


def test_unknown_peacesciencer_table_lists_choices(tmp_path):
    with pytest.raises(DataFileError, match="choose one of gw_states"):
        importers.load_peacesciencer("polity", tmp_path)


def test_missing_peacesciencer_file(tmp_path):
    with pytest.raises(DataFileError, match="ucdp_acd.csv: file not found"):
        importers.load_peacesciencer("ucdp_acd", tmp_path)


def test_data_sources_cover_every_file_read():
    sources = importers.data_sources()
    files = " ".join(s.files for s in sources)
    for file_name, _ in importers.PEACESCIENCER_TABLES.values():
        assert file_name in files
    for name in ("archigos_4.1.csv", "regime_list.csv", "leaderlist_3_21.csv"):
        assert name in files
    assert all(s.url and s.licence and s.citation for s in sources)


def test_data_dir_env_wins(tmp_path, monkeypatch):
    monkeypatch.setenv(importers.DATA_ENV, str(tmp_path))
    assert importers.default_data_dir() == tmp_path
