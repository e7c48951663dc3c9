"""The person's email settings and anymail's tracking webhooks (refused without the secret).

Mounted by the project, e.g. ``path("mentorat/courriels/", include(...notifications.urls))``;
a provider then posts to ``.../webhooks/<esp>/tracking/`` (anymail's paths).
"""

from anymail import urls as anymail_urls
from django.urls import URLPattern, include, path

from . import views
from .webhooks import require_secret

app_name = "mentorat_notifications"

webhook_patterns = [
    URLPattern(p.pattern, require_secret(p.callback), p.default_args, p.name)
    for p in anymail_urls.urlpatterns
]

urlpatterns = [
    path("reglages/", views.notification_settings, name="settings"),
    path("webhooks/", include((webhook_patterns, "anymail"))),
]
