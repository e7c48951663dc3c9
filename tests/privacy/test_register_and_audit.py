"""The confidentiality-incident register (A-2.1 s. 63.11 and its regulation) and the
read-access audit."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import Disagreement, MentoringRequest
from wagtail_mentorat.privacy.models import Incident, IncidentFollowUp, ReadAccess

from .conftest import hours_ago, person

pytestmark = pytest.mark.django_db

REGULATED = {
    "information_involved",  # the personal information involved
    "circumstances",  # a brief description of the circumstances
    "occurred_on",  # the date or period of the incident
    "discovered_on",  # the date or period the organisation became aware of it
    "people_affected",  # the number of people concerned
    "risk_assessment",  # the assessment of the risk of serious injury
    "serious_injury_risk",
    "commission_notified_on",  # the notices sent
    "people_notified_on",
    "public_notice",
    "measures_taken",  # the measures taken
}


def incident(**extra):
    values = dict(
        information_involved="Noms et courriels de 3 mentorés",
        circumstances="Courriel envoyé au mauvais destinataire",
        occurred_on=datetime.date(2026, 3, 1),
        discovered_on=datetime.date(2026, 3, 2),
        people_affected=3,
        risk_assessment="Faible : renseignements peu sensibles, destinataire interne",
        measures_taken="Demande de destruction du courriel, confirmation reçue",
    )
    values.update(extra)
    return Incident.objects.create(**values)


def privacy_officer():
    user = person("responsable-prp")
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="privacy_officer"),
    )
    return type(user).objects.get(pk=user.pk)


def test_the_register_holds_the_regulated_fields():
    names = {f.name for f in Incident._meta.concrete_fields}
    assert REGULATED <= names


def test_the_register_is_append_only():
    row = incident()
    row.circumstances = "autre chose"
    with pytest.raises(PermissionDenied):
        row.save()
    with pytest.raises(PermissionDenied):
        row.delete()
    follow_up = IncidentFollowUp.objects.create(incident=row, note="Avis envoyé à la CAI")
    with pytest.raises(PermissionDenied):
        follow_up.delete()
    with pytest.raises(PermissionDenied):
        Incident.objects.filter(pk=row.pk).update(circumstances="x")
    with pytest.raises(PermissionDenied):
        Incident.objects.all().delete()
    with pytest.raises(PermissionDenied):
        IncidentFollowUp.objects.all().delete()
    assert Incident.objects.get().circumstances == "Courriel envoyé au mauvais destinataire"


def test_only_the_privacy_officer_sees_the_register_and_nobody_edits_it(cast, login):
    row = incident()
    officer = privacy_officer()
    index = reverse("mentorat_incidents:index")
    coordinator = cast["coordinator"]
    coordinator.is_staff = True
    coordinator.save()
    coordinator.user_permissions.add(Permission.objects.get(codename="access_admin"))
    assert login(coordinator).get(index).status_code in (302, 403)
    assert login(officer).get(index).status_code == 200
    client = login(officer)
    inspect = client.get(reverse("mentorat_incidents:inspect", args=[row.pk]))
    assert inspect.status_code == 200 and "mauvais destinataire" in inspect.content.decode()
    edit = client.get(reverse("mentorat_incidents:edit", args=[row.pk]))
    assert edit.status_code in (302, 403)
    delete = client.post(reverse("mentorat_incidents:delete", args=[row.pk]))
    assert delete.status_code in (302, 403)
    assert Incident.objects.filter(pk=row.pk).exists()
    export = client.get(index + "?export=csv")
    body = b"".join(export.streaming_content).decode()
    assert export.status_code == 200 and "mauvais destinataire" in body


def test_the_privacy_officer_records_an_incident(login):
    officer = privacy_officer()
    response = login(officer).post(
        reverse("mentorat_incidents:add"),
        {
            "information_involved": "Résumés de rencontres",
            "circumstances": "Ordinateur portable perdu",
            "occurred_on": "2026-04-01",
            "discovered_on": "2026-04-02",
            "people_affected": "12",
            "risk_assessment": "Élevé",
            "serious_injury_risk": "on",
            "commission_notified_on": "2026-04-03",
            "people_notified_on": "2026-04-03",
            "public_notice": "",
            "measures_taken": "Effacement à distance",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = Incident.objects.get()
    assert row.recorded_by == officer and row.serious_injury_risk


def test_manager_reading_safety_concerns_is_audited_without_content(active, cast, login):
    lifecycle.report_safety_concern(active, cast["mentor"], "CONTENU-CONFIDENTIEL")
    response = login(cast["manager"]).get(reverse("wagtail_mentorat:manager"))
    assert "CONTENU-CONFIDENTIEL" in response.content.decode()
    row = ReadAccess.objects.get()
    assert row.user == cast["manager"] and row.content_type.model == "safetyconcern"
    assert "CONTENU" not in f"{row.reason} {row.object_id}"
    assert row.accessed_at <= timezone.now()


def test_coordinator_opening_a_disagreement_is_audited(active, cast, login):
    lifecycle.raise_disagreement(active, cast["mentee"], "MESENTENTE-CONFIDENTIELLE")
    disagreement = Disagreement.objects.get()
    coordinator = cast["coordinator"]
    coordinator.is_staff = True
    coordinator.save()
    coordinator.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = login(type(coordinator).objects.get(pk=coordinator.pk))
    listing = client.get(reverse("wagtailsnippets_wagtail_mentorat_disagreement:list"))
    assert listing.status_code == 200
    assert "MESENTENTE-CONFIDENTIELLE" not in listing.content.decode()
    assert not ReadAccess.objects.exists()  # a list of states and dates is not a reading
    url = reverse("wagtailsnippets_wagtail_mentorat_disagreement:inspect", args=[disagreement.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "MESENTENTE-CONFIDENTIELLE" in response.content.decode()
    row = ReadAccess.objects.get()
    assert row.user_id == coordinator.pk and row.object_id == str(disagreement.pk)
    assert row.reason == "mediating a disagreement"
    # The pair and outsiders do not get the admin screen.
    assert login(cast["mentor"]).get(url).status_code in (302, 403)


def test_opening_a_request_in_the_admin_is_audited_except_for_its_author(cast, programme, login):
    lifecycle.open_request(programme, cast["mentee"], cast["manager"], "BESOIN")
    request = MentoringRequest.objects.get()
    coordinator = cast["coordinator"]
    coordinator.is_staff = True
    coordinator.save()
    coordinator.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_mentoringrequest"),
    )
    url = reverse("wagtailsnippets_wagtail_mentorat_mentoringrequest:inspect", args=[request.pk])
    assert login(type(coordinator).objects.get(pk=coordinator.pk)).get(url).status_code == 200
    assert ReadAccess.objects.filter(user=coordinator, object_id=str(request.pk)).count() == 1
    from wagtail_mentorat.privacy.audit import log_read

    assert log_read(cast["manager"], request, "own request") == []  # the author


def test_read_audit_is_in_the_person_export_as_what_they_opened(active, cast, login):
    lifecycle.report_safety_concern(active, cast["mentor"], "X")
    login(cast["manager"]).get(reverse("wagtail_mentorat:manager"))
    from wagtail_mentorat.privacy import export

    data = export.collect(cast["manager"])
    assert len(data["confidential_records_i_opened"]) == 1
    assert hours_ago(1) < timezone.now()
