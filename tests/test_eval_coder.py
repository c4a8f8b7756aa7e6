"""``exitwatch eval coder``: gold formats (PLOVER GSR JSON, PLV CSV, five-class TSV, CoNLL,
synthetic stories only on request), scoring of the single most confident event, predictions
files, one-line errors."""

from __future__ import annotations

import csv
import gzip
import json

import pytest
from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.errors import DataFileError, InputError
from exitwatch.read.evaluate import evaluate_coder, load_gold, score, text_found, top_event
from exitwatch.records import Actor, Document, Event, Reading, Sentence, TaggedRole

# Invented sentences in the PLOVER gold-standard record format.
GOLD = [
    {"text": "Ruritanian troops attacked Iran on Monday.", "event": "FIGHT",
     "source": [{"actorText": "Ruritanian troops", "code": "RUR"}], "target": [{"actorText": "Iran", "code": "IRN"}]},
    {"text": "Israel accused Iran of arming the rebels.", "event": "DISAPPROVE",
     "source": [{"actorText": "Israel", "code": "ISR"}], "target": [{"actorText": "Iran", "code": "IRN"}]},
    {"text": "The weather was mild in Oslo.", "event": "", "source": "", "target": ""},
]
# Invented sentences in the PLV format (text,label,source,target).
PLV_ROWS = [
    ("Russian forces withdrew from the border town of Ruritania on Sunday.", "YIELD", "Russian forces", "Ruritania"),
    ("Police in Ruritania arrested dozens of opposition activists.", "COERCE", "Police in Ruritania",
     "opposition activists"),
    ("The Ruritanian president met the French foreign minister in Paris.", "CONSULT", "The Ruritanian president",
     "the French foreign minister"),
]
# Invented CoNLL sentences (token label), source S, target T.
CONLL = """Ruritanian B-S
troops I-S
shelled O
the B-T
border I-T
village I-T
. O

The B-S
ministry I-S
condemned O
Iran B-T
. O
"""


def _reading(*events: Event, pentaclass: int | None = None) -> Reading:
    return Reading(document=Document(id="d", body="x"), sentences=(Sentence("d", 0, 0, 1, "x", pentaclass),),
                   events=events)


@pytest.fixture()
def gold_json(tmp_path):
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(GOLD), encoding="utf-8")
    return path


@pytest.fixture()
def gold_csv(tmp_path):
    path = tmp_path / "gold.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "source", "target"])
        writer.writerows(PLV_ROWS)
    return path


@pytest.fixture()
def gold_conll(tmp_path):
    path = tmp_path / "gold.conll"
    path.write_text(CONLL, encoding="utf-8")
    return path


def test_load_plover_maps_old_type_names_and_codes(gold_json):
    fmt, gold = load_gold(gold_json)
    assert fmt == "plover"
    assert [g.event_type for g in gold] == ["ASSAULT", "ACCUSE", "NONE"]
    assert gold[0].target_countries == ("IRN",) and gold[2].source_countries == ()


