from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .request import MentoringKind


class PairingState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Assigned, waiting for first contact")
    CONTACTED = "contacted", _("First contact made, agreement to sign")
    ACTIVE = "active", _("Active")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# States in which a mentor's place is taken.
OCCUPYING_STATES = (
    PairingState.APPROVED,
    PairingState.CONTACTED,
    PairingState.ACTIVE,
    PairingState.CLOSING,
)
OPEN_STATES = (PairingState.PROPOSED, *OCCUPYING_STATES)


class ClosureReason(models.TextChoices):
    """Why a pairing ended. No reason is a sanction: mentoring is never withdrawn to punish
    (seed 002)."""

    OBJECTIVES_MET = "objectives_met", _("Development objectives attained")
    PLANNED_END = "planned_end", _("Planned end date reached")
    REMATCH = "rematch", _("Not the right fit: a new pairing is offered")
    MENTEE_MOVED = "mentee_moved", _("The mentee changed role or left the organisation")
    MENTOR_UNAVAILABLE = "mentor_unavailable", _("The mentor is no longer available")
    PERSONAL = "personal", _("Personal reasons")
    PROGRAMME_ENDED = "programme_ended", _("The programme ended")


PLANNED_REASONS = (ClosureReason.OBJECTIVES_MET, ClosureReason.PLANNED_END)


class ClosureKind(models.TextChoices):
    PLANNED = "planned", _("Planned ending")
    UNPLANNED = "unplanned", _("Unplanned ending")


class ContactAfterClosure(models.TextChoices):
    NONE = "none", _("No further contact through the programme")
    INFORMAL = "informal", _("Informal contact welcome")
    ALUMNI = "alumni", _("Stay in touch as programme alumni")


class MemberRole(models.TextChoices):
    MENTEE = "mentee", _("Mentee")
    PRIMARY_MENTOR = "primary_mentor", _("Primary mentor")
    ADDITIONAL_MENTOR = "additional_mentor", _("Additional mentor")
    PEER = "peer", _("Peer")
    FACILITATOR = "facilitator", _("Facilitator")


