"""Report stage: the brief, the country view and the API's read endpoints and dashboard pages
(see docs/api.md; the web application that serves them is ``exitwatch.app.server.create_app``).

Public: ``build_brief(store, country, *, fmt="md"|"html", as_of=None) -> str``,
``country_view(store, country, *, as_of=None, period="week") -> CountryView``.
"""

from __future__ import annotations

from exitwatch.report.brief import build_brief, render_brief
from exitwatch.report.view import CountryView, country_view

__all__ = ["CountryView", "build_brief", "country_view", "render_brief"]
