from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets import viewsets
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from wagtail_mentorat.admin.menu import MENU_HOOK, ORDER
from wagtail_mentorat.models import Disagreement

from .admin_views import DisagreementViewSet, PrivacyViewSetGroup
from .break_glass import BreakGlassReport
from .models import Incident, IncidentFollowUp, LegalHold, ReadAccess
from .permissions import CoordinatorReadPolicy, PrivacyOfficerPolicy

# Registered before the viewsets, which then use them (Wagtail 8).
register_permission_policy(Incident, PrivacyOfficerPolicy(Incident, actions=("add", "view")))
register_permission_policy(
    IncidentFollowUp, PrivacyOfficerPolicy(IncidentFollowUp, actions=("add", "view"))
)
register_permission_policy(ReadAccess, PrivacyOfficerPolicy(ReadAccess, actions=("view",)))
register_permission_policy(
    LegalHold, PrivacyOfficerPolicy(LegalHold, actions=("add", "change", "view"))
)
register_permission_policy(Disagreement, CoordinatorReadPolicy(Disagreement))

viewsets.register(PrivacyViewSetGroup())
register_snippet(DisagreementViewSet)


@hooks.register("register_admin_urls")
def register_break_glass_urls():
    urls = [
        path("", BreakGlassReport.as_view(), name="index"),
        path("resultats/", BreakGlassReport.as_view(results_only=True), name="results"),
    ]
    return [
        path(
            "mentorat/consultations-exceptionnelles/",
            include((urls, "mentorat_break_glass")),
        )
    ]


class ProgrammeStaffMenuItem(MenuItem):
    def is_shown(self, request):
        from wagtail_mentorat.rules import is_coordinator

        return is_coordinator(request.user)


@hooks.register(MENU_HOOK)
def register_break_glass_menu_item():
    """Beside the disagreements: who read their text outside programme staff, and why."""
    return ProgrammeStaffMenuItem(
        _("Break-glass readings"),
        reverse("mentorat_break_glass:index"),
        name="mentorat-break-glass",
        icon_name="warning",
        order=ORDER["disagreements"] + 0.5,
    )
