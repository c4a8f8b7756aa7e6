"""``exitwatch watch`` (poll sources, alert on changes; once for cron or ``--every``) and
``exitwatch sources`` (per-source freshness)."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from exitwatch.app.notify import Notifier
from exitwatch.app.watch import DEFAULT_CONFIG, load_watch_config, run_watch, source_statuses, stop_on_signals
from exitwatch.cli.common import db_option, echo_json, format_option
from exitwatch.ingest.source_config import example_sources_path, format_duration, parse_duration
from exitwatch.store import Store

config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), default=None,
    help="Watch config: a TOML file with a [watch] table and [[source]] tables [default: ./exitwatch-watch.toml].")


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def _print_cycle(n: int, report) -> None:
    for problem in report.problems:
        click.secho(problem, fg="yellow", err=True)
    polled = len(report.polled)
    failed = sum(1 for p in report.polled if p.error)
    click.echo(f"[{_when(report.at)} UTC] cycle {n}: {polled} sources polled ({failed} failed), "
               f"{report.added} new documents, {report.near_duplicates} near-copies, {report.duplicates} already stored; "
               f"{len(report.changes)} indicator changes, {len(report.stale)} stale sources")
    for change in report.changes:
        verb = "now LIT" if change.lit else "no longer lit"
        click.echo(f"  {change.country_iso3} {change.indicator}: {verb} (value {change.value:.2f}, "
                   f"threshold {change.threshold:.2f})" + (f": {change.top_evidence}" if change.lit and change.top_evidence else ""))
    for name in report.went_stale:
        click.secho(f"  STALE: {name} has been silent beyond its expected cadence", fg="red")
    for name in report.fresh_again:
        click.echo(f"  fresh again: {name}")
    for iso3, names in report.lit.items():
        click.echo(f"  {iso3} lit: {', '.join(names) or 'none'}")


@click.command("watch")
@config_option
@click.option("--every", default=None, metavar="DURATION",
              help="Keep running, one cycle every DURATION (30s, 15m, 1h); stop with Ctrl-C or SIGTERM.")
@click.option("--cycles", type=click.IntRange(min=1), default=None, help="With --every: stop after this many cycles.")
@click.option("--notify", "notify_url", default=None, metavar="URL",
              help="POST the JSON report to this webhook whenever something changed.")
@click.option("--notify-secret", envvar="EXITWATCH_NOTIFY_SECRET", default=None, show_envvar=True,
              help="Shared secret: the POST carries X-Exitwatch-Signature: sha256=HMAC(secret, body).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Write the JSON report here whenever something changed.")
@format_option("text", "json")
@db_option
def watch_command(config_path, every, cycles, notify_url, notify_secret, report_path, output_format, db_path) -> None:
    """Poll the configured sources that are due, store new items, and report the indicators whose
    lit state changed and the sources that went silent. Exit status: 0 nothing changed, 1 some
    indicator or source changed state (an alert), 2 error; for cron. With --every it keeps
    running, one progress line per cycle, and exits 0 when stopped.

    \b
    Example:
      exitwatch watch --config exitwatch-watch.toml --db risk.duckdb
      exitwatch watch --every 15m --notify https://hooks.example.org/exitwatch
      exitwatch watch --format json || mail -s "exitwatch alert" analyst@example.org
    """
    config = load_watch_config(config_path)
    interval = parse_duration(every, "--every") if every is not None else None
    notifier = Notifier(notify_url, secret=notify_secret) if notify_url else None
    as_json = output_format == "json"

    def on_cycle(n, report):
        if as_json:
            echo_json(report.to_dict())
        else:
            _print_cycle(n, report)

    with Store(db_path) as store, stop_on_signals(threading.Event()) as stop:
        run = run_watch(store, config, every=interval, cycles=cycles, notifier=notifier, report_path=report_path,
                        stop=stop, on_cycle=on_cycle)
    if interval is None and run.alerts:
        raise click.exceptions.Exit(1)


@click.command("sources")
@config_option
@click.option("--example", is_flag=True, help="Print the starter list of public feeds (a sources.toml) and exit.")
@format_option("text", "json")
@db_option
def sources_command(config_path, example, output_format, db_path) -> None:
    """Every watched source with its freshness: last poll, last success, last new item, errors,
    HTTP status, and STALE when it has been silent beyond its expected cadence. Sources in the
    config that were never polled are listed too.

    \b
    Example:
      exitwatch sources --config exitwatch-watch.toml
      exitwatch sources --format json --db risk.duckdb
      exitwatch sources --example > sources.toml
    """
    if example:
        click.echo(example_sources_path().read_text(encoding="utf-8"), nl=False)
        return
    specs = load_watch_config(config_path).sources if config_path or Path(DEFAULT_CONFIG).is_file() else []
    with Store(db_path) as store:
        statuses = source_statuses(store, specs)
    if output_format == "json":
        echo_json([s.to_dict() for s in statuses])
        return
    if not statuses:
        click.echo("no sources: none configured or polled yet (exitwatch watch --config FILE)")
    for s in statuses:
        state = click.style("STALE", fg="red", bold=True) if s.stale else ("error" if s.consecutive_errors else "ok")
        click.echo(f"{state:<5} {s.name} [{s.kind}] {s.url}")
        click.echo(f"      last poll {_when(s.last_poll)}, success {_when(s.last_success)}, new item "
                   f"{_when(s.last_new_item)} (UTC); status {s.last_status or '-'}; {s.new_items} items; "
                   f"errors {s.consecutive_errors} in a row, {s.total_errors} in all; cadence "
                   f"{format_duration(s.cadence)}, every {format_duration(s.interval)}")
        if s.last_error:
            click.echo(f"      last error: {s.last_error}")


def register(group: click.Group) -> None:
    group.add_command(watch_command)
    group.add_command(sources_command)
