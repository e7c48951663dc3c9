"""Guide pages and programme pages ("fiche synthèse", seed 001).

Page types ship as abstract base classes (``AbstractGuidePage``,
``AbstractProgrammePage``) with concrete subclasses, so an intranet can build its own.

Where each page lives:

- ``GuideIndexPage``: one per parent (e.g. under the home page); holds guides and
  programme pages.
- ``GuidePage``: under the index or under another guide (a guide's sections).
- ``ProgrammePage``: under the index; no children. One page per programme and language.
"""

import swapper
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page
from wagtail.search import index

from wagtail_mentorat.auth import LoginRequiredPageMixin
from wagtail_mentorat.templating import MentoratPageMixin
from wagtail_mentorat.text import AccentInsensitiveSearchMixin, folded_search_field

from . import facts
from .blocks import RICH_TEXT_FEATURES, GuideBody

PAGE_MODEL = swapper.get_model_name("wagtailcore", "Page")


class GuideIndexPage(LoginRequiredPageMixin, MentoratPageMixin, AccentInsensitiveSearchMixin, Page):
    """The guides and programmes section: lists its guides, then its programmes."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro"), folded_search_field]
    folded_search_attributes = ("title", "intro")
    subpage_types = ["mentorat_guides.GuidePage", "mentorat_guides.ProgrammePage"]
    max_count_per_parent = 1
    template = "mentorat_guides/guide_index_page.html"

    class Meta:
        verbose_name = _("guides index")
        verbose_name_plural = _("guides indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live().specific()
        context["guides"] = [page for page in children if isinstance(page, AbstractGuidePage)]
        context["programmes"] = [
            page for page in children if isinstance(page, AbstractProgrammePage)
        ]
        return context


class AbstractGuidePage(
    LoginRequiredPageMixin, MentoratPageMixin, AccentInsensitiveSearchMixin, Page
):
    """A guide: mentoring vs coaching vs supervision, quality principles, …"""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences shown under the title and in the lists of guides."),
    )
    body = StreamField(GuideBody(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        folded_search_field,
    ]
    folded_search_attributes = ("title", "intro", "body")
    template = "mentorat_guides/guide_page.html"

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["toc"] = [
            (f"section-{position}", block.value)
            for position, block in enumerate(self.body)
            if block.block_type == "heading"
        ]
        context["sections"] = self.get_children().live().specific()
        return context


class GuidePage(AbstractGuidePage):
    parent_page_types = ["mentorat_guides.GuideIndexPage", "mentorat_guides.GuidePage"]
    subpage_types = ["mentorat_guides.GuidePage"]

    class Meta:
        verbose_name = _("guide")
        verbose_name_plural = _("guides")


class AbstractProgrammePage(
    LoginRequiredPageMixin, MentoratPageMixin, AccentInsensitiveSearchMixin, Page
):
    """A programme's "fiche synthèse" (seed 001).

    Purpose, target staff, context of use and important information are editable text.
    Duration, reviews, meetings and deadlines are read from the chosen programme's rules
    (``guides.facts``): the page cannot contradict what the software enforces.
    """

    programme = models.ForeignKey(
        "wagtail_mentorat.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Duration, reviews, meetings and deadlines shown on the page come from this "
            "programme's rules."
        ),
    )
    purpose = RichTextField(
        _("purpose"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("Leave empty to show the programme's purpose."),
    )
    audience = RichTextField(
        _("target staff"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("Leave empty to show the programme's target staff."),
    )
    context_of_use = RichTextField(
        _("context of use"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_("Who identifies the need, who pairs, how the relationship ends."),
    )
    important_information = RichTextField(
        _("other important information"),
        blank=True,
        features=RICH_TEXT_FEATURES,
        help_text=_(
            "Shown after the pairing rules and the confidentiality clause, which come from "
            "the programme."
        ),
    )
    body = StreamField(GuideBody(), verbose_name=_("more content"), blank=True)
    registration_page = models.ForeignKey(
        PAGE_MODEL,
        verbose_name=_("registration page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    registration_url = models.URLField(
        _("registration address"),
        blank=True,
        help_text=_("Used when no registration page is chosen."),
    )
    registration_label = models.CharField(
        _("registration button text"),
        max_length=80,
        blank=True,
        help_text=_("E.g. “I want to register”. Leave empty for the default text."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("programme"),
        FieldPanel("purpose"),
        FieldPanel("audience"),
        FieldPanel("context_of_use"),
        FieldPanel("important_information"),
        MultiFieldPanel(
            [
                FieldPanel("registration_page"),
                FieldPanel("registration_url"),
                FieldPanel("registration_label"),
            ],
            heading=_("Call to register"),
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("purpose"),
        index.SearchField("audience"),
        index.SearchField("context_of_use"),
        index.SearchField("important_information"),
        index.SearchField("body"),
        index.RelatedFields("programme", [index.SearchField("name")]),
        folded_search_field,
    ]
    folded_search_attributes = (
        "title",
        "purpose",
        "audience",
        "context_of_use",
        "important_information",
        "body",
    )
    template = "mentorat_guides/programme_page.html"

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.programme_id is None:
            return
        others = type(self).objects.filter(programme_id=self.programme_id)
        if self.locale_id is not None:
            others = others.filter(locale_id=self.locale_id)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        if others.exists():
            raise ValidationError(
                {"programme": _("This programme already has a page in this language.")}
            )

    @cached_property
    def facts(self):
        return {
            "frequency_and_duration": facts.frequency_and_duration(self.programme),
            "deadlines": facts.deadlines(self.programme),
            "pairing_rules": facts.pairing_rules(self.programme),
        }

    def registration_link(self):
        page = self.registration_page
        if page is not None and page.live:
            return page.localized.url
        return self.registration_url


class ProgrammePage(AbstractProgrammePage):
    parent_page_types = ["mentorat_guides.GuideIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("programme page")
        verbose_name_plural = _("programme pages")


def suggested_guides():
    """Guides to offer when a search finds nothing: the guides right under a guides
    index of the active language, in the editors' order."""
    indexes = GuideIndexPage.objects.live()
    try:
        indexes = indexes.filter(locale=Locale.get_active())
    except Locale.DoesNotExist:
        pass
    under_an_index = Q(pk__in=[])
    for path, depth in indexes.values_list("path", "depth"):
        under_an_index |= Q(path__startswith=path, depth=depth + 1)
    return GuidePage.objects.live().filter(under_an_index).order_by("path")
