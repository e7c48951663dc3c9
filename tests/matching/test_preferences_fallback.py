"""Preferences, a mentor's answer to an assignment, the fallback to the next suggestion,
the managers' pairing view and the cohort download (issue 4)."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone, translation

from tests.mentorat.conftest import ProgrammeFactory, person
from wagtail_mentorat import lifecycle
from wagtail_mentorat.exceptions import RuleViolation
from wagtail_mentorat.matching import adapter, fallback, preferences, scoring
from wagtail_mentorat.models import (
    ExpertiseArea,
    MentorDecline,
    MentoringRequest,
    MentorPreference,
    Pairing,
    PairingState,
    Programme,
)
from wagtail_mentorat.notifications.models import Notification

pytestmark = pytest.mark.django_db
S = PairingState


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """Pages in English (the switch's cookie; the admin follows the person's setting)."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def world(db):
    """A mentee of a manager, three mentors ranked best > second > third, a coordinator."""
    crisis = ExpertiseArea.objects.create(name="Intervention de crise")
    boss = person("patronne", discipline="Gestion")
    coordinator = person("coordo", discipline="Gestion")
    coordinator.user_permissions.add(
        Permission.objects.get(codename="coordinate_programme"),
        Permission.objects.get(codename="access_admin"),
    )
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(coordinator)
    profile.preferred_language = "en"
    profile.save()
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.BOTH, mentor_response_hours=48)
    mentee = person("mentoree", superior=boss, years_experience=1)
    best = person("meilleure", years_experience=20, is_mentor=True)
    best.mentorat_profile.expertise.add(crisis)
    second = person("deuxieme", years_experience=12, is_mentor=True, site="Ailleurs")
    second.mentorat_profile.expertise.add(crisis)
    third = person("troisieme", years_experience=4, is_mentor=True, site="Ailleurs")
    third.mentorat_profile.expertise.add(crisis)
    request = lifecycle.open_request(
        programme, mentee, mentee, "Gérer des situations de crise", expertise=[crisis]
    )
    return {
        "programme": programme,
        "mentee": mentee,
        "boss": boss,
        "best": best,
        "second": second,
        "third": third,
        "coordinator": coordinator,
        "request": request,
    }


def first_reason(world):
    """The best suggestion's first reason as the page shows it."""
    from django.utils.html import escape

    best, _excluded = adapter.suggestions(world["request"])
    return escape(best[0].reasons[0])


def ranked(world):
    best, _excluded = adapter.suggestions(world["request"])
    return [fit.mentor.id for fit in best]


# --- scoring ---------------------------------------------------------------------------------


def test_a_mentor_who_declined_is_excluded_from_suggestions_and_the_cohort():
    mentee = scoring.Mentee(id=1, discipline="TS", declined=frozenset({2}))
    declined = scoring.Mentor(id=2, discipline="TS", years=10, capacity=2)
    other = scoring.Mentor(id=3, discipline="TS", years=10, capacity=2)
    rules = scoring.Rules(min_years=3)
    assert scoring.exclusion(mentee, declined, rules) == scoring.DECLINED
    assert scoring.exclusion(mentee, other, rules) is None
    result = scoring.cohort([mentee], [declined, other], rules)
    assert [(x.id, y.id) for x, y, _s in result.pairs] == [(1, 3)]
    alone = scoring.cohort([mentee], [declined], rules)
    assert alone.pairs == [] and alone.unmatched == [(mentee, "no_eligible_mentor")]


# --- preferences -------------------------------------------------------------------------------


def test_mentee_marks_up_to_three_eligible_mentors_best_first(world):
    chosen = [world["third"].pk, world["best"].pk]
    preferences.set_preferences(world["request"], world["mentee"], chosen)
    rows = MentorPreference.objects.filter(request=world["request"])
    assert [(p.mentor_id, p.rank) for p in rows] == [(world["third"].pk, 1), (world["best"].pk, 2)]
    # Choosing again replaces, it does not add.
    preferences.set_preferences(world["request"], world["mentee"], [world["second"].pk])
    assert list(rows.values_list("mentor_id", flat=True)) == [world["second"].pk]
    # Shown to whoever pairs; the score itself is unchanged (the person decides).
    mentee = adapter.load_mentees([world["request"]])[0]
    assert mentee.preferred == (world["second"].pk,)
    assert ranked(world)[0] == world["best"].pk


