"""Open a cohort's mentoring requests from a CSV file, all or nothing.

Columns: ``email`` (a person already in the intranet: import the people first),
``programme`` (its name or number), ``need``, and optionally ``goals`` (written to the
person's profile), ``urgency`` and ``expertise``. Each line goes through
:func:`wagtail_mentorat.lifecycle.open_request` as the coordinator who imports, so a line
the rules refuse (a programme closed or not theirs, a request already waiting) is an
error on that line. A dry run runs the same writes and rolls them back: it finds exactly
what the import would refuse.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import lifecycle, rules
from ..exceptions import RuleViolation
from ..models import ExpertiseArea, MentoringRequest, ParticipantProfile
from . import MAX_BYTES, CountedResult, RowError, _chunks, parse

COLUMNS = ("email", "programme", "need", "goals", "urgency", "expertise")
REQUIRED_COLUMNS = ("email", "programme", "need")
URGENCY = {
    "": MentoringRequest.Urgency.NORMAL,
    "normal": MentoringRequest.Urgency.NORMAL,
    "normale": MentoringRequest.Urgency.NORMAL,
    "non": MentoringRequest.Urgency.NORMAL,
    "no": MentoringRequest.Urgency.NORMAL,
    "urgent": MentoringRequest.Urgency.URGENT,
    "urgente": MentoringRequest.Urgency.URGENT,
    "oui": MentoringRequest.Urgency.URGENT,
    "yes": MentoringRequest.Urgency.URGENT,
}
COLUMN_HELP = {
    "email": gettext_lazy("Required. A person already in the intranet (import people first)."),
    "programme": gettext_lazy("Required. The programme's name or number; one you coordinate."),
    "need": gettext_lazy("Required. The need, in a few words."),
    "goals": gettext_lazy("Development goals, written to the person's profile (optional)."),
    "urgency": gettext_lazy("normal or urgent (empty: normal)."),
    "expertise": gettext_lazy("Areas of expertise wanted, separated by “;”."),
}


class RequestResult(CountedResult):
    def summary(self):
        if self.dry_run:
            return ngettext(
                "Dry run, nothing written. The import would open %(count)s request.",
                "Dry run, nothing written. The import would open %(count)s requests.",
                self.created,
            ) % {"count": self.created}
        return ngettext(
            "Import done: %(count)s request opened.",
            "Import done: %(count)s requests opened.",
            self.created,
        ) % {"count": self.created}


class RequestRowForm(forms.Form):
    email = forms.EmailField(max_length=254)
    programme = forms.CharField(max_length=200)
    need = forms.CharField(max_length=4000)
    goals = forms.CharField(required=False, max_length=4000)
    urgency = forms.CharField(required=False)
    expertise = forms.CharField(required=False)

    def __init__(self, *args, programmes, vocabulary, **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = programmes  # {lowercase name or "id": Programme}
        self.vocabulary = vocabulary  # {lowercase name: ExpertiseArea}

    def clean_programme(self):
        value = self.cleaned_data["programme"].strip().lower()
        programme = self.programmes.get(value)
        if programme is None:
            raise forms.ValidationError(
                _("No programme you coordinate has this name or number: “%(value)s”.")
                % {"value": self.cleaned_data["programme"]}
            )
        return programme

    def clean_urgency(self):
        value = self.cleaned_data["urgency"].strip().lower()
        if value not in URGENCY:
            raise forms.ValidationError(_("Write “normal” or “urgent” (empty: normal)."))
        return URGENCY[value]

    def clean_expertise(self):
        names = [name.strip() for name in self.cleaned_data["expertise"].split(";")]
        unknown = [name for name in names if name and name.lower() not in self.vocabulary]
        if unknown:
            raise forms.ValidationError(
                _(
                    "Unknown area(s) of expertise: %(names)s. Use the names of the areas of "
                    "expertise list, separated by “;”, or add the area there first."
                )
                % {"names": ", ".join(f"“{name}”" for name in unknown)}
            )
        return [self.vocabulary[name.lower()] for name in names if name]


def import_requests(file, user, dry_run=False):
    """Check the CSV ``file`` and open its requests as ``user`` (a coordinator) unless
    ``dry_run``. Returns a :class:`RequestResult`; with errors nothing was written."""
    data = file if isinstance(file, bytes) else file.read(MAX_BYTES + 1)
    result = RequestResult(dry_run=dry_run)
    header, records, errors = parse(data, COLUMNS, REQUIRED_COLUMNS)
    if not errors and not records:
        errors = [RowError(1, "", _("The file has no line under the header."))]
    if errors:
        result.errors = errors
        return result
    result.rows = len(records)
    programmes = {}
    for programme in rules.coordinated_programmes(user):
        programmes[str(programme.pk)] = programme
        programmes[programme.name.strip().lower()] = programme
    vocabulary = {area.name.lower(): area for area in ExpertiseArea.objects.all()}
    rows, seen = [], {}
    for number, cells in records:
        form = RequestRowForm(cells, programmes=programmes, vocabulary=vocabulary)
        if not form.is_valid():
            errors.extend(
                RowError(number, column, str(message))
                for column, messages in form.errors.items()
                for message in messages
            )
            continue
        key = (form.cleaned_data["email"].lower(), form.cleaned_data["programme"].pk)
        if key in seen:
            message = _("This person already has a request for this programme on line %(line)s.")
            errors.append(RowError(number, "email", message % {"line": seen[key]}))
            continue
        seen[key] = number
        rows.append((number, form.cleaned_data))
    people = _people({data["email"].lower() for _number, data in rows})
    for number, data in rows:
        if data["email"].lower() not in people:
            message = _("Nobody in the intranet has this email; import the person first.")
            errors.append(RowError(number, "email", message))
    if errors:
        result.errors = sorted(errors, key=lambda error: error.row)
        return result
    with transaction.atomic():
        for number, data in rows:
            mentee = people[data["email"].lower()]
            try:
                with transaction.atomic():
                    lifecycle.open_request(
                        data["programme"],
                        mentee,
                        user,
                        data["need"],
                        urgency=data["urgency"],
                        expertise=data["expertise"],
                    )
            except RuleViolation as refusal:
                errors.append(RowError(number, "", " ".join(refusal.messages)))
                continue
            result.created += 1
            if data["goals"]:
                ParticipantProfile.objects.filter(user=mentee).update(goals=data["goals"])
        if errors or dry_run:
            transaction.set_rollback(True)
    if errors:
        result.errors, result.created = errors, 0
    return result


def _people(emails):
    """Active accounts by lowercase email; an email two accounts share matches neither."""
    User = get_user_model()
    email_field = User.get_email_field_name()
    accounts = User.objects.filter(is_active=True).annotate(email_lower=Lower(email_field))
    found, shared = {}, set()
    for part in _chunks(emails):
        for account in accounts.filter(email_lower__in=part):
            if account.email_lower in found:
                shared.add(account.email_lower)
            found[account.email_lower] = account
    return {email: account for email, account in found.items() if email not in shared}
