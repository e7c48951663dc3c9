"""The demo in English: the registration page, the training and the menu exist in English,
and every link of the app leads to the page in the visitor's language (issue 18)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from home import demo_mentoring
from wagtail_mentorat.models import Extension, Pairing, PairingState, Programme, RegistrationPage
from wagtail_mentorat.training.forms import FIELD_PREFIX
from wagtail_mentorat.training.models import (
    QuizAttempt,
    TrainingIndexPage,
    TrainingModulePage,
)

pytestmark = pytest.mark.django_db


def _in(client, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client


def _href(html, text):
    """The address of the link whose text is ``text``."""
    match = re.search(rf'<a[^>]*href="([^"]+)"[^>]*>\s*{re.escape(text)}\s*</a>', html)
    assert match, f"no link “{text}”"
    return match.group(1)


def test_register_link_leads_to_the_english_page_in_english(client_for):
    client = client_for("mentore1")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/mentorat/"})
    assert response.status_code == 302
    html = client.get(reverse("wagtail_mentorat:space")).content.decode()
    url = _href(html, "Register or update my profile")
    assert url == "/sign-up/"
    page = client.get(url)
    assert page.status_code == 200
    assert "I want to sign up" in page.content.decode() and 'lang="en"' in page.content.decode()


def test_register_link_stays_french_in_french(client_for):
    html = _in(client_for("mentore1"), "fr").get(reverse("wagtail_mentorat:space")).content
    url = _href(html.decode(), "M'inscrire ou mettre à jour mon profil")
    assert url == "/inscription/"


def test_without_an_english_registration_page_the_french_one_is_offered(client_for):
    """The fallback: a host that has not translated the page still gets a working link."""
    RegistrationPage.objects.get(locale__language_code="en").unpublish()
    client = _in(client_for("mentore1"), "en")
    html = client.get(reverse("wagtail_mentorat:space")).content.decode()
    assert _href(html, "Register or update my profile") == "/inscription/"


def test_the_registration_pages_are_translations_of_each_other(demo_site):
    french = RegistrationPage.objects.get(locale__language_code="fr")
    english = RegistrationPage.objects.get(locale__language_code="en")
    assert english.translation_key == french.translation_key
    assert english.privacy_notice_version == french.privacy_notice_version
    with translation.override("en"):
        assert french.localized == english
    with translation.override("fr"):
        assert english.localized == french


@pytest.mark.parametrize(
    "code, present, absent",
    [
        ("en", ['href="/sign-up/"', 'href="/training/"'], ['href="/inscription/"']),
        ("fr", ['href="/inscription/"', 'href="/formation/"'], ['href="/sign-up/"']),
    ],
)
def test_the_menu_lists_registration_and_training_in_the_visitor_language(
    client_for, code, present, absent
):
    html = _in(client_for("mentor1"), code).get("/").content.decode()
    nav = html[html.index("<nav") : html.index("</nav>")]
    for link in present:
        assert link in nav
    for link in absent:
        assert link not in html


def test_english_training_index_lists_english_modules_and_path(client_for):
    html = _in(client_for("mentor1"), "en").get("/training/").content.decode()
    assert "Before your first pairing" in html
    assert "The responsibilities of the mentor and the mentee" in html
    assert "Les responsabilités du mentor" not in html
    # The demo session is about a French module: its English title is shown.
    assert "Cultural differences in the mentoring relationship" in html


def test_an_english_module_opens_and_its_quiz_is_submitted(client_for, demo_users):
    client = _in(client_for("mentore1"), "en")
    module = TrainingModulePage.objects.get(slug="mentor-and-mentee-responsibilities")
    french = module.get_translation(TrainingIndexPage.objects.get(slug="formation").locale)
    assert [q.id for q in module.questions] == [q.id for q in french.questions]
    html = client.get(module.url).content.decode()
    assert "How soon after the assignment does the mentor contact the mentee?" in html
    assert "Dans quel délai" not in html
    first, second = module.questions
    data = {
        "token": "0b9e5d6c-7a0f-4a52-9a51-3f4f1c0c1d11",
        "action": "submit",
        FIELD_PREFIX + first.id: [first.choices[1].id],
        FIELD_PREFIX + second.id: [second.choices[0].id, second.choices[1].id],
    }
    response = client.post(module.url + "quiz/", data)
    attempt = QuizAttempt.objects.get(user=demo_users["mentore1"], module=module)
    assert response.status_code == 302 and attempt.passed and attempt.score == 100
    result = client.get(response["Location"])
    assert result.status_code == 200 and 'lang="en"' in result.content.decode()


def test_required_training_links_to_the_module_in_the_visitor_language(client_for):
    french = TrainingModulePage.objects.get(slug="responsabilites-mentor-mentore")
    Programme.objects.get(name=demo_mentoring.SERVICE).mentee_training.add(french)
    client = client_for("mentore5")  # an open request in the counsellors' service
    english = _in(client, "en").get(reverse("wagtail_mentorat:space")).content.decode()
    assert (
        '<a href="/training/mentor-and-mentee-responsibilities/">'
        "The responsibilities of the mentor and the mentee</a>" in english
    )
    french_html = _in(client, "fr").get(reverse("wagtail_mentorat:space")).content.decode()
    assert 'href="/formation/responsabilites-mentor-mentore/"' in french_html


def test_the_demo_builds_the_english_pages_once(demo_site):
    from home import demo

    counts = [
        model.objects.filter(locale__language_code=code).count()
        for model in (RegistrationPage, TrainingIndexPage, TrainingModulePage)
        for code in ("fr", "en")
    ]
    demo.build()
    assert (
        counts
        == [1, 1, 1, 1, 5, 5]
        == [
            model.objects.filter(locale__language_code=code).count()
            for model in (RegistrationPage, TrainingIndexPage, TrainingModulePage)
            for code in ("fr", "en")
        ]
    )


# --- the demo's gaps ---------------------------------------------------------------------


def test_a_moderator_can_publish_what_the_editor_submits(demo_users):
    moderators = Group.objects.get(name="Moderators")
    assert demo_users["approbation"] in moderators.user_set.all()
    assert demo_users["redaction"] not in moderators.user_set.all()
    page = RegistrationPage.objects.get(locale__language_code="fr")
    assert page.permissions_for_user(demo_users["approbation"]).can_publish()
    assert not page.permissions_for_user(demo_users["redaction"]).can_publish()


def test_decisions_wait_for_the_manager(client_for, demo_users):
    boss = demo_users["gestionnaire"]
    proposed = Pairing.objects.get(members__user=demo_users["mentore7"])
    assert proposed.state == PairingState.PROPOSED
    extension = Extension.objects.get(pairing__members__user=demo_users["mentore8"])
    assert extension.status == Extension.Status.REQUESTED
    html = client_for("gestionnaire").get(reverse("wagtail_mentorat:manager")).content.decode()
    assert html.count('name="what" value="pairing"') >= 1
    assert f'name="extension" value="{extension.pk}"' in html
    # Marc decides: the extension is approved through the screen.
    client = client_for("gestionnaire")
    url = reverse("wagtail_mentorat:manager_decide", args=[extension.pairing_id])
    data = {"what": "extension", "extension": extension.pk, "decision": "approve"}
    client.post(url, data)
    extension.refresh_from_db()
    assert extension.status == Extension.Status.APPROVED
    assert extension.decided_by == boss
    # Nobody else's manager sees or decides it.
    other = client_for("gestionnaire2").post(url, data)
    assert other.status_code == 404


def test_the_demo_prints_the_port_it_is_served_on(db, capsys, monkeypatch):
    call_command("mentorat_demo", port="8123")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123/" in out and "http://127.0.0.1:8123/admin/" in out
    assert ":8000/" not in out
    monkeypatch.setenv("PORT", "8124")
    from home.management.commands import mentorat_demo

    parser = mentorat_demo.Command().create_parser("manage.py", "mentorat_demo")
    assert parser.parse_args([]).port == "8124"


@pytest.mark.parametrize("port", ["abc", "0", "70000", "80; rm"])
def test_a_bad_port_is_refused_before_anything_is_built(db, port):
    with pytest.raises(CommandError, match="port"):
        call_command("mentorat_demo", port=port)
    assert not get_user_model().objects.exists()
