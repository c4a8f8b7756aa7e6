"""The store's schema: numbered migrations, applied in order, each in one transaction.

The schema version is the number of the last migration applied; ``docs/schema.md`` documents
every table. Add a migration by appending to ``MIGRATIONS``; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "documents, removed boilerplate spans, duplicates, minhash signatures",
        """
        CREATE TABLE documents (
            id VARCHAR PRIMARY KEY,
            title VARCHAR,
            outlet VARCHAR,
            url VARCHAR,
            published DATE,
            language VARCHAR,
            author VARCHAR,
            body VARCHAR NOT NULL,
            source_path VARCHAR,
            ingested_at TIMESTAMP DEFAULT current_timestamp
        );
        CREATE TABLE removed_spans (
            doc_id VARCHAR NOT NULL,
            n INTEGER NOT NULL,
            start_offset INTEGER NOT NULL,
            end_offset INTEGER NOT NULL,
            text VARCHAR NOT NULL,
            reason VARCHAR NOT NULL,
            PRIMARY KEY (doc_id, n)
        );
        CREATE TABLE duplicates (
            doc_id VARCHAR PRIMARY KEY,
            duplicate_of VARCHAR NOT NULL,
            similarity DOUBLE NOT NULL,
            method VARCHAR NOT NULL
        );
        CREATE TABLE minhashes (
            doc_id VARCHAR PRIMARY KEY,
            signature BLOB NOT NULL
        );
        """,
    ),
    (
        2,
        "reader output: sentences, events, claims, and which pipeline read each document",
        """
        CREATE TABLE readings (
            doc_id VARCHAR PRIMARY KEY,
            pipeline VARCHAR NOT NULL,
            read_at TIMESTAMP DEFAULT current_timestamp
        );
        CREATE TABLE sentences (
            doc_id VARCHAR NOT NULL,
            idx INTEGER NOT NULL,
            start_offset INTEGER NOT NULL,
            end_offset INTEGER NOT NULL,
            text VARCHAR NOT NULL,
            PRIMARY KEY (doc_id, idx)
        );
        CREATE TABLE events (
            doc_id VARCHAR NOT NULL,
            n INTEGER NOT NULL,
            sentence_index INTEGER NOT NULL,
            event_type VARCHAR NOT NULL,
            mode VARCHAR,
            source_text VARCHAR,
            source_country VARCHAR,
            source_sector VARCHAR,
            source_person VARCHAR,
            source_organisation VARCHAR,
            target_text VARCHAR,
            target_country VARCHAR,
            target_sector VARCHAR,
            target_person VARCHAR,
            target_organisation VARCHAR,
            modality VARCHAR NOT NULL,
            attribution VARCHAR NOT NULL,
            conditions VARCHAR NOT NULL,
            date DATE,
            date_text VARCHAR,
            location VARCHAR,
            location_country VARCHAR,
            span_start INTEGER NOT NULL,
            span_end INTEGER NOT NULL,
            trigger VARCHAR,
            confidence DOUBLE NOT NULL,
            coder VARCHAR NOT NULL,
            PRIMARY KEY (doc_id, n)
        );
        CREATE TABLE claims (
            doc_id VARCHAR NOT NULL,
            n INTEGER NOT NULL,
            sentence_index INTEGER NOT NULL,
            text VARCHAR NOT NULL,
            speaker VARCHAR,
            attribution VARCHAR NOT NULL,
            modality VARCHAR NOT NULL,
            quote BOOLEAN NOT NULL,
            span_start INTEGER NOT NULL,
            span_end INTEGER NOT NULL,
            conditions VARCHAR NOT NULL,
            PRIMARY KEY (doc_id, n)
        );
        """,
    ),
    (
        3,
        "indicator states, so that exitwatch watch reports the indicators that changed since its last run",
        """
        CREATE TABLE indicator_states (
            country VARCHAR NOT NULL,
            period VARCHAR NOT NULL,
            indicator VARCHAR NOT NULL,
            lit BOOLEAN NOT NULL,
            value DOUBLE NOT NULL,
            threshold DOUBLE NOT NULL,
            period_start DATE,
            checked_at TIMESTAMP DEFAULT current_timestamp,
            PRIMARY KEY (country, period, indicator)
        );
        """,
    ),
    (
        4,
        "watched sources: per-source freshness and HTTP validators, and the items each source delivered",
        """
        CREATE TABLE source_states (
            name VARCHAR PRIMARY KEY,
            kind VARCHAR NOT NULL,
            location VARCHAR NOT NULL,
            cadence_seconds DOUBLE,
            interval_seconds DOUBLE,
            first_poll TIMESTAMP,
            last_poll TIMESTAMP,
            last_success TIMESTAMP,
            last_new_item TIMESTAMP,
            last_status INTEGER,
            last_error VARCHAR,
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            total_errors INTEGER NOT NULL DEFAULT 0,
            polls INTEGER NOT NULL DEFAULT 0,
            new_items INTEGER NOT NULL DEFAULT 0,
            etag VARCHAR,
            last_modified VARCHAR,
            stale_notified BOOLEAN NOT NULL DEFAULT false
        );
        CREATE TABLE source_items (
            source VARCHAR NOT NULL,
            item_key VARCHAR NOT NULL,
            doc_id VARCHAR NOT NULL,
            seen_at TIMESTAMP NOT NULL,
            PRIMARY KEY (source, item_key)
        );
        """,
    ),
    (
        5,
        "per-sentence facts for the indicators, found once at read time: country mentions and cue matches",
        """
        CREATE TABLE mentions (
            doc_id VARCHAR NOT NULL,
            n INTEGER NOT NULL,
            sentence_index INTEGER NOT NULL,
            country VARCHAR NOT NULL,
            text VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            sector VARCHAR,
            span_start INTEGER NOT NULL,
            span_end INTEGER NOT NULL,
            PRIMARY KEY (doc_id, n)
        );
        CREATE INDEX mentions_country ON mentions (country);
        CREATE TABLE cue_matches (
            doc_id VARCHAR NOT NULL,
            n INTEGER NOT NULL,
            sentence_index INTEGER NOT NULL,
            indicator VARCHAR NOT NULL,
            text VARCHAR NOT NULL,
            span_start INTEGER NOT NULL,
            span_end INTEGER NOT NULL,
            modality VARCHAR NOT NULL,
            attribution VARCHAR NOT NULL,
            object_country VARCHAR,
            PRIMARY KEY (doc_id, n)
        );
        """,
    ),
    (
        6,
        "the five-class label of each sentence (the reader model's five-class head)",
        """
        ALTER TABLE sentences ADD COLUMN pentaclass INTEGER;
        """,
    ),
    (
        7,
        "the actor roles the reader model's token head tagged in each sentence",
        """
        ALTER TABLE sentences ADD COLUMN roles VARCHAR;
        """,
    ),
]

#: Tables in dependency order (parents first): export, import and stats walk this list.
TABLES = (
    "documents",
    "removed_spans",
    "duplicates",
    "minhashes",
    "readings",
    "sentences",
    "events",
    "claims",
    "mentions",
    "cue_matches",
    "indicator_states",
    "source_states",
    "source_items",
)

SCHEMA_VERSION = MIGRATIONS[-1][0]
