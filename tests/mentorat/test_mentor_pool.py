"""The mentor pool per programme (issue 17, item 3): a person applies to mentor in a
programme, its coordinators approve (experience and discipline against the programme's
rules), ask for training, pause or retire; the mentor says "no new mentee until DATE".
Only approved mentors who take mentees are suggested and paired."""

import datetime
import importlib
import threading

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from wagtail_mentorat import lifecycle, rules
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.matching import adapter
from wagtail_mentorat.models import MentorOffer, PairingState, ParticipantProfile, Programme

from .conftest import ProgrammeFactory, make_coordinator, person

POOL = MentorOffer.Status
TODAY = timezone.localdate
POOL_URL = "/admin/mentorat/mentors/"


def staff(user):
    """A coordinator who may open the admin."""
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def pool(db):
    """Two programmes each with its own coordinator; a mentee and her manager; a
    candidate who applied to the first programme only (nobody joins a pool by default)."""
    boss = person("patronne", discipline="Gestion", pool=False)
    coordo = make_coordinator(person("coordo", discipline="Gestion", pool=False), [])
    other_coordo = make_coordinator(person("coordo2", discipline="Gestion", pool=False), [])
    programme = ProgrammeFactory(
        who_pairs=Programme.WhoPairs.BOTH,
        mentor_min_years=5,
        coordinators=[coordo],
        pool=False,
    )
    other = ProgrammeFactory(coordinators=[other_coordo], pool=False)
    mentee = person("mentoree", superior=boss, years_experience=1, pool=False)
    candidate = person("candidate", years_experience=12, is_mentor=True, pool=False)
    offer = lifecycle.offer_to_mentor(programme, candidate, "Crises")
    request = lifecycle.open_request(programme, mentee, mentee, "Gérer des crises")
    return {
        "programme": programme,
        "other": other,
        "coordo": staff(coordo),
        "other_coordo": staff(other_coordo),
        "boss": boss,
        "mentee": mentee,
        "candidate": candidate,
        "offer": offer,
        "request": request,
    }


def refusal(offer, actor, status):
    """What the pool screen shows instead of the ``status`` button (None: the button)."""
    return lifecycle.offer_refusals([offer], actor)[offer.pk][status]


def suggested(programme):
    return {mentor.id for mentor in adapter.load_mentors(programme)}


# --- applying and deciding -----------------------------------------------------------------------


def test_applying_waits_for_a_decision_and_applying_again_keeps_it(pool):
    offer = pool["offer"]
    assert offer.status == POOL.APPLIED and offer.note == "Crises"
    assert pool["candidate"].mentorat_profile.is_mentor
    lifecycle.decide_offer(offer, pool["coordo"], POOL.APPROVED)
    again = lifecycle.offer_to_mentor(pool["programme"], pool["candidate"], "Crises et deuil")
    assert again.pk == offer.pk and again.status == POOL.APPROVED
    assert again.note == "Crises et deuil"
    lifecycle.decide_offer(offer, pool["coordo"], POOL.RETIRED)
    anew = lifecycle.offer_to_mentor(pool["programme"], pool["candidate"])
    assert anew.status == POOL.APPLIED and anew.decided_by is None
    assert MentorOffer.objects.filter(mentor=pool["candidate"]).count() == 1


def test_a_closed_programme_takes_no_application(pool):
    Programme.objects.filter(pk=pool["other"].pk).update(is_active=False)
    pool["other"].refresh_from_db()
    with pytest.raises(RuleViolation, match="takes no new mentor"):
        lifecycle.offer_to_mentor(pool["other"], pool["candidate"])
    assert not MentorOffer.objects.filter(programme=pool["other"]).exists()


def test_the_programme_s_coordinator_approves_and_it_is_recorded(pool):
    offer = lifecycle.decide_offer(pool["offer"], pool["coordo"], POOL.APPROVED)
    assert offer.status == POOL.APPROVED
    assert offer.decided_by == pool["coordo"] and offer.decided_at is not None
    assert pool["candidate"].pk in suggested(pool["programme"])


@pytest.mark.parametrize("who", ["other_coordo", "mentee", "candidate"])
def test_nobody_else_decides(pool, who):
    with pytest.raises(RuleViolation, match="Only the programme's coordinators"):
        lifecycle.decide_offer(pool["offer"], pool[who], POOL.APPROVED)
    pool["offer"].refresh_from_db()
    assert pool["offer"].status == POOL.APPLIED and pool["offer"].decided_by is None


