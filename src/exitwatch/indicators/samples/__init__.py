"""Short invented news items for the indicators: for each indicator two positive stories from
different outlets (``<name>_1.txt``, ``<name>_2.txt``) and one with denied, hypothetical or
conditional variants (``<name>_neg.txt``); ``protest_momentum_0.txt`` is an earlier, smaller
protest (the baseline) and ``flight_preparation_1_syndicated.txt`` a near-copy of
``flight_preparation_1.txt`` in another outlet. All are dated in January 2026 (``exitwatch demo``
ingests them).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from exitwatch.read.facts import with_sentence_facts
from exitwatch.read.sentences import split_sentences
from exitwatch.records import Document, Reading


def samples_path() -> Path:
    """The folder of the indicator sample articles (plain text with a Title/Outlet/Date header)."""
    return Path(str(resources.files("exitwatch.indicators").joinpath("samples", "articles")))


def sample_files(indicator: str, *suffixes: str) -> list[Path]:
    """The sample files ``<indicator><suffix>.txt`` (for example ``sample_files("ally_loss", "_1", "_2")``)."""
    return [samples_path() / f"{indicator}{suffix}.txt" for suffix in suffixes]


def sentences_only_reader(doc: Document) -> Reading:
    """A reader that keeps sentences with their mentions and cue matches but codes no events and
    no claims, so indicators run on cue words whose sentence has an actor in the role: fast, and
    a check that the definitions work without the event coder."""
    return with_sentence_facts(Reading(document=doc, sentences=tuple(split_sentences(doc.body, doc.id)),
                                       pipeline="sentences-only"))