@pytest.mark.parametrize(
    "choice, code",
    [
        (lambda w: [w["best"].pk, w["second"].pk, w["third"].pk, w["boss"].pk], "too_many"),
        (lambda w: [w["best"].pk, w["best"].pk], "duplicate"),
        (lambda w: [w["boss"].pk], "not_eligible"),  # the mentee's own manager
        (lambda w: [w["mentee"].pk], "not_eligible"),  # themself
        (lambda w: [999999], "not_eligible"),
    ],
)
def test_preferences_never_override_a_rule_and_write_nothing(world, choice, code):
    boss = world["boss"].mentorat_profile
    boss.is_mentor, boss.years_experience, boss.discipline = True, 30, "Travail social"
    boss.save()
    preferences.set_preferences(world["request"], world["mentee"], [world["third"].pk])
    with pytest.raises(RuleViolation) as error:
        preferences.set_preferences(world["request"], world["mentee"], choice(world))
    assert error.value.code == code
    assert list(
        MentorPreference.objects.filter(request=world["request"]).values_list(
            "mentor_id", flat=True
        )
    ) == [world["third"].pk]


def test_only_the_mentee_chooses_and_only_while_waiting(world):
    with pytest.raises(RuleViolation):
        preferences.set_preferences(world["request"], world["boss"], [world["best"].pk])
    adapter.assign(world["request"], world["best"], world["coordinator"])
    with pytest.raises(RuleViolation):
        preferences.set_preferences(world["request"], world["mentee"], [world["second"].pk])
    assert not MentorPreference.objects.exists()


def test_preferences_page_shows_reasons_and_saves(world, client):
    client.force_login(world["mentee"])
    url = reverse("wagtail_mentorat:request_mentors", args=[world["request"].pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert first_reason(world) in html
    response = client.post(
        url, {"choice_1": str(world["second"].pk), "choice_2": str(world["best"].pk)}
    )
    assert response.status_code == 302
    assert list(MentorPreference.objects.values_list("mentor_id", "rank")) == [
        (world["second"].pk, 1),
        (world["best"].pk, 2),
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"choice_1": "abc"},
        {"choice_1": "999999"},
        {"choice_1": "<script>alert(1)</script>"},
        {"choice_1": "same", "choice_2": "same"},
    ],
)
def test_preferences_page_refuses_bad_input_with_a_message(world, client, data):
    client.force_login(world["mentee"])
    url = reverse("wagtail_mentorat:request_mentors", args=[world["request"].pk])
    data = {k: (str(world["best"].pk) if v == "same" else v) for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code == 400
    assert b"<script>alert(1)</script>" not in response.content
    assert not MentorPreference.objects.exists()


def test_preferences_page_is_the_mentees_alone(world, client):
    url = reverse("wagtail_mentorat:request_mentors", args=[world["request"].pk])
    for user in (world["boss"], world["best"], world["coordinator"]):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"choice_1": str(world["best"].pk)}).status_code == 404
    assert not MentorPreference.objects.exists()


def test_workbench_and_manager_space_show_the_preferences(world, client):
    preferences.set_preferences(world["request"], world["mentee"], [world["second"].pk])
    client.force_login(world["coordinator"])
    html = client.get(reverse("mentorat_workbench")).content.decode()
    assert "★ 1" in html and "The mentee prefers:" in html
    client.force_login(world["boss"])
    html = client.get(reverse("wagtail_mentorat:manager")).content.decode()
    assert "★ 1" in html and "Your staff member prefers:" in html


# --- the mentor's answer and the fallback ------------------------------------------------------


