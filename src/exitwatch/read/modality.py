"""Modality of events and claims from cue lexicons (``data/modality_cues.toml``).

Priority, when several cues apply: denied > planned > conditional > hypothetical > opinion >
reported > asserted, except that an event inside a condition clause is conditional whatever
precedes it ("made plans to flee if the protests grow": the protests). "No" before an event noun
or its subject ("there were no protests", "no troops were deployed") denies it. Conditions ("if
security forces defect") are returned as text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from exitwatch.read.lexicon import load_toml, phrases_regex

# A condition runs to the end of its clause: a semicolon or colon, a full stop, or a comma that opens
# a new clause (a determiner, pronoun or name: "if X, the president will ...") or an attribution
# ("..., aides said"); commas inside a list of verbs ("refuse orders, defect, or lose control") do not end it.
_CLAUSE_END = re.compile(r"[;:]|,\s+(?=(?:according|per|the|a|an|he|she|it|they|we|i|this|that|[A-Z])\b)"
                         r"|,\s+(?=(?:\w+\s+){0,3}(?:said|says|told|added|reported)\b)|\.\s*$|\.(?=\s)")
# "there were no protests", "no troops were deployed": "no" before the event noun or its subject.
_NO_BEFORE = re.compile(r"\bno\s+(?:[\w-]+\s+){0,2}?(?:(?:was|were|is|are|has been|have been|had been|will be)\s+)?$",
                        re.IGNORECASE)
# A negated verb in a statement ("has not moved any assets", "never left"); "not only" is no negation.
_NEGATED_VERB = re.compile(r"\b(?:has|have|had|is|are|was|were|will|would|did|does|do|can|could|should|must)"
                           r"(?:\s+not|n't)\b(?!\s+only\b)|\b(?:won't|can't|cannot|never)\s+\w+", re.IGNORECASE)
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")


@lru_cache(maxsize=1)
def _cues() -> dict[str, re.Pattern[str]]:
    cues = load_toml("modality_cues.toml")
    return {
        "planned": phrases_regex(cues["planned"]["cues"]),
        "conditional": phrases_regex(cues["conditional"]["openers"]),
        "hypothetical": phrases_regex(cues["hypothetical"]["cues"]),
        "denied": phrases_regex(cues["denied"]["cues"]),
        "reported": phrases_regex(cues["reported"]["cues"]),
        # Case-sensitive, lower case or capitalised ("We", "Our"): "US" is a country, not "us".
        "first_person": phrases_regex([f for w in cues["opinion"]["first_person"] for f in (w, w.capitalize())
                                       if f != "i"], flags=0),
        "evaluative": phrases_regex(cues["opinion"]["evaluative"]),
    }


def _window() -> int:
    return int(load_toml("modality_cues.toml")["denied"]["window"])


def _condition_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, clause)`` of each condition: from its opener to the end of its clause."""
    found = []
    for match in _cues()["conditional"].finditer(text):
        rest = text[match.end():]
        end = _CLAUSE_END.search(rest)
        clause = rest[: end.start()] if end else rest
        stop = match.end() + len(clause)
        clause = clause.strip(" ,.")
        # Nested openers ("or if") start their own condition.
        nested = _cues()["conditional"].search(clause)
        if nested:
            clause = clause[: nested.start()].strip(" ,")
            clause = re.sub(r"\s+(?:or|and)$", "", clause)
        if clause:
            found.append((match.start(), stop, clause))
    return found


def conditions(text: str) -> tuple[str, ...]:
    """The condition clauses of ``text`` ("if X or if Y" gives X and Y)."""
    return tuple(clause for _, _, clause in _condition_spans(text))


def _words_before(text: str, position: int, n: int) -> str:
    return " ".join(text[:position].split()[-n:])


def is_author_opinion(sentence: str) -> bool:
    """True when an unattributed sentence reads as the author's commentary: a question outside
    quotation marks, first-person words, or evaluative cue words."""
    bare = _QUOTED.sub(" ", sentence)
    if bare.rstrip().endswith("?"):
        return True
    cues = _cues()
    if cues["first_person"].search(bare):
        return True
    return bool(cues["evaluative"].search(bare))


def modality_at(sentence: str, position: int, *, attributed: bool, opinion: bool) -> tuple[str, tuple[str, ...]]:
    """Modality of something said at character ``position`` of ``sentence``, and its conditions.

    ``attributed``: the sentence carries a source other than this document's author;
    ``opinion``: the sentence is the author's commentary.
    """
    cues = _cues()
    spans = _condition_spans(sentence)
    found_conditions = tuple(clause for _, _, clause in spans)
    before = sentence[:position]
    near = _words_before(sentence, position, _window())
    if cues["denied"].search(near) or _NO_BEFORE.search(before):
        return "denied", found_conditions
    if any(start <= position < end for start, end, _ in spans):
        return "conditional", found_conditions  # "plans to flee if the protests grow": the protests
    if cues["planned"].search(before):
        return "planned", found_conditions
    if found_conditions:
        return "conditional", found_conditions
    if cues["hypothetical"].search(_words_before(sentence, position, 4)):
        return "hypothetical", ()
    if opinion:
        return "opinion", ()
    if attributed or cues["reported"].search(sentence):
        return "reported", ()
    return "asserted", ()


def claim_modality(content: str, *, verb: str | None = None) -> tuple[str, tuple[str, ...]]:
    """Modality of an attributed statement: planned, conditional, hypothetical, denied (explicit
    denial words in it, or a denial ``verb`` introducing it: "the government denied that ..."; or,
    when nothing is planned, conditional or hypothetical, a verb negated outside its conditions: "has
    not moved any assets"), else reported."""
    cues = _cues()
    found_conditions = conditions(content)
    if (verb and cues["denied"].fullmatch(verb)) or \
            re.search(r"\b(?:denied|denies|deny|denying|refuted|dismissed reports)\b", content, re.IGNORECASE):
        return "denied", found_conditions
    if cues["planned"].search(content):
        return "planned", found_conditions
    if found_conditions:
        return "conditional", found_conditions
    if cues["hypothetical"].search(content):
        return "hypothetical", ()
    if _NEGATED_VERB.search(content):  # weaker than a plan or condition: it may negate a subordinate clause
        return "denied", found_conditions
    return "reported", ()
