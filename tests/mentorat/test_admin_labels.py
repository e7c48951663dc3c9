"""The admin names each screen after what it holds (issue 18), in French and in English:
every item of the "Mentoring" menu and the page it opens carry one name (title, header),
no two items share a label, no app page is headed "Home", the French login says
"Mot de passe", the demo's workflow has a French name, and the indicators' first figure
tells the truth with and without data.

The demo is built once for the module (its pages are read and the database rolled back);
the indicator tests build their own small programme."""

import datetime
import html
import json
import re

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from wagtail.users.models import UserProfile

from tests.mentorat.conftest import ProgrammeFactory, make_coordinator, person
from wagtail_mentorat.indicators import metrics
from wagtail_mentorat.models import MentoringRequest

LANGUAGES = ("fr", "en")
HOME = {"fr": "Accueil", "en": "Home"}
FLAT = {"WAGTAIL_MENTORAT": {"ADMIN_MENU": "flat"}}
MENU = {"fr": "Mentorat", "en": "Mentoring"}
# The app's pages that no menu item opens, with their title in each language.
INNER_PAGES = {
    "/admin/mentorat/indicateurs/references/": {
        "fr": "Références des indicateurs",
        "en": "Indicator references",
    },
    "/admin/mentorat/indicateurs/auto-evaluation/": {
        "fr": "Autoévaluation",
        "en": "Self-assessment",
    },
}
# Items of other wings whose menu label and page title still differ, each another change's
# (remove a row once they agree): the training wing (training/wagtail_hooks.py) says
# "Sessions"/"Requests" in the menu and "Training sessions"/"Training requests" on the
# page; the privacy wing (privacy/admin_views.py) "Incident follow-ups"/"Read-access
# audit" in the menu and "Incident follow-ups"' model plural/"Read accesses" on the page.
ELSEWHERE = {
    "/admin/training_sessions/",
    "/admin/training_requests/",
    "/admin/mentorat_incident_followups/",
    "/admin/mentorat_read_audit/",
}
# Snippet viewsets of the privacy wing (wagtail_mentorat/privacy/admin_views.py), another
# change's: Wagtail's snippet viewsets write their "Home" crumb in the default language
# ("Accueil" on an English page) unless they use admin.naming.OneNameViewSetMixin.
HOME_ELSEWHERE = {
    "/admin/snippets/wagtail_mentorat/disagreement/",
    "/admin/mentorat_incidents/",
    "/admin/mentorat_incident_followups/",
    "/admin/mentorat_read_audit/",
    "/admin/mentorat_legal_holds/",
}


# --- reading the admin as a browser gets it ----------------------------------------------------


def _unpack(value, refs):
    """Telepath's packing undone (a value repeated is sent once, then as ``_ref``)."""
    if isinstance(value, list):
        return [_unpack(item, refs) for item in value]
    if not isinstance(value, dict):
        return value
    if "_ref" in value:
        return refs[value["_ref"]]
    inner = next((value[k] for k in ("_val", "_list", "_dict") if k in value), None)
    if inner is not None:
        result = _unpack(inner, refs)
    else:
        result = {key: _unpack(item, refs) for key, item in value.items()}
    if "_id" in value:
        refs[value["_id"]] = result
    return result


def _item(packed):
    meta, *rest = packed["_args"]
    if packed["_type"] == "wagtail.sidebar.SubMenuItem":
        return meta["label"], [_item(child) for child in rest[0]]
    return meta["label"], meta["url"]


def sidebar(client):
    page = client.get("/admin/").content.decode()
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', page, re.S
    )
    modules = _unpack(json.loads(props.group(1)), {})["modules"]
    main = next(m for m in modules if m["_type"] == "wagtail.sidebar.MainMenuModule")
    return [_item(item) for item in main["_args"][0]]


def leaves(items):
    """(label, url) of every link, at any depth."""
    found = []
    for label, target in items:
        found += leaves(target) if isinstance(target, list) else [(label, target)]
    return found


def text_of(fragment):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", fragment))).strip()


def header(page):
    """(title, crumbs, <title>): the h1 (Wagtail's slim header keeps it for screen
    readers), the breadcrumbs a sighted person reads, the browser tab's title."""
    h1 = re.search(r"<h1\b[^>]*>(.*?)</h1>", page, re.S)
    crumbs = []
    trail = re.search(r"<div data-w-breadcrumbs.*?<ol[^>]*>(.*?)</ol>", page, re.S)
    if trail:
        for item in re.findall(r"<li\b.*?</li>", trail.group(1), re.S):
            item = re.sub(r'(?s)<span class="w-sr-only">: </span>.*', "", item)
            crumbs.append(text_of(item))
    tab = re.search(r"<title>(.*?)</title>", page, re.S)
    return (
        text_of(h1.group(1)) if h1 else "",
        crumbs,
        text_of(tab.group(1)) if tab else "",
    )


