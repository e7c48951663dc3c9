"""Break-glass (data minimisation): the privacy officer sees a disagreement's states and
dates; its text only with a recorded reason, audited and shown to the programme's staff."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.users.models import UserProfile

from tests.mentorat.conftest import ProgrammeFactory, make_coordinator
from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import Disagreement
from wagtail_mentorat.privacy.break_glass import MIN_REASON_LENGTH
from wagtail_mentorat.privacy.models import ReadAccess

from .conftest import person
from .test_register_and_audit import privacy_officer

pytestmark = pytest.mark.django_db

TEXT = "MESENTENTE-TEXTE-CONFIDENTIEL"
REASON = "Demande d'accès n° 2026-041 de la personne mentorée (art. 83)"
REPORT = "/admin/mentorat/consultations-exceptionnelles/"


def inspect_url(pk):
    return reverse("wagtailsnippets_wagtail_mentorat_disagreement:inspect", args=[pk])


def admin_user(user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def disagreement(active, cast):
    lifecycle.raise_disagreement(active, cast["mentee"], TEXT)
    return Disagreement.objects.get()


@pytest.fixture
def officer():
    return privacy_officer()


@pytest.fixture
def coordinator(cast, disagreement):
    return admin_user(cast["coordinator"])


def english(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()


def body(response):
    return response.content.decode()


def test_the_officer_sees_the_metadata_and_no_text_without_a_reason(disagreement, officer, login):
    client = login(officer)
    listing = client.get(reverse("wagtailsnippets_wagtail_mentorat_disagreement:list"))
    assert listing.status_code == 200 and TEXT not in body(listing)
    response = client.get(inspect_url(disagreement.pk))
    assert response.status_code == 200
    page = body(response)
    assert TEXT not in page
    assert "Ouverte" in page or "Open" in page  # the state is there
    assert 'name="reason"' in page  # the form asking why
    assert "no-store" in response["Cache-Control"]
    assert not ReadAccess.objects.exists()  # nothing was read


def test_with_a_reason_the_text_is_shown_once_and_the_reading_is_audited(
    disagreement, officer, login
):
    client = login(officer)
    response = client.post(inspect_url(disagreement.pk), {"reason": f"  {REASON}  "})
    assert response.status_code == 200
    assert TEXT in body(response)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    row = ReadAccess.objects.get()
    assert row.break_glass
    assert row.user == officer
    assert row.reason == REASON
    assert row.content_type.model == "disagreement" and row.object_id == str(disagreement.pk)
    assert row.programme_id == disagreement.pairing.programme_id
    assert TEXT not in row.reason
    # The officer's read-access audit lists it, in words.
    audit = client.get("/admin/mentorat_read_audit/")
    assert audit.status_code == 200
    assert REASON.replace("'", "&#x27;") in body(audit) and TEXT not in body(audit)
    assert f"Mésentente no {disagreement.pk}" in body(audit)
    # Shown for that reading only: opening the record again asks again.
    again = client.get(inspect_url(disagreement.pk))
    assert TEXT not in body(again) and 'name="reason"' in body(again)
    assert ReadAccess.objects.count() == 1


@pytest.mark.parametrize(
    ("reason", "french", "english_text"),
    [
        ("", "Donnez la raison", "Give the reason"),
        ("   ", "Donnez la raison", "Give the reason"),
        ("pour voir", "au moins 20 caractères (9 actuellement)", "at least 20 characters (9 now)"),
    ],
)
def test_an_empty_or_short_reason_is_refused_in_french_and_english(
    disagreement, officer, login, reason, french, english_text
):
    assert MIN_REASON_LENGTH == 20
    for language, expected in (("fr", french), ("en", english_text)):
        if language == "en":
            english(officer)
        response = login(officer).post(inspect_url(disagreement.pk), {"reason": reason})
        assert response.status_code == 200
        page = body(response)
        assert expected in page, (language, reason)
        assert TEXT not in page
    assert not ReadAccess.objects.exists()


def test_the_programmes_coordinators_read_directly_and_see_the_break_glass_readings(
    disagreement, officer, coordinator, login
):
    login(officer).post(inspect_url(disagreement.pk), {"reason": REASON})
    client = login(coordinator)
    direct = client.get(inspect_url(disagreement.pk))
    assert TEXT in body(direct) and 'name="reason"' not in body(direct)
    mine = ReadAccess.objects.get(user=coordinator)
    assert not mine.break_glass and mine.reason == "mediating a disagreement"
    # A POST from programme staff reads as a GET: no break-glass row of theirs.
    client.post(inspect_url(disagreement.pk), {"reason": REASON})
    assert not ReadAccess.objects.filter(user=coordinator, break_glass=True).exists()

    report = client.get(REPORT)
    assert report.status_code == 200
    page = body(report)
    assert REASON.replace("'", "&#x27;") in page
    assert officer.get_full_name() in page
    assert f"Mésentente no {disagreement.pk}" in page
    assert TEXT not in page
    assert "no-store" in report["Cache-Control"]
    export = client.get(REPORT + "?export=csv")
    content = b"".join(export.streaming_content) if export.streaming else export.content
    assert export.status_code == 200 and REASON in content.decode()


def test_coordinators_of_another_programme_see_neither_the_record_nor_the_reading(
    disagreement, officer, login
):
    login(officer).post(inspect_url(disagreement.pk), {"reason": REASON})
    other = ProgrammeFactory(coordinators=[])
    outsider = admin_user(make_coordinator(person("coordo-ailleurs"), programmes=[other]))
    client = login(outsider)
    report = client.get(REPORT)
    assert report.status_code == 200 and REASON.split()[0] not in body(report)
    assert client.get(inspect_url(disagreement.pk)).status_code == 404
    assert client.post(inspect_url(disagreement.pk), {"reason": REASON}).status_code == 404
    assert ReadAccess.objects.filter(user=outsider).count() == 0


@pytest.mark.parametrize("pk", ["999999", "abc", "-1", "0", "9" * 30])
def test_a_missing_or_hostile_id_is_404_for_the_officer(disagreement, officer, login, pk):
    client = login(officer)
    url = f"/admin/snippets/wagtail_mentorat/disagreement/inspect/{pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": REASON}).status_code == 404
    assert not ReadAccess.objects.exists()


def test_the_readings_list_is_for_programme_staff_only(disagreement, officer, cast, login):
    assert login(officer).get(REPORT).status_code in (302, 403)
    assert login(admin_user(cast["mentor"])).get(REPORT).status_code in (302, 403)
