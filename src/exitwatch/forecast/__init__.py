"""Forecast stage: history importers, the leader-month panel, hazard / exit-mode / fate models,
backtests and exile destinations (see docs/forecast.md).

Entry points: ``forecast(country=None, *, as_of=None) -> list[LeaderForecast]`` and
``forecast_one(country, *, as_of=None) -> LeaderForecast`` (today's leaders, from the shipped
models); ``training.train`` (``exitwatch train``) and ``backtest.run_backtest``
(``exitwatch backtest``).
"""

from exitwatch.forecast.current import (
    Destination,
    LeaderForecast,
    forecast,
    forecast_one,
)

__all__ = ["Destination", "LeaderForecast", "forecast", "forecast_one"]
