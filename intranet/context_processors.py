"""Template context shared by every page of the demo intranet."""

from django.conf import settings
from wagtail.models import Site


def navigation(request):
    """The site name and the home page's menu children, in the visitor's language."""
    context = {"settings_site_name": settings.WAGTAIL_SITE_NAME, "nav_pages": []}
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return context
    site = Site.find_for_request(request)
    if site is not None:
        root = site.root_page.localized
        context["nav_pages"] = root.get_children().live().in_menu().only("id", "title", "url_path")
    return context
