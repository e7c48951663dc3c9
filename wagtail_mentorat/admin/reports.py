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
    """A row: a person who may not be matched in a programme until they train (named
    modules, and the minutes still short of the programme's minimum of hours)."""

    def __init__(self, programme, user, role, label, modules, minutes_short=0):
        self.programme = programme
        self.person = formatting.person_name(user)
        self.email = user.email
        self.role = label
        parts = [module.title for module in modules]
        if minutes_short:
            parts.append(
                _("%(minutes)s more minutes (minimum: %(hours)s hours)")
                % {"minutes": minutes_short, "hours": getattr(programme, f"{role}_training_hours")}
            )
        self.modules = ", ".join(str(part) for part in parts)


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
            waiting = [
                request.mentee
                for request in MentoringRequest.objects.filter(
                    programme=programme, status=MentoringRequest.Status.OPEN
                ).select_related("mentee")
            ]
            for role, label, people in (
                ("mentor", _("mentor"), mentors),
                ("mentee", _("mentee"), waiting),
            ):
                required = list(getattr(programme, f"{role}_training").all())
                short = rules.minutes_short(programme, people, role)
                if not required and not short:
                    continue
                for user in people:
                    missing = missing_modules(user, required) if required else []
                    if missing or user.pk in short:
                        rows.append(
                            BlockedByTraining(
                                programme, user, role, label, missing, short.get(user.pk, 0)
                            )
                        )
        return rows
