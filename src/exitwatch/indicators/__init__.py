"""Warning indicators from stored news, and the forecast that moves with them (docs/indicators.md).

Public API: ``compute_indicators(store, country, *, period="week", end=None) -> IndicatorReport``,
``compute_indicators_parquet(parquet_dir, country, ...)``, ``load_definitions(path=None)``,
``apply_news(base, report, definitions) -> NewsForecast``, ``update_probability(p, multiplier)``,
``load_factor_config(path)``, ``update_with_news(store, base, definitions, factors, cap)`` (the
indicators of the forecast's window and the forecast updated by them). The news-updated forecast of a country (forecast + indicators) is the
workflow ``exitwatch.app.news.news_updated_forecast``; the watch workflow is ``exitwatch.app.watch``.
"""

from exitwatch.indicators.compute import compute_indicators, compute_indicators_parquet, period_start
from exitwatch.indicators.definitions import Definitions, EventSpec, IndicatorDef, load_definitions
from exitwatch.indicators.records import Evidence, IndicatorReport, IndicatorResult
from exitwatch.indicators.update import (Contribution, NewsForecast, apply_news, load_factor_config,
                                        update_probability, update_with_news)

__all__ = [
    "Contribution",
    "Definitions",
    "EventSpec",
    "Evidence",
    "IndicatorDef",
    "IndicatorReport",
    "IndicatorResult",
    "NewsForecast",
    "apply_news",
    "compute_indicators",
    "compute_indicators_parquet",
    "load_definitions",
    "load_factor_config",
    "period_start",
    "update_probability",
    "update_with_news",
]
