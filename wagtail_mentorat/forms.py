"""Front-end forms. They validate input and say what is wrong; the rules themselves are
checked by :mod:`wagtail_mentorat.lifecycle`, whose errors the views attach to the form."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .ids import IdField
from .models import (
    ClosureKind,
    ClosureReason,
    ContactAfterClosure,
    ExpertiseArea,
    FitCheck,
    MeetingMode,
    MentorDecline,
    MentoringKind,
    MentoringRequest,
    MentorPreference,
    ObjectiveAttainment,
    Programme,
)

TEXT = {"rows": 4}


class RegistrationForm(forms.Form):
    """“Je veux m'inscrire” (seed 004): as a mentee, as a mentor, or a manager for one of
    their staff (seed 001)."""

    ROLE_MENTEE, ROLE_MENTOR, ROLE_FOR_STAFF = "mentee", "mentor", "for_staff"

    role = forms.ChoiceField(
        label=_("I register"),
        widget=forms.RadioSelect,
        choices=[
            (ROLE_MENTEE, _("as a mentee: I want a mentor")),
            (ROLE_MENTOR, _("as a mentor: I offer to accompany a colleague")),
            (ROLE_FOR_STAFF, _("a member of my staff, as their manager")),
        ],
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.filter(is_active=True)
    )
    staff_member = forms.ChoiceField(label=_("Staff member"), required=False)
    need = forms.CharField(
        label=_("My needs"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("What should be answered quickly (a client waiting) and what can wait."),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=MentoringRequest.Urgency.choices, initial="normal"
    )
    kind = forms.ChoiceField(
        label=_("Type of mentoring"),
        # Circles are joined from their own page, not asked for.
        choices=[c for c in MentoringKind.choices if c[0] != MentoringKind.CIRCLE],
        initial="individual",
    )
    expertise = forms.ModelMultipleChoiceField(
        label=_("Areas of expertise"),
        queryset=ExpertiseArea.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Mentee: the areas you need. Mentor: the areas you master."),
    )
    goals = forms.CharField(
        label=_("My development goals / my expectations of a mentor"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )
    availability = forms.CharField(label=_("Availability"), required=False, max_length=200)
    years_experience = forms.IntegerField(
        label=_("Years of experience"), min_value=0, max_value=70, required=False
    )
    mentor_capacity = forms.IntegerField(
        label=_("How many mentees at a time"), min_value=1, max_value=10, required=False
    )
    discipline = forms.CharField(label=_("Discipline"), required=False, max_length=120)
    site = forms.CharField(label=_("Workplace or site"), required=False, max_length=120)
    unit = forms.CharField(label=_("Unit or service"), required=False, max_length=120)
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and I agree to take part in the programme."),
        error_messages={"required": _("Your consent to the privacy notice is needed.")},
    )

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {str(user.pk): user for user in staff}
        self.fields["staff_member"].choices = [("", "—")] + [
            (pk, user.get_full_name() or user.get_username()) for pk, user in self.staff.items()
        ]

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role in (self.ROLE_MENTEE, self.ROLE_FOR_STAFF) and not data.get("need", "").strip():
            self.add_error("need", _("Describe the need in a few words."))
        if role == self.ROLE_FOR_STAFF:
            member = self.staff.get(data.get("staff_member") or "")
            if member is None:
                self.add_error("staff_member", _("Choose a member of your staff."))
            data["staff_user"] = member
        if role == self.ROLE_MENTOR and data.get("years_experience") is None:
            self.add_error("years_experience", _("Say how many years of experience you have."))
        return data


class ObjectivesForm(forms.Form):
    """Objectives, one per line; “|” separates an objective from how success is seen."""

    objectives = forms.CharField(
        label=_("Development objectives"),
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One objective per line. After a “|”, how you will see it is attained."),
    )

    def clean_objectives(self):
        rows = []
        for line in self.cleaned_data["objectives"].splitlines():
            text, _sep, measure = line.partition("|")
            if text.strip():
                rows.append((text.strip(), measure.strip()))
        if not rows:
            raise forms.ValidationError(_("Write at least one objective."))
        return rows


def _not_future(value):
    if value > timezone.now():
        raise forms.ValidationError(
            _("A meeting in the future cannot be logged as held: log it once it has taken place.")
        )


class MeetingForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("Date and time"),
        validators=[_not_future],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=600, initial=60
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=MeetingMode.choices)
    summary = forms.CharField(
        label=_("Shared summary (both of you see it)"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs=TEXT),
    )
    private_note = forms.CharField(
        label=_("Private note (only you will ever see it)"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs=TEXT),
    )
    rating = forms.TypedChoiceField(
        label=_("How did it go?"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (5, "😀 5"), (4, "🙂 4"), (3, "😐 3"), (2, "🙁 2"), (1, "😞 1")],
    )


class FitCheckForm(forms.Form):
    fit = forms.ChoiceField(
        label=_("After this first meeting, the fit is"),
        choices=FitCheck.Fit.choices,
        widget=forms.RadioSelect,
    )
    wants_rematch = forms.BooleanField(label=_("I would like another pairing"), required=False)


class HelpRequestForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"), max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )
    client_waiting = forms.BooleanField(
        label=_("Urgent: a client is waiting for an answer"), required=False
    )


class AnswerForm(forms.Form):
    help_request = IdField(widget=forms.HiddenInput)
    answer = forms.CharField(
        label=_("Your answer"), max_length=6000, widget=forms.Textarea(attrs=TEXT)
    )


class ReviewForm(forms.Form):
    kind = forms.ChoiceField(
        widget=forms.HiddenInput, choices=[("midterm", "midterm"), ("final", "final")]
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(i, str(i)) for i in range(1, 6)],
    )
    what_helped = forms.CharField(
        label=_("What helped"), required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )
    next_steps = forms.CharField(
        label=_("Next steps"), required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )

    def __init__(self, *args, objectives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.objectives = list(objectives)
        for objective in self.objectives:
            self.fields[f"objective_{objective.pk}"] = forms.ChoiceField(
                label=objective.text,
                choices=ObjectiveAttainment.Level.choices,
            )

    def attainments(self):
        return {o.pk: self.cleaned_data[f"objective_{o.pk}"] for o in self.objectives}


class ExtensionForm(forms.Form):
    new_end = forms.DateField(
        label=_("New end date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Why more time is needed"), max_length=2000, widget=forms.Textarea(attrs=TEXT)
    )

    def clean_new_end(self):
        value = self.cleaned_data["new_end"]
        if value <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date in the future."))
        if value > timezone.localdate() + datetime.timedelta(days=3 * 365):
            raise forms.ValidationError(_("Choose a date within three years."))
        return value


class ClosureForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of ending"), choices=ClosureKind.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=ClosureReason.choices)
    contact_after = forms.ChoiceField(
        label=_("After the closure"), choices=ContactAfterClosure.choices
    )
    rematch_wanted = forms.BooleanField(label=_("A new pairing is wanted"), required=False)
    exit_questions_done = forms.BooleanField(
        label=_("We answered the exit questions together (what we learned, what comes next)"),
        required=False,
    )


class DisagreementForm(forms.Form):
    description = forms.CharField(
        label=_("What is happening (only programme staff will read it)"),
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )


class SafetyConcernForm(forms.Form):
    description = forms.CharField(
        label=_("The concern (the mentee's manager will read it)"),
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )


class FirstContactForm(forms.Form):
    when = forms.DateTimeField(
        label=_("First contact on"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])


class DeclineForm(forms.Form):
    """A mentor's answer to an assignment they cannot take (the reason goes to programme
    staff; the mentee only learns that another mentor is being sought)."""

    reason = forms.ChoiceField(
        label=_("Why"),
        choices=[c for c in MentorDecline.Reason.choices if c[0] != MentorDecline.Reason.NO_ANSWER],
    )
    note = forms.CharField(
        label=_("A word for programme staff (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PreferencesForm(forms.Form):
    """Up to three preferred mentors, best first, among the mentee's suggestions."""

    def __init__(self, *args, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        options = [("", _("— no preference —"))] + [
            (str(fit.mentor.id), fit.mentor.name) for fit in suggestions
        ]
        labels = [_("First choice"), _("Second choice"), _("Third choice")]
        for rank in range(MentorPreference.MAX):
            self.fields[f"choice_{rank + 1}"] = forms.ChoiceField(
                label=labels[rank], choices=options, required=False
            )

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"choice_{r + 1}") for r in range(MentorPreference.MAX)]
        chosen = [int(c) for c in chosen if c]
        if len(set(chosen)) != len(chosen):
            raise forms.ValidationError(_("Choose each mentor once."))
        data["mentors"] = chosen
        return data
