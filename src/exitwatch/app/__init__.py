"""Application workflows that span stages (ingest, store, indicators): above the stages, below the CLI."""
