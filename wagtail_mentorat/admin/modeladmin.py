"""The one wagtail-modeladmin listing: a read-only register of closures.

wagtail-modeladmin is in maintenance mode; this module is self-contained so removing it
(and its line in wagtail_hooks) removes the dependency. Core screens use viewsets.
"""

from django.contrib.admin.utils import unquote
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import IndexView, InspectView

from .. import formatting, ids, rules
from ..models import Pairing, PairingState


class ReadOnlyPermissionHelper(PermissionHelper):
    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class RegisterIndexView(IndexView):
    """The register is named as in the menu ("Register of closures"), not after its model
    ("Pairings")."""

    def get_page_title(self):
        return self.model_admin.menu_label


class RegisterInspectView(InspectView):
    """Yes/No, "—" and people's names (:mod:`wagtail_mentorat.formatting`), as everywhere."""

    def get_field_display_value(self, field_name, field=None):
        return formatting.display(super().get_field_display_value(field_name, field))


class ClosureRegisterAdmin(ModelAdmin):
    model = Pairing
    menu_label = _("Register of closures")
    menu_icon = "list-ul"
    add_to_settings_menu = False
    add_to_admin_menu = False  # in the "Mentoring" menu (wagtail_hooks, admin.menu)
    list_display = ("id", "programme", "closure_kind", "closure_reason", "premature", "closed_at")
    list_filter = ("programme", "closure_reason", "premature", "closure_kind")
    inspect_view_enabled = True
    inspect_view_fields = (
        "programme",
        "closure_kind",
        "closure_reason",
        "premature",
        "rematch_wanted",
        "contact_after_closure",
        "exit_questions_done",
        "planned_end",
        "closed_at",
    )
    permission_helper_class = ReadOnlyPermissionHelper
    index_view_class = RegisterIndexView
    inspect_view_class = RegisterInspectView
    empty_value_display = formatting.EMPTY

    def _require_record(self, request, instance_pk):
        """404 alike for a hostile id, a missing closure, another programme's and a person
        who may not read the register: no answer tells an existing id apart."""
        if not self.permission_helper.user_can_list(request.user):
            raise Http404
        ids.get_or_404(self.get_queryset(request), unquote(instance_pk))

    def history_view(self, request, instance_pk):
        # wagtail-modeladmin's history view checks no permission: any admin user could
        # read any pairing's log (who did what, when). Same rule as the register itself.
        self._require_record(request, instance_pk)
        return super().history_view(request, instance_pk)

    def inspect_view(self, request, instance_pk):
        self._require_record(request, instance_pk)
        return super().inspect_view(request, instance_pk)

    def edit_view(self, request, instance_pk):
        # A register: nothing to edit or delete, for anyone (404, as for a missing page).
        self._require_record(request, instance_pk)
        raise Http404

    def delete_view(self, request, instance_pk):
        self._require_record(request, instance_pk)
        raise Http404

    def get_queryset(self, request):
        return (
            rules.coordinated(super().get_queryset(request), request.user)
            .filter(state=PairingState.CLOSED)
            .select_related("programme")
            .order_by("-closed_at", "-pk")
        )
