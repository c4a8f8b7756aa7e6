"""How often a student model reads real news as its teacher does, on articles it never saw.

Usage: .venv/bin/python benchmarks/student_agreement.py --student DIR [--teacher DIR] [--seed 13]
           [--csv ../shared/data/news/guardian_2019_sample.csv]

The sentences are those that model mode gives the encoder (``reader.model_sentences``) in the
agreement half of the articles (``recipes/event_classifier/train.py``'s ``news_halves``: a
student trained with ``--transfer-news`` and the same seed learnt from the other half only). Prints
JSON: the share of sentences with the same event type ("no event" included), the same five-class
label, and the student's role spans scored against the teacher's (span F1 per role, exact
match on character offsets). Defaults: the packaged fast model against the packaged model.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from exitwatch.read.classifier import DEFAULT_MODEL_DIR, FAST_MODEL_DIR, SentenceClassifier
from exitwatch.read.reader import model_sentences

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = ROOT.parent / "shared" / "data" / "news" / "guardian_2019_sample.csv"


def _recipe():
    spec = importlib.util.spec_from_file_location("event_recipe", ROOT / "recipes" / "event_classifier" / "train.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def span_f1(student: list, teacher: list, role: str) -> float:
    """Span F1 of ``role`` over all sentences, the teacher's spans taken as gold."""
    found = {(i, s.start, s.end) for i, spans in enumerate(student) for s in spans if s.role == role}
    gold = {(i, s.start, s.end) for i, spans in enumerate(teacher) for s in spans if s.role == role}
    return 2 * len(found & gold) / (len(found) + len(gold)) if found or gold else 1.0


def agreement(student_dir: Path, teacher_dir: Path, csv: Path, seed: int) -> dict:
    _, held = _recipe().news_halves(csv, seed)
    texts = sorted({s.text for doc in held for s in model_sentences(doc)})
    student = SentenceClassifier.load(student_dir, threads=1).predict(texts)
    teacher = SentenceClassifier.load(teacher_dir, threads=1).predict(texts)
    pairs = list(zip(student, teacher))
    return {"student": str(student_dir), "teacher": str(teacher_dir), "articles": len(held), "sentences": len(texts),
            "event_type": round(sum(s.event_type == t.event_type for s, t in pairs) / len(pairs), 3),
            "five_class": round(sum(s.quad_class == t.quad_class for s, t in pairs) / len(pairs), 3),
            **{f"{role}_span_f1": round(span_f1([s.spans for s in student], [t.spans for t in teacher], role), 3)
               for role in ("S", "T", "R")}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--student", type=Path, default=FAST_MODEL_DIR)
    parser.add_argument("--teacher", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    print(json.dumps(agreement(args.student, args.teacher, args.csv, args.seed), indent=2))


if __name__ == "__main__":
    main()
