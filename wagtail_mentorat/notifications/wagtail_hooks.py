"""The outbox in the Wagtail admin, for programme staff: status, attempts, last error,
filters, export, and a resend button for a failed or interrupted email. Also the people
whose address bounced."""

import django_filters
from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import CreateView as SnippetCreateView
from wagtail.snippets.views.snippets import SnippetViewSet

from wagtail_mentorat import conf, formatting, ids, rules
from wagtail_mentorat.admin.access import (
    PermissionCheckedChooserViewSet,
    ProgrammeScopedViewSetMixin,
    ScopedIndexView,
    scope_for,
)
from wagtail_mentorat.admin.display import (
    LabelColumn,
    LabelledExportMixin,
    LabelledInspectMixin,
    field_column,
    person_column,
)
from wagtail_mentorat.admin.menu import MENU_HOOK, ORDER
from wagtail_mentorat.admin.naming import OneNameViewSetMixin

from . import outbox, preview, wording
from .admin_forms import EmailWordingForm, ReminderScheduleForm
from .kinds import Kind
from .models import EmailWording, Notification, NotificationSettings, ReminderSchedule

RESENDABLE = (Notification.Status.FAILED, Notification.Status.STUCK)

# What the provider said of an email (webhooks.DELIVERY stores these words), in words.
DELIVERY_LABELS = {
    "delivered": gettext_lazy("Delivered"),
    "bounced": gettext_lazy("Bounced"),
    "rejected": gettext_lazy("Rejected by the provider"),
    "complained": gettext_lazy("Marked as spam"),
    "deferred": gettext_lazy("Delayed"),
    "failed": gettext_lazy("Not delivered"),
}


def delivery_label(notification):
    status = notification.delivery_status
    return DELIVERY_LABELS.get(status, status) if status else ""


def language_label(record):
    return formatting.language_name(record.language) if record.language else ""


class CoordinatorsReadPolicy(BasePermissionPolicy):
    """Programme staff read these lists; nobody edits them through a form."""

    def user_has_permission(self, user, action):
        return action == "view" and rules.is_coordinator(user)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and rules.is_coordinator(user)

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return get_user_model().objects.none()
        return rules.programme_staff()


# Registered before the viewsets, which then use them (Wagtail 8).
register_permission_policy(Notification, CoordinatorsReadPolicy(Notification))
register_permission_policy(NotificationSettings, CoordinatorsReadPolicy(NotificationSettings))


class NotificationFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=Notification.Status.choices
    )
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=Kind.choices)
    delivery_status = django_filters.CharFilter(label=gettext_lazy("Delivery"))
    created_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Created on"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Notification
        fields = ["status", "kind", "delivery_status", "created_at"]


class ResendColumn(Column):
    """The resend button; its header names the column for screen readers only."""

    header_template_name = "mentorat_notifications/admin/visually_hidden_header.html"
    cell_template_name = "mentorat_notifications/admin/resend_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        context["can_resend"] = instance.status in RESENDABLE
        context["resend_url"] = reverse("mentorat_notifications_resend", args=[instance.pk])
        if request is not None:
            context["csrf_token"] = get_token(request)
        return context


class OutboxIndexView(LabelledExportMixin, ScopedIndexView):
    """Emails of the programmes the user coordinates (a ModelViewSet has no
    ``get_queryset(request)``: the index view narrows them); exported with the labels."""

    export_labels = {"delivery_status": delivery_label}

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("recipient")


class OutboxInspectView(LabelledInspectMixin, generic.InspectView):
    def get_language_display_value(self):
        return language_label(self.object) or formatting.EMPTY

    def get_delivery_status_display_value(self):
        return delivery_label(self.object) or formatting.EMPTY


class AddressIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user")


