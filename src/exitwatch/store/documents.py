"""Documents, removed boilerplate spans, duplicates and MinHash signatures."""

from __future__ import annotations

import datetime as dt
from typing import Iterator, Sequence

from exitwatch.errors import NotFoundError
from exitwatch.records import Document, Reading
from exitwatch.store import rows as R
from exitwatch.store.rows import NewDocument
from exitwatch.store.where import Where


class DocumentTables:
    """Mixin of ``Store`` for the ingest tables (needs ``StoreCore``)."""

    def add_document(
        self,
        doc: Document,
        *,
        signature: bytes | None = None,
        duplicate_of: tuple[str, float, str] | None = None,
        reading: Reading | None = None,
    ) -> bool:
        """Store ``doc`` with its removed spans, MinHash ``signature``, near-duplicate link
        ``(first_id, similarity, method)`` and ``reading``, all in one transaction.

        Returns False (and writes nothing) when a document with the same id is already stored.
        """
        return self.add_documents([NewDocument(doc, signature, duplicate_of, reading)])[0]

    def add_documents(self, batch: Sequence[NewDocument]) -> list[bool]:
        """Store a batch of new documents in one transaction (all or nothing); one insert per
        table keeps bulk ingest fast. Returns, per item, whether it was stored: False for a
        document already stored or repeated earlier in the batch."""
        stored = self.stored_ids([item.document.id for item in batch])
        rows: dict[str, list[dict]] = {t: [] for t in R.DOCUMENT_TABLES}
        readings: list[Reading] = []
        added = []
        for item in batch:
            doc = item.document
            is_new = doc.id not in stored
            added.append(is_new)
            if not is_new:
                continue
            stored.add(doc.id)
            for table, table_rows in R.new_document_rows(item, with_reading=False).items():
                rows[table].extend(table_rows)
            if item.reading is not None:
                readings.append(item.reading)
        if any(added):
            with self.transaction():
                for table, table_rows in rows.items():
                    self._insert(table, table_rows)
                self._write_readings(readings)
        return added

    def stored_ids(self, ids: list[str]) -> set[str]:
        """Which of ``ids`` are stored documents (one query for a whole batch)."""
        found = self.con.execute("SELECT id FROM documents WHERE list_contains(?, id)", [ids]).fetchall()
        return {r[0] for r in found}

    def document(self, doc_id: str) -> Document:
        found = self._dicts("SELECT * FROM documents WHERE id = ?", [doc_id])
        if not found:
            raise NotFoundError(f"no document with id {doc_id!r} in {self.path}")
        spans = self._dicts("SELECT * FROM removed_spans WHERE doc_id = ?", [doc_id])
        return R.document_from_row(found[0], spans)

    def documents(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        outlet: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        contains: str | None = None,
    ) -> list[Document]:
        """Documents newest first, filtered by outlet, published date range and body text."""
        filt = Where()
        if outlet:
            filt.add("outlet = ?", outlet)
        filt.dates("published", since, until)
        if contains:
            filt.add("(body ILIKE ? OR title ILIKE ?)", f"%{contains}%", f"%{contains}%")
        rows = self._dicts(
            f"SELECT * FROM documents WHERE {filt.sql} ORDER BY published DESC NULLS LAST, id LIMIT ? OFFSET ?",
            [*filt.params, limit, offset],
        )
        spans: dict[str, list] = {}
        if rows:
            ids = [r["id"] for r in rows]
            for s in self._dicts("SELECT * FROM removed_spans WHERE list_contains(?, doc_id)", [ids]):
                spans.setdefault(s["doc_id"], []).append(s)
        return [R.document_from_row(r, spans.get(r["id"], [])) for r in rows]

    def signatures(self) -> Iterator[tuple[str, bytes]]:
        """Every stored (doc_id, MinHash signature), for rebuilding the LSH index."""
        cursor = self.con.execute("SELECT doc_id, signature FROM minhashes ORDER BY doc_id")
        while batch := cursor.fetchmany(4096):
            yield from batch

    def duplicate_links(self) -> list[dict]:
        """Near-duplicate links: doc_id, duplicate_of, similarity, method."""
        return self._dicts("SELECT * FROM duplicates ORDER BY duplicate_of, doc_id")

    def canonical_id(self, doc_id: str) -> str:
        """The first-stored document of ``doc_id``'s duplicate cluster (itself if unique)."""
        row = self.con.execute("SELECT duplicate_of FROM duplicates WHERE doc_id = ?", [doc_id]).fetchone()
        return row[0] if row else doc_id