def assign_best(world):
    return adapter.assign(world["request"], world["best"], world["coordinator"])


def test_mentor_declines_and_the_next_suggestion_is_proposed_to_the_coordinator(world):
    pairing = assign_best(world)
    proposal = fallback.decline(pairing, world["best"], MentorDecline.Reason.NO_TIME, "Congé")
    pairing.refresh_from_db()
    world["request"].refresh_from_db()
    assert pairing.state == S.CANCELLED
    decline = MentorDecline.objects.get()
    assert (decline.mentor, decline.reason, decline.note) == (world["best"], "no_time", "Congé")
    # The next suggestion, proposed only: a person confirms (Access Act s. 65.2).
    assert proposal.state == S.PROPOSED and proposal.proposed_by is None
    assert proposal.primary_mentor == world["second"]
    assert proposal.score_breakdown["reasons"] and proposal.scoring_version
    assert world["request"].status == MentoringRequest.Status.OPEN
    # The declining mentor is not suggested again for this request.
    assert world["best"].pk not in ranked(world)
    _best, excluded = adapter.suggestions(world["request"])
    assert (world["best"].pk, scoring.DECLINED) in [(m.id, c) for m, c in excluded]
    # The coordinator is told, once; the mentee hears another mentor is sought.
    told = Notification.objects.filter(recipient=world["coordinator"], kind="approval_needed")
    assert [n.data["what"] for n in told] == ["fallback"]
    assert Notification.objects.filter(recipient=world["mentee"], kind="pairing_cancelled").exists()
    # The coordinator confirms it; the capacity and every rule are checked again.
    approved = lifecycle.approve_pairing(proposal, world["coordinator"])
    assert approved.state == S.APPROVED


def test_when_nobody_is_left_the_coordinator_is_told_to_decide(world):
    for mentor in (world["second"], world["third"]):
        mentor.mentorat_profile.is_mentor = False
        mentor.mentorat_profile.save()
    pairing = assign_best(world)
    assert fallback.decline(pairing, world["best"], MentorDecline.Reason.EXPERTISE) is None
    assert not Pairing.objects.filter(state=S.PROPOSED).exists()
    told = Notification.objects.get(recipient=world["coordinator"], kind="approval_needed")
    assert told.data["what"] == "no_fallback"


@pytest.mark.parametrize("who", ["mentee", "second", "coordinator"])
def test_only_the_assigned_mentor_declines(world, who):
    pairing = assign_best(world)
    with pytest.raises(RuleViolation):
        fallback.decline(pairing, world[who], MentorDecline.Reason.NO_TIME)
    pairing.refresh_from_db()
    assert pairing.state == S.APPROVED and not MentorDecline.objects.exists()


def test_a_decline_needs_a_reason_a_person_may_give(world):
    pairing = assign_best(world)
    for reason in ("", "made-up", MentorDecline.Reason.NO_ANSWER):
        with pytest.raises(RuleViolation):
            fallback.decline(pairing, world["best"], reason)
    assert Pairing.objects.get(pk=pairing.pk).state == S.APPROVED


def test_an_accepted_assignment_can_no_longer_be_declined_nor_expire(world):
    pairing = assign_best(world)
    lifecycle.accept_assignment(pairing, world["best"])
    with pytest.raises(RuleViolation):
        fallback.decline(pairing, world["best"], MentorDecline.Reason.NO_TIME)
    later = timezone.now() + datetime.timedelta(hours=100)
    assert fallback.expire_unanswered(later) == 0
    assert Pairing.objects.get(pk=pairing.pk).state == S.APPROVED


def test_first_contact_counts_as_acceptance(world):
    pairing = assign_best(world)
    lifecycle.record_first_contact(pairing, world["best"])
    pairing.refresh_from_db()
    assert pairing.mentor_accepted_at == pairing.first_contact_at


