"""Import participant profiles from an HR spreadsheet (CSV), all or nothing.

``import_profiles(file, dry_run)`` reads the whole file, checks every row (one Django form per
row for the fields, then the checks that need the whole file: duplicate emails, unknown
superiors, cycles in the hierarchy) and writes only when no row has an error, in one
transaction. A dry run does the same checks and counts, and writes nothing.

Line numbers are the spreadsheet's row numbers: the header is line 1, the first person line 2.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from ..models import ExpertiseArea, ParticipantProfile

COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "discipline",
    "site",
    "unit",
    "superior_email",
    "expertise",
    "goals",
    "languages",
    "mentor_capacity",
    "years_experience",
    "is_mentor",
)
REQUIRED_COLUMNS = ("email",)
PROFILE_TEXT_FIELDS = ("discipline", "site", "unit", "goals", "languages")
PROFILE_FIELDS = (*PROFILE_TEXT_FIELDS, "mentor_capacity", "years_experience", "is_mentor")
MAX_BYTES = 5 * 1024 * 1024
TRUE_VALUES = {"oui", "yes", "1"}
FALSE_VALUES = {"non", "no", "0", ""}
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: ``row`` is the spreadsheet line, ``column`` empty for a line."""

    row: int
    column: str
    message: str

    def __str__(self):
        if self.column:
            return _("line %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ValidatedRow:
    """One person line with a valid email, cleaned by the form."""

    row: int
    email: str
    values: dict  # the file's columns; a field with an error is missing
    valid: bool = True


@dataclass
class ImportResult:
    dry_run: bool
    errors: list = field(default_factory=list)
    rows: int = 0
    users_created: int = 0
    users_updated: int = 0
    profiles_created: int = 0
    profiles_updated: int = 0
    unchanged: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def written(self):
        return self.ok and not self.dry_run

    def summary(self):
        counts = {
            "users_created": self.users_created,
            "users_updated": self.users_updated,
            "profiles_created": self.profiles_created,
            "profiles_updated": self.profiles_updated,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            return (
                _(
                    "Dry run, nothing written. The import would create %(users_created)s "
                    "account(s) and update %(users_updated)s; it would create "
                    "%(profiles_created)s profile(s) and update %(profiles_updated)s; "
                    "%(unchanged)s line(s) change nothing."
                )
                % counts
            )
        return (
            _(
                "Import done: %(users_created)s account(s) created, %(users_updated)s updated; "
                "%(profiles_created)s profile(s) created, %(profiles_updated)s updated; "
                "%(unchanged)s line(s) unchanged."
            )
            % counts
        )


@dataclass
class CountedResult:
    """The outcome of an import whose lines each create, update or change nothing
    (requests, areas of expertise); each kind words its own :meth:`summary`."""

    dry_run: bool
    errors: list = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    ok = ImportResult.ok
    written = ImportResult.written


class ProfileRowForm(forms.Form):
    """The fields of one line. Cross-line checks (superiors, duplicates) come after."""

    email = forms.EmailField(max_length=254)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    discipline = forms.CharField(max_length=120, required=False)
    site = forms.CharField(max_length=120, required=False)
    unit = forms.CharField(max_length=120, required=False)
    superior_email = forms.EmailField(max_length=254, required=False)
    expertise = forms.CharField(required=False)
    goals = forms.CharField(required=False)
    languages = forms.CharField(required=False)
    mentor_capacity = forms.IntegerField(min_value=0, max_value=50, required=False)
    years_experience = forms.IntegerField(min_value=0, max_value=70, required=False)
    is_mentor = forms.CharField(required=False)

    def __init__(self, *args, vocabulary, **kwargs):
        super().__init__(*args, **kwargs)
        self.vocabulary = vocabulary  # {lowercase name: ExpertiseArea}

    def clean_expertise(self):
        names = [name.strip() for name in self.cleaned_data["expertise"].split(";")]
        names = [name for name in names if name]
        unknown = [name for name in names if name.lower() not in self.vocabulary]
        if unknown:
            raise forms.ValidationError(
                _(
                    "Unknown area(s) of expertise: %(names)s. Use the names of the areas of "
                    "expertise list, separated by “;”, or add the area there first."
                )
                % {"names": ", ".join(f"“{name}”" for name in unknown)}
            )
        areas = {self.vocabulary[name.lower()] for name in names}
        return sorted(areas, key=lambda area: area.pk)

    def clean_languages(self):
        codes = re.split(r"[;,\s]+", self.cleaned_data["languages"].lower())
        codes = list(dict.fromkeys(code for code in codes if code))
        wrong = [code for code in codes if not LANGUAGE_CODE.match(code)]
        if wrong:
            raise forms.ValidationError(
                _("Not a language code: %(codes)s. Write codes such as “fr;en”.")
                % {"codes": ", ".join(f"“{code}”" for code in wrong)}
            )
        value = ", ".join(codes)
        max_length = ParticipantProfile._meta.get_field("languages").max_length
        if len(value) > max_length:
            raise forms.ValidationError(_("Too many languages for one person."))
        return value

    def clean_years_experience(self):
        value = self.cleaned_data["years_experience"]
        return 0 if value is None else value

    def clean_is_mentor(self):
        value = self.cleaned_data["is_mentor"].strip().lower()
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        raise forms.ValidationError(
            _("Write “oui” or “non” (also accepted: yes, no, 1, 0, or an empty cell for no).")
        )


def import_profiles(file, dry_run=False, user=None):
    """Check the CSV ``file`` (a binary file object, or bytes) and import it unless ``dry_run``.

    Returns an :class:`ImportResult`; when it has errors, nothing was written. ``user`` (the
    coordinator) is recorded in the history of the profiles the import creates or changes.
    """
    data = file if isinstance(file, bytes) else file.read(MAX_BYTES + 1)
    result = ImportResult(dry_run=dry_run)
    header, records, errors = parse(data)
    if not errors and not records:
        errors = [RowError(1, "", _("The file has no person line under the header."))]
    if errors:
        result.errors = errors
        return result
    result.rows = len(records)
    vocabulary = {area.name.lower(): area for area in ExpertiseArea.objects.all()}
    rows, file_emails, errors = validate_rows(header, records, vocabulary)
    try:
        with transaction.atomic():
            # Checked again inside the transaction that writes, against the same state.
            plan, users = _plan(rows, header, file_emails, errors)
            result.errors = sorted(errors, key=lambda error: _error_order(error, header))
            if result.errors:
                return result
            _count(result, plan)
            if not dry_run:
                _write(plan, header, users, user)
    except IntegrityError:
        result.errors = [
            RowError(
                1,
                "",
                _(
                    "Accounts changed in the intranet during the import; nothing was written. "
                    "Run the import again."
                ),
            )
        ]
    return result


def _error_order(error, header):
    """By line, then in the file's column order (the line's own errors first)."""
    return (error.row, header.index(error.column) if error.column in header else -1)


def parse(data, columns=COLUMNS, required=REQUIRED_COLUMNS):
    """Decode and split the file: ``(header, [(line, {column: cell})], errors)``.

    ``columns`` are the names a file may use and ``required`` those it must: each kind of
    import (people, requests, areas of expertise) passes its own."""
    if len(data) > MAX_BYTES:
        message = _("The file is larger than %(size)s MB; split it.")
        return [], [], [RowError(1, "", message % {"size": MAX_BYTES // (1024 * 1024)})]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = _(
            "The file is not in UTF-8 (unreadable character at byte %(position)s). In Excel, "
            "save it as “CSV UTF-8 (comma delimited)”."
        ) % {"position": error.start + 1}
        return [], [], [RowError(line, "", message)]
    # French Excel writes “;”: the header names contain no delimiter, so count them there.
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = list(reader)
    except csv.Error as error:
        return (
            [],
            [],
            [RowError(reader.line_num, "", _("Unreadable CSV file: %(error)s") % {"error": error})],
        )
    header = [cell.strip().lower() for cell in lines[0]] if lines else []
    while header and not header[-1]:
        header.pop()  # empty cells Excel leaves after the last column
    if not header:
        message = _("The file is empty: its first line must name the columns.")
        return [], [], [RowError(1, "", message)]
    errors = []
    seen = set()
    for position, name in enumerate(header, start=1):
        if not name:
            errors.append(RowError(1, str(position), _("This column has no name.")))
        elif name not in columns:
            errors.append(
                RowError(
                    1,
                    name,
                    _("Unknown column. The columns are: %(columns)s.")
                    % {"columns": ", ".join(columns)},
                )
            )
        elif name in seen:
            errors.append(RowError(1, name, _("This column appears twice.")))
        seen.add(name)
    for name in required:
        if name not in header:
            errors.append(RowError(1, name, _("This column is required and missing.")))
    if errors:
        return header, [], errors
    records = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, often at the end of Excel exports
        if any(cell.strip() for cell in cells[len(header) :]):
            errors.append(
                RowError(
                    number,
                    "",
                    _("This line has %(cells)s cells but the header names %(columns)s columns.")
                    % {"cells": len(cells), "columns": len(header)},
                )
            )
            continue
        cells = cells[: len(header)] + [""] * (len(header) - len(cells))
        records.append((number, dict(zip(header, cells, strict=True))))
    return header, records, errors


def validate_rows(header, records, vocabulary):
    """One form per line, then duplicate emails.

    Returns ``(rows, every email of the file in lowercase, errors)``; a row with a field error
    keeps its valid fields, so that its superior is checked too.
    """
    rows, errors = [], []
    first_line = {}
    for number, cells in records:
        form = ProfileRowForm(cells, vocabulary=vocabulary)
        valid = form.is_valid()
        for column, messages in form.errors.items():
            errors.extend(RowError(number, column, str(message)) for message in messages)
        key = cells["email"].strip().lower()
        if key in first_line:
            errors.append(
                RowError(
                    number,
                    "email",
                    _("This email already appears on line %(line)s.") % {"line": first_line[key]},
                )
            )
            continue
        if key:
            first_line[key] = number
        if "email" in form.cleaned_data:
            values = {c: form.cleaned_data[c] for c in header if c in form.cleaned_data}
            rows.append(ValidatedRow(number, form.cleaned_data["email"], values, valid))
    return rows, set(first_line), errors


@dataclass
class _Planned:
    row: ValidatedRow
    user: object = None  # None: an account to create
    profile: object = None  # None: a profile to create
    user_changes: dict = field(default_factory=dict)
    profile_changes: dict = field(default_factory=dict)  # "superior": a lowercase email
    expertise_changed: bool = False

    @property
    def profile_changed(self):
        return self.profile is None or bool(self.profile_changes) or self.expertise_changed


def _plan(rows, header, file_emails, errors):
    """Match lines with accounts and profiles, check superiors and cycles, list the changes.

    Appends to ``errors``. Returns ``(plan, {lowercase email: existing account})``; the plan
    means something only when there is no error.
    """
    User = get_user_model()
    email_field = User.get_email_field_name()
    wanted = {row.email.lower() for row in rows} | {
        row.values["superior_email"].lower() for row in rows if row.values.get("superior_email")
    }
    users = {}
    accounts = User.objects.annotate(email_lower=Lower(email_field))
    found = [user for part in _chunks(wanted) for user in accounts.filter(email_lower__in=part)]
    for user in sorted(found, key=lambda user: user.pk):
        if user.email_lower in users:
            errors.append(
                RowError(
                    next((r.row for r in rows if r.email.lower() == user.email_lower), 1),
                    "email",
                    _("Several intranet accounts use %(email)s; fix them before importing.")
                    % {"email": user.email_lower},
                )
            )
        users[user.email_lower] = user
    for row in rows:
        superior = row.values.get("superior_email", "").lower()
        if not superior:
            continue
        if superior == row.email.lower():
            errors.append(
                RowError(row.row, "superior_email", _("A person cannot be their own superior."))
            )
        elif superior not in file_emails and superior not in users:
            errors.append(
                RowError(
                    row.row,
                    "superior_email",
                    _("Nobody has this email, in the file or in the intranet: %(email)s.")
                    % {"email": row.values["superior_email"]},
                )
            )
    if "superior_email" in header:
        errors.extend(_cycle_errors(rows, users))
    if errors:
        return [], users
    profiles = {
        profile.user_id: profile
        for part in _chunks([user.pk for user in users.values()])
        for profile in ParticipantProfile.objects.filter(user__in=part).prefetch_related(
            "expertise"
        )
    }
    return [_changes(row, users, profiles) for row in rows], users


def _chunks(values, size=500):
    """Slices for ``__in`` lookups that stay under SQLite's variable limit."""
    values = list(values)
    return [values[start : start + size] for start in range(0, len(values), size)]


def _cycle_errors(rows, users):
    """Lines whose superior closes a cycle, through the existing profiles' superiors too.

    People are nodes keyed by account id, or by email for the accounts still to create; each
    has at most one superior, so one walk up from each line finds every cycle.
    """
    User = get_user_model()
    superiors = dict(
        ParticipantProfile.objects.filter(superior__isnull=False).values_list(
            "user_id", "superior_id"
        )
    )

    def node(email):
        return users[email].pk if email in users else email

    line_of = {}
    for row in rows:
        if "superior_email" not in row.values:
            continue  # not an email: reported by the form
        superior = row.values["superior_email"].lower()
        if superior == row.email.lower():
            continue  # reported as “their own superior”
        line_of[node(row.email.lower())] = row.row
        superiors[node(row.email.lower())] = node(superior) if superior else None
    errors, done = [], set()
    for start in line_of:
        path, position, current = [], {}, start
        while current is not None and current not in done and current not in position:
            position[current] = len(path)
            path.append(current)
            current = superiors.get(current)
        done.update(path)
        if current is None or current not in position:
            continue
        cycle = path[position[current] :]
        emails = {user.pk: email for email, user in users.items()}
        missing = [n for n in cycle if isinstance(n, int) and n not in emails]
        if missing:
            emails.update(
                User.objects.filter(pk__in=missing).values_list("pk", User.get_email_field_name())
            )
        names = [(emails.get(n) or f"#{n}") if isinstance(n, int) else n for n in cycle]
        loop = " → ".join([*names, names[0]])
        for member in cycle:
            if member in line_of:
                errors.append(
                    RowError(
                        line_of[member],
                        "superior_email",
                        _("This superior makes a cycle in the hierarchy: %(cycle)s.")
                        % {"cycle": loop},
                    )
                )
    return errors


def _changes(row, users, profiles):
    values = row.values
    planned = _Planned(row=row, user=users.get(row.email.lower()))
    for name in ("first_name", "last_name"):
        # The accounts belong to the intranet: an empty cell keeps the current name.
        if values.get(name) and getattr(planned.user, name, None) != values[name]:
            planned.user_changes[name] = values[name]
    if planned.user is not None:
        planned.profile = profiles.get(planned.user.pk)
    profile = planned.profile
    for name in PROFILE_FIELDS:
        if name in values and (profile is None or getattr(profile, name) != values[name]):
            planned.profile_changes[name] = values[name]
    if "superior_email" in values:
        superior = values["superior_email"].lower()
        target = users.get(superior)
        current = profile.superior_id if profile else None
        if (superior and target is None) or (target.pk if target else None) != current:
            planned.profile_changes["superior"] = superior
    if "expertise" in values:
        wanted = {area.pk for area in values["expertise"]}
        current = {area.pk for area in profile.expertise.all()} if profile else set()
        planned.expertise_changed = wanted != current
    return planned


def _count(result, plan):
    for planned in plan:
        if planned.user is None:
            result.users_created += 1
        elif planned.user_changes:
            result.users_updated += 1
        if planned.profile is None:
            result.profiles_created += 1
        elif planned.profile_changed:
            result.profiles_updated += 1
        elif not planned.user_changes:
            result.unchanged += 1


def _write(plan, header, users, actor):
    User = get_user_model()
    email_field = User.get_email_field_name()
    accounts = dict(users)
    for planned in plan:
        if planned.user is None:
            planned.user = User(
                **{
                    email_field: planned.row.email,
                    User.USERNAME_FIELD: _username(planned.row.email),
                    **planned.user_changes,
                }
            )
            planned.user.set_unusable_password()
            planned.user.save()
        elif planned.user_changes:
            for name, value in planned.user_changes.items():
                setattr(planned.user, name, value)
            planned.user.save(update_fields=list(planned.user_changes))
        accounts[planned.row.email.lower()] = planned.user
    for planned in plan:
        if not planned.profile_changed:
            continue
        created = planned.profile is None
        profile = planned.profile or ParticipantProfile(user=planned.user)
        for name, value in planned.profile_changes.items():
            if name == "superior":
                profile.superior = accounts[value] if value else None
            else:
                setattr(profile, name, value)
        if created or planned.profile_changes:
            profile.save()
        if "expertise" in header and (created or planned.expertise_changed):
            profile.expertise.set(planned.row.values["expertise"])
        log(profile, "wagtail.create" if created else "wagtail.edit", user=actor)


def _username(email):
    """The email's local part, made valid and unique (“marie.tremblay”, “marie.tremblay2”)."""
    User = get_user_model()
    max_length = User._meta.get_field(User.USERNAME_FIELD).max_length or 150
    base = USERNAME_UNSAFE.sub("", email.split("@", 1)[0])[: max_length - 6] or "personne"
    taken = {
        name.lower()
        for name in User.objects.filter(
            **{f"{User.USERNAME_FIELD}__istartswith": base}
        ).values_list(User.USERNAME_FIELD, flat=True)
    }
    candidate, number = base, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{base}{number}"
    return candidate


#: What each column holds, for the admin page (the documentation's integration/reference
#: page has the full reference).
COLUMN_HELP = {
    "email": gettext_lazy("Required. Identifies the person; the account is created if missing."),
    "first_name": gettext_lazy("First name (an empty cell keeps the account's)."),
    "last_name": gettext_lazy("Last name (an empty cell keeps the account's)."),
    "discipline": gettext_lazy("Discipline or profession."),
    "site": gettext_lazy("Workplace or site."),
    "unit": gettext_lazy("Unit or service."),
    "superior_email": gettext_lazy("The superior's email: a person in the file or the intranet."),
    "expertise": gettext_lazy("Names from the areas of expertise, separated by “;”."),
    "goals": gettext_lazy("Development goals and expectations."),
    "languages": gettext_lazy("Language codes separated by “;”, e.g. fr;en."),
    "mentor_capacity": gettext_lazy(
        "Empty (the programme's default), 0 (no new mentee for now) or a whole number, 1 to 50."
    ),
    "years_experience": gettext_lazy("A whole number, 0 to 70 (empty: 0)."),
    "is_mentor": gettext_lazy("oui or non (also yes, no, 1, 0; empty: non)."),
}
