"""Hardening of the demo intranet: security log, login throttling, Content Security Policy.

The security log (logger ``mentorat.security``) has one line per failed login, per
lockout and per refused access. A line never holds a name, a username, an email, an IP
address or a path with a free-text part: the account and the person who was refused
appear only as a keyed pseudonym (an HMAC of the username or user id with SECRET_KEY,
cut to 12 hex digits), so that the lines of one attack can be put together by someone
who holds the key and the user list, and by nobody else.
"""

import hashlib
import hmac
import logging

from axes.backends import AxesBackend
from axes.signals import user_locked_out
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import Http404
from django.urls import reverse

logger = logging.getLogger("mentorat.security")


def pseudonym(value):
    """A stable, keyed, one-way stand-in for an identifier (never the identifier)."""
    if value in (None, ""):
        return "-"
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, str(value).strip().lower().encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


def _route(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "-"
    return match.view_name or "-"


# --- Failed logins and lockouts ------------------------------------------------------


@receiver(user_login_failed, dispatch_uid="mentorat_security_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or credentials.get("email")
    logger.warning(
        "login_failed account=%s route=%s",
        pseudonym(username),
        _route(request) if request is not None else "-",
    )


@receiver(user_locked_out, dispatch_uid="mentorat_security_locked_out")
def log_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    logger.warning("login_locked_out account=%s", pseudonym(username))


class RequestOptionalAxesBackend(AxesBackend):
    """django-axes' backend, first in AUTHENTICATION_BACKENDS: refuses a locked-out
    username + IP address before any password is checked. It never authenticates anyone
    itself (the next backend does); it is a ModelBackend for ``get_user`` and permissions,
    because some code (Wagtail's test utilities) logs in with the first backend listed.

    A call to ``authenticate()`` without a request (Django's test client ``login()``, a
    shell) has no IP address to throttle on: axes raises for it; this lets it through
    to the next backend. Every login form (the intranet's and Wagtail's) passes the
    request, so every login over HTTP is throttled.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


# --- Refused access ------------------------------------------------------------------


class SecurityLogMiddleware:
    """One ``mentorat.security`` line per refused access.

    Every 403, and every 404 raised by a view of a resolved route (a record the person
    may not see answers 404 like a record that does not exist, so both are logged; the
    page tree's own "no such page" 404s are not, they are not access decisions). In the
    Wagtail admin, a refusal is a redirect: to the admin's login for a logged-in person
    without admin access, to the admin's home (with "Sorry, you do not have permission")
    for a missing permission; both are logged with status 302.
    """

    IGNORED_ROUTES = {"wagtail_serve"}
    ADMIN_OWN_ROUTES = {"wagtailadmin_home", "wagtailadmin_login", "wagtailadmin_logout"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_security_logged", False):
            return response
        if response.status_code == 403:
            self._log(request, 403)
        elif response.status_code == 302 and self._is_admin_refusal(request, response):
            self._log(request, 302)
        return response

    def _is_admin_refusal(self, request, response):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or _route(request) in self.ADMIN_OWN_ROUTES:
            return False
        if not request.path.startswith(reverse("wagtailadmin_home")):
            return False
        location = response.get("Location", "").split("?")[0]
        return location in (reverse("wagtailadmin_home"), reverse("wagtailadmin_login"))

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            self._log(request, 403)
        elif isinstance(exception, Http404) and _route(request) not in self.IGNORED_ROUTES:
            self._log(request, 404)
        return None

    def _log(self, request, status):
        request._security_logged = True
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        logger.warning(
            "access_refused status=%s route=%s method=%s user=%s",
            status,
            _route(request),
            request.method,
            pseudonym(user_id),
        )


# --- Content Security Policy ---------------------------------------------------------


class IntranetCSPMiddleware(CSPMiddleware):
    """django-csp with one documented relaxation for the Wagtail and Django admins.

    The front end gets ``CONTENT_SECURITY_POLICY`` as it is: scripts and styles from the
    site only, no inline script, no inline style. Wagtail 8's admin still writes inline
    scripts (date pickers, inline panels) and inline styles (wagtail/wagtail#1288), so
    paths under ``CSP_ADMIN_PREFIXES`` get ``CSP_ADMIN_UPDATE`` added to the policy,
    e.g. ``'unsafe-inline'``, and may be framed by the site itself (live preview).
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        prefixes = tuple(getattr(settings, "CSP_ADMIN_PREFIXES", ()))
        if not report_only and prefixes and request.path_info.startswith(prefixes):
            update = dict(getattr(settings, "CSP_ADMIN_UPDATE", {}))
            update.update(parts.update or {})
            parts.update = update
            replace = dict(getattr(settings, "CSP_ADMIN_REPLACE", {}))
            replace.update(parts.replace or {})
            parts.replace = replace
        return parts
