"""Scale-out: the same ingest and read stage functions on a Dask cluster, written as partitioned
Parquet in the store's schema (``out_dir/<table>/part-<id>.parquet``), loaded with
``Store.import_parquet`` / ``exitwatch import-parquet``. See docs/scale.md.

Public: ``run_dask(paths, *, out_dir, ...) -> ScaleReport``, ``ScaleReport``, ``PartitionFailure``,
``plan_partitions``.
"""

from __future__ import annotations

from exitwatch.scale.plan import PARTITION_SIZE, Partition, Unit, plan_partitions
from exitwatch.scale.run import PartitionFailure, ScaleReport, run_dask

__all__ = ["PARTITION_SIZE", "Partition", "PartitionFailure", "ScaleReport", "Unit", "plan_partitions", "run_dask"]