class Pairing(models.Model):
    """A mentoring relationship (*jumelage*): one mentee with one or more mentors, or one
    mentor with several mentees (group mentoring, seed 002).

    Change its state only through :mod:`wagtail_mentorat.lifecycle`.
    """

    programme = models.ForeignKey(
        "wagtail_mentorat.Programme",
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("programme"),
    )
    request = models.ForeignKey(
        "wagtail_mentorat.MentoringRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name=_("request"),
    )
    kind = models.CharField(
        _("type"), max_length=12, choices=MentoringKind.choices, default=MentoringKind.INDIVIDUAL
    )
    state = models.CharField(
        _("state"), max_length=12, choices=PairingState.choices, default=PairingState.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed on"), default=timezone.now)
    cross_discipline_reason = models.TextField(
        _("specific skill need (another discipline)"), blank=True
    )
    staff_reason = models.TextField(
        _("why programme staff made this pairing (no manager on file)"), blank=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned on"), null=True, blank=True)
    mentor_accepted_at = models.DateTimeField(_("accepted by the mentor on"), null=True, blank=True)
    first_contact_due = models.DateTimeField(_("first contact due"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact on"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    original_end = models.DateField(_("originally planned end"), null=True, blank=True)
    midterm_review_due = models.DateField(_("mid-term review due"), null=True, blank=True)
    closure_requested_at = models.DateTimeField(_("closure requested on"), null=True, blank=True)
    closure_kind = models.CharField(
        _("kind of ending"), max_length=12, choices=ClosureKind.choices, blank=True
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=24, choices=ClosureReason.choices, blank=True
    )
    exit_questions_done = models.BooleanField(
        _("final review or exit questions done"), default=False
    )
    contact_after_closure = models.CharField(
        _("contact after closure"), max_length=12, choices=ContactAfterClosure.choices, blank=True
    )
    rematch_wanted = models.BooleanField(_("a new pairing is wanted"), default=False)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    premature = models.BooleanField(
        _("ended prematurely"),
        default=False,
        help_text=_("Closed before its planned end for another reason than attained objectives."),
    )
    score_breakdown = models.JSONField(_("matching score breakdown"), default=dict, blank=True)
    scoring_version = models.CharField(_("matching scoring version"), max_length=20, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        indexes = [
            models.Index(fields=["state", "programme"]),
            # The indicators read a programme's pairings by the period they started or ended.
            models.Index(fields=["programme", "assigned_at"], name="mentorat_pairing_started"),
            models.Index(fields=["programme", "closed_at"], name="mentorat_pairing_ended"),
            # ... and the reviews due in the period (issue 20: a bitmap OR of the two, not
            # every pairing of the programme).
            models.Index(
                fields=["programme", "midterm_review_due"], name="mentorat_pairing_midterm"
            ),
            models.Index(fields=["programme", "planned_end"], name="mentorat_pairing_end"),
            # Covering indexes (read without the table): a programme's pairings, joined to
            # the period's reviews, help requests, extensions and objectives (a tenth of
            # the table's pages), and the occupying pairings for the places taken.
            models.Index(fields=["programme", "kind", "id"], name="mentorat_pairing_prog_kind"),
            models.Index(fields=["state", "id"], name="mentorat_pairing_state_id"),
        ]

    def __str__(self):
        # Log entries keep str(instance): no names here.
        return _("Pairing #%(pk)s") % {"pk": self.pk}

    @cached_property
    def member_list(self):
        return list(self.members.select_related("user"))

    @property
    def mentees(self):
        return [m.user for m in self.member_list if m.role == MemberRole.MENTEE]

    @property
    def mentors(self):
        return [m.user for m in self.member_list if m.role != MemberRole.MENTEE]

    @property
    def mentee(self):
        mentees = self.mentees
        return mentees[0] if mentees else None

    @property
    def primary_mentor(self):
        for member in self.member_list:
            if member.role == MemberRole.PRIMARY_MENTOR:
                return member.user
        return None

    def is_member(self, user):
        return any(m.user_id == user.pk for m in self.member_list)

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def first_contact_overdue(self):
        return (
            self.state == PairingState.APPROVED
            and self.first_contact_due is not None
            and self.first_contact_due < timezone.now()
        )


class PairingMember(models.Model):
    """A person in a pairing with their role and, for mentors, their written contribution
    (seed 004: "définir clairement sa contribution ... ainsi que celles des autres mentors")."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorat_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    contribution = models.TextField(_("contribution"), blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "user"], name="mentorat_member_once")
        ]
        # The mentors (or mentees) of a set of pairings, read without the table: places
        # taken, mentors trained (issue 20).
        indexes = [models.Index(fields=["role", "pairing", "user"], name="mentorat_member_role")]
        verbose_name = _("pairing member")
        verbose_name_plural = _("pairing members")

    def __str__(self):
        return _("Member #%(pk)s") % {"pk": self.pk}


class ClosureConfirmation(models.Model):
    """A member's word that the objectives are attained (seed 001: the pairing ends "lorsque
    le mentoré et le mentor jugent que les objectifs ont été atteints, suite à l'approbation
    du gestionnaire"): every member's, then the manager's approval."""

    pairing = models.ForeignKey(
        Pairing, on_delete=models.CASCADE, related_name="closure_confirmations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    confirmed_at = models.DateTimeField(_("confirmed on"), default=timezone.now)

    class Meta:
        ordering = ["confirmed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "user"], name="mentorat_confirm_once")
        ]
        verbose_name = _("closure confirmation")
        verbose_name_plural = _("closure confirmations")

    def __str__(self):
        return _("Confirmation #%(pk)s") % {"pk": self.pk}


class Extension(models.Model):
    """A request to continue past the planned end; needs the manager's approval (seed 001)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the manager")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested on"), auto_now_add=True)
    new_end = models.DateField(_("new end date"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default="requested"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self):
        return _("Extension #%(pk)s") % {"pk": self.pk}


class Transfer(models.Model):
    """A mentee's move to another unit, site or manager; the pairing and its history stay
    (seed 002)."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="transfers")
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    moved_at = models.DateTimeField(_("moved on"), auto_now_add=True)
    from_site = models.CharField(_("from site"), max_length=120, blank=True)
    to_site = models.CharField(_("to site"), max_length=120, blank=True)
    from_unit = models.CharField(_("from unit"), max_length=120, blank=True)
    to_unit = models.CharField(_("to unit"), max_length=120, blank=True)
    from_superior = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_superior = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-moved_at", "-pk"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self):
        return _("Transfer #%(pk)s") % {"pk": self.pk}


PLANNED_REASONS_VALUES = [str(reason) for reason in PLANNED_REASONS]