def test_an_unanswered_assignment_falls_back_after_the_delay_once(world):
    pairing = assign_best(world)
    assert fallback.expire_unanswered(timezone.now() + datetime.timedelta(hours=47)) == 0
    later = timezone.now() + datetime.timedelta(hours=49)
    assert fallback.expire_unanswered(later) == 1
    assert fallback.expire_unanswered(later) == 0  # run twice: nothing twice
    pairing.refresh_from_db()
    assert pairing.state == S.CANCELLED
    assert MentorDecline.objects.get().reason == MentorDecline.Reason.NO_ANSWER
    assert Pairing.objects.get(state=S.PROPOSED).primary_mentor == world["second"]
    assert (
        Notification.objects.filter(recipient=world["coordinator"], data__what="fallback").count()
        == 1
    )


def test_the_daily_sweep_runs_the_fallback(world):
    from wagtail_mentorat.notifications.reminders import sweep

    assign_best(world)
    Pairing.objects.update(assigned_at=timezone.now() - datetime.timedelta(hours=49))
    assert sweep().fallbacks == 1
    assert Pairing.objects.filter(state=S.PROPOSED).count() == 1


def test_the_mentor_answers_from_the_pairing_page(world, client):
    pairing = assign_best(world)
    url = reverse("wagtail_mentorat:pairing", args=[pairing.pk])
    client.force_login(world["best"])
    html = client.get(url).content.decode()
    assert "I accept this assignment" in html and "Accept this assignment, or decline it." in html
    # A decline with no reason is refused next to the field; nothing changes.
    response = client.post(url, {"action": "decline", "reason": "", "note": "x"})
    assert response.status_code == 400
    assert Pairing.objects.get(pk=pairing.pk).state == S.APPROVED
    client.post(url, {"action": "decline", "reason": "conflict", "note": "Voisine"})
    assert Pairing.objects.get(pk=pairing.pk).state == S.CANCELLED
    assert MentorDecline.objects.get().reason == "conflict"


def test_the_mentor_accepts_from_the_pairing_page(world, client):
    pairing = assign_best(world)
    url = reverse("wagtail_mentorat:pairing", args=[pairing.pk])
    client.force_login(world["best"])
    client.post(url, {"action": "accept_assignment"})
    assert Pairing.objects.get(pk=pairing.pk).mentor_accepted_at is not None
    assert "I accept this assignment" not in client.get(url).content.decode()
    # The mentee sees no answer buttons.
    client.force_login(world["mentee"])
    assert "I accept this assignment" not in client.get(url).content.decode()


def test_workbench_lists_the_fallback_proposal_and_the_decline_to_confirm(world, client):
    pairing = assign_best(world)
    proposal = fallback.decline(pairing, world["best"], MentorDecline.Reason.NO_TIME, "Congé")
    client.force_login(world["coordinator"])
    url = reverse("mentorat_workbench")
    html = client.get(url, {"programme": world["programme"].pk}).content.decode()
    assert "Proposals awaiting confirmation" in html
    assert "Not enough time at the moment" in html  # the decline, with its reason
    client.post(url, {"programme": world["programme"].pk, "confirm": "abc"})
    assert Pairing.objects.get(pk=proposal.pk).state == S.PROPOSED
    client.post(url, {"programme": world["programme"].pk, "refuse": str(proposal.pk)})
    assert Pairing.objects.get(pk=proposal.pk).state == S.CANCELLED


def test_workbench_confirms_a_fallback_proposal(world, client):
    proposal = fallback.decline(assign_best(world), world["best"], MentorDecline.Reason.NO_TIME)
    client.force_login(world["coordinator"])
    url = reverse("mentorat_workbench")
    client.post(url, {"programme": world["programme"].pk, "confirm": str(proposal.pk)})
    assert Pairing.objects.get(pk=proposal.pk).state == S.APPROVED


# --- managers pair when the programme lets them -------------------------------------------------


