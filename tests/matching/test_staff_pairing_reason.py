"""Where the manager pairs, a programme may let its staff pair a person with no manager
on file, the reason written and kept with the pairing (issue 17, item 4: "let a
coordinator pair with a recorded reason where the programme allows it")."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from tests.matching.test_no_dead_end import world  # noqa: F401  (fixture)
from tests.mentorat.conftest import ProgrammeFactory, make_coordinator, person
from wagtail_mentorat import lifecycle, rules
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.models import MentoringRequest, Pairing, PairingState, ParticipantProfile

pytestmark = pytest.mark.django_db
REASON = "Arrivée par l'agence, aucun gestionnaire nommé avant mars."


@pytest.fixture
def allowed(world):  # noqa: F811
    world["programme"].staff_pair_without_manager = True
    world["programme"].save()
    return world


def _team(client, w, **data):
    data = {
        "programme": w["programme"].pk,
        "action": "team",
        "request": w["request"].pk,
        "primary": w["mentor"].pk,
        **data,
    }
    response = client.post(reverse("mentorat_workbench"), data)
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the rule -------------------------------------------------------------------------------


def test_staff_pair_a_person_with_no_manager_only_with_a_reason(allowed):
    w = allowed
    with translation.override("en"), pytest.raises(RuleViolation) as refused:
        lifecycle.propose_pairing(w["programme"], [w["orphan"]], [w["mentor"]], w["coordinator"])
    assert refused.value.code == "staff_reason_required"
    assert "write why programme staff make this pairing" in refused.value.messages[0]
    assert not Pairing.objects.exists()
    pairing = lifecycle.propose_pairing(
        w["programme"],
        [w["orphan"]],
        [w["mentor"]],
        w["coordinator"],
        request=w["request"],
        staff_reason=f"  {REASON} ",
    )
    lifecycle.approve_pairing(pairing, w["coordinator"])
    pairing.refresh_from_db()
    assert pairing.state == PairingState.APPROVED and pairing.staff_reason == REASON


def test_with_a_manager_on_file_the_manager_pairs_whatever_the_reason(allowed):
    w = allowed
    ParticipantProfile.objects.filter(user=w["orphan"]).update(superior=w["boss"])
    with pytest.raises(RuleViolation) as refused:
        rules.check_can_pair(w["coordinator"], w["programme"], [w["orphan"]], REASON)
    assert refused.value.code == "not_allowed_to_pair"


def test_without_the_programme_s_leave_or_outside_it_a_reason_changes_nothing(world):  # noqa: F811
    with pytest.raises(RuleViolation) as refused:
        rules.check_can_pair(world["coordinator"], world["programme"], [world["orphan"]], REASON)
    assert refused.value.code == "not_allowed_to_pair"
    world["programme"].staff_pair_without_manager = True
    world["programme"].save()
    other = make_coordinator(person("ailleurs"), programmes=[ProgrammeFactory(coordinators=[])])
    for actor in (other, world["mentor"]):
        with pytest.raises(RuleViolation):
            rules.check_can_pair(actor, world["programme"], [world["orphan"]], REASON)


def test_pairing_access_says_to_use_the_form_with_a_reason(allowed):
    w = allowed
    with translation.override("en"):
        may, reason, nobody = rules.pairing_access(
            w["coordinator"], w["programme"], [w["orphan"].pk]
        )[w["orphan"].pk]
    assert not may and not nobody
    assert "pair them with a written reason" in reason


# --- the workbench --------------------------------------------------------------------------


def test_the_workbench_asks_the_reason_and_flags_no_dead_end(allowed, client):
    w = allowed
    client.force_login(w["coordinator"])
    response = client.get(reverse("mentorat_workbench"), {"programme": w["programme"].pk})
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.select_one("#dead-ends") is None
    assert not soup.select("button[name=assign]")  # one click would be refused
    form = soup.select_one("form.mentorat-team-form")
    assert form.select_one("textarea[name=staff_reason]") is not None
    options = [o["value"] for o in form.select("select[name=request] option") if o["value"]]
    assert options == [str(w["request"].pk)]


def test_the_team_form_refuses_without_a_reason_and_pairs_with_one(allowed, client):
    w = allowed
    client.force_login(w["coordinator"])
    errors = _team(client, w)
    assert any("write why programme staff make this pairing" in m for m in errors)
    assert not Pairing.objects.exists()
    errors = _team(client, w, staff_reason="x" * 1001)
    assert any("1000 characters at most" in m for m in errors)
    assert not Pairing.objects.exists()
    messages = _team(client, w, staff_reason=REASON)
    pairing = Pairing.objects.get()
    assert pairing.state == PairingState.APPROVED and pairing.staff_reason == REASON
    assert any("Pairing made with" in m for m in messages)
    w["request"].refresh_from_db()
    assert w["request"].status == MentoringRequest.Status.MATCHED
    # Programme staff read the reason on the pairing's page.
    page = client.get(reverse("mentorat_pairing", args=[pairing.pk]))
    assert REASON in page.content.decode().replace("&#x27;", "'")


def test_without_the_programme_s_leave_the_form_has_no_reason_and_no_such_request(
    world,  # noqa: F811
    client,
):
    client.force_login(world["coordinator"])
    response = client.get(reverse("mentorat_workbench"), {"programme": world["programme"].pk})
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.select_one("#dead-ends") is not None
    assert soup.select_one("textarea[name=staff_reason]") is None
    _team(client, world, staff_reason=REASON)
    assert not Pairing.objects.exists()
