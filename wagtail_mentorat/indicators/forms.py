"""Forms of the indicators: the dashboard's filters, the references, the self-assessment."""

import datetime

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import caching, rules
from ..models import ParticipantProfile, Programme
from . import standards
from .models import REFERENCE_KEYS, IndicatorReferences, Status

MAX_PERIOD_DAYS = 6 * 366


def _choices(field_name):
    """The distinct sites (or units) of the profiles, from the cache while no profile
    changed (:data:`caching.PROFILES`): two queries over every profile on each page
    otherwise."""

    def read():
        return list(
            ParticipantProfile.objects.exclude(**{field_name: ""})
            .order_by(field_name)
            .values_list(field_name, flat=True)
            .distinct()
        )

    values = caching.PROFILES.get_or_set(("indicator_choices", field_name), read)
    return [("", _("All"))] + [(v, v) for v in values]


class _ReadOnce(ModelChoiceIterator):
    """The choices of a select read from the database once per form: Django's select
    asks for its first option, then for all of them (two queries otherwise)."""

    def __iter__(self):
        if getattr(self, "_rows", None) is None:
            self._rows = list(super().__iter__())
        return iter(self._rows)


class ProgrammeChoiceField(forms.ModelChoiceField):
    iterator = _ReadOnce


class PeriodMixin:
    """A year, or a start and an end date (inclusive) that override it."""

    def clean_period(self, data):
        start, end, year = data.get("start"), data.get("end"), data.get("year")
        if bool(start) != bool(end):
            raise forms.ValidationError(_("Give both the start and the end of the period."))
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end of the period is before its start."))
            if (end - start).days > MAX_PERIOD_DAYS:
                raise forms.ValidationError(_("Choose a period of six years at most."))
        else:
            year = year or timezone.localdate().year
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        data["start"], data["end"] = start, end
        return data


def scope_programmes(form, user):
    """Only the programmes the user coordinates can be chosen (another one is refused
    as an invalid choice)."""
    field = form.fields["programme"]
    field.queryset = rules.coordinated(field.queryset, user, "pk")


class IndicatorFilterForm(PeriodMixin, forms.Form):
    programme = ProgrammeChoiceField(
        Programme.objects.order_by("name"), label=_("Programme"), required=False, empty_label=None
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    site = forms.ChoiceField(label=_("Mentee's site"), required=False)
    unit = forms.ChoiceField(label=_("Mentee's unit"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope_programmes(self, user)
        self.fields["site"].choices = _choices("site")
        self.fields["unit"].choices = _choices("unit")

    def clean(self):
        return self.clean_period(super().clean())


class ReferencesForm(forms.ModelForm):
    class Meta:
        model = IndicatorReferences
        fields = [name for key in REFERENCE_KEYS for name in (key, f"{key}_source")]
        widgets = {f"{key}_source": forms.Textarea(attrs={"rows": 2}) for key in REFERENCE_KEYS}

    def clean(self):
        data = super().clean()
        for name in list(self.fields):
            if name.endswith("_source"):
                continue
            if data.get(name) is not None and not (data.get(f"{name}_source") or "").strip():
                self.add_error(f"{name}_source", _("Give the source of this reference."))
        return data


class AssessmentPeriodForm(PeriodMixin, forms.Form):
    programme = forms.ModelChoiceField(
        Programme.objects.order_by("name"), label=_("Programme"), empty_label=None
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope_programmes(self, user)

    def clean(self):
        return self.clean_period(super().clean())


class AssessmentForm(forms.Form):
    """One status, evidence and improvement action per checklist item."""

    STATUS_CHOICES = [("", _("Not answered yet")), *Status.choices]

    def __init__(self, *args, initial_answers=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_answers = initial_answers or {}
        for code in standards.ITEMS:
            answer = initial_answers.get(code, {})
            self.fields[f"status_{code}"] = forms.ChoiceField(
                label=_("Status"),
                choices=self.STATUS_CHOICES,
                required=False,
                initial=answer.get("status", ""),
                widget=forms.RadioSelect,
            )
            self.fields[f"evidence_{code}"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                max_length=4000,
                initial=answer.get("evidence", ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"action_{code}"] = forms.CharField(
                label=_("Improvement action"),
                required=False,
                max_length=4000,
                initial=answer.get("action", ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        data = super().clean()
        for code in standards.ITEMS:
            status = data.get(f"status_{code}")
            if (
                status in (Status.PARTLY, Status.NOT_MET)
                and not data.get(f"action_{code}", "").strip()
            ):
                self.add_error(
                    f"action_{code}",
                    _("Say what the programme will do to improve on this item."),
                )
            if status == Status.MET and not data.get(f"evidence_{code}", "").strip():
                self.add_error(f"evidence_{code}", _("Give the evidence that this item is met."))
        return data

    def rows(self):
        """The checklist grouped by standard, with the bound fields of each item."""
        out = []
        for standard in standards.STANDARDS:
            items = [
                {
                    "item": item,
                    "status": self[f"status_{item.code}"],
                    "evidence": self[f"evidence_{item.code}"],
                    "action": self[f"action_{item.code}"],
                }
                for item in standard.items
            ]
            out.append({"standard": standard, "items": items})
        return out

    def answers(self):
        return {
            code: {
                "status": self.cleaned_data.get(f"status_{code}", ""),
                "evidence": self.cleaned_data.get(f"evidence_{code}", "").strip(),
                "action": self.cleaned_data.get(f"action_{code}", "").strip(),
            }
            for code in standards.ITEMS
        }
