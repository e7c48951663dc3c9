"""One place that turns stored values into what a person reads: labels for choices,
booleans and empty values, names for people, dates in full and numbers with the locale's
separators. Templates use it through ``{% load mentorat_format %}``; the admin listings
and inspect views through :mod:`wagtail_mentorat.admin.display`."""

import datetime
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .models import MemberRole

EMPTY = "—"


def person_name(user):
    """A person's full name, their username only when no name is known."""
    if user is None:
        return ""
    full_name = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    return full_name or user.get_username()


def yes_no(value):
    """ "Yes"/"No" in the active language; the empty mark for an unknown value."""
    if value is None:
        return EMPTY
    return _("Yes") if value else _("No")


def role_label(role):
    """A pairing member's role in words ("primary_mentor" -> "Mentor principal")."""
    if not role:
        return ""
    try:
        return MemberRole(role).label
    except ValueError:
        return ""


# Day, month in full, year: "15 juin 2026", "15 June 2026". Not the locale's DATE_FORMAT:
# English's abbreviates some months ("Aug. 15"); this reads the same way in both languages.
LONG_DATE = "j F Y"
LONG_DATETIME = "j F Y H:i"


def long_date(value, with_time=False):
    """A date in full: an abbreviated month can be ambiguous ("Jui": juin or juillet?)."""
    if value in (None, ""):
        return EMPTY
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, LONG_DATETIME if with_time else LONG_DATE)
    return formats.date_format(value, LONG_DATE)


def number(value, decimals=None):
    """A number with the active locale's decimal separator ("0,5" in French)."""
    if value is None:
        return EMPTY
    return formats.number_format(value, decimals, use_l10n=True)


def language_name(code):
    """A language code ("fr") as its name in the active language ("français")."""
    if not code:
        return EMPTY
    try:
        return translation.get_language_info(code)["name_translated"]
    except KeyError:
        return code


def choice_label(instance, field_name):
    """The label of a model field's choice ("Waiting for a mentor"), or None when the
    field has no choices (or ``field_name`` is no concrete field of ``instance``)."""
    try:
        field = instance._meta.get_field(field_name)
    except (AttributeError, FieldDoesNotExist):  # not a model instance, or no such field
        return None
    if not getattr(field, "choices", None):
        return None
    value = getattr(instance, field.attname, None)
    if value in (None, ""):
        return ""
    return str(dict(field.flatchoices).get(value, value))


def export_value(value):
    """A stored value for a spreadsheet cell: like :func:`display`, but an empty value is an
    empty cell and dates stay dates (local time, to the second) for the spreadsheet to sort."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, AbstractBaseUser):
        return person_name(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(timezone.localtime(value))
        return value.replace(microsecond=0)
    if isinstance(value, (datetime.date, int, float, Decimal)):
        return value
    return str(value)


def display(value):
    """Any stored value as a person reads it: never "True", "False" or "None"."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, AbstractBaseUser):
        return person_name(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return long_date(value, with_time=isinstance(value, datetime.datetime))
    return value
