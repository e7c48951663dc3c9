"""Front-end forms. They validate input and say what is wrong; the rules themselves are
checked by :mod:`wagtail_mentorat.lifecycle`, whose errors the views attach to the form."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .admin.people import PersonChoiceField
from .ids import IdField, parse_id
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


class _IdChoiceMixin:
    """A model choice naming records by id: a value that is no id (``abc``, ``-1``, 30
    digits) is an invalid choice, never a database error."""

    def _is_id(self, value):
        return parse_id(value) is not None


class ProgrammeChoiceField(_IdChoiceMixin, forms.ModelChoiceField):
    """The programmes offered (open ones only): a programme that closed meanwhile (or is
    forged) is refused with the reason it takes no registration, not a bare “invalid
    choice”."""

    def to_python(self, value):
        if value not in self.empty_values and not self._is_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            closed = Programme.objects.filter(pk=parse_id(value)).first()
            reason = closed and closed.recruitment_error(timezone.localdate())
            if error.code != "invalid_choice" or not reason:
                raise
            raise forms.ValidationError(reason, code="closed") from None


class AreasChoiceField(_IdChoiceMixin, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        try:
            values = list(value)
        except TypeError:
            values = []
        for pk in values:
            if not self._is_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


def _areas(label):
    return AreasChoiceField(
        label=label,
        queryset=ExpertiseArea.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _need(label, help_text):
    return forms.CharField(
        label=label,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=help_text,
        error_messages={"required": _("Describe the need in a few words.")},
    )


def _urgency():
    return forms.ChoiceField(
        label=_("Urgency"), choices=MentoringRequest.Urgency.choices, initial="normal"
    )


def _kind():
    return forms.ChoiceField(
        label=_("Type of mentoring"),
        # Circles are joined from their own page, not asked for.
        choices=[c for c in MentoringKind.choices if c[0] != MentoringKind.CIRCLE],
        initial="individual",
    )


def _consent():
    return forms.BooleanField(
        label=_("I have read the privacy notice and I agree to take part in the programme."),
        error_messages={"required": _("Your consent to the privacy notice is needed.")},
    )


class RegistrationForm(forms.Form):
    """“Je veux m'inscrire” (seed 004), in two short steps: who registers
    (:class:`RoleForm`), then only what that role needs (:meth:`for_role`): a mentee,
    a mentor, or a manager for one of their staff (seed 001). The rules themselves are
    :mod:`wagtail_mentorat.registration`'s and the lifecycle's."""

    ROLE_MENTEE, ROLE_MENTOR, ROLE_FOR_STAFF = "mentee", "mentor", "for_staff"
    ROLES = [
        (ROLE_MENTEE, _("as a mentee: I want a mentor")),
        (ROLE_MENTOR, _("as a mentor: I offer to accompany a colleague")),
        (ROLE_FOR_STAFF, _("a member of my staff, as their manager")),
    ]
    role = None  # each role's form says which

    programme = ProgrammeChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.filter(is_active=True),
        error_messages={
            "required": _("Choose a programme."),
            "invalid_choice": _("Choose one of the programmes open for registration."),
        },
    )

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if programmes is not None:
            self.fields["programme"].queryset = programmes

    @classmethod
    def for_role(cls, role):
        """The form of ``role``, or None for a role that is not one."""
        forms_ = {
            form.role: form
            for form in (MenteeRegistrationForm, MentorRegistrationForm, StaffRegistrationForm)
        }
        return forms_.get(role)

    def clean(self):
        data = super().clean()
        data["role"] = self.role
        return data


class _OwnProfileFields(forms.Form):
    """What a person says of themself (their own profile), with their own consent."""

    availability = forms.CharField(label=_("Availability"), required=False, max_length=200)
    discipline = forms.CharField(label=_("Discipline"), required=False, max_length=120)
    site = forms.CharField(label=_("Workplace or site"), required=False, max_length=120)
    unit = forms.CharField(label=_("Unit or service"), required=False, max_length=120)
    consent = _consent()


class MenteeRegistrationForm(_OwnProfileFields, RegistrationForm):
    """A person asks for a mentor: the programme, the need and the goals."""

    role = RegistrationForm.ROLE_MENTEE
    step_label = _("Step 2 of 2: I register as a mentee.")
    need = _need(
        _("My needs"), _("What should be answered quickly (a client waiting) and what can wait.")
    )
    urgency = _urgency()
    kind = _kind()
    expertise = _areas(_("Areas where I need support"))
    goals = forms.CharField(
        label=_("My development goals / my expectations of a mentor"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )
    years_experience = forms.IntegerField(
        label=_("Years of experience"), min_value=0, max_value=70, required=False
    )
    field_order = [
        "programme", "need", "urgency", "kind", "expertise", "goals", "availability",
        "years_experience", "discipline", "site", "unit", "consent",
    ]  # fmt: skip

    def __init__(self, *args, manager_for=None, **kwargs):
        """``manager_for``: the person registering, when their manager is asked (none on
        file and a programme offered where managers pair: :func:`registration.asks_for_manager`)."""
        super().__init__(*args, **kwargs)
        self.manager_for = manager_for
        if manager_for is not None:
            self.fields["manager_email"] = forms.EmailField(
                label=_("My manager's email address"),
                required=False,
                max_length=254,
                help_text=_(
                    "In programmes where the manager makes the pairing, your manager pairs "
                    "you with a mentor: without their name on file, nobody could."
                ),
            )
            self.order_fields(["programme", "manager_email"])

    def clean(self):
        from .exceptions import RuleViolation
        from .registration import manager_by_email
        from .rules import only_managers_pair

        data = super().clean()
        if self.manager_for is None:
            return data
        email, programme = data.get("manager_email"), data.get("programme")
        if email:
            try:
                data["manager"] = manager_by_email(self.manager_for, email)
            except RuleViolation as error:
                self.add_error("manager_email", error.messages)
        elif programme is not None and only_managers_pair(programme):
            if "manager_email" not in self.errors:
                self.add_error(
                    "manager_email",
                    _(
                        "In this programme, your manager makes the pairing: give their email "
                        "address."
                    ),
                )
        return data


class MentorRegistrationForm(_OwnProfileFields, RegistrationForm):
    """A person offers to accompany colleagues: experience, areas and capacity."""

    role = RegistrationForm.ROLE_MENTOR
    step_label = _("Step 2 of 2: I register as a mentor.")
    years_experience = forms.IntegerField(
        label=_("Years of experience"),
        min_value=0,
        max_value=70,
        error_messages={"required": _("Say how many years of experience you have.")},
    )
    expertise = _areas(_("Areas I master"))
    mentor_capacity = forms.IntegerField(
        label=_("How many mentees at a time"),
        min_value=0,
        max_value=10,
        required=False,
        help_text=_("0: no new mentee for now. Empty: the programme's default."),
    )
    goals = forms.CharField(
        label=_("What I can offer a colleague"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )
    field_order = [
        "programme", "years_experience", "expertise", "mentor_capacity", "goals",
        "availability", "discipline", "site", "unit", "consent",
    ]  # fmt: skip


class StaffRegistrationForm(RegistrationForm):
    """A manager registers a member of their staff: who, the programme and the need. No
    consent is asked: it is the person's own, given when they confirm
    (:mod:`wagtail_mentorat.registration`); nor their own goals or profile."""

    role = RegistrationForm.ROLE_FOR_STAFF
    step_label = _("Step 2 of 2: I register a member of my staff.")
    staff_member = forms.ChoiceField(
        label=_("Staff member"),
        error_messages={"required": _("Choose a member of your staff.")},
    )
    need = _need(
        _("Their needs"),
        _("What should be answered quickly (a client waiting) and what can wait."),
    )
    urgency = _urgency()
    kind = _kind()
    expertise = _areas(_("Areas where they need support"))
    field_order = ["staff_member", "programme", "need", "urgency", "kind", "expertise"]

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {str(user.pk): user for user in staff}
        self.fields["staff_member"].choices = [("", "—")] + [
            (pk, user.get_full_name() or user.get_username()) for pk, user in self.staff.items()
        ]

    def clean(self):
        data = super().clean()
        data["staff_user"] = self.staff.get(data.get("staff_member") or "")
        return data


class RoleForm(forms.Form):
    """The first step of the registration: who registers. A manager's option is offered
    to those with staff reporting to them only."""

    role = forms.ChoiceField(
        label=_("I register"), widget=forms.RadioSelect, choices=RegistrationForm.ROLES
    )

    def __init__(self, *args, manager=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not manager:
            self.fields["role"].choices = [
                c for c in RegistrationForm.ROLES if c[0] != RegistrationForm.ROLE_FOR_STAFF
            ]


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
        label=_("New end date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
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


class PersonIdChoiceField(PersonChoiceField):
    """A person by name, chosen by id: ``abc`` or 30 digits is an invalid choice checked
    before the database sees it, not a 500."""

    def to_python(self, value):
        if value not in self.empty_values and parse_id(value) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class TransferForm(forms.Form):
    """The mentee's new site, unit and manager; the rules are ``lifecycle.transfer_mentee``'s."""

    site = forms.CharField(label=_("New site"), max_length=120, required=False)
    unit = forms.CharField(label=_("New unit"), max_length=120, required=False)
    superior = PersonIdChoiceField(
        label=_("New manager"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("(unchanged)"),
    )

    def __init__(self, *args, profile=None, **kwargs):
        self.profile = profile
        initial = kwargs.setdefault("initial", {})
        if profile is not None:
            initial.setdefault("site", profile.site)
            initial.setdefault("unit", profile.unit)
            initial.setdefault("superior", profile.superior_id)
        super().__init__(*args, **kwargs)
        self.fields["superior"].queryset = get_user_model().objects.filter(
            is_active=True, mentorat_profile__isnull=False
        )

    def clean(self):
        data = super().clean()
        profile = self.profile
        if profile is not None and not self.errors:
            unchanged = (
                data.get("site", "") == profile.site
                and data.get("unit", "") == profile.unit
                and (data.get("superior") is None or data["superior"].pk == profile.superior_id)
            )
            if unchanged:
                raise forms.ValidationError(
                    _("Nothing changes: give the mentee's new site, unit or manager.")
                )
        return data


# --- scheduling the next meeting (issue 21) ------------------------------------------------


def _slot_time(value):
    from .scheduling import check_slot

    reason = check_slot(value)
    if reason:
        raise forms.ValidationError(reason, code="slot_date")


def _slot_fields(required=True, label_prefix=""):
    """Date and time, length, mode, place or video link: one time slot."""

    def label(text):
        return f"{label_prefix}{text}" if label_prefix else text

    return {
        "starts_at": forms.DateTimeField(
            label=label(_("Date and time")),
            required=required,
            validators=[_slot_time],
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        ),
        "duration_minutes": forms.IntegerField(
            label=label(_("Duration (minutes)")), min_value=5, max_value=600, initial=60
        ),
        "mode": forms.ChoiceField(
            label=label(_("Mode")), choices=MeetingMode.choices, initial=MeetingMode.IN_PERSON
        ),
        "place": forms.CharField(
            label=label(_("Place or video link")),
            required=False,
            max_length=500,
            help_text=_("Only the people of your pairing see it."),
        ),
    }


class ProposalForm(forms.Form):
    """One to three time slots; the first is required, the others are left empty or
    filled in full. Times are in the intranet's time zone."""

    SLOTS = 3

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, self.SLOTS + 1):
            prefix = gettext("Time slot %(n)s: ") % {"n": number}
            for name, field in _slot_fields(number == 1, prefix).items():
                if number > 1 and name in ("duration_minutes", "mode"):
                    field.required = False
                if number > 1 and name == "place":
                    field.help_text = ""
                self.fields[f"slot{number}_{name}"] = field

    def clean(self):
        cleaned = super().clean()
        for number in range(2, self.SLOTS + 1):
            if not cleaned.get(f"slot{number}_starts_at") and cleaned.get(f"slot{number}_place"):
                self.add_error(
                    f"slot{number}_starts_at",
                    _("Give this time slot a date and time, or empty it."),
                )
        return cleaned

    def slots(self):
        """[{starts_at, duration_minutes, mode, place}] of the slots filled in."""
        data = self.cleaned_data
        return [
            {
                "starts_at": data[f"slot{n}_starts_at"],
                "duration_minutes": data.get(f"slot{n}_duration_minutes") or 60,
                "mode": data.get(f"slot{n}_mode") or MeetingMode.IN_PERSON,
                "place": data.get(f"slot{n}_place") or "",
            }
            for n in range(1, self.SLOTS + 1)
            if data.get(f"slot{n}_starts_at")
        ]


class RescheduleForm(forms.Form):
    """The new date, length, mode and place of a planned meeting."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_slot_fields())
