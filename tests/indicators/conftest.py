"""A small hand-built programme year (2024) whose every indicator is worked out by hand.

People: a director, a manager, a coordinator, two mentors (m1, m2) and seven mentees.
Requests opened in 2024: r1, r2, r3, r4 (matched), r5 (withdrawn), r6 (waiting); r7 in
2023 (matched). Pairings (UTC noon, so that durations are whole days):

| pairing | mentor | request (opened) | assigned | first contact | state at the end |
|---|---|---|---|---|---|
| A | m1 | r1 (01-10) | 2024-01-20 | +24 h | closed 07-20, objectives met |
| B | m1 | r2 (02-01) | 2024-02-21 | +120 h (late) | closed 06-01, personal, premature |
| C | m1 | r3 (03-01) | 2024-03-31 | +24 h | extended, closed 10-10, planned end |
| D | m2 | r4 (10-30) | 2024-11-01 | none (late) | assigned |
| E | m2 | none | 2024-05-01 | +24 h | contacted, agreement not signed |
| F | m1 | r7 (2023) | 2023-12-01 | +24 h | closed 2024-03-01, rematch |

Meetings: A 5, B 2, C 4, F 1. Reviews: A mid-term on time (04-18 for 04-20) and final on
time (07-15 for 07-20, satisfaction 5, objectives fully and mostly); B mid-term late
(05-30 for 05-21, satisfaction 4); C no mid-term (due 06-30), final late (10-05 for
09-30, satisfaction 3, objective partly); F no mid-term (due 01-15). Help requests in
2024: on A an urgent one answered in 24 h and a normal one in 72 h (48 h deadline), on C
an urgent one never answered; one in 2023 on F.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tests.mentorat.conftest import (  # noqa: F401
    ProgrammeFactory,
    english_messages,
    make_coordinator,
    person,
)
from wagtail_mentorat import lifecycle
from wagtail_mentorat.indicators.metrics import Scope
from wagtail_mentorat.models import (
    AgreementObjective,
    ExpertiseArea,
    Extension,
    HelpRequest,
    Meeting,
    MentoringRequest,
    Pairing,
    ParticipantProfile,
    Programme,
    ProgressReview,
)

UTC = datetime.UTC


def at(y, m, d, hours=0):
    return datetime.datetime(y, m, d, 12, tzinfo=UTC) + datetime.timedelta(hours=hours)


def coordinator_user(username="coordo"):
    user = person(username, discipline="Planification")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return make_coordinator(user)


@pytest.fixture
def coordinator(db):
    return coordinator_user()


@pytest.fixture
def coordinator_client(coordinator):
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(coordinator)
    return client


@pytest.fixture
def year_programme(db):
    return ProgrammeFactory(
        name="Programme 2024",
        who_pairs=Programme.WhoPairs.BOTH,
        mentor_capacity=10,
        first_contact_hours=72,
        urgent_response_hours=48,
        min_meetings=4,
    )


def scope_2024(programme, **kwargs):
    return Scope(
        programme=programme,
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 12, 31),
        today=datetime.date(2025, 6, 1),
        **kwargs,
    )


def _activate(pairing, mentee, mentor, objectives):
    lifecycle.record_first_contact(pairing, mentor)
    agreement = pairing.agreement
    lifecycle.update_agreement(agreement, mentee, objectives=[(o, "") for o in objectives])
    lifecycle.accept_agreement(agreement, mentee)
    lifecycle.accept_agreement(agreement, mentor)
    pairing.refresh_from_db()
    return pairing


def _meetings(pairing, actor, days):
    for day in days:
        meeting = lifecycle.log_meeting(pairing, actor, held_at=lifecycle._now())
        Meeting.objects.filter(pk=meeting.pk).update(held_at=day)


def _review(pairing, actor, kind, when, satisfaction, levels=None):
    objectives = list(AgreementObjective.objects.filter(agreement__pairing=pairing))
    attainments = {o.pk: level for o, level in zip(objectives, levels or [], strict=False)}
    review = lifecycle.submit_review(pairing, actor, kind, satisfaction, attainments=attainments)
    ProgressReview.objects.filter(pk=review.pk).update(submitted_at=when)
    return review


def _dates(pairing, **fields):
    Pairing.objects.filter(pk=pairing.pk).update(**fields)
    pairing.refresh_from_db()
    return pairing


@pytest.fixture
def dataset(year_programme, coordinator):
    programme = year_programme
    director = person("directrice", discipline="Gestion")
    manager = person("gestionnaire", superior=director, discipline="Gestion")
    m1 = person("m1", superior=director, years_experience=15, site="Site Nord", unit="U1")
    m2 = person("m2", superior=director, years_experience=12, site="Site Nord", unit="U1")
    ParticipantProfile.objects.filter(user__in=[m1, m2]).update(is_mentor=True)
    area = ExpertiseArea.objects.create(name="Gestion de cas")
    ParticipantProfile.objects.get(user=m1).expertise.add(area)
    mentees = [
        person(f"e{i}", superior=manager, years_experience=1, site="Site Nord", unit="U1")
        for i in range(1, 8)
    ]
    e1, e2, e3, e4, e5, e6, e7 = mentees
    coord = coordinator

    def request(mentee, opened, status=None, expertise=()):
        r = lifecycle.open_request(programme, mentee, coord, "Besoin.", expertise=expertise)
        MentoringRequest.objects.filter(pk=r.pk).update(created_at=opened)
        if status:
            MentoringRequest.objects.filter(pk=r.pk).update(status=status)
        r.refresh_from_db()
        return r

    r1 = request(e1, at(2024, 1, 10))
    r2 = request(e2, at(2024, 2, 1))
    r3 = request(e3, at(2024, 3, 1))
    r4 = request(e4, at(2024, 10, 30))
    request(e5, at(2024, 5, 10), status=MentoringRequest.Status.WITHDRAWN)
    request(e7, at(2024, 6, 10), expertise=[area])  # r6, waiting
    r7 = request(e6, at(2023, 11, 20))

    def pair(mentee, mentor, req=None):
        pairing = lifecycle.propose_pairing(programme, [mentee], [mentor], coord, request=req)
        return lifecycle.approve_pairing(pairing, coord)

    # A: the model pairing.
    a = _activate(pair(e1, m1, r1), e1, m1, ["Objectif 1", "Objectif 2"])
    _meetings(
        a, m1, [at(2024, 2, d) for d in (1, 15)] + [at(2024, 4, 1), at(2024, 5, 1), at(2024, 6, 1)]
    )
    _review(a, e1, "midterm", at(2024, 4, 18), 4)
    _review(a, e1, "final", at(2024, 7, 15), 5, ["fully", "mostly"])
    # Seed 001: both members judge the objectives attained, then the manager approves.
    lifecycle.request_closure(a, e1, kind="planned", reason="objectives_met")
    lifecycle.confirm_closure(a, m1)
    lifecycle.close_pairing(a, manager)
    _dates(
        a,
        assigned_at=at(2024, 1, 20),
        first_contact_due=at(2024, 1, 20, 72),
        first_contact_at=at(2024, 1, 21),
        start_date=datetime.date(2024, 1, 20),
        midterm_review_due=datetime.date(2024, 4, 20),
        planned_end=datetime.date(2024, 7, 20),
        closed_at=at(2024, 7, 20),
        premature=False,
    )

    # B: late first contact, late mid-term, premature ending.
    b = _activate(pair(e2, m1, r2), e2, m1, ["Objectif"])
    _meetings(b, m1, [at(2024, 3, 1), at(2024, 4, 1)])
    _review(b, e2, "midterm", at(2024, 5, 30), 4)
    lifecycle.request_closure(
        b, coord, kind="unplanned", reason="personal", exit_questions_done=True
    )
    lifecycle.close_pairing(b, coord)
    _dates(
        b,
        assigned_at=at(2024, 2, 21),
        first_contact_due=at(2024, 2, 21, 72),
        first_contact_at=at(2024, 2, 21, 120),
        start_date=datetime.date(2024, 2, 21),
        midterm_review_due=datetime.date(2024, 5, 21),
        planned_end=datetime.date(2024, 8, 21),
        closed_at=at(2024, 6, 1),
        premature=True,
    )

    # C: extended, no mid-term review, late final review.
    c = _activate(pair(e3, m1, r3), e3, m1, ["Objectif"])
    _meetings(c, m1, [at(2024, 4, 15), at(2024, 5, 15), at(2024, 6, 15), at(2024, 8, 15)])
    extension = lifecycle.request_extension(
        c, m1, c.planned_end + datetime.timedelta(days=30), "Encore un peu de temps."
    )
    lifecycle.decide_extension(extension, manager, approve=True)
    Extension.objects.filter(pk=extension.pk).update(requested_at=at(2024, 9, 1))
    c.refresh_from_db()
    _review(c, e3, "final", at(2024, 10, 5), 3, ["partly"])
    lifecycle.request_closure(c, m1, kind="planned", reason="planned_end")
    lifecycle.close_pairing(c, manager)
    _dates(
        c,
        assigned_at=at(2024, 3, 31),
        first_contact_due=at(2024, 3, 31, 72),
        first_contact_at=at(2024, 4, 1),
        start_date=datetime.date(2024, 3, 31),
        midterm_review_due=datetime.date(2024, 6, 30),
        original_end=datetime.date(2024, 8, 31),
        planned_end=datetime.date(2024, 9, 30),
        closed_at=at(2024, 10, 10),
        premature=False,
    )

    # D: assigned, never contacted (its deadline has passed).
    d = pair(e4, m2, r4)
    _dates(d, assigned_at=at(2024, 11, 1), first_contact_due=at(2024, 11, 1, 72))

    # E: no request, contacted in time, agreement accepted by the mentee only.
    e = pair(e5, m2)
    lifecycle.record_first_contact(e, m2)
    lifecycle.update_agreement(e.agreement, e5, objectives=[("Objectif", "")])
    lifecycle.accept_agreement(e.agreement, e5)
    _dates(
        e,
        assigned_at=at(2024, 5, 1),
        first_contact_due=at(2024, 5, 1, 72),
        first_contact_at=at(2024, 5, 2),
    )

    # F: assigned in 2023, rematch in 2024.
    f = _activate(pair(e6, m1, r7), e6, m1, ["Objectif"])
    _meetings(f, m1, [at(2023, 12, 15)])
    help_2023 = lifecycle.ask_for_help(f, e6, "Question ?")
    lifecycle.request_closure(
        f, coord, kind="unplanned", reason="rematch", exit_questions_done=True
    )
    lifecycle.close_pairing(f, coord)
    _dates(
        f,
        assigned_at=at(2023, 12, 1),
        first_contact_due=at(2023, 12, 1, 72),
        first_contact_at=at(2023, 12, 2),
        start_date=datetime.date(2023, 12, 1),
        midterm_review_due=datetime.date(2024, 1, 15),
        planned_end=datetime.date(2024, 6, 1),
        closed_at=at(2024, 3, 1),
        premature=False,
    )
    HelpRequest.objects.filter(pk=help_2023.pk).update(
        created_at=at(2023, 12, 20), due_at=at(2023, 12, 22)
    )

    # Help requests in 2024 (asked while the pairings were open, then dated).
    help_requests = [
        (at(2024, 2, 1), at(2024, 2, 3), at(2024, 2, 2), True),
        (at(2024, 3, 1), at(2024, 3, 3), at(2024, 3, 4), False),
        (at(2024, 5, 1), at(2024, 5, 3), None, True),
    ]
    rows = []
    for (created, due, answered, urgent), pairing in zip(help_requests, [a, a, c], strict=True):
        rows.append(
            HelpRequest.objects.create(
                pairing=pairing,
                asked_by=pairing.mentee,
                question="Question confidentielle ?",
                urgent=urgent,
                created_at=created,
                due_at=due,
                answered_at=answered,
                answer="Réponse." if answered else "",
            )
        )
    return {
        "programme": programme,
        "pairings": {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f},
        "mentors": (m1, m2),
        "mentees": mentees,
        "manager": manager,
        "area": area,
    }
