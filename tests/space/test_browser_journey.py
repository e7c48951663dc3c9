"""Seed 004's journey in a real browser: register, get a mentor, agree, meet, ask, answer."""

import pytest
from django.contrib.auth import get_user_model

from home import demo
from home.demo_mentoring import SERVICE
from wagtail_mentorat import lifecycle
from wagtail_mentorat.models import (
    HelpRequest,
    MentoringRequest,
    Pairing,
    PairingState,
    Programme,
    RegistrationPage,
)

from ..browser import PHONE, chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _logout(page, live_server):
    page.context.clear_cookies()


def test_a_mentee_registers_is_paired_agrees_meets_and_gets_an_answer(live_server, tmp_path):
    demo.build()
    users = {u.username: u for u in get_user_model().objects.all()}
    registration = RegistrationPage.objects.live().get(locale__language_code="fr")
    programme = Programme.objects.get(name=SERVICE)
    with chromium_page(viewport=PHONE) as page:
        # The mentee registers.
        log_in(page, live_server, "mentore2", demo.DEMO_PASSWORD)
        page.goto(live_server.url + registration.url)
        # Step 1: who registers; step 2 asks only what a mentee needs.
        page.check("input[name=role][value=mentee]")
        page.click("form.mentorat-role-choice button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("[name=mentor_capacity], [name=staff_member]").count() == 0
        # Sent empty, it is refused: the error summary takes the focus, its ring visible.
        page.click("form.mentorat-registration button[type=submit]")
        page.wait_for_load_state()
        focused = page.evaluate(
            "(() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return [e.id, s.outlineStyle, s.borderTopStyle]; })()"
        )
        assert focused == ["error-summary", "solid", "solid"]
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.select_option("select[name=programme]", str(programme.pk))
        page.fill("textarea[name=need]", "Soins de plaies complexes, une cliente attend.")
        page.fill("textarea[name=goals]", "Devenir autonome en soins de plaies.")
        page.check("input[name=consent]")
        page.click("form.mentorat-form button[type=submit]")
        page.wait_for_load_state()
        assert "/mentorat/" in page.url
        request = MentoringRequest.objects.get(mentee=users["mentore2"], programme=programme)

        # The coordinator pairs them (domain API), the pairing is approved.
        pairing = lifecycle.propose_pairing(
            programme,
            [users["mentore2"]],
            [users["mentor4"]],
            users["coordination"],
            request=request,
        )
        lifecycle.approve_pairing(pairing, users["coordination"])

        # The mentor records the first contact and accepts the agreement.
        _logout(page, live_server)
        log_in(page, live_server, "mentor4", demo.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/mentorat/jumelages/{pairing.pk}/")
        page.click("input[name=action][value=first_contact] ~ p button")
        page.wait_for_load_state()
        page.click("#agreement summary")
        page.fill("textarea[name=objectives]", "Soins de plaies en autonomie | la cliente guérit")
        page.click("input[name=action][value=objectives] ~ p button")
        page.wait_for_load_state()
        page.click("input[name=action][value=accept] + button")
        page.wait_for_load_state()

        # The mentee accepts, logs a meeting and asks an urgent question.
        _logout(page, live_server)
        log_in(page, live_server, "mentore2", demo.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/mentorat/jumelages/{pairing.pk}/")
        page.click("input[name=action][value=accept] + button")
        page.wait_for_load_state()
        assert Pairing.objects.get(pk=pairing.pk).state == PairingState.ACTIVE
        page.click("#meetings summary")
        page.fill("input[name=held_at]", _recent())
        page.fill("textarea[name=summary]", "Première rencontre")
        page.fill("textarea[name=private_note]", "Je suis rassurée.")
        page.click("input[name=action][value=meeting] ~ p button")
        page.wait_for_load_state()
        page.click("#help summary")
        page.fill("textarea[name=question]", "La cliente attend : quel pansement?")
        page.check("input[name=client_waiting]")
        page.click("input[name=action][value=help] ~ p button")
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.screenshot(path=str(tmp_path / "pairing-phone.png"), full_page=True)

        # The mentor sees the due time and answers.
        _logout(page, live_server)
        log_in(page, live_server, "mentor4", demo.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/mentorat/jumelages/{pairing.pk}/")
        page.fill("#help textarea[name=answer]", "Un pansement hydrocolloïde.")
        page.click("#help input[name=action][value=answer] ~ p button")
        page.wait_for_load_state()
        help_request = HelpRequest.objects.get(pairing=pairing)
        assert help_request.urgent and help_request.answered_at is not None
        assert "Je suis rassurée." not in page.content()  # the mentee's private note


def _recent():
    import datetime

    from django.utils import timezone

    return (timezone.localtime() - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