def test_only_the_most_confident_event_is_scored(gold_json):
    _, gold = load_gold(gold_json)
    iran, israel = Actor("Iran", "IRN", "GOV"), Actor("Israel", "ISR", "GOV")
    readings = [
        _reading(Event("d", 0, "ASSAULT", source=israel, target=iran, confidence=0.9)),  # type right, source wrong
        _reading(Event("d", 0, "REJECT", source=israel, target=iran, confidence=0.4),
                 Event("d", 0, "ACCUSE", source=israel, target=iran, confidence=0.3)),  # right one is not the top
        _reading(),
    ]
    scores = score("plover", gold, readings)
    assert scores["event_accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert scores["source_country_accuracy"] == 0.5
    assert scores["target_country_accuracy"] == 1.0
    assert top_event(readings[1].events).event_type == "REJECT"


def test_plv_yield_accepts_concede_or_retreat_and_actor_text_overlap(gold_csv):
    fmt, gold = load_gold(gold_csv)
    assert fmt == "plv" and [g.event_type for g in gold] == ["YIELD", "COERCE", "CONSULT"]
    readings = [
        _reading(Event("d", 0, "RETREAT", source=Actor("Russian forces", "RUS"), target=Actor("town"), confidence=0.8)),
        _reading(Event("d", 0, "ASSAULT", source=Actor("Police", "RUR"), target=None, confidence=0.6)),
        _reading(Event("d", 0, "CONSULT", source=Actor("Ruritanian president"),
                       target=Actor("the French foreign minister", "FRA"), confidence=0.7)),
    ]
    scores = score("plv", gold, readings)
    assert scores["event_accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert scores["source_text_accuracy"] == pytest.approx(2 / 3, abs=1e-3)  # "Police" is 1 of 3 words
    assert scores["target_text_accuracy"] == pytest.approx(1 / 3, abs=1e-3)
    assert text_found("The Ruritanian president", "Ruritanian president")
    assert not text_found("opposition activists", None)


def test_conll_spans_are_scored_from_the_top_event_without_the_model(gold_conll):
    fmt, gold = load_gold(gold_conll)
    assert fmt == "conll" and gold[0].text.startswith("Ruritanian troops shelled")
    readings = [
        _reading(Event("d", 0, "ASSAULT", source=Actor("Ruritanian troops"), target=Actor("border village"),
                       confidence=0.9)),  # target widened to tokens, but "the" is missing: wrong span
        _reading(Event("d", 0, "ACCUSE", source=Actor("The ministry"), target=Actor("Iran", "IRN"), confidence=0.9)),
    ]
    scores = score("conll", gold, readings)
    assert scores["source_span_f1"] == 1.0
    assert scores["target_span_f1"] == 0.5
    assert scores["role_macro_f1"] == 0.75
    assert scores["exact_span_match"] == 0.5


def test_evaluate_reads_every_sentence(gold_json):
    summary = evaluate_coder(gold_json, mode="lexical").summary()
    assert summary["n"] == 3 and summary["mode"] == "lexical"
    assert 0.0 <= summary["event_accuracy"] <= 1.0 and summary["docs_per_second"] > 0
    assert summary["target_country_accuracy"] is not None


def test_pentaclass_tsv(tmp_path):
    path = tmp_path / "gold.tsv"
    path.write_text("Troops shelled the town overnight.\t4\nThe museum opened a new wing.\t0\n", encoding="utf-8")
    summary = evaluate_coder(path, mode="lexical").summary()
    assert summary["format"] == "pentaclass" and summary["n"] == 2
    assert summary["pentaclass_accuracy"] == 1.0


def test_pentaclass_comes_from_the_sentence_label_when_the_model_gave_one():
    from exitwatch.read.evaluate import GoldSentence

    gold = [GoldSentence(text="x", pentaclass=3)]
    lexical = score("pentaclass", gold, [_reading(Event("d", 0, "ASSAULT", confidence=0.9))])
    model = score("pentaclass", gold, [_reading(Event("d", 0, "ASSAULT", confidence=0.9), pentaclass=3)])
    assert lexical["pentaclass_accuracy"] == 0.0 and model["pentaclass_accuracy"] == 1.0


def test_the_share_of_events_the_lexicon_coded_in_model_mode_is_reported():
    from exitwatch.read.classify import MODEL_CODER
    from exitwatch.read.evaluate import GoldSentence

    gold = [GoldSentence(text="x", pentaclass=3)] * 2
    model, lexicon = Event("d", 0, "ASSAULT", confidence=0.9, coder=MODEL_CODER), Event("d", 0, "RETREAT", confidence=0.5)
    scores = score("pentaclass", gold, [_reading(model, pentaclass=3), _reading(lexicon, pentaclass=0)])
    assert scores["lexicon_event_rate"] == 0.5
    assert score("pentaclass", gold, [_reading(lexicon), _reading(lexicon)])["lexicon_event_rate"] is None  # lexical


def test_conll_spans_are_the_tagged_roles_with_the_model_event_or_not(gold_conll):
    _, gold = load_gold(gold_conll)
    first = gold[0].text  # "Ruritanian troops shelled the border village ."

    def role(name: str, text: str, start: int = 0) -> TaggedRole:
        at = first.index(text, start)
        return TaggedRole(name, at, at + len(text), Actor(text), 0.9)

    tagged = (role("source", "Ruritanian troops"), role("target", "border village"),  # widened, still no "the"
              role("recipient", "the border"))  # recipients are not scored
    no_event = Reading(Document("d", first), sentences=(Sentence("d", 0, 0, len(first), first, 0, tagged),))
    untagged = Reading(Document("d", gold[1].text), sentences=(Sentence("d", 0, 0, 6, gold[1].text, 3),),
                       events=(Event("d", 0, "ACCUSE", source=Actor("The ministry"), confidence=0.9),))
    scores = score("conll", gold, [no_event, untagged])
    assert scores["source_span_f1"] == pytest.approx(2 / 3, abs=1e-3)  # 1 of 1 predicted, 1 of 2 gold
    assert scores["target_span_f1"] == 0.0
    assert scores["exact_span_match"] == 0.0


def test_predictions_file_per_format(gold_csv, gold_conll, tmp_path):
    out = tmp_path / "plv.jsonl"
    evaluate_coder(gold_csv, mode="lexical", predictions=out)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(PLV_ROWS) and lines[0]["text"] == PLV_ROWS[0][0]
    assert all({"events", "pentaclass"} <= set(line) for line in lines)
    coded = [e for line in lines for e in line["events"]]
    assert coded and {"event_type", "confidence", "source", "target"} <= set(coded[0])
    out = tmp_path / "ner.tsv"
    evaluate_coder(gold_conll, mode="lexical", predictions=out)
    rows = out.read_text(encoding="utf-8").split("\n")
    assert rows[0].split("\t")[:2] == ["Ruritanian", "B-S"] and len(rows[0].split("\t")) == 3
    assert rows.count("") >= 2  # a blank line after each sentence


def test_bad_tsv_line_is_an_input_error(tmp_path):
    path = tmp_path / "gold.tsv"
    path.write_text("No label here\n", encoding="utf-8")
    with pytest.raises(InputError, match=":1"):
        load_gold(path)


def test_conll_line_without_a_label_is_refused(tmp_path):
    path = tmp_path / "gold.txt"
    path.write_text("Troops B-S\nshelled\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=":2"):
        load_gold(path)


def test_csv_without_text_or_label_is_refused(tmp_path):
    path = tmp_path / "gold.csv"
    path.write_text("sentence,source\nTroops shelled it.,Troops\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="missing columns"):
        load_gold(path)


def test_unknown_format_is_refused(tmp_path):
    path = tmp_path / "gold.xml"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="unknown gold format"):
        load_gold(path)
    with pytest.raises(InputError, match="unknown gold format 'yaml'"):
        load_gold(path, "yaml")


@pytest.mark.parametrize("name, content, extra", [
    ("gold.xml", "x", []),
    ("gold.txt", "Troops B-S\nshelled\n", []),
    ("gold.csv", "sentence\nTroops shelled it.\n", []),
    ("gold.json", "[]", ["--format", "yaml"]),
])
def test_cli_errors_are_one_line(tmp_path, name, content, extra):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "coder", "--gold", str(path), "--mode", "lexical", *extra])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_cli_prints_one_json_object(gold_json):
    result = CliRunner().invoke(main, ["eval", "coder", "--gold", str(gold_json), "--mode", "lexical"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"n", "event_accuracy", "event_macro_f1", "source_country_accuracy", "target_country_accuracy",
            "actor_fallback_rate", "docs_per_second"} <= set(data)


def test_dev_gold_sample(shared_data):
    """The shared PLOVER dev records (first 30 only: the full figure is in docs/read.md)."""
    summary = evaluate_coder(shared_data / "plover" / "plover_gsr_dev.json", mode="lexical", limit=30).summary()
    assert summary["n"] == 30
    assert summary["event_accuracy"] >= 0.4


def test_shared_plv_and_conll_samples(shared_data):
    plv = evaluate_coder(shared_data / "plover" / "plv_train.csv", mode="lexical", limit=20).summary()
    assert plv["format"] == "plv" and plv["n"] == 20 and plv["source_text_accuracy"] is not None
    ner = evaluate_coder(shared_data / "conflibert" / "cameo_ner_train.txt", mode="lexical", limit=20).summary()
    assert ner["format"] == "conll" and ner["n"] == 20 and 0.0 <= ner["role_macro_f1"] <= 1.0


def test_synthetic_stories_only_on_request(tmp_path):
    path = tmp_path / "stories.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "title", "prompt", "label", "mode"])
        writer.writeheader()
        for i in range(10):
            label, verb = ("ASSAULT", "shelled") if i % 2 else ("PROTEST", "protested in")
            writer.writerow({"text": f"Troops {verb} the town number {i}. More later.", "title": f"Template {i}",
                             "prompt": f"Headline {i}\n", "label": label, "mode": ""})
    with pytest.raises(InputError, match="--format synthetic"):
        load_gold(path)
    fmt, gold = load_gold(path, "synthetic")
    assert fmt == "synthetic" and 0 < len(gold) < 10
    assert all(g.text.startswith("Troops") and g.event_type in ("ASSAULT", "PROTEST") for g in gold)
