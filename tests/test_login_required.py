"""The app protects itself (issue 16, item 2): without the demo's login middleware, every
front-end view, page and page route of the app sends an anonymous visitor to the host's
login page; only the views with a secret of their own stay open.

Run against the demo with ``IntranetLoginRequiredMiddleware`` removed: a host without it.
"""

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.conf import Settings, global_settings
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import PageViewRestriction

from wagtail_mentorat.auth import login_url
from wagtail_mentorat.guides.models import GuideIndexPage, GuidePage, ProgrammePage
from wagtail_mentorat.models import (
    Agreement,
    Circle,
    Meeting,
    MentoringRequest,
    Pairing,
    ParticipantProfile,
    RegistrationPage,
)
from wagtail_mentorat.training.models import (
    LearningPathPage,
    TrainingIndexPage,
    TrainingModulePage,
    TrainingSession,
)

pytestmark = pytest.mark.django_db

BOGUS_TOKEN = "not-a-real-secret-token-000"
APP_PAGE_TYPES = [
    RegistrationPage,
    TrainingIndexPage,
    LearningPathPage,
    TrainingModulePage,
    GuideIndexPage,
    GuidePage,
    ProgrammePage,
]


@pytest.fixture(autouse=True)
def host_without_login_middleware(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "IntranetLoginRequired" not in m]


@pytest.fixture
def host_without_login_url(settings, monkeypatch):
    """A host whose settings name neither ``LOGIN_URL`` nor ``WAGTAIL_FRONTEND_LOGIN_URL``
    (the demo's name both): Django's default value, not marked as set by the host."""
    base = django_settings._wrapped
    while not isinstance(base, Settings):
        base = base.default_settings
    unset = {"LOGIN_URL", "WAGTAIL_FRONTEND_LOGIN_URL"}
    monkeypatch.setattr(base, "_explicit_settings", base._explicit_settings - unset)
    monkeypatch.setattr(base, "LOGIN_URL", global_settings.LOGIN_URL)
    monkeypatch.delattr(base, "WAGTAIL_FRONTEND_LOGIN_URL")
    assert not django_settings.is_overridden("LOGIN_URL")


# ------------------------------------------------------------------ the app's addresses


