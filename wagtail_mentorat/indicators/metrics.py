"""The quality indicators, computed in the database.

Every function takes a :class:`Scope` (programme, period, optional site and unit of the
mentee) and returns plain numbers from one ORM aggregation (``Count``/``Avg`` with
``filter=Q(...)``, durations as datetime differences): the number of queries never
depends on the number of pairings or meetings. Only counts, dates and ratings are read;
no confidential text (meeting summaries, notes, agreements, questions) feeds any of them.

Populations, all in the programme and the period:
- requests opened in the period;
- pairings *started*: assigned (approved) in the period — matching, first contact,
  agreement;
- pairings *ended*: closed in the period — meetings, length, premature endings, reasons;
- reviews *due* in the period (mid-term due date, or planned end for the final review);
- final reviews submitted in the period — objectives attained, satisfaction;
- help requests and extension requests made in the period.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import conf, rules
from ..formatting import number
from ..models import (
    PLANNED_REASONS_VALUES,
    Agreement,
    AgreementAcceptance,
    ClosureReason,
    ExpertiseArea,
    Extension,
    HelpRequest,
    Meeting,
    MemberRole,
    MentoringKind,
    MentoringRequest,
    MentorOffer,
    ObjectiveAttainment,
    Pairing,
    PairingMember,
    PairingState,
    ParticipantProfile,
    ProgressReview,
)

MENTOR_ROLES = (MemberRole.PRIMARY_MENTOR, MemberRole.ADDITIONAL_MENTOR)


def min_group():
    """The smallest group a breakdown is shown for (privacy)."""
    return conf.indicators_min_group()


@dataclass(frozen=True)
class Scope:
    """What the indicators are computed for. ``end`` is inclusive."""

    programme: object
    start: datetime.date
    end: datetime.date
    site: str = ""
    unit: str = ""
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def since(self):
        return _aware(self.start)

    @property
    def until(self):  # exclusive
        return _aware(self.end + datetime.timedelta(days=1))

    @property
    def is_group(self):
        return bool(self.site or self.unit)

    def in_period(self, name):
        return Q(**{f"{name}__gte": self.since, f"{name}__lt": self.until})

    def people(self, prefix):
        """Profiles filter for the site and unit, ``prefix`` leading to a user."""
        q = Q()
        if self.site:
            q &= Q(**{f"{prefix}mentorat_profile__site": self.site})
        if self.unit:
            q &= Q(**{f"{prefix}mentorat_profile__unit": self.unit})
        return q

    def pairings(self):
        # Mentoring relationships; peer support circles have their own figures (circles()).
        qs = Pairing.objects.filter(programme=self.programme).exclude(kind=MentoringKind.CIRCLE)
        if self.is_group:
            mentees = PairingMember.objects.filter(
                self.people("user__"), pairing_id=OuterRef("pk"), role=MemberRole.MENTEE
            )
            qs = qs.filter(Exists(mentees))
        return qs

    def pairing_filter(self, prefix):
        """For a model with a ``pairing`` (through ``prefix``): the scope's pairings."""
        q = Q(**{f"{prefix}programme": self.programme}) & ~Q(
            **{f"{prefix}kind": MentoringKind.CIRCLE}
        )
        if self.is_group:
            q &= Q(**{f"{prefix}pk__in": self.pairings().values("pk")})
        return q


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def pct(part, whole):
    """A share in percent (one decimal), or None with nothing to divide."""
    if not whole:
        return None
    return round(100 * (part or 0) / whole, 1)


def _days(delta):
    return None if delta is None else round(delta.total_seconds() / 86400, 1)


def _hours(delta):
    return None if delta is None else round(delta.total_seconds() / 3600, 1)


def _since(later, earlier):
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


# ----------------------------------------------------------------------------- group size


def group_size(scope):
    """The mentees the chosen site and unit's figures are about: people of that site and
    unit with a request opened in the period or a pairing assigned or closed in it, or
    open during it. None for the whole programme (not a breakdown)."""
    if not scope.is_group:
        return None
    requests = MentoringRequest.objects.filter(
        scope.in_period("created_at"), programme=scope.programme
    ).values("mentee_id")
    members = PairingMember.objects.filter(
        Q(pairing__closed_at__isnull=True) | Q(pairing__closed_at__gte=scope.since),
        pairing__programme=scope.programme,
        pairing__assigned_at__lt=scope.until,
        role=MemberRole.MENTEE,
    ).values("user_id")
    people = get_user_model().objects.filter(scope.people(""))
    return people.filter(Q(pk__in=requests) | Q(pk__in=members)).count()


