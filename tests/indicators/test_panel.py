"""The coordinators' panel on the admin home: what needs attention today."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.indicators.conftest import person
from tests.mentorat.conftest import ProgrammeFactory
from wagtail_mentorat import lifecycle
from wagtail_mentorat.indicators.panels import attention
from wagtail_mentorat.models import HelpRequest, Pairing, Programme


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def busy(coordinator):
    """P1 first contact overdue; P2 active and neglected (mid-term and final reviews
    overdue, no meeting for 60 days, an urgent request unanswered past its deadline, an
    extension waiting); P3 waiting for approval."""
    programme = ProgrammeFactory(name="Suivi", who_pairs=Programme.WhoPairs.BOTH)
    director = person("dir", discipline="Gestion")
    manager = person("gest", superior=director, discipline="Gestion")
    mentor = person("mentor", superior=director, years_experience=15)
    mentor2 = person("mentor2", superior=director, years_experience=15)
    mentees = [person(f"mentee{i}", superior=manager, years_experience=1) for i in range(3)]

    def pair(mentee, mentor_user, approve=True):
        pairing = lifecycle.propose_pairing(programme, [mentee], [mentor_user], coordinator)
        return lifecycle.approve_pairing(pairing, coordinator) if approve else pairing

    p1 = pair(mentees[0], mentor)
    Pairing.objects.filter(pk=p1.pk).update(first_contact_due=days_ago(1))

    p2 = pair(mentees[1], mentor2)
    p2 = lifecycle.record_first_contact(p2, mentor2)
    agreement = p2.agreement
    lifecycle.update_agreement(agreement, mentees[1], objectives=[("Objectif", "")])
    lifecycle.accept_agreement(agreement, mentees[1])
    lifecycle.accept_agreement(agreement, mentor2)
    p2.refresh_from_db()
    help_request = lifecycle.ask_for_help(p2, mentees[1], "Urgent ?", urgent=True)
    HelpRequest.objects.filter(pk=help_request.pk).update(due_at=days_ago(1))
    lifecycle.ask_for_help(p2, mentees[1], "Pas urgent.")
    lifecycle.request_extension(p2, mentor2, p2.planned_end + datetime.timedelta(days=30), "Temps.")
    Pairing.objects.filter(pk=p2.pk).update(
        assigned_at=days_ago(200),
        first_contact_at=days_ago(60),
        midterm_review_due=(days_ago(10)).date(),
        planned_end=(days_ago(2)).date(),
    )
    pair(mentees[2], mentor, approve=False)
    return programme


def test_attention_counts(busy, django_assert_num_queries):
    with django_assert_num_queries(4):
        counts = attention()
    assert counts == {
        "first_contact": 1,
        "midterm": 1,
        "final": 1,
        "quiet": 1,
        "proposed": 1,
        "closing": 0,
        "urgent": 1,
        "urgent_overdue": 1,
        "extensions": 1,
    }


def test_a_recent_meeting_is_not_quiet(busy):
    p2 = Pairing.objects.get(state="active")
    lifecycle.log_meeting(p2, p2.mentee, held_at=days_ago(3))
    assert attention()["quiet"] == 0


def test_panel_on_the_admin_home(coordinator_client, busy):
    html = coordinator_client.get("/admin/").content.decode()
    assert "Mentoring: needs attention today" in html
    assert "First contact overdue" in html  # one, in the singular
    assert "?overdue=first_contact" in html
    assert "Urgent ?" not in html  # never the content
    # P2 was assigned long ago and no check-in was recorded: the panel counts it and leads
    # to the check-ins screen.
    assert "/admin/mentorat/suivis/" in html and "Check-in" in html


def test_no_panel_for_others(busy):
    user = person("redaction")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    assert "Mentoring: needs attention today" not in client.get("/admin/").content.decode()


def test_nothing_waiting(coordinator_client):
    html = coordinator_client.get("/admin/").content.decode()
    assert "Nothing overdue or waiting today." in html


def test_panel_queries_do_not_grow(coordinator_client, busy):
    coordinator_client.get("/admin/")

    def count():
        with CaptureQueriesContext(connection) as queries:
            coordinator_client.get("/admin/")
        return len(queries)

    before = count()
    coordinator = Pairing.objects.first().proposed_by
    programme = busy
    manager = person("gest2")
    for i in range(4):
        mentee = person(f"other{i}", superior=manager, years_experience=1)
        mentor = person(f"othermentor{i}", years_experience=15)
        pairing = lifecycle.propose_pairing(programme, [mentee], [mentor], coordinator)
        pairing = lifecycle.approve_pairing(pairing, coordinator)
        Pairing.objects.filter(pk=pairing.pk).update(first_contact_due=days_ago(1))
    assert attention()["first_contact"] == 5
    assert count() == before
