"""Forecast commands: ``data sources``, ``train``, ``backtest``, ``forecast``."""

from __future__ import annotations

import datetime as dt
import os

import click

from exitwatch.app.news import stored_news_forecast
from exitwatch.cli.common import DATE, echo_json, format_option
from exitwatch.cli.indicators_cmds import format_news_forecast
from exitwatch.cli.progress import progress_callback
from exitwatch.forecast import forecast
from exitwatch.forecast.backtest import run_backtest
from exitwatch.forecast.importers import data_sources
from exitwatch.forecast.ranking import riskiest_first
from exitwatch.forecast.training import train as run_train
from exitwatch.locations import DEFAULT_DB_ENV, default_db_path, require_store

data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False), default=None,
    help="Folder with archigos/, reign/ and peacesciencer/ [default: $EXITWATCH_DATA or ../shared/data].")


@click.group()
def data() -> None:
    """The public datasets exitwatch's models are built and evaluated on.

    \b
    Example:
      exitwatch data sources
    """


@data.command("sources")
@format_option("text", "json")
def sources(output_format: str) -> None:
    """List every dataset: files, public download location, licence and citation.

    \b
    Example:
      exitwatch data sources
      exitwatch data sources --format json
    """
    rows = data_sources()
    if output_format == "json":
        echo_json([r.to_dict() for r in rows])
        return
    for row in rows:
        click.echo(f"{row.key}: {row.dataset}\n  files:    {row.files}\n  download: {row.url}\n"
                   f"  licence:  {row.licence}\n  cite:     {row.citation}")


@click.command()
@data_dir_option
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Model file to write (.joblib) [default: ~/.local/share/exitwatch/forecast.joblib "
                   "($XDG_DATA_HOME), which `exitwatch forecast` then uses instead of the shipped model].")
@click.option("--train-end", default=None, help="Last month whose outcomes are used (YYYY-MM) [default: end of Archigos].")
@click.option("--context-only", is_flag=True,
              help="Keep the fitted models of --out (or the shipped bundle); recompute only today's country context.")
def train(data_dir: str | None, out: str | None, train_end: str | None, context_only: bool) -> None:
    """Rebuild the forecast models (hazard per horizon, exit mode, fate, baselines, today's
    country context and exile destinations) from the history files, and print their scores.

    \b
    Example:
      exitwatch train
      exitwatch train --data-dir ~/data/exitwatch --out /tmp/forecast.joblib
    """
    with progress_callback("training") as progress:
        report = run_train(data_dir=data_dir, out=out, train_end=train_end, context_only=context_only,
                           progress=progress)
    click.echo(f"wrote {report.path} ({report.size_bytes / 1e6:.1f} MB): {report.rows:,} leader-months, "
               f"outcomes through {report.trained_through}")
    if out is None:
        click.echo(f"forecasts now use it; delete {report.path} to go back to the shipped model")
    for name, scores in report.metrics.items():
        if scores:
            click.echo(f"{name} (trained before {scores['split_year']}, tested on {scores['n_test']} later exits): "
                       f"log loss {scores['log_loss']:.3f} vs prior {scores['log_loss_prior']:.3f}, "
                       f"accuracy {scores['accuracy']:.3f} vs prior {scores['accuracy_prior']:.3f}")


@click.command()
@click.option("--train-end", required=True, help="Last day or month whose outcomes training may use.")
@click.option("--start", required=True, help="First month to predict (YYYY-MM).")
@click.option("--end", required=True, help="Last month to predict (YYYY-MM).")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write the predictions CSV here.")
@data_dir_option
def backtest(train_end: str, start: str, end: str, out: str | None, data_dir: str | None) -> None:
    """Train only on outcomes known by --train-end, predict every leader-month from --start to
    --end, and print AUC, Brier score and log loss per horizon beside the baselines, and how
    many true irregular exits each month's top 10 caught.

    \b
    Example:
      exitwatch backtest --train-end 2009-12-31 --start 2010-01 --end 2014-09 --out backtest.csv
    """
    with progress_callback("backtest") as progress:
        report = run_backtest(train_end=train_end, start=start, end=end, out=out, data_dir=data_dir,
                              progress=progress)
    click.echo(f"trained on outcomes through {report.train_end}; predicted {report.start}..{report.end}: "
               f"{len(report.predictions):,} leader-months")
    click.echo(f"{'kind':<10}{'h':>3} {'model':<11}{'n':>7}{'events':>7}{'AUC':>7}{'Brier':>8}{'logloss':>9}")
    for r in report.scores.itertuples(index=False):
        click.echo(f"{r.kind:<10}{r.horizon:>3} {r.model:<11}{r.n:>7}{r.events:>7}{r.auc:>7.3f}"
                   f"{r.brier:>8.4f}{r.log_loss:>9.4f}")
    click.echo("reliability (deciles of the forecast: mean predicted vs observed rate):")
    rel = report.reliability
    for kind, h in (("irregular", 1), ("irregular", 12), ("exit", 12)):
        part = rel[(rel["kind"] == kind) & (rel["horizon"] == h)]
        click.echo(f"  {kind} {h}m: " + "  ".join(f"{r.predicted:.4f}/{r.observed:.4f}" for r in part.itertuples()))
    click.echo("irregular exits ranked in their month's top N by p_irregular_1m: "
               + ", ".join(f"top {r.n}: {r.hits} of {r.events} ({r.rate:.0%})" for r in report.top_n.itertuples()))
    top = report.top10
    for r in top[top["events"] > 0].itertuples(index=False):
        click.echo(f"  {r.month}: {r.in_top10} of {r.events} ({', '.join(r.leaders)})")
    if out:
        click.echo(f"wrote {out}")


