"""Role × endpoint × object owner (OWASP ASVS 5.0 V8.2.2, record level).

The record: the demo's active pairing of ``mentore1`` (mentee) and ``mentor1`` (mentor),
in the CISSS programme, with meetings; ``gestionnaire`` manages the mentee. Around it:
the participants of another pairing (``mentore2``, ``mentor2``), the manager of another
unit (``gestionnaire2``), the coordinator of both programmes (``coordination``), the
coordinator of the other programme only (``coordination2``), the content editor, a
superuser, and the owner of an open request (``mentore5``, managed by ``gestionnaire2``).

Another person's record answers 404, never 403: a 403 would tell that the record exists.

``test_programme_scope.py`` goes through every programme-staff screen for the coordinator
of another programme.
"""

import re

import pytest

from wagtail_mentorat.models import Meeting, MentoringRequest

pytestmark = pytest.mark.django_db

ROLES = [
    None,  # anonymous
    "mentore1",  # the mentee
    "mentor1",  # the mentor
    "mentore2",  # a participant of another pairing
    "mentor2",  # the mentor of another pairing
    "gestionnaire",  # the mentee's manager
    "gestionnaire2",  # the manager of another unit
    "coordination",  # programme staff
    "coordination2",  # programme staff of the other programme only
    "redaction",  # content editor (Wagtail admin, no mentoring permission)
    "superuser",
    "mentore5",  # owner of an open request
]

OK, GONE, LOGIN, ADMIN_LOGIN, REDIRECT = "ok", 404, "login", "admin login", "redirect"
MEMBERS = {"mentore1", "mentor1"}
STAFF = {"coordination", "superuser"}


def _expected(endpoint, role):
    if role is None:
        return ADMIN_LOGIN if endpoint.startswith("admin") else LOGIN
    if endpoint in ("pairing", "thread", "agreement_print", "edit_meeting"):
        return OK if role in MEMBERS else GONE
    if endpoint == "manager_decide":
        return OK if role == "gestionnaire" else GONE
    if endpoint == "request_mentors":
        return OK if role == "mentore5" else GONE
    if endpoint == "manager_assign":
        return OK if role == "gestionnaire2" else GONE
    if endpoint == "circle":  # a pairing is not a circle, for anyone
        return GONE
    if endpoint.startswith("admin"):
        if role == "coordination2":  # profiles are the organisation's pool; the rest is not his
            return OK if endpoint == "admin_profile_chooser" else GONE
        if role in STAFF:
            return OK
        if role == "redaction":  # admin access, no permission: a named record is missing
            return REDIRECT if endpoint == "admin_profile_chooser" else GONE
        return ADMIN_LOGIN  # no admin access at all
    raise AssertionError(endpoint)


@pytest.fixture
def endpoints(pairing_of, demo_users):
    pairing = pairing_of("mentore1")
    meeting = Meeting.objects.filter(pairing=pairing).first()
    request = MentoringRequest.objects.get(
        mentee=demo_users["mentore5"], status=MentoringRequest.Status.OPEN
    )
    admin = "/admin/snippets/wagtail_mentorat"
    return {
        "pairing": ("GET", f"/mentorat/jumelages/{pairing.pk}/"),
        "thread": ("GET", f"/mentorat/conversations/{pairing.pk}/"),
        "agreement_print": ("GET", f"/mentorat/ententes/{pairing.agreement.pk}/imprimer/"),
        "edit_meeting": ("POST", f"/mentorat/jumelages/{pairing.pk}/rencontres/{meeting.pk}/"),
        "manager_decide": ("POST", f"/mentorat/gestion/jumelages/{pairing.pk}/"),
        "request_mentors": ("GET", f"/mentorat/demandes/{request.pk}/mentors/"),
        "manager_assign": ("POST", f"/mentorat/gestion/demandes/{request.pk}/assigner/"),
        "circle": ("GET", f"/mentorat/cercles/{pairing.pk}/"),
        "admin_pairing_inspect": ("GET", f"{admin}/pairing/inspect/{pairing.pk}/"),
        "admin_pairing_history": ("GET", f"{admin}/pairing/history/{pairing.pk}/"),
        "admin_agreement_inspect": ("GET", f"{admin}/agreement/inspect/{pairing.agreement.pk}/"),
        "admin_closure_history": ("GET", f"/admin/wagtail_mentorat/pairing/history/{pairing.pk}/"),
        "admin_profile_chooser": (
            "GET",
            "/admin/snippets/choose/wagtail_mentorat/participantprofile/",
        ),
    }


def _outcome(response):
    status, location = response.status_code, response.get("Location", "")
    if status == 404:
        return GONE
    if status == 302 and location.startswith("/connexion/"):
        return LOGIN
    if status == 302 and location.startswith("/admin/login/"):
        return ADMIN_LOGIN
    if status == 403:
        return 403
    if status == 302 and location.startswith("/admin/"):
        return REDIRECT
    return OK if status in (200, 302, 400) else status


def test_the_role_matrix(login_as, endpoints):
    wrong = []
    for role in ROLES:
        client = login_as(role)
        for name, (method, path) in endpoints.items():
            response = client.get(path) if method == "GET" else client.post(path, {})
            got, expected = _outcome(response), _expected(name, role)
            if name == "admin_closure_history" and role in STAFF:
                expected = GONE  # the register holds closed pairings only
            if got != expected:
                wrong.append(f"{role or 'anonymous':14} {name:24} expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_a_missing_record_and_a_forbidden_one_look_the_same(login_as, pairing_of):
    """Same status, same body: nothing tells an outsider that the pairing exists."""
    client = login_as("mentore2")
    pk = pairing_of("mentore1").pk
    existing = client.get(f"/mentorat/jumelages/{pk}/")
    missing = client.get("/mentorat/jumelages/987654/")
    assert existing.status_code == missing.status_code == 404

    def page(response, pk):  # less the address itself and the per-response CSRF mask
        html = response.content.decode().replace(f"/jumelages/{pk}/", "/jumelages/ID/")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert page(existing, pk) == page(missing, 987654)


def test_the_manager_space_shows_only_the_managers_own_staff(login_as, demo_users):
    own = login_as("gestionnaire").get("/mentorat/gestion/").content.decode()
    other = login_as("gestionnaire2").get("/mentorat/gestion/").content.decode()
    assert "Pelletier" in own  # mentore1 reports to gestionnaire
    assert "Pelletier" not in other
    assert "Girard" in other and "Girard" not in own  # mentore5 reports to gestionnaire2
