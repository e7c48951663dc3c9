"""Required training blocks a pairing until it is completed (seed 002; MENTOR: training
before matching)."""

import pytest

from home.demo_mentoring import SERVICE
from wagtail_mentorat import lifecycle
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.models import Programme
from wagtail_mentorat.training.models import TrainingModulePage
from wagtail_mentorat.training.services import record_completion

from .conftest import person

pytestmark = pytest.mark.django_db


def test_a_mentor_without_the_required_training_is_not_paired(demo_site):
    users = demo_site["users"]
    programme = Programme.objects.get(name=SERVICE)
    module = TrainingModulePage.objects.live().first()
    programme.mentor_training.add(module)
    mentee = person(
        "nouvelle",
        superior=users["gestionnaire"],
        years_experience=1,
        discipline="Soins infirmiers",
    )
    mentor = users["mentor2"]
    with pytest.raises(RuleViolation, match="required training"):
        lifecycle.propose_pairing(programme, [mentee], [mentor], users["coordination"])
    record_completion(mentor, module)
    pairing = lifecycle.propose_pairing(programme, [mentee], [mentor], users["coordination"])
    assert pairing.pk


def test_report_lists_who_is_blocked_from_matching_by_missing_training(demo_site, client_for):
    programme = Programme.objects.get(name=SERVICE)
    module = TrainingModulePage.objects.live().first()
    programme.mentor_training.add(module)
    users = demo_site["users"]
    record_completion(users["mentor1"], module)
    client = client_for("coordination")
    response = client.get("/admin/mentorat/bloques/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jean-François Côté" in html  # mentor2 has not completed it
    assert "Isabelle Roy" not in html  # mentor1 has
    export = client.get("/admin/mentorat/bloques/", {"export": "csv"})
    body = b"".join(export.streaming_content).decode()
    assert "Jean-François Côté" in body and module.title in body
    assert client_for("mentore1").get("/admin/mentorat/bloques/").status_code in (302, 403)


def test_completion_report_filters_by_site(demo_site, client_for):
    users = demo_site["users"]
    module = TrainingModulePage.objects.live().first()
    record_completion(users["mentor1"], module)  # CLSC de Limoilou
    record_completion(users["mentor2"], module)  # Hôpital de l'Enfant-Jésus
    url = "/admin/formation/rapports/completions/"
    response = client_for("coordination").get(url, {"site": "CLSC de Limoilou"})
    assert response.status_code == 200
    people = {c.user.username for c in response.context["object_list"]}
    assert "mentor1" in people and "mentor2" not in people
