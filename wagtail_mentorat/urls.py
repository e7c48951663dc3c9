from django.urls import path

from .views import manager, personal, space
from .views.agreement import agreement_print

app_name = "wagtail_mentorat"

urlpatterns = [
    path("", space.dashboard, name="space"),
    path("jumelages/<int:pk>/", space.pairing_page, name="pairing"),
    path(
        "jumelages/<int:pk>/rencontres/<int:meeting_pk>/", space.edit_meeting, name="edit_meeting"
    ),
    path("ententes/<int:pk>/imprimer/", agreement_print, name="agreement_print"),
    path("gestion/", manager.manager_space, name="manager"),
    path("gestion/jumelages/<int:pk>/", manager.manager_decide, name="manager_decide"),
    path("calendrier/", personal.calendar_settings, name="calendar_settings"),
    path("calendrier/nouvelle-adresse/", personal.calendar_reset, name="calendar_reset"),
    path("calendrier/<str:token>.ics", personal.calendar_feed, name="calendar"),
    path("mes-donnees/", personal.my_data, name="my_data"),
]
