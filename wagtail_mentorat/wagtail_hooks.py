from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .admin import menu
from .admin.modeladmin import ClosureRegisterAdmin
from .admin.viewsets import MentoratViewSetGroup
from .models import Agreement, MentoringRequest, Pairing
from .permissions import LifecycleOnlyPolicy


def label_the_admin_login_password():
    """Wagtail 8.0's admin login form (``wagtail.admin.forms.auth.LoginForm``) declares its
    ``password`` field again without a label, so Django makes one from the field's name:
    "Password", in every language ("Nom d'utilisateur" then "Password" on the French login).
    Give it back the label of Django's own login form, which Django's catalogues translate.
    A label Wagtail or the host sets is kept."""
    from wagtail.admin.forms.auth import LoginForm

    field = LoginForm.base_fields["password"]
    if field.label is None:
        field.label = _("Password")


label_the_admin_login_password()

# Registered before the viewsets, which then use them (Wagtail 8).
for model in (Pairing, Agreement, MentoringRequest):
    register_permission_policy(model, LifecycleOnlyPolicy(model))

register_snippet(MentoratViewSetGroup)  # the "Mentoring" menu (admin.menu)
hooks.register("construct_main_menu", menu.flatten)
_closures = ClosureRegisterAdmin()
_closures.register_with_wagtail()
hooks.register(menu.MENU_HOOK, lambda: _closures.get_menu_item(order=menu.ORDER["closures"]))

LOG_ACTIONS = {
    "request_opened": (_("Open a mentoring request"), _("Mentoring request opened")),
    "request_withdrawn": (_("Withdraw a mentoring request"), _("Mentoring request withdrawn")),
    "proposed": (_("Propose a pairing"), _("Pairing proposed")),
    "approved": (_("Approve a pairing"), _("Pairing approved: mentor assigned")),
    "cancelled": (_("Cancel a pairing"), _("Pairing cancelled")),
    "assignment_accepted": (_("Accept an assignment"), _("Assignment accepted by the mentor")),
    "assignment_declined": (
        _("Decline an assignment"),
        _("Assignment declined by the mentor, or left unanswered"),
    ),
    "fallback": (_("Propose the next suggestion"), _("Next suggestion proposed, or none left")),
    "preferences": (_("Choose preferred mentors"), _("Preferred mentors chosen")),
    "first_contact": (_("Record the first contact"), _("First contact made")),
    "agreement_changed": (_("Change the agreement"), _("Agreement changed")),
    "agreement_accepted": (_("Accept the agreement"), _("Agreement accepted")),
    "agreement_approved": (_("Approve the agreement"), _("Agreement approved by the manager")),
    "activated": (_("Activate a pairing"), _("Pairing active")),
    "meeting_logged": (_("Log a meeting"), _("Meeting logged")),
    "meeting_changed": (_("Change a meeting"), _("Meeting changed")),
    "meeting_proposed": (_("Propose meeting times"), _("Meeting times proposed")),
    "meeting_proposal_declined": (
        _("Decline proposed meeting times"),
        _("Proposed meeting times declined"),
    ),
    "meeting_proposal_withdrawn": (
        _("Withdraw proposed meeting times"),
        _("Proposed meeting times withdrawn"),
    ),
    "meeting_planned": (_("Plan a meeting"), _("Meeting planned")),
    "meeting_rescheduled": (_("Change a planned meeting"), _("Planned meeting changed")),
    "planned_meeting_cancelled": (_("Cancel a planned meeting"), _("Planned meeting cancelled")),
    "safety_concern": (_("Report a safety concern"), _("Safety concern reported to the manager")),
    "help_requested": (_("Ask for help"), _("Help requested")),
    "help_answered": (_("Answer a help request"), _("Help request answered")),
    "review_midterm": (_("Submit the mid-term review"), _("Mid-term review submitted")),
    "review_final": (_("Submit the final review"), _("Final review submitted")),
    "disagreement_raised": (_("Raise a disagreement"), _("Disagreement raised to programme staff")),
    "match_review_requested": (
        _("Ask for a review of the matching"),
        _("Review of the matching requested"),
    ),
    "checkin": (_("Record a check-in"), _("Programme staff check-in")),
    "fit_check": (_("Answer the fit check"), _("Fit check answered")),
    "extension_requested": (_("Ask for an extension"), _("Extension requested")),
    "extension_approved": (_("Approve an extension"), _("Extension approved")),
    "extension_refused": (_("Refuse an extension"), _("Extension refused")),
    "transferred": (_("Transfer the mentee"), _("Mentee transferred")),
    "closure_requested": (_("Ask to close"), _("Closure requested")),
    "closure_confirmed": (
        _("Confirm the objectives attained"),
        _("Objectives attained: confirmed"),
    ),
    "closed": (_("Close a pairing"), _("Pairing closed")),
}


