"""The coordinators' matching workbench in the Wagtail admin: waiting requests,
explained suggestions, one-click assignment through the lifecycle, the cohort proposal
to accept line by line, and supply against demand by area."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import rules
from ..exceptions import RuleViolation
from ..models import MentoringRequest, ParticipantProfile, Programme
from . import adapter, scoring

UNMATCHED = {
    "no_eligible_mentor": gettext_lazy("no eligible mentor"),
    "capacity": gettext_lazy("every eligible mentor is at capacity"),
}


class CoordinatorOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not rules.is_coordinator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class WorkbenchView(CoordinatorOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "wagtail_mentorat/admin/workbench.html"
    page_title = gettext_lazy("Matching workbench")
    header_icon = "group"

    def get_programme(self):
        programmes = Programme.objects.filter(is_active=True).order_by("name")
        chosen = self.request.GET.get("programme") or self.request.POST.get("programme")
        programme = programmes.filter(pk=chosen).first() if str(chosen).isdigit() else None
        return programme or programmes.first(), programmes

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programme, programmes = self.get_programme()
        context.update(programme=programme, programmes=programmes)
        if programme is None:
            return context
        requests = list(adapter.waiting_requests(programme))
        mentees = adapter.load_mentees(requests)
        mentors = adapter.load_mentors(programme)
        rule_set, weights = adapter.rules_for(programme), adapter.weights_for(programme)
        show_excluded = self.request.GET.get("excluded") == "1"
        context["rows"] = []
        for request, mentee in zip(requests, mentees, strict=True):
            best, excluded = scoring.suggest(mentee, mentors, rule_set, weights, limit=5)
            context["rows"].append(
                {
                    "request": request,
                    "suggestions": best,
                    "excluded": [(m, scoring.constraint_label(c)) for m, c in excluded]
                    if show_excluded
                    else [],
                    "excluded_count": len(excluded),
                }
            )
        context["show_excluded"] = show_excluded
        context["supply"] = adapter.supply_and_demand(programme, mentors, requests)
        if self.request.GET.get("cohort") == "1":
            result = scoring.cohort(mentees, mentors, rule_set, weights)
            by_mentee = {r.mentee_id: r for r in requests}
            context["cohort"] = [
                {"request": by_mentee[x.id], "mentor": y, "score": round(s, 1)}
                for x, y, s in result.pairs
            ]
            context["unmatched"] = [
                (by_mentee[x.id], UNMATCHED[why]) for x, why in result.unmatched
            ]
            context["cohort_total"] = round(result.total, 1)
        return context

    def post(self, request, *args, **kwargs):
        """Assign: one line (``assign=request:mentor``) or the accepted cohort lines."""
        programme, _programmes = self.get_programme()
        lines = request.POST.getlist("accept") or [request.POST.get("assign", "")]
        done = 0
        for line in lines:
            request_id, _sep, mentor_id = line.partition(":")
            if not (request_id.isdigit() and mentor_id.isdigit()):
                messages.error(request, _("Choose a suggestion to assign."))
                continue
            mentoring_request = get_object_or_404(
                MentoringRequest, pk=request_id, status=MentoringRequest.Status.OPEN
            )
            mentor = get_object_or_404(ParticipantProfile, user_id=mentor_id).user
            try:
                adapter.assign(mentoring_request, mentor, request.user)
                done += 1
            except RuleViolation as error:
                for message in error.messages:
                    messages.error(request, message)
        if done:
            messages.success(
                request, _("%(count)s pairing(s) assigned; the mentors are told.") % {"count": done}
            )
        target = request.path + (f"?programme={programme.pk}" if programme else "")
        return redirect(target)
