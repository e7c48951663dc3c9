"""``{% mentorat_help "workbench" %}``: the link from a screen to its page of the user
guides, in the person's language (``wagtail_mentorat.help``); nothing when the host sets
``WAGTAIL_MENTORAT["DOCS_URL"]`` to ``None``. ``{% mentorat_help_url "participant" %}``
gives the address alone."""

from django import template

from ..help import help_url

register = template.Library()


@register.inclusion_tag("wagtail_mentorat/includes/help_link.html")
def mentorat_help(key, label=""):
    return {"url": help_url(key), "label": label}


@register.simple_tag
def mentorat_help_url(key):
    return help_url(key)
