"""Next steps and offered actions come from the current data, in one function
(``space.plan_for``): each step appears when the data asks for it and goes when it no
longer does, the same on the dashboard and on the pairing page, for the mentee and the
mentor; the page offers (and the view takes) only the actions the plan offers; after a
refused action the failing panel is open with its errors, the result takes the focus."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from wagtail_mentorat import lifecycle, space
from wagtail_mentorat.models import (
    ClosureKind,
    ClosureReason,
    FitCheck,
    Meeting,
    Pairing,
    PairingState,
    ProgressReview,
)

pytestmark = pytest.mark.django_db
S = PairingState

ACCEPT_ASSIGNMENT = "Accept this assignment, or decline it."
CONTACT = "Contact your mentee and record the first contact."
EXPECT_CONTACT = "Your mentor will contact you. Expect it by this time."
WRITE_OBJECTIVES = "Read the agreement, write your objectives together and accept it."
ACCEPT_VERSION = "Read this version of the agreement and accept it."
MANAGER_AGREEMENT = "The agreement waits for the manager's approval."
ANSWER_HELP = "Answer the help request."
HELP_WAITS = "Your help request awaits an answer."
FIT = "After your first meeting, say whether this is the right fit."
MIDTERM = "Fill in the mid-term review."
FINAL = "Fill in the final review."
QUIET = "No meeting for a while: plan the next one."
EXTENSION_WAITS = "Your extension request waits for the manager's decision."
CLOSURE_WAITS = "The closure waits for the manager's approval."
PROPOSED = "This pairing waits for approval. You will be told when it is made."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def plan(pairing, user, now=None):
    """The plan read through both loaders (the pairing page's and the dashboard's): they
    must agree, so the dashboard never says what the page contradicts."""
    detail = space.pairing_detail(pairing.pk, user)
    listed = next(p for p in space.pairings_for(user) if p.pk == pairing.pk)
    on_page, on_dashboard = space.plan_for(detail, user, now), space.plan_for(listed, user, now)
    assert [s.text for s in on_page.steps] == [s.text for s in on_dashboard.steps]
    assert on_page.actions == on_dashboard.actions
    assert on_page.review_kinds == on_dashboard.review_kinds
    return on_page


def texts(pairing, user, now=None):
    return [s.text for s in plan(pairing, user, now).steps]


def pairing_url(pairing):
    return reverse("wagtail_mentorat:pairing", args=[pairing.pk])


def log(pairing, user, days_ago):
    return lifecycle.log_meeting(pairing, user, timezone.now() - datetime.timedelta(days=days_ago))


def backdate(pairing, days):
    """Move the pairing's clock ``days`` into the past (dates and moments alike)."""
    shift = datetime.timedelta(days=days)
    fields = {
        name: getattr(pairing, name) - shift
        for name in (
            "assigned_at",
            "first_contact_due",
            "first_contact_at",
            "start_date",
            "planned_end",
            "midterm_review_due",
        )
        if getattr(pairing, name)
    }
    Pairing.objects.filter(pk=pairing.pk).update(**fields)
    pairing.refresh_from_db()
    return pairing


# --- one test per step ---------------------------------------------------------------------


def test_a_proposal_waits_for_approval_then_says_so_no_more(cast, programme):
    pairing = lifecycle.propose_pairing(
        programme, [cast["mentee"]], [cast["mentor"]], cast["manager"]
    )
    for who in ("mentee", "mentor"):
        assert texts(pairing, cast[who]) == [PROPOSED]
        assert plan(pairing, cast[who]).actions == frozenset()
    lifecycle.approve_pairing(pairing, cast["manager"])
    for who in ("mentee", "mentor"):
        assert PROPOSED not in texts(pairing, cast[who])


