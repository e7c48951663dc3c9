"""Programme staff open and close circles in the Wagtail admin."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from wagtail_mentorat.models import Circle, PairingState

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(cast):
    user = cast["coordinator"]
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


FORM = {
    "title": "Cercle des intervenantes en santé mentale",
    "theme": "Santé mentale",
    "description": "Entre pairs.",
    "career_stage": "mid",
    "site": "",
    "capacity": "6",
    "purpose": "Partager nos pratiques.",
    "frequency": "Mensuel",
    "confidentiality": "Entre nous.",
}


def test_a_coordinator_opens_a_circle_in_the_admin(staff, programme, login, cast):
    client = login(staff)
    assert client.get(reverse("mentorat_circles_admin")).status_code == 200
    response = client.post(
        reverse("mentorat_circle_open"),
        {**FORM, "programme": programme.pk, "facilitator": cast["facilitator"].pk},
    )
    assert response.status_code == 302
    circle = Circle.objects.get()
    assert circle.pairing.members.get().user == cast["facilitator"]
    assert FORM["title"] in client.get(reverse("mentorat_circles_admin")).content.decode()


@pytest.mark.parametrize("bad", [{"capacity": "20"}, {"capacity": "x"}, {"purpose": ""}])
def test_bad_input_is_shown_next_to_the_field(staff, programme, login, bad):
    response = login(staff).post(
        reverse("mentorat_circle_open"), {**FORM, "programme": programme.pk, **bad}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Circle.objects.exists()


def test_closing_uses_the_controlled_reasons(staff, circle, login):
    url = reverse("mentorat_circle_close", args=[circle.pk])
    client = login(staff)
    response = client.post(url, {"kind": "unplanned", "reason": "sanction"})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    response = client.post(url, {"kind": "unplanned", "reason": "personal"})
    assert response.context["form"].non_field_errors().as_data()[0].code == "exit_questions"
    circle.pairing.refresh_from_db()
    assert circle.pairing.state == PairingState.ACTIVE  # nothing half-done
    response = client.post(
        url, {"kind": "unplanned", "reason": "personal", "exit_questions_done": "on"}
    )
    assert response.status_code == 302
    circle.pairing.refresh_from_db()
    assert circle.pairing.state == PairingState.CLOSED
    assert circle.pairing.closure_reason == "personal"


def test_only_programme_staff_reach_these_screens(cast, circle, login):
    client = login(cast["facilitator"])
    for url in (
        reverse("mentorat_circles_admin"),
        reverse("mentorat_circle_open"),
        reverse("mentorat_circle_close", args=[circle.pk]),
    ):
        assert client.get(url).status_code in (302, 403)
    assert login(cast["coordinator"]).get(
        reverse("mentorat_circle_close", args=[999999])
    ).status_code in (302, 404)
