"""Site search over the intranet's live pages: accent- and plural-insensitive, restricted
pages listed only to those who may see them. Login required, like every app page."""

from django.apps import apps
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from wagtail.models import Locale, Page, PageViewRestriction

from ..auth import login_required
from ..templating import render
from ..text import search_query_text

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200
TEMPLATE = "wagtail_mentorat/search.html"


def visible_pages(request, pages):
    """``pages`` without those behind a view restriction the visitor does not pass
    (a group they are not in, a password they have not given)."""
    restrictions = PageViewRestriction.objects.select_related("page").prefetch_related("groups")
    for restriction in restrictions:
        if not restriction.accept_request(request):
            pages = pages.not_descendant_of(restriction.page, inclusive=True)
    return pages


def search_pages(request, query):
    """The live pages of the visitor's language that match ``query``, best first.

    The query is folded and stemmed like the index text of the pages that use
    ``text.AccentInsensitiveSearchMixin`` (every app page), so "développement",
    "DEVELOPPEMENT" and "supervisions" find "développement" and "supervision" on SQLite
    and PostgreSQL alike. For a host's own search view, e.g. over its own page types.
    """
    words = search_query_text(query)  # words only: FTS5 and tsquery never see raw input
    if not words:
        return Page.objects.none()
    pages = visible_pages(request, Page.objects.live().specific())
    try:
        pages = pages.filter(locale=Locale.get_active())
    except Locale.DoesNotExist:
        pass
    return pages.search(words, operator="or")


def _suggested_guides(request):
    if not apps.is_installed("wagtail_mentorat.guides"):
        return []
    from ..guides.models import suggested_guides

    return visible_pages(request, suggested_guides())[:6]


@login_required
def search(request, template_name=TEMPLATE):
    """The search page: a form, a page of results, guides to suggest when none match."""
    query = (request.GET.get("query") or "").strip()[:MAX_QUERY_LENGTH]
    results = search_pages(request, query) if query else Page.objects.none()
    paginator = Paginator(results, RESULTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    context = {"search_query": query, "search_results": page}
    if query and not page.object_list:
        context["suggested_guides"] = _suggested_guides(request)
    return render(request, template_name, context)