def test_the_primary_mentor_answers_the_assignment_once(approved, cast):
    mentor = plan(approved, cast["mentor"])
    assert ACCEPT_ASSIGNMENT in [s.text for s in mentor.steps]
    assert {"accept_assignment", "decline"} <= mentor.actions
    mentee = plan(approved, cast["mentee"])
    assert ACCEPT_ASSIGNMENT not in [s.text for s in mentee.steps]
    assert not {"accept_assignment", "decline"} & mentee.actions
    lifecycle.accept_assignment(approved, cast["mentor"])
    mentor = plan(approved, cast["mentor"])
    assert ACCEPT_ASSIGNMENT not in [s.text for s in mentor.steps]
    assert not {"accept_assignment", "decline"} & mentor.actions


def test_first_contact_is_the_mentors_to_make_and_goes_once_made(approved, cast):
    mentor, mentee = plan(approved, cast["mentor"]), plan(approved, cast["mentee"])
    assert CONTACT in [s.text for s in mentor.steps] and "first_contact" in mentor.actions
    assert EXPECT_CONTACT in [s.text for s in mentee.steps]
    assert "first_contact" not in mentee.actions
    late = approved.first_contact_due + datetime.timedelta(hours=1)
    step = next(s for s in plan(approved, cast["mentor"], late).steps if s.text == CONTACT)
    assert step.overdue and step.due == approved.first_contact_due
    lifecycle.record_first_contact(approved, cast["mentor"])
    for who in ("mentor", "mentee"):
        current = plan(approved, cast[who])
        assert not {CONTACT, EXPECT_CONTACT} & {s.text for s in current.steps}
        assert "first_contact" not in current.actions


def test_the_agreement_asks_each_person_until_they_accept_its_current_version(approved, cast):
    lifecycle.record_first_contact(approved, cast["mentor"])
    agreement = approved.agreement
    for who in ("mentee", "mentor"):  # no objective yet: write them, nothing to accept
        current = plan(approved, cast[who])
        assert WRITE_OBJECTIVES in [s.text for s in current.steps]
        assert "objectives" in current.actions and "accept" not in current.actions
    lifecycle.update_agreement(agreement, cast["mentee"], objectives=[("Évaluer seule", "")])
    for who in ("mentee", "mentor"):
        current = plan(approved, cast[who])
        assert ACCEPT_VERSION in [s.text for s in current.steps] and "accept" in current.actions
    lifecycle.accept_agreement(agreement, cast["mentee"])
    mentee = plan(approved, cast["mentee"])
    assert "accept" not in mentee.actions
    waiting = [s.text for s in mentee.steps if "still has to accept" in s.text]
    assert waiting and cast["mentor"].get_full_name() in waiting[0]
    assert "accept" in plan(approved, cast["mentor"]).actions
    lifecycle.accept_agreement(agreement, cast["mentor"])
    approved.refresh_from_db()
    assert approved.state == S.ACTIVE
    for who in ("mentee", "mentor"):
        current = plan(approved, cast[who])
        assert not any("agreement" in s.text for s in current.steps)
        assert "accept" not in current.actions
    # A change after the acceptances starts a new version: each accepts again.
    lifecycle.update_agreement(agreement, cast["mentor"], objectives=[("Autre objectif", "")])
    for who in ("mentee", "mentor"):
        current = plan(approved, cast[who])
        assert ACCEPT_VERSION in [s.text for s in current.steps] and "accept" in current.actions


def test_the_managers_approval_of_the_agreement_is_shown_while_it_waits(approved, cast):
    approved.programme.agreement_needs_manager = True
    approved.programme.save()
    lifecycle.record_first_contact(approved, cast["mentor"])
    agreement = approved.agreement
    lifecycle.update_agreement(agreement, cast["mentee"], objectives=[("Évaluer seule", "")])
    lifecycle.accept_agreement(agreement, cast["mentee"])
    lifecycle.accept_agreement(agreement, cast["mentor"])
    for who in ("mentee", "mentor"):
        assert MANAGER_AGREEMENT in texts(approved, cast[who])
    lifecycle.approve_agreement(agreement, cast["manager"])
    approved.refresh_from_db()
    assert approved.state == S.ACTIVE
    for who in ("mentee", "mentor"):
        assert MANAGER_AGREEMENT not in texts(approved, cast[who])