# ----------------------------------------------------------------------------- indicators


# A request still waiting for a mentor is not yet a request left without one: it counts
# against the match rate once it has waited this long (a month, the usual time to match).
MATCH_GRACE_DAYS = 30


def _month(field_name):
    """The local month of a datetime field, for a grouped query (monthly trends)."""
    return TruncMonth(field_name, tzinfo=timezone.get_current_timezone())


def _month_day(month):
    """A grouped row's month as the date of its first day (SQLite returns a datetime)."""
    if isinstance(month, datetime.datetime):
        tz = timezone.get_current_timezone()
        return timezone.localtime(month, tz).date() if timezone.is_aware(month) else month.date()
    return month


def _total(rows, key):
    return sum(row[key] or 0 for row in rows)


def _mean(rows, key, count):
    """The average of a duration summed per group (``key``) over the ``count`` rows it
    sums (None with none)."""
    n = _total(rows, count)
    if not n:
        return None
    return sum((row[key] for row in rows if row[key] is not None), datetime.timedelta()) / n


def request_months(scope):
    """Requests opened in the period, counted per month of opening: one grouped query
    that :func:`requests` (the sums) and :func:`monthly` (the trend) both read."""
    qs = MentoringRequest.objects.filter(scope.in_period("created_at"), programme=scope.programme)
    if scope.is_group:
        qs = qs.filter(scope.people("mentee__"))
    S = MentoringRequest.Status
    since = timezone.now() - datetime.timedelta(days=MATCH_GRACE_DAYS)
    return list(
        qs.annotate(month=_month("created_at"))
        .order_by()
        .values("month")
        .annotate(
            opened=Count("pk"),
            matched=Count("pk", filter=Q(status=S.MATCHED)),
            withdrawn=Count("pk", filter=Q(status=S.WITHDRAWN)),
            waiting=Count("pk", filter=Q(status=S.OPEN)),
            recent=Count("pk", filter=Q(status=S.OPEN, created_at__gt=since)),
            urgent=Count("pk", filter=Q(urgency=MentoringRequest.Urgency.URGENT)),
        )
    )


def requests(scope, months=None):
    """Requests opened in the period, and how many found a mentor.

    The match rate is over the requests that had their chance: matched, or still waiting
    after :data:`MATCH_GRACE_DAYS`. Withdrawn requests and those opened less than that ago
    and still waiting are not counted (``recent``); with none left, there is nothing to
    measure yet (``None``), never a "0 %" below the reference. ``months``: the rows of
    :func:`request_months` when already read."""
    months = request_months(scope) if months is None else months
    keys = ("opened", "matched", "withdrawn", "waiting", "recent", "urgent")
    row = {key: _total(months, key) for key in keys}
    row["settled"] = row["opened"] - row["withdrawn"] - row["recent"]
    row["match_rate"] = pct(row["matched"], row["settled"])
    return row


def _signed():
    """A pairing (the outer row) whose agreement's current version every member accepted.

    Evaluated pairing by pairing through three unique indexes — the pairing's agreement,
    its members, each member's acceptance of that version — so its cost follows the
    period's pairings: no scan of every member, agreement or acceptance of the
    organisation to hash (the acceptances alone are twice the pairings). The members are
    those of the outer pairing, and the acceptance that of the agreement two levels up,
    so that PostgreSQL runs plain index look-ups (correlated to the agreement's pairing,
    it built a hash of two members for each pairing)."""
    accepted = AgreementAcceptance.objects.filter(
        agreement_id=OuterRef(OuterRef("pk")),
        version=OuterRef(OuterRef("version")),
        user_id=OuterRef("user_id"),
    )
    not_accepted = PairingMember.objects.filter(pairing_id=OuterRef(OuterRef("pk"))).filter(
        ~Exists(accepted)
    )
    return Exists(Agreement.objects.filter(pairing_id=OuterRef("pk")).filter(~Exists(not_accepted)))


