"""Reading hostile text (issue 13): runs of symbols, emoji and punctuation that made spaCy's
tokenizer quadratic are read in bounded time, offsets still point into the body, and
generated text in many scripts never breaks the reader (Hypothesis)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exitwatch.ingest import make_document
from exitwatch.read import read_document, read_text

#: Units repeated into hostile inputs: each took 6-13 s per 5,000 characters before sanitation.
HOSTILE_UNITS = ["%", "?", ")", "😀", "'s", "a%", "!?", "🇮🇷", "\u0301", "\u200b", "...", "a-"]
#: Seconds a few-KB hostile document may take to read (generous: shared, loaded machine).
FEW_KB_BOUND_S = 3.0


def _lexical(text: str):
    return read_document(make_document(text), mode="lexical")


def test_ordinary_text_reaches_the_tokenizer_unchanged():
    from exitwatch.read.sanitize import tokenizable

    prose = ('"We will not retreat," the union leader said on Monday — and 3,000 workers struck...\n\n'
             "Police fired tear gas (again) at protesters in Tabriz; see https://example.org/story?id=1.")
    assert tokenizable(prose) == prose
    for unit in HOSTILE_UNITS + [" ", "\n", "中文字。"]:
        text = "Protest in Tehran. " + unit * 3000 + " The end."
        clean = tokenizable(text)
        assert len(clean) == len(text) and clean.startswith("Protest in Tehran. ") and clean.endswith(" The end.")


@pytest.mark.parametrize("unit", HOSTILE_UNITS)
def test_a_few_kb_of_hostile_text_reads_quickly(unit):
    _lexical("Warm-up: protesters marched in Tehran.")
    text = (unit * (5_000 // len(unit) + 1))[:5_000]
    start = time.perf_counter()
    _lexical(text)
    elapsed = time.perf_counter() - start
    assert elapsed < FEW_KB_BOUND_S, f"{elapsed:.1f} s for 5,000 characters of {unit!r}"


def test_offsets_still_point_into_the_body():
    text = ("Protesters marched in Tehran on Monday. " + "%" * 3_000 + "😀" * 500
            + "\n\nPolice fired tear gas at protesters in Tabriz, witnesses said.")
    reading = read_text(text, mode="lexical")
    body = reading.document.body
    assert reading.sentences and all(body[s.start:s.end] == s.text for s in reading.sentences)
    assert any("Tabriz" in body[e.span[0]:e.span[1]] or "Tabriz" in (reading.sentences[e.sentence_index].text)
               for e in reading.events), "the sentence after the hostile run is still coded"


SCRIPTS = st.sampled_from([
    "Latin", "Cyrillic", "Arabic", "Hebrew", "Devanagari", "Thai", "Han", "Hangul", "Greek", "Emoji", "Symbols",
    "Punctuation", "Marks", "Spaces",
])
_RANGES = {
    "Latin": (0x20, 0x24F), "Cyrillic": (0x400, 0x4FF), "Arabic": (0x600, 0x6FF), "Hebrew": (0x590, 0x5FF),
    "Devanagari": (0x900, 0x97F), "Thai": (0xE00, 0xE7F), "Han": (0x4E00, 0x9FFF), "Hangul": (0xAC00, 0xD7A3),
    "Greek": (0x370, 0x3FF), "Emoji": (0x1F300, 0x1FAFF), "Symbols": (0x2000, 0x2BFF), "Punctuation": (0x21, 0x2F),
    "Marks": (0x300, 0x36F), "Spaces": (0x9, 0x20),
}


@st.composite
def texts_in_many_scripts(draw, max_runs: int = 8):
    """Text made of runs, each from one script, some of them long repeats (the hostile shape)."""
    parts = []
    for _ in range(draw(st.integers(1, max_runs))):
        low, high = _RANGES[draw(SCRIPTS)]
        alphabet = st.characters(min_codepoint=low, max_codepoint=high, exclude_categories=("Cs",))
        run = draw(st.text(alphabet=alphabet, min_size=1, max_size=60))
        parts.append(run * draw(st.sampled_from([1, 1, 2, 50, 400])))
    return "".join(parts)


def _check_reading(text: str, bound_s: float) -> None:
    doc = make_document(text) if text.strip() else None
    if doc is None or not doc.body:
        return
    start = time.perf_counter()
    reading = read_document(doc, mode="lexical")
    elapsed = time.perf_counter() - start
    assert elapsed < bound_s, f"{elapsed:.1f} s for {len(doc.body):,} characters"
    assert all(doc.body[s.start:s.end] == s.text for s in reading.sentences)
    assert all(0 <= e.sentence_index < len(reading.sentences) for e in reading.events)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts_in_many_scripts())
def test_fuzz_read_text_in_many_scripts(text):
    _check_reading(text, FEW_KB_BOUND_S * 2)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts_in_many_scripts(max_runs=20))
def test_fuzz_read_text_in_many_scripts_many_examples(text):
    _check_reading(text, FEW_KB_BOUND_S * 4)
