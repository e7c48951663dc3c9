"""Hostile ids, existence oracle and private caching (issue 18).

- Every URL pattern of the package that names a record (front end, page routes, admin),
  with ``0``, ``-1``, ``abc``, ``1e3``, a 30-digit number and a UUID, answers 404 (never a
  500) to a coordinator of one programme, a participant and the content editor.
- Every POST field that names a record: a form error or a 404, never a 500.
- In the admin, a record outside the person's reach answers exactly like a missing one.
- Every page and export showing personal data is sent ``Cache-Control: no-store, private``.
"""

import re

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.contrib.routable_page.models import RoutablePageMixin

from home.demo_mentoring import CISSS
from tests.security.test_url_access import (
    LOGIN,
    PRIVACY_OFFICER,
    PROGRAMME_STAFF,
    access_of,
    walk,
)
from tests.test_login_required import APP_PAGE_TYPES
from wagtail_mentorat import ids, rules
from wagtail_mentorat.admin.access import scope_for
from wagtail_mentorat.models import (
    Agreement,
    Circle,
    Extension,
    MentoringRequest,
    Pairing,
    PairingState,
    ParticipantProfile,
    Programme,
    RegistrationPage,
)
from wagtail_mentorat.training.models import TrainingModulePage

pytestmark = pytest.mark.django_db

HOSTILE = ["0", "-1", "abc", "1e3", "9" * 30, "3f2c1d4e-5b6a-4c7d-8e9f-0a1b2c3d4e5f"]
PARAM = re.compile(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^()]*\)")
PEOPLE = ["coordination2", "mentore1", "redaction"]


def _address(route, value):
    path = PARAM.sub(value, route)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


def front_routes():
    return [
        route
        for route, _pattern in walk()
        if route.startswith("mentorat/") and PARAM.search(route) and access_of(route) == LOGIN
    ]


def admin_routes():
    return [
        route
        for route, _pattern in walk()
        if route.startswith("admin/")
        and PARAM.search(route)
        and (
            access_of(route) in (PROGRAMME_STAFF, PRIVACY_OFFICER)
            or route.startswith("admin/snippets/choose/wagtail_mentorat/")
        )
    ]


def page_routes():
    """Page routes of the app's page types that name a record (training sessions...)."""
    routes = []
    for model in APP_PAGE_TYPES:
        page = model.objects.live().first()
        if isinstance(page, RoutablePageMixin):
            for route in page.get_subpage_urls():
                if route.pattern.converters:
                    routes.append(page.url + str(route.pattern))
    return routes


def test_the_walk_finds_the_known_addresses(demo_site):
    """The walk covers the addresses where 500s were seen (a walk of nothing passes)."""
    front, admin = front_routes(), admin_routes()
    assert "mentorat/cercles/<mentorat_id:pk>/" in front
    assert "mentorat/gestion/jumelages/<mentorat_id:pk>/" in front
    assert any(r.startswith("admin/^wagtail_mentorat/pairing/edit/") for r in admin)
    assert any(r.startswith("admin/snippets/wagtail_mentorat/pairing/inspect/") for r in admin)
    assert any("seances/" in r for r in page_routes())


@pytest.mark.parametrize("username", PEOPLE)
def test_hostile_ids_answer_404_everywhere(login_as, username):
    client = login_as(username)
    participant = username == "mentore1"
    wrong = []
    front = front_routes() + [r.lstrip("/") for r in page_routes()]
    for route in front + admin_routes():
        in_admin = route.startswith("admin/")
        for value in HOSTILE:
            path = _address(route, value)
            for method in (client.get, client.post):
                response = method(path)
                status = response.status_code
                if in_admin and participant:
                    # No admin access: Wagtail sends every admin address to its login.
                    ok = status == 302 and "/admin/login/" in response["Location"]
                else:
                    ok = status == 404
                if not ok:
                    wrong.append(f"{method.__name__.upper()} {path}: {status}")
    assert not wrong, "\n".join(wrong)


def test_parse_id_accepts_only_ids_a_record_can_have():
    assert ids.parse_id("42") == 42
    assert ids.parse_id(42) == 42
    assert ids.parse_id(str(ids.BIGINT_MAX)) == ids.BIGINT_MAX
    for value in [*HOSTILE, str(ids.BIGINT_MAX + 1), "", None, True, " 1", "١٢", "²"]:
        assert ids.parse_id(value) is None, value


