"""The CSV import screen for coordinators, and its admin hooks (URL and menu item).

Imported at the end of :mod:`wagtail_mentorat.wagtail_hooks`. The screen calls
:func:`wagtail_mentorat.imports.import_profiles`; it checks nothing itself.
"""

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
from . import COLUMN_HELP, COLUMNS, import_profiles


class ImportForm(forms.Form):
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
    """Upload an HR spreadsheet; a dry run lists every line's errors, an import is all or
    nothing."""
    if not rules.is_coordinator(request.user):
        raise PermissionDenied
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            result = import_profiles(form.cleaned_data["file"], dry_run=dry_run, user=request.user)
            if result.written:
                messages.success(request, result.summary())
            # After a clean dry run, the next upload imports; otherwise check again first.
            form = ImportForm(initial={"dry_run": not (result.ok and dry_run)})
    else:
        form = ImportForm()
    return TemplateResponse(
        request,
        "wagtail_mentorat/admin/import_result.html"
        if result
        else "wagtail_mentorat/admin/import.html",
        {
            "form": form,
            "result": result,
            "columns": [(name, COLUMN_HELP.get(name, "")) for name in COLUMNS],
            "page_title": _("Import participants"),
            "header_title": _("Import participants"),
            "header_icon": "upload",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": _("Import participants")},
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
        gettext_lazy("Import participants"),
        reverse("mentorat_import"),
        name="mentorat-import",
        icon_name="upload",
        order=ORDER["import"],
    )
