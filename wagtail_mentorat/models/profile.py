from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from ..admin.people import PeopleByNameAdminForm


def default_languages():
    """The host's default language (``"fr"`` in a French intranet, ``"en"`` for ``"en-us"``).

    A callable, read when a profile is created: the migrations name the function, never the
    host's value."""
    return settings.LANGUAGE_CODE.split("-")[0].lower()


class ParticipantProfile(index.Indexed, models.Model):
    """A staff member's mentoring profile, linked to their intranet account.

    Kept apart from the user model so any intranet can install the app.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorat_profile",
        verbose_name=_("user"),
    )
    superior = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentorat_reports",
        verbose_name=_("hierarchical superior"),
        help_text=_("The manager this person reports to (seed 001: never their mentor)."),
    )
    discipline = models.CharField(_("discipline"), max_length=120, blank=True)
    site = models.CharField(_("workplace or site"), max_length=120, blank=True)
    unit = models.CharField(_("unit or service"), max_length=120, blank=True)
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), default=0, validators=[MaxValueValidator(70)]
    )
    expertise = models.ManyToManyField(
        "wagtail_mentorat.ExpertiseArea",
        blank=True,
        related_name="profiles",
        verbose_name=_("areas of expertise"),
    )
    goals = models.TextField(
        _("development goals and expectations"),
        blank=True,
        help_text=_("“Mes objectifs de développement / mes attentes par rapport à un mentor”."),
    )
    languages = models.CharField(
        _("languages"),
        max_length=60,
        blank=True,
        default=default_languages,
        help_text=_("e.g. fr, en"),
    )
    is_mentor = models.BooleanField(_("willing to mentor"), default=False)
    mentor_capacity = models.PositiveSmallIntegerField(
        _("mentor capacity (mentees at a time)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(50)],
        help_text=_("Empty: the programme's default."),
    )
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    consent_version = models.CharField(
        _("privacy notice version accepted"), max_length=20, blank=True
    )
    consent_at = models.DateTimeField(_("privacy notice accepted on"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("registered by"),
        help_text=_("The manager who registered this person, when it was not themself."),
    )
    calendar_token = models.CharField(
        _("calendar feed key"), max_length=64, blank=True, default="", editable=False
    )

    panels = [
        FieldPanel("user", read_only=True),
        FieldPanel("superior"),
        MultiFieldPanel(
            [
                FieldPanel("discipline"),
                FieldPanel("site"),
                FieldPanel("unit"),
                FieldPanel("years_experience"),
                FieldPanel("languages"),
            ],
            heading=_("Work"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("is_mentor"),
                FieldPanel("mentor_capacity"),
                FieldPanel("availability"),
                FieldPanel("expertise"),
            ],
            heading=_("Mentoring"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("consent_version", read_only=True),
                FieldPanel("consent_at", read_only=True),
            ],
            heading=_("Consent"),
        ),
    ]
    base_form_class = PeopleByNameAdminForm  # the superior is chosen by name
    search_fields = [
        index.SearchField("discipline"),
        index.SearchField("site"),
        index.SearchField("unit"),
        index.RelatedFields(
            "user",
            [
                index.SearchField("first_name"),
                index.SearchField("last_name"),
                index.SearchField("username"),
            ],
        ),
        # The admin's listing searches as one types (and Wagtail warns without one).
        index.AutocompleteField("discipline"),
        index.FilterField("site"),
        index.FilterField("is_mentor"),
    ]

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("participant profile")
        verbose_name_plural = _("participant profiles")

    def __str__(self):
        # Log entries keep str(instance): no personal data here.
        return _("Profile #%(pk)s") % {"pk": self.pk}

    @property
    def language_list(self):
        return [code.strip() for code in self.languages.split(",") if code.strip()]