@hooks.register("register_admin_urls")
def register_matching_urls():
    from django.urls import include, path

    from .admin.reports import BlockedFromMatchingReport
    from .matching.views import WorkbenchView

    reports = [
        path("", BlockedFromMatchingReport.as_view(), name="blocked"),
        path(
            "resultats/",
            BlockedFromMatchingReport.as_view(results_only=True),
            name="blocked_results",
        ),
    ]
    return [
        path("mentorat/jumelage/", WorkbenchView.as_view(), name="mentorat_workbench"),
        path("mentorat/bloques/", include((reports, "mentorat_reports"))),
    ]


@hooks.register("register_reports_menu_item")
def register_blocked_report_menu_item():
    from .admin.reports import BlockedFromMatchingReport

    return WorkbenchMenuItem(  # shown to programme staff only
        BlockedFromMatchingReport.page_title,
        reverse("mentorat_reports:blocked"),
        icon_name="warning",
        order=950,
    )


class WorkbenchMenuItem(MenuItem):
    def is_shown(self, request):
        from .rules import is_coordinator

        return is_coordinator(request.user)


@hooks.register(menu.MENU_HOOK)
def register_workbench_menu_item():
    from .matching.views import WorkbenchView

    return WorkbenchMenuItem(
        WorkbenchView.page_title,  # one name: the menu item and its page
        reverse("mentorat_workbench"),
        icon_name="group",
        order=menu.ORDER["workbench"],
    )


@hooks.register("register_log_actions")
def register_mentorat_log_actions(actions):
    for name, (label, message) in LOG_ACTIONS.items():
        actions.register_action(f"wagtail_mentorat.{name}", label, message)
    from .circles import LOG_ACTIONS as CIRCLE_LOG_ACTIONS  # circles and conversations

    for name, (label, message) in CIRCLE_LOG_ACTIONS.items():
        actions.register_action(f"wagtail_mentorat.{name}", label, message)


class GuideMenuItem(MenuItem):
    """An item of Wagtail's Help menu: a user guide, in the person's language (the address
    is read per request, ``wagtail_mentorat.help``); hidden when the host shows no help
    link, and the coordinator's guide for programme staff only."""

    def __init__(self, label, key, coordinators_only=False, **kwargs):
        # A fixed name: Wagtail's default is the label slugified in the language of the
        # first request (a French slug such as "guide-de-la-redaction" on every page).
        kwargs.setdefault("name", f"mentorat-{key}-guide")
        super().__init__(label, "", icon_name="help", **kwargs)
        self.key = key
        self.coordinators_only = coordinators_only

    def is_shown(self, request):
        from .help import help_url
        from .rules import is_coordinator

        if not help_url(self.key):
            return False
        return not self.coordinators_only or is_coordinator(request.user)

    def render_component(self, request):
        from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent

        from .help import help_url

        # A new component per request: menu items are shared by every request.
        return LinkMenuItemComponent(
            self.name, self.label, help_url(self.key), icon_name=self.icon_name
        )


@hooks.register("register_help_menu_item")
def register_coordinator_guide_menu_item():
    return GuideMenuItem(_("Coordinator's guide"), "coordinator", coordinators_only=True, order=900)


@hooks.register("register_help_menu_item")
def register_editor_guide_menu_item():
    return GuideMenuItem(_("Editor's guide (mentoring)"), "editor", order=910)


# Admin screens with their own hooks: the CSV import, peer support circles.
from .circles import admin_views as circles_admin  # noqa
from .imports import views as imports_admin  # noqa: E402,F401
from .matching import weights as weights_admin  # noqa: E402,F401
from .admin import checkins as checkins_admin  # noqa: E402,F401
from .admin import pairings as pairings_admin  # noqa: E402,F401
from .admin import pool as pool_admin  # noqa: E402,F401
from .admin import disagreements as disagreements_admin  # noqa: E402,F401


@hooks.register("after_create_snippet")
def coordinate_what_you_create(request, instance):
    """The coordinator who creates a programme coordinates it (otherwise it would vanish
    from their screens the moment it is saved)."""
    from .models import Programme
    from .rules import is_coordinator

    user = request.user
    if isinstance(instance, Programme) and is_coordinator(user) and not user.is_superuser:
        instance.coordinators.add(user)


@hooks.register("before_serve_page", order=-100)
def require_login_for_app_pages(page, request, serve_args, serve_kwargs):
    """The app's pages are the intranet's content: an anonymous visitor gets the login.

    A hook rather than ``serve()`` alone: it runs before Wagtail's view restrictions and
    the training pages' own check, so every app page sends to the same login page.
    """
    from .auth import LoginRequiredPageMixin, login_redirect

    if isinstance(page, LoginRequiredPageMixin) and not request.user.is_authenticated:
        return login_redirect(request)
