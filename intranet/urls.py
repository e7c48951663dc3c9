from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from intranet import docs
from search import views as search_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path(
        "connexion/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # For a load balancer: database, cache and task queue reachable (200) or not (503).
    path("health/", include("wagtail_mentorat.health")),
    path("recherche/", search_views.search, name="search"),
    # The user guides, built by `make docs` (WAGTAIL_MENTORAT["DOCS_URL"] in settings/base.py).
    path("docs/", docs.docs, name="docs"),
    path("docs/<path:path>", docs.docs, name="docs_page"),
    path("mentorat/courriels/", include("wagtail_mentorat.notifications.urls")),
    path("mentorat/", include("wagtail_mentorat.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

# A database (or Redis) outage answers a short 503 page with Retry-After, not the 500 page.
handler500 = "wagtail_mentorat.health.server_error"
