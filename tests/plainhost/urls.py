from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # wagtail-mentorat (docs/en/integration/index.md, "Install", step 3)
    path("mentorat/courriels/", include("wagtail_mentorat.notifications.urls")),
    path("mentorat/", include("wagtail_mentorat.urls")),
    path("search/", include("wagtail_mentorat.search.urls")),
    path("", include(wagtail_urls)),
]
