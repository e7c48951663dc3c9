"""Issue 22: help inside the product. Each screen links to its page of the user guides in
the person's language; the participant's space and the admin's Help menu link to the
guides; every help link resolves to a page of the documentation (its Markdown source in
both languages, and the built site when `make docs` has built it); the demo serves the
built site at /docs/."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from wagtail_mentorat import help as mentorat_help

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PACKAGE = ROOT / "wagtail_mentorat"
TAG = re.compile(r"""\{%\s*mentorat_help(?:_url)?\s+["']([\w-]+)["']""")


def keys_in_templates():
    found = {}
    for path in PACKAGE.rglob("*.html"):
        for key in TAG.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, path.relative_to(ROOT).as_posix())
    return found


def test_every_help_link_leads_to_a_page_of_the_guides_in_both_languages():
    missing = [
        f"{key}: docs/{language}/{page}.md"
        for key, page in mentorat_help.PAGES.items()
        for language in mentorat_help.LANGUAGES
        if not (DOCS / language / f"{page}.md").is_file()
    ]
    assert not missing, "help links to missing guide pages:\n" + "\n".join(missing)


def test_every_help_link_of_the_templates_names_a_known_page():
    used = keys_in_templates()
    assert len(used) >= 15, used  # the main screens carry one
    # The peer support circles (list, page, conversation, admin) and the calendar too.
    for key in ("circles", "circle", "circle_thread", "thread", "calendar", "admin_circles"):
        assert key in used, key
    unknown = {key: where for key, where in used.items() if key not in mentorat_help.PAGES}
    assert not unknown, unknown


def test_the_link_follows_the_persons_language():
    assert mentorat_help.help_url("workbench", "fr") == "/docs/fr/coordinator/matching.html"
    assert mentorat_help.help_url("workbench", "en") == "/docs/en/coordinator/matching.html"
    assert mentorat_help.help_url("space", "fr-ca") == "/docs/fr/participant/index.html"
    # A language the guides are not written in reads the English ones.
    assert mentorat_help.help_url("space", "de") == "/docs/en/participant/index.html"
    with translation.override("fr"):
        assert mentorat_help.help_url("manager") == "/docs/fr/manager/index.html"
    assert mentorat_help.help_url("circles", "fr") == "/docs/fr/participant/circles.html"
    assert mentorat_help.help_url("calendar", "en") == "/docs/en/participant/calendar.html"
    with pytest.raises(KeyError):
        mentorat_help.help_url("no-such-screen")


def render(text):
    return Template("{% load mentorat_help %}" + text).render(Context({}))


def test_the_base_address_is_a_setting_and_none_hides_the_links():
    with override_settings(WAGTAIL_MENTORAT={"DOCS_URL": "https://aide.example.org/mentorat"}):
        assert (
            mentorat_help.help_url("pool", "en")
            == "https://aide.example.org/mentorat/en/coordinator/pool.html"
        )
    with override_settings(WAGTAIL_MENTORAT={"DOCS_URL": None}):
        assert mentorat_help.help_url("pool", "fr") == ""
        assert render('{% mentorat_help "pool" %}').strip() == ""
    with translation.override("en"):
        html = render('{% mentorat_help "pool" %}')
    assert 'href="/docs/en/coordinator/pool.html"' in html
    assert "user guide" in html


@pytest.mark.django_db
def test_the_participants_space_links_to_the_guides(client):
    from tests.mentorat.conftest import person

    mentee = person("aidee", pool=False)
    client.force_login(mentee)
    html = client.get("/mentorat/").content.decode()
    assert 'href="/docs/fr/participant/index.html"' in html
    assert 'href="/docs/fr/confidentiality.html"' in html
    client.cookies["django_language"] = "en"
    html = client.get("/mentorat/").content.decode()
    assert 'href="/docs/en/participant/index.html"' in html


@pytest.mark.django_db
def test_the_circles_and_calendar_screens_link_to_their_guide_pages(client):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    from tests.mentorat.conftest import ProgrammeFactory, make_coordinator, person
    from wagtail_mentorat import circles

    programme = ProgrammeFactory()
    coordinator = person("coordo-cercle", pool=False)
    coordinator.user_permissions.add(Permission.objects.get(codename="access_admin"))
    coordinator = make_coordinator(coordinator, programmes=[programme])
    circle = circles.open_circle(
        programme,
        coordinator,
        title="Premières années",
        theme="Début de carrière",
        purpose="Nous soutenir.",
        frequency="Une fois par mois",
        confidentiality="Ce qui se dit ici reste ici.",
    )
    client.force_login(coordinator)
    for address in (reverse("mentorat_circles_admin"), reverse("mentorat_circle_open")):
        html = client.get(address).content.decode()
        assert 'href="/docs/fr/coordinator/circles.html"' in html, address
    member = person("membre-cercle", pool=False)
    client.force_login(member)
    pages = {
        "/mentorat/cercles/": "/docs/fr/participant/circles.html",
        f"/mentorat/cercles/{circle.pairing_id}/": "/docs/fr/participant/circles.html",
        "/mentorat/calendrier/": "/docs/fr/participant/calendar.html",
    }
    for address, guide in pages.items():
        html = client.get(address).content.decode()
        assert f'href="{guide}"' in html, address
    client.cookies["django_language"] = "en"
    html = client.get("/mentorat/calendrier/").content.decode()
    assert 'href="/docs/en/participant/calendar.html"' in html


@pytest.mark.django_db
def test_the_admin_help_menu_links_to_the_guides(client):
    from django.contrib.auth.models import Permission

    from tests.mentorat.conftest import ProgrammeFactory, make_coordinator, person

    coordinator = person("coordo-aide", pool=False)
    coordinator.user_permissions.add(Permission.objects.get(codename="access_admin"))
    coordinator = make_coordinator(coordinator, programmes=[ProgrammeFactory()])
    editor = person("redaction-aide", pool=False)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))

    client.force_login(coordinator)
    sidebar = client.get("/admin/").content.decode()
    assert "/docs/fr/coordinator/index.html" in sidebar
    assert "/docs/fr/editor/index.html" in sidebar
    client.force_login(editor)
    sidebar = client.get("/admin/").content.decode()
    assert "/docs/fr/coordinator/index.html" not in sidebar  # programme staff only
    assert "/docs/fr/editor/index.html" in sidebar


