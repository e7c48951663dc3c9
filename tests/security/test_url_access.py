"""Every URL of the project has a decided access, and the code enforces it (ASVS V8.2).

The pattern of 18F's tock (tock/tests/test_url_auth.py): walk every URL pattern of the
project — front end, Wagtail and Django admins, feeds, webhooks, exports — and fail on
any pattern that the table below does not cover. A new URL cannot land without someone
deciding who may reach it. Then each class of access is checked against what the code
actually does, with a sample address built for every pattern:

- anonymous visitors never reach anything but the PUBLIC rows;
- a participant with no admin access never reaches an admin page;
- the content editor (admin access, not programme staff) never reaches a PROGRAMME_STAFF
  page, where personal and mentoring data live;
- the coordinator reaches every PROGRAMME_STAFF page that takes no argument.
"""

import re
from fnmatch import fnmatchcase

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

pytestmark = pytest.mark.django_db

# Access classes.
PUBLIC = "public"  # anyone: the login and password-reset pages, static-like admin assets
LOGIN = "login"  # any logged-in person; record-level checks inside (tests/security/test_roles)
TOKEN = "secret address"  # no login: a secret token in the address (calendar feed)
WEBHOOK = "webhook secret"  # no login: refused without anymail's WEBHOOK_SECRET
ADMIN = "wagtail admin"  # Wagtail's admin access, then Wagtail's own model permissions
PROGRAMME_STAFF = "programme staff"  # the coordinate_programme permission (coordinators)
PRIVACY_OFFICER = "privacy officer"  # the privacy registers' own model permissions
DJANGO_ADMIN = "django admin"  # is_staff, then Django's model permissions

# (route as walked below, fnmatch-style; access; why). First match wins.
ACCESS = [
    # The login and its neighbours.
    ("connexion/", PUBLIC, "the intranet's login page"),
    ("deconnexion/", LOGIN, "log out (POST)"),
    ("i18n/setlang/", LOGIN, "the language switch; anonymous visitors keep French"),
    ("admin/login/", PUBLIC, "Wagtail's login page"),
    ("admin/logout/", PUBLIC, "Wagtail's log out"),
    ("admin/password_reset/*", PUBLIC, "Wagtail's password reset"),
    ("admin/jsi18n/", PUBLIC, "Wagtail's JavaScript translations (no data)"),
    ("admin/modeladmin/jsi18n/", PUBLIC, "wagtail-modeladmin's JavaScript translations"),
    ("admin/sprite/", PUBLIC, "Wagtail's icon sprite"),
    ("django-admin/login/", PUBLIC, "Django admin's login page"),
    ("django-admin/logout/", PUBLIC, "Django admin's log out"),
    ("django-admin/*", DJANGO_ADMIN, "Django's admin: staff accounts only"),
    ("health/", PUBLIC, "the load balancer's health check: ok or the failing part, no data"),
    # Front end: the intranet is private (IntranetLoginRequiredMiddleware).
    ("recherche/", LOGIN, "site search"),
    ("docs/", LOGIN, "the demo's user guides (built by make docs): no personal data"),
    ("docs/<path:path>", LOGIN, "a page of the user guides"),
    ("documents/authenticate_with_password/*", LOGIN, "collection password form"),
    ("documents/*", LOGIN, "documents, served by Wagtail's view with its privacy checks"),
    ("_util/authenticate_with_password/*", LOGIN, "page password form"),
    ("_util/login/", PUBLIC, "Wagtail's front-end login for restricted pages"),
    ("mentorat/courriels/reglages/", LOGIN, "the person's own email settings"),
    ("mentorat/courriels/webhooks/*", WEBHOOK, "anymail's tracking webhooks"),
    ("mentorat/calendrier/<str:token>.ics", TOKEN, "iCalendar feed: dates and titles"),
    ("mentorat/*", LOGIN, "participant and manager spaces: members only, 404 for others"),
    ("^((?:[\\w\\-]+/)*)$", LOGIN, "Wagtail's page tree (guides, programmes, training)"),
    # Our admin views: personal and mentoring data, for programme staff only.
    ("admin/mentorat/*", PROGRAMME_STAFF, "matching, reports, outbox, import, indicators"),
    ("admin/snippets/wagtail_mentorat/*", PROGRAMME_STAFF, "programmes, people, pairings"),
    (
        "admin/snippets/mentorat_notifications/emailwording/*",
        PROGRAMME_STAFF,
        "the wording of the programme's emails: its preview shows a real pairing's names",
    ),
    (
        "admin/snippets/mentorat_notifications/reminderschedule/*",
        PROGRAMME_STAFF,
        "each programme's reminder schedule, scoped to the programmes one coordinates",
    ),
    ("admin/snippets/choose/mentorat_notifications/*", PROGRAMME_STAFF, "their choosers"),
    (
        "admin/snippets/choose/wagtail_mentorat/programme/*",
        ADMIN,
        "editors pick a programme for a programme page; no personal data",
    ),
    ("admin/snippets/choose/wagtail_mentorat/expertisearea/*", ADMIN, "a vocabulary"),
    ("admin/snippets/choose/wagtail_mentorat/*", PROGRAMME_STAFF, "choosers of people's records"),
    ("admin/^wagtail_mentorat/*", PROGRAMME_STAFF, "the register of closures (modeladmin)"),
    ("admin/formation/*", PROGRAMME_STAFF, "training reports and attendance"),
    ("admin/training_sessions/*", PROGRAMME_STAFF, "training sessions and registrations"),
    ("admin/training_requests/*", PROGRAMME_STAFF, "training requests from staff"),
    # The privacy registers (wagtail_mentorat.privacy): incidents, read audit, legal holds.
    ("admin/mentorat_incidents/*", PRIVACY_OFFICER, "register of confidentiality incidents"),
    ("admin/mentorat_incident_followups/*", PRIVACY_OFFICER, "their follow-ups"),
    ("admin/mentorat_read_audit/*", PRIVACY_OFFICER, "who read which confidential record"),
    ("admin/mentorat_legal_holds/*", PRIVACY_OFFICER, "records kept past their retention"),
    # Everything else in the Wagtail admin: Wagtail's own checks.
    ("admin/*", ADMIN, "Wagtail admin: access_admin, then Wagtail's permissions"),
]

