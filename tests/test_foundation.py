"""The foundation issue: privacy, languages, admin access, search, demo, production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Locale, Page, Site

from home import demo, demo_mentoring
from home.models import HomePage
from wagtail_mentorat.models import ParticipantProfile

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", ["/", "/le-mentorat/", "/recherche/?query=mentorat", "/nope/"])
def test_anonymous_visitor_is_sent_to_login_from_every_front_end_page(client, demo_site, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_login_page_itself_is_open_and_french_by_default(client, demo_site):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'lang="fr"' in response.content
    assert b"Se connecter" in response.content


def test_login_with_demo_password_lands_on_home(client, demo_site):
    response = client.post(
        reverse("login"), {"username": "mentore1", "password": demo.DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"].username == "mentore1"
    assert "Intranet du CISSS" in response.content.decode()


def test_wrong_password_gets_a_clear_error_in_french(client, demo_site):
    response = client.post(reverse("login"), {"username": "mentore1", "password": "x"})
    assert response.status_code == 200
    assert "ne correspondent pas" in response.content.decode()


def test_home_is_french_by_default_and_english_after_switching(client_for):
    client = client_for("mentore1")
    home = client.get("/")
    html = home.content.decode()
    assert home.status_code == 200
    assert 'lang="fr"' in html
    assert "Intranet du CISSS — Mentorat" in html
    assert "Se déconnecter" in html
    assert "Amélie Pelletier" in html  # the user's name in the header

    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert switched.status_code == 302
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "CISSS Intranet — Mentoring" in html
    assert "Log out" in html
    assert "Se déconnecter" not in html


def test_admin_loads_for_the_content_editor(client_for):
    response = client_for("redaction").get(reverse("wagtailadmin_home"))
    assert response.status_code == 200


def test_admin_refuses_a_plain_staff_member(client_for):
    response = client_for("mentore1").get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]
    pages = client_for("mentore1").get(reverse("wagtailadmin_explore_root"))
    assert pages.status_code == 302


@pytest.mark.parametrize("word", ["développement", "developpement", "DÉVELOPPEMENT"])
def test_search_finds_a_demo_page_by_a_french_word_with_or_without_accent(client_for, word):
    response = client_for("mentore1").get(reverse("search"), {"query": word})
    assert response.status_code == 200
    titles = [page.title for page in response.context["search_results"]]
    assert "Le mentorat au CISSS" in titles


def test_search_with_no_match_shows_what_to_do(client_for):
    response = client_for("mentore1").get(reverse("search"), {"query": "zzzqqq"})
    assert response.status_code == 200
    assert list(response.context["search_results"]) == []
    assert "Essayez un mot plus court" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"query": "x" * 5000},
        {"query": "mentorat", "page": "abc"},
        {"query": "mentorat", "page": "999"},
        {"query": "\x00'\""},
    ],
)
def test_malformed_search_never_fails(client_for, params):
    assert client_for("mentore1").get(reverse("search"), params).status_code == 200


def _counts():
    return {
        "users": get_user_model().objects.count(),
        "groups": Group.objects.count(),
        "pages": Page.objects.count(),
        "sites": Site.objects.count(),
        "locales": Locale.objects.count(),
        "profiles": ParticipantProfile.objects.count(),
    }


def test_demo_command_twice_changes_nothing(db, capsys):
    call_command("mentorat_demo")
    first = _counts()
    password = get_user_model().objects.get(username="mentor1").password
    call_command("mentorat_demo")
    assert _counts() == first
    assert get_user_model().objects.get(username="mentor1").password == password
    assert first["users"] == len(demo.ACCOUNTS) + len(demo_mentoring.EXTRA_PEOPLE)
    assert "mentore2" in capsys.readouterr().out


def test_demo_mentees_report_to_the_manager(demo_users):
    manager = demo_users["gestionnaire"]
    for username in ("mentore1", "mentore2"):
        assert demo_users[username].mentorat_profile.superior == manager


def test_demo_site_root_is_the_french_home_with_an_english_translation(demo_site):
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert home.locale.language_code == "fr"
    assert home.get_translation(Locale.objects.get(language_code="en")).live


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="intranet.settings.production",
        SECRET_KEY="k3y-" + "x7Yq9Lp2Wm4Zt8Rb6Nc1Vd5Hf3Js0Ga" * 2,
        ALLOWED_HOSTS="intranet.example.org",
        WAGTAILADMIN_BASE_URL="https://intranet.example.org",
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        ANYMAIL_POSTMARK_SERVER_TOKEN="server-token",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    env.update(extra)
    return env


def test_production_settings_pass_check_deploy_with_the_documented_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    # Zero warnings and none silenced: SILENCED_SYSTEM_CHECKS stays empty.
    assert "System check identified no issues (0 silenced)." in result.stdout
    shown = _manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.SILENCED_SYSTEM_CHECKS, settings.X_FRAME_OPTIONS, "
        "settings.WAGTAIL_GRAVATAR_PROVIDER_URL, settings.WAGTAILDOCS_SERVE_METHOD)",
        env=_production_env(),
    )
    assert shown.stdout.splitlines()[-1].split() == ["[]", "DENY", "None", "serve_view"], (
        shown.stdout + shown.stderr
    )


def test_production_refuses_to_start_without_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_french_stays_the_default_whatever_the_browser_asks(client_for):
    html = client_for("mentore1").get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content
    assert b'lang="fr"' in html


def test_demo_privacy_officer_reaches_the_incident_register_and_others_do_not(client_for):
    listing = "/admin/mentorat_incidents/"
    assert client_for("confidentialite").get(listing).status_code == 200
    for other in ("coordination", "redaction"):
        assert client_for(other).get(listing).status_code in (302, 403)


def test_coordinators_search_participants_in_the_admin(client_for):
    import warnings

    listing = "/admin/snippets/wagtail_mentorat/participantprofile/"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # Wagtail's "no AutocompleteFields"
        by_name = client_for("coordination").get(listing, {"q": "Isabelle"}).content.decode()
    assert "Isabelle" in by_name and "Jean-François" not in by_name