def admin_client(user, code):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = code
    profile.save()
    client = Client()
    client.force_login(user)
    return client


# The mark orders these tests with the other database tests, before the transactional ones
# (browser tests), whose teardown empties the database this module's fixture builds on.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def admin(django_db_setup, django_db_blocker):
    """What the coordinator and the privacy officer read in each language: the sidebar
    (grouped and flat), every page its items open; the login; the editor's page editor."""
    from wagtail.models import Page, Task, Workflow

    from home import demo

    seen = {"names": {}}
    with django_db_blocker.unblock(), transaction.atomic():
        users = demo.build()["users"]
        for username in ("coordination", "confidentialite"):
            for code in LANGUAGES:
                client = admin_client(users[username], code)
                menu = sidebar(client)
                with override_settings(**FLAT):
                    flat = sidebar(client)
                urls = [url for _label, url in leaves(menu) if url.startswith("/admin/")]
                if username == "coordination":
                    urls += list(INNER_PAGES)
                pages = {}
                for url in urls:
                    response = client.get(url)
                    pages[url] = (response.status_code, *header(response.content.decode()))
                seen[username, code] = {"menu": menu, "flat": flat, "pages": pages}
        for code in LANGUAGES:
            client = Client(headers={"accept-language": code})
            client.cookies["django_language"] = code
            seen["login", code] = client.get("/admin/login/").content.decode()
        editor = admin_client(users["redaction"], "fr")
        page = Page.objects.filter(depth=3).live().first()
        seen["editor"] = editor.get(f"/admin/pages/{page.pk}/edit/").content.decode()
        seen["names"] = {
            "workflows": list(Workflow.objects.values_list("name", flat=True)),
            "tasks": list(Task.objects.values_list("name", flat=True)),
        }
        transaction.set_rollback(True)
    return seen


def mentoring_items(menu, code):
    entries = [target for label, target in menu if label == MENU[code]]
    assert len(entries) == 1, [label for label, _ in menu]
    return leaves(entries[0])


# --- titles and menu labels ---------------------------------------------------------------------


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("username", ["coordination", "confidentialite"])
def test_every_menu_item_and_its_page_have_one_name(admin, username, code):
    seen = admin[username, code]
    items = [(label, url) for label, url in mentoring_items(seen["menu"], code)]
    assert items
    for label, url in items:
        if url in ELSEWHERE:
            continue
        status, title, crumbs, tab = seen["pages"][url]
        assert status == 200, url
        assert title == label, (url, label, title)
        assert tab.startswith(label), (url, label, tab)
        if crumbs:  # the slim header: what a sighted person reads
            assert crumbs[-1] == label, (url, label, crumbs)
            if url not in HOME_ELSEWHERE:
                assert crumbs[0] == HOME[code], (url, crumbs)  # never the other language's


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_page_of_the_app_is_headed_home(admin, code):
    pages = admin["coordination", code]["pages"]
    for url, (status, title, crumbs, _tab) in pages.items():
        assert status == 200, url
        assert title not in (HOME["fr"], HOME["en"]), url
        if crumbs:
            assert len(crumbs) >= 2 and crumbs[-1] not in (HOME["fr"], HOME["en"]), (url, crumbs)
    for url, titles in INNER_PAGES.items():
        assert pages[url][1] == titles[code], (url, pages[url])
        # Their trail goes through the indicators page they belong to.
        assert (
            pages[url][2][1] == {"fr": "Indicateurs de qualité", "en": "Quality indicators"}[code]
        )


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("username", ["coordination", "confidentialite"])
def test_no_two_menu_items_share_a_label(admin, username, code):
    seen = admin[username, code]
    for menu in (seen["menu"], seen["flat"]):
        labels = [label for label, _url in leaves(menu)]
        assert len(labels) == len(set(labels)), sorted(
            label for label in labels if labels.count(label) > 1
        )


def test_the_screens_are_named_after_what_they_hold(admin):
    fr = dict(mentoring_items(admin["coordination", "fr"]["menu"], "fr"))
    en = dict(mentoring_items(admin["coordination", "en"]["menu"], "en"))
    for label in ("Demandes de mentorat", "Ententes de mentorat", "Indicateurs de qualité"):
        assert label in fr
    assert fr["Boîte d’envoi"] == en["Outbox"] == "/admin/mentorat/courriels/"
    requests = "/admin/snippets/wagtail_mentorat/mentoringrequest/"
    assert fr["Demandes de mentorat"] == en["Mentoring requests"] == requests
    assert "Notifications" not in fr and "Notifications" not in en