def app_patterns(resolver=None, namespace="", route=""):
    """(URL name, pattern) of every front-end view of the package mounted by the project
    (its admin views are the Wagtail admin's, which checks access itself)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        full_route = route + str(pattern.pattern)
        if full_route.startswith(("admin/", "django-admin/")):
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from app_patterns(pattern, inner, full_route)
        elif pattern.lookup_str.startswith("wagtail_mentorat."):
            yield f"{namespace}{pattern.name}", pattern


def sample_kwargs():
    """Existing ids of the demo for each URL parameter, by URL name."""
    meeting = Meeting.objects.select_related("pairing").first()
    pairing = meeting.pairing
    mentoring_request = MentoringRequest.objects.first()
    return {
        "wagtail_mentorat:pairing": {"pk": pairing.pk},
        "wagtail_mentorat:edit_meeting": {"pk": pairing.pk, "meeting_pk": meeting.pk},
        "wagtail_mentorat:agreement_print": {"pk": Agreement.objects.first().pk},
        "wagtail_mentorat:request_mentors": {"pk": mentoring_request.pk},
        "wagtail_mentorat:manager_decide": {"pk": pairing.pk},
        "wagtail_mentorat:manager_assign": {"pk": mentoring_request.pk},
        "wagtail_mentorat:manager_team": {"pk": mentoring_request.pk},
        "wagtail_mentorat:manager_transfer": {"pk": pairing.pk},
        "wagtail_mentorat:circle": {"pk": Circle.objects.first().pk},
        "wagtail_mentorat:thread": {"pk": pairing.pk},
        "wagtail_mentorat:calendar": {"token": BOGUS_TOKEN},
        # The demo plans no meeting: any id does, the login comes before the look-up.
        "wagtail_mentorat:answer_proposal": {"pk": pairing.pk, "proposal_pk": 1},
        "wagtail_mentorat:planned_meeting": {"pk": pairing.pk, "planned_pk": 1},
    }


def app_urls():
    """{URL name: (sample address, stays open)} for every view of the package."""
    samples = sample_kwargs()
    urls = {}
    for name, pattern in app_patterns():
        if pattern.pattern.converters and name not in samples:
            pytest.fail(f"add a sample for {name} ({pattern.pattern}) to sample_kwargs()")
        path = reverse(name, kwargs=samples.get(name))
        urls[name] = (path, getattr(pattern.callback, "login_required", True) is False)
    return urls


def app_page_urls():
    """The address of one live page of each app page type, and of each page route."""
    session = TrainingSession.objects.first()
    urls = []
    for model in APP_PAGE_TYPES:
        page = model.objects.live().first()
        assert page is not None, f"the demo has no live {model.__name__}"
        urls.append(page.url)
        if isinstance(page, RoutablePageMixin):
            for route in page.get_subpage_urls():
                ids = [session.pk] * len(route.pattern.converters)
                urls.append(page.url + page.reverse_subpage(route.name, args=ids))
    return urls


def assert_sent_to_login(response, path, login="/connexion/"):
    assert response.status_code == 302, f"{path}: {response.status_code}"
    location = urlsplit(response["Location"])
    assert location.path == login, f"{path}: {response['Location']}"
    assert parse_qs(location.query)["next"] == [path]


# ------------------------------------------------------------------------ the login


def test_the_hosts_login_url_wins(demo_site, client, settings):
    assert login_url() == reverse("login") == "/connexion/"  # the demo's LOGIN_URL = "login"
    settings.LOGIN_URL = "/sso/connexion/"
    assert login_url() == "/sso/connexion/"
    path = reverse("wagtail_mentorat:space")
    assert_sent_to_login(client.get(path), path, login="/sso/connexion/")
    page_url = TrainingIndexPage.objects.live().first().url
    assert_sent_to_login(client.get(page_url), page_url, login="/sso/connexion/")


def test_without_a_login_url_wagtails_front_end_login_is_used(
    demo_site, client, host_without_login_url
):
    assert login_url() == reverse("wagtailcore_login") == "/_util/login/"
    path = reverse("wagtail_mentorat:space")
    assert_sent_to_login(client.get(path), path, login="/_util/login/")
    page_url = TrainingModulePage.objects.live().first().url
    assert_sent_to_login(client.get(page_url), page_url, login="/_util/login/")
    assert client.get("/_util/login/").status_code == 200


def test_wagtails_front_end_login_url_is_used_when_set(host_without_login_url, settings):
    settings.WAGTAIL_FRONTEND_LOGIN_URL = "/portail/connexion/"
    assert login_url() == "/portail/connexion/"


def test_the_login_page_answers(client):
    assert client.get(login_url()).status_code == 200


# ------------------------------------------------------------------ anonymous visitors


def test_every_app_view_sends_anonymous_visitors_to_the_login(demo_site, client):
    urls = app_urls()
    for name in ("wagtail_mentorat:space", "wagtail_mentorat:privacy:page", "search"):
        assert name in urls  # the walk found the app's views (and the demo's search)
    assert "mentorat_notifications:settings" in urls
    for path, stays_open in urls.values():
        if not stays_open:
            assert_sent_to_login(client.get(path), path)


def test_every_app_page_and_route_sends_anonymous_visitors_to_the_login(demo_site, client):
    urls = app_page_urls()
    assert len(urls) > len(APP_PAGE_TYPES)  # the routes are there too
    for path in urls:
        assert_sent_to_login(client.get(path), path)


def snapshot():
    """Every row of the app's models."""
    rows = {}
    for config in apps.get_app_configs():
        if config.name.startswith("wagtail_mentorat"):
            for model in config.get_models():
                rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def test_an_anonymous_post_changes_nothing(demo_site, client):
    session = TrainingSession.objects.first()
    data = {
        "decision": "confirm",
        "notice_version": "2026-01",
        "purpose": "matching",
        "action": "submit",
        "role": "mentee",
        "topic": "Un sujet",
        "body": "Un message",
        "session": session.pk,
    }
    before = snapshot()
    paths = [path for path, stays_open in app_urls().values() if not stays_open]
    for path in paths + app_page_urls():
        assert_sent_to_login(client.post(path, data), path)
    assert snapshot() == before


