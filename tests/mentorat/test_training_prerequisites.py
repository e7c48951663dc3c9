"""Required training blocks a pairing until it is completed (seed 002; MENTOR: training
before matching)."""

import pytest
from django.utils import translation

from home.demo_mentoring import SERVICE
from wagtail_mentorat import lifecycle, rules
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.matching import adapter, scoring
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


def test_a_minimum_of_training_hours_blocks_matching_and_says_what_is_missing(
    demo_site, client_for
):
    """EEP standard 3: a programme asks for 2 hours of modules, whatever the modules; each
    module counts once (its estimated duration), in whichever language it was taken."""
    users = demo_site["users"]
    programme = Programme.objects.get(name=SERVICE)
    programme.mentor_training_hours = 2
    programme.save()
    mentee = person(
        "nouvelle",
        superior=users["gestionnaire"],
        years_experience=1,
        discipline="Soins infirmiers",
    )
    mentor = users["mentor2"]
    modules = list(TrainingModulePage.objects.live().filter(locale__language_code="fr"))
    TrainingModulePage.objects.filter(pk__in=[m.pk for m in modules]).update(estimated_minutes=45)
    for module in TrainingModulePage.objects.filter(pk__in=[m.pk for m in modules[:2]]):
        record_completion(mentor, module)
    with pytest.raises(RuleViolation, match="30 more minutes of training") as refused:
        lifecycle.propose_pairing(programme, [mentee], [mentor], users["coordination"])
    assert "2 hours" in str(refused.value)
    # The matching never suggests a mentor the rule refuses, and the report names them.
    request = lifecycle.open_request(programme, mentee, users["coordination"], "Besoin")
    best, excluded = adapter.suggestions(request, limit=50)
    assert mentor.pk not in {fit.mentor.id for fit in best}
    assert (mentor.pk, scoring.TRAINING) in {(m.id, code) for m, code in excluded}
    report = client_for("coordination").get("/admin/mentorat/bloques/").content.decode()
    assert "Jean-François Côté" in report and "encore 30 minutes" in report  # in French
    translation.activate("en")  # the request left French active in this thread

    # The same module in English does not count twice; a third module completes the time.
    english = modules[0].get_translations().live().get(locale__language_code="en").specific
    record_completion(mentor, english)
    with pytest.raises(RuleViolation, match="30 more minutes"):
        lifecycle.propose_pairing(programme, [mentee], [mentor], users["coordination"])
    record_completion(mentor, TrainingModulePage.objects.get(pk=modules[2].pk))
    assert mentor.pk in {fit.mentor.id for fit in adapter.suggestions(request, limit=50)[0]}
    assert lifecycle.propose_pairing(programme, [mentee], [mentor], users["coordination"]).pk


def test_no_minimum_blocks_nobody(demo_site):
    programme = Programme.objects.get(name=SERVICE)
    assert programme.mentor_training_hours == 0
    assert rules.minutes_short(programme, [demo_site["users"]["mentor2"]], "mentor") == {}
