"""``exitwatch eval ...``: evaluation commands for the reader's models (one subcommand each)."""

from __future__ import annotations

from dataclasses import asdict

import click

from exitwatch.cli.common import echo_json
from exitwatch.read import DEFAULT_MODE, MODES
from exitwatch.read.classifier_eval import evaluate_classifier
from exitwatch.read.evaluate import evaluate_coder


@click.group("eval")
def eval_group() -> None:
    """Evaluate the reader's coders and models against gold data; each prints one JSON object.

    \b
    Example:
      exitwatch eval coder --gold ../shared/data/plover/plover_gsr_dev.json --mode lexical
    """


@eval_group.command("coder")
@click.option("--gold", "gold_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Gold file: PLOVER GSR JSON (.json), PLV CSV text,label,source,target (.csv), five-class "
                   "'sentence<TAB>class' lines (.tsv), or CoNLL 'token label' lines (.txt/.conll).")
@click.option("--format", "gold_format", default=None, metavar="FORMAT",
              help="Read the gold file as plover, plv, pentaclass, conll or synthetic (the NGEC synthetic stories' "
                   "held-out fold; only with this flag). Default: by the file name.")
@click.option("--mode", type=click.Choice(MODES), default=DEFAULT_MODE, show_default=True,
              help="Reading mode: lexical triggers, the multi-task model, its three-layer student (fast), or "
                   "model when available.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N gold records.")
@click.option("--predictions", "predictions", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write what was predicted for each gold record (CoNLL: token<TAB>gold<TAB>predicted; "
                   "others: one JSON line per record with its events and pentaclass).")
@click.option("--model-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder with model.onnx, tokenizer.json, metadata.json. Default: the packaged model.")
def coder(gold_path: str, gold_format: str | None, mode: str, limit: int | None, predictions: str | None,
          model_dir: str | None) -> None:
    """Score the event coder on gold sentences, the single most confident event of each: event
    type and source/target country (PLOVER JSON) or actor text (PLV CSV), five-class accuracy
    (TSV), source/target span F1 (CoNLL), and sentences read per second.

    \b
    Example:
      exitwatch eval coder --gold ../shared/data/plover/plover_gsr_dev.json
      exitwatch eval coder --gold ../shared/data/conflibert/cameo_ner_train.txt --predictions ner.tsv
      exitwatch eval coder --gold ../shared/data/ngec/synthetic_events_2023-10-19.csv.gz --format synthetic
    """
    echo_json(evaluate_coder(gold_path, mode=mode, limit=limit, gold_format=gold_format, model_dir=model_dir,
                             predictions=predictions).summary())


@eval_group.command("classifier")
@click.option("--data", "data", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Five-class 'sentence<TAB>class' file. Default: the shared ConfliBERT train file, scored on the "
                   "20% the model held out; any other file is scored whole.")
@click.option("--synthetic", type=click.Path(exists=True, dir_okay=False), default=None,
              help="NGEC synthetic stories (CSV or .csv.gz) for PLOVER-type accuracy on held-out templates. "
                   "Default: the shared file when present.")
@click.option("--model-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder with model.onnx, tokenizer.json, metadata.json. Default: the packaged model.")
def classifier(data: str | None, synthetic: str | None, model_dir: str | None) -> None:
    """Score the sentence event classifier: five-class accuracy and macro-F1 against a TF-IDF +
    logistic regression baseline on the same split, sentences per second (ONNX, CPU), and PLOVER
    event-type accuracy on held-out synthetic stories.

    \b
    Example:
      exitwatch eval classifier
      exitwatch eval classifier --data ../shared/data/conflibert/cameo_pentaclass_train.tsv
    """

    echo_json(asdict(evaluate_classifier(data=data, synthetic=synthetic, model_dir=model_dir)))
