"""One name per admin screen, in its menu item, its title and its header.

Wagtail's slim header shows the breadcrumbs and keeps the title for screen readers
(``<h1 class="w-sr-only">``): a page whose breadcrumbs stop at "Home" reads "Home" to
everyone who sees it. :class:`NamedPageMixin` ends them with the page's own title.

A viewset's menu label and the title of its list come from two places in Wagtail (the
label, and the model's ``verbose_name_plural``), and so do the breadcrumbs of every view of
one record. :class:`OneNameViewSetMixin` makes the menu label the one name of the list
everywhere. Wagtail's snippet viewsets also build their "Home" crumb with an eager
``gettext`` when the URLs load, in the default language ("Accueil" on an English page):
the crumb is given back its lazy label here.
"""

from django.urls import reverse, reverse_lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views import generic

HOME_URL_NAME = "wagtailadmin_home"


def home_item():
    return {"url": reverse_lazy(HOME_URL_NAME), "label": _("Home")}


class NamedPageMixin:
    """For a page built on Wagtail's ``WagtailAdminTemplateMixin``: its header reads
    "Home › [parents ›] its title". ``parent_pages`` lists (label, URL name) pairs."""

    parent_pages = ()

    def get_breadcrumbs_items(self):
        items = [home_item()]
        items += [{"url": reverse(name), "label": label} for label, name in self.parent_pages]
        last = {"url": "", "label": self.get_page_title()}
        subtitle = self.get_page_subtitle()
        if subtitle:
            last["sublabel"] = subtitle
        return items + [last]


def named_breadcrumbs(items, list_label, plural):
    """``items`` with the lazy "Home" and ``list_label`` in place of ``plural``."""
    home = reverse(HOME_URL_NAME)
    named = []
    for item in items:
        if str(item.get("url") or "") == home:
            item = {**item, "label": _("Home")}
        elif list_label and str(item.get("label")) == plural:
            item = {**item, "label": list_label}
        named.append(item)
    return named


class ListNamedViewMixin:
    """A view of a viewset where the list is called ``list_label``."""

    list_label = None

    def get_page_title(self):
        if self.list_label and isinstance(self, generic.IndexView):
            return self.list_label
        return super().get_page_title()

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        model = getattr(self, "model", None)
        plural = str(capfirst(model._meta.verbose_name_plural)) if model else None
        return named_breadcrumbs(items, self.list_label, plural)


class OneNameViewSetMixin:
    """For a ``ModelViewSet`` or ``SnippetViewSet``: ``menu_label`` names the list in the
    menu, as the title of its list and in the breadcrumbs of each of its views."""

    def construct_view(self, view_class, **kwargs):
        if hasattr(view_class, "get_breadcrumbs_items"):
            view_class = type(view_class.__name__, (ListNamedViewMixin, view_class), {})
            kwargs.setdefault("list_label", self.menu_label)
        return super().construct_view(view_class, **kwargs)