def test_a_help_request_asks_the_mentor_to_answer_and_tells_the_mentee_it_waits(active, cast):
    assert "help" in plan(active, cast["mentee"]).actions
    assert "help" not in plan(active, cast["mentor"]).actions
    assert "answer" not in plan(active, cast["mentor"]).actions  # nothing to answer
    help_request = lifecycle.ask_for_help(active, cast["mentee"], "Une cliente attend.")
    mentor = plan(active, cast["mentor"])
    step = next(s for s in mentor.steps if s.text == ANSWER_HELP)
    assert step.due == help_request.due_at and "answer" in mentor.actions
    mentee = plan(active, cast["mentee"])
    assert HELP_WAITS in [s.text for s in mentee.steps] and "answer" not in mentee.actions
    late = help_request.due_at + datetime.timedelta(minutes=1)
    assert next(
        s for s in plan(active, cast["mentor"], late).steps if s.text == ANSWER_HELP
    ).overdue
    lifecycle.answer_help_request(help_request, cast["mentor"], "Voici.")
    assert ANSWER_HELP not in texts(active, cast["mentor"])
    assert HELP_WAITS not in texts(active, cast["mentee"])
    assert "answer" not in plan(active, cast["mentor"]).actions


def test_the_fit_check_is_asked_after_the_first_meeting_of_each_who_has_not_answered(active, cast):
    for who in ("mentee", "mentor"):  # no meeting yet
        assert "fit_check" not in plan(active, cast[who]).actions
    first = log(active, cast["mentee"], 0)
    for who in ("mentee", "mentor"):
        current = plan(active, cast[who])
        assert FIT in [s.text for s in current.steps] and "fit_check" in current.actions
    lifecycle.answer_fit_check(active, cast["mentee"], FitCheck.Fit.GOOD)
    assert "fit_check" not in plan(active, cast["mentee"]).actions
    assert FIT not in texts(active, cast["mentee"])
    assert "fit_check" in plan(active, cast["mentor"]).actions  # the mentor has not answered
    # Its window closes one meeting cadence after the first meeting...
    cadence = datetime.timedelta(weeks=active.programme.meeting_cadence_weeks)
    later = first.held_at + cadence + datetime.timedelta(minutes=1)
    assert "fit_check" not in plan(active, cast["mentor"], later).actions
    # ... or once the relationship has gone on (more than two meetings).
    log(active, cast["mentor"], 0)
    assert "fit_check" in plan(active, cast["mentor"]).actions
    log(active, cast["mentor"], 0)
    assert "fit_check" not in plan(active, cast["mentor"]).actions
    assert FIT not in texts(active, cast["mentor"])


def test_the_mid_term_review_is_announced_near_its_date_and_goes_once_submitted(active, cast):
    due = active.midterm_review_due
    assert due is not None
    far = timezone.now()
    if due - timezone.localdate(far) > datetime.timedelta(days=space.REVIEW_NOTICE_DAYS):
        for who in ("mentee", "mentor"):
            assert MIDTERM not in texts(active, cast[who], far)
            assert "midterm" in plan(active, cast[who], far).review_kinds  # offered, not asked
    near = timezone.make_aware(datetime.datetime.combine(due, datetime.time(9)))
    near -= datetime.timedelta(days=10)
    for who in ("mentee", "mentor"):
        step = next(s for s in plan(active, cast[who], near).steps if s.text == MIDTERM)
        assert step.due == due and not step.overdue
    past = near + datetime.timedelta(days=20)
    assert next(s for s in plan(active, cast["mentor"], past).steps if s.text == MIDTERM).overdue
    lifecycle.submit_review(active, cast["mentee"], ProgressReview.Kind.MIDTERM, 4)
    for who in ("mentee", "mentor"):
        current = plan(active, cast[who], near)
        assert MIDTERM not in [s.text for s in current.steps]
        assert "midterm" not in current.review_kinds


