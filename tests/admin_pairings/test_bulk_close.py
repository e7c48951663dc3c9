"""Closing several pairings for one unplanned reason (issue 17): each through
``lifecycle.close_for_staff_reason``, a refused one named with its reason, nothing closed
for another programme's coordinator or without the exit questions."""

import pytest
from django.test import Client

from tests.admin_pairings.test_pairing_page import LIST
from tests.mentorat.conftest import person
from wagtail_mentorat import lifecycle
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.models import (
    ClosureKind,
    ClosureReason,
    Pairing,
    PairingState,
)

pytestmark = pytest.mark.django_db

CLOSE = "/admin/bulk/wagtail_mentorat/pairing/mentorat_close/"
FORM = {"reason": "mentee_moved", "contact_after": "none", "exit_questions_done": "on"}


@pytest.fixture
def second(active, cast):
    """A second active pairing in the same programme, its mentee another of the manager's."""
    mentee = person("mentee-deux", superior=cast["manager"], years_experience=1)
    pairing = lifecycle.propose_pairing(
        active.programme, [mentee], [cast["mentor2"]], cast["manager"]
    )
    lifecycle.approve_pairing(pairing, cast["manager"])
    lifecycle.record_first_contact(pairing, cast["mentor2"])
    pairing.refresh_from_db()
    return pairing


def url(*pks):
    return CLOSE + "?" + "&".join(f"id={pk}" for pk in pks) + f"&next={LIST}"


def test_the_confirmation_names_each_pairing_and_says_why_one_cannot_close(
    coordo, active, second, cast
):
    proposed = lifecycle.propose_pairing(
        active.programme,
        [person("attente", superior=cast["manager"])],
        [cast["mentor"]],
        cast["manager"],
    )
    page = coordo.get(CLOSE, {"id": [active.pk, second.pk, proposed.pk, "abc", "9" * 30]})
    assert page.status_code == 200
    items = {item["item"].pk: item["refusal"] for item in page.context["items"]}
    assert set(items) == {active.pk, second.pk, proposed.pk}
    assert items[active.pk] is None and items[second.pk] is None
    assert "annulez plutôt l’assignation" in items[proposed.pk]  # the admin speaks French
    assert "exit_questions_done" in page.content.decode()


def test_several_pairings_close_for_one_reason(coordo, active, second, cast):
    response = coordo.post(url(active.pk, second.pk), FORM)
    assert response.status_code == 302
    for pairing in (active, second):
        pairing.refresh_from_db()
        assert pairing.state == PairingState.CLOSED
        assert pairing.closure_reason == ClosureReason.MENTEE_MOVED
        assert pairing.closure_kind == ClosureKind.UNPLANNED
        assert pairing.exit_questions_done and pairing.closed_by == cast["coordinator"]


def test_a_refused_pairing_is_named_and_the_others_close(coordo, active, second, cast):
    lifecycle.request_closure(
        second, cast["mentor2"], kind=ClosureKind.PLANNED, reason=ClosureReason.OBJECTIVES_MET
    )
    response = coordo.post(url(active.pk, second.pk), FORM, follow=True)
    active.refresh_from_db()
    second.refresh_from_db()
    assert active.state == PairingState.CLOSED
    assert second.state == PairingState.CLOSING  # the manager's approval, not staff's
    assert second.closure_reason == ClosureReason.OBJECTIVES_MET
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1 and "l’approbation du gestionnaire" in errors[0]


def test_without_the_exit_questions_or_with_a_planned_reason_nothing_closes(coordo, active):
    for form in (
        {**FORM, "exit_questions_done": ""},
        {**FORM, "reason": "objectives_met"},
        {**FORM, "reason": "rematch"},
        {**FORM, "reason": "9" * 30},
    ):
        response = coordo.post(url(active.pk), form)
        assert response.status_code == 200 and response.context["form"].errors
        active.refresh_from_db()
        assert active.state == PairingState.ACTIVE


def test_another_programmes_coordinator_and_a_member_close_nothing(outsider, active, cast):
    page = outsider.get(CLOSE, {"id": [active.pk]})
    assert page.status_code == 200 and not page.context["items"]
    outsider.post(url(active.pk), FORM)
    mentee = Client()
    mentee.force_login(cast["mentee"])
    assert mentee.post(url(active.pk), FORM).status_code in (302, 403, 404)
    active.refresh_from_db()
    assert active.state == PairingState.ACTIVE


def test_the_lifecycle_refuses_a_manager_and_a_planned_reason(active, cast):
    with pytest.raises(RuleViolation):
        lifecycle.close_for_staff_reason(active, cast["manager"], ClosureReason.PERSONAL)
    with pytest.raises(RuleViolation):
        lifecycle.close_for_staff_reason(active, cast["coordinator"], ClosureReason.PLANNED_END)
    active.refresh_from_db()
    assert active.state == PairingState.ACTIVE and not active.closure_reason


def test_an_unplanned_closure_already_asked_keeps_its_reason(active, cast):
    lifecycle.request_closure(
        active, cast["mentor"], kind=ClosureKind.UNPLANNED, reason=ClosureReason.PERSONAL
    )
    lifecycle.close_for_staff_reason(active, cast["coordinator"], ClosureReason.MENTEE_MOVED)
    active.refresh_from_db()
    assert active.state == PairingState.CLOSED and active.closure_reason == ClosureReason.PERSONAL
    assert Pairing.objects.get(pk=active.pk).premature
