"""The formatting layer (:mod:`wagtail_mentorat.formatting`) in the admin: listing columns,
inspect views and spreadsheet exports that show "Yes"/"No", "—", the labels of choices and
people's names, never "True", "False", "None", a stored code or a username when a name is
known."""

from collections import OrderedDict

from django.utils import translation
from django.utils.text import capfirst
from wagtail.admin.ui.tables import Column
from wagtail.coreutils import multigetattr
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
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


class LabelledExportMixin:
    """Wagtail's CSV and XLSX exports (``SpreadsheetExportMixin``) through the same labels
    as the listing: a choice's label, "Yes"/"No", a person's name, an empty cell for an
    empty value, dates in local time. ``export_labels`` maps a field to a function of the
    record that gives its cell (for values no model field describes, such as a language
    code)."""

    export_labels = {}

    def write_csv_response(self, queryset):
        """Wagtail streams the CSV after the view has returned, when the admin no longer
        speaks the reader's language (it overrides the language for the view only): the
        headings and labels would come out in the site's default language. The stream is
        read in the language of the request."""
        response = super().write_csv_response(queryset)
        response.streaming_content = _in_language(
            response.streaming_content, translation.get_language()
        )
        return response

    def to_row_dict(self, item):
        return OrderedDict((field, self.export_cell(item, field)) for field in self.list_export)

    def export_cell(self, item, field):
        if field in self.export_labels:
            return formatting.export_value(self.export_labels[field](item))
        label = formatting.choice_label(item, field) if "." not in field else None
        if label is not None:
            return label
        return formatting.export_value(multigetattr(item, field))


def _in_language(chunks, language):
    with translation.override(language):
        yield from chunks


class LabelledIndexView(LabelledExportMixin, SnippetIndexView):
    """For snippet viewsets: ``index_view_class = LabelledIndexView``."""


class LabelledInspectMixin:
    def get_field_display_value(self, field_name, field):
        return formatting.display(super().get_field_display_value(field_name, field))


class LabelledInspectView(LabelledInspectMixin, SnippetInspectView):
    """For snippet viewsets: ``inspect_view_class = LabelledInspectView``."""


class AuditedLabelledInspectView(LabelledInspectMixin, AuditedInspectMixin, SnippetInspectView):
    """Labelled, and every opening audited (:mod:`wagtail_mentorat.privacy.inspect`)."""