def test_the_final_review_is_announced_before_the_planned_end_and_goes_once_submitted(active, cast):
    end = active.planned_end
    near = timezone.make_aware(datetime.datetime.combine(end, datetime.time(9)))
    near -= datetime.timedelta(days=5)
    for who in ("mentee", "mentor"):
        assert FINAL in texts(active, cast[who], near)
        assert "final" in plan(active, cast[who], near).review_kinds
    lifecycle.submit_review(active, cast["mentor"], ProgressReview.Kind.FINAL, 5)
    for who in ("mentee", "mentor"):
        current = plan(active, cast[who], near)
        assert FINAL not in [s.text for s in current.steps]
        # A mid-term review after the final one would contradict it: none is offered.
        assert current.review_kinds == () and "review" not in current.actions


def test_a_quiet_pairing_asks_for_a_meeting_until_one_is_logged(active, cast):
    backdate(active, 120)
    for who in ("mentee", "mentor"):
        current = plan(active, cast[who])
        step = next(s for s in current.steps if s.text == QUIET)
        assert step.overdue
    log(active, cast["mentor"], 70)  # an old meeting: still quiet since then
    assert QUIET in texts(active, cast["mentee"])
    log(active, cast["mentor"], 1)
    for who in ("mentee", "mentor"):
        assert QUIET not in texts(active, cast[who])


def test_a_pending_extension_is_said_and_not_asked_twice(active, cast):
    assert "extension" in plan(active, cast["mentee"]).actions
    extension = lifecycle.request_extension(
        active, cast["mentee"], active.planned_end + datetime.timedelta(days=30), "Du temps"
    )
    for who in ("mentee", "mentor"):
        current = plan(active, cast[who])
        assert EXTENSION_WAITS in [s.text for s in current.steps]
        assert "extension" not in current.actions
    lifecycle.decide_extension(extension, cast["manager"], approve=True)
    for who in ("mentee", "mentor"):
        current = plan(active, cast[who])
        assert EXTENSION_WAITS not in [s.text for s in current.steps]
        assert "extension" in current.actions


def test_a_closing_pairing_waits_for_the_manager_and_a_closed_one_asks_nothing(active, cast):
    lifecycle.request_closure(
        active,
        cast["mentee"],
        kind=ClosureKind.UNPLANNED,
        reason=ClosureReason.PERSONAL,
        exit_questions_done=True,
    )
    for who in ("mentee", "mentor"):
        current = plan(active, cast[who])
        assert CLOSURE_WAITS in [s.text for s in current.steps]
        assert MIDTERM not in [s.text for s in current.steps]
        assert not {"closure", "extension", "accept", "objectives"} & current.actions
    lifecycle.close_pairing(active, cast["manager"])
    active.refresh_from_db()
    assert active.midterm_review_due > timezone.localdate()  # a date still in the future
    soon = timezone.make_aware(
        datetime.datetime.combine(active.midterm_review_due, datetime.time(9))
    )
    for who in ("mentee", "mentor"):
        current = plan(active, cast[who], soon)
        assert current.steps == [] and current.actions == frozenset()
        assert space.pending_reviews(space.pairing_detail(active.pk, cast[who])) == []


def test_steps_are_sorted_overdue_first_then_by_date(active, cast):
    backdate(active, 120)  # quiet (overdue) and the mid-term review overdue too
    lifecycle.ask_for_help(active, cast["mentee"], "Question")
    steps = plan(active, cast["mentor"]).steps
    assert [s.overdue for s in steps] == sorted((s.overdue for s in steps), reverse=True)
    assert steps[0].overdue and steps[-1].text == ANSWER_HELP


# --- the four cases of the issue, on the pages -----------------------------------------------


