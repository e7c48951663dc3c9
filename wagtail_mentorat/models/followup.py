"""What happens inside a pairing: meetings, help requests, reviews, disagreements and the
programme staff's monitoring."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .agreement import MeetingMode


class Meeting(models.Model):
    """A meeting held by the pair. The summary is shared by the pair; each person's private
    note lives in :class:`MeetingNote` and is only ever shown to its author."""

    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing", on_delete=models.CASCADE, related_name="meetings"
    )
    held_at = models.DateTimeField(_("held on"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(600)],
    )
    mode = models.CharField(
        _("mode"), max_length=12, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON
    )
    summary = models.TextField(_("shared summary"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("how it went"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Who came, in a peer support circle (a pair's meetings need no roll call).
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("present")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_at", "-pk"]
        # "No meeting for too long" reads the recent meetings, the indicators a period's
        # (issue 20).
        indexes = [models.Index(fields=["held_at"], name="mentorat_meeting_held")]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return _("Meeting #%(pk)s") % {"pk": self.pk}


class MeetingNote(models.Model):
    """A private note on a meeting: its author alone ever sees it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("private note"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "author"], name="mentorat_one_note")
        ]
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")

    def __str__(self):
        return _("Private note #%(pk)s") % {"pk": self.pk}


class HelpRequest(models.Model):
    """The mentee asks the mentor for help; an urgent one (a client waiting) is due within
    the programme's deadline (seed 004: 24 to 48 hours)."""

    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing", on_delete=models.CASCADE, related_name="help_requests"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    question = models.TextField(_("question"))
    urgent = models.BooleanField(_("urgent"), default=False)
    client_waiting = models.BooleanField(_("a client is waiting"), default=False)
    created_at = models.DateTimeField(_("asked on"))
    due_at = models.DateTimeField(_("answer due"))
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The indicators read the help requests made in a period (issue 20).
        indexes = [models.Index(fields=["created_at"], name="mentorat_help_asked")]
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")

    def __str__(self):
        return _("Help request #%(pk)s") % {"pk": self.pk}


class ProgressReview(models.Model):
    """The mid-term or final review (*bilan*, seed 001)."""

    class Kind(models.TextChoices):
        MIDTERM = "midterm", _("Mid-term review")
        FINAL = "final", _("Final review")

    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing", on_delete=models.CASCADE, related_name="reviews"
    )
    kind = models.CharField(_("review"), max_length=10, choices=Kind.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted on"))
    what_helped = models.TextField(_("what helped"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    next_steps = models.TextField(_("next steps"), blank=True)
    manager_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    manager_approved_at = models.DateTimeField(
        _("approved by the manager on"), null=True, blank=True
    )

    class Meta:
        ordering = ["submitted_at", "pk"]
        # The indicators read the reviews submitted in a period (issue 20).
        indexes = [models.Index(fields=["submitted_at"], name="mentorat_review_submitted")]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "kind"], name="mentorat_one_review_per_kind")
        ]
        verbose_name = _("progress review")
        verbose_name_plural = _("progress reviews")

    def __str__(self):
        return _("Review #%(pk)s") % {"pk": self.pk}


class ObjectiveAttainment(models.Model):
    class Level(models.TextChoices):
        NOT_YET = "not_yet", _("Not yet")
        PARTLY = "partly", _("Partly")
        MOSTLY = "mostly", _("Mostly")
        FULLY = "fully", _("Fully")

    review = models.ForeignKey(ProgressReview, on_delete=models.CASCADE, related_name="attainments")
    objective = models.ForeignKey(
        "wagtail_mentorat.AgreementObjective", on_delete=models.CASCADE, related_name="+"
    )
    level = models.CharField(_("attainment"), max_length=10, choices=Level.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "objective"], name="mentorat_attain_once")
        ]

    def __str__(self):
        return _("Attainment #%(pk)s") % {"pk": self.pk}


class Disagreement(models.Model):
    """A disagreement (*mésentente*) raised confidentially to programme staff (seed 001)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("Being handled")
        RESOLVED = "resolved", _("Resolved")

    class Topic(models.TextChoices):
        RELATIONSHIP = "relationship", _("The relationship")
        MATCHING = "matching", _("A review of the matching")

    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing", on_delete=models.CASCADE, related_name="disagreements"
    )
    topic = models.CharField(
        _("about"), max_length=14, choices=Topic.choices, default=Topic.RELATIONSHIP
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    description = models.TextField(_("what is happening"))
    created_at = models.DateTimeField(_("raised on"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="open")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    # How programme staff handled it: for programme staff alone, never the pair, the
    # managers or the privacy officer (the person who raised it is told only that it was).
    resolution_note = models.TextField(_("how it was handled"), blank=True)
    resolved_at = models.DateTimeField(_("resolved on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("disagreement")
        verbose_name_plural = _("disagreements")

    def __str__(self):
        return _("Disagreement #%(pk)s") % {"pk": self.pk}


class CheckIn(models.Model):
    """Programme staff's check-in with a mentor or mentee (MENTOR's standard 5)."""

    class With(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")

    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing", on_delete=models.CASCADE, related_name="checkins"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    with_role = models.CharField(_("with"), max_length=10, choices=With.choices)
    held_on = models.DateField(_("held on"))
    activities = models.TextField(_("activities since the last check-in"), blank=True)
    relationship_quality = models.PositiveSmallIntegerField(
        _("relationship quality"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    safety_concern = models.BooleanField(_("a safety or service-quality concern"), default=False)
    notes = models.TextField(_("programme staff notes"), blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self):
        return _("Check-in #%(pk)s") % {"pk": self.pk}


class FitCheck(models.Model):
    """After the first meeting each side says whether the fit is right; a poor fit leads
    to a rematch that does not count as a failure."""

    class Fit(models.TextChoices):
        GOOD = "good", _("Good fit")
        UNSURE = "unsure", _("Not sure yet")
        POOR = "poor", _("Not the right fit")

    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing", on_delete=models.CASCADE, related_name="fit_checks"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    fit = models.CharField(_("fit"), max_length=10, choices=Fit.choices)
    wants_rematch = models.BooleanField(_("I would like another pairing"), default=False)
    answered_at = models.DateTimeField(_("answered on"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pairing", "user"], name="mentorat_fit_once")
        ]
        verbose_name = _("fit check")
        verbose_name_plural = _("fit checks")

    def __str__(self):
        return _("Fit check #%(pk)s") % {"pk": self.pk}


class SafetyConcern(models.Model):
    """The one exception to confidentiality (seed 001): the mentor tells the manager about
    a risk to safe, quality service. Only the mentee's manager reads it."""

    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing", on_delete=models.CASCADE, related_name="safety_concerns"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    description = models.TextField(_("the concern"))
    created_at = models.DateTimeField(_("reported on"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("read by the manager on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("safety concern")
        verbose_name_plural = _("safety concerns")

    def __str__(self):
        return _("Safety concern #%(pk)s") % {"pk": self.pk}
