"""The intranet's accent-insensitive site search, ready for a host to mount.

``path("search/", include("wagtail_mentorat.search.urls"))`` (URL name
``mentorat_search:search``), or the view alone under the host's own name:
``path("search/", wagtail_mentorat.search.views.search, name="search")``.
"""
