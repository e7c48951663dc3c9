"""Record ids read from an address or a form: a record or a 404, never a 500.

A database id is a positive integer within the database's bigint range. Past that range
SQLite raises ``OverflowError`` and PostgreSQL a ``DataError``; ``"abc"`` raises
``ValueError``. Every id the app reads from a request goes through ``parse_id`` (the path
converter ``mentorat_id``, ``get_or_404``, ``first_or_none``), so a hostile id is simply
a record that does not exist.
"""

import functools

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import register_converter

BIGINT_MAX = 2**63 - 1


def parse_id(value):
    """The id ``value`` names (an int, or ASCII digits), or None when it names no record:
    empty, not digits, zero, negative or beyond the bigint range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value) if value is not None else ""
        if not (text.isascii() and text.isdigit()):
            return None
        number = int(text)
    return number if 0 < number <= BIGINT_MAX else None


def get_or_404(rows, value, field="pk", **filters):
    """The record of ``rows`` (a model or queryset) whose ``field`` is the id ``value``,
    narrowed by ``filters``; 404 for a missing record and for a value that is no id."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return get_object_or_404(rows, **{field: number}, **filters)


def first_or_none(rows, value, field="pk", **filters):
    """Like ``get_or_404`` but None instead of a 404 (for a form field: an error message)."""
    number = parse_id(value)
    if number is None:
        return None
    if not hasattr(rows, "filter"):
        rows = rows._default_manager.all()
    return rows.filter(**{field: number}, **filters).first()


class IdField(forms.IntegerField):
    """A form field naming a record: an id out of range is a form error, not a 500."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)


class IdConverter:
    """``<mentorat_id:pk>``: ``<int:pk>`` limited to ids a record can have, so a hostile
    id does not resolve (404) instead of reaching the database."""

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "mentorat_id")


def record_view(view):
    """For a view whose address names a record: a refusal answers 404 like a missing
    record, so nobody learns which ids exist outside their scope (ASVS V8.2.2)."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            raise Http404 from None

    return guarded
