"""Site search over the intranet's pages (guides, programmes, training)."""

import re

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse
from wagtail.models import Locale, Page

from wagtail_mentorat.text import fold_accents

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search(request):
    """Search live pages of the visitor's language; accent-insensitive.

    The query is folded too, so "développement", "developpement" and "DÉVELOPPEMENT"
    find the same pages on SQLite and PostgreSQL alike.
    """
    query = (request.GET.get("query") or "").strip()[:MAX_QUERY_LENGTH]
    results = Page.objects.none()
    if query:
        pages = Page.objects.live().public().specific()
        try:
            pages = pages.filter(locale=Locale.get_active())
        except Locale.DoesNotExist:
            pass
        # Words only: the backends' query syntaxes (FTS5, tsquery) must never see raw input.
        words = " ".join(re.findall(r"\w+", fold_accents(query)))
        if words:
            results = pages.search(words, operator="or")
    paginator = Paginator(results, RESULTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage):
        page = paginator.page(1)
    return TemplateResponse(
        request, "search/search.html", {"search_query": query, "search_results": page}
    )
