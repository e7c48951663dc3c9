"""A guide on a phone: no horizontal scroll, and the questionnaire by keyboard alone."""

import pytest
from wagtail.models import Locale, Page, Site

from home import demo_guides as guides_demo
from home.models import HomePage
from tests.browser import PHONE, chromium_page, log_in
from wagtail_mentorat.guides.models import GuideIndexPage, GuidePage, ProgrammePage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_main_guide_on_a_phone_by_keyboard(live_server, django_user_model, programme):
    django_user_model.objects.create_user("lectrice", password="mot-de-passe-test")
    home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Accueil", slug="accueil-navigateur", locale=Locale.get_default())
    )
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    index = home.add_child(instance=GuideIndexPage(title="Guides", slug="guides"))
    fiche = index.add_child(instance=ProgrammePage(title="Fiche", programme=programme))
    fields = guides_demo.main_guide_fr([fiche])
    guide = index.add_child(
        instance=GuidePage(
            title=fields["title"],
            slug=fields["slug"],
            intro=fields["intro"],
            body=guides_demo._streamfield(fields["body"]),
        )
    )
    with chromium_page(viewport=PHONE) as page:
        log_in(page, live_server, "lectrice", "mot-de-passe-test")
        page.goto(live_server.url + guide.url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        # Keyboard only: focus the first answer, press Enter, then the next question's.
        page.locator(".mentorat-questionnaire__choice").first.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Sur combien de temps" in page.locator(".mentorat-questionnaire legend").inner_text()
        page.locator(".mentorat-questionnaire__choice").first.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator(".mentorat-questionnaire__practice").inner_text() == "Mentorat"
        with page.expect_navigation():
            # "Lire : Fiche"
            page.locator(".mentorat-questionnaire__result a.mentorat-button").click()
        assert page.locator("h1").inner_text() == "Fiche"
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
