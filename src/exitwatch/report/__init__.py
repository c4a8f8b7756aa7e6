"""Report stage: the brief, the JSON API and the dashboard (see docs/api.md).

Public: ``build_brief(store, country, *, fmt="md"|"html", as_of=None) -> str``,
``create_app(db_path, *, api_key=None, max_upload_bytes=...) -> FastAPI``,
``country_view(store, country, *, as_of=None, period="week") -> CountryView``.
Imported lazily: the web framework loads only when the app is built.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "build_brief": "exitwatch.report.brief",
    "render_brief": "exitwatch.report.brief",
    "create_app": "exitwatch.report.api",
    "country_view": "exitwatch.report.view",
    "CountryView": "exitwatch.report.view",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'exitwatch.report' has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
