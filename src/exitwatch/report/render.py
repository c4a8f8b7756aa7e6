"""The Jinja2 environment shared by the brief and the dashboard, and its formatting filters."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from exitwatch.read.lexicon import relay_link_text
from exitwatch.report.charts import sparkline


def pct(p: float | None, digits: int = 0) -> str:
    """A probability as a percentage ("14%"); "<1%" for small non-zero values, "–" for None."""
    if p is None:
        return "–"
    if 0 < p < 0.01 and digits == 0:
        return "<1%"
    return f"{p:.{digits}%}"


def chain(sources) -> str:
    """An attribution chain, innermost source first: "an intelligence source (anonymous), via
    The Times, via Hot Air" ("The Guardian, picked up by other outlets, via Hot Air"). Accepts Source records, their dict form, or plain source texts."""
    parts = []
    for s in sources or ():
        if isinstance(s, str):
            parts.append(s)
            continue
        s = s if isinstance(s, dict) else s.to_dict()
        text = s.get("description") or s.get("text") or "?"
        parts.append(f"{text} (anonymous)" if s.get("anonymous") else text)
    if not parts:
        return "the author"
    relay = relay_link_text()  # "X, picked up by other outlets, via Y", never "via picked up by ..."
    return parts[0] + "".join((", " if part == relay else ", via ") + part for part in parts[1:])


def day(value) -> str:
    """A date as YYYY-MM-DD ("undated" for None)."""
    if value is None:
        return "undated"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The template environment: ``*.html`` templates autoescaped, ``*.md`` ones not."""
    env = Environment(
        loader=PackageLoader("exitwatch.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), disabled_extensions=("md",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=pct, chain=chain, day=day, sparkline=sparkline)
    return env


def render(template: str, **context) -> str:
    """Render ``template`` (``*.html`` escaped, ``*.md`` not) with ``context``."""
    return environment().get_template(template).render(**context)


def stylesheet() -> str:
    """The dashboard's CSS, for inlining into a standalone HTML brief."""
    return resources.files("exitwatch.report").joinpath("static/style.css").read_text(encoding="utf-8")