def test_logging_a_meeting_on_the_page_removes_the_quiet_step_on_both_pages(active, cast, login):
    backdate(active, 120)
    client = login(cast["mentee"])
    quiet = "Aucune rencontre depuis un moment"
    assert quiet in client.get(pairing_url(active)).content.decode()
    assert quiet in client.get(reverse("wagtail_mentorat:space")).content.decode()
    held = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        pairing_url(active),
        {"action": "meeting", "held_at": held, "duration_minutes": 60, "mode": "video"},
    )
    assert response.status_code == 302
    assert quiet not in client.get(pairing_url(active)).content.decode()
    assert quiet not in client.get(reverse("wagtail_mentorat:space")).content.decode()


def test_after_both_accepted_no_accept_button_and_the_names_are_a_list(active, cast, login):
    html = login(cast["mentee"]).get(pairing_url(active)).content.decode()
    assert "J'accepte cette version de l'entente" not in html
    accepted = re.search(r'<ul class="mentorat-acceptances"[^>]*>(.*?)</ul>', html, re.S)
    items = re.findall(r"<li>(.*?)</li>", accepted.group(1))
    assert len(items) == 2
    assert cast["mentee"].get_full_name() in items[0]
    assert cast["mentor"].get_full_name() in items[1]
    # Posting it anyway changes nothing and says why; the result takes the focus.
    response = login(cast["mentee"]).post(pairing_url(active), {"action": "accept"}, follow=True)
    assert "pas offerte" in response.content.decode()
    assert 'class="mentorat-alerts"' in response.content.decode()
    assert active.agreement.acceptances.count() == 2


def test_the_fit_check_is_not_asked_after_five_meetings_and_its_button_is_a_verb(
    active, cast, login
):
    backdate(active, 30)
    client = login(cast["mentee"])
    log(active, cast["mentee"], 0)
    html = client.get(pairing_url(active)).content.decode()
    assert 'value="fit_check"' in html
    form = html[html.index('value="fit_check"') :]
    button = re.search(r'<button type="submit" class="mentorat-button">(.*?)</button>', form)
    assert button.group(1) == "Répondre"
    for days in (1, 2, 3, 4):
        log(active, cast["mentor"], days)
    assert Meeting.objects.filter(pairing=active).count() == 5
    html = client.get(pairing_url(active)).content.decode()
    assert 'value="fit_check"' not in html and "vous convient-il" not in html
    response = client.post(pairing_url(active), {"action": "fit_check", "fit": "good"})
    assert response.status_code == 302 and not FitCheck.objects.exists()


def test_a_closed_pairing_shows_no_future_review_and_no_form(active, cast, login):
    lifecycle.submit_review(active, cast["mentee"], ProgressReview.Kind.FINAL, 5)
    lifecycle.request_closure(
        active, cast["mentor"], kind=ClosureKind.PLANNED, reason=ClosureReason.OBJECTIVES_MET
    )
    lifecycle.confirm_closure(active, cast["mentee"])
    lifecycle.close_pairing(active, cast["manager"])
    active.refresh_from_db()
    assert active.midterm_review_due > timezone.localdate()
    for who in ("mentee", "mentor"):
        html = login(cast[who]).get(pairing_url(active)).content.decode()
        assert "Échéance du bilan de mi-parcours" not in html
        assert "Prochaines étapes" not in html
        assert 'name="action"' not in html
    manager_html = login(cast["manager"]).get(reverse("wagtail_mentorat:manager")).content.decode()
    assert "bilan de mi-parcours" not in manager_html.lower()


# --- the page takes only what the plan offers ------------------------------------------------


@pytest.mark.parametrize(
    "who,data",
    [
        ("mentee", {"action": "safety", "description": "Risque"}),
        ("mentee", {"action": "answer", "help_request": "1", "answer": "x"}),
        ("mentor", {"action": "help", "question": "?"}),
        ("mentee", {"action": "first_contact"}),
    ],
)
def test_an_action_not_offered_to_this_person_is_refused(active, cast, login, who, data):
    response = login(cast[who]).post(pairing_url(active), data)
    assert response.status_code == 302
    active.refresh_from_db()
    assert active.state == S.ACTIVE
    assert not active.safety_concerns.exists() and not active.help_requests.exists()


