"""Agent (sector) words, named organisations and news outlets.

Our own lexicons ship in ``exitwatch/kb/data``: ``agents.tsv`` (pattern -> sector code, codes
described in ``sectors.tsv``), ``organisations.tsv`` and ``outlets.tsv``. Dictionaries in the
PETRARCH/CAMEO agents format (for example ``PLOVER_agents.txt`` or ``Phoenix.agents.txt`` from
openeventdata) can be imported from a user path with :func:`load_petrarch_agents`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from exitwatch.errors import DataFileError
from exitwatch.kb._data import data_path, read_table, split_aliases
from exitwatch.records import Record


@dataclass(frozen=True)
class AgentPattern(Record):
    """A word or phrase that names a kind of actor: ``pattern`` (lower case, words separated by
    spaces), ``sector`` (code from ``sectors.tsv``), ``role`` ("leader" for titles of rulers such
    as "supreme leader", else ""), ``standalone`` (False when the word is an actor only with a
    country: "forces", "people")."""

    pattern: str
    sector: str
    role: str = ""
    standalone: bool = True


@dataclass(frozen=True)
class Organisation(Record):
    """A named organisation: ``name`` (canonical), ``aliases``, ``country_iso3`` (None for
    transnational groups), ``sector``, ``note``."""

    name: str
    aliases: tuple[str, ...]
    country_iso3: str | None
    sector: str | None
    note: str = ""


@dataclass(frozen=True)
class Outlet(Record):
    """A news outlet or agency: ``name`` (canonical), ``aliases``, ``country_iso3``, ``kind``
    (newspaper, agency, broadcaster, magazine, website)."""

    name: str
    aliases: tuple[str, ...]
    country_iso3: str | None
    kind: str


@lru_cache(maxsize=1)
def sectors() -> dict[str, str]:
    """Sector code -> description."""
    return {r["code"]: r["description"] for r in read_table(data_path("sectors.tsv"))}


@lru_cache(maxsize=1)
def agent_patterns() -> tuple[AgentPattern, ...]:
    """The shipped agents lexicon (``data/agents.tsv``)."""
    return tuple(
        AgentPattern(r["pattern"], r["sector"], r["role"], r["standalone"] != "no")
        for r in read_table(data_path("agents.tsv"))
    )


def _word_list(name: str) -> frozenset[str]:
    """The words of a shipped word list (``data/NAME``: one a line, ``#`` comments), lower case."""
    lines = data_path(name).read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def modifiers() -> frozenset[str]:
    """Words allowed between a country word and an agent word ("Iranian *security* forces")."""
    return _word_list("modifiers.txt")


@lru_cache(maxsize=1)
def foreign_qualifiers() -> frozenset[str]:
    """Words that mark an agent as foreign to the story's country ("Western diplomats")."""
    return _word_list("foreign_qualifiers.txt")


@lru_cache(maxsize=1)
def organisations() -> tuple[Organisation, ...]:
    """The shipped organisations table (``data/organisations.tsv``)."""
    return tuple(
        Organisation(r["name"], split_aliases(r["aliases"]), r["country_iso3"] or None, r["sector"] or None, r["note"])
        for r in read_table(data_path("organisations.tsv"))
    )


@lru_cache(maxsize=1)
def outlets() -> tuple[Outlet, ...]:
    """The shipped news outlets table (``data/outlets.tsv``)."""
    return tuple(
        Outlet(r["name"], split_aliases(r["aliases"]), r["country_iso3"] or None, r["kind"])
        for r in read_table(data_path("outlets.tsv"))
    )


_ENTRY = re.compile(r"^(?P<phrase>[^\[{#]+?)\s*(?:\{(?P<plural>[^}]*)\})?\s*\[~(?P<code>[A-Z]{3})[A-Z]*\]")
_SUBSTITUTION = re.compile(r"^!(?P<name>\w+)!\s*=\s*(?P<values>.+)$")


def load_petrarch_agents(path: str | Path) -> list[AgentPattern]:
    """Agent patterns from a dictionary in the PETRARCH/CAMEO agents format.

    Lines look like ``FOREIGN_!MINIST! {PLURAL} [~GOV]``: words joined by ``_``, ``!SET!``
    substitution sets defined as ``!SET! = A, B``, an optional irregular plural in braces, and a
    CAMEO agent code; ``#`` starts a comment. Codes are mapped to exitwatch sectors with
    ``data/cameo_agent_codes.tsv``; entries with unmapped codes (junk, unknown) are skipped.
    """
    path = Path(path)
    code_map = {r["cameo"]: r["sector"] for r in read_table(data_path("cameo_agent_codes.tsv"))}
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as e:
        raise DataFileError(str(path), f"cannot read the agents dictionary ({e.strerror})") from e
    sets: dict[str, list[str]] = {}
    patterns: dict[str, str] = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        sub = _SUBSTITUTION.match(line)
        if sub:
            sets[sub["name"]] = [v.strip() for v in sub["values"].split(",") if v.strip()]
            continue
        entry = _ENTRY.match(line)
        if not entry or entry["code"] not in code_map:
            continue
        for phrase in [entry["phrase"], *(entry["plural"] or "").split(",")]:
            for expanded in _expand(phrase.strip(), sets):
                words = expanded.replace("_", " ").strip().lower()
                if words:
                    patterns.setdefault(words, code_map[entry["code"]])
    if not patterns:
        raise DataFileError(str(path), "no agent entries of the form 'WORD_WORD [~CODE]' found")
    return [AgentPattern(p, s) for p, s in patterns.items()]


def _expand(phrase: str, sets: dict[str, list[str]]) -> list[str]:
    """All spellings of a phrase with its ``!SET!`` substitutions filled in."""
    match = re.search(r"!(\w+)!", phrase)
    if not match or match[1] not in sets:
        return [phrase] if phrase and "!" not in phrase else []
    return [
        expanded
        for value in sets[match[1]]
        for expanded in _expand(phrase[: match.start()] + value + phrase[match.end() :], sets)
    ]
