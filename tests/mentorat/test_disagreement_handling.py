"""Issue 17, item 2: programme staff handle a disagreement (open -> in progress -> resolved,
a resolution note for programme staff alone, the person who raised it told that it was
handled, never how), and the manager acknowledges a safety concern."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from wagtail.models import ModelLogEntry

from tests.mentorat.conftest import ProgrammeFactory, make_coordinator, person
from tests.privacy.test_register_and_audit import privacy_officer
from wagtail_mentorat import lifecycle
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.formatting import person_name
from wagtail_mentorat.models import Disagreement, SafetyConcern
from wagtail_mentorat.notifications import outbox
from wagtail_mentorat.notifications.kinds import Kind
from wagtail_mentorat.notifications.models import Notification
from wagtail_mentorat.privacy.break_glass import MIN_REASON_LENGTH

pytestmark = pytest.mark.django_db

NOTE = "NOTE-DE-RESOLUTION-CONFIDENTIELLE"
TEXT = "MESENTENTE-TEXTE"
LISTING = "/admin/snippets/wagtail_mentorat/disagreement/"


def french(message):
    """``message`` as a French page shows it (whatever the catalogue holds yet), escaped."""
    with translation.override("fr"):
        return escape(translation.gettext(message))


def handle_url(pk):
    return f"/admin/mentorat/mesententes/{pk}/traiter/"


def state(disagreement):
    disagreement.refresh_from_db()
    return (
        disagreement.status,
        disagreement.handled_by_id,
        disagreement.resolution_note,
        disagreement.resolved_at,
    )


# --- the rules ------------------------------------------------------------------------------


@pytest.fixture
def raised(active, cast):
    return lifecycle.raise_disagreement(active, cast["mentee"], TEXT)


@pytest.fixture
def other_coordinator(db):
    """Programme staff, but of another programme only."""
    return make_coordinator(person("coordo_autre"), programmes=[ProgrammeFactory(coordinators=[])])


def test_a_coordinator_of_the_programme_takes_then_resolves(raised, cast):
    coordinator = cast["coordinator"]
    lifecycle.take_disagreement(raised, coordinator)
    assert state(raised)[:2] == (Disagreement.Status.IN_PROGRESS, coordinator.pk)
    assert lifecycle.take_refusal(raised, coordinator) == (
        "You are already handling this disagreement."
    )
    lifecycle.resolve_disagreement(raised, coordinator, f"  {NOTE}  ")
    status, handler, note, resolved_at = state(raised)
    assert (status, handler, note) == (Disagreement.Status.RESOLVED, coordinator.pk, NOTE)
    assert resolved_at is not None
    actions = set(
        ModelLogEntry.objects.filter(object_id=str(raised.pairing_id)).values_list(
            "action", flat=True
        )
    )
    assert {"wagtail_mentorat.disagreement_taken", "wagtail_mentorat.disagreement_handled"} <= (
        actions
    )


def test_another_coordinator_may_take_over_one_in_progress(raised, cast):
    second = make_coordinator(person("coordo2"))
    lifecycle.take_disagreement(raised, cast["coordinator"])
    lifecycle.take_disagreement(raised, second)
    assert state(raised)[:2] == (Disagreement.Status.IN_PROGRESS, second.pk)


@pytest.mark.parametrize("who", ["mentee", "mentor", "manager", "other_coordinator"])
def test_nobody_but_the_programmes_staff_takes_or_resolves(raised, cast, other_coordinator, who):
    actor = other_coordinator if who == "other_coordinator" else cast[who]
    before = state(raised)
    for action in (
        lambda: lifecycle.take_disagreement(raised, actor),
        lambda: lifecycle.resolve_disagreement(raised, actor, NOTE),
    ):
        with pytest.raises(RuleViolation, match="Only the staff of this programme"):
            action()
    assert state(raised) == before
    assert lifecycle.take_refusal(raised, actor) and lifecycle.resolve_refusal(raised, actor)


def test_a_resolution_needs_a_note_and_happens_once(raised, cast):
    coordinator = cast["coordinator"]
    before = state(raised)
    for blank in ("", "   ", None):
        with pytest.raises(RuleViolation, match="Write how the disagreement was handled"):
            lifecycle.resolve_disagreement(raised, coordinator, blank)
    assert state(raised) == before
    lifecycle.resolve_disagreement(raised, coordinator, NOTE)  # straight from "open"
    resolved = state(raised)
    assert resolved[:3] == (Disagreement.Status.RESOLVED, coordinator.pk, NOTE)
    with pytest.raises(RuleViolation, match="already resolved"):
        lifecycle.resolve_disagreement(raised, coordinator, "Une autre note")
    with pytest.raises(RuleViolation, match="already resolved"):
        lifecycle.take_disagreement(raised, coordinator)
    assert state(raised) == resolved


def test_the_raiser_is_told_it_was_handled_and_never_how(raised, cast):
    lifecycle.take_disagreement(raised, cast["coordinator"])
    assert not Notification.objects.filter(kind=Kind.DISAGREEMENT_HANDLED).exists()
    lifecycle.resolve_disagreement(raised, cast["coordinator"], NOTE)
    rows = list(Notification.objects.filter(kind=Kind.DISAGREEMENT_HANDLED))
    assert [row.recipient for row in rows] == [cast["mentee"]]  # not the mentor, not staff
    row = rows[0]
    assert NOTE not in str(row.data)
    for language in ("fr", "en"):
        row.language = language
        subject, text, html = outbox.render(row)
        assert subject.strip() and "<p>" in html
        for part in (subject, text, html):
            assert NOTE not in part and TEXT not in part
    assert "handled the disagreement you raised" in outbox.render(row)[1]


# --- the safety concern ---------------------------------------------------------------------


@pytest.fixture
def concern(active, cast):
    return lifecycle.report_safety_concern(active, cast["mentor"], "Une pratique à risque.")


def test_the_manager_acknowledges_a_concern_once(concern, cast):
    lifecycle.acknowledge_safety_concern(concern, cast["manager"])
    first = SafetyConcern.objects.get(pk=concern.pk).acknowledged_at
    assert first is not None
    lifecycle.acknowledge_safety_concern(concern, cast["manager"])  # idempotent
    lifecycle.acknowledge_safety_concern(concern, cast["coordinator"])
    assert SafetyConcern.objects.get(pk=concern.pk).acknowledged_at == first
    logged = ModelLogEntry.objects.filter(
        action="wagtail_mentorat.safety_concern_acknowledged", object_id=str(concern.pairing_id)
    )
    assert logged.count() == 1


def test_programme_staff_may_acknowledge_a_concern(concern, cast):
    lifecycle.acknowledge_safety_concern(concern, cast["coordinator"])
    assert SafetyConcern.objects.get(pk=concern.pk).acknowledged_at is not None


@pytest.mark.parametrize("who", ["mentor", "mentee", "director", "other_coordinator"])
def test_nobody_else_acknowledges_a_concern(concern, cast, other_coordinator, who):
    actor = other_coordinator if who == "other_coordinator" else cast[who]
    with pytest.raises(RuleViolation, match="Only the mentee's manager or programme staff"):
        lifecycle.acknowledge_safety_concern(concern, actor)
    assert SafetyConcern.objects.get(pk=concern.pk).acknowledged_at is None


# --- the screens ----------------------------------------------------------------------------


def admin_user(user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return type(user).objects.get(pk=user.pk)


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(cast, other_coordinator):
    """Who reaches the admin: the programme's coordinator, another programme's, the
    privacy officer."""
    return {
        "coordinator": admin_user(cast["coordinator"]),
        "other_coordinator": admin_user(other_coordinator),
        "officer": privacy_officer(),
    }


def test_the_listing_shows_state_handler_and_the_action_to_the_programmes_staff(
    raised, active, cast, people, django_assert_max_num_queries
):
    for _n in range(4):  # more rows: the query count stays flat
        lifecycle.raise_disagreement(active, cast["mentor"], "Encore")
    coordinator = people["coordinator"]
    lifecycle.take_disagreement(raised, coordinator)
    client = login(coordinator)
    client.get(LISTING)  # warm the session and caches
    with django_assert_max_num_queries(40):
        page = client.get(LISTING)
    html = page.content.decode()
    assert page.status_code == 200
    assert french("Being handled") in html  # the status label, in French
    assert escape(person_name(coordinator)) in html  # the handler by name
    assert f">{coordinator.username}<" not in html
    assert handle_url(raised.pk) in html
    # Another programme's coordinator does not see it; the privacy officer sees the row
    # (states and dates) but is offered no handling.
    other = login(people["other_coordinator"]).get(LISTING)
    assert raised.pk not in {row.pk for row in other.context["object_list"]}
    officer = login(people["officer"]).get(LISTING)
    assert raised.pk in {row.pk for row in officer.context["object_list"]}
    assert handle_url(raised.pk) not in officer.content.decode()


def test_a_coordinator_handles_a_disagreement_from_the_admin(raised, people):
    coordinator = people["coordinator"]
    client = login(coordinator)
    url = handle_url(raised.pk)
    page = client.get(url)
    assert page.status_code == 200 and page.context["take_refusal"] is None
    assert TEXT not in page.content.decode()  # read in the audited inspect view
    assert client.post(url, {"action": "take"}).status_code == 302
    assert state(raised)[:2] == ("in_progress", coordinator.pk)
    # A blank note: a translated error, nothing changes.
    before = state(raised)
    refused = client.post(url, {"action": "resolve", "note": "  "})
    assert refused.status_code == 200
    assert french("Write how the disagreement was handled.") in refused.content.decode()
    assert state(raised) == before
    assert client.post(url, {"action": "resolve", "note": NOTE}).status_code == 302
    assert state(raised)[0] == "resolved"
    done = client.get(url)
    html = done.content.decode()
    assert NOTE in html  # programme staff read the note
    assert done.context["resolve_refusal"] == french("This disagreement is already resolved.")
    assert 'value="resolve"' not in html and 'value="take"' not in html  # nothing to offer


def test_bad_input_on_the_handling_screen_writes_nothing(raised, people):
    client = login(people["coordinator"])
    url = handle_url(raised.pk)
    before = state(raised)
    unknown = client.post(url, {"action": "delete"})
    assert unknown.status_code == 200 and unknown.context["refused"]
    too_long = client.post(url, {"action": "resolve", "note": "x" * 5001})
    assert too_long.status_code == 200 and too_long.context["form"].errors
    assert state(raised) == before
    for hostile in ("abc", "9" * 30, "-1", "0"):
        response = client.get(f"/admin/mentorat/mesententes/{hostile}/traiter/")
        assert response.status_code == 404, hostile
    assert client.get(handle_url(raised.pk + 1000)).status_code == 404


@pytest.mark.parametrize("who", ["other_coordinator", "officer", "manager", "mentee"])
def test_outside_the_programmes_staff_the_screen_is_a_404(raised, cast, people, who):
    """404 as for a record that does not exist (Wagtail sends a person with no admin access
    to its login, whatever the id)."""
    client = login(people.get(who) or cast[who])
    url = handle_url(raised.pk)
    missing = client.get(handle_url(raised.pk + 1000)).status_code
    assert missing in (302, 404)
    before = state(raised)
    assert client.get(url).status_code == missing
    assert client.post(url, {"action": "take"}).status_code == missing
    assert client.post(url, {"action": "resolve", "note": NOTE}).status_code == missing
    assert state(raised) == before


def test_the_privacy_officer_never_reads_the_resolution_note(raised, people):
    lifecycle.resolve_disagreement(raised, people["coordinator"], NOTE)
    officer = login(people["officer"])
    inspect = reverse("wagtailsnippets_wagtail_mentorat_disagreement:inspect", args=[raised.pk])
    assert NOTE not in officer.get(inspect).content.decode()
    reason = "Demande d'accès n° 2026-041 de la personne mentorée"
    assert len(reason) >= MIN_REASON_LENGTH
    revealed = officer.post(inspect, {"reason": reason}).content.decode()
    assert TEXT in revealed and NOTE not in revealed  # break-glass: the text, not the note
    assert NOTE not in officer.get(LISTING).content.decode()


def test_the_raiser_sees_the_state_and_date_never_the_note(raised, active, cast):
    url = reverse("wagtail_mentorat:pairing", args=[active.pk])
    mentee = login(cast["mentee"])
    first = mentee.get(url).content.decode()
    assert 'id="raised"' in first and french("Open") in first
    lifecycle.take_disagreement(raised, cast["coordinator"])
    assert french("Being handled") in mentee.get(url).content.decode()
    lifecycle.resolve_disagreement(raised, cast["coordinator"], NOTE)
    html = mentee.get(url).content.decode()
    assert french("Resolved") in html and NOTE not in html
    # The other member never sees what the mentee raised.
    assert 'id="raised"' not in login(cast["mentor"]).get(url).content.decode()


def test_the_manager_acknowledges_a_concern_in_their_space(concern, active, cast):
    manager = login(cast["manager"])
    space = reverse("wagtail_mentorat:manager")
    html = manager.get(space).content.decode()
    assert "Une pratique à risque." in html and 'value="concern"' in html
    decide = reverse("wagtail_mentorat:manager_decide", args=[active.pk])
    # Another manager, a hostile concern id: refused, nothing set.
    stranger = login(person("autre_gestionnaire"))
    assert stranger.post(decide, {"what": "concern", "concern": concern.pk}).status_code == 404
    manager.post(decide, {"what": "concern", "concern": "9" * 30})
    assert SafetyConcern.objects.get(pk=concern.pk).acknowledged_at is None
    response = manager.post(decide, {"what": "concern", "concern": concern.pk})
    assert response.status_code == 302
    assert SafetyConcern.objects.get(pk=concern.pk).acknowledged_at is not None
    after = manager.get(space).content.decode()
    assert 'value="concern"' not in after
    assert french("Read and taken in hand on %(date)s.").split("%")[0] in after


def test_the_manager_space_says_why_when_the_concern_is_not_theirs_to_acknowledge(concern, cast):
    """Transferred since: the concern stays in the old manager's list, without a button."""
    from wagtail_mentorat.models import ParticipantProfile

    ParticipantProfile.objects.filter(user=cast["mentee"]).update(superior=cast["director"])
    person("employe", superior=cast["manager"])  # still a manager, of someone else
    html = login(cast["manager"]).get(reverse("wagtail_mentorat:manager")).content.decode()
    assert "Une pratique à risque." in html and 'value="concern"' not in html
    assert french("Only the mentee's manager or programme staff can acknowledge this concern.") in (
        html
    )
