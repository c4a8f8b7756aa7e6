"""``exitwatch eval coder``: gold loading (PLOVER GSR JSON and five-class TSV), scoring, CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.errors import InputError
from exitwatch.read.evaluate import evaluate_coder, load_gold, score
from exitwatch.records import Actor, Event

# Invented sentences in the PLOVER gold-standard record format.
GOLD = [
    {"text": "Ruritanian troops attacked Iran on Monday.", "event": "FIGHT",
     "source": [{"actorText": "Ruritanian troops", "code": "RUR"}], "target": [{"actorText": "Iran", "code": "IRN"}]},
    {"text": "Israel accused Iran of arming the rebels.", "event": "DISAPPROVE",
     "source": [{"actorText": "Israel", "code": "ISR"}], "target": [{"actorText": "Iran", "code": "IRN"}]},
    {"text": "The weather was mild in Oslo.", "event": "", "source": "", "target": ""},
]


@pytest.fixture()
def gold_json(tmp_path):
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(GOLD), encoding="utf-8")
    return path


def test_load_plover_maps_old_type_names_and_codes(gold_json):
    fmt, gold = load_gold(gold_json)
    assert fmt == "plover"
    assert [g.event_type for g in gold] == ["ASSAULT", "ACCUSE", "NONE"]
    assert gold[0].target_countries == ("IRN",) and gold[2].source_countries == ()


def test_score_counts_right_and_wrong(gold_json):
    _, gold = load_gold(gold_json)
    iran, israel = Actor("Iran", "IRN", "GOV"), Actor("Israel", "ISR", "GOV")
    readings = [
        [Event("d", 0, "ASSAULT", source=israel, target=iran, confidence=0.9)],  # type right, source wrong
        [Event("d", 0, "REJECT", source=israel, target=iran, confidence=0.4),
         Event("d", 0, "ACCUSE", source=israel, target=iran, confidence=0.3)],  # the gold type is chosen
        [],
    ]
    scores = score("plover", gold, readings)
    assert scores["event_accuracy"] == 1.0
    assert scores["source_country_accuracy"] == 0.5
    assert scores["target_country_accuracy"] == 1.0


def test_evaluate_reads_every_sentence(gold_json):
    result = evaluate_coder(gold_json, mode="lexical")
    summary = result.summary()
    assert summary["n"] == 3 and summary["mode"] == "lexical"
    assert 0.0 <= summary["event_accuracy"] <= 1.0 and summary["docs_per_second"] > 0
    assert summary["target_country_accuracy"] is not None


def test_pentaclass_tsv(tmp_path):
    path = tmp_path / "gold.tsv"
    path.write_text("Troops shelled the town overnight.\t4\nThe museum opened a new wing.\t0\n", encoding="utf-8")
    summary = evaluate_coder(path, mode="lexical").summary()
    assert summary["format"] == "pentaclass" and summary["n"] == 2
    assert summary["pentaclass_accuracy"] == 1.0


def test_bad_tsv_line_is_an_input_error(tmp_path):
    path = tmp_path / "gold.tsv"
    path.write_text("No label here\n", encoding="utf-8")
    with pytest.raises(InputError, match=":1"):
        load_gold(path)


def test_unknown_format_is_refused(tmp_path):
    path = tmp_path / "gold.xml"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="unknown gold format"):
        load_gold(path)


def test_cli_prints_one_json_object(gold_json):
    result = CliRunner().invoke(main, ["eval", "coder", "--gold", str(gold_json), "--mode", "lexical"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"n", "event_accuracy", "event_macro_f1", "source_country_accuracy", "target_country_accuracy",
            "docs_per_second"} <= set(data)


def test_dev_gold_sample(shared_data):
    """The shared PLOVER dev records (first 30 only: the full figure is in docs/read.md)."""
    summary = evaluate_coder(shared_data / "plover" / "plover_gsr_dev.json", mode="lexical", limit=30).summary()
    assert summary["n"] == 30
    assert summary["event_accuracy"] >= 0.4


def test_synthetic_stories_use_the_held_out_fold(tmp_path):
    import csv
    import gzip

    path = tmp_path / "stories.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "title", "prompt", "label", "mode"])
        writer.writeheader()
        for i in range(10):
            label, verb = ("ASSAULT", "shelled") if i % 2 else ("PROTEST", "protested in")
            writer.writerow({"text": f"Troops {verb} the town number {i}. More later.", "title": f"Template {i}",
                             "prompt": f"Headline {i}\n", "label": label, "mode": ""})
    fmt, gold = load_gold(path)
    assert fmt == "synthetic" and 0 < len(gold) < 10
    assert all(g.text.startswith("Troops") and g.event_type in ("ASSAULT", "PROTEST") for g in gold)
