"""The Content Security Policy in a real browser: nothing the pages need is blocked.

Chromium reports every blocked script, style, frame or image on its console; the front
end (strict policy) and the Wagtail admin (the documented relaxation) must show none.
"""

import pytest

from home import demo
from wagtail_mentorat.models import Pairing

from ..browser import chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _visit(page, url, violations):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return violations


def test_no_page_trips_the_content_security_policy(live_server):
    demo.build()
    pairing = Pairing.objects.get(members__user__username="mentore1", members__role="mentee")
    violations = []
    with chromium_page() as page:
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        log_in(page, live_server, "mentor1", demo.DEMO_PASSWORD)
        for path in (
            "/",
            "/mentorat/",
            f"/mentorat/jumelages/{pairing.pk}/",
            f"/mentorat/ententes/{pairing.agreement.pk}/imprimer/",
            "/mentorat/calendrier/",
            "/recherche/?query=mentorat",
        ):
            _visit(page, live_server.url + path, violations)
        # Guard: the browser does enforce the policy, and reports what it blocks.
        page.evaluate(
            "document.body.appendChild(Object.assign(document.createElement('script'),"
            " {textContent: 'window.injected = 1'}))"
        )
        page.wait_for_timeout(200)
        assert page.evaluate("window.injected") is None
        assert violations and "inline script" in violations[-1]
        violations.clear()

        page.context.clear_cookies()
        log_in(page, live_server, "coordination", demo.DEMO_PASSWORD)
        for path in (
            "/admin/",
            "/admin/snippets/wagtail_mentorat/pairing/",
            f"/admin/snippets/wagtail_mentorat/pairing/inspect/{pairing.pk}/",
            "/admin/mentorat/jumelage/",
        ):
            _visit(page, live_server.url + path, violations)
    assert not violations, "\n".join(violations)
