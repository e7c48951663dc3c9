"""Scheduling the next meeting (issue 21): a member proposes one to three time slots, another
member accepts one, and the meeting is planned; both receive an iCalendar invitation whose
UID never changes (updates and cancellation carry it with a higher SEQUENCE). Once its
date has passed, a planned meeting is logged as held in one click (:class:`Meeting`).

The rules live in :mod:`wagtail_mentorat.scheduling`."""

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .agreement import MeetingMode


def new_uid():
    """The invitation's UID: random (it names no one), fixed for the meeting's life."""
    return f"{uuid.uuid4().hex}@wagtail-mentorat"


class MeetingProposal(models.Model):
    """One to three time slots a member proposes to the other members of the pairing."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing", on_delete=models.CASCADE, related_name="meeting_proposals"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed on"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["pairing", "status"], name="mentorat_proposal_open"),
        ]
        verbose_name = _("meeting proposal")
        verbose_name_plural = _("meeting proposals")

    def __str__(self):
        return _("Meeting proposal #%(pk)s") % {"pk": self.pk}


class MeetingTime(models.Model):
    """When and where a meeting is held: a proposed slot, then the planned meeting."""

    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(600)],
    )
    mode = models.CharField(
        _("mode"), max_length=12, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON
    )
    place = models.CharField(_("place or video link"), max_length=500, blank=True)

    class Meta:
        abstract = True


class ProposedSlot(MeetingTime):
    """A time slot of a proposal: date and time, length, and the place or the video link."""

    proposal = models.ForeignKey(MeetingProposal, on_delete=models.CASCADE, related_name="slots")

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("proposed time slot")
        verbose_name_plural = _("proposed time slots")

    def __str__(self):
        return _("Time slot #%(pk)s") % {"pk": self.pk}


class PlannedMeeting(MeetingTime):
    """A meeting fixed by accepting a slot. ``uid`` is the invitation's UID for its whole
    life; ``sequence`` grows with each change sent (iCalendar's SEQUENCE)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CANCELLED = "cancelled", _("Cancelled")

    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing", on_delete=models.CASCADE, related_name="planned_meetings"
    )
    # One proposal fixes one meeting at most: a second acceptance cannot be written.
    proposal = models.OneToOneField(
        MeetingProposal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_meeting",
    )
    uid = models.CharField(max_length=100, unique=True, default=new_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    attendee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    # Once held and logged: the meeting it became.
    meeting = models.OneToOneField(
        "wagtail_mentorat.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_from",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"], name="mentorat_planned_start")]
        verbose_name = _("planned meeting")
        verbose_name_plural = _("planned meetings")

    def __str__(self):
        return _("Planned meeting #%(pk)s") % {"pk": self.pk}

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self):
        """Planned and not yet logged."""
        return self.status == self.Status.PLANNED and self.meeting_id is None
