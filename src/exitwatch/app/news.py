"""``news_updated_forecast``: the history-based forecast of a country's leader moved by the
indicators lit by the stored news, as of the forecast date (a workflow over the forecast and
indicators stages; the update itself is ``exitwatch.indicators.update.apply_news``).

The news window ends at the forecast date, never at the newest stored story: news older than the
indicators' windows does not count, and evidence fades with its age inside them.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from exitwatch.forecast import forecast_one
from exitwatch.indicators import load_definitions
from exitwatch.indicators.update import NewsForecast, load_factor_config, update_with_news
from exitwatch.store import Store


def news_updated_forecast(
    store,
    country: str,
    *,
    as_of: dt.date | None = None,
    period: str = "week",
    config: str | os.PathLike | None = None,
    definitions: str | os.PathLike | None = None,
) -> NewsForecast:
    """The forecast of ``country``'s leader (``exitwatch.forecast.forecast_one``, JSON key ``base``)
    updated with the indicators lit by the news in ``store``.

    ``as_of``: forecast date, and the last day of news used (default today); ``recent_news``
    says whether the window ending there holds any news. ``config``: TOML file overriding factors
    and cap. ``definitions``: indicator definitions file.
    """
    defs = load_definitions(str(definitions) if definitions else None)
    factors, cap, source = load_factor_config(config, defs)
    base = forecast_one(country, as_of=as_of)
    return update_with_news(store, base, defs, factors, cap, period=period, factors_source=source)[1]


def stored_news_forecast(
    db_path: str | os.PathLike, country: str, *, as_of: dt.date | None = None, config: str | os.PathLike | None = None
) -> NewsForecast | None:
    """``news_updated_forecast`` over the store at ``db_path``, or None when there is no such store
    or it holds no read documents (so ``exitwatch forecast`` uses stored news when there is any)."""
    if config is not None:  # a broken factor file is an error even when there is no news to apply it to
        load_factor_config(config, load_definitions())
    if str(db_path) != ":memory:" and not Path(db_path).is_file():
        return None
    with Store(db_path) as store:
        if not store.table_counts()["readings"]:
            return None
        return news_updated_forecast(store, country, as_of=as_of, config=config)
