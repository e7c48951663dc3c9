"""The app protects itself: every front-end view and page needs a login, whatever the host's
middleware. Anonymous visitors are sent to the host's login page.

- ``login_required``: for the app's views (Django's decorator, with ``login_url()``);
- ``LoginRequiredPageMixin``: for the app's page types (see ``wagtail_hooks``);
- ``login_url()`` and ``login_redirect()``: the one place that says where the login is.

What needs a login shows a person's data: both send it with ``Cache-Control: no-store,
private`` (``private_response``), so neither a shared cache nor the browser of a shared
ward workstation keeps it after logout.
"""

import functools

from django.conf import settings
from django.contrib.auth import decorators
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import lazy


def login_url():
    """The host's ``LOGIN_URL`` when it set one, else Wagtail's front-end login
    (``WAGTAIL_FRONTEND_LOGIN_URL``, else the ``wagtailcore_login`` view of ``wagtail.urls``).

    Django's default ``/accounts/login/`` is a 404 in most Wagtail sites: Wagtail's own
    login is the safer default. Resolved when called (URL names need the URLconf).
    """
    if settings.is_overridden("LOGIN_URL"):
        return resolve_url(settings.LOGIN_URL)
    frontend = getattr(settings, "WAGTAIL_FRONTEND_LOGIN_URL", None)
    if frontend:
        return resolve_url(frontend)
    try:
        return reverse("wagtailcore_login")
    except NoReverseMatch:  # wagtail.urls not mounted: the system checks say so
        return resolve_url(settings.LOGIN_URL)


_lazy_login_url = lazy(login_url, str)()


def login_redirect(request):
    """The redirect to the login page, coming back to this address afterwards."""
    # Imported here: auth.views imports the user model, and page models import this module.
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.get_full_path(), login_url())


def private_response(response):
    """Mark ``response`` as not to be stored anywhere (Django's ``never_cache`` headers:
    ``no-store``, ``private``, ``no-cache``, ``must-revalidate``, ``max-age=0``)."""
    add_never_cache_headers(response)
    return response


def login_required(view=None):
    """Django's ``login_required`` sending to ``login_url()``, evaluated per request; the
    view's answers are ``private_response``.

    The view also carries that login URL for Django's ``LoginRequiredMiddleware``, so a
    host using the middleware sends to the same page.
    """

    def decorator(view):
        @functools.wraps(view)
        def private_view(request, *args, **kwargs):
            return private_response(view(request, *args, **kwargs))

        return decorators.login_required(login_url=_lazy_login_url)(private_view)

    return decorator(view) if view is not None else decorator


class LoginRequiredPageMixin:
    """Marks a page type as the intranet's content: anonymous visitors get the login.

    The ``before_serve_page`` hook of ``wagtail_mentorat.wagtail_hooks`` does it for every
    page that has this mixin, ahead of Wagtail's view restrictions; ``serve()`` does it
    again for a page served some other way (e.g. a host's own view calling ``serve()``).
    """

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return private_response(super().serve(request, *args, **kwargs))
