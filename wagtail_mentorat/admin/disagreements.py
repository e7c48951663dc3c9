"""Programme staff handle a disagreement (*mésentente*, seed 001) from the "Disagreements"
listing: "I'll handle it" (open -> in progress), then "Mark resolved" with a note on how it
was handled, which programme staff alone read. The person who raised it is told that it
was handled, never how.

The rules are :func:`lifecycle.take_disagreement` and :func:`lifecycle.resolve_disagreement`;
this screen offers an action only when its rule would allow it, and says why otherwise. A
disagreement outside the coordinator's programmes is a 404, as one that does not exist (the
privacy officer's break-glass reading stays in the inspect view, without the note).
Imported at the end of :mod:`wagtail_mentorat.wagtail_hooks`.
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.tables import Column

from .. import formatting, ids, lifecycle, rules
from ..exceptions import RuleViolation
from ..models import Disagreement
from .access import scope_for

NOTE_MAX_LENGTH = 5000

LOG_ACTIONS = {
    "disagreement_taken": (
        gettext_lazy("Take charge of a disagreement"),
        gettext_lazy("Disagreement taken in hand by programme staff"),
    ),
    "disagreement_handled": (
        gettext_lazy("Resolve a disagreement"),
        gettext_lazy("Disagreement resolved by programme staff"),
    ),
    "safety_concern_acknowledged": (
        gettext_lazy("Acknowledge a safety concern"),
        gettext_lazy("Safety concern acknowledged"),
    ),
}


class ResolutionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("How it was handled"),
        help_text=gettext_lazy(
            "Seen by programme staff only: never by the pair, the managers or the privacy "
            "officer. The person who raised it is told only that it was handled."
        ),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": gettext_lazy("Write how the disagreement was handled."),
            "max_length": gettext_lazy(
                "Keep the note to %(limit_value)d characters (%(show_value)d now)."
            ),
        },
    )


def handled_disagreements(user):
    """The disagreements ``user`` may handle: those of the programmes they coordinate."""
    return scope_for(Disagreement, user).select_related("pairing__programme", "handled_by")


def handling_url(disagreement):
    return reverse("mentorat_disagreement_handle", args=[disagreement.pk])


def _coordinated_ids(request):
    """The programmes the user coordinates, read once per request (a listing's rows)."""
    if not hasattr(request, "_mentorat_coordinated"):
        request._mentorat_coordinated = set(
            rules.coordinated_programmes(request.user).values_list("pk", flat=True)
        )
    return request._mentorat_coordinated


class HandledByColumn(Column):
    """Who handles it, by name."""

    def get_value(self, instance):
        return formatting.person_name(instance.handled_by) or formatting.EMPTY


class HandlingColumn(Column):
    """A link to the handling screen for the staff of the disagreement's programme; nothing
    for anyone else the listing lets in (the privacy officer)."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        value = ""
        if request is not None and instance.pairing.programme_id in _coordinated_ids(request):
            label = (
                _("See how it was handled")
                if instance.status == Disagreement.Status.RESOLVED
                else _("Handle")
            )
            value = format_html('<a href="{}">{}</a>', handling_url(instance), label)
        context["value"] = value
        return context


def _context(title, **context):
    return {"page_title": title, "header_title": title, "header_icon": "warning", **context}


def disagreement_handle(request, pk):
    if not rules.is_coordinator(request.user):
        raise Http404
    disagreement = ids.get_or_404(handled_disagreements(request.user), pk)
    form = ResolutionForm()
    refused = None  # a refused "I'll handle it" (a refused resolution stays with its form)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "take":
                lifecycle.take_disagreement(disagreement, request.user)
                messages.success(request, _("You are handling this disagreement."))
                return redirect(handling_url(disagreement))
            if action != "resolve":
                raise RuleViolation(_("Unknown action."))
        except RuleViolation as error:
            refused = " ".join(error.messages)
        else:
            form = ResolutionForm(request.POST)
            if form.is_valid():
                try:
                    lifecycle.resolve_disagreement(
                        disagreement, request.user, form.cleaned_data["note"]
                    )
                except RuleViolation as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _("The disagreement is resolved: the person who raised it is told."),
                    )
                    return redirect(handling_url(disagreement))
        disagreement.refresh_from_db()
    title = _("Disagreement #%(number)s") % {"number": disagreement.pk}
    listing = reverse("wagtailsnippets_wagtail_mentorat_disagreement:list")
    return TemplateResponse(
        request,
        "wagtail_mentorat/admin/disagreements/handle.html",
        _context(
            title,
            disagreement=disagreement,
            form=form,
            refused=refused,
            handled_by=formatting.person_name(disagreement.handled_by),
            take_refusal=lifecycle.take_refusal(disagreement, request.user),
            resolve_refusal=lifecycle.resolve_refusal(disagreement, request.user),
            resolved=disagreement.status == Disagreement.Status.RESOLVED,
            inspect_url=reverse(
                "wagtailsnippets_wagtail_mentorat_disagreement:inspect", args=[disagreement.pk]
            ),
            pairing_url=reverse(
                "wagtailsnippets_wagtail_mentorat_pairing:inspect",
                args=[disagreement.pairing_id],
            ),
            breadcrumbs_items=[
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": listing, "label": _("Disagreements")},
                {"url": "", "label": title},
            ],
        ),
    )


@hooks.register("register_admin_urls")
def register_disagreement_urls():
    return [
        path(
            "mentorat/mesententes/<mentorat_id:pk>/traiter/",
            disagreement_handle,
            name="mentorat_disagreement_handle",
        ),
    ]


@hooks.register("register_log_actions")
def register_disagreement_log_actions(actions):
    for name, (label, message) in LOG_ACTIONS.items():
        actions.register_action(lifecycle.LOG_PREFIX + name, label, message)
