"""Included by ``wagtail_mentorat.urls`` under ``confidentialite/`` (namespace
``wagtail_mentorat:privacy``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.privacy_page, name="page"),
    path("consentement/", views.change_consent, name="consent"),
    path("mes-donnees.json", views.export_json, name="export_json"),
    path("mes-donnees.csv", views.export_csv, name="export_csv"),
]
