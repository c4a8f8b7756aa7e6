"""The command table: which module defines each top-level command, and its one-line help.

The CLI imports a command's module only when that command runs (or shows its own ``--help``),
so ``exitwatch --help`` and light commands do not load spaCy, scikit-learn, FastAPI or pandas.
The one-line helps here are what ``exitwatch --help`` lists; ``tests/test_cli_help.py`` checks
that each equals the first sentence of the command's own help.
"""

from __future__ import annotations

import importlib

import click

#: name -> (module in ``exitwatch.cli``, attribute, one-line help), in the pipeline's order.
COMMANDS: dict[str, tuple[str, str, str]] = {
    'demo': ('demo_cmds', 'demo', 'Ingest the bundled sample corpus (and the example article when it sits beside the checkout), print what was stored, then print the brief for the example scenario.'),
    'ingest': ('ingest_cmds', 'ingest', 'Ingest text, HTML, JSON, JSONL, CSV and RSS/Atom files, folders (recursive) or - (stdin).'),
    'read': ('read_cmds', 'read', 'Read one document (text, HTML, JSON, CSV, feed; the first record) and print its sentences, PLOVER events and claims with attribution chains and modality (JSON: docs/read.schema.json).'),
    'reread': ('ingest_cmds', 'reread', "Read stored documents again with this version's reader and replace their stored readings (sentences, events, claims, mentions, cue matches)."),
    'stats': ('store_cmds', 'stats', 'Print what the store holds: rows per table and the schema version.'),
    'export-parquet': ('store_cmds', 'export_parquet', 'Write every table of the store to DIRECTORY/<table>.parquet.'),
    'import-parquet': ('store_cmds', 'import_parquet', 'Load Parquet tables (DIRECTORY/<table>.parquet or DIRECTORY/<table>/*.parquet) into the store; rows already stored are skipped.'),
    'indicators': ('indicators_cmds', 'indicators_command', 'Warning indicators of COUNTRY from the stored news: weighted series per period, baseline, threshold, lit state and the best evidence (sentence, outlet, attribution chain).'),
    'watch': ('watch_cmds', 'watch_command', 'Poll the configured sources that are due, store new items, and report the indicators whose lit state changed and the sources that went silent.'),
    'sources': ('watch_cmds', 'sources_command', 'Every watched source with its freshness: last poll, last success, last new item, errors, HTTP status, and STALE when it has been silent beyond its expected cadence.'),
    'data': ('forecast_cmds', 'data', "The public datasets exitwatch's models are built and evaluated on."),
    'train': ('forecast_cmds', 'train', "Rebuild the forecast models (hazard per horizon, exit mode, fate, baselines, today's country context and exile destinations) from the history files, and print their scores."),
    'backtest': ('forecast_cmds', 'backtest', "Train only on outcomes known by --train-end, predict every leader-month from --start to --end, and print AUC, Brier score and log loss per horizon beside the baselines, and how many true irregular exits each month's top 10 caught."),
    'forecast': ('forecast_cmds', 'forecast_command', "Forecast when today's leader goes (P(exit), P(irregular exit) within 1, 3, 6, 12 months), how (exit modes), what happens to him (fates) and where he could flee."),
    'brief': ('report_cmds', 'brief', 'One-page brief on COUNTRY (ISO3, name or Gleditsch-Ward number): headline probability and timing, trend, lit indicators with evidence and attribution chains, likely fate and destinations, what would change the assessment, data vintage.'),
    'serve': ('serve_cmds', 'serve', 'Serve the dashboard and the JSON API (OpenAPI docs at /docs) over the store.'),
    'eval': ('eval_cmds', 'eval_group', "Evaluate the reader's coders and models against gold data; each prints one JSON object."),
}


class LazyGroup(click.Group):
    """A click group whose commands come from ``COMMANDS``, each module imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(importlib.import_module(f"exitwatch.cli.{module}"), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands from the table's one-line helps, without importing their modules."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, click.Command(name, help=help_text).get_short_help_str(limit)) for name, (_, _, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


#: What to use instead of a command while `exitwatch serve` holds the store (see StoreLockedError).
SERVE_INSTEAD = {
    "ingest": "POST /api/uploads (a file) or POST /api/documents, with X-API-Key",
    "indicators": "GET /api/countries/COUNTRY/indicators",
    "forecast": "GET /api/forecasts/COUNTRY",
    "brief": "GET /brief/COUNTRY (?format=md for Markdown)",
    "stats": "GET /api/documents",
}
