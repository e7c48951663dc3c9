"""Wagtail pages of the participant journey. Each ships as an abstract base, so an
intranet can subclass it, and a concrete default class."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from ..auth import LoginRequiredPageMixin
from ..templating import MentoratPageMixin


class AbstractRegistrationPage(LoginRequiredPageMixin, MentoratPageMixin, Page):
    """“Je veux m'inscrire” (seed 004): editors word the page and the privacy notice; the
    form itself and its rules come from the app."""

    intro = RichTextField(_("introduction"), blank=True)
    privacy_notice = RichTextField(
        _("privacy notice"),
        help_text=_("What the programme keeps about participants, why, and for how long."),
    )
    privacy_notice_version = models.CharField(
        _("privacy notice version"),
        max_length=20,
        default="2026-01",
        help_text=_("Change it when the notice changes: consent is recorded per version."),
    )
    thank_you = models.CharField(
        _("confirmation message"),
        max_length=300,
        blank=True,
        default="Merci! Votre inscription est enregistrée.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("privacy_notice"),
        FieldPanel("privacy_notice_version"),
        FieldPanel("thank_you"),
    ]
    template = "wagtail_mentorat/registration_page.html"
    max_count_per_parent = 1

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        from ..views.registration import registration

        return registration(request, self)


class RegistrationPage(AbstractRegistrationPage):
    class Meta:
        verbose_name = _("mentoring registration page")
        verbose_name_plural = _("mentoring registration pages")
