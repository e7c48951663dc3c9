"""Wagtail admin screens of the privacy app: the incident register (create, inspect and
export only), the read-access audit and legal holds for privacy officers, and the
coordinators' reading of disagreements (each opening audited). The privacy officer sees a
disagreement's states and dates; its text only with a recorded reason (``break_glass``)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.snippets.views.snippets import InspectView as SnippetInspectView
from wagtail.snippets.views.snippets import SnippetViewSet

from wagtail_mentorat.admin.access import (
    PermissionCheckedChooserViewSet,
    ProgrammeScopedViewSetMixin,
)
from wagtail_mentorat.admin.disagreements import HandledByColumn, HandlingColumn
from wagtail_mentorat.admin.menu import MENU_HOOK, ORDER
from wagtail_mentorat.admin.people import PeopleByNameViewSetMixin
from wagtail_mentorat.models import Disagreement

from ..formatting import long_date, person_name, yes_no
from .break_glass import BreakGlassInspectMixin, record_label
from .models import Incident, IncidentFollowUp, LegalHold, ReadAccess
from .permissions import is_privacy_officer


class RecordedByCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.recorded_by = self.request.user
        return super().save_instance()


class PlacedByCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.placed_by = self.request.user
        return super().save_instance()


INCIDENT_FIELDS = [
    "information_involved",
    "circumstances",
    "occurred_on",
    "occurred_until",
    "discovered_on",
    "people_affected",
    "people_affected_approximate",
    "risk_assessment",
    "serious_injury_risk",
    "commission_notified_on",
    "people_notified_on",
    "public_notice",
    "measures_taken",
]


class IncidentViewSet(ProgrammeScopedViewSetMixin, ModelViewSet):
    name = "mentorat_incidents"
    model = Incident
    icon = "warning"
    menu_label = _("Confidentiality incidents")
    add_view_class = RecordedByCreateView
    form_fields = INCIDENT_FIELDS
    list_display = ["__str__", "occurred_on", "discovered_on", "people_affected",
                    "serious_injury_risk", "recorded_at"]  # fmt: skip
    list_filter = ["serious_injury_risk"]
    list_export = ["id", *INCIDENT_FIELDS, "recorded_by", "recorded_at"]
    export_filename = "registre-incidents-confidentialite"
    inspect_view_enabled = True
    inspect_view_fields = [*INCIDENT_FIELDS, "recorded_by", "recorded_at"]


class IncidentFollowUpViewSet(ProgrammeScopedViewSetMixin, ModelViewSet):
    name = "mentorat_incident_followups"
    model = IncidentFollowUp
    icon = "list-ul"
    menu_label = _("Incident follow-ups")
    add_view_class = RecordedByCreateView
    form_fields = ["incident", "commission_notified_on", "people_notified_on", "measures_taken",
                   "note"]  # fmt: skip
    list_display = ["__str__", "incident", "recorded_at"]
    list_export = ["id", "incident", "commission_notified_on", "people_notified_on",
                   "measures_taken", "note", "recorded_by", "recorded_at"]  # fmt: skip
    export_filename = "registre-incidents-suivis"
    inspect_view_enabled = True


# The reasons the app writes itself, in words (a break-glass reason is the reader's own).
REASONS = {
    "admin inspect": _("opened in the admin"),
    "mediating a disagreement": _("mediating a disagreement (programme staff)"),
    "manager space: safety concern": _("safety concern read in the manager's space"),
}


def reason_label(row):
    label = REASONS.get(row.reason)
    return str(label) if label is not None else row.reason


class ReadAccessViewSet(ProgrammeScopedViewSetMixin, ModelViewSet):
    name = "mentorat_read_audit"
    model = ReadAccess
    icon = "view"
    menu_label = _("Read-access audit")
    form_fields = ["reason"]  # never used: nobody adds or edits a row (policy)
    list_display = [
        Column("accessed_at", label=_("read on"), accessor=lambda r: long_date(r.accessed_at, 1)),
        Column("user", label=_("read by"), accessor=lambda r: person_name(r.user)),
        Column("record", label=_("record"), accessor=record_label),
        Column("break_glass", label=_("break-glass"), accessor=lambda r: yes_no(r.break_glass)),
        Column("reason", label=_("reason"), accessor=reason_label),
    ]
    list_filter = ["break_glass", "content_type"]
    list_export = ["accessed_at", "user", "content_type", "object_id", "break_glass", "programme",
                   "reason"]  # fmt: skip
    export_filename = "audit-lectures"
    inspect_view_enabled = True


class LegalHoldViewSet(PeopleByNameViewSetMixin, ProgrammeScopedViewSetMixin, ModelViewSet):
    name = "mentorat_legal_holds"
    model = LegalHold
    icon = "lock"
    menu_label = _("Legal holds")
    add_view_class = PlacedByCreateView
    form_fields = ["user", "pairing", "reason", "lifted_at"]
    list_display = ["__str__", "user", "pairing", "reason", "placed_at", "lifted_at"]
    list_export = ["id", "user", "pairing", "reason", "placed_by", "placed_at", "lifted_at"]
    inspect_view_enabled = True


class PrivacyViewSetGroup(ModelViewSetGroup):
    menu_label = _("Privacy")
    menu_name = "mentorat-privacy"
    menu_icon = "lock"
    menu_order = ORDER["privacy"]
    menu_hook = MENU_HOOK  # a submenu of "Mentoring"
    items = (IncidentViewSet, IncidentFollowUpViewSet, ReadAccessViewSet, LegalHoldViewSet)


class DisagreementInspectView(BreakGlassInspectMixin, SnippetInspectView):
    """The coordinators of the pairing's programme read the description (each opening
    audited); the privacy officer reads it only with a recorded reason (break-glass)."""

    confidential_fields = ("description",)
    audit_reason = "mediating a disagreement"

    def programme_id_of(self, obj):
        return obj.pairing.programme_id


class DisagreementViewSet(ProgrammeScopedViewSetMixin, SnippetViewSet):
    """Disagreements raised to programme staff (seed 001): the list shows states and dates;
    the description is read in the inspection by the programme's staff (each opening
    audited), by the privacy officer only with a recorded reason."""

    model = Disagreement
    chooser_viewset_class = PermissionCheckedChooserViewSet  # Wagtail's checks none
    icon = "warning"
    menu_label = _("Disagreements")
    menu_order = ORDER["disagreements"]
    menu_hook = MENU_HOOK  # in the "Mentoring" menu
    list_display = [
        "__str__",
        "pairing",
        "topic",
        "status",
        HandledByColumn("handled_by", label=_("Handled by")),
        "created_at",
        HandlingColumn("handling", label=_("Handling")),  # programme staff only
    ]
    list_filter = ["status", "topic"]
    inspect_view_enabled = True
    inspect_view_class = DisagreementInspectView
    inspect_view_fields = ["pairing", "topic", "status", "created_at", "description"]

    def scoped(self, queryset, request):
        """Coordinators mediate their programmes' disagreements; the privacy officer's
        duties cover the whole organisation."""
        if is_privacy_officer(request.user):
            return queryset
        return super().scoped(queryset, request)

    def get_queryset(self, request):
        rows = Disagreement.objects.select_related("pairing", "handled_by")
        return self.scoped(rows, request)
