"""Site search over the intranet's pages (guides, programmes, training)."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse
from wagtail.models import Locale, Page, PageViewRestriction

from wagtail_mentorat.guides.models import suggested_guides
from wagtail_mentorat.text import search_query_text

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def visible_pages(request, pages):
    """``pages`` without those behind a view restriction the visitor does not pass
    (a group they are not in, a password they have not given)."""
    restrictions = PageViewRestriction.objects.select_related("page").prefetch_related("groups")
    for restriction in restrictions:
        if not restriction.accept_request(request):
            pages = pages.not_descendant_of(restriction.page, inclusive=True)
    return pages


def search(request):
    """Search live pages of the visitor's language; accent- and plural-insensitive.

    The query is folded and stemmed like the pages' index text, so "développement",
    "DEVELOPPEMENT" and "supervisions" find "développement" and "supervision" on
    SQLite and PostgreSQL alike. Restricted pages appear only to those who may see them.
    """
    query = (request.GET.get("query") or "").strip()[:MAX_QUERY_LENGTH]
    results = Page.objects.none()
    if query:
        pages = visible_pages(request, Page.objects.live().specific())
        try:
            pages = pages.filter(locale=Locale.get_active())
        except Locale.DoesNotExist:
            pass
        # Words only: the backends' query syntaxes (FTS5, tsquery) must never see raw input.
        words = search_query_text(query)
        if words:
            results = pages.search(words, operator="or")
    paginator = Paginator(results, RESULTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    context = {"search_query": query, "search_results": page}
    if query and not page.object_list:
        context["suggested_guides"] = visible_pages(request, suggested_guides())[:6]
    return TemplateResponse(request, "search/search.html", context)
