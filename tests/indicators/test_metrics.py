"""Each indicator on the hand-built 2024 dataset (see conftest), figures worked out by hand."""

import datetime

import pytest
from django.test import override_settings
from wagtail.models import Page

from tests.indicators.conftest import scope_2024
from wagtail_mentorat.indicators import metrics
from wagtail_mentorat.indicators.models import IndicatorReferences
from wagtail_mentorat.training.models import Completion, TrainingModulePage


@pytest.fixture
def scope(dataset):
    return scope_2024(dataset["programme"])


def test_requests_and_match_rate(scope):
    row = metrics.requests(scope)
    # r1..r6 opened in 2024 (r7 in 2023); r5 withdrawn; r1..r4 matched; r6 waiting.
    assert row["opened"] == 6
    assert row["withdrawn"] == 1
    assert row["matched"] == 4
    assert row["waiting"] == 1
    assert row["match_rate"] == 80.0  # 4 of 5


def test_started_pairings(scope):
    row = metrics.started(scope)
    assert row["assigned"] == 5  # A, B, C, D, E (F was assigned in 2023)
    assert row["with_request"] == 4
    assert row["to_match_days"] == 15.5  # (10 + 20 + 30 + 2) / 4
    assert row["contacted"] == 4  # A, B, C, E
    assert row["to_contact_hours"] == 48.0  # (24 + 120 + 24 + 24) / 4
    assert row["contact_on_time"] == 3  # A, C, E
    assert row["contact_late"] == 2  # B late, D never contacted past its deadline
    assert row["first_contact_on_time"] == 60.0
    assert row["signed"] == 3  # A, B, C; E's mentor has not accepted
    assert row["agreements_signed"] == 75.0


def test_ended_pairings(scope):
    row = metrics.ended(scope)
    assert row["closed"] == 4  # A, B, C, F
    assert row["premature"] == 1
    assert row["premature_share"] == 25.0
    assert row["commitment"] == 2  # A (objectives met), C (planned end)
    assert row["commitment_share"] == 50.0
    assert row["extended"] == 1
    # A 182 days, B 101, C 193, F 91.
    assert row["length_days"] == 141.8


def test_meetings_against_the_minimum(scope):
    row = metrics.meetings(scope, 4)
    assert row["total"] == 12  # A 5, B 2, C 4, F 1
    assert row["reached"] == 2  # A and C
    data = metrics.compute(scope)
    assert data["meetings"]["average"] == 3.0
    assert data["meetings"]["meetings_min_share"] == 50.0


def test_reviews_on_time(scope):
    row = metrics.reviews(scope)
    assert row["midterm_due"] == 4  # A, B, C, F (D and E never started)
    assert row["midterm_on_time"] == 1  # A
    assert row["midterm_done"] == 2  # A, B (late)
    assert row["final_due"] == 2  # A, C (B and F ended before their planned end)
    assert row["final_on_time"] == 1  # A
    assert row["final_done"] == 2
    assert row["reviews_on_time"] == 33.3  # 2 of 6


def test_reviews_not_yet_due_are_left_out(dataset):
    # Seen on 2024-05-01: only F's mid-term (01-15) and A's (04-20) were due.
    scope = metrics.Scope(
        programme=dataset["programme"],
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
        today=datetime.date(2024, 5, 1),
    )
    row = metrics.reviews(scope)
    assert (row["midterm_due"], row["midterm_on_time"], row["final_due"]) == (2, 1, 0)


def test_satisfaction_and_objectives(scope):
    row = metrics.satisfaction(scope)
    assert row["final_count"] == 2
    assert row["final_avg"] == 4.0  # 5 and 3
    assert row["satisfied_share"] == 50.0
    assert row["midterm_count"] == 2
    assert row["midterm_avg"] == 4.0
    row = metrics.objectives(scope)
    assert (row["rated"], row["fully"], row["mostly"], row["partly"]) == (3, 1, 1, 1)
    assert row["objectives_attained"] == 66.7


