from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from wagtail_mentorat.text import AccentInsensitiveSearchMixin, folded_search_field


class QuickLinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    text = blocks.TextBlock(label=_("Text"), required=False)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("Address"), required=False)

    class Meta:
        icon = "link"
        label = _("Quick link")
        template = "home/blocks/quick_link.html"


class HomeBody(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), icon="title", template="home/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), icon="pilcrow")
    quick_links = blocks.ListBlock(
        QuickLinkBlock(),
        label=_("Quick links"),
        icon="link",
        template="home/blocks/quick_links.html",
    )


class HomePage(AccentInsensitiveSearchMixin, Page):
    """The intranet's home page: a welcome, news and quick links."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(HomeBody(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        folded_search_field,
    ]
    folded_search_attributes = ("title", "intro", "body")
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")


class ContentPage(AccentInsensitiveSearchMixin, Page):
    """A plain intranet page (news, how-to, contacts)."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(HomeBody(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        folded_search_field,
    ]
    folded_search_attributes = ("title", "intro", "body")

    class Meta:
        verbose_name = _("content page")
        verbose_name_plural = _("content pages")
