"""Import the areas of expertise (the vocabulary of requests and mentors) from a CSV file,
all or nothing, with the same file rules and dry run as the people import.

Columns: ``name`` (required) and ``description``. A name already in the list (whatever
its case) updates that area's description; an empty description keeps the current one.
"""

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.log_actions import log

from ..models import ExpertiseArea
from . import MAX_BYTES, CountedResult, RowError, parse

COLUMNS = ("name", "description")
REQUIRED_COLUMNS = ("name",)
COLUMN_HELP = {
    "name": gettext_lazy("Required. The area's name, as people will pick it (120 characters)."),
    "description": gettext_lazy("What the area covers (an empty cell keeps the current one)."),
}


class AreaResult(CountedResult):
    def summary(self):
        counts = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        if self.dry_run:
            return (
                ngettext(
                    "Dry run, nothing written. The import would add %(created)s area of "
                    "expertise, update %(updated)s and leave %(unchanged)s unchanged.",
                    "Dry run, nothing written. The import would add %(created)s areas of "
                    "expertise, update %(updated)s and leave %(unchanged)s unchanged.",
                    self.created,
                )
                % counts
            )
        return (
            ngettext(
                "Import done: %(created)s area of expertise added, %(updated)s updated, "
                "%(unchanged)s unchanged.",
                "Import done: %(created)s areas of expertise added, %(updated)s updated, "
                "%(unchanged)s unchanged.",
                self.created,
            )
            % counts
        )


class AreaRowForm(forms.Form):
    name = forms.CharField(max_length=ExpertiseArea._meta.get_field("name").max_length)
    description = forms.CharField(required=False)


def import_areas(file, dry_run=False, user=None):
    """Check the CSV ``file`` (binary file or bytes) and import it unless ``dry_run``."""
    data = file if isinstance(file, bytes) else file.read(MAX_BYTES + 1)
    result = AreaResult(dry_run=dry_run)
    header, records, errors = parse(data, COLUMNS, REQUIRED_COLUMNS)
    if not errors and not records:
        errors = [RowError(1, "", _("The file has no line under the header."))]
    result.rows = len(records)
    rows, first_line = [], {}
    for number, cells in records:
        form = AreaRowForm(cells)
        if not form.is_valid():
            errors.extend(
                RowError(number, column, str(message))
                for column, messages in form.errors.items()
                for message in messages
            )
            continue
        key = form.cleaned_data["name"].lower()
        if key in first_line:
            message = _("This area already appears on line %(line)s.") % {"line": first_line[key]}
            errors.append(RowError(number, "name", message))
            continue
        first_line[key] = number
        rows.append(form.cleaned_data)
    if errors:
        result.errors = sorted(errors, key=lambda error: error.row)
        return result
    with transaction.atomic():
        existing = {area.name.lower(): area for area in ExpertiseArea.objects.select_for_update()}
        for row in rows:
            area = existing.get(row["name"].lower())
            if area is None:
                result.created += 1
                if not dry_run:
                    area = ExpertiseArea.objects.create(**row)
                    log(area, "wagtail.create", user=user)
            elif row["description"] and row["description"] != area.description:
                result.updated += 1
                if not dry_run:
                    area.description = row["description"]
                    area.save(update_fields=["description"])
                    log(area, "wagtail.edit", user=user)
            else:
                result.unchanged += 1
    return result
