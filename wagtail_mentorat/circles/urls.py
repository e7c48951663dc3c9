"""The circles' and conversations' pages, included by the app's ``urls`` (same URL names)."""

from django.urls import path

from . import thread_views, views

urlpatterns = [
    path("cercles/", views.circle_list, name="circles"),
    path("cercles/<int:pk>/", views.circle_page, name="circle"),
    path("conversations/<int:pk>/", thread_views.thread, name="thread"),
]