def test_manager_assigns_a_suggested_mentor_to_their_staff(world, client):
    client.force_login(world["boss"])
    html = client.get(reverse("wagtail_mentorat:manager")).content.decode()
    assert first_reason(world) in html
    url = reverse("wagtail_mentorat:manager_assign", args=[world["request"].pk])
    client.post(url, {"mentor": str(world["second"].pk)})
    pairing = Pairing.objects.get()
    assert pairing.state == S.APPROVED and pairing.primary_mentor == world["second"]
    assert pairing.approved_by == world["boss"] and pairing.score_breakdown["reasons"]


@pytest.mark.parametrize("mentor", ["", "abc", "999999"])
def test_manager_assign_refuses_bad_input_and_writes_nothing(world, client, mentor):
    client.force_login(world["boss"])
    url = reverse("wagtail_mentorat:manager_assign", args=[world["request"].pk])
    assert client.post(url, {"mentor": mentor}).status_code == 302
    assert not Pairing.objects.exists()


def test_another_manager_gets_404_and_nothing_is_assigned(world, client):
    other = person("autre-gestionnaire", discipline="Gestion")
    person("son-employe", superior=other)
    client.force_login(other)
    url = reverse("wagtail_mentorat:manager_assign", args=[world["request"].pk])
    assert client.post(url, {"mentor": str(world["best"].pk)}).status_code == 404
    assert "meilleure" not in client.get(reverse("wagtail_mentorat:manager")).content.decode()
    assert not Pairing.objects.exists()


def test_where_only_programme_staff_pair_the_manager_sees_no_suggestions(world, client):
    Programme.objects.update(who_pairs=Programme.WhoPairs.COORDINATOR)
    client.force_login(world["boss"])
    html = client.get(reverse("wagtail_mentorat:manager")).content.decode()
    assert "Suggested mentor" not in html
    url = reverse("wagtail_mentorat:manager_assign", args=[world["request"].pk])
    client.post(url, {"mentor": str(world["best"].pk)})
    assert not Pairing.objects.exists()


def test_manager_space_queries_do_not_grow_with_mentors_or_requests(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["boss"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("wagtail_mentorat:manager")).status_code == 200
        return len(ctx)

    count()  # warm the per-site caches
    before = count()
    area = ExpertiseArea.objects.get()
    for i in range(6):
        mentor = person(f"mentor-extra-{i}", years_experience=8, is_mentor=True)
        mentor.mentorat_profile.expertise.add(area)
        staff = person(f"employe-{i}", superior=world["boss"], years_experience=1)
        request = lifecycle.open_request(
            world["programme"], staff, staff, "Crise", expertise=[area]
        )
        preferences.set_preferences(request, staff, [mentor.pk])
    count()  # new profiles refill the cached profile flags once
    assert count() == before


# --- the cohort proposal as a download -----------------------------------------------------------


def test_workbench_downloads_the_cohort_proposal_as_csv(world, client):
    client.force_login(world["coordinator"])
    response = client.get(
        reverse("mentorat_workbench"), {"programme": world["programme"].pk, "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["request", "mentee", "mentor_id", "mentor", "score", "unmatched_reason"]
    assert rows[1][0] == str(world["request"].pk) and rows[1][2] == str(world["best"].pk)
    assert not Pairing.objects.exists()  # a proposal assigns nothing


def test_cohort_download_for_a_programme_without_mentors_says_so(world, client):
    empty = ProgrammeFactory()
    from wagtail_mentorat.models import ParticipantProfile

    ParticipantProfile.objects.update(is_mentor=False)
    client.force_login(world["coordinator"])
    response = client.get(
        reverse("mentorat_workbench"), {"programme": empty.pk, "format": "csv"}, follow=True
    )
    assert response.status_code == 200
    assert "no mentors" in response.content.decode()


def test_only_coordinators_download_the_cohort(world, client):
    client.force_login(world["boss"])
    response = client.get(
        reverse("mentorat_workbench"), {"programme": world["programme"].pk, "format": "csv"}
    )
    assert response.status_code in (302, 403)
    assert b"mentor_id" not in response.content
