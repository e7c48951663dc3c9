"""Matching against the database: suggestions, one-click assignment through the
lifecycle, the workbench, the command, and constant query counts."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from home.demo_mentoring import SERVICE
from tests.mentorat.conftest import ProgrammeFactory, person
from wagtail_mentorat import lifecycle
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.matching import adapter, scoring
from wagtail_mentorat.models import (
    Disagreement,
    ExpertiseArea,
    Pairing,
    PairingState,
    ParticipantProfile,
    Programme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def setup(db):
    crisis = ExpertiseArea.objects.create(name="Intervention de crise")
    elderly = ExpertiseArea.objects.create(name="Gérontologie")
    boss = person("patronne", discipline="Gestion")
    coordinator = person("coordo", discipline="Gestion")
    from django.contrib.auth.models import Permission

    coordinator.user_permissions.add(
        Permission.objects.get(codename="coordinate_programme"),
        Permission.objects.get(codename="access_admin"),
    )
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.BOTH)
    mentee = person("mentoree", superior=boss, years_experience=1)
    good = person("bon-mentor", years_experience=12, is_mentor=True)
    good.mentorat_profile.expertise.add(crisis)
    other = person("autre-mentor", years_experience=20, is_mentor=True, site="Ailleurs")
    other.mentorat_profile.expertise.add(elderly)
    request = lifecycle.open_request(
        programme, mentee, mentee, "Gérer des situations de crise", expertise=[crisis]
    )
    return {
        "programme": programme,
        "mentee": mentee,
        "good": good,
        "other": other,
        "boss": boss,
        "coordinator": coordinator,
        "request": request,
    }


def test_suggestions_rank_the_mentor_whose_expertise_matches(setup):
    best, excluded = adapter.suggestions(setup["request"])
    assert [f.mentor.id for f in best][:2] == [setup["good"].pk, setup["other"].pk]
    assert "1 area of expertise out of 1 covered" in best[0].reasons
    assert excluded == []


def test_the_mentees_superior_is_excluded_with_the_reason(setup):
    boss_profile = setup["boss"].mentorat_profile
    boss_profile.is_mentor, boss_profile.years_experience = True, 30
    boss_profile.discipline = "Travail social"
    boss_profile.save()
    best, excluded = adapter.suggestions(setup["request"])
    assert setup["boss"].pk not in [f.mentor.id for f in best]
    assert (setup["boss"].pk, scoring.SUPERIOR) in [(m.id, code) for m, code in excluded]


def test_suggestion_queries_do_not_grow_with_the_number_of_mentors(
    setup, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            adapter.suggestions(setup["request"])
        return len(ctx)

    before = count()
    for i in range(15):
        mentor = person(f"m{i}", years_experience=5 + i, is_mentor=True)
        mentor.mentorat_profile.expertise.add(ExpertiseArea.objects.first())
    assert count() == before


def test_assign_goes_through_the_lifecycle_and_stores_the_breakdown(setup):
    # Access Act s. 65.2: a person confirms; the breakdown and version are kept.
    pairing = adapter.assign(setup["request"], setup["good"], setup["coordinator"])
    assert pairing.state == PairingState.APPROVED
    assert pairing.scoring_version == scoring.SCORING_VERSION
    assert pairing.score_breakdown["reasons"]
    assert pairing.score_breakdown["score"] > 0
    setup["request"].refresh_from_db()
    assert setup["request"].status == "matched"


def test_assign_refuses_an_excluded_mentor_and_writes_nothing(setup):
    setup["good"].mentorat_profile.years_experience = 0
    setup["good"].mentorat_profile.save()
    with pytest.raises(RuleViolation):
        adapter.assign(setup["request"], setup["good"], setup["coordinator"])
    assert not Pairing.objects.exists()


def test_mentee_sees_why_and_asks_a_coordinator_to_review(setup, client):
    pairing = adapter.assign(setup["request"], setup["good"], setup["coordinator"])
    client.force_login(setup["mentee"])
    url = reverse("wagtail_mentorat:pairing", args=[pairing.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert pairing.score_breakdown["reasons"][0] in html
    client.post(url, {"action": "match_review", "description": "Je préfère quelqu'un d'autre"})
    assert Disagreement.objects.get().topic == "matching"


def test_workbench_lists_suggestions_and_assigns_in_one_click(setup, client):
    client.force_login(setup["coordinator"])
    url = reverse("mentorat_workbench")
    page = client.get(url, {"programme": setup["programme"].pk, "excluded": "1", "cohort": "1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "bon-mentor" in html or "Prénom" in html
    value = f"{setup['request'].pk}:{setup['good'].pk}"
    assert value in html
    client.post(url, {"programme": setup["programme"].pk, "assign": value})
    assert Pairing.objects.get().state == PairingState.APPROVED


def test_workbench_is_for_coordinators_only(setup, client):
    client.force_login(setup["mentee"])
    assert client.get(reverse("mentorat_workbench")).status_code in (302, 403)


def test_workbench_accepts_cohort_lines_and_reports_refusals(setup, client):
    client.force_login(setup["coordinator"])
    bad = f"{setup['request'].pk}:{setup['boss'].pk}"
    response = client.post(
        reverse("mentorat_workbench"),
        {"programme": setup["programme"].pk, "accept": [bad, "x:y"]},
        follow=True,
    )
    assert response.status_code == 200
    assert not Pairing.objects.exists()


def test_propose_command_prints_json_and_csv(setup, capsys):
    call_command("mentorat_propose", str(setup["programme"].pk), "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["pairs"][0]["mentor_id"] == setup["good"].pk
    call_command("mentorat_propose", str(setup["programme"].pk), "--format", "csv")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("request,mentee,mentor_id")
    assert len(lines) == 2
    assert not Pairing.objects.exists()  # a proposal assigns nothing


def test_propose_for_a_programme_with_no_mentors_says_so(db):
    ParticipantProfile.objects.all().delete()
    programme = ProgrammeFactory()
    with pytest.raises(CommandError, match="no mentors"):
        call_command("mentorat_propose", str(programme.pk))
    with pytest.raises(CommandError, match="Unknown programme"):
        call_command("mentorat_propose", "nope")


def test_demo_programme_proposal_runs(demo_site, capsys):
    programme = Programme.objects.get(name=SERVICE)
    result, by_mentee, mentors = adapter.propose_cohort(programme)
    assert mentors
    assert all(by_mentee[x.id].programme == programme for x, _y, _s in result.pairs)