def test_extensions_and_help_requests(scope):
    row = metrics.extensions(scope)
    assert row == {"requested": 1, "approved": 1, "refused": 0, "waiting": 0}
    row = metrics.help_requests(scope)
    assert row["asked"] == 3  # the 2023 one is outside the period
    assert row["due"] == 3
    assert row["on_time"] == 1
    assert row["help_on_time"] == 33.3
    assert (row["urgent_due"], row["urgent_on_time"]) == (2, 1)
    assert row["unanswered"] == 1
    assert row["to_answer_hours"] == 48.0  # 24 h and 72 h


def test_closure_reasons(scope):
    rows = {
        row["reason"]: (row["count"], row["premature"]) for row in metrics.closure_reasons(scope)
    }
    assert rows == {
        "objectives_met": (1, 0),
        "personal": (1, 1),
        "planned_end": (1, 0),
        "rematch": (1, 0),
    }


def test_supply_and_demand(dataset, scope):
    row = metrics.supply_and_demand(scope)
    assert row["mentors"] == 2
    assert row["places"] == 18  # m1: 10 free; m2: 10 less D and E
    assert row["waiting"] == 1
    assert row["gap"] == -17
    assert row["areas"] == [{"area": "Gestion de cas", "supply": 10, "demand": 1, "gap": -9}]


def test_monthly_trends(scope):
    months = {row["month"].month: row for row in metrics.monthly(scope)}
    assert len(months) == 12
    assert [months[m]["requests"] for m in range(1, 13)] == [1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0]
    assert [months[m]["assigned"] for m in range(1, 13)] == [1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0]
    assert [months[m]["closed"] for m in range(1, 13)] == [0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0]
    assert months[6]["premature"] == 1


def test_mentor_training_completion(dataset, scope):
    assert metrics.mentor_training(scope)["mentors_trained"] is None  # none required
    root = Page.get_first_root_node()
    module = root.add_child(instance=TrainingModulePage(title="Accueillir", slug="accueillir"))
    dataset["programme"].mentor_training.add(module)
    m1, m2 = dataset["mentors"]
    Completion.objects.create(user=m1, module=module, completed_on=datetime.date(2024, 1, 5))
    # m2's completion came after the period: it does not count for 2024.
    Completion.objects.create(user=m2, module=module, completed_on=datetime.date(2025, 1, 5))
    row = metrics.mentor_training(scope)
    assert (row["mentors"], row["trained"], row["mentors_trained"]) == (2, 1, 50.0)


def test_site_and_unit_scope(dataset):
    programme = dataset["programme"]
    assert metrics.started(scope_2024(programme, site="Site Nord"))["assigned"] == 5
    assert metrics.started(scope_2024(programme, site="Ailleurs"))["assigned"] == 0
    assert metrics.requests(scope_2024(programme, unit="U1"))["opened"] == 6
    # The group is the mentees the figures are about: all seven (F's ended in March).
    assert metrics.group_size(scope_2024(programme, site="Site Nord")) == 7
    assert metrics.group_size(scope_2024(programme, site="Site Nord", unit="U2")) == 0
    later = metrics.Scope(
        programme=programme,
        start=datetime.date(2024, 11, 1),
        end=datetime.date(2024, 12, 31),
        site="Site Nord",
    )
    assert metrics.group_size(later) == 2  # D (e4) and E (e5) still open
    assert metrics.group_size(scope_2024(programme)) is None


def test_indicators_carry_their_reference(scope):
    refs = IndicatorReferences.load()
    rows = {row.key: row for row in metrics.compute(scope, refs)["indicators"]}
    premature = rows["premature_share"]
    assert (premature.value, premature.reference) == (25.0, 38)
    assert "Kupersmidt" in premature.source and "6,468" in premature.source
    assert premature.meets_reference is True  # lower is better
    assert rows["commitment_share"].reference == 69 and "STAR" in rows["commitment_share"].source
    assert rows["commitment_share"].meets_reference is False  # 50 < 69
    assert (rows["match_rate"].value, rows["match_rate"].reference) == (80.0, 70)
    assert rows["first_contact_on_time"].reference is None
    assert [rows[k].note for k in ("match_rate", "premature_share", "commitment_share")] == [
        1,
        2,
        3,
    ]
    assert rows["supply_gap"].value == 17  # 18 free places, 1 request waiting


