"""The outbox in the Wagtail admin, for programme staff: status, attempts, last error,
filters, export, and a resend button for a failed or interrupted email. Also the people
whose address bounced."""

import django_filters
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
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from wagtail_mentorat import conf, formatting, ids, rules
from wagtail_mentorat.admin.access import (
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

from . import outbox
from .kinds import Kind
from .models import Notification, NotificationSettings

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
        "last_error",
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
