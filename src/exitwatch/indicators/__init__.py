"""Warning indicators from stored news, and the forecast that moves with them (docs/indicators.md).

Public API: ``compute_indicators(store, country, *, period="week", end=None) -> IndicatorReport``,
``compute_indicators_parquet(parquet_dir, country, ...)``, ``load_definitions(path=None)``,
``news_updated_forecast(store, country, *, as_of=None, config=None) -> NewsForecast``,
``update_odds(base, factors, cap)`` and ``watch(store, config)``.
"""

from exitwatch.indicators.compute import compute_indicators, compute_indicators_parquet, period_start
from exitwatch.indicators.definitions import Definitions, EventSpec, IndicatorDef, load_definitions
from exitwatch.indicators.records import Evidence, IndicatorReport, IndicatorResult

__all__ = [
    "Definitions",
    "EventSpec",
    "Evidence",
    "IndicatorDef",
    "IndicatorReport",
    "IndicatorResult",
    "compute_indicators",
    "compute_indicators_parquet",
    "load_definitions",
    "period_start",
]
