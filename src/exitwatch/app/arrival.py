"""When a request arrived. The outermost layer that sees it (``front.Front`` under ``exitwatch
serve``, else ``http_guard.HttpGuard``) notes the time in the request's ASGI scope, so that a
deadline the client sees (a write's acknowledgement, ``api_write.PendingWrites``) counts from
there, whatever the request waited for before its route ran: the server starting, its body
arriving, a thread of the crowded pool."""

from __future__ import annotations

import time

#: Key of the ASGI scope holding the request's arrival (``time.monotonic()``).
ARRIVED = "exitwatch.arrived"


def stamp(scope: dict) -> None:
    """Note now as the arrival of the request of ``scope``, unless an outer layer already did."""
    scope.setdefault(ARRIVED, time.monotonic())


def arrived(scope: dict) -> float:
    """The arrival noted in ``scope`` (now when none was)."""
    return scope.get(ARRIVED, time.monotonic())
