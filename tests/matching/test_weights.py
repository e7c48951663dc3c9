"""Matching weights (issue 17): one number per part of the fit in the programme form, and a
preview of how a waiting request's top suggestions change, for the programme's
coordinators only. Non-default weights change the ranking."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from tests.mentorat.conftest import ProgrammeFactory, make_coordinator, person
from wagtail_mentorat import lifecycle
from wagtail_mentorat.matching import adapter
from wagtail_mentorat.matching.widgets import WeightsWidget
from wagtail_mentorat.models import ExpertiseArea, Programme

pytestmark = pytest.mark.django_db

SITE_FIRST = {
    "expertise": 0,
    "discipline": 0,
    "site": 10,
    "language": 0,
    "experience": 0,
    "availability": 0,
    "capacity": 0,
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def setup(db):
    crisis = ExpertiseArea.objects.create(name="Intervention de crise")
    coordinator = make_coordinator(person("coordo"), programmes=[])
    coordinator.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "change_programme"])
    )
    # Admin pages follow the user's preferred language: assert on the English messages.
    profile = UserProfile.get_for_user(coordinator)
    profile.preferred_language = "en"
    profile.save()
    programme = ProgrammeFactory(coordinators=[coordinator])
    mentee = person("mentoree", years_experience=1, site="CLSC Nord")
    near = person("proche", years_experience=12, is_mentor=True, site="CLSC Nord")
    expert = person("experte", years_experience=12, is_mentor=True, site="Sud")
    expert.mentorat_profile.expertise.add(crisis)
    for user, name in ((near, "Nadia"), (expert, "Eve")):
        user.first_name = name
        user.save()
    request = lifecycle.open_request(programme, mentee, mentee, "Crises", expertise=[crisis])
    client = Client()
    client.force_login(coordinator)
    return {
        "programme": programme,
        "request": request,
        "near": near,
        "expert": expert,
        "client": client,
        "url": reverse("mentorat_weights", args=[programme.pk]),
    }


def test_non_default_weights_change_the_ranking(setup):
    request, programme = setup["request"], setup["programme"]
    best, _excluded = adapter.suggestions(request)
    assert [fit.mentor.id for fit in best] == [setup["expert"].pk, setup["near"].pk]
    programme.matching_weights = SITE_FIRST
    programme.save()
    request.programme.refresh_from_db()
    best, _excluded = adapter.suggestions(request)
    assert [fit.mentor.id for fit in best] == [setup["near"].pk, setup["expert"].pk]


def test_the_preview_shows_both_rankings_and_changes_nothing(setup):
    response = setup["client"].get(setup["url"], {**SITE_FIRST, "request": setup["request"].pk})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row["name"], row["old_rank"], row["new_rank"]) for row in rows] == [
        ("Nadia Test", 2, 1),
        ("Eve Test", 1, 2),
    ]
    html = response.content.decode()
    assert "up 1 place" in html and "down 1 place" in html
    setup["programme"].refresh_from_db()
    assert setup["programme"].matching_weights == {}


def test_saving_the_weights_tried(setup):
    response = setup["client"].post(setup["url"], SITE_FIRST)
    assert response.status_code == 302
    setup["programme"].refresh_from_db()
    assert setup["programme"].matching_weights == SITE_FIRST


@pytest.mark.parametrize(
    "bad,message",
    [
        ({"site": -1}, "greater than or equal to 0"),
        ({"site": "abc"}, "Enter a whole number"),
        ({"site": 11}, "less than or equal to 10"),
        ({key: 0 for key in SITE_FIRST}, "At least one part of the fit must count"),
    ],
)
def test_bad_weights_are_refused_and_nothing_is_saved(setup, bad, message):
    response = setup["client"].post(setup["url"], {**SITE_FIRST, **bad})
    assert response.status_code == 200
    assert message in response.content.decode()
    setup["programme"].refresh_from_db()
    assert setup["programme"].matching_weights == {}


@pytest.mark.parametrize("pk", ["0", "abc", "9" * 30])
def test_the_preview_answers_404_for_a_bad_id(setup, pk):
    url = setup["url"].replace(f"/{setup['programme'].pk}/", f"/{pk}/")
    assert setup["client"].get(url).status_code == 404


def test_another_programmes_coordinator_and_a_participant_get_404(setup):
    other = make_coordinator(person("ailleurs"), programmes=[ProgrammeFactory()])
    other.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for user in (other, setup["near"]):
        client = Client()
        client.force_login(user)
        assert client.get(setup["url"]).status_code in (302, 404)
        assert client.post(setup["url"], SITE_FIRST).status_code in (302, 404)
    setup["programme"].refresh_from_db()
    assert setup["programme"].matching_weights == {}
    client = Client()
    client.force_login(other)
    assert client.get(setup["url"]).status_code == 404


def test_the_programme_form_edits_one_number_per_part(setup):
    response = setup["client"].get(
        reverse("wagtailsnippets_wagtail_mentorat_programme:edit", args=[setup["programme"].pk])
    )
    html = response.content.decode()
    for key in SITE_FIRST:
        assert f'name="matching_weights_{key}"' in html
    assert "Same site" in html
    widget = WeightsWidget()
    data = {f"matching_weights_{key}": str(value) for key, value in SITE_FIRST.items()}
    assert json.loads(widget.value_from_datadict(data, {}, "matching_weights")) == SITE_FIRST
    data["matching_weights_site"] = "2,5"
    assert json.loads(widget.value_from_datadict(data, {}, "matching_weights"))["site"] == 2.5
    data["matching_weights_site"] = "beaucoup"
    programme = Programme(
        name="x",
        matching_weights=json.loads(widget.value_from_datadict(data, {}, "matching_weights")),
    )
    with pytest.raises(ValidationError) as refused:
        programme.clean()
    assert list(refused.value.message_dict) == ["matching_weights"]
