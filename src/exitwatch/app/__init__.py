"""Application workflows that span stages: ingest files end to end (``ingest_pipeline``), API
uploads (``uploads``), re-reading stored documents with this version's reader (``reread``), the demo (``demo``), the watch loop (``watch``, ``notify``), the web server
(``server.create_app`` with its write endpoints in ``api_write``), the news-updated forecast of a
country (``news``) and the indicators' record before irregular exits (``factor_evidence``). Stage
packages never import this package (the import rule in
docs/architecture.md); import the workflow modules themselves, e.g.
``from exitwatch.app.ingest_pipeline import ingest``.
"""
