"""The formatting layer (:mod:`wagtail_mentorat.formatting`) in the admin: listing columns
and inspect views that show "Yes"/"No", "—" and people's names, never "True", "False",
"None" or a username when a name is known."""

from django.utils.text import capfirst
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import InspectView as SnippetInspectView

from .. import formatting
from ..privacy.inspect import AuditedInspectMixin


class LabelColumn(Column):
    """A column whose empty values, booleans, dates and people read as words."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["value"] = formatting.display(context["raw_value"])
        return context


def field_column(model, name, **kwargs):
    """A :class:`LabelColumn` for a model field, titled and sorted like Wagtail's own."""
    field = model._meta.get_field(name)
    kwargs.setdefault("label", capfirst(field.verbose_name))
    kwargs.setdefault("sort_key", name)
    return LabelColumn(name, **kwargs)


def person_column(name, label, **kwargs):
    """A person (a user, or a property returning one) by full name."""
    return LabelColumn(name, label=label, accessor=name, **kwargs)


class LabelledInspectMixin:
    def get_field_display_value(self, field_name, field):
        return formatting.display(super().get_field_display_value(field_name, field))


class LabelledInspectView(LabelledInspectMixin, SnippetInspectView):
    """For snippet viewsets: ``inspect_view_class = LabelledInspectView``."""


class AuditedLabelledInspectView(LabelledInspectMixin, AuditedInspectMixin, SnippetInspectView):
    """Labelled, and every opening audited (:mod:`wagtail_mentorat.privacy.inspect`)."""
