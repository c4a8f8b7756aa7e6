"""The Jinja2 environments of the brief and the dashboard, and their formatting filters.

``*.html`` templates are HTML-escaped; ``*.md`` templates are Markdown-escaped: every ``{{ }}``
value goes through ``markdown_text``, so stored text cannot add HTML, links or formatting to
a brief. Links to other sites are rendered only for ``http`` and ``https`` URLs (``web_url``).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from exitwatch.read.lexicon import relay_link_text
from exitwatch.report.charts import sparkline


def pct(p: float | None, digits: int = 0) -> str:
    """A probability as a percentage ("14%"); "<1%" for small non-zero values, "–" for None."""
    if p is None:
        return "–"
    if 0 < p < 0.01 and digits == 0:
        return "<1%"
    return f"{p:.{digits}%}"


def pct_range(interval) -> str:
    """A probability interval (low, high) as one range ("9–14%"; one decimal when the high end is
    under 10%: "0.8–1.3%"); "–" for None or an empty interval."""
    if not interval:
        return "–"
    low, high = interval
    digits = 1 if high < 0.1 else 0
    return f"{low:.{digits}%}".rstrip("%") + f"–{high:.{digits}%}"


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


#: URL schemes a page may link to; anything else (javascript:, data:, file:, ...) is not a link.
LINK_SCHEMES = ("http", "https")
#: Characters that can start Markdown markup: emphasis, code, links and images, autolinks and
#: HTML, entities, tables, headings, strike-through.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|#~])")


def web_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, else None (not to be linked)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else None


def markdown_text(value) -> str:
    """A value as literal Markdown text: one line, every character that could start markup, a
    link, an autolink, HTML or an entity backslash-escaped ("[x](javascript:...)" stays text)."""
    if value is None:
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def schema_type(schema: dict) -> str:
    """A JSON schema in a few words: "integer", "array of Event", "string or null"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(schema_type(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"array of {schema_type(schema.get('items', {}))}"
    kind = schema.get("format") or schema.get("type") or "any"
    return f"{kind} ({', '.join(map(str, schema['enum']))})" if "enum" in schema else str(kind)


@lru_cache(maxsize=2)
def environment(markdown: bool = False) -> Environment:
    """The template environment: HTML-escaped, or Markdown-escaped (``markdown``)."""
    env = Environment(
        loader=PackageLoader("exitwatch.report", "templates"),
        autoescape=not markdown,
        finalize=markdown_text if markdown else None,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=pct, pct_range=pct_range, chain=chain, day=day, sparkline=sparkline, schema_type=schema_type, web_url=web_url)
    return env


def render(template: str, **context) -> str:
    """Render ``template`` (``*.md`` Markdown-escaped, the others HTML-escaped) with ``context``."""
    return environment(markdown=template.endswith(".md")).get_template(template).render(**context)


def stylesheet() -> str:
    """The dashboard's CSS, for inlining into a standalone HTML brief."""
    return resources.files("exitwatch.report").joinpath("static/style.css").read_text(encoding="utf-8")
