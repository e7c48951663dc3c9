"""The coordinators' Wagtail admin: programmes, vocabulary, profiles, requests, pairings.

Pairings and agreements are read here (lists, filters, exports of non-confidential fields,
inspection, history); they change only through the lifecycle. Agreement content, meeting
notes, help requests and reviews are not in any admin screen: they belong to the pair.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import HistoryView, SnippetViewSet, SnippetViewSetGroup

from ..models import (
    Agreement,
    ExpertiseArea,
    MentoringRequest,
    Pairing,
    ParticipantProfile,
    Programme,
)
from . import pairings as pairings_admin
from .access import (
    IdCheckedChooserViewSet,
    PermissionCheckedChooserViewSet,
    ProgrammeScopedViewSetMixin,
)
from .display import (
    AuditedLabelledInspectView,
    LabelledIndexView,
    LabelledInspectView,
    field_column,
    person_column,
)
from .menu import MENU_HOOK, MENU_NAME
from .naming import OneNameViewSetMixin

# Fields of a pairing that may leave the pair: states and dates, never content.
PAIRING_EXPORT_FIELDS = [
    "id",
    "programme",
    "kind",
    "state",
    "proposed_at",
    "assigned_at",
    "first_contact_due",
    "first_contact_at",
    "start_date",
    "midterm_review_due",
    "planned_end",
    "original_end",
    "closure_kind",
    "closure_reason",
    "premature",
    "closed_at",
]


class MentoratSnippetViewSet(OneNameViewSetMixin, ProgrammeScopedViewSetMixin, SnippetViewSet):
    """A snippet viewset of the app: scoped to the user's programmes, one name (its menu
    label) on every screen, exports through the same labels as the listing."""

    index_view_class = LabelledIndexView


class ReadableHistoryView(HistoryView):
    """The history of a record that changes only through the lifecycle: readable by those
    who may view it (Wagtail asks for a write permission by default)."""

    any_permission_required = ["add", "change", "delete", "view"]


class ProgrammeViewSet(MentoratSnippetViewSet):
    model = Programme
    chooser_viewset_class = IdCheckedChooserViewSet  # open to editors (programme pages)
    icon = "clipboard-list"
    menu_label = _("Programmes")
    list_display = [
        "name",
        "max_duration_months",
        "who_pairs",
        field_column(Programme, "is_active"),
    ]
    list_filter = ["is_active", "who_pairs", "duration_basis"]
    # The model's own index is searched (a field-restricted query fails on SQLite).

    def get_queryset(self, request):
        return self.scoped(Programme.objects.all(), request)


class ExpertiseAreaViewSet(MentoratSnippetViewSet):
    model = ExpertiseArea
    chooser_viewset_class = IdCheckedChooserViewSet
    icon = "tag"
    menu_label = _("Areas of expertise")
    list_display = ["name"]
    # The model's own index is searched (a field-restricted query fails on SQLite).


class ParticipantProfileViewSet(MentoratSnippetViewSet):
    model = ParticipantProfile
    icon = "user"
    menu_label = _("Participants")
    list_display = [
        person_column("user", _("Person")),
        "discipline",
        "site",
        "unit",
        "years_experience",
        field_column(ParticipantProfile, "is_mentor"),
    ]
    list_filter = ["is_mentor", "site", "discipline"]
    list_export = [
        "user",
        "discipline",
        "site",
        "unit",
        "years_experience",
        "is_mentor",
        "mentor_capacity",
        "consent_version",
        "consent_at",
    ]
    # No search_fields here: the model's own index (names, discipline, site, unit) is
    # searched; a field-restricted query fails on SQLite's full-text table (500).
    add_to_admin_menu = False

    def get_queryset(self, request):
        return ParticipantProfile.objects.select_related("user")


class MentoringRequestViewSet(MentoratSnippetViewSet):
    model = MentoringRequest
    icon = "help"
    menu_label = _("Mentoring requests")
    list_display = [
        Column("id", label=_("Request")),
        person_column("mentee", _("Mentee")),
        "programme",
        "urgency",
        "kind",
        "status",
        "created_at",
    ]
    list_filter = ["programme", "status", "urgency", "kind"]
    list_export = ["id", "programme", "mentee", "urgency", "kind", "status", "created_at"]
    inspect_view_enabled = True
    inspect_view_class = AuditedLabelledInspectView  # privacy: reading the need is audited
    inspect_view_fields = ["programme", "mentee", "need", "urgency", "kind", "status", "created_at"]

    def get_queryset(self, request):
        return self.scoped(MentoringRequest.objects.select_related("mentee", "programme"), request)


class PairingViewSet(MentoratSnippetViewSet):
    """Mentoring pairings by their members' names, circles apart (the "type" filter); each
    row leads to the pairing's staff page (:mod:`wagtail_mentorat.admin.pairings`)."""

    model = Pairing
    icon = "group"
    menu_label = _("Pairings")
    index_view_class = pairings_admin.PairingIndexView
    filterset_class = pairings_admin.PairingListFilterSet
    list_display = [
        *pairings_admin.list_display(),
        field_column(Pairing, "first_contact_due"),
        field_column(Pairing, "planned_end"),
        field_column(Pairing, "premature"),
    ]
    list_export = PAIRING_EXPORT_FIELDS
    export_filename = "jumelages"
    history_view_class = ReadableHistoryView
    inspect_view_enabled = True
    inspect_view_class = LabelledInspectView
    inspect_view_fields = PAIRING_EXPORT_FIELDS[1:] + ["rematch_wanted", "contact_after_closure"]
    ordering = ["-proposed_at", "-pk"]

    def get_queryset(self, request):
        pairings = Pairing.objects.select_related("programme").prefetch_related("members__user")
        return self.scoped(pairings, request)


class AgreementViewSet(MentoratSnippetViewSet):
    """Status and dates only: the agreement's content is for the pair alone."""

    model = Agreement
    icon = "doc-full"
    menu_label = _("Mentoring agreements")
    list_display = [
        Column("id", label=_("Agreement")),
        Column("pairing", label=_("Pairing"), accessor="pairing"),
        "version",
        field_column(Agreement, "start_date"),
        field_column(Agreement, "end_date"),
        field_column(Agreement, "manager_approved_at"),
        "updated_at",
    ]
    list_export = ["id", "pairing", "version", "start_date", "end_date", "manager_approved_at"]
    inspect_view_enabled = True
    inspect_view_class = LabelledInspectView
    inspect_view_fields = ["pairing", "version", "start_date", "end_date", "manager_approved_at"]

    def get_queryset(self, request):
        return self.scoped(Agreement.objects.select_related("pairing"), request)


# Choosing a person's records needs a permission on the model (wagtail_mentorat.admin.access).
for _viewset in (
    PairingViewSet,
    MentoringRequestViewSet,
    ParticipantProfileViewSet,
    AgreementViewSet,
):
    _viewset.chooser_viewset_class = PermissionCheckedChooserViewSet


class MentoratViewSetGroup(SnippetViewSetGroup):
    """The app's one top-level admin menu: these snippets, then every item registered
    with ``MENU_HOOK`` (wagtail_mentorat.admin.menu)."""

    menu_label = _("Mentoring")
    menu_name = MENU_NAME
    menu_icon = "group"
    menu_order = 200
    submenu_hook = MENU_HOOK
    items = (
        PairingViewSet,
        MentoringRequestViewSet,
        ParticipantProfileViewSet,
        AgreementViewSet,
        ProgrammeViewSet,
        ExpertiseAreaViewSet,
    )
