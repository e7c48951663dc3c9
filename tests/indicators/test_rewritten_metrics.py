"""Issue 20: the metrics rewritten as joins and grouped aggregations give the numbers of a
straightforward computation (a Python loop over the rows), and the dashboard's queries
do not grow with the number of pairings or programmes.

The hand-built year of ``conftest.dataset`` is extended with edge cases: a pairing in
another programme (meetings, reviews and a signed agreement that must not count), one
closed with no meeting, one whose agreement changed after it was accepted, reviews
missing, pairings on the period's first and last instants and just outside, mentors
outside the pool or paused in it.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.indicators.conftest import UTC, person, scope_2024
from tests.mentorat.conftest import ProgrammeFactory
from wagtail_mentorat import rules
from wagtail_mentorat.indicators import metrics
from wagtail_mentorat.models import (
    OCCUPYING_STATES,
    Agreement,
    AgreementAcceptance,
    Meeting,
    MemberRole,
    MentoringKind,
    MentorOffer,
    Pairing,
    PairingMember,
    PairingState,
    ParticipantProfile,
    ProgressReview,
)

S = PairingState


def _local(day_or_time):
    return timezone.localtime(day_or_time).date()


def make_pairing(programme, mentee, mentor, state=S.ACTIVE, **fields):
    pairing = Pairing.objects.create(programme=programme, state=state, **fields)
    PairingMember.objects.create(pairing=pairing, user=mentee, role=MemberRole.MENTEE)
    PairingMember.objects.create(pairing=pairing, user=mentor, role=MemberRole.PRIMARY_MENTOR)
    return pairing


def agreement(pairing, version=1, accepted_by=(), accepted_version=None):
    a = Agreement.objects.create(
        pairing=pairing,
        version=version,
        mentee_responsibilities="-",
        mentor_responsibilities="-",
        confidentiality_clause="-",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
    )
    for user in accepted_by:
        AgreementAcceptance.objects.create(
            agreement=a, user=user, version=accepted_version or version
        )
    return a


def review(pairing, kind, when, satisfaction=4):
    return ProgressReview.objects.create(
        pairing=pairing, kind=kind, submitted_at=when, satisfaction=satisfaction
    )


def t(y, m, d, hours=12):
    return datetime.datetime(y, m, d, hours, tzinfo=UTC)


@pytest.fixture
def edges(dataset):
    programme = dataset["programme"]
    other = ProgrammeFactory(name="Autre programme", mentor_capacity=10)
    m1, m2 = dataset["mentors"]
    mentees = [person(f"x{i}", years_experience=1) for i in range(8)]
    x0, x1, x2, x3, x4, x5, x6, x7 = mentees
    scope = scope_2024(programme)

    # Another programme: everything would count if the programme filter were lost.
    o = make_pairing(
        other,
        x0,
        m1,
        state=S.CLOSED,
        assigned_at=t(2024, 2, 1),
        first_contact_at=t(2024, 2, 2),
        first_contact_due=t(2024, 2, 4),
        start_date=datetime.date(2024, 2, 1),
        midterm_review_due=datetime.date(2024, 5, 1),
        planned_end=datetime.date(2024, 8, 1),
        closed_at=t(2024, 8, 1),
    )
    agreement(o, accepted_by=[x0, m1])
    Meeting.objects.bulk_create(Meeting(pairing=o, held_at=t(2024, 3, d)) for d in range(1, 7))
    review(o, "midterm", t(2024, 4, 30))
    review(o, "final", t(2024, 7, 30))

    # Closed in the period with no meeting at all; its reviews missing.
    make_pairing(
        programme,
        x1,
        m2,
        state=S.CLOSED,
        assigned_at=t(2024, 3, 1),
        start_date=datetime.date(2024, 3, 1),
        midterm_review_due=datetime.date(2024, 6, 1),
        planned_end=datetime.date(2024, 9, 1),
        closed_at=t(2024, 9, 2),
    )

    # Assigned on the period's first instant (counted), contacted; agreement changed to
    # version 2 after both accepted version 1 (not signed). Mid-term due on the first day
    # of the period, final on its last: both due, the mid-term on time, the final late.
    since = scope.since
    first = make_pairing(
        programme,
        x2,
        m1,
        assigned_at=since,
        first_contact_at=since + datetime.timedelta(hours=1),
        first_contact_due=since + datetime.timedelta(hours=72),
        start_date=datetime.date(2024, 1, 1),
        midterm_review_due=datetime.date(2024, 1, 1),
        planned_end=datetime.date(2024, 12, 31),
    )
    agreement(first, version=2, accepted_by=[x2, m1], accepted_version=1)
    review(first, "midterm", timezone.make_aware(datetime.datetime(2024, 1, 1, 23, 59)))
    review(first, "final", timezone.make_aware(datetime.datetime(2025, 1, 1, 0, 1)))

    # Assigned on the period's last instant (counted) and signed by both.
    last = make_pairing(
        programme,
        x3,
        m2,
        assigned_at=scope.until - datetime.timedelta(microseconds=1),
        first_contact_at=scope.until + datetime.timedelta(hours=1),
        first_contact_due=scope.until + datetime.timedelta(hours=72),
    )
    agreement(last, accepted_by=[x3, m2])
    # Just outside the period on both sides: never counted.
    for when in (since - datetime.timedelta(microseconds=1), scope.until):
        out = make_pairing(
            programme,
            x4,
            m2,
            assigned_at=when,
            first_contact_at=when,
            first_contact_due=when,
            start_date=_local(when),
            midterm_review_due=datetime.date(2023, 12, 31)
            if when < since
            else datetime.date(2025, 1, 1),
            planned_end=datetime.date(2025, 6, 30),
        )
        agreement(out, accepted_by=[x4, m2])
    # Contacted with an agreement accepted by the mentor only; a member with no
    # acceptance at all (a second mentor added later).
    partly = make_pairing(
        programme,
        x5,
        m1,
        assigned_at=t(2024, 6, 1),
        first_contact_at=t(2024, 6, 2),
        first_contact_due=t(2024, 6, 4),
    )
    agreement(partly, accepted_by=[m1])
    added = make_pairing(
        programme,
        x6,
        m2,
        assigned_at=t(2024, 6, 1),
        first_contact_at=t(2024, 6, 2),
        first_contact_due=t(2024, 6, 4),
    )
    agreement(added, accepted_by=[x6, m2])
    PairingMember.objects.create(pairing=added, user=m1, role=MemberRole.ADDITIONAL_MENTOR)
    # Contacted, no agreement at all.
    make_pairing(
        programme,
        x7,
        m2,
        assigned_at=t(2024, 7, 1),
        first_contact_at=t(2024, 7, 2),
        first_contact_due=t(2024, 7, 4),
    )
    # Closed before its mid-term: owes no mid-term review.
    make_pairing(
        programme,
        x7,
        m1,
        state=S.CLOSED,
        assigned_at=t(2024, 8, 1),
        start_date=datetime.date(2024, 8, 1),
        midterm_review_due=datetime.date(2024, 11, 1),
        planned_end=datetime.date(2025, 2, 1),
        closed_at=t(2024, 9, 1),
    )

    # Mentors: one outside this programme's pool, one paused in it (not in the supply),
    # one whose pause ended yesterday (in it); their pairings elsewhere take places.
    outside = person("outside", pool=False, years_experience=20)
    paused = person("paused", years_experience=20)
    back = person("back", years_experience=20)
    ParticipantProfile.objects.filter(user__in=[outside, paused, back]).update(
        is_mentor=True, mentor_capacity=3
    )
    MentorOffer.objects.filter(mentor=outside).delete()
    MentorOffer.objects.update_or_create(
        programme=programme,
        mentor=paused,
        defaults={
            "status": MentorOffer.Status.APPROVED,
            "unavailable_until": timezone.localdate() + datetime.timedelta(days=10),
        },
    )
    MentorOffer.objects.update_or_create(
        programme=programme,
        mentor=back,
        defaults={
            "status": MentorOffer.Status.APPROVED,
            "unavailable_until": timezone.localdate() - datetime.timedelta(days=1),
        },
    )
    make_pairing(other, x0, back, state=S.ACTIVE)
    make_pairing(other, x1, outside, state=S.ACTIVE)
    return {**dataset, "other": other, "scope": scope}


# ----------------------------------------------------------------------------- references


def _pairings(scope):
    return [
        p
        for p in Pairing.objects.filter(programme=scope.programme).prefetch_related(
            "members", "reviews", "meetings"
        )
        if p.kind != MentoringKind.CIRCLE
    ]


def _in(when, scope):
    return when is not None and scope.since <= when < scope.until


def reference_signed(scope):
    signed = 0
    for p in _pairings(scope):
        if not _in(p.assigned_at, scope) or p.first_contact_at is None:
            continue
        a = Agreement.objects.filter(pairing=p).first()
        if a is None:
            continue
        accepted = set(
            AgreementAcceptance.objects.filter(agreement=a, version=a.version).values_list(
                "user_id", flat=True
            )
        )
        signed += all(m.user_id in accepted for m in p.members.all())
    return signed


def reference_reviews(scope):
    today = min(scope.today, scope.end)
    row = dict.fromkeys(
        [
            "midterm_due",
            "midterm_on_time",
            "midterm_done",
            "final_due",
            "final_on_time",
            "final_done",
        ],
        0,
    )
    for p in _pairings(scope):
        live = p.state not in (S.PROPOSED, S.CANCELLED) and p.start_date is not None
        closed = None if p.closed_at is None else _local(p.closed_at)
        reviews = {r.kind: r for r in p.reviews.all()}
        for kind, due, required in (
            ("midterm", p.midterm_review_due, scope.programme.midterm_review_required),
            ("final", p.planned_end, scope.programme.final_review_required),
        ):
            if not (required and live and due and scope.start <= due <= today):
                continue
            if closed is not None and closed < due:
                continue
            row[f"{kind}_due"] += 1
            r = reviews.get(kind)
            row[f"{kind}_done"] += r is not None
            row[f"{kind}_on_time"] += bool(r and _local(r.submitted_at) <= due)
    return row


def reference_meetings(scope, min_meetings):
    total = reached = 0
    for p in _pairings(scope):
        if p.state == S.CLOSED and _in(p.closed_at, scope):
            n = len(p.meetings.all())
            total += n
            reached += n >= min_meetings
    return {"total": total, "reached": reached}


def reference_supply(scope):
    today = timezone.localdate()
    places = mentors = 0
    for profile in ParticipantProfile.objects.filter(is_mentor=True, user__is_active=True):
        offer = MentorOffer.objects.filter(
            programme=scope.programme, mentor_id=profile.user_id
        ).first()
        if offer is None or offer.status != MentorOffer.Status.APPROVED:
            continue
        if offer.unavailable_until is not None and offer.unavailable_until >= today:
            continue
        taken = 0
        for member in PairingMember.objects.filter(
            user_id=profile.user_id, role__in=metrics.MENTOR_ROLES
        ):
            if member.pairing.state in OCCUPYING_STATES:
                taken += member.pairing.members.filter(role=MemberRole.MENTEE).count()
        capacity = rules.mentor_capacity(scope.programme, profile)
        mentors += 1
        places += max(0, capacity - taken)
    return {"mentors": mentors, "places": places}


# ----------------------------------------------------------------------------- the tests


def test_reference_matches_the_hand_counts(dataset):
    """The references agree with the figures test_metrics works out by hand."""
    scope = scope_2024(dataset["programme"])
    assert reference_signed(scope) == metrics.started(scope)["signed"] == 3  # A, B, C
    assert reference_meetings(scope, 4) == {"total": 12, "reached": 2}


def test_signed_matches_reference(edges):
    scope = edges["scope"]
    signed = metrics.started(scope)["signed"]
    # A, B, C of the year, and the pairing on the last instant.
    assert signed == reference_signed(scope) == 4


def test_reviews_match_reference(edges):
    scope = edges["scope"]
    row = metrics.reviews(scope)
    assert {k: row[k] for k in reference_reviews(scope)} == reference_reviews(scope)
    # The pairing on the first day: mid-term due on 01-01 and submitted that evening (on
    # time), the final due on 12-31 submitted on 01-01 after midnight (late).
    assert row["midterm_on_time"] >= 2 and row["final_due"] >= 3


def test_meetings_match_reference(edges):
    scope = edges["scope"]
    min_meetings = scope.programme.min_meetings
    assert metrics.meetings(scope, min_meetings) == reference_meetings(scope, min_meetings)
    # The pairing closed with no meeting counts as a closed pairing under the minimum.
    assert metrics.meetings(scope, 1)["reached"] == reference_meetings(scope, 1)["reached"]


def test_supply_matches_reference(edges):
    scope = edges["scope"]
    row = metrics.supply_and_demand(scope)
    assert {"mentors": row["mentors"], "places": row["places"]} == reference_supply(scope)
    # m1, m2 and the mentor back from a pause; neither the one outside the pool nor the
    # paused one.
    assert row["mentors"] == 3


def test_other_programme_figures_are_its_own(edges):
    other = metrics.Scope(
        programme=edges["other"],
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
        today=datetime.date(2025, 6, 1),
    )
    assert metrics.started(other)["signed"] == reference_signed(other) == 1
    assert metrics.meetings(other, 4) == reference_meetings(other, 4) == {"total": 6, "reached": 1}
    row = metrics.reviews(other)
    assert {k: row[k] for k in reference_reviews(other)} == reference_reviews(other)


def _count_queries(fn):
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_dashboard_queries_do_not_grow(dataset, coordinator_client, django_assert_num_queries):
    """The dashboard page and ``metrics.compute`` read as many queries with three more
    programmes and many more pairings, members, meetings, reviews and agreements."""
    programme = dataset["programme"]
    scope = scope_2024(programme)
    url = f"/admin/mentorat/indicateurs/?programme={programme.pk}&year=2024"
    coordinator_client.get(url)  # warm the per-site caches
    before_compute = _count_queries(lambda: metrics.compute(scope))
    before_page = _count_queries(lambda: coordinator_client.get(url))

    m1, m2 = dataset["mentors"]
    for i in range(3):
        other = ProgrammeFactory(name=f"Programme {i}")
        for target in (programme, other):
            for j in range(4):
                mentee = person(f"more-{i}-{j}-{target.pk}", years_experience=1)
                p = make_pairing(
                    target,
                    mentee,
                    m1 if j % 2 else m2,
                    state=S.CLOSED if j % 2 else S.ACTIVE,
                    assigned_at=t(2024, 2 + j, 1),
                    first_contact_at=t(2024, 2 + j, 2),
                    first_contact_due=t(2024, 2 + j, 4),
                    start_date=datetime.date(2024, 2 + j, 1),
                    midterm_review_due=datetime.date(2024, 5 + j, 1),
                    planned_end=datetime.date(2024, 8 + j, 1),
                    closed_at=t(2024, 9, 1) if j % 2 else None,
                )
                agreement(p, accepted_by=[mentee])
                Meeting.objects.bulk_create(
                    Meeting(pairing=p, held_at=t(2024, 3 + j, 5)) for _ in range(3)
                )
                review(p, "midterm", t(2024, 5 + j, 1))
    coordinator_client.get(url)  # warm the caches again
    with django_assert_num_queries(before_compute):
        metrics.compute(scope)
    with django_assert_num_queries(before_page):
        response = coordinator_client.get(url)
    assert response.status_code == 200


# ----------------------------------------------------------------------------- round two
# The figures read from one grouped query per population (requests per month; closed
# pairings per month and reason), the trends taken from the same rows, the signed count
# and the time to match through correlated look-ups, and the places taken from an inner
# join: each against a plain Python loop over the rows.


def _requests_of(scope):
    from wagtail_mentorat.models import MentoringRequest

    return [
        r
        for r in MentoringRequest.objects.filter(programme=scope.programme)
        if _in(r.created_at, scope)
    ]


def reference_requests(scope):
    from wagtail_mentorat.models import MentoringRequest

    S = MentoringRequest.Status
    since = timezone.now() - datetime.timedelta(days=metrics.MATCH_GRACE_DAYS)
    rows = _requests_of(scope)
    return {
        "opened": len(rows),
        "matched": sum(r.status == S.MATCHED for r in rows),
        "withdrawn": sum(r.status == S.WITHDRAWN for r in rows),
        "waiting": sum(r.status == S.OPEN for r in rows),
        "recent": sum(r.status == S.OPEN and r.created_at > since for r in rows),
        "urgent": sum(r.urgency == MentoringRequest.Urgency.URGENT for r in rows),
    }


def _closed(scope):
    return [p for p in _pairings(scope) if p.state == S.CLOSED and _in(p.closed_at, scope)]


def _mean_days(deltas, unit):
    deltas = list(deltas)
    if not deltas:
        return None
    return round(sum(deltas, datetime.timedelta()).total_seconds() / len(deltas) / unit, 1)


def reference_ended(scope):
    from wagtail_mentorat.models import PLANNED_REASONS_VALUES

    rows = _closed(scope)
    return {
        "closed": len(rows),
        "premature": sum(p.premature for p in rows),
        "commitment": sum(p.closure_reason in PLANNED_REASONS_VALUES for p in rows),
        "extended": sum(p.original_end is not None for p in rows),
        "length_days": _mean_days(
            (p.closed_at - p.assigned_at for p in rows if p.assigned_at is not None), 86400
        ),
    }


def reference_started(scope):
    rows = [p for p in _pairings(scope) if _in(p.assigned_at, scope)]
    return {
        "assigned": len(rows),
        "with_request": sum(p.request_id is not None for p in rows),
        "to_match_days": _mean_days(
            (p.assigned_at - p.request.created_at for p in rows if p.request_id), 86400
        ),
        "contacted": sum(p.first_contact_at is not None for p in rows),
        "to_contact_hours": _mean_days(
            (p.first_contact_at - p.assigned_at for p in rows if p.first_contact_at), 3600
        ),
    }


def reference_monthly(scope):
    def month(when):
        return timezone.localtime(when).date().replace(day=1)

    out = {}

    def add(when, key, n=1):
        out.setdefault(month(when), {"requests": 0, "assigned": 0, "closed": 0, "premature": 0})
        out[month(when)][key] += n

    for r in _requests_of(scope):
        add(r.created_at, "requests")
    for p in _pairings(scope):
        if _in(p.assigned_at, scope):
            add(p.assigned_at, "assigned")
    for p in _closed(scope):
        add(p.closed_at, "closed")
        add(p.closed_at, "premature", int(p.premature))
    return out


def reference_places_taken(exclude=None):
    taken = {}
    for member in PairingMember.objects.filter(role__in=metrics.MENTOR_ROLES).select_related(
        "pairing"
    ):
        if member.pairing.state not in OCCUPYING_STATES or member.pairing_id == exclude:
            continue
        mentees = member.pairing.members.filter(role=MemberRole.MENTEE).count()
        if mentees:
            taken[member.user_id] = taken.get(member.user_id, 0) + mentees
    return taken


@pytest.fixture
def more_edges(edges):
    """Requests of every status on the period's edges and in another programme, closed
    pairings with reasons, an extension and no assignment date, a pairing of two
    mentees, one with no mentee left."""
    from wagtail_mentorat.models import MentoringRequest

    programme, scope = edges["programme"], edges["scope"]
    m1, m2 = edges["mentors"]
    S_ = MentoringRequest.Status
    people = [person(f"r{i}", years_experience=1) for i in range(6)]
    for i, (status, when, urgency) in enumerate(
        [
            (S_.OPEN, scope.since, MentoringRequest.Urgency.URGENT),
            (S_.WITHDRAWN, scope.until - datetime.timedelta(microseconds=1), ""),
            (S_.MATCHED, t(2024, 5, 31, 23), ""),
            (S_.OPEN, scope.until, ""),  # outside
            (S_.OPEN, scope.since - datetime.timedelta(microseconds=1), ""),  # outside
        ]
    ):
        r = MentoringRequest.objects.create(
            programme=programme, mentee=people[i], need="-", status=status
        )
        fields = {"created_at": when}
        if urgency:
            fields["urgency"] = urgency
        MentoringRequest.objects.filter(pk=r.pk).update(**fields)
    elsewhere = MentoringRequest.objects.create(
        programme=edges["other"], mentee=people[5], need="-", status=S_.OPEN
    )
    MentoringRequest.objects.filter(pk=elsewhere.pk).update(created_at=t(2024, 3, 3))
    # Closed with a reason, extended; closed with no assignment date (no length).
    make_pairing(
        programme,
        people[0],
        m1,
        state=S.CLOSED,
        assigned_at=t(2024, 1, 15),
        closed_at=t(2024, 4, 30, 23),
        closure_reason="objectives_met",
        original_end=datetime.date(2024, 4, 1),
    )
    make_pairing(
        programme,
        people[1],
        m2,
        state=S.CLOSED,
        closed_at=t(2024, 12, 31, 23),
        closure_reason="personal",
        premature=True,
    )
    # Two mentees with one mentor (two places), and an active pairing with no mentee.
    two = make_pairing(programme, people[2], m1, state=S.ACTIVE, assigned_at=t(2024, 10, 1))
    PairingMember.objects.create(pairing=two, user=people[3], role=MemberRole.MENTEE)
    alone = Pairing.objects.create(programme=programme, state=S.ACTIVE)
    PairingMember.objects.create(pairing=alone, user=m2, role=MemberRole.PRIMARY_MENTOR)
    return {**edges, "two": two}


def test_requests_match_reference(more_edges):
    scope = more_edges["scope"]
    row = metrics.requests(scope)
    reference = reference_requests(scope)
    assert {k: row[k] for k in reference} == reference
    assert row["opened"] >= 3 and row["urgent"] >= 1


def test_started_times_match_reference(more_edges):
    scope = more_edges["scope"]
    row = metrics.started(scope)
    reference = reference_started(scope)
    assert {k: row[k] for k in reference} == reference


def test_ended_and_reasons_match_reference(more_edges):
    from collections import Counter

    scope = more_edges["scope"]
    row = metrics.ended(scope)
    reference = reference_ended(scope)
    assert {k: row[k] for k in reference} == reference
    assert row["extended"] >= 1 and row["premature"] >= 1
    closed = _closed(scope)
    counts = Counter(p.closure_reason for p in closed)
    premature = Counter(p.closure_reason for p in closed if p.premature)
    reasons = metrics.closure_reasons(scope)
    assert {r["reason"]: (r["count"], r["premature"]) for r in reasons} == {
        reason: (n, premature[reason]) for reason, n in counts.items()
    }
    assert [r["count"] for r in reasons] == sorted((r["count"] for r in reasons), reverse=True)


def test_monthly_matches_reference(more_edges):
    scope = more_edges["scope"]
    reference = reference_monthly(scope)
    rows = metrics.monthly(scope)
    assert [r["month"] for r in rows] == [datetime.date(2024, m, 1) for m in range(1, 13)]
    for r in rows:
        expected = reference.get(r["month"], dict.fromkeys(["requests", "assigned", "closed"], 0))
        assert {k: r[k] for k in ("requests", "assigned", "closed")} == {
            k: expected[k] for k in ("requests", "assigned", "closed")
        }
        assert r["premature"] == expected.get("premature", 0)
    # compute() reads the same rows once for the figures and the trend.
    data = metrics.compute(scope)
    assert data["monthly"] == rows
    assert sum(r["requests"] for r in rows) == data["requests"]["opened"]
    assert sum(r["closed"] for r in rows) == data["ended"]["closed"]


def test_places_taken_match_reference(more_edges):
    reference = reference_places_taken()
    assert rules.places_taken(None) == reference
    m1, m2 = more_edges["mentors"]
    assert rules.places_taken([m1.pk]) == {m1.pk: reference[m1.pk]}
    two = more_edges["two"]
    assert rules.places_taken(None, exclude_pairing=two) == reference_places_taken(two.pk)
    # The pairing of two mentees takes two of m1's places; the one with no mentee none.
    assert reference[m1.pk] - reference_places_taken(two.pk)[m1.pk] == 2
