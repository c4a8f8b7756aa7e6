"""exitwatch: early-warning system for dictatorship collapse.

Stages (each a function from typed records to typed records, see ``exitwatch.records``):
``ingest`` → ``read`` → ``store`` → ``indicators`` → ``forecast`` → ``report``; ``kb`` feeds
``read`` and ``forecast``; ``scale`` runs the same stage functions on Dask.
"""

__version__ = "0.1.0"
