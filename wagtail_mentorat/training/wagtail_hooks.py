"""Wagtail admin for training: sessions, requests, attendance and the coordinators' reports."""

from django.db.models import Count, Q
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column, NumberColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .. import ids
from ..admin.access import ProgrammeScopedViewSetMixin
from ..admin.menu import MENU_HOOK, ORDER
from . import admin_views
from .i18n import serve_in_the_pages_language
from .models import (
    LearningPathPage,
    SessionRegistration,
    TrainingIndexPage,
    TrainingModulePage,
    TrainingRequest,
    TrainingSession,
)
from .views import refuse_restricted


@hooks.register("before_serve_page", order=-10)
def hide_restricted_training_pages(page, request, serve_args, serve_kwargs):
    """A training page someone may not see is "not found" for them, not a login prompt;
    anonymous visitors get the login (see ``refuse_restricted``)."""
    if isinstance(page, (TrainingIndexPage, LearningPathPage, TrainingModulePage)):
        return refuse_restricted(page, request)
    return None


@hooks.register("before_serve_page", order=-5)
def serve_pages_in_their_language(page, request, serve_args, serve_kwargs):
    """A page reached at its address in another language than the active one: redirected
    to its translation, or served in its own language (``training.i18n``)."""
    return serve_in_the_pages_language(page, request, serve_args, serve_kwargs)


# ----------------------------------------------------------------- sessions


class AttendanceColumn(Column):
    cell_template_name = "mentorat_training/admin/attendance_cell.html"

    def get_value(self, instance):
        return reverse("training_attendance", args=[instance.pk])


class SessionIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("module")
            .annotate(
                registered=Count(
                    "registrations",
                    filter=Q(registrations__status=SessionRegistration.Status.REGISTERED),
                ),
                waiting=Count(
                    "registrations",
                    filter=Q(registrations__status=SessionRegistration.Status.WAITLISTED),
                ),
            )
        )


class TrainingSessionViewSet(ProgrammeScopedViewSetMixin, ModelViewSet):
    model = TrainingSession
    name = "training_sessions"
    icon = "date"
    menu_label = _("Sessions")
    index_view_class = SessionIndexView
    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("module"),
        FieldPanel("counts_as_completion"),
        FieldPanel("starts_at"),
        FieldPanel("ends_at"),
        FieldPanel("place"),
        FieldPanel("video_url"),
        FieldPanel("capacity"),
    ]
    list_display = [
        "title",
        "starts_at",
        "module",
        "capacity",
        NumberColumn("registered", label=_("Registered")),
        NumberColumn("waiting", label=_("Waiting list")),
        AttendanceColumn("attendance", label=_("Attendance")),
    ]
    list_filter = ["module"]
    list_export = ["title", "starts_at", "ends_at", "place", "video_url", "capacity", "module"]
    export_filename = "seances-de-formation"
    ordering = ["-starts_at", "id"]
    copy_view_enabled = False


class TrainingRequestViewSet(ProgrammeScopedViewSetMixin, ModelViewSet):
    model = TrainingRequest
    name = "training_requests"
    icon = "help"
    menu_label = _("Requests")
    panels = [
        FieldPanel("topic"),
        FieldPanel("details"),
        FieldPanel("module"),
        FieldPanel("status"),
        FieldPanel("session"),
    ]
    list_display = ["topic", "module", "created_at", "status", "session"]
    list_filter = ["status", "module"]
    list_export = ["topic", "details", "module", "created_at", "status", "session"]
    export_filename = "demandes-de-formation"
    ordering = ["-created_at", "id"]
    copy_view_enabled = False


class TrainingViewSetGroup(ModelViewSetGroup):
    menu_label = _("Training")
    menu_name = "mentorat-training"
    menu_icon = "doc-full"
    menu_order = ORDER["training"]
    menu_hook = MENU_HOOK  # a submenu of "Mentoring"
    items = (TrainingSessionViewSet, TrainingRequestViewSet)


@hooks.register("register_admin_viewset")
def register_training_viewsets():
    return TrainingViewSetGroup()


# ------------------------------------------------------------------ reports

REPORTS = [
    ("modules", admin_views.ModuleCompletionReport, "doc-full"),
    ("paths", admin_views.PathCompletionReport, "list-ol"),
    ("expiring", admin_views.ExpiringReport, "time"),
    ("completions", admin_views.CompletionListReport, "tick"),
]


def _report_urls():
    urls = []
    for name, view, _icon in REPORTS:
        urls.append(path(f"{name}/", view.as_view(), name=name))
        urls.append(
            path(f"{name}/results/", view.as_view(results_only=True), name=f"{name}_results")
        )
    return urls


@hooks.register("register_admin_urls")
def register_training_admin_urls():
    return [
        path("formation/rapports/", include((_report_urls(), "training_reports"))),
        path(
            "formation/seances/<mentorat_id:pk>/presences/",
            ids.record_view(admin_views.attendance),
            name="training_attendance",
        ),
    ]


class TrainingReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("mentorat_training.view_completion")


def _report_menu_item(name, view, icon, order):
    def item():
        return TrainingReportMenuItem(
            view.page_title,
            reverse(f"training_reports:{name}"),
            name=f"training-{name}",
            icon_name=icon,
            order=order,
        )

    return item


for _order, (_name, _view, _icon) in enumerate(REPORTS):
    hooks.register(
        "register_reports_menu_item", _report_menu_item(_name, _view, _icon, 900 + _order)
    )