class NotificationViewSet(OneNameViewSetMixin, ProgrammeScopedViewSetMixin, ModelViewSet):
    model = Notification
    icon = "mail"
    menu_label = gettext_lazy("Outbox")
    url_prefix = "mentorat/courriels"
    name = "mentorat_outbox"
    filterset_class = NotificationFilterSet
    list_display = [
        Column("id", label=gettext_lazy("Notification")),
        "kind",
        person_column("recipient", gettext_lazy("Recipient")),
        "status",
        "attempts",
        Column("last_error", accessor="get_last_error_display", label=gettext_lazy("last error")),
        field_column(Notification, "created_at"),
        field_column(Notification, "sent_at"),
        LabelColumn("delivery_status", accessor=delivery_label, label=gettext_lazy("Delivery")),
        ResendColumn("resend", label=gettext_lazy("Actions")),
    ]
    list_export = [
        "id",
        "kind",
        "recipient",
        "to_email",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "message_id",
        "delivery_status",
    ]
    export_filename = "courriels"
    inspect_view_enabled = True
    inspect_view_fields = [
        "kind",
        "recipient",
        "to_email",
        "language",
        "pairing",
        "status",
        "attempts",
        "next_attempt_at",
        "sending_started_at",
        "last_error",
        "created_at",
        "sent_at",
        "message_id",
        "delivery_status",
        "delivery_updated_at",
        "idempotency_key",
    ]
    ordering = ["-created_at", "-pk"]
    copy_view_enabled = False
    form_fields = ["status"]  # never offered: the policy allows no edit

    index_view_class = OutboxIndexView
    inspect_view_class = OutboxInspectView


class BounceFilterSet(WagtailFilterSet):
    class Meta:
        model = NotificationSettings
        fields = ["email_bounced", "complained"]


class NotificationSettingsViewSet(OneNameViewSetMixin, ProgrammeScopedViewSetMixin, ModelViewSet):
    model = NotificationSettings
    icon = "warning"
    menu_label = gettext_lazy("Email addresses")
    url_prefix = "mentorat/adresses"
    name = "mentorat_email_settings"
    filterset_class = BounceFilterSet
    list_display = [
        person_column("user", gettext_lazy("Person")),
        field_column(NotificationSettings, "email_bounced"),
        field_column(NotificationSettings, "bounced_at"),
        "bounce_reason",
        field_column(NotificationSettings, "complained"),
        LabelColumn(
            "language",
            accessor=language_label,
            label=gettext_lazy("Language of emails"),
            sort_key="language",
        ),
    ]
    ordering = ["-bounced_at", "pk"]
    copy_view_enabled = False
    form_fields = ["language"]  # never offered: the policy allows no edit

    index_view_class = AddressIndexView


def _emails_label():
    """Inside the "Mentoring" menu "Emails" says enough; at the top level (flat) it says
    whose emails they are."""
    return _("Emails") if conf.admin_menu_grouped() else _("Mentoring emails")


