"""Issue 18 in a real browser: after a refused action on the pairing page, the failing
panel is open and the error summary has the focus (not ``<body>`` at the top of the page);
after an accepted one, the confirmation has it."""

import datetime

import pytest
from django.utils import timezone

from wagtail_mentorat.models import Meeting

from ..browser import PHONE, chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "focus-apres-action-2026"


def focused(page):
    return page.evaluate(
        "(() => { const e = document.activeElement, d = e.closest('details');"
        " return [e.className, d ? d.id : null, d ? d.open : null]; })()"
    )


def test_the_result_of_an_action_takes_the_focus(live_server, active, cast):
    mentee = cast["mentee"]
    mentee.set_password(PASSWORD)
    mentee.save()
    with chromium_page(viewport=PHONE) as page:
        log_in(page, live_server, mentee.username, PASSWORD)
        page.goto(f"{live_server.url}/mentorat/jumelages/{active.pk}/")
        page.click("#log-meeting summary")
        future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        form = "#log-meeting form"
        page.fill(f"{form} input[name=held_at]", future)
        page.fill(f"{form} input[name=duration_minutes]", "60")
        page.click(f"{form} button[type=submit]")
        page.wait_for_load_state()
        classes, panel, is_open = focused(page)
        assert "mentorat-error-summary" in classes and (panel, is_open) == ("log-meeting", True)
        assert not Meeting.objects.exists()

        past = (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        page.fill(f"{form} input[name=held_at]", past)
        page.click(f"{form} button[type=submit]")
        page.wait_for_load_state()
        classes, _panel, _open = focused(page)
        assert "mentorat-alerts" in classes, classes
        assert Meeting.objects.count() == 1
