"""Peer support circles (*cercles de soutien entre pairs*, seeds 000 and 002).

A circle is a :class:`~wagtail_mentorat.models.Pairing` of kind ``circle`` whose members are
peers, with an optional facilitator: meetings, reviews, closure, history, notifications and
confidentiality are the pairing's. What only a circle has lives here: its public
description (theme, career stage, site, capacity), its charter (the agreement's
counterpart) and the requests to join. Change them only through
:mod:`wagtail_mentorat.circles`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_CAPACITY = 3
MAX_CAPACITY = 12
DEFAULT_CAPACITY = 8


class CareerStage(models.TextChoices):
    """Seed 000: "à différentes étapes de leur vie professionnelle"."""

    STUDENT = "student", _("Student")
    EARLY = "early", _("Early career")
    MID = "mid", _("Mid-career")
    LATE = "late", _("Late career")


class Circle(models.Model):
    """What a circle adds to its pairing: the public description and the charter."""

    pairing = models.OneToOneField(
        "wagtail_mentorat.Pairing",
        on_delete=models.CASCADE,
        related_name="circle",
        verbose_name=_("pairing"),
    )
    title = models.CharField(_("title"), max_length=120)
    theme = models.CharField(_("theme"), max_length=120)
    description = models.TextField(
        _("public description"),
        blank=True,
        help_text=_("Shown to every staff member browsing the circles."),
    )
    career_stage = models.CharField(
        _("career stage"), max_length=10, choices=CareerStage.choices, blank=True
    )
    site = models.CharField(_("site"), max_length=120, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=DEFAULT_CAPACITY,
        validators=[MinValueValidator(MIN_CAPACITY), MaxValueValidator(MAX_CAPACITY)],
        help_text=_("Members, facilitator included (3 to 12)."),
    )
    is_open = models.BooleanField(_("open for joining"), default=True)
    purpose = models.TextField(_("purpose"))
    frequency = models.CharField(_("how often we meet"), max_length=200)
    confidentiality = models.TextField(_("confidentiality among members"))
    charter_version = models.PositiveIntegerField(_("charter version"), default=1)
    created_at = models.DateTimeField(_("opened on"), default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("peer support circle")
        verbose_name_plural = _("peer support circles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=MIN_CAPACITY, capacity__lte=MAX_CAPACITY),
                name="mentorat_circle_capacity",
            )
        ]

    def __str__(self):
        return self.title


class CircleJoinRequest(models.Model):
    """A staff member asks to join; a facilitator or a coordinator decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("circle")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorat_circle_requests",
        verbose_name=_("person"),
    )
    note = models.TextField(_("a word to the circle"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked on"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "user"],
                condition=models.Q(status="pending"),
                name="mentorat_one_pending_join",
            )
        ]
        verbose_name = _("request to join a circle")
        verbose_name_plural = _("requests to join a circle")

    def __str__(self):
        return _("Join request #%(pk)s") % {"pk": self.pk}


class CharterAcceptance(models.Model):
    """A member's acceptance of one version of the circle's charter."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    accepted_at = models.DateTimeField(_("accepted on"), default=timezone.now)

    class Meta:
        ordering = ["accepted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "user", "version"], name="mentorat_charter_once"
            )
        ]
        verbose_name = _("charter acceptance")
        verbose_name_plural = _("charter acceptances")

    def __str__(self):
        return _("Charter acceptance #%(pk)s") % {"pk": self.pk}