class EmailViewSetGroup(ViewSetGroup):
    menu_label = lazy(_emails_label, str)()
    menu_name = "mentorat-emails"
    menu_icon = "mail"
    menu_order = ORDER["emails"]
    menu_hook = MENU_HOOK  # a submenu of "Mentoring"
    items = (NotificationViewSet, NotificationSettingsViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return EmailViewSetGroup()


@require_POST
def resend_view(request, pk):
    if not rules.is_coordinator(request.user):
        raise PermissionDenied
    notification = get_object_or_404(scope_for(Notification, request.user), pk=pk)
    if outbox.resend([notification.pk]):
        messages.success(request, _("The email will be sent again."))
    else:
        messages.error(request, _("Only a failed or interrupted email can be sent again."))
    return redirect("mentorat_outbox:index")


@hooks.register("register_admin_urls")
def register_resend_url():
    return [
        path(
            "mentorat/courriels/renvoyer/<mentorat_id:pk>/",
            ids.record_view(resend_view),
            name="mentorat_notifications_resend",
        )
    ]


# --- emails editors can word, and each programme's reminder schedule ----------------------


class WordingPolicy(ModelPermissionPolicy):
    """The model's permissions (add, change, delete, view on "email wording"), for programme
    staff only: a preview shows a real pairing's names and dates."""

    def user_has_permission(self, user, action):
        return rules.is_coordinator(user) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return rules.is_coordinator(user) and super().user_has_any_permission(user, actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)


class SchedulePolicy(BasePermissionPolicy):
    """A coordinator sets the schedule of the programmes they coordinate (others: 404)."""

    ACTIONS = ("add", "change", "delete", "view")

    def user_has_permission(self, user, action):
        return action in self.ACTIONS and rules.is_coordinator(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return action in self.ACTIONS and rules.is_coordinator(user, instance.programme_id)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def users_with_any_permission(self, actions):
        if not set(actions) & set(self.ACTIONS):
            return get_user_model().objects.none()
        return rules.programme_staff()

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return ReminderSchedule.objects.none()
        return rules.coordinated(ReminderSchedule.objects.all(), user)


register_permission_policy(EmailWording, WordingPolicy(EmailWording))
register_permission_policy(ReminderSchedule, SchedulePolicy(ReminderSchedule))


class PlaceholdersPanel(Panel):
    """Beside the editor: the placeholders the kind may use, the shipped wording, and the
    test send and back-to-default actions of a saved wording."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "mentorat_notifications/admin/placeholders_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            instance = self.instance
            kind = instance.kind or None
            context["kind"] = kind
            context["placeholders"] = wording.described(kind) if kind else []
            context["all_kinds"] = [] if kind else list(Kind.choices)
            context["confidential"] = sorted(wording.CONFIDENTIAL)
            if kind:
                context["shipped_subject"], context["shipped_body"] = wording.shipped(
                    kind, instance.language or None
                )
            viewset = EmailWording.snippet_viewset
            context["add_url"] = reverse(viewset.get_url_name("add"))
            context["language"] = instance.language or django_settings.LANGUAGE_CODE
            if instance.pk:
                context["test_url"] = reverse(viewset.get_url_name("test_send"), args=[instance.pk])
                context["default_url"] = reverse(
                    viewset.get_url_name("back_to_default"), args=[instance.pk]
                )
            return context


class WordingCreateView(SnippetCreateView):
    """``?kind=…&language=…`` starts from the shipped wording of that kind."""

    def get_initial(self):
        initial = super().get_initial()
        kind = self.request.GET.get("kind")
        language = self.request.GET.get("language") or django_settings.LANGUAGE_CODE
        if kind in Kind.values and language in dict(django_settings.LANGUAGES):
            subject, body = wording.shipped(kind, language)
            initial.update(kind=kind, language=language, subject=subject, body=body)
        return initial

    def get_initial_form_instance(self):
        instance = EmailWording()
        kind = self.request.GET.get("kind")
        if kind in Kind.values:
            instance.kind = kind
            instance.language = self.request.GET.get("language") or ""
        return instance


class WordingActionView(WagtailAdminTemplateMixin, TemplateView):
    """A confirmation (GET) then the action (POST) on one saved wording."""

    template_name = "mentorat_notifications/admin/wording_action.html"
    header_icon = "mail"
    viewset = None

    def dispatch(self, request, pk):
        if not rules.is_coordinator(request.user):
            raise PermissionDenied
        self.object = get_object_or_404(EmailWording, pk=ids.parse_id(str(pk)) or 0)
        return super().dispatch(request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(object=self.object, view=self, edit_url=self.edit_url())
        return context

    def edit_url(self):
        return reverse(self.viewset.get_url_name("edit"), args=[self.object.pk])


class BackToDefaultView(WordingActionView):
    page_title = gettext_lazy("Back to the shipped wording")

    @property
    def confirmation_message(self):
        return _(
            "The shipped subject and message will be used again for this kind of email in "
            "this language. The current wording stays in the history, where it can be "
            "restored. Emails already waiting to be sent keep their wording."
        )

    def post(self, request):
        if not self.viewset.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        self.object.subject, self.object.body = "", ""
        self.object.save()
        self.object.save_revision(user=request.user, log_action=True)
        messages.success(request, _("The shipped wording is used again."))
        return redirect(self.edit_url())


class TestSendView(WordingActionView):
    page_title = gettext_lazy("Send me a test")

    @property
    def confirmation_message(self):
        return _(
            "The saved wording will be sent to your own address (%(email)s), with the data "
            "of a pairing of your programmes: states, dates and names, never content."
        ) % {"email": self.request.user.email or "—"}

    def post(self, request):
        if not request.user.email:
            messages.error(request, _("Your account has no email address."))
            return redirect(self.edit_url())
        address = preview.send_test(self.object, request.user)
        messages.success(request, _("A test was sent to %(email)s.") % {"email": address})
        return redirect(self.edit_url())


class EmailWordingViewSet(OneNameViewSetMixin, ProgrammeScopedViewSetMixin, SnippetViewSet):
    model = EmailWording
    chooser_viewset_class = PermissionCheckedChooserViewSet  # programme staff only
    icon = "mail"
    menu_label = gettext_lazy("Wording of emails")
    add_view_class = WordingCreateView
    list_display = [
        "kind",
        LabelColumn("language", accessor=language_label, label=gettext_lazy("Language")),
        Column("subject", label=gettext_lazy("Subject")),
        field_column(EmailWording, "updated_at"),
    ]
    list_filter = ["kind", "language"]
    ordering = ["kind", "language"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("kind"),
            FieldPanel("language"),
            FieldPanel("subject"),
            FieldPanel("body"),
            PlaceholdersPanel(heading=gettext_lazy("Placeholders")),
        ],
        base_form_class=EmailWordingForm,
    )

    def get_urlpatterns(self):
        # Guarded like the viewset's own record URLs: 404 for a missing record, a hostile
        # id, or a person without the permission.
        guard = self._guard_record
        return super().get_urlpatterns() + [
            path(
                "default/<str:pk>/",
                guard(BackToDefaultView.as_view(viewset=self)),
                name="back_to_default",
            ),
            path("test/<str:pk>/", guard(TestSendView.as_view(viewset=self)), name="test_send"),
        ]


class ScheduleCreateView(SnippetCreateView):
    """``?programme=<id>`` (the link on the programme's page) starts with that programme,
    when the person coordinates it; any other value starts with none."""

    def get_initial_form_instance(self):
        instance = ReminderSchedule()
        number = ids.parse_id(self.request.GET.get("programme"))
        if number and rules.coordinated_programmes(self.request.user).filter(pk=number).exists():
            instance.programme_id = number
        return instance


class ReminderScheduleViewSet(OneNameViewSetMixin, ProgrammeScopedViewSetMixin, SnippetViewSet):
    """Scoped by its programme: another programme's schedule answers 404."""

    model = ReminderSchedule
    add_view_class = ScheduleCreateView
    chooser_viewset_class = PermissionCheckedChooserViewSet
    icon = "time"
    menu_label = gettext_lazy("Reminder schedules")
    list_display = ["programme", "review_reminder_days", "end_reminder_days"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("programme"),
            FieldPanel("first_contact"),
            FieldPanel("help_requests"),
            FieldPanel("escalate_after_hours"),
            FieldPanel("reviews"),
            FieldPanel("review_reminder_days"),
            FieldPanel("end"),
            FieldPanel("end_reminder_days"),
            FieldPanel("no_meeting"),
        ],
        base_form_class=ReminderScheduleForm,
    )

    def scoped(self, queryset, request):
        return rules.coordinated(queryset, request.user)

    def get_queryset(self, request):
        return self.scoped(ReminderSchedule.objects.select_related("programme"), request)


# The group is declared above the viewsets it now also holds (read when the hook runs).
EmailViewSetGroup.items = (
    NotificationViewSet,
    NotificationSettingsViewSet,
    EmailWordingViewSet,
    ReminderScheduleViewSet,
)