# Sample addresses for patterns the generic substitution below cannot build.
SAMPLES = {
    "mentorat/calendrier/<str:token>.ics": "mentorat/calendrier/not-a-real-secret-token-000.ics",
    "^((?:[\\w\\-]+/)*)$": "",
}


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def access_of(route):
    for glob, access, _why in ACCESS:
        if route == glob or fnmatchcase(route, glob):
            return access
    return None


_GROUP = re.compile(r"\((\?P<\w+>|\?:)?([^()]*)\)([?*]?)")


def _sample_regex(inner, quantifier):
    if quantifier:
        return ""
    if "|" in inner:
        return inner.split("|")[0]
    return "1"


def sample_path(route):
    """A concrete address that resolves to ``route``."""
    if route in SAMPLES:
        return "/" + SAMPLES[route]
    path, previous = route, None
    while previous != path:  # regular-expression groups, innermost first
        previous = path
        path = _GROUP.sub(lambda m: _sample_regex(m.group(2), m.group(3)), path)
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000001", path)
    path = re.sub(r"<(?:\w+:)?\w+>", "1", path)
    path = path.replace(".*", "zz").replace(".+", "zz")
    path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\-", "-")
    return "/" + path


def all_routes():
    return [(route, sample_path(route)) for route, _pattern in walk()]


def test_every_url_pattern_has_a_decided_access():
    undecided = sorted({route for route, _pattern in walk() if access_of(route) is None})
    assert not undecided, (
        "URL patterns with no row in tests/security/test_url_access.py ACCESS: decide who "
        "may reach each one, then add a row:\n  " + "\n  ".join(undecided)
    )


