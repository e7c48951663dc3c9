"""A staff member finds a circle, asks to join, is accepted, writes; another member reads."""

import pytest
from django.contrib.auth import get_user_model

from home import demo
from home.demo_mentoring import NEW_SOCIAL_WORKERS
from wagtail_mentorat.models import Circle, Message, PairingMember

from ..browser import PHONE, chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TEXT = "Ma première semaine en CLSC: comment gérez-vous les <urgences>?"


def test_a_staff_member_joins_a_circle_writes_and_another_member_reads(live_server, tmp_path):
    demo.build()
    circle = Circle.objects.get(title=NEW_SOCIAL_WORKERS)
    newcomer = get_user_model().objects.get(username="mentore4")
    with chromium_page(viewport=PHONE) as page:
        # The staff member finds the circle of their career stage from their space.
        log_in(page, live_server, "mentore4", demo.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/mentorat/")
        page.click("a[href='/mentorat/cercles/']")
        page.wait_for_load_state()
        page.select_option("select[name=stage]", "early")
        page.click("form.mentorat-filters button[type=submit]")
        page.wait_for_load_state()
        page.click(f"a[href='/mentorat/cercles/{circle.pairing_id}/'].mentorat-button")
        page.wait_for_load_state()
        assert circle.description in page.content()
        assert circle.confidentiality not in page.content()  # for members only
        page.click("#join summary")
        page.fill("textarea[name=note]", "J'arrive au CLSC de Limoilou.")
        page.click("input[name=action][value=join] ~ p button")
        page.wait_for_load_state()
        assert page.locator("#join-pending").is_visible()

        # The facilitator (a volunteer member) accepts.
        page.context.clear_cookies()
        log_in(page, live_server, "mentor3", demo.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/mentorat/cercles/{circle.pairing_id}/")
        page.click("#requests button[value=accept_join]")
        page.wait_for_load_state()
        assert PairingMember.objects.filter(pairing=circle.pairing, user=newcomer).exists()

        # The new member accepts the charter and writes in the conversation.
        page.context.clear_cookies()
        log_in(page, live_server, "mentore4", demo.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/mentorat/cercles/{circle.pairing_id}/")
        assert circle.confidentiality in page.content()
        page.click("#accept-charter")
        page.wait_for_load_state()
        page.click("#open-thread")
        page.wait_for_load_state()
        page.fill("textarea[name=body]", TEXT)
        page.click("#send-message")
        page.wait_for_load_state()
        assert Message.objects.filter(pairing=circle.pairing, author=newcomer).exists()
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

        # Another member sees one unread message in their space and reads it.
        page.context.clear_cookies()
        log_in(page, live_server, "mentore3", demo.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/mentorat/")
        badge = page.locator("[data-unread]")
        assert badge.count() == 1 and badge.get_attribute("data-unread") == "1"
        page.click(f"a[href='/mentorat/conversations/{circle.pairing_id}/']")
        page.wait_for_load_state()
        assert page.locator(".mentorat-thread__body", has_text="<urgences>").count() == 1
        page.screenshot(path=str(tmp_path / "circle-thread-phone.png"), full_page=True)
        page.goto(f"{live_server.url}/mentorat/")
        assert page.locator("[data-unread]").count() == 0
