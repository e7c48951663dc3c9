"""Hardening (issue #10): CSP, framing, login throttling, security log, documents."""

import datetime
import logging
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection

from home import demo

pytestmark = pytest.mark.django_db
BASE_DIR = Path(settings.BASE_DIR)

# --- Content Security Policy and framing ---------------------------------------------


def _directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "path", ["/", "/mentorat/", "/mentorat/gestion/", "/recherche/?query=mentorat"]
)
def test_front_end_pages_carry_a_csp_with_no_inline_script_or_style(login_as, path):
    response = login_as("gestionnaire").get(path)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_login_page_carries_the_strict_policy_too(client, demo_site):
    response = client.get(reverse("login"))
    assert _directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_the_admin_gets_the_documented_relaxation_only(login_as):
    response = login_as("redaction").get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'self'"]  # Wagtail's live preview
    assert policy["object-src"] == ["'none'"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"""<[^>]+\s(on[a-z]+)\s*=\s*["']""", re.I)
INLINE_STYLE = re.compile(r"""<[^>]+\sstyle\s*=\s*["']""", re.I)


def _is_admin_folder(folder):
    return any('{% extends "wagtailadmin/' in t.read_text() for t in folder.glob("*.html"))


def _front_end_templates():
    """Templates rendered on the front end: everything but the admins' and emails' (a
    folder where one template extends Wagtail's admin is an admin folder)."""
    roots = [BASE_DIR / "templates"] + [
        path
        for app in ("wagtail_mentorat", "home", "search")
        for path in (BASE_DIR / app).rglob("templates")
        if ".venv" not in path.parts
    ]
    for root in roots:
        for template in root.rglob("*.html"):
            parts = set(template.relative_to(root).parts)
            if parts & {"admin", "email", "emails", "wagtailadmin"}:
                continue
            if _is_admin_folder(template.parent):
                continue
            yield template


def test_front_end_templates_have_no_inline_script_handler_or_style():
    found = []
    for template in _front_end_templates():
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE):
            found += [
                f"{template.relative_to(BASE_DIR)}: {m.group(0)[:80]}"
                for m in pattern.finditer(text)
            ]
    assert not found, "move these to a static file:\n" + "\n".join(found)


def test_rendered_front_end_pages_have_no_inline_script(login_as, pairing_of):
    client = login_as("mentore1")
    pairing = pairing_of("mentore1")
    for path in (
        "/",
        "/mentorat/",
        reverse("wagtail_mentorat:pairing", args=[pairing.pk]),
        reverse("wagtail_mentorat:agreement_print", args=[pairing.agreement.pk]),
        reverse("wagtail_mentorat:calendar_settings"),
    ):
        html = client.get(path).content.decode()
        assert not INLINE_SCRIPT.findall(html), path
        assert not INLINE_HANDLER.findall(html), path


def test_no_staff_email_hash_goes_to_gravatar(login_as):
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    html = login_as("coordination").get(reverse("wagtailadmin_home")).content.decode()
    assert "gravatar" not in html.lower()


# --- Login throttling (django-axes) --------------------------------------------------


def _login(username, password, ip):
    client = Client(REMOTE_ADDR=ip)
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failures_lock_out_that_username_from_that_address_only(demo_site):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        assert _login("mentore1", "wrong", "10.1.1.1").status_code == 200
    assert _login("mentore1", "wrong", "10.1.1.1").status_code == 429  # the fifth
    # Locked out: even the right password is refused from that address, in French.
    locked = _login("mentore1", demo.DEMO_PASSWORD, "10.1.1.1")
    assert locked.status_code == 429
    assert "Trop de tentatives" in locked.content.decode()
    assert "mentore1" not in locked.content.decode()
    # The hospital behind the same NAT address is not locked out...
    assert _login("mentore2", demo.DEMO_PASSWORD, "10.1.1.1").status_code == 302
    # ... and the attacked account still works from the person's own computer.
    assert _login("mentore1", demo.DEMO_PASSWORD, "10.2.2.2").status_code == 302


def test_the_lockout_ends_after_the_cool_off_time(demo_site):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("mentor1", "wrong", "10.3.3.3")
    assert _login("mentor1", demo.DEMO_PASSWORD, "10.3.3.3").status_code == 429
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    past = timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=past)
    for attempt in AccessAttempt.objects.select_related("expiration"):
        if getattr(attempt, "expiration", None):
            attempt.expiration.expires_at = past
            attempt.expiration.save()
    assert _login("mentor1", demo.DEMO_PASSWORD, "10.3.3.3").status_code == 302


