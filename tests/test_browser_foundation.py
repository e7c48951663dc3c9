"""The intranet in a real browser, on a phone-sized screen."""

import pytest

from home import demo

from .browser import PHONE, chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_log_in_and_read_home_on_a_phone_without_horizontal_scroll(live_server, tmp_path):
    demo.build()
    with chromium_page(viewport=PHONE) as page:
        page.goto(live_server.url + "/")
        assert "/connexion/" in page.url
        log_in(page, live_server, "mentore1", demo.DEMO_PASSWORD)
        assert page.locator("h1").first.inner_text() == "Intranet du CISSS — Mentorat"
        assert page.locator(".site-header__user").inner_text() == "Amélie Pelletier"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        page.screenshot(path=str(tmp_path / "home-phone.png"), full_page=True)

        page.click("button[name=language][value=en]")
        page.wait_for_load_state()
        assert page.locator("h1").first.inner_text() == "CISSS Intranet — Mentoring"