@pytest.mark.django_db
def test_the_demo_serves_the_built_guides(client, tmp_path, settings):
    from tests.mentorat.conftest import person

    client.force_login(person("lectrice", pool=False))
    settings.INTRANET_DOCS_BUILD = tmp_path / "missing"
    settings.DEBUG = True  # as under `make run`: a page that says what to do, not Django's
    client.cookies["django_language"] = "fr"
    missing = client.get("/docs/fr/index.html")
    assert missing.status_code == 404
    assert "pas encore construite : lancez « make docs »" in missing.content.decode()
    assert b"technical_404" not in missing.content and b"Using the URLconf" not in missing.content
    settings.DEBUG = False

    (tmp_path / "fr" / "coordinator").mkdir(parents=True)
    (tmp_path / "fr" / "coordinator" / "pool.html").write_text("<h1>Bassin</h1>")
    settings.INTRANET_DOCS_BUILD = tmp_path
    response = client.get("/docs/fr/coordinator/pool.html")
    assert response.status_code == 200
    assert b"Bassin" in b"".join(response.streaming_content)
    assert client.get("/docs/").url == "/docs/fr/index.html"
    # Nothing outside the build (Django's static view refuses it).
    assert client.get("/docs/fr/../../../etc/passwd").status_code in (400, 404)
    client.logout()
    assert client.get("/docs/fr/coordinator/pool.html").status_code == 302  # private
