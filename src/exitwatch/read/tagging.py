"""BIO role tags of the event's Source (S), Target (T) and second target/recipient (R): character
spans <-> word-piece tags, their best reading, and span scores. Shared by the training recipe, the
classifier and ``exitwatch eval coder`` so that all three read tags the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

ROLES = ("S", "T", "R")
#: The token head's labels, index = class number.
TAG_LABELS = ("O", "B-S", "I-S", "B-T", "I-T", "B-R", "I-R")


@dataclass(frozen=True)
class RoleSpan:
    """A tagged role: ``role`` (S, T or R), ``start``/``end`` character offsets in the sentence,
    ``confidence`` (mean probability of its pieces' tags; 1.0 for gold spans)."""

    role: str
    start: int
    end: int
    confidence: float = 1.0


def piece_tags(offsets: Sequence[tuple[int, int]], spans: Iterable[RoleSpan]) -> list[int]:
    """The tag index of each word piece (``offsets``: its character offsets; special tokens and
    padding have ``(0, 0)``): B for the first piece inside a span, I for the rest, O outside."""
    tags = [0] * len(offsets)
    for span in spans:
        first = True
        for i, (start, end) in enumerate(offsets):
            if end > start and start >= span.start and end <= span.end:
                tags[i] = TAG_LABELS.index(("B-" if first else "I-") + span.role)
                first = False
    return tags


def _transition_penalties():
    """``penalty[a, b]``: 0 where tag ``b`` may follow tag ``a`` (an I continues a B or I of its
    own role), minus infinity elsewhere; ``start``: the same for the first piece (no I)."""
    inside = [label.startswith("I-") for label in TAG_LABELS]
    allowed = np.array([[not inside[b] or TAG_LABELS[a][2:] == TAG_LABELS[b][2:] for b in range(len(TAG_LABELS))]
                        for a in range(len(TAG_LABELS))])
    return np.where(allowed, 0.0, -np.inf), np.where(inside, -np.inf, 0.0)


_PENALTY, _START = _transition_penalties()


def best_tags(offsets: Sequence[tuple[int, int]], probas) -> list[int]:
    """The most probable tag sequence of the word pieces (``probas``: each piece's probability per
    tag, one row per piece) in which every I follows a B or I of its own role (Viterbi over the
    real pieces; special tokens and padding get O). Per-piece argmax breaks a long span wherever
    one piece inside it leans to O or starts a stray I; exact-match span F1 counts such a span as
    wrong twice."""
    return best_tags_of_many([offsets], [probas])[0]


def best_tags_of_many(offsets: Sequence[Sequence[tuple[int, int]]], probas: Sequence) -> list[list[int]]:
    """``best_tags`` of several texts (their pieces' ``offsets`` and ``probas``), the Viterbi step
    of every text in one numpy call: a call costs about as much for one text as for thousands,
    and the scores are the same sums, so the tags are the ones each text gets alone."""
    reals = [[i for i, (start, end) in enumerate(pieces) if end > start] for pieces in offsets]
    tags = [[0] * len(pieces) for pieces in offsets]
    order = sorted((k for k in range(len(reals)) if reals[k]), key=lambda k: -len(reals[k]))
    if not order:
        return tags
    lengths = np.array([len(reals[k]) for k in order])
    table = np.zeros((len(order), lengths[0], len(TAG_LABELS)))
    for row, k in enumerate(order):
        table[row, :lengths[row]] = np.log(np.maximum(np.asarray(probas[k], dtype=np.float64)[reals[k]], 1e-12))
    score = table[:, 0] + _START
    back = []
    for step in range(1, lengths[0]):
        active = int(np.count_nonzero(lengths > step))  # the texts still going on: the first ones
        candidates = score[:active, :, None] + _PENALTY  # text x previous tag x next tag
        previous = candidates.argmax(axis=1)
        score[:active] = np.take_along_axis(candidates, previous[:, None, :], axis=1)[:, 0] + table[:active, step]
        back.append(previous)
    for row, k in enumerate(order):
        best = int(score[row].argmax())
        path = [best]
        for previous in reversed(back[:lengths[row] - 1]):
            best = int(previous[row, best])
            path.append(best)
        for i, tag in zip(reals[k], reversed(path)):
            tags[k][i] = tag
    return tags


#: Log-probability added to the T tags when a sentence's best reading tags neither a target nor a
#: recipient: the token head reads it again with this prior towards a target (``backup_targets``).
#: Chosen on the seed-13 held-out folds among 2, 3, 4 and 6 (PLV target text and GSR target
#: country; docs/read.md, "Backup targets").
BACKUP_TARGET_BIAS = 3.0
_TARGET_TAGS = [TAG_LABELS.index("B-T"), TAG_LABELS.index("I-T")]


def backup_targets(texts: Sequence[str], offsets: Sequence[Sequence[tuple[int, int]]], probas: Sequence,
                   *, bias: float = BACKUP_TARGET_BIAS) -> list[tuple[RoleSpan, ...]]:
    """The T spans of each text's best reading (``best_tags_of_many``) with ``bias`` added to the
    T tags' log probabilities (``probas``: each piece's probability per tag), confidences from the
    unbiased probabilities. An event's target when its best reading tags none: a sentence that
    carries an event almost always has someone it is done to, and the head ranks its candidates
    better than the position rules do."""
    boost = np.ones(len(TAG_LABELS))
    boost[_TARGET_TAGS] = np.exp(bias)
    found = best_tags_of_many(offsets, [np.asarray(p) * boost for p in probas])
    return [tuple(s for s in decode_spans(text, pieces, tags, np.asarray(proba)[np.arange(len(tags)), tags])
                  if s.role == "T")
            for text, pieces, proba, tags in zip(texts, offsets, probas, found)]


def _word_end(text: str, end: int) -> int:
    while end < len(text) and text[end].isalnum():
        end += 1
    return end


#: Marks that stick to a word without being part of the actor's name ("Syria," "this,”"): an
#: untagged piece of these does not widen a span over itself.
_TRAILING_MARKS = frozenset(",;:!?\"“”‘’'«»")


def _trailing_mark(text: str, start: int, end: int) -> bool:
    piece = text[start:end]
    return all(c in _TRAILING_MARKS for c in piece) or (piece == "." and not text[end:].strip())


def decode_spans(text: str, offsets: Sequence[tuple[int, int]], tags: Sequence[int],
                 probas: Sequence[float] | None = None) -> list[RoleSpan]:
    """Role spans from word-piece tags: a run of one role's B/I pieces (an I without a B starts
    one), widened to whole words, but not over an untagged comma, quotation mark or the
    sentence's final full stop stuck to the last word."""
    spans: list[RoleSpan] = []
    role, start, end, scores = None, 0, 0, []

    def close():
        if role is not None:
            spans.append(RoleSpan(role, start, _word_end(text, end), round(float(sum(scores) / len(scores)), 4)))

    for i, ((piece_start, piece_end), tag) in enumerate(zip(offsets, tags)):
        if piece_end <= piece_start:
            continue
        label = TAG_LABELS[int(tag)]
        continues_word = i > 0 and offsets[i - 1][1] == piece_start and role is not None
        if label == "O" and not continues_word:
            close()
            role = None
            continue
        if label == "O" and _trailing_mark(text, piece_start, piece_end):
            continue
        if label == "O" or (label[2:] == role and (label[0] == "I" or continues_word)):
            end = piece_end  # inside the current span (a word's later pieces follow its first)
            scores.append(probas[i] if probas is not None else 1.0)
            continue
        close()
        role, start, end, scores = label[2:], piece_start, piece_end, [probas[i] if probas is not None else 1.0]
    close()
    return spans


def conll_spans(tokens: Sequence[str], tags: Sequence[str]) -> tuple[str, list[RoleSpan]]:
    """The sentence text (tokens joined by spaces) and its gold role spans from CoNLL BIO tags."""
    text, spans, starts = "", [], []
    for token in tokens:
        starts.append(len(text) + (1 if text else 0))
        text = f"{text} {token}" if text else token
    role, start, end = None, 0, 0
    for token, tag, token_start in zip(tokens, tags, starts):
        kind, _, name = tag.partition("-")
        if kind == "I" and name == role:
            end = token_start + len(token)
            continue
        if role is not None:
            spans.append(RoleSpan(role, start, end))
        role, start, end = (name, token_start, token_start + len(token)) if kind in ("B", "I") else (None, 0, 0)
    if role is not None:
        spans.append(RoleSpan(role, start, end))
    return text, spans


def span_scores(gold: Sequence[Sequence[RoleSpan]], predicted: Sequence[Sequence[RoleSpan]], *,
                roles: Sequence[str] = ROLES) -> dict[str, float]:
    """Exact-match span F1 per role of ``roles`` (``source_span_f1``, ``target_span_f1``,
    ``recipient_span_f1``), their macro mean over the roles present in the gold
    (``role_macro_f1``) and the share of sentences whose predicted spans of those roles equal the
    gold ones (``exact_span_match``)."""
    names = {"S": "source_span_f1", "T": "target_span_f1", "R": "recipient_span_f1"}
    scores: dict[str, float] = {}
    present = []
    for role in roles:
        hits = n_gold = n_pred = 0
        for gold_spans, pred_spans in zip(gold, predicted):
            g = {(s.start, s.end) for s in gold_spans if s.role == role}
            p = {(s.start, s.end) for s in pred_spans if s.role == role}
            hits, n_gold, n_pred = hits + len(g & p), n_gold + len(g), n_pred + len(p)
        f1 = 2 * hits / (n_gold + n_pred) if n_gold + n_pred else 0.0
        scores[names[role]] = round(f1, 4)
        if n_gold:
            present.append(f1)
    scores["role_macro_f1"] = round(sum(present) / len(present), 4) if present else 0.0
    def chosen(spans):
        return {(s.role, s.start, s.end) for s in spans if s.role in roles}

    exact = [chosen(g) == chosen(p) for g, p in zip(gold, predicted)]
    scores["exact_span_match"] = round(sum(exact) / len(exact), 4) if exact else 0.0
    return scores