def test_approval_is_refused_to_a_mentor_with_too_few_years(pool):
    ParticipantProfile.objects.filter(user=pool["candidate"]).update(years_experience=2)
    with pytest.raises(RuleViolation) as refused:
        lifecycle.decide_offer(pool["offer"], pool["coordo"], POOL.APPROVED)
    assert refused.value.messages == [
        f"{pool['candidate'].get_full_name()} has 2 years of experience; this programme asks "
        "for at least 5."
    ]
    pool["offer"].refresh_from_db()
    assert pool["offer"].status == POOL.APPLIED
    # Asking them to train first is still possible, and said so.
    assert refusal(pool["offer"], pool["coordo"], POOL.TRAINING) is None


def test_a_required_discipline_needs_one_on_the_profile(pool):
    Programme.objects.filter(pk=pool["programme"].pk).update(
        discipline_rule=Programme.DisciplineRule.REQUIRED
    )
    ParticipantProfile.objects.filter(user=pool["candidate"]).update(discipline="")
    why = refusal(MentorOffer.objects.get(pk=pool["offer"].pk), pool["coordo"], POOL.APPROVED)
    assert "no discipline on their profile" in why


def test_decisions_follow_each_other_as_the_rules_say(pool):
    offer, coordo = pool["offer"], pool["coordo"]
    assert "can be paused" in refusal(offer, coordo, POOL.PAUSED)
    with pytest.raises(RuleViolation, match="Choose a decision"):
        lifecycle.decide_offer(offer, coordo, "applied")
    with pytest.raises(RuleViolation, match="Choose a decision"):
        lifecycle.decide_offer(offer, coordo, "n'importe quoi")
    lifecycle.decide_offer(offer, coordo, POOL.TRAINING)
    lifecycle.decide_offer(offer, coordo, POOL.APPROVED)
    with pytest.raises(RuleViolation, match="already"):
        lifecycle.decide_offer(offer, coordo, POOL.APPROVED)
    lifecycle.decide_offer(offer, coordo, POOL.PAUSED)
    assert pool["candidate"].pk not in suggested(pool["programme"])
    lifecycle.decide_offer(offer, coordo, POOL.RETIRED)
    offer.refresh_from_db()
    assert "apply again" in refusal(offer, coordo, POOL.APPROVED)


# --- who is suggested and who may be paired ------------------------------------------------------


def test_only_approved_mentors_who_take_mentees_are_suggested(pool):
    programme, coordo = pool["programme"], pool["coordo"]
    assert suggested(programme) == set()  # applied is not approved
    lifecycle.decide_offer(pool["offer"], coordo, POOL.APPROVED)
    assert suggested(programme) == {pool["candidate"].pk}
    assert suggested(pool["other"]) == set()  # another programme's pool
    # A mentor of the other programme only is not in this one.
    elsewhere = person("ailleurs", years_experience=20, is_mentor=True, pool=False)
    other_offer = lifecycle.offer_to_mentor(pool["other"], elsewhere)
    lifecycle.decide_offer(other_offer, pool["other_coordo"], POOL.APPROVED)
    assert suggested(programme) == {pool["candidate"].pk}
    assert suggested(pool["other"]) == {elsewhere.pk}


@pytest.mark.parametrize(
    ("days", "in_pool"), [(None, True), (-1, True), (0, False), (1, False), (90, False)]
)
def test_not_taking_mentees_until_a_date(pool, days, in_pool):
    lifecycle.decide_offer(pool["offer"], pool["coordo"], POOL.APPROVED)
    until = None if days is None else TODAY() + datetime.timedelta(days=days)
    MentorOffer.objects.filter(pk=pool["offer"].pk).update(unavailable_until=until)
    assert (pool["candidate"].pk in suggested(pool["programme"])) is in_pool
    errors = rules.pool_errors(pool["programme"], [pool["candidate"]])
    assert (not errors) is in_pool
    if not in_pool:
        assert len(errors) == 1 and "takes no new mentee until" in errors[0]


