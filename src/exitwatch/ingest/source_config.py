"""Sources as configuration: ``[[source]]`` tables (in a watch config or a ``sources.toml``) and
the short form ``sources = ["https://example.org/feed.xml", "news/"]``, validated with pydantic.

Every mistake is a ``ConfigError`` of one line that names the file, the line and the source.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from exitwatch.errors import ConfigError, UnknownCountryError
from exitwatch.ingest.textio import looks_binary
from exitwatch.kb import resolve_country

#: Kinds of source: an RSS/Atom feed, a sitemap (its page URLs), a single page, a local folder
#: (or file) re-read on each poll.
KINDS = ("feed", "sitemap", "page", "folder")
#: Polling interval of web sources when none is given; folders are re-read on every run.
DEFAULT_INTERVAL = "15m"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")


def parse_duration(value: str | int | float, what: str = "duration") -> float:
    """Seconds in ``value``: a number of seconds or ``<number><unit>`` with unit s, m, h, d or w
    (``"15m"``, ``"6h"``, ``"0.5s"``). Negative or malformed values raise ConfigError."""
    if isinstance(value, bool):
        raise ConfigError(f"{what} {value!r} is not a duration; write e.g. 30s, 15m, 6h, 1d")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ConfigError(f"{what} {value!r} is not a duration; write e.g. 30s, 15m, 6h, 1d")
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds < 0:
        raise ConfigError(f"{what} {value!r} is negative; give a duration of 0 or more (e.g. 15m)")
    return seconds


def format_duration(seconds: float | None) -> str:
    """``seconds`` in the largest unit that divides it (``"6h"``, ``"90s"``); ``-`` for None."""
    if seconds is None:
        return "-"
    for unit, size in sorted(_UNITS.items(), key=lambda u: -u[1]):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


class SourceSpec(BaseModel):
    """One source to poll.

    ``name`` (unique; default: the URL or path), ``kind`` (feed, sitemap, page, folder), ``url``
    (http/https; web kinds) or ``path`` (folder), ``outlet`` (overrides the outlet the source
    names), ``language``, ``countries`` (ISO3 codes it covers), ``cadence`` (seconds: silent for
    longer is *stale*; None: never stale), ``interval`` (seconds between polls), ``fetch_articles``
    (fetch the linked page when a feed entry carries only a summary), ``max_items`` (new items
    taken per poll), ``verified`` (a user has polled it), ``licence`` and ``notes``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    kind: Literal["feed", "sitemap", "page", "folder"] = "feed"
    url: str | None = None
    path: str | None = None
    outlet: str | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
    countries: tuple[str, ...] = ()
    cadence: float | None = Field(default=None, description="seconds; '6h' style strings accepted")
    interval: float | None = Field(default=None, description="seconds; '15m' style strings accepted")
    fetch_articles: bool = True
    max_items: int = Field(default=50, ge=1, le=1000)
    verified: bool = False
    licence: str | None = None
    notes: str | None = None

    @field_validator("cadence", "interval", mode="before")
    @classmethod
    def _duration(cls, value: Any, info) -> float | None:
        if value is None:
            return None
        try:
            return parse_duration(value, info.field_name)
        except ConfigError as e:
            raise ValueError(str(e)) from None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an http:// or https:// URL (scheme {parts.scheme or 'missing'!r})")
        return value

    @field_validator("countries", mode="before")
    @classmethod
    def _countries(cls, value: Any) -> tuple[str, ...]:
        if not isinstance(value, (list, tuple)):
            raise ValueError("countries must be a list such as [\"IRN\", \"Russia\"]")
        try:
            return tuple(resolve_country(str(c)).iso3 for c in value)
        except UnknownCountryError as e:
            raise ValueError(str(e)) from None

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if not data.get("name"):
                data["name"] = data.get("url") or data.get("path") or ""
            if data.get("interval") is None:
                data["interval"] = 0 if data.get("kind") == "folder" else DEFAULT_INTERVAL
        return data

    @model_validator(mode="after")
    def _location(self) -> SourceSpec:
        if self.kind == "folder":
            if not self.path or self.url:
                raise ValueError("a folder source needs path = \"...\" (and no url)")
        elif not self.url or self.path:
            raise ValueError(f"a {self.kind} source needs url = \"https://...\" (and no path)")
        return self

    @property
    def location(self) -> str:
        """The URL or path polled."""
        return self.url or self.path or ""


