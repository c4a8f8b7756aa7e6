"""``poll_source``: one poll of one configured source, from the web or a local folder, as
documents keyed by item (feed entry id or page URL), with what went wrong as problems.

A feed entry that carries only a summary gets its linked page fetched and extracted (trafilatura);
when the page cannot be fetched or yields no text, the summary is kept with a warning. Items whose
key ``seen`` reports as already taken are skipped before any page is fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from exitwatch.errors import FetchError
from exitwatch.ingest.fetch import FetchResult, Fetcher
from exitwatch.ingest.iterate import iter_documents, read_source
from exitwatch.ingest.options import ReaderOptions
from exitwatch.ingest.problems import IngestProblem, SkipInput
from exitwatch.ingest.readers_feed import entry_record, has_full_text, parse_feed
from exitwatch.ingest.readers_records import record_document
from exitwatch.ingest.source_config import SourceSpec
from exitwatch.ingest.sources import InputSource, sniff_format
from exitwatch.records import Document, Record

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
#: A summary shorter than this (characters) is not taken for the article when the page has more.
SUMMARY_ONLY = 1200


@dataclass(frozen=True)
class PolledItem:
    """One item of a poll: ``key`` (feed entry id or page URL; None for folder files, which the
    document id deduplicates) and its ``document``."""

    key: str | None
    document: Document


@dataclass(frozen=True)
class PollResult(Record):
    """What one poll of one source got.

    Fields: ``source`` (name), ``status`` (HTTP status of the source's own URL; None for folders
    or when no answer came), ``items`` (PolledItem tuple, new items only), ``problems``
    (IngestProblem tuple), ``etag``/``last_modified`` (validators for the next conditional
    request; None unless the answer was used), ``error`` (why the poll failed, or None).
    """

    source: str
    status: int | None
    items: tuple[PolledItem, ...] = ()
    problems: tuple[IngestProblem, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def poll_source(spec: SourceSpec, fetcher: Fetcher, *, etag: str | None = None, last_modified: str | None = None,
                seen: Callable[[list[str]], set[str]] = lambda keys: set()) -> PollResult:
    """Poll ``spec`` once: conditionally (``etag``/``last_modified`` of the last good answer) for
    web sources, skipping items whose keys ``seen(keys)`` returns. Never raises for a bad source:
    the failure is the result's ``error``."""
    problems: list[IngestProblem] = []
    opts = ReaderOptions(outlet=spec.outlet)
    if spec.kind == "folder":
        docs = list(iter_documents([spec.path], outlet=spec.outlet, on_problem=problems.append))
        missing = next((p.problem for p in problems if p.problem == "no such file or directory"), None)
        return PollResult(spec.name, None, tuple(PolledItem(None, d) for d in docs), tuple(problems), error=missing)
    accept = FEED_ACCEPT if spec.kind in ("feed", "sitemap") else HTML_ACCEPT
    try:
        answer = fetcher.get(spec.url, etag=etag, last_modified=last_modified, accept=accept)
    except FetchError as e:
        return PollResult(spec.name, e.status, error=e.problem)
    if answer.not_modified:
        return PollResult(spec.name, 304, etag=etag, last_modified=last_modified)
    more = []  # set when new items were left for the next poll
    try:
        if spec.kind == "feed":
            items = _feed_items(spec, answer, fetcher, opts, seen, problems, more)
        elif spec.kind == "sitemap":
            items = _sitemap_items(spec, answer, fetcher, opts, seen, problems, more)
        else:
            items = [PolledItem(None, doc) for doc in _pages(answer.final_url, answer.content, opts, problems)]
    except SkipInput as e:
        return PollResult(spec.name, answer.status, problems=tuple(problems), error=_explain(e.problem, answer))
    if more:  # no validators: the next poll must get the whole answer again to take the rest
        return PollResult(spec.name, answer.status, tuple(items), tuple(problems))
    return PollResult(spec.name, answer.status, tuple(items), tuple(problems), answer.etag, answer.last_modified)


def _explain(problem: str, answer: FetchResult) -> str:
    """Say plainly when a feed URL served a web page."""
    if sniff_format(answer.content[:4096]) == "html" or "html" in (answer.content_type or ""):
        return f"not an RSS/Atom feed: the server sent an HTML page (Content-Type {answer.content_type or 'none'})"
    return problem