def test_editing_a_meeting_of_a_closed_pairing_is_refused(active, cast, login):
    meeting = log(active, cast["mentee"], 1)
    lifecycle.request_closure(
        active,
        cast["mentee"],
        kind=ClosureKind.UNPLANNED,
        reason=ClosureReason.PERSONAL,
        exit_questions_done=True,
    )
    lifecycle.close_pairing(active, cast["manager"])
    url = reverse("wagtail_mentorat:edit_meeting", args=[active.pk, meeting.pk])
    held = timezone.localtime(meeting.held_at).strftime("%Y-%m-%dT%H:%M")
    data = {"held_at": held, "duration_minutes": 30, "mode": "phone", "summary": "Changé"}
    assert login(cast["mentee"]).post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.summary == ""


def test_a_review_the_plan_does_not_expect_is_refused_in_its_form(active, cast, login):
    lifecycle.submit_review(active, cast["mentor"], ProgressReview.Kind.FINAL, 5)
    lifecycle.request_extension(  # still active, so the review panel could be posted
        active, cast["mentee"], active.planned_end + datetime.timedelta(days=30), "Du temps"
    )
    response = login(cast["mentee"]).post(
        pairing_url(active), {"action": "review", "kind": "midterm", "satisfaction": "4"}
    )
    assert response.status_code == 302  # nothing to review: the action is not offered
    assert ProgressReview.objects.filter(pairing=active).count() == 1


def test_a_review_of_a_kind_not_expected_is_refused_next_to_the_form(active, cast, login):
    lifecycle.submit_review(active, cast["mentee"], ProgressReview.Kind.MIDTERM, 4)
    objective = active.agreement.objectives.get()
    data = {"action": "review", "kind": "midterm", "satisfaction": "4"}
    response = login(cast["mentee"]).post(
        pairing_url(active), {**data, f"objective_{objective.pk}": "mostly"}
    )
    assert response.status_code == 400
    panel = re.search(r'<details id="review" open>(.*?)</details>', response.content.decode(), re.S)
    assert panel and "pas attendu" in panel.group(1)
    assert ProgressReview.objects.filter(pairing=active).count() == 1


def test_the_manager_is_asked_only_what_waits_for_them(approved, cast, login):
    approved.programme.agreement_needs_manager = True
    approved.programme.save()
    url = reverse("wagtail_mentorat:manager")
    client = login(cast["manager"])
    assert space.managed_pairings(cast["manager"])[0].manager_asks == set()
    lifecycle.record_first_contact(approved, cast["mentor"])
    assert space.managed_pairings(cast["manager"])[0].manager_asks == {"agreement"}
    assert 'name="what" value="agreement"' in client.get(url).content.decode()
    lifecycle.approve_agreement(approved.agreement, cast["manager"])
    assert space.managed_pairings(cast["manager"])[0].manager_asks == set()
    assert 'name="what" value="agreement"' not in client.get(url).content.decode()


# --- focus after actions ---------------------------------------------------------------------