def test_the_wagtail_admin_login_is_throttled_too(demo_site):
    client = Client(REMOTE_ADDR="10.4.4.4")
    url = reverse("wagtailadmin_login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "coordination", "password": "wrong"})
    response = client.post(url, {"username": "coordination", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 429


# --- Security log --------------------------------------------------------------------


def _security_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "mentorat.security"]


def test_a_failed_login_is_logged_without_the_username(demo_site, caplog):
    caplog.set_level(logging.INFO, logger="mentorat.security")
    _login("mentore1", "wrong", "10.5.5.5")
    lines = _security_lines(caplog)
    assert len(lines) == 1
    assert lines[0].startswith("login_failed account=")
    assert "mentore1" not in lines[0] and "10.5.5.5" not in lines[0]
    assert "Pelletier" not in lines[0]


def test_a_lockout_is_logged(demo_site, caplog):
    caplog.set_level(logging.INFO, logger="mentorat.security")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login("mentore2", "wrong", "10.6.6.6")
    assert any(line.startswith("login_locked_out") for line in _security_lines(caplog))


def test_a_refused_record_is_logged_as_a_404_without_personal_data(login_as, pairing_of, caplog):
    caplog.set_level(logging.INFO, logger="mentorat.security")
    pairing = pairing_of("mentore1")
    response = login_as("mentore2").get(reverse("wagtail_mentorat:pairing", args=[pairing.pk]))
    assert response.status_code == 404
    lines = _security_lines(caplog)
    assert len(lines) == 1
    assert "access_refused status=404 route=wagtail_mentorat:pairing method=GET" in lines[0]
    assert "mentore2" not in lines[0] and "Benali" not in lines[0]


def test_a_refusal_in_the_wagtail_admin_is_logged(login_as, caplog):
    caplog.set_level(logging.INFO, logger="mentorat.security")
    path = "/admin/snippets/choose/wagtail_mentorat/participantprofile/"
    # Wagtail answers 403 to its JavaScript, and redirects a page view to its home.
    ajax = login_as("redaction").get(path, headers={"x-requested-with": "XMLHttpRequest"})
    assert ajax.status_code == 403
    page = login_as("redaction").get(path)
    assert page.status_code == 302
    no_admin = login_as("mentore1").get(reverse("wagtailadmin_home"))
    assert no_admin.status_code == 302
    lines = _security_lines(caplog)
    assert any("access_refused status=403" in line for line in lines)
    assert sum("access_refused status=302" in line for line in lines) == 1
    assert "redaction" not in " ".join(lines)


def test_ordinary_admin_redirects_are_not_security_events(login_as, caplog):
    caplog.set_level(logging.INFO, logger="mentorat.security")
    client = login_as("redaction")
    assert client.get(reverse("wagtailadmin_login")).status_code == 302  # already in
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert _security_lines(caplog) == []


def test_an_unknown_page_of_the_tree_is_not_a_security_event(login_as, caplog):
    caplog.set_level(logging.INFO, logger="mentorat.security")
    assert login_as("mentore1").get("/pas-de-page-ici/").status_code == 404
    assert _security_lines(caplog) == []


# --- Documents -----------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(client, name, content):
    return client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Guide",
            "file": SimpleUploadedFile(name, content),
            "collection": Collection.get_first_root_node().pk,
        },
    )


@pytest.mark.parametrize("name", ["page.html", "image.svg", "script.js", "outil.exe"])
def test_a_document_with_an_extension_off_the_allow_list_is_refused(login_as, media, name):
    response = _upload(login_as("superuser"), name, b"<script>alert(1)</script>")
    assert response.status_code == 200  # the form again, with its error
    assert not get_document_model().objects.filter(title="Guide").exists()


def test_a_document_over_the_size_limit_is_refused(login_as, media, settings):
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024
    response = _upload(login_as("superuser"), "guide.pdf", b"%PDF-1.4 " + b"x" * 2048)
    assert response.status_code == 200
    assert not get_document_model().objects.filter(title="Guide").exists()


def test_an_allowed_document_is_served_by_wagtail_behind_the_login(login_as, media, client):
    response = _upload(login_as("superuser"), "guide.pdf", b"%PDF-1.4 guide")
    assert response.status_code == 302
    document = get_document_model().objects.get(title="Guide")
    assert document.url.startswith("/documents/")  # the serve view, not /media/
    assert client.get(document.url)["Location"].startswith("/connexion/")
    served = login_as("mentore1").get(document.url)
    assert served.status_code == 200
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'"
