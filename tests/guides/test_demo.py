"""The demo guides: French content from the seeds, the main guide in English too."""

import pytest
from django.urls import reverse
from wagtail.models import Locale, Page

from home import demo
from wagtail_mentorat.guides.models import GuideIndexPage, GuidePage, ProgrammePage

pytestmark = pytest.mark.django_db


def test_demo_guides_render_for_staff_and_the_build_is_idempotent(demo_site, client_for):
    guides = demo_site["guides"]
    client = client_for("mentore1")
    pages = [
        guides["index"],
        guides["main_guide"],
        guides["quality"],
        guides["child_protection"],
        *guides["programme_pages"],
    ]
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
    main = client.get(guides["main_guide"].url).content.decode()
    for practice in ("Mentorat", "Coaching", "Supervision", "Formation", "Soutien entre pairs"):
        assert f'<th scope="col">{practice}</th>' in main
    assert "De quel accompagnement ai-je besoin?" in main
    # The seed 001 programme page reads the programme's rules; seed 004's shows one year.
    cisss = client.get(guides["programme_pages"][0].url).content.decode()
    assert "La durée maximale du mentorat est de 6 mois" in cisss
    service = client.get(guides["programme_pages"][1].url).content.decode()
    assert "pour une période de 1 an à partir de la date du premier contact" in service
    assert "Écouter attentivement les besoins exprimés par le mentoré." in service
    assert 'class="mentorat-button" href="/inscription/"' in service

    counts = Page.objects.count(), GuidePage.objects.count(), ProgrammePage.objects.count()
    demo.build()
    assert (Page.objects.count(), GuidePage.objects.count(), ProgrammePage.objects.count()) == (
        counts
    )
    assert GuideIndexPage.objects.count() == 2  # French and English


def test_main_guide_has_a_live_english_translation_shown_after_switching(demo_site, client_for):
    main = demo_site["guides"]["main_guide"]
    english = main.get_translation(Locale.objects.get(language_code="en"))
    assert english.live and english.title == "Mentoring, coaching, supervision: which one?"
    client = client_for("mentore1")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(english.url).content.decode()
    assert '<th scope="col">Peer support</th>' in html
    assert "Which support do I need?" in html
    found = client.get(reverse("search"), {"query": "supervisions"}).context["search_results"]
    assert english.title in [page.title for page in found]