def test_satisfaction_average_hidden_below_the_threshold(scope):
    rows = {row.key: row for row in metrics.compute(scope)["indicators"]}
    assert rows["satisfaction"].value is None  # 2 answers < 5
    with override_settings(WAGTAIL_MENTORAT={"INDICATORS_MIN_GROUP": 2}):
        rows = {row.key: row for row in metrics.compute(scope)["indicators"]}
        assert rows["satisfaction"].value == 4.0


def test_small_breakdowns_are_merged(scope):
    data = metrics.suppress_small(metrics.compute(scope), 5)
    assert data["reasons"] == []
    assert data["reasons_hidden"] == 4
    assert data["supply"]["areas"][0]["small"] is True
    data = metrics.suppress_small(metrics.compute(scope), 1)
    assert len(data["reasons"]) == 4 and data["reasons_hidden"] == 0


def test_empty_programme(year_programme):
    data = metrics.compute(scope_2024(year_programme))
    assert not metrics.has_data(data)
    assert all(
        row.value is None
        for row in data["indicators"]
        if row.key not in ("supply_gap", "extensions")
    )


def test_reviews_a_programme_does_not_require(dataset):
    programme = dataset["programme"]
    programme.midterm_review_required = False
    row = metrics.reviews(scope_2024(programme))
    assert (row["midterm_due"], row["final_due"], row["final_on_time"]) == (0, 2, 1)
    programme.final_review_required = False
    row = metrics.reviews(scope_2024(programme))
    assert (row["midterm_due"], row["final_due"], row["reviews_on_time"]) == (0, 0, None)


def test_circles_have_their_own_figures_and_stay_out_of_the_pairings(scope, dataset):
    """Two circles in 2024: one of four peers with two meetings (3 then 2 came), one of
    three closed at the end of June; a third opened in 2025 is out of the period."""
    from django.utils import timezone

    from tests.mentorat.conftest import person
    from wagtail_mentorat.models import (
        ClosureReason,
        Meeting,
        MemberRole,
        MentoringKind,
        Pairing,
        PairingMember,
        PairingState,
    )

    before = (
        metrics.started(scope)["assigned"],
        metrics.ended(scope)["closed"],
        metrics.meetings(scope, 4)["total"],
    )

    def at(month, day=1):
        return timezone.make_aware(datetime.datetime(2024, month, day, 10))

    def circle(people, assigned, **fields):
        pairing = Pairing.objects.create(
            programme=scope.programme,
            kind=MentoringKind.CIRCLE,
            state=fields.pop("state", PairingState.ACTIVE),
            assigned_at=assigned,
            **fields,
        )
        PairingMember.objects.bulk_create(
            PairingMember(pairing=pairing, user=u, role=MemberRole.PEER) for u in people
        )
        return pairing

    peers = [person(f"pair-{i}") for i in range(8)]
    first = circle(peers[:4], at(2))
    for month, came in ((3, peers[:3]), (4, peers[:2])):
        meeting = Meeting.objects.create(pairing=first, held_at=at(month))
        meeting.attendees.set(came)
    Meeting.objects.create(pairing=first, held_at=at(5))  # no roll call: not in attendance
    circle(
        peers[4:7],
        at(1),
        state=PairingState.CLOSED,
        closed_at=at(6, 30),
        closure_reason=ClosureReason.PROGRAMME_ENDED,
    )
    circle(peers[7:], timezone.make_aware(datetime.datetime(2025, 2, 1)))

    row = metrics.circles(scope)
    assert row["circles"] == 2
    assert row["seats"] == 7 and row["people"] == 7
    assert row["meetings"] == 3
    assert row["attendance"] == 62.5  # (3 + 2) / (4 + 4)
    assert [(r["label"], r["count"]) for r in row["reasons"]] == [
        (ClosureReason.PROGRAMME_ENDED.label, 1)
    ]
    # The mentoring figures do not count circles.
    after = (
        metrics.started(scope)["assigned"],
        metrics.ended(scope)["closed"],
        metrics.meetings(scope, 4)["total"],
    )
    assert after == before
