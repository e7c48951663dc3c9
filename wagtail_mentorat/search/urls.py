"""Mounted by the host: ``path("search/", include("wagtail_mentorat.search.urls"))``."""

from django.urls import path

from . import views

app_name = "mentorat_search"

urlpatterns = [path("", views.search, name="search")]