def test_a_restricted_training_page_sends_anonymous_visitors_to_the_same_login(demo_users, client):
    module = TrainingModulePage.objects.live().first()
    for kind in (PageViewRestriction.LOGIN, PageViewRestriction.GROUPS):
        restriction = PageViewRestriction.objects.create(page=module, restriction_type=kind)
        if kind == PageViewRestriction.GROUPS:
            restriction.groups.add(Group.objects.create(name="Un autre groupe"))
        assert_sent_to_login(client.get(module.url), module.url)
        restriction.delete()


def test_a_login_restriction_lets_a_logged_in_person_in(client_for):
    module = TrainingModulePage.objects.live().first()
    PageViewRestriction.objects.create(page=module, restriction_type=PageViewRestriction.LOGIN)
    assert client_for("mentore1").get(module.url).status_code == 200


def anonymous_request(path="/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = {}
    return request


def test_the_pages_fail_cleanly_when_served_without_the_hook(demo_site):
    """``serve()`` checks too, and the training index lists nobody's records."""
    from wagtail_mentorat.training.views import index_context

    for model in APP_PAGE_TYPES:
        page = model.objects.live().first()
        response = page.serve(anonymous_request(page.url))
        assert_sent_to_login(response, page.url)
    index = TrainingIndexPage.objects.live().first()
    context = index_context(index, anonymous_request(index.url))
    assert not list(context["my_requests"])
    assert all(status["completion"] is None for _module, status in context["modules"])


# ------------------------------------------------------------------------ open views


@pytest.mark.parametrize("demo_middleware", [False, True])
def test_the_calendar_feed_stays_open_and_refuses_a_bad_token(
    demo_users, client, settings, demo_middleware
):
    if demo_middleware:
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE,
            "intranet.middleware.IntranetLoginRequiredMiddleware",
        ]
    profile = ParticipantProfile.objects.get(user=demo_users["mentore1"])
    profile.calendar_token = "a-real-secret-token-for-the-test-0123"
    profile.save(update_fields=["calendar_token"])
    bad = client.get(reverse("wagtail_mentorat:calendar", args=[BOGUS_TOKEN]))
    assert bad.status_code == 404
    good = client.get(reverse("wagtail_mentorat:calendar", args=[profile.calendar_token]))
    assert good.status_code == 200
    assert good["Content-Type"].startswith("text/calendar")


@pytest.mark.parametrize("demo_middleware", [False, True])
def test_the_webhooks_stay_open_and_refuse_a_bad_secret(db, client, settings, demo_middleware):
    if demo_middleware:
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE,
            "intranet.middleware.IntranetLoginRequiredMiddleware",
        ]
    url = "/mentorat/courriels/webhooks/postmark/tracking/"
    settings.ANYMAIL = {}
    assert client.post(url, "{}", content_type="application/json").status_code == 403
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:s3cret"}
    wrong = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"user:wrong").decode()}
    assert client.post(url, "{}", content_type="application/json", **wrong).status_code == 400


# ------------------------------------------------------------------------ logged in


def test_a_logged_in_person_still_reaches_their_own_pages(client_for, demo_users):
    mentee = demo_users["mentore1"]
    client = client_for("mentore1")
    pairing = Pairing.objects.get(members__user=mentee, members__role="mentee")
    paths = [
        reverse("wagtail_mentorat:space"),
        reverse("wagtail_mentorat:pairing", args=[pairing.pk]),
        reverse("wagtail_mentorat:calendar_settings"),
        reverse("wagtail_mentorat:circles"),
        reverse("wagtail_mentorat:privacy:page"),
        reverse("mentorat_notifications:settings"),
        reverse("search") + "?query=mentorat",
        *(model.objects.live().first().url for model in APP_PAGE_TYPES),
    ]
    for path in paths:
        assert client.get(path).status_code == 200, path