def _unseen(keys: list[str], seen: Callable[[list[str]], set[str]], limit: int, more: list) -> list[str]:
    """The first ``limit`` keys not seen before; notes in ``more`` when some are left over."""
    taken = seen(keys)
    fresh = list(dict.fromkeys(key for key in keys if key not in taken))
    if len(fresh) > limit:
        more.append(len(fresh) - limit)
    return fresh[:limit]


def _feed_items(spec, answer, fetcher, opts, seen, problems, more) -> list[PolledItem]:
    parsed = parse_feed(answer.content)
    if parsed.bozo:
        problems.append(IngestProblem(spec.name, f"feed XML is not well-formed ({parsed.get('bozo_exception')}); "
                                                 "read what could be parsed", "warning"))
    entries = {}
    for entry in parsed.entries:
        link = entry.get("link")
        key = entry.get("id") or (urljoin(answer.final_url, link) if link else None) or entry.get("title")
        if key:
            entries.setdefault(key, entry)
    items = []
    fresh = _unseen(list(entries), seen, spec.max_items, more)
    for key in fresh:
        entry = entries[key]
        record = entry_record(entry, parsed, opts)
        if record["url"]:
            record["url"] = urljoin(answer.final_url, record["url"])
        if spec.fetch_articles and record["url"] and not has_full_text(entry) and len(record["text"]) < SUMMARY_ONLY:
            record["text"] = _article_or_summary(record["url"], record["text"], fetcher, opts, problems)
        try:
            items.append(PolledItem(key, record_document(record, opts, spec.url)))
        except SkipInput as e:
            problems.append(IngestProblem(f"{spec.name}: {key}", e.problem))
    if parsed.bozo and not items and (fresh or not entries):
        raise SkipInput(f"malformed feed XML: {parsed.get('bozo_exception')}; no entry could be read")
    return items


def _article_or_summary(url: str, summary: str, fetcher: Fetcher, opts: ReaderOptions,
                        problems: list[IngestProblem]) -> str:
    """The text of the page at ``url``, or ``summary`` (with a warning) when it cannot be had."""
    if urlsplit(url).scheme not in ("http", "https"):
        return summary
    try:
        page = fetcher.get(url, accept=HTML_ACCEPT)
    except FetchError as e:
        problems.append(IngestProblem(url, f"kept the feed summary: article not fetched ({e.problem})", "warning"))
        return summary
    found: list[IngestProblem] = []
    docs = _pages(page.final_url, page.content, opts, found)
    if not docs or len(docs[0].body) <= len(summary):
        why = found[0].problem if found else "the page has no longer text"
        problems.append(IngestProblem(url, f"kept the feed summary: {why}", "warning"))
        return summary
    return docs[0].body


def _pages(url: str, content: bytes, opts: ReaderOptions, problems: list[IngestProblem]) -> list[Document]:
    """The article of one fetched HTML page (none, with a problem, when it has no main text)."""
    return list(read_source(InputSource(url, "html", problems.append, data=content), opts))


def _sitemap_urls(content: bytes) -> list[str]:
    from lxml import etree

    try:
        root = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        raise SkipInput(f"malformed sitemap XML: {e}") from e
    if etree.QName(root).localname == "sitemapindex":
        raise SkipInput("this is a sitemap index; configure its child sitemaps (the <sitemap><loc> URLs) as sources")
    if etree.QName(root).localname != "urlset":
        raise SkipInput(f"not a sitemap: the root element is <{etree.QName(root).localname}>, expected <urlset>")
    return [loc.text.strip() for loc in root.iter("{*}loc") if loc.text and loc.getparent() is not None
            and etree.QName(loc.getparent()).localname == "url"]


def _sitemap_items(spec, answer, fetcher, opts, seen, problems, more) -> list[PolledItem]:
    urls = [u for u in _sitemap_urls(answer.content) if urlsplit(u).scheme in ("http", "https")]
    items = []
    for url in _unseen(urls, seen, spec.max_items, more):
        try:
            page = fetcher.get(url, accept=HTML_ACCEPT)
        except FetchError as e:
            problems.append(IngestProblem(url, f"page not fetched: {e.problem}"))
            continue
        items.extend(PolledItem(url, doc) for doc in _pages(page.final_url, page.content, opts, problems))
    return items

