"""Taking a training module on a phone, in a real browser."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from wagtail.models import Collection, Locale, Page

from home import demo
from wagtail_mentorat.training.models import Completion, TrainingModulePage

from ..browser import PHONE, chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def restore_wagtail_baseline():
    """What Wagtail's data migrations made, if an earlier transactional test flushed it.

    A transactional test's flush empties every table; content types and permissions
    come back through post_migrate, the root page, locale and groups do not.
    """
    locale, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    for name in ("Editors", "Moderators"):
        Group.objects.get_or_create(name=name)


def test_take_a_module_and_print_the_certificate_on_a_phone(live_server, tmp_path):
    restore_wagtail_baseline()
    demo.build()
    module = TrainingModulePage.objects.get(slug="responsabilites-mentor-mentore")
    with chromium_page(viewport=PHONE) as page:
        log_in(page, live_server, "mentore1", demo.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/formation/")
        assert _no_horizontal_scroll(page)
        page.click(f"text={module.title}")
        page.wait_for_load_state()
        assert page.locator("h1").first.inner_text() == module.title
        assert _no_horizontal_scroll(page)
        for question in module.questions:
            for choice in question.choices:
                if choice.correct:
                    page.check(f"input[value='{choice.id}']")
        page.screenshot(path=str(tmp_path / "module-phone.png"), full_page=True)
        page.click("button[value=submit]")
        page.wait_for_load_state()
        assert "Réussi" in page.inner_text("main")
        assert _no_horizontal_scroll(page)
        page.click("text=Voir mon attestation")
        page.wait_for_load_state()
        assert "Amélie Pelletier" in page.inner_text(".mentorat-certificate")
        assert _no_horizontal_scroll(page)
        page.screenshot(path=str(tmp_path / "certificate-phone.png"), full_page=True)
    completion = Completion.objects.get(module=module)
    assert completion.user.username == "mentore1" and completion.score == 100