# --- the login and the workflow -------------------------------------------------------------------


def test_the_french_admin_login_says_mot_de_passe(admin):
    labels = re.findall(
        r'<label[^>]*for="id_(?:username|password)"[^>]*>(.*?)</label>', admin["login", "fr"], re.S
    )
    assert [text_of(label).rstrip("* ") for label in labels] == [
        "Nom d’utilisateur",
        "Mot de passe",
    ]
    assert not re.search(r">\s*Password\b", admin["login", "fr"])
    english = re.findall(
        r'<label[^>]*for="id_password"[^>]*>(.*?)</label>', admin["login", "en"], re.S
    )
    assert [text_of(label).rstrip("* ") for label in english] == ["Password"]


def test_the_demo_workflow_is_named_in_french(admin):
    assert admin["names"]["workflows"] == ["Approbation des modérateurs"]
    assert admin["names"]["tasks"] == ["Approbation des modérateurs"]
    assert "Soumettre à Approbation des modérateurs" in admin["editor"]
    assert "Moderators approval" not in admin["editor"]


def test_renaming_keeps_a_name_chosen_by_hand(db):
    from wagtail.models import Workflow

    from home.demo import name_default_workflow

    Workflow.objects.update(name="Relecture éditoriale")
    name_default_workflow()
    assert list(Workflow.objects.values_list("name", flat=True)) == ["Relecture éditoriale"]


# --- the indicators' first figure -----------------------------------------------------------------


@pytest.fixture
def staffed(db):
    from django.contrib.auth.models import Permission

    programme = ProgrammeFactory(coordinators=[])
    user = person("coordo-indicateurs")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return programme, make_coordinator(user, [programme])


def _request(programme, username, status, days_ago):
    request = MentoringRequest.objects.create(
        programme=programme, mentee=person(username), need="Mieux planifier", status=status
    )
    created = timezone.now() - datetime.timedelta(days=days_ago)
    MentoringRequest.objects.filter(pk=request.pk).update(created_at=created)
    return request


def _first_row(client, programme, code):
    today = timezone.localdate()
    query = {
        "programme": programme.pk,
        "start": (today - datetime.timedelta(days=365)).isoformat(),
        "end": today.isoformat(),
    }
    with override_settings(WAGTAIL_MENTORAT={"INDICATORS_MIN_GROUP": 1}):
        page = client.get("/admin/mentorat/indicateurs/", query).content.decode()
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    return text_of(re.search(r"<tr>(.*?)</tr>", body, re.S).group(1))


@pytest.mark.parametrize(
    ("code", "no_data", "below"),
    [("fr", "aucune donnée", "n'atteint pas la référence"), ("en", "no data", "does not meet")],
)
def test_a_request_still_in_its_first_month_is_not_yet_unmatched(staffed, code, no_data, below):
    programme, coordinator = staffed
    _request(programme, "attend-depuis-hier", MentoringRequest.Status.OPEN, 1)
    row = metrics.requests(metrics.Scope(programme=programme, start=_start(), end=_end()))
    assert (row["opened"], row["recent"], row["settled"], row["match_rate"]) == (1, 1, 0, None)
    text = _first_row(admin_client(coordinator, code), programme, code)
    assert no_data in text
    assert below not in text and "0,0" not in text and "0.0" not in text
    assert "!" not in text


@pytest.mark.parametrize(
    ("code", "figure", "below"),
    [
        ("fr", "50,0 %", "n'atteint pas la référence"),
        ("en", "50.0%", "does not meet the reference"),
    ],
)
def test_with_data_the_figure_counts_the_requests_that_had_their_chance(
    staffed, code, figure, below
):
    programme, coordinator = staffed
    _request(programme, "jumelee", MentoringRequest.Status.MATCHED, 60)
    _request(programme, "attend-depuis-longtemps", MentoringRequest.Status.OPEN, 45)
    _request(programme, "attend-depuis-hier", MentoringRequest.Status.OPEN, 1)
    _request(programme, "retiree", MentoringRequest.Status.WITHDRAWN, 50)
    row = metrics.requests(metrics.Scope(programme=programme, start=_start(), end=_end()))
    assert (row["opened"], row["matched"], row["settled"], row["match_rate"]) == (4, 1, 2, 50.0)
    text = _first_row(admin_client(coordinator, code), programme, code)
    assert figure.replace(" ", "") in text.replace(" ", "").replace("\u202f", "")
    assert below in text  # the reference is 70 %: said in words, not a bare "!"
    assert {"fr": "1 sur 2", "en": "1 of 2"}[code] in text


def _start():
    return timezone.localdate() - datetime.timedelta(days=365)


def _end():
    return timezone.localdate()
