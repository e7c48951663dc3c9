"""The admin forms of the editable emails and the reminder schedules."""

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from wagtail.admin.forms import WagtailAdminModelForm

from wagtail_mentorat import rules

from .kinds import Kind


class EmailWordingForm(WagtailAdminModelForm):
    """The host's LANGUAGES, read when the form is built (the model field has no choices,
    so the migrations stay the same in every intranet). Placeholders are checked by the
    model's ``clean`` (``wording.problems``), whose reasons appear under each field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:
            field = self.fields["language"]
            self.fields["language"] = forms.ChoiceField(
                label=capfirst(field.label or ""),
                choices=list(settings.LANGUAGES),
                initial=settings.LANGUAGE_CODE,
            )
        if "kind" in self.fields:
            self.fields["kind"].choices = list(Kind.choices)


class ReminderScheduleForm(WagtailAdminModelForm):
    """A coordinator sets the schedule of the programmes they coordinate only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "programme" in self.fields and self.for_user is not None:
            self.fields["programme"].queryset = rules.coordinated_programmes(
                self.for_user
            ).order_by("name")
