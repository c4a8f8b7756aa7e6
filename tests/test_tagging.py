"""BIO role tags: character spans <-> word-piece tags, CoNLL spans, span scores."""

from __future__ import annotations

from exitwatch.read.tagging import TAG_LABELS, RoleSpan, conll_spans, decode_spans, piece_tags, span_scores

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
