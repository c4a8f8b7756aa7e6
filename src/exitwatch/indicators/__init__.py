"""Warning indicators from stored news, and the forecast that moves with them (docs/indicators.md).

Public API: ``compute_indicators(store, country, *, period="week", end=None) -> IndicatorReport``,
``compute_indicators_parquet(parquet_dir, country, ...)``, ``load_definitions(path=None)``,
``news_updated_forecast(store, country, *, as_of=None, config=None) -> NewsForecast``,
``apply_news(base, report, definitions)``, ``update_probability(p, multiplier)``,
``stored_news_forecast(db_path, country)``. (The watch workflow is ``exitwatch.app.watch``.)
"""

from exitwatch.indicators.compute import compute_indicators, compute_indicators_parquet, period_start
from exitwatch.indicators.definitions import Definitions, EventSpec, IndicatorDef, load_definitions
from exitwatch.indicators.news import (
    Contribution,
    NewsForecast,
    apply_news,
    news_updated_forecast,
    stored_news_forecast,
    update_probability,
)
from exitwatch.indicators.records import Evidence, IndicatorReport, IndicatorResult

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
    "news_updated_forecast",
    "period_start",
    "stored_news_forecast",
    "update_probability",
]
