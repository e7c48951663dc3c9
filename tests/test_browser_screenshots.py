"""Issue 22: the screenshots of the user guides, taken from the demo by the browser.

One demo build, one live server and one browser take every screenshot the guides show
(docs/<language>/{coordinator,editor,participant,manager}/), in French and in English, at
desktop width and, for the front-end screens people use on a phone, at phone width. They
are written to docs/_static/screenshots/<language>/<name>.png, so ``make docs`` after
``make test`` shows the product as it is; no screenshot is edited by hand. The PNGs are
committed, so a fresh clone's strict documentation build finds them.

A second test (no browser) reads the guides' Markdown: every screenshot a page names is
one this module takes, and its file exists.
"""

import re
from pathlib import Path

import pytest

from .browser import PHONE

DOCS = Path(__file__).resolve().parent.parent / "docs"
SHOTS = DOCS / "_static" / "screenshots"
LANGUAGES = ("fr", "en")
DESKTOP = {"width": 1280, "height": 860}
# The toggle of the page editor's action menu (Save draft, Submit to …, Approve …).
ACTION_MENU = "footer .w-dropdown-button .w-dropdown__toggle"

# name → (account, address or a callable giving it from the demo's ids, phone too?)
# Addresses are filled in by `addresses()` once the demo is built. "#id" after the address
# opens that panel of the page; "!selector" clicks that element first (a menu).
SCREENS = {
    # Coordinator (Wagtail admin).
    "coordinator-home": ("coordination", "/admin/", False),
    "coordinator-programme": ("coordination", "programme_edit", False),
    "coordinator-pool": ("coordination", "/admin/mentorat/mentors/", False),
    "coordinator-import": ("coordination", "/admin/mentorat/importer/", False),
    "coordinator-workbench": ("coordination", "/admin/mentorat/jumelage/", False),
    "coordinator-pairings": ("coordination", "/admin/snippets/wagtail_mentorat/pairing/", False),
    "coordinator-pairing": ("coordination", "admin_pairing", False),
    "coordinator-checkins": ("coordination", "/admin/mentorat/suivis/", False),
    "coordinator-disagreement": ("coordination", "disagreement", False),
    "coordinator-indicators": ("coordination", "/admin/mentorat/indicateurs/", False),
    "coordinator-assessment": ("coordination", "assessment", False),
    # Editor (Wagtail admin and the pages it publishes).
    "editor-guide-edit": ("redaction", "guide_edit", False),
    "editor-guide": ("redaction", "guide", False),
    "editor-programme-page": ("redaction", "programme_page", False),
    "editor-training": ("redaction", "training_module", False),
    "editor-submit": ("redaction", "guide_edit!" + ACTION_MENU, False),
    "editor-translate": ("redaction", "translate", False),
    "editor-approve": ("approbation", "moderated_edit!" + ACTION_MENU, False),
    # Participants (front end).
    "participant-space": ("mentore1", "/mentorat/", True),
    "participant-register": ("mentore1", "registration", True),
    "participant-pairing": ("mentore1", "pairing", True),
    "participant-meeting": ("mentore1", "pairing#log-meeting", False),
    "participant-mentor": ("mentor1", "pairing_mentor#help", False),
    # Manager (front end).
    "manager-space": ("gestionnaire", "/mentorat/gestion/", True),
}


def shot_path(language, name, phone=False):
    return SHOTS / language / f"{name}{'-phone' if phone else ''}.png"


