"""Search over guides and programme pages: accents, plural forms, privacy."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageViewRestriction

from wagtail_mentorat.text import search_query_text, search_words

pytestmark = pytest.mark.django_db


def titles(client, query):
    response = client.get(reverse("search"), {"query": query})
    assert response.status_code == 200
    return [page.title for page in response.context["search_results"]], response


@pytest.fixture
def guides(make_guide):
    body = [("paragraph", "<p>Le rôle du superviseur clinique.</p>")]
    return {
        "supervision": make_guide("La supervision clinique", body=body),
        "evaluation": make_guide("L'évaluation des programmes", intro="Indicateurs de qualité."),
        "mentorat": make_guide("Le mentorat au quotidien", intro="Une relation de soutien."),
    }


def test_search_words_fold_accents_and_add_french_stems():
    assert search_words("Supervisions évaluées") == [
        "supervisions",
        "supervis",
        "evaluees",
        "evalu",  # the stem of "évaluées"
        "evalue",  # the stem of "evaluees", typed without accents
    ]
    assert search_query_text("mentorats MENTORATS") == "mentorats mentorat"
    assert search_query_text("\x00'\"") == ""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("supervisions", "La supervision clinique"),
        ("evaluation", "L'évaluation des programmes"),
        ("ÉVALUATIONS", "L'évaluation des programmes"),
        ("mentorats", "Le mentorat au quotidien"),
    ],
)
def test_search_ignores_accents_and_plural_forms(staff_client, guides, query, expected):
    found, _ = titles(staff_client, query)
    assert expected in found


def test_search_does_not_find_what_is_not_there(staff_client, guides):
    found, _ = titles(staff_client, "coaching")
    assert found == []


def test_programme_page_is_found_by_its_content(staff_client, programme_page):
    programme_page.context_of_use = "<p>Le besoin est identifié par le gestionnaire.</p>"
    programme_page.save_revision().publish()
    found, _ = titles(staff_client, "gestionnaires")
    assert programme_page.title in found


def test_a_restricted_page_appears_only_to_those_who_may_see_it(
    staff_client, guides, django_user_model
):
    guide = guides["supervision"]
    managers = Group.objects.create(name="Gestionnaires du guide")
    restriction = PageViewRestriction.objects.create(
        page=guide, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(managers)
    found, _ = titles(staff_client, "supervision")
    assert guide.title not in found

    staff_client.user.groups.add(managers)
    found, _ = titles(staff_client, "supervision")
    assert guide.title in found


def test_a_page_under_a_password_is_never_listed(staff_client, guides, make_guide):
    parent = guides["mentorat"]
    child = make_guide("Le mentorat confidentiel", parent=parent)
    PageViewRestriction.objects.create(
        page=parent, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    found, _ = titles(staff_client, "mentorat")
    assert parent.title not in found and child.title not in found


def test_no_result_suggests_the_guides(staff_client, guides):
    found, response = titles(staff_client, "zzzqqq")
    assert found == []
    suggested = [page.title for page in response.context["suggested_guides"]]
    assert suggested == [
        "La supervision clinique",
        "L'évaluation des programmes",
        "Le mentorat au quotidien",
    ]
    assert "Un de ces guides répond peut-être à votre question" in response.content.decode()
