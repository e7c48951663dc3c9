"""The coordinators' matching workbench in the Wagtail admin: waiting requests,
explained suggestions, one-click assignment through the lifecycle, the cohort proposal
to accept line by line, and supply against demand by area."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import ids, lifecycle, rules
from ..admin.naming import NamedPageMixin
from ..exceptions import RuleViolation
from ..models import (
    MentorDecline,
    MentoringRequest,
    MentorPreference,
    Pairing,
    PairingState,
    ParticipantProfile,
    Programme,
)
from . import adapter, export, scoring

UNMATCHED = {
    "no_eligible_mentor": gettext_lazy("no eligible mentor"),
    "capacity": gettext_lazy("every eligible mentor is at capacity"),
}


class CoordinatorOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not rules.is_coordinator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class WorkbenchView(CoordinatorOnlyMixin, NamedPageMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "wagtail_mentorat/admin/workbench.html"
    page_title = gettext_lazy("Matching workbench")  # and its menu item's (wagtail_hooks)
    header_icon = "group"

    def get_programme(self):
        programmes = rules.coordinated(
            Programme.objects.filter(is_active=True).order_by("name"), self.request.user, "pk"
        )
        chosen = self.request.GET.get("programme") or self.request.POST.get("programme")
        programme = ids.first_or_none(programmes, chosen)
        return programme or programmes.first(), programmes

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            programme, _programmes = self.get_programme()
            table = programme and export.cohort_table(programme)
            if table is None:
                messages.error(request, _("This programme has no mentors: nothing to propose."))
                return redirect(request.path)
            stream = io.StringIO()
            export.write_csv(table, stream)
            response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
            name = f"proposition-{slugify(programme.name)}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        programme, programmes = self.get_programme()
        context.update(programme=programme, programmes=programmes)
        if programme is None:
            return context
        requests = list(adapter.waiting_requests(programme))
        mentees = adapter.load_mentees(requests)
        mentors = adapter.load_mentors(programme)
        names = {m.id: m.name for m in mentors}
        rule_set, weights = adapter.rules_for(programme), adapter.weights_for(programme)
        show_excluded = self.request.GET.get("excluded") == "1"
        proposals = list(
            Pairing.objects.filter(programme=programme, state=PairingState.PROPOSED)
            .select_related("request__mentee")
            .prefetch_related("members__user")
            .order_by("proposed_at")
        )
        declines = {}
        request_ids = [r.pk for r in requests] + [p.request_id for p in proposals]
        for decline in (
            MentorDecline.objects.filter(request_id__in=request_ids)
            .select_related("mentor")
            .order_by("created_at")
        ):
            declines.setdefault(decline.request_id, []).append(decline)
        for proposal in proposals:
            proposal.decline_history = declines.get(proposal.request_id, [])
        context["proposals"] = proposals
        context["rows"] = []
        for request, mentee in zip(requests, mentees, strict=True):
            best, excluded = scoring.suggest(mentee, mentors, rule_set, weights, limit=5)
            rank = {mentor_id: i for i, mentor_id in enumerate(mentee.preferred, start=1)}
            context["rows"].append(
                {
                    "request": request,
                    "suggestions": [(fit, rank.get(fit.mentor.id)) for fit in best],
                    "preferred": [(i, names.get(m, "?")) for m, i in rank.items()],
                    "declines": declines.get(request.pk, []),
                    "excluded": [(m, scoring.constraint_label(c)) for m, c in excluded]
                    if show_excluded
                    else [],
                    "excluded_count": len(excluded),
                }
            )
        context["awaiting"] = list(adapter.awaiting_requests(programme))
        context["show_excluded"] = show_excluded
        context["max_preferences"] = MentorPreference.MAX
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

    def decide_proposal(self, request, programme):
        """Confirm or refuse a waiting proposal (a fallback, or one made elsewhere)."""
        confirm, refuse = request.POST.get("confirm", ""), request.POST.get("refuse", "")
        pairing = ids.first_or_none(
            Pairing.objects.all(),
            confirm or refuse,
            programme=programme,
            state=PairingState.PROPOSED,
        )
        if pairing is None:
            messages.error(request, _("This proposal is no longer waiting."))
            return
        try:
            if confirm:
                lifecycle.approve_pairing(pairing, request.user)
                messages.success(request, _("Pairing approved: the mentor has been assigned."))
            else:
                lifecycle.cancel_pairing(pairing, request.user)
                messages.success(request, _("Proposal refused: the request waits again."))
        except RuleViolation as error:
            for message in error.messages:
                messages.error(request, message)

    def post(self, request, *args, **kwargs):
        """Assign: one line (``assign=request:mentor``) or the accepted cohort lines."""
        programme, _programmes = self.get_programme()
        target = request.path + (f"?programme={programme.pk}" if programme else "")
        if request.POST.get("confirm") or request.POST.get("refuse"):
            if programme is not None:
                self.decide_proposal(request, programme)
            return redirect(target)
        lines = request.POST.getlist("accept") or [request.POST.get("assign", "")]
        done = 0
        for line in lines:
            request_id, _sep, mentor_id = line.partition(":")
            if ids.parse_id(request_id) is None or ids.parse_id(mentor_id) is None:
                messages.error(request, _("Choose a suggestion to assign."))
                continue
            mentoring_request = ids.get_or_404(
                rules.coordinated(MentoringRequest.objects.all(), request.user),
                request_id,
                status=MentoringRequest.Status.OPEN,
            )
            mentor = ids.get_or_404(ParticipantProfile, mentor_id, field="user_id").user
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
        return redirect(target)