# ------------------------------------------------------------------ POST fields naming ids


def _manager_pairing(demo_users):
    manager = demo_users["gestionnaire"]
    for pairing in Pairing.objects.select_related("programme"):
        if rules.is_manager_of(manager, pairing.mentee):
            return pairing
    pytest.fail("the demo has no pairing of the manager's staff")


def _errors(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


@pytest.mark.parametrize("value", [*HOSTILE, str(ids.BIGINT_MAX + 1)])
def test_manager_decision_with_a_hostile_extension_is_an_error(login_as, demo_users, value):
    pairing = _manager_pairing(demo_users)
    approved = Extension.objects.filter(status=Extension.Status.APPROVED).count()
    response = login_as("gestionnaire").post(
        f"/mentorat/gestion/jumelages/{pairing.pk}/",
        {"what": "extension", "decision": "approve", "extension": value},
    )
    assert response.status_code == 302
    with translation.override("fr"):
        assert _errors(response) == [_("This extension is not waiting for a decision.")]
    assert Extension.objects.filter(status=Extension.Status.APPROVED).count() == approved


@pytest.mark.parametrize("value", [*HOSTILE, str(ids.BIGINT_MAX + 1)])
def test_manager_assignment_with_a_hostile_mentor_is_an_error(login_as, demo_users, value):
    pairing = _manager_pairing(demo_users)
    mentoring_request = MentoringRequest.objects.create(
        programme=pairing.programme, mentee=pairing.mentee, need="Un besoin."
    )
    response = login_as("gestionnaire").post(
        f"/mentorat/gestion/demandes/{mentoring_request.pk}/assigner/", {"mentor": value}
    )
    assert response.status_code == 302
    with translation.override("fr"):
        assert _errors(response) == [_("Choose a suggested mentor.")]
    mentoring_request.refresh_from_db()
    assert mentoring_request.status == MentoringRequest.Status.OPEN


@pytest.mark.parametrize("value", [*HOSTILE, str(ids.BIGINT_MAX + 1)])
def test_workbench_posts_with_hostile_ids_are_errors_or_404(login_as, value):
    client = login_as("coordination")
    programme = Programme.objects.get(name=CISSS)
    url = f"/admin/mentorat/jumelage/?programme={programme.pk}"
    for data in ({"confirm": value}, {"refuse": value}, {"assign": f"{value}:{value}"}):
        response = client.post(url, data)
        assert response.status_code in (302, 404), (data, response.status_code)
    good_request = MentoringRequest.objects.filter(programme=programme).first().pk
    response = client.post(url, {"assign": f"{good_request}:{value}"})
    assert response.status_code in (302, 404)
    response = client.get(f"/admin/mentorat/jumelage/?programme={value}")
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["0", "abc", "9" * 30, str(ids.BIGINT_MAX + 1)])
def test_hidden_id_fields_refuse_hostile_values(login_as, demo_users, value):
    """The circle's join decision, the help request answered, the thread's answer."""
    circle = Circle.objects.select_related("pairing").first()
    leader = circle.pairing.mentors[0]
    response = login_as(leader.username).post(
        f"/mentorat/cercles/{circle.pk}/", {"action": "accept_join", "join_request": value}
    )
    assert response.status_code < 500
    pairing = Pairing.objects.get(members__user=demo_users["mentore1"], members__role="mentee")
    client = login_as("mentore1")
    for data in (
        {"action": "answer", "help_request": value, "answer": "Voici."},
        {"body": "Bonjour.", "answers": value},
    ):
        for url in (f"/mentorat/jumelages/{pairing.pk}/", f"/mentorat/conversations/{pairing.pk}/"):
            assert client.post(url, data).status_code < 500, (url, data)


# ------------------------------------------------------------------ no existence oracle

SNIPPET_ROUTE = re.compile(r"^admin/snippets/(?:choose/)?wagtail_mentorat/(\w+)/")
# Open to anyone with admin access by design (editors pick a programme; a vocabulary).
OPEN_CHOOSERS = ("programme", "expertisearea")


