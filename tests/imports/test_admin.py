"""The import screen in the Wagtail admin: coordinators only; dry run, then import."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.imports.conftest import csv_file
from tests.mentorat.conftest import UserFactory
from wagtail_mentorat.models import ParticipantProfile

pytestmark = pytest.mark.django_db

URL = "/admin/mentorat/importer/"


def upload(client, data, dry_run):
    form = {"file": SimpleUploadedFile("personnel.csv", data, content_type="text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    return client.post(URL, form)


@pytest.fixture
def coordinator_client(db):
    """A coordinator without the demo (building the demo takes seconds)."""
    user = UserFactory(username="coordo")
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["coordinate_programme", "access_admin"])
    )
    client = Client()
    client.force_login(user)
    return client


def test_url_is_registered():
    assert reverse("mentorat_import") == URL


def test_import_is_for_the_demo_coordinator_only(client_for):
    participant = client_for("mentore1")
    response = participant.get(URL)  # no access to the Wagtail admin at all
    assert (response.status_code, response.url) == (302, f"/admin/login/?next={URL}")
    refused = upload(participant, csv_file("intrus@x.example", header="email"), dry_run=False)
    assert refused.status_code == 302
    assert not ParticipantProfile.objects.filter(user__email="intrus@x.example").exists()
    assert URL not in participant.get("/admin/").content.decode()

    coordinator = client_for("coordination")
    response = coordinator.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="file"' in html and 'name="dry_run"' in html
    assert "superior_email" in html  # the columns' help
    assert URL in coordinator.get("/admin/").content.decode()  # in the “Mentoring” menu


def test_admin_user_without_the_coordinate_permission_is_refused(db):
    user = UserFactory(username="editrice")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(user)

    response = client.get(URL)  # Wagtail turns PermissionDenied into a redirect with a message
    assert (response.status_code, response.url) == (302, "/admin/")
    refused = upload(client, csv_file("intrus@x.example", header="email"), dry_run=False)
    assert (refused.status_code, refused.url) == (302, "/admin/")
    assert not ParticipantProfile.objects.filter(user__email="intrus@x.example").exists()
    assert URL not in client.get("/admin/").content.decode()


def test_dry_run_lists_the_errors_and_writes_nothing(coordinator_client):
    data = csv_file("a@x.example,-1", "a@x.example,2", header="email,mentor_capacity")

    response = upload(coordinator_client, data, dry_run=True)

    assert response.status_code == 200
    assert response.templates[0].name == "wagtail_mentorat/admin/import_result.html"
    errors = [(e.row, e.column) for e in response.context["result"].errors]
    assert errors == [(2, "mentor_capacity"), (3, "email")]
    assert "data-import-errors" in response.content.decode()
    assert not ParticipantProfile.objects.filter(user__email="a@x.example").exists()


def test_clean_dry_run_then_import(coordinator_client):
    data = csv_file("nouvelle@x.example,Nouvelle", header="email,first_name")

    checked = upload(coordinator_client, data, dry_run=True)
    assert checked.context["result"].ok
    assert checked.context["form"].initial["dry_run"] is False  # the next upload imports
    assert not ParticipantProfile.objects.filter(user__email="nouvelle@x.example").exists()

    imported = upload(coordinator_client, data, dry_run=False)
    assert imported.context["result"].written
    assert "data-import-summary" in imported.content.decode()
    profile = ParticipantProfile.objects.get(user__email="nouvelle@x.example")
    assert profile.user.first_name == "Nouvelle"
