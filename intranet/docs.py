"""The demo serves the documentation it builds (``make docs``: docs/_build/html/<language>/)
at /docs/, its ``WAGTAIL_MENTORAT["DOCS_URL"]`` (settings/base.py): the help links of the app's
screens lead there. Behind the intranet's login, like every front-end page.

Sphinx writes plain files with relative links; Django's static view serves them (enough
for a demo; a production site publishes the built HTML with its web server and sets
``DOCS_URL`` to it)."""

from django.conf import settings
from django.http import HttpResponseNotFound
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.static import serve

from wagtail_mentorat.help import language


def build_dir():
    return getattr(settings, "INTRANET_DOCS_BUILD", settings.BASE_DIR / "docs" / "_build" / "html")


def docs(request, path=""):
    if not path:
        return redirect(f"{request.path.rstrip('/')}/{language()}/index.html")
    if path.endswith("/"):
        path += "index.html"
    root = build_dir()
    if not root.is_dir():
        # A page of its own (status 404), not Django's debug page under `make run`.
        return HttpResponseNotFound(
            format_html(
                "<!doctype html><title>{0}</title><p>{0}</p>",
                _("The documentation is not built yet: run “make docs”."),
            ),
            content_type="text/html; charset=utf-8",
        )
    return serve(request, path, document_root=root)
