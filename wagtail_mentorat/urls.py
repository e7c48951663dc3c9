from django.urls import path

from .views.agreement import agreement_print

app_name = "wagtail_mentorat"

urlpatterns = [
    path("ententes/<int:pk>/imprimer/", agreement_print, name="agreement_print"),
]
