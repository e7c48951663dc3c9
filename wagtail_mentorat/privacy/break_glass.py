"""Break-glass: the privacy officer reads a confidential text only with a recorded reason.

Data minimisation (A-2.1 s. 62: access where the duties need it). Programme staff, the
coordinators of the record's programme, read a confidential text (a disagreement's
description) directly, each opening audited. The privacy officer's duties cover the whole
organisation, but they need the registers and the metadata, not the text: their inspect
view shows states and dates, and a form asks why they need the text. With a reason (at
least :data:`MIN_REASON_LENGTH` characters) the text is shown once, in the answer to that
request (never cached), and the reading is written to the read-access audit with the reason
and the record's programme. The coordinators of that programme see every such reading in
the admin (:class:`BreakGlassReport`).
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.cache import patch_cache_control
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from .. import rules
from ..formatting import long_date, person_name
from .audit import log_break_glass, log_read
from .models import ReadAccess

MIN_REASON_LENGTH = 20


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to read this text?"),
        help_text=lazy(
            lambda: (
                gettext(
                    "Required: at least %(min)s characters (for example, the access request or "
                    "the complaint you are handling). Your reason is kept in the read-access audit "
                    "and shown to the staff of the programme."
                )
                % {"min": MIN_REASON_LENGTH}
            ),
            str,
        )(),
        min_length=MIN_REASON_LENGTH,
        max_length=ReadAccess.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Give the reason you need to read this text."),
            "min_length": _(
                "Give a precise reason: at least %(limit_value)d characters (%(show_value)d now)."
            ),
        },
    )


def reads_directly(user, programme_id):
    """Programme staff of that programme (a superuser too) read the text directly."""
    return programme_id is not None and rules.is_coordinator(user, programme_id)


def no_store(response):
    patch_cache_control(response, no_store=True, private=True)
    return response


class BreakGlassInspectMixin:
    """For an admin inspect view of a record holding confidential text.

    ``confidential_fields`` are shown directly to the staff of the record's programme
    (``programme_id_of``), each opening audited with ``audit_reason``; anyone else the
    view lets in (the privacy officer) sees the other fields and a form asking the reason,
    and the text only in the answer to a valid reason, recorded as a break-glass reading.
    """

    confidential_fields = ()
    audit_reason = "admin inspect"
    template_name = "mentorat_privacy/admin/break_glass_inspect.html"

    def programme_id_of(self, obj):
        raise NotImplementedError

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.programme_id = self.programme_id_of(self.object)
        self.direct = reads_directly(request.user, self.programme_id)
        self.revealed = self.direct
        self.break_glass = None
        self.form = None

    def get(self, request, *args, **kwargs):
        if self.direct:
            log_read(request.user, self.object, self.audit_reason)
        else:
            self.form = BreakGlassForm()
        return no_store(super().get(request, *args, **kwargs))

    def post(self, request, *args, **kwargs):
        if self.direct:  # nothing to ask of programme staff
            return self.get(request, *args, **kwargs)
        self.form = BreakGlassForm(request.POST)
        if self.form.is_valid():
            self.break_glass = log_break_glass(
                request.user, self.object, self.form.cleaned_data["reason"], self.programme_id
            )
            self.revealed = True
        return no_store(super().get(request, *args, **kwargs))

    def get_fields_context(self):
        return [
            self.get_context_for_field(name)
            for name in self.fields
            if self.revealed or name not in self.confidential_fields
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        withheld = [
            self.get_field_label(name, self.model._meta.get_field(name))
            for name in self.confidential_fields
            if not self.revealed
        ]
        context.update(
            {
                "break_glass_form": self.form,
                "break_glass": self.break_glass,
                "withheld": withheld,
                "min_reason_length": MIN_REASON_LENGTH,
            }
        )
        return context


# ------------------------------------------------------------- what programme staff see


def record_label(row):
    """ "Disagreement #12": the kind of record in words, never the content."""
    model = row.content_type.model_class()
    kind = model._meta.verbose_name if model else row.content_type.model
    return gettext("%(kind)s #%(id)s") % {"kind": str(kind).capitalize(), "id": row.object_id}


def break_glass_readings(user):
    """The break-glass readings of the records of the programmes ``user`` coordinates."""
    return (
        ReadAccess.objects.filter(
            break_glass=True, programme__in=rules.coordinated_programmes(user)
        )
        .select_related("user", "programme", "content_type")
        .order_by("-accessed_at", "-pk")
    )


class BreakGlassReport(ReportView):
    """Programme staff see who read a confidential text of their programmes outside
    programme staff, when, which record and why (never the text)."""

    page_title = _("Break-glass readings")
    header_icon = "warning"
    index_url_name = "mentorat_break_glass:index"
    index_results_url_name = "mentorat_break_glass:results"
    permission_policy = None  # checked in dispatch: programme staff only
    list_export = ["accessed", "reader", "record", "programme_name", "reason"]
    export_headings = {
        "accessed": _("Read on"),
        "reader": _("Read by"),
        "record": _("Record"),
        "programme_name": _("Programme"),
        "reason": _("Reason given"),
    }
    columns = [
        Column("accessed", label=_("Read on")),
        Column("reader", label=_("Read by")),
        Column("record", label=_("Record")),
        Column("programme_name", label=_("Programme")),
        Column("reason", label=_("Reason given")),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not rules.is_coordinator(request.user):
            raise PermissionDenied
        return no_store(super().dispatch(request, *args, **kwargs))

    def get_filename(self):
        return "consultations-exceptionnelles"

    def get_queryset(self):
        return break_glass_readings(self.request.user)

    def decorate_paginated_queryset(self, object_list):
        rows = list(object_list)
        for row in rows:
            row.accessed = long_date(row.accessed_at, with_time=True)
            row.reader = person_name(row.user) if row.user else gettext("(account deleted)")
            row.record = record_label(row)
            row.programme_name = row.programme.name if row.programme else ""
        return rows
