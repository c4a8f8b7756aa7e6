"""``GET /api/sources``: every watched source with its freshness (open, like the other reads)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from exitwatch.report import api_models as M
from exitwatch.report.access import StoreAccess
from exitwatch.report.api_read import access
from exitwatch.store.sources import SourceStatus

router = APIRouter(prefix="/api", responses={500: {"model": M.ErrorResponse}})


@router.get("/sources", response_model=list[SourceStatus], summary="Watched sources and their freshness")
def list_sources(store: StoreAccess = Depends(access)):
    """Every source ``exitwatch watch`` has polled: last poll, last success, last new item, errors,
    last HTTP status, and ``stale`` (silent beyond its expected cadence), by name."""
    with store.use() as s:
        return [status.to_dict() for status in s.source_statuses()]