def source_from_string(value: str, base: Path) -> SourceSpec:
    """The short form: an http(s) URL is a feed (a sitemap when its name says so); anything
    with another scheme is refused; anything else is a local path relative to ``base``."""
    scheme = urlsplit(value).scheme
    if scheme in ("http", "https"):
        kind = "sitemap" if "sitemap" in urlsplit(value).path.lower() else "feed"
        return SourceSpec(kind=kind, url=value)
    if scheme and len(scheme) > 1:  # one letter is a Windows drive
        raise ConfigError(f"{value!r} has the URL scheme {scheme!r}; sources are http(s) URLs or local paths")
    return SourceSpec(kind="folder", path=str(base / value), name=value)


def read_toml(file: Path, what: str) -> tuple[dict, str]:
    """The parsed TOML of ``file`` and its text; ConfigError (one line) when it cannot be read,
    is binary, or is not TOML."""
    try:
        data = file.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read {what} {file}: {e.strerror or e}") from e
    if looks_binary(data[:8192]):
        raise ConfigError(f"{what} {file} is a binary file, not TOML text")
    try:
        text = data.decode("utf-8")
        return tomllib.loads(text), text
    except UnicodeDecodeError as e:
        raise ConfigError(f"{what} {file} is not UTF-8 text (byte {e.start})") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{what} {file} is not valid TOML: {e}") from e


def line_of(text: str, table: str, index: int, key: str | None = None) -> int | None:
    """The line number of the ``index``-th ``[[table]]`` header of ``text`` (or of ``key`` inside
    it), for error messages."""
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
    seen, start = -1, None
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            seen += 1
            if seen == index:
                start = number
                if key is None:
                    return number
            elif start is not None:
                break
        elif start is not None and re.match(rf"^\s*\[", line):
            break
        elif start is not None and re.match(rf"^\s*{re.escape(key or '')}\s*=", line):
            return number
    return start


def line_containing(text: str, needle: str) -> int | None:
    """The first line of ``text`` that contains ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def where(file: Path, line: int | None) -> str:
    """``file:line`` for an error message (``file`` alone when the line is unknown)."""
    return f"{file}:{line}" if line else str(file)


def _error_text(e: ValidationError) -> tuple[str | None, str]:
    """The first offending key and a one-line account of every problem."""
    parts, first = [], None
    for err in e.errors():
        key = str(err["loc"][0]) if err["loc"] else None
        first = first or key
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = f"unknown key; valid keys: {', '.join(SourceSpec.model_fields)}"
        parts.append(f"{key}: {message}" if key else message)
    return first, "; ".join(parts)


def parse_source_tables(tables: Any, *, file: Path, text: str, base: Path) -> list[SourceSpec]:
    """The ``[[source]]`` tables of a config file as SourceSpecs (relative paths made relative
    to ``base``); one-line ConfigError naming the file, line and source on any mistake."""
    if not isinstance(tables, list):
        raise ConfigError(f"{file}: 'source' must be [[source]] tables")
    specs = []
    for index, table in enumerate(tables):
        if not isinstance(table, dict):
            raise ConfigError(f"{file}: 'source' must be [[source]] tables")
        label = table.get("name") or table.get("url") or table.get("path") or f"#{index + 1}"
        try:
            spec = SourceSpec(**table)
        except ValidationError as e:
            key, message = _error_text(e)
            line = line_of(text, "source", index, key)
            raise ConfigError(f"{where(file, line)}: source {label!r}: {message}") from e
        if spec.kind == "folder" and not Path(spec.path).is_absolute():
            spec = spec.model_copy(update={"path": str(base / spec.path)})
        specs.append(spec)
    check_unique(specs, file)
    return specs


def check_unique(specs: list[SourceSpec], file: Path) -> None:
    names: set[str] = set()
    for spec in specs:
        if spec.name in names:
            raise ConfigError(f"{file}: two sources are named {spec.name!r}; give each a unique name")
        names.add(spec.name)


def load_sources(path: str | Path) -> list[SourceSpec]:
    """The ``[[source]]`` tables of a standalone ``sources.toml`` (paths relative to its folder)."""
    file = Path(path)
    raw, text = read_toml(file, "sources file")
    unknown = sorted(set(raw) - {"source"})
    if unknown:
        line = line_containing(text, unknown[0])
        raise ConfigError(f"{where(file, line)}: unknown table or key {unknown[0]!r}; a sources file holds [[source]] tables")
    return parse_source_tables(raw.get("source", []), file=file, text=text, base=file.resolve().parent)


def example_sources_path() -> Path:
    """The packaged starter list of public feeds (every one marked unverified, with licence notes)."""
    return Path(str(resources.files("exitwatch.ingest").joinpath("data", "sources.example.toml")))
