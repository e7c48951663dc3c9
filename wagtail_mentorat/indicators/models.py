"""Published references for the indicators, and the programme's self-assessments."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting

KUPERSMIDT_2017 = (
    "Kupersmidt, J. B., Stump, K. N., Stelter, R. L. & Rhodes, J. E. (2017). Predictors of "
    "premature match closure in youth mentoring relationships. American Journal of "
    "Community Psychology, 59. Premature closure in 38% of 6,468 matches across 170 "
    "programmes."
)
STAR_BBBS = (
    "Big Brothers Big Sisters of America, the STAR study: 69% of matches reached their "
    "one-year commitment."
)
MATCH_RATE_TARGET = (
    "The usual target of mentoring programmes: at least 70% of requests matched with a mentor."
)

PCT = [MaxValueValidator(100)]


def _reference(default, label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, default=default, validators=PCT
    )


class IndicatorReferences(BaseGenericSetting):
    """The published reference (a percentage) shown beside each indicator, with its source.

    Editable by programme staff (Indicators › References); empty means no reference.
    """

    match_rate = _reference(70, _("requests matched (%)"))
    match_rate_source = models.TextField(_("source"), blank=True, default=MATCH_RATE_TARGET)
    premature_share = _reference(38, _("pairings closed prematurely (%)"))
    premature_share_source = models.TextField(_("source"), blank=True, default=KUPERSMIDT_2017)
    commitment_share = _reference(69, _("pairings reaching their planned commitment (%)"))
    commitment_share_source = models.TextField(_("source"), blank=True, default=STAR_BBBS)
    first_contact_on_time = _reference(None, _("first contacts within the deadline (%)"))
    first_contact_on_time_source = models.TextField(_("source"), blank=True)
    agreements_signed = _reference(None, _("agreements signed (%)"))
    agreements_signed_source = models.TextField(_("source"), blank=True)
    meetings_min_share = _reference(None, _("pairings reaching the recommended meetings (%)"))
    meetings_min_share_source = models.TextField(_("source"), blank=True)
    reviews_on_time = _reference(None, _("reviews done on time (%)"))
    reviews_on_time_source = models.TextField(_("source"), blank=True)
    objectives_attained = _reference(None, _("objectives mostly or fully attained (%)"))
    objectives_attained_source = models.TextField(_("source"), blank=True)
    help_on_time = _reference(None, _("help requests answered within the deadline (%)"))
    help_on_time_source = models.TextField(_("source"), blank=True)
    mentors_trained = _reference(None, _("mentors who completed the required training (%)"))
    mentors_trained_source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("indicator references")

    def __str__(self):
        return str(_("Indicator references"))

    def for_key(self, key):
        """(value, source) for an indicator key, or (None, "") when it has none."""
        value = getattr(self, key, None) if key in REFERENCE_KEYS else None
        return value, (getattr(self, f"{key}_source", "") if value is not None else "")


REFERENCE_KEYS = (
    "match_rate",
    "premature_share",
    "commitment_share",
    "first_contact_on_time",
    "agreements_signed",
    "meetings_min_share",
    "reviews_on_time",
    "objectives_attained",
    "help_on_time",
    "mentors_trained",
)


class SelfAssessment(models.Model):
    """A programme's self-assessment against MENTOR's six standards for one period."""

    programme = models.ForeignKey(
        "wagtail_mentorat.Programme",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("programme"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    class Meta:
        ordering = ["programme", "-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "period_start", "period_end"],
                name="mentorat_indicators_one_assessment_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="mentorat_indicators_period_order",
            ),
        ]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self):
        return _("Self-assessment #%(pk)s") % {"pk": self.pk}


class Status(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")


class AssessmentAnswer(models.Model):
    """One checklist item answered: met / partly / not met, with evidence and an action."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(_("item"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    action = models.TextField(_("improvement action"), blank=True)
    measured = models.CharField(_("measured by the software"), max_length=300, blank=True)

    class Meta:
        ordering = ["assessment", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "item"], name="mentorat_indicators_answer_once"
            )
        ]
        verbose_name = _("self-assessment answer")
        verbose_name_plural = _("self-assessment answers")

    def __str__(self):
        return _("Answer #%(pk)s") % {"pk": self.pk}
