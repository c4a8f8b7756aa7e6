"""The statistical sentence event classifier, served on the CPU with ONNX Runtime (no torch).

A fine-tuned all-MiniLM-L6-v2 with three heads on one encoder pass, quantised to int8: the
PLOVER event type of a sentence (or "no event"), its five-class quad class (0 neutral, 1 verbal
cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict) and BIO tags of the
event's Source, Target and R (second target) on its word pieces (read as the most probable
tag sequence in which every I continues its role's B: ``tagging.best_tags``). Event and quad probabilities are
temperature-scaled (temperatures fitted on held-out folds, in the metadata). The model, its tokenizer and its
metadata (labels, training data hashes, held-out scores) ship in ``models/event_classifier/``;
``recipes/event_classifier/train.py`` rebuilds them from the shared data, and
``exitwatch eval classifier`` scores them.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from exitwatch.errors import ModelError
from exitwatch.read.tagging import RoleSpan, backup_targets, best_tags_of_many, decode_spans

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "event_classifier"
#: The packaged three-layer student of the default model (read mode "fast").
FAST_MODEL_DIR = DEFAULT_MODEL_DIR.parent / "event_classifier_fast"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
METADATA_FILE = "metadata.json"
#: Sentences per encoder run. One: the int8 model quantizes its activations with one scale per
#: run (dynamic quantization), so a sentence read with others got other answers (7% of the
#: Guardian sentences changed event type between runs of 16 and of 64), and on the CPU batches
#: were no faster (padding ate what they saved; benchmarks/read_throughput.py).
SENTENCES_PER_RUN = 1


@dataclass(frozen=True)
class SentencePrediction:
    """The model's reading of one sentence (all heads from one encoder pass).

    Fields: ``event_type`` (the head's label, or None for "no event"; ``YIELD`` stands for
    CONCEDE or RETREAT), ``event_proba`` (its calibrated probability, "no event" included),
    ``event_ranking`` (every event type with its calibrated probability, best first, "no event"
    left out), ``quad_class`` (0-4), ``quad_label`` (its name), ``quad_proba``, ``spans`` (the
    token head's Source/Target/R spans, character offsets in the text), ``backup_targets`` (when
    ``spans`` hold no T or R: the head's T spans read with a prior towards a target,
    ``tagging.backup_targets``; empty otherwise).
    """

    event_type: str | None
    event_proba: float
    quad_class: int
    quad_label: str
    quad_proba: float
    event_ranking: tuple[tuple[str, float], ...] = ()
    spans: tuple[RoleSpan, ...] = ()
    backup_targets: tuple[RoleSpan, ...] = ()


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


class SentenceClassifier:
    """ONNX Runtime session + fast tokenizer + labels. Build it with ``SentenceClassifier.load()``."""

    def __init__(self, session, tokenizer, metadata: dict):
        self.session = session
        self.tokenizer = tokenizer
        self.metadata = metadata
        self.event_labels: tuple[str, ...] = tuple(metadata["event_labels"])
        self.quad_labels: tuple[str, ...] = tuple(metadata["quad_labels"])
        self.no_event: str = metadata["no_event_label"]
        self.max_length: int = int(metadata["max_length"])
        self.temperature: dict[str, float] = {"event": 1.0, "quad": 1.0, **metadata.get("temperature", {})}
        #: In how many of the event head's training sentences each lexicon trigger is found
        #: (``lexicon.trigger_support``); None for a model trained before this was recorded.
        self.trigger_support: dict[str, int] | None = metadata.get("trigger_support")
        self.outputs = [o.name for o in session.get_outputs()]

    @classmethod
    def load(cls, model_dir: str | Path | None = None, *, threads: int | None = None) -> "SentenceClassifier":
        """Load the model in ``model_dir`` (default: the packaged one). ``threads``: ONNX Runtime
        intra-op threads (default: ``$OMP_NUM_THREADS`` when set, as Dask sets it to 1 in each
        single-thread worker so that workers do not fight over cores, else ONNX Runtime's own
        choice). Raises ModelError when a file is missing or unreadable."""
        import onnxruntime
        from tokenizers import Tokenizer

        folder = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        missing = [name for name in (MODEL_FILE, TOKENIZER_FILE, METADATA_FILE) if not (folder / name).is_file()]
        if missing:
            raise ModelError(f"event classifier in {folder} is missing {', '.join(missing)}; rebuild it with "
                             "`python recipes/event_classifier/train.py --data ../shared/data` or pass the "
                             "folder that holds model.onnx, tokenizer.json and metadata.json")
        try:
            metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
            tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.inter_op_num_threads = 1
            # Idle threads sleep instead of spinning: spinning burnt as much CPU again as the
            # model itself on a shared machine (measured with two intra-op threads).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            # Memory patterns are planned per input shape, and sentences come in many lengths:
            # without them a run took 3% less CPU (same outputs).
            options.enable_mem_pattern = False
            threads = threads or int(os.environ.get("OMP_NUM_THREADS") or 0)
            if threads:
                options.intra_op_num_threads = threads
            session = onnxruntime.InferenceSession(str(folder / MODEL_FILE), sess_options=options,
                                                   providers=["CPUExecutionProvider"])
            classifier = cls(session, tokenizer, metadata)
        except Exception as e:  # noqa: BLE001 - JSON, tokenizer and onnxruntime each raise their own types
            raise ModelError(f"cannot load the event classifier from {folder}: {e}") from e
        classifier.tokenizer.enable_truncation(max_length=classifier.max_length)
        classifier.tokenizer.no_padding()  # runs are padded by _outputs, texts are tokenised all at once
        return classifier

    def predict(self, texts: list[str], *, batch_size: int = SENTENCES_PER_RUN) -> list[SentencePrediction]:
        """One prediction per text, in order (``batch_size`` texts per run, of similar length). A text
        given twice is read once."""
        unique = list(dict.fromkeys(texts))
        event, quad, tags, encodings = self._outputs(unique, batch_size)
        found = dict(zip(unique, self._predictions(unique, event, quad, tags, encodings)))
        return [found[text] for text in texts]

    def logits(self, texts: list[str], *, batch_size: int = SENTENCES_PER_RUN) -> dict[str, np.ndarray]:
        """Raw (uncalibrated) ``event`` and ``quad`` logits of ``texts``, in order (calibration),
        and ``tags``: each text's word pieces' tag logits (distillation; empty without a token head)."""
        event, quad, tags, _ = self._outputs(texts, batch_size)
        return {"event": event, "quad": quad, "tags": tags or []}

    def _outputs(self, texts: list[str], batch_size: int):
        """The heads' logits of ``texts`` in order: event and quad logits (one row per text), the
        tag logits of each text's word pieces (None without a token head) and the encodings. The
        texts are tokenised in one call and run ``batch_size`` at a time, shortest first."""
        encodings = self.tokenizer.encode_batch([t or " " for t in texts])
        pieces = [encoding.ids for encoding in encodings]  # each ``.ids`` makes a new list
        event = np.zeros((len(texts), len(self.event_labels)), dtype=np.float32)
        quad = np.zeros((len(texts), len(self.quad_labels)), dtype=np.float32)
        tags: list[np.ndarray] | None = [np.zeros(0)] * len(texts) if len(self.outputs) > 2 else None
        order = sorted(range(len(texts)), key=lambda i: len(pieces[i]))
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            width = max(len(pieces[i]) for i in chosen)
            ids = np.zeros((len(chosen), width), dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=np.int64)
            for row, i in enumerate(chosen):
                ids[row, :len(pieces[i])] = pieces[i]
                mask[row, :len(pieces[i])] = 1
            outputs = self.session.run(self.outputs, {"input_ids": ids, "attention_mask": mask})
            event[chosen], quad[chosen] = outputs[0], outputs[1]
            if tags is not None:
                for row, i in enumerate(chosen):
                    tags[i] = outputs[2][row, :len(pieces[i])]
        return event, quad, tags, encodings

    def _predictions(self, texts, event_logits, quad_logits, tag_logits, encodings) -> list[SentencePrediction]:
        event_proba = _softmax(event_logits / self.temperature["event"])
        quad_proba = _softmax(quad_logits / self.temperature["quad"])
        best_events, best_quads = event_proba.argmax(axis=1), quad_proba.argmax(axis=1)
        rankings = np.argsort(-event_proba, axis=1, kind="stable")
        no_event = self.event_labels.index(self.no_event)
        spans, backups = self._spans(texts, tag_logits, encodings) if tag_logits is not None else \
            ([()] * len(texts), [()] * len(texts))
        predictions = []
        for i, (events, quads) in enumerate(zip(event_proba.tolist(), quad_proba.tolist())):
            best_event, best_quad = int(best_events[i]), int(best_quads[i])
            label = self.event_labels[best_event]
            ranking = tuple((self.event_labels[j], round(events[j], 4)) for j in rankings[i].tolist() if j != no_event)
            predictions.append(SentencePrediction(
                event_type=None if label == self.no_event else label, event_proba=events[best_event],
                quad_class=best_quad, quad_label=self.quad_labels[best_quad], quad_proba=quads[best_quad],
                event_ranking=ranking, spans=spans[i], backup_targets=backups[i],
            ))
        return predictions

    @staticmethod
    def _spans(texts, tag_logits, encodings) -> tuple[list[tuple[RoleSpan, ...]], list[tuple[RoleSpan, ...]]]:
        """Each text's role spans from its word pieces' tag logits (the tag sequences of all the
        texts found together: ``tagging.best_tags_of_many``), and its backup targets where those
        spans name no target or recipient (``tagging.backup_targets``)."""
        offsets = [encoding.offsets for encoding in encodings]
        probas = [_softmax(logits) for logits in tag_logits]
        spans = []
        for text, pieces, proba, tags in zip(texts, offsets, probas, best_tags_of_many(offsets, probas)):
            spans.append(tuple(decode_spans(text, pieces, tags, proba[np.arange(len(tags)), tags])))
        untargeted = [i for i, found in enumerate(spans) if not any(s.role in ("T", "R") for s in found)]
        backups: list[tuple[RoleSpan, ...]] = [()] * len(texts)
        for i, found in zip(untargeted, backup_targets([texts[i] for i in untargeted], [offsets[i] for i in untargeted],
                                                       [probas[i] for i in untargeted])):
            backups[i] = found
        return spans, backups
