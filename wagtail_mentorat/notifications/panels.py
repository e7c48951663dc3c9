"""The programme's reminder schedule shown on the programme's own edit page (issue 21: the
schedule belongs to "the programme's settings"), with the link to change it. Models are
imported when the panel renders: ``Programme.panels`` imports this module while the app
registry is still loading."""

from django.apps import apps
from django.urls import reverse
from wagtail.admin.panels import Panel
from wagtail.permissions import policy_registry

APP = "wagtail_mentorat.notifications"


class ReminderSchedulePanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "mentorat_notifications/admin/reminder_schedule_panel.html"

        def is_shown(self):
            return apps.is_installed(APP)

        def get_context_data(self, parent_context=None):
            from .models import ReminderSchedule
            from .reminders import Schedule, schedules

            context = super().get_context_data(parent_context)
            programme = self.instance
            context["saved"] = bool(programme.pk)
            if not programme.pk:
                return context
            row = ReminderSchedule.objects.filter(programme=programme.pk).first()
            context["own"] = row is not None
            schedule = schedules().get(programme.pk) or Schedule.default()
            context["schedule"] = schedule
            context["escalate_hours"] = int(schedule.escalate_after.total_seconds() // 3600)
            viewset = ReminderSchedule.snippet_viewset
            policy, user = policy_registry.get_by_type(ReminderSchedule), self.request.user
            if row is not None and policy.user_has_permission_for_instance(user, "change", row):
                context["change_url"] = reverse(viewset.get_url_name("edit"), args=[row.pk])
            elif row is None and policy.user_has_permission(user, "add"):
                add = reverse(viewset.get_url_name("add"))
                context["change_url"] = f"{add}?programme={programme.pk}"
            return context
