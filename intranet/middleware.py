"""The intranet is private: every front-end page needs a login."""

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class IntranetLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's login-required middleware, leaving the Wagtail admin to its own checks.

    Views marked ``login_not_required`` (the login and password-reset pages) stay open;
    everything else, Wagtail pages included, redirects an anonymous visitor to the login.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(tuple(settings.INTRANET_LOGIN_EXEMPT_PREFIXES)):
            return None
        # An open view before the session is read (Django's order is the reverse): the
        # health endpoint then touches neither the session nor, through it, the database.
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the person chose another language (the language switch's cookie).

    Quebec's Charter of the French language asks for French by default at work, so the
    browser's Accept-Language header does not override it.
    """

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
