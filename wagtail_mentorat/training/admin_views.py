"""Wagtail admin: training reports for coordinators, and recording attendance.

Reports are Wagtail ``ReportView``s with a CSV/XLSX export (``list_export``); they need
the ``training.view_completion`` permission. Numbers are computed in the database, in
a number of queries that does not grow with the rows.
"""

import datetime

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, NumberColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from . import services
from .models import (
    Completion,
    CompletionSource,
    LearningPathModule,
    LearningPathPage,
    ModuleProgress,
    QuizAttempt,
    SessionRegistration,
    TrainingModulePage,
    TrainingSession,
)

completion_policy = ModelPermissionPolicy(Completion)


def _count_subquery(queryset, field="module"):
    """An integer subquery: the distinct people of ``queryset`` per module (0 if none)."""
    rows = (
        queryset.order_by()
        .filter(**{field: OuterRef("pk")})
        .values(field)
        .annotate(n=Count("user", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


class TrainingReportView(ReportView):
    permission_policy = completion_policy
    permission_required = "view"

    def get_filename(self):
        return f"{self.export_name}-{datetime.date.today().isoformat()}"


# --------------------------------------------------------------- by module


class ModuleCompletionReport(TrainingReportView):
    page_title = _("Training completion by module")
    header_icon = "doc-full"
    index_url_name = "training_reports:modules"
    index_results_url_name = "training_reports:modules_results"
    export_name = "completion-par-module"
    list_export = [
        "title",
        "n_started",
        "n_attempts",
        "n_passed",
        "n_completed",
        "n_expiring",
        "n_expired",
    ]
    export_headings = {
        "title": _("Module"),
        "n_started": _("People who started"),
        "n_attempts": _("Quiz attempts"),
        "n_passed": _("Attempts passed"),
        "n_completed": _("People with a valid completion"),
        "n_expiring": _("Expiring within 30 days"),
        "n_expired": _("Expired, not renewed"),
    }
    columns = [
        Column("title", label=_("Module")),
        NumberColumn("n_started", label=_("People who started")),
        NumberColumn("n_attempts", label=_("Quiz attempts")),
        NumberColumn("n_passed", label=_("Attempts passed")),
        NumberColumn("n_completed", label=_("People with a valid completion")),
        NumberColumn("n_expiring", label=_("Expiring within 30 days")),
        NumberColumn("n_expired", label=_("Expired, not renewed")),
    ]

    def get_queryset(self):
        today = timezone.localdate()
        valid = services.valid_completions(today)
        ever = Completion.objects.filter(completed_on__lte=today)
        expired = ever.exclude(
            Exists(valid.filter(user=OuterRef("user"), module=OuterRef("module")))
        )
        attempts = (
            QuizAttempt.objects.order_by()
            .filter(module=OuterRef("pk"))
            .values("module")
            .annotate(n=Count("id"), ok=Count("id", filter=Q(passed=True)))
        )
        return TrainingModulePage.objects.order_by("title", "id").annotate(
            n_started=_count_subquery(ModuleProgress.objects.all()),
            n_attempts=Coalesce(Subquery(attempts.values("n")), Value(0)),
            n_passed=Coalesce(Subquery(attempts.values("ok")), Value(0)),
            n_completed=_count_subquery(valid),
            n_expiring=_count_subquery(services.expiring_completions(on=today)),
            n_expired=_count_subquery(expired),
        )


# ----------------------------------------------------------------- by path


class PathCompletionReport(TrainingReportView):
    page_title = _("Training completion by learning path")
    header_icon = "list-ol"
    index_url_name = "training_reports:paths"
    index_results_url_name = "training_reports:paths_results"
    export_name = "completion-par-parcours"
    list_export = ["title", "module_count", "in_progress", "completed"]
    export_headings = {
        "title": _("Learning path"),
        "module_count": _("Modules"),
        "in_progress": _("People in progress"),
        "completed": _("People who completed every module"),
    }
    columns = [
        Column("title", label=_("Learning path")),
        NumberColumn("module_count", label=_("Modules")),
        NumberColumn("in_progress", label=_("People in progress")),
        NumberColumn("completed", label=_("People who completed every module")),
    ]

    def get_queryset(self):
        return LearningPathPage.objects.order_by("title", "id")

    def decorate_paginated_queryset(self, object_list):
        """Two queries for the whole page of paths: their modules, then valid completions."""
        paths = list(object_list)
        # Modules by translation key: a completion in any language of a module counts.
        modules_of = {path.pk: set() for path in paths}
        for path_id, key in LearningPathModule.objects.filter(
            path__in=paths, module__live=True
        ).values_list("path_id", "module__translation_key"):
            modules_of[path_id].add(key)
        all_modules = set().union(*modules_of.values()) if modules_of else set()
        done_by_user = {}
        for user_id, key in (
            services.valid_completions()
            .filter(module__translation_key__in=all_modules)
            .values_list("user_id", "module__translation_key")
            .distinct()
        ):
            done_by_user.setdefault(user_id, set()).add(key)
        for path in paths:
            modules = modules_of[path.pk]
            path.module_count = len(modules)
            overlaps = [len(done & modules) for done in done_by_user.values()]
            path.completed = sum(1 for n in overlaps if modules and n == len(modules))
            path.in_progress = sum(1 for n in overlaps if 0 < n < len(modules))
        return paths


# ------------------------------------------------------------- expiring soon


class ExpiringReport(TrainingReportView):
    page_title = _("Training expiring within 30 days")
    header_icon = "time"
    index_url_name = "training_reports:expiring"
    index_results_url_name = "training_reports:expiring_results"
    export_name = "formations-a-renouveler"
    list_export = ["person_name", "email", "module.title", "completed_on", "expires_on"]
    export_headings = {
        "person_name": _("Person"),
        "email": _("Email"),
        "module.title": _("Module"),
        "completed_on": _("Completed on"),
        "expires_on": _("Expires on"),
    }
    columns = [
        Column("person_name", label=_("Person")),
        Column("module", label=_("Module")),
        DateColumn("completed_on", label=_("Completed on")),
        DateColumn("expires_on", label=_("Expires on")),
    ]

    def get_queryset(self):
        return services.expiring_completions().annotate(
            email=F("user__email"),
        )


# ----------------------------------------------------------- every completion


def _programme_choices():
    from wagtail_mentorat.models import Programme

    return [(str(p.pk), p.name) for p in Programme.objects.order_by("name")]


def _profile_choices(field):
    """Sites or units of the participants' profiles (the mentoring app's)."""
    from wagtail_mentorat.filters import profile_choices

    return profile_choices(field)


class CompletionFilterSet(WagtailFilterSet):
    module = django_filters.ModelChoiceFilter(
        label=_("Module"),
        queryset=TrainingModulePage.objects.order_by("title"),
        empty_label=_("All modules"),
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=CompletionSource.choices, empty_label=_("All sources")
    )
    completed_on = django_filters.DateFromToRangeFilter(
        label=_("Completed on"), widget=DateRangePickerWidget
    )
    programme = django_filters.ChoiceFilter(
        label=_("Required by the programme"),
        choices=_programme_choices,
        method="filter_programme",
        empty_label=_("All programmes"),
    )
    site = django_filters.ChoiceFilter(
        label=_("Site"),
        choices=lambda: _profile_choices("site"),
        field_name="user__mentorat_profile__site",
        empty_label=_("All sites"),
    )
    unit = django_filters.ChoiceFilter(
        label=_("Unit"),
        choices=lambda: _profile_choices("unit"),
        field_name="user__mentorat_profile__unit",
        empty_label=_("All units"),
    )

    class Meta:
        model = Completion
        fields = ["module", "source", "completed_on", "programme", "site", "unit"]

    def filter_programme(self, queryset, name, value):
        from wagtail_mentorat.models import Programme

        programme = Programme.objects.filter(pk=value).first()
        if programme is None:
            return queryset.none()
        modules = set(programme.mentor_training.values_list("pk", flat=True))
        modules |= set(programme.mentee_training.values_list("pk", flat=True))
        return queryset.filter(module_id__in=modules)


class CompletionListReport(TrainingReportView):
    page_title = _("Training completions")
    header_icon = "tick"
    index_url_name = "training_reports:completions"
    index_results_url_name = "training_reports:completions_results"
    export_name = "completions"
    filterset_class = CompletionFilterSet
    list_export = [
        "person_name",
        "email",
        "module.title",
        "completed_on",
        "score",
        "get_source_display",
        "expires_on",
    ]
    export_headings = {
        "person_name": _("Person"),
        "email": _("Email"),
        "module.title": _("Module"),
        "completed_on": _("Completed on"),
        "score": _("Score (%)"),
        "get_source_display": _("Source"),
        "expires_on": _("Expires on"),
    }
    columns = [
        Column("person_name", label=_("Person")),
        Column("module", label=_("Module")),
        DateColumn("completed_on", label=_("Completed on")),
        NumberColumn("score", label=_("Score (%)")),
        Column("get_source_display", label=_("Source")),
        DateColumn("expires_on", label=_("Expires on")),
    ]

    def get_queryset(self):
        return (
            Completion.objects.select_related("user", "module")
            .annotate(email=F("user__email"))
            .order_by("-completed_on", "-id")
        )


# ----------------------------------------------------------------- attendance


class AttendanceForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(
        label=_("Present"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, registrations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (r.user_id, r.user.get_full_name() or r.user.get_username()) for r in registrations
        ]


def attendance(request, pk):
    """Coordinators tick who attended a session; attendance can complete its module."""
    if not request.user.has_perm("mentorat_training.change_sessionregistration"):
        raise PermissionDenied
    session = get_object_or_404(TrainingSession.objects.select_related("module"), pk=pk)
    registrations = list(
        session.registrations.filter(status=SessionRegistration.Status.REGISTERED)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id")
    )
    initial = {"attended": [r.user_id for r in registrations if r.attended]}
    form = AttendanceForm(request.POST or None, registrations=registrations, initial=initial)
    if request.method == "POST" and form.is_valid():
        count = services.record_attendance(session, form.cleaned_data["attended"])
        messages.success(
            request,
            _("Attendance recorded; %(count)s completion(s) of the module.") % {"count": count},
        )
        return redirect(reverse("training_sessions:index"))
    return TemplateResponse(
        request,
        "mentorat_training/admin/attendance.html",
        {
            "session": session,
            "form": form,
            "registrations": registrations,
            "waiting": session.registrations.filter(
                status=SessionRegistration.Status.WAITLISTED
            ).count(),
            "page_title": _("Attendance"),
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": reverse("training_sessions:index"), "label": _("Training sessions")},
                {"url": "", "label": session.title},
            ],
        },
    )