def addresses():
    """The screens' addresses, with the demo's ids (after demo.build())."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from wagtail.models import Locale

    from wagtail_mentorat import lifecycle
    from wagtail_mentorat.guides.models import GuidePage, ProgrammePage
    from wagtail_mentorat.indicators.models import SelfAssessment
    from wagtail_mentorat.models import Pairing, PairingState, Programme, RegistrationPage
    from wagtail_mentorat.training.models import TrainingModulePage

    users = {user.username: user for user in get_user_model().objects.all()}
    pairing = (
        Pairing.objects.filter(members__user=users["mentore1"], state=PairingState.ACTIVE)
        .order_by("pk")
        .first()
    )
    # The guides show a disagreement and a self-assessment: the demo has none.
    disagreement = lifecycle.raise_disagreement(
        pairing,
        users["mentore1"],
        "Nous avons du mal à trouver un moment pour nous rencontrer.",
    )
    lifecycle.ask_for_help(
        pairing,
        users["mentore1"],
        "Comment présenter une évaluation du fonctionnement social à une famille réticente?",
    )
    programme = pairing.programme
    assessment, _created = SelfAssessment.objects.get_or_create(
        programme=programme,
        period_start=programme.starts_on or pairing.start_date,
        period_end=pairing.start_date.replace(year=pairing.start_date.year + 1),
    )
    mentor_pairing = (
        Pairing.objects.filter(members__user=users["mentor1"], state=PairingState.ACTIVE)
        .order_by("pk")
        .first()
    )

    def page_path(model, language, **filters):
        """The page in ``language`` (its translation), else in French."""
        page = model.objects.live().filter(locale__language_code="fr", **filters).first()
        if page is None:
            return None
        localized = page.get_translation_or_none(Locale.objects.get(language_code=language))
        return (localized if localized and localized.live else page).url

    guide = GuidePage.objects.get(slug="mentorat-coaching-supervision", locale__language_code="fr")
    # Moderation: Camille submits a new revision of the programme page to the workflow;
    # Mathieu opens it to approve. Translation: a new French guide, not translated yet.
    moderated = ProgrammePage.objects.live().filter(locale__language_code="fr").first()
    moderated.save_revision(user=users["redaction"])
    moderated.get_workflow().start(moderated, users["redaction"])
    untranslated = guide.copy(
        to=guide.get_parent(),
        update_attrs={"title": "Le codéveloppement professionnel", "slug": "codeveloppement"},
        keep_live=False,
        user=users["redaction"],
    )
    return {
        language: {
            "programme_edit": f"/admin/snippets/wagtail_mentorat/programme/edit/"
            f"{Programme.objects.order_by('pk').first().pk}/",
            "admin_pairing": f"/admin/mentorat/jumelages/{pairing.pk}/",
            "disagreement": f"/admin/mentorat/mesententes/{disagreement.pk}/traiter/",
            "assessment": f"/admin/mentorat/indicateurs/auto-evaluation/{assessment.pk}/",
            "guide_edit": f"/admin/pages/{guide.pk}/edit/",
            "moderated_edit": f"/admin/pages/{moderated.pk}/edit/",
            "translate": reverse(
                "simple_translation:submit_page_translation", args=[untranslated.pk]
            ),
            "guide": page_path(GuidePage, language, pk=guide.pk),
            "programme_page": page_path(ProgrammePage, language),
            "training_module": page_path(TrainingModulePage, language),
            "registration": page_path(RegistrationPage, language) + "?role=mentee",
            "pairing": f"/mentorat/jumelages/{pairing.pk}/",
            "pairing_mentor": f"/mentorat/jumelages/{mentor_pairing.pk}/",
        }
        for language in LANGUAGES
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_guides_screenshots_are_taken_from_the_demo(live_server):
    from home import demo

    from .browser import chromium_page, log_in

    demo.build()
    known = addresses()
    taken, problems = [], []
    with chromium_page(viewport=DESKTOP) as page:
        for language in LANGUAGES:
            (SHOTS / language).mkdir(parents=True, exist_ok=True)
            account = None
            for name, (username, where, phone_too) in SCREENS.items():
                if username != account:
                    page.context.clear_cookies()
                    log_in(page, live_server, username, demo.DEMO_PASSWORD)
                    page.context.add_cookies(
                        [{"name": "django_language", "value": language, "url": live_server.url}]
                    )
                    account = username
                where, _bang, click = where.partition("!")
                path, _hash, anchor = where.partition("#")
                path = known[language].get(path, path)
                assert path, f"{name}: the demo has no page for it"
                page.set_viewport_size(DESKTOP)
                response = page.goto(live_server.url + path)
                if not response.ok:
                    problems.append(f"{language} {name}: {path} answered {response.status}")
                    continue
                if anchor and not page.evaluate(
                    # Open the panel the guide explains (a <details> of the pairing page).
                    "id => { const el = document.getElementById(id); if (!el) return false;"
                    " el.querySelectorAll('details').forEach(d => d.open = true);"
                    " if (el.tagName === 'DETAILS') el.open = true;"
                    " el.scrollIntoView(); return true; }",
                    anchor,
                ):
                    problems.append(f"{language} {name}: no #{anchor} on {path}")
                    continue
                if click:
                    page.click(click)
                    page.wait_for_timeout(300)  # the menu's opening transition
                page.screenshot(path=shot_path(language, name))
                taken.append(shot_path(language, name))
                if phone_too:
                    page.set_viewport_size(PHONE)
                    page.goto(live_server.url + path)
                    page.screenshot(path=shot_path(language, name, phone=True))
                    taken.append(shot_path(language, name, phone=True))
    assert not problems, "\n".join(problems)
    assert all(path.stat().st_size > 5000 for path in taken)


IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.png)\)|:::?\{(?:image|figure)\}\s*(\S+\.png)")


def guide_images():
    """(guide page, image path as written) for every screenshot a guide names."""
    found = []
    for language in LANGUAGES:
        for guide in sorted((DOCS / language).rglob("*.md")):
            for match in IMAGE.finditer(guide.read_text(encoding="utf-8")):
                found.append((guide, match.group(1) or match.group(2)))
    return found


def test_every_screenshot_a_guide_names_is_taken_and_exists():
    images = guide_images()
    assert images, "the guides name no screenshot"
    problems = []
    expected = {
        shot_path(language, name, phone).resolve()
        for language in LANGUAGES
        for name, (_user, _where, phone_too) in SCREENS.items()
        for phone in ((False, True) if phone_too else (False,))
    }
    for guide, image in images:
        target = (guide.parent / image).resolve()
        where = f"{guide.relative_to(DOCS)}: {image}"
        if target.parent.parent != SHOTS.resolve():
            continue  # not a screenshot (a diagram, say)
        language = guide.relative_to(DOCS).parts[0]
        if target.parent.name != language:
            problems.append(f"{where}: a screenshot of the other language")
        if target not in expected:
            problems.append(f"{where}: no browser test takes this screenshot")
        elif not target.is_file():
            problems.append(f"{where}: missing (run tests/test_browser_screenshots.py)")
    assert not problems, "\n".join(problems)