def test_pairing_refuses_a_mentor_outside_the_pool_with_the_reason(pool):
    programme, mentee, coordo = pool["programme"], pool["mentee"], pool["coordo"]
    name = pool["candidate"].get_full_name()
    outsider = person("dehors", years_experience=20, is_mentor=True, pool=False)
    errors = rules.pairing_errors(programme, [mentee], [outsider])
    assert errors == [
        f"{outsider.get_full_name()} is not in this programme's mentor pool: they apply to "
        "mentor in it and one of its coordinators approves them."
    ]
    assert rules.pairing_errors(programme, [mentee], [pool["candidate"]]) == [
        f"{name} applied to mentor in this programme: one of its coordinators approves them "
        "first (the mentor pool)."
    ]
    with pytest.raises(RuleViolation, match="mentor pool"):
        lifecycle.propose_pairing(programme, [mentee], [outsider], coordo, request=pool["request"])
    with pytest.raises(RuleViolation, match="not a mentor of this programme"):
        adapter.assign(pool["request"], outsider, coordo)
    assert not programme.pairings.exists()
    lifecycle.decide_offer(pool["offer"], coordo, POOL.APPROVED)
    pairing = adapter.assign(pool["request"], pool["candidate"], coordo)
    assert pairing.state == PairingState.APPROVED


def test_a_proposal_waits_on_a_mentor_paused_meanwhile(pool):
    programme, coordo = pool["programme"], pool["coordo"]
    lifecycle.decide_offer(pool["offer"], coordo, POOL.APPROVED)
    proposal = lifecycle.propose_pairing(
        programme, [pool["mentee"]], [pool["candidate"]], coordo, request=pool["request"]
    )
    lifecycle.decide_offer(pool["offer"], coordo, POOL.PAUSED)
    with pytest.raises(RuleViolation, match="is paused in this programme's mentor pool"):
        lifecycle.approve_pairing(proposal, coordo)
    proposal.refresh_from_db()
    assert proposal.state == PairingState.PROPOSED


def test_load_mentors_keeps_its_query_count(pool, django_assert_max_num_queries):
    for i in range(12):
        mentor = person(f"m{i}", years_experience=10, is_mentor=True, pool=False)
        offer = lifecycle.offer_to_mentor(pool["programme"], mentor)
        lifecycle.decide_offer(offer, pool["coordo"], POOL.APPROVED)
    with django_assert_max_num_queries(6):
        mentors = adapter.load_mentors(pool["programme"])
    assert len(mentors) == 12


# --- the mentor's availability ------------------------------------------------------------------


def test_the_mentor_says_until_when_they_take_no_mentee(pool):
    candidate, offer = pool["candidate"], pool["offer"]
    until = TODAY() + datetime.timedelta(days=30)
    lifecycle.set_unavailable(candidate.mentorat_profile, candidate, until)
    offer.refresh_from_db()
    assert offer.unavailable_until == until
    lifecycle.set_unavailable(offer, candidate, None)
    offer.refresh_from_db()
    assert offer.unavailable_until is None


@pytest.mark.parametrize(
    ("who", "days", "message"),
    [
        ("coordo", 10, "Only the mentor themself"),
        ("mentee", 10, "Only the mentor themself"),
        ("candidate", -1, "Choose today or a later date"),
        ("candidate", 800, "within two years"),
    ],
)
def test_set_unavailable_refuses_and_changes_nothing(pool, who, days, message):
    until = TODAY() + datetime.timedelta(days=days)
    with pytest.raises(RuleViolation, match=message):
        lifecycle.set_unavailable(pool["offer"], pool[who], until)
    pool["offer"].refresh_from_db()
    assert pool["offer"].unavailable_until is None


