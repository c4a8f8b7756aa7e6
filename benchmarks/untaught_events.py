"""How often the reader keeps a lexical event of an untaught trigger (``classify.untaught``) on
real news, in model or fast mode: the share of the events it codes, in how many of them the model
read no event at all, and the triggers that fire most.

Usage: .venv/bin/python benchmarks/untaught_events.py [CSV] [--mode model|fast] [--limit N]
       [--model-dir DIR] [--show N]
``--show N`` prints N of those events with their sentence, to read what the rule adds.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from exitwatch.ingest import iter_documents
from exitwatch.read import read_documents
from exitwatch.read.classify import MIN_WORDS, MODEL_CODER

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "news" / "guardian_2019_sample.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    parser.add_argument("--mode", choices=("model", "fast"), default="model")
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents (0: all)")
    parser.add_argument("--model-dir", default=None, help="a model folder other than the packaged one")
    parser.add_argument("--show", type=int, default=0, help="print this many untaught events, drawn at random")
    args = parser.parse_args()

    docs = list(iter_documents([args.csv]))[: args.limit or None]
    readings = [r for i in range(0, len(docs), 16)
                for r in read_documents(docs[i:i + 16], mode=args.mode, model_dir=args.model_dir)]
    events = [e for r in readings for e in r.events]
    # The model's events (and the lexical events it scored) carry its coder; sentences it did not
    # read (too short: a sentence with a trigger is read when it has MIN_WORDS words) keep the lexical ones.
    read = {(s.doc_id, s.index) for r in readings for s in r.sentences if len(s.text.split()) >= MIN_WORDS}
    untaught = [e for e in events if not e.coder.startswith(MODEL_CODER) and (e.doc_id, e.sentence_index) in read]
    modelled = {(e.doc_id, e.sentence_index) for e in events if e.coder.startswith(MODEL_CODER)}
    alone = [e for e in untaught if (e.doc_id, e.sentence_index) not in modelled]
    sentences = sum(len(r.sentences) for r in readings)
    print(f"{len(readings)} documents, {sentences} sentences, {len(events)} events")
    print(f"untaught-trigger events: {len(untaught)} ({len(untaught) / max(len(events), 1):.1%} of events), "
          f"{len(alone)} in sentences where the model reads no event")
    for (event_type, trigger), count in Counter((e.event_type, e.trigger.lower()) for e in untaught).most_common(15):
        print(f"  {count:4d}  {event_type:<10} {trigger}")
    texts = {(s.doc_id, s.index): s.text for r in readings for s in r.sentences}
    for e in random.Random(0).sample(untaught, min(args.show, len(untaught))):
        print(f"- {e.event_type} {e.trigger!r} {e.source.text if e.source else None} -> "
              f"{e.target.text if e.target else None}: {texts[(e.doc_id, e.sentence_index)][:160]}")


if __name__ == "__main__":
    main()
