"""Readers for record files: JSON (one object or a list), JSONL (streamed) and CSV/TSV (streamed)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from typing import Any

from exitwatch.ingest.document import make_document
from exitwatch.ingest.options import AUTO_FIELDS, ReaderOptions
from exitwatch.ingest.problems import SkipInput
from exitwatch.ingest.sources import InputSource
from exitwatch.ingest.textio import MAX_WHOLE_FILE_BYTES, DecodingReader, check_file_size, decode, text_lines
from exitwatch.records import Document


def _field(record: Mapping[str, Any], opts: ReaderOptions, field: str) -> Any:
    explicit = opts.column(field)
    names = (explicit,) if explicit else AUTO_FIELDS[field]
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return value if not isinstance(value, list) else ", ".join(map(str, value))
    return None


def record_document(record: Any, opts: ReaderOptions, label: str) -> Document:
    """A document from one record; ``SkipInput`` when the record has no usable text."""
    if isinstance(record, str):
        record = {opts.text_column: record}
    if not isinstance(record, Mapping):
        raise SkipInput(f"record is a {type(record).__name__}, expected an object with a {opts.text_column!r} field")
    if opts.text_column not in record:
        fields = ", ".join(map(str, record)) or "none"
        raise SkipInput(f"no {opts.text_column!r} field (fields: {fields}); choose the text field with --text-column")
    body = record[opts.text_column]
    if not isinstance(body, str) or not body.strip():
        raise SkipInput(f"empty {opts.text_column!r} field")
    if len(body.encode("utf-8")) > opts.max_document_bytes:
        raise SkipInput(f"text is larger than the {opts.max_document_bytes:,}-byte cap for one document")
    title = record.get(opts.title_column)
    return make_document(
        body,
        title=title if isinstance(title, str) else None,
        outlet=opts.outlet or _field(record, opts, "outlet"),
        url=_field(record, opts, "url"),
        published=_field(record, opts, "published"),
        author=_field(record, opts, "author"),
        language=_field(record, opts, "language"),
        source_path=label,
    )


def _records_to_documents(source: InputSource, records: Iterator[tuple[int, Any]], opts: ReaderOptions) -> Iterator[Document]:
    for number, record in records:
        try:
            yield record_document(record, opts, f"{source.label}#{number}")
        except SkipInput as e:
            source.problem(e.problem, record=number)


def read_json(source: InputSource, opts: ReaderOptions) -> Iterator[Document]:
    check_file_size(source.size(), MAX_WHOLE_FILE_BYTES, "JSON file")
    with source.open() as f:
        text = decode(f.read(), lambda msg: source.problem(msg, severity="warning"))
    if not text.strip():
        raise SkipInput("empty file (only whitespace)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SkipInput(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
    records = data if isinstance(data, list) else [data]
    yield from _records_to_documents(source, enumerate(records, start=1), opts)


def _jsonl_records(source: InputSource, opts: ReaderOptions) -> Iterator[tuple[int, Any]]:
    cap = opts.max_document_bytes * 2  # a record carries metadata and JSON escapes besides its text
    with source.open() as f:
        for number, line in text_lines(f, cap, lambda msg: source.problem(msg, severity="warning")):
            if line is None:
                source.problem(f"line is longer than the {cap:,}-byte cap for one record; skipped", record=number)
                continue
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as e:
                source.problem(f"invalid JSON on this line (column {e.colno}): {e.msg}", record=number)


def read_jsonl(source: InputSource, opts: ReaderOptions) -> Iterator[Document]:
    check_file_size(source.size(), 1 << 62, "JSONL file")  # streamed: only emptiness is checked
    yield from _records_to_documents(source, _jsonl_records(source, opts), opts)


def _csv_records(source: InputSource, opts: ReaderOptions, delimiter: str) -> Iterator[tuple[int, Any]]:
    csv.field_size_limit(max(opts.max_document_bytes, 131072))
    with source.open() as f:
        lines = DecodingReader(f, lambda msg: source.problem(msg, severity="warning"))
        reader = csv.DictReader(lines, delimiter=delimiter, strict=True)
        try:
            columns = reader.fieldnames or []
            if opts.text_column not in columns:
                raise SkipInput(
                    f"no text column {opts.text_column!r}; the columns are: {', '.join(columns) or 'none'}; "
                    "choose one with --text-column"
                )
            for row in reader:
                if None in row:  # more cells than header columns: the row is misaligned
                    source.problem(f"{len(columns) + len(row[None])} cells for {len(columns)} columns; skipped", record=reader.line_num)
                    continue
                yield reader.line_num, row
        except csv.Error as e:
            raise SkipInput(f"malformed CSV near line {reader.line_num}: {e}; rows before it were read") from e


def read_csv(source: InputSource, opts: ReaderOptions) -> Iterator[Document]:
    check_file_size(source.size(), 1 << 62, "CSV file")  # streamed: only emptiness is checked
    delimiter = "\t" if source.fmt == "tsv" else ","
    yield from _records_to_documents(source, _csv_records(source, opts, delimiter), opts)
