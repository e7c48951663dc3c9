"""The demo serves the documentation it builds (``make docs``: docs/_build/html/<language>/)
at /docs/, the default of ``WAGTAIL_MENTORAT["DOCS_URL"]``: the help links of the app's
screens lead there. Behind the intranet's login, like every front-end page.

Sphinx writes plain files with relative links; Django's static view serves them (enough
for a demo; a production site publishes the built HTML with its web server and sets
``DOCS_URL`` to it)."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
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
        raise Http404(_("The documentation is not built yet: run “make docs”."))
    return serve(request, path, document_root=root)
