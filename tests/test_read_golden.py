"""Golden tests: our own short invented texts (tests/golden/*.txt) read in lexical mode must give
the events and claims recorded in tests/golden/*.json.

Each text starts with ``# outlet: ...`` and ``# published: YYYY-MM-DD`` lines. After a deliberate
change to the reader, regenerate the expected files and review the diff:

    EXITWATCH_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_read_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from exitwatch.read import read_text

GOLDEN = Path(__file__).parent / "golden"
TEXTS = sorted(GOLDEN.glob("*.txt"))
UPDATE = os.environ.get("EXITWATCH_UPDATE_GOLDEN") == "1"


def _actor(actor: dict | None) -> str | None:
    if actor is None:
        return None
    return "|".join(str(actor[k] or "") for k in ("text", "country", "sector", "person"))


def _chain(chain: list[dict]) -> list[str]:
    return [s["text"] + (" (anonymous)" if s["anonymous"] else "") for s in chain]


def project(reading_json: dict) -> dict:
    """The parts of a reading that the golden files pin down (no ids, offsets or confidences)."""
    return {
        "sentences": [s["text"] for s in reading_json["sentences"]],
        "events": [{"sentence": e["sentence_index"], "event": e["event_type"], "mode": e["mode"],
                    "source": _actor(e["source"]), "target": _actor(e["target"]), "modality": e["modality"],
                    "conditions": e["conditions"], "attribution": _chain(e["attribution"]),
                    "date": e["date"], "date_text": e["date_text"]} for e in reading_json["events"]],
        "claims": [{"sentence": c["sentence_index"], "text": c["text"], "modality": c["modality"],
                    "speaker": c["speaker"]["text"] if c["speaker"] else None,
                    "attribution": _chain(c["attribution"])} for c in reading_json["claims"]],
    }


def read_golden_text(path: Path):
    header, body = {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and ":" in line and not body:
            key, _, value = line[2:].partition(":")
            header[key.strip()] = value.strip()
        else:
            body.append(line)
    return read_text("\n".join(body), mode="lexical", outlet=header.get("outlet"), published=header.get("published"))


def test_there_are_golden_texts():
    assert len(TEXTS) >= 3


@pytest.mark.parametrize("path", TEXTS, ids=[p.stem for p in TEXTS])
def test_golden(path: Path):
    got = project(read_golden_text(path).to_json())
    expected_path = path.with_suffix(".json")
    if UPDATE:
        expected_path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert expected_path.exists(), f"no {expected_path.name}: run with EXITWATCH_UPDATE_GOLDEN=1 and review it"
    assert got == json.loads(expected_path.read_text(encoding="utf-8"))
