"""Template filters of the formatting layer (:mod:`wagtail_mentorat.formatting`):
``{% load mentorat_format %}`` then ``{{ user|person }}``, ``{{ member.role|role_label }}``,
``{{ flag|yes_no }}``, ``{{ value|or_dash }}``, ``{{ day|long_date }}``,
``{{ moment|long_datetime }}``, ``{{ average|number:1 }}``."""

from django import template

from .. import formatting

register = template.Library()


@register.filter
def person(user):
    return formatting.person_name(user)


@register.filter
def role_label(role):
    return formatting.role_label(role)


@register.filter
def yes_no(value):
    return formatting.yes_no(value)


@register.filter
def or_dash(value):
    return formatting.display(value)


@register.filter
def long_date(value):
    return formatting.long_date(value)


@register.filter
def long_datetime(value):
    return formatting.long_date(value, with_time=True)


@register.filter
def number(value, decimals=None):
    return formatting.number(value, decimals)
