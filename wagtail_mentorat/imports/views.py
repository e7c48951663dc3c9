"""The CSV import screen for coordinators, and its admin hooks (URL and menu item).

Imported at the end of :mod:`wagtail_mentorat.wagtail_hooks`. The screen loads a cohort:
participants, their mentoring requests, the areas of expertise. It calls the import of
the chosen kind (:mod:`wagtail_mentorat.imports`, ``.requests``, ``.areas``), the same
functions as ``manage.py mentorat_import``; it checks nothing itself.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .. import rules
from ..admin.menu import MENU_HOOK, ORDER
from . import COLUMN_HELP, COLUMNS, REQUIRED_COLUMNS, import_profiles
from . import areas as area_import
from . import requests as request_import


@dataclass(frozen=True)
class Kind:
    """What a file holds, and the import that reads it."""

    label: str
    columns: tuple
    required: tuple
    help: dict
    run: object  # run(file, user, dry_run) -> a result with errors, summary(), written


KINDS = {
    "people": Kind(
        gettext_lazy("Participants (people and their profiles)"),
        COLUMNS,
        REQUIRED_COLUMNS,
        COLUMN_HELP,
        lambda file, user, dry_run: import_profiles(file, dry_run=dry_run, user=user),
    ),
    "requests": Kind(
        gettext_lazy("Mentoring requests (a cohort of mentees)"),
        request_import.COLUMNS,
        request_import.REQUIRED_COLUMNS,
        request_import.COLUMN_HELP,
        lambda file, user, dry_run: request_import.import_requests(file, user, dry_run=dry_run),
    ),
    "areas": Kind(
        gettext_lazy("Areas of expertise (the vocabulary)"),
        area_import.COLUMNS,
        area_import.REQUIRED_COLUMNS,
        area_import.COLUMN_HELP,
        lambda file, user, dry_run: area_import.import_areas(file, dry_run=dry_run, user=user),
    ),
}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("The file holds"),
        choices=[(key, kind.label) for key, kind in KINDS.items()],
        initial="people",
        required=False,  # a file posted without a kind is the participants' (the first)
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8, columns separated by “,” or “;”, first line: the names."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check every line and write nothing"),
        required=False,
        initial=True,
    )


def import_participants(request):
    """Upload a spreadsheet of one kind; a dry run lists every line's errors, an import is
    all or nothing."""
    if not rules.is_coordinator(request.user):
        raise PermissionDenied
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            kind = form.cleaned_data["kind"] or "people"
            result = KINDS[kind].run(form.cleaned_data["file"], request.user, dry_run)
            if result.written:
                messages.success(request, result.summary())
            # After a clean dry run, the next upload imports; otherwise check again first.
            form = ImportForm(initial={"kind": kind, "dry_run": not (result.ok and dry_run)})
    else:
        kind = request.GET.get("kind")
        form = ImportForm(initial={"kind": kind if kind in KINDS else "people"})
    return TemplateResponse(
        request,
        "wagtail_mentorat/admin/import_result.html"
        if result
        else "wagtail_mentorat/admin/import.html",
        {
            "form": form,
            "result": result,
            "kinds": [
                {
                    "key": key,
                    "label": kind.label,
                    "required": kind.required,
                    "columns": [(name, kind.help.get(name, "")) for name in kind.columns],
                }
                for key, kind in KINDS.items()
            ],
            "page_title": _("Import a cohort"),
            "header_title": _("Import a cohort"),
            "header_icon": "upload",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": _("Import a cohort")},
            ],
        },
    )


@hooks.register("register_admin_urls")
def register_import_url():
    return [path("mentorat/importer/", import_participants, name="mentorat_import")]


class CoordinatorMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.is_coordinator(request.user)


@hooks.register(MENU_HOOK)
def register_import_menu_item():
    return CoordinatorMenuItem(
        gettext_lazy("Import a cohort"),
        reverse("mentorat_import"),
        name="mentorat-import",
        icon_name="upload",
        order=ORDER["import"],
    )
