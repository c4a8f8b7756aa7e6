"""Reader for RSS and Atom feed files (parsed locally with feedparser)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from exitwatch.ingest.options import ReaderOptions
from exitwatch.ingest.problems import SkipInput
from exitwatch.ingest.readers_records import record_document
from exitwatch.ingest.sources import InputSource
from exitwatch.ingest.textio import MAX_WHOLE_FILE_BYTES, check_file_size, looks_binary
from exitwatch.records import Document

_BLOCKS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr")


def html_fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed entry content), one line per block element."""
    import lxml.html
    from lxml.etree import ParserError

    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return fragment.strip()
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return "\n".join(line.strip() for line in root.text_content().splitlines() if line.strip())


def _entry_body(entry) -> str:
    for content in entry.get("content") or []:
        if content.get("value"):
            return html_fragment_text(content["value"])
    return html_fragment_text(entry.get("summary") or entry.get("description") or "")


def has_full_text(entry) -> bool:
    """Whether a feed entry carries its article (``content``) rather than only a summary."""
    return any(content.get("value") for content in entry.get("content") or [])


def parse_feed(data: bytes):
    """The feedparser result of ``data``; SkipInput when it is binary, malformed or has no
    entries (not an RSS/Atom feed)."""
    import feedparser

    if looks_binary(data[:8192]):
        raise SkipInput("binary file (not an RSS/Atom feed)")
    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        raise SkipInput(f"malformed feed XML: {parsed.get('bozo_exception')}")
    if not parsed.entries:
        raise SkipInput("no feed entries (not an RSS/Atom feed?)")
    return parsed


def entry_record(entry, parsed, opts: ReaderOptions) -> dict:
    """The record (text, title, url, date, author, outlet, language) of one feed entry; the
    outlet is the entry's own ``<source>`` (aggregator feeds), else the feed's title."""
    return {
        opts.text_column: _entry_body(entry),
        opts.title_column: entry.get("title"),
        "url": entry.get("link"),
        "date": _entry_date(entry),
        "author": entry.get("author"),
        "outlet": (entry.get("source") or {}).get("title") or parsed.feed.get("title"),
        "language": parsed.feed.get("language"),
    }


def read_feed(source: InputSource, opts: ReaderOptions) -> Iterator[Document]:
    check_file_size(source.size(), MAX_WHOLE_FILE_BYTES, "feed file")
    with source.open() as f:
        data = f.read()
    parsed = parse_feed(data)
    if parsed.bozo:
        source.problem(f"feed XML is not well-formed ({parsed.get('bozo_exception')}); read what could be parsed", severity="warning")
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            yield record_document(entry_record(entry, parsed, opts), opts, f"{source.label}#{number}")
        except SkipInput as e:
            source.problem(e.problem, record=number)


def _entry_date(entry) -> str | None:
    for key in ("published_parsed", "updated_parsed"):
        if entry.get(key):
            return time.strftime("%Y-%m-%d", entry[key])
    return entry.get("published") or entry.get("updated")
