"""The template contract: every front-end page of the app extends ``wagtail_mentorat/base.html``,
which extends the host's base template named by ``WAGTAIL_MENTORAT["BASE_TEMPLATE"]``.

Django's ``{% extends %}`` takes that name from the context (``mentorat_base_template``), so
every app view renders through :func:`render` and every app page model mixes in
:class:`MentoratPageMixin`: the one place that puts it there.
"""

from django.template.response import TemplateResponse

from . import conf

BASE_TEMPLATE_VARIABLE = "mentorat_base_template"


def base_context():
    """What ``wagtail_mentorat/base.html`` needs from the context: the host's base template."""
    return {BASE_TEMPLATE_VARIABLE: conf.base_template()}


def render(request, template_name, context=None, status=None):
    """A ``TemplateResponse`` for an app template, with the host's base template in its context."""
    return TemplateResponse(
        request, template_name, {**base_context(), **(context or {})}, status=status
    )


class MentoratPageMixin:
    """For the app's page models: their templates (and their routable routes, which render
    through ``page.render()``) extend the host's base template."""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(base_context())
        return context
