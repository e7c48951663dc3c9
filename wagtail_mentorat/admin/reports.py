"""Reports for programme staff that join mentoring and training."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from .. import formatting, rules
from ..models import MentoringRequest, ParticipantProfile, Programme
from .display import LabelledExportMixin


class BlockedByTraining:
    """A row: a person who may not be matched in a programme until they train."""

    def __init__(self, programme, user, role, modules):
        self.programme = programme
        self.person = formatting.person_name(user)
        self.email = user.email
        self.role = role
        self.modules = ", ".join(module.title for module in modules)


class BlockedFromMatchingReport(LabelledExportMixin, ReportView):
    """Who is blocked from matching by missing training (mentors willing to mentor, and
    mentees waiting), per programme that requires training (seed 002; MENTOR: training
    before matching)."""

    page_title = _("Blocked from matching by missing training")
    header_icon = "warning"
    index_url_name = "mentorat_reports:blocked"
    index_results_url_name = "mentorat_reports:blocked_results"
    permission_policy = None  # checked in dispatch: programme staff only
    list_export = ["programme", "person", "email", "role", "modules"]
    export_headings = {
        "programme": _("Programme"),
        "person": _("Person"),
        "email": _("Email"),
        "role": _("Role"),
        "modules": _("Training still to complete"),
    }
    columns = [
        Column("programme", label=_("Programme")),
        Column("person", label=_("Person")),
        Column("role", label=_("Role")),
        Column("modules", label=_("Training still to complete")),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not rules.is_coordinator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"bloques-par-la-formation-{datetime.date.today().isoformat()}"

    def get_queryset(self):
        from wagtail_mentorat.training.services import missing_modules

        rows = []
        programmes = rules.coordinated(
            Programme.objects.filter(is_active=True), self.request.user, "pk"
        ).prefetch_related("mentor_training", "mentee_training")
        mentors = [
            p.user for p in ParticipantProfile.objects.filter(is_mentor=True).select_related("user")
        ]
        for programme in programmes.order_by("name"):
            required = list(programme.mentor_training.all())
            if required:
                for user in mentors:
                    missing = missing_modules(user, required)
                    if missing:
                        rows.append(BlockedByTraining(programme, user, _("mentor"), missing))
            required = list(programme.mentee_training.all())
            if required:
                waiting = MentoringRequest.objects.filter(
                    programme=programme, status=MentoringRequest.Status.OPEN
                ).select_related("mentee")
                for request in waiting:
                    missing = missing_modules(request.mentee, required)
                    if missing:
                        rows.append(
                            BlockedByTraining(programme, request.mentee, _("mentee"), missing)
                        )
        return rows