def started(scope):
    """Pairings assigned in the period: time from request, first contact, agreement.

    The request's date is read through its primary key for the period's pairings only (a
    hash join read every request of the organisation). One plain aggregate: grouped by
    month as well (for the trend), PostgreSQL sorted the rows and the query cost twice as
    much as the trend's own small query (:func:`monthly`)."""
    qs = scope.pairings().filter(scope.in_period("assigned_at"))
    contacted = Q(first_contact_at__isnull=False)
    opened = Subquery(
        MentoringRequest.objects.filter(pk=OuterRef("request_id"))
        .order_by()
        .values("created_at")[:1]
    )
    row = qs.aggregate(
        assigned=Count("pk"),
        with_request=Count("pk", filter=Q(request__isnull=False)),
        to_match=Avg(
            ExpressionWrapper(F("assigned_at") - opened, output_field=DurationField()),
            filter=Q(request__isnull=False),
        ),
        contacted=Count("pk", filter=contacted),
        contact_on_time=Count(
            "pk", filter=contacted & Q(first_contact_at__lte=F("first_contact_due"))
        ),
        contact_late=Count(
            "pk",
            filter=Q(first_contact_at__gt=F("first_contact_due"))
            | Q(first_contact_at__isnull=True, first_contact_due__lt=timezone.now()),
        ),
        to_contact=Avg(_since("first_contact_at", "assigned_at"), filter=contacted),
        signed=Count("pk", filter=contacted & _signed()),
    )
    row["to_match_days"] = _days(row.pop("to_match"))
    row["to_contact_hours"] = _hours(row.pop("to_contact"))
    # Due: contacted, or past the deadline without contact (still counted as late).
    due = row["contact_on_time"] + row["contact_late"]
    row["contact_due"] = due
    row["first_contact_on_time"] = pct(row["contact_on_time"], due)
    row["agreements_signed"] = pct(row["signed"], row["contacted"])
    return row


def closed_groups(scope):
    """Pairings closed in the period, per month of closing and reason: one grouped query
    that :func:`ended`, :func:`closure_reasons` and :func:`monthly` read."""
    qs = scope.pairings().filter(scope.in_period("closed_at"), state=PairingState.CLOSED)
    timed = Q(assigned_at__isnull=False)
    return list(
        qs.annotate(month=_month("closed_at"))
        .order_by()
        .values("month", "closure_reason")
        .annotate(
            closed=Count("pk"),
            premature=Count("pk", filter=Q(premature=True)),
            extended=Count("pk", filter=Q(original_end__isnull=False)),
            timed=Count("pk", filter=timed),
            length=Sum(_since("closed_at", "assigned_at"), filter=timed),
        )
    )


def ended(scope, groups=None):
    """Pairings closed in the period: length, premature endings, commitment, extensions.
    ``groups``: the rows of :func:`closed_groups` when already read."""
    groups = closed_groups(scope) if groups is None else groups
    row = {key: _total(groups, key) for key in ("closed", "premature", "extended")}
    row["commitment"] = _total(
        [g for g in groups if g["closure_reason"] in PLANNED_REASONS_VALUES], "closed"
    )
    row["length_days"] = _days(_mean(groups, "length", "timed"))
    row["premature_share"] = pct(row["premature"], row["closed"])
    row["commitment_share"] = pct(row["commitment"], row["closed"])
    row["extended_share"] = pct(row["extended"], row["closed"])
    return row


def closure_reasons(scope, groups=None):
    """Pairings closed in the period by reason, with the premature ones. Reasons given by
    fewer than the privacy threshold are merged into "fewer than N"."""
    groups = closed_groups(scope) if groups is None else groups
    by_reason = defaultdict(lambda: {"count": 0, "premature": 0})
    for g in groups:
        by_reason[g["closure_reason"]]["count"] += g["closed"]
        by_reason[g["closure_reason"]]["premature"] += g["premature"]
    labels = dict(ClosureReason.choices)
    out = [
        {
            "reason": reason,
            "label": labels.get(reason, reason or "—"),
            "count": counts["count"],
            "premature": counts["premature"],
        }
        for reason, counts in by_reason.items()
    ]
    return sorted(out, key=lambda r: (-r["count"], str(r["label"])))


