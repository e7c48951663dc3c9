"""wagtail-mentorat in a plain Wagtail 8 host, installed by the integrator's guide alone
(docs/en/integration/index.md, "Install").

The host (``tests.plainhost``) is what ``wagtail start`` makes: English, Django's full
LANGUAGES, a base template with only the blocks ``title`` and ``content``, no login
middleware and no demo. Everything here must hold there.
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.models import Page, Site

from tests.mentorat.conftest import ProgrammeFactory, activate, make_coordinator, person
from wagtail_mentorat import lifecycle
from wagtail_mentorat.guides.models import GuideIndexPage
from wagtail_mentorat.models import Programme, RegistrationPage
from wagtail_mentorat.training.models import TrainingIndexPage

pytestmark = pytest.mark.django_db

STYLESHEET = "wagtail_mentorat/mentorat.css"
LOGIN = "/_util/login/"  # Wagtail's front-end login, the host has no LOGIN_URL


def setup_output():
    out = io.StringIO()
    call_command("mentorat_setup", stdout=out)
    return out.getvalue()


def tree():
    return sorted(
        Page.objects.filter(depth__gt=1).values_list(
            "id", "path", "title", "slug", "locale__language_code", "translation_key", "live"
        )
    )


def groups():
    return {
        group.name: sorted(group.permissions.values_list("content_type__app_label", "codename"))
        for group in Group.objects.prefetch_related("permissions")
    }


@pytest.fixture
def host(db):
    """The host after `migrate` and `mentorat_setup`, with one programme's people."""
    setup_output()
    director = person("director", discipline="Management")
    manager = person("manager", superior=director, discipline="Management")
    mentee = person("mentee", superior=manager, years_experience=1)
    mentor = person("mentor", superior=director, years_experience=15)
    coordinator = make_coordinator(person("coordinator"))
    coordinator.groups.add(Group.objects.get(name="Mentoring coordinators"))
    programme = ProgrammeFactory(who_pairs=Programme.WhoPairs.MANAGER)
    pairing = lifecycle.propose_pairing(programme, [mentee], [mentor], manager)
    pairing = lifecycle.approve_pairing(pairing, manager)
    cast = {"mentee": mentee, "mentor": mentor, "manager": manager}
    pairing = activate(pairing, cast)
    editor = get_user_model().objects.create_user("editor")
    editor.groups.add(Group.objects.get(name="Mentoring editors"))
    return {**cast, "coordinator": coordinator, "editor": editor, "pairing": pairing}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def app_pages():
    """Every page of the app in the host's tree (made by mentorat_setup)."""
    pages = [
        *GuideIndexPage.objects.live(),
        *RegistrationPage.objects.live(),
        *TrainingIndexPage.objects.live(),
    ]
    assert len(pages) >= 3
    return pages


def app_urls(pk):
    """Every front-end URL of the app's urlconfs, ``<int:…>`` filled with ``pk``."""

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                module = getattr(entry.callback, "__module__", "")
                if module.startswith("wagtail_mentorat") or "mentorat" in route:
                    yield route.lstrip("^").rstrip("$"), entry.callback

    for route, view in walk(get_resolver().url_patterns, "/"):
        if route.startswith("/admin/") or route.startswith("/django-admin/"):
            continue
        url = re.sub(r"<(int|mentorat_id):\w+>", str(pk), route)
        url = re.sub(r"<(str|slug):\w+>", "not-a-token", url)
        url = re.sub(r"\(\?P<\w+>[^)]*\)", "x", url).replace("\\", "")
        yield url, view


def test_the_host_checks_clean_and_wants_no_migration():
    # Errors only: the test runner swaps in the locmem email backend, which the app's check
    # rightly warns about; CI runs `check --fail-level WARNING` on the host outside pytest.
    call_command("check", fail_level="ERROR")
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_mentorat_setup_twice_gives_the_same_tree_and_groups(db):
    first = setup_output()
    before = (tree(), groups())
    second = setup_output()
    assert (tree(), groups()) == before
    assert first != second  # the second run only reports what was already there
    assert {"Mentoring coordinators", "Mentoring editors", "Privacy officer"} <= set(groups())
    root = Site.objects.get(is_default_site=True).root_page
    for page in app_pages():
        assert page.get_parent().pk == root.pk


def test_an_anonymous_visitor_is_sent_to_a_login_page_that_exists(host):
    anonymous = Client()
    urls = [page.url for page in app_pages()]
    urls += [url for url, view in app_urls(host["pairing"].pk) if view_needs_login(view)]
    assert len(urls) > 15
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN + "?next="), (url, response["Location"])
    assert anonymous.get(LOGIN).status_code == 200


def view_needs_login(view):
    """Views marked ``login_not_required`` keep their own check (a secret in the URL)."""
    return getattr(view, "login_required", True)


def test_open_views_refuse_a_bad_secret_without_an_error(host):
    anonymous = Client()
    opened = [url for url, view in app_urls(host["pairing"].pk) if not view_needs_login(view)]
    assert opened
    for url in opened:
        status = anonymous.get(url).status_code
        assert status in (400, 403, 404, 405), (url, status)


@pytest.mark.parametrize(
    "role, names",
    [
        ("mentee", ["wagtail_mentorat:space", "wagtail_mentorat:pairing", "wagtail_mentorat:calendar_settings", "wagtail_mentorat:privacy:page", "mentorat_notifications:settings", "mentorat_search:search"]),  # noqa: E501
        ("mentor", ["wagtail_mentorat:space", "wagtail_mentorat:pairing", "wagtail_mentorat:circles"]),  # noqa: E501
        ("manager", ["wagtail_mentorat:space", "wagtail_mentorat:manager"]),
    ],
)  # fmt: skip
def test_each_participant_reaches_their_own_pages_styled(host, role, names):
    client = client_for(host[role])
    pairing = host["pairing"]
    urls = [
        reverse(name, args=[pairing.pk]) if name.endswith(":pairing") else reverse(name)
        for name in names
    ]
    urls += [page.url for page in app_pages()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        html = response.content.decode()
        assert STYLESHEET in html, (role, url)
        assert "Hospital intranet" in html  # inside the host's own base template
        # The host publishes no user guides (DOCS_URL unset): no help link to a 404.
        assert "/docs/" not in html and "mentorat-help-link" not in html, (role, url)


def test_coordinator_and_editor_work_in_the_admin(host):
    coordinator = client_for(host["coordinator"])
    for url in (reverse("wagtailadmin_home"), reverse("mentorat_workbench")):
        response = coordinator.get(url)
        assert response.status_code == 200, url
        assert "/docs/" not in response.content.decode(), url  # no help menu to a 404
    editor = client_for(host["editor"])
    guides = GuideIndexPage.objects.live().first()
    assert editor.get(reverse("wagtailadmin_pages:edit", args=[guides.pk])).status_code == 200
    assert editor.get(reverse("mentorat_workbench")).status_code in (302, 403)
