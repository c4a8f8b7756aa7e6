"""``make_document``: one body plus metadata becomes a ``Document`` (boilerplate removed, stable id)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
import unicodedata
from functools import lru_cache
from importlib import resources

from exitwatch.dates import parse_date
from exitwatch.ingest.boilerplate import find_boilerplate, remove_spans
from exitwatch.records import Document

_WORD = re.compile(r"\w+", re.UNICODE)


def normalise_for_id(body: str) -> str:
    """NFKC, lower case, curly quotes straightened, whitespace collapsed: the form the id hashes,
    so that re-encoded or re-wrapped copies of one text get one id."""
    text = unicodedata.normalize("NFKC", body).lower()
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}))
    return " ".join(text.split())


def document_id(body: str) -> str:
    """Stable id: the first 24 hex digits of SHA-256 of the normalised body."""
    return hashlib.sha256(normalise_for_id(body).encode("utf-8")).hexdigest()[:24]


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    data = tomllib.loads(resources.files("exitwatch.ingest").joinpath("data/stopwords.toml").read_text("utf-8"))
    return {lang: frozenset(words) for lang, words in data.items()}


def guess_language(body: str, sample_words: int = 400) -> str | None:
    """ISO 639-1 code of the language whose common words dominate the first words, or None."""
    words = [w.lower() for w in _WORD.findall(body[:5000])][:sample_words]
    if len(words) < 8:
        return None
    scores = {lang: sum(w in stop for w in words) for lang, stop in _stopwords().items()}
    best = max(scores, key=scores.get)
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] / len(words) < 0.12 or ranked[0] < 1.5 * ranked[1]:
        return None
    return best


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None


def make_document(
    body: str,
    *,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    published: dt.date | str | None = None,
    author: str | None = None,
    language: str | None = None,
    source_path: str | None = None,
) -> Document:
    """A ``Document`` from extracted text and metadata.

    Line endings are normalised, boilerplate is removed and recorded (offsets refer to the text
    after line-ending normalisation), the id hashes the normalised clean body, the date is
    parsed, and the language is guessed when not given.
    """
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    removed = find_boilerplate(text)
    clean = remove_spans(text, removed)
    return Document(
        id=document_id(clean),
        body=clean,
        title=_clean(title),
        outlet=_clean(outlet),
        url=_clean(url),
        published=parse_date(published),
        language=_clean(language) or guess_language(clean),
        author=_clean(author),
        removed=removed,
        source_path=source_path,
    )
