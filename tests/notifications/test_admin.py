"""The outbox in the admin, the person's email settings, and the French catalogue."""

from pathlib import Path

import polib
import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client

from tests.mentorat.conftest import person
from wagtail_mentorat.notifications import outbox
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification, NotificationSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_row(cast, approved):
    row = outbox.build(cast["mentor"], Kind.PAIRING_ACTIVE, "adm:1", pairing_id=approved.pk)
    ((pk, _s),) = outbox.insert([row], "adm")
    Notification.objects.filter(pk=pk).update(
        status="failed", attempts=8, last_error="AnymailAPIError: 503 unavailable"
    )
    return Notification.objects.get(pk=pk)


def admin_client(user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(user)
    return client


def test_coordinators_see_status_attempts_and_last_error(cast, failed_row):
    response = admin_client(cast["coordinator"]).get("/admin/mentorat/courriels/?status=failed")
    assert response.status_code == 200
    html = response.content.decode()
    assert "503 unavailable" in html
    assert f"/admin/mentorat/courriels/renvoyer/{failed_row.pk}/" in html


def test_the_reasons_the_app_writes_read_in_the_coordinators_language(cast, approved):
    """A row skipped for want of an address says so in French in the French admin (the
    stored reason stays the code's English); a provider's own message is shown as it came."""
    User = cast["mentee"].__class__
    User.objects.filter(pk=cast["mentee"].pk).update(email="")
    cast["mentee"].refresh_from_db()
    row = outbox.build(cast["mentee"], Kind.PAIRING_ACTIVE, "adm:2", pairing_id=approved.pk)
    ((pk, status),) = outbox.insert([row], "adm")
    assert status == Notification.Status.SKIPPED
    assert Notification.objects.get(pk=pk).last_error == "no email address"
    client = admin_client(cast["coordinator"])
    html = client.get("/admin/mentorat/courriels/?status=skipped").content.decode()
    assert "aucune adresse courriel" in html and "no email address" not in html
    inspect = client.get(f"/admin/mentorat/courriels/inspect/{pk}/").content.decode()
    assert "aucune adresse courriel" in inspect


def test_the_outbox_is_not_shown_to_other_staff(cast, failed_row):
    response = admin_client(cast["manager"]).get("/admin/mentorat/courriels/")
    assert response.status_code in (302, 403)


def test_a_coordinator_resends_a_failed_email(cast, failed_row, django_capture_on_commit_callbacks):
    mail.outbox = []
    client = admin_client(cast["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/mentorat/courriels/renvoyer/{failed_row.pk}/")
    assert response.status_code == 302
    failed_row.refresh_from_db()
    assert failed_row.status == "sent" and len(mail.outbox) == 1


def test_someone_else_cannot_resend(cast, failed_row):
    response = admin_client(cast["manager"]).post(
        f"/admin/mentorat/courriels/renvoyer/{failed_row.pk}/"
    )
    assert response.status_code == 404  # an address naming a record: refused as missing
    failed_row.refresh_from_db()
    assert failed_row.status == "failed"


def test_bounced_addresses_are_listed_for_coordinators(cast):
    NotificationSettings.objects.create(user=cast["mentor"], email_bounced=True)
    response = admin_client(cast["coordinator"]).get("/admin/mentorat/adresses/")
    assert response.status_code == 200
    assert "mentor" in response.content.decode()


def test_a_person_turns_off_an_optional_reminder_but_keeps_their_deadlines(db):
    user = person("quelquun")
    client = Client()
    client.force_login(user)
    assert client.get("/mentorat/courriels/reglages/").status_code == 200
    response = client.post(
        "/mentorat/courriels/reglages/",
        {"language": "en", "wanted": [Kind.PAIRING_ACTIVE, Kind.HELP_ANSWERED]},
    )
    assert response.status_code == 302
    prefs = NotificationSettings.objects.get(user=user)
    assert prefs.language == "en"
    assert Kind.NO_MEETING in prefs.muted_kinds
    assert Kind.PAIRING_ACTIVE not in prefs.muted_kinds
    assert Kind.FIRST_CONTACT_OVERDUE not in prefs.muted_kinds


def test_every_french_message_is_translated():
    path = (
        Path(__file__).resolve().parents[2]
        / "wagtail_mentorat/notifications/locale/fr/LC_MESSAGES/django.po"
    )
    catalogue = polib.pofile(str(path))
    assert catalogue.percent_translated() == 100
    assert not [e for e in catalogue if "fuzzy" in e.flags]
    assert path.with_suffix(".mo").stat().st_mtime >= path.stat().st_mtime - 1
