"""BIO role tags: character spans <-> word-piece tags, CoNLL spans, span scores."""

from __future__ import annotations

import numpy as np

from exitwatch.read.tagging import (TAG_LABELS, RoleSpan, backup_targets, best_tags, best_tags_of_many, conll_spans,
                                    decode_spans, piece_tags, span_scores)

TEXT = "Ruritanian troops shelled Freedonia yesterday."
# Word-piece offsets as a WordPiece tokenizer gives them ("ruritanian" in two pieces), with the
# special tokens at (0, 0).
OFFSETS = [(0, 0), (0, 5), (5, 10), (11, 17), (18, 25), (26, 35), (36, 45), (45, 46), (0, 0)]


def test_spans_to_piece_tags_and_back():
    spans = [RoleSpan("S", 0, 17), RoleSpan("T", 26, 35)]
    tags = piece_tags(OFFSETS, spans)
    assert [TAG_LABELS[t] for t in tags] == ["O", "B-S", "I-S", "I-S", "O", "B-T", "O", "O", "O"]
    decoded = decode_spans(TEXT, OFFSETS, tags)
    assert [(s.role, s.start, s.end) for s in decoded] == [("S", 0, 17), ("T", 26, 35)]


def test_decoding_widens_to_whole_words_and_starts_spans_at_stray_i_tags():
    tags = [0, 0, 0, 0, 0, TAG_LABELS.index("I-T"), 0, 0, 0]
    assert [(s.role, s.start, s.end) for s in decode_spans(TEXT, OFFSETS, tags)] == [("T", 26, 35)]
    # a word's second piece tagged O stays inside the span its first piece began
    tags = [0, TAG_LABELS.index("B-S"), 0, TAG_LABELS.index("I-S"), 0, 0, 0, 0, 0]
    assert [(s.role, s.start, s.end) for s in decode_spans(TEXT, OFFSETS, tags, [1.0] * 9)] == [("S", 0, 17)]


def test_a_comma_quote_or_final_stop_stuck_to_the_last_word_stays_out_of_the_span():
    text = "Troops left Freedonia, said “Ruritania” officials in Syldavia."
    pieces = [(0, 6), (7, 11), (12, 21), (21, 22), (23, 27), (28, 29), (29, 38), (38, 39), (40, 49), (50, 52),
              (53, 61), (61, 62)]
    b_t, b_s = TAG_LABELS.index("B-T"), TAG_LABELS.index("B-S")
    tags = [0, 0, b_t, 0, 0, b_s, TAG_LABELS.index("I-S"), 0, 0, 0, b_t, 0]
    spans = decode_spans(text, [(0, 0), *pieces, (0, 0)], [0, *tags, 0])
    assert [text[s.start:s.end] for s in spans] == ["Freedonia", "“Ruritania", "Syldavia"]
    # a full stop inside the sentence may end an abbreviation: it stays
    text = "Troops of the U.S. left."
    pieces = [(0, 6), (7, 9), (10, 13), (14, 15), (15, 16), (16, 17), (17, 18), (19, 23), (23, 24)]
    tags = [0, 0, b_t, TAG_LABELS.index("I-T"), TAG_LABELS.index("I-T"), TAG_LABELS.index("I-T"), 0, 0, 0]
    assert [text[s.start:s.end] for s in decode_spans(text, [(0, 0), *pieces, (0, 0)], [0, *tags, 0])] == ["the U.S."]


def test_conll_spans_join_tokens_with_spaces():
    text, spans = conll_spans(["The", "army", "shelled", "Freedonia", "."], ["B-S", "I-S", "O", "B-T", "O"])
    assert text == "The army shelled Freedonia ."
    assert [(s.role, text[s.start:s.end]) for s in spans] == [("S", "The army"), ("T", "Freedonia")]


def test_span_scores_are_exact_match_f1():
    gold = [[RoleSpan("S", 0, 8), RoleSpan("T", 17, 26)], [RoleSpan("S", 0, 3), RoleSpan("R", 5, 9)]]
    predicted = [[RoleSpan("S", 0, 8), RoleSpan("T", 17, 20)], [RoleSpan("S", 0, 3)]]
    scores = span_scores(gold, predicted)
    assert scores["source_span_f1"] == 1.0 and scores["target_span_f1"] == 0.0
    assert scores["recipient_span_f1"] == 0.0 and scores["role_macro_f1"] == round(1 / 3, 4)
    assert scores["exact_span_match"] == 0.0
    only_st = span_scores(gold, predicted, roles=("S", "T"))
    assert only_st["role_macro_f1"] == 0.5 and only_st["exact_span_match"] == 0.5


