"""The dashboard: access, figures, privacy threshold, CSV, bad input, constant queries."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.indicators.conftest import at, person
from tests.mentorat.conftest import ProgrammeFactory
from wagtail_mentorat import lifecycle
from wagtail_mentorat.indicators.models import REFERENCE_KEYS, IndicatorReferences
from wagtail_mentorat.models import Meeting, Pairing

URL = "/admin/mentorat/indicateurs/"


def year_url(programme, **extra):
    query = {"programme": programme.pk, "year": 2024, **extra}
    return URL + "?" + "&".join(f"{k}={v}" for k, v in query.items())


@pytest.fixture
def admin_only_client(db):
    """An admin user without the coordinate permission (an editor)."""
    user = person("redaction")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def test_names_and_urls():
    assert reverse("mentorat_indicators:dashboard") == URL


@pytest.mark.parametrize(
    "path",
    [URL, URL + "references/", URL + "auto-evaluation/"],
)
def test_only_coordinators(admin_only_client, path):
    assert admin_only_client.get(path).status_code == 403
    assert Client().get(path).status_code == 302  # to the admin login


def test_menu_item_for_coordinators_only(coordinator_client, admin_only_client, year_programme):
    assert URL.encode() in coordinator_client.get("/admin/").content
    assert URL.encode() not in admin_only_client.get("/admin/").content


def test_dashboard_shows_the_figures_and_references(coordinator_client, dataset):
    response = coordinator_client.get(year_url(dataset["programme"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Requests matched with a mentor" in html
    assert "<strong>80.0%</strong>" in html  # match rate
    assert "<strong>25.0%</strong>" in html  # premature closures
    assert "38%" in html and "Kupersmidt" in html  # the reference and its source
    assert "69%" in html and "STAR" in html
    assert "<svg" in html and "Trends by month" in html
    assert "Reasons given fewer than 5 times" in html  # 4 reasons of one pairing each
    assert "Question confidentielle" not in html  # no confidential content


def test_empty_programme_says_what_to_do(coordinator_client, year_programme):
    response = coordinator_client.get(year_url(year_programme))
    assert response.status_code == 200
    assert "Nothing to measure in this period yet" in response.content.decode()
    assert "matching workbench" in response.content.decode()


def test_no_programme_at_all(coordinator_client):
    response = coordinator_client.get(URL)
    assert response.status_code == 200
    assert "No programme yet" in response.content.decode()


def test_small_group_shows_no_figure(coordinator_client, dataset):
    # "Site Nord": 7 mentees in 2024, shown; a site with nobody in the programme: hidden.
    person("seule", site="Site Sud", unit="U9")
    response = coordinator_client.get(year_url(dataset["programme"], site="Site Sud"))
    html = response.content.decode()
    assert "This group has fewer than 5 people" in html
    assert "Requests matched with a mentor" not in html
    response = coordinator_client.get(year_url(dataset["programme"], site="Site Nord"))
    assert "Requests matched with a mentor" in response.content.decode()
    with override_settings(WAGTAIL_MENTORAT={"INDICATORS_MIN_GROUP": 10}):
        response = coordinator_client.get(year_url(dataset["programme"], site="Site Nord"))
        assert "This group has fewer than 10 people" in response.content.decode()


def test_csv_export(coordinator_client, dataset):
    response = coordinator_client.get(year_url(dataset["programme"], format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_label = {row[0]: row for row in rows if row}
    assert by_label["Requests matched with a mentor"][1:6] == ["80.0", "%", "4", "5", "70"]
    premature = by_label["Pairings closed prematurely"]
    assert premature[1] == "25.0" and premature[5] == "38" and "Kupersmidt" in premature[6]
    assert by_label["2024-06"] == ["2024-06", "1", "0", "1", "1"]
    assert by_label["Reasons given fewer than 5 times"][1] == "4"
    assert by_label["Gestion de cas"] == ["Gestion de cas", "10", "fewer than 5"]


def test_csv_of_a_small_group_has_no_figure(coordinator_client, dataset):
    person("seule", site="Site Sud")
    response = coordinator_client.get(year_url(dataset["programme"], site="Site Sud", format="csv"))
    text = response.content.decode("utf-8-sig")
    assert "fewer than 5 people" in text
    assert "Requests matched" not in text


@pytest.mark.parametrize(
    "query, message",
    [
        ("year=abc", "Enter a whole number"),
        ("year=99999", "less than or equal to 2100"),
        ("programme=abc", "Select a valid choice"),
        ("programme=999999", "Select a valid choice"),
        ("start=2024-13-45&end=2024-12-31", "Enter a valid date"),
        ("start=2024-06-01", "Give both the start and the end"),
        ("start=2024-06-01&end=2024-01-01", "before its start"),
        ("start=2000-01-01&end=2024-01-01", "six years at most"),
        ("site=%00nowhere", "Select a valid choice"),
        ("format=csv&year=x", "Enter a whole number"),
    ],
)
def test_malformed_filters_never_fail(coordinator_client, year_programme, query, message):
    response = coordinator_client.get(URL + "?" + query)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_period_by_dates(coordinator_client, dataset):
    response = coordinator_client.get(
        URL + f"?programme={dataset['programme'].pk}&start=2024-01-01&end=2024-03-31"
    )
    assert response.status_code == 200
    assert "2024-01-01 – 2024-03-31" in response.content.decode()


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_constant_number_of_queries(coordinator_client, dataset, django_assert_max_num_queries):
    programme = dataset["programme"]
    url = year_url(programme)
    coordinator_client.get(url)  # warm caches (site, settings)
    before = _count(coordinator_client, url)
    with django_assert_max_num_queries(33):
        coordinator_client.get(url)
    # Five more pairings, each with meetings, in the same year.
    m1, _m2 = dataset["mentors"]
    coordinator = Pairing.objects.first().approved_by
    for i in range(5):
        mentee = person(f"extra{i}", superior=dataset["manager"], years_experience=1)
        pairing = lifecycle.propose_pairing(programme, [mentee], [m1], coordinator)
        pairing = lifecycle.approve_pairing(pairing, coordinator)
        pairing = lifecycle.record_first_contact(pairing, m1)
        for _ in range(3):
            lifecycle.log_meeting(pairing, m1, held_at=lifecycle._now())
        Pairing.objects.filter(pk=pairing.pk).update(assigned_at=at(2024, 9, 1))
        Meeting.objects.filter(pairing=pairing).update(held_at=at(2024, 9, 10))
    # New profiles: the sites and units offered as filters are read again once (cached
    # until a profile changes), then the count is the same as with fewer pairings.
    coordinator_client.get(url)
    assert _count(coordinator_client, url) == before


def test_references_are_editable_by_coordinators(coordinator_client, year_programme):
    url = URL + "references/"
    assert coordinator_client.get(url).status_code == 200
    refs = IndicatorReferences.load()
    data = {}
    for key in REFERENCE_KEYS:
        value = getattr(refs, key)
        data[key] = "" if value is None else value
        data[f"{key}_source"] = getattr(refs, f"{key}_source")
    data["first_contact_on_time"] = "150"
    data["agreements_signed"] = "90"
    data["agreements_signed_source"] = ""
    response = coordinator_client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "less than or equal to 100" in html
    assert "Give the source of this reference." in html
    data["first_contact_on_time"] = "90"
    data["first_contact_on_time_source"] = "Cible du programme (2024)."
    data["agreements_signed"] = ""
    data["premature_share"] = "30"
    response = coordinator_client.post(url, data)
    assert response.status_code == 302
    refs = IndicatorReferences.load()
    assert refs.first_contact_on_time == 90
    assert refs.premature_share == 30
    assert refs.agreements_signed is None


def test_programme_choice_defaults_to_the_first(coordinator_client, dataset):
    ProgrammeFactory(name="AAA premier")
    response = coordinator_client.get(URL + "?year=2024")
    assert "AAA premier" in response.content.decode()
    assert "Nothing to measure" in response.content.decode()


def test_current_year_by_default(coordinator_client, year_programme):
    response = coordinator_client.get(URL)
    year = timezone.localdate().year
    assert f"{year}-01-01 – {year}-12-31" in response.content.decode()


def test_self_assessment_pages_refuse_others(admin_only_client, coordinator_client, year_programme):
    from wagtail_mentorat.indicators.models import SelfAssessment

    assessment = SelfAssessment.objects.create(
        programme=year_programme,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
    )
    for path in (
        f"{URL}auto-evaluation/{assessment.pk}/",
        f"{URL}auto-evaluation/{assessment.pk}/rapport/",
    ):
        assert admin_only_client.get(path).status_code == 403
        assert admin_only_client.post(path, {}).status_code == 403
        assert coordinator_client.get(path).status_code == 200
    assert admin_only_client.post(f"{URL}auto-evaluation/", {"year": 2024}).status_code == 403
    assert admin_only_client.post(f"{URL}references/", {}).status_code == 403
    assert admin_only_client.get(URL + "?format=csv").status_code == 403
