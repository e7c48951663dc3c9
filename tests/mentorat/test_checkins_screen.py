"""Programme staff's check-ins from the admin (issue 17; MENTOR standard 5): the list of
followed pairings with the next check-in due, overdue first, and the record screen that
calls lifecycle.record_checkin."""

import datetime

import pytest
from django.utils import timezone

from home.demo_mentoring import CISSS, SERVICE
from wagtail_mentorat import lifecycle
from wagtail_mentorat.admin.checkins import checkin_rows, followed_pairings
from wagtail_mentorat.models import CheckIn, Pairing, PairingState

pytestmark = pytest.mark.django_db
LIST = "/admin/mentorat/suivis/"


def followed(programme_name):
    return (
        Pairing.objects.filter(
            programme__name=programme_name,
            state__in=[PairingState.APPROVED, *lifecycle.FOLLOW_UP_STATES],
        )
        .exclude(kind="circle")
        .first()
    )


def test_the_list_shows_the_coordinators_pairings_overdue_first(demo_site, client_for):
    pairing = followed(CISSS)
    Pairing.objects.filter(pk=pairing.pk).update(
        assigned_at=timezone.now() - datetime.timedelta(days=90)
    )
    response = client_for("coordination").get(LIST)
    assert response.status_code == 200
    rows = response.context["rows"]
    mine = next(row for row in rows if row["pairing"].pk == pairing.pk)
    assert mine["overdue"]
    flags = [row["overdue"] for row in rows]
    assert flags == sorted(flags, reverse=True)  # overdue first
    html = response.content.decode()
    assert f"{LIST}{pairing.pk}/" in html
    assert "Check-ins" not in html  # the coordinator reads French
    # Another programme's coordinator sees only their own programme's pairings.
    other = client_for("coordination2").get(LIST).context["rows"]
    assert {row["pairing"].programme.name for row in other} <= {SERVICE}


def test_recording_a_check_in_moves_the_next_date(demo_site, client_for, demo_users):
    pairing = followed(CISSS)
    today = timezone.localdate()
    before = lifecycle.next_checkin_due(pairing, today)
    client = client_for("coordination")
    url = f"{LIST}{pairing.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and page.context["row"]["due"] == before
    data = {
        "with_role": "mentee",
        "held_on": today.isoformat(),
        "relationship_quality": "4",
        "activities": "Deux rencontres",
        "notes": "RAS",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    checkin = CheckIn.objects.get(pairing=pairing)
    assert checkin.coordinator == demo_users["coordination"] and checkin.relationship_quality == 4
    assert lifecycle.next_checkin_due(Pairing.objects.get(pk=pairing.pk), today) != before


def test_bad_input_is_refused_with_a_message_and_writes_nothing(demo_site, client_for):
    pairing = followed(CISSS)
    client = client_for("coordination")
    url = f"{LIST}{pairing.pk}/"
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    for data in (
        {"with_role": "mentee", "held_on": future, "relationship_quality": "3"},
        {"with_role": "mentee", "held_on": "9999-99-99", "relationship_quality": "3"},
        {"with_role": "boss", "held_on": "2026-01-01", "relationship_quality": "9"},
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        assert response.context["form"].errors
    refused = client.post(
        url, {"with_role": "mentee", "held_on": future, "relationship_quality": "3"}
    )
    assert "postérieure à aujourd&#x27;hui" in refused.content.decode()  # the rule's words
    assert not CheckIn.objects.exists()


def test_outside_the_programme_or_the_role_is_a_404(demo_site, client_for):
    pairing = followed(CISSS)
    url = f"{LIST}{pairing.pk}/"
    for account in ("coordination2", "redaction"):
        assert client_for(account).get(url).status_code == 404
        assert client_for(account).post(url, {"with_role": "mentee"}).status_code == 404
    for bad in ("0", "abc", "9" * 30):
        assert client_for("coordination").get(f"{LIST}{bad}/").status_code == 404
    assert client_for("redaction").get(LIST).status_code == 404
    assert not CheckIn.objects.exists()


def test_the_list_takes_a_fixed_number_of_queries(
    demo_site, demo_users, django_assert_max_num_queries
):
    user = demo_users["coordination"]
    assert followed_pairings(user).exists()
    with django_assert_max_num_queries(6):
        checkin_rows(user)
