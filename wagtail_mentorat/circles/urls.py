"""The circles' and conversations' pages, included by the app's ``urls`` (same URL names)."""

from django.urls import path

from .. import ids  # noqa: F401 (registers <mentorat_id:…>)
from . import thread_views, views

urlpatterns = [
    path("cercles/", views.circle_list, name="circles"),
    path("cercles/<mentorat_id:pk>/", views.circle_page, name="circle"),
    path("conversations/<mentorat_id:pk>/", thread_views.thread, name="thread"),
]
