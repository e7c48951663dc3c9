"""A page's address answers whatever language is active.

The intranet takes the language from the language switch's cookie, not from the address,
and Wagtail routes an address from the site's root page *in the active language*
(``site.root_page.localized``). So the French module ``/formation/differences-culturelles/``
is not found with English active: a link a colleague shared, or the language switch
itself (it sends back to the same address), ends on "page not found".

Two parts:

* :class:`TranslatedAddressRoutingMixin`, for the site's root page class (the host's home
  page): an address not found in the active language's tree is routed in the other
  languages' trees (the root page's translations).
* :func:`serve_in_the_pages_language` (a ``before_serve_page`` hook of the training app):
  a page reached in another language than the active one is, for a GET of its own
  address, redirected to its translation in the active language when there is a live one;
  otherwise (no translation, a form posted, a sub-address such as a certificate) it is
  served, for the training app's pages, in its own language, so a learner never reads a
  module half in one language.
"""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.utils import translation

_REROUTING = "_mentorat_rerouting"


def route_in_other_languages(root, request, path_components):
    """Route ``path_components`` from each live translation of ``root`` (not ``root``
    itself); Http404 when no language has that address."""
    for other in root.get_translations().live().specific().order_by("pk"):
        try:
            return other.route(request, path_components)
        except Http404:
            continue
    raise Http404


def route_with_translations(page, request, path_components, route):
    """``route(request, path_components)`` (the page's own routing), then, for an address
    it does not know, the same address in the other languages."""
    try:
        return route(request, path_components)
    except Http404:
        if (
            not path_components
            or getattr(request, _REROUTING, False)
            or not getattr(settings, "WAGTAIL_I18N_ENABLED", False)
        ):
            raise
        setattr(request, _REROUTING, True)  # the other trees' roots route once, plainly
        try:
            return route_in_other_languages(page, request, path_components)
        finally:
            delattr(request, _REROUTING)


class TranslatedAddressRoutingMixin:
    """For the site's root page class::

    class HomePage(TranslatedAddressRoutingMixin, Page): ...
    """

    def route(self, request, path_components):
        return route_with_translations(self, request, path_components, super().route)


def _language(page):
    return page.locale.language_code.split("-")[0].lower()


def serve_in_the_pages_language(page, request, serve_args, serve_kwargs):
    """Redirect to the translation in the active language, or serve in the page's own."""
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return None
    active = (translation.get_language() or "").split("-")[0].lower()
    own = _language(page)
    if own == active:
        return None
    own_address = (page.get_url(request) or "").rstrip("/") == request.path.rstrip("/")
    if request.method in ("GET", "HEAD") and own_address:
        target = page.localized  # the live translation in the active language, or page
        url = target.get_url(request) if target.pk != page.pk else None
        if url:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponseRedirect(url + (f"?{query}" if query else ""))
    if page.specific_class._meta.app_label == "mentorat_training":
        # A module, its quiz and certificate read in one language; other pages (the host's,
        # the guides') keep the reader's language for what the app writes around them.
        translation.activate(own)
        request.LANGUAGE_CODE = translation.get_language()
    return None