def test_every_sample_address_resolves_to_its_own_pattern():
    wrong = []
    for route, path in all_routes():
        try:
            match = resolve(path)
        except Resolver404:
            wrong.append(f"{route} -> {path} (no match)")
            continue
        if match.route.replace("^", "") != route.replace("^", ""):
            wrong.append(f"{route} -> {path} (resolves to {match.route})")
    assert not wrong, "add these to SAMPLES:\n  " + "\n  ".join(wrong)


def _refused_anonymous(access, response):
    """What an anonymous GET must get for each access class (None when it did)."""
    status, location = response.status_code, response.get("Location", "")
    if access == LOGIN:
        ok = status == 302 and location.startswith("/connexion/?next=")
    elif access in (ADMIN, PROGRAMME_STAFF, PRIVACY_OFFICER):
        ok = status == 302 and location.startswith("/admin/login/?next=")
    elif access == DJANGO_ADMIN:  # the intranet's login comes first
        ok = status == 302 and location.startswith(("/connexion/?next=", "/django-admin/login/"))
    elif access == TOKEN:
        ok = status == 404
    elif access == WEBHOOK:
        ok = status in (302, 400, 401, 403, 404, 405) and not location.startswith("http")
    else:  # PUBLIC
        ok = status < 500 and not location.startswith("/connexion/")
    return None if ok else f"{status} {location}"


def test_anonymous_visitors_reach_only_public_addresses(client, demo_site):
    wrong = []
    for route, path in all_routes():
        access = access_of(route)
        problem = _refused_anonymous(access, client.get(path))
        if problem:
            wrong.append(f"{access:16} {path}: {problem}")
    assert not wrong, "\n".join(wrong)


def test_anonymous_posts_are_refused_too(client, demo_site):
    """A POST does not slip past the login checks (e.g. a view that only checks GET)."""
    wrong = []
    for route, path in all_routes():
        access = access_of(route)
        if access in (PUBLIC, TOKEN, WEBHOOK):
            continue
        response = client.post(path, {"x": "1"})
        if response.status_code == 200 or response.status_code >= 500:
            wrong.append(f"{access:16} {path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def _refused(response):
    """Refused: a redirect to a login or the admin's home, 403, 404 or 405."""
    status = response.status_code
    if status == 302:
        return True
    return status in (403, 404, 405)


def test_a_participant_never_reaches_an_admin_page(login_as):
    client = login_as("mentore1")
    wrong = []
    for route, path in all_routes():
        if access_of(route) not in (ADMIN, PROGRAMME_STAFF, PRIVACY_OFFICER, DJANGO_ADMIN):
            continue
        response = client.get(path)
        if not _refused(response) or (
            response.status_code == 302 and "login" not in response["Location"]
        ):
            wrong.append(f"{path}: {response.status_code} {response.get('Location', '')}")
    assert not wrong, "\n".join(wrong)


def test_the_content_editor_never_reaches_programme_staff_pages(login_as, demo_users):
    """The editor has admin access for pages and documents, but nothing of a person's
    mentoring: every PROGRAMME_STAFF and PRIVACY_OFFICER address refuses them."""
    client = login_as("redaction")
    wrong = []
    for route, path in all_routes():
        if access_of(route) not in (PROGRAMME_STAFF, PRIVACY_OFFICER):
            continue
        response = client.get(path)
        if not _refused(response):
            wrong.append(f"{path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_coordinator_reaches_the_programme_staff_pages(login_as):
    client = login_as("coordination")
    wrong = []
    for route, path in all_routes():
        if access_of(route) != PROGRAMME_STAFF or "<" in route or "(?P" in route:
            continue
        if route.endswith(("/add/", "/new/", "/create/", "/create/$", "chosen-multiple/")):
            continue  # creation forms: refused by design for lifecycle-only models
        response = client.get(path)
        if response.status_code >= 400 and response.status_code != 405:
            wrong.append(f"{path}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "name",
    [
        "wagtail_mentorat:space",
        "wagtail_mentorat:manager",
        "wagtail_mentorat:calendar_settings",
        "wagtail_mentorat:my_data",
        "search",
    ],
)
def test_each_named_front_end_page_sends_anonymous_visitors_to_login(client, demo_site, name):
    from django.urls import reverse

    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")
