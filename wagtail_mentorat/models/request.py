from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MentoringKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    GROUP = "group", _("Group")
    CIRCLE = "circle", _("Peer support circle")


class MentoringRequest(models.Model):
    """A need for mentoring, opened by the staff member or by their manager (seed 001)."""

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent (a client is waiting)")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a mentor")
        MATCHED = "matched", _("Paired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    programme = models.ForeignKey(
        "wagtail_mentorat.Programme",
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("programme"),
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorat_requests",
        verbose_name=_("mentee"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    need = models.TextField(_("need"))
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    kind = models.CharField(
        _("type"), max_length=12, choices=MentoringKind.choices, default=MentoringKind.INDIVIDUAL
    )
    expertise = models.ManyToManyField(
        "wagtail_mentorat.ExpertiseArea", blank=True, verbose_name=_("areas wanted")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="open")
    created_at = models.DateTimeField(_("opened on"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # The indicators read a programme's requests opened in a period, and those
        # waiting now (issue 20).
        indexes = [
            models.Index(fields=["programme", "created_at"], name="mentorat_request_opened"),
            models.Index(fields=["programme", "status"], name="mentorat_request_status"),
        ]
        verbose_name = _("mentoring request")
        verbose_name_plural = _("mentoring requests")

    def __str__(self):
        return _("Request #%(pk)s") % {"pk": self.pk}


class MentorOffer(models.Model):
    """A staff member's application to mentor in a programme, and the coordinator's
    decision (MENTOR's standard 2: mentors are screened; seed 001: an experienced mentor).

    Only an approved offer puts the person in the programme's mentor pool, and only while
    they take mentees (``unavailable_until`` past or empty): the matching and the rules
    read :attr:`Status.APPROVED` (:func:`wagtail_mentorat.lifecycle.decide_offer`)."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied, waiting for a decision")
        APPROVED = "approved", _("Approved")
        TRAINING = "training", _("Asked to train first")
        PAUSED = "paused", _("Paused")
        RETIRED = "retired", _("Retired")

    programme = models.ForeignKey(
        "wagtail_mentorat.Programme",
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("programme"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorat_offers",
        verbose_name=_("mentor"),
    )
    note = models.TextField(_("what I can offer"), blank=True)
    status = models.CharField(
        _("status in the mentor pool"),
        max_length=12,
        choices=Status.choices,
        default=Status.APPLIED,
    )
    unavailable_until = models.DateField(
        _("not taking new mentees until"),
        null=True,
        blank=True,
        help_text=_("Empty: taking mentees. The mentor is available again the day after."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    created_at = models.DateTimeField(_("offered on"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "mentor"], name="mentorat_one_offer")
        ]
        verbose_name = _("offer to mentor")
        verbose_name_plural = _("offers to mentor")

    def __str__(self):
        return _("Offer #%(pk)s") % {"pk": self.pk}


class MentorPreference(models.Model):
    """A mentor the mentee would prefer, chosen from their suggestions (at most three). The
    coordinator or manager sees it and still decides."""

    MAX = 3

    request = models.ForeignKey(
        MentoringRequest,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=_("request"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("preferred mentor"),
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    created_at = models.DateTimeField(_("chosen on"), auto_now_add=True)

    class Meta:
        ordering = ["request", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["request", "mentor"], name="mentorat_prefer_once"),
            models.UniqueConstraint(fields=["request", "rank"], name="mentorat_prefer_rank"),
            models.CheckConstraint(
                condition=models.Q(rank__gte=1, rank__lte=3), name="mentorat_prefer_top3"
            ),
        ]
        verbose_name = _("preferred mentor")
        verbose_name_plural = _("preferred mentors")

    def __str__(self):
        return _("Preference #%(pk)s") % {"pk": self.pk}


class MentorDecline(models.Model):
    """A mentor's refusal of an assignment, or its silent expiry. That mentor is not
    suggested again for the same request."""

    class Reason(models.TextChoices):
        NO_TIME = "no_time", _("Not enough time at the moment")
        EXPERTISE = "expertise", _("My expertise does not fit this need")
        CONFLICT = "conflict", _("Conflict of interest or close relationship")
        OTHER = "other", _("Another reason")
        NO_ANSWER = "no_answer", _("No answer within the programme's time limit")

    request = models.ForeignKey(
        MentoringRequest,
        on_delete=models.CASCADE,
        related_name="declines",
        verbose_name=_("request"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("mentor"),
    )
    pairing = models.ForeignKey(
        "wagtail_mentorat.Pairing",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declines",
        verbose_name=_("pairing"),
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    note = models.TextField(_("explanation"), blank=True)
    created_at = models.DateTimeField(_("declined on"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("declined assignment")
        verbose_name_plural = _("declined assignments")

    def __str__(self):
        return _("Decline #%(pk)s") % {"pk": self.pk}