def test_a_refused_meeting_reopens_its_panel_with_the_error_summary_first(active, cast, login):
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = login(cast["mentee"]).post(
        pairing_url(active),
        {"action": "meeting", "held_at": future, "duration_minutes": 60, "mode": "video"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    panel = re.search(r'<details id="log-meeting" open>(.*?)</details>', html, re.S)
    assert panel, "the failing form's panel is open"
    assert "futur" in panel.group(1)
    summary = panel.group(1).index("mentorat-error-summary")
    assert summary < panel.group(1).index('name="held_at"')  # the summary comes first
    assert "focus.js" in html
    # The other panels stay closed.
    assert '<details id="ask-help">' in html and '<details id="extension">' in html
    assert not Meeting.objects.exists()


def test_a_refused_review_reopens_the_review_panel(active, cast, login):
    response = login(cast["mentee"]).post(
        pairing_url(active), {"action": "review", "kind": "final", "satisfaction": "9"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    panel = re.search(r'<details id="review" open>(.*?)</details>', html, re.S)
    assert panel and "mentorat-error-summary" in panel.group(1)
    options = re.findall(r'<option value="(\w+)"( selected)?>([^<]+)</option>', panel.group(1))
    assert [(value, label) for value, _selected, label in options][:2] == [
        ("midterm", "Bilan de mi-parcours"),
        ("final", "Bilan final"),
    ]
    assert ("final", " selected") in [(value, selected) for value, selected, _ in options]
    assert not ProgressReview.objects.exists()


def test_a_refused_answer_shows_its_errors_in_the_answered_requests_form(active, cast, login):
    help_request = lifecycle.ask_for_help(active, cast["mentee"], "Question")
    response = login(cast["mentor"]).post(
        pairing_url(active), {"action": "answer", "help_request": help_request.pk, "answer": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    form = html[html.index(f'name="help_request" value="{help_request.pk}"') :]
    form = form[: form.index("</form>")]
    assert "mentorat-error-summary" in form and 'id="id_answer"' in form


def test_a_successful_action_reloads_the_page_with_its_message(active, cast, login):
    response = login(cast["mentee"]).post(
        pairing_url(active), {"action": "disagreement", "description": "Un malaise"}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain and 'class="mentorat-alerts"' in html and "focus.js" in html


# --- in a browser: where the focus lands ------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_in_a_browser_the_focus_lands_on_the_result_of_each_action(live_server, active, cast):
    from django.conf import settings
    from django.test import Client

    from ..browser import chromium_page

    client = Client()
    client.force_login(cast["mentee"])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    focused = """() => {
        const element = document.activeElement;
        const panel = element.closest("details");
        return [element.className, panel && panel.id, panel && panel.open];
    }"""
    with chromium_page() as page:
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        page.goto(live_server.url + pairing_url(active))
        page.click("#log-meeting summary")
        future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        page.fill("#log-meeting input[name=held_at]", future)
        page.click("#log-meeting button[type=submit]")
        page.wait_for_load_state()
        css, panel, is_open = page.evaluate(focused)
        assert "mentorat-error-summary" in css and panel == "log-meeting" and is_open
        past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        page.fill("#log-meeting input[name=held_at]", past)
        page.click("#log-meeting button[type=submit]")
        page.wait_for_load_state()
        css, panel, _open = page.evaluate(focused)
        assert "mentorat-alerts" in css and panel is None
        assert Meeting.objects.filter(pairing=active).count() == 1


def test_the_other_member_confirms_attained_objectives_before_the_manager_is_asked(
    active, cast, login
):
    """Seed 001: both members judge the objectives attained, then the manager approves.
    The page offers the confirmation to the member who has not given it, tells the other
    whom the closure waits for, and the manager is asked only once both confirmed."""
    lifecycle.submit_review(active, cast["mentee"], ProgressReview.Kind.FINAL, 5)
    lifecycle.request_closure(
        active, cast["mentor"], kind=ClosureKind.PLANNED, reason=ClosureReason.OBJECTIVES_MET
    )
    manager = login(cast["manager"])
    manager_url = reverse("wagtail_mentorat:manager")
    waiting = manager.get(manager_url).content.decode()
    assert "Approuver la clôture" not in waiting and "attend que les membres" in waiting
    mentor_html = login(cast["mentor"]).get(pairing_url(active)).content.decode()
    assert 'value="confirm_closure"' not in mentor_html
    assert "attend que" in mentor_html  # whom it waits for, in French
    mentee = login(cast["mentee"])
    assert 'value="confirm_closure"' in mentee.get(pairing_url(active)).content.decode()
    response = mentee.post(pairing_url(active), {"action": "confirm_closure"})
    assert response.status_code == 302
    assert active.closure_confirmations.filter(user=cast["mentee"]).exists()
    assert 'value="confirm_closure"' not in mentee.get(pairing_url(active)).content.decode()
    assert lifecycle.closure_unconfirmed(active) == []
