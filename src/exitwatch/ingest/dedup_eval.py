"""Measuring the near-duplicate threshold: synthetic syndicated copies of real articles.

``make_near_copy`` imitates what syndication does to a story: another outlet's dateline, a few
words edited, the last paragraphs (sentences) trimmed. ``threshold_table`` gives precision and
recall of "estimated Jaccard >= t" over near-copy pairs (positives) and pairs of different
articles (negatives), for ``benchmarks/dedup_threshold.py`` and the dedup tests.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from exitwatch.ingest.dedup import minhash

_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")
OUTLETS = ("Reuters", "Associated Press", "Agence France-Presse", "The Independent", "Middle East Eye")
_FILLER = ("reportedly", "also", "still", "now", "officially", "recently")


def make_near_copy(text: str, rng: random.Random, *, max_trim: float = 0.25, edit_rate: float = 0.03) -> str:
    """A syndicated-style copy of ``text``: dateline of another outlet, ~``edit_rate`` of the
    words substituted/dropped/inserted, up to ``max_trim`` of the final sentences cut."""
    sentences = _SENTENCE_END.split(text.strip())
    keep = max(1, len(sentences) - int(len(sentences) * rng.uniform(0, max_trim)))
    words = " ".join(sentences[:keep]).split()
    edited = []
    for word in words:
        roll = rng.random()
        if roll < edit_rate / 3:
            continue  # dropped
        if roll < 2 * edit_rate / 3:
            edited.append(word.upper() if rng.random() < 0.5 else word[::-1])  # substituted
            continue
        edited.append(word)
        if roll < edit_rate:
            edited.append(rng.choice(_FILLER))  # inserted
    outlet = rng.choice(OUTLETS)
    return f"LONDON ({outlet}) - " + " ".join(edited) + f"\nReporting by {outlet} staff; editing by the desk."


@dataclass(frozen=True)
class ThresholdRow:
    """Precision and recall of one threshold: ``threshold``, ``precision``, ``recall``, ``tp``, ``fp``, ``fn``."""

    threshold: float
    precision: float
    recall: float
    tp: int
    fp: int
    fn: int


def pair_similarities(texts: Sequence[str], *, seed: int = 0, negatives_per_text: int = 2) -> tuple[list[float], list[float]]:
    """``(positives, negatives)``: estimated Jaccard of each text with its near copy, and of
    random pairs of different texts plus each text's most similar other text (a hard negative)."""
    rng = random.Random(seed)
    originals = [minhash(t) for t in texts]
    positives = [originals[i].jaccard(minhash(make_near_copy(t, rng))) for i, t in enumerate(texts)]
    negatives = []
    for i, m in enumerate(originals):
        others = [m.jaccard(o) for j, o in enumerate(originals) if j != i]
        negatives.append(max(others))
        negatives.extend(rng.sample(others, min(negatives_per_text, len(others))))
    return positives, negatives


def threshold_table(positives: Sequence[float], negatives: Sequence[float], thresholds: Sequence[float]) -> list[ThresholdRow]:
    rows = []
    for t in thresholds:
        tp = sum(p >= t for p in positives)
        fp = sum(n >= t for n in negatives)
        fn = len(positives) - tp
        rows.append(ThresholdRow(t, tp / (tp + fp) if tp + fp else 1.0, tp / len(positives) if positives else 0.0, tp, fp, fn))
    return rows
