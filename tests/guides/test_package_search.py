"""The package's site search (``wagtail_mentorat.search``), mounted as a host would:
``path(..., include("wagtail_mentorat.search.urls"))``. Accents, plural forms, the login,
the empty state and view restrictions."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import include, path, resolve, reverse
from wagtail.models import PageViewRestriction

from intranet import urls as demo_urls
from wagtail_mentorat.search import views

urlpatterns = [
    path("trouver/", include("wagtail_mentorat.search.urls")),
    *demo_urls.urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def host_without_login_middleware(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "IntranetLoginRequired" not in m]


@pytest.fixture
def guides(make_guide):
    body = [("paragraph", "<p>Le rôle du superviseur clinique.</p>")]
    return {
        "supervision": make_guide("La supervision clinique", body=body),
        "evaluation": make_guide("L'évaluation des programmes", intro="Indicateurs de qualité."),
        "mentorat": make_guide("Le mentorat au quotidien", intro="Une relation de soutien."),
    }


def search(client, query):
    response = client.get(reverse("mentorat_search:search"), {"query": query})
    assert response.status_code == 200
    return [page.title for page in response.context["search_results"]], response


def test_the_page_extends_the_app_base_and_the_hosts(staff_client, guides):
    _, response = search(staff_client, "mentorat")
    used = [template.name for template in response.templates]
    assert "wagtail_mentorat/search.html" in used
    assert "wagtail_mentorat/base.html" in used
    assert "base.html" in used


def test_no_result_says_so_and_suggests_the_guides(staff_client, guides):
    found, response = search(staff_client, "zzzqqq")
    assert found == []
    html = response.content.decode()
    assert "Aucune page ne correspond à « zzzqqq »" in html
    assert [page.title for page in response.context["suggested_guides"]] == [
        "La supervision clinique",
        "L'évaluation des programmes",
        "Le mentorat au quotidien",
    ]


def test_an_empty_query_lists_nothing_and_explains(staff_client, guides):
    found, response = search(staff_client, "  ")
    assert found == []
    assert "suggested_guides" not in response.context
    assert "Tapez un mot (avec ou sans accents)" in response.content.decode()


def test_query_syntax_is_never_passed_to_the_backend(staff_client, guides):
    found, _ = search(staff_client, "\"supervision\" OR 'NEAR(' *")
    assert "La supervision clinique" in found


def test_a_page_the_person_may_not_see_is_not_listed(staff_client, guides, make_guide):
    guide = guides["supervision"]
    readers = Group.objects.create(name="Lecteurs du guide")
    restriction = PageViewRestriction.objects.create(
        page=guide, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(readers)
    found, _ = search(staff_client, "supervision")
    assert guide.title not in found

    staff_client.user.groups.add(readers)
    found, _ = search(staff_client, "supervision")
    assert guide.title in found

    secret = make_guide("La supervision confidentielle")
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    found, _ = search(staff_client, "supervision")
    assert secret.title not in found


def test_anonymous_visitors_are_sent_to_the_login(client, settings, guides):
    url = reverse("mentorat_search:search") + "?query=mentorat"
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/connexion/"  # the demo's LOGIN_URL
    assert parse_qs(location.query)["next"] == [url]
    settings.LOGIN_URL = "/sso/"
    assert client.get(url)["Location"].startswith("/sso/?next=")


def test_the_demo_search_is_the_package_view():
    assert resolve(reverse("search")).func is views.search
