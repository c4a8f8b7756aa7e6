"""``iter_documents``: every document in a set of paths; bad files become problems, never stop."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from exitwatch.ingest.document import published_problem
from exitwatch.ingest.options import ReaderOptions
from exitwatch.ingest.problems import IngestProblem, SkipInput
from exitwatch.ingest.readers_feed import read_feed
from exitwatch.ingest.readers_records import read_csv, read_json, read_jsonl
from exitwatch.ingest.readers_text import read_html, read_text
from exitwatch.ingest.sources import InputSource, expand_inputs
from exitwatch.ingest.textio import MAX_DOCUMENT_BYTES
from exitwatch.records import Document, replace

READERS: dict[str, Callable[[InputSource, ReaderOptions], Iterator[Document]]] = {
    "text": read_text,
    "html": read_html,
    "json": read_json,
    "jsonl": read_jsonl,
    "csv": read_csv,
    "tsv": read_csv,
    "feed": read_feed,
}


def iter_documents(
    paths: Iterable[str | Path],
    *,
    text_column: str = "text",
    title_column: str = "title",
    date_column: str | None = None,
    url_column: str | None = None,
    outlet_column: str | None = None,
    outlet: str | None = None,
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    on_problem: Callable[[IngestProblem], None] | None = None,
) -> Iterator[Document]:
    """Documents from files, directories (recursive) and ``-`` (stdin), in a stable order.

    Formats: .txt/.md, .html, .json (object or list), .jsonl, .csv/.tsv, RSS/Atom (.xml/.rss/
    .atom); other files named explicitly are sniffed. Record columns default to ``text`` and
    ``title``; date/url/outlet columns are found by common names unless given. ``outlet``
    overrides every document's outlet. Problems go to ``on_problem`` (ignored when None).
    """
    report = on_problem or (lambda problem: None)
    opts = ReaderOptions(
        text_column=text_column,
        title_column=title_column,
        date_column=date_column,
        url_column=url_column,
        outlet_column=outlet_column,
        outlet=outlet,
        max_document_bytes=max_document_bytes,
    )
    for source in expand_inputs(paths, report):
        yield from read_source(source, opts)


def read_source(source: InputSource, opts: ReaderOptions) -> Iterator[Document]:
    """The documents of one input (file, byte range or stdin) by its format's reader; a failing
    input becomes a problem on ``source`` and yields what was read before the failure. A
    publication date in the future or before 1900 is dropped with a warning (``published_problem``)."""
    found = 0
    try:
        for doc in READERS[source.fmt](source, opts):
            if not doc.body:
                source.problem("no text left after boilerplate removal", record=None if found == 0 else found)
                continue
            found += 1
            date_problem = published_problem(doc.published)
            if date_problem:
                source.report(IngestProblem(doc.source_path or source.label, date_problem, "warning"))
                doc = replace(doc, published=None)
            yield doc
    except SkipInput as e:
        source.problem(e.problem)
    except OSError as e:
        source.problem(f"cannot read: {e.strerror or e}")
    except Exception as e:  # a library choking on odd input must not stop the batch
        source.problem(f"unexpected {type(e).__name__} while reading as {source.fmt}: {e}")