def _probas(rows: list[dict[str, float]]) -> list[list[float]]:
    """Per-piece tag probabilities from {label: probability} rows (the rest shared evenly)."""
    table = []
    for row in rows:
        rest = (1.0 - sum(row.values())) / (len(TAG_LABELS) - len(row))
        table.append([row.get(label, rest) for label in TAG_LABELS])
    return table


def test_best_tags_keeps_a_span_whole_where_one_piece_leans_to_o():
    # "Freedonia yesterday." tagged as one target whose middle piece is unsure
    offsets = [(0, 0), (0, 9), (10, 19), (19, 20), (0, 0)]
    probas = _probas([{"O": 0.9}, {"B-T": 0.9}, {"O": 0.5, "I-T": 0.45}, {"I-T": 0.9}, {"O": 0.9}])
    argmax = [max(range(len(TAG_LABELS)), key=row.__getitem__) for row in probas]
    assert len(decode_spans("Freedonia yesterday.", offsets, argmax)) == 2  # broken in two
    tags = best_tags(offsets, probas)
    assert [TAG_LABELS[t] for t in tags] == ["O", "B-T", "I-T", "I-T", "O"]
    assert [(s.role, s.start, s.end) for s in decode_spans("Freedonia yesterday.", offsets, tags)] == [("T", 0, 20)]


def test_best_tags_never_starts_with_i_or_switches_role_inside_a_span():
    offsets = [(0, 5), (6, 10), (11, 15)]
    probas = _probas([{"I-S": 0.6, "B-S": 0.3}, {"I-T": 0.6, "I-S": 0.3}, {"O": 0.9}])
    assert [TAG_LABELS[t] for t in best_tags(offsets, probas)] == ["B-S", "I-S", "O"]
    assert best_tags([(0, 0), (0, 0)], [[1.0] + [0.0] * 6] * 2) == [0, 0]


def test_texts_decoded_together_get_the_tags_each_gets_alone():
    rng = np.random.default_rng(7)
    offsets, probas = [[(0, 0), (0, 0)], []], [np.full((2, 7), 1 / 7), np.zeros((0, 7))]
    for length in (1, 3, 9, 40, 9):  # texts of several lengths, two of the same
        pieces = [(0, 0)] + [(i, i + 1) for i in range(length)] + [(0, 0)]
        logits = rng.normal(scale=4.0, size=(len(pieces), len(TAG_LABELS)))
        offsets.append(pieces)
        probas.append(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True))
    together = best_tags_of_many(offsets, probas)
    assert together == [best_tags(o, p) for o, p in zip(offsets, probas)]
    assert together[:2] == [[0, 0], []]
    assert any(tag != 0 for tags in together for tag in tags)


def test_a_backup_target_is_the_t_span_the_head_ranks_first_under_a_prior():
    # "Ruritanian troops shelled Freedonia yesterday.": the source is sure, the target leans to O
    probas = _probas([{"O": 0.9}, {"B-S": 0.9}, {"I-S": 0.9}, {"I-S": 0.9}, {"O": 0.9},
                      {"O": 0.6, "B-T": 0.3}, {"O": 0.95, "B-T": 0.01}, {"O": 0.9}, {"O": 0.9}])
    assert [s.role for s in decode_spans(TEXT, OFFSETS, best_tags(OFFSETS, probas))] == ["S"]
    backup, = backup_targets([TEXT], [OFFSETS], [probas])
    assert [(s.role, TEXT[s.start:s.end]) for s in backup] == [("T", "Freedonia")]
    assert backup[0].confidence == 0.3  # the unbiased probability, not the prior's
    assert backup_targets([TEXT], [OFFSETS], [probas], bias=0.0) == [()]
    assert backup_targets([TEXT], [OFFSETS], [probas], bias=0.5) == [()]  # 0.3 x e^0.5 < 0.6