def circles(scope):
    """Peer support circles of the programme open during the period: how many, their
    members, meetings and attendance (who came over the members at the time, counted as
    the current members), and why the ones closed in the period ended. Site and unit do
    not apply: a circle gathers people across them."""
    roles = (MemberRole.PEER, MemberRole.FACILITATOR)
    open_in_period = Q(closed_at__isnull=True) | Q(closed_at__gte=scope.since)
    qs = Pairing.objects.filter(
        open_in_period,
        programme=scope.programme,
        kind=MentoringKind.CIRCLE,
        assigned_at__lt=scope.until,
    )
    members = PairingMember.objects.filter(pairing__in=qs.values("pk"), role__in=roles)
    figures = members.aggregate(seats=Count("pk"), people=Count("user", distinct=True))
    figures["circles"] = qs.count()
    held = Meeting.objects.filter(scope.in_period("held_at"), pairing__in=qs.values("pk"))
    size = PairingMember.objects.filter(pairing_id=OuterRef("pairing_id"), role__in=roles)
    size = size.order_by().values("pairing_id").annotate(n=Count("pk")).values("n")
    came = Meeting.attendees.through.objects.filter(meeting_id=OuterRef("pk"))
    came = came.order_by().values("meeting_id").annotate(n=Count("pk")).values("n")
    attendance = held.annotate(came=Coalesce(Subquery(came), 0), size=Subquery(size)).aggregate(
        meetings=Count("pk", distinct=True),
        present=Sum("came", filter=Q(came__gt=0)),
        expected=Sum("size", filter=Q(came__gt=0)),
    )
    figures["meetings"] = attendance["meetings"]
    figures["attendance"] = pct(attendance["present"], attendance["expected"])
    closed = Pairing.objects.filter(
        scope.in_period("closed_at"),
        programme=scope.programme,
        kind=MentoringKind.CIRCLE,
        state=PairingState.CLOSED,
    )
    labels = dict(ClosureReason.choices)
    figures["reasons"] = [
        {"label": labels.get(row["closure_reason"], "—"), "count": row["n"]}
        for row in closed.order_by()
        .values("closure_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "closure_reason")
    ]
    return figures


def meetings(scope, min_meetings):
    """Meetings of the pairings closed in the period against the recommended minimum.

    Each pairing counts its meetings through the meeting's pairing index (a correlated
    count), so the cost follows the period's pairings, not the whole meeting table (a
    join, even grouped, hashed the million meetings). The count is read once per pairing:
    ``distinct()`` (a no-op: the pairing's id is selected) keeps PostgreSQL from inlining
    the inner query, which evaluated the count again for each aggregate using it."""
    per_pairing = Subquery(
        Meeting.objects.filter(pairing_id=OuterRef("pk"))
        .order_by()
        .values("pairing_id")
        .annotate(n=Count("*"))
        .values("n"),
        output_field=IntegerField(),
    )
    closed = scope.pairings().filter(scope.in_period("closed_at"), state=PairingState.CLOSED)
    return (
        closed.annotate(n=Coalesce(per_pairing, 0))
        .values("pk", "n")
        .distinct()
        .aggregate(
            total=Coalesce(Sum("n"), 0),
            reached=Count("pk", filter=Q(n__gte=min_meetings)),
        )
    )


def _flag(condition, applies=True):
    """``condition`` as a boolean column; false on every row when it does not apply (a
    condition that matches nothing compiles to an integer, which PostgreSQL refuses as
    a ``FILTER``)."""
    if not applies:
        return Value(False, output_field=BooleanField())
    return ExpressionWrapper(condition, output_field=BooleanField())


def reviews(scope):
    """Mid-term and final reviews due in the period (and already due today), done on time
    (submitted on or before the due date), late, or missing."""
    today = min(scope.today, scope.end)
    live = ~Q(state__in=[PairingState.PROPOSED, PairingState.CANCELLED]) & Q(
        start_date__isnull=False
    )
    if not scope.programme.midterm_review_required:
        live_mid = Q(pk__in=[])
    else:
        live_mid = live
    live_final = live if scope.programme.final_review_required else Q(pk__in=[])
    mid_due = (
        live_mid
        & Q(midterm_review_due__gte=scope.start, midterm_review_due__lte=today)
        # A pairing that ended before its mid-term owes no mid-term review.
        & (Q(closed_at__isnull=True) | Q(closed_at__date__gte=F("midterm_review_due")))
    )
    final_due = (
        live_final
        & Q(planned_end__gte=scope.start, planned_end__lte=today)
        & (Q(closed_at__isnull=True) | Q(closed_at__date__gte=F("planned_end")))
    )
    # Each pairing has at most one review of each kind (a unique constraint): one outer
    # join on the pairing's reviews, grouped by pairing, reads both (two joins, one per
    # kind, read the whole review table twice), then the due ones are counted.
    midterm = Q(reviews__kind=ProgressReview.Kind.MIDTERM)
    final = Q(reviews__kind=ProgressReview.Kind.FINAL)
    per_pairing = (
        scope.pairings()
        .filter(mid_due | final_due)
        .annotate(
            due_mid=_flag(mid_due, scope.programme.midterm_review_required),
            due_final=_flag(final_due, scope.programme.final_review_required),
            mid_n=Count("reviews", filter=midterm),
            final_n=Count("reviews", filter=final),
            mid_at=Max("reviews__submitted_at", filter=midterm),
            final_at=Max("reviews__submitted_at", filter=final),
        )
        .annotate(
            on_time_mid=ExpressionWrapper(
                Q(mid_at__date__lte=F("midterm_review_due")), output_field=BooleanField()
            ),
            on_time_final=ExpressionWrapper(
                Q(final_at__date__lte=F("planned_end")), output_field=BooleanField()
            ),
        )
    )
    row = per_pairing.aggregate(
        midterm_due=Count("pk", filter=Q(due_mid=True)),
        midterm_on_time=Count("pk", filter=Q(due_mid=True, on_time_mid=True)),
        midterm_done=Count("pk", filter=Q(due_mid=True, mid_n__gt=0)),
        final_due=Count("pk", filter=Q(due_final=True)),
        final_on_time=Count("pk", filter=Q(due_final=True, on_time_final=True)),
        final_done=Count("pk", filter=Q(due_final=True, final_n__gt=0)),
    )
    row["reviews_on_time"] = pct(
        row["midterm_on_time"] + row["final_on_time"], row["midterm_due"] + row["final_due"]
    )
    row["midterm_on_time_share"] = pct(row["midterm_on_time"], row["midterm_due"])
    row["final_on_time_share"] = pct(row["final_on_time"], row["final_due"])
    return row


def satisfaction(scope):
    """Satisfaction (1 to 5) given in the reviews submitted in the period."""
    qs = ProgressReview.objects.filter(
        scope.pairing_filter("pairing__"), scope.in_period("submitted_at")
    )
    final = Q(kind=ProgressReview.Kind.FINAL)
    midterm = Q(kind=ProgressReview.Kind.MIDTERM)
    row = qs.aggregate(
        final_count=Count("pk", filter=final),
        final_avg=Avg("satisfaction", filter=final),
        final_satisfied=Count("pk", filter=final & Q(satisfaction__gte=4)),
        midterm_count=Count("pk", filter=midterm),
        midterm_avg=Avg("satisfaction", filter=midterm),
    )
    for key in ("final_avg", "midterm_avg"):
        row[key] = None if row[key] is None else round(float(row[key]), 2)
    row["satisfied_share"] = pct(row["final_satisfied"], row["final_count"])
    return row


def objectives(scope):
    """Objectives as the final reviews submitted in the period rate them."""
    qs = ObjectiveAttainment.objects.filter(
        scope.pairing_filter("review__pairing__"),
        scope.in_period("review__submitted_at"),
        review__kind=ProgressReview.Kind.FINAL,
    )
    L = ObjectiveAttainment.Level
    row = qs.aggregate(
        rated=Count("pk"),
        fully=Count("pk", filter=Q(level=L.FULLY)),
        mostly=Count("pk", filter=Q(level=L.MOSTLY)),
        partly=Count("pk", filter=Q(level=L.PARTLY)),
        not_yet=Count("pk", filter=Q(level=L.NOT_YET)),
    )
    row["objectives_attained"] = pct(row["fully"] + row["mostly"], row["rated"])
    return row


def extensions(scope):
    """Extension requests made in the period and their decisions."""
    qs = Extension.objects.filter(
        scope.pairing_filter("pairing__"), scope.in_period("requested_at")
    )
    S = Extension.Status
    return qs.aggregate(
        requested=Count("pk"),
        approved=Count("pk", filter=Q(status=S.APPROVED)),
        refused=Count("pk", filter=Q(status=S.REFUSED)),
        waiting=Count("pk", filter=Q(status=S.REQUESTED)),
    )


def help_requests(scope):
    """Help requests made in the period, answered within their deadline. A request still
    open and not yet due is left out; one past its deadline without answer is late."""
    now = timezone.now()
    qs = HelpRequest.objects.filter(
        scope.pairing_filter("pairing__"), scope.in_period("created_at")
    )
    due = Q(answered_at__isnull=False) | Q(due_at__lt=now)
    on_time = Q(answered_at__isnull=False, answered_at__lte=F("due_at"))
    urgent = Q(urgent=True)
    row = qs.aggregate(
        asked=Count("pk"),
        due=Count("pk", filter=due),
        on_time=Count("pk", filter=on_time),
        urgent_due=Count("pk", filter=urgent & due),
        urgent_on_time=Count("pk", filter=urgent & on_time),
        unanswered=Count("pk", filter=Q(answered_at__isnull=True)),
        to_answer=Avg(_since("answered_at", "created_at"), filter=Q(answered_at__isnull=False)),
    )
    row["to_answer_hours"] = _hours(row.pop("to_answer"))
    row["help_on_time"] = pct(row["on_time"], row["due"])
    row["urgent_on_time_share"] = pct(row["urgent_on_time"], row["urgent_due"])
    return row


def mentor_training(scope):
    """Mentors who accompanied a pairing of the programme during the period and hold
    every training the programme requires of mentors (valid on the period's last day)."""
    from wagtail_mentorat.training.services import users_who_completed

    modules = list(scope.programme.mentor_training.values_list("pk", flat=True))
    members = PairingMember.objects.filter(
        scope.pairing_filter("pairing__"),
        role__in=MENTOR_ROLES,
        pairing__assigned_at__lt=scope.until,
    ).filter(Q(pairing__closed_at__isnull=True) | Q(pairing__closed_at__gte=scope.since))
    members = members.exclude(pairing__state=PairingState.CANCELLED)
    aggregates = {"mentors": Count("user_id", distinct=True)}
    if modules:
        done = users_who_completed(modules, on=scope.end)
        aggregates["trained"] = Count("user_id", distinct=True, filter=Q(user_id__in=done))
    row = members.aggregate(**aggregates)
    row["required"] = len(modules)
    row["trained"] = row.get("trained")
    row["mentors_trained"] = pct(row["trained"], row["mentors"]) if modules else None
    return row


def supply_and_demand(scope):
    """Requests waiting now against free mentor places now, overall and by area of
    expertise (seed 000: 8 requests for 4 mentors went unseen). Five queries.

    The supply is the programme's mentor pool (issue 17): active mentors whose offer in
    the programme is approved and who take mentees today, as for the matching
    (``matching.adapter.load_mentors`` and ``rules.pool_errors``) — a mentor outside the
    pool can be paired with none of its requests. A mentor's free places follow the core
    rules (``rules.mentor_capacity`` less ``rules.places_taken``, in every programme: a
    place is a person's time); the places taken are one grouped query over the occupying
    pairings (every mentor's, kept for the pool's).
    """
    waiting = MentoringRequest.objects.filter(
        programme=scope.programme, status=MentoringRequest.Status.OPEN
    )
    if scope.is_group:
        waiting = waiting.filter(scope.people("mentee__"))
    today = timezone.localdate()
    in_pool = MentorOffer.objects.filter(
        Q(unavailable_until__isnull=True) | Q(unavailable_until__lt=today),
        programme=scope.programme,
        mentor_id=OuterRef("user_id"),
        status=MentorOffer.Status.APPROVED,
    )
    mentors = ParticipantProfile.objects.filter(
        Exists(in_pool), is_mentor=True, user__is_active=True
    )
    if scope.site:
        mentors = mentors.filter(site=scope.site)
    if scope.unit:
        mentors = mentors.filter(unit=scope.unit)
    capacities = dict(mentors.values_list("user_id", "mentor_capacity"))
    # Every mentor's places taken, kept for the pool's: one grouped join driven by the
    # occupying pairings (a few per mentor, whatever the history). Filtered by the pool's
    # ids (a list of thousands), PostgreSQL guessed a few memberships out of 100,000 and
    # hashed the wrong side; a place is a person's time in every programme, so the
    # programme's filter cannot narrow it either.
    taken = rules.places_taken(None)
    free = {
        user_id: max(
            0,
            rules.mentor_capacity(scope.programme, SimpleNamespace(mentor_capacity=capacity))
            - taken.get(user_id, 0),
        )
        for user_id, capacity in capacities.items()
    }
    supply = defaultdict(int)
    for user_id, area_id in mentors.filter(expertise__isnull=False).values_list(
        "user_id", "expertise"
    ):
        supply[area_id] += free.get(user_id, 0)
    overall = {"mentors": len(free), "places": sum(free.values()), "waiting": waiting.count()}
    demand = {
        row["expertise"]: row["n"]
        for row in waiting.filter(expertise__isnull=False)
        .order_by()
        .values("expertise")
        .annotate(n=Count("pk", distinct=True))
    }
    areas = []
    for area in ExpertiseArea.objects.filter(pk__in=set(supply) | set(demand)).order_by("name"):
        areas.append(
            {
                "area": area.name,
                "supply": supply.get(area.pk, 0),
                "demand": demand.get(area.pk, 0),
            }
        )
    for row in areas:
        row["gap"] = row["demand"] - row["supply"]
    overall["gap"] = overall["waiting"] - overall["places"]
    overall["areas"] = areas
    return overall


def monthly(scope, requests=None, closed=None):
    """Trends: per month of the period, requests opened, pairings assigned, pairings
    closed and those closed prematurely: the pairings assigned per month in one query,
    the rest from the grouped rows of :func:`request_months` and :func:`closed_groups`
    (read here when not given)."""
    months = []
    day = scope.start.replace(day=1)
    while day <= scope.end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    series = {
        m: {"month": m, "requests": 0, "assigned": 0, "closed": 0, "premature": 0} for m in months
    }

    def fill(rows, **keys):
        for row in rows:
            month = series.get(_month_day(row["month"]))
            if month is not None:
                for key, source in keys.items():
                    month[key] += row[source]

    fill(request_months(scope) if requests is None else requests, requests="opened")
    assigned = (
        scope.pairings()
        .filter(scope.in_period("assigned_at"))
        .annotate(month=_month("assigned_at"))
        .order_by()
        .values("month")
        .annotate(assigned=Count("pk"))
    )
    fill(assigned, assigned="assigned")
    fill(
        closed_groups(scope) if closed is None else closed,
        closed="closed",
        premature="premature",
    )
    return [series[m] for m in months]


# ----------------------------------------------------------------------------- assembly


@dataclass
class Indicator:
    key: str
    label: str
    value: object  # a number, or None when there is nothing to measure yet
    unit: str = "%"
    detail: str = ""
    reference: object = None
    source: str = ""
    lower_is_better: bool = False
    numerator: object = None
    denominator: object = None
    note: int | None = None  # footnote number of the reference's source

    @property
    def meets_reference(self):
        if self.value is None or self.reference is None:
            return None
        return (
            self.value <= self.reference if self.lower_is_better else self.value >= self.reference
        )


def compute(scope, references=None):
    """Every indicator for ``scope``: a dict with the raw figures of each family, the
    list of :class:`Indicator` in display order, the closure reasons, supply and demand,
    and the monthly trends. A fixed number of queries."""
    programme = scope.programme
    # The grouped rows of two populations, each read once for its figures and its trend.
    opened, closed = request_months(scope), closed_groups(scope)
    data = {
        "requests": requests(scope, opened),
        "started": started(scope),
        "ended": ended(scope, closed),
        "reasons": closure_reasons(scope, closed),
        "meetings": meetings(scope, programme.min_meetings),
        "reviews": reviews(scope),
        "satisfaction": satisfaction(scope),
        "objectives": objectives(scope),
        "extensions": extensions(scope),
        "help": help_requests(scope),
        "training": mentor_training(scope),
        "supply": supply_and_demand(scope),
        "monthly": monthly(scope, opened, closed),
        "circles": circles(scope),
    }
    closed = data["ended"]["closed"]
    reached = data["meetings"]["reached"]
    data["meetings"]["average"] = round(data["meetings"]["total"] / closed, 1) if closed else None
    data["meetings"]["meetings_min_share"] = pct(reached, closed)
    data["indicators"] = build_indicators(data, programme, references)
    return data


def build_indicators(data, programme, references=None):
    r, s, e, m = data["requests"], data["started"], data["ended"], data["meetings"]
    rv, sat, obj, ext = (
        data["reviews"],
        data["satisfaction"],
        data["objectives"],
        data["extensions"],
    )
    hp, tr, sd = data["help"], data["training"], data["supply"]
    rows = [
        Indicator(
            "match_rate",
            _("Requests matched with a mentor"),
            r["match_rate"],
            numerator=r["matched"],
            denominator=r["settled"],
            detail=_(
                "%(opened)s opened in the period, %(withdrawn)s withdrawn, "
                "%(waiting)s still waiting"
            )
            % r
            + (
                "; "
                + _("not counted yet: %(recent)s waiting for less than %(days)s days")
                % {"recent": r["recent"], "days": MATCH_GRACE_DAYS}
                if r["recent"]
                else ""
            ),
        ),
        Indicator(
            "supply_gap",
            _("Free mentor places left after the waiting requests (now)"),
            sd["places"] - sd["waiting"],
            unit="",
            detail=_(
                "waiting requests: %(waiting)s; free places: %(places)s among %(mentors)s mentors"
            )
            % sd,
        ),
        Indicator(
            "to_match_days",
            _("Average time from request to match"),
            s["to_match_days"],
            unit=_("days"),
            denominator=s["with_request"],
        ),
        Indicator(
            "to_contact_hours",
            _("Average time from assignment to first contact"),
            s["to_contact_hours"],
            unit=_("hours"),
            denominator=s["contacted"],
        ),
        Indicator(
            "first_contact_on_time",
            _("First contacts within the deadline (%(hours)s h)")
            % {"hours": programme.first_contact_hours},
            s["first_contact_on_time"],
            numerator=s["contact_on_time"],
            denominator=s["contact_due"],
        ),
        Indicator(
            "agreements_signed",
            _("Agreements signed by every member"),
            s["agreements_signed"],
            numerator=s["signed"],
            denominator=s["contacted"],
        ),
        Indicator(
            "meetings_min_share",
            _("Ended pairings with at least %(n)s meetings") % {"n": programme.min_meetings},
            m["meetings_min_share"],
            numerator=m["reached"],
            denominator=e["closed"],
            # A label, not "0.0 meetings": no plural to agree with a decimal number.
            detail=_("Meetings per pairing on average: %(average)s")
            % {"average": number(m["average"], 1)}
            if m["average"] is not None
            else "",
        ),
        Indicator(
            "reviews_on_time",
            _("Reviews done on time (mid-term and final)"),
            rv["reviews_on_time"],
            numerator=rv["midterm_on_time"] + rv["final_on_time"],
            denominator=rv["midterm_due"] + rv["final_due"],
            detail=_(
                "mid-term: %(midterm_on_time)s of %(midterm_due)s on time; "
                "final: %(final_on_time)s of %(final_due)s on time"
            )
            % rv,
        ),
        Indicator(
            "length_days",
            _("Average length of the relationships that ended"),
            e["length_days"],
            unit=_("days"),
            denominator=e["closed"],
        ),
        Indicator(
            "premature_share",
            _("Pairings closed prematurely"),
            e["premature_share"],
            numerator=e["premature"],
            denominator=e["closed"],
            lower_is_better=True,
        ),
        Indicator(
            "commitment_share",
            _("Pairings that reached their planned commitment"),
            e["commitment_share"],
            numerator=e["commitment"],
            denominator=e["closed"],
            detail=_("ended with objectives attained or at the planned end"),
        ),
        Indicator(
            "objectives_attained",
            _("Objectives mostly or fully attained (final reviews)"),
            obj["objectives_attained"],
            numerator=obj["fully"] + obj["mostly"],
            denominator=obj["rated"],
        ),
        Indicator(
            "satisfaction",
            _("Average satisfaction in the final reviews (1 to 5)"),
            sat["final_avg"],
            unit="/5",
            denominator=sat["final_count"],
        ),
        Indicator(
            "extensions",
            _("Extensions requested"),
            ext["requested"],
            unit="",
            detail=_("%(approved)s approved, %(refused)s refused, %(waiting)s waiting") % ext,
        ),
        Indicator(
            "mentors_trained",
            _("Mentors who completed the required training"),
            tr["mentors_trained"],
            numerator=tr["trained"],
            denominator=tr["mentors"],
            detail="" if tr["required"] else _("The programme requires no training of mentors."),
        ),
        Indicator(
            "help_on_time",
            _("Help requests answered within their deadline"),
            hp["help_on_time"],
            numerator=hp["on_time"],
            denominator=hp["due"],
            detail=_("urgent: %(urgent_on_time)s of %(urgent_due)s on time") % hp,
        ),
    ]
    threshold = min_group()
    for row in rows:
        if row.key == "satisfaction" and (row.denominator or 0) < threshold:
            # An average of a few ratings would say what one person answered.
            row.value = None
            row.detail = _("Shown only with at least %(n)s answers.") % {"n": threshold}
        if references is not None:
            row.reference, row.source = references.for_key(row.key)
    notes = iter(range(1, len(rows) + 1))
    for row in rows:
        if row.reference is not None:
            row.note = next(notes)
    return rows


def has_data(data):
    return bool(
        data["requests"]["opened"]
        or data["started"]["assigned"]
        or data["ended"]["closed"]
        or data["help"]["asked"]
    )


def suppress_small(data, threshold=None):
    """Breakdowns (closure reasons, areas) keep their rows of ``threshold`` or more; the
    smaller ones are merged so that no group of fewer people shows."""
    threshold = threshold or min_group()
    reasons = data["reasons"]
    shown = [row for row in reasons if row["count"] >= threshold]
    hidden = sum(row["count"] for row in reasons if row["count"] < threshold)
    data["reasons"] = shown
    data["reasons_hidden"] = hidden
    areas = data["supply"]["areas"]
    for row in areas:
        row["small"] = row["demand"] < threshold and row["demand"] > 0
    data["supply"]["areas"] = [row for row in areas if not row["small"]] + [
        row for row in areas if row["small"]
    ]
    return data
