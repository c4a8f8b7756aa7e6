"""Loaders for the reader's data files (trigger lexicon, modality and attribution cues, outlets).

Every loader is cached: the files are read once per process. Patterns are compiled into regular
expressions here so that the coders only match.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from exitwatch.errors import DataFileError
from exitwatch.kb import outlets

DATA = resources.files("exitwatch.read") / "data"


@dataclass(frozen=True)
class Trigger:
    """One row of ``plover_triggers.tsv``: ``event_type``, ``mode`` (None when the row has "-"),
    ``pattern`` (as written), ``voice`` (active / patient / self), ``confidence``."""

    event_type: str
    mode: str | None
    pattern: str
    voice: str
    confidence: float


def _read_rows(path: Path | resources.abc.Traversable) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def phrase_regex(phrase: str) -> str:
    """Regex for a lexicon phrase: words joined by whitespace, ``word*`` = any ending, ``...`` =
    up to three words in between. Matches on word boundaries."""
    parts = []
    for word in phrase.split():
        if word == "...":
            parts.append(r"(?:\S+\s+){0,3}?")
            continue
        stem = re.escape(word.rstrip("*")).replace("'", "['’]")
        parts.append(stem + (r"[\w-]*" if word.endswith("*") else "") + r"\s+")
    return r"\b" + "".join(parts)[: -len(r"\s+")] + r"(?![\w-])"


def phrases_regex(phrases: list[str], *, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """One compiled alternation of ``phrases`` (longest first, so longer phrases win)."""
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile("|".join(f"(?:{phrase_regex(p)})" for p in ordered), flags)


@lru_cache(maxsize=4)
def load_triggers(path: str | None = None) -> tuple[Trigger, ...]:
    """The trigger lexicon (default: the packaged ``plover_triggers.tsv``; ``path`` = a user file in
    the same format)."""
    source = Path(path) if path else DATA / "plover_triggers.tsv"
    try:
        rows = _read_rows(source)
        return tuple(
            Trigger(
                event_type=row["event_type"].strip().upper(),
                mode=None if row["mode"].strip() in ("", "-") else row["mode"].strip(),
                pattern=row["pattern"].strip().lower(),
                voice=row["voice"].strip(),
                confidence=float(row["confidence"]),
            )
            for row in rows
        )
    except (OSError, KeyError, ValueError) as e:
        raise DataFileError(str(source), f"cannot read trigger lexicon ({e}); expected TSV columns "
                            "event_type, mode, pattern, voice, confidence") from e


@dataclass(frozen=True)
class TriggerMatch:
    """A trigger found in a text: ``start``/``end`` offsets, the ``trigger`` row."""

    start: int
    end: int
    trigger: Trigger


class TriggerIndex:
    """Finds triggers fast: candidates are looked up by their first word (exact or by the first
    three letters of a ``stem*``), and only those candidates' regexes are tried at that word."""

    WORD = re.compile(r"[\w'’-]+")

    def __init__(self, triggers: tuple[Trigger, ...]):
        self._exact: dict[str, list[tuple[Trigger, re.Pattern[str]]]] = {}
        self._prefix: dict[str, list[tuple[str, Trigger, re.Pattern[str]]]] = {}
        for trigger in sorted(triggers, key=lambda t: len(t.pattern), reverse=True):
            first = trigger.pattern.split()[0]
            compiled = re.compile(phrase_regex(trigger.pattern), re.IGNORECASE)
            if first.endswith("*"):
                stem = first[:-1]
                self._prefix.setdefault(stem[:3], []).append((stem, trigger, compiled))
            else:
                self._exact.setdefault(first, []).append((trigger, compiled))

    def find(self, text: str) -> list[TriggerMatch]:
        """Non-overlapping trigger matches in ``text``, left to right, longest pattern first."""
        found: list[TriggerMatch] = []
        covered_until = -1
        for word in self.WORD.finditer(text):
            token = word.group().lower()
            exact, prefixed = self._exact.get(token), self._prefix.get(token[:3])
            if (exact is None and prefixed is None) or word.start() < covered_until:
                continue  # most words start no trigger: no lists built for them
            candidates = list(exact or ())
            candidates += [(t, c) for stem, t, c in prefixed or () if token.startswith(stem)]
            best: TriggerMatch | None = None
            for trigger, compiled in candidates:
                match = compiled.match(text, word.start())
                if match and (best is None or match.end() > best.end):
                    best = TriggerMatch(match.start(), match.end(), trigger)
            if best:
                found.append(best)
                covered_until = best.end
        return found


@lru_cache(maxsize=4)
def trigger_index(path: str | None = None) -> TriggerIndex:
    """The cached ``TriggerIndex`` of ``load_triggers(path)``."""
    return TriggerIndex(load_triggers(path))


def trigger_key(event_type: str, pattern: str) -> str:
    """How a lexicon row is named in a model's ``trigger_support``: ``"RETREAT:flee"``."""
    return f"{event_type}:{pattern}"


def trigger_support(texts: Iterable[str], path: str | None = None) -> dict[str, int]:
    """For each row of the trigger lexicon found in ``texts``, in how many of them it is found
    (``trigger_key`` -> count; rows found nowhere are left out). A model's training sentences
    counted this way say which triggers it has seen used (``classify.MIN_TRIGGER_SUPPORT``)."""
    index = trigger_index(path)
    counts: dict[str, int] = {}
    for text in texts:
        for key in {trigger_key(m.trigger.event_type, m.trigger.pattern) for m in index.find(text)}:
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


@cache
def load_toml(name: str) -> dict:
    """A packaged TOML cue file (``modality_cues.toml``, ``attribution_cues.toml``)."""
    with (DATA / name).open("rb") as handle:
        return tomllib.load(handle)


@lru_cache(maxsize=1)
def relay_link_text() -> str:
    """The chain link that says an outlet's report was relayed ("picked up by other outlets"),
    from ``attribution_cues.toml``: chain renderers join it without "via"."""
    return load_toml("attribution_cues.toml")["relay_text"]


@lru_cache(maxsize=1)
def load_outlets() -> dict[str, str]:
    """Alias → canonical outlet name, from the kb's outlets table (``kb/data/outlets.tsv``): the
    name and every alias, and "the X" for "The X" (and the reverse), matched case-sensitively."""
    aliases: dict[str, str] = {}
    for outlet in outlets():
        for alias in (outlet.name, *outlet.aliases):
            aliases[alias] = outlet.name
            if alias[:4] in ("The ", "the "):
                aliases.setdefault(("the " if alias[0] == "T" else "The ") + alias[4:], outlet.name)
    return aliases


@lru_cache(maxsize=1)
def outlet_regex() -> re.Pattern[str]:
    """Case-sensitive regex matching any outlet alias (longest first)."""
    names = sorted(load_outlets(), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
