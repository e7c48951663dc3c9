from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .kinds import OPTIONAL_KINDS, Kind
from .models import NotificationSettings


class NotificationSettingsForm(forms.ModelForm):
    """The reminders a person may turn off; the deadlines of their own role stay on."""

    wanted = forms.MultipleChoiceField(
        label=_("Emails I want to receive"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(k.value, k.label) for k in Kind if k in OPTIONAL_KINDS],
        help_text=_(
            "Deadlines of your own role (first contact, urgent requests, reviews, approvals) "
            "are always sent."
        ),
    )

    class Meta:
        model = NotificationSettings
        fields = ["language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Same as the intranet"))] + list(
            settings.LANGUAGES
        )
        muted = set(self.instance.muted_kinds or [])
        self.initial["wanted"] = [k.value for k in OPTIONAL_KINDS if k.value not in muted]

    def save(self, commit=True):
        wanted = set(self.cleaned_data["wanted"])
        self.instance.muted_kinds = sorted(k.value for k in OPTIONAL_KINDS if k not in wanted)
        return super().save(commit)
