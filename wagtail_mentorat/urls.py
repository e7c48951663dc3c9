from django.apps import apps
from django.urls import include, path

from . import ids  # noqa: F401 (registers <mentorat_id:…>)
from .circles import urls as circle_urls
from .views import manager, offers, personal, preferences, space
from .views.agreement import agreement_print

app_name = "wagtail_mentorat"

urlpatterns = [
    path("", space.dashboard, name="space"),
    path("inscription/confirmation/", space.confirm_registration, name="confirm_registration"),
    path("jumelages/<mentorat_id:pk>/", space.pairing_page, name="pairing"),
    path(
        "jumelages/<mentorat_id:pk>/rencontres/<mentorat_id:meeting_pk>/",
        space.edit_meeting,
        name="edit_meeting",
    ),
    path(
        "jumelages/<mentorat_id:pk>/propositions/<mentorat_id:proposal_pk>/",
        space.answer_proposal,
        name="answer_proposal",
    ),
    path(
        "jumelages/<mentorat_id:pk>/rencontres-prevues/<mentorat_id:planned_pk>/",
        space.planned_meeting,
        name="planned_meeting",
    ),
    path("ententes/<mentorat_id:pk>/imprimer/", agreement_print, name="agreement_print"),
    path("demandes/<mentorat_id:pk>/mentors/", preferences.request_mentors, name="request_mentors"),
    path("gestion/", manager.manager_space, name="manager"),
    path("gestion/jumelages/<mentorat_id:pk>/", manager.manager_decide, name="manager_decide"),
    path(
        "gestion/demandes/<mentorat_id:pk>/assigner/", manager.manager_assign, name="manager_assign"
    ),
    path("gestion/demandes/<mentorat_id:pk>/equipe/", manager.manager_team, name="manager_team"),
    path(
        "gestion/jumelages/<mentorat_id:pk>/transfert/",
        manager.manager_transfer,
        name="manager_transfer",
    ),
    path("calendrier/", personal.calendar_settings, name="calendar_settings"),
    path("calendrier/nouvelle-adresse/", personal.calendar_reset, name="calendar_reset"),
    path("calendrier/<str:token>.ics", personal.calendar_feed, name="calendar"),
    path("mes-donnees/", personal.my_data, name="my_data"),
    path("mentorer/", offers.my_offers, name="my_offers"),
    *circle_urls.urlpatterns,
]

# Privacy (consents, export as JSON and CSV): wagtail_mentorat:privacy:…
if apps.is_installed("wagtail_mentorat.privacy"):
    urlpatterns.append(
        path("confidentialite/", include(("wagtail_mentorat.privacy.urls", "privacy")))
    )
