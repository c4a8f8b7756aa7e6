"""``exitwatch indicators``: the warning indicators of one country."""

from __future__ import annotations

import datetime as dt

import click

from exitwatch.cli.common import DATE, db_option, echo_json, format_option
from exitwatch.indicators import compute_indicators
from exitwatch.store import Store

definitions_option = click.option(
    "--definitions", type=click.Path(dir_okay=False, exists=True), default=None,
    help="Indicator definitions file in the format of indicators/data/indicators.toml [default: the packaged one].")


def _print_report(report) -> None:
    click.echo(f"{report.country_iso3}: {report.period} starting {report.period_start} (news up to {report.end}, "
               f"{report.documents} documents read); lit when score - baseline >= threshold")
    for result in report.indicators:
        state = click.style("LIT", fg="red", bold=True) if result.lit else " - "
        click.echo(f"{state} {result.title} [{result.name}]: value {result.value:.2f} (score {result.score:.2f}, "
                   f"baseline {result.baseline:.2f}, threshold {result.threshold:.2f}; "
                   f"{result.documents} documents, {result.outlets} outlets)")
        click.echo("      series: " + " ".join(f"{v:g}" for v in result.series.values()))
        for item in result.evidence[:3]:
            chain = " <- ".join(item.attribution) or "author"
            copies = f"; also in {', '.join(item.copies)}" if item.copies else ""
            click.echo(f"      {item.weight:.2f} {item.modality:<12} \"{item.text}\"")
            click.echo(f"           {item.outlet or 'unknown outlet'}, {item.date}; via {chain}; {item.matched}{copies}")


@click.command("indicators")
@click.argument("country")
@click.option("--period", type=click.Choice(["day", "week", "month"]), default="week", show_default=True,
              help="Length of one period of the series.")
@click.option("--end", type=DATE, default=None,
              help="Last day covered (YYYY-MM-DD) [default: the latest news about the country].")
@definitions_option
@format_option("text", "json")
@db_option
def indicators_command(country: str, period: str, end: dt.date | None, definitions: str | None,
                       output_format: str, db_path: str) -> None:
    """Warning indicators of COUNTRY from the stored news: weighted series per period, baseline,
    threshold, lit state and the best evidence (sentence, outlet, attribution chain).

    \b
    Example:
      exitwatch indicators IRN
      exitwatch indicators Iran --period month --format json --db risk.duckdb
    """
    with Store(db_path) as store:
        report = compute_indicators(store, country, period=period, end=end,
                                    definitions=definitions)
    if output_format == "json":
        echo_json(report.to_dict())
    else:
        _print_report(report)


def register(group: click.Group) -> None:
    group.add_command(indicators_command)


def format_news_forecast(news) -> str:
    """Text of a NewsForecast: base and updated probabilities, and each indicator's part."""
    horizons = list(news.base["p_exit"])
    lines = [f"  news update ({news.news_period} starting {news.news_period_start}, news up to {news.news_end}, "
             f"{news.news_documents} documents{'' if news.recent_news else '; no recent news: forecast unchanged'}):",
             "    horizon              " + "".join(f"{h:>4} mo " for h in horizons)]
    for kind, label in (("p_exit", "P(exit)"), ("p_irregular", "P(irregular)")):
        for stage in ("base", "updated"):
            values = getattr(news, stage)[kind]
            lines.append(f"    {label + ' ' + stage:<21}" + "".join(f"{100 * values[h]:>7.1f}%" for h in horizons))
    lines.append(f"    odds x{news.multiplier:g} (lit factors multiply to {news.combined_factor:g}, cap {news.cap:g})")
    for c in news.contributions:
        mark = "LIT" if c.lit else " - "
        lines.append(f"    {mark} {c.title}: value {c.value:.2f} / threshold {c.threshold:.2f} -> x{c.applied:g}")
    return "\n".join(lines)
