from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .kinds import OPTIONAL_KINDS, Kind
from .models import NotificationSettings


class NotificationSettingsForm(forms.ModelForm):
    """The reminders a person may turn off; the deadlines of their own role stay on."""

    # The host's LANGUAGES, read when the form is built (the model field has no choices,
    # so the migrations stay the same in every intranet); a code not offered is refused.
    language = forms.ChoiceField(
        label=capfirst(NotificationSettings._meta.get_field("language").verbose_name),
        required=False,
        help_text=NotificationSettings._meta.get_field("language").help_text,
    )
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