def _existing_outside_reach(route, user):
    """An existing record this route names that ``user`` may not reach, else None."""
    match = SNIPPET_ROUTE.match(route)
    if route.startswith("admin/^wagtail_mentorat/pairing/"):
        rows = Pairing.objects.filter(state=PairingState.CLOSED)
    elif match:
        rows = apps.get_model("wagtail_mentorat", match.group(1))._default_manager.all()
    else:
        return None
    if route.startswith("admin/snippets/choose/") and match.group(1) in OPEN_CHOOSERS:
        return None
    if rules.is_coordinator(user):
        rows = rows.exclude(pk__in=scope_for(rows.model, user).values("pk"))
    return rows.order_by("pk").first()


@pytest.mark.parametrize("username", ["coordination2", "redaction", "confidentialite"])
def test_a_record_out_of_reach_answers_like_a_missing_one(login_as, demo_users, username):
    user = demo_users[username]
    client = login_as(username)
    compared, wrong = 0, []
    for route in admin_routes():
        record = _existing_outside_reach(route, user)
        if record is None:
            continue
        missing = record._meta.model._default_manager.order_by("-pk").first().pk + 10_000
        existing = client.get(_address(route, str(record.pk)))
        absent = client.get(_address(route, str(missing)))
        compared += 1
        same = existing.status_code == absent.status_code == 404
        if not same or abs(len(existing.content) - len(absent.content)) > 64:
            wrong.append(
                f"{route}: {existing.status_code} ({len(existing.content)} bytes) "
                f"for #{record.pk}, {absent.status_code} ({len(absent.content)}) for a missing id"
            )
    assert compared >= 20, compared
    assert not wrong, "\n".join(wrong)


def test_the_closure_register_cannot_be_edited_by_anyone(login_as):
    closed = Pairing.objects.filter(state=PairingState.CLOSED).first()
    client = login_as("coordination")
    assert client.get(f"/admin/wagtail_mentorat/pairing/inspect/{closed.pk}/").status_code == 200
    for action in ("edit", "delete"):
        response = client.get(f"/admin/wagtail_mentorat/pairing/{action}/{closed.pk}/")
        assert response.status_code == 404


# ------------------------------------------------------------------ private pages


def _is_private(response):
    tokens = {t.strip() for t in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= tokens


def test_every_personal_page_and_export_is_not_stored(login_as, demo_users):
    pairing = Pairing.objects.get(members__user=demo_users["mentore1"], members__role="mentee")
    agreement = Agreement.objects.filter(pairing=pairing).first()
    circle = Circle.objects.filter(pairing__members__user=demo_users["mentore1"]).first()
    pages = {
        "mentore1": [
            "/mentorat/",
            f"/mentorat/jumelages/{pairing.pk}/",
            f"/mentorat/conversations/{pairing.pk}/",
            "/mentorat/cercles/",
            "/mentorat/calendrier/",
            "/mentorat/mes-donnees/",
            "/mentorat/confidentialite/",
            "/mentorat/confidentialite/mes-donnees.json",
            "/mentorat/confidentialite/mes-donnees.csv",
            "/mentorat/courriels/reglages/",
            RegistrationPage.objects.live().first().url,
            TrainingModulePage.objects.live().first().url,
        ],
        "gestionnaire": ["/mentorat/gestion/"],
    }
    if agreement is not None:
        pages["mentore1"].append(f"/mentorat/ententes/{agreement.pk}/imprimer/")
    if circle is not None:
        pages["mentore1"].append(f"/mentorat/cercles/{circle.pk}/")
    wrong = []
    for username, paths in pages.items():
        client = login_as(username)
        for path in paths:
            response = client.get(path)
            if response.status_code != 200 or not _is_private(response):
                wrong.append(f"{path}: {response.status_code} {response.get('Cache-Control')}")
    assert not wrong, "\n".join(wrong)


def test_the_calendar_feed_is_kept_by_no_shared_cache(client, demo_users):
    profile = ParticipantProfile.objects.get(user=demo_users["mentore1"])
    profile.calendar_token = "a-secret-token-of-the-test-000000"
    profile.save(update_fields=["calendar_token"])
    response = client.get(f"/mentorat/calendrier/{profile.calendar_token}.ics")
    assert response.status_code == 200
    tokens = {t.strip() for t in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= tokens
