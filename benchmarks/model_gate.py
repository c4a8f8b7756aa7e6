"""The model-mode gate: the share of gold event sentences whose document gives the encoder at
least one sentence (recall), and the share of the Guardian sample's sentences it never reads.

Usage: .venv/bin/python benchmarks/model_gate.py [--data ../shared/data]
Gold event sentences: every record of plover/plv_train.csv, the CoNLL sentences of
conflibert/cameo_ner_train.txt with a tagged role, the records of plover/plover_gsr_dev.json that
are events (each read as its own document, as ``exitwatch eval coder`` reads them). The gate is
``exitwatch.read.reader.model_sentences`` (``classify.candidates``); see docs/read.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from exitwatch.ingest import iter_documents
from exitwatch.read import read_document
from exitwatch.read.evaluate import load_gold
from exitwatch.read.reader import model_sentences
from exitwatch.records import Document

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
GOLD = {"plover/plv_train.csv": lambda g: True,
        "conflibert/cameo_ner_train.txt": lambda g: bool(g.spans),
        "plover/plover_gsr_dev.json": lambda g: g.event_type not in (None, "NONE")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    args = parser.parse_args()
    data = Path(args.data)
    for name, is_event in GOLD.items():
        gold = [g for g in load_gold(data / name)[1] if is_event(g)]
        lost = [g.text for i, g in enumerate(gold) if not model_sentences(Document(id=f"gold-{i}", body=g.text))]
        print(f"{name}: {len(gold) - len(lost)}/{len(gold)} event sentences pass = {1 - len(lost) / len(gold):.2%}")
        for text in lost:
            print(f"  skipped: {text[:100]}")
    docs = list(iter_documents([str(data / "news" / "guardian_2019_sample.csv")]))
    total = sum(len(read_document(doc, mode="lexical").sentences) for doc in docs)
    read = sum(len(model_sentences(doc)) for doc in docs)
    print(f"Guardian sample: {len(docs)} docs, {total} sentences, the encoder reads {read} ({read / len(docs):.1f}/doc), "
          f"skips {1 - read / total:.1%}")


if __name__ == "__main__":
    main()
