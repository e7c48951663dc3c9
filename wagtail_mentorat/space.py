"""What a person sees in their mentoring space: their pairings, loaded in a fixed number
of queries, and the next thing each one asks of them. Presentation only: the rules stay
in :mod:`wagtail_mentorat.lifecycle`."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from .circles.messaging import unread_counts
from .models import (
    AgreementAcceptance,
    HelpRequest,
    Meeting,
    MeetingNote,
    MemberRole,
    Pairing,
    PairingMember,
    PairingState,
    ProgressReview,
)

S = PairingState


@dataclass
class Step:
    text: str
    due: object = None
    overdue: bool = False


def pairings_for(user):
    """The person's pairings (not cancelled), with what the dashboard shows, in a constant
    number of queries. Meeting counts come from one grouped query rather than an
    aggregate over the joined pairing rows, which is cheaper to build and to run."""
    pairings = list(
        Pairing.objects.filter(members__user=user)
        .exclude(state=S.CANCELLED)
        .select_related("programme", "agreement", "circle")
        .prefetch_related(
            Prefetch("members", queryset=PairingMember.objects.select_related("user")),
            Prefetch("agreement__acceptances", queryset=AgreementAcceptance.objects.all()),
            Prefetch(
                "help_requests",
                queryset=HelpRequest.objects.filter(answered_at__isnull=True),
                to_attr="open_help_requests",
            ),
            Prefetch("reviews", queryset=ProgressReview.objects.all()),
        )
        .order_by("state", "-proposed_at")
    )
    stats = (
        {
            row["pairing_id"]: row
            for row in Meeting.objects.filter(pairing__in=pairings)
            .values("pairing_id")
            .annotate(count=Count("id"), last=Max("held_at"))
            .order_by()
        }
        if pairings
        else {}
    )
    unread = unread_counts(user, [p.pk for p in pairings])
    for pairing in pairings:
        pairing.unread_messages = unread.get(pairing.pk, 0)
        row = stats.get(pairing.pk, {})
        pairing.meeting_count = row.get("count", 0)
        pairing.last_meeting = row.get("last")
    return pairings


def pairing_detail(pk, user):
    """One pairing, if ``user`` is in it, with meetings and the user's own private notes."""
    return (
        Pairing.objects.filter(pk=pk, members__user=user)
        .select_related("programme", "agreement")
        .prefetch_related(
            Prefetch("members", queryset=PairingMember.objects.select_related("user")),
            "agreement__objectives",
            Prefetch(
                "agreement__acceptances",
                queryset=AgreementAcceptance.objects.select_related("user"),
            ),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("logged_by").prefetch_related(
                    Prefetch(
                        "private_notes",
                        queryset=MeetingNote.objects.filter(author=user),
                        to_attr="my_notes",
                    )
                ),
            ),
            Prefetch("help_requests", queryset=HelpRequest.objects.select_related("asked_by")),
            "reviews",
            "extensions",
            "fit_checks",
        )
        .first()
    )


def role_of(pairing, user):
    for member in pairing.members.all():
        if member.user_id == user.pk:
            return member.role
    return None


def is_mentor_role(role):
    return role in (MemberRole.PRIMARY_MENTOR, MemberRole.ADDITIONAL_MENTOR)


def next_steps(pairing, user, now=None):
    """What this pairing asks of ``user`` now, most urgent first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    role = role_of(pairing, user)
    mentor = is_mentor_role(role)
    steps = []
    agreement = getattr(pairing, "agreement", None)
    if pairing.state == S.PROPOSED:
        steps.append(Step(_("This pairing waits for approval. You will be told when it is made.")))
    elif pairing.state == S.APPROVED:
        if role == MemberRole.PRIMARY_MENTOR and not pairing.mentor_accepted_at:
            answer_due = pairing.assigned_at + datetime.timedelta(
                hours=pairing.programme.mentor_response_hours
            )
            steps.append(Step(_("Accept this assignment, or decline it."), answer_due))
        overdue = pairing.first_contact_due and pairing.first_contact_due < now
        steps.append(
            Step(
                _("Contact your mentee and record the first contact.")
                if mentor
                else _("Your mentor will contact you. Expect it by this time."),
                pairing.first_contact_due,
                bool(overdue),
            )
        )
    if pairing.state in (S.CONTACTED, S.ACTIVE) and agreement is not None:
        accepted = {
            a.user_id for a in agreement.acceptances.all() if a.version == agreement.version
        }
        if user.pk not in accepted:
            steps.append(
                Step(_("Read the agreement, write your objectives together and accept it."))
            )
    if pairing.state in (S.ACTIVE, S.CLOSING):
        for help_request in getattr(pairing, "open_help_requests", []):
            steps.append(
                Step(
                    _("Answer the help request.")
                    if mentor
                    else _("Your help request awaits an answer."),
                    help_request.due_at,
                    help_request.due_at < now,
                )
            )
        kinds = {review.kind for review in pairing.reviews.all()}
        if pairing.midterm_review_due and "midterm" not in kinds and pairing.state == S.ACTIVE:
            steps.append(
                Step(
                    _("Fill in the mid-term review."),
                    pairing.midterm_review_due,
                    pairing.midterm_review_due < today,
                )
            )
        if (
            pairing.planned_end
            and pairing.programme.final_review_required
            and "final" not in kinds
            and pairing.planned_end - today <= datetime.timedelta(days=30)
        ):
            steps.append(
                Step(
                    _("Fill in the final review."), pairing.planned_end, pairing.planned_end < today
                )
            )
        cadence = datetime.timedelta(weeks=pairing.programme.meeting_cadence_weeks)
        last = getattr(pairing, "last_meeting", None)
        since = last or pairing.assigned_at
        if pairing.state == S.ACTIVE and since and now - since > cadence:
            steps.append(
                Step(_("No meeting for a while: plan the next one."), since + cadence, True)
            )
    if pairing.state == S.CLOSING:
        steps.append(Step(_("The closure waits for the manager's approval.")))
    return sorted(steps, key=lambda s: (not s.overdue, s.due is None, str(s.due)))


def pairings_summary(pairings, user):
    return [
        {
            "pairing": p,
            "role": role_of(p, user),
            "others": [m for m in p.members.all() if m.user_id != user.pk],
            "steps": next_steps(p, user),
        }
        for p in pairings
    ]


def managed_pairings(manager):
    """Pairings of the manager's direct reports: states and dates only."""
    return (
        Pairing.objects.filter(
            members__role=MemberRole.MENTEE, members__user__mentorat_profile__superior=manager
        )
        .exclude(state=S.CANCELLED)
        .select_related("programme", "agreement")
        .prefetch_related(
            Prefetch("members", queryset=PairingMember.objects.select_related("user")),
            Prefetch("extensions", to_attr="all_extensions"),
            Prefetch("reviews"),
        )
        .annotate(meeting_count=Count("meetings", distinct=True))
        .order_by("state", "-proposed_at")
        .distinct()
    )