# --- the coordinator's screen ------------------------------------------------------------------


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_pool_screen_shows_the_rules_and_offers_only_allowed_decisions(
    pool, django_assert_max_num_queries
):
    short = person("junior", years_experience=2, is_mentor=True, pool=False)
    lifecycle.offer_to_mentor(pool["programme"], short)
    for i in range(5):
        lifecycle.offer_to_mentor(
            pool["programme"], person(f"c{i}", years_experience=9, is_mentor=True, pool=False)
        )
    client = client_of(pool["coordo"])
    url = f"{POOL_URL}?programme={pool['programme'].pk}"
    client.get(url)  # warm the admin's caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5, 10):  # five more offers: the same number of queries
        lifecycle.offer_to_mentor(
            pool["programme"], person(f"c{i}", years_experience=9, is_mentor=True, pool=False)
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert pool["programme"].name in page
    rows = {row["offer"].mentor_id: row for row in response.context["rows"]}
    assert len(rows) == 12
    junior = rows[short.pk]
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = rules.approval_errors(pool["programme"], short)
    assert junior["approval_refused"] == expected[0] and "5" in expected[0]
    assert rows[pool["candidate"].pk]["approval_refused"] is None
    assert [d["status"] for d in junior["decisions"]] == [POOL.TRAINING, POOL.RETIRED]
    candidate = rows[pool["candidate"].pk]
    assert [d["status"] for d in candidate["decisions"]] == [
        POOL.APPROVED,
        POOL.TRAINING,
        POOL.RETIRED,
    ]
    assert pool["candidate"].get_full_name() in page  # by name, never by username
    assert f">{pool['candidate'].get_username()}<" not in page


def test_a_coordinator_approves_from_the_screen(pool):
    response = client_of(pool["coordo"]).post(
        reverse("mentorat_pool_decide", args=[pool["offer"].pk]), {"decision": "approved"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?programme={pool['programme'].pk}")
    pool["offer"].refresh_from_db()
    assert pool["offer"].status == POOL.APPROVED and pool["offer"].decided_by == pool["coordo"]


def test_a_refused_decision_is_said_and_changes_nothing(pool):
    ParticipantProfile.objects.filter(user=pool["candidate"]).update(years_experience=1)
    client = client_of(pool["coordo"])
    response = client.post(
        reverse("mentorat_pool_decide", args=[pool["offer"].pk]),
        {"decision": "approved"},
        follow=True,
    )
    said = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert len(said) == 1 and said[0][0] == "error"
    pool["offer"].refresh_from_db()
    assert pool["offer"].status == POOL.APPLIED


def test_another_programme_s_coordinator_gets_a_404(pool):
    client = client_of(pool["other_coordo"])
    url = reverse("mentorat_pool_decide", args=[pool["offer"].pk])
    assert client.post(url, {"decision": "approved"}).status_code == 404
    missing = reverse("mentorat_pool_decide", args=[pool["offer"].pk + 1000])
    assert client.post(missing, {"decision": "approved"}).status_code == 404
    page = client.get(f"{POOL_URL}?programme={pool['programme'].pk}")
    assert page.status_code == 200 and page.context["rows"] == []
    assert page.context["form"].errors["programme"]
    pool["offer"].refresh_from_db()
    assert pool["offer"].status == POOL.APPLIED


def test_a_participant_never_reaches_the_screen(pool):
    client = client_of(pool["candidate"])
    assert client.get(POOL_URL).status_code in (302, 404)
    response = client.post(
        reverse("mentorat_pool_decide", args=[pool["offer"].pk]), {"decision": "approved"}
    )
    assert response.status_code in (302, 404)
    pool["offer"].refresh_from_db()
    assert pool["offer"].status == POOL.APPLIED


@pytest.mark.parametrize("value", ["abc", "9" * 30, "-1", ""])
def test_a_bad_programme_is_a_form_error(pool, value):
    response = client_of(pool["coordo"]).get(POOL_URL, {"programme": value})
    assert response.status_code == 200
    assert response.context["form"].errors and response.context["rows"] == []


def test_the_screen_opens_on_the_first_programme(pool):
    response = client_of(pool["coordo"]).get(POOL_URL)
    assert response.context["programme"] == pool["programme"]
    assert [row["offer"] for row in response.context["rows"]] == [pool["offer"]]


# --- the mentor's page ---------------------------------------------------------------------------


MY_OFFERS = "/mentorat/mentorer/"


def mentor_client(pool):
    ParticipantProfile.objects.filter(user=pool["candidate"]).update(consent_at=timezone.now())
    return client_of(pool["candidate"])


def test_the_mentor_applies_to_another_programme(pool):
    client = mentor_client(pool)
    url = reverse("wagtail_mentorat:my_offers")
    page = client.get(url)
    assert page.status_code == 200
    assert list(page.context["apply_form"].fields["programme"].queryset) == [pool["other"]]
    response = client.post(url, {"action": "apply", "programme": pool["other"].pk})
    assert response.status_code == 302
    offer = MentorOffer.objects.get(programme=pool["other"], mentor=pool["candidate"])
    assert offer.status == POOL.APPLIED


@pytest.mark.parametrize("value", ["abc", "9" * 30, "0"])
def test_a_bad_programme_choice_is_a_form_error_for_the_mentor(pool, value):
    client = mentor_client(pool)
    response = client.post(
        reverse("wagtail_mentorat:my_offers"), {"action": "apply", "programme": value}
    )
    assert response.status_code == 200 and response.context["apply_form"].errors
    assert not MentorOffer.objects.filter(programme=pool["other"]).exists()


@pytest.mark.parametrize(
    ("value", "code"), [("9999-12-31", "date"), ("abc", "invalid"), ("2000-01-01", "date")]
)
def test_a_bad_date_is_a_form_error_and_writes_nothing(pool, value, code):
    client = mentor_client(pool)
    response = client.post(
        reverse("wagtail_mentorat:my_offers"), {"action": "unavailable", "until": value}
    )
    assert response.status_code == 200
    errors = response.context["unavailable_form"].errors.as_data()["until"]
    assert [error.code for error in errors] == [code]
    pool["offer"].refresh_from_db()
    assert pool["offer"].unavailable_until is None


def test_the_mentor_sets_and_clears_the_date_from_their_page(pool):
    client = mentor_client(pool)
    url = reverse("wagtail_mentorat:my_offers")
    until = TODAY() + datetime.timedelta(days=20)
    assert (
        client.post(url, {"action": "unavailable", "until": until.isoformat()}).status_code == 302
    )
    pool["offer"].refresh_from_db()
    assert pool["offer"].unavailable_until == until
    client.post(url, {"action": "unavailable", "until": ""})
    pool["offer"].refresh_from_db()
    assert pool["offer"].unavailable_until is None
    unknown = client.post(url, {"action": "pirate"}, follow=True)
    assert [m.level_tag for m in unknown.context["messages"]][-1] == "error"


# --- the data migration -------------------------------------------------------------------------


def test_the_migration_approves_every_existing_mentor_in_every_active_programme(pool):
    migration = importlib.import_module("wagtail_mentorat.migrations.0013_mentor_pool")
    closed = ProgrammeFactory(is_active=False, pool=False)
    not_mentor = pool["mentee"]
    veteran = person("veteran", years_experience=30, is_mentor=True, pool=False)
    MentorOffer.objects.filter(pk=pool["offer"].pk).update(status=POOL.PAUSED)

    class Editor:
        connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.approve_existing_pool(apps, Editor())
    offers = set(MentorOffer.objects.values_list("programme_id", "mentor_id", "status"))
    assert (pool["programme"].pk, veteran.pk, POOL.APPROVED) in offers
    assert (pool["other"].pk, veteran.pk, POOL.APPROVED) in offers
    assert (pool["other"].pk, pool["candidate"].pk, POOL.APPROVED) in offers
    # An existing offer keeps its status; a closed programme and a non-mentor get nothing.
    assert (pool["programme"].pk, pool["candidate"].pk, POOL.PAUSED) in offers
    assert not any(p == closed.pk for p, _m, _s in offers)
    assert not any(m == not_mentor.pk for _p, m, _s in offers)
    # Run twice, it changes nothing.
    count = MentorOffer.objects.count()
    migration.approve_existing_pool(apps, Editor())
    assert MentorOffer.objects.count() == count


# --- two coordinators, one last place (PostgreSQL) -----------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL; CI runs this suite on PostgreSQL too",
)
def test_two_coordinators_assigning_a_mentor_s_last_place_leave_one_winner():
    coordinators = [
        make_coordinator(person(f"coordo{i}", discipline="Gestion", pool=False), []) for i in (1, 2)
    ]
    programme = ProgrammeFactory(
        who_pairs=Programme.WhoPairs.BOTH, mentor_capacity=1, coordinators=coordinators
    )
    mentor = person("mentor", years_experience=15, is_mentor=True, pool=False)
    offer = lifecycle.offer_to_mentor(programme, mentor)
    lifecycle.decide_offer(offer, coordinators[0], POOL.APPROVED)
    requests = []
    for i in (1, 2):
        mentee = person(f"mentore{i}", years_experience=1, pool=False)
        requests.append(lifecycle.open_request(programme, mentee, mentee, "Besoin"))
    barrier = threading.Barrier(2)
    outcomes = []

    def assign(request, coordinator):
        try:
            actor = get_user_model().objects.get(pk=coordinator.pk)
            barrier.wait(timeout=10)
            adapter.assign(request, mentor, actor)
            outcomes.append("assigned")
        except RuleViolation:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=assign, args=(request, coordinator))
        for request, coordinator in zip(requests, coordinators, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["assigned", "refused"]
    assert programme.pairings.filter(state=PairingState.APPROVED).count() == 1
