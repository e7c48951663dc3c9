"""The coordinators' admin: listings, filters, export without confidential content, history,
read-only pairings, the closures register, and the printable agreement's access."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from home.demo_mentoring import CISSS
from wagtail_mentorat.models import Agreement, Meeting, MeetingNote, Pairing, PairingState

pytestmark = pytest.mark.django_db

PAIRINGS_URL = "/admin/snippets/wagtail_mentorat/pairing/"


@pytest.fixture
def active_demo_pairing(demo_site):
    return Pairing.objects.filter(
        state=PairingState.ACTIVE, programme__name=CISSS, members__user__username="mentore1"
    ).get()


def test_coordinator_lists_pairings_with_states_and_filters(client_for, active_demo_pairing):
    client = client_for("coordination")
    response = client.get(PAIRINGS_URL)
    assert response.status_code == 200
    assert "Actif" in response.content.decode()
    overdue = client.get(PAIRINGS_URL, {"overdue": "midterm"})
    assert overdue.status_code == 200
    listed = list(overdue.context["object_list"])
    expected = (
        Pairing.objects.filter(
            state=PairingState.ACTIVE, midterm_review_due__lt=timezone.localdate()
        )
        .exclude(reviews__kind="midterm")
        .distinct()
    )
    assert active_demo_pairing in listed and len(listed) >= 1
    assert set(listed) == set(expected)  # exactly the active pairings past mid-term
    proposed = client.get(PAIRINGS_URL, {"state": "proposed"})
    assert {p.state for p in proposed.context["object_list"]} == {"proposed"}


def test_pairing_export_has_states_and_dates_but_no_confidential_content(
    client_for, active_demo_pairing
):
    agreement = Agreement.objects.get(pairing=active_demo_pairing)
    objective = agreement.objectives.first().text
    meeting = Meeting.objects.filter(pairing=active_demo_pairing).first()
    MeetingNote.objects.create(meeting=meeting, author=meeting.logged_by, text="NOTE-SECRETE-42")
    response = client_for("coordination").get(PAIRINGS_URL, {"export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert str(active_demo_pairing.planned_end) in body
    for secret in (
        objective,
        meeting.summary,
        "NOTE-SECRETE-42",
        agreement.mentee_responsibilities[:30],
    ):
        assert secret not in body


def test_pairings_cannot_be_added_or_edited_through_admin_forms_even_by_a_superuser(
    active_demo_pairing, django_user_model
):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client = Client()
    client.force_login(admin)
    edit = client.get(f"{PAIRINGS_URL}edit/{active_demo_pairing.pk}/")
    add = client.get(f"{PAIRINGS_URL}add/")
    assert edit.status_code in (302, 403) and add.status_code in (302, 403)
    assert client.get(f"{PAIRINGS_URL}inspect/{active_demo_pairing.pk}/").status_code == 200


def test_pairing_history_shows_each_transition(client_for, active_demo_pairing):
    response = client_for("coordination").get(f"{PAIRINGS_URL}history/{active_demo_pairing.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jumelage approuvé" in html or "Pairing approved" in html


def test_agreement_admin_shows_status_not_content(client_for, active_demo_pairing):
    agreement = Agreement.objects.get(pairing=active_demo_pairing)
    client = client_for("coordination")
    listing = client.get("/admin/snippets/wagtail_mentorat/agreement/")
    inspect = client.get(f"/admin/snippets/wagtail_mentorat/agreement/inspect/{agreement.pk}/")
    assert listing.status_code == 200 and inspect.status_code == 200
    objective = agreement.objectives.first().text
    assert objective not in listing.content.decode() + inspect.content.decode()


def test_plain_staff_cannot_reach_the_mentoring_admin(client_for, active_demo_pairing):
    for username in ("mentore1", "mentor1", "gestionnaire"):
        assert client_for(username).get(PAIRINGS_URL).status_code == 302


def test_closures_register_lists_closed_pairings_read_only(client_for, demo_site):
    response = client_for("coordination").get("/admin/wagtail_mentorat/pairing/")
    assert response.status_code == 200
    closed = Pairing.objects.filter(state=PairingState.CLOSED)
    assert closed.exists()
    assert set(response.context["object_list"]) == set(closed)
    assert client_for("coordination").get(
        "/admin/wagtail_mentorat/pairing/create/"
    ).status_code in (
        302,
        403,
    )


def test_printable_agreement_is_for_the_pair_alone(client_for, active_demo_pairing):
    agreement = Agreement.objects.get(pairing=active_demo_pairing)
    url = reverse("wagtail_mentorat:agreement_print", args=[agreement.pk])
    objective = agreement.objectives.first().text
    for member in ("mentore1", "mentor1"):
        response = client_for(member).get(url)
        assert response.status_code == 200
        assert objective in response.content.decode()
    for outsider in ("gestionnaire", "coordination", "mentor2", "mentore2"):
        assert client_for(outsider).get(url).status_code == 404
    assert (
        client_for("mentore1")
        .get(reverse("wagtail_mentorat:agreement_print", args=[999999]))
        .status_code
        == 404
    )


def test_demo_has_pairings_at_every_stage(demo_site):
    states = set(Pairing.objects.values_list("state", flat=True))
    assert {"proposed", "active", "closed"} <= states
    assert Pairing.objects.filter(extensions__status="approved").exists()
    assert Pairing.objects.filter(transfers__isnull=False).exists()
    overdue = Pairing.objects.filter(
        state="active", midterm_review_due__lt=timezone.localdate()
    ).exclude(reviews__kind="midterm")
    assert overdue.exists()
    assert Pairing.objects.filter(state="closed").exclude(closure_reason="").exists()
