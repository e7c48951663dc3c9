"""One place that turns stored values into what a person reads: labels for choices,
booleans and empty values, names for people, dates in full and numbers with the locale's
separators. Templates use it through ``{% load mentorat_format %}``; the admin listings
and inspect views through :mod:`wagtail_mentorat.admin.display`."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import formats, timezone
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
