"""Readers for one-document files: plain text (with an optional header block) and HTML pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

from exitwatch.ingest.document import make_document
from exitwatch.ingest.options import ReaderOptions
from exitwatch.ingest.problems import SkipInput
from exitwatch.ingest.sources import InputSource
from exitwatch.ingest.textio import HTML_SIZE_FACTOR, check_file_size, decode, read_capped
from exitwatch.records import Document

#: Keys allowed in a text file's optional header block ("Title: ...", blank line, body).
HEADER_KEYS = {"title": "title", "outlet": "outlet", "source": "outlet", "date": "published",
               "published": "published", "url": "url", "author": "author", "language": "language"}  # fmt: skip
_HEADER_LINE = re.compile(r"^([A-Za-z]+):\s*(.*)$")


def read_whole(source: InputSource, cap: int) -> str:
    """The decoded text of a one-document input, refusing empty, oversized and binary inputs."""
    check_file_size(source.size(), cap, "file")
    with source.open() as f:
        data = read_capped(f, cap, "file")
    text = decode(data, lambda msg: source.problem(msg, severity="warning"))
    if not text.strip():
        raise SkipInput("empty file (only whitespace)")
    return text


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Split a leading ``Key: value`` block (known keys only, ended by a blank line) from the body."""
    head, sep, rest = text.lstrip("\ufeff").partition("\n\n")
    fields = {}
    for line in head.strip().splitlines():
        match = _HEADER_LINE.match(line.strip())
        if not match or match.group(1).lower() not in HEADER_KEYS:
            return {}, text
        fields[HEADER_KEYS[match.group(1).lower()]] = match.group(2).strip()
    return (fields, rest) if sep and fields else ({}, text)


def read_text(source: InputSource, opts: ReaderOptions) -> Iterator[Document]:
    fields, body = split_header(read_whole(source, opts.max_document_bytes))
    fields.setdefault("outlet", opts.outlet)
    yield make_document(body, source_path=source.label, **fields)


def read_html(source: InputSource, opts: ReaderOptions) -> Iterator[Document]:
    import trafilatura

    html = read_whole(source, opts.max_document_bytes * HTML_SIZE_FACTOR)
    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    text = getattr(extracted, "text", None) if extracted is not None else None
    if not text or not text.strip():
        raise SkipInput("no article text found in the HTML (malformed page, or a page without a main text)")
    title = extracted.title
    lines = text.split("\n")
    if title and lines and lines[0].strip() == title.strip():
        text = "\n".join(lines[1:])  # trafilatura repeats the headline as the first line
    yield make_document(
        text,
        title=title,
        outlet=opts.outlet or extracted.sitename,
        url=extracted.url,
        published=extracted.date,
        author=extracted.author,
        language=extracted.language,
        source_path=source.label,
    )
