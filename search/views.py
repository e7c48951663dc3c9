"""The demo's site search: the package's accent-insensitive search view, mounted by
``intranet/urls.py`` under the URL name ``search`` that the demo's base template uses."""

from wagtail_mentorat.search.views import search

__all__ = ["search"]
