"""What some emails show beyond the pairing: the mentors' names for a mentee, and the
manager's weekly digest. States, dates and what awaits a decision only — never what was
discussed."""

from wagtail_mentorat.models import (
    Extension,
    MemberRole,
    Pairing,
    PairingMember,
    PairingState,
    ParticipantProfile,
)

from .kinds import Kind

S = PairingState


def _name(user):
    return user.get_full_name() or user.get_username()


def manager_overview(manager):
    """The pairings of the manager's direct reports: state, dates, what awaits them."""
    report_ids = ParticipantProfile.objects.filter(superior=manager).values("user_id")
    pairing_ids = PairingMember.objects.filter(
        role=MemberRole.MENTEE, user_id__in=report_ids
    ).values("pairing_id")
    pairings = (
        Pairing.objects.filter(pk__in=pairing_ids)
        .exclude(state__in=[S.CLOSED, S.CANCELLED])
        .select_related("programme")
        .prefetch_related("members__user")
        .order_by("planned_end", "pk")
    )
    waiting_extension = set(
        Extension.objects.filter(
            pairing__in=pairings, status=Extension.Status.REQUESTED
        ).values_list("pairing_id", flat=True)
    )
    lines = []
    for pairing in pairings:
        awaiting = []
        if pairing.state == S.PROPOSED:
            awaiting.append("pairing")
        if pairing.state == S.CLOSING:
            awaiting.append("closure")
        if pairing.pk in waiting_extension:
            awaiting.append("extension")
        lines.append(
            {
                "pairing": pairing,
                "mentee": _name(pairing.mentee) if pairing.mentee else "",
                "state": pairing.get_state_display(),
                "planned_end": pairing.planned_end,
                "midterm_review_due": pairing.midterm_review_due,
                "first_contact_overdue": pairing.first_contact_overdue,
                "awaiting": awaiting,
            }
        )
    return lines


def extra_context(notification):
    if notification.kind == Kind.MANAGER_DIGEST and notification.recipient:
        lines = manager_overview(notification.recipient)
        return {"lines": lines, "awaiting_count": sum(1 for line in lines if line["awaiting"])}
    if notification.kind == Kind.ASSIGNED_MENTEE and notification.pairing:
        mentors = [
            _name(m.user)
            for m in notification.pairing.members.select_related("user")
            if m.role != MemberRole.MENTEE
        ]
        return {"mentor_names": mentors}
    return {}