def _require_named_store(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The news store is optional, but one named with --db or $EXITWATCH_DB must exist."""
    named = ctx.get_parameter_source(param.name) is not click.core.ParameterSource.DEFAULT or DEFAULT_DB_ENV in os.environ
    if named and not ctx.resilient_parsing:
        require_store(value)
    return value


@click.command("forecast")
@click.argument("country", required=False)
@click.option("--as-of", "as_of", type=DATE, default=None,
              help="Date to forecast from (YYYY-MM-DD) [default: today].")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=default_db_path,
              show_default=f"${DEFAULT_DB_ENV} or ./exitwatch.duckdb", callback=_require_named_store,
              help="Store whose news (lit indicators) updates the forecast of COUNTRY when it holds read documents "
                   "(must exist when named; the default one may be absent).")
@click.option("--factors", type=click.Path(dir_okay=False, exists=True), default=None,
              help="TOML file overriding the indicators' odds factors and cap (see docs/indicators.md).")
@format_option("text", "json")
def forecast_command(country: str | None, as_of: dt.date | None, db_path: str, factors: str | None,
                     output_format: str) -> None:
    """Forecast when today's leader goes (P(exit), P(irregular exit) within 1, 3, 6, 12 months),
    how (exit modes), what happens to him (fates) and where he could flee. Without COUNTRY:
    every country of the current-leaders table, riskiest first (highest P(exit within 12 months)).

    \b
    Example:
      exitwatch forecast IRN
      exitwatch forecast IRN --db risk.duckdb --factors my-factors.toml
      exitwatch forecast Venezuela --as-of 2026-06-01 --format json
      exitwatch forecast
    """
    results = riskiest_first(forecast(country, as_of=as_of))
    news = None
    if country is not None:  # with news in the store: the update by the lit indicators (docs/indicators.md)
        news = stored_news_forecast(db_path, country, as_of=as_of, config=factors)
    if output_format == "json":
        echo_json([r.to_dict() | ({"news": news.to_dict()} if news and news.country_iso3 == r.country_iso3 else {})
                   for r in results])
        return
    if country is None:
        click.echo(f"{'country':<8}{'leader':<34}{'P(exit 12m)':>12}{'P(irreg 12m)':>13}  {'interval':<12}")
        for r in results:
            low, high = r.p_irregular_interval[12]
            flag = " *" if r.warnings else ""
            click.echo(f"{r.country_iso3:<8}{r.leader[:33]:<34}{r.p_exit[12]:>12.3f}{r.p_irregular[12]:>13.3f}"
                       f"  {low:.3f}-{high:.3f}{flag}")
        if any(r.warnings for r in results):
            click.echo("* current-leaders row unverified or checked more than six months ago "
                       "(`exitwatch forecast COUNTRY` says which)")
        return
    for r in results:
        click.echo(_text(r))
        if news and news.country_iso3 == r.country_iso3:
            click.echo(format_news_forecast(news))


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def _span(low: float, high: float) -> str:
    return f"{100 * low:.1f}-{100 * high:.1f}%"


def _text(r) -> str:
    lines = [(f"{r.leader} ({r.country_name}, {r.country_iso3}), in office since {r.in_office_since}; "
              f"forecast as of {r.as_of}"),
             "  horizon     " + "".join(f"{f'{h} mo':>12}" for h in r.p_exit),
             "  P(exit)     " + "".join(f"{_pct(p):>12}" for p in r.p_exit.values()),
             "    interval  " + "".join(f"{_span(lo, hi):>12}" for lo, hi in r.p_exit_interval.values()),
             "  P(irregular)" + "".join(f"{_pct(p):>12}" for p in r.p_irregular.values()),
             "    interval  " + "".join(f"{_span(lo, hi):>12}" for lo, hi in r.p_irregular_interval.values()),
             "  if he goes, how: " + ", ".join(f"{m} {_pct(p)}" for m, p in r.exit_modes.items()),
             "  if he goes, fate: " + ", ".join(f"{f} {_pct(p)}" for f, p in r.fates.items()),
             "  exile destinations:"]
    for d in r.destinations:
        lines.append(f"    {d.name} ({d.country_iso3}, {_pct(d.score)}): {'; '.join(d.reasons)}")
    lines.append("  inputs: " + ", ".join(f"{k} {v}" for k, v in r.inputs_age.items()))
    if r.imputed:
        lines.append("  imputed (no data, training mean used): " + ", ".join(r.imputed))
    if r.stale_inputs:
        lines.append("  carried forward past their last year: "
                     + ", ".join(f"{k} (last {v})" for k, v in r.stale_inputs.items()))
    lines.extend(f"  WARNING: {w}" for w in r.warnings)
    lines.append(f"  model: {r.model_version}")
    return "\n".join(lines)
